/**
 * Snapshots end to end: dist/index.js run as the runner runs it against the emulator. A run that
 * updates an application counts its snapshots (every page) and says when it nears the limit, with
 * the days the schedule leaves; at the limit the update still goes ahead and manual snapshots fail;
 * prune-snapshots deletes old ones once the update is at target and keeps every protected one;
 * dry-run lists what it would delete; a deletion IAM refuses only warns; a no-op run reads nothing.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals'
import { CreateApplicationSnapshotCommand, KinesisAnalyticsV2Client, LimitExceededException } from '@aws-sdk/client-kinesis-analytics-v2'
import { expectWith } from '../fixtures/expect-with.js'
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, type Emulator, type SeedApplication, type SeedSnapshot } from '../../emulator/index.js'
import type { ActionRun } from '../../runner/run-action.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, acceptedUpdates, calls, emulatorWith, errors, eventually, results, run } from './support.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

const DAY = 86_400_000
/** At WEDNESDAY_NIGHT the sample schedule asks for 10 KPU; it changes 10 times a week (05:05 up, 18:05 down, Monday to Friday). */
const scheduled = { schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT, region: 'us-east-1' }
const below = { parallelism: 4 }

/** `n` READY snapshots named `${prefix}-000`…, one an hour apart, the newest `newestDaysAgo` old. */
function snapshots(n: number, prefix: string, newestDaysAgo: number, extra: Partial<SeedSnapshot> = {}): SeedSnapshot[] {
  const newest = Date.now() - newestDaysAgo * DAY
  return Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${String(i).padStart(3, '0')}`, createdAt: newest - (n - 1 - i) * 3_600_000, ...extra }))
}
const names = (list: { name: string }[]) => list.map((s) => s.name)

function warnings(result: ActionRun): string[] {
  return result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
}

describe('counting, and the warning before the limit', () => {
  it('an application at 80% of the default limit: counted on every page, a warning with the days left, the summary and the metric', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', ...below, snapshots: snapshots(799, 'auto', 1) }] })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'metrics-namespace': 'FlinkScheduledScaler' })

    expectWith(result.exitCode, result.stdout).toBe(0)
    // 799 found + the update's own = 800 of 1000; 200 left at 10 a week: 140 days.
    expect(results(result)).toEqual([expect.objectContaining({ application: 'orders', action: 'updated', snapshots: 800 })])
    expect(calls(emulator, 'ListApplicationSnapshots')).toHaveLength(16)
    // Read once the update had ended, its own snapshot then among them: the update was not held up.
    const [list] = calls(emulator, 'ListApplicationSnapshots')
    expect(list!.at).toBeGreaterThanOrEqual(emulator.application('orders').operations[0]!.endTime!)
    const [warning, ...others] = warnings(result)
    expect(others).toEqual([])
    expect(warning).toContain('orders (us-east-1) has 800 snapshots, 80% of its limit of 1000 (snapshot-limit).')
    expect(warning).toContain("At the schedule's 10 changes a week (each update takes one snapshot), the limit is about 140 days away")
    expect(warning).toContain('Fix: set prune-snapshots (e.g. prune-snapshots: 100)')
    expect(warning).toContain('aws kinesisanalyticsv2 delete-application-snapshot --region us-east-1 --application-name orders')
    expect(result.summary).toContain('### Snapshots')
    expect(result.summary).toContain("| orders | 800 (80%) | – | 80% of the limit of 1000: about 140 days left at the schedule's 10 changes a week |")
    expect(emulator.metrics.find((m) => m.name === 'Snapshots')).toMatchObject({ value: 800, unit: 'Count', dimensions: { Application: 'orders', Region: 'us-east-1' } })
    expect(emulator.application('orders').snapshots).toHaveLength(800)
  })

  it('at the limit: the update still goes ahead, and the warning says manual snapshots now fail, as they do', async () => {
    emulator = await emulatorWith({ snapshotLimit: 40, applications: [{ name: 'orders', ...below, snapshots: snapshots(40, 'auto', 1) }] })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'snapshot-limit': '40' })

    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(results(result)).toEqual([expect.objectContaining({ action: 'updated', snapshots: 41, targetParallelism: 10 })])
    expect(emulator.application('orders').parallelism.parallelism).toBe(10)
    expect(emulator.application('orders').snapshots).toHaveLength(41)
    expect(warnings(result)).toEqual([
      expect.stringContaining(
        'orders (us-east-1) has 41 snapshots, past its limit of 40 (snapshot-limit): manually created snapshots (CreateApplicationSnapshot: ' +
          'backup jobs, snapshots before a deployment) now fail with LimitExceededException.'
      )
    ])
    expect(result.summary).toContain('| orders | 41 (102%) | – | past its limit of 40: manually created snapshots fail |')
    // What the warning says is so: a backup job's snapshot is refused.
    const client = new KinesisAnalyticsV2Client({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
      maxAttempts: 1
    })
    await expect(client.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'nightly-backup' }))).rejects.toBeInstanceOf(
      LimitExceededException
    )
  })

  it('a list IAM refuses is a warning naming the permission; the update goes ahead, nothing counted or pruned', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', ...below, snapshots: snapshots(49, 'old', 8) }] })
    emulator.faults.set({ operation: 'ListApplicationSnapshots', accessDenied: true })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'prune-snapshots': '10' })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'updated', targetParallelism: 10 })
    expect(results(result)[0]).not.toHaveProperty('snapshots')
    expect(calls(emulator, 'DeleteApplicationSnapshot')).toEqual([])
    expect(warnings(result)).toEqual([
      expect.stringMatching(
        /^orders: its snapshots could not be counted \(ListApplicationSnapshots for "orders" in us-east-1 failed: User: .*\), so neither the limit nor prune-snapshots was looked at; the scaling is not affected\. Fix: Allow kinesisanalytics:ListApplicationSnapshots on this application/
      )
    ])
  })

  it('a run that changes nothing reads no snapshots at all', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 10, snapshots: snapshots(900, 'auto', 1) }] })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'prune-snapshots': '10' })
    expect(results(result)).toEqual([expect.not.objectContaining({ snapshots: expect.anything() })])
    expect(results(result)[0]!.action).toBe('skipped')
    expect(calls(emulator).map((c) => c.operation)).toEqual(['DescribeApplication', 'ListTagsForResource'])
    expect(warnings(result)).toEqual([])
    expect(result.summary).not.toContain('### Snapshots')
  })
})

describe('prune-snapshots: 10', () => {
  // One application per rule; each has snapshots older than 7 days to delete beside the one it protects.
  const recent = (prefix: string) => snapshots(9, prefix, 0.1)
  const FLEET: SeedApplication[] = [
    // Pruning 40 old snapshots: 9 kept (the update's own is the tenth).
    { name: 'plain', ...below, snapshots: snapshots(49, 'old', 8) },
    // The snapshot the restore configuration names, the oldest of all.
    {
      name: 'restore',
      ...below,
      applicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT',
      snapshotName: 'before-migration',
      snapshots: [{ name: 'before-migration', createdAt: Date.now() - 400 * DAY }, ...snapshots(49, 'old', 8)]
    },
    // A snapshot not READY.
    { name: 'failed', ...below, snapshots: [...snapshots(20, 'old', 30), { name: 'broken', status: 'FAILED', createdAt: Date.now() - 20 * DAY }, ...recent('new')] },
    // Snapshots younger than 7 days.
    { name: 'young', ...below, snapshots: [...snapshots(20, 'old', 30), ...snapshots(5, 'week', 2), ...recent('new')] }
    // The newest READY snapshot: below, without wait (counted before the update, when it is the one a restart falls back to).
  ]
  let result: ActionRun
  let fleet: Emulator

  beforeAll(async () => {
    fleet = await emulatorWith({ applications: FLEET })
    result = await run(fleet, { ...scheduled, 'application-name': FLEET.map((a) => a.name).join('\n'), 'prune-snapshots': '10' })
  })
  afterAll(async () => {
    await fleet.stop()
  })

  const outcome = (name: string) => results(result).find((r) => r.application === name)!
  const left = (name: string) => names(fleet.application(name).snapshots.filter((s) => s.status !== 'DELETING'))

  it('every application is scaled, the run succeeds, and only old, unprotected snapshots were deleted, oldest first, after each update was at target', () => {
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(results(result).map((r) => r.action)).toEqual(FLEET.map(() => 'updated'))
    expect(warnings(result)).toEqual([])
    const deletes = calls(fleet, 'DeleteApplicationSnapshot')
    expect(deletes.every((d) => d.status === 200)).toBe(true)
    // Each deletion came after its application's update had ended.
    for (const d of deletes) {
      const name = (d.body as { ApplicationName: string }).ApplicationName
      const [update] = fleet.application(name).operations.filter((o) => o.operation === 'UpdateApplication')
      expect(d.at).toBeGreaterThanOrEqual(update!.endTime!)
    }
  })

  it('pruning 40 old snapshots keeps the newest 9 and the update’s own', () => {
    const old = snapshots(49, 'old', 8)
    expect(outcome('plain')).toMatchObject({ snapshots: 10, deletedSnapshots: names(old.slice(0, 40)) })
    expect(left('plain')).toEqual([...names(old.slice(40)), expect.stringMatching(/^plain-1-\d+$/)])
  })

  it('keeps the snapshot the restore configuration names, however old', () => {
    expect(outcome('restore').deletedSnapshots).toEqual(names(snapshots(49, 'old', 8).slice(0, 40)))
    expect(left('restore')).toContain('before-migration')
    expect(outcome('restore').snapshots).toBe(11)
  })

  it('keeps a snapshot that is not READY', () => {
    expect(outcome('failed').deletedSnapshots).toEqual(names(snapshots(20, 'old', 30)))
    expect(left('failed')).toContain('broken')
  })

  it('keeps snapshots younger than 7 days', () => {
    expect(outcome('young').deletedSnapshots).toEqual(names(snapshots(20, 'old', 30)))
    expect(left('young')).toEqual(expect.arrayContaining(names(snapshots(5, 'week', 2))))
    expect(outcome('young').snapshots).toBe(15)
  })

  it('what the results say is what is left, and the summary lists every deletion', async () => {
    for (const app of FLEET) await eventually(() => fleet.application(app.name).snapshots.length, { timeout: 5_000 }).toBe(outcome(app.name).snapshots!)
    const deleted = results(result).flatMap((r) => r.deletedSnapshots ?? [])
    expect(deleted).toHaveLength(40 + 40 + 20 + 20)
    expect(result.summary).toContain('<summary>Deleted: 120 snapshots of 4 applications</summary>')
    for (const r of results(result)) {
      expect(result.summary).toContain(`- **${r.application}** (${r.deletedSnapshots!.length}): ${r.deletedSnapshots!.map((n) => `\`${n}\``).join(', ')}`)
    }
  })
})

describe('prune-snapshots in other runs', () => {
  it('dry-run lists what it would delete, and deletes nothing', async () => {
    const old = snapshots(49, 'old', 8)
    emulator = await emulatorWith({ applications: [{ name: 'orders', ...below, snapshots: old }] })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'prune-snapshots': '10', 'dry-run': 'true' })
    expectWith(result.exitCode, result.stdout).toBe(0)
    const [r] = results(result)
    expect(r).toMatchObject({ action: 'planned', snapshots: 10 })
    expect(r).not.toHaveProperty('deletedSnapshots')
    expect(calls(emulator, 'DeleteApplicationSnapshot')).toEqual([])
    expect(acceptedUpdates(emulator)).toEqual([])
    expect(emulator.application('orders').snapshots).toHaveLength(49)
    expect(result.summary).toContain('| Application | Snapshots | Would delete | Note |')
    expect(result.summary).toContain(`- **orders** (40): ${names(old.slice(0, 40)).map((n) => `\`${n}\``).join(', ')}`)
    expect(result.stdout).toContain(`Snapshots: 10; would delete 40: ${names(old.slice(0, 40)).join(', ')}.`)
  })

  it('a deletion IAM refuses is one warning naming the permission; the run succeeds and nothing more is tried', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', ...below, snapshots: snapshots(49, 'old', 8) }] })
    emulator.faults.set({ operation: 'DeleteApplicationSnapshot', accessDenied: true })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'prune-snapshots': '10' })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(errors(result)).toEqual([])
    const [r] = results(result)
    expect(r).toMatchObject({ action: 'updated', snapshots: 50 })
    expect(r).not.toHaveProperty('deletedSnapshots')
    expect(calls(emulator, 'DeleteApplicationSnapshot')).toHaveLength(1)
    const [warning, ...others] = warnings(result)
    expect(others).toEqual([])
    expect(warning).toContain('orders: a snapshot could not be deleted (old-000: DeleteApplicationSnapshot for "orders" in us-east-1 failed: User: ')
    expect(warning).toContain('0 of 40 deleted, 39 not tried after that refusal. The update itself is done')
    expect(warning).toContain('Fix: Allow kinesisanalytics:DeleteApplicationSnapshot on this application')
    expect(result.summary).toContain('40 of 40 could not be deleted (AccessDeniedException)')
  })

  it('without wait, snapshots are counted before each update (its own one added) and pruned once every update has been sent; the newest READY one is kept', async () => {
    emulator = await emulatorWith({
      applications: [
        { name: 'orders', ...below, snapshots: snapshots(49, 'old', 8) },
        // The newest READY snapshot, when the newer ones all failed: what a restart falls back to if the update's own fails too.
        {
          name: 'newest-ready',
          ...below,
          snapshots: [...snapshots(20, 'old', 30), { name: 'last-good', createdAt: Date.now() - 10 * DAY }, ...snapshots(9, 'failed', 0.1, { status: 'FAILED' })]
        }
      ]
    })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders\nnewest-ready', 'prune-snapshots': '10', wait: 'false' })
    expectWith(result.exitCode, result.stdout).toBe(0)
    const [orders, newestReady] = results(result)
    expect(orders).toMatchObject({ action: 'updated', snapshots: 10, deletedSnapshots: names(snapshots(49, 'old', 8).slice(0, 40)) })
    expect(newestReady).toMatchObject({ action: 'updated', snapshots: 11, deletedSnapshots: names(snapshots(20, 'old', 30)) })
    expect(names(emulator.application('newest-ready').snapshots)).toContain('last-good')
    // Counted before the updates were sent.
    const lastList = Math.max(...calls(emulator, 'ListApplicationSnapshots').map((c) => c.at))
    expect(lastList).toBeLessThanOrEqual(Math.max(...acceptedUpdates(emulator).map((c) => c.at)))
  })

  it('on an application with snapshots disabled: a warning that there is nothing to prune, and nothing read', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'stateless', ...below, snapshotsEnabled: false, snapshots: snapshots(30, 'old', 30) }] })
    const result = await run(emulator, { ...scheduled, 'application-name': 'stateless', 'prune-snapshots': '10', 'allow-stateless-restart': 'true' })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'updated' })
    expect(results(result)[0]).not.toHaveProperty('snapshots')
    expect(warnings(result)).toEqual([
      'stateless: prune-snapshots is set, but snapshots are disabled on this application: its updates take none, so there is nothing to prune. ' +
        'Snapshots taken before they were disabled stay as they are.'
    ])
    expect(calls(emulator, 'ListApplicationSnapshots')).toEqual([])
    expect(emulator.application('stateless').snapshots).toHaveLength(30)
  })
})

describe('bad input: an input error and no AWS call', () => {
  it.each([
    ['prune-snapshots', '9', 'Use a whole number of at least 10'],
    ['prune-snapshots', 'all', 'Use a whole number of at least 10'],
    ['snapshot-limit', '0', 'Use a whole number of at least 1'],
    ['snapshot-limit', '1.5k', 'Use a whole number of at least 1']
  ])('%s: %s', async (input, value, fix) => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', ...below }] })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', [input]: value })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toEqual([expect.objectContaining({ title: 'Invalid input: nothing was changed', message: expect.stringContaining(`Input "${input}" is "${value}". Fix: ${fix}`) })])
    expect(emulator.requests).toEqual([])
  })
})
