import {
  ConcurrentModificationException,
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
  type ApplicationDetail,
  type ApplicationStatus,
  type OperationStatus,
  type Tag
} from '@aws-sdk/client-kinesis-analytics-v2'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { readConfig } from '../src/github/config.js'
import { FlinkClient } from '../src/aws/flink-client.js'
import type { Outcome } from '../src/phases/outcome.js'
import { reconcile } from '../src/phases/reconcile.js'
import { actionInputs } from './fixtures/action-inputs.js'
import { DAYTIME_SCHEDULE } from './fixtures/application.js'

const sdk = mockClient(KinesisAnalyticsV2Client)

const NAME = 'orders-enricher'
const ARN = `arn:aws:kinesisanalytics:us-west-2:123456789012:application/${NAME}`
const RUN_URL = 'https://github.com/acme/flink/actions/runs/42'
const HOLD_KEYS = ['scheduled-scaler:hold-actor', 'scheduled-scaler:hold-by', 'scheduled-scaler:hold-parallelism', 'scheduled-scaler:hold-until']

// Tuesday 2026-03-10 10:00 in Los Angeles (17:00 UTC): the daytime rule asks for parallelism 8.
const SCHEDULE = DAYTIME_SCHEDULE

function application(
  options: { status?: string; parallelism?: number; perKpu?: number; snapshots?: boolean; version?: number } = {}
): ApplicationDetail {
  const { status = 'RUNNING', parallelism = 2, perKpu = 1, snapshots = true, version = 7 } = options
  return {
    ApplicationARN: ARN,
    ApplicationName: NAME,
    RuntimeEnvironment: 'FLINK-1_20',
    ApplicationStatus: status as ApplicationStatus,
    ApplicationVersionId: version,
    ConditionalToken: `token-${version}`,
    ApplicationConfigurationDescription: {
      FlinkApplicationConfigurationDescription: {
        ParallelismConfigurationDescription: {
          ConfigurationType: 'CUSTOM',
          Parallelism: parallelism,
          ParallelismPerKPU: perKpu,
          CurrentParallelism: parallelism,
          AutoScalingEnabled: false
        }
      },
      RunConfigurationDescription: { FlinkRunConfigurationDescription: { AllowNonRestoredState: true } },
      ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: snapshots }
    }
  }
}

const operation = (status: OperationStatus, extra: object = {}) => ({
  ApplicationOperationInfoDetails: {
    Operation: 'UpdateApplication',
    StartTime: new Date('2026-03-10T17:00:00Z'),
    EndTime: new Date('2026-03-10T17:01:00Z'),
    OperationStatus: status,
    ...extra
  }
})

const holdTags = (parallelism: string, until: string): Tag[] => [
  { Key: 'team', Value: 'orders' },
  { Key: 'scheduled-scaler:hold-parallelism', Value: parallelism },
  { Key: 'scheduled-scaler:hold-until', Value: until },
  { Key: 'scheduled-scaler:hold-by', Value: 'https://github.com/acme/flink/actions/runs/41' }
]

const accessDenied = () =>
  new KinesisAnalyticsV2ServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'User is not authorized to perform this action'
  })
const conflict = () => new ConcurrentModificationException({ message: 'Application version 7 is stale', $metadata: {} })

let warnings: string[]

async function run(inputs: Record<string, string> = {}): Promise<Outcome> {
  const config = await readConfig(
    actionInputs({ 'application-name': NAME, schedule: SCHEDULE, at: '2026-03-10T10:00', wait: 'false', ...inputs }),
    { AWS_REGION: 'us-west-2' },
    () => new Date('2026-03-10T17:00:00Z')
  )
  const client = new FlinkClient('us-west-2')
  const [outcome] = await reconcile({
    config,
    clientFor: () => client,
    metricReaderFor: () => Promise.reject(new Error('these runs have no guard and no autoscaled application: no metrics are read')),
    run: { url: RUN_URL, actor: 'octocat' },
    warn: (message) => warnings.push(message),
    log: () => {}
  })
  return outcome
}

const sent = {
  updates: () => sdk.commandCalls(UpdateApplicationCommand).map((call) => call.args[0].input),
  tags: () => sdk.commandCalls(TagResourceCommand).map((call) => call.args[0].input),
  untags: () => sdk.commandCalls(UntagResourceCommand).map((call) => call.args[0].input),
  /** The writes, in the order AWS received them. */
  writes: () =>
    sdk.calls().flatMap((call) => {
      const command = call.args[0]
      if (command instanceof UpdateApplicationCommand) return ['UpdateApplication']
      if (command instanceof TagResourceCommand) return ['TagResource']
      if (command instanceof UntagResourceCommand) return ['UntagResource']
      return []
    })
}
const parallelismSent = () =>
  sent.updates().map((u) => u.ApplicationConfigurationUpdate?.FlinkApplicationConfigurationUpdate?.ParallelismConfigurationUpdate?.ParallelismUpdate)

beforeEach(() => {
  warnings = []
  sdk.reset()
  sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: application() })
  sdk.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'team', Value: 'orders' }] })
  // Read before every update (the snapshot count); none here.
  sdk.on(ListApplicationSnapshotsCommand).resolves({ SnapshotSummaries: [] })
  sdk.on(UpdateApplicationCommand).resolves({
    ApplicationDetail: application({ status: 'UPDATING', parallelism: 8, version: 8 }),
    OperationId: 'op-8'
  })
  sdk.on(TagResourceCommand).resolves({})
  sdk.on(UntagResourceCommand).resolves({})
})

describe('reconcile', () => {
  it('updates to the schedule and reports before, after, rule, version and operation', async () => {
    const outcome = await run()

    expect(outcome).toMatchObject({
      application: NAME,
      region: 'us-west-2',
      action: 'updated',
      status: 'RUNNING',
      previousParallelism: 2,
      previousKpu: 2,
      targetParallelism: 8,
      targetKpu: 8,
      parallelismPerKpu: 1,
      rule: 'daytime',
      applicationVersionId: 8,
      operationId: 'op-8'
    })
    expect(outcome.reason).toMatch(/parallelism 2 .*parallelism 8/)
    expect(outcome.error).toBeUndefined()
    expect(sent.updates()).toEqual([
      {
        ApplicationName: NAME,
        ConditionalToken: 'token-7',
        ApplicationConfigurationUpdate: {
          FlinkApplicationConfigurationUpdate: {
            ParallelismConfigurationUpdate: {
              ConfigurationTypeUpdate: 'CUSTOM',
              ParallelismUpdate: 8,
              ParallelismPerKPUUpdate: 1,
              AutoScalingEnabledUpdate: false
            }
          }
        },
        RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: true } }
      }
    ])
  })

  it('a manual KPU target uses the application ParallelismPerKPU', async () => {
    sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: application({ parallelism: 2, perKpu: 2 }) })

    const outcome = await run({ kpu: '4' })

    expect(outcome).toMatchObject({
      action: 'updated',
      rule: 'manual',
      previousParallelism: 2,
      previousKpu: 1,
      targetParallelism: 8,
      targetKpu: 4,
      parallelismPerKpu: 2
    })
    expect(parallelismSent()).toEqual([8])
  })

  it('skips an application already at target, without UpdateApplication', async () => {
    sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: application({ parallelism: 8 }) })

    const outcome = await run()

    expect(outcome).toMatchObject({ action: 'skipped', rule: 'daytime', previousParallelism: 8, targetParallelism: 8 })
    expect(outcome.reason).toMatch(/already at target/i)
    expect(sent.updates()).toEqual([])
  })

  it('skips an application that is not RUNNING, naming its status', async () => {
    sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: application({ status: 'UPDATING' }) })

    const outcome = await run()

    expect(outcome).toMatchObject({ action: 'skipped', status: 'UPDATING' })
    expect(outcome.reason).toContain('UPDATING')
    expect(sent.updates()).toEqual([])
  })

  it('plans in a dry run: no UpdateApplication and no hold written', async () => {
    const outcome = await run({ 'dry-run': 'true', parallelism: '12', 'hold-until': '4h' })

    expect(outcome).toMatchObject({ action: 'planned', rule: 'manual', previousParallelism: 2, targetParallelism: 12 })
    expect(outcome.reason).toMatch(/dry run/i)
    expect(outcome.reason).toMatch(/hold parallelism 12/)
    expect(sent.updates()).toEqual([])
    expect(sent.tags()).toEqual([])
  })

  it('a dry run does not remove an expired hold either', async () => {
    sdk.on(ListTagsForResourceCommand).resolves({ Tags: holdTags('16', '2026-03-10T16:00:00Z') })

    const outcome = await run({ 'dry-run': 'true' })

    expect(outcome).toMatchObject({ action: 'planned', rule: 'daytime', targetParallelism: 8 })
    expect(outcome.reason).toMatch(/remove the hold/)
    expect(sent.untags()).toEqual([])
  })

  it('fails when snapshots are disabled, changing nothing', async () => {
    sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: application({ snapshots: false }) })

    const outcome = await run()

    expect(outcome).toMatchObject({ action: 'failed', previousParallelism: 2, targetParallelism: 8 })
    expect(outcome.error).toMatch(/snapshots are disabled/i)
    expect(outcome.hint).toContain('allow-stateless-restart')
    expect(sent.updates()).toEqual([])
  })

  it('fails with the application and region named when it does not exist', async () => {
    sdk.on(DescribeApplicationCommand).rejects(new ResourceNotFoundException({ message: 'Application orders-enricher not found', $metadata: {} }))

    const outcome = await run()

    expect(outcome).toMatchObject({ application: NAME, region: 'us-west-2', action: 'failed' })
    expect(outcome.hint).toContain(NAME)
    expect(outcome.hint).toContain('us-west-2')
  })

  describe('concurrent modification', () => {
    it('describes again and stops when someone else already reached the target', async () => {
      sdk
        .on(DescribeApplicationCommand)
        .resolvesOnce({ ApplicationDetail: application({ parallelism: 2, version: 7 }) })
        .resolves({ ApplicationDetail: application({ parallelism: 8, version: 9 }) })
      sdk.on(UpdateApplicationCommand).rejects(conflict())

      const outcome = await run()

      expect(outcome).toMatchObject({ action: 'skipped', previousParallelism: 8, targetParallelism: 8 })
      expect(outcome.reason).toMatch(/already at target/i)
      expect(sent.updates()).toHaveLength(1)
      expect(warnings.join('\n')).toContain('ConcurrentModificationException')
    })

    it('decides again with the new ConditionalToken', async () => {
      sdk
        .on(DescribeApplicationCommand)
        .resolvesOnce({ ApplicationDetail: application({ parallelism: 2, version: 7 }) })
        .resolves({ ApplicationDetail: application({ parallelism: 3, version: 8 }) })
      sdk
        .on(UpdateApplicationCommand)
        .rejectsOnce(conflict())
        .resolves({ ApplicationDetail: application({ status: 'UPDATING', parallelism: 8, version: 9 }), OperationId: 'op-9' })

      const outcome = await run()

      expect(outcome).toMatchObject({ action: 'updated', previousParallelism: 3, targetParallelism: 8, applicationVersionId: 9, operationId: 'op-9' })
      expect(sent.updates().map((u) => u.ConditionalToken)).toEqual(['token-7', 'token-8'])
    })

    it('fails after three conflicts in a row', async () => {
      sdk
        .on(UpdateApplicationCommand)
        .rejectsOnce(conflict())
        .rejectsOnce(conflict())
        .rejectsOnce(conflict())
        .resolves({ ApplicationDetail: application({ status: 'UPDATING', parallelism: 8, version: 8 }), OperationId: 'op-8' })

      const outcome = await run()

      expect(outcome.action).toBe('failed')
      expect(outcome.error).toContain('Application version 7 is stale')
      expect(outcome.hint).toMatch(/\w/)
      expect(sent.updates()).toHaveLength(3)
    })
  })

  describe('holds', () => {
    it('an active hold sets the target (rule hold)', async () => {
      sdk.on(ListTagsForResourceCommand).resolves({ Tags: holdTags('16', '2026-03-10T20:00:00Z') })

      const outcome = await run()

      expect(outcome).toMatchObject({
        action: 'updated',
        rule: 'hold',
        targetParallelism: 16,
        hold: { parallelism: 16, until: '2026-03-10T20:00:00.000Z', by: 'https://github.com/acme/flink/actions/runs/41' }
      })
      expect(parallelismSent()).toEqual([16])
      expect(sent.untags()).toEqual([])
      expect(sent.tags()).toEqual([])
    })

    it('an active hold beats a manual target given without hold-until', async () => {
      sdk.on(ListTagsForResourceCommand).resolves({ Tags: holdTags('16', '2026-03-10T20:00:00Z') })

      const outcome = await run({ parallelism: '4' })

      expect(outcome).toMatchObject({ action: 'updated', rule: 'hold', targetParallelism: 16 })
    })

    it('an expired hold is removed and the schedule applies', async () => {
      sdk.on(ListTagsForResourceCommand).resolves({ Tags: holdTags('16', '2026-03-10T16:00:00Z') })

      const outcome = await run()

      expect(outcome).toMatchObject({ action: 'updated', rule: 'daytime', targetParallelism: 8 })
      expect(outcome.hold).toBeUndefined()
      expect(parallelismSent()).toEqual([8])
      expect(sent.untags().map((u) => ({ ...u, TagKeys: [...(u.TagKeys ?? [])].sort() }))).toEqual([{ ResourceARN: ARN, TagKeys: HOLD_KEYS }])
    })

    it('a half-written hold is treated as expired and removed', async () => {
      sdk.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'scheduled-scaler:hold-parallelism', Value: 'lots' }] })

      const outcome = await run()

      expect(outcome).toMatchObject({ action: 'updated', rule: 'daytime', targetParallelism: 8 })
      expect(sent.untags()).toHaveLength(1)
    })

    it('hold-until with a manual target records the hold after the update', async () => {
      const outcome = await run({ parallelism: '12', 'hold-until': '4h' })

      expect(outcome).toMatchObject({
        action: 'updated',
        rule: 'manual',
        targetParallelism: 12,
        hold: { parallelism: 12, until: '2026-03-10T21:00:00.000Z', by: RUN_URL }
      })
      const tagged = sent.tags()
      expect(tagged).toHaveLength(1)
      expect(tagged[0].ResourceARN).toBe(ARN)
      const tags = Object.fromEntries((tagged[0].Tags ?? []).map((t) => [t.Key, t.Value]))
      expect(Object.keys(tags).sort()).toEqual(HOLD_KEYS)
      expect(tags['scheduled-scaler:hold-parallelism']).toBe('12')
      expect(tags['scheduled-scaler:hold-actor']).toBe('octocat')
      expect(new Date(tags['scheduled-scaler:hold-until']!).toISOString()).toBe('2026-03-10T21:00:00.000Z')
      expect(tags['scheduled-scaler:hold-until']).toMatch(/Z$/)
      expect(tags['scheduled-scaler:hold-by']).toBe(RUN_URL)
      expect(sent.writes()).toEqual(['UpdateApplication', 'TagResource'])
    })

    it('hold-until replaces an active hold', async () => {
      sdk.on(ListTagsForResourceCommand).resolves({ Tags: holdTags('16', '2026-03-10T20:00:00Z') })

      const outcome = await run({ parallelism: '12', 'hold-until': '4h' })

      expect(outcome).toMatchObject({ action: 'updated', rule: 'manual', targetParallelism: 12, hold: { parallelism: 12 } })
      expect(parallelismSent()).toEqual([12])
      expect(sent.tags()).toHaveLength(1)
    })

    it('hold-until on an application already at the target records the hold without an update', async () => {
      sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: application({ parallelism: 12 }) })

      const outcome = await run({ parallelism: '12', 'hold-until': '4h' })

      expect(outcome).toMatchObject({ action: 'skipped', hold: { parallelism: 12 } })
      expect(sent.updates()).toEqual([])
      expect(sent.tags()).toHaveLength(1)
    })

    it('no hold is written when the update fails', async () => {
      sdk.on(UpdateApplicationCommand).rejects(accessDenied())

      const outcome = await run({ parallelism: '12', 'hold-until': '4h' })

      expect(outcome.action).toBe('failed')
      expect(outcome.hint).toContain('kinesisanalytics:UpdateApplication')
      expect(sent.tags()).toEqual([])
    })

    it('unreadable tags: warns once and follows the schedule', async () => {
      sdk.on(ListTagsForResourceCommand).rejects(accessDenied())

      const outcome = await run()

      expect(outcome).toMatchObject({ action: 'updated', rule: 'daytime', targetParallelism: 8 })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('kinesisanalytics:ListTagsForResource')
    })

    it('release-hold removes an active hold and the schedule applies', async () => {
      sdk.on(ListTagsForResourceCommand).resolves({ Tags: holdTags('16', '2026-03-10T20:00:00Z') })

      const outcome = await run({ 'release-hold': 'true' })

      expect(outcome).toMatchObject({ action: 'updated', rule: 'daytime', targetParallelism: 8 })
      expect(outcome.hold).toBeUndefined()
      expect(parallelismSent()).toEqual([8])
      expect(sent.untags().map((u) => [...(u.TagKeys ?? [])].sort())).toEqual([HOLD_KEYS])
    })

    it('release-hold on an application already at the schedule target still removes the hold', async () => {
      sdk.on(DescribeApplicationCommand).resolves({ ApplicationDetail: application({ parallelism: 8 }) })
      sdk.on(ListTagsForResourceCommand).resolves({ Tags: holdTags('16', '2026-03-10T20:00:00Z') })

      const outcome = await run({ 'release-hold': 'true' })

      expect(outcome).toMatchObject({ action: 'skipped', rule: 'daytime' })
      expect(sent.untags()).toHaveLength(1)
    })
  })

  describe('with wait', () => {
    beforeEach(() => {
      jest.useFakeTimers()
    })
    afterEach(() => {
      jest.useRealTimers()
    })

    it('follows the operation to RUNNING at the target', async () => {
      sdk
        .on(DescribeApplicationCommand)
        .resolvesOnce({ ApplicationDetail: application({ parallelism: 2 }) })
        .resolves({ ApplicationDetail: application({ parallelism: 8, version: 8 }) })
      sdk
        .on(DescribeApplicationOperationCommand)
        .resolvesOnce(operation('IN_PROGRESS'))
        .resolves(operation('SUCCESSFUL'))

      const pending = run({ wait: 'true' })
      await jest.runAllTimersAsync()
      const outcome = await pending

      expect(outcome).toMatchObject({ action: 'updated', targetParallelism: 8, operationId: 'op-8' })
    })

    it("a failed operation fails the application with the service's text, the update having been accepted", async () => {
      sdk.on(DescribeApplicationOperationCommand).resolves(
        operation('FAILED', {
          OperationFailureDetails: { ErrorInfo: { ErrorString: 'Job failed to start: insufficient task slots' }, RollbackOperationId: 'op-9' }
        })
      )

      const pending = run({ wait: 'true' })
      await jest.runAllTimersAsync()
      const outcome = await pending

      expect(outcome).toMatchObject({ action: 'failed', updateAccepted: true, operationId: 'op-8', targetParallelism: 8 })
      expect(outcome.error).toContain('Job failed to start: insufficient task slots')
      expect(outcome.reason).toMatch(/accepted/)
    })
  })
})
