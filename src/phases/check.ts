/**
 * The check phase, between decide and apply: every pending scale-down (an update that would restart
 * a job below the parallelism it runs now) is judged on the job's own metrics, read with one batched
 * GetMetricData per place (account and region) for every application that needs them, on the real clock: the last
 * `over` before now. The verdict (pure, decide.ts's guardPlan) makes it wait (`deferred`) or go
 * ahead. With no scale-down to read metrics for, there is no CloudWatch call, nor its client loaded.
 */
import type { Planned } from './apply.js'
import { placeKey, placeText, type Place, type RunContext } from './context.js'
import type { Plan } from './decide.js'
import { asScalerError } from '../errors.js'
import { judge } from './guard.js'
import type { GuardMetric, Reading, ScaleDown } from './scale-down.js'
import { describeDuration } from '../schedule/guard.js'
import { debug } from '../aws/sdk-options.js'
import type { MetricQuery, MetricSeries } from '../aws/metric-data.js'

/**
 * Step 6 for one plan: a scale-down judged on what was read for it (undefined: nothing was read),
 * at the schedule's evaluated instant `at`. It waits (`defer`), or stays an update that carries what
 * the guard found in its reason and what speaks against it as a warning (in a dry run's tense).
 */
export function guardPlan(plan: Plan, reading: Reading | undefined, at: Date, dryRun = false): Plan {
  const { decision, scaleDown } = plan
  if (!scaleDown || decision.kind !== 'update') return plan
  const verdict = judge(scaleDown, reading, at, dryRun)
  if (!verdict.go) {
    return { ...plan, decision: { kind: 'defer', rule: decision.rule, desired: decision.desired, reason: verdict.reason, deferral: verdict.deferral } }
  }
  return {
    ...plan,
    decision: {
      ...decision,
      reason: `${decision.reason}${verdict.note ?? ''}`,
      ...(verdict.warning ? { warning: verdict.warning } : {})
    },
    ...(verdict.unchecked.length > 0 ? { unchecked: verdict.unchecked } : {})
  }
}

/** Managed Flink's metrics: one namespace, the application as the dimension. */
export const NAMESPACE = 'AWS/KinesisAnalytics'
/** They are published once a minute. */
const PERIOD_SECONDS = 60
const MINUTE = 60_000
/** Applications named in a warning; more are counted. */
const NAMED = 8

type WithPlan = Extract<Planned, { plan: Plan }>
interface Pending {
  planned: WithPlan
  scaleDown: ScaleDown
}

/** Judges every pending scale-down; the others pass through unchanged. Never throws. */
export async function check(planned: Planned[], context: RunContext, clock: () => Date = () => new Date()): Promise<Planned[]> {
  const pending: Pending[] = planned.flatMap((p) => ('plan' in p && p.plan.scaleDown && p.plan.decision.kind === 'update' ? [{ planned: p, scaleDown: p.plan.scaleDown }] : []))
  if (pending.length === 0) return planned
  const toRead = pending.filter((p) => p.scaleDown.limits.length > 0)
  const readings = new Map<WithPlan, Reading>()
  const failures = new Map<string, { message: string; hint?: string }>()
  // One batched read per place (account and region): each has its own credentials and endpoint.
  const places = new Map<string, Place>(toRead.map((p) => [placeKey(p.planned.ref), p.planned.ref]))
  await Promise.all(
    [...places].map(async ([key, place]) => {
      const here = toRead.filter((p) => placeKey(p.planned.ref) === key)
      try {
        for (const [p, reading] of await read(here, context, place, clock())) readings.set(p.planned, reading)
      } catch (error) {
        const failure = asScalerError(error)
        failures.set(placeText(place), { message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) })
        for (const p of here) readings.set(p.planned, { maxima: {}, failed: failure.message })
      }
    })
  )

  const judged = new Map<WithPlan, WithPlan>()
  for (const { planned: p } of pending) {
    const reading = readings.get(p)
    judged.set(p, { ...p, plan: guardPlan(p.plan, reading, context.config.now, context.config.dryRun), ...(reading ? { reading } : {}) })
  }
  warnAbout(pending, judged, failures, context)
  return planned.map((p) => ('plan' in p ? (judged.get(p) ?? p) : p))
}

/** One batched read for a place's pending scale-downs: each one's maximum of each metric over its own look-back. */
async function read(pending: Pending[], context: RunContext, place: Place, now: Date): Promise<Map<Pending, Reading>> {
  const end = now.getTime()
  const longest = Math.max(...pending.map((p) => p.scaleDown.overMs))
  const queries: { query: MetricQuery; pending: Pending; metric: GuardMetric }[] = []
  for (const p of pending) {
    for (const metric of new Set(p.scaleDown.limits.map((l) => l.metric))) {
      queries.push({
        pending: p,
        metric,
        query: { namespace: NAMESPACE, metric, dimensions: { Application: p.planned.ref.name }, stat: 'Maximum', periodSeconds: PERIOD_SECONDS }
      })
    }
  }
  const reader = await context.metricReaderFor(place)
  const before = reader.requests
  const series = await reader.read(
    queries.map((q) => q.query),
    { start: new Date(end - longest), end: new Date(end) }
  )
  debug(`guard: ${queries.length} metrics of ${pending.length} applications read in ${placeText(place)} with ${reader.requests - before} GetMetricData requests`)
  const readings = new Map<Pending, Reading>(pending.map((p) => [p, { maxima: {} }]))
  queries.forEach(({ pending: p, metric }, i) => {
    const maximum = maximumOf(series[i], metric, end - p.scaleDown.overMs)
    if (maximum !== undefined) readings.get(p)!.maxima[metric] = maximum
  })
  return readings
}

/**
 * The largest value from `since` (rounded down to the minute, as CloudWatch rounds a start time).
 * The Kinesis connector reports millisBehindLatest -1 until it knows how far behind it is: that is
 * missing, not caught up.
 */
function maximumOf(series: MetricSeries, metric: GuardMetric, since: number): number | undefined {
  const from = Math.floor(since / MINUTE) * MINUTE
  const values = series.points.filter((p) => p.at.getTime() >= from && Number.isFinite(p.value) && !(metric === 'millisBehindLatest' && p.value < 0)).map((p) => p.value)
  return values.length > 0 ? Math.max(...values) : undefined
}

/**
 * What the user must know, said once for all applications: a region whose metrics could not be
 * read, and the scale-downs that went ahead without a check of some metric for lack of data.
 */
function warnAbout(pending: Pending[], judged: Map<WithPlan, WithPlan>, failures: Map<string, { message: string; hint?: string }>, context: RunContext): void {
  const verb = context.config.dryRun ? 'would go' : 'went'
  for (const [place, failure] of failures) {
    const here = pending.filter((p) => placeText(p.planned.ref) === place && p.scaleDown.limits.length > 0)
    const went = here.filter((p) => judged.get(p.planned)!.plan.decision.kind !== 'defer').map((p) => p.planned.ref.name)
    const waiting = here.filter((p) => judged.get(p.planned)!.plan.decision.kind === 'defer').map((p) => p.planned.ref.name)
    const parts = [
      went.length > 0 ? `${named(went)} ${verb} ahead unchecked` : undefined,
      waiting.length > 0 ? `${named(waiting)} ${waiting.length === 1 ? 'waits' : 'wait'} for the service's autoscaler` : undefined
    ].filter(Boolean)
    context.warn(
      `The guard could not read metrics: ${failure.message}. Of its ${here.length} scale-down${here.length === 1 ? '' : 's'} there, ${parts.join('; ')}.` +
        (failure.hint ? ` Fix: ${failure.hint}` : '')
    )
  }
  const unread = new Map<string, string[]>()
  for (const p of pending) {
    const decision = judged.get(p.planned)!.plan.decision
    if (decision.kind === 'defer' || failures.has(placeText(p.planned.ref))) continue
    const unchecked = judged.get(p.planned)!.plan.unchecked ?? []
    if (unchecked.length === 0) continue
    const key = `${unchecked.join(' and ')} over the last ${describeDuration(p.scaleDown.overMs)}`
    unread.set(key, [...(unread.get(key) ?? []), p.planned.ref.name])
  }
  for (const [what, names] of unread) {
    context.warn(
      `The guard found no data points of ${what} for ${named(names)}, so ${names.length === 1 ? 'its scale-down' : 'their scale-downs'} ${verb} ahead without that check. ` +
        'CloudWatch has none when the application does not publish the metric (a source of the other kind, a lower metrics level) or while it restarts; ' +
        'millisBehindLatest -1 (not known yet) counts as none.'
    )
  }
}

/** "orders, clicks and fraud", or the first few and how many more. */
function named(names: string[]): string {
  if (names.length === 1) return names[0]
  if (names.length <= NAMED) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
  return `${names.slice(0, NAMED).join(', ')} and ${names.length - NAMED} more`
}
