/**
 * CloudWatch metrics end to end: dist/index.js run as the runner runs it with `metrics-namespace`,
 * against the emulator's PutMetricData. What CloudWatch received (names, dimensions, values, one
 * request per region), what the user sees when publishing fails (one warning, the run's exit code
 * unchanged), and that nothing is published, nor the client loaded, without the input.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { expectWith } from '../fixtures/expect-with.js'
import { EMULATOR_ROLE_ARN, type Emulator, type RecordedDatum, type SeedApplication } from '../../emulator/index.js'
import type { ActionRun } from '../../runner/run-action.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, calls, emulatorWith, errors, results, run } from './support.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

const NAMESPACE = 'FlinkScheduledScaler'
/** At WEDNESDAY_NIGHT the sample schedule asks for 10 KPU: parallelism 10 at one per KPU. */
const TARGET = 10
const arn = (region: string, name: string) => `arn:aws:kinesisanalytics:${region}:123456789012:application/${name}`
const scheduled = { schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT, region: 'us-east-1' }

const TWO_REGIONS: SeedApplication[] = [
  { name: 'orders', parallelism: 4 },
  { name: 'steady', parallelism: TARGET },
  { name: 'payments', region: 'eu-west-1', parallelism: 4, snapshotsEnabled: false },
  { name: 'batch', region: 'eu-west-1', status: 'READY', parallelism: 2 }
]
const TWO_REGION_NAMES = ['orders', 'steady', arn('eu-west-1', 'payments'), arn('eu-west-1', 'batch'), arn('eu-west-1', 'missing')].join('\n')

function cloudwatchCalls(em: Emulator) {
  return em.requests.filter((r) => r.service === 'cloudwatch')
}

function warnings(result: ActionRun): string[] {
  return result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
}

/** What CloudWatch holds for one application: metric name → value. */
function metricsOf(em: Emulator, application: string): Record<string, number | undefined> {
  return Object.fromEntries(em.metrics.filter((m) => m.dimensions.Application === application).map((m) => [m.name, m.value]))
}

describe('with metrics-namespace', () => {
  it('puts, per region, one PutMetricData with every application the run reached', async () => {
    emulator = await emulatorWith({ applications: TWO_REGIONS })
    const started = Date.now()
    const result = await run(
      emulator,
      { ...scheduled, 'application-name': TWO_REGION_NAMES, 'metrics-namespace': NAMESPACE },
      { env: { RUNNER_DEBUG: '1' } }
    )
    const finished = Date.now()

    // payments and missing fail, so the run does; the metrics say so instead of staying silent.
    expect(result.exitCode).toBe(1)
    expect(results(result).map((r) => [r.application, r.action])).toEqual([
      ['orders', 'updated'],
      ['steady', 'skipped'],
      ['payments', 'failed'],
      ['batch', 'skipped'],
      ['missing', 'failed']
    ])

    const puts = cloudwatchCalls(emulator)
    expectWith(puts.map((p) => [p.operation, p.region, p.status]), result.stdout).toEqual(
      expect.arrayContaining([
        ['PutMetricData', 'us-east-1', 200],
        ['PutMetricData', 'eu-west-1', 200]
      ])
    )
    expect(puts).toHaveLength(2)
    // Only after every application is done: the updates were followed to the end first.
    const lastFlinkCall = Math.max(...calls(emulator).map((c) => c.at))
    for (const put of puts) expect(put.at).toBeGreaterThanOrEqual(lastFlinkCall)

    // The one application updated had its snapshots counted: none before, and the one its update took.
    expect(metricsOf(emulator, 'orders')).toEqual({ Reconciled: 1, TargetParallelism: TARGET, Parallelism: TARGET, Updated: 1, Deferred: 0, Failed: 0, Snapshots: 1 })
    expect(metricsOf(emulator, 'steady')).toEqual({ Reconciled: 1, TargetParallelism: TARGET, Parallelism: TARGET, Updated: 0, Deferred: 0, Failed: 0 })
    expect(metricsOf(emulator, 'payments')).toEqual({ Reconciled: 1, TargetParallelism: TARGET, Parallelism: 4, Updated: 0, Deferred: 0, Failed: 1 })
    expect(metricsOf(emulator, 'batch')).toEqual({ Reconciled: 1, TargetParallelism: TARGET, Parallelism: 2, Updated: 0, Deferred: 0, Failed: 0 })
    // Never described: nothing is known of its parallelism, and nothing is made up.
    expect(metricsOf(emulator, 'missing')).toEqual({ Reconciled: 1, Updated: 0, Deferred: 0, Failed: 1 })

    const regionOf: Record<string, string> = { orders: 'us-east-1', steady: 'us-east-1', payments: 'eu-west-1', batch: 'eu-west-1', missing: 'eu-west-1' }
    for (const m of emulator.metrics as RecordedDatum[]) {
      const application = m.dimensions.Application!
      expect(m).toMatchObject({ namespace: NAMESPACE, region: regionOf[application], dimensions: { Application: application, Region: regionOf[application] } })
      expect(Object.keys(m.dimensions)).toEqual(['Application', 'Region'])
      expect(m.unit).toBe(m.name.endsWith('Parallelism') ? 'None' : 'Count')
      // The run's real time, not `at` (which only moves the schedule's clock).
      expect(m.timestamp.getTime()).toBeGreaterThanOrEqual(started)
      expect(m.timestamp.getTime()).toBeLessThanOrEqual(finished)
    }
    expect(emulator.metrics).toHaveLength(7 + 6 + 6 + 6 + 4)
    expect(result.stdout).toContain(`Published 29 CloudWatch metrics to namespace "${NAMESPACE}" in us-east-1, eu-west-1.`)
    // With step debug logging, one line per request attempt, as for the other clients.
    expect(result.stdout).toMatch(/^::debug::cloudwatch PutMetricData: HTTP 200 in \d+ ms \(attempt 1\)$/m)
    // The one warning is about the stopped application, not about metrics.
    expect(warnings(result)).toEqual([expect.stringMatching(/^batch is READY \(stopped\), so it was not scaled/)])
  })

  it('publishes with the session of role-to-assume, like every other call', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: TARGET }] })
    const result = await run(emulator, {
      ...scheduled,
      'application-name': 'orders',
      'role-to-assume': EMULATOR_ROLE_ARN,
      'metrics-namespace': NAMESPACE
    })
    expectWith(result.exitCode, result.stdout).toBe(0)
    const [put] = cloudwatchCalls(emulator)
    const [describe] = calls(emulator, 'DescribeApplication')
    expect(put!.accessKeyId).toMatch(/^ASIA/)
    expect(put).toMatchObject({ status: 200, accessKeyId: describe!.accessKeyId, sessionToken: describe!.sessionToken })
    expect(metricsOf(emulator, 'orders')).toMatchObject({ Reconciled: 1, Updated: 0 })
  })

  it('splits a region only past 1000 metrics: 167 applications are two requests', async () => {
    const many = Array.from({ length: 167 }, (_, i) => ({ name: `app-${String(i).padStart(3, '0')}`, parallelism: TARGET }))
    emulator = await emulatorWith({ applications: many })
    const result = await run(emulator, { ...scheduled, 'application-name': many.map((a) => a.name).join(','), 'metrics-namespace': NAMESPACE })
    expectWith(result.exitCode, result.stdout).toBe(0)
    const puts = cloudwatchCalls(emulator)
    expect(puts.map((p) => [p.status, (p.body as { MetricData: unknown[] }).MetricData.length])).toEqual([
      [200, 1000],
      [200, 2]
    ])
    expect(new Set(emulator.metrics.filter((m) => m.name === 'Reconciled').map((m) => m.dimensions.Application)).size).toBe(167)
  })
})

describe('a failure to publish is one warning, never a failed run', () => {
  it('IAM denies cloudwatch:PutMetricData: the warning names the permission and its condition key', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }] })
    emulator.faults.set({ service: 'cloudwatch', accessDenied: true })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'metrics-namespace': NAMESPACE })

    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(errors(result)).toEqual([])
    expect(result.outputs.changed).toBe('true')
    expect(emulator.application('orders').parallelism.parallelism).toBe(TARGET)
    const [warning, ...more] = warnings(result)
    expect(more).toEqual([])
    expect(warning).toContain(`CloudWatch metrics were not published to namespace "${NAMESPACE}".`)
    expect(warning).toContain('us-east-1: AccessDenied: User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: cloudwatch:PutMetricData')
    expect(warning).toContain(`Fix: Allow cloudwatch:PutMetricData (Resource "*", with the condition "cloudwatch:namespace": "${NAMESPACE}")`)
    expect(warning).toContain('Scaling itself was not affected')
    // Refused, not retried.
    expect(cloudwatchCalls(emulator)).toHaveLength(1)
    expect(emulator.metrics).toEqual([])
  })

  it('CloudWatch down: retried like every other call, then one warning; a failed run stays failed', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }, { name: 'payments', region: 'eu-west-1', parallelism: 4, snapshotsEnabled: false }] })
    emulator.faults.set({ service: 'cloudwatch', serverError: 100 })
    const result = await run(emulator, { ...scheduled, 'application-name': `orders\n${arn('eu-west-1', 'payments')}`, 'metrics-namespace': NAMESPACE })

    // payments fails on its own; the metrics failure adds a warning, not an error.
    expect(result.exitCode).toBe(1)
    expect(errors(result).map((e) => e.title)).toEqual(['payments (eu-west-1): scaling failed'])
    const [warning, ...more] = warnings(result)
    expect(more).toEqual([])
    expect(warning).toMatch(/ (us-east-1, eu-west-1|eu-west-1, us-east-1): ServiceUnavailable: Service is unavailable\. Fix: /)
    expect(warning).toContain('Fix: CloudWatch did not accept the data after 6 attempts; the next run publishes again.')
    const byRegion = (region: string) => cloudwatchCalls(emulator!).filter((c) => c.region === region).map((c) => c.status)
    expect(byRegion('us-east-1')).toEqual(Array(6).fill(503))
    expect(byRegion('eu-west-1')).toEqual(Array(6).fill(503))
  })

  it('a connection reset once is survived: the retry publishes', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: TARGET }] })
    emulator.faults.set({ service: 'cloudwatch', reset: 1 })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'metrics-namespace': NAMESPACE })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(warnings(result)).toEqual([])
    expect(cloudwatchCalls(emulator).map((c) => c.errorType ?? c.status)).toEqual(['ConnectionReset', 200])
    expect(metricsOf(emulator, 'orders')).toMatchObject({ Reconciled: 1 })
  })
})

describe('without metrics-namespace', () => {
  it('publishes nothing', async () => {
    emulator = await emulatorWith({ applications: TWO_REGIONS })
    const result = await run(emulator, { ...scheduled, 'application-name': TWO_REGION_NAMES })
    expect(results(result)).toHaveLength(5)
    expect(cloudwatchCalls(emulator)).toEqual([])
    expect(emulator.metrics).toEqual([])
    expect(result.stdout).not.toContain('CloudWatch')
  })

  it('an invalid namespace is an input error before any AWS call', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }] })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'metrics-namespace': 'AWS/KinesisAnalytics' })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toHaveLength(1)
    expect(errors(result)[0]).toMatchObject({ title: 'Invalid input: nothing was changed' })
    expect(errors(result)[0]!.message).toMatch(/^Input "metrics-namespace" \("AWS\/KinesisAnalytics"\) starts with "AWS\/".* Fix: Use a CloudWatch namespace of your own/)
    expect(emulator.requests).toEqual([])
  })
})
