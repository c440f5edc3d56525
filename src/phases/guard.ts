/**
 * The verdict on a pending scale-down (pure): go ahead, maybe with a warning, or wait (`deferred`),
 * from the values read for it, the guard's limits, the service's autoscaler, `at-most` and who
 * asked (the schedule, or a person through a manual target or a hold). No clock, no AWS: the
 * instants and the values are parameters. Loaded with the check phase, only when a scale-down is pending.
 */
import { DateTime } from 'luxon'
import { describeDuration } from '../schedule/guard.js'
import { valueText, type Deferral, type GuardMetric, type Limit, type Reading, type ScaleDown, type Wait } from './scale-down.js'

export type Verdict =
  /**
   * Go ahead. `note` joins the update's reason; `warning` (after the application's name, "orders:
   * the default (…) goes ahead …") is said in the log; `unchecked` names the metrics that could not be checked.
   */
  | { go: true; note?: string; warning?: string; unchecked: GuardMetric[] }
  /** Wait: nothing is changed and the next run checks again. */
  | { go: false; reason: string; deferral: Deferral }

/** The source lags are alternatives: a job reads Kinesis (millisBehindLatest) or Kafka (records_lag_max), seldom both. */
const SOURCE_LAGS: GuardMetric[] = ['millisBehindLatest', 'records_lag_max']

/**
 * The verdict on a scale-down, given what was read (undefined: nothing was read for it) at the
 * evaluated instant `at` (the schedule's clock, as at-most counts from the schedule's change):
 *
 * - a person's scale-down goes ahead; what the metrics showed, or the autoscaler's capacity it cuts, is a warning;
 * - a limit the metrics break makes it wait, until at-most has passed: then it goes ahead with a warning;
 * - the autoscaler's capacity makes it wait unless the metrics show the smaller size carries the
 *   load (CPU checked); without that evidence (no guard, CPU unreadable) it waits until at-most;
 * - metrics that cannot be read never block otherwise: it goes ahead, naming them as unchecked.
 *
 * Whatever goes ahead over a failed check or the autoscaler's capacity says so in its reason too
 * (`note`), with every metric checked, each as failing or passing. `dryRun` only changes the tense.
 */
export function judge(scaleDown: ScaleDown, reading: Reading | undefined, at: Date, dryRun = false): Verdict {
  const checked = scaleDown.limits.map((limit) => measure(limit, scaleDown, reading)).filter((c): c is Wait => c !== undefined)
  const failing = checked.filter((c) => c.value >= c.limit)
  const passing = checked.filter((c) => c.value < c.limit)
  const read = new Set(checked.map((c) => c.metric))
  const anySourceLag = SOURCE_LAGS.some((metric) => read.has(metric))
  const unchecked = scaleDown.limits
    .map((limit) => limit.metric)
    .filter((metric) => !read.has(metric) && !(SOURCE_LAGS.includes(metric) && anySourceLag))
  const cpuShown = read.has('containerCPUUtilization')
  const over = describeDuration(scaleDown.overMs)
  const restart = `parallelism ${scaleDown.current} → ${scaleDown.target}`
  const goes = dryRun ? 'would go' : 'goes'
  const cuts = scaleDown.autoscaled
    ? `the service's autoscaler runs it at parallelism ${scaleDown.current} (its floor is ${scaleDown.floor}); restarting it at ${scaleDown.target} cuts ${scaleDown.current - scaleDown.target} parallel tasks the service added for load`
    : undefined
  const autoscalerWaits = scaleDown.autoscaled && !cpuShown
  /** What the reason says against a scale-down that goes ahead all the same, and every metric checked. */
  const against = (cpuUnread: boolean) =>
    [
      scaleDown.autoscaled
        ? `it cuts ${scaleDown.current - scaleDown.target} parallel tasks the service's autoscaler added for load` +
          (cpuUnread && scaleDown.limits.length > 0 ? ' (its CPU could not be read to show the smaller size carries the load)' : '')
        : undefined,
      failing.length > 0 ? "the guard's check failed" : undefined
    ]
      .filter(Boolean)
      .join(', and ')
  const shown = checked.length > 0 ? ` The guard's metrics, over the last ${over}: ${checkedText(failing, passing)}.` : ''

  if (scaleDown.person) {
    const said = [
      cuts,
      failing.length > 0 ? `the guard's metrics show ${waitsText(failing, over)}` : undefined
    ].filter(Boolean)
    if (said.length === 0) {
      return { go: true, unchecked, ...(passing.length > 0 ? { note: ` The guard's metrics: ${passingText(passing, over)}.` } : {}) }
    }
    return {
      go: true,
      unchecked,
      warning: `${scaleDown.source} (${restart}) ${dryRun ? 'would be' : 'was'} applied because a person asked for it, although ${said.join(', and ')}.`,
      note: ` A person asked for it, so it ${goes} ahead although ${against(false)}.${shown}`
    }
  }

  const until = scaleDown.change ? new Date(scaleDown.change.getTime() + scaleDown.atMostMs) : undefined
  const passed = until === undefined || at >= until
  const waitedFor = (until: Date | undefined) =>
    until
      ? `after waiting ${describeDuration(scaleDown.atMostMs)} (at-most) since the ${localTime(scaleDown.change!, scaleDown.zone)} change`
      : `as the schedule has asked for it for more than a week`

  if (failing.length > 0 || autoscalerWaits) {
    const waitsFor: Wait[] = failing.length > 0 ? failing : [{ metric: 'CurrentParallelism', value: scaleDown.current, limit: scaleDown.target }]
    const why =
      failing.length > 0
        ? `${scaleDown.autoscaled ? `${cuts}, and ` : ''}${waitsText(failing, over)}`
        : `${cuts}${scaleDown.limits.length > 0 ? ` (its CPU could not be read to show the smaller size carries the load)` : ''}`
    if (passed) {
      return {
        go: true,
        unchecked,
        warning: `${scaleDown.source} (${restart}) ${goes} ahead ${waitedFor(until)}, although ${why}.`,
        note: ` It ${goes} ahead ${waitedFor(until)}, although ${against(autoscalerWaits)}.${shown}`
      }
    }
    return {
      go: false,
      deferral: { waitsFor, until: until! },
      reason:
        `Scaling down (${restart}) for ${scaleDown.source} waits: ${why}. ` +
        `The next run checks again; it goes ahead at ${localTime(until!, scaleDown.zone)} at the latest (${describeDuration(scaleDown.atMostMs)} after the ${localTime(scaleDown.change!, scaleDown.zone)} change).`
    }
  }
  const autoscaler = scaleDown.autoscaled ? ` The service's autoscaler ran it at parallelism ${scaleDown.current}; the guard shows the smaller size carries the load:` : ' The guard passed:'
  return {
    go: true,
    unchecked,
    ...(passing.length > 0 ? { note: `${autoscaler} ${passingText(passing, over)}.` } : {})
  }
}

/** A limit's value as read: the metric's maximum, CPU projected onto the smaller size; undefined when there is none. */
function measure(limit: Limit, scaleDown: ScaleDown, reading: Reading | undefined): Wait | undefined {
  const value = reading?.maxima[limit.metric]
  if (value === undefined) return undefined
  if (limit.metric !== 'containerCPUUtilization') return { metric: limit.metric, value, limit: limit.limit }
  return { metric: limit.metric, value: (value * scaleDown.current) / scaleDown.target, limit: limit.limit, measured: value }
}

/** "millisBehindLatest reached 5m12s over the last 15m (limit 1m)". */
function waitsText(waits: Wait[], over: string): string {
  return `${waits.map((w) => `${w.metric} ${w.metric === 'containerCPUUtilization' ? `peaked at ${valueText(w.metric, w.measured!)}, ${valueText(w.metric, w.value)} at the smaller size` : `reached ${valueText(w.metric, w.value)}`} (limit ${valueText(w.metric, w.limit)})`).join(' and ')} over the last ${over}`
}

/**
 * Every metric checked, each named failing or passing, the failing first: "containerCPUUtilization
 * failing (peaked at 100%, 200% at the smaller size; limit 70%) and millisBehindLatest passing (at most 0s; limit 1m)".
 */
function checkedText(failing: Wait[], passing: Wait[]): string {
  const value = (w: Wait, verb: string) =>
    w.metric === 'containerCPUUtilization' ? `${verb} ${valueText(w.metric, w.measured!)}, ${valueText(w.metric, w.value)} at the smaller size` : `${verb} ${valueText(w.metric, w.value)}`
  return [
    ...failing.map((w) => `${w.metric} failing (${value(w, w.metric === 'containerCPUUtilization' ? 'peaked at' : 'reached')}; limit ${valueText(w.metric, w.limit)})`),
    ...passing.map((w) => `${w.metric} passing (${value(w, 'at most')}; limit ${valueText(w.metric, w.limit)})`)
  ].join(' and ')
}

/** "millisBehindLatest at most 2s (limit 1m) and containerCPUUtilization 31%, 62% at the smaller size (limit 70%), over the last 15m". */
function passingText(waits: Wait[], over: string): string {
  return `${waits.map((w) => `${w.metric} ${w.metric === 'containerCPUUtilization' ? `at most ${valueText(w.metric, w.measured!)}, ${valueText(w.metric, w.value)} at the smaller size` : `at most ${valueText(w.metric, w.value)}`} (limit ${valueText(w.metric, w.limit)})`).join(' and ')}, over the last ${over}`
}

/** "Wed 20:05 PST": an instant in the schedule's zone. */
export function localTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('ccc HH:mm ZZZZ')
}
