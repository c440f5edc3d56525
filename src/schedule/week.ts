/**
 * The week at a glance: what a schedule asks for over the seven local days ahead, what that costs in
 * KPU-hours beside running flat at the week's peak, and the same as a picture in Markdown. Pure:
 * the instant, the ParallelismPerKPU and the price are parameters.
 */
import { kpus } from '../phases/application.js'
import {
  describeLead,
  evaluate,
  holidayEffect,
  localDate,
  resolveParallelism,
  transitions,
  wallClockInstant,
  type HolidayEffect,
  type Match,
  type Schedule,
  type Target
} from './schedule.js'

/** A stretch of time with one target. */
export interface Stretch {
  from: Date
  to: Date
  match: Match
  kpu: number
}

export interface WeekDay {
  /** Local date, YYYY-MM-DD. */
  date: string
  /** Mon ... Sun. */
  weekday: string
  /** Local midnight to the next local midnight. */
  start: Date
  end: Date
  /** 24, or 23 / 25 (23.5 / 24.5 on Lord Howe) on a daylight-saving change. */
  hours: number
  /**
   * The KPUs of each half hour of the wall clock from 00:00 (48 of them): the largest in force
   * during it; undefined for a half hour the clock skips (spring forward).
   */
  slots: (number | undefined)[]
  minKpu: number
  maxKpu: number
  kpuHours: number
  /** The day's public holidays, when they change a rule. */
  holiday?: HolidayEffect
}

export interface WeekCost {
  /** The price of one KPU-hour. */
  price: number
  schedule: number
  flat: number
  saved: number
}

export interface Week {
  timezone: string
  /** Local midnight of the day of the instant, and seven local days later. */
  start: Date
  end: Date
  /** 168, or 167 / 169 in a week with a daylight-saving change. */
  hours: number
  /** The ParallelismPerKPU used to count KPUs: the one given, else 1 (the service's default). */
  parallelismPerKpu: number
  /** True when no ParallelismPerKPU was given and a parallelism target had to be counted at 1 per KPU. */
  assumedParallelismPerKpu: boolean
  /** `lead` in minutes (0 without). */
  lead: number
  /** The target over the week, lead applied, as evaluate gives it. */
  stretches: Stretch[]
  days: WeekDay[]
  /** KPU-hours under the schedule. */
  kpuHours: number
  peakKpu: number
  /** KPU-hours running at `peakKpu` all week. */
  flatKpuHours: number
  savedKpuHours: number
  /** savedKpuHours as a percentage of flatKpuHours. */
  savedPercent: number
  /** With a KPU-hour price. */
  cost?: WeekCost
  /** The week's public holidays that change a rule, in date order. */
  holidays: HolidayEffect[]
}

const HOUR = 3_600_000
const DAY = 86_400_000
const SLOT_MINUTES = 30
const SLOTS = (24 * 60) / SLOT_MINUTES
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

/**
 * The week ahead from the day of `at` (local midnight, in the schedule's zone), with lead applied.
 * KPUs are those the service allocates (kpus() of the parallelism); without a `parallelismPerKpu`,
 * 1 per KPU, the service's default. `kpuHourPrice` adds the cost. Holidays need the calendar
 * (withHolidays) like any evaluation.
 */
export function weekAhead(schedule: Schedule, at: Date, parallelismPerKpu?: number, kpuHourPrice?: number): Week {
  const perKpu = parallelismPerKpu ?? 1
  const kpuOf = (target: Target) => kpus(resolveParallelism(target, perKpu), perKpu)
  const firstDate = localDate(schedule.timezone, at)
  const dates = Array.from({ length: 7 }, (_, i) => isoDate(Date.parse(firstDate) + i * DAY))
  const start = wallClockInstant(schedule.timezone, firstDate, 0)
  const end = wallClockInstant(schedule.timezone, dates[6], 24 * 60)

  const stretches: Stretch[] = []
  let current = evaluate(schedule, start, parallelismPerKpu)
  let from = start
  const sameKpu = (a: Target, b: Target) => kpuOf(a) === kpuOf(b)
  for (const change of transitions(schedule, start, end, sameKpu, parallelismPerKpu)) {
    if (change.at >= end) break
    stretches.push({ from, to: change.at, match: current, kpu: kpuOf(current.target) })
    current = change.to
    from = change.at
  }
  stretches.push({ from, to: end, match: current, kpu: kpuOf(current.target) })

  const days = dates.map((date) => weekDay(schedule, stretches, date))
  const kpuHours = kpuHoursOf(stretches, start, end)
  const peakKpu = Math.max(...stretches.map((s) => s.kpu))
  const hours = hoursBetween(start, end)
  const flatKpuHours = peakKpu * hours
  const savedKpuHours = flatKpuHours - kpuHours
  const week: Week = {
    timezone: schedule.timezone,
    start,
    end,
    hours,
    parallelismPerKpu: perKpu,
    assumedParallelismPerKpu: parallelismPerKpu === undefined && hasParallelismTarget(schedule),
    lead: schedule.lead ?? 0,
    stretches,
    days,
    kpuHours,
    peakKpu,
    flatKpuHours,
    savedKpuHours,
    savedPercent: flatKpuHours > 0 ? (savedKpuHours / flatKpuHours) * 100 : 0,
    holidays: days.flatMap((day) => (day.holiday ? [day.holiday] : []))
  }
  if (kpuHourPrice !== undefined) {
    week.cost = { price: kpuHourPrice, schedule: kpuHours * kpuHourPrice, flat: flatKpuHours * kpuHourPrice, saved: savedKpuHours * kpuHourPrice }
  }
  return week
}

function weekDay(schedule: Schedule, stretches: Stretch[], date: string): WeekDay {
  const start = wallClockInstant(schedule.timezone, date, 0)
  const end = wallClockInstant(schedule.timezone, date, 24 * 60)
  const during = (from: Date, to: Date) => stretches.filter((s) => s.from < to && s.to > from)
  const slots = Array.from({ length: SLOTS }, (_, slot) => {
    const from = wallClockInstant(schedule.timezone, date, slot * SLOT_MINUTES)
    const to = wallClockInstant(schedule.timezone, date, (slot + 1) * SLOT_MINUTES)
    return from < to ? Math.max(...during(from, to).map((s) => s.kpu)) : undefined
  })
  const today = during(start, end)
  const effect = holidayEffect(schedule, date)
  const day: WeekDay = {
    date,
    weekday: WEEKDAYS[(new Date(date).getUTCDay() + 6) % 7],
    start,
    end,
    hours: hoursBetween(start, end),
    slots,
    minKpu: Math.min(...today.map((s) => s.kpu)),
    maxKpu: Math.max(...today.map((s) => s.kpu)),
    kpuHours: kpuHoursOf(today, start, end)
  }
  if (effect && (effect.skip.length > 0 || effect.only.length > 0)) day.holiday = effect
  return day
}

// ---------------------------------------------------------------------------------------------
// Markdown

const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']

/**
 * The week as Markdown that GitHub shows as is: a fenced text block with one row per day (the
 * hours across, two columns an hour, the target as bars relative to the week's peak, the day's
 * range of KPU at the end, holidays marked), then a table of KPU-hours, saving and cost. No heading:
 * the summary gives it one.
 */
export function renderWeek(week: Week): string {
  const label = (day: WeekDay) => `${day.weekday} ${day.date}`
  const width = label(week.days[0]).length + 2
  const ruler = ' '.repeat(width) + Array.from({ length: 8 }, (_, i) => String(i * 3).padStart(2, '0').padEnd(6)).join('').trimEnd()
  const rows = week.days.map((day) => {
    const bars = day.slots.map((kpu) => (kpu === undefined ? ' ' : bar(kpu, week.peakKpu))).join('')
    const range = day.minKpu === day.maxKpu ? `${day.maxKpu} KPU` : `${day.minKpu}-${day.maxKpu} KPU`
    const notes = [day.hours === 24 ? '' : `${number(day.hours)} h`, day.holiday ? `★ ${names(day.holiday)}` : ''].filter(Boolean)
    return `${label(day).padEnd(width)}${bars}  ${range.padEnd(10)}${notes.join('  ')}`.trimEnd()
  })
  const lead = week.lead > 0 ? `, up ${describeLead(week.lead)} ahead (lead)` : ''
  const header = `${week.timezone}, 2 columns an hour; █ = ${week.peakKpu} KPU, the week's peak${lead}`
  const holidays = week.holidays.map((effect) => {
    const day = week.days.find((d) => d.date === effect.date)!
    const changes = [
      ...effect.skip.map((rule) => `${clean(rule)} does not apply (on-holidays: skip)`),
      ...effect.only.map((rule) => `${clean(rule)} applies (on-holidays: only)`)
    ]
    return `★ ${label(day)} ${names(effect)}: ${changes.join('; ')}`
  })
  const block = [header, '', ruler, ...rows, ...(holidays.length ? ['', ...holidays] : [])]
  const fence = '`'.repeat(Math.max(3, ...block.map((line) => longestRun(line, '`') + 1)))

  const cost = week.cost
  const head = cost ? `| this week | KPU-hours | cost at ${number(cost.price, 4)} per KPU-hour |` : '| this week | KPU-hours |'
  const rule = cost ? '| --- | ---: | ---: |' : '| --- | ---: |'
  const row = (what: string, hours: string, money?: number) => `| ${what} | ${hours} |${cost ? ` ${number(money ?? 0, 2, 2)} |` : ''}`
  const table = [
    head,
    rule,
    row('with the schedule', number(week.kpuHours), cost?.schedule),
    row(`flat at the peak, ${week.peakKpu} KPU for ${number(week.hours)} h`, number(week.flatKpuHours), cost?.flat),
    row('saved', `${number(week.savedKpuHours)} (${Math.round(week.savedPercent)} %)`, cost?.saved)
  ]
  const assumption = week.assumedParallelismPerKpu
    ? ['', 'Parallelism targets are counted at 1 parallel task per KPU (the service\'s default): the ParallelismPerKPU is not known.']
    : []
  return [`${fence}text`, ...block, fence, '', ...table, ...assumption].join('\n')
}

function bar(kpu: number, peak: number): string {
  const level = Math.min(LEVELS.length, Math.max(1, Math.round((kpu / peak) * LEVELS.length)))
  return LEVELS[level - 1]
}

function names(effect: HolidayEffect): string {
  return effect.holidays.map((holiday) => clean(holiday.name)).join(', ')
}

/** Names come from the schedule and the holiday data: one line each, so nothing they hold can end the fenced block. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
}

function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === char ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  return longest
}

/** 2,330 or 2,341.7 (at most `digits` decimals, at least `minimum`). */
function number(value: number, digits = 1, minimum = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: minimum })
}

function hasParallelismTarget(schedule: Schedule): boolean {
  return 'parallelism' in schedule.default || schedule.rules.some((rule) => 'parallelism' in rule.target)
}

function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / HOUR
}

/** KPU-hours of the stretches within [from, to), summed in KPU-milliseconds (whole numbers, so a plain week is exactly 2,330, not 2,329.9999). */
function kpuHoursOf(stretches: Stretch[], from: Date, to: Date): number {
  let total = 0
  for (const s of stretches) total += s.kpu * Math.max(0, Math.min(s.to.getTime(), to.getTime()) - Math.max(s.from.getTime(), from.getTime()))
  return total / HOUR
}

function isoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10)
}
