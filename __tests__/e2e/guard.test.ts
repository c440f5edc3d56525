/**
 * Scaling down safely, end to end: the bundle against the emulator's jobs under load. "Scale down
 * at 18:05, but not while the job is more than a minute behind or would run over 70% CPU, and never
 * wait more than two hours": a busy evening deferred and applied once caught up, an idle job at
 * once, at-most, metrics denied or missing, the service's autoscaler never undercut, Kafka's
 * records lag, 100 applications in one CloudWatch request, and no CloudWatch call when nothing is
 * pending.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { loadCurves, type Emulator, type SeedApplication } from '../../emulator/index.js'
import type { ActionRun } from '../../runner/run-action.js'
import { expectWith } from '../fixtures/expect-with.js'
import { SAMPLE_SCHEDULE, acceptedUpdates, emulatorWith, errors, results, run } from './support.js'

const MINUTE = 60_000
const GUARDED = `${SAMPLE_SCHEDULE}guard:\n  lag: 60s\n  cpu: 70%\n  at-most: 2h\n`
/** Wednesday evening in Los Angeles: the 18:05 change asks for 10 KPU; the wait ends at 20:05 at the latest. */
const EVENING = '2026-12-02T18:10:00-08:00'
const WAIT_ENDS = new Date('2026-12-02T20:05:00-08:00').toISOString()

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

/** A job at parallelism 20 (20 KPU) busy with `busy` KPU-equivalents for the last 20 minutes, until `until` ms from now, then at `idle`. */
function job(name: string, busy: number, { until = 2 * MINUTE, idle = 2, ...seed }: Partial<SeedApplication> & { until?: number; idle?: number } = {}): SeedApplication {
  const now = Date.now()
  return { name, parallelism: 20, ...seed, load: { curve: loadCurves.steps(busy, [[now + until, idle]]), since: now - 20 * MINUTE, ...seed.load } }
}

const inputs = (names: string, extra: Record<string, string> = {}) => ({ schedule: GUARDED, at: EVENING, region: 'us-east-1', 'application-name': names, ...extra })
const metricReads = (em: Emulator) => em.requests.filter((r) => r.service === 'cloudwatch' && r.operation === 'GetMetricData')
const warnings = (result: ActionRun) => result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
const byName = (result: ActionRun) => Object.fromEntries(results(result).map((r) => [r.application, r]))

describe('a guarded evening', () => {
  it('the busy job waits and the idle one scales down; once caught up, the busy one scales down too', async () => {
    emulator = await emulatorWith({ applications: [job('orders', 30), job('clicks', 2)] })
    const first = await run(emulator, inputs('orders\nclicks', { 'metrics-namespace': 'FlinkScheduledScaler' }), { env: { RUNNER_DEBUG: '1' } })

    expectWith(first.exitCode, first.stdout).toBe(0)
    expect(errors(first)).toEqual([])
    const { orders, clicks } = byName(first)
    expect(orders).toMatchObject({ action: 'deferred', previousParallelism: 20, targetParallelism: 10, rule: 'default', deferral: { until: WAIT_ENDS } })
    // Behind and catching up flat out: the lag and the CPU it would need at 10 both break their limits.
    expect(orders.deferral!.waitsFor).toEqual([
      { metric: 'millisBehindLatest', value: expect.any(Number), limit: 60_000 },
      { metric: 'containerCPUUtilization', measured: 100, value: 200, limit: 70 }
    ])
    expect(orders.deferral!.waitsFor[0].value).toBeGreaterThan(5 * MINUTE)
    expect(orders.reason).toMatch(
      /^Scaling down \(parallelism 20 → 10\) for the default waits: millisBehindLatest reached \d+m\d*s? \(limit 1m\) and containerCPUUtilization peaked at 100%, 200% at the smaller size \(limit 70%\) over the last 15m\. /
    )
    expect(orders.reason).toContain('it goes ahead at Wed 20:05 PST at the latest (2h after the Wed 18:05 PST change)')
    expect(clicks).toMatchObject({ action: 'updated', targetParallelism: 10 })
    expect(clicks.reason).toContain('The guard passed: millisBehindLatest at most 0s (limit 1m) and containerCPUUtilization at most 13%, 26% at the smaller size (limit 70%), over the last 15m.')
    // One CloudWatch read for both, before any update; only clicks was updated.
    expect(metricReads(emulator)).toHaveLength(1)
    expect((metricReads(emulator)[0].body as { MetricDataQueries: unknown[] }).MetricDataQueries).toHaveLength(4)
    expect(acceptedUpdates(emulator).map((u) => (u.body as { ApplicationName: string }).ApplicationName)).toEqual(['clicks'])
    expect(emulator.application('orders').parallelism.parallelism).toBe(20)
    expect(first.outputs.changed).toBe('true')
    // Not a failure: no error, the headline, its own group in the summary, the log, the metric.
    expect(first.summary).toContain('Scaled clicks 20 → 10 KPU for the default; deferred orders 20 → 10 KPU (waits for millisBehindLatest and containerCPUUtilization)')
    expect(first.summary).toMatch(/### Deferred: scale-downs that wait\n\n\| Application \| Runs at \| Target \| Waits for \| Now \| Limit \| Goes ahead at the latest \|/)
    expect(first.summary).toMatch(
      /\| millisBehindLatest<br>containerCPUUtilization \| \d+m\d*s?<br>100% \(200% at the target\) \| below 1m<br>below 70% \| Wed 2026-12-02 20:05 PST \(2026-12-03 04:05 UTC\) \|/
    )
    expect(first.summary.indexOf('### Deferred')).toBeLessThan(first.summary.indexOf('| [clicks]'))
    expect(first.stdout).toContain('::group::orders (us-east-1): deferred 20 → 10 KPU')
    expect(first.stdout).toMatch(/Waits for millisBehindLatest: \d+m\d*s? now, limit 1m; goes ahead at 2026-12-03T04:05:00.000Z at the latest\./)
    expect(first.stdout).toMatch(/^::debug::guard: 4 metrics of 2 applications read in us-east-1 with 1 GetMetricData requests$/m)
    expect(first.stdout).toMatch(/^::debug::cloudwatch GetMetricData: HTTP 200 in \d+ ms \(attempt 1\)$/m)
    const deferred = (application: string) => emulator!.metrics.find((m) => m.name === 'Deferred' && m.dimensions.Application === application)?.value
    expect([deferred('orders'), deferred('clicks')]).toEqual([1, 0])

    // Forty minutes later the backlog has drained: the next run scales orders down.
    emulator.advance(40 * MINUTE)
    expect(emulator.application('orders').load!.lagMs).toBe(0)
    const later = await run(emulator, inputs('orders\nclicks', { at: '2026-12-02T18:50:00-08:00' }))
    expectWith(later.exitCode, later.stdout).toBe(0)
    expect(byName(later).orders).toMatchObject({ action: 'updated', targetParallelism: 10 })
    expect(byName(later).orders.reason).toContain('The guard passed: millisBehindLatest at most 0s (limit 1m)')
    expect(byName(later).clicks).toMatchObject({ action: 'skipped' })
    expect(warnings(later)).toEqual([])
    expect(emulator.application('orders').parallelism.parallelism).toBe(10)
  })

  it('once at-most has passed, the scale-down goes ahead with a warning that says what the metrics still showed', async () => {
    emulator = await emulatorWith({ applications: [job('orders', 30)] })
    const result = await run(emulator, inputs('orders', { at: '2026-12-02T20:10:00-08:00' }))
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(byName(result).orders).toMatchObject({ action: 'updated', targetParallelism: 10 })
    const [warning, ...more] = warnings(result)
    expect(more).toEqual([])
    expect(warning).toMatch(
      /^orders: the default \(parallelism 20 → 10\) goes ahead after waiting 2h \(at-most\) since the Wed 18:05 PST change, although millisBehindLatest reached \d+m\d*s? \(limit 1m\) and containerCPUUtilization peaked at 100%, 200% at the smaller size \(limit 70%\) over the last 15m\.$/
    )
    // The reason (results, the summary's Why, the log) says it went ahead past a failed check, with every metric's value and limit.
    const past =
      /It goes ahead after waiting 2h \(at-most\) since the Wed 18:05 PST change, although the guard's check failed\. The guard's metrics, over the last 15m: millisBehindLatest failing \(reached \d+m\d*s?; limit 1m\) and containerCPUUtilization failing \(peaked at 100%, 200% at the smaller size; limit 70%\)\./
    expect(byName(result).orders.reason).toMatch(past)
    expect(result.summary).toMatch(past)
    expect(result.stdout).toMatch(past)
  })

  it('a scale-down in steps counts at-most from the first step: 20 → 15 at 18:00, → 12 at 18:50, all waiting until 19:00', async () => {
    const steps =
      'timezone: UTC\ndefault: { parallelism: 10 }\nguard: { cpu: 70%, at-most: 1h }\nrules:\n' +
      '  - { name: day, from: "08:00", to: "18:00", parallelism: 20 }\n  - { name: step1, from: "18:00", to: "18:50", parallelism: 15 }\n  - { name: step2, from: "18:50", to: "19:40", parallelism: 12 }\n'
    emulator = await emulatorWith({ applications: [job('orders', 30)] })
    const second = await run(emulator, inputs('orders', { schedule: steps, at: '2026-12-02T18:55:00Z' }))
    expect(byName(second).orders).toMatchObject({ action: 'deferred', rule: 'step2', targetParallelism: 12, deferral: { until: '2026-12-02T19:00:00.000Z' } })
    expect(byName(second).orders.reason).toContain('it goes ahead at Wed 19:00 UTC at the latest (1h after the Wed 18:00 UTC change)')
    const third = await run(emulator, inputs('orders', { schedule: steps, at: '2026-12-02T19:45:00Z' }))
    expect(byName(third).orders).toMatchObject({ action: 'updated', targetParallelism: 10 })
    expect(warnings(third)).toEqual([expect.stringContaining('goes ahead after waiting 1h (at-most) since the Wed 18:00 UTC change, although containerCPUUtilization peaked at 100%')])
  })

  it('a dry run shows the deferral too, and changes nothing', async () => {
    emulator = await emulatorWith({ applications: [job('orders', 30), job('clicks', 2)] })
    const result = await run(emulator, inputs('orders\nclicks', { 'dry-run': 'true' }))
    expect(results(result).map((r) => [r.application, r.action])).toEqual([
      ['orders', 'deferred'],
      ['clicks', 'planned']
    ])
    expect(acceptedUpdates(emulator)).toEqual([])
  })

  it('a run with no scale-down pending makes no CloudWatch call', async () => {
    emulator = await emulatorWith({ applications: [job('orders', 30, { parallelism: 10 })] })
    const morning = await run(emulator, inputs('orders', { at: '2026-12-02T09:00:00-08:00' }))
    expect(byName(morning).orders).toMatchObject({ action: 'updated', targetParallelism: 20 })
    const again = await run(emulator, inputs('orders', { at: '2026-12-02T09:00:00-08:00' }))
    expect(byName(again).orders).toMatchObject({ action: 'skipped' })
    expect(emulator.requests.filter((r) => r.service === 'cloudwatch')).toEqual([])
  })
})

describe('metrics that cannot be read never block', () => {
  it('IAM denies GetMetricData: one warning with the fix, and the scale-downs go ahead', async () => {
    emulator = await emulatorWith({ applications: [job('orders', 30), job('clicks', 2)] })
    emulator.faults.set({ service: 'cloudwatch', operation: 'GetMetricData', accessDenied: true })
    const result = await run(emulator, inputs('orders\nclicks'))
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(results(result).map((r) => [r.application, r.action])).toEqual([
      ['orders', 'updated'],
      ['clicks', 'updated']
    ])
    expect(warnings(result)).toEqual([
      expect.stringMatching(
        /^The guard could not read metrics: CloudWatch GetMetricData in us-east-1 failed \(AccessDenied: User: .* is not authorized to perform: cloudwatch:GetMetricData.*\)\. Of its 2 scale-downs there, orders and clicks went ahead unchecked\. Fix: Allow cloudwatch:GetMetricData in the IAM policy of the role the action runs as; it cannot be scoped to a resource, so its Resource is "\*" \(docs\/iam\.md\)\.$/
      )
    ])
    // Refused, not retried.
    expect(metricReads(emulator)).toHaveLength(1)
  })

  it('an application that publishes no such metric: one warning naming what was missing', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'quiet', parallelism: 20 }, job('kafka', 2, { load: { curve: loadCurves.constant(2), source: 'kafka' } })] })
    const result = await run(emulator, inputs('quiet\nkafka'))
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(results(result).map((r) => r.action)).toEqual(['updated', 'updated'])
    expect(warnings(result).sort()).toEqual([
      'The guard found no data points of millisBehindLatest and containerCPUUtilization over the last 15m for quiet, so its scale-down went ahead without that check. ' +
        'CloudWatch has none when the application does not publish the metric (a source of the other kind, a lower metrics level) or while it restarts; millisBehindLatest -1 (not known yet) counts as none.',
      'The guard found no data points of millisBehindLatest over the last 15m for kafka, so its scale-down went ahead without that check. ' +
        'CloudWatch has none when the application does not publish the metric (a source of the other kind, a lower metrics level) or while it restarts; millisBehindLatest -1 (not known yet) counts as none.'
    ])
  })

  it('millisBehindLatest -1 (not known yet, just after a start) is missing, not caught up', async () => {
    // The emulated clock 10 s past a minute, the job started 30 s before it: its one published minute says -1.
    emulator = await emulatorWith({})
    emulator.advance((70_000 - (emulator.clock.now() % MINUTE)) % MINUTE)
    const minute = Math.floor(emulator.clock.now() / MINUTE) * MINUTE
    emulator.addApplication({ name: 'fresh', parallelism: 20, load: { curve: loadCurves.constant(2), since: minute - 30_000 } })
    expect(emulator.application('fresh').load!.samples.map((s) => s.millisBehindLatest)).toEqual([-1])
    const result = await run(emulator, inputs('fresh', { schedule: `${SAMPLE_SCHEDULE}guard: { lag: 60s, over: 1m }\n` }))
    expect(byName(result).fresh).toMatchObject({ action: 'updated' })
    expect(warnings(result)).toEqual([expect.stringContaining('The guard found no data points of millisBehindLatest over the last 1m for fresh')])
  })
})

describe('Kafka sources: records-lag', () => {
  it('waits while records_lag_max is over its limit; an idle Kafka job scales down', async () => {
    const kafka = (name: string, busy: number): SeedApplication => job(name, busy, { load: { curve: loadCurves.steps(busy, [[Date.now() + 2 * MINUTE, 2]]), source: 'kafka', since: Date.now() - 20 * MINUTE } })
    emulator = await emulatorWith({ applications: [kafka('ingest', 30), kafka('audit', 2)] })
    const result = await run(emulator, inputs('ingest\naudit', { schedule: `${SAMPLE_SCHEDULE}guard: { lag: 60s, records-lag: 100000 }\n` }))
    expectWith(result.exitCode, result.stdout).toBe(0)
    const { ingest, audit } = byName(result)
    expect(ingest).toMatchObject({ action: 'deferred', deferral: { waitsFor: [{ metric: 'records_lag_max', limit: 100_000 }] } })
    expect(ingest.deferral!.waitsFor[0].value).toBeGreaterThan(1_000_000)
    expect(ingest.reason).toMatch(/records_lag_max reached \d+ records \(limit 100000 records\) over the last 15m/)
    expect(audit).toMatchObject({ action: 'updated' })
    // The lags are alternatives: a Kafka job without millisBehindLatest is not warned about it.
    expect(warnings(result)).toEqual([])
  })
})

describe('the service autoscaler is never undercut', () => {
  /** Floor 20 (the daytime target), 17 KPU-equivalents of work: the simulated autoscaler doubled it to 40. */
  const autoscaled = () => ({ name: 'orders', parallelism: 20, autoScalingEnabled: true, load: { curve: loadCurves.constant(17), since: Date.now() - 25 * MINUTE } })

  it('without a guard: the scale-down to the evening floor waits, with no CloudWatch call', async () => {
    emulator = await emulatorWith({ applications: [autoscaled()] })
    expect(emulator.application('orders').parallelism).toMatchObject({ parallelism: 20, currentParallelism: 40 })
    const result = await run(emulator, inputs('orders', { schedule: SAMPLE_SCHEDULE }))
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(byName(result).orders).toMatchObject({
      action: 'deferred',
      currentParallelism: 40,
      deferral: { waitsFor: [{ metric: 'CurrentParallelism', value: 40, limit: 10 }], until: WAIT_ENDS }
    })
    expect(byName(result).orders.reason).toContain("the service's autoscaler runs it at parallelism 40 (its floor is 20); restarting it at 10 cuts 30 parallel tasks the service added for load")
    expect(result.summary).toMatch(/\| the service's autoscaler \| parallelism 40 \| restart at 10 cuts it \|/)
    // The headline and the log tell it from what the job runs at (40), the capacity the restart would cut, not from its floor.
    expect(result.summary).toContain("Deferred orders 40 → 10 KPU (waits for the service's autoscaler)")
    expect(result.stdout).toContain('::group::orders (us-east-1): deferred 40 → 10 KPU')
    expect(emulator.requests.filter((r) => r.service === 'cloudwatch')).toEqual([])
    expect(acceptedUpdates(emulator)).toEqual([])
  })

  it("with a guard: the CPU projected onto the floor decides (17 on 10 would be 170%)", async () => {
    emulator = await emulatorWith({ applications: [autoscaled()] })
    const result = await run(emulator, inputs('orders'))
    expect(byName(result).orders).toMatchObject({ action: 'deferred', deferral: { waitsFor: [{ metric: 'containerCPUUtilization', limit: 70 }] } })
    expect(byName(result).orders.deferral!.waitsFor[0].value).toBeGreaterThan(160)
  })

  it('a manual target is applied, with a warning that says what it cuts', async () => {
    emulator = await emulatorWith({ applications: [autoscaled()] })
    const result = await run(emulator, inputs('orders', { schedule: SAMPLE_SCHEDULE, parallelism: '10' }))
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(byName(result).orders).toMatchObject({ action: 'updated', rule: 'manual', targetParallelism: 10 })
    expect(warnings(result)).toEqual([
      "orders: the manual target (parallelism 40 → 10) was applied because a person asked for it, although the service's autoscaler runs it at parallelism 40 (its floor is 20); restarting it at 10 cuts 30 parallel tasks the service added for load."
    ])
  })

  it('a manual target in a dry run: it would be applied, and the reason says what it would go ahead past', async () => {
    emulator = await emulatorWith({ applications: [autoscaled()] })
    const result = await run(emulator, inputs('orders', { schedule: SAMPLE_SCHEDULE, parallelism: '10', 'dry-run': 'true' }))
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(byName(result).orders).toMatchObject({ action: 'planned', rule: 'manual', targetParallelism: 10 })
    expect(warnings(result)).toEqual([
      "orders: the manual target (parallelism 40 → 10) would be applied because a person asked for it, although the service's autoscaler runs it at parallelism 40 (its floor is 20); restarting it at 10 cuts 30 parallel tasks the service added for load."
    ])
    expect(byName(result).orders.reason).toContain("A person asked for it, so it would go ahead although it cuts 30 parallel tasks the service's autoscaler added for load.")
    expect(acceptedUpdates(emulator)).toEqual([])
  })

  it('an application in AUTOSCALING is skipped', async () => {
    emulator = await emulatorWith({ autoscaleDurationMs: 10 * MINUTE, applications: [{ ...autoscaled(), load: { curve: loadCurves.constant(17), since: Date.now() - 16 * MINUTE } }] })
    expect(emulator.application('orders').status).toBe('AUTOSCALING')
    const result = await run(emulator, inputs('orders'))
    expect(byName(result).orders).toMatchObject({ action: 'skipped', status: 'AUTOSCALING' })
    expect(emulator.requests.filter((r) => r.service === 'cloudwatch')).toEqual([])
  })
})

describe('fleets', () => {
  it('100 applications with the guard: one GetMetricData request for all of them', async () => {
    const fleet = Array.from({ length: 100 }, (_, i) => job(`app-${String(i).padStart(3, '0')}`, i % 10 === 0 ? 30 : 2))
    emulator = await emulatorWith({ applications: fleet })
    const result = await run(emulator, inputs(fleet.map((a) => a.name).join('\n')))
    expectWith(result.exitCode, result.stdout).toBe(0)
    const actions = results(result).map((r) => r.action)
    expect(actions.filter((a) => a === 'deferred')).toHaveLength(10)
    expect(actions.filter((a) => a === 'updated')).toHaveLength(90)
    expect(metricReads(emulator)).toHaveLength(1)
    expect((metricReads(emulator)[0].body as { MetricDataQueries: unknown[] }).MetricDataQueries).toHaveLength(200)
    expect(result.summary).toContain('Scaled 90 applications (20 → 10 KPU: 90); deferred 10 scale-downs')
    expect(result.summary).toContain('### Deferred: scale-downs that wait (10)')
  })
})

describe('check-only and the preview', () => {
  it('say which changes the guard watches', async () => {
    emulator = await emulatorWith({})
    const result = await run(emulator, { 'check-only': 'true', schedule: GUARDED, at: '2026-12-02T12:00:00-08:00' }, { envOptions: { credentials: false, oidc: false } })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(result.stdout).toContain(
      "A guard watches the schedule's scale-downs: it waits while millisBehindLatest is at or above 1m or containerCPUUtilization at or above 70% at the smaller size (the maximum over the last 15m), for at most 2h after the change. " +
        'In the next 7 days: 2026-12-03T02:05:00.000Z (10 KPU, the default)'
    )
    expect(result.summary).toContain('A guard watches every scale-down (marked 🛡️ below): it waits while millisBehindLatest is at or above 1m or containerCPUUtilization at or above 70% at the smaller size (the maximum over the last 15m), for at most 2h after the change.')
    expect(result.summary).toMatch(/\| Wed 2026-12-02 18:05 PST \| Thu 2026-12-03 02:05 UTC \| 10 KPU 🛡️ \| default \|/)
    expect(result.summary).toMatch(/\| Thu 2026-12-03 05:05 PST \| Thu 2026-12-03 13:05 UTC \| 20 KPU \| weekday-daytime \|/)
    expect(emulator.requests).toEqual([])
  })
})
