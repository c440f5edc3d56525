/**
 * A suggested schedule: from an application's hourly history to a proposal, its YAML (one schedule,
 * or one named schedule per application) and its figures, measured by the schedule engine on the
 * same weeks the proposal was made from. Pure: no clock, no AWS.
 */
import { DateTime } from 'luxon'
import { kpus } from '../phases/application.js'
import { CPU_PERCENTILE, foldWeek, pastNeeds, projectedCpu, type History, type Needs, type PastHour, type WeekNeeds } from './history.js'
import { describeDays, propose, type Proposal } from './proposal.js'
import { evaluate, parseSchedule, resolveParallelism, transitions, type Schedule, type Target } from './schedule.js'

/** Where the examples point editors for the schedule's JSON Schema (schedule.schema.json's `$id`). */
export const SCHEMA_URL = 'https://raw.githubusercontent.com/OWNER/flink-scheduled-scaler/v1/schedule.schema.json'

const HOUR = 3_600_000

export interface SuggestOptions {
  /** IANA zone of the proposal: the zone of the schedule given beside `suggest`, else UTC. */
  timezone: string
  /** `suggest-utilization`, in percent (30 ... 90). */
  utilization: number
  /** `kpu-hour-price`, for the figures' cost. */
  kpuHourPrice?: number
}

export interface Suggestion {
  application: string
  needs: Needs
  week: WeekNeeds
  proposal: Proposal
  /** The proposal as a schedule file, ready to commit. */
  yaml: string
  /** `yaml` as the parser reads it: what the figures were measured on. */
  schedule: Schedule
  figures: Figures
}

/** The past hour that a schedule would have run busiest, projected onto the size it gives. */
export interface WorstHour {
  /** Start of the hour. */
  at: Date
  /** Its local time in the schedule's zone, e.g. "Tue 2026-03-03 09:00 PST". */
  local: string
  ranKpu: number
  ranParallelism: number
  /** The CPU statistic that sizes hours, as observed, in percent. */
  cpu: number
  /** The hour's CPU Maximum as observed, in percent. */
  cpuMax?: number
  neededKpu: number
  /** The fewest KPUs the schedule gives during the hour. */
  kpu: number
  /** `cpu` projected onto `kpu`, in percent. */
  projected: number
  /** `cpuMax` projected onto `kpu`, in percent. */
  projectedMax?: number
  /** `projected` minus the aimed utilization, in percentage points: above 0 is over the aim. */
  over: number
}

/** KPU-hours over the hours with data. The orchestration KPU, the same under every option, is in none of them. */
export interface KpuHours {
  /** Under the schedule. */
  schedule: number
  /** What ran: the KPUs that ran tasks. */
  used: number
  /** At the schedule's largest size all the time. */
  flat: number
}

/** How a schedule would have done over a look-back. */
/** At or above this CPU (percent) an hour ran at full capacity: what it needed may be more than it shows. */
export const FULL_CPU = 95

export interface Figures {
  /** The aimed utilization, in percent. */
  utilization: number
  lookBackHours: number
  hoursWithData: number
  /** Stopped, or not yet created: left out of every other figure. */
  hoursWithoutData: number
  /** Hours with data the schedule gives at least the size they needed: projected CPU at or under the aim. */
  carried: number
  /** Hours with data the schedule gives less than they needed. */
  underProvisioned: number
  /** carried / hoursWithData. */
  carriedShare: number
  /**
   * Hours whose sizing CPU was at or above FULL_CPU on what ran: the job was likely behind, so they
   * needed at least the size they show, perhaps more.
   */
  atFullCpu: number
  worst: WorstHour
  /** The schedule's largest size in the look-back, in KPU: what running flat means. */
  peakKpu: number
  kpuHours: KpuHours
  /** With a KPU-hour price: the same, priced. */
  cost?: KpuHours & { price: number }
}

/**
 * The schedule suggested for one application: the needed size of each past hour with data, those
 * folded into a week of `timezone`, the proposal, its YAML, and its figures on the same hours.
 * Less than a week of data is a ScalerError (from pastNeeds).
 */
export function suggest(history: History, options: SuggestOptions): Suggestion {
  const needs = pastNeeds(history, options.utilization)
  const week = foldWeek(needs.hours, options.timezone)
  const proposal = propose(week)
  const yaml = [`# yaml-language-server: $schema=${SCHEMA_URL}`, ...aboutLines(needs), ...scheduleLines(proposal, '', true)].join('\n') + '\n'
  const schedule = parseSchedule(yaml, `the schedule suggested for "${needs.application}"`)
  return { application: needs.application, needs, week, proposal, yaml, schedule, figures: measure(schedule, needs, options.kpuHourPrice) }
}

/**
 * Several suggestions as one file of named schedules (`schedules:`), each named `name(suggestion)`
 * (by default its application, as `select-by-tag` finds it by its tag's value), sharing their zone.
 */
export function renderNamedSchedules(suggestions: readonly Suggestion[], name: (suggestion: Suggestion) => string = (s) => s.application): string {
  if (suggestions.length === 0) throw new RangeError('suggestion: no schedules to render')
  const zones = new Set(suggestions.map((s) => s.proposal.timezone))
  if (zones.size > 1) throw new RangeError(`suggestion: schedules in several zones (${[...zones].join(', ')})`)
  const names = suggestions.map(name)
  const repeated = names.find((n, i) => names.indexOf(n) !== i)
  if (repeated !== undefined) throw new RangeError(`suggestion: two schedules named "${repeated}"`)
  const lines = [
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    '# One schedule per application, named after it: tag each application with its name (select-by-tag).',
    `timezone: ${suggestions[0].proposal.timezone}`,
    'schedules:'
  ]
  suggestions.forEach((suggestion, i) => {
    lines.push(...aboutLines(suggestion.needs).map((line) => `  ${line}`), `  ${scalar(names[i])}:`, ...scheduleLines(suggestion.proposal, '    ', false))
  })
  return lines.join('\n') + '\n'
}

/** The comment above a suggested schedule: where it comes from and what it aims at. */
function aboutLines(needs: Needs): string[] {
  const span = `${utc(needs.from)} to ${utc(needs.to)}`
  const missing = needs.hoursWithoutData === 0 ? 'every hour with data' : `${needs.hoursWithoutData} of ${needs.lookBackHours} hours without data`
  return [
    `# Suggested for ${oneLine(needs.application)} from its CloudWatch metrics of ${span} (${missing}),`,
    `# sized to keep containerCPUUtilization (${CPU_PERCENTILE} of each hour) at or under ${needs.utilization}%.`
  ]
}

/** `timezone` (when asked), `default` and `rules`, each line indented by `indent`. */
function scheduleLines(proposal: Proposal, indent: string, withZone: boolean): string[] {
  const lines = withZone ? [`timezone: ${proposal.timezone}`] : []
  lines.push(`default: { kpu: ${proposal.defaultKpu} }`)
  if (proposal.rules.length > 0) lines.push('rules:')
  for (const rule of proposal.rules) {
    const fields = [`name: ${scalar(rule.name)}`]
    if (rule.days) fields.push(`days: ${scalar(describeDays(rule.days))}`)
    if (rule.from !== 0) fields.push(`from: "${clock(rule.from)}"`)
    if (rule.to !== 24) fields.push(`to: "${clock(rule.to)}"`)
    fields.push(`kpu: ${rule.kpu}`)
    lines.push(`  - { ${fields.join(', ')} }`)
  }
  return lines.map((line) => indent + line)
}

// ---------------------------------------------------------------------------------------------
// Figures

/**
 * How `schedule` would have done over the hours of `needs`, evaluated by the schedule engine as a
 * run would (lead included): for each hour with data, the fewest KPUs it gives during the hour
 * (sizes at the application's ParallelismPerKPU), whether that carried the hour, and the KPU-hours.
 * A schedule that names holidays needs its calendar (withHolidays), as for any evaluation.
 */
export function measure(schedule: Schedule, needs: Needs, kpuHourPrice?: number): Figures {
  if (needs.hours.length === 0) throw new RangeError('measure: no hours with data')
  const perKpu = needs.parallelismPerKpu
  const kpuOf = (target: Target) => kpus(resolveParallelism(target, perKpu), perKpu)
  const from = needs.from.getTime()
  const to = needs.to.getTime()
  // The sizes over the look-back as [start, kpu], in time order.
  const stretches: [number, number][] = [[from, kpuOf(evaluate(schedule, needs.from, perKpu).target)]]
  for (const change of transitions(schedule, needs.from, needs.to, (a, b) => kpuOf(a) === kpuOf(b), perKpu)) {
    if (change.at.getTime() < to) stretches.push([change.at.getTime(), kpuOf(change.to.target)])
  }
  let carried = 0
  let atFullCpu = 0
  let scheduleMs = 0
  let used = 0
  let worst: { hour: PastHour; kpu: number; projected: number } | undefined
  let index = 0
  for (const hour of needs.hours) {
    const start = hour.at.getTime()
    const end = start + HOUR
    while (index + 1 < stretches.length && stretches[index + 1][0] <= start) index++
    let least = Infinity
    for (let i = index; i < stretches.length && stretches[i][0] < end; i++) {
      const stretchEnd = i + 1 < stretches.length ? stretches[i + 1][0] : to
      least = Math.min(least, stretches[i][1])
      scheduleMs += stretches[i][1] * (Math.min(end, stretchEnd) - Math.max(start, stretches[i][0]))
    }
    used += hour.ranKpu
    if (least >= hour.neededKpu) carried++
    if (hour.cpu >= FULL_CPU) atFullCpu++
    const projected = projectedCpu(hour.cpu, hour.ranKpu, least)
    if (!worst || projected > worst.projected) worst = { hour, kpu: least, projected }
  }
  const peakKpu = Math.max(...stretches.map(([, kpu]) => kpu))
  const hoursWithData = needs.hours.length
  const kpuHours = { schedule: scheduleMs / HOUR, used, flat: peakKpu * hoursWithData }
  const figures: Figures = {
    utilization: needs.utilization,
    lookBackHours: needs.lookBackHours,
    hoursWithData,
    hoursWithoutData: needs.hoursWithoutData,
    carried,
    underProvisioned: hoursWithData - carried,
    carriedShare: carried / hoursWithData,
    atFullCpu,
    worst: worstHour(worst!, schedule.timezone, needs.utilization),
    peakKpu,
    kpuHours
  }
  if (kpuHourPrice !== undefined) {
    figures.cost = { price: kpuHourPrice, schedule: kpuHours.schedule * kpuHourPrice, used: used * kpuHourPrice, flat: kpuHours.flat * kpuHourPrice }
  }
  return figures
}

function worstHour({ hour, kpu, projected }: { hour: PastHour; kpu: number; projected: number }, zone: string, utilization: number): WorstHour {
  const worst: WorstHour = {
    at: hour.at,
    local: DateTime.fromJSDate(hour.at, { zone }).setLocale('en-US').toFormat('ccc yyyy-MM-dd HH:mm ZZZZ'),
    ranKpu: hour.ranKpu,
    ranParallelism: hour.ranParallelism,
    cpu: hour.cpu,
    neededKpu: hour.neededKpu,
    kpu,
    projected,
    over: projected - utilization
  }
  if (hour.cpuMax !== undefined) {
    worst.cpuMax = hour.cpuMax
    worst.projectedMax = projectedCpu(hour.cpuMax, hour.ranKpu, kpu)
  }
  return worst
}

// ---------------------------------------------------------------------------------------------
// Text

/** "2026-02-01 00:00 UTC". */
function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** "08:00", "24:00". */
function clock(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`
}

/** A YAML scalar that reads back as this text: plain when that is safe, else double-quoted. */
function scalar(text: string): string {
  return /^[A-Za-z][A-Za-z0-9_.-]*$/.test(text) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(text) ? text : JSON.stringify(text)
}

/** Text for a comment: one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
}
