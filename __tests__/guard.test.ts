/**
 * Scaling down safely, the pure decision: which updates are scale-downs to judge, and the verdict
 * for every combination of autoscaling, CurrentParallelism, target, guard, metrics, at-most and
 * who asked. Then the check phase's shell: one batched read per region, -1 as missing, warnings.
 */
import { describe, expect, it } from '@jest/globals'
import type { ApplicationState, Desired } from '../src/phases/application.js'
import { judge } from '../src/phases/guard.js'
import { AUTOSCALER_SCALE_UP_CPU, scaleDownOf, type Reading, type ScaleDown, type ScaleDownInput } from '../src/phases/scale-down.js'
import { evaluate, parseSchedule, resolveParallelism, type Schedule } from '../src/schedule/schedule.js'
import { RUNNING_APPLICATION } from './fixtures/application.js'

const HOUR = 3_600_000
const WITH_GUARD = parseSchedule(
  'timezone: UTC\ndefault: { parallelism: 10 }\nguard: { lag: 60s, cpu: 70%, at-most: 2h }\nrules:\n  - { name: day, from: "08:00", to: "18:00", parallelism: 20 }',
  'test'
)
const WITHOUT_GUARD: Schedule = { ...WITH_GUARD, guard: undefined }
/** The 18:00 change to parallelism 10, and instants half an hour and two and a half hours after it. */
const CHANGE = new Date('2026-12-02T18:00:00Z')
const SOON = new Date('2026-12-02T18:30:00Z')
const LATER = new Date('2026-12-02T20:30:00Z')

function state(fields: Partial<ApplicationState>): ApplicationState {
  return { ...RUNNING_APPLICATION, ...fields }
}
const desired = (parallelism: number, autoScalingEnabled: boolean): Desired => ({ parallelism, parallelismPerKpu: 1, autoScalingEnabled })
const SOURCE: Record<string, string> = { default: 'the default', manual: 'the manual target', hold: 'the hold' }

const READINGS: Record<'passing' | 'failing' | 'missing', Reading> = {
  // Projected CPU 10% × 40 / 10 = 40%: below 70% and the autoscaler's 75%.
  passing: { maxima: { millisBehindLatest: 1_000, containerCPUUtilization: 10 } },
  failing: { maxima: { millisBehindLatest: 300_000, containerCPUUtilization: 10 } },
  missing: { maxima: {} }
}

interface Combination {
  autoscaling: boolean
  current: 'above floor' | 'at floor'
  target: 'above current' | 'below current'
  guard: boolean
  metrics: 'passing' | 'failing' | 'missing'
  atMost: 'passed' | 'not passed'
  source: 'schedule' | 'manual' | 'hold'
}

const combinations: Combination[] = []
for (const autoscaling of [true, false])
  for (const current of ['above floor', 'at floor'] as const)
    for (const target of ['above current', 'below current'] as const)
      for (const guard of [true, false])
        for (const metrics of guard ? (['passing', 'failing', 'missing'] as const) : (['missing'] as const))
          for (const atMost of ['passed', 'not passed'] as const)
            for (const source of ['schedule', 'manual', 'hold'] as const) combinations.push({ autoscaling, current, target, guard, metrics, atMost, source })

/** The floor is 20; the autoscaler may run the job at 40; the target is 10 (below) or 50 (above). */
function inputOf(c: Combination): ScaleDownInput {
  const rule = c.source === 'schedule' ? 'default' : c.source
  return {
    state: state({ parallelism: 20, currentParallelism: c.current === 'above floor' ? 40 : 20, autoScalingEnabled: c.autoscaling }),
    desired: desired(c.target === 'below current' ? 10 : 50, c.autoscaling),
    rule,
    source: SOURCE[rule],
    schedule: c.guard ? WITH_GUARD : WITHOUT_GUARD,
    at: c.atMost === 'passed' ? LATER : SOON
  }
}

/** The rules of "Scaling down safely" and "The service's autoscaling", stated once, plainly. */
function expected(c: Combination): 'no check' | 'go' | 'go, warned' | 'deferred for the metrics' | 'deferred for the autoscaler' {
  const current = c.current === 'above floor' ? 40 : 20
  const target = c.target === 'below current' ? 10 : 50
  if (target >= current) return 'no check'
  const autoscaled = c.autoscaling && current > 20
  if (!c.guard && !autoscaled) return 'no check'
  const failing = c.guard && c.metrics === 'failing'
  if (c.source !== 'schedule') return autoscaled || failing ? 'go, warned' : 'go'
  if (failing) return c.atMost === 'passed' ? 'go, warned' : 'deferred for the metrics'
  // Under the autoscaler only the guard's CPU, read and passing, shows the smaller size carries the load.
  if (autoscaled && !(c.guard && c.metrics === 'passing')) return c.atMost === 'passed' ? 'go, warned' : 'deferred for the autoscaler'
  return 'go'
}

describe('the verdict on a scale-down, for every combination', () => {
  it('covers every combination the contract names', () => {
    expect(combinations).toHaveLength(2 * 2 * 2 * (3 + 1) * 2 * 3)
    // Each outcome happens somewhere, so no branch of the rules is left untried.
    expect(new Set(combinations.map(expected))).toEqual(new Set(['no check', 'go', 'go, warned', 'deferred for the metrics', 'deferred for the autoscaler']))
  })

  it.each(combinations.map((c) => [Object.values(c).join(', '), c] as const))('%s', (_name, c) => {
    const input = inputOf(c)
    const scaleDown = scaleDownOf(input)
    const want = expected(c)
    if (want === 'no check') {
      expect(scaleDown).toBeUndefined()
      return
    }
    expect(scaleDown).toBeDefined()
    // Metrics are read only with a guard; without one, no CloudWatch call at all.
    expect(scaleDown!.limits.length > 0).toBe(c.guard)
    const verdict = judge(scaleDown!, c.guard ? READINGS[c.metrics] : undefined, input.at)
    switch (want) {
      case 'go':
        expect(verdict).toMatchObject({ go: true })
        expect(verdict).not.toHaveProperty('warning')
        break
      case 'go, warned':
        expect(verdict).toMatchObject({ go: true, warning: expect.stringMatching(/\w/) })
        break
      case 'deferred for the metrics':
        expect(verdict).toMatchObject({
          go: false,
          deferral: { waitsFor: [{ metric: 'millisBehindLatest', value: 300_000, limit: 60_000 }], until: new Date(CHANGE.getTime() + 2 * HOUR) }
        })
        break
      case 'deferred for the autoscaler':
        expect(verdict).toMatchObject({
          go: false,
          deferral: { waitsFor: [{ metric: 'CurrentParallelism', value: 40, limit: 10 }], until: new Date(CHANGE.getTime() + 2 * HOUR) }
        })
        break
    }
    // What could not be checked is named, never silently passed.
    if (verdict.go) expect(verdict.unchecked).toEqual(c.guard && c.metrics === 'missing' ? ['millisBehindLatest', 'containerCPUUtilization'] : [])
  })
})

const PST_SOON = new Date('2026-12-02T18:30:00-08:00')
const PST_LATER = new Date('2026-12-02T20:30:00-08:00')
/** A scale-down of the sample day's evening, 20 → 10, with the given guard and state. */
function evening(guardText: string | undefined, fields: Partial<ApplicationState> = {}, target = 10, at = PST_SOON): ScaleDown {
  const schedule = parseSchedule(
    `timezone: America/Los_Angeles\ndefault: { parallelism: 10 }\n${guardText ? `guard: ${guardText}\n` : ''}rules:\n  - { name: day, from: "08:00", to: "18:00", parallelism: 20 }`,
    'test'
  )
  const s = state({ parallelism: 20, currentParallelism: 20, ...fields })
  const scaleDown = scaleDownOf({ state: s, desired: desired(target, s.autoScalingEnabled), rule: 'default', source: 'the default', schedule, at })
  if (!scaleDown) throw new Error('not a scale-down')
  return scaleDown
}

describe('the texts and values a user sees', () => {
  it('a deferral names the metric, its value, the limit and when the wait ends, in the schedule zone', () => {
    const verdict = judge(evening('{ lag: 60s }', {}, 10, PST_SOON), { maxima: { millisBehindLatest: 312_000 } }, PST_SOON)
    expect(verdict).toEqual({
      go: false,
      deferral: { waitsFor: [{ metric: 'millisBehindLatest', value: 312_000, limit: 60_000 }], until: new Date('2026-12-02T20:00:00-08:00') },
      reason:
        'Scaling down (parallelism 20 → 10) for the default waits: millisBehindLatest reached 5m12s (limit 1m) over the last 15m. ' +
        'The next run checks again; it goes ahead at Wed 20:00 PST at the latest (2h after the Wed 18:00 PST change).'
    })
  })

  it('CPU is projected onto the smaller size: its maximum × current ÷ target', () => {
    const verdict = judge(evening('{ cpu: 70% }', {}, 10, PST_SOON), { maxima: { containerCPUUtilization: 40 } }, PST_SOON)
    expect(verdict).toMatchObject({ go: false, deferral: { waitsFor: [{ metric: 'containerCPUUtilization', measured: 40, value: 80, limit: 70 }] } })
    expect(!verdict.go && verdict.reason).toContain('containerCPUUtilization peaked at 40%, 80% at the smaller size (limit 70%) over the last 15m')
    expect(judge(evening('{ cpu: 70% }', {}, 10, PST_SOON), { maxima: { containerCPUUtilization: 34 } }, PST_SOON)).toEqual({
      go: true,
      unchecked: [],
      note: ' The guard passed: containerCPUUtilization at most 34%, 68% at the smaller size (limit 70%), over the last 15m.'
    })
  })

  it('once at-most has passed the scale-down goes ahead, saying what the metrics still showed', () => {
    const verdict = judge(evening('{ lag: 60s }', {}, 10, PST_LATER), { maxima: { millisBehindLatest: 312_000 } }, PST_LATER)
    expect(verdict).toEqual({
      go: true,
      unchecked: [],
      warning:
        'the default (parallelism 20 → 10) goes ahead after waiting 2h (at-most) since the Wed 18:00 PST change, although millisBehindLatest reached 5m12s (limit 1m) over the last 15m.',
      // The reason (results, the summary's Why) says it too, with what the metrics still showed.
      note:
        " It goes ahead after waiting 2h (at-most) since the Wed 18:00 PST change, although the guard's check failed. " +
        "The guard's metrics, over the last 15m: millisBehindLatest failing (reached 5m12s; limit 1m)."
    })
  })

  it('at-most 0m: the guard only warns', () => {
    expect(judge(evening('{ lag: 60s, at-most: 0m }'), { maxima: { millisBehindLatest: 312_000 } }, PST_SOON)).toMatchObject({ go: true, warning: expect.stringContaining('5m12s') })
  })

  it('a change older than at-most is over: the scale-down goes ahead, saying so', () => {
    const night = new Date('2026-12-03T03:00:00-08:00')
    const scaleDown = evening('{ lag: 60s, at-most: 1h }', {}, 10, night)
    expect(scaleDown.change).toEqual(new Date('2026-12-02T18:00:00-08:00'))
    expect(judge(scaleDown, { maxima: { millisBehindLatest: 312_000 } }, night)).toMatchObject({
      go: true,
      warning: expect.stringContaining('goes ahead after waiting 1h (at-most) since the Wed 18:00 PST change')
    })
    // A schedule that never changes: the scale-down is as old as it, and goes ahead.
    const flat = parseSchedule('timezone: UTC\ndefault: { parallelism: 10 }\nguard: { lag: 60s }', 'test')
    const always = scaleDownOf({ state: state({ parallelism: 20, currentParallelism: 20 }), desired: desired(10, false), rule: 'default', source: 'the default', schedule: flat, at: SOON })!
    expect(always.change).toBeUndefined()
    expect(judge(always, { maxima: { millisBehindLatest: 312_000 } }, SOON)).toMatchObject({
      go: true,
      warning: expect.stringContaining('goes ahead as the schedule has asked for it for more than a week')
    })
  })

  it('without a guard, the autoscaler capacity waits until at-most, and the reason says what it would cut', () => {
    const scaleDown = evening(undefined, { autoScalingEnabled: true, currentParallelism: 40 }, 10, PST_SOON)
    expect(scaleDown.limits).toEqual([])
    const verdict = judge(scaleDown, undefined, PST_SOON)
    expect(!verdict.go && verdict.reason).toBe(
      "Scaling down (parallelism 40 → 10) for the default waits: the service's autoscaler runs it at parallelism 40 (its floor is 20); " +
        'restarting it at 10 cuts 30 parallel tasks the service added for load. The next run checks again; it goes ahead at Wed 20:00 PST at the latest (2h after the Wed 18:00 PST change).'
    )
  })

  it('a new floor between the configured one and CurrentParallelism is a scale-down too; one at or above it is not', () => {
    const raised = state({ parallelism: 10, currentParallelism: 40, autoScalingEnabled: true })
    const input = { state: raised, rule: 'day', source: 'rule day', schedule: WITHOUT_GUARD, at: SOON }
    expect(scaleDownOf({ ...input, desired: desired(20, true) })).toMatchObject({ current: 40, target: 20, floor: 10, autoscaled: true })
    expect(scaleDownOf({ ...input, desired: desired(40, true) })).toBeUndefined()
    expect(scaleDownOf({ ...input, desired: desired(48, true) })).toBeUndefined()
  })

  it('under the autoscaler CPU is always checked, at most at the CPU that would make it double again', () => {
    const autoscaled = { autoScalingEnabled: true, currentParallelism: 40 }
    expect(evening('{ lag: 60s }', autoscaled).limits).toEqual([
      { metric: 'millisBehindLatest', limit: 60_000 },
      { metric: 'containerCPUUtilization', limit: AUTOSCALER_SCALE_UP_CPU }
    ])
    expect(evening('{ cpu: 90% }', autoscaled).limits).toEqual([{ metric: 'containerCPUUtilization', limit: 75 }])
    expect(evening('{ cpu: 60% }', autoscaled).limits).toEqual([{ metric: 'containerCPUUtilization', limit: 60 }])
    expect(evening('{ at-most: 4h }', autoscaled).limits).toEqual([{ metric: 'containerCPUUtilization', limit: 75 }])
    // Not autoscaled: only the limits given.
    expect(evening('{ lag: 60s }').limits).toEqual([{ metric: 'millisBehindLatest', limit: 60_000 }])
    expect(evening('{ at-most: 4h }').limits).toEqual([])
  })

  it('the autoscaler with its CPU shown carrying the load: goes ahead, saying so', () => {
    const scaleDown = evening('{ cpu: 70% }', { autoScalingEnabled: true, currentParallelism: 40 }, 20)
    // 30% × 40 / 20 = 60%.
    expect(judge(scaleDown, { maxima: { containerCPUUtilization: 30 } }, PST_SOON)).toEqual({
      go: true,
      unchecked: [],
      note: " The service's autoscaler ran it at parallelism 40; the guard shows the smaller size carries the load: containerCPUUtilization at most 30%, 60% at the smaller size (limit 70%), over the last 15m."
    })
  })

  it('the autoscaler with its CPU unreadable waits as without a guard: its capacity is the evidence of load', () => {
    const scaleDown = evening('{ lag: 60s }', { autoScalingEnabled: true, currentParallelism: 40 })
    const verdict = judge(scaleDown, { maxima: { millisBehindLatest: 0 } }, PST_SOON)
    expect(verdict).toMatchObject({ go: false, deferral: { waitsFor: [{ metric: 'CurrentParallelism', value: 40, limit: 10 }] } })
    expect(!verdict.go && verdict.reason).toContain('(its CPU could not be read to show the smaller size carries the load)')
  })

  it('a person is obeyed: the manual target and the hold go ahead, saying what they cut and what the metrics showed', () => {
    const schedule = WITH_GUARD
    const s = state({ parallelism: 20, currentParallelism: 40, autoScalingEnabled: true })
    for (const rule of ['manual', 'hold']) {
      const scaleDown = scaleDownOf({ state: s, desired: desired(10, true), rule, source: SOURCE[rule], schedule, at: SOON })!
      expect(scaleDown.person).toBe(rule)
      expect(scaleDown.change).toBeUndefined()
      expect(judge(scaleDown, READINGS.failing, SOON)).toEqual({
        go: true,
        unchecked: [],
        warning:
          `${SOURCE[rule]} (parallelism 40 → 10) was applied because a person asked for it, although the service's autoscaler runs it at parallelism 40 (its floor is 20); ` +
          'restarting it at 10 cuts 30 parallel tasks the service added for load, and the guard\'s metrics show millisBehindLatest reached 5m (limit 1m) over the last 15m.',
        // Every metric checked, the failing one named as failing, not only the one that passed.
        note:
          " A person asked for it, so it goes ahead although it cuts 30 parallel tasks the service's autoscaler added for load, and the guard's check failed. " +
          "The guard's metrics, over the last 15m: millisBehindLatest failing (reached 5m; limit 1m) and containerCPUUtilization passing (at most 10%, 40% at the smaller size; limit 70%)."
      })
    }
  })

  it('the source lags are alternatives: one read is enough, neither read is named', () => {
    const scaleDown = evening('{ lag: 60s, records-lag: 100000 }')
    expect(judge(scaleDown, { maxima: { records_lag_max: 5 } }, PST_SOON)).toMatchObject({ go: true, unchecked: [] })
    expect(judge(scaleDown, { maxima: { millisBehindLatest: 5 } }, PST_SOON)).toMatchObject({ go: true, unchecked: [] })
    expect(judge(scaleDown, { maxima: {} }, PST_SOON)).toMatchObject({ go: true, unchecked: ['millisBehindLatest', 'records_lag_max'] })
    expect(judge(scaleDown, { maxima: { records_lag_max: 250_000 } }, PST_SOON)).toMatchObject({
      go: false,
      deferral: { waitsFor: [{ metric: 'records_lag_max', value: 250_000, limit: 100_000 }] }
    })
  })

  it('a read that failed is missing, never a reason to wait (unless the autoscaler runs it above its floor)', () => {
    const failed: Reading = { maxima: {}, failed: 'CloudWatch GetMetricData in us-east-1 failed (AccessDenied: …)' }
    expect(judge(evening('{ lag: 60s, cpu: 70% }'), failed, PST_SOON)).toMatchObject({ go: true, unchecked: ['millisBehindLatest', 'containerCPUUtilization'] })
    expect(judge(evening('{ lag: 60s }', { autoScalingEnabled: true, currentParallelism: 40 }), failed, PST_SOON)).toMatchObject({ go: false })
  })

  it('finds the change a scale-down belongs to with lead and KPU targets, at the application ParallelismPerKPU', () => {
    const schedule = parseSchedule(
      'timezone: UTC\ndefault: { kpu: 5 }\nlead: 30m\nguard: { lag: 60s }\nrules:\n  - { name: day, from: "08:00", to: "18:00", kpu: 10 }',
      'test'
    )
    const s = state({ parallelism: 20, currentParallelism: 20, parallelismPerKpu: 2 })
    const scaleDown = scaleDownOf({ state: s, desired: { parallelism: 10, parallelismPerKpu: 2, autoScalingEnabled: false }, rule: 'default', source: 'the default', schedule, at: SOON })
    // Lead brings scale-ups forward, never scale-downs: the change is at 18:00.
    expect(scaleDown?.change).toEqual(CHANGE)
  })
})

/** A schedule with `lines` after its default of 10, in UTC unless they name a timezone. */
const scheduleOf = (lines: string) => parseSchedule(`${/^timezone:/m.test(lines) ? '' : 'timezone: UTC\n'}default: { parallelism: 10 }\n${lines}`, 'test')
const DAY_RULE = '  - { name: day, from: "08:00", to: "18:00", parallelism: 20 }'
/** The evening comes down in steps: 20 until 18:00, then 15, 12 at 18:50, 10 from 19:40. */
const STEPS = `guard: { cpu: 70%, at-most: 1h }\nrules:\n${DAY_RULE}\n  - { name: step1, from: "18:00", to: "18:50", parallelism: 15 }\n  - { name: step2, from: "18:50", to: "19:40", parallelism: 12 }`
/** With lead 30m the 18:20 window of 15 is in force from 18:00, the day's end. */
const LEAD = `lead: 30m\nguard: { cpu: 70%, at-most: 1h }\nrules:\n${DAY_RULE}\n  - { name: eve, from: "18:20", to: "19:00", parallelism: 15 }`
/** Back up to 20 from 19:00 to 19:30, a dip to 15 (still below 20) from 20:00 to 20:30. */
const BACK_UP = `guard: { cpu: 70%, at-most: 2h }\nrules:\n${DAY_RULE}\n  - { name: back, from: "19:00", to: "19:30", parallelism: 20 }\n  - { name: dip, from: "20:00", to: "20:30", parallelism: 15 }`
/** Night steps in Los Angeles across the fall-back night (2026-11-01: 01:00-02:00 twice): 15 from 00:00, 12 from 01:30 (its first occurrence), 10 from 03:00. */
const FALL = `timezone: America/Los_Angeles\nguard: { cpu: 70%, at-most: 4h }\nrules:\n  - { name: day, from: "08:00", to: "24:00", parallelism: 20 }\n  - { name: night1, from: "00:00", to: "01:30", parallelism: 15 }\n  - { name: night2, from: "01:30", to: "03:00", parallelism: 12 }`
/** The same across the spring-forward night (2026-03-08: no 02:00-03:00): 12 from 02:30, which that night is 03:00 PDT. */
const SPRING = `timezone: America/Los_Angeles\nguard: { cpu: 70%, at-most: 4h }\nrules:\n  - { name: day, from: "08:00", to: "24:00", parallelism: 20 }\n  - { name: night1, from: "00:00", to: "02:30", parallelism: 15 }\n  - { name: night2, from: "02:30", to: "04:00", parallelism: 12 }`
/** A sale the week before: the last change to 10 is 2026-11-25 00:00. */
const SALE = 'guard: { cpu: 70% }\nrules:\n  - { name: sale, dates: 2026-11-20..2026-11-24, parallelism: 20 }'
const NO_GUARD = `rules:\n${DAY_RULE}`
const AT_20 = { parallelism: 20, currentParallelism: 20 }

/** The scale-down the schedule asks for at `at` of a job in state `fields`. */
function scheduledScaleDown(lines: string, at: Date, fields: Partial<ApplicationState> = AT_20): ScaleDown | undefined {
  const schedule = scheduleOf(lines)
  const s = state(fields)
  const target = evaluate(schedule, at, 1).target
  return scaleDownOf({ state: s, desired: desired(resolveParallelism(target, 1), s.autoScalingEnabled), rule: 'default', source: 'the default', schedule, at })
}
/** The job busy: 60% CPU at its size is at least 80% at any smaller one. */
const BUSY: Reading = { maxima: { containerCPUUtilization: 60 } }

describe('the change a scale-down belongs to: the start of the stretch in which the schedule has asked for less than the job runs at', () => {
  it.each<[string, string, string, Partial<ApplicationState>, string | undefined, number]>([
    ['steps: the first step', STEPS, '2026-12-02T18:05:00Z', AT_20, '2026-12-02T18:00:00Z', 15],
    ['steps: the second step still belongs to the first', STEPS, '2026-12-02T18:55:00Z', AT_20, '2026-12-02T18:00:00Z', 12],
    ['steps: so does the third', STEPS, '2026-12-02T19:45:00Z', AT_20, '2026-12-02T18:00:00Z', 10],
    ['steps: a job already at the first step has its own stretch, from the second', STEPS, '2026-12-02T18:55:00Z', { parallelism: 15, currentParallelism: 15 }, '2026-12-02T18:50:00Z', 12],
    ['lead: the step to 15 comes at 18:00, the end of the day', LEAD, '2026-12-02T18:10:00Z', AT_20, '2026-12-02T18:00:00Z', 15],
    ['lead: the step to 10 at 19:00 still belongs to it', LEAD, '2026-12-02T19:05:00Z', AT_20, '2026-12-02T18:00:00Z', 10],
    ['back up: before it', BACK_UP, '2026-12-02T18:30:00Z', AT_20, '2026-12-02T18:00:00Z', 10],
    ['back up to what the job runs at, and down again: the clock starts again', BACK_UP, '2026-12-02T19:45:00Z', AT_20, '2026-12-02T19:30:00Z', 10],
    ['a step up that stays below what the job runs at is no break', BACK_UP, '2026-12-02T20:45:00Z', AT_20, '2026-12-02T19:30:00Z', 10],
    ['back up with lead: the scale-up comes early, the stretch starts where it ends', `lead: 30m\n${BACK_UP}`, '2026-12-02T19:45:00Z', AT_20, '2026-12-02T19:30:00Z', 15],
    ['DST, fall back: from 00:00 PDT, 4h to 03:00 PST', FALL, '2026-11-01T10:30:00Z', AT_20, '2026-11-01T07:00:00Z', 12],
    ['DST, spring forward: from 00:00 PST, 4h to 05:00 PDT', SPRING, '2026-03-08T10:30:00Z', AT_20, '2026-03-08T08:00:00Z', 12],
    [
      "under the autoscaler, a target equal to the floor asks for no update and is no part of the stretch",
      NO_GUARD,
      '2026-12-02T18:30:00Z',
      { parallelism: 20, currentParallelism: 40, autoScalingEnabled: true },
      '2026-12-02T18:00:00Z',
      10
    ],
    ['under the autoscaler, a raised floor below what it runs at is a stretch of its own', NO_GUARD, '2026-12-02T09:00:00Z', { parallelism: 10, currentParallelism: 40, autoScalingEnabled: true }, '2026-12-02T08:00:00Z', 20],
    ['the look-back: a change a week and at-most (2h) before is still found', SALE, '2026-12-02T01:59:00Z', AT_20, '2026-11-25T00:00:00Z', 10],
    ['the look-back: one longer ago is not, the wait is long over', SALE, '2026-12-02T02:01:00Z', AT_20, undefined, 10]
  ])('%s', (_name, lines, at, fields, change, target) => {
    const scaleDown = scheduledScaleDown(lines, new Date(at), fields)
    expect(scaleDown).toMatchObject({ target })
    expect(scaleDown!.change).toEqual(change === undefined ? undefined : new Date(change))
  })

  it('a deferral waits from the first step: 18:05, 18:55 and 19:45 all until 19:00, when it goes ahead', () => {
    const verdicts = ['18:05', '18:55', '19:45'].map((time) => {
      const at = new Date(`2026-12-02T${time}:00Z`)
      return judge(scheduledScaleDown(STEPS, at)!, BUSY, at)
    })
    expect(verdicts.map((v) => (v.go ? 'go' : v.deferral.until.toISOString()))).toEqual(['2026-12-02T19:00:00.000Z', '2026-12-02T19:00:00.000Z', 'go'])
    expect(!verdicts[1].go && verdicts[1].reason).toContain('it goes ahead at Wed 19:00 UTC at the latest (1h after the Wed 18:00 UTC change)')
    expect(verdicts[2]).toMatchObject({ go: true, warning: expect.stringContaining('goes ahead after waiting 1h (at-most) since the Wed 18:00 UTC change') })
  })

  it.each([
    ['steps', STEPS, '2026-12-02T18:00:00Z', '2026-12-02T19:00:00Z'],
    ['lead', LEAD, '2026-12-02T18:00:00Z', '2026-12-02T19:00:00Z'],
    ['DST, fall back', FALL, '2026-11-01T07:00:00Z', '2026-11-01T11:00:00Z'],
    ['DST, spring forward', SPRING, '2026-03-08T08:00:00Z', '2026-03-08T12:00:00Z']
  ])('%s: the end of the wait a run promises never moves later at the next run, and comes', (_name, lines, from, until) => {
    const promised: string[] = []
    let wentAhead: Date | undefined
    for (let t = Date.parse(from); t <= Date.parse(until) + 5 * 60_000 && !wentAhead; t += 60_000) {
      const at = new Date(t)
      const verdict = judge(scheduledScaleDown(lines, at)!, BUSY, at)
      if (verdict.go) wentAhead = at
      else promised.push(verdict.deferral.until.toISOString())
    }
    expect(promised.length).toBeGreaterThan(55)
    expect(new Set(promised)).toEqual(new Set([new Date(until).toISOString()]))
    expect(wentAhead).toEqual(new Date(until))
  })

  it('at the end of the look-back, the scale-down goes ahead either way, saying from when it waited', () => {
    const found = new Date('2026-12-02T01:59:00Z')
    const notFound = new Date('2026-12-02T02:01:00Z')
    expect(judge(scheduledScaleDown(SALE, found)!, BUSY, found)).toMatchObject({
      go: true,
      warning: expect.stringContaining('goes ahead after waiting 2h (at-most) since the Wed 00:00 UTC change')
    })
    expect(judge(scheduledScaleDown(SALE, notFound)!, BUSY, notFound)).toMatchObject({
      go: true,
      warning: expect.stringContaining('goes ahead as the schedule has asked for it for more than a week')
    })
  })
})

describe('what goes ahead over a failed check says so in its reason', () => {
  const busyAndCaughtUp: Reading = { maxima: { containerCPUUtilization: 100, millisBehindLatest: 0 } }
  const guarded = scheduleOf('guard: { cpu: 70%, lag: 60s }\nrules:\n' + DAY_RULE)

  it('a manual target: every metric checked, the failing one as failing', () => {
    const scaleDown = scaleDownOf({ state: state({ parallelism: 40, currentParallelism: 40 }), desired: desired(20, false), rule: 'manual', source: 'the manual target', schedule: guarded, at: SOON })!
    expect(judge(scaleDown, busyAndCaughtUp, SOON)).toEqual({
      go: true,
      unchecked: [],
      warning:
        'the manual target (parallelism 40 → 20) was applied because a person asked for it, although the guard\'s metrics show containerCPUUtilization peaked at 100%, 200% at the smaller size (limit 70%) over the last 15m.',
      note:
        " A person asked for it, so it goes ahead although the guard's check failed. " +
        "The guard's metrics, over the last 15m: containerCPUUtilization failing (peaked at 100%, 200% at the smaller size; limit 70%) and millisBehindLatest passing (at most 0s; limit 1m)."
    })
  })

  it('a hold over the service autoscaler, without a guard: what it cuts', () => {
    const scaleDown = scaleDownOf({
      state: state({ parallelism: 10, currentParallelism: 40, autoScalingEnabled: true }),
      desired: desired(20, true),
      rule: 'hold',
      source: 'the hold',
      schedule: WITHOUT_GUARD,
      at: SOON
    })!
    expect(judge(scaleDown, undefined, SOON)).toMatchObject({
      go: true,
      note: " A person asked for it, so it goes ahead although it cuts 20 parallel tasks the service's autoscaler added for load."
    })
  })

  it('at-most passed under the autoscaler: what it cuts, and that its CPU could not be read', () => {
    const autoscaled = state({ parallelism: 20, currentParallelism: 40, autoScalingEnabled: true })
    const withoutGuard = scaleDownOf({ state: autoscaled, desired: desired(10, true), rule: 'default', source: 'the default', schedule: WITHOUT_GUARD, at: LATER })!
    expect(judge(withoutGuard, undefined, LATER)).toMatchObject({
      go: true,
      note: " It goes ahead after waiting 2h (at-most) since the Wed 18:00 UTC change, although it cuts 30 parallel tasks the service's autoscaler added for load."
    })
    const cpuUnread = scaleDownOf({ state: autoscaled, desired: desired(10, true), rule: 'default', source: 'the default', schedule: WITH_GUARD, at: LATER })!
    expect(judge(cpuUnread, { maxima: { millisBehindLatest: 0 } }, LATER)).toMatchObject({
      go: true,
      note:
        " It goes ahead after waiting 2h (at-most) since the Wed 18:00 UTC change, although it cuts 30 parallel tasks the service's autoscaler added for load " +
        "(its CPU could not be read to show the smaller size carries the load). The guard's metrics, over the last 15m: millisBehindLatest passing (at most 0s; limit 1m)."
    })
  })

  it('a dry run says what would happen: "would be applied", "would go ahead"', () => {
    const manual = scaleDownOf({ state: state({ parallelism: 40, currentParallelism: 40 }), desired: desired(20, false), rule: 'manual', source: 'the manual target', schedule: guarded, at: SOON })!
    const dry = judge(manual, busyAndCaughtUp, SOON, true)
    expect(dry).toMatchObject({ go: true, warning: expect.stringMatching(/^the manual target \(parallelism 40 → 20\) would be applied because a person asked for it, although /) })
    expect(dry.go && dry.note).toMatch(/^ A person asked for it, so it would go ahead although /)
    const late = judge(evening('{ lag: 60s }', {}, 10, PST_LATER), { maxima: { millisBehindLatest: 312_000 } }, PST_LATER, true)
    expect(late).toMatchObject({ go: true, warning: expect.stringMatching(/^the default \(parallelism 20 → 10\) would go ahead after waiting 2h /), note: expect.stringMatching(/^ It would go ahead after waiting 2h /) })
  })
})
