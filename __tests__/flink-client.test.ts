import {
  ConcurrentModificationException,
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  DescribeApplicationOperationCommand,
  KinesisAnalyticsV2Client,
  KinesisAnalyticsV2ServiceException,
  ListApplicationSnapshotsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApplicationCommand,
  type ApplicationDetail
} from '@aws-sdk/client-kinesis-analytics-v2'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from '@jest/globals'
import type { ApplicationState } from '../src/phases/application.js'
import { ScalerError } from '../src/errors.js'
import { FlinkClient, updateRequest } from '../src/aws/flink-client.js'

const sdk = mockClient(KinesisAnalyticsV2Client)
beforeEach(() => {
  sdk.reset()
})

const ARN = 'arn:aws:kinesisanalytics:us-west-2:123456789012:application/orders-enricher'

/** A DescribeApplication response as the service sends it, with every part of the configuration. */
const fullDetail: ApplicationDetail = {
  ApplicationARN: ARN,
  ApplicationName: 'orders-enricher',
  ApplicationDescription: 'Enriches orders',
  RuntimeEnvironment: 'FLINK-1_20',
  ServiceExecutionRole: 'arn:aws:iam::123456789012:role/orders-enricher',
  ApplicationStatus: 'RUNNING',
  ApplicationVersionId: 7,
  ConditionalToken: 'c0ffee7',
  ApplicationMode: 'STREAMING',
  CreateTimestamp: new Date('2025-01-01T00:00:00Z'),
  LastUpdateTimestamp: new Date('2026-03-01T00:00:00Z'),
  ApplicationConfigurationDescription: {
    ApplicationCodeConfigurationDescription: {
      CodeContentType: 'ZIPFILE',
      CodeContentDescription: {
        S3ApplicationCodeLocationDescription: { BucketARN: 'arn:aws:s3:::code', FileKey: 'orders-enricher-1.4.jar' }
      }
    },
    EnvironmentPropertyDescriptions: {
      PropertyGroupDescriptions: [{ PropertyGroupId: 'app', PropertyMap: { 'input.stream': 'orders' } }]
    },
    FlinkApplicationConfigurationDescription: {
      CheckpointConfigurationDescription: {
        ConfigurationType: 'CUSTOM',
        CheckpointingEnabled: true,
        CheckpointInterval: 60_000,
        MinPauseBetweenCheckpoints: 5_000
      },
      MonitoringConfigurationDescription: { ConfigurationType: 'CUSTOM', MetricsLevel: 'TASK', LogLevel: 'WARN' },
      ParallelismConfigurationDescription: {
        ConfigurationType: 'CUSTOM',
        Parallelism: 8,
        ParallelismPerKPU: 2,
        CurrentParallelism: 12,
        AutoScalingEnabled: true
      },
      JobPlanDescription: '{"jid":"..."}'
    },
    RunConfigurationDescription: {
      ApplicationRestoreConfigurationDescription: { ApplicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' },
      FlinkRunConfigurationDescription: { AllowNonRestoredState: true }
    },
    ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: true },
    ApplicationSystemRollbackConfigurationDescription: { RollbackEnabled: true },
    VpcConfigurationDescriptions: []
  },
  CloudWatchLoggingOptionDescriptions: [
    { LogStreamARN: 'arn:aws:logs:us-west-2:123456789012:log-group:flink:log-stream:orders', CloudWatchLoggingOptionId: '1.1' }
  ]
}

const fullState: ApplicationState = {
  name: 'orders-enricher',
  arn: ARN,
  region: 'us-west-2',
  status: 'RUNNING',
  versionId: 7,
  conditionalToken: 'c0ffee7',
  configurationType: 'CUSTOM',
  parallelism: 8,
  parallelismPerKpu: 2,
  autoScalingEnabled: true,
  currentParallelism: 12,
  snapshotsEnabled: true,
  allowNonRestoredState: true,
  restoreType: 'RESTORE_FROM_LATEST_SNAPSHOT'
}

function withParallelism(description: object | undefined, rest: Partial<ApplicationDetail> = {}): ApplicationDetail {
  const config = fullDetail.ApplicationConfigurationDescription!
  return {
    ...fullDetail,
    ...rest,
    ApplicationConfigurationDescription: {
      ...config,
      FlinkApplicationConfigurationDescription: {
        ...config.FlinkApplicationConfigurationDescription,
        ParallelismConfigurationDescription: description
      }
    }
  }
}

describe('FlinkClient.describe', () => {
  it.each<{ name: string; detail: ApplicationDetail; expected: ApplicationState }>([
    { name: 'a full CUSTOM configuration', detail: fullDetail, expected: fullState },
    {
      name: 'a DEFAULT configuration with the values the service reports',
      detail: withParallelism({ ConfigurationType: 'DEFAULT', Parallelism: 1, ParallelismPerKPU: 1, CurrentParallelism: 1, AutoScalingEnabled: true }),
      expected: { ...fullState, configurationType: 'DEFAULT', parallelism: 1, parallelismPerKpu: 1, currentParallelism: 1, autoScalingEnabled: true }
    },
    {
      name: 'a DEFAULT configuration without values: the service defaults',
      detail: withParallelism({ ConfigurationType: 'DEFAULT' }),
      expected: { ...fullState, configurationType: 'DEFAULT', parallelism: 1, parallelismPerKpu: 1, currentParallelism: undefined, autoScalingEnabled: true }
    },
    {
      name: 'a CUSTOM configuration without AutoScalingEnabled: off',
      detail: withParallelism({ ConfigurationType: 'CUSTOM', Parallelism: 4, ParallelismPerKPU: 1 }),
      expected: { ...fullState, parallelism: 4, parallelismPerKpu: 1, currentParallelism: undefined, autoScalingEnabled: false }
    },
    {
      name: 'a DEFAULT configuration that reports only its type runs at the service defaults',
      detail: withParallelism({ ConfigurationType: 'DEFAULT' }),
      expected: { ...fullState, configurationType: 'DEFAULT', parallelism: 1, parallelismPerKpu: 1, currentParallelism: undefined, autoScalingEnabled: true }
    },
    {
      name: 'an older response without ConditionalToken',
      detail: { ...fullDetail, ConditionalToken: undefined },
      expected: { ...fullState, conditionalToken: undefined }
    },
    {
      name: 'a READY application',
      detail: { ...fullDetail, ApplicationStatus: 'READY' },
      expected: { ...fullState, status: 'READY' }
    },
    {
      name: 'no run or snapshot configuration reported',
      detail: {
        ...fullDetail,
        ApplicationConfigurationDescription: {
          FlinkApplicationConfigurationDescription: fullDetail.ApplicationConfigurationDescription!.FlinkApplicationConfigurationDescription
        }
      },
      expected: { ...fullState, snapshotsEnabled: false, allowNonRestoredState: undefined, restoreType: undefined }
    },
    {
      name: 'snapshots disabled, AllowNonRestoredState false',
      detail: {
        ...fullDetail,
        ApplicationConfigurationDescription: {
          ...fullDetail.ApplicationConfigurationDescription,
          ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: false },
          RunConfigurationDescription: { FlinkRunConfigurationDescription: { AllowNonRestoredState: false } }
        }
      },
      expected: { ...fullState, snapshotsEnabled: false, allowNonRestoredState: false, restoreType: undefined }
    }
  ])('$name', async ({ detail, expected }) => {
    sdk.on(DescribeApplicationCommand, { ApplicationName: 'orders-enricher' }).resolves({ ApplicationDetail: detail })
    expect(await new FlinkClient('us-west-2').describe('orders-enricher')).toEqual(expected)
  })

  it.each([
    ['a SQL application', { ...fullDetail, RuntimeEnvironment: 'SQL-1_0' }, /"orders-enricher" is a SQL-1_0 application/],
    ['a Flink application without a parallelism configuration', withParallelism(undefined), /without a Flink parallelism configuration/]
  ])('%s cannot be scaled, and nothing is guessed', async (_name, detail, message) => {
    sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: detail as ApplicationDetail })
    await expect(new FlinkClient('us-west-2').describe('orders-enricher')).rejects.toThrow(message)
  })

  it('an answer without ApplicationDetail is an error naming the application', async () => {
    sdk.on(DescribeApplicationCommand).resolves({})
    await expect(new FlinkClient('us-west-2').describe('orders-enricher')).rejects.toThrow(/orders-enricher/)
  })
})

const desired = { parallelism: 16, parallelismPerKpu: 2, autoScalingEnabled: false }
const parallelismUpdate = {
  FlinkApplicationConfigurationUpdate: {
    ParallelismConfigurationUpdate: {
      ConfigurationTypeUpdate: 'CUSTOM',
      ParallelismUpdate: 16,
      ParallelismPerKPUUpdate: 2,
      AutoScalingEnabledUpdate: false
    }
  }
}

describe('updateRequest: parallelism and nothing else', () => {
  it.each<{ name: string; state: Partial<ApplicationState>; desired?: typeof desired; expected: object }>([
    {
      name: 'the ConditionalToken when there is one, AllowNonRestoredState true stays true',
      state: {},
      expected: {
        ApplicationName: 'orders-enricher',
        ConditionalToken: 'c0ffee7',
        ApplicationConfigurationUpdate: parallelismUpdate,
        RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: true } }
      }
    },
    {
      name: 'the version id only when there is no token',
      state: { conditionalToken: undefined },
      expected: {
        ApplicationName: 'orders-enricher',
        CurrentApplicationVersionId: 7,
        ApplicationConfigurationUpdate: parallelismUpdate,
        RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: true } }
      }
    },
    {
      name: 'AllowNonRestoredState false stays false',
      state: { allowNonRestoredState: false },
      expected: {
        ApplicationName: 'orders-enricher',
        ConditionalToken: 'c0ffee7',
        ApplicationConfigurationUpdate: parallelismUpdate,
        RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: false } }
      }
    },
    {
      name: 'a DEFAULT configuration becomes CUSTOM with all three values',
      state: { configurationType: 'DEFAULT', parallelism: 1, parallelismPerKpu: 1, autoScalingEnabled: true, allowNonRestoredState: false },
      desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: true },
      expected: {
        ApplicationName: 'orders-enricher',
        ConditionalToken: 'c0ffee7',
        ApplicationConfigurationUpdate: {
          FlinkApplicationConfigurationUpdate: {
            ParallelismConfigurationUpdate: {
              ConfigurationTypeUpdate: 'CUSTOM',
              ParallelismUpdate: 4,
              ParallelismPerKPUUpdate: 1,
              AutoScalingEnabledUpdate: true
            }
          }
        },
        RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: false } }
      }
    }
  ])('$name', ({ state, desired: wanted, expected }) => {
    expect(updateRequest({ ...fullState, ...state }, wanted ?? desired)).toEqual(expected)
  })
})

describe('FlinkClient.update', () => {
  it('sends what it described back unchanged, except the parallelism', async () => {
    sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: fullDetail })
    sdk.on(UpdateApplicationCommand).resolves({
      ApplicationDetail: { ...fullDetail, ApplicationVersionId: 8, ApplicationStatus: 'UPDATING' },
      OperationId: 'op-8'
    })
    const client = new FlinkClient('us-west-2')

    const accepted = await client.update(await client.describe('orders-enricher'), desired)

    expect(accepted).toEqual({ versionId: 8, operationId: 'op-8' })
    const sent = sdk.commandCalls(UpdateApplicationCommand).map((call) => call.args[0].input)
    // Exactly this: no code, environment, checkpoint, restore or snapshot settings that could reset them.
    expect(sent).toEqual([
      {
        ApplicationName: 'orders-enricher',
        ConditionalToken: 'c0ffee7',
        ApplicationConfigurationUpdate: parallelismUpdate,
        RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: true } }
      }
    ])
  })

  it('an answer without operation id or version', async () => {
    sdk.on(UpdateApplicationCommand).resolves({})
    expect(await new FlinkClient('us-west-2').update(fullState, desired)).toEqual({ versionId: undefined, operationId: undefined })
  })
})

describe('FlinkClient.operation', () => {
  it.each([
    {
      name: 'in progress',
      details: { OperationStatus: 'IN_PROGRESS' },
      expected: { status: 'IN_PROGRESS', error: undefined, rollbackOperationId: undefined }
    },
    {
      name: 'successful',
      details: { OperationStatus: 'SUCCESSFUL' },
      expected: { status: 'SUCCESSFUL', error: undefined, rollbackOperationId: undefined }
    },
    {
      name: "failed, with the service's error text and the rollback",
      details: {
        OperationStatus: 'FAILED',
        OperationFailureDetails: { RollbackOperationId: 'op-9', ErrorInfo: { ErrorString: 'Insufficient KPUs for parallelism 16' } }
      },
      expected: { status: 'FAILED', error: 'Insufficient KPUs for parallelism 16', rollbackOperationId: 'op-9' }
    }
  ] as const)('$name', async ({ details, expected }) => {
    sdk.on(DescribeApplicationOperationCommand, { ApplicationName: 'orders-enricher', OperationId: 'op-8' }).resolves({
      ApplicationOperationInfoDetails: { Operation: 'UpdateApplication', StartTime: new Date(), EndTime: new Date(), ...details }
    })
    expect(await new FlinkClient('us-west-2').operation('orders-enricher', 'op-8')).toEqual(expected)
  })
})

describe('FlinkClient tags', () => {
  it('reads tags as a record', async () => {
    sdk.on(ListTagsForResourceCommand, { ResourceARN: ARN }).resolves({
      Tags: [
        { Key: 'team', Value: 'orders' },
        { Key: 'scheduled-scaler:hold-parallelism', Value: '16' }
      ]
    })
    expect(await new FlinkClient('us-west-2').tags(fullState)).toEqual({ team: 'orders', 'scheduled-scaler:hold-parallelism': '16' })
  })

  it('no tags', async () => {
    sdk.on(ListTagsForResourceCommand).resolves({})
    expect(await new FlinkClient('us-west-2').tags(fullState)).toEqual({})
  })

  it('writes and removes tags on the application ARN', async () => {
    sdk.on(TagResourceCommand).resolves({})
    sdk.on(UntagResourceCommand).resolves({})
    const client = new FlinkClient('us-west-2')

    await client.tag(fullState, { a: '1', b: '2' })
    await client.untag(fullState, ['a', 'b'])

    expect(sdk.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceARN: ARN, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }
    ])
    expect(sdk.commandCalls(UntagResourceCommand).map((c) => c.args[0].input)).toEqual([{ ResourceARN: ARN, TagKeys: ['a', 'b'] }])
  })
})

const accessDenied = () =>
  new KinesisAnalyticsV2ServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'User: arn:aws:sts::123456789012:assumed-role/flink-scaler/x is not authorized to perform this action'
  })
const credentialsMissing = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })

/** Per operation: make the service reject it, and make the client call it. */
const calls: Record<string, { rejectWith: (error: Error) => void; call: (client: FlinkClient) => Promise<unknown> }> = {
  DescribeApplication: {
    rejectWith: (error) => sdk.on(DescribeApplicationCommand).rejects(error),
    call: (c) => c.describe('orders-enricher')
  },
  UpdateApplication: {
    rejectWith: (error) => sdk.on(UpdateApplicationCommand).rejects(error),
    call: (c) => c.update(fullState, desired)
  },
  DescribeApplicationOperation: {
    rejectWith: (error) => sdk.on(DescribeApplicationOperationCommand).rejects(error),
    call: (c) => c.operation('orders-enricher', 'op-8')
  },
  ListTagsForResource: {
    rejectWith: (error) => sdk.on(ListTagsForResourceCommand).rejects(error),
    call: (c) => c.tags(fullState)
  },
  TagResource: {
    rejectWith: (error) => sdk.on(TagResourceCommand).rejects(error),
    call: (c) => c.tag(fullState, { a: '1' })
  },
  UntagResource: {
    rejectWith: (error) => sdk.on(UntagResourceCommand).rejects(error),
    call: (c) => c.untag(fullState, ['a'])
  }
}

describe('FlinkClient errors say what to do', () => {
  it.each(Object.keys(calls))('AccessDeniedException on %s names the IAM action', async (operation) => {
    const { rejectWith, call } = calls[operation]
    rejectWith(accessDenied())

    const error = await call(new FlinkClient('us-west-2')).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ScalerError)
    expect(error).toMatchObject({ kind: 'aws', code: 'AccessDeniedException' })
    expect((error as ScalerError).message).toMatch(/not authorized/)
    expect((error as ScalerError).hint).toContain(`kinesisanalytics:${operation}`)
  })

  it('ResourceNotFoundException names the application and the region', async () => {
    sdk.on(DescribeApplicationCommand).rejects(
      new ResourceNotFoundException({ message: 'Application orders-enricher is not found', $metadata: {} })
    )

    const error = (await new FlinkClient('eu-central-1').describe('orders-enricher').catch((e: unknown) => e)) as ScalerError

    expect(error).toBeInstanceOf(ScalerError)
    expect(error.code).toBe('ResourceNotFoundException')
    expect(`${error.message} ${error.hint}`).toContain('orders-enricher')
    expect(error.hint).toContain('eu-central-1')
  })

  it('ConcurrentModificationException keeps its code, for deciding again', async () => {
    sdk.on(UpdateApplicationCommand).rejects(new ConcurrentModificationException({ message: 'Version 7 is stale', $metadata: {} }))

    const error = (await new FlinkClient('us-west-2').update(fullState, desired).catch((e: unknown) => e)) as ScalerError

    expect(error).toBeInstanceOf(ScalerError)
    expect(error.code).toBe('ConcurrentModificationException')
    expect(error.message).toContain('Version 7 is stale')
  })

  it('missing credentials point to id-token: write and role-to-assume', async () => {
    sdk.on(DescribeApplicationCommand).rejects(credentialsMissing())

    const error = (await new FlinkClient('us-west-2').describe('orders-enricher').catch((e: unknown) => e)) as ScalerError

    expect(error).toBeInstanceOf(ScalerError)
    expect(error.hint).toContain('id-token: write')
    expect(error.hint).toContain('role-to-assume')
  })

  it('an error without a known name keeps the service text', async () => {
    sdk.on(DescribeApplicationCommand).rejects(new Error('something odd'))

    const error = (await new FlinkClient('us-west-2').describe('orders-enricher').catch((e: unknown) => e)) as ScalerError

    expect(error).toBeInstanceOf(ScalerError)
    expect(error.message).toContain('DescribeApplication')
    expect(error.message).toContain('something odd')
  })
})

describe('snapshots', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute, 0, 123))

  it('lists every page, 50 at a time, into the project\'s own type', async () => {
    sdk
      .on(ListApplicationSnapshotsCommand, { ApplicationName: 'orders-enricher', Limit: 50 })
      .resolvesOnce({
        SnapshotSummaries: [
          { SnapshotName: 'a', SnapshotStatus: 'READY', ApplicationVersionId: 3, SnapshotCreationTimestamp: at(1) },
          { SnapshotName: 'b', SnapshotStatus: 'CREATING', ApplicationVersionId: 4, SnapshotCreationTimestamp: at(2) }
        ],
        NextToken: 'page-2'
      })
      .resolvesOnce({ SnapshotSummaries: [{ SnapshotName: 'c', SnapshotStatus: 'FAILED', ApplicationVersionId: 4 }] })
    const found = await new FlinkClient('us-west-2').snapshots('orders-enricher')
    expect(found).toEqual([
      { name: 'a', status: 'READY', createdAt: at(1), versionId: 3 },
      { name: 'b', status: 'CREATING', createdAt: at(2), versionId: 4 },
      { name: 'c', status: 'FAILED', versionId: 4 }
    ])
    const sent = sdk.commandCalls(ListApplicationSnapshotsCommand).map((c) => c.args[0].input)
    expect(sent).toEqual([
      { ApplicationName: 'orders-enricher', Limit: 50 },
      { ApplicationName: 'orders-enricher', Limit: 50, NextToken: 'page-2' }
    ])
  })

  it('deletes a snapshot with the creation time it was listed with', async () => {
    sdk.on(DeleteApplicationSnapshotCommand).resolves({})
    await new FlinkClient('us-west-2').deleteSnapshot('orders-enricher', { name: 'a', status: 'READY', createdAt: at(1) })
    expect(sdk.commandCalls(DeleteApplicationSnapshotCommand).map((c) => c.args[0].input)).toEqual([
      { ApplicationName: 'orders-enricher', SnapshotName: 'a', SnapshotCreationTimestamp: at(1) }
    ])
  })

  it('a refusal says what IAM denied and what to allow', async () => {
    sdk.on(DeleteApplicationSnapshotCommand).rejects(
      new KinesisAnalyticsV2ServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: kinesisanalytics:DeleteApplicationSnapshot on resource: ' + ARN
      })
    )
    const error = await new FlinkClient('us-west-2').deleteSnapshot('orders-enricher', { name: 'a', status: 'READY', createdAt: at(1) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScalerError)
    expect(error).toMatchObject({ code: 'AccessDeniedException', hint: expect.stringContaining('Allow kinesisanalytics:DeleteApplicationSnapshot on this application') })
  })
})
