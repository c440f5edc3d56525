/**
 * Property tests: random schedules against a brute-force reference that knows only the contract.
 * The reference reads each minute's local wall clock from Intl, takes a window edge to be the first
 * minute whose wall clock is at or after the edge's wall time (which covers both the spring-forward
 * gap and the first occurrence in a fall-back overlap), and paints every minute with the first
 * rule whose window covers it. Public holidays come straight from the date-holidays data; with
 * `lead`, the target of a minute is the largest painted over it and the `lead` minutes after it.
 */
import fc from 'fast-check'
import Holidays from 'date-holidays'
import { describe, expect, it } from '@jest/globals'
import { expectWith } from './fixtures/expect-with.js'
import { stringify } from 'yaml'
import { ScalerError } from '../src/errors.js'
import { withHolidays } from '../src/schedule/holidays.js'
import { evaluate, nextTransition, parseSchedule, transitions, type Match, type Schedule, type Target } from '../src/schedule/schedule.js'

const MINUTE = 60_000
const DAY_MS = 86_400_000
const DAY_MINUTES = 1440
const HORIZON_MS = 366 * DAY_MS
/** The longest lead, in minutes: the reference needs that many minutes of table after any minute it answers for. */
const MAX_LEAD = 360

const ZONES = ['America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']

// The reference covers 2026, when every zone above changes clocks both ways, with margin for
// overnight windows and for nextTransition's one-year horizon from early 2026.
const TABLE_START = Date.UTC(2025, 11, 29) / MINUTE
const TABLE_MINUTES = (Date.UTC(2027, 3, 1) / MINUTE) - TABLE_START
const YEAR_START = Date.UTC(2026, 0, 1) / MINUTE - TABLE_START
const YEAR_END = Date.UTC(2027, 0, 1) / MINUTE - TABLE_START

// ---------------------------------------------------------------------------------------------
// Reference wall clock

interface WallClock {
  /** Local wall-clock minutes since 1970-01-01 00:00 local, per table minute. */
  wall: Int32Array
  /** The first table minute whose wall clock is at or after `wall`. */
  firstAtOrAfter(wall: number): number
}

const clocks = new Map<string, WallClock>()

function wallClock(zone: string): WallClock {
  const known = clocks.get(zone)
  if (known) return known
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric'
  })
  const wallAt = (minute: number): number => {
    const parts = Object.fromEntries(format.formatToParts(new Date((TABLE_START + minute) * MINUTE)).map((p) => [p.type, Number(p.value)]))
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) / MINUTE
  }
  // Offsets only change on the hour or half hour in these zones, so read Intl once an hour and
  // minute by minute only in the hours where the offset changes.
  const wall = new Int32Array(TABLE_MINUTES)
  for (let hour = 0; hour < TABLE_MINUTES; hour += 60) {
    const offset = wallAt(hour) - hour
    const changes = hour + 60 < TABLE_MINUTES && wallAt(hour + 60) - (hour + 60) !== offset
    for (let minute = hour; minute < Math.min(hour + 60, TABLE_MINUTES); minute++) {
      wall[minute] = changes ? wallAt(minute) : minute + offset
    }
  }
  const highest = new Int32Array(TABLE_MINUTES)
  for (let i = 0; i < TABLE_MINUTES; i++) highest[i] = Math.max(wall[i], i > 0 ? highest[i - 1] : wall[i])
  const firstAtOrAfter = (target: number): number => {
    let low = 0
    let high = TABLE_MINUTES
    while (low < high) {
      const middle = (low + high) >> 1
      if (highest[middle] >= target) high = middle
      else low = middle + 1
    }
    return low
  }
  const clock = { wall, firstAtOrAfter }
  clocks.set(zone, clock)
  return clock
}

// ---------------------------------------------------------------------------------------------
// Schedule model, its YAML, and the reference evaluator

interface ModelRule {
  name?: string
  /** ISO weekdays, 1 = Monday. */
  days?: number[]
  /** Inclusive ranges of days since 1970-01-01. */
  dates?: [number, number][]
  /** Minutes after local midnight. */
  from: number
  to: number
  target: Target
  onHolidays?: 'skip' | 'only'
  /** How the rule is written. */
  yaml: string
}

interface Model {
  zone: string
  fallback: Target
  rules: ModelRule[]
  /** `lead` in minutes. */
  lead?: number
  /** `holidays` codes. */
  holidays?: string[]
  /** The ParallelismPerKPU the engine is asked with (lead compares KPU targets with it, 1 when unknown). */
  parallelismPerKpu?: number
  yaml: string
}

const SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
const FULL = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

function dayName(day: number, style: number): string {
  const names = [SHORT[day - 1], FULL[day - 1], SHORT[day - 1].toUpperCase(), FULL[day - 1].toLowerCase()]
  return names[style % names.length]
}

/** "Fri-Mon" runs forward through the week. */
function dayRange(first: number, last: number): number[] {
  const days = [first]
  for (let day = first; day !== last; ) {
    day = (day % 7) + 1
    days.push(day)
  }
  return days
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

/** A YAML value as a plain scalar, a flow list or a block list. */
function yamlList(items: string[], style: number, indent: string): string {
  if (style === 0 && items.length === 1) return items[0]
  if (style === 1) return `[${items.join(', ')}]`
  return items.map((item) => `\n${indent}  - ${item}`).join('')
}

const dayArb = fc.integer({ min: 1, max: 7 })

const daysArb: fc.Arbitrary<{ days: number[]; text: string }> = fc.oneof(
  fc.record({ first: dayArb, last: dayArb, styles: fc.tuple(fc.nat(3), fc.nat(3)) }).map(({ first, last, styles }) => ({
    days: dayRange(first, last),
    text: `${dayName(first, styles[0])}-${dayName(last, styles[1])}`
  })),
  fc
    .record({ days: fc.uniqueArray(dayArb, { minLength: 1, maxLength: 4 }), style: fc.nat(3), list: fc.nat(2) })
    .map(({ days, style, list }) => {
      const names = days.map((day) => dayName(day, style))
      return { days, text: list === 0 ? names.join(',') : yamlList(names, list, '    ') }
    })
)

// Dates near each zone's clock changes in 2026 (Lord Howe: Apr 5, Oct 4; Berlin: Mar 29, Oct 25;
// Los Angeles: Mar 8, Nov 1), plus any day of 2026.
const CHANGE_DAYS = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01'].map(
  (iso) => Date.parse(iso) / DAY_MS
)
const dateArb = fc.oneof(
  fc.constantFrom(...CHANGE_DAYS).chain((day) => fc.integer({ min: day - 1, max: day + 1 })),
  fc.integer({ min: Date.parse('2026-01-01') / DAY_MS, max: Date.parse('2026-12-31') / DAY_MS })
)
const datesArb: fc.Arbitrary<{ dates: [number, number][]; text: string }> = fc
  .record({
    ranges: fc.array(fc.tuple(dateArb, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 3 }),
    list: fc.nat(2),
    quote: fc.boolean()
  })
  .map(({ ranges, list, quote }) => {
    const dates = ranges.map(([first, length]): [number, number] => [first, first + length])
    const texts = dates.map(([first, last]) => (first === last ? isoDate(first) : `${isoDate(first)}..${isoDate(last)}`))
    return { dates, text: yamlList(texts.map((text) => (quote ? `"${text}"` : text)), list, '    ') }
  })

// Edges around the clock changes (01:00-03:00) are the interesting ones.
const EDGES = [0, 30, 60, 90, 105, 120, 135, 150, 179, 180, 210, 305, 720, 1085, 1320, 1439]
const minuteArb = fc.oneof(fc.constantFrom(...EDGES), fc.integer({ min: 0, max: 1439 }))
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((kpu) => ({ kpu })),
  fc.integer({ min: 1, max: 3 }).map((parallelism) => ({ parallelism }))
)

function targetYaml(target: Target): string {
  return 'kpu' in target ? `kpu: ${target.kpu}` : `parallelism: ${target.parallelism}`
}

const ruleArb = (index: number, holidays = false): fc.Arbitrary<ModelRule> =>
  fc
    .record({
      named: fc.boolean(),
      days: fc.option(daysArb, { freq: 2 }),
      // With holidays, fewer rules are tied to dates, so that holidays are what changes them.
      dates: fc.option(datesArb, { freq: holidays ? 6 : 3 }),
      from: fc.option(minuteArb, { freq: 4 }),
      to: fc.option(fc.oneof(minuteArb, fc.constant(DAY_MINUTES)), { freq: 4 }),
      quoteTimes: fc.boolean(),
      onHolidays: holidays ? fc.option(fc.constantFrom<'skip' | 'only'>('skip', 'only'), { freq: 4 }) : fc.constant(null),
      target: targetArb
    })
    .filter(({ from, to }) => (from ?? 0) !== (to ?? DAY_MINUTES))
    .map(({ named, days, dates, from, to, quoteTimes, onHolidays, target }) => {
      const time = (minutes: number) => (quoteTimes ? `"${hhmm(minutes)}"` : hhmm(minutes))
      const lines = [named ? `name: rule-${index}` : undefined, targetYaml(target)]
      if (days) lines.push(`days: ${days.text}`)
      if (dates) lines.push(`dates: ${dates.text}`)
      if (from !== null) lines.push(`from: ${time(from)}`)
      if (to !== null) lines.push(`to: ${time(to)}`)
      if (onHolidays !== null) lines.push(`on-holidays: ${onHolidays}`)
      const yaml = lines.filter((line) => line !== undefined).map((line, i) => `${i === 0 ? '  - ' : '    '}${line}`).join('\n')
      const rule: ModelRule = { from: from ?? 0, to: to ?? DAY_MINUTES, target, yaml }
      if (named) rule.name = `rule-${index}`
      if (days) rule.days = days.days
      if (dates) rule.dates = dates.dates
      if (onHolidays !== null) rule.onHolidays = onHolidays
      return rule
    })

/** Schedules as the contract allows them; `lead` and `holidays` when asked for. */
function modelsOf({ lead = false, holidays = false }: { lead?: boolean; holidays?: boolean } = {}): fc.Arbitrary<Model> {
  return fc
    .record({
      zone: fc.constantFrom(...ZONES),
      fallback: targetArb,
      rules: fc.integer({ min: 0, max: 4 }).chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => ruleArb(i, holidays)))),
      bounds: fc.boolean(),
      // Short and long leads, and the longest; written in minutes or hours.
      lead: lead ? fc.oneof(fc.constantFrom(1, 5, 20, 30, 60, 90, 120, MAX_LEAD), fc.integer({ min: 0, max: MAX_LEAD })) : fc.constant(undefined),
      codes: holidays ? fc.constantFrom<string[]>(['US'], ['DE-BY'], ['AU-NSW'], ['US-CA', 'DE-BY']) : fc.constant(undefined),
      parallelismPerKpu: lead ? fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) : fc.constant(undefined)
    })
    .map(({ zone, fallback, rules, bounds, lead, codes, parallelismPerKpu }) => {
      const head = [
        zone === 'UTC' ? '' : `timezone: ${zone}`,
        `default: { ${targetYaml(fallback)} }`,
        bounds ? 'min: 1\nmax: 3' : '',
        lead === undefined ? '' : `lead: ${lead % 60 === 0 && lead > 0 ? `${lead / 60}h` : `${lead}m`}`,
        codes === undefined ? '' : `holidays: ${codes.length === 1 ? codes[0] : `[${codes.join(', ')}]`}`,
        rules.length ? 'rules:' : ''
      ]
      const yaml = [...head.filter(Boolean), ...rules.map((rule) => rule.yaml)].join('\n')
      const model: Model = { zone, fallback, rules, yaml }
      if (lead !== undefined) model.lead = lead
      if (codes !== undefined) model.holidays = codes
      if (parallelismPerKpu !== undefined) model.parallelismPerKpu = parallelismPerKpu
      return model
    })
}

const modelArb = modelsOf()

// ---------------------------------------------------------------------------------------------
// Reference holidays: the public ones of the data, by their local date.

const holidayDays = new Map<string, Set<number>>()

/** Days since 1970-01-01 that are public holidays of any of `codes`, over the table's years. */
function publicHolidays(codes: string[]): Set<number> {
  const key = codes.join(',')
  const known = holidayDays.get(key)
  if (known) return known
  const days = new Set<number>()
  for (const code of codes) {
    const [country, state] = code.split('-')
    const data = new Holidays(state ? { country, state } : { country }, { types: ['public'] })
    for (const year of [2025, 2026, 2027]) {
      for (const holiday of data.getHolidays(year)) {
        if (holiday.type !== 'public') continue
        // These codes have only whole-day holidays (a day of 23 to 25 hours from local midnight),
        // so that the date is all the reference needs.
        const hours = (holiday.end.getTime() - holiday.start.getTime()) / 3_600_000
        expect([holiday.date.slice(10), hours >= 23 && hours <= 25]).toEqual([' 00:00:00', true])
        days.add(Date.parse(holiday.date.slice(0, 10)) / DAY_MS)
      }
    }
  }
  holidayDays.set(key, days)
  return days
}

interface Reference {
  /** Per table minute: the index of the rule in force, or -1 for the default (before lead). */
  rule: Int8Array
  /** The match of a minute, lead applied; `startsAt` when lead brought it forward. */
  match(minute: number): Match
  /** The minutes in (after, until] where the target changes, lead applied. */
  changes(after: number, until: number): number[]
}

function reference(model: Model): Reference {
  const clock = wallClock(model.zone)
  const rule = new Int8Array(TABLE_MINUTES).fill(-1)
  const firstDay = Math.floor(clock.wall[0] / DAY_MINUTES) - 1
  const lastDay = Math.floor(clock.wall[TABLE_MINUTES - 1] / DAY_MINUTES)
  const holidays = model.holidays ? publicHolidays(model.holidays) : new Set<number>()
  // Paint the last rule first, so that the first matching rule is what remains.
  for (let index = model.rules.length - 1; index >= 0; index--) {
    const r = model.rules[index]
    for (let day = firstDay; day <= lastDay; day++) {
      const weekday = new Date(day * DAY_MS).getUTCDay() || 7
      if (r.days && !r.days.includes(weekday)) continue
      if (r.dates && !r.dates.some(([first, last]) => first <= day && day <= last)) continue
      // A window belongs to the day it starts on, for holidays as for days.
      if (r.onHolidays && holidays.has(day) !== (r.onHolidays === 'only')) continue
      const endDay = r.to > r.from ? day : day + 1
      const start = clock.firstAtOrAfter(day * DAY_MINUTES + r.from)
      const end = clock.firstAtOrAfter(endDay * DAY_MINUTES + r.to)
      rule.fill(index, start, end)
    }
  }
  const painted = (index: number): Match => {
    if (index < 0) return { rule: 'default', target: model.fallback }
    const r = model.rules[index]
    return { rule: r.name ?? `rules[${index}]`, target: r.target }
  }
  // Lead: the minute, among this one and the `lead` after it, whose painted target is the largest
  // (in parallelism, a KPU at the ParallelismPerKPU or 1), the earliest of equals, this one if it is as large.
  const lead = model.lead ?? 0
  const weights = Float64Array.from([model.fallback, ...model.rules.map((r) => r.target)], (target) =>
    'kpu' in target ? target.kpu * (model.parallelismPerKpu ?? 1) : target.parallelism
  )
  // The next minute painted differently: the minutes in between cannot change the largest.
  const next = new Int32Array(TABLE_MINUTES)
  next[TABLE_MINUTES - 1] = TABLE_MINUTES
  for (let minute = TABLE_MINUTES - 2; minute >= 0; minute--) next[minute] = rule[minute + 1] !== rule[minute] ? minute + 1 : next[minute + 1]
  const source = (minute: number): number => {
    if (lead === 0) return minute
    if (minute + lead >= TABLE_MINUTES) throw new RangeError(`the reference table ends before minute ${minute} + lead`)
    let best = minute
    for (let later = next[minute]; later <= minute + lead; later = next[later]) {
      if (weights[rule[later] + 1] > weights[rule[best] + 1]) best = later
    }
    return best
  }
  const match = (minute: number): Match => {
    const from = source(minute)
    return from === minute ? painted(rule[minute]) : { ...painted(rule[from]), startsAt: toDate(from) }
  }
  // Targets as numbers, so that the year-long scans compare numbers: kpu positive, parallelism negative.
  const code = (target: Target) => ('kpu' in target ? target.kpu : -target.parallelism)
  const codes = Int32Array.from([model.fallback, ...model.rules.map((r) => r.target)], code)
  const changes = (after: number, until: number) => {
    const found: number[] = []
    let previous = codes[rule[source(after)] + 1]
    for (let minute = after + 1; minute <= until; minute++) {
      const current = codes[rule[source(minute)] + 1]
      if (previous !== current) found.push(minute)
      previous = current
    }
    return found
  }
  return { rule, match, changes }
}

const toDate = (minute: number) => new Date((TABLE_START + minute) * MINUTE)
const toMinute = (date: Date) => date.getTime() / MINUTE - TABLE_START

function parse(model: Model): Schedule {
  return parseSchedule(model.yaml, 'generated schedule')
}

/** The models of a property, parsed, with the holiday calendar attached when they name holidays. */
async function parseWithHolidays(model: Model): Promise<Schedule> {
  return withHolidays(parse(model), 'generated schedule')
}

/** A match as the comparisons see it: its rule, and the minute lead brought it forward from. */
const seen = (match: Match) => [match.rule, match.startsAt && toMinute(match.startsAt)]

/** The engine's transitions in (after, until] as [minute, from rule, to rule, to's start under lead], and the reference's. */
function compareTransitions(schedule: Schedule, ref: Reference, after: number, until: number, perKpu?: number): void {
  const actual = transitions(schedule, toDate(after), toDate(until), undefined, perKpu).map((t) => [toMinute(t.at), t.from.rule, ...seen(t.to)])
  const expected = ref.changes(after, until).map((minute) => [minute, ref.match(minute - 1).rule, ...seen(ref.match(minute))])
  expect(actual).toEqual(expected)
}

function compareEvaluate(schedule: Schedule, ref: Reference, minute: number, seconds: number, perKpu?: number): void {
  const at = new Date(toDate(minute).getTime() + seconds * 1000)
  expectWith(evaluate(schedule, at, perKpu), at.toISOString()).toEqual(ref.match(minute))
}

function compareNext(schedule: Schedule, ref: Reference, minute: number, seconds: number, perKpu?: number): void {
  const after = toDate(minute).getTime() + seconds * 1000
  const next = nextTransition(schedule, new Date(after), undefined, perKpu)
  // The last table minute within the one-year horizon, if the table reaches that far (with room for lead).
  const horizon = Math.floor((after + HORIZON_MS) / MINUTE) - TABLE_START
  const last = TABLE_MINUTES - 1 - MAX_LEAD
  const change = ref.changes(minute, Math.min(horizon, last))[0]
  if (change !== undefined) {
    expect(next && [toMinute(next.at), next.from.rule, ...seen(next.to)]).toEqual([change, ref.match(change - 1).rule, ...seen(ref.match(change))])
  } else if (horizon <= last) {
    expect(next).toBeUndefined()
  } else if (next) {
    expect(toMinute(next.at)).toBeGreaterThan(last)
  }
}

// A random stretch of days inside the reference table.
const stretchArb = fc.record({
  start: fc.integer({ min: 0, max: TABLE_MINUTES - 11 * DAY_MINUTES - MAX_LEAD }),
  minutes: fc.integer({ min: 1, max: 10 * DAY_MINUTES }),
  samples: fc.array(fc.tuple(fc.nat(10 * DAY_MINUTES), fc.nat(59)), { minLength: 5, maxLength: 20 })
})

describe('schedule engine against a brute-force reference', () => {
  // Build the wall clocks outside the timed properties.
  for (const zone of ZONES) wallClock(zone)

  it('agrees over all of 2026, minute by minute, for a sample of schedules', () => {
    fc.assert(
      fc.property(modelArb, fc.array(fc.integer({ min: YEAR_START, max: YEAR_END }), { minLength: 50, maxLength: 50 }), (model, minutes) => {
        const schedule = parse(model)
        const ref = reference(model)
        // Equal transitions from an equal start mean equal targets at every minute of the year.
        compareEvaluate(schedule, ref, YEAR_START, 0)
        compareTransitions(schedule, ref, YEAR_START, YEAR_END)
        for (const minute of minutes) compareEvaluate(schedule, ref, minute, 0)
      }),
      { numRuns: 60 }
    )
  })

  it('agrees over random stretches of days', () => {
    fc.assert(
      fc.property(modelArb, stretchArb, (model, { start, minutes, samples }) => {
        const schedule = parse(model)
        const ref = reference(model)
        compareTransitions(schedule, ref, start, start + minutes)
        for (const [offset, seconds] of samples) compareEvaluate(schedule, ref, start + (offset % (minutes + 1)), seconds)
        // Around every change, too: the minute before and the minute of it.
        for (const change of ref.changes(start, start + minutes)) {
          compareEvaluate(schedule, ref, change - 1, 59)
          compareEvaluate(schedule, ref, change, 0)
        }
      }),
      { numRuns: 300 }
    )
  })

  it('finds the next transition at exactly the first minute the reference changes', () => {
    fc.assert(
      fc.property(modelArb, fc.array(fc.tuple(fc.integer({ min: 0, max: YEAR_END }), fc.nat(59)), { minLength: 1, maxLength: 5 }), (model, starts) => {
        const schedule = parse(model)
        const ref = reference(model)
        for (const [minute, seconds] of starts) compareNext(schedule, ref, minute, seconds)
      }),
      { numRuns: 300 }
    )
  })
})

// The same three questions for schedules with `lead` (and a ParallelismPerKPU, or none), with
// public holidays, and with both.
const KINDS = [
  { what: 'lead', lead: true, holidays: false },
  { what: 'holidays', lead: false, holidays: true },
  { what: 'lead and holidays', lead: true, holidays: true }
]

// Stretches that start up to three days before a public holiday of these codes (in 2026) or a clock change.
const holidayStarts = [...new Set(['US', 'DE-BY', 'AU-NSW', 'US-CA'].flatMap((code) => [...publicHolidays([code])]))]
  .filter((day) => day >= Date.UTC(2026, 0, 1) / DAY_MS && day < Date.UTC(2027, 0, 1) / DAY_MS)
  .concat(CHANGE_DAYS)
const nearStretchArb = fc.record({
  start: fc.tuple(fc.constantFrom(...holidayStarts), fc.integer({ min: -3 * DAY_MINUTES, max: 0 })).map(([day, offset]) => day * DAY_MINUTES - TABLE_START + offset),
  minutes: fc.integer({ min: 1, max: 5 * DAY_MINUTES }),
  samples: fc.array(fc.tuple(fc.nat(5 * DAY_MINUTES), fc.nat(59)), { minLength: 5, maxLength: 20 })
})

describe.each(KINDS)('schedule engine with $what against the brute-force reference', ({ lead, holidays }) => {
  const models = modelsOf({ lead, holidays })

  it('agrees over all of 2026, minute by minute', async () => {
    await fc.assert(
      fc.asyncProperty(models, fc.array(fc.integer({ min: YEAR_START, max: YEAR_END }), { minLength: 30, maxLength: 30 }), async (model, minutes) => {
        const schedule = await parseWithHolidays(model)
        const ref = reference(model)
        const perKpu = model.parallelismPerKpu
        compareEvaluate(schedule, ref, YEAR_START, 0, perKpu)
        compareTransitions(schedule, ref, YEAR_START, YEAR_END, perKpu)
        for (const minute of minutes) compareEvaluate(schedule, ref, minute, 0, perKpu)
      }),
      { numRuns: 15 }
    )
  })

  it('agrees over stretches of days, around holidays and clock changes', async () => {
    await fc.assert(
      fc.asyncProperty(models, fc.oneof(stretchArb, nearStretchArb), async (model, { start, minutes, samples }) => {
        const schedule = await parseWithHolidays(model)
        const ref = reference(model)
        const perKpu = model.parallelismPerKpu
        compareTransitions(schedule, ref, start, start + minutes, perKpu)
        for (const [offset, seconds] of samples) compareEvaluate(schedule, ref, start + (offset % (minutes + 1)), seconds, perKpu)
        for (const change of ref.changes(start, start + minutes)) {
          compareEvaluate(schedule, ref, change - 1, 59, perKpu)
          compareEvaluate(schedule, ref, change, 0, perKpu)
        }
      }),
      { numRuns: 100 }
    )
  })

  it('finds the next transition at exactly the first minute the reference changes', async () => {
    await fc.assert(
      fc.asyncProperty(models, fc.array(fc.tuple(fc.integer({ min: 0, max: YEAR_END }), fc.nat(59)), { minLength: 1, maxLength: 5 }), async (model, starts) => {
        const schedule = await parseWithHolidays(model)
        const ref = reference(model)
        for (const [minute, seconds] of starts) compareNext(schedule, ref, minute, seconds, model.parallelismPerKpu)
      }),
      { numRuns: 80 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Invalid schedules: a valid document with one mistake must fail with a ScalerError that says where.

type Doc = Record<string, unknown> & { rules: Record<string, unknown>[] }

function documentOf(model: Model): Doc {
  const rules = model.rules.map((rule) => {
    const doc: Record<string, unknown> = { ...rule.target }
    if (rule.name) doc.name = rule.name
    if (rule.days) doc.days = rule.days.map((day) => SHORT[day - 1]).join(',')
    if (rule.dates) doc.dates = rule.dates.map(([first, last]) => `${isoDate(first)}..${isoDate(last)}`)
    doc.from = hhmm(rule.from)
    doc.to = hhmm(rule.to)
    return doc
  })
  return { timezone: model.zone, default: { ...model.fallback }, rules }
}

interface Mutation {
  apply(doc: Doc, index: number): void
  /** What the message must name; `index` is the mutated rule. */
  names(doc: Doc, index: number): string[]
}

function ruleWhere(doc: Doc, index: number): string {
  const name = doc.rules[index].name
  return typeof name === 'string' ? `rules[${index}] "${name}"` : `rules[${index}]`
}

const setRuleField = (key: string, values: unknown[]): fc.Arbitrary<Mutation> =>
  fc.constantFrom(...values).map((value) => ({
    apply: (doc, index) => {
      doc.rules[index][key] = value
    },
    names: (doc, index) => [`Schedule error in ${ruleWhere(doc, index)}, field "${key}"`]
  }))

const badCount = [0, -3, 1.5, '10', true, 1e20, 'many', [2], { kpu: 2 }]

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom('schedule', 'timeZone', 'rule', 'defaults', 'Min').map((key) => ({
    apply: (doc: Doc) => {
      doc[key] = 1
    },
    names: () => [`Schedule error in field "${key}": unknown field`]
  })),
  fc.constantFrom('form', 'day', 'kpus', 'Name', 'until').map((key) => ({
    apply: (doc: Doc, index: number) => {
      doc.rules[index][key] = 'x'
    },
    names: (doc: Doc, index: number) => [`${ruleWhere(doc, index)}, field "${key}": unknown field`]
  })),
  fc.constant({
    apply: (doc: Doc) => {
      doc.default = { ...(doc.default as object), parallelisms: 2 }
    },
    names: () => ['Schedule error in default, field "parallelisms"']
  }),
  setRuleField('from', ['25:00', '7pm', '12:60', '24:00', '24:01', '5:05', '', 'noon', 1230, 1.5, true, null, ['05:00']]),
  setRuleField('to', ['25:00', '7pm', '12:60', '24:01', '-01:00', 'noon', 1805, null, {}]),
  setRuleField('days', ['Funday', 'Mon-', 'Mon--Fri', 'Mon..Fri', 'M-F', 'Mon,,Fri', '', [], ['Mon', 3], 5, null, 'Mon-Fri-Sat']),
  setRuleField('dates', ['2026-02-30', '2026-13-01', '2026-11-30..2026-11-27', 'tomorrow', '2026-1-5', 20261127, [], '2026-11-27..', 'a..b..c', null]),
  setRuleField('kpu', badCount).map((m) => ({
    apply: (doc: Doc, index: number) => {
      delete doc.rules[index].parallelism
      m.apply(doc, index)
    },
    names: m.names
  })),
  setRuleField('name', [42, '', true, ['a'], null]).map((m) => ({
    ...m,
    names: (_doc: Doc, index: number) => [`Schedule error in rules[${index}], field "name"`]
  })),
  fc.constantFrom('Mars/Olympus', '', 42, 'America/Los Angeles', 'GMT+25', null).map((zone) => ({
    apply: (doc: Doc) => {
      doc.timezone = zone
    },
    names: () => ['Schedule error in field "timezone"']
  })),
  fc.constant({
    apply: (doc: Doc, index: number) => {
      delete doc.rules[index].kpu
      delete doc.rules[index].parallelism
    },
    names: (doc: Doc, index: number) => [`Schedule error in ${ruleWhere(doc, index)}: has no target`]
  }),
  fc.constant({
    apply: (doc: Doc, index: number) => {
      Object.assign(doc.rules[index], { kpu: 1, parallelism: 1 })
    },
    names: (doc: Doc, index: number) => [`Schedule error in ${ruleWhere(doc, index)}: has both fields`]
  }),
  fc.constant({
    apply: (doc: Doc) => {
      delete doc.default
    },
    names: () => ['Schedule error in field "default": missing']
  }),
  fc.constantFrom(...badCount).map((value) => ({
    apply: (doc: Doc) => {
      doc.default = { parallelism: value }
    },
    names: () => ['Schedule error in default, field "parallelism"']
  })),
  fc.constantFrom('min', 'max').chain((key) =>
    fc.constantFrom(...badCount).map((value) => ({
      apply: (doc: Doc) => {
        doc[key] = value
      },
      names: () => [`Schedule error in field "${key}"`]
    }))
  ),
  fc.constant({
    apply: (doc: Doc) => Object.assign(doc, { min: 5, max: 4 }),
    names: () => ['Schedule error in field "max": 4 is below min 5']
  }),
  fc.constant({
    apply: (doc: Doc, index: number) => {
      doc.max = 1000
      delete doc.rules[index].kpu
      doc.rules[index].parallelism = 2000
    },
    names: (doc: Doc, index: number) => [`${ruleWhere(doc, index)}, field "parallelism": 2000 is above the schedule's max 1000`]
  }),
  fc.constant({
    apply: (doc: Doc, index: number) => {
      doc.rules[index].to = doc.rules[index].from
    },
    names: (doc: Doc, index: number) => [`${ruleWhere(doc, index)}, field "to"`, 'the window is empty']
  }),
  fc.constantFrom('Mon-Fri', 42, null, ['a']).map((value) => ({
    apply: (doc: Doc, index: number) => {
      doc.rules[index] = value as unknown as Record<string, unknown>
    },
    names: (_doc: Doc, index: number) => [`Schedule error in rules[${index}]`]
  }))
)

function rejection(text: string): unknown {
  try {
    parseSchedule(text, 'generated schedule')
  } catch (error) {
    return error
  }
  return undefined
}

describe('invalid schedules', () => {
  it('fail with a ScalerError naming the rule and field', () => {
    const withRules = modelArb.filter((model) => model.rules.length > 0)
    fc.assert(
      fc.property(withRules, mutationArb, fc.nat(), (model, mutation, pick) => {
        const doc = documentOf(model)
        const index = pick % doc.rules.length
        const names = mutation.names(doc, index)
        mutation.apply(doc, index)
        const error = rejection(stringify(doc))
        expect(error).toBeInstanceOf(ScalerError)
        const { message, hint, kind } = error as ScalerError
        expect(kind).toBe('input')
        for (const name of names) expect(message).toContain(name)
        expect(hint).toMatch(/\w/)
      }),
      { numRuns: 500 }
    )
  })

  it('never crash on arbitrary documents or text', () => {
    const accepted = (error: unknown) => error === undefined || (error instanceof ScalerError && error.kind === 'input')
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const text = stringify(value) ?? ''
        expect(accepted(rejection(text))).toBe(true)
        expect(accepted(rejection(stringify({ default: { kpu: 1 }, rules: [value] })))).toBe(true)
        expect(accepted(rejection(stringify({ default: value })))).toBe(true)
      }),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(accepted(rejection(text))).toBe(true)
      }),
      { numRuns: 300 }
    )
  })
})
