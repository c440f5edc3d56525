/** The schedule's `guard:`: what it accepts, its defaults, and the errors that name the field. */
import { describe, expect, it } from '@jest/globals'
import { ScalerError } from '../src/errors.js'
import { describeDuration, describeGuard } from '../src/schedule/guard.js'
import { lineOf, parseSchedule } from '../src/schedule/schedule.js'

const withGuard = (guard: string) => `default: { kpu: 1 }\nguard:\n${guard.replaceAll('; ', '\n').replace(/^/gm, '  ')}`
const parse = (text: string) => parseSchedule(text, 'input "schedule"')

function parseError(text: string): ScalerError {
  try {
    parse(text)
  } catch (error) {
    if (error instanceof ScalerError) return error
    throw error
  }
  throw new Error(`parsed without error:\n${text}`)
}

describe('guard', () => {
  it('is optional: without it, scale-downs happen on time', () => {
    expect(parse('default: { kpu: 1 }').guard).toBeUndefined()
  })

  it('reads the limits, the look-back and the longest wait', () => {
    expect(parse(withGuard('cpu: 70%; lag: 60s; records-lag: 100000; over: 30m; at-most: 3h')).guard).toEqual({
      cpu: 70,
      lagMs: 60_000,
      recordsLag: 100_000,
      overMs: 30 * 60_000,
      atMostMs: 3 * 3_600_000
    })
  })

  it('looks back 15m and waits at most 2h unless told otherwise; only the limits given are kept', () => {
    expect(parse(withGuard('lag: 2m')).guard).toEqual({ lagMs: 120_000, overMs: 15 * 60_000, atMostMs: 2 * 3_600_000 })
    // No limit at all: only the autoscaler's capacity is watched, for at-most.
    expect(parse('default: { kpu: 1 }\nguard: { at-most: 4h }').guard).toEqual({ overMs: 15 * 60_000, atMostMs: 4 * 3_600_000 })
  })

  it.each([
    ['70%', 70],
    ['"70 %"', 70],
    ['70', 70],
    ['70.5%', 70.5],
    ['1%', 1],
    ['100%', 100],
    ['007%', 7]
  ])('cpu: %s is %d%%', (text, percent) => {
    expect(parse(withGuard(`cpu: ${text}`)).guard?.cpu).toBe(percent)
  })

  it.each([
    ['500ms', 500],
    ['45s', 45_000],
    ['2m', 120_000],
    ['1h', 3_600_000]
  ])('lag: %s is %d ms', (text, ms) => {
    expect(parse(withGuard(`lag: ${text}`)).guard?.lagMs).toBe(ms)
  })

  it.each([
    ['1m', 60_000],
    ['180m', 3 * 3_600_000],
    ['3h', 3 * 3_600_000]
  ])('over: %s is allowed', (text, ms) => {
    expect(parse(withGuard(`over: ${text}`)).guard?.overMs).toBe(ms)
  })

  it.each([
    ['0m', 0],
    ['90m', 90 * 60_000],
    ['12h', 12 * 3_600_000]
  ])('at-most: %s is allowed', (text, ms) => {
    expect(parse(withGuard(`at-most: ${text}`)).guard?.atMostMs).toBe(ms)
  })

  it.each([
    ['a list', 'default: { kpu: 1 }\nguard: [lag]', 'field "guard": expected a mapping, found a list'],
    ['a word', 'default: { kpu: 1 }\nguard: strict', 'field "guard": expected a mapping, found "strict"'],
    ['no value', 'default: { kpu: 1 }\nguard:', 'field "guard": has no value'],
    ['an unknown key', withGuard('lags: 60s'), 'guard, field "lags": unknown field in the guard'],
    ['a key without value', withGuard('lag:'), 'guard, field "lag": has no value'],
    ['cpu 0', withGuard('cpu: 0%'), 'guard, field "cpu": "0%" is not a percentage from 1 to 100'],
    ['cpu as a fraction', withGuard('cpu: 0.7'), 'guard, field "cpu": 0.7 is not a percentage from 1 to 100'],
    ['cpu over 100', withGuard('cpu: 120%'), 'guard, field "cpu": "120%" is not a percentage from 1 to 100'],
    ['cpu negative', withGuard('cpu: -5'), 'guard, field "cpu": -5 is not a percentage'],
    ['cpu in words', withGuard('cpu: high'), 'guard, field "cpu": "high" is not a percentage'],
    ['lag without unit', withGuard('lag: 60'), 'guard, field "lag": 60 has no unit'],
    ['lag in days', withGuard('lag: 1d'), 'guard, field "lag": "1d" is not a duration'],
    ['lag of 0', withGuard('lag: 0s'), 'guard, field "lag": "0s" is not longer than 0'],
    ['lag in two units', withGuard('lag: 1m30s'), 'guard, field "lag": "1m30s" is not a duration'],
    ['records-lag of 0', withGuard('records-lag: 0'), 'guard, field "records-lag": 0 is not a positive whole number'],
    ['records-lag quoted', withGuard('records-lag: "1000"'), 'guard, field "records-lag": "1000" is not a positive whole number'],
    ['records-lag fractional', withGuard('records-lag: 10.5'), 'guard, field "records-lag": 10.5 is not a positive whole number'],
    ['over 3h', withGuard('over: 4h'), 'guard, field "over": "4h" is longer than 3h'],
    ['over 181m', withGuard('over: 181m'), 'guard, field "over": "181m" is longer than 3h'],
    ['over 0m', withGuard('over: 0m'), 'guard, field "over": "0m" is shorter than 1m'],
    ['over in seconds', withGuard('over: 90s'), 'guard, field "over": "90s" is not a duration in minutes or hours'],
    ['over without unit', withGuard('over: 15'), 'guard, field "over": 15 has no unit'],
    ['at-most over 12h', withGuard('at-most: 13h'), 'guard, field "at-most": "13h" is longer than 12h'],
    ['at-most of 721m', withGuard('at-most: 721m'), 'guard, field "at-most": "721m" is longer than 12h'],
    ['at-most in days', withGuard('at-most: 1d'), 'guard, field "at-most": "1d" is not a duration in minutes or hours']
  ])('rejects %s, naming the field', (_what, text, expected) => {
    const error = parseError(text)
    expect(error.kind).toBe('input')
    expect(error.message).toContain(`Schedule error in ${expected}`)
    expect(error.hint).toMatch(/\w/)
  })

  it('puts a guard error of a schedule file on its line', () => {
    const text = 'default: { kpu: 1 }\nguard:\n  lag: 60s\n  cpu: 170%\nrules: []\n'
    try {
      parseSchedule(text, 'schedule-file "s.yml"', 's.yml')
      throw new Error('parsed')
    } catch (error) {
      expect((error as ScalerError).location).toEqual({ file: 's.yml', line: 4 })
    }
    expect(lineOf(text, 'field "guard"')).toBe(2)
  })

  it('is described as the preview says it, as what it does: it waits while a metric is at or above its limit', () => {
    const describe = (text: string) => describeGuard(parse(text).guard!)
    expect(describe(withGuard('cpu: 70%; lag: 60s; at-most: 2h'))).toBe(
      'waits while millisBehindLatest is at or above 1m or containerCPUUtilization at or above 70% at the smaller size (the maximum over the last 15m), for at most 2h after the change'
    )
    expect(describe(withGuard('lag: 60s; records-lag: 5000; cpu: 70%'))).toBe(
      'waits while millisBehindLatest is at or above 1m, records_lag_max at or above 5000 or containerCPUUtilization at or above 70% at the smaller size (the maximum over the last 15m), for at most 2h after the change'
    )
    expect(describe(withGuard('records-lag: 5000; over: 1h; at-most: 0m'))).toBe('never waits (at-most 0): it warns when records_lag_max is at or above 5000 (the maximum over the last 1h)')
  })

  it.each([
    [
      'guard: {}',
      "sets no limits of its own, so a scale-down waits only while the service's autoscaler runs the job above its floor and " +
        'containerCPUUtilization is at or above 75% at the smaller size (the maximum over the last 15m), for at most 2h after the change'
    ],
    [
      'guard: { at-most: 4h }',
      "sets no limits of its own, so a scale-down waits only while the service's autoscaler runs the job above its floor and " +
        'containerCPUUtilization is at or above 75% at the smaller size (the maximum over the last 15m), for at most 4h after the change'
    ],
    // `over` without a limit is the look-back of the autoscaler rule's CPU check, the one check such a guard makes.
    [
      'guard: { over: 30m }',
      "sets no limits of its own, so a scale-down waits only while the service's autoscaler runs the job above its floor and " +
        'containerCPUUtilization is at or above 75% at the smaller size (the maximum over the last 30m), for at most 2h after the change'
    ],
    [
      'guard: { at-most: 0m }',
      "sets no limits of its own and never waits (at-most 0): it warns when the service's autoscaler runs the job above its floor and " +
        'containerCPUUtilization is at or above 75% at the smaller size (the maximum over the last 15m)'
    ]
  ])('a guard without limits (%s) is described as what it does: the autoscaler rule and at-most only', (guard, text) => {
    expect(describeGuard(parse(`default: { kpu: 1 }\n${guard}`).guard!)).toBe(text)
  })

  it.each([
    [0, '0s'],
    [250, '250ms'],
    [45_000, '45s'],
    [60_000, '1m'],
    [312_000, '5m12s'],
    [7_200_000, '2h'],
    [5_400_000, '1h30m']
  ])('describeDuration(%d) is %s', (ms, text) => {
    expect(describeDuration(ms)).toBe(text)
  })
})
