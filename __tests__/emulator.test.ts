/**
 * The emulator, exercised through the real AWS SDK v3 clients: every operation and error
 * round-trips into the SDK's output types and modeled exception classes; raw responses are checked
 * against the model's output shapes; retries, signatures, state transitions and fault knobs behave
 * as the service does.
 */
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from '@jest/globals'
import { expectWith } from './fixtures/expect-with.js'
import { getIDToken } from '@actions/core'
import {
  ConcurrentModificationException,
  DescribeApplicationCommand,
  DescribeApplicationOperationCommand,
  DescribeApplicationSnapshotCommand,
  InvalidArgumentException,
  InvalidRequestException,
  KinesisAnalyticsV2Client,
  KinesisAnalyticsV2ServiceException,
  LimitExceededException,
  ListApplicationOperationsCommand,
  ListApplicationSnapshotsCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  TagResourceCommand,
  TooManyTagsException,
  UnsupportedOperationException,
  UntagResourceCommand,
  UpdateApplicationCommand,
  type UpdateApplicationCommandInput
} from '@aws-sdk/client-kinesis-analytics-v2'
import {
  AssumeRoleWithWebIdentityCommand,
  ExpiredTokenException,
  GetCallerIdentityCommand,
  InvalidIdentityTokenException,
  STSClient,
  STSServiceException
} from '@aws-sdk/client-sts'
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_ROLE_ARN,
  EMULATOR_SECRET_ACCESS_KEY,
  EMULATOR_USER_ARN,
  GITHUB_ISSUER,
  RequestRate,
  startEmulator,
  type Emulator,
  type EmulatorOptions
} from '../emulator/index.js'
import { OUTPUT_SHAPES, validate, type KdaOperation } from '../emulator/shapes.js'
import { canonicalQuery, canonicalUri, verifySignature, type KnownCredentials } from '../emulator/sigv4.js'

// No SDK client in this file may fall back to the instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true'

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

const running: Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
})

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const em = await startEmulator({ updateDurationMs: 150, ...options })
  running.push(em)
  return em
}

const STATIC = { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The SDK's retry middleware classifies each error (THROTTLING / TRANSIENT / SERVER_ERROR /
 * CLIENT_ERROR) and asks the strategy; this strategy retries exactly what the SDK's standard
 * strategy retries (THROTTLING and TRANSIENT), without the backoff delay.
 */
function noDelayRetries(maxAttempts: number) {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 0 })
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (t: { getRetryCount(): number }, info: { errorType: string }) => {
      if ((info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT') && t.getRetryCount() + 1 < maxAttempts) {
        return token(t.getRetryCount() + 1)
      }
      throw new Error('No retry token available')
    },
    recordSuccess: () => {}
  }
}

interface RawResponse {
  operation: string
  status: number
  headers: Record<string, string>
  body: string
}
type MutableRequest = { headers: Record<string, string>; body?: unknown }
/** The serialized request body (the SDK may hold it as a string or as bytes). */
const bodyText = (request: MutableRequest) =>
  typeof request.body === 'string' ? request.body : Buffer.from(request.body as Uint8Array).toString('utf8')

interface ClientOptions {
  region?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  maxAttempts?: number
  socketTimeout?: number
  systemClockOffset?: number
  /** Collects the raw HTTP responses (before the SDK deserializes them). */
  raw?: RawResponse[]
  /** Rewrites the serialized request before it is signed. */
  beforeSigning?: (request: MutableRequest) => void
  /** Rewrites the request after it was signed. */
  afterSigning?: (request: MutableRequest) => void
}

function kda(em: Emulator, o: ClientOptions = {}): KinesisAnalyticsV2Client {
  const client = new KinesisAnalyticsV2Client({
    endpoint: em.url,
    region: o.region ?? 'us-east-1',
    credentials: o.credentials ?? STATIC,
    retryStrategy: noDelayRetries(o.maxAttempts ?? 3),
    ...(o.socketTimeout ? { requestHandler: { socketTimeout: o.socketTimeout } } : {}),
    ...(o.systemClockOffset ? { systemClockOffset: o.systemClockOffset } : {})
  })
  if (o.beforeSigning) {
    const rewrite = o.beforeSigning
    client.middlewareStack.add(
      (next) => async (args) => {
        rewrite(args.request as MutableRequest)
        const request = args.request as MutableRequest
        if (typeof request.body === 'string') request.headers['content-length'] = String(Buffer.byteLength(request.body))
        return next(args)
      },
      { step: 'build', priority: 'low', name: 'testRewriteBeforeSigning' }
    )
  }
  if (o.afterSigning) {
    const rewrite = o.afterSigning
    client.middlewareStack.add(
      (next) => async (args) => {
        rewrite(args.request as MutableRequest)
        return next(args)
      },
      { step: 'deserialize', priority: 'low', name: 'testRewriteAfterSigning' }
    )
  }
  if (o.raw) {
    const raw = o.raw
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args)
        const response = result.response as { statusCode: number; headers: Record<string, string>; body: AsyncIterable<Buffer> }
        const chunks: Buffer[] = []
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk))
        const body = Buffer.concat(chunks)
        raw.push({
          operation: String(context.commandName).replace(/Command$/, ''),
          status: response.statusCode,
          headers: response.headers,
          body: body.toString('utf8')
        })
        response.body = Readable.from([body])
        return result
      },
      { step: 'deserialize', priority: 'low', name: 'testCaptureRaw' }
    )
  }
  return client
}

/** Every successful raw response carries only members the model defines, of the model's types. */
function expectModelShaped(raw: RawResponse[]): void {
  expect(raw.length).toBeGreaterThan(0)
  for (const r of raw.filter((x) => x.status === 200)) {
    const shape = OUTPUT_SHAPES[r.operation as KdaOperation]
    expectWith(shape, r.operation).toBeDefined()
    expectWith(validate(shape, JSON.parse(r.body)), `${r.operation}: ${r.body}`).toEqual([])
    expect(r.headers['content-type']).toBe('application/x-amz-json-1.1')
    expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/)
  }
}

async function rejection<T>(promise: Promise<unknown>, cls: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(cls)
    return error as T
  }
  throw new Error(`expected a ${cls.name}`)
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(10)
  }
}

const scale = (
  name: string,
  token: string | undefined,
  parallelism: number,
  extra: Partial<UpdateApplicationCommandInput> = {}
): UpdateApplicationCommand =>
  new UpdateApplicationCommand({
    ApplicationName: name,
    ConditionalToken: token,
    ApplicationConfigurationUpdate: {
      FlinkApplicationConfigurationUpdate: {
        ParallelismConfigurationUpdate: { ConfigurationTypeUpdate: 'CUSTOM', ParallelismUpdate: parallelism }
      }
    },
    ...extra
  })

async function describeApp(client: KinesisAnalyticsV2Client, name: string) {
  const out = await client.send(new DescribeApplicationCommand({ ApplicationName: name }))
  return out.ApplicationDetail!
}

const parallelismOf = (detail: Awaited<ReturnType<typeof describeApp>>) =>
  detail.ApplicationConfigurationDescription!.FlinkApplicationConfigurationDescription!.ParallelismConfigurationDescription!

function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
}

async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

describe('Kinesis Analytics V2 operations', () => {
  it('DescribeApplication returns the ApplicationDetail the model describes', async () => {
    const em = await emulator({
      applications: [
        {
          name: 'orders',
          parallelism: 6,
          parallelismPerKpu: 2,
          autoScalingEnabled: true,
          allowNonRestoredState: true,
          snapshotsEnabled: false,
          tags: { team: 'data' }
        }
      ]
    })
    const raw: RawResponse[] = []
    const detail = await describeApp(kda(em, { raw }), 'orders')

    expect(detail.ApplicationARN).toBe('arn:aws:kinesisanalytics:us-east-1:123456789012:application/orders')
    expect(detail.ApplicationName).toBe('orders')
    expect(detail.RuntimeEnvironment).toBe('FLINK-1_20')
    expect(detail.ApplicationStatus).toBe('RUNNING')
    expect(detail.ApplicationVersionId).toBe(1)
    expect(detail.ApplicationMode).toBe('STREAMING')
    expect(detail.ConditionalToken).toMatch(/^[a-zA-Z0-9-_+/=]+$/)
    expect(detail.ServiceExecutionRole).toMatch(/^arn:aws:iam::123456789012:role\//)
    expect(detail.CreateTimestamp).toBeInstanceOf(Date)
    expect(detail.LastUpdateTimestamp).toBeInstanceOf(Date)
    expect(parallelismOf(detail)).toEqual({
      ConfigurationType: 'CUSTOM',
      Parallelism: 6,
      ParallelismPerKPU: 2,
      CurrentParallelism: 6,
      AutoScalingEnabled: true
    })
    const config = detail.ApplicationConfigurationDescription!
    expect(config.RunConfigurationDescription).toEqual({
      ApplicationRestoreConfigurationDescription: { ApplicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' },
      FlinkRunConfigurationDescription: { AllowNonRestoredState: true }
    })
    expect(config.ApplicationSnapshotConfigurationDescription).toEqual({ SnapshotsEnabled: false })
    expect(config.FlinkApplicationConfigurationDescription!.CheckpointConfigurationDescription!.ConfigurationType).toBe('DEFAULT')
    expect(JSON.parse(config.FlinkApplicationConfigurationDescription!.JobPlanDescription!).nodes[0].parallelism).toBe(6)

    // On the wire: epoch-seconds timestamps and nothing the model does not define.
    expectModelShaped(raw)
    const body = JSON.parse(raw[0]!.body)
    expect(typeof body.ApplicationDetail.CreateTimestamp).toBe('number')
    expect(em.application('orders').detail).toEqual(body.ApplicationDetail)
  })

  it('UpdateApplication rotates version and token and restarts a RUNNING application', async () => {
    // Ten minutes on the emulator's clock, which the test runs ahead once it has seen the update in progress.
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 4 }], updateDurationMs: 600_000 })
    const raw: RawResponse[] = []
    const client = kda(em, { raw })
    const before = await describeApp(client, 'orders')

    const out = await client.send(scale('orders', before.ConditionalToken, 8))
    expect(out.OperationId).toMatch(/^[A-Za-z0-9]{12}$/)
    const after = out.ApplicationDetail!
    expect(after.ApplicationVersionId).toBe(2)
    expect(after.ApplicationVersionUpdatedFrom).toBe(1)
    expect(after.ConditionalToken).not.toBe(before.ConditionalToken)
    expect(after.ApplicationStatus).toBe('UPDATING')
    expect(parallelismOf(after)).toMatchObject({ Parallelism: 8, CurrentParallelism: 4 })

    const inProgress = await client.send(
      new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: out.OperationId! })
    )
    expect(inProgress.ApplicationOperationInfoDetails).toMatchObject({
      Operation: 'UpdateApplication',
      OperationStatus: 'IN_PROGRESS',
      ApplicationVersionChangeDetails: { ApplicationVersionUpdatedFrom: 1, ApplicationVersionUpdatedTo: 2 }
    })
    expect(inProgress.ApplicationOperationInfoDetails!.StartTime).toBeInstanceOf(Date)
    expect(inProgress.ApplicationOperationInfoDetails!.EndTime).toBeUndefined()

    expect((await describeApp(client, 'orders')).ApplicationStatus).toBe('UPDATING')
    em.advance(600_000)
    await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'RUNNING')
    const done = await describeApp(client, 'orders')
    expect(parallelismOf(done)).toMatchObject({ Parallelism: 8, CurrentParallelism: 8 })
    expect(done.ApplicationVersionId).toBe(2)
    expect(done.ConditionalToken).toBe(after.ConditionalToken)

    const finished = await client.send(
      new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: out.OperationId! })
    )
    const info = finished.ApplicationOperationInfoDetails!
    expect(info.OperationStatus).toBe('SUCCESSFUL')
    expect(info.EndTime!.getTime() - info.StartTime!.getTime()).toBeGreaterThanOrEqual(599_000)

    // The version id works as well as the token, and rotates again.
    const byVersion = await client.send(scale('orders', undefined, 2, { CurrentApplicationVersionId: 2 }))
    expect(byVersion.ApplicationDetail!.ApplicationVersionId).toBe(3)
    expectModelShaped(raw)

    const snap = em.application('orders')
    expect(snap.versionId).toBe(3)
    expect(snap.conditionalToken).toBe(byVersion.ApplicationDetail!.ConditionalToken)
    expect(snap.operations.map((o) => o.status)).toEqual(['SUCCESSFUL', 'IN_PROGRESS'])
  })

  it('a READY application is updated without a restart', async () => {
    const em = await emulator({ applications: [{ name: 'batch', status: 'READY', parallelism: 2 }] })
    const client = kda(em)
    const before = await describeApp(client, 'batch')
    const out = await client.send(scale('batch', before.ConditionalToken, 5))
    expect(out.ApplicationDetail!.ApplicationStatus).toBe('READY')
    expect(parallelismOf(out.ApplicationDetail!)).toMatchObject({ Parallelism: 5, CurrentParallelism: 5 })
    const op = await client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'batch', OperationId: out.OperationId! }))
    expect(op.ApplicationOperationInfoDetails!.OperationStatus).toBe('SUCCESSFUL')
    expect(op.ApplicationOperationInfoDetails!.EndTime).toBeInstanceOf(Date)
  })

  it('a stale ConditionalToken or version id is a ConcurrentModificationException', async () => {
    const em = await emulator({ applications: [{ name: 'orders', status: 'READY' }] })
    const client = kda(em)
    const first = await describeApp(client, 'orders')
    await client.send(scale('orders', first.ConditionalToken, 2))

    const stale = await rejection(client.send(scale('orders', first.ConditionalToken, 3)), ConcurrentModificationException)
    expect(stale.message).toContain('ConditionalToken')
    expect(stale.$metadata.httpStatusCode).toBe(400)
    const staleVersion = await rejection(
      client.send(scale('orders', undefined, 3, { CurrentApplicationVersionId: 1 })),
      ConcurrentModificationException
    )
    expect(staleVersion.message).toContain('current application version 2')
    expect(em.application('orders').parallelism.parallelism).toBe(2)
  })

  it('exactly one of CurrentApplicationVersionId and ConditionalToken is required', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em)
    const { ConditionalToken } = await describeApp(client, 'orders')
    const neither = await rejection(client.send(scale('orders', undefined, 2)), InvalidArgumentException)
    expect(neither.message).toMatch(/CurrentApplicationVersionId or ConditionalToken/)
    await rejection(client.send(scale('orders', ConditionalToken, 2, { CurrentApplicationVersionId: 1 })), InvalidArgumentException)
  })

  it('updates outside RUNNING and READY are a ResourceInUseException', async () => {
    const em = await emulator({
      applications: [{ name: 'orders' }, { name: 'scaling', status: 'AUTOSCALING' }],
      updateDurationMs: 600_000
    })
    const client = kda(em)
    const d = await describeApp(client, 'orders')
    const out = await client.send(scale('orders', d.ConditionalToken, 2))
    const busy = await rejection(
      client.send(scale('orders', out.ApplicationDetail!.ConditionalToken, 3)),
      ResourceInUseException
    )
    expect(busy.message).toContain('UPDATING')
    const s = await describeApp(client, 'scaling')
    await rejection(client.send(scale('scaling', s.ConditionalToken, 3)), ResourceInUseException)
  })

  it('transient seed statuses settle when asked to', async () => {
    // Ten minutes on the emulator's clock, which the test runs ahead: no race with a busy machine.
    const em = await emulator({ applications: [{ name: 'starting', status: 'STARTING', settleAfterMs: 600_000 }] })
    const client = kda(em)
    expect((await describeApp(client, 'starting')).ApplicationStatus).toBe('STARTING')
    em.advance(600_000)
    await until(async () => (await describeApp(client, 'starting')).ApplicationStatus === 'RUNNING')
  })

  it('more KPUs than the quota is a LimitExceededException, which the SDK retries as throttling', async () => {
    const em = await emulator({ applications: [{ name: 'orders', status: 'READY' }], kpuQuota: 4 })
    const client = kda(em, { maxAttempts: 3 })
    const { ConditionalToken } = await describeApp(client, 'orders')
    em.requests.length = 0
    // ceil(9 / 2) = 5 KPUs > 4
    const error = await rejection(
      client.send(
        new UpdateApplicationCommand({
          ApplicationName: 'orders',
          ConditionalToken,
          ApplicationConfigurationUpdate: {
            FlinkApplicationConfigurationUpdate: {
              ParallelismConfigurationUpdate: { ConfigurationTypeUpdate: 'CUSTOM', ParallelismUpdate: 9, ParallelismPerKPUUpdate: 2 }
            }
          }
        })
      ),
      LimitExceededException
    )
    expect(error.message).toContain('5 KPUs')
    // LimitExceededException is on the SDK's list of throttling error codes.
    expect(error.$metadata.attempts).toBe(3)
    expect(em.requests.map((r) => r.errorType)).toEqual(Array(3).fill('LimitExceededException'))

    // ceil(8 / 2) = 4 KPUs fits.
    const ok = await client.send(
      new UpdateApplicationCommand({
        ApplicationName: 'orders',
        ConditionalToken,
        ApplicationConfigurationUpdate: {
          FlinkApplicationConfigurationUpdate: {
            ParallelismConfigurationUpdate: { ConfigurationTypeUpdate: 'CUSTOM', ParallelismUpdate: 8, ParallelismPerKPUUpdate: 2 }
          }
        }
      })
    )
    expect(em.application('orders').kpus).toBe(4)
    expect(ok.ApplicationDetail!.ApplicationVersionId).toBe(2)
  })

  it('ParallelismPerKPU above 8 is an InvalidArgumentException', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em)
    const { ConditionalToken } = await describeApp(client, 'orders')
    const error = await rejection(
      client.send(
        new UpdateApplicationCommand({
          ApplicationName: 'orders',
          ConditionalToken,
          ApplicationConfigurationUpdate: {
            FlinkApplicationConfigurationUpdate: {
              ParallelismConfigurationUpdate: { ConfigurationTypeUpdate: 'CUSTOM', ParallelismPerKPUUpdate: 9 }
            }
          }
        })
      ),
      InvalidArgumentException
    )
    expect(error.message).toContain('between 1 and 8')
  })

  it('changing parallelism requires ConfigurationTypeUpdate CUSTOM', async () => {
    const em = await emulator({ applications: [{ name: 'orders', status: 'READY', parallelism: 3 }] })
    const client = kda(em)
    let { ConditionalToken } = await describeApp(client, 'orders')
    const update = (p: Record<string, unknown>) =>
      client.send(
        new UpdateApplicationCommand({
          ApplicationName: 'orders',
          ConditionalToken,
          ApplicationConfigurationUpdate: { FlinkApplicationConfigurationUpdate: { ParallelismConfigurationUpdate: p } }
        })
      )
    const missing = await rejection(update({ ParallelismUpdate: 4 }), InvalidArgumentException)
    expect(missing.message).toContain('ConfigurationTypeUpdate must be CUSTOM')
    await rejection(update({ ConfigurationTypeUpdate: 'DEFAULT', AutoScalingEnabledUpdate: false }), InvalidArgumentException)

    // DEFAULT alone switches to the service defaults.
    const toDefault = await update({ ConfigurationTypeUpdate: 'DEFAULT' })
    expect(parallelismOf(toDefault.ApplicationDetail!)).toEqual({
      ConfigurationType: 'DEFAULT',
      Parallelism: 1,
      ParallelismPerKPU: 1,
      CurrentParallelism: 1,
      AutoScalingEnabled: true
    })
    ConditionalToken = toDefault.ApplicationDetail!.ConditionalToken
    const custom = await update({ ConfigurationTypeUpdate: 'CUSTOM', ParallelismUpdate: 7, AutoScalingEnabledUpdate: false })
    expect(parallelismOf(custom.ApplicationDetail!)).toMatchObject({ ConfigurationType: 'CUSTOM', Parallelism: 7, AutoScalingEnabled: false })
  })

  it('an update that omits AllowNonRestoredState resets it to false; everything else not named is kept', async () => {
    const em = await emulator({
      applications: [
        {
          name: 'orders',
          status: 'READY',
          allowNonRestoredState: true,
          snapshotsEnabled: false,
          applicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT',
          autoScalingEnabled: true,
          parallelismPerKpu: 2
        }
      ]
    })
    const client = kda(em)
    const before = await describeApp(client, 'orders')
    const out = await client.send(scale('orders', before.ConditionalToken, 4))
    const config = out.ApplicationDetail!.ApplicationConfigurationDescription!
    expect(config.RunConfigurationDescription!.FlinkRunConfigurationDescription!.AllowNonRestoredState).toBe(false)
    expect(config.RunConfigurationDescription!.ApplicationRestoreConfigurationDescription!.ApplicationRestoreType).toBe(
      'SKIP_RESTORE_FROM_SNAPSHOT'
    )
    expect(config.ApplicationSnapshotConfigurationDescription!.SnapshotsEnabled).toBe(false)
    expect(parallelismOf(out.ApplicationDetail!)).toMatchObject({ Parallelism: 4, ParallelismPerKPU: 2, AutoScalingEnabled: true })

    const kept = await client.send(
      scale('orders', out.ApplicationDetail!.ConditionalToken, 4, {
        RunConfigurationUpdate: {
          FlinkRunConfiguration: { AllowNonRestoredState: true },
          ApplicationRestoreConfiguration: { ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT', SnapshotName: 'nightly-1' }
        }
      })
    )
    expect(kept.ApplicationDetail!.ApplicationConfigurationDescription!.RunConfigurationDescription).toEqual({
      FlinkRunConfigurationDescription: { AllowNonRestoredState: true },
      ApplicationRestoreConfigurationDescription: { ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT', SnapshotName: 'nightly-1' }
    })
    expect(em.application('orders').flinkRunConfiguration.allowNonRestoredState).toBe(true)
  })

  it('an unknown application is a ResourceNotFoundException for every operation', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em)
    const arn = 'arn:aws:kinesisanalytics:us-east-1:123456789012:application/missing'
    const calls = [
      client.send(new DescribeApplicationCommand({ ApplicationName: 'missing' })),
      client.send(scale('missing', 'abc', 2)),
      client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'missing', OperationId: 'x' })),
      client.send(new ListApplicationOperationsCommand({ ApplicationName: 'missing' })),
      client.send(new ListTagsForResourceCommand({ ResourceARN: arn })),
      client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: 'b' }] })),
      client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] }))
    ]
    for (const call of calls) {
      const error = await rejection(call, ResourceNotFoundException)
      expect(error.message).toContain('missing')
    }
  })

  it('applications live in their region', async () => {
    const em = await emulator({ applications: [{ name: 'payments', region: 'eu-west-1' }, { name: 'orders' }] })
    await rejection(describeApp(kda(em), 'payments'), ResourceNotFoundException)
    const eu = kda(em, { region: 'eu-west-1' })
    const detail = await describeApp(eu, 'payments')
    expect(detail.ApplicationARN).toBe('arn:aws:kinesisanalytics:eu-west-1:123456789012:application/payments')
    const list = await eu.send(new ListApplicationsCommand({}))
    expect(list.ApplicationSummaries!.map((s) => s.ApplicationName)).toEqual(['payments'])
    await rejection(kda(em).send(new ListTagsForResourceCommand({ ResourceARN: detail.ApplicationARN })), ResourceNotFoundException)
    expect(em.application('payments', 'eu-west-1').region).toBe('eu-west-1')
    expect(() => em.application('payments')).toThrow()
  })

  it('ListApplications pages by application name', async () => {
    const em = await emulator({
      applications: [{ name: 'c-app' }, { name: 'a-app', status: 'READY' }, { name: 'b-app', runtimeEnvironment: 'FLINK-1_19' }]
    })
    const raw: RawResponse[] = []
    const client = kda(em, { raw })
    const first = await client.send(new ListApplicationsCommand({ Limit: 2 }))
    expect(first.ApplicationSummaries).toEqual([
      {
        ApplicationName: 'a-app',
        ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:123456789012:application/a-app',
        ApplicationStatus: 'READY',
        ApplicationVersionId: 1,
        RuntimeEnvironment: 'FLINK-1_20',
        ApplicationMode: 'STREAMING'
      },
      expect.objectContaining({ ApplicationName: 'b-app', RuntimeEnvironment: 'FLINK-1_19' })
    ])
    expect(first.NextToken).toBe('c-app')
    const second = await client.send(new ListApplicationsCommand({ Limit: 2, NextToken: first.NextToken }))
    expect(second.ApplicationSummaries!.map((s) => s.ApplicationName)).toEqual(['c-app'])
    expect(second.NextToken).toBeUndefined()
    expectModelShaped(raw)
  })

  it('ListApplicationOperations lists newest first, filters and pages', async () => {
    const em = await emulator({ applications: [{ name: 'orders', status: 'READY' }] })
    const raw: RawResponse[] = []
    const client = kda(em, { raw })
    let token = (await describeApp(client, 'orders')).ConditionalToken
    const ids: string[] = []
    for (const p of [2, 3, 4]) {
      const out = await client.send(scale('orders', token, p))
      ids.push(out.OperationId!)
      token = out.ApplicationDetail!.ConditionalToken
    }
    const page1 = await client.send(new ListApplicationOperationsCommand({ ApplicationName: 'orders', Limit: 2 }))
    expect(page1.ApplicationOperationInfoList!.map((o) => o.OperationId)).toEqual([ids[2], ids[1]])
    expect(page1.ApplicationOperationInfoList![0]).toMatchObject({ Operation: 'UpdateApplication', OperationStatus: 'SUCCESSFUL' })
    expect(page1.ApplicationOperationInfoList![0]!.StartTime).toBeInstanceOf(Date)
    const page2 = await client.send(
      new ListApplicationOperationsCommand({ ApplicationName: 'orders', Limit: 2, NextToken: page1.NextToken })
    )
    expect(page2.ApplicationOperationInfoList!.map((o) => o.OperationId)).toEqual([ids[0]])
    expect(page2.NextToken).toBeUndefined()
    const failed = await client.send(new ListApplicationOperationsCommand({ ApplicationName: 'orders', OperationStatus: 'FAILED' }))
    expect(failed.ApplicationOperationInfoList).toEqual([])
    await rejection(
      client.send(new ListApplicationOperationsCommand({ ApplicationName: 'orders', NextToken: 'garbage!' })),
      InvalidArgumentException
    )
    await rejection(
      client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: 'nope' })),
      ResourceNotFoundException
    )
    expectModelShaped(raw)
  })

  it('operations history is unsupported for SQL applications', async () => {
    const em = await emulator({ applications: [{ name: 'legacy-sql', runtimeEnvironment: 'SQL-1_0' }] })
    const client = kda(em)
    await rejection(client.send(new ListApplicationOperationsCommand({ ApplicationName: 'legacy-sql' })), UnsupportedOperationException)
    const error = await rejection(
      client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'legacy-sql', OperationId: 'x' })),
      UnsupportedOperationException
    )
    expect(error.message).toContain('Apache Flink')
  })

  it('tags: list, tag, untag and their limits', async () => {
    const em = await emulator({ applications: [{ name: 'orders', tags: { team: 'data' } }] })
    const raw: RawResponse[] = []
    const client = kda(em, { raw })
    const arn = 'arn:aws:kinesisanalytics:us-east-1:123456789012:application/orders'
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'team', Value: 'data' }])
    await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'flink' }] }))
    await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['env', 'absent'] }))
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'team', Value: 'flink' }])
    expect(em.application('orders').tags).toEqual({ team: 'flink' })
    expect(em.application('orders').versionId).toBe(1)

    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    const tooMany = await rejection(client.send(new TagResourceCommand({ ResourceARN: arn, Tags: many })), TooManyTagsException)
    expect(tooMany.message).toContain('50')
    const longKey = await rejection(
      client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })),
      InvalidArgumentException
    )
    expect(longKey.message).toContain("at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128")
    const longValue = await rejection(
      client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] })),
      InvalidArgumentException
    )
    expect(longValue.message).toContain("'tags.1.member.value'")
    await rejection(client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'aws:owner', Value: 'x' }] })), InvalidArgumentException)
    await rejection(client.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:s3:::bucket' })), InvalidArgumentException)
    expectModelShaped(raw)
  })
})

// ---------------------------------------------------------------------------------------------
// Application state across restarts
// ---------------------------------------------------------------------------------------------

describe('application state across restarts', () => {
  /** Scales each application once and waits until every restart has finished. */
  async function restartAll(em: Emulator, names: string[], extra: Partial<UpdateApplicationCommandInput> = {}) {
    const client = kda(em)
    for (const name of names) {
      const { ConditionalToken } = await describeApp(client, name)
      await client.send(scale(name, ConditionalToken, 3, extra))
    }
    await until(() => names.every((name) => em.application(name).status !== 'UPDATING'))
    return client
  }

  it('a restart keeps, drops or rewinds the state as the restore configuration says', async () => {
    const em = await emulator({
      recordsPerSecond: 0,
      applications: [
        { name: 'latest', records: 1000 },
        { name: 'skip', records: 1000, applicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT' },
        {
          name: 'custom',
          records: 1000,
          applicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
          snapshotName: 'nightly',
          snapshots: [{ name: 'nightly', records: 400 }, { name: 'hourly', records: 900 }]
        },
        { name: 'stateless', records: 1000, snapshotsEnabled: false }
      ]
    })
    expect(em.application('latest').state).toEqual({ running: true, records: 1000, restore: 'seeded' })
    await restartAll(em, ['latest', 'skip', 'custom', 'stateless'])

    const latest = em.application('latest')
    expect(latest.status).toBe('RUNNING')
    expect(latest.snapshots).toEqual([
      { name: expect.stringMatching(/^latest-1-\d+$/), status: 'READY', versionId: 1, createdAt: expect.any(Number), records: 1000 }
    ])
    expect(latest.state).toEqual({ running: true, records: 1000, restore: 'kept', snapshotName: latest.snapshots[0]!.name })

    const skip = em.application('skip')
    expect(skip.state).toEqual({ running: true, records: 0, restore: 'dropped' })
    expect(skip.snapshots).toHaveLength(1)

    const custom = em.application('custom')
    expect(custom.state).toEqual({ running: true, records: 400, restore: 'rewound', snapshotName: 'nightly' })
    expect(custom.snapshots.map((s) => s.name)).toEqual(['nightly', 'hourly', expect.stringMatching(/^custom-1-/)])

    // Snapshots disabled: nothing is taken, nothing restored.
    const stateless = em.application('stateless')
    expect(stateless.state).toEqual({ running: true, records: 0, restore: 'dropped' })
    expect(stateless.snapshots).toEqual([])
  })

  it('an update carrying ApplicationRestoreConfiguration uses and stores it; one without keeps the stored one', async () => {
    const em = await emulator({
      recordsPerSecond: 0,
      applications: [
        {
          name: 'orders',
          records: 5000,
          applicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT',
          snapshots: [{ name: 'before-migration', records: 10 }]
        }
      ]
    })
    const latest = { RunConfigurationUpdate: { ApplicationRestoreConfiguration: { ApplicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' as const } } }
    await restartAll(em, ['orders'], latest)
    expect(em.application('orders').state).toMatchObject({ records: 5000, restore: 'kept' })
    expect(em.application('orders').applicationRestoreConfiguration).toEqual({ applicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' })

    await restartAll(em, ['orders'])
    expect(em.application('orders').state).toMatchObject({ records: 5000, restore: 'kept' })

    const custom = {
      RunConfigurationUpdate: {
        ApplicationRestoreConfiguration: { ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT' as const, SnapshotName: 'before-migration' }
      }
    }
    const client = await restartAll(em, ['orders'], custom)
    expect(em.application('orders').state).toEqual({ running: true, records: 10, restore: 'rewound', snapshotName: 'before-migration' })
    const stored = (await describeApp(client, 'orders')).ApplicationConfigurationDescription!.RunConfigurationDescription!
    expect(stored.ApplicationRestoreConfigurationDescription).toEqual({
      ApplicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
      SnapshotName: 'before-migration'
    })
    // The stored custom snapshot applies to the next restart too.
    await restartAll(em, ['orders'])
    expect(em.application('orders').state).toMatchObject({ records: 10, restore: 'rewound' })
    expect(em.application('orders').snapshots.map((s) => s.records)).toEqual([10, 5000, 5000, 5000, 10])
  })

  it('snapshots turned on by the update: the latest snapshot there is is an older one, so the state is rewound', async () => {
    const em = await emulator({
      recordsPerSecond: 0,
      applications: [{ name: 'orders', records: 800, snapshotsEnabled: false, snapshots: [{ name: 'last-week', records: 120 }] }]
    })
    await restartAll(em, ['orders'], {
      ApplicationConfigurationUpdate: {
        ApplicationSnapshotConfigurationUpdate: { SnapshotsEnabledUpdate: true },
        FlinkApplicationConfigurationUpdate: { ParallelismConfigurationUpdate: { ConfigurationTypeUpdate: 'CUSTOM', ParallelismUpdate: 3 } }
      }
    })
    expect(em.application('orders').state).toEqual({ running: true, records: 120, restore: 'rewound', snapshotName: 'last-week' })
  })

  it("a running job's records grow; a stopped one's do not", async () => {
    const em = await emulator({
      recordsPerSecond: 100_000,
      applications: [{ name: 'running', records: 7 }, { name: 'stopped', status: 'READY', records: 7 }]
    })
    await until(() => em.application('running').state.records > 1000)
    expect(em.application('stopped').state).toEqual({ running: false, records: 7, restore: 'seeded' })
    // The snapshot taken as the update stops the job holds what the job had counted by then.
    const client = kda(em)
    const { ConditionalToken } = await describeApp(client, 'running')
    await client.send(scale('running', ConditionalToken, 2))
    const [taken] = em.application('running').snapshots
    expect(taken!.records).toBeGreaterThan(1000)
    expect(em.application('running').state).toMatchObject({ running: false, records: taken!.records })
    await until(() => em.application('running').state.restore === 'kept')
    await until(() => em.application('running').state.records > taken!.records)
  })

  it('a custom snapshot that does not exist fails the restart; the rollback restores the latest snapshot', async () => {
    const em = await emulator({
      recordsPerSecond: 0,
      applications: [
        { name: 'orders', parallelism: 2, records: 300, applicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT', snapshotName: 'gone' },
        {
          name: 'no-rollback',
          parallelism: 2,
          records: 300,
          systemRollbackEnabled: false,
          applicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
          snapshotName: 'failed-one',
          snapshots: [{ name: 'failed-one', status: 'FAILED' }]
        }
      ]
    })
    const client = kda(em)
    const ops: Record<string, string> = {}
    for (const name of ['orders', 'no-rollback']) {
      const { ConditionalToken } = await describeApp(client, name)
      const out = await client.send(scale(name, ConditionalToken, 4))
      // Accepted like any update: the failure comes with the restart.
      expect(out.ApplicationDetail!.ApplicationStatus).toBe('UPDATING')
      ops[name] = out.OperationId!
    }
    await until(() => em.application('orders').status === 'RUNNING' && em.application('no-rollback').status === 'READY')

    const failed = await client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: ops.orders! }))
    expect(failed.ApplicationOperationInfoDetails).toMatchObject({
      OperationStatus: 'FAILED',
      OperationFailureDetails: {
        RollbackOperationId: expect.any(String),
        ErrorInfo: { ErrorString: 'Unable to restore application orders from snapshot gone: the snapshot does not exist.' }
      }
    })
    const orders = em.application('orders')
    expect(orders).toMatchObject({ versionId: 3, parallelism: { parallelism: 2 } })
    expect(orders.state).toMatchObject({ running: true, records: 300, restore: 'kept' })

    const stopped = em.application('no-rollback')
    expect(stopped.operations.map((o) => o.status)).toEqual(['FAILED'])
    expect(stopped.operations[0]!.errorString).toBe(
      'Unable to restore application no-rollback from snapshot failed-one: the snapshot is FAILED, not READY.'
    )
    expect(stopped.state).toEqual({ running: false, records: 300, restore: 'seeded' })
  })

  it('ListApplicationSnapshots and DescribeApplicationSnapshot', async () => {
    const em = await emulator({
      applications: [
        { name: 'orders', snapshots: [{ name: 'a', records: 1 }, { name: 'b', records: 2 }, { name: 'c', records: 3 }] },
        { name: 'legacy-sql', runtimeEnvironment: 'SQL-1_0' }
      ]
    })
    const raw: RawResponse[] = []
    const client = kda(em, { raw })
    const page1 = await client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'orders', Limit: 2 }))
    expect(page1.SnapshotSummaries!.map((s) => s.SnapshotName)).toEqual(['a', 'b'])
    expect(page1.SnapshotSummaries![0]).toEqual({
      SnapshotName: 'a',
      SnapshotStatus: 'READY',
      ApplicationVersionId: 1,
      SnapshotCreationTimestamp: expect.any(Date),
      RuntimeEnvironment: 'FLINK-1_20'
    })
    const page2 = await client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'orders', Limit: 2, NextToken: page1.NextToken }))
    expect(page2.SnapshotSummaries!.map((s) => s.SnapshotName)).toEqual(['c'])
    expect(page2.NextToken).toBeUndefined()
    const b = await client.send(new DescribeApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'b' }))
    expect(b.SnapshotDetails).toMatchObject({ SnapshotName: 'b', SnapshotStatus: 'READY', ApplicationVersionId: 1 })
    expectModelShaped(raw)

    const missing = await rejection(
      client.send(new DescribeApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'zz' })),
      ResourceNotFoundException
    )
    expect(missing.message).toBe('Snapshot zz is not found for application orders.')
    await rejection(client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'missing' })), ResourceNotFoundException)
    await rejection(client.send(new DescribeApplicationSnapshotCommand({ ApplicationName: 'missing', SnapshotName: 'a' })), ResourceNotFoundException)
    const limit = await rejection(client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'orders', Limit: 51 })), InvalidArgumentException)
    expect(limit.message).toContain("at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")
    const name = await rejection(
      client.send(new DescribeApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'no spaces' })),
      InvalidArgumentException
    )
    expect(name.message).toContain("at 'snapshotName' failed to satisfy constraint: Member must satisfy regular expression pattern")
    await rejection(client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'legacy-sql' })), UnsupportedOperationException)
    await rejection(
      client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'orders', NextToken: 'garbage!' })),
      InvalidArgumentException
    )
  })

  it('seeds are checked: a custom restore names its snapshot, snapshot names follow the model', async () => {
    const em = await emulator()
    expect(() => em.addApplication({ name: 'a', applicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT' })).toThrow(/snapshotName/)
    expect(() => em.addApplication({ name: 'b', snapshotName: 'x' })).toThrow(/snapshotName/)
    expect(() => em.addApplication({ name: 'c', snapshots: [{ name: 'no spaces' }] })).toThrow(/snapshot name/)
    expect(() => em.addApplication({ name: 'd', snapshots: [{ name: 'x' }, { name: 'x' }] })).toThrow(/Duplicate/)
  })
})

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

describe('request validation', () => {
  it('constraint violations are an InvalidArgumentException naming the member path', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em)
    const { ConditionalToken } = await describeApp(client, 'orders')
    const zero = await rejection(client.send(scale('orders', ConditionalToken, 0)), InvalidArgumentException)
    expect(zero.message).toBe(
      "1 validation error detected: Value '0' at 'applicationConfigurationUpdate.flinkApplicationConfigurationUpdate.parallelismConfigurationUpdate.parallelismUpdate' failed to satisfy constraint: Member must have value greater than or equal to 1"
    )
    const name = await rejection(client.send(new DescribeApplicationCommand({ ApplicationName: 'bad name!' })), InvalidArgumentException)
    expect(name.message).toContain("at 'applicationName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    const long = await rejection(client.send(new DescribeApplicationCommand({ ApplicationName: 'a'.repeat(129) })), InvalidArgumentException)
    expect(long.message).toContain('Member must have length less than or equal to 128')
    const two = await rejection(
      client.send(
        new UpdateApplicationCommand({
          ApplicationName: 'orders',
          ConditionalToken,
          ApplicationConfigurationUpdate: {
            FlinkApplicationConfigurationUpdate: {
              ParallelismConfigurationUpdate: {
                ConfigurationTypeUpdate: 'SOMETIMES' as 'CUSTOM',
                ParallelismPerKPUUpdate: 0
              }
            }
          }
        })
      ),
      InvalidArgumentException
    )
    expect(two.message).toMatch(/^2 validation errors detected: .*enum value set: \[DEFAULT, CUSTOM\].*; .*parallelismPerKPUUpdate/)
    const missing = await rejection(
      client.send(new DescribeApplicationCommand({} as { ApplicationName: string })),
      InvalidArgumentException
    )
    expect(missing.message).toBe(
      "1 validation error detected: Value null at 'applicationName' failed to satisfy constraint: Member must not be null"
    )
    expect(em.application('orders').versionId).toBe(1)
  })

  it('an operation that only declares InvalidRequestException reports constraints with it', async () => {
    const em = await emulator()
    const error = await rejection(kda(em).send(new ListApplicationsCommand({ Limit: 51 })), InvalidRequestException)
    expect(error.message).toContain("at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")
  })

  it('members the model does not have are an InvalidRequestException', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em, {
      beforeSigning: (request) => {
        const body = JSON.parse(bodyText(request))
        body.ApplicationConfigurationUpdate.FlinkApplicationConfigurationUpdate.ParallelismConfigurationUpdate.Parallelism = 3
        request.body = JSON.stringify(body)
      }
    })
    const { ConditionalToken } = await describeApp(kda(em), 'orders')
    const error = await rejection(client.send(scale('orders', ConditionalToken, 2)), InvalidRequestException)
    expect(error.message).toContain(
      "Unknown member 'ApplicationConfigurationUpdate.FlinkApplicationConfigurationUpdate.ParallelismConfigurationUpdate.Parallelism'"
    )
  })

  it('malformed JSON and wrongly typed members are a SerializationException', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    for (const body of ['{not json', '{"ApplicationName": 5}', '[]']) {
      const client = kda(em, { beforeSigning: (request) => void (request.body = body) })
      const error = await rejection(client.send(new DescribeApplicationCommand({ ApplicationName: 'orders' })), KinesisAnalyticsV2ServiceException)
      expect(error.name).toBe('SerializationException')
      expect(error.$metadata.httpStatusCode).toBe(400)
    }
  })

  it('an unknown X-Amz-Target is an UnknownOperationException', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    for (const target of ['KinesisAnalytics_20180523.StartApplication', 'DynamoDB_20120810.ListTables']) {
      const client = kda(em, { beforeSigning: (request) => void (request.headers['x-amz-target'] = target) })
      const error = await rejection(client.send(new DescribeApplicationCommand({ ApplicationName: 'orders' })), KinesisAnalyticsV2ServiceException)
      expect(error.name).toBe('UnknownOperationException')
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

describe('SigV4 authentication', () => {
  // AWS's published SigV4 test suite (get-vanilla, get-vanilla-query-order-key-case).
  const vector = (url: string, signature: string, lookup: () => KnownCredentials | undefined, now = Date.UTC(2015, 7, 30, 12, 36, 0)) =>
    verifySignature(
      {
        method: 'GET',
        url,
        body: Buffer.alloc(0),
        rawHeaders: [
          'Host',
          'example.amazonaws.com',
          'X-Amz-Date',
          '20150830T123600Z',
          'Authorization',
          `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`
        ]
      },
      { service: 'service', now, lookup }
    )
  const example = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', principalArn: 'x' }

  it("verifies AWS's SigV4 test vectors", () => {
    expect(vector('/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31', () => example)).toMatchObject({ ok: true })
    expect(
      vector('/?Param2=value2&Param1=value1', 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500', () => example)
    ).toMatchObject({ ok: true })
    expect(vector('/', '0'.repeat(64), () => example)).toMatchObject({ ok: false, failure: 'InvalidSignature' })
    expect(canonicalQuery('b=2&a=1&a=0&c=%20x+y')).toBe('a=0&a=1&b=2&c=%20x%2By')
    expect(canonicalUri('/a/./b/../c d/')).toBe('/a/c%20d/')
  })

  it('expired session credentials are an ExpiredToken failure', () => {
    const session = { ...example, sessionToken: undefined, expiration: Date.UTC(2015, 7, 30, 12, 0, 0) }
    expect(vector('/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31', () => session)).toMatchObject({
      ok: false,
      failure: 'ExpiredToken',
      message: 'The security token included in the request is expired'
    })
  })

  it('an unknown access key is an UnrecognizedClientException', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em, { credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } })
    const error = await rejection(describeApp(client, 'orders'), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('UnrecognizedClientException')
    expect(error.message).toBe('The security token included in the request is invalid.')
    expect(error.$metadata.attempts).toBe(1)

    // A refused request does not use up a counted fault.
    const rule = em.faults.set({ throttle: 1 })
    await rejection(describeApp(client, 'orders'), KinesisAnalyticsV2ServiceException)
    expect(rule.remaining.throttle).toBe(1)
    await describeApp(kda(em), 'orders')
    expect(rule.remaining.throttle).toBe(0)
  })

  it('a wrong secret key is an InvalidSignatureException that shows the canonical request', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em, { credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: 'wrong' } })
    const error = await rejection(describeApp(client, 'orders'), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('InvalidSignatureException')
    expect(error.message).toContain('The request signature we calculated does not match the signature you provided.')
    expect(error.message).toContain('x-amz-target:KinesisAnalytics_20180523.DescribeApplication')
  })

  it('a body changed after signing does not verify', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }, { name: 'others' }] })
    // Same length, so Content-Length still holds.
    const client = kda(em, { afterSigning: (request) => void (request.body = bodyText(request).replace('orders', 'others')) })
    const error = await rejection(describeApp(client, 'orders'), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('InvalidSignatureException')
  })

  it('an unsigned request is a MissingAuthenticationTokenException', async () => {
    const em = await emulator()
    const res = await fetch(em.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'KinesisAnalytics_20180523.ListApplications' },
      body: '{}'
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await res.json()).toEqual({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Missing Authentication Token'
    })
  })

  it('a credential scope for another service or terminator is refused', async () => {
    const em = await emulator()
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
    for (const [scope, text] of [
      [`${now.slice(0, 8)}/us-east-1/dynamodb/aws4_request`, "Credential should be scoped to correct service: 'kinesisanalytics'."],
      [`${now.slice(0, 8)}/us-east-1/kinesisanalytics/aws5_request`, "valid terminator: 'aws4_request'"],
      [`19990101/us-east-1/kinesisanalytics/aws4_request`, 'Date in Credential scope does not match']
    ] as const) {
      const res = await fetch(em.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'KinesisAnalytics_20180523.ListApplications',
          'X-Amz-Date': now,
          Authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_ACCESS_KEY_ID}/${scope}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`
        },
        body: '{}'
      })
      const body = (await res.json()) as { message: string }
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
      expect(body.message).toContain(text)
    }
  })

  it('a request signed with a skewed clock is refused, and the SDK corrects its clock and retries', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const client = kda(em, { systemClockOffset: -10 * 60 * 1000 })
    const out = await client.send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))
    expect(out.$metadata.attempts).toBe(2)
    expect(em.requests[0]).toMatchObject({ status: 400, errorType: 'InvalidSignatureException' })
    expect(em.requests[1]).toMatchObject({ status: 200 })
  })
})

// ---------------------------------------------------------------------------------------------
// Fault knobs
// ---------------------------------------------------------------------------------------------

describe('fault knobs', () => {
  it('throttle: ThrottlingException (HTTP 400) for N calls, retried by the SDK', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    em.faults.set({ throttle: 2 })
    const out = await kda(em, { maxAttempts: 3 }).send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))
    expect(out.$metadata.attempts).toBe(3)
    expect(em.requests.map((r) => [r.status, r.errorType])).toEqual([
      [400, 'ThrottlingException'],
      [400, 'ThrottlingException'],
      [200, undefined]
    ])

    em.faults.set({ throttle: 5 })
    const error = await rejection(describeApp(kda(em, { maxAttempts: 3 }), 'orders'), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('ThrottlingException')
    expect(error.message).toBe('Rate exceeded')
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 })
    expect(em.faults.list()[1]!.remaining.throttle).toBe(2)
  })

  it('throttle per operation and per application', async () => {
    const em = await emulator({ applications: [{ name: 'a', status: 'READY' }, { name: 'b' }] })
    em.faults.set({ operation: 'UpdateApplication', throttle: 1 })
    em.faults.set({ application: 'b', throttle: 1 })
    const client = kda(em, { maxAttempts: 1 })
    const a = await describeApp(client, 'a')
    await rejection(describeApp(client, 'b'), KinesisAnalyticsV2ServiceException)
    await describeApp(client, 'b')
    const error = await rejection(client.send(scale('a', a.ConditionalToken, 2)), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('ThrottlingException')
    await client.send(scale('a', a.ConditionalToken, 2))
  })

  it("the SDK's default retry strategy retries throttling", async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    em.faults.set({ throttle: 1 })
    const client = new KinesisAnalyticsV2Client({ endpoint: em.url, region: 'us-east-1', credentials: STATIC })
    const out = await client.send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))
    expect(out.$metadata.attempts).toBe(2)
  })

  it('serverError: ServiceUnavailableException (503) or InternalFailure (500), retried', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    em.faults.set({ serverError: 1 })
    em.faults.set({ serverError: 1, serverErrorType: 'InternalFailure' })
    const out = await kda(em).send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))
    expect(out.$metadata.attempts).toBe(3)
    expect(em.requests.map((r) => [r.status, r.errorType])).toEqual([
      [503, 'ServiceUnavailableException'],
      [500, 'InternalFailure'],
      [200, undefined]
    ])
    em.faults.set({ serverError: 3 })
    const error = await rejection(describeApp(kda(em), 'orders'), ServiceUnavailableException)
    expect(error.$metadata).toMatchObject({ httpStatusCode: 503, attempts: 3 })
  })

  it('reset: the connection is dropped without a response, retried', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    em.faults.set({ reset: 2 })
    const out = await kda(em).send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))
    expect(out.$metadata.attempts).toBe(3)
    expect(em.requests.map((r) => [r.status, r.errorType])).toEqual([
      [0, 'ConnectionReset'],
      [0, 'ConnectionReset'],
      [200, undefined]
    ])
  })

  it('hang: the request is never answered; a client socket timeout retries', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    em.faults.set({ operation: 'DescribeApplication', hang: 1 })
    const out = await kda(em, { socketTimeout: 200 }).send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))
    expect(out.$metadata.attempts).toBe(2)
    expect(em.requests[0]).toMatchObject({ status: 0, errorType: 'NoResponse' })
  })

  it('latencyMs: every matching call is slower', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const rule = em.faults.set({ latencyMs: 150 })
    const client = kda(em)
    const t = Date.now()
    await describeApp(client, 'orders')
    expect(Date.now() - t).toBeGreaterThanOrEqual(145)
    rule.clear()
    expect(em.faults.list()).toEqual([])
  })

  it('accessDenied: AccessDeniedException worded as IAM does, for the chosen operations only', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    em.faults.set({ operation: ['UpdateApplication', 'ListApplications'], accessDenied: true })
    const client = kda(em)
    const { ConditionalToken } = await describeApp(client, 'orders')
    const error = await rejection(client.send(scale('orders', ConditionalToken, 2)), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('AccessDeniedException')
    expect(error.message).toBe(
      `User: ${EMULATOR_USER_ARN} is not authorized to perform: kinesisanalytics:UpdateApplication on resource: arn:aws:kinesisanalytics:us-east-1:123456789012:application/orders because no identity-based policy allows the kinesisanalytics:UpdateApplication action`
    )
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 })
    const list = await rejection(client.send(new ListApplicationsCommand({})), KinesisAnalyticsV2ServiceException)
    expect(list.message).toContain('on resource: arn:aws:kinesisanalytics:us-east-1:123456789012:application/*')
    em.faults.clear()
    await client.send(scale('orders', ConditionalToken, 2))
  })

  it('raceNextUpdate: another actor updates first, so the caller gets ConcurrentModificationException', async () => {
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 2, allowNonRestoredState: true }], updateDurationMs: 400 })
    const client = kda(em)
    const before = await describeApp(client, 'orders')
    em.faults.raceNextUpdate('orders', { parallelism: 6 })
    await rejection(client.send(scale('orders', before.ConditionalToken, 4)), ConcurrentModificationException)

    const raced = await describeApp(client, 'orders')
    expect(raced.ApplicationVersionId).toBe(2)
    expect(raced.ApplicationStatus).toBe('UPDATING')
    expect(parallelismOf(raced).Parallelism).toBe(6)
    expect(raced.ApplicationConfigurationDescription!.RunConfigurationDescription!.FlinkRunConfigurationDescription!.AllowNonRestoredState).toBe(false)
    // Retrying at once meets the other actor's restart; after it, the retry goes through.
    await rejection(client.send(scale('orders', raced.ConditionalToken, 4)), ResourceInUseException)
    await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'RUNNING')
    const out = await client.send(scale('orders', raced.ConditionalToken, 4))
    expect(out.ApplicationDetail!.ApplicationVersionId).toBe(3)

    em.faults.raceNextUpdate('orders', { instant: true })
    await rejection(client.send(scale('orders', out.ApplicationDetail!.ConditionalToken, 5)), ConcurrentModificationException)
    expect(em.application('orders').operations.at(-1)).toMatchObject({ status: 'SUCCESSFUL', versionFrom: 3, versionTo: 4 })
  })

  it('failNextUpdate rollback: the update fails, the service rolls back to the old configuration', async () => {
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 2 }], updateDurationMs: 300 })
    const client = kda(em)
    const before = await describeApp(client, 'orders')
    em.faults.failNextUpdate('orders', { errorString: 'Flink job failed to restart: java.lang.OutOfMemoryError' })
    const out = await client.send(scale('orders', before.ConditionalToken, 8))
    expect(out.ApplicationDetail!.ApplicationStatus).toBe('UPDATING')

    await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'ROLLING_BACK')
    const failed = await client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: out.OperationId! }))
    const info = failed.ApplicationOperationInfoDetails!
    expect(info.OperationStatus).toBe('FAILED')
    expect(info.OperationFailureDetails!.ErrorInfo!.ErrorString).toBe('Flink job failed to restart: java.lang.OutOfMemoryError')
    const rollbackId = info.OperationFailureDetails!.RollbackOperationId!
    expect(rollbackId).toBeTruthy()

    await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'RUNNING')
    const after = await describeApp(client, 'orders')
    expect(after.ApplicationVersionId).toBe(3)
    expect(after.ApplicationVersionRolledBackFrom).toBe(2)
    expect(after.ApplicationVersionRolledBackTo).toBe(1)
    expect(parallelismOf(after)).toMatchObject({ Parallelism: 2, CurrentParallelism: 2 })
    expect(after.ConditionalToken).not.toBe(out.ApplicationDetail!.ConditionalToken)
    const rollback = await client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: rollbackId }))
    expect(rollback.ApplicationOperationInfoDetails).toMatchObject({
      Operation: 'RollbackApplication',
      OperationStatus: 'SUCCESSFUL',
      ApplicationVersionChangeDetails: { ApplicationVersionUpdatedFrom: 2, ApplicationVersionUpdatedTo: 3 }
    })
  })

  it('failNextUpdate ready / rolled-back: where the application ends', async () => {
    const em = await emulator({
      applications: [{ name: 'a', parallelism: 2 }, { name: 'b', parallelism: 2 }, { name: 'c', parallelism: 2, systemRollbackEnabled: false }],
      updateDurationMs: 50
    })
    const client = kda(em)
    em.faults.failNextUpdate('a', { outcome: 'ready' })
    em.faults.failNextUpdate('b', { outcome: 'rolled-back' })
    em.faults.failNextUpdate('c')
    const ops: Record<string, string> = {}
    for (const name of ['a', 'b', 'c']) {
      const d = await describeApp(client, name)
      ops[name] = (await client.send(scale(name, d.ConditionalToken, 4))).OperationId!
    }
    await sleep(160)
    expect(em.application('a')).toMatchObject({ status: 'READY', versionId: 2 })
    expect(em.application('a').operations).toEqual([expect.objectContaining({ status: 'FAILED' })])
    expect(em.application('a').operations[0]!.rollbackOperationId).toBeUndefined()
    expect(em.application('b')).toMatchObject({ status: 'ROLLED_BACK', versionId: 3 })
    expect(em.application('b').parallelism.parallelism).toBe(2)
    expect(em.application('c').status).toBe('READY')
    const info = await client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'a', OperationId: ops.a! }))
    expect(info.ApplicationOperationInfoDetails!.OperationFailureDetails).toEqual({
      ErrorInfo: { ErrorString: expect.stringMatching(/^Flink job failed to restart: /) }
    })
  })

  it('unsupported: DescribeApplicationOperation answered as by an endpoint without it', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    em.faults.set({ operation: 'DescribeApplicationOperation', unsupported: true })
    const client = kda(em)
    const error = await rejection(
      client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: 'x' })),
      KinesisAnalyticsV2ServiceException
    )
    expect(error.name).toBe('UnknownOperationException')
    expect(error.$metadata.attempts).toBe(1)
    await describeApp(client, 'orders')
  })
  it.each([
    ['reset', 0, 'ConnectionReset'],
    ['hang', 0, 'NoResponse'],
    ['ServiceUnavailableException', 503, 'ServiceUnavailableException']
  ] as const)(
    'lostAnswer %s: the update is applied, its answer lost; the retry meets ConcurrentModificationException',
    async (lostAnswerAs, status, errorType) => {
      const em = await emulator({ applications: [{ name: 'orders', parallelism: 2 }], updateDurationMs: 400 })
      const client = kda(em, { ...(lostAnswerAs === 'hang' ? { socketTimeout: 200 } : {}) })
      const before = await describeApp(client, 'orders')
      const rule = em.faults.set({ operation: 'UpdateApplication', lostAnswer: 1, lostAnswerAs })
      em.requests.length = 0

      // The SDK retries the lost answer with the same (now stale) token.
      const error = await rejection(client.send(scale('orders', before.ConditionalToken, 4)), ConcurrentModificationException)
      expect(error.$metadata.attempts).toBe(2)
      expect(em.requests.map((r) => [r.operation, r.status, r.errorType, r.applied])).toEqual([
        ['UpdateApplication', status, errorType, true],
        ['UpdateApplication', 400, 'ConcurrentModificationException', undefined]
      ])
      expect(rule.remaining.lostAnswer).toBe(0)

      // Everything shows the update that was applied: the version it came from, its operation.
      const after = await describeApp(client, 'orders')
      expect(after).toMatchObject({ ApplicationVersionId: 2, ApplicationVersionUpdatedFrom: 1, ApplicationStatus: 'UPDATING' })
      expect(after.ConditionalToken).not.toBe(before.ConditionalToken)
      expect(parallelismOf(after).Parallelism).toBe(4)
      const list = await client.send(new ListApplicationOperationsCommand({ ApplicationName: 'orders', Operation: 'UpdateApplication' }))
      expect(list.ApplicationOperationInfoList).toEqual([expect.objectContaining({ OperationStatus: 'IN_PROGRESS' })])
      const op = await client.send(
        new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: list.ApplicationOperationInfoList![0]!.OperationId! })
      )
      expect(op.ApplicationOperationInfoDetails).toMatchObject({
        Operation: 'UpdateApplication',
        ApplicationVersionChangeDetails: { ApplicationVersionUpdatedFrom: 1, ApplicationVersionUpdatedTo: 2 }
      })
      await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'RUNNING')
      expect(em.application('orders').operations.map((o) => o.status)).toEqual(['SUCCESSFUL'])
    }
  )

  it('lostAnswer applies to calls that succeed only, and to the operations named', async () => {
    const em = await emulator({ applications: [{ name: 'orders', status: 'READY' }] })
    const client = kda(em, { maxAttempts: 1 })
    const rule = em.faults.set({ operation: 'UpdateApplication', lostAnswer: 1 })
    await describeApp(client, 'orders')
    // A refused update is answered: nothing was applied.
    await rejection(client.send(scale('orders', undefined, 2, { CurrentApplicationVersionId: 7 })), ConcurrentModificationException)
    expect(rule.remaining.lostAnswer).toBe(1)
    const lost = await rejection(client.send(scale('orders', undefined, 2, { CurrentApplicationVersionId: 1 })), Error)
    expect(lost).not.toBeInstanceOf(KinesisAnalyticsV2ServiceException)
    expect(em.application('orders')).toMatchObject({ versionId: 2, parallelism: { parallelism: 2 } })
    // The retry a client makes with the version id it sent names the version it now conflicts with.
    const retry = await rejection(client.send(scale('orders', undefined, 2, { CurrentApplicationVersionId: 1 })), ConcurrentModificationException)
    expect(retry.message).toContain('current application version 2')
    expect(() => em.faults.set({ lostAnswer: 1, lostAnswerAs: 'drop' as 'reset' })).toThrow(/lostAnswerAs/)
  })

  it('busyWhileUpdating ResourceInUseException: tag writes refused while the application is UPDATING', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }], updateDurationMs: 400 })
    const client = kda(em, { maxAttempts: 1 })
    const arn = em.application('orders').arn
    const tag = () => client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'scheduled-scaler:hold-parallelism', Value: '8' }] }))
    const untag = () => client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['scheduled-scaler:hold-parallelism'] }))
    em.faults.set({ busyWhileUpdating: 'ResourceInUseException' })
    await tag()

    const { ConditionalToken } = await describeApp(client, 'orders')
    await client.send(scale('orders', ConditionalToken, 2))
    const inUse = await rejection(tag(), ResourceInUseException)
    expect(inUse.message).toBe('Application orders is in UPDATING status. Tags can be changed once the update has finished; retry later.')
    expect(inUse.$metadata.httpStatusCode).toBe(400)
    await rejection(untag(), ResourceInUseException)
    // Reading tags is not refused.
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toHaveLength(1)

    await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'RUNNING')
    await untag()
    expect(em.application('orders').tags).toEqual({})
  })

  it('busyWhileUpdating ConcurrentModificationException for the next N calls of the operation named', async () => {
    const em = await emulator({ applications: [{ name: 'orders', tags: { a: '1', b: '2' } }], updateDurationMs: 1000 })
    const client = kda(em, { maxAttempts: 1 })
    const arn = em.application('orders').arn
    const rule = em.faults.set({ operation: 'UntagResource', busyWhileUpdating: 'ConcurrentModificationException', busyCount: 1 })
    const { ConditionalToken } = await describeApp(client, 'orders')
    await client.send(scale('orders', ConditionalToken, 2))

    const conflict = await rejection(client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] })), ConcurrentModificationException)
    expect(conflict.message).toBe(`An update is in progress for this resource ARN: ${arn}, please retry later.`)
    expect(rule.remaining.busy).toBe(0)
    await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] }))
    await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'c', Value: '3' }] }))
    expect(em.application('orders')).toMatchObject({ status: 'UPDATING', tags: { b: '2', c: '3' } })
  })

  it('accessDenied naming another IAM action: iam:PassRole on the role, kms:Decrypt on the key', async () => {
    const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab'
    const em = await emulator({ applications: [{ name: 'orders' }, { name: 'secure', kmsKeyId: keyId }] })
    const client = kda(em)
    em.faults.set({ operation: 'UpdateApplication', application: 'orders', accessDenied: 'iam:PassRole' })
    em.faults.set({ operation: 'DescribeApplication', application: 'secure', accessDenied: 'kms:Decrypt' })
    const { ConditionalToken } = await describeApp(client, 'orders')

    const passRole = await rejection(client.send(scale('orders', ConditionalToken, 2)), KinesisAnalyticsV2ServiceException)
    expect(passRole.name).toBe('AccessDeniedException')
    expect(passRole.message).toBe(
      `User: ${EMULATOR_USER_ARN} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/service-role/kinesis-analytics-orders-us-east-1 because no identity-based policy allows the iam:PassRole action`
    )
    expect(passRole.$metadata.attempts).toBe(1)
    const newRole = 'arn:aws:iam::123456789012:role/flink-orders-v2'
    const passed = await rejection(client.send(scale('orders', ConditionalToken, 2, { ServiceExecutionRoleUpdate: newRole })), Error)
    expect(passed.message).toContain(`iam:PassRole on resource: ${newRole} because`)

    const decrypt = await rejection(describeApp(client, 'secure'), KinesisAnalyticsV2ServiceException)
    expect(decrypt.message).toBe(
      `User: ${EMULATOR_USER_ARN} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/${keyId} because no identity-based policy allows the kms:Decrypt action`
    )
    em.faults.set({ operation: 'ListTagsForResource', accessDenied: 'tag:GetResources', accessDeniedResource: '*' })
    const tags = await rejection(client.send(new ListTagsForResourceCommand({ ResourceARN: em.application('orders').arn })), Error)
    expect(tags.message).toContain('perform: tag:GetResources on resource: * because')
    expect(em.application('orders').versionId).toBe(1)
    expect(() => em.faults.set({ accessDenied: 'PassRole' })).toThrow(/service:Action/)

    em.faults.set({ service: 'sts', accessDenied: 'sts:TagSession' })
    const sts = new STSClient({ endpoint: em.url, region: 'us-east-1', retryStrategy: noDelayRetries(1) })
    const stsError = await rejection(
      sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 's', WebIdentityToken: em.issueIdToken() })),
      STSServiceException
    )
    expect(stsError.message).toBe('Not authorized to perform sts:TagSession')
  })

  it('failNextUpdate rollback-failed: the rollback fails too, both operations FAILED, the application left READY', async () => {
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 2 }], updateDurationMs: 100 })
    const client = kda(em)
    const before = await describeApp(client, 'orders')
    em.faults.failNextUpdate('orders', { outcome: 'rollback-failed', errorString: 'Flink job failed to restart: java.lang.OutOfMemoryError' })
    const out = await client.send(scale('orders', before.ConditionalToken, 8))
    await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'ROLLING_BACK')
    await until(async () => (await describeApp(client, 'orders')).ApplicationStatus === 'READY')

    const update = await client.send(new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: out.OperationId! }))
    const failure = update.ApplicationOperationInfoDetails!.OperationFailureDetails!
    expect(failure.ErrorInfo!.ErrorString).toBe('Flink job failed to restart: java.lang.OutOfMemoryError')
    const rollback = await client.send(
      new DescribeApplicationOperationCommand({ ApplicationName: 'orders', OperationId: failure.RollbackOperationId! })
    )
    expect(rollback.ApplicationOperationInfoDetails).toEqual({
      Operation: 'RollbackApplication',
      StartTime: expect.any(Date),
      EndTime: expect.any(Date),
      OperationStatus: 'FAILED',
      OperationFailureDetails: {
        ErrorInfo: {
          ErrorString:
            'Rollback to application version 1 failed: Flink job failed to restart: org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy'
        }
      }
    })
    const failed = await client.send(new ListApplicationOperationsCommand({ ApplicationName: 'orders', OperationStatus: 'FAILED' }))
    expect(failed.ApplicationOperationInfoList!.map((o) => o.Operation)).toEqual(['RollbackApplication', 'UpdateApplication'])

    // Stopped at the version that failed: no rollback landed.
    const after = await describeApp(client, 'orders')
    expect(after).toMatchObject({ ApplicationStatus: 'READY', ApplicationVersionId: 2, ApplicationVersionUpdatedFrom: 1 })
    expect(after.ApplicationVersionRolledBackFrom).toBeUndefined()
    expect(parallelismOf(after).Parallelism).toBe(8)
    expect(after.ApplicationConfigurationDescription!.FlinkApplicationConfigurationDescription!.JobPlanDescription).toBeUndefined()
    expect(em.application('orders').state.running).toBe(false)

    em.addApplication({ name: 'worded' })
    em.faults.failNextUpdate('worded', { outcome: 'rollback-failed', rollbackErrorString: 'Rollback failed (emulated)' })
    await client.send(scale('worded', (await describeApp(client, 'worded')).ConditionalToken, 4))
    await until(() => em.application('worded').status === 'READY')
    expect(em.application('worded').operations.map((o) => [o.operation, o.status, o.errorString])).toEqual([
      ['UpdateApplication', 'FAILED', expect.stringMatching(/^Flink job failed to restart: /)],
      ['RollbackApplication', 'FAILED', 'Rollback failed (emulated)']
    ])
  })

  it('applications can be seeded in MAINTENANCE, ROLLED_BACK and READY', async () => {
    const em = await emulator({
      applications: [
        { name: 'maintenance', status: 'MAINTENANCE', settleAfterMs: 600_000 },
        { name: 'rolled-back', status: 'ROLLED_BACK' },
        { name: 'ready', status: 'READY' }
      ]
    })
    const client = kda(em)
    const statuses = (await client.send(new ListApplicationsCommand({}))).ApplicationSummaries!.map((s) => [s.ApplicationName, s.ApplicationStatus])
    expect(statuses).toEqual([
      ['maintenance', 'MAINTENANCE'],
      ['ready', 'READY'],
      ['rolled-back', 'ROLLED_BACK']
    ])
    for (const name of ['maintenance', 'rolled-back']) {
      const d = await describeApp(client, name)
      await rejection(client.send(scale(name, d.ConditionalToken, 2)), ResourceInUseException)
    }
    expect(em.application('ready').state.running).toBe(false)
    em.advance(600_000)
    await until(async () => (await describeApp(client, 'maintenance')).ApplicationStatus === 'RUNNING')
    expect(em.application('maintenance').state.running).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------
// Request-rate quota and fleets
// ---------------------------------------------------------------------------------------------

describe('request-rate quota and fleets', () => {
  it('requests over the quota are a ThrottlingException; one bucket per region across every operation, counted', async () => {
    const em = await emulator({
      applications: [{ name: 'orders' }, { name: 'payments', region: 'eu-west-1' }],
      requestRate: { perSecond: 1, burst: 3 }
    })
    const client = kda(em, { maxAttempts: 1 })
    for (let i = 0; i < 3; i++) await describeApp(client, 'orders')
    const error = await rejection(describeApp(client, 'orders'), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('ThrottlingException')
    expect(error.message).toBe('Rate exceeded')
    expect(error.$metadata.httpStatusCode).toBe(400)
    await rejection(client.send(new ListApplicationsCommand({})), KinesisAnalyticsV2ServiceException)
    expect(em.requests.at(-1)).toMatchObject({ status: 400, errorType: 'ThrottlingException' })

    // Another region draws on its own bucket.
    await describeApp(kda(em, { region: 'eu-west-1', maxAttempts: 1 }), 'payments')
    expect(em.requestRate.throttled).toBe(2)
    expect(em.requestRate.throttledBy).toEqual({
      region: { 'us-east-1': 2 },
      operation: { DescribeApplication: 1, ListApplications: 1 }
    })

    // A request refused for the quota uses up no counted fault; set() lifts the quota.
    const rule = em.faults.set({ throttle: 1 })
    await rejection(describeApp(client, 'orders'), KinesisAnalyticsV2ServiceException)
    expect(rule.remaining.throttle).toBe(1)
    em.requestRate.set()
    rule.clear()
    await describeApp(client, 'orders')
    expect(em.requestRate.throttled).toBe(3)
  })

  it('the bucket refills at perSecond, and the SDK retries what was throttled', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }], requestRate: { perSecond: 5, burst: 1 } })
    const once = kda(em, { maxAttempts: 1 })
    await describeApp(once, 'orders')
    await rejection(describeApp(once, 'orders'), KinesisAnalyticsV2ServiceException)
    await sleep(250)
    await describeApp(once, 'orders')

    // ThrottlingException is retried as throttling; the retry waits for the bucket here.
    let attempts = 0
    const waiting = kda(em, { maxAttempts: 3 })
    waiting.middlewareStack.add(
      (next) => async (args) => {
        if (attempts++ > 0) await sleep(250)
        return next(args)
      },
      { step: 'finalizeRequest', name: 'testWaitBeforeRetry' }
    )
    const out = await waiting.send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))
    expect(out.$metadata.attempts).toBe(2)
    expect(em.requestRate.throttled).toBe(2)
  })

  it('token bucket arithmetic: burst, refill, cap', () => {
    const rate = new RequestRate({ perSecond: 2, burst: 2 })
    const t = 1_000_000
    expect([rate.take('r', 'Op', t), rate.take('r', 'Op', t), rate.take('r', 'Op', t)]).toEqual([true, true, false])
    expect(rate.take('r', 'Op', t + 499)).toBe(false)
    expect(rate.take('r', 'Op', t + 500)).toBe(true)
    // Idle for long: the bucket holds no more than burst.
    expect([rate.take('r', 'Op', t + 60_000), rate.take('r', 'Op', t + 60_000), rate.take('r', 'Op', t + 60_000)]).toEqual([true, true, false])
    expect(rate.throttled).toBe(3)
    expect(() => rate.set({ perSecond: 0 })).toThrow(/perSecond/)
    expect(() => rate.set({ perSecond: 1, burst: 0.5 })).toThrow(/burst/)
    expect(new RequestRate().take('r', 'Op')).toBe(true)
  })

  it('300 applications in three regions: seeded at once, listed per region in name order, each found by name', async () => {
    const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2']
    const name = (i: number) => `fleet-${String(i).padStart(3, '0')}`
    const em = await emulator({
      applications: Array.from({ length: 300 }, (_, i) => ({ name: name(i), region: regions[i % 3], parallelism: 1 + (i % 8) })),
      requestRate: { perSecond: 1000, burst: 400 }
    })
    const clients = regions.map((region) => kda(em, { region }))
    for (const [r, region] of regions.entries()) {
      const client = clients[r]!
      const names: string[] = []
      let NextToken: string | undefined
      do {
        const page = await client.send(new ListApplicationsCommand({ Limit: 50, NextToken }))
        for (const s of page.ApplicationSummaries!) {
          expect(s.ApplicationARN).toBe(`arn:aws:kinesisanalytics:${region}:123456789012:application/${s.ApplicationName}`)
          names.push(s.ApplicationName!)
        }
        NextToken = page.NextToken
      } while (NextToken)
      expect(names).toEqual(Array.from({ length: 100 }, (_, i) => name(i * 3 + r)))
    }

    // Added later, listed in its place.
    em.addApplication({ name: 'fleet-000a', region: 'us-east-1' })
    const first = await clients[0]!.send(new ListApplicationsCommand({ Limit: 2 }))
    expect(first.ApplicationSummaries!.map((s) => s.ApplicationName)).toEqual(['fleet-000', 'fleet-000a'])

    const details = await Promise.all(
      Array.from({ length: 300 }, (_, i) => describeApp(clients[i % 3]!, name(i)))
    )
    expect(details.map((d) => parallelismOf(d).Parallelism)).toEqual(Array.from({ length: 300 }, (_, i) => 1 + (i % 8)))
    expect(em.requestRate.throttled).toBe(0)
  })
})

// ---------------------------------------------------------------------------------------------
// STS and OIDC
// ---------------------------------------------------------------------------------------------

describe('Actions OIDC endpoint and STS', () => {
  const sts = (em: Emulator) => new STSClient({ endpoint: em.url, region: 'us-east-1', retryStrategy: noDelayRetries(3) })
  const assume = (em: Emulator, token: string, extra: { RoleArn?: string; DurationSeconds?: number } = {}) =>
    sts(em).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: EMULATOR_ROLE_ARN,
        RoleSessionName: 'flink-scaler-run-42',
        WebIdentityToken: token,
        ...extra
      })
    )

  it("issues GitHub-shaped tokens to @actions/core's getIDToken", async () => {
    const em = await emulator({ oidc: { repository: 'acme/flink-jobs', ref: 'refs/heads/main', environment: 'production' } })
    const token = await withEnv(em.env(), () => getIDToken('sts.amazonaws.com'))
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({
      iss: GITHUB_ISSUER,
      sub: 'repo:acme/flink-jobs:environment:production',
      aud: 'sts.amazonaws.com',
      repository: 'acme/flink-jobs',
      repository_owner: 'acme',
      ref: 'refs/heads/main',
      event_name: 'schedule',
      environment: 'production',
      job_workflow_ref: expect.stringMatching(/^acme\/flink-jobs\/\.github\/workflows\/.+@refs\/heads\/main$/)
    })
    expect(claims.exp as number).toBeGreaterThan(claims.iat as number)
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'RS256', typ: 'JWT' })
    expect(em.requests.at(-1)).toMatchObject({ service: 'oidc', operation: 'GetIdToken', status: 200, body: { 'api-version': '2.0', audience: 'sts.amazonaws.com' } })

    const jwks = (await (await fetch(`${em.url}/oidc/.well-known/jwks`)).json()) as { keys: { kty: string }[] }
    expect(jwks.keys[0]!.kty).toBe('RSA')
  })

  it('refuses a wrong bearer token with 401', async () => {
    const em = await emulator()
    await expect(
      withEnv({ ...em.env(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' }, () => getIDToken('sts.amazonaws.com'))
    ).rejects.toThrow(/401/)
    expect(em.requests.at(-1)).toMatchObject({ service: 'oidc', status: 401 })
  })

  it('AssumeRoleWithWebIdentity issues session credentials the Kinesis Analytics endpoint accepts', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const out = await assume(em, em.issueIdToken('sts.amazonaws.com'), { DurationSeconds: 900 })
    const creds = out.Credentials!
    expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(creds.SecretAccessKey).toHaveLength(40)
    expect(creds.SessionToken!.length).toBeGreaterThan(100)
    expect(creds.Expiration).toBeInstanceOf(Date)
    expect(Math.abs(creds.Expiration!.getTime() - Date.now() - 900_000)).toBeLessThan(5_000)
    expect(out.AssumedRoleUser!.Arn).toBe('arn:aws:sts::123456789012:assumed-role/flink-scaler/flink-scaler-run-42')
    expect(out.AssumedRoleUser!.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:flink-scaler-run-42$/)
    expect(out.SubjectFromWebIdentityToken).toBe('repo:acme/flink-jobs:ref:refs/heads/main')
    expect(out.Audience).toBe('sts.amazonaws.com')
    expect(out.Provider).toBe('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com')

    const session = { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! }
    await describeApp(kda(em, { credentials: session }), 'orders')
    expect(em.requests.at(-1)).toMatchObject({ status: 200, accessKeyId: creds.AccessKeyId, sessionToken: creds.SessionToken })

    em.faults.set({ operation: 'UpdateApplication', accessDenied: true })
    const denied = await rejection(kda(em, { credentials: session }).send(scale('orders', 'x', 2)), KinesisAnalyticsV2ServiceException)
    expect(denied.message).toMatch(/^User: arn:aws:sts::123456789012:assumed-role\/flink-scaler\/flink-scaler-run-42 is not authorized/)

    const noToken = await rejection(
      describeApp(kda(em, { credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey } }), 'orders'),
      KinesisAnalyticsV2ServiceException
    )
    expect(noToken.name).toBe('UnrecognizedClientException')

    const caller = await new STSClient({ endpoint: em.url, region: 'us-east-1', credentials: session }).send(new GetCallerIdentityCommand({}))
    expect(caller).toMatchObject({ Account: '123456789012', Arn: out.AssumedRoleUser!.Arn, UserId: out.AssumedRoleUser!.AssumedRoleId })
    const user = await new STSClient({ endpoint: em.url, region: 'us-east-1', credentials: STATIC }).send(new GetCallerIdentityCommand({}))
    expect(user.Arn).toBe(EMULATOR_USER_ARN)
  })

  it('a subject outside the trust policy is AccessDenied', async () => {
    const em = await emulator({ oidc: { repository: 'someone/else' }, trust: { subjectPattern: 'repo:acme/*:ref:refs/heads/main' } })
    const error = await rejection(assume(em, em.issueIdToken('sts.amazonaws.com')), STSServiceException)
    expect(error.name).toBe('AccessDenied')
    expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity')
    expect(error.$metadata.httpStatusCode).toBe(403)

    const other = await emulator({ trust: { roleArn: 'arn:aws:iam::123456789012:role/other' } })
    await rejection(assume(other, other.issueIdToken('sts.amazonaws.com')), STSServiceException)
  })

  it('wrong audience, expired, foreign or garbage tokens are refused', async () => {
    const em = await emulator()
    const aud = await rejection(assume(em, em.issueIdToken('https://github.com/acme')), InvalidIdentityTokenException)
    expect(aud.message).toBe('Incorrect token audience')
    const garbage = await rejection(assume(em, 'not-a-jwt'), InvalidIdentityTokenException)
    expect(garbage.$metadata.httpStatusCode).toBe(400)
    const [h, p] = em.issueIdToken('sts.amazonaws.com').split('.')
    await rejection(assume(em, `${h}.${p}.${Buffer.from('forged').toString('base64url')}`), InvalidIdentityTokenException)

    const expired = await emulator({ oidc: { tokenTtlSeconds: -60 } })
    const exp = await rejection(assume(expired, expired.issueIdToken('sts.amazonaws.com')), ExpiredTokenException)
    expect(exp.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/)

    const foreign = await emulator({ oidc: { issuer: 'https://issuer.example.com' } })
    const iss = await rejection(assume(foreign, foreign.issueIdToken('sts.amazonaws.com')), InvalidIdentityTokenException)
    expect(iss.message).toBe('No OpenIDConnect provider found in your account for https://issuer.example.com')
  })

  it('validates DurationSeconds and RoleArn', async () => {
    const em = await emulator()
    const token = em.issueIdToken('sts.amazonaws.com')
    for (const DurationSeconds of [899, 43201]) {
      const error = await rejection(assume(em, token, { DurationSeconds }), STSServiceException)
      expect(error.name).toBe('ValidationError')
      expect(error.message).toContain(`Value '${DurationSeconds}' at 'durationSeconds' failed to satisfy constraint`)
    }
    const tooLong = await rejection(assume(em, token, { DurationSeconds: 7200 }), STSServiceException)
    expect(tooLong.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    const arn = await rejection(assume(em, token, { RoleArn: 'arn:aws:iam::123456789012:user/someone' }), STSServiceException)
    expect(arn.message).toBe('Request ARN is invalid')

    const longer = await emulator({ trust: { maxSessionDurationSeconds: 43200 } })
    const ok = await assume(longer, longer.issueIdToken('sts.amazonaws.com'), { DurationSeconds: 43200 })
    expect(ok.Credentials!.AccessKeyId).toMatch(/^ASIA/)
  })

  it('STS faults: throttling is retried by the STS client', async () => {
    const em = await emulator()
    em.faults.set({ service: 'sts', throttle: 1 })
    const out = await assume(em, em.issueIdToken('sts.amazonaws.com'))
    expect(out.$metadata.attempts).toBe(2)
    expect(em.requests.map((r) => [r.service, r.status, r.errorType])).toEqual([
      ['sts', 400, 'Throttling'],
      ['sts', 200, undefined]
    ])
  })

  it('env() points SDK clients configured by environment alone at the emulator', async () => {
    const em = await emulator({ applications: [{ name: 'orders' }] })
    const env = em.env()
    expect(Object.keys(env).sort()).toEqual([
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'AWS_ACCESS_KEY_ID',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_ENDPOINT_URL',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY'
    ])
    expect(env.ACTIONS_ID_TOKEN_REQUEST_URL).toBe(`${em.url}/oidc/token?api-version=2.0`)
    expect(Object.keys(em.env({ credentials: false, oidc: false })).sort()).toEqual([
      'AWS_EC2_METADATA_DISABLED',
      'AWS_ENDPOINT_URL',
      'AWS_REGION'
    ])
    await withEnv(env, async () => {
      const client = new KinesisAnalyticsV2Client({})
      expect((await client.send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))).ApplicationDetail!.ApplicationName).toBe('orders')
      const token = await getIDToken('sts.amazonaws.com')
      const out = await new STSClient({}).send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'env', WebIdentityToken: token })
      )
      expect(out.AssumedRoleUser!.Arn).toContain('assumed-role/flink-scaler/env')
    })
  })
})
