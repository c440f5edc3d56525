/**
 * Suggested schedules: the needed size of each past hour, the week they fold into (daylight saving
 * in both directions, in two zones), the proposal (sizes, rules, days grouped), its YAML (accepted
 * by the parser and the JSON Schema, one schedule or one per application) and its figures.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from '@jest/globals'
import { DateTime } from 'luxon'
import { parse, stringify } from 'yaml'
import { ScalerError } from '../src/errors.js'
import { foldWeek, neededKpu, pastNeeds, weekCells, type History } from '../src/schedule/history.js'
import { MAX_RULES, MAX_SIZES, chooseLevels, describeDays, propose } from '../src/schedule/proposal.js'
import { evaluate, parseSchedule, type Target } from '../src/schedule/schedule.js'
import { FULL_CPU, SCHEMA_URL, renderNamedSchedules, suggest, type Suggestion } from '../src/schedule/suggestion.js'
import { ROOT } from '../scripts/validate-workflows.js'
import { expectWith } from './fixtures/expect-with.js'
import { DAY, HOUR, businessHours, historyOf, localHour, type HistorySpec, type LocalHour } from './fixtures/history.js'

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schedule.schema.json'), 'utf8')) as { $id: string }
const validate = new Ajv({ allErrors: true }).compile(schema)

const LA = 'America/Los_Angeles'
const BERLIN = 'Europe/Berlin'

function suggestFor(spec: HistorySpec, price?: number): Suggestion {
  return suggest(historyOf(spec), { timezone: spec.zone, utilization: spec.utilization ?? 60, ...(price === undefined ? {} : { kpuHourPrice: price }) })
}

/** The parser and the JSON Schema both accept the YAML, and it reads back as the proposal. */
function expectValid(suggestion: Suggestion): void {
  const context = suggestion.yaml
  expectWith(suggestion.yaml.split('\n')[0], context).toBe(`# yaml-language-server: $schema=${schema.$id}`)
  const schedule = parseSchedule(suggestion.yaml, 'test')
  expectWith(validate(parse(suggestion.yaml)) ? [] : validate.errors, context).toEqual([])
  expectWith(schedule.default, context).toEqual({ kpu: suggestion.proposal.defaultKpu })
  expectWith(schedule.rules.map((rule) => rule.target), context).toEqual(suggestion.proposal.rules.map((rule) => ({ kpu: rule.kpu })))
  const sizes = new Set([suggestion.proposal.defaultKpu, ...suggestion.proposal.rules.map((rule) => rule.kpu)])
  expectWith(sizes.size, context).toBeLessThanOrEqual(MAX_SIZES)
  expectWith(suggestion.proposal.rules.length, context).toBeLessThanOrEqual(MAX_RULES)
  for (const rule of schedule.rules) {
    expectWith(rule.from % 60, context).toBe(0)
    expectWith(rule.to % 60, context).toBe(0)
    // A window is at least an hour: to after from, or across midnight.
    expectWith((rule.to - rule.from + 1440) % 1440 || 1440, context).toBeGreaterThanOrEqual(60)
  }
}

/** The target of the suggested schedule at a local wall-clock time, e.g. "2026-03-06T09:30". */
function kpuAt(suggestion: Suggestion, local: string): number {
  const at = DateTime.fromISO(local, { zone: suggestion.proposal.timezone }).toJSDate()
  return (evaluate(suggestion.schedule, at).target as Extract<Target, { kpu: number }>).kpu
}

const rulesOf = (suggestion: Suggestion) => suggestion.proposal.rules.map(({ name, days, from, to, kpu }) => ({ name, days, from, to, kpu }))

describe('neededKpu: the fewest KPUs that keep projected CPU at or under the aim', () => {
  it.each([
    // ranKpu, cpu %, aim %, needed
    [20, 30, 60, 10],
    [20, 30.1, 60, 11],
    [5, 60, 60, 5],
    [3, 61, 60, 4],
    [10, 100, 30, 34],
    [4, 0, 60, 1],
    [0.5, 10, 60, 1],
    [2.5, 48, 60, 2],
    // Projected onto 1 KPU it is 1.8 × 50 = 90%: two KPUs are needed at 60%, one at 90%.
    [1.8, 50, 60, 2],
    [1.8, 50, 90, 1]
  ])('ran %p KPU at %p%% CPU, aiming at %p%%: %p', (ran, cpu, aim, needed) => {
    expect(neededKpu(ran, cpu, aim)).toBe(needed)
  })
})

describe('pastNeeds: the hours with data and what each needed', () => {
  const from = new Date('2026-02-02T00:00:00Z')
  const to = new Date(from.getTime() + 14 * DAY)
  const steady = (skip: (i: number) => boolean = () => false): History['hours'] =>
    Array.from({ length: 14 * 24 }, (_, i) => ({ at: new Date(from.getTime() + i * HOUR), kpus: 5, cpu: 45, cpuMax: 80 })).filter((_, i) => !skip(i))

  it('counts the orchestration KPU out: the parallelism that ran is (KPUs - 1) × ParallelismPerKPU', () => {
    const needs = pastNeeds({ application: 'a', parallelismPerKpu: 4, from, to, hours: steady() }, 60)
    expect(needs.hours[0]).toEqual({ at: from, ranKpu: 4, ranParallelism: 16, cpu: 45, cpuMax: 80, neededKpu: 3 })
    expect(needs).toMatchObject({ lookBackHours: 336, hoursWithoutData: 0, utilization: 60 })
  })

  it('counts hours without data: absent, without CPU, or without KPUs two hours running', () => {
    const hours = steady((i) => i >= 24 && i < 72)
    hours[100] = { at: hours[100].at, cpu: 45 } // KPUs of the hour before: data
    hours[200] = { at: hours[200].at, cpu: 45 }
    hours[201] = { at: hours[201].at, cpu: 45 } // no KPUs in the hour before either: no data
    hours[250] = { at: hours[250].at, kpus: 5 } // no CPU: no data
    hours[260] = { at: hours[260].at, kpus: 1, cpu: 45 } // only the orchestration KPU: no data
    const needs = pastNeeds({ application: 'a', parallelismPerKpu: 1, from, to, hours }, 60)
    expect(needs.hoursWithoutData).toBe(48 + 3)
    expect(needs.hours.length).toBe(336 - 51)
    expect(needs.hours.find((h) => h.at.getTime() === hours[100].at.getTime())).toMatchObject({ ranKpu: 4, neededKpu: 3 })
  })

  it('sizes by the percentile, and by the Maximum when only that was published', () => {
    const hours = steady()
    hours[5] = { at: hours[5].at, kpus: 5, cpuMax: 80 }
    const needs = pastNeeds({ application: 'a', parallelismPerKpu: 1, from, to, hours }, 60)
    expect(needs.hours[0]).toMatchObject({ cpu: 45, neededKpu: 3 })
    expect(needs.hours[5]).toMatchObject({ cpu: 80, neededKpu: 6 })
  })

  it('refuses less than a week of data, saying how much there was', () => {
    const hours = steady((i) => i < 14 * 24 - 123)
    let error: unknown
    try {
      pastNeeds({ application: 'orders-enricher', parallelismPerKpu: 1, from, to, hours }, 60)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ScalerError)
    const scaler = error as ScalerError
    expect(scaler.message).toBe('Application "orders-enricher" has metrics for 5 days and 3 hours of the 14 days looked back on; a suggestion needs at least 7 days of them.')
    expect(scaler.hint).toMatch(/a week/)
    expect(scaler.hint).toMatch(/63d/)
  })

  it('takes exactly a week of data', () => {
    const hours = steady((i) => i < 7 * 24)
    expect(pastNeeds({ application: 'a', parallelismPerKpu: 1, from, to, hours }, 60).hours.length).toBe(168)
  })

  it('says a look-back of a few hours in hours', () => {
    const hours = steady((i) => i >= 5)
    expect(() => pastNeeds({ application: 'a', parallelismPerKpu: 1, from, to, hours }, 60)).toThrow(/has metrics for 5 hours of the 14 days/)
  })
})

describe('foldWeek: past hours into the local week, daylight saving both ways', () => {
  const hoursOf = (zone: string, fromLocal: string, toLocal: string) => {
    const from = DateTime.fromISO(fromLocal, { zone }).toMillis()
    const to = DateTime.fromISO(toLocal, { zone }).toMillis()
    return Array.from({ length: (to - from) / HOUR }, (_, i) => ({ at: new Date(from + i * HOUR), ranKpu: 20, ranParallelism: 20, cpu: 4.5, neededKpu: 2 }))
  }
  const count = (cells: number[][]) => cells.reduce((total, cell) => total + cell.length, 0)

  it.each([
    // zone, a week from Monday 00:00 local, the hours it has, the local hour it repeats or skips (Sunday)
    [LA, '2026-10-26T00:00', '2026-11-02T00:00', 169, 1, 2],
    [LA, '2026-03-02T00:00', '2026-03-09T00:00', 167, 2, 0],
    [BERLIN, '2026-10-19T00:00', '2026-10-26T00:00', 169, 2, 2],
    [BERLIN, '2026-03-23T00:00', '2026-03-30T00:00', 167, 2, 0]
  ])('%s, the week from %s to %s: %p hours, none invented or lost; Sunday %p:00 holds %p', (zone, from, to, hours, hour, held) => {
    const past = hoursOf(zone, from, to)
    expect(past.length).toBe(hours)
    const week = foldWeek(past, zone)
    expect(count(week.cells)).toBe(hours)
    expect(week.cells[6 * 24 + hour].length).toBe(held)
    for (const [cell, values] of week.cells.entries()) if (cell !== 6 * 24 + hour) expect(values.length).toBe(1)
  })

  it('keeps a 09:00 local peak at 09:00 in both halves of the year', () => {
    for (const [zone, from] of [
      [LA, '2026-02-16T08:00:00Z'],
      [LA, '2026-10-12T07:00:00Z'],
      [BERLIN, '2026-03-09T00:00:00Z'],
      [BERLIN, '2026-10-05T00:00:00Z']
    ]) {
      const history = historyOf({ zone, from, days: 35, need: ({ hour }) => (hour === 9 ? 12 : 3) })
      const week = foldWeek(pastNeeds(history, 60).hours, zone)
      for (let cell = 0; cell < 168; cell++) {
        expectWith(new Set(week.cells[cell]), `${zone} ${from} cell ${cell}`).toEqual(new Set([cell % 24 === 9 ? 12 : 3]))
      }
    }
  })

  it('counts an hour that straddles two local hours (Asia/Kolkata, +05:30) in both', () => {
    expect(weekCells('Asia/Kolkata', new Date('2026-06-01T03:00:00Z'))).toEqual([8, 9]) // Monday 08:30-09:30
    expect(weekCells('UTC', new Date('2026-06-07T23:00:00Z'))).toEqual([6 * 24 + 23])
    expect(weekCells(LA, new Date('2026-06-01T07:00:00Z'))).toEqual([0])
  })
})

describe('the proposal', () => {
  // Monday 2026-02-16 00:00 PST, four weeks across the change to PDT on 2026-03-08.
  const FOUR_WEEKS: Pick<HistorySpec, 'zone' | 'from' | 'days'> = { zone: LA, from: '2026-02-16T08:00:00Z', days: 28 }

  it('gives a flat history a flat schedule: the default only', () => {
    const suggestion = suggestFor({ ...FOUR_WEEKS, need: () => 5 })
    expectValid(suggestion)
    expect(suggestion.proposal).toMatchObject({ defaultKpu: 5, rules: [] })
    expect(suggestion.yaml).not.toMatch(/rules/)
  })

  it('gives a clean business-hours history its rules back, the Saturday batch first', () => {
    const suggestion = suggestFor({ ...FOUR_WEEKS, need: businessHours })
    expectValid(suggestion)
    expect(suggestion.yaml).toBe(
      [
        `# yaml-language-server: $schema=${SCHEMA_URL}`,
        '# Suggested for orders-enricher from its CloudWatch metrics of 2026-02-16 08:00 UTC to 2026-03-16 08:00 UTC (every hour with data),',
        '# sized to keep containerCPUUtilization (p90 of each hour) at or under 60%.',
        'timezone: America/Los_Angeles',
        'default: { kpu: 3 }',
        'rules:',
        '  - { name: "Sat 01-05", days: Sat, from: "01:00", to: "05:00", kpu: 16 }',
        '  - { name: "Mon-Fri 08-18", days: Mon-Fri, from: "08:00", to: "18:00", kpu: 12 }',
        ''
      ].join('\n')
    )
    // Before and after the change to daylight-saving time.
    expect(kpuAt(suggestion, '2026-03-06T08:00')).toBe(12)
    expect(kpuAt(suggestion, '2026-03-09T08:00')).toBe(12)
    expect(kpuAt(suggestion, '2026-03-09T07:59')).toBe(3)
    expect(kpuAt(suggestion, '2026-03-14T04:59')).toBe(16)
  })

  it.each([
    [LA, '2026-02-23T08:00:00Z', '2026-03-06', '2026-03-09'],
    [LA, '2026-10-19T07:00:00Z', '2026-10-30', '2026-11-02'],
    [BERLIN, '2026-03-16T00:00:00Z', '2026-03-27', '2026-03-30'],
    [BERLIN, '2026-10-12T00:00:00Z', '2026-10-23', '2026-10-26']
  ])('%s from %s, across a daylight-saving change: the 09:00-17:00 rule stays at 09:00 local (%s and %s)', (zone, from, before, after) => {
    const suggestion = suggestFor({ zone, from, days: 21, need: ({ weekday, hour }) => (weekday <= 5 && hour >= 9 && hour < 17 ? 10 : 2) })
    expectValid(suggestion)
    expect(rulesOf(suggestion)).toEqual([{ name: 'Mon-Fri 09-17', days: [1, 2, 3, 4, 5], from: 9, to: 17, kpu: 10 }])
    for (const date of [before, after]) {
      expect(kpuAt(suggestion, `${date}T08:59`)).toBe(2)
      expect(kpuAt(suggestion, `${date}T09:00`)).toBe(10)
      expect(kpuAt(suggestion, `${date}T16:59`)).toBe(10)
      expect(kpuAt(suggestion, `${date}T17:00`)).toBe(2)
    }
    expect(suggestion.figures).toMatchObject({ carried: suggestion.figures.hoursWithData, underProvisioned: 0 })
  })

  it('sizes the hour a fall-back repeats for both of its past hours', () => {
    // A week from Monday 2026-10-26 00:00 PDT; only the second 01:00 (PST) of Sunday 2026-11-01 is
    // busy, and a single week sets nothing aside: the rule covers both 01:00s.
    const busy = Date.parse('2026-11-01T09:00:00Z')
    const suggestion = suggestFor({ zone: LA, from: '2026-10-26T07:00:00Z', days: 7, need: ({ at }) => (at.getTime() === busy ? 9 : 2) })
    expectValid(suggestion)
    expect(rulesOf(suggestion)).toEqual([{ name: 'Sun 01-02', days: [7], from: 1, to: 2, kpu: 9 }])
    expect(suggestion.figures.underProvisioned).toBe(0)
    expect(kpuAt(suggestion, '2026-11-01T01:30')).toBe(9)
  })

  it('groups a night batch across midnight into one window: Mon-Fri 22:00 to the next 06:00', () => {
    const suggestion = suggestFor({
      ...FOUR_WEEKS,
      need: ({ weekday, hour }) => ((weekday <= 5 && hour >= 22) || (weekday >= 2 && weekday <= 6 && hour < 6) ? 16 : 4)
    })
    expectValid(suggestion)
    expect(rulesOf(suggestion)).toEqual([{ name: 'Mon-Fri 22-06', days: [1, 2, 3, 4, 5], from: 22, to: 6, kpu: 16 }])
    expect(kpuAt(suggestion, '2026-03-14T05:59')).toBe(16) // Saturday morning ends Friday's batch
    expect(kpuAt(suggestion, '2026-03-09T05:59')).toBe(4) // Monday morning: no batch on Sunday night
  })

  it('keeps Friday with the other weekdays when its evening is busier', () => {
    const suggestion = suggestFor({
      ...FOUR_WEEKS,
      need: ({ weekday, hour }) => (weekday === 5 && hour >= 17 && hour < 20 ? 16 : weekday <= 5 && hour >= 8 && hour < 18 ? 12 : 3)
    })
    expectValid(suggestion)
    expect(rulesOf(suggestion)).toEqual([
      { name: 'Fri 17-20', days: [5], from: 17, to: 20, kpu: 16 },
      { name: 'Mon-Fri 08-18', days: [1, 2, 3, 4, 5], from: 8, to: 18, kpu: 12 }
    ])
  })

  it('groups days that differ by a little and keeps apart days that differ by much', () => {
    // Friday ends an hour earlier: cheaper to keep it with Monday to Thursday.
    const close = suggestFor({ ...FOUR_WEEKS, need: ({ weekday, hour }) => (weekday <= 5 && hour >= 8 && hour < (weekday === 5 ? 17 : 18) ? 12 : 3) })
    expectValid(close)
    expect(rulesOf(close)).toEqual([{ name: 'Mon-Fri 08-18', days: [1, 2, 3, 4, 5], from: 8, to: 18, kpu: 12 }])
    // Friday ends at 13:00: five hours of 12 KPU for nothing every week would cost more than a rule.
    const far = suggestFor({ ...FOUR_WEEKS, need: ({ weekday, hour }) => (weekday <= 5 && hour >= 8 && hour < (weekday === 5 ? 13 : 18) ? 12 : 3) })
    expectValid(far)
    expect(rulesOf(far)).toEqual([
      { name: 'Mon-Thu 08-18', days: [1, 2, 3, 4], from: 8, to: 18, kpu: 12 },
      { name: 'Fri 08-13', days: [5], from: 8, to: 13, kpu: 12 }
    ])
  })

  it('writes whole days as days alone, and every day as no days', () => {
    const weekend = suggestFor({ ...FOUR_WEEKS, need: ({ weekday }) => (weekday <= 5 ? 6 : 2) })
    expectValid(weekend)
    expect(rulesOf(weekend)).toEqual([{ name: 'Mon-Fri', days: [1, 2, 3, 4, 5], from: 0, to: 24, kpu: 6 }])
    expect(weekend.yaml).toContain('  - { name: Mon-Fri, days: Mon-Fri, kpu: 6 }\n')
    const daily = suggestFor({ ...FOUR_WEEKS, need: ({ hour }) => (hour >= 7 && hour < 23 ? 10 : 2) })
    expectValid(daily)
    expect(rulesOf(daily)).toEqual([{ name: 'daily 07-23', days: undefined, from: 7, to: 23, kpu: 10 }])
    expect(daily.yaml).toContain('  - { name: "daily 07-23", from: "07:00", to: "23:00", kpu: 10 }\n')
  })

  it('finds a Saturday batch at 16 on its own', () => {
    const suggestion = suggestFor({ ...FOUR_WEEKS, need: ({ weekday, hour }) => (weekday === 6 && hour >= 1 && hour < 5 ? 16 : 2) })
    expectValid(suggestion)
    expect(suggestion.proposal.defaultKpu).toBe(2)
    expect(rulesOf(suggestion)).toEqual([{ name: 'Sat 01-05', days: [6], from: 1, to: 5, kpu: 16 }])
  })

  it('keeps to four sizes, rounding up, when the history has six', () => {
    const suggestion = suggestFor({ ...FOUR_WEEKS, need: ({ hour }) => 2 + 3 * (hour % 6) })
    expectValid(suggestion)
    expect(suggestion.figures.underProvisioned).toBe(0)
    expect(new Set(suggestion.proposal.week).size).toBeLessThanOrEqual(4)
  })

  it('sets aside a one-off hour, and says so in the figures', () => {
    // Wednesday 2026-02-25 03:00 PST: a replay after an incident, once in four weeks.
    const replay = Date.parse('2026-02-25T11:00:00Z')
    const suggestion = suggestFor({ ...FOUR_WEEKS, need: (local) => (local.at.getTime() === replay ? 25 : businessHours(local)) })
    expectValid(suggestion)
    expect(suggestion.proposal).toMatchObject({ defaultKpu: 3, setAside: 1 })
    expect(suggestion.proposal.rules.map((rule) => rule.name)).toEqual(['Sat 01-05', 'Mon-Fri 08-18'])
    expect(suggestion.figures).toMatchObject({ hoursWithData: 672, carried: 671, underProvisioned: 1 })
    const worst = suggestion.figures.worst
    expect(worst).toMatchObject({ at: new Date(replay), local: 'Wed 2026-02-25 03:00 PST', neededKpu: 25, kpu: 3, ranKpu: 20 })
    // 60% × 24.5 KPU of load on 3 KPU.
    expect(worst.projected).toBeCloseTo(490, 6)
    expect(worst.over).toBeCloseTo(430, 6)
    expect(worst.projectedMax).toBeCloseTo((490 * 4) / 3, 6)
  })

  it('does not set aside a need that comes back every week', () => {
    const suggestion = suggestFor({ ...FOUR_WEEKS, need: (local) => (local.weekday === 3 && local.hour === 3 ? 25 : businessHours(local)) })
    expectValid(suggestion)
    expect(rulesOf(suggestion)[0]).toEqual({ name: 'Wed 03-04', days: [3], from: 3, to: 4, kpu: 25 })
    expect(suggestion.figures.underProvisioned).toBe(0)
  })

  it('keeps a noisy history to a few rules and four sizes, and carries nearly every hour', () => {
    let seed = 42
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const suggestion = suggestFor({ zone: BERLIN, from: '2026-03-02T00:00:00Z', days: 63, need: (local) => Math.max(1, Math.round(businessHours(local) * (0.7 + 0.6 * random()))) })
    expectValid(suggestion)
    expect(suggestion.figures.carriedShare).toBeGreaterThanOrEqual(0.99)
    expect(suggestion.figures.kpuHours.schedule).toBeLessThan(suggestion.figures.kpuHours.flat * 0.6)
  })
})

describe('the figures, on the same weeks', () => {
  it('KPU-hours of the proposal beside what ran and flat at its peak, with cost, and hours without data counted', () => {
    // The application ran flat at 20 KPU; stopped for two days in the second week.
    const from = Date.parse('2026-02-16T08:00:00Z')
    const stopped = (at: Date) => at.getTime() >= from + 9 * DAY && at.getTime() < from + 11 * DAY
    const spec: HistorySpec = { zone: LA, from: new Date(from), days: 28, need: (local) => (stopped(local.at) ? undefined : businessHours(local)) }
    const suggestion = suggestFor(spec, 0.11)
    expectValid(suggestion)
    const withData: LocalHour[] = []
    for (let t = from; t < from + 28 * DAY; t += HOUR) if (!stopped(new Date(t))) withData.push(localHour(LA, t))
    const kpuHours = withData.reduce((total, local) => total + businessHours(local), 0)
    expect(suggestion.figures).toMatchObject({
      utilization: 60,
      lookBackHours: 672,
      hoursWithData: 624,
      hoursWithoutData: 48,
      carried: 624,
      underProvisioned: 0,
      carriedShare: 1,
      peakKpu: 16,
      kpuHours: { schedule: kpuHours, used: 20 * 624, flat: 16 * 624 }
    })
    expect(suggestion.figures.cost?.price).toBe(0.11)
    expect(suggestion.figures.cost?.schedule).toBeCloseTo(kpuHours * 0.11, 9)
    expect(suggestion.figures.cost?.used).toBeCloseTo(20 * 624 * 0.11, 9)
    expect(suggestion.figures.cost?.flat).toBeCloseTo(16 * 624 * 0.11, 9)
    expect(suggestion.yaml).toContain('(48 of 672 hours without data)')
    // The busiest hour under the proposal is at the aim or under it.
    expect(suggestion.figures.worst.over).toBeLessThanOrEqual(0)
    expect(suggestion.figures.worst.projected).toBeCloseTo(60 * (15.5 / 16), 9)
  })

  it('hours that ran at full CPU are counted: what they needed may be more than they show', () => {
    // Ran 16 KPU throughout; weekdays 10-12 needed 26, which puts the p90 on the 16 that ran at 95.6%.
    const pinned = ({ weekday, hour }: LocalHour) => weekday <= 5 && hour >= 10 && hour < 12
    const suggestion = suggestFor({ zone: LA, from: '2026-02-16T08:00:00Z', days: 28, need: (local) => (pinned(local) ? 26 : 4), ran: () => 16 })
    expectValid(suggestion)
    expect(suggestion.figures.atFullCpu).toBe(2 * 20)
    expect(suggestion.figures.worst.cpu).toBeGreaterThanOrEqual(FULL_CPU)
    expect(suggestFor({ zone: LA, from: '2026-02-16T08:00:00Z', days: 28, need: () => 4, ran: () => 16 }).figures.atFullCpu).toBe(0)
  })

  it('no cost without a price', () => {
    expect(suggestFor({ zone: 'UTC', from: '2026-05-04T00:00:00Z', days: 7, need: () => 2 }).figures.cost).toBeUndefined()
  })

  it('sizes are KPUs at the application\'s ParallelismPerKPU', () => {
    // 20 KPUs ran 80 parallel tasks; 12 KPUs at 4 per KPU is parallelism 48.
    const suggestion = suggestFor({ zone: 'UTC', from: '2026-05-04T00:00:00Z', days: 14, parallelismPerKpu: 4, need: ({ hour }) => (hour < 12 ? 12 : 2) })
    expect(suggestion.needs.hours[0]).toMatchObject({ ranKpu: 20, ranParallelism: 80, neededKpu: 12 })
    expect(suggestion.proposal).toMatchObject({ defaultKpu: 2, rules: [{ from: 0, to: 12, kpu: 12 }] })
    expect(evaluate(suggestion.schedule, new Date('2026-05-04T06:00:00Z'), 4).target).toEqual({ kpu: 12 })
    expect(suggestion.figures.kpuHours.schedule).toBe(14 * (12 * 12 + 12 * 2))
  })

  it('aims where it is told: at 30% the same load needs twice the KPUs of 60%', () => {
    const load = ({ hour }: LocalHour) => (hour < 12 ? 6 : 2)
    const history = historyOf({ zone: 'UTC', from: '2026-05-04T00:00:00Z', days: 14, need: load })
    const at60 = suggest(history, { timezone: 'UTC', utilization: 60 })
    const at30 = suggest(history, { timezone: 'UTC', utilization: 30 })
    expect([at60.proposal.defaultKpu, at60.proposal.rules[0]?.kpu]).toEqual([2, 6])
    // 60% × 5.5 KPU of load is 3.3 KPU at 100%: 11 KPU at 30%; 60% × 1.5 = 0.9: 3 KPU at 30%.
    expect([at30.proposal.defaultKpu, at30.proposal.rules[0]?.kpu]).toEqual([3, 11])
    expect(at30.yaml).toContain('at or under 30%.')
  })
})

describe('one named schedule per application', () => {
  const FROM = '2026-02-16T08:00:00Z'
  const suggestions = [
    suggestFor({ application: 'orders-enricher', zone: LA, from: FROM, days: 28, need: businessHours }),
    suggestFor({ application: 'batch-night', zone: LA, from: FROM, days: 28, need: ({ hour }) => (hour >= 1 && hour < 5 ? 16 : 2) }),
    suggestFor({ application: 'true', zone: LA, from: FROM, days: 28, need: () => 4 })
  ]

  it('has the contract\'s shape: a zone for all, and under schedules: one named after each application', () => {
    const text = renderNamedSchedules(suggestions)
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema.$id}`)
    const doc = parse(text) as { timezone: string; schedules: Record<string, Record<string, unknown>> }
    expect(Object.keys(doc)).toEqual(['timezone', 'schedules'])
    expect(doc.timezone).toBe(LA)
    // "true" stays a name: quoted, it reads back as text.
    expect(Object.keys(doc.schedules)).toEqual(['orders-enricher', 'batch-night', 'true'])
    expect(text).toContain('\n  "true":\n')
  })

  it('each named schedule is the application\'s own suggestion, valid as a single schedule', () => {
    const doc = parse(renderNamedSchedules(suggestions)) as { timezone: string; schedules: Record<string, Record<string, unknown>> }
    for (const suggestion of suggestions) {
      const single = { timezone: doc.timezone, ...doc.schedules[suggestion.application] }
      expectWith(validate(single) ? [] : validate.errors, suggestion.application).toEqual([])
      const schedule = parseSchedule(stringify(single), suggestion.application)
      expect(schedule).toEqual(suggestion.schedule)
    }
  })

  it('names are the caller\'s, and must differ', () => {
    const text = renderNamedSchedules(suggestions, (s) => `${s.application}-us-west-2`)
    expect(Object.keys((parse(text) as { schedules: object }).schedules)).toEqual(['orders-enricher-us-west-2', 'batch-night-us-west-2', 'true-us-west-2'])
    expect(() => renderNamedSchedules([suggestions[0], suggestions[0]])).toThrow(/two schedules named "orders-enricher"/)
  })
})

describe('the pieces', () => {
  it.each([
    [[1, 2, 3, 4, 5], 'Mon-Fri'],
    [[6, 7], 'Sat,Sun'],
    [[1, 5, 6, 7], 'Fri-Mon'],
    [[1, 3, 5], 'Mon,Wed,Fri'],
    [[1, 7], 'Sun,Mon'],
    [[1, 2, 4, 7], 'Thu,Sun-Tue'],
    [[1, 2, 3, 5, 6, 7], 'Fri-Wed'],
    [[2, 3, 4, 6], 'Tue-Thu,Sat'],
    [[7], 'Sun']
  ])('describeDays(%p) is %p, which the parser reads back', (days, text) => {
    expect(describeDays(days)).toBe(text)
    expect(parseSchedule(`default: { kpu: 1 }\nrules: [{ days: "${text}", kpu: 2 }]`, 'test').rules[0].days).toEqual(days)
  })

  it.each([
    [[1, 1, 2, 3, 4], 4, [1, 2, 3, 4]],
    // Rounding 1 up costs four KPU-hours, 2 up seven, each 9 up one: three.
    [[1, 1, 1, 1, 2, 9, 9, 9, 10], 3, [1, 2, 10]],
    // Many hours at 3 and 12, a few in between: those are rounded up, into 5 and 16.
    [[...Array(100).fill(3), 4, 5, ...Array(50).fill(12), 13, ...Array(4).fill(16)], 4, [3, 5, 12, 16]],
    [[7, 7, 7], 4, [7]],
    [[1, 10, 20, 30, 40], 1, [40]]
  ])('chooseLevels(%p, %p) is %p', (needs, count, levels) => {
    expect(chooseLevels(needs, count)).toEqual(levels)
  })

  it('propose refuses a week without any need', () => {
    expect(() => propose({ timezone: 'UTC', cells: Array.from({ length: 168 }, () => []) })).toThrow(RangeError)
  })

  it('SCHEMA_URL is the schema\'s $id', () => {
    expect(SCHEMA_URL).toBe(schema.$id)
  })
})
