/**
 * Scaling down safely (pure): which updates would restart a job below the parallelism it runs now,
 * what must be read to judge them, and the verdict on the values read (go ahead, maybe with a
 * warning, or wait: `deferred`). The guard's limits, the service's autoscaler, `at-most` and who
 * asked (the schedule, or a person through a manual target or a hold) all meet here; no clock, no
 * AWS: the instants and the values are parameters.
 */
import { DateTime } from 'luxon'
import type { ApplicationState, Desired } from './application.js'
import { DEFAULT_AT_MOST_MS, DEFAULT_OVER_MS, describeDuration, type Guard } from '../schedule/guard.js'
import { resolveParallelism, sameParallelism, transitions, type Schedule } from '../schedule/schedule.js'

/** The application metrics a guard reads (namespace AWS/KinesisAnalytics, dimension Application), each as its Maximum. */
export type GuardMetric = 'containerCPUUtilization' | 'millisBehindLatest' | 'records_lag_max'

/**
 * The CPU at which the service's autoscaler doubles a job (held for 15 minutes): a smaller size
 * projected above it would be scaled straight back up, after two restarts instead of none.
 */
export const AUTOSCALER_SCALE_UP_CPU = 75

/** One limit to check: the metric's maximum over the look-back (CPU: projected onto the smaller size) must stay below it. */
export interface Limit {
  metric: GuardMetric
  limit: number
}

/** An update that would restart the job below the parallelism it runs now, and what judging it takes. */
export interface ScaleDown {
  /** CurrentParallelism: what the job runs at now. */
  current: number
  /** The parallelism the update restarts it at. */
  target: number
  /** The configured Parallelism found: with autoscaling on, the floor the service scales up from. */
  floor: number
  /** The service's autoscaler runs the job above its configured floor: capacity it added for load. */
  autoscaled: boolean
  /** A person asked for it (a manual target or a hold): applied whatever the check says, with a warning. */
  person?: 'manual' | 'hold'
  /** The metrics to read and their limits; empty: nothing to read. */
  limits: Limit[]
  /** The look-back the metrics are read over, in ms. */
  overMs: number
  /** How long the scale-down may wait past its change, in ms. */
  atMostMs: number
  /** The schedule change it belongs to (the last one to this target); undefined: more than a week ago, or a person's. */
  change?: Date
  /** "rule weekday-daytime", "the default", "the manual target": for the texts. */
  source: string
  /** The zone the wait's end is told in. */
  zone: string
}

/** What the metrics step read for one application. */
export interface Reading {
  /** Each metric's maximum over the look-back; a metric without a data point (or with only -1: not known yet) is absent. */
  maxima: Partial<Record<GuardMetric, number>>
  /** The read failed: what CloudWatch answered. */
  failed?: string
}

/** One reason a scale-down waits: the metric, its value and its limit (CPU: projected onto the smaller size). */
export interface Wait {
  metric: GuardMetric | 'CurrentParallelism'
  value: number
  limit: number
  /** containerCPUUtilization as measured, before the projection. */
  measured?: number
}

/** Why a scale-down waits, and until when at most. */
export interface Deferral {
  waitsFor: Wait[]
  until: Date
}

export type Verdict =
  /**
   * Go ahead. `note` joins the update's reason; `warning` (after the application's name, "orders:
   * the default (…) goes ahead …") is said in the log; `unchecked` names the metrics that could not be checked.
   */
  | { go: true; note?: string; warning?: string; unchecked: GuardMetric[] }
  /** Wait: nothing is changed and the next run checks again. */
  | { go: false; reason: string; deferral: Deferral }

export interface ScaleDownInput {
  state: ApplicationState
  desired: Desired
  /** The matched rule, `default`, `manual` or `hold`. */
  rule: string
  /** How the rule is named in texts ("rule weekday-daytime", "the default"). */
  source: string
  schedule?: Schedule
  /** The instant the schedule is evaluated at. */
  at: Date
}

/**
 * The scale-down an update is, or undefined when there is nothing to judge: the update does not
 * restart the job below what it runs now, or neither a guard nor the autoscaler's capacity asks
 * for a look first (the update then happens on time, as without this feature).
 */
export function scaleDownOf({ state, desired, rule, source, schedule, at }: ScaleDownInput): ScaleDown | undefined {
  const current = state.currentParallelism ?? state.parallelism
  if (desired.parallelism >= current) return undefined
  const guard = schedule?.guard
  const autoscaled = state.autoScalingEnabled && current > state.parallelism
  if (!guard && !autoscaled) return undefined
  const person = rule === 'manual' || rule === 'hold' ? rule : undefined
  const atMostMs = guard?.atMostMs ?? DEFAULT_AT_MOST_MS
  return {
    current,
    target: desired.parallelism,
    floor: state.parallelism,
    autoscaled,
    ...(person ? { person } : {}),
    limits: guard ? limitsOf(guard, autoscaled) : [],
    overMs: guard?.overMs ?? DEFAULT_OVER_MS,
    atMostMs,
    ...(!person && schedule ? changeOf(schedule, at, atMostMs, desired) : {}),
    source,
    zone: schedule?.timezone ?? 'UTC'
  }
}

/**
 * The limits to check. Under the autoscaler the smaller size must also stay below the CPU at which
 * the service would double it again, whatever the guard allows: else the scale-down costs two
 * restarts and ends where it started.
 */
function limitsOf(guard: Guard, autoscaled: boolean): Limit[] {
  const limits: Limit[] = []
  if (guard.lagMs !== undefined) limits.push({ metric: 'millisBehindLatest', limit: guard.lagMs })
  if (guard.recordsLag !== undefined) limits.push({ metric: 'records_lag_max', limit: guard.recordsLag })
  const cpu = autoscaled ? Math.min(guard.cpu ?? AUTOSCALER_SCALE_UP_CPU, AUTOSCALER_SCALE_UP_CPU) : guard.cpu
  if (cpu !== undefined) limits.push({ metric: 'containerCPUUtilization', limit: cpu })
  return limits
}

/** How far back the change a scale-down belongs to is looked for: a week beyond at-most covers every weekly schedule. */
const CHANGE_LOOK_BACK_MS = 7 * 24 * 3_600_000

/** The schedule's last change to this target before `at`; none within a week and at-most: the wait is long over. */
function changeOf(schedule: Schedule, at: Date, atMostMs: number, desired: Desired): { change?: Date } {
  const perKpu = desired.parallelismPerKpu
  const found = transitions(schedule, new Date(at.getTime() - atMostMs - CHANGE_LOOK_BACK_MS), at, sameParallelism(perKpu), perKpu)
    .filter((t) => resolveParallelism(t.to.target, perKpu) === desired.parallelism)
    .at(-1)
  return found ? { change: found.at } : {}
}

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
 */
export function judge(scaleDown: ScaleDown, reading: Reading | undefined, at: Date): Verdict {
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
  const cuts = scaleDown.autoscaled
    ? `the service's autoscaler runs it at parallelism ${scaleDown.current} (its floor is ${scaleDown.floor}); restarting it at ${scaleDown.target} cuts ${scaleDown.current - scaleDown.target} parallel tasks the service added for load`
    : undefined

  if (scaleDown.person) {
    const said = [
      cuts,
      failing.length > 0 ? `the guard's metrics show ${waitsText(failing, over)}` : undefined
    ].filter(Boolean)
    return {
      go: true,
      unchecked,
      ...(said.length > 0 ? { warning: `${scaleDown.source} (${restart}) was applied because a person asked for it, although ${said.join(', and ')}.` } : {}),
      ...(passing.length > 0 ? { note: ` The guard's metrics: ${passingText(passing, over)}.` } : {})
    }
  }

  const until = scaleDown.change ? new Date(scaleDown.change.getTime() + scaleDown.atMostMs) : undefined
  const passed = until === undefined || at >= until
  const waitedFor = (until: Date | undefined) =>
    until
      ? `after waiting ${describeDuration(scaleDown.atMostMs)} (at-most) since the ${localTime(scaleDown.change!, scaleDown.zone)} change`
      : `as the schedule has asked for it for more than a week`
  const autoscalerWaits = scaleDown.autoscaled && !cpuShown

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
        warning: `${scaleDown.source} (${restart}) goes ahead ${waitedFor(until)}, although ${why}.`
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

/** "millisBehindLatest at most 2s (limit 1m) and containerCPUUtilization 31%, 62% at the smaller size (limit 70%), over the last 15m". */
function passingText(waits: Wait[], over: string): string {
  return `${waits.map((w) => `${w.metric} ${w.metric === 'containerCPUUtilization' ? `at most ${valueText(w.metric, w.measured!)}, ${valueText(w.metric, w.value)} at the smaller size` : `at most ${valueText(w.metric, w.value)}`} (limit ${valueText(w.metric, w.limit)})`).join(' and ')}, over the last ${over}`
}

/** A metric's value as people read it: a duration, a percentage, a count of records or tasks. */
export function valueText(metric: Wait['metric'], value: number): string {
  if (metric === 'millisBehindLatest') return describeDuration(value)
  if (metric === 'containerCPUUtilization') return `${Math.round(value)}%`
  if (metric === 'records_lag_max') return `${Math.round(value)} records`
  return `parallelism ${value}`
}

/** "Wed 20:05 PST": an instant in the schedule's zone. */
export function localTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('ccc HH:mm ZZZZ')
}
