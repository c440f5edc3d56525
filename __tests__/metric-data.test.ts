/**
 * The batched GetMetricData reader (src/aws/metric-data.ts): how queries become requests (500
 * queries, 100,800 data points), and the real client against the emulator: pages followed and
 * merged, series in the order asked, errors that say what to do.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { batches, datapoints, MAX_DATAPOINTS, MAX_QUERIES, MetricDataReader, type MetricQuery } from '../src/aws/metric-data.js'
import { ScalerError } from '../src/errors.js'
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, loadCurves, startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.js'

const MINUTE = 60_000
const NOW = Date.UTC(2026, 11, 2, 18, 7, 30)
const range = (minutes: number, end = NOW) => ({ start: new Date(end - minutes * MINUTE), end: new Date(end) })

describe('batches: the queries as requests', () => {
  const q = (periodSeconds = 60) => ({ periodSeconds })

  it('counts the data points CloudWatch would return: one a period from the start rounded down to the minute', () => {
    expect(datapoints(60, range(15), NOW)).toBe(16)
    expect(datapoints(60, { start: new Date(NOW - 15 * MINUTE - 30_000), end: new Date(NOW) }, NOW)).toBe(16)
    expect(datapoints(300, range(60), NOW)).toBe(13)
    expect(datapoints(3600, range(28 * 24 * 60), NOW)).toBe(28 * 24 + 1)
  })

  it('puts up to 500 queries in a request', () => {
    expect(batches(Array.from({ length: 300 }, () => q()), range(15)).map((b) => b.length)).toEqual([300])
    expect(batches(Array.from({ length: 1200 }, () => q()), range(15)).map((b) => b.length)).toEqual([MAX_QUERIES, MAX_QUERIES, 200])
  })

  it('and no more data points than 100,800 in a request', () => {
    // 3 hours at one a minute: 181 points a query, so 500 queries fit (90,500).
    expect(batches(Array.from({ length: 500 }, () => q()), range(180)).map((b) => b.length)).toEqual([500])
    // A week at one a minute: 10,081 points, 9 queries a request.
    const week = batches(Array.from({ length: 20 }, () => q()), range(7 * 24 * 60))
    expect(week.map((b) => b.length)).toEqual([9, 9, 2])
    for (const b of week) expect(b.length * datapoints(60, range(7 * 24 * 60))).toBeLessThanOrEqual(MAX_DATAPOINTS)
  })

  it('a query too large alone goes in a request of its own; none is ever dropped', () => {
    const huge = batches([q(), q(60), q()], range(50 * 24 * 60))
    expect(huge.map((b) => b.length)).toEqual([1, 1, 1])
    expect(batches([], range(15))).toEqual([])
  })
})

const running: Emulator[] = []
const readers: MetricDataReader[] = []
const savedEnv = { ...process.env }
afterEach(async () => {
  for (const r of readers.splice(0)) r.destroy()
  // The SDK finds the emulator through the environment, as the action does; put it back.
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
  await Promise.all(running.splice(0).map((e) => e.stop()))
})

async function setup(options: EmulatorOptions = {}) {
  const em = await startEmulator({ updateDurationMs: 200, ...options })
  running.push(em)
  Object.assign(process.env, em.env(), { AWS_ACCESS_KEY_ID: EMULATOR_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: EMULATOR_SECRET_ACCESS_KEY })
  const reader = new MetricDataReader('us-east-1')
  readers.push(reader)
  return { em, reader }
}

const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `app-${i}`, parallelism: 4, load: { curve: loadCurves.constant(1 + (i % 3)), since: Date.now() - 20 * MINUTE } }))
const kda = (application: string, metric: string): MetricQuery => ({ namespace: 'AWS/KinesisAnalytics', metric, dimensions: { Application: application }, stat: 'Maximum', periodSeconds: 60 })
const lastMinutes = (minutes: number) => ({ start: new Date(Date.now() - minutes * MINUTE), end: new Date() })
const getMetricData = (em: Emulator) => em.requests.filter((r) => r.service === 'cloudwatch' && r.operation === 'GetMetricData')

describe('MetricDataReader against the emulator', () => {
  it('reads many applications in one request, each series in the order asked, oldest first', async () => {
    const { em, reader } = await setup({ applications: fleet(150) })
    const queries = fleet(150).flatMap((a) => [kda(a.name, 'containerCPUUtilization'), kda(a.name, 'millisBehindLatest'), kda(a.name, 'KPUs')])
    const series = await reader.read(queries, lastMinutes(15))
    expect(getMetricData(em)).toHaveLength(1)
    expect(reader.requests).toBe(1)
    expect(series).toHaveLength(450)
    // app-1 has 2 KPU-equivalents on 4 KPUs: 50%, its busiest container 3 points more; every one caught up; 5 KPUs billed.
    expect(series.filter((_, i) => i % 3 === 1).every((s) => s.points.every((p) => p.value === 0))).toBe(true)
    expect(series[3].points.map((p) => p.value).every((v) => v === 53)).toBe(true)
    expect(series[5].points.map((p) => p.value).every((v) => v === 5)).toBe(true)
    for (const s of series) {
      expect(s.status).toBe('Complete')
      expect(s.points).toHaveLength(15)
      const times = s.points.map((p) => p.at.getTime())
      expect(times).toEqual([...times].sort((a, b) => a - b))
    }
  })

  it('splits past 500 queries: one request more, still one series a query', async () => {
    const { em, reader } = await setup({ applications: fleet(200) })
    const queries = fleet(200).flatMap((a) => [kda(a.name, 'containerCPUUtilization'), kda(a.name, 'millisBehindLatest'), kda(a.name, 'KPUs')])
    const series = await reader.read(queries, lastMinutes(15))
    expect(getMetricData(em).map((r) => (r.body as { MetricDataQueries: unknown[] }).MetricDataQueries.length)).toEqual([500, 100])
    expect(series[599].points).toHaveLength(15)
    expect(series[599].points.every((p) => p.value === 5)).toBe(true)
  })

  it('follows every page and merges each query across them', async () => {
    const { em, reader } = await setup({ applications: fleet(3), metricDataPageSize: 7 })
    const queries = fleet(3).map((a) => kda(a.name, 'containerCPUUtilization'))
    const series = await reader.read(queries, lastMinutes(15))
    expect(getMetricData(em)).toHaveLength(Math.ceil(45 / 7))
    expect(getMetricData(em).slice(1).every((r) => typeof (r.body as { NextToken?: string }).NextToken === 'string')).toBe(true)
    expect(series.map((s) => [s.status, s.points.length])).toEqual([
      ['Complete', 15],
      ['Complete', 15],
      ['Complete', 15]
    ])
  })

  it('a refusal is a ScalerError that names the operation, the region, the answer, and the IAM permission to allow', async () => {
    const { em, reader } = await setup({ applications: fleet(1) })
    em.faults.set({ service: 'cloudwatch', operation: 'GetMetricData', accessDenied: true })
    const error = await reader.read([kda('app-0', 'KPUs')], lastMinutes(15)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScalerError)
    expect((error as ScalerError).message).toMatch(/^CloudWatch GetMetricData in us-east-1 failed \(AccessDenied: User: .* is not authorized to perform: cloudwatch:GetMetricData/)
    expect((error as ScalerError).hint).toContain('Allow cloudwatch:GetMetricData')
    expect((error as ScalerError).hint).toContain('Resource is "*"')
  })

  it('rides out throttling and a server error, as the other clients do', async () => {
    const { em, reader } = await setup({ applications: fleet(1) })
    em.faults.set({ service: 'cloudwatch', operation: 'GetMetricData', throttle: 2 })
    em.faults.set({ service: 'cloudwatch', operation: 'GetMetricData', serverError: 1 })
    const [series] = await reader.read([kda('app-0', 'KPUs')], lastMinutes(15))
    expect(series.points).toHaveLength(15)
    expect(getMetricData(em).map((r) => r.status)).toEqual([503, 400, 400, 200])
  })
})
