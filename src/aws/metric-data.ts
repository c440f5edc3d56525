/**
 * CloudWatch `GetMetricData`, batched: the values of many metric queries over one time range, in
 * as few requests as the API allows. Loaded only by runs that read metrics (its own chunk).
 *
 * The contract of `MetricDataReader.read(queries, range)`:
 * - `queries` are plain metric statistics (namespace, metric name, dimensions, statistic, period in
 *   seconds, optional unit); no metric math, no Metrics Insights.
 * - `range` is [start, end): CloudWatch rounds `start` down to the whole minute (within 15 days;
 *   to 5 minutes within 63 days, to the hour beyond) and includes data points at `start`, not at `end`.
 * - The queries go in requests of at most 500 queries (MAX_QUERIES) whose data points, counted as
 *   ceil(range / period) per query, add up to at most 100,800 (MAX_DATAPOINTS); the requests of a
 *   region go one after another, each paced by the region's request rate. Every page of an answer
 *   is followed (NextToken) and merged by query.
 * - The answer is one series per query, in the order of `queries`: its data points oldest first,
 *   and CloudWatch's status for it (`Complete`; `PartialData`, `Forbidden` or `InternalError` with
 *   its messages). A query without data has no points: CloudWatch does not say why.
 * - A request that fails after the SDK's retries (throttling, 5xx, connection errors are retried)
 *   throws a ScalerError naming the operation, the region and what CloudWatch answered, with a hint
 *   (IAM: cloudwatch:GetMetricData, which cannot be scoped to a resource).
 * - Every request has the shared SDK options: credentials, the runner's proxy, timeouts, and with
 *   step debug logging one `::debug::` line per attempt.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, type StandardUnit } from '@aws-sdk/client-cloudwatch'
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import { ScalerError } from '../errors.js'
import { RequestRate, type RateOptions } from './rate-limit.js'
import { requestMiddleware, sdkOptions } from './sdk-options.js'

/** "A single GetMetricData call can include as many as 500 MetricDataQuery structures"… */
export const MAX_QUERIES = 500
/** …"with a total of as many as 100,800 data points". */
export const MAX_DATAPOINTS = 100_800
/** As for the other clients: six attempts ride out a burst of throttling or 5xx. */
const MAX_ATTEMPTS = 6
/** How long an answer of up to MAX_DATAPOINTS may take before the request is retried. */
const READ_TIMEOUT_MS = 30_000
const MINUTE = 60_000
const DAY = 86_400_000

/**
 * GetMetricData's default quota is 50 transactions per second per region (account-wide, shared
 * with whatever else reads metrics there): start well below it; throttling halves the rate.
 */
export const METRIC_DATA_RATE: RateOptions = { initialRate: 10, maxRate: 25, minRate: 1, increasePerSecond: 5, maxInFlight: 4, burst: 10 }

/** One metric statistic to read. */
export interface MetricQuery {
  namespace: string
  metric: string
  /** Dimension name → value, e.g. { Application: 'orders' }. */
  dimensions: Record<string, string>
  /** Maximum, Average, Minimum, Sum, SampleCount, or a percentile such as p99. */
  stat: string
  /** Seconds: 60 or a multiple of 60 (see the range's rounding for older data). */
  periodSeconds: number
  /** Only data published with this unit; default any. */
  unit?: string
}

export interface MetricPoint {
  at: Date
  value: number
}

/** What CloudWatch returned for one query. */
export interface MetricSeries {
  /** Oldest first. */
  points: MetricPoint[]
  /** CloudWatch's StatusCode after the last page: Complete, PartialData, Forbidden or InternalError. */
  status: string
  /** CloudWatch's messages about this query, if any ("Code: Value"). */
  messages: string[]
}

export interface TimeRange {
  start: Date
  end: Date
}

/** GetMetricData in one region. */
export class MetricDataReader {
  private readonly sdk: CloudWatchClient
  /** Requests sent (pages included), for the run's debug line. */
  requests = 0

  constructor(
    readonly region: string,
    credentials?: AwsCredentialIdentityProvider,
    rate: RequestRate = new RequestRate(METRIC_DATA_RATE)
  ) {
    const options = sdkOptions(region, credentials)
    // A full request (100,800 data points) is no control-plane call: give its answer time before retrying it.
    options.requestHandler = { ...options.requestHandler, requestTimeout: READ_TIMEOUT_MS, socketTimeout: READ_TIMEOUT_MS }
    this.sdk = new CloudWatchClient({ ...options, maxAttempts: MAX_ATTEMPTS })
    this.sdk.middlewareStack.use(requestMiddleware('cloudwatch', { rate }))
  }

  /** One series per query, in order; see the module's comment for the contract. */
  async read(queries: readonly MetricQuery[], range: TimeRange): Promise<MetricSeries[]> {
    const series: MetricSeries[] = queries.map(() => ({ points: [], status: 'Complete', messages: [] }))
    let offset = 0
    for (const batch of batches(queries, range)) {
      const first = offset
      offset += batch.length
      const input = {
        MetricDataQueries: batch.map((q, i): MetricDataQuery => ({
          Id: `q${i}`,
          MetricStat: {
            Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })) },
            Period: q.periodSeconds,
            Stat: q.stat,
            ...(q.unit ? { Unit: q.unit as StandardUnit } : {})
          },
          ReturnData: true
        })),
        StartTime: range.start,
        EndTime: range.end,
        ScanBy: 'TimestampAscending' as const
      }
      let nextToken: string | undefined
      do {
        this.requests++
        let out
        try {
          out = await this.sdk.send(new GetMetricDataCommand({ ...input, ...(nextToken ? { NextToken: nextToken } : {}) }))
        } catch (error) {
          throw failure(error, this.region)
        }
        for (const result of out.MetricDataResults ?? []) {
          const index = /^q(\d+)$/.exec(result.Id ?? '')
          const target = index ? series[first + Number(index[1])] : undefined
          if (!target) continue
          const timestamps = result.Timestamps ?? []
          const values = result.Values ?? []
          for (let i = 0; i < Math.min(timestamps.length, values.length); i++) target.points.push({ at: timestamps[i], value: values[i] })
          if (result.StatusCode) target.status = result.StatusCode
          for (const message of result.Messages ?? []) target.messages.push(`${message.Code ?? 'Message'}: ${message.Value ?? ''}`)
        }
        nextToken = out.NextToken
      } while (nextToken)
    }
    for (const s of series) s.points.sort((a, b) => a.at.getTime() - b.at.getTime())
    return series
  }

  destroy(): void {
    this.sdk.destroy()
  }
}

/**
 * The queries as requests: at most MAX_QUERIES each, and at most MAX_DATAPOINTS data points as
 * CloudWatch counts them for the range (one per period from the rounded start). A query that
 * alone exceeds MAX_DATAPOINTS goes in a request of its own, whose answer then comes in pages.
 */
export function batches<T extends Pick<MetricQuery, 'periodSeconds'>>(queries: readonly T[], range: TimeRange): T[][] {
  const out: T[][] = []
  let current: T[] = []
  let points = 0
  for (const query of queries) {
    const n = datapoints(query.periodSeconds, range)
    if (current.length > 0 && (current.length === MAX_QUERIES || points + n > MAX_DATAPOINTS)) {
      out.push(current)
      current = []
      points = 0
    }
    current.push(query)
    points += n
  }
  if (current.length > 0) out.push(current)
  return out
}

/** The data points one query can return for a range: one per period from the start as CloudWatch rounds it. */
export function datapoints(periodSeconds: number, { start, end }: TimeRange, now = Date.now()): number {
  const age = now - start.getTime()
  const grain = age <= 15 * DAY ? MINUTE : age <= 63 * DAY ? 5 * MINUTE : 60 * MINUTE
  const rounded = Math.floor(start.getTime() / grain) * grain
  return Math.max(0, Math.ceil((end.getTime() - rounded) / (periodSeconds * 1000)))
}

/** A failed request, as the user should read it. */
function failure(error: unknown, region: string): ScalerError {
  const e = error as { name?: string; message?: string }
  const name = e?.name ?? 'Error'
  const text = `${name}: ${e?.message ?? String(error)}`
  const denied = /AccessDenied|not authorized/i.test(text)
  return new ScalerError(`CloudWatch GetMetricData in ${region} failed (${text})`, {
    code: name,
    cause: error,
    hint: denied
      ? 'Allow cloudwatch:GetMetricData in the IAM policy of the role the action runs as; it cannot be scoped to a resource, so its Resource is "*" (docs/iam.md).'
      : /Throttl|ServiceUnavailable|InternalServiceFault|InternalServiceError|TimeoutError|ECONN|EPIPE|ENOTFOUND|socket/i.test(text)
        ? `CloudWatch did not answer after ${MAX_ATTEMPTS} attempts; the next run reads again. If it persists, check the network (and proxy) to the regional CloudWatch endpoint.`
        : 'CloudWatch refused the request; please report this message as an issue of the action.'
  })
}
