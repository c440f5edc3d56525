/**
 * Pending scale-downs (pure): which updates would restart a job below the parallelism it runs now,
 * and what must be read to judge them (the guard's limits, the service's autoscaler, at-most, who
 * asked). The verdict on the values read is guard.ts's, loaded only when there is one to judge.
 */
import { atTarget, type ApplicationState, type Desired } from './application.js'
import { AUTOSCALER_SCALE_UP_CPU, DEFAULT_AT_MOST_MS, DEFAULT_OVER_MS, describeDuration, type Guard } from '../schedule/guard.js'
import { resolveParallelism, sameParallelism, transitions, type Schedule, type Target } from '../schedule/schedule.js'

/** The application metrics a guard reads (namespace AWS/KinesisAnalytics, dimension Application), each as its Maximum. */
export type GuardMetric = 'containerCPUUtilization' | 'millisBehindLatest' | 'records_lag_max'

/** The CPU at which the service's autoscaler doubles a job: the guard's CPU limit under it is never higher. */
export { AUTOSCALER_SCALE_UP_CPU }

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
  /**
   * The schedule change it belongs to: the one since which the schedule has asked, without a break,
   * for a restart below what the job runs now (however many steps down it took since); undefined:
   * more than a week before at-most, or a person's.
   */
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
    ...(!person && schedule ? changeOf(schedule, at, atMostMs, state, desired, current) : {}),
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
export const CHANGE_LOOK_BACK_MS = 7 * 24 * 3_600_000

/**
 * The change the scale-down belongs to: the last one before `at` after which the schedule has asked
 * at every instant for an update that restarts the job below `current` (a target below it, other
 * than the configured parallelism, which asks for no update at all). A scale-down in steps (20 → 15
 * at 18:00, → 12 at 18:50) thus counts at-most from its first step, so the wait's end a run
 * promises never moves later at the next run; a target at or above `current` in between (the
 * schedule back up) breaks the stretch, and the clock starts again after it. None within a week
 * and at-most: the wait is long over.
 */
function changeOf(schedule: Schedule, at: Date, atMostMs: number, state: ApplicationState, desired: Desired, current: number): { change?: Date } {
  const perKpu = desired.parallelismPerKpu
  const cuts = (target: Target) => {
    const parallelism = resolveParallelism(target, perKpu)
    return parallelism < current && !atTarget(state, { ...desired, parallelism })
  }
  const found = transitions(schedule, new Date(at.getTime() - atMostMs - CHANGE_LOOK_BACK_MS), at, sameParallelism(perKpu), perKpu)
  for (let i = found.length - 1; i >= 0; i--) if (!cuts(found[i].from.target)) return { change: found[i].at }
  return {}
}

/** A metric's value as people read it: a duration, a percentage, a count of records or tasks. */
export function valueText(metric: Wait['metric'], value: number): string {
  if (metric === 'millisBehindLatest') return describeDuration(value)
  if (metric === 'containerCPUUtilization') return `${Math.round(value)}%`
  if (metric === 'records_lag_max') return `${Math.round(value)} records`
  return `parallelism ${value}`
}
