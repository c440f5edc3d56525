/**
 * Amazon CloudWatch `GetMetricData`, as the service answers it over AWS JSON 1.0 (served by
 * cloudwatch.ts): the model's input shape (`monitoring` 2010-08-01) and the rules its
 * documentation states, data points aggregated per period with the statistic asked for, in the
 * order asked for, at most MaxDatapoints (default 100,800) a page with `NextToken` for the rest.
 *
 * The data: what PutMetricData recorded, and the metrics that applications seeded with a load
 * publish (AWS/KinesisAnalytics, dimension Application; load.ts), both read on the real clock.
 *
 * Where the documentation is silent, the safe reading for a client, said where it is made:
 * - a page may hold fewer data points than MaxDatapoints (the emulator's `metricDataPageSize`):
 *   a client follows NextToken, whatever the count;
 * - every page lists every query, with the data points of that page (none once it is done) and
 *   `PartialData` while it has more to come, `Complete` after;
 * - more than 500 queries: the first 500 are answered and a message says the others were not
 *   ("Maximum number of allowed metrics exceeded", as the API reference gives as an example);
 * - metric math and Metrics Insights (`Expression`) are not evaluated: an error says so.
 */
import { createHash } from 'node:crypto'
import { CloudWatchError, modeled, STANDARD_UNITS, TypeProblem, framework, walk, type Problem, type RecordedDatum, type Shape } from './cloudwatch.js'

/** "A single GetMetricData call can include as many as 500 MetricDataQuery structures." */
export const MAX_QUERIES = 500
/** "If you omit this, the default of 100,800 is used." */
export const DEFAULT_MAX_DATAPOINTS = 100_800

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000
/** "Data points with a period of 3600 seconds (1 hour) are available for 455 days (15 months)." */
const RETENTION_MS = 455 * DAY

const Dimension: Shape = {
  type: 'structure',
  required: ['Name', 'Value'],
  members: { Name: { type: 'string', min: 1, max: 255 }, Value: { type: 'string', min: 1, max: 1024 } }
}
const MetricStat: Shape = {
  type: 'structure',
  required: ['Metric', 'Period', 'Stat'],
  members: {
    Metric: {
      type: 'structure',
      members: {
        Namespace: { type: 'string', min: 1, max: 255, pattern: /^[^:].*$/s },
        MetricName: { type: 'string', min: 1, max: 255 },
        Dimensions: { type: 'list', member: Dimension, max: 30 }
      }
    },
    Period: { type: 'integer', min: 1 },
    Stat: { type: 'string' },
    Unit: { type: 'string', enum: STANDARD_UNITS }
  }
}

/** GetMetricDataInput, after the model. */
export const GET_METRIC_DATA_INPUT: Shape = {
  type: 'structure',
  required: ['MetricDataQueries', 'StartTime', 'EndTime'],
  members: {
    MetricDataQueries: {
      type: 'list',
      member: {
        type: 'structure',
        required: ['Id'],
        members: {
          Id: { type: 'string', min: 1, max: 255 },
          MetricStat,
          Expression: { type: 'string', min: 1, max: 2048 },
          Label: { type: 'string' },
          ReturnData: { type: 'boolean' },
          Period: { type: 'integer', min: 1 },
          AccountId: { type: 'string', min: 1, max: 255 }
        }
      }
    },
    StartTime: { type: 'timestamp' },
    EndTime: { type: 'timestamp' },
    NextToken: { type: 'string' },
    ScanBy: { type: 'string', enum: ['TimestampDescending', 'TimestampAscending'] },
    MaxDatapoints: { type: 'integer' },
    LabelOptions: { type: 'structure', members: { Timezone: { type: 'string' } } }
  }
}

const MessageData: Shape = { type: 'structure', members: { Code: { type: 'string' }, Value: { type: 'string' } } }

/** GetMetricDataOutput, after the model: what every answer must be. */
export const GET_METRIC_DATA_OUTPUT: Shape = {
  type: 'structure',
  members: {
    MetricDataResults: {
      type: 'list',
      member: {
        type: 'structure',
        members: {
          Id: { type: 'string', min: 1, max: 255 },
          Label: { type: 'string' },
          Timestamps: { type: 'list', member: { type: 'timestamp' } },
          Values: { type: 'list', member: { type: 'double' } },
          StatusCode: { type: 'string', enum: ['Complete', 'InternalError', 'PartialData', 'Forbidden'] },
          Messages: { type: 'list', member: MessageData }
        }
      }
    },
    NextToken: { type: 'string' },
    Messages: { type: 'list', member: MessageData }
  }
}

/** What `value` breaks of `shape` (unknown members, wrong types, constraints): none for a valid answer. */
export function shapeProblems(shape: Shape, value: unknown): string[] {
  const problems: Problem[] = []
  try {
    walk(shape, value, '', problems)
  } catch (error) {
    if (error instanceof TypeProblem) return [error.message]
    throw error
  }
  return problems.map((p) => p.message)
}

/** One data point as a source holds it: when (epoch ms, real clock), its values, its unit. */
export interface SourceSample {
  t: number
  /** The raw values (one per publisher); statistic sets give `stats` instead. */
  values?: number[]
  stats?: { count: number; sum: number; min: number; max: number }
  /**
   * Many raw values at once (a synthesised grain of history, history.ts): their statistic set, and
   * the values themselves, made when a percentile needs them.
   */
  distribution?: Distribution
  unit: string
}

/** Many raw values summed up: their statistic set, the values made on demand, and (when it knows them) its own percentiles. */
export interface Distribution {
  count: number
  sum: number
  min: number
  max: number
  values: () => ArrayLike<number>
  /** The nearest-rank percentile `p` (0-100) of the values, as `statistic` would find it, when the source keeps them. */
  percentile?: (p: number) => number
}

/** Where a GetMetricData request is answered: its region, and the account of its credentials. */
export interface MetricPlace {
  region: string
  account?: string
}

/**
 * Where data points come from: a metric's samples of a place in [from, to) (real clock). `grainMs`
 * divides every period of the query and the offset of its buckets: a source that holds data in
 * aggregates may give one per grain, each then inside one bucket.
 */
export type MetricSource = (
  place: MetricPlace,
  namespace: string,
  metric: string,
  dimensions: Record<string, string>,
  from: number,
  to: number,
  grainMs: number
) => SourceSample[]

/** The data points PutMetricData recorded, as a source. */
export function recordedSource(recorded: readonly RecordedDatum[]): MetricSource {
  return ({ region }, namespace, metric, dimensions, from, to) => {
    const wanted = Object.entries(dimensions)
    return recorded
      .filter(
        (d) =>
          d.region === region &&
          d.namespace === namespace &&
          d.name === metric &&
          Object.keys(d.dimensions).length === wanted.length &&
          wanted.every(([name, value]) => d.dimensions[name] === value) &&
          d.timestamp.getTime() >= from &&
          d.timestamp.getTime() < to
      )
      .map((d): SourceSample => {
        const t = d.timestamp.getTime()
        if (d.value !== undefined) return { t, values: [d.value], unit: d.unit }
        if (d.values) {
          const counts = d.counts ?? d.values.map(() => 1)
          const values = d.values.flatMap((v, i) => Array<number>(Math.min(1000, Math.max(0, Math.round(counts[i] ?? 1)))).fill(v))
          return { t, values, unit: d.unit }
        }
        const s = d.statisticValues!
        return { t, stats: { count: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum }, unit: d.unit }
      })
  }
}

type Input = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

interface Query {
  id: string
  label: string
  namespace: string
  metric: string
  dimensions: Record<string, string>
  period: number
  stat: string
  unit?: string
}

const STATS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'])
const PERCENTILE = /^p(\d{1,2}(?:\.\d+)?|100)$/
const ID = /^[a-z][a-zA-Z0-9_]*$/

/**
 * GetMetricData with the data of `sources`, at `now` (real clock). Throws the CloudWatchError the
 * service answers for an invalid request.
 */
export function getMetricData(
  input: unknown,
  ctx: MetricPlace,
  sources: readonly MetricSource[],
  { now = Date.now(), pageSize = Infinity }: { now?: number; pageSize?: number } = {}
): Record<string, unknown> {
  const problems: Problem[] = []
  try {
    walk(GET_METRIC_DATA_INPUT, input, '', problems)
  } catch (error) {
    if (error instanceof TypeProblem) throw framework(undefined, 'SerializationException', error.message)
    throw error
  }
  const request = input as Input
  const all = (request.MetricDataQueries ?? []) as Input[]
  const messages: { Code: string; Value: string }[] = []
  const invalid = (message: string) => problems.push({ code: 'InvalidParameterValue', message })
  if (Array.isArray(request.MetricDataQueries) && all.length === 0) invalid('The collection MetricDataQueries must not be empty.')
  const ids = new Set<string>()
  all.forEach((q, i) => {
    const at = `MetricDataQueries.member.${i + 1}`
    if (typeof q.Id === 'string' && q.Id.length > 0) {
      if (!ID.test(q.Id)) invalid(`The value ${q.Id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.`)
      else if (ids.has(q.Id)) invalid(`The value ${q.Id} for parameter ${at}.Id is not unique.`)
      ids.add(q.Id)
    }
    if (q.MetricStat && q.Expression !== undefined) {
      problems.push({ code: 'InvalidParameterCombination', message: `The parameters ${at}.MetricStat and ${at}.Expression are mutually exclusive and you have specified both.` })
    } else if (!q.MetricStat && q.Expression === undefined) {
      problems.push({ code: 'MissingParameter', message: `One of the parameters ${at}.MetricStat or ${at}.Expression is required.` })
    } else if (q.Expression !== undefined) {
      invalid(`The parameter ${at}.Expression is not supported by the emulator: it evaluates no metric math and no Metrics Insights query.`)
    }
    const period = q.MetricStat?.Period
    if (typeof period === 'number' && period >= 1 && ![1, 5, 10, 30].includes(period) && period % 60 !== 0) {
      invalid(`The parameter ${at}.MetricStat.Period must be 1, 5, 10, 30, or a multiple of 60.`)
    }
    const stat = q.MetricStat?.Stat
    if (typeof stat === 'string' && !STATS.has(stat) && !PERCENTILE.test(stat)) invalid(`The value ${stat} for parameter ${at}.MetricStat.Stat is invalid.`)
  })
  if (typeof request.StartTime === 'number' && typeof request.EndTime === 'number' && request.StartTime >= request.EndTime) {
    invalid('The parameter StartTime must be less than the parameter EndTime.')
  }
  if (typeof request.MaxDatapoints === 'number' && request.MaxDatapoints < 1) invalid(`The value ${request.MaxDatapoints} for parameter MaxDatapoints is invalid.`)
  for (const code of ['MissingParameter', 'InvalidParameterCombination', 'InvalidParameterValue'] as const) {
    const found = problems.filter((p) => p.code === code).map((p) => p.message)
    if (found.length) throw modeled[code](found.join('\n'))
  }

  if (all.length > MAX_QUERIES) messages.push({ Code: 'MaxMetricsExceeded', Value: 'Maximum number of allowed metrics exceeded' })
  const queries: Query[] = all.slice(0, MAX_QUERIES).map((q) => ({
    id: q.Id,
    label: q.Label ?? q.MetricStat.Metric.MetricName ?? '',
    namespace: q.MetricStat.Metric.Namespace ?? '',
    metric: q.MetricStat.Metric.MetricName ?? '',
    dimensions: Object.fromEntries(((q.MetricStat.Metric.Dimensions ?? []) as Input[]).map((d) => [d.Name, d.Value])),
    period: q.MetricStat.Period,
    stat: q.MetricStat.Stat,
    ...(q.MetricStat.Unit ? { unit: q.MetricStat.Unit } : {})
  }))
  const start = roundedStart(request.StartTime * 1000, now)
  const end = request.EndTime * 1000
  const descending = (request.ScanBy ?? 'TimestampDescending') === 'TimestampDescending'
  const series = queries.map((q) => {
    const points = dataPoints(q, { region: ctx.region, ...(ctx.account ? { account: ctx.account } : {}) }, start, end, now, sources)
    return descending ? points.reverse() : points
  })

  // One request's identity, so that a NextToken from another request is refused.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ ...request, NextToken: undefined }))
    .digest('hex')
    .slice(0, 16)
  let query = 0
  let offset = 0
  if (request.NextToken !== undefined) {
    const token = decodeToken(request.NextToken)
    if (!token || token.f !== fingerprint || token.q >= queries.length || token.o > series[token.q].length) {
      throw new CloudWatchError('InvalidNextToken', 'InvalidNextToken', 'The service cannot complete the request: the NextToken is not valid for this request.')
    }
    query = token.q
    offset = token.o
  }
  // The service may page before MaxDatapoints; `pageSize` makes the emulator do so.
  let budget = Math.min(request.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS, pageSize)
  const pages = series.map(() => [] as [number, number][])
  while (query < series.length && budget > 0) {
    const take = series[query].slice(offset, offset + budget)
    pages[query] = take
    budget -= take.length
    offset += take.length
    if (offset >= series[query].length) {
      query++
      offset = 0
    }
  }
  const done = (i: number) => i < query || (i === query && offset >= series[i].length)
  const results = queries.map((q, i) => ({
    Id: q.id,
    Label: q.label,
    Timestamps: pages[i].map(([t]) => t / 1000),
    Values: pages[i].map(([, v]) => v),
    StatusCode: done(i) ? 'Complete' : 'PartialData',
    Messages: []
  }))
  const more = query < series.length
  return {
    MetricDataResults: results,
    ...(more ? { NextToken: Buffer.from(JSON.stringify({ f: fingerprint, q: query, o: offset })).toString('base64') } : {}),
    Messages: messages
  }
}

/** "Start time less than 15 days ago - Round down to the nearest whole minute", 5 minutes to 63 days, else the hour. */
function roundedStart(startMs: number, now: number): number {
  const age = now - startMs
  const grain = age <= 15 * DAY ? MINUTE : age <= 63 * DAY ? 5 * MINUTE : 60 * MINUTE
  return Math.floor(startMs / grain) * grain
}

/** One query's data points, oldest first, as [epoch ms, value]: one per period that has data. */
function dataPoints(q: Query, place: MetricPlace, start: number, end: number, now: number, sources: readonly MetricSource[]): [number, number][] {
  const age = now - start
  // "If the StartTime parameter specifies a time stamp that is greater than 3 hours ago, you must
  // specify the period as follows or no data points in that time range is returned."
  if (q.period < 60 && age > 3 * 3_600_000) return []
  if (age > 15 * DAY && q.period % 300 !== 0) return []
  if (age > 63 * DAY && q.period % 3600 !== 0) return []
  const periodMs = q.period * 1000
  const grain = [HOUR, 5 * MINUTE, MINUTE].find((g) => periodMs % g === 0 && start % g === 0) ?? MINUTE
  const buckets = new Map<number, SourceSample[]>()
  for (const source of sources) {
    for (const sample of source(place, q.namespace, q.metric, q.dimensions, start, end, grain)) {
      // "If you specify a unit that does not match the data collected, the results of the operation are null."
      if (q.unit && sample.unit !== q.unit) continue
      // Older data is gone, whatever the period.
      if (sample.t < now - RETENTION_MS) continue
      const bucket = start + Math.floor((sample.t - start) / (q.period * 1000)) * q.period * 1000
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), sample])
    }
  }
  const points: [number, number][] = []
  for (const t of [...buckets.keys()].sort((a, b) => a - b)) {
    const value = statistic(q.stat, buckets.get(t)!)
    if (value !== undefined) points.push([t, value])
  }
  return points
}

/**
 * A statistic of a period's samples. Percentiles need raw values ("CloudWatch needs raw data points
 * to calculate percentile statistics"), none of them negative ("Percentile statistics are not
 * available for metrics when any of the metric values are negative numbers"); a percentile is the
 * nearest-rank value of them.
 */
function statistic(stat: string, samples: SourceSample[]): number | undefined {
  let count = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  let allRaw = true
  for (const s of samples) {
    if (s.values) {
      for (const v of s.values) {
        count++
        sum += v
        min = Math.min(min, v)
        max = Math.max(max, v)
      }
    } else {
      const set = s.distribution ?? s.stats
      if (!set) continue
      if (!s.distribution) allRaw = false
      count += set.count
      sum += set.sum
      min = Math.min(min, set.min)
      max = Math.max(max, set.max)
    }
  }
  if (count === 0) return undefined
  switch (stat) {
    case 'SampleCount':
      return count
    case 'Sum':
      return sum
    case 'Average':
      return sum / count
    case 'Minimum':
      return min
    case 'Maximum':
      return max
  }
  if (!allRaw || min < 0) return undefined
  const p = Number(stat.slice(1))
  const only = samples.length === 1 ? samples[0].distribution?.percentile : undefined
  if (only) return only(p)
  const raw = new Float64Array(count)
  let n = 0
  for (const s of samples) {
    const values = s.values ?? s.distribution?.values() ?? []
    for (let i = 0; i < values.length; i++) raw[n++] = values[i]
  }
  return nearestRank(raw.subarray(0, n), p)
}

/** The nearest-rank percentile `p` (0-100) of `values` (reordered): the ⌈p × n / 100⌉-th smallest. */
export function nearestRank(values: Float64Array, p: number): number {
  const n = values.length
  return select(values, Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1)))
}

/** The k-th smallest of `values` (0-based), reordering them: Hoare's selection, as a sort would find it. */
function select(values: Float64Array, k: number): number {
  let lo = 0
  let hi = values.length - 1
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]
    let i = lo
    let j = hi
    while (i <= j) {
      while (values[i] < pivot) i++
      while (values[j] > pivot) j--
      if (i <= j) {
        const swap = values[i]
        values[i] = values[j]
        values[j] = swap
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return values[k]
  }
  return values[k]
}

function decodeToken(token: string): { f: string; q: number; o: number } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
    if (typeof value?.f === 'string' && Number.isInteger(value.q) && Number.isInteger(value.o) && value.q >= 0 && value.o >= 0) return value
  } catch {
    // not a token of ours
  }
  return undefined
}
