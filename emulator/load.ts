/**
 * The load on an emulated Flink job and the metrics it publishes. A load curve says how much work
 * arrives at any instant, past or future, in KPU-equivalents (the work one KPU, one vCPU, does flat
 * out); the job's capacity is the KPUs it runs on (0 while it restarts). From the two:
 *
 * - containerCPUUtilization: load ÷ capacity per task manager container (one per KPU, a few points
 *   apart, as containers of a real job are), 100% while the job is behind and catching up;
 * - millisBehindLatest (Kinesis sources): how far behind the newest record the job reads, found by
 *   integrating: the job works through the data that arrived at instant p at capacity ÷ load(p)
 *   seconds of data per second, so a backlog grows while load exceeds capacity (or the job is
 *   down) and drains when it does not. The connector reports -1 in the first minute after a start,
 *   before it knows;
 * - records_lag_max (Kafka sources): the same backlog in records;
 * - KPUs: the KPUs billed (the running parallelism's, plus the one that runs the application).
 *
 * Metrics are published once a minute, as Managed Flink publishes them: the minute [m, m + 60 s)
 * is stamped m and can be read from m + 60 s. Curves and synthesis are plain functions of time, so
 * that history can be computed for any past span from a known start.
 */

/** Work arriving at an instant (epoch ms), in KPU-equivalents. */
export type LoadCurve = (t: number) => number

/** Curves to build a job's day from. */
export const loadCurves = {
  /** The same load at every instant. */
  constant: (kpu: number): LoadCurve => () => kpu,
  /**
   * `initial` until the first step, then each step's load from its instant on (epoch ms or ISO
   * text): "busy until T, then idle" is steps(12, [[T, 1]]).
   */
  steps: (initial: number, steps: readonly (readonly [at: number | string, kpu: number])[]): LoadCurve => {
    const parsed = steps.map(([at, kpu]) => [typeof at === 'number' ? at : Date.parse(at), kpu] as const).sort((a, b) => a[0] - b[0])
    return (t) => {
      let load = initial
      for (const [at, kpu] of parsed) {
        if (t < at) break
        load = kpu
      }
      return load
    }
  },
  /**
   * A weekly shape in a time zone: the load of each local hour of the day (24 values), one list for
   * weekdays and, optionally, another for weekends; linear within the hour towards the next.
   */
  daily: ({ zone, weekdays, weekends = weekdays }: { zone: string; weekdays: readonly number[]; weekends?: readonly number[] }): LoadCurve => {
    const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: 'numeric', minute: 'numeric' })
    // Zones change their offset on whole quarter hours at most: the local hour is looked up once per quarter.
    const quarters = new Map<number, { hour: number; minute: number; weekend: boolean }>()
    return (t) => {
      const quarter = Math.floor(t / 900_000)
      let local = quarters.get(quarter)
      if (!local) {
        const parts = format.formatToParts(new Date(quarter * 900_000))
        const weekday = parts.find((p) => p.type === 'weekday')?.value
        const number = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
        local = { hour: number('hour'), minute: number('minute'), weekend: weekday === 'Sat' || weekday === 'Sun' }
        if (quarters.size > 10_000) quarters.clear()
        quarters.set(quarter, local)
      }
      const hours = local.weekend ? weekends : weekdays
      const from = hours[local.hour] ?? 0
      const to = hours[(local.hour + 1) % 24] ?? from
      const minute = local.minute + (t - quarter * 900_000) / 60_000
      return from + ((to - from) * minute) / 60
    }
  },
  /**
   * A week in a time zone, hour by hour: `load(weekday, hour)` for each local hour (ISO weekday,
   * 1 = Monday; hour 0-23), the same all through the hour. "Weekdays 08-18 at 7, Saturday 01-05
   * at 9.5, 2 otherwise" is one function.
   */
  weekly: ({ zone, load }: { zone: string; load: (weekday: number, hour: number) => number }): LoadCurve => {
    const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: 'numeric' })
    const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }
    const quarters = new Map<number, number>()
    return (t) => {
      const quarter = Math.floor(t / 900_000)
      let value = quarters.get(quarter)
      if (value === undefined) {
        const parts = format.formatToParts(new Date(quarter * 900_000))
        const weekday = weekdays[parts.find((p) => p.type === 'weekday')?.value ?? 'Mon']
        value = load(weekday, Number(parts.find((p) => p.type === 'hour')?.value ?? 0))
        if (quarters.size > 10_000) quarters.clear()
        quarters.set(quarter, value)
      }
      return value
    }
  }
}

/** What the job runs on over a stretch of time. */
export interface Capacity {
  /** The job processes records (RUNNING, or AUTOSCALING/UPDATING before it stops). */
  running: boolean
  /** KPUs the job runs on: ceil(running parallelism / ParallelismPerKPU). */
  kpus: number
  /** KPUs billed while the application runs (kpus + 1); undefined while it is stopped. */
  billedKpus?: number
  /** When the job last started: in that minute the connector does not know its lag yet. */
  startedAt?: number
}

/** The metrics one minute published, in AWS/KinesisAnalytics with the dimension Application. */
export interface MinuteSample {
  /** The minute's start (epoch ms, emulated clock); readable from t + 60 s. */
  t: number
  /** One value per task manager container; none while the job ran no part of the minute. */
  containerCPUUtilization?: number[]
  /** The containers' average. */
  cpuUtilization?: number
  /** The largest lag of the minute, ms; -1 in the minute the job started. Kinesis sources. */
  millisBehindLatest?: number
  /** The largest backlog of the minute, records. Kafka sources. */
  records_lag_max?: number
  KPUs?: number
}

/** The metrics a job publishes, their units as CloudWatch holds them. */
export const LOAD_METRIC_UNITS: Record<Exclude<keyof MinuteSample, 't'>, string> = {
  containerCPUUtilization: 'Percent',
  cpuUtilization: 'Percent',
  millisBehindLatest: 'Milliseconds',
  records_lag_max: 'Count',
  KPUs: 'Count'
}

export interface JobLoadOptions {
  curve: LoadCurve
  /** Where the job reads from: 'kinesis' publishes millisBehindLatest, 'kafka' records_lag_max. Default 'kinesis'. */
  source?: 'kinesis' | 'kafka'
  /** Records a KPU-second of work is (for records_lag_max). Default 1000. */
  recordsPerKpuSecond?: number
  /** Where the simulation starts (epoch ms): caught up, at the capacity the job then has. */
  start: number
}

const MINUTE = 60_000
const STEP = 1_000
/** How far apart the busiest and the idlest container of a job are, in points of CPU. */
const CONTAINER_SPREAD = 6

/** One job under its load curve, integrated forward in one-second steps; its published minutes kept. */
export class JobLoad {
  readonly curve: LoadCurve
  readonly source: 'kinesis' | 'kafka'
  private readonly recordsPerKpuSecond: number
  /** How far the simulation has run (epoch ms). */
  t: number
  /** The arrival time of the data the job reads now; t - position is its lag. */
  private position: number
  /** Work arrived and not yet done, KPU-seconds. */
  private backlog = 0
  /** Every published minute, oldest first. */
  readonly samples: MinuteSample[] = []
  private minute: { cpuSum: number; cpuSteps: number; lagMax: number; recordsMax: number; ran: boolean; kpus: number; billed?: number; startedAt?: number }

  constructor(options: JobLoadOptions) {
    this.curve = options.curve
    this.source = options.source ?? 'kinesis'
    this.recordsPerKpuSecond = options.recordsPerKpuSecond ?? 1000
    this.t = options.start
    this.position = options.start
    this.minute = this.freshMinute()
  }

  /** Lag now, ms (0 when caught up). */
  get lagMs(): number {
    return Math.max(0, this.t - this.position)
  }

  /** Backlog now, in records. */
  get recordsLag(): number {
    return Math.round(this.backlog * this.recordsPerKpuSecond)
  }

  /**
   * Runs the job forward to `until` at `capacity`, stopping early at the first minute boundary it
   * crosses: the minute published there is returned (the autoscaler looks at each one).
   */
  advance(until: number, capacity: Capacity): MinuteSample | undefined {
    while (this.t < until) {
      const boundary = (Math.floor(this.t / MINUTE) + 1) * MINUTE
      const end = Math.min(until, boundary, this.t + STEP)
      this.step(end - this.t, capacity)
      if (this.t === boundary) return this.publish(boundary - MINUTE)
    }
    return undefined
  }

  private step(ms: number, capacity: Capacity): void {
    const dt = ms / 1000
    const t = this.t
    const load = Math.max(0, this.curve(t))
    const minute = this.minute
    minute.kpus = capacity.kpus
    minute.billed = capacity.billedKpus ?? minute.billed
    if (capacity.startedAt !== undefined) minute.startedAt = capacity.startedAt
    if (capacity.running && capacity.kpus > 0) {
      const cap = capacity.kpus
      this.backlog = Math.max(0, this.backlog + (load - cap) * dt)
      if (this.position >= t) {
        // Caught up: it keeps up, or falls behind at cap / load seconds of data a second.
        this.position = load <= cap ? t + ms : t + ms * (cap / load)
      } else {
        const density = Math.max(this.curve(this.position), 1e-9)
        this.position = Math.min(t + ms, this.position + ms * (cap / density))
      }
      const behind = this.position < t + ms || this.backlog > 0
      minute.cpuSum += behind ? 100 : Math.min(100, (load / cap) * 100)
      minute.cpuSteps++
      minute.ran = true
    } else {
      this.backlog += load * dt
    }
    this.t = t + ms
    minute.lagMax = Math.max(minute.lagMax, this.lagMs)
    minute.recordsMax = Math.max(minute.recordsMax, this.recordsLag)
  }

  private publish(t: number): MinuteSample {
    const m = this.minute
    const sample: MinuteSample = { t }
    if (m.billed !== undefined) sample.KPUs = m.billed
    if (m.ran) {
      const average = m.cpuSum / m.cpuSteps
      const containers = Math.max(1, m.kpus)
      sample.containerCPUUtilization = Array.from({ length: containers }, (_, i) => containerCpu(average, i, containers))
      sample.cpuUtilization = cpuPercent(average)
      const started = m.startedAt !== undefined && m.startedAt >= t && m.startedAt < t + MINUTE
      if (this.source === 'kinesis') sample.millisBehindLatest = started ? -1 : Math.round(m.lagMax)
      else sample.records_lag_max = m.recordsMax
    }
    this.samples.push(sample)
    this.minute = this.freshMinute()
    return sample
  }

  private freshMinute() {
    return { cpuSum: 0, cpuSteps: 0, lagMax: this.lagMs, recordsMax: this.recordsLag, ran: false, kpus: 0 }
  }
}

/**
 * The CPU of container `index` of `containers` when the job's average is `average`: containers
 * share the work unevenly, spread around the average, the average kept.
 */
export function containerCpu(average: number, index: number, containers: number): number {
  const offset = containers === 1 ? 0 : ((index / (containers - 1)) * 2 - 1) * (CONTAINER_SPREAD / 2)
  return cpuPercent(average + offset)
}

/** A CPU utilization as published: 0-100 %, to two decimals. */
export function cpuPercent(percent: number): number {
  return Math.round(Math.min(100, Math.max(0, percent)) * 100) / 100
}
