/**
 * The emulator's synthesised history (emulator/history.ts) as GetMetricData answers it, read through
 * the real @aws-sdk/client-cloudwatch: weeks of hourly KPUs (with the orchestration KPU, once an
 * hour) and containerCPUUtilization (Maximum, p90 as a nearest rank of every container's minutes),
 * stopped hours without data, the parallelism a job ran at, and CloudWatch's retention and period
 * rules for older data. Every answer is checked against the model's output shape.
 */
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from '@jest/globals'
import { DateTime } from 'luxon'
import {
  CloudWatchClient,
  GetMetricDataCommand,
  PutMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
  type MetricDataResult
} from '@aws-sdk/client-cloudwatch'
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_SECRET_ACCESS_KEY,
  GET_METRIC_DATA_OUTPUT,
  loadCurves,
  shapeProblems,
  startEmulator,
  type Emulator,
  type EmulatorOptions
} from '../emulator/index.js'
import { expectWith } from './fixtures/expect-with.js'

process.env.AWS_EC2_METADATA_DISABLED = 'true'

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000
const LA = 'America/Los_Angeles'
const running: Emulator[] = []
const answers: { status: number; body: string }[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
  for (const answer of answers.splice(0).filter((a) => a.status === 200)) {
    expectWith(shapeProblems(GET_METRIC_DATA_OUTPUT, JSON.parse(answer.body)), answer.body.slice(0, 300)).toEqual([])
  }
})

async function emulator(options: EmulatorOptions): Promise<Emulator> {
  const em = await startEmulator({ updateDurationMs: 200, ...options })
  running.push(em)
  return em
}

/** A CloudWatch client of the emulator that keeps every GetMetricData answer as sent on the wire. */
function cloudwatch(em: Emulator): CloudWatchClient {
  const client = new CloudWatchClient({
    endpoint: em.url,
    region: 'us-east-1',
    credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
    maxAttempts: 1
  })
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args)
      if (context.commandName !== 'GetMetricDataCommand') return result
      const response = result.response as { statusCode: number; body: AsyncIterable<Buffer> }
      const chunks: Buffer[] = []
      for await (const chunk of response.body) chunks.push(Buffer.from(chunk))
      const body = Buffer.concat(chunks)
      answers.push({ status: response.statusCode, body: body.toString('utf8') })
      response.body = Readable.from([body])
      return result
    },
    { step: 'deserialize', priority: 'low', name: 'testCaptureAnswers' }
  )
  return client
}

const query = (id: string, application: string, metric: string, stat: string, period = 3600): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'AWS/KinesisAnalytics', MetricName: metric, Dimensions: [{ Name: 'Application', Value: application }] }, Period: period, Stat: stat }
})

/** Every page of one request, merged by query Id. */
async function read(client: CloudWatchClient, input: Omit<GetMetricDataCommandInput, 'NextToken'>): Promise<Record<string, { at: number[]; values: number[] }>> {
  const merged: Record<string, { at: number[]; values: number[] }> = {}
  let token: string | undefined
  do {
    const page = await client.send(new GetMetricDataCommand({ ScanBy: 'TimestampAscending', ...input, ...(token ? { NextToken: token } : {}) }))
    for (const result of page.MetricDataResults as MetricDataResult[]) {
      const entry = (merged[result.Id!] ??= { at: [], values: [] })
      entry.at.push(...result.Timestamps!.map((t) => t.getTime()))
      entry.values.push(...result.Values!)
    }
    token = page.NextToken
  } while (token)
  return merged
}

/** The last `days` whole days of whole hours before now. */
function lookBack(days: number): { StartTime: Date; EndTime: Date } {
  const end = Math.floor(Date.now() / HOUR) * HOUR
  return { StartTime: new Date(end - days * DAY), EndTime: new Date(end) }
}

/**
 * Weekdays 08-18 in Los Angeles 7 KPU-equivalents of work, Saturday 01-05 a batch of 9.5, every
 * other hour 1.5: on 20 KPUs, 35%, 47.5% and 7.5% CPU.
 */
const businessWeek = loadCurves.weekly({ zone: LA, load: (day, hour) => (day <= 5 && hour >= 8 && hour < 18 ? 7 : day === 6 && hour >= 1 && hour < 5 ? 9.5 : 1.5) })
const localOf = (t: number) => DateTime.fromMillis(t, { zone: LA })

describe('a synthesised history, as GetMetricData answers it', () => {
  it('four weeks of hours: KPUs with the orchestration KPU, the CPU Maximum and p90 of every container, from the curve', async () => {
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 20, history: { curve: businessWeek, days: 29 } }] })
    const series = await read(cloudwatch(em), {
      ...lookBack(28),
      MetricDataQueries: [
        query('kpus', 'orders', 'KPUs', 'Average'),
        query('max', 'orders', 'containerCPUUtilization', 'Maximum'),
        query('p90', 'orders', 'containerCPUUtilization', 'p90'),
        query('containers', 'orders', 'containerCPUUtilization', 'SampleCount'),
        query('average', 'orders', 'cpuUtilization', 'Average')
      ]
    })
    const { StartTime } = lookBack(28)
    const hours = Array.from({ length: 28 * 24 }, (_, i) => StartTime.getTime() + i * HOUR)
    for (const id of ['kpus', 'max', 'p90', 'containers', 'average']) expect(series[id].at).toEqual(hours)
    // 20 KPUs ran the job, and the service counts one more that orchestrates it.
    expect(new Set(series.kpus.values)).toEqual(new Set([21]))
    // One container per KPU, a minute each: 1,200 values an hour.
    expect(new Set(series.containers.values)).toEqual(new Set([1200]))
    const at = (kind: 'day' | 'night' | 'batch') =>
      hours.findIndex((t) => {
        const local = localOf(t)
        return kind === 'day' ? local.weekday === 3 && local.hour === 9 : kind === 'batch' ? local.weekday === 6 && local.hour === 2 : local.weekday === 3 && local.hour === 2
      })
    // Containers spread 6 points around the job's average; the p90 of 20 containers × 60 minutes is
    // the 1,080th value: the 18th container's, 2.37 points above the average.
    expect(series.max.values[at('day')]).toBe(38)
    expect(series.p90.values[at('day')]).toBe(37.37)
    expect(series.average.values[at('day')]).toBe(35)
    expect(series.max.values[at('batch')]).toBe(50.5)
    expect(series.p90.values[at('batch')]).toBe(49.87)
    expect(series.max.values[at('night')]).toBe(10.5)
    expect(series.p90.values[at('night')]).toBe(9.87)
    // Every weekday hour from 08 to 18 is the busy one, in Los Angeles time, across a daylight-saving change or not.
    hours.forEach((t, i) => {
      const local = localOf(t)
      const busy = local.weekday <= 5 && local.hour >= 8 && local.hour < 18
      expectWith(series.max.values[i] === 38, local.toISO()!).toBe(busy)
    })
  })

  it('KPUs once an hour, CPU every minute it ran: minute periods over the last days show the grain', async () => {
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 8, parallelismPerKpu: 2, history: { curve: loadCurves.constant(1), days: 2 } }] })
    const end = Math.floor(Date.now() / HOUR) * HOUR
    const series = await read(cloudwatch(em), {
      StartTime: new Date(end - 3 * HOUR),
      EndTime: new Date(end),
      MetricDataQueries: [query('kpus', 'orders', 'KPUs', 'SampleCount', 60), query('cpu', 'orders', 'containerCPUUtilization', 'SampleCount', 60)]
    })
    expect(series.kpus.at).toEqual([end - 3 * HOUR, end - 2 * HOUR, end - HOUR])
    expect(series.kpus.values).toEqual([1, 1, 1])
    // Parallelism 8 at 2 per KPU: 4 KPUs, 4 containers a minute.
    expect(series.cpu.at).toHaveLength(180)
    expect(new Set(series.cpu.values)).toEqual(new Set([4]))
  })

  it('hours when the application was stopped have no data, and the KPUs follow the parallelism it ran at', async () => {
    const now = Date.now()
    const stoppedFrom = Math.floor((now - 3 * DAY) / HOUR) * HOUR
    const parallelism = (t: number) => (t >= stoppedFrom && t < stoppedFrom + DAY ? 0 : localOf(t).hour < 12 ? 4 : 10)
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 10, history: { curve: loadCurves.constant(2), days: 8, parallelism } }] })
    const series = await read(cloudwatch(em), {
      ...lookBack(7),
      MetricDataQueries: [query('kpus', 'orders', 'KPUs', 'Average'), query('max', 'orders', 'containerCPUUtilization', 'Maximum')]
    })
    expect(series.kpus.at).toHaveLength(7 * 24 - 24)
    expect(series.kpus.at.some((t) => t >= stoppedFrom && t < stoppedFrom + DAY)).toBe(false)
    expect(series.max.at).toEqual(series.kpus.at)
    series.kpus.at.forEach((t, i) => {
      const morning = localOf(t).hour < 12
      expectWith([series.kpus.values[i], series.max.values[i]], new Date(t).toISOString()).toEqual(morning ? [5, 53] : [11, 23])
    })
  })

  it('keeps hourly data for 455 days, and older data only at periods of an hour', async () => {
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 2, history: { curve: loadCurves.constant(1), days: 500 } }] })
    const end = Math.floor(Date.now() / HOUR) * HOUR
    const client = cloudwatch(em)
    const old = await read(client, { StartTime: new Date(end - 470 * DAY), EndTime: new Date(end - 440 * DAY), MetricDataQueries: [query('kpus', 'orders', 'KPUs', 'Average')] })
    expect(old.kpus.at.length).toBeGreaterThan(14 * 24)
    expect(old.kpus.at.length).toBeLessThanOrEqual(15 * 24 + 1)
    expect(Math.min(...old.kpus.at)).toBeGreaterThanOrEqual(Date.now() - 455 * DAY)
    const fiveMinutes = await read(client, { StartTime: new Date(end - 70 * DAY), EndTime: new Date(end - 69 * DAY), MetricDataQueries: [query('cpu', 'orders', 'containerCPUUtilization', 'Maximum', 300)] })
    expect(fiveMinutes.cpu.at).toEqual([])
    // Between 15 and 63 days back, five minutes is the finest period: one point each, of 5 minutes × 2 containers.
    const month = await read(client, {
      StartTime: new Date(end - 30 * DAY),
      EndTime: new Date(end - 30 * DAY + HOUR),
      MetricDataQueries: [query('n', 'orders', 'containerCPUUtilization', 'SampleCount', 300), query('minute', 'orders', 'containerCPUUtilization', 'SampleCount', 60)]
    })
    expect(month.n.values).toEqual(Array(12).fill(10))
    expect(month.minute.values).toEqual([])
  })

  it('ends where the load simulation starts: the live minutes follow the synthesised hours', async () => {
    const now = Date.now()
    const em = await emulator({
      applications: [{ name: 'orders', parallelism: 10, history: { curve: loadCurves.constant(3), days: 8 }, load: { curve: loadCurves.constant(3), since: now - 30 * MINUTE } }]
    })
    const series = await read(cloudwatch(em), {
      StartTime: new Date(now - 2 * HOUR),
      EndTime: new Date(now),
      MetricDataQueries: [query('cpu', 'orders', 'cpuUtilization', 'SampleCount', 60), query('kpus', 'orders', 'KPUs', 'Maximum', 60)]
    })
    // Every minute, from the history and then from the simulation, once.
    expect(series.cpu.at.length).toBeGreaterThanOrEqual(118)
    expect(new Set(series.cpu.values)).toEqual(new Set([1]))
    expect(series.cpu.at.every((t, i) => i === 0 || t - series.cpu.at[i - 1] === MINUTE)).toBe(true)
    expect(new Set(series.kpus.values)).toEqual(new Set([11]))
  })

  it('gives no percentile of a metric with a negative value, as CloudWatch does', async () => {
    const em = await emulator({ applications: [] })
    const client = cloudwatch(em)
    const at = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE)
    const metric = (name: string) => ({ Namespace: 'Custom', MetricName: name, Dimensions: [{ Name: 'Application', Value: 'orders' }] })
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'Custom',
        MetricData: [
          { MetricName: 'lag', Dimensions: metric('lag').Dimensions, Values: [-1, 5, 7], Timestamp: at },
          { MetricName: 'load', Dimensions: metric('load').Dimensions, Values: [1, 5, 7, 9], Timestamp: at }
        ]
      })
    )
    const out = await read(client, {
      StartTime: new Date(at.getTime() - MINUTE),
      EndTime: new Date(at.getTime() + MINUTE),
      MetricDataQueries: [
        { Id: 'lag', MetricStat: { Metric: metric('lag'), Period: 60, Stat: 'p90' } },
        { Id: 'lagmax', MetricStat: { Metric: metric('lag'), Period: 60, Stat: 'Maximum' } },
        { Id: 'load', MetricStat: { Metric: metric('load'), Period: 60, Stat: 'p50' } }
      ]
    })
    expect(out.lag.values).toEqual([])
    expect(out.lagmax.values).toEqual([7])
    expect(out.load.values).toEqual([5])
  })
})
