/**
 * The past of an emulated application, synthesised from its load curve: the weeks of metrics
 * CloudWatch holds about it, without running its job second by second through them (load.ts does
 * that from the simulation's start on).
 *
 * Each minute the job ran is taken as steady: its CPU is the minute's load on the KPUs it ran on
 * (100% when the load is more than they do, as a job that falls behind shows), spread over one
 * container per KPU as load.ts spreads it. No backlog is carried from one minute to the next, so
 * the lag metrics (millisBehindLatest, records_lag_max) are not synthesised. Published, in
 * AWS/KinesisAnalytics with the dimension Application:
 *
 * - containerCPUUtilization, one value per container, and cpuUtilization, every minute it ran;
 * - KPUs once an hour, as the service publishes it: the hour's average of the KPUs billed (those
 *   that ran the job plus the one that orchestrates it), stamped at the start of the hour. Where in
 *   the hour the service stamps it is not documented; the start keeps it in its own hour for any
 *   hourly period.
 *
 * A minute is computed once, when first read (a Float64Array of CPU and a Uint16Array of KPUs over
 * the span, a few hundred kB for 63 days), and the data points are made at the grain a query needs
 * (a minute, five minutes or an hour, whole grains per period): one aggregate each, kept once made
 * (CloudWatch stores what it answers from), whose raw values are made only when a percentile needs
 * them and whose percentiles are kept once found.
 */
import { containerCpu, cpuPercent, type LoadCurve } from './load.js'
import { nearestRank, type Distribution, type SourceSample } from './metric-data.js'

/** An application's past, as seeded. */
export interface SeedHistory {
  /** The work that arrived at each instant, in KPU-equivalents (loadCurves in load.ts). */
  curve: LoadCurve
  /** How many days back from `until` it starts; or `since`. */
  days?: number
  /** The first instant with data (epoch ms or ISO text, emulator clock), instead of `days`. */
  since?: number | string
  /**
   * Where it ends (exclusive; epoch ms or ISO text, emulator clock). Default: where the seeded
   * load's simulation starts, else the moment it is seeded. Rounded down to the minute.
   */
  until?: number | string
  /**
   * The parallelism the job ran at: a number, or one for each instant (0 while the application was
   * stopped: no metrics). Default: the configured parallelism it is seeded with.
   */
  parallelism?: number | ((t: number) => number)
}

const MINUTE = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

/** The metrics a history publishes, and their units. */
const UNITS: Record<string, string> = { containerCPUUtilization: 'Percent', cpuUtilization: 'Percent', KPUs: 'Count' }

export class SynthesisedHistory {
  /** [from, to), on whole minutes, emulator clock. */
  readonly from: number
  readonly to: number
  private readonly curve: LoadCurve
  private readonly parallelism: (t: number) => number
  private readonly perKpu: number
  private minutes?: { cpu: Float64Array; kpus: Uint16Array }
  /** The aggregates made so far, by metric and grain, then by the grain's start: CloudWatch's stored data, made when first read. */
  private readonly grains = new Map<string, Map<number, Distribution | null>>()

  constructor(seed: SeedHistory, defaults: { parallelism: number; parallelismPerKpu: number; until: number }) {
    const instant = (value: number | string) => (typeof value === 'number' ? value : Date.parse(value))
    const until = seed.until === undefined ? defaults.until : instant(seed.until)
    this.to = Math.floor(until / MINUTE) * MINUTE
    const since = seed.since !== undefined ? instant(seed.since) : seed.days !== undefined ? this.to - seed.days * DAY : NaN
    this.from = Math.ceil(since / MINUTE) * MINUTE
    if (!Number.isFinite(this.from) || !Number.isFinite(this.to) || this.from >= this.to) {
      throw new Error(`history: give days or since, before until (${String(seed.since ?? seed.days)} … ${String(seed.until ?? 'the load or now')})`)
    }
    this.curve = seed.curve
    const parallelism = seed.parallelism ?? defaults.parallelism
    this.parallelism = typeof parallelism === 'number' ? () => parallelism : parallelism
    this.perKpu = defaults.parallelismPerKpu
  }

  /**
   * The data points of `metric` in [from, to) (emulator clock): one per `grainMs` that had data
   * (KPUs: one per hour).
   */
  samples(metric: string, from: number, to: number, grainMs: number): SourceSample[] {
    const unit = UNITS[metric]
    if (!unit) return []
    const end = Math.min(to, this.to)
    // The first grain (or hour) that has data, not before `from`: a grain that starts before the history does.
    const first = (grain: number) => Math.max(Math.ceil(from / grain) * grain, Math.floor(this.from / grain) * grain)
    if (Math.max(from, this.from) >= end) return []
    const { cpu, kpus } = this.table()
    const index = (t: number) => (t - this.from) / MINUTE
    const out: SourceSample[] = []
    if (metric === 'KPUs') {
      for (let hour = first(HOUR); hour < end; hour += HOUR) {
        let billed = 0
        let ran = 0
        for (let m = Math.max(0, index(hour)); m < Math.min(kpus.length, index(hour + HOUR)); m++) {
          if (kpus[m] === 0) continue
          billed += kpus[m] + 1
          ran++
        }
        if (ran > 0) out.push({ t: hour, values: [billed / ran], unit })
      }
      return out
    }
    const known = this.grains.get(`${metric}|${grainMs}`) ?? new Map<number, Distribution | null>()
    this.grains.set(`${metric}|${grainMs}`, known)
    for (let grain = first(grainMs); grain < end; grain += grainMs) {
      // A grain cut short by the end of the history is made again when read again.
      const whole = grain + grainMs <= this.to
      let distribution = whole ? known.get(grain) : undefined
      if (distribution === undefined) {
        distribution = this.distribution(metric === 'containerCPUUtilization', Math.max(0, index(grain)), Math.min(cpu.length, index(grain + grainMs)))
        if (whole) known.set(grain, distribution)
      }
      if (distribution) out.push({ t: grain, distribution, unit })
    }
    return out
  }

  /**
   * The CPU values of minutes [first, last) of the table: every container's (`containers`), else the
   * job's average; null when the job ran in none of them. Its percentiles are kept once found.
   */
  private distribution(containers: boolean, first: number, last: number): Distribution | null {
    const { cpu, kpus } = this.table()
    // Plain loops, no callbacks: a fleet's weeks are millions of values.
    const fill = (into?: Float64Array) => {
      let count = 0
      let sum = 0
      let min = Infinity
      let max = -Infinity
      for (let m = first; m < last; m++) {
        const k = kpus[m]
        if (k === 0) continue
        const n = containers ? k : 1
        for (let i = 0; i < n; i++) {
          const v = containers ? containerCpu(cpu[m], i, k) : cpuPercent(cpu[m])
          if (into) into[count] = v
          count++
          sum += v
          if (v < min) min = v
          if (v > max) max = v
        }
      }
      return { count, sum, min, max }
    }
    const { count, sum, min, max } = fill()
    if (count === 0) return null
    const values = () => {
      const raw = new Float64Array(count)
      fill(raw)
      return raw
    }
    const percentiles = new Map<number, number>()
    const percentile = (p: number) => {
      if (!percentiles.has(p)) percentiles.set(p, nearestRank(values(), p))
      return percentiles.get(p)!
    }
    return { count, sum, min, max, values, percentile }
  }

  /** Every minute's average CPU and the KPUs that ran the job (0: stopped), computed once. */
  private table(): { cpu: Float64Array; kpus: Uint16Array } {
    if (this.minutes) return this.minutes
    const n = (this.to - this.from) / MINUTE
    const cpu = new Float64Array(n)
    const kpus = new Uint16Array(n)
    for (let m = 0; m < n; m++) {
      const middle = this.from + m * MINUTE + MINUTE / 2
      const parallelism = this.parallelism(middle)
      if (!(parallelism > 0)) continue
      const k = Math.ceil(parallelism / this.perKpu)
      kpus[m] = k
      cpu[m] = Math.min(100, (Math.max(0, this.curve(middle)) / k) * 100)
    }
    this.minutes = { cpu, kpus }
    return this.minutes
  }
}
