/**
 * Property tests of suggested schedules, on random histories in zones with daylight saving (whole,
 * half and quarter hours), with gaps and one-off hours: the proposal is a valid schedule of at most
 * four sizes and a few rules on whole hours; the engine runs it as the proposal's week says; it
 * under-provisions no more past hours than the figures report (a reference counts them from the
 * local wall clock that luxon reads); a flat history gives a flat schedule; less than a week is
 * refused. And the figures of any schedule count what the engine gives, hour by hour.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { Ajv } from 'ajv'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { ScalerError } from '../src/errors.js'
import { describeHours, pastNeeds, type History } from '../src/schedule/history.js'
import { MAX_RULES, MAX_SIZES, SET_ASIDE_PER_CELL, SET_ASIDE_SHARE } from '../src/schedule/proposal.js'
import { evaluate, parseSchedule, type Schedule, type Target } from '../src/schedule/schedule.js'
import { measure, suggest, type Suggestion } from '../src/schedule/suggestion.js'
import { ROOT } from '../scripts/validate-workflows.js'
import { expectWith } from './fixtures/expect-with.js'
import { DAY, HOUR, historyOf, localHour } from './fixtures/history.js'

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schedule.schema.json'), 'utf8')) as object
const validate = new Ajv({ allErrors: true }).compile(schema)

const QUARTER = 15 * 60_000
const ZONES = ['America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC']
/** A first hour somewhere in 2026, so that look-backs cross every zone's changes. */
const START = Date.UTC(2026, 0, 1)

/** The cell of the local week an instant is in, as luxon reads the wall clock. */
function cellAt(zone: string, t: number): number {
  const local = localHour(zone, t)
  return (local.weekday - 1) * 24 + local.hour
}

const kpuOf = (target: Target, perKpu: number) => ('kpu' in target ? target.kpu : Math.ceil(target.parallelism / perKpu))

interface Case {
  zone: string
  from: number
  days: number
  utilization: number
  parallelismPerKpu: number
  /** What each hour of the local week needs. */
  week: number[]
  /** Per hour of the look-back: kept (has data), and a one-off need in place of the week's. */
  gaps: number
  oneOffs: { hour: number; need: number }[]
  seed: number
}

/** A week of needs: a quiet size and a few busier windows, or every hour its own size. */
const weekOf = fc.oneof(
  fc
    .record({
      quiet: fc.integer({ min: 1, max: 6 }),
      windows: fc.array(
        fc.record({ days: fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 1 }), from: fc.integer({ min: 0, max: 23 }), hours: fc.integer({ min: 1, max: 30 }), need: fc.integer({ min: 2, max: 40 }) }),
        { maxLength: 5 }
      )
    })
    .map(({ quiet, windows }) => {
      const week = Array<number>(168).fill(quiet)
      for (const w of windows) for (const day of w.days) for (let h = 0; h < w.hours; h++) week[(day * 24 + w.from + h) % 168] = Math.max(week[(day * 24 + w.from + h) % 168], w.need)
      return week
    }),
  fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 168, maxLength: 168 })
)

const caseOf: fc.Arbitrary<Case> = fc.record({
  zone: fc.constantFrom(...ZONES),
  from: fc.integer({ min: 0, max: 300 * 24 }).map((hours) => START + hours * HOUR),
  days: fc.integer({ min: 7, max: 63 }),
  utilization: fc.integer({ min: 30, max: 90 }),
  parallelismPerKpu: fc.integer({ min: 1, max: 8 }),
  week: weekOf,
  gaps: fc.constantFrom(0, 0, 0.05, 0.3),
  oneOffs: fc.array(fc.record({ hour: fc.nat(), need: fc.integer({ min: 1, max: 60 }) }), { maxLength: 12 }),
  seed: fc.integer()
})

/** The history of a case, and what each of its hours with data needed. */
function historyOfCase(c: Case): { history: History; needs: Map<number, number> } {
  let seed = c.seed
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const hours = c.days * 24
  const oneOff = new Map(c.oneOffs.map(({ hour, need }) => [c.from + (hour % hours) * HOUR, need]))
  const needs = new Map<number, number>()
  const history = historyOf({
    zone: c.zone,
    from: new Date(c.from),
    days: c.days,
    utilization: c.utilization,
    parallelismPerKpu: c.parallelismPerKpu,
    need: (local) => {
      if (Math.abs(random()) < c.gaps) return undefined
      const need = oneOff.get(local.at.getTime()) ?? c.week[(local.weekday - 1) * 24 + local.hour]
      needs.set(local.at.getTime(), need)
      return need
    },
    // What ran: anywhere from what keeps CPU under 100% to well above the need.
    ran: (local) => Math.max(1, Math.ceil((needs.get(local.at.getTime()) ?? 1) * 0.6)) + Math.floor(Math.abs(random()) * 20)
  })
  return { history, needs }
}

function expectValidProposal(suggestion: Suggestion, context: string): void {
  const schedule = parseSchedule(suggestion.yaml, 'test')
  expectWith(validate(parse(suggestion.yaml)) ? [] : validate.errors, context).toEqual([])
  const sizes = new Set([suggestion.proposal.defaultKpu, ...suggestion.proposal.rules.map((rule) => rule.kpu)])
  expectWith(sizes.size, context).toBeLessThanOrEqual(MAX_SIZES)
  expectWith(new Set(suggestion.proposal.week).size, context).toBe(sizes.size)
  expectWith(schedule.rules.length, context).toBeLessThanOrEqual(MAX_RULES)
  for (const rule of schedule.rules) {
    expectWith([rule.from % 60, rule.to % 60], context).toEqual([0, 0])
    expectWith((rule.to - rule.from + 1440) % 1440 || 1440, context).toBeGreaterThanOrEqual(60)
  }
}

describe('suggest, on random histories', () => {
  it('proposes a valid schedule that runs as its week says and under-provisions no more hours than it reports', () => {
    fc.assert(
      fc.property(caseOf, (c) => {
        const { history, needs } = historyOfCase(c)
        const context = JSON.stringify({ ...c, week: c.week.join(',') })
        if (needs.size < 168) {
          expectWith(() => suggest(history, { timezone: c.zone, utilization: c.utilization }), context).toThrow(ScalerError)
          return
        }
        const suggestion = suggest(history, { timezone: c.zone, utilization: c.utilization })
        expectValidProposal(suggestion, `${context}\n${suggestion.yaml}`)
        const { proposal, figures } = suggestion

        // The engine runs the YAML as the proposal's week says, at every quarter hour sampled.
        for (let t = c.from; t < c.from + c.days * DAY; t += 7 * QUARTER) {
          expectWith(kpuOf(evaluate(suggestion.schedule, new Date(t)).target, c.parallelismPerKpu), `${context}\n${new Date(t).toISOString()}`).toBe(proposal.week[cellAt(c.zone, t)])
        }

        // The reference: the fewest KPUs of the week in each quarter of each hour with data.
        let under = 0
        let kpuHours = 0
        for (const [t, need] of needs) {
          const quarters = [0, 1, 2, 3].map((q) => proposal.week[cellAt(c.zone, t + q * QUARTER)])
          if (Math.min(...quarters) < need) under++
          kpuHours += quarters.reduce((a, b) => a + b, 0) / 4
        }
        expectWith(figures.underProvisioned, context).toBeGreaterThanOrEqual(under)
        expectWith(figures.underProvisioned, context).toBe(under)
        expectWith(figures.carried + figures.underProvisioned, context).toBe(needs.size)
        expectWith(figures.hoursWithData, context).toBe(needs.size)
        expectWith(figures.hoursWithoutData, context).toBe(c.days * 24 - needs.size)
        expectWith(figures.kpuHours.schedule, context).toBeCloseTo(kpuHours, 6)
        expectWith(figures.kpuHours.used, context).toBe(history.hours.reduce((total, hour) => total + hour.kpus! - 1, 0))
        expectWith(figures.peakKpu, context).toBe(Math.max(...proposal.week))

        // What was set aside is all it under-provisions: at most one in four of an hour of the week, 1% in all.
        expectWith(under, context).toBeLessThanOrEqual(proposal.setAside)
        const samples = suggestion.week.cells.reduce((total, cell) => total + cell.length, 0)
        expectWith(proposal.setAside, context).toBeLessThanOrEqual(Math.floor(samples * SET_ASIDE_SHARE))
        suggestion.week.cells.forEach((cell, i) => {
          expectWith(cell.filter((need) => need > proposal.week[i]).length, `${context}\ncell ${i}`).toBeLessThanOrEqual(Math.floor(cell.length / SET_ASIDE_PER_CELL))
        })
      }),
      { numRuns: 30 }
    )
  })

  it('gives a flat history a flat schedule, gaps or not', () => {
    fc.assert(
      fc.property(caseOf, fc.integer({ min: 1, max: 64 }), (c, kpu) => {
        const { history, needs } = historyOfCase({ ...c, week: Array<number>(168).fill(kpu), oneOffs: [], gaps: Math.min(c.gaps, 0.05), days: Math.max(c.days, 9) })
        const context = JSON.stringify({ ...c, week: undefined, kpu })
        const suggestion = suggest(history, { timezone: c.zone, utilization: c.utilization })
        expectWith(suggestion.proposal, context).toMatchObject({ defaultKpu: kpu, rules: [], setAside: 0 })
        expectWith(suggestion.figures, context).toMatchObject({ carried: needs.size, underProvisioned: 0, peakKpu: kpu, kpuHours: { schedule: kpu * needs.size, flat: kpu * needs.size } })
      }),
      { numRuns: 30 }
    )
  })

  it('refuses less than a week of data, saying how much there was', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 167 }), fc.integer({ min: 7, max: 63 }), fc.constantFrom(...ZONES), (count, days, zone) => {
        const from = new Date(START)
        const hours = Array.from({ length: count }, (_, i) => ({ at: new Date(START + i * HOUR), kpus: 3, cpu: 50 }))
        const history = { application: 'orders-enricher', parallelismPerKpu: 1, from, to: new Date(START + days * DAY), hours }
        let error: unknown
        try {
          suggest(history, { timezone: zone, utilization: 60 })
        } catch (caught) {
          error = caught
        }
        expect(error).toBeInstanceOf(ScalerError)
        expect((error as ScalerError).message).toContain(`has metrics for ${describeHours(count)} of the ${days} days`)
      }),
      { numRuns: 50 }
    )
  })
})

describe('measure, for any schedule', () => {
  /** A schedule of quarter-hour windows, in KPU or parallelism, with or without lead. */
  const scheduleOf = fc
    .record({
      zone: fc.constantFrom(...ZONES),
      defaultKpu: fc.integer({ min: 1, max: 20 }),
      lead: fc.constantFrom(0, 15, 60),
      rules: fc.array(
        fc.record({
          days: fc.subarray(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], { minLength: 1 }),
          from: fc.integer({ min: 0, max: 95 }),
          to: fc.integer({ min: 1, max: 96 }),
          size: fc.integer({ min: 1, max: 40 }),
          parallelism: fc.boolean()
        }),
        { maxLength: 4 }
      )
    })
    .filter(({ rules }) => rules.every((rule) => rule.from !== rule.to))
    .map(({ zone, defaultKpu, lead, rules }) => {
      const time = (q: number) => `"${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}"`
      const lines = [`timezone: ${zone}`, `default: { kpu: ${defaultKpu} }`, ...(lead ? [`lead: ${lead}m`] : []), 'rules:']
      for (const rule of rules) {
        lines.push(`  - { days: "${rule.days.join(',')}", from: ${time(rule.from)}, to: ${time(rule.to)}, ${rule.parallelism ? 'parallelism' : 'kpu'}: ${rule.size} }`)
      }
      return { zone, text: lines.join('\n') }
    })

  it('counts the hours a schedule under-provisions, and its KPU-hours, as the engine gives them', () => {
    fc.assert(
      fc.property(caseOf, scheduleOf, (c, { zone, text }) => {
        const { history, needs } = historyOfCase({ ...c, zone, days: Math.min(c.days, 21), gaps: Math.min(c.gaps, 0.05) })
        if (needs.size < 168) return
        const schedule: Schedule = parseSchedule(text, 'test')
        const past = pastNeeds(history, c.utilization)
        const figures = measure(schedule, past, 0.2)
        const context = `${text}\n${JSON.stringify({ ...c, week: undefined })}`
        let under = 0
        let kpuHours = 0
        let worst = 0
        for (const hour of past.hours) {
          const t = hour.at.getTime()
          const quarters = [0, 1, 2, 3].map((q) => kpuOf(evaluate(schedule, new Date(t + q * QUARTER), c.parallelismPerKpu).target, c.parallelismPerKpu))
          if (Math.min(...quarters) < needs.get(t)!) under++
          kpuHours += quarters.reduce((a, b) => a + b, 0) / 4
          worst = Math.max(worst, (hour.cpu * hour.ranKpu) / Math.min(...quarters))
        }
        expectWith(figures.underProvisioned, context).toBe(under)
        expectWith(figures.kpuHours.schedule, context).toBeCloseTo(kpuHours, 6)
        expectWith(figures.cost?.schedule, context).toBeCloseTo(kpuHours * 0.2, 6)
        expectWith(figures.worst.projected, context).toBeCloseTo(worst, 6)
        expectWith(figures.carriedShare, context).toBeCloseTo(1 - under / past.hours.length, 12)
      }),
      { numRuns: 30 }
    )
  })
})
