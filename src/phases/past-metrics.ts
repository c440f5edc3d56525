/**
 * The past metrics of a suggestion: each application's hourly CloudWatch metrics over the
 * look-back (`KPUs` Average, `containerCPUUtilization` Maximum and CPU_PERCENTILE, Period 3600),
 * read with one batched GetMetricData per place (account and region) for all of its applications,
 * every page followed. What fails is a ScalerError for the applications it concerns.
 */
import type { ApplicationRef } from '../github/config.js'
import { asScalerError, ScalerError } from '../errors.js'
import { CPU_PERCENTILE, type History, type HourlyMetrics } from '../schedule/history.js'
import type { MetricQuery, MetricSeries } from '../aws/metric-data.js'
import { debug } from '../aws/sdk-options.js'
import { placeKey, placeText, type Place, type RunContext } from './context.js'

/** Managed Flink's metrics: one namespace, the application as the dimension. */
const NAMESPACE = 'AWS/KinesisAnalytics'

const HOUR = 3_600_000
const DAY = 86_400_000

/** What is read of each application, and where each statistic goes in an hour. */
export const HISTORY_QUERIES: readonly { metric: string; stat: string; field: 'kpus' | 'cpuMax' | 'cpu' }[] = [
  { metric: 'KPUs', stat: 'Average', field: 'kpus' },
  { metric: 'containerCPUUtilization', stat: 'Maximum', field: 'cpuMax' },
  { metric: 'containerCPUUtilization', stat: CPU_PERCENTILE, field: 'cpu' }
]

/** The look-back: `days` of whole hours, up to the start of the hour `clock` is in (an hour still running has no whole data). */
export function lookBack(clock: Date, days: number): { from: Date; to: Date } {
  const to = Math.floor(clock.getTime() / HOUR) * HOUR
  return { from: new Date(to - days * DAY), to: new Date(to) }
}

/** An application whose history is read: where it is, and its ParallelismPerKPU (KPU sizes are counted at it). */
export interface Described {
  ref: ApplicationRef
  parallelismPerKpu: number
}

/**
 * Every application's history over `range`, or why it could not be read, in the order given. One
 * batched read per place; the places are read at once. Never throws.
 */
export async function readHistories(described: readonly Described[], range: { from: Date; to: Date }, context: Pick<RunContext, 'metricReaderFor'>): Promise<(History | ScalerError)[]> {
  const out = new Array<History | ScalerError>(described.length)
  const places = new Map<string, { place: Place; indexes: number[] }>()
  described.forEach((d, i) => {
    const key = placeKey(d.ref)
    if (!places.has(key)) places.set(key, { place: d.ref, indexes: [] })
    places.get(key)!.indexes.push(i)
  })
  await Promise.all(
    [...places.values()].map(async ({ place, indexes }) => {
      const here = indexes.map((i) => described[i])
      let series: MetricSeries[]
      try {
        const reader = await context.metricReaderFor(place)
        const before = reader.requests
        series = await reader.read(
          here.flatMap((d) => HISTORY_QUERIES.map((q): MetricQuery => ({ namespace: NAMESPACE, metric: q.metric, stat: q.stat, dimensions: { Application: d.ref.name }, periodSeconds: 3600 }))),
          { start: range.from, end: range.to }
        )
        debug(`suggest: ${here.length * HISTORY_QUERIES.length} metrics of ${here.length} applications read in ${placeText(place)} with ${reader.requests - before} GetMetricData requests`)
      } catch (error) {
        const failure = unreadable(asScalerError(error), place)
        for (const i of indexes) out[i] = failure
        return
      }
      here.forEach((d, j) => {
        const own = series.slice(j * HISTORY_QUERIES.length, (j + 1) * HISTORY_QUERIES.length)
        out[indexes[j]] = historyOf(d, own, range)
      })
    })
  )
  return out
}

/** One application's series as its History, or the error CloudWatch gave for them. */
function historyOf(d: Described, series: MetricSeries[], range: { from: Date; to: Date }): History | ScalerError {
  const refused = series.find((s) => s.status === 'Forbidden' || s.status === 'InternalError')
  if (refused) {
    const said = refused.messages.length > 0 ? ` (${refused.messages.join('; ')})` : ''
    return refused.status === 'Forbidden'
      ? new ScalerError(`CloudWatch answered Forbidden for its metrics${said}, so no schedule can be suggested.`, {
          code: 'Forbidden',
          hint: 'Allow cloudwatch:GetMetricData (Resource "*") to the role the action runs as in this account (docs/iam.md).'
        })
      : new ScalerError(`CloudWatch could not answer for its metrics (InternalError${said}), so no schedule can be suggested.`, { hint: 'Run it again: the next read may succeed.' })
  }
  const from = range.from.getTime()
  const to = range.to.getTime()
  const hours = new Map<number, HourlyMetrics>()
  series.forEach((s, q) => {
    const field = HISTORY_QUERIES[q].field
    for (const point of s.points) {
      const t = point.at.getTime()
      if (t < from || t >= to || t % HOUR !== 0 || !Number.isFinite(point.value)) continue
      const hour = hours.get(t) ?? { at: new Date(t) }
      hour[field] = point.value
      hours.set(t, hour)
    }
  })
  return { application: d.ref.name, parallelismPerKpu: d.parallelismPerKpu, from: range.from, to: range.to, hours: [...hours.values()] }
}

/** A read that failed, as each of its applications reports it; IAM's refusal names the permission. */
function unreadable(failure: ScalerError, place: Place): ScalerError {
  const denied = /AccessDenied|not authorized/i.test(`${failure.code ?? ''} ${failure.message}`)
  const message = denied
    ? `IAM denied cloudwatch:GetMetricData in ${placeText(place)}, so the metrics could not be read and no schedule can be suggested: ${failure.message}`
    : `The metrics could not be read, so no schedule can be suggested: ${failure.message}`
  return new ScalerError(message, { code: failure.code, cause: failure, ...(failure.hint ? { hint: failure.hint } : {}) })
}
