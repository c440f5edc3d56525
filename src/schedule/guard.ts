/**
 * The schedule's `guard`: when a scale-down is safe (limits on the job's own metrics, the look-back
 * they are read over, how long a scale-down may wait), parsed and described. Pure: the schedule
 * parser calls parseGuard; src/phases/guard.ts decides with it.
 */

/** When a scale-down may restart the job at fewer parallel tasks. Only the limits given are checked. */
export interface Guard {
  /** `cpu`: containerCPUUtilization, projected onto the smaller size, must stay below this percentage (1-100). */
  cpu?: number
  /** `lag`: millisBehindLatest (Kinesis sources) must be below this many milliseconds. */
  lagMs?: number
  /** `records-lag`: records_lag_max (Kafka sources) must be below this many records. */
  recordsLag?: number
  /** `over`: the look-back, in ms; the maximum over it counts. */
  overMs: number
  /** `at-most`: how long a scale-down may wait past the schedule change it belongs to, in ms. */
  atMostMs: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
export const DEFAULT_OVER_MS = 15 * MINUTE
/** The look-back is read at one data point a minute: 3h is 180 points a metric, 500 metrics a request. */
export const MAX_OVER_MS = 3 * HOUR
/** Managed Flink publishes its metrics once a minute: a shorter look-back may hold no data point. */
export const MIN_OVER_MS = MINUTE
export const DEFAULT_AT_MOST_MS = 2 * HOUR
export const MAX_AT_MOST_MS = 12 * HOUR

const GUARD_KEYS = ['cpu', 'lag', 'records-lag', 'over', 'at-most']
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR }

/** A problem in the guard: where (e.g. `guard, field "cpu"`), what is wrong, and what to do. */
export type GuardProblem = (where: string, problem: string, hint: string) => Error

/**
 * The `guard:` mapping of a schedule. `invalid` builds the error the parser throws for a problem,
 * so that guard errors read like every other schedule error.
 */
export function parseGuard(value: unknown, invalid: GuardProblem): Guard {
  const field = (key: string) => `guard, field ${quoted(key)}`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      'field "guard"',
      `expected a mapping, found ${Array.isArray(value) ? 'a list' : quoted(value)}`,
      'Write e.g. "guard: { lag: 60s, cpu: 70%, at-most: 2h }".'
    )
  }
  const fields = value as Record<string, unknown>
  for (const [key, item] of Object.entries(fields)) {
    if (!GUARD_KEYS.includes(key)) {
      throw invalid(field(key), 'unknown field in the guard', `Allowed fields are: ${GUARD_KEYS.join(', ')}. Check the spelling.`)
    }
    if (item === null || item === undefined) throw invalid(field(key), 'has no value', 'Give it a value, or remove the line.')
  }
  const guard: Guard = {
    overMs: fields.over === undefined ? DEFAULT_OVER_MS : window(fields.over, field('over'), invalid, { min: MIN_OVER_MS, max: MAX_OVER_MS }),
    atMostMs: fields['at-most'] === undefined ? DEFAULT_AT_MOST_MS : window(fields['at-most'], field('at-most'), invalid, { min: 0, max: MAX_AT_MOST_MS })
  }
  if (fields.cpu !== undefined) guard.cpu = percentage(fields.cpu, field('cpu'), invalid)
  if (fields.lag !== undefined) guard.lagMs = lag(fields.lag, field('lag'), invalid)
  if (fields['records-lag'] !== undefined) guard.recordsLag = records(fields['records-lag'], field('records-lag'), invalid)
  return guard
}

/** 70%, "70%", 70 or 70.5: a share of CPU from 1 to 100. */
function percentage(value: unknown, where: string, invalid: GuardProblem): number {
  const hint = 'Write the percentage the projected CPU must stay below, from 1% to 100%, e.g. "cpu: 70%".'
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined
  const match = text === undefined ? null : /^(\d+(?:\.\d+)?)\s*%?$/.exec(text)
  if (!match) throw invalid(where, `${quoted(value)} is not a percentage`, hint)
  const percent = Number(match[1])
  if (!(percent >= 1 && percent <= 100)) throw invalid(where, `${quoted(value)} is not a percentage from 1 to 100`, hint)
  return percent
}

/** "60s", "90s", "2m", "500ms": how far behind the source the job may be. */
function lag(value: unknown, where: string, invalid: GuardProblem): number {
  const hint = 'Write a duration with its unit, e.g. "lag: 60s" or "lag: 5m" (ms, s, m or h).'
  if (typeof value === 'number') throw invalid(where, `${value} has no unit`, hint)
  const ms = typeof value === 'string' ? durationMs(value) : undefined
  if (ms === undefined) throw invalid(where, `${quoted(value)} is not a duration`, hint)
  if (ms <= 0) throw invalid(where, `${quoted(value)} is not longer than 0`, hint)
  return ms
}

/** A whole number of records, 1 or more. */
function records(value: unknown, where: string, invalid: GuardProblem): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  const quotedNumber = typeof value === 'string' && /^\s*\d+\s*$/.test(value)
  throw invalid(
    where,
    `${quoted(value)} is not a positive whole number`,
    quotedNumber ? 'Write the number without quotes.' : 'Write how many records the Kafka consumer may lag behind, e.g. "records-lag: 100000".'
  )
}

/** `over` and `at-most`: minutes or hours with their unit, within bounds. */
function window(value: unknown, where: string, invalid: GuardProblem, bounds: { min: number; max: number }): number {
  const hint = `Write minutes or hours with their unit, e.g. "15m" or "2h", from ${describeDuration(bounds.min)} to ${describeDuration(bounds.max)}.`
  if (typeof value === 'number') throw invalid(where, `${value} has no unit`, hint)
  const match = typeof value === 'string' ? /^(\d+)([mh])$/.exec(value.trim()) : null
  if (!match) throw invalid(where, `${quoted(value)} is not a duration in minutes or hours`, hint)
  const ms = Number(match[1]) * UNIT_MS[match[2]]
  if (ms > bounds.max) throw invalid(where, `${quoted(value)} is longer than ${describeDuration(bounds.max)}`, hint)
  if (ms < bounds.min) throw invalid(where, `${quoted(value)} is shorter than ${describeDuration(bounds.min)}`, hint)
  return ms
}

/** "60s" → 60000, "500ms" → 500, "2m", "1h"; undefined when it is not one number and one unit. */
function durationMs(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim())
  if (!match) return undefined
  const ms = Number(match[1]) * UNIT_MS[match[2]]
  return Number.isSafeInteger(ms) ? ms : undefined
}

/** A duration as people write it: "250ms", "45s", "5m12s", "2h", "1h30m". */
export function describeDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const seconds = Math.round(ms / 1000)
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60]
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`
  if (m > 0) return `${m}m${s > 0 ? `${s}s` : ''}`
  return `${s}s`
}

/**
 * The CPU at which the service's autoscaler doubles a job (held for 15 minutes): under it, a smaller
 * size projected above this would be scaled straight back up, so the guard's CPU limit is never higher.
 */
export const AUTOSCALER_SCALE_UP_CPU = 75

/**
 * What the guard does, as words that follow "it" ("A guard watches every scale-down: it …"):
 * "waits while millisBehindLatest is at or above 1m or containerCPUUtilization at or above 70% at
 * the smaller size (the maximum over the last 15m), for at most 2h after the change". A check
 * fails at its limit, hence "at or above". A guard without limits keeps only the autoscaler rule
 * (its CPU check, over `over`) and at-most, and says so.
 */
export function describeGuard(guard: Guard): string {
  // "millisBehindLatest is at or above 1m, records_lag_max at or above 5000 or containerCPUUtilization at or above 70% at the smaller size".
  const limits = [
    guard.lagMs !== undefined ? ['millisBehindLatest', describeDuration(guard.lagMs)] : undefined,
    guard.recordsLag !== undefined ? ['records_lag_max', String(guard.recordsLag)] : undefined,
    guard.cpu !== undefined ? ['containerCPUUtilization', `${guard.cpu}% at the smaller size`] : undefined
  ]
    .filter((limit): limit is string[] => limit !== undefined)
    .map(([metric, limit], i) => `${metric} ${i === 0 ? 'is at or above' : 'at or above'} ${limit}`)
  const over = `(the maximum over the last ${describeDuration(guard.overMs)})`
  const atMost = `for at most ${describeDuration(guard.atMostMs)} after the change`
  if (limits.length === 0) {
    const autoscaler = `the service's autoscaler runs the job above its floor and containerCPUUtilization is at or above ${AUTOSCALER_SCALE_UP_CPU}% at the smaller size ${over}`
    return guard.atMostMs > 0
      ? `sets no limits of its own, so a scale-down waits only while ${autoscaler}, ${atMost}`
      : `sets no limits of its own and never waits (at-most 0): it warns when ${autoscaler}`
  }
  const above = limits.length === 1 ? limits[0] : `${limits.slice(0, -1).join(', ')} or ${limits.at(-1)}`
  return guard.atMostMs > 0 ? `waits while ${above} ${over}, ${atMost}` : `never waits (at-most 0): it warns when ${above} ${over}`
}

function quoted(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = '{...}'
  }
  text = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
