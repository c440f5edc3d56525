/**
 * The emulator's load simulation and GetMetricData: a job under its load curve (CPU, a lag that
 * grows and drains, records_lag_max, KPUs once a minute), the service's autoscaler, the clock run
 * ahead, and GetMetricData answered as CloudWatch answers it, read through the real
 * @aws-sdk/client-cloudwatch. Every answer is checked against the model's output shape.
 */
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CloudWatchClient,
  GetMetricDataCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  PutMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
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
import { JobLoad } from '../emulator/load.js'
import { expectWith } from './fixtures/expect-with.js'

process.env.AWS_EC2_METADATA_DISABLED = 'true'

const MINUTE = 60_000
const running: Emulator[] = []
/** Every GetMetricData answer of the emulator, as sent on the wire. */
const answers: { status: number; body: string }[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
  // Every answer, whatever the test asked, is what the model says GetMetricData returns.
  for (const answer of answers.splice(0).filter((a) => a.status === 200)) {
    expectWith(shapeProblems(GET_METRIC_DATA_OUTPUT, JSON.parse(answer.body)), answer.body.slice(0, 300)).toEqual([])
  }
})

async function emulator(options: EmulatorOptions): Promise<Emulator> {
  const em = await startEmulator({ updateDurationMs: 200, ...options })
  running.push(em)
  return em
}

function cloudwatch(em: Emulator, region = 'us-east-1'): CloudWatchClient {
  const client = new CloudWatchClient({
    endpoint: em.url,
    region,
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

const query = (id: string, application: string, metric: string, stat = 'Maximum', period = 60, extra: Partial<MetricDataQuery> = {}): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'AWS/KinesisAnalytics', MetricName: metric, Dimensions: [{ Name: 'Application', Value: application }] }, Period: period, Stat: stat },
  ...extra
})

function lastMinutes(minutes: number, now = Date.now()): Pick<GetMetricDataCommandInput, 'StartTime' | 'EndTime'> {
  return { StartTime: new Date(now - minutes * MINUTE), EndTime: new Date(now) }
}

function get(client: CloudWatchClient, input: Partial<GetMetricDataCommandInput>): Promise<GetMetricDataCommandOutput> {
  return client.send(new GetMetricDataCommand({ ...lastMinutes(15), ...input } as GetMetricDataCommandInput))
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

describe('a job under its load (load.ts)', () => {
  const start = Date.UTC(2026, 11, 2, 18, 0)

  it('keeps up below its capacity: CPU is load ÷ KPUs, no lag, KPUs once a minute with the orchestration KPU', () => {
    const job = new JobLoad({ curve: loadCurves.constant(4), start })
    while (job.t < start + 5 * MINUTE) job.advance(start + 5 * MINUTE, { running: true, kpus: 10, billedKpus: 11 })
    expect(job.samples.map((s) => s.t)).toEqual([0, 1, 2, 3, 4].map((m) => start + m * MINUTE))
    const last = job.samples.at(-1)!
    expect(last).toMatchObject({ cpuUtilization: 40, millisBehindLatest: 0, KPUs: 11 })
    // One value per container, a few points apart around the job's average.
    expect(last.containerCPUUtilization).toHaveLength(10)
    expect(Math.max(...last.containerCPUUtilization!)).toBe(43)
    expect(Math.min(...last.containerCPUUtilization!)).toBe(37)
  })

  it('falls behind while load exceeds capacity, then drains: busy until T, then idle', () => {
    const busyUntil = start + 20 * MINUTE
    const job = new JobLoad({ curve: loadCurves.steps(15, [[busyUntil, 1]]), start })
    const run = (until: number) => {
      while (job.t < until) job.advance(until, { running: true, kpus: 10 })
    }
    run(busyUntil)
    // 20 minutes of data at 15 KPU-equivalents, done at 10: a third of it is left, 6m40s of it.
    expect(job.lagMs).toBeGreaterThan(6 * MINUTE + 30_000)
    expect(job.lagMs).toBeLessThan(7 * MINUTE)
    const busy = job.samples.at(-1)!
    expect(busy.cpuUtilization).toBe(100)
    // It catches up: 6m40s of dense data at 10/15 of a second each second, then the idle data fast.
    run(busyUntil + 10 * MINUTE)
    expect(job.lagMs).toBeGreaterThan(2 * MINUTE)
    run(busyUntil + 15 * MINUTE)
    expect(job.lagMs).toBe(0)
    const lags = job.samples.map((s) => s.millisBehindLatest!)
    const peak = lags.indexOf(Math.max(...lags))
    expect(lags.slice(0, peak + 1)).toEqual([...lags.slice(0, peak + 1)].sort((a, b) => a - b))
    expect(lags.at(-1)).toBe(0)
    expect(job.samples.at(-1)!.cpuUtilization).toBe(10)
  })

  it('a job that is down works through nothing: its lag grows and its metrics stop, but for KPUs', () => {
    const job = new JobLoad({ curve: loadCurves.constant(2), start })
    while (job.t < start + 3 * MINUTE) job.advance(start + 3 * MINUTE, { running: false, kpus: 4, billedKpus: 5 })
    expect(job.lagMs).toBe(3 * MINUTE)
    expect(job.samples.at(-1)).toEqual({ t: start + 2 * MINUTE, KPUs: 5 })
  })

  it('reports millisBehindLatest -1 in the minute the job starts, not knowing yet', () => {
    const job = new JobLoad({ curve: loadCurves.constant(2), start })
    while (job.t < start + 2 * MINUTE) job.advance(start + 2 * MINUTE, { running: true, kpus: 4, startedAt: start + 10_000 })
    expect(job.samples.map((s) => s.millisBehindLatest)).toEqual([-1, 0])
  })

  it('a Kafka source reports records_lag_max, not millisBehindLatest', () => {
    const job = new JobLoad({ curve: loadCurves.constant(6), source: 'kafka', recordsPerKpuSecond: 100, start })
    while (job.t < start + MINUTE) job.advance(start + MINUTE, { running: true, kpus: 4 })
    // 2 KPU-equivalents a second more than it does, for 60 s, at 100 records each.
    expect(job.samples).toEqual([expect.objectContaining({ records_lag_max: 12_000 })])
    expect(job.samples[0]).not.toHaveProperty('millisBehindLatest')
  })

  it('a daily curve follows the local hours of its zone, weekends apart', () => {
    const curve = loadCurves.daily({ zone: 'America/Los_Angeles', weekdays: Array.from({ length: 24 }, (_, h) => h), weekends: Array(24).fill(1) })
    expect(curve(Date.parse('2026-12-02T09:00:00-08:00'))).toBe(9)
    expect(curve(Date.parse('2026-12-02T09:30:00-08:00'))).toBe(9.5)
    expect(curve(Date.parse('2026-12-05T09:30:00-08:00'))).toBe(1)
  })
})

describe('the service autoscaler, simulated', () => {
  it('doubles CurrentParallelism after 15 minutes at 75% CPU or more, showing AUTOSCALING while it restarts', async () => {
    const em = await emulator({
      autoscaleDurationMs: 5 * MINUTE,
      applications: [{ name: 'orders', parallelism: 20, autoScalingEnabled: true, load: { curve: loadCurves.constant(17), since: Date.now() - 14 * MINUTE } }]
    })
    // 85% for 14 minutes: not yet.
    expect(em.application('orders')).toMatchObject({ status: 'RUNNING', parallelism: { parallelism: 20, currentParallelism: 20 } })
    em.advance(2 * MINUTE)
    expect(em.application('orders')).toMatchObject({ status: 'AUTOSCALING', parallelism: { parallelism: 20, currentParallelism: 20 } })
    em.advance(5 * MINUTE)
    // The configured Parallelism stays the floor; the service runs it at twice that.
    expect(em.application('orders')).toMatchObject({ status: 'RUNNING', parallelism: { parallelism: 20, currentParallelism: 40 } })
    // The restart left a backlog, worked off at 100%; then 17 KPU-equivalents on 40 KPUs.
    em.advance(10 * MINUTE)
    expect(em.application('orders').load!.samples.at(-1)!.cpuUtilization).toBe(42.5)
  })

  it('halves it after 6 hours under 10%, never below the configured floor', async () => {
    const em = await emulator({
      applications: [{ name: 'idle', parallelism: 4, currentParallelism: 16, autoScalingEnabled: true, load: { curve: loadCurves.constant(0.5) } }]
    })
    em.advance(6 * 60 * MINUTE + 2 * MINUTE)
    expect(em.application('idle').parallelism.currentParallelism).toBe(8)
    em.advance(3 * 6 * 60 * MINUTE)
    expect(em.application('idle').parallelism.currentParallelism).toBe(4)
  })

  it('leaves an application without autoscaling alone, however busy', async () => {
    const em = await emulator({ applications: [{ name: 'fixed', parallelism: 4, load: { curve: loadCurves.constant(8) } }] })
    em.advance(60 * MINUTE)
    expect(em.application('fixed')).toMatchObject({ status: 'RUNNING', parallelism: { currentParallelism: 4 } })
    expect(em.application('fixed').load!.lagMs).toBeGreaterThan(29 * MINUTE)
  })

  it('an update restarts the job at the configured parallelism: capacity the autoscaler added is gone', async () => {
    const em = await emulator({
      applications: [{ name: 'orders', parallelism: 20, autoScalingEnabled: true, load: { curve: loadCurves.constant(17), since: Date.now() - 20 * MINUTE } }]
    })
    expect(em.application('orders').parallelism.currentParallelism).toBe(40)
    const detail = em.application('orders').detail as { ConditionalToken: string }
    const { KinesisAnalyticsV2Client, UpdateApplicationCommand } = await import('@aws-sdk/client-kinesis-analytics-v2')
    const kda = new KinesisAnalyticsV2Client({ endpoint: em.url, region: 'us-east-1', credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY } })
    await kda.send(
      new UpdateApplicationCommand({
        ApplicationName: 'orders',
        ConditionalToken: detail.ConditionalToken,
        ApplicationConfigurationUpdate: { FlinkApplicationConfigurationUpdate: { ParallelismConfigurationUpdate: { ConfigurationTypeUpdate: 'CUSTOM', ParallelismUpdate: 10 } } }
      })
    )
    em.advance(MINUTE)
    expect(em.application('orders').parallelism).toMatchObject({ parallelism: 10, currentParallelism: 10 })
    // 17 KPU-equivalents on 10 KPUs: behind at once.
    em.advance(5 * MINUTE)
    expect(em.application('orders').load!.lagMs).toBeGreaterThan(MINUTE)
    kda.destroy()
  })
})

describe('GetMetricData', () => {
  /** Busy at 12 KPU-equivalents on 10 KPUs from 30 until 15 minutes ago, idle since: caught up some minutes later. */
  async function busyThenIdle(extra: EmulatorOptions = {}) {
    const now = Date.now()
    return emulator({
      ...extra,
      applications: [
        { name: 'orders', parallelism: 10, load: { curve: loadCurves.steps(12, [[now - 15 * MINUTE, 1]]), since: now - 30 * MINUTE } },
        { name: 'payments', region: 'eu-west-1', parallelism: 4, load: { curve: loadCurves.constant(2), source: 'kafka', since: now - 30 * MINUTE } },
        { name: 'quiet', parallelism: 2 }
      ]
    })
  }

  it('answers each query with the statistic per period, published a minute at a time', async () => {
    const em = await busyThenIdle()
    const client = cloudwatch(em)
    const out = await get(client, {
      MetricDataQueries: [
        query('cpumax', 'orders', 'containerCPUUtilization'),
        query('cpuavg', 'orders', 'containerCPUUtilization', 'Average'),
        query('containers', 'orders', 'containerCPUUtilization', 'SampleCount'),
        query('lag', 'orders', 'millisBehindLatest'),
        query('kpus', 'orders', 'KPUs', 'Maximum', 300),
        query('none', 'quiet', 'containerCPUUtilization')
      ],
      ScanBy: 'TimestampAscending'
    })
    const byId: Record<string, MetricDataResult> = Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id, r]))
    expect(out.MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Label])).toEqual([
      ['cpumax', 'Complete', 'containerCPUUtilization'],
      ['cpuavg', 'Complete', 'containerCPUUtilization'],
      ['containers', 'Complete', 'containerCPUUtilization'],
      ['lag', 'Complete', 'millisBehindLatest'],
      ['kpus', 'Complete', 'KPUs'],
      ['none', 'Complete', 'containerCPUUtilization']
    ])
    // 15 one-minute points, the newest a minute old at most: a minute is read once it is over.
    const times = byId.cpumax.Timestamps!.map((t) => t.getTime())
    expect(times).toHaveLength(15)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(Date.now() - times.at(-1)!).toBeLessThan(2 * MINUTE)
    expect(times.every((t) => t % MINUTE === 0)).toBe(true)
    // One sample per container: the maximum is the busiest container, above the average.
    expect(byId.containers.Values!.every((v) => v === 10)).toBe(true)
    byId.cpumax.Values!.forEach((max, i) => expect(max).toBeGreaterThan(byId.cpuavg.Values![i]))
    // Busy (100%) fifteen minutes ago, caught up and idle (10%) by now.
    expect(byId.cpumax.Values![0]).toBe(100)
    expect(byId.cpuavg.Values!.at(-1)).toBe(10)
    expect(Math.max(...byId.lag.Values!)).toBeGreaterThan(MINUTE)
    expect(byId.lag.Values!.at(-1)).toBe(0)
    expect(byId.kpus.Values!.every((v) => v === 11)).toBe(true)
    expect(byId.kpus.Values!.length).toBeGreaterThanOrEqual(3)
    expect(byId.none.Values).toEqual([])
  })

  it('newest first unless asked otherwise; a unit that does not match gives no data', async () => {
    const em = await busyThenIdle()
    const out = await get(cloudwatch(em), {
      MetricDataQueries: [query('lag', 'orders', 'millisBehindLatest'), { ...query('pct', 'orders', 'millisBehindLatest'), MetricStat: { ...query('pct', 'orders', 'millisBehindLatest').MetricStat!, Unit: 'Percent' } }]
    })
    const times = out.MetricDataResults![0].Timestamps!.map((t) => t.getTime())
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(out.MetricDataResults![1].Values).toEqual([])
  })

  it('a Kafka application publishes records_lag_max in its region, and no millisBehindLatest', async () => {
    const em = await busyThenIdle()
    const out = await get(cloudwatch(em, 'eu-west-1'), {
      MetricDataQueries: [query('records', 'payments', 'records_lag_max'), query('lag', 'payments', 'millisBehindLatest')]
    })
    expect(out.MetricDataResults![0].Values!.length).toBe(15)
    expect(out.MetricDataResults![1].Values).toEqual([])
    // Its metrics are in eu-west-1 only.
    const elsewhere = await get(cloudwatch(em, 'us-east-1'), { MetricDataQueries: [query('records', 'payments', 'records_lag_max')] })
    expect(elsewhere.MetricDataResults![0].Values).toEqual([])
  })

  it('pages with NextToken: every page lists every query, PartialData until each is done, and the pages add up', async () => {
    const em = await busyThenIdle()
    const client = cloudwatch(em)
    const queries = [query('a', 'orders', 'containerCPUUtilization'), query('b', 'orders', 'millisBehindLatest'), query('c', 'orders', 'KPUs')]
    const range = lastMinutes(30)
    const whole = await get(client, { ...range, MetricDataQueries: queries })
    const merged: Record<string, number[]> = { a: [], b: [], c: [] }
    const pages: GetMetricDataCommandOutput[] = []
    let token: string | undefined
    do {
      const page = await get(client, { ...range, MetricDataQueries: queries, MaxDatapoints: 20, ...(token ? { NextToken: token } : {}) })
      pages.push(page)
      for (const r of page.MetricDataResults!) merged[r.Id!].push(...r.Values!)
      token = page.NextToken
    } while (token)
    expect(pages.length).toBe(Math.ceil((30 * 3) / 20))
    expect(pages[0].MetricDataResults!.map((r) => [r.Id, r.StatusCode, r.Values!.length])).toEqual([
      ['a', 'PartialData', 20],
      ['b', 'PartialData', 0],
      ['c', 'PartialData', 0]
    ])
    expect(pages.at(-1)!.MetricDataResults!.every((r) => r.StatusCode === 'Complete')).toBe(true)
    for (const r of whole.MetricDataResults!) expect(merged[r.Id!]).toEqual(r.Values)
  })

  it('refuses a NextToken from another request', async () => {
    const em = await busyThenIdle()
    const client = cloudwatch(em)
    const range = lastMinutes(30)
    const first = await get(client, { ...range, MetricDataQueries: [query('a', 'orders', 'KPUs')], MaxDatapoints: 5 })
    expect(first.NextToken).toBeDefined()
    const error = await rejection(get(client, { ...range, MetricDataQueries: [query('a', 'orders', 'KPUs', 'Average')], NextToken: first.NextToken }), Error)
    expect((error as { name: string }).name).toBe('InvalidNextToken')
  })

  it('answers 500 queries in one request, and says so past 500', async () => {
    const em = await busyThenIdle()
    const client = cloudwatch(em)
    const many = (n: number) => Array.from({ length: n }, (_, i) => query(`q${i}`, 'orders', 'KPUs'))
    const full = await get(client, { MetricDataQueries: many(500) })
    expect(full.MetricDataResults).toHaveLength(500)
    expect(full.Messages).toEqual([])
    const over = await get(client, { MetricDataQueries: many(501) })
    expect(over.MetricDataResults).toHaveLength(500)
    expect(over.Messages).toEqual([{ Code: 'MaxMetricsExceeded', Value: 'Maximum number of allowed metrics exceeded' }])
  })

  it.each<[string, Partial<GetMetricDataCommandInput>, new (...args: never[]) => Error, string]>([
    ['an Id that starts with a capital', { MetricDataQueries: [query('Lag', 'orders', 'millisBehindLatest')] }, InvalidParameterValueException, 'MetricDataQueries.member.1.Id'],
    ['twice the same Id', { MetricDataQueries: [query('a', 'orders', 'KPUs'), query('a', 'orders', 'KPUs')] }, InvalidParameterValueException, 'is not unique'],
    ['a period of 90 s', { MetricDataQueries: [query('a', 'orders', 'KPUs', 'Maximum', 90)] }, InvalidParameterValueException, 'Period must be 1, 5, 10, 30, or a multiple of 60'],
    ['an unknown statistic', { MetricDataQueries: [query('a', 'orders', 'KPUs', 'Maxx')] }, InvalidParameterValueException, 'Maxx'],
    ['a start after the end', { StartTime: new Date(Date.now()), EndTime: new Date(Date.now() - MINUTE), MetricDataQueries: [query('a', 'orders', 'KPUs')] }, InvalidParameterValueException, 'StartTime must be less than'],
    ['neither a metric nor an expression', { MetricDataQueries: [{ Id: 'a' }] }, MissingRequiredParameterException, 'MetricStat or'],
    ['both a metric and an expression', { MetricDataQueries: [{ ...query('a', 'orders', 'KPUs'), Expression: 'a * 2' }] }, InvalidParameterCombinationException, 'mutually exclusive'],
    ['metric math', { MetricDataQueries: [query('a', 'orders', 'KPUs'), { Id: 'b', Expression: 'a * 2' }] }, InvalidParameterValueException, 'no metric math']
  ])('refuses %s, as the model and the documentation say', async (_what, input, cls, text) => {
    const em = await busyThenIdle()
    const error = await rejection(get(cloudwatch(em), input), cls)
    expect(error.message).toContain(text)
  })

  it('reads what PutMetricData recorded, with its dimensions matched exactly', async () => {
    const em = await busyThenIdle()
    const client = cloudwatch(em)
    const at = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE)
    const dimensions = [
      { Name: 'Application', Value: 'orders' },
      { Name: 'Region', Value: 'us-east-1' }
    ]
    await client.send(new PutMetricDataCommand({ Namespace: 'FlinkScheduledScaler', MetricData: [1, 0, 1].map((v) => ({ MetricName: 'Deferred', Dimensions: dimensions, Value: v, Timestamp: at })) }))
    const out = await get(client, {
      MetricDataQueries: [
        { Id: 'sum', MetricStat: { Metric: { Namespace: 'FlinkScheduledScaler', MetricName: 'Deferred', Dimensions: dimensions }, Period: 60, Stat: 'Sum' } },
        { Id: 'partial', MetricStat: { Metric: { Namespace: 'FlinkScheduledScaler', MetricName: 'Deferred', Dimensions: dimensions.slice(0, 1) }, Period: 60, Stat: 'Sum' } }
      ]
    })
    expect(out.MetricDataResults![0]).toMatchObject({ Timestamps: [at], Values: [2] })
    expect(out.MetricDataResults![1].Values).toEqual([])
  })

  it('after the clock was run ahead, the last minutes are the last the application lived', async () => {
    const now = Date.now()
    const em = await emulator({ applications: [{ name: 'orders', parallelism: 10, load: { curve: loadCurves.steps(30, [[now + 10 * MINUTE, 1]]), since: now - 15 * MINUTE } }] })
    const client = cloudwatch(em)
    const lag = async () => Math.max(...(await get(client, { MetricDataQueries: [query('lag', 'orders', 'millisBehindLatest')] })).MetricDataResults![0].Values!)
    const busy = await lag()
    expect(busy).toBeGreaterThan(5 * MINUTE)
    em.advance(3 * 60 * MINUTE)
    expect(await lag()).toBe(0)
    expect(em.application('orders').load!.lagMs).toBe(0)
  })

  it('IAM may deny it: AccessDenied names cloudwatch:GetMetricData', async () => {
    const em = await busyThenIdle()
    em.faults.set({ service: 'cloudwatch', operation: 'GetMetricData', accessDenied: true })
    const error = await rejection(get(cloudwatch(em), { MetricDataQueries: [query('a', 'orders', 'KPUs')] }), Error)
    expect(error.name).toBe('AccessDenied')
    expect(error.message).toContain('is not authorized to perform: cloudwatch:GetMetricData')
  })
})
