/**
 * An application's past, hour by hour (KPUs and CPU as CloudWatch has them), the size each past hour
 * needed, and those needs folded into one week of local wall-clock hours. Pure: no clock, no AWS;
 * the look-back, the zone and the aimed utilization are parameters.
 */
import { IANAZone } from 'luxon'
import { ScalerError } from '../errors.js'
import { utcOffset } from './schedule.js'

/**
 * The percentile of `containerCPUUtilization` that sizes an hour. The hour's Maximum is its single
 * busiest sample of the busiest container: a checkpoint, a garbage collection, the catch-up after a
 * restart (which every scheduled change causes). Sized for it, every hour would be sized for its
 * worst minute. p90 is the level the hour ran at for all but its busiest tenth (six minutes at
 * one-minute samples), so load that lasts, like the 15 minutes the service's autoscaler waits for,
 * shows in it; the headroom under `suggest-utilization` is for the short peaks above it.
 */
export const CPU_PERCENTILE = 'p90'

/** The least history a suggestion is made from: one of each hour of the week. */
export const MIN_HOURS = 7 * 24

const HOUR = 3_600_000
const DAY = 86_400_000

/** One hour of an application's CloudWatch metrics (namespace AWS/KinesisAnalytics, dimension Application). */
export interface HourlyMetrics {
  /** The start of the hour. */
  at: Date
  /** `KPUs`, Average over the hour. Counts the one extra KPU the service runs for orchestration. */
  kpus?: number
  /** `containerCPUUtilization`, the CPU_PERCENTILE over the hour, in percent. */
  cpu?: number
  /** `containerCPUUtilization`, Maximum over the hour, in percent. */
  cpuMax?: number
}

/** What CloudWatch had for one application over the look-back. */
export interface History {
  application: string
  /** The application's ParallelismPerKPU now: KPU targets are counted at it. */
  parallelismPerKpu: number
  /** The look-back, [from, to), on whole hours. */
  from: Date
  to: Date
  /**
   * At most one entry per hour start, in any order. An hour that is absent, or has no KPUs and no
   * CPU, had no data (the application was stopped, or did not exist yet).
   */
  hours: HourlyMetrics[]
}

/** One past hour with data, and the size it needed. */
export interface PastHour {
  /** The start of the hour. */
  at: Date
  /** KPUs that ran tasks (KPUs − 1: the orchestration KPU runs none), an hourly average. */
  ranKpu: number
  /** The parallelism that ran: ranKpu × ParallelismPerKPU. */
  ranParallelism: number
  /** The CPU statistic that sizes the hour (CPU_PERCENTILE, else the Maximum), in percent. */
  cpu: number
  /** The hour's Maximum, in percent, when published. */
  cpuMax?: number
  /** The fewest KPUs (at least 1) that would have kept the projected `cpu` at or under the aim. */
  neededKpu: number
}

/** The hours of a look-back that had data, each with the size it needed. */
export interface Needs {
  application: string
  parallelismPerKpu: number
  from: Date
  to: Date
  /** The aimed utilization, in percent (30 ... 90). */
  utilization: number
  /** The hours with data, in time order. */
  hours: PastHour[]
  /** Every hour of the look-back. */
  lookBackHours: number
  /** Hours of the look-back without data: stopped, or not yet created. */
  hoursWithoutData: number
}

/**
 * The fewest KPUs that carry an hour at the aimed utilization: projected CPU = `cpu` × `ranKpu` /
 * candidate must stay at or under `utilization` (all in percent). At one ParallelismPerKPU this is
 * the projection in parallelism (observed CPU × parallelism that ran / candidate parallelism); in
 * KPUs it stays right when the ParallelismPerKPU changes, since a KPU is one vCPU whatever it runs.
 */
export function neededKpu(ranKpu: number, cpu: number, utilization: number): number {
  const exact = (cpu * ranKpu) / utilization
  // A relative margin, so that 60 × 5 / 60 does not become 6 through rounding.
  return Math.max(1, Math.ceil(exact * (1 - 1e-9)))
}

/** Projected CPU utilization, in percent, of `cpu` observed at `ranKpu` when run at `kpu`. */
export function projectedCpu(cpu: number, ranKpu: number, kpu: number): number {
  return (cpu * ranKpu) / kpu
}

/**
 * The needed size of every past hour with data. An hour without KPUs takes those of the hour before
 * when that hour had them: the service publishes KPUs about once an hour, so one may land in the
 * next hour. An hour without CPU, or with no KPUs that ran tasks, has no data. Fewer than
 * MIN_HOURS hours with data is a ScalerError that says how much there was.
 */
export function pastNeeds(history: History, utilization: number): Needs {
  const from = history.from.getTime()
  const to = history.to.getTime()
  if (!(to > from) || from % HOUR !== 0 || to % HOUR !== 0) throw new RangeError(`history: the look-back ${history.from.toISOString()} ... ${history.to.toISOString()} is not whole hours`)
  if (!(utilization > 0 && utilization <= 100)) throw new RangeError(`history: utilization ${utilization} is not a percentage`)
  if (!(history.parallelismPerKpu >= 1)) throw new RangeError(`history: ParallelismPerKPU ${history.parallelismPerKpu}`)
  const byHour = new Map<number, HourlyMetrics>()
  for (const hour of history.hours) {
    const t = hour.at.getTime()
    if (!(t >= from && t < to)) throw new RangeError(`history: ${hour.at.toISOString()} is outside the look-back`)
    if (byHour.has(t)) throw new RangeError(`history: two entries for ${hour.at.toISOString()}`)
    byHour.set(t, hour)
  }
  const hours: PastHour[] = []
  for (const t of [...byHour.keys()].sort((a, b) => a - b)) {
    const metrics = byHour.get(t)!
    const kpus = metrics.kpus ?? byHour.get(t - HOUR)?.kpus
    const cpu = metrics.cpu ?? metrics.cpuMax
    if (kpus === undefined || cpu === undefined || !Number.isFinite(kpus) || !Number.isFinite(cpu) || kpus - 1 <= 0 || cpu < 0) continue
    const ranKpu = kpus - 1
    const hour: PastHour = {
      at: new Date(t),
      ranKpu,
      ranParallelism: ranKpu * history.parallelismPerKpu,
      cpu,
      neededKpu: neededKpu(ranKpu, cpu, utilization)
    }
    if (metrics.cpuMax !== undefined && Number.isFinite(metrics.cpuMax)) hour.cpuMax = metrics.cpuMax
    hours.push(hour)
  }
  const lookBackHours = (to - from) / HOUR
  if (hours.length < MIN_HOURS) {
    throw new ScalerError(
      `Application "${history.application}" has metrics for ${describeHours(hours.length)} of the ${describeHours(lookBackHours)} looked back on; a suggestion needs at least 7 days of them.`,
      {
        hint:
          lookBackHours >= 63 * 24
            ? 'Suggest again once the application has run for a week.'
            : 'Suggest again once the application has run for a week, or look further back (suggest: up to 63d) if it ran before; hours when it was stopped have no metrics.'
      }
    )
  }
  return {
    application: history.application,
    parallelismPerKpu: history.parallelismPerKpu,
    from: history.from,
    to: history.to,
    utilization,
    hours,
    lookBackHours,
    hoursWithoutData: lookBackHours - hours.length
  }
}

/** "3 days and 4 hours", "28 days", "5 hours". */
export function describeHours(hours: number): string {
  const days = Math.floor(hours / 24)
  const rest = hours % 24
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`
  if (days === 0) return part(rest, 'hour')
  return rest === 0 ? part(days, 'day') : `${part(days, 'day')} and ${part(rest, 'hour')}`
}

// ---------------------------------------------------------------------------------------------
// The week

/** The hours of a local week: Monday 00:00 ... Sunday 23:00, cell (isoWeekday − 1) × 24 + hour. */
export const WEEK_HOURS = 7 * 24

/** Past needs folded into the hours of a local week. */
export interface WeekNeeds {
  /** IANA zone of the wall clock. */
  timezone: string
  /**
   * Per cell: the KPUs each past hour in it needed, largest first; none when no past hour falls in
   * it (no data at that hour of the week, or the hour a spring-forward skips, in a look-back of a week).
   */
  cells: number[][]
}

/**
 * The cells of a local week that the hour starting at `at` overlaps, in the zone's wall clock. In a
 * zone on whole hours that is one cell: the local hour it starts in. A fall-back repeats a local
 * hour, and both past hours land in its cell; a spring-forward skips one, which gets none that
 * week. Where the offset is not whole hours (Asia/Kolkata), an hour straddles two local hours and
 * counts in both, so that a schedule on whole hours carries it whichever it is in.
 */
export function weekCells(timezone: string, at: Date): number[] {
  const cellOf = (t: number) => {
    const wall = t + utcOffset(timezone, new Date(t)) * 60_000
    const day = Math.floor(wall / DAY)
    // Day 0, 1970-01-01, was a Thursday: ISO weekday 4, cell 72.
    return (((day + 3) % 7) + 7) % 7 * 24 + Math.floor((wall - day * DAY) / HOUR)
  }
  const t = at.getTime()
  const first = cellOf(t)
  const last = cellOf(t + HOUR - 1)
  return first === last ? [first] : [first, last]
}

/** Folds past hours into the week of `timezone`, each into the cells it overlaps. */
export function foldWeek(hours: readonly PastHour[], timezone: string): WeekNeeds {
  if (!IANAZone.isValidZone(timezone)) throw new RangeError(`history: unknown zone ${timezone}`)
  const cells: number[][] = Array.from({ length: WEEK_HOURS }, () => [])
  for (const hour of hours) for (const cell of weekCells(timezone, hour.at)) cells[cell].push(hour.neededKpu)
  for (const cell of cells) cell.sort((a, b) => b - a)
  return { timezone, cells }
}
