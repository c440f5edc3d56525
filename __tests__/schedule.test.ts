import { describe, expect, it } from '@jest/globals'
import { expectWith } from './fixtures/expect-with.js'
import { ScalerError } from '../src/errors.js'
import {
  checkBounds,
  describeLead,
  describeTarget,
  equalTargets,
  evaluate,
  nextTransition,
  parseSchedule,
  sameParallelism,
  transitions,
  type Schedule,
  type Target
} from '../src/schedule/schedule.js'

const SOURCE = 'input "schedule"'

function schedule(text: string): Schedule {
  return parseSchedule(text, SOURCE)
}

function ruleAt(s: Schedule, iso: string): string {
  return evaluate(s, new Date(iso)).rule
}

function isoList(list: { at: Date }[]): string[] {
  return list.map((t) => t.at.toISOString())
}

/** Follows nextTransition `count` times from `after`. */
function chain(s: Schedule, after: string, count: number): string[] {
  const found: string[] = []
  let at = new Date(after)
  for (let i = 0; i < count; i++) {
    const next = nextTransition(s, at)
    if (!next) break
    found.push(next.at.toISOString())
    at = next.at
  }
  return found
}

function parseError(text: string): ScalerError {
  try {
    parseSchedule(text, SOURCE)
  } catch (error) {
    if (error instanceof ScalerError) return error
    throw error
  }
  throw new Error('expected the schedule to be rejected')
}

// The AWS sample: a weekday day window in Los Angeles.
const AWS_SAMPLE = schedule(`
timezone: America/Los_Angeles
default: { kpu: 10 }
rules:
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    kpu: 20
`)

describe('parseSchedule', () => {
  it('parses the documented example', () => {
    const parsed = schedule(`
timezone: America/Los_Angeles
default: { kpu: 10 }
min: 1
max: 64
rules:
  - name: black-friday
    dates: 2026-11-27..2026-11-30
    kpu: 40
  - days: Mon-Fri
    from: "05:05"
    to: "18:05"
    parallelism: 20
`)
    expect(parsed).toEqual({
      timezone: 'America/Los_Angeles',
      default: { kpu: 10 },
      min: 1,
      max: 64,
      rules: [
        { index: 0, name: 'black-friday', target: { kpu: 40 }, dates: [{ first: '2026-11-27', last: '2026-11-30' }], from: 0, to: 1440 },
        { index: 1, name: 'rules[1]', target: { parallelism: 20 }, days: [1, 2, 3, 4, 5], from: 305, to: 1085 }
      ]
    })
  })

  it('defaults to UTC with no rules', () => {
    expect(schedule('default: { parallelism: 4 }')).toEqual({ timezone: 'UTC', default: { parallelism: 4 }, rules: [] })
    expect(schedule('default: { parallelism: 4 }\nrules:\n')).toEqual({ timezone: 'UTC', default: { parallelism: 4 }, rules: [] })
  })

  it.each([
    ['quoted', '"05:05"', '"18:05"'],
    ['unquoted', '05:05', '18:05'],
    ['single-quoted', "'05:05'", "'18:05'"]
  ])('accepts %s times', (_style, from, to) => {
    const rule = schedule(`default: { kpu: 1 }\nrules:\n  - { from: ${from}, to: ${to}, kpu: 2 }`).rules[0]
    expect([rule.from, rule.to]).toEqual([305, 1085])
  })

  it.each([
    ['Mon-Fri', [1, 2, 3, 4, 5]],
    ['Fri-Mon', [1, 5, 6, 7]],
    ['Sat,Sun', [6, 7]],
    ['"sat, SUN"', [6, 7]],
    ['[Sat, Sun]', [6, 7]],
    ['\n      - saturday\n      - Sunday', [6, 7]],
    ['[Mon-Wed, Fri]', [1, 2, 3, 5]],
    ['Monday-Friday', [1, 2, 3, 4, 5]],
    ['Sun-Sat', [1, 2, 3, 4, 5, 6, 7]],
    ['Sun', [7]],
    ['Wed-Wed', [3]]
  ])('parses days: %s', (days, expected) => {
    expect(schedule(`default: { kpu: 1 }\nrules:\n  - kpu: 2\n    days: ${days}`).rules[0].days).toEqual(expected)
  })

  it.each([
    ['2026-11-27', [['2026-11-27', '2026-11-27']]],
    ['"2026-11-27..2026-11-30"', [['2026-11-27', '2026-11-30']]],
    ['[2026-12-24, 2026-12-31..2027-01-01]', [['2026-12-24', '2026-12-24'], ['2026-12-31', '2027-01-01']]],
    ['\n      - 2028-02-29', [['2028-02-29', '2028-02-29']]]
  ])('parses dates: %s', (dates, expected) => {
    const parsed = schedule(`default: { kpu: 1 }\nrules:\n  - kpu: 2\n    dates: ${dates}`).rules[0].dates
    expect(parsed?.map((range) => [range.first, range.last])).toEqual(expected)
  })
})

describe('evaluate', () => {
  it.each([
    // Wednesday 2026-06-03, PDT (UTC-7)
    ['2026-06-03T12:04:00Z', 'default', '05:04 PDT'],
    ['2026-06-03T12:05:00Z', 'weekday-daytime', '05:05 PDT'],
    ['2026-06-03T19:00:00Z', 'weekday-daytime', '12:00 PDT'],
    ['2026-06-04T01:04:00Z', 'weekday-daytime', '18:04 PDT'],
    ['2026-06-04T01:05:00Z', 'default', '18:05 PDT'],
    // Wednesday 2026-12-02, PST (UTC-8)
    ['2026-12-02T13:04:00Z', 'default', '05:04 PST'],
    ['2026-12-02T20:00:00Z', 'weekday-daytime', '12:00 PST'],
    ['2026-12-03T02:04:00Z', 'weekday-daytime', '18:04 PST'],
    ['2026-12-03T02:05:00Z', 'default', '18:05 PST'],
    // Saturday 2026-06-06
    ['2026-06-06T19:00:00Z', 'default', 'Saturday 12:00 PDT']
  ])('AWS sample at %s is %s (%s)', (iso, expected) => {
    const match = evaluate(AWS_SAMPLE, new Date(iso))
    expect(match.rule).toBe(expected)
    expect(match.target).toEqual(expected === 'default' ? { kpu: 10 } : { kpu: 20 })
  })

  // Overnight window; the timezone is left out, so it is UTC. 2026-06-05 is a Friday.
  const overnight = schedule(`
default: { kpu: 1 }
rules:
  - name: friday-night
    days: Fri
    from: "22:00"
    to: "06:00"
    kpu: 2
`)
  it.each([
    ['2026-06-05T03:00:00Z', 'default', 'Friday 03:00: the window starts on Friday evening, not Thursday'],
    ['2026-06-05T21:59:00Z', 'default', 'Friday 21:59'],
    ['2026-06-05T22:00:00Z', 'friday-night', 'Friday 22:00'],
    ['2026-06-05T23:00:00Z', 'friday-night', 'Friday 23:00'],
    ['2026-06-06T03:00:00Z', 'friday-night', 'Saturday 03:00'],
    ['2026-06-06T05:59:00Z', 'friday-night', 'Saturday 05:59'],
    ['2026-06-06T06:00:00Z', 'default', 'Saturday 06:00'],
    ['2026-06-06T23:00:00Z', 'default', 'Saturday 23:00']
  ])('Fri 22:00-06:00 at %s is %s (%s)', (iso, expected) => {
    expect(ruleAt(overnight, iso)).toBe(expected)
  })

  // Asia/Kolkata is UTC+05:30, so local noon is 06:30Z. 2026-06-01 is a Monday.
  const noonUtc = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07'].map(
    (date) => `${date}T06:30:00Z`
  )
  it.each([
    ['Fri-Mon', 'Mon,Fri,Sat,Sun'],
    ['Sat,Sun', 'Sat,Sun'],
    ['[Sat, Sun]', 'Sat,Sun'],
    ['\n      - Sat\n      - Sun', 'Sat,Sun'],
    ['[Tue, Thu-Fri]', 'Tue,Thu,Fri'],
    ['MON-wed', 'Mon,Tue,Wed']
  ])('days: %s matches %s at local noon', (days, expected) => {
    const s = schedule(`timezone: Asia/Kolkata\ndefault: { kpu: 1 }\nrules:\n  - from: "09:00"\n    to: "17:00"\n    kpu: 2\n    days: ${days}`)
    const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
    const matched = noonUtc.map((iso, i) => (ruleAt(s, iso) === 'rules[0]' ? names[i] : '')).filter(Boolean)
    expect(matched.join(',')).toBe(expected)
  })

  const blackFriday = `
  - name: black-friday
    dates: 2026-11-27..2026-11-30
    kpu: 40`
  const weekdays = `
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    kpu: 20`
  const datesFirst = schedule(`timezone: America/Los_Angeles\ndefault: { kpu: 10 }\nrules:${blackFriday}${weekdays}`)
  const weekdaysFirst = schedule(`timezone: America/Los_Angeles\ndefault: { kpu: 10 }\nrules:${weekdays}${blackFriday}`)
  it.each([
    // PST (UTC-8): local noon is 20:00Z
    [datesFirst, '2026-11-26T20:00:00Z', 'weekday-daytime', 'Thu 11-26 12:00'],
    [datesFirst, '2026-11-27T20:00:00Z', 'black-friday', 'Fri 11-27 12:00'],
    [datesFirst, '2026-11-30T20:00:00Z', 'black-friday', 'Mon 11-30 12:00'],
    [datesFirst, '2026-12-01T07:59:00Z', 'black-friday', 'Mon 11-30 23:59'],
    [datesFirst, '2026-12-01T08:00:00Z', 'default', 'Tue 12-01 00:00'],
    [datesFirst, '2026-12-01T20:00:00Z', 'weekday-daytime', 'Tue 12-01 12:00'],
    [weekdaysFirst, '2026-11-27T12:00:00Z', 'black-friday', 'Fri 11-27 04:00'],
    [weekdaysFirst, '2026-11-27T20:00:00Z', 'weekday-daytime', 'Fri 11-27 12:00'],
    [weekdaysFirst, '2026-11-28T04:00:00Z', 'black-friday', 'Fri 11-27 20:00'],
    [weekdaysFirst, '2026-11-28T20:00:00Z', 'black-friday', 'Sat 11-28 12:00'],
    [weekdaysFirst, '2026-11-30T20:00:00Z', 'weekday-daytime', 'Mon 11-30 12:00']
  ])('first matching rule wins (%#): at %s, %s', (s, iso, expected) => {
    expect(ruleAt(s, iso)).toBe(expected)
  })

  // UTC; 2026-06-01 is a Monday.
  it.each([
    ['from: "20:00"\n    to: "24:00"', ['2026-06-01T20:00:00Z', '2026-06-01T23:59:00Z'], ['2026-06-01T19:59:00Z', '2026-06-02T00:00:00Z']],
    ['from: "20:00"\n    to: "00:00"', ['2026-06-01T20:00:00Z', '2026-06-01T23:59:00Z'], ['2026-06-01T19:59:00Z', '2026-06-02T00:00:00Z']],
    ['from: "18:00"', ['2026-06-01T18:00:00Z', '2026-06-01T23:59:00Z'], ['2026-06-01T17:59:00Z', '2026-06-02T00:00:00Z']],
    ['to: "06:00"', ['2026-06-01T00:00:00Z', '2026-06-01T05:59:00Z'], ['2026-05-31T23:59:00Z', '2026-06-01T06:00:00Z']],
    ['from: "00:00"\n    to: "24:00"', ['2026-06-01T00:00:00Z', '2026-06-01T23:59:59Z'], ['2026-05-31T23:59:59Z', '2026-06-02T00:00:00Z']]
  ])('window %j on Mondays', (window, inside, outside) => {
    const s = schedule(`default: { kpu: 1 }\nrules:\n  - days: Mon\n    kpu: 2\n    ${window}`)
    for (const iso of inside) expectWith(ruleAt(s, iso), iso).toBe('rules[0]')
    for (const iso of outside) expectWith(ruleAt(s, iso), iso).toBe('default')
  })

  it('returns the default when there are no rules', () => {
    const s = schedule('timezone: Europe/Berlin\ndefault: { parallelism: 4 }')
    expect(evaluate(s, new Date('2026-10-25T01:30:00Z'))).toEqual({ rule: 'default', target: { parallelism: 4 } })
  })
})

/** One rule named "r" (parallelism 2) over a default of parallelism 1. */
function dstSchedule(zone: string, rule: string): Schedule {
  return schedule(`timezone: ${zone}\ndefault: { parallelism: 1 }\nrules:\n  - name: r\n    parallelism: 2\n    ${rule.replaceAll('; ', '\n    ')}`)
}

describe('daylight-saving time', () => {
  // Each case: where the window is, the instants inside and outside it, and its transitions over
  // the two days around the change.
  it.each([
    {
      what: 'LA spring forward, start in the gap: 02:30 PST does not exist, so it starts at 03:00 PDT',
      zone: 'America/Los_Angeles',
      rule: 'dates: 2027-03-14; from: "02:30"; to: "04:00"',
      inside: ['2027-03-14T10:00:00Z' /* 03:00 PDT */, '2027-03-14T10:59:00Z' /* 03:59 PDT */],
      outside: ['2027-03-14T09:59:00Z' /* 01:59 PST */, '2027-03-14T11:00:00Z' /* 04:00 PDT */],
      transitions: ['2027-03-14T10:00:00.000Z', '2027-03-14T11:00:00.000Z']
    },
    {
      what: 'LA spring forward, end in the gap: ends where the gap ends',
      zone: 'America/Los_Angeles',
      rule: 'dates: 2027-03-14; from: "01:00"; to: "02:30"',
      inside: ['2027-03-14T09:00:00Z' /* 01:00 PST */, '2027-03-14T09:59:00Z' /* 01:59 PST */],
      outside: ['2027-03-14T08:59:00Z' /* 00:59 PST */, '2027-03-14T10:00:00Z' /* 03:00 PDT */],
      transitions: ['2027-03-14T09:00:00.000Z', '2027-03-14T10:00:00.000Z']
    },
    {
      what: 'LA spring forward, window entirely inside the gap: never on',
      zone: 'America/Los_Angeles',
      rule: 'dates: 2027-03-14; from: "02:00"; to: "02:45"',
      inside: [],
      outside: ['2027-03-14T09:59:00Z' /* 01:59 PST */, '2027-03-14T10:00:00Z' /* 03:00 PDT */],
      transitions: []
    },
    {
      what: 'LA spring forward, overnight window from Saturday ending in the gap',
      zone: 'America/Los_Angeles',
      rule: 'days: Sat; from: "22:00"; to: "02:30"',
      inside: ['2027-03-14T06:00:00Z' /* Sat 22:00 PST */, '2027-03-14T09:59:00Z' /* Sun 01:59 PST */],
      outside: ['2027-03-14T05:59:00Z' /* Sat 21:59 PST */, '2027-03-14T10:00:00Z' /* Sun 03:00 PDT */],
      transitions: ['2027-03-14T06:00:00.000Z', '2027-03-14T10:00:00.000Z']
    },
    {
      what: 'LA fall back, start in the repeated hour: its first occurrence (PDT)',
      zone: 'America/Los_Angeles',
      rule: 'dates: 2026-11-01; from: "01:30"; to: "03:00"',
      inside: [
        '2026-11-01T08:30:00Z' /* 01:30 PDT, first occurrence */,
        '2026-11-01T09:00:00Z' /* 01:00 PST */,
        '2026-11-01T09:30:00Z' /* 01:30 PST, second occurrence */,
        '2026-11-01T10:59:00Z' /* 02:59 PST */
      ],
      outside: ['2026-11-01T08:29:00Z' /* 01:29 PDT */, '2026-11-01T11:00:00Z' /* 03:00 PST */],
      transitions: ['2026-11-01T08:30:00.000Z', '2026-11-01T11:00:00.000Z']
    },
    {
      what: 'LA fall back, end in the repeated hour: ends at the first 01:30 and stays off through the second',
      zone: 'America/Los_Angeles',
      rule: 'dates: 2026-11-01; from: "00:00"; to: "01:30"',
      inside: ['2026-11-01T07:00:00Z' /* 00:00 PDT */, '2026-11-01T08:29:00Z' /* 01:29 PDT */],
      outside: [
        '2026-11-01T06:59:00Z' /* Oct 31 23:59 PDT */,
        '2026-11-01T08:30:00Z' /* 01:30 PDT */,
        '2026-11-01T09:00:00Z' /* 01:00 PST, the repeated hour */,
        '2026-11-01T09:29:00Z' /* 01:29 PST */
      ],
      transitions: ['2026-11-01T07:00:00.000Z', '2026-11-01T08:30:00.000Z']
    },
    {
      what: 'LA fall back, window inside the repeated hour: only its first occurrence',
      zone: 'America/Los_Angeles',
      rule: 'dates: 2026-11-01; from: "01:30"; to: "01:45"',
      inside: ['2026-11-01T08:30:00Z' /* 01:30 PDT */, '2026-11-01T08:44:00Z' /* 01:44 PDT */],
      outside: ['2026-11-01T08:45:00Z' /* 01:45 PDT */, '2026-11-01T09:30:00Z' /* 01:30 PST */, '2026-11-01T09:40:00Z' /* 01:40 PST */],
      transitions: ['2026-11-01T08:30:00.000Z', '2026-11-01T08:45:00.000Z']
    },
    {
      what: 'Berlin spring forward, start in the gap: 02:30 CET does not exist, so it starts at 03:00 CEST',
      zone: 'Europe/Berlin',
      rule: 'dates: 2027-03-28; from: "02:30"; to: "04:00"',
      inside: ['2027-03-28T01:00:00Z' /* 03:00 CEST */, '2027-03-28T01:59:00Z' /* 03:59 CEST */],
      outside: ['2027-03-28T00:59:00Z' /* 01:59 CET */, '2027-03-28T02:00:00Z' /* 04:00 CEST */],
      transitions: ['2027-03-28T01:00:00.000Z', '2027-03-28T02:00:00.000Z']
    },
    {
      what: 'Berlin spring forward, end in the gap',
      zone: 'Europe/Berlin',
      rule: 'dates: 2027-03-28; from: "00:00"; to: "02:30"',
      inside: ['2027-03-27T23:00:00Z' /* 00:00 CET */, '2027-03-28T00:59:00Z' /* 01:59 CET */],
      outside: ['2027-03-27T22:59:00Z' /* Mar 27 23:59 CET */, '2027-03-28T01:00:00Z' /* 03:00 CEST */],
      transitions: ['2027-03-27T23:00:00.000Z', '2027-03-28T01:00:00.000Z']
    },
    {
      what: 'Berlin fall back, start in the repeated hour: its first occurrence (CEST)',
      zone: 'Europe/Berlin',
      rule: 'dates: 2026-10-25; from: "02:30"; to: "03:30"',
      inside: [
        '2026-10-25T00:30:00Z' /* 02:30 CEST, first occurrence */,
        '2026-10-25T01:00:00Z' /* 02:00 CET */,
        '2026-10-25T01:30:00Z' /* 02:30 CET, second occurrence */,
        '2026-10-25T02:29:00Z' /* 03:29 CET */
      ],
      outside: ['2026-10-25T00:29:00Z' /* 02:29 CEST */, '2026-10-25T02:30:00Z' /* 03:30 CET */],
      transitions: ['2026-10-25T00:30:00.000Z', '2026-10-25T02:30:00.000Z']
    },
    {
      what: 'Berlin fall back, end in the repeated hour: off through the second occurrence',
      zone: 'Europe/Berlin',
      rule: 'dates: 2026-10-25; from: "00:00"; to: "02:30"',
      inside: ['2026-10-24T22:00:00Z' /* 00:00 CEST */, '2026-10-25T00:29:00Z' /* 02:29 CEST */],
      outside: [
        '2026-10-25T00:30:00Z' /* 02:30 CEST */,
        '2026-10-25T01:00:00Z' /* 02:00 CET, the repeated hour */,
        '2026-10-25T01:29:00Z' /* 02:29 CET */
      ],
      transitions: ['2026-10-24T22:00:00.000Z', '2026-10-25T00:30:00.000Z']
    },
    {
      what: 'Lord Howe spring forward by 30 minutes: 02:15 is in the gap, so it starts at 02:30 (+11)',
      zone: 'Australia/Lord_Howe',
      rule: 'dates: 2026-10-04; from: "02:15"; to: "03:00"',
      inside: ['2026-10-03T15:30:00Z' /* 02:30 +11 */],
      outside: ['2026-10-03T15:29:00Z' /* 01:59 +10:30 */, '2026-10-03T16:00:00Z' /* 03:00 +11 */],
      transitions: ['2026-10-03T15:30:00.000Z', '2026-10-03T16:00:00.000Z']
    },
    {
      what: 'Lord Howe fall back by 30 minutes: 01:45 is repeated, so the first (+11)',
      zone: 'Australia/Lord_Howe',
      rule: 'dates: 2026-04-05; from: "01:45"; to: "03:00"',
      inside: ['2026-04-04T14:45:00Z' /* 01:45 +11 */, '2026-04-04T15:15:00Z' /* 01:45 +10:30 */],
      outside: ['2026-04-04T14:44:00Z' /* 01:44 +11 */, '2026-04-04T16:30:00Z' /* 03:00 +10:30 */],
      transitions: ['2026-04-04T14:45:00.000Z', '2026-04-04T16:30:00.000Z']
    }
  ])('$what', ({ zone, rule, inside, outside, transitions: expected }) => {
    const s = dstSchedule(zone, rule)
    for (const iso of inside) expectWith(ruleAt(s, iso), iso).toBe('r')
    for (const iso of outside) expectWith(ruleAt(s, iso), iso).toBe('default')
    const first = new Date(new Date(expected[0] ?? inside[0] ?? outside[0]).getTime() - 86_400_000)
    const last = new Date(first.getTime() + 2 * 86_400_000)
    expect(isoList(transitions(s, first, last))).toEqual(expected)
    expect(chain(s, first.toISOString(), 3).filter((iso) => iso <= last.toISOString())).toEqual(expected)
  })

  // A daily window whose edges fall in the gap or the repeated hour on the change day.
  it.each([
    {
      what: 'LA spring forward, daily 01:30-02:30',
      zone: 'America/Los_Angeles',
      after: '2027-03-13T00:00:00Z',
      window: 'from: "01:30"; to: "02:30"',
      expected: [
        '2027-03-13T09:30:00.000Z', // Sat 01:30 PST
        '2027-03-13T10:30:00.000Z', // Sat 02:30 PST
        '2027-03-14T09:30:00.000Z', // Sun 01:30 PST
        '2027-03-14T10:00:00.000Z', // Sun 03:00 PDT: 02:30 is in the gap
        '2027-03-15T08:30:00.000Z', // Mon 01:30 PDT
        '2027-03-15T09:30:00.000Z' // Mon 02:30 PDT
      ]
    },
    {
      what: 'LA fall back, daily 01:30-02:30',
      zone: 'America/Los_Angeles',
      after: '2026-10-31T00:00:00Z',
      window: 'from: "01:30"; to: "02:30"',
      expected: [
        '2026-10-31T08:30:00.000Z', // Sat 01:30 PDT
        '2026-10-31T09:30:00.000Z', // Sat 02:30 PDT
        '2026-11-01T08:30:00.000Z', // Sun 01:30 PDT, first occurrence
        '2026-11-01T10:30:00.000Z', // Sun 02:30 PST: two hours later
        '2026-11-02T09:30:00.000Z', // Mon 01:30 PST
        '2026-11-02T10:30:00.000Z' // Mon 02:30 PST
      ]
    },
    {
      what: 'Berlin spring forward, daily 02:30-03:30',
      zone: 'Europe/Berlin',
      after: '2027-03-27T00:00:00Z',
      window: 'from: "02:30"; to: "03:30"',
      expected: [
        '2027-03-27T01:30:00.000Z', // Sat 02:30 CET
        '2027-03-27T02:30:00.000Z', // Sat 03:30 CET
        '2027-03-28T01:00:00.000Z', // Sun 03:00 CEST: 02:30 is in the gap
        '2027-03-28T01:30:00.000Z', // Sun 03:30 CEST
        '2027-03-29T00:30:00.000Z', // Mon 02:30 CEST
        '2027-03-29T01:30:00.000Z' // Mon 03:30 CEST
      ]
    },
    {
      what: 'Berlin fall back, daily 02:30-03:30',
      zone: 'Europe/Berlin',
      after: '2026-10-24T00:00:00Z',
      window: 'from: "02:30"; to: "03:30"',
      expected: [
        '2026-10-24T00:30:00.000Z', // Sat 02:30 CEST
        '2026-10-24T01:30:00.000Z', // Sat 03:30 CEST
        '2026-10-25T00:30:00.000Z', // Sun 02:30 CEST, first occurrence
        '2026-10-25T02:30:00.000Z', // Sun 03:30 CET
        '2026-10-26T01:30:00.000Z', // Mon 02:30 CET
        '2026-10-26T02:30:00.000Z' // Mon 03:30 CET
      ]
    }
  ])('next transitions: $what', ({ zone, after, window, expected }) => {
    const s = dstSchedule(zone, window)
    expect(chain(s, after, expected.length)).toEqual(expected)
    const until = new Date(new Date(after).getTime() + 3 * 86_400_000)
    expect(isoList(transitions(s, new Date(after), until))).toEqual(expected)
  })
})

describe('nextTransition and transitions', () => {
  // UTC; 2026-06-01 is a Monday.
  const daily = schedule('default: { kpu: 1 }\nrules:\n  - { name: day, from: "09:00", to: "17:00", kpu: 2 }')
  const weekly = schedule('default: { kpu: 1 }\nrules:\n  - { name: saturday, days: Sat, kpu: 2 }')
  const christmas = schedule('default: { kpu: 1 }\nrules:\n  - { name: christmas, dates: 2026-12-24..2026-12-26, kpu: 2 }')
  const farAway = schedule('default: { kpu: 1 }\nrules:\n  - { dates: 2027-07-01, kpu: 2 }')
  it.each([
    ['daily, before the window', daily, '2026-06-01T08:00:00Z', '2026-06-01T09:00:00.000Z', 'day'],
    ['daily, exactly at the start (after is exclusive)', daily, '2026-06-01T09:00:00Z', '2026-06-01T17:00:00.000Z', 'default'],
    ['daily, after the window', daily, '2026-06-01T17:30:00Z', '2026-06-02T09:00:00.000Z', 'day'],
    ['weekly, on Monday', weekly, '2026-06-01T00:00:00Z', '2026-06-06T00:00:00.000Z', 'saturday'],
    ['weekly, on Saturday', weekly, '2026-06-06T12:00:00Z', '2026-06-07T00:00:00.000Z', 'default'],
    ['a date range months ahead', christmas, '2026-06-01T00:00:00Z', '2026-12-24T00:00:00.000Z', 'christmas'],
    ['a date more than a year ahead', farAway, '2026-06-01T00:00:00Z', undefined, undefined]
  ])('%s', (_what, s, after, at, to) => {
    const next = nextTransition(s, new Date(after))
    expect(next?.at.toISOString()).toBe(at)
    expect(next?.to.rule).toBe(to)
  })

  it.each([
    ['default only', 'default: { kpu: 3 }'],
    ['a rule with the default target', 'default: { kpu: 3 }\nrules:\n  - { days: Mon-Fri, from: "08:00", to: "18:00", kpu: 3 }'],
    ['a rule that always matches', 'default: { kpu: 3 }\nrules:\n  - { kpu: 4 }'],
    ['rules that hand over with equal targets', 'default: { kpu: 3 }\nrules:\n  - { days: Mon-Fri, kpu: 4 }\n  - { days: Sat-Sun, kpu: 4 }']
  ])('never changes: %s', (_what, text) => {
    const s = schedule(text)
    expect(nextTransition(s, new Date('2026-06-01T00:00:00Z'))).toBeUndefined()
    expect(transitions(s, new Date('2026-06-01T00:00:00Z'), new Date('2026-06-15T00:00:00Z'))).toEqual([])
  })

  it('lists the AWS sample over 7 days', () => {
    // Monday 2026-06-01 00:00 PDT to the next Monday 00:00 PDT.
    const found = transitions(AWS_SAMPLE, new Date('2026-06-01T07:00:00Z'), new Date('2026-06-08T07:00:00Z'))
    expect(isoList(found)).toEqual([
      '2026-06-01T12:05:00.000Z', // Mon 05:05 PDT
      '2026-06-02T01:05:00.000Z', // Mon 18:05 PDT
      '2026-06-02T12:05:00.000Z',
      '2026-06-03T01:05:00.000Z',
      '2026-06-03T12:05:00.000Z',
      '2026-06-04T01:05:00.000Z',
      '2026-06-04T12:05:00.000Z',
      '2026-06-05T01:05:00.000Z',
      '2026-06-05T12:05:00.000Z', // Fri 05:05 PDT
      '2026-06-06T01:05:00.000Z' // Fri 18:05 PDT
    ])
    expect(found[0]).toEqual({
      at: new Date('2026-06-01T12:05:00Z'),
      from: { rule: 'default', target: { kpu: 10 } },
      to: { rule: 'weekday-daytime', target: { kpu: 20 } }
    })
  })

  it('includes `until` and excludes `after`', () => {
    expect(isoList(transitions(AWS_SAMPLE, new Date('2026-06-01T12:05:00Z'), new Date('2026-06-02T01:05:00Z')))).toEqual([
      '2026-06-02T01:05:00.000Z'
    ])
    expect(transitions(AWS_SAMPLE, new Date('2026-06-02T00:00:00Z'), new Date('2026-06-01T00:00:00Z'))).toEqual([])
  })

  it('names the rule in force when a hand-over kept the target', () => {
    // Monday all day, then Tuesday until noon, both at kpu 2.
    const s = schedule('default: { kpu: 1 }\nrules:\n  - { name: mon, days: Mon, kpu: 2 }\n  - { name: tue, days: Tue, to: "12:00", kpu: 2 }')
    const found = transitions(s, new Date('2026-05-31T00:00:00Z'), new Date('2026-06-03T00:00:00Z'))
    expect(found.map((t) => [t.at.toISOString(), t.from.rule, t.to.rule])).toEqual([
      ['2026-06-01T00:00:00.000Z', 'default', 'mon'],
      ['2026-06-02T12:00:00.000Z', 'tue', 'default']
    ])
  })

  it('uses sameTarget to decide what is a change', () => {
    const s = schedule('default: { parallelism: 4 }\nrules:\n  - { name: mon, days: Mon, kpu: 2 }\n  - { name: tue, days: Tue, kpu: 2 }')
    const after = new Date('2026-05-31T00:00:00Z')
    const until = new Date('2026-06-04T00:00:00Z')
    // With 2 parallel tasks per KPU, 2 KPU is parallelism 4: nothing changes.
    const atTwoPerKpu = (a: Target, b: Target) => ('kpu' in a ? a.kpu * 2 : a.parallelism) === ('kpu' in b ? b.kpu * 2 : b.parallelism)
    expect(transitions(s, after, until, atTwoPerKpu)).toEqual([])
    expect(nextTransition(s, after, atTwoPerKpu)).toBeUndefined()
    expect(isoList(transitions(s, after, until))).toEqual(['2026-06-01T00:00:00.000Z', '2026-06-03T00:00:00.000Z'])
    // Every change of rule counts when sameTarget never says "same".
    expect(isoList(transitions(s, after, until, () => false))).toEqual([
      '2026-06-01T00:00:00.000Z',
      '2026-06-02T00:00:00.000Z',
      '2026-06-03T00:00:00.000Z'
    ])
  })

  it('finds no transition in a year when every rule asks for the default target', () => {
    const s = schedule(`timezone: Europe/Berlin
default: { kpu: 3 }
rules:
  - { days: Mon-Fri, from: "05:05", to: "18:05", kpu: 3 }
  - { days: Sat, from: "22:00", to: "06:00", kpu: 3 }
  - { dates: [2026-12-24..2026-12-26, 2027-01-01], kpu: 3 }`)
    expect(nextTransition(s, new Date('2026-06-01T00:00:00Z'))).toBeUndefined()
  })
})

describe('bounds', () => {
  it.each([
    [{ min: 2, max: 8 }, 2, undefined],
    [{ min: 2, max: 8 }, 8, undefined],
    [{}, 1000, undefined],
    [{ min: 2, max: 8 }, 1, 'Parallelism 1 from rule "night" is below the schedule\'s min 2; targets are never clamped.'],
    [{ min: 2, max: 8 }, 9, 'Parallelism 9 from rule "night" is above the schedule\'s max 8; targets are never clamped.'],
    [{ max: 8 }, 9, 'above the schedule\'s max 8']
  ])('checkBounds(%j, %i)', (bounds, parallelism, message) => {
    const check = () => checkBounds(bounds, parallelism, 'rule "night"')
    if (message === undefined) return expect(check).not.toThrow()
    expect(check).toThrow(ScalerError)
    expect(check).toThrow(message)
  })

  it('leaves KPU targets that fit some ParallelismPerKPU to the caller', () => {
    const s = schedule('min: 2\nmax: 8\ndefault: { kpu: 4 }')
    expect(s.default).toEqual({ kpu: 4 })
    expect(() => checkBounds(s, 4 * 4, 'default')).toThrow('above the schedule\'s max 8')
  })

  it.each([
    ['max: 8\ndefault: { kpu: 9 }', /default, field "kpu": 9 KPU is at least parallelism 9, above the schedule's max 8/],
    ['min: 20\ndefault: { kpu: 2 }', /default, field "kpu": 2 KPU is at most parallelism 16, below the schedule's min 20/],
    ['max: 16\ndefault: { kpu: 1 }\nrules:\n  - { name: black-friday, dates: 2026-11-27, kpu: 40 }', /rules\[0\] "black-friday", field "kpu"/]
  ])('rejects a KPU target no ParallelismPerKPU can fit: %s', (text, message) => {
    expect(() => parseSchedule(text, 'test')).toThrow(message)
  })
})

describe('invalid schedules', () => {
  const rule = (fields: string) => `default: { kpu: 1 }\nrules:\n  - { name: ok, kpu: 2 }\n  - name: day\n    kpu: 3\n    ${fields.replaceAll('; ', '\n    ')}`
  const bad = 'Schedule error in rules[1] "day"'
  it.each([
    // The document
    ['YAML that does not parse', 'default: { kpu: 1', ['Schedule error in input "schedule": the text is not valid YAML']],
    ['a duplicate key', 'default: { kpu: 1 }\ndefault: { kpu: 2 }', ['input "schedule"', 'not valid YAML']],
    ['a list', '- kpu: 1', ['Schedule error in input "schedule"', 'found a list']],
    ['empty text', '', ['Schedule error in input "schedule"', 'found nothing']],
    ['a plain string', 'hello', ['Schedule error in input "schedule"', 'found string "hello"']],
    ['an unknown top-level field', 'default: { kpu: 1 }\ntimeZone: UTC', ['Schedule error in field "timeZone": unknown field']],
    ['an unknown zone', 'timezone: Mars/Olympus\ndefault: { kpu: 1 }', ['field "timezone": "Mars/Olympus" is not a known IANA time zone']],
    ['a zone that is a number', 'timezone: 5\ndefault: { kpu: 1 }', ['field "timezone": 5 is not']],
    ['a missing default', 'timezone: UTC', ['Schedule error in field "default": missing']],
    ['a default that is a number', 'default: 10', ['field "default": expected a mapping']],
    ['a default with no target', 'default: {}', ['Schedule error in default: has no target']],
    ['a default with both targets', 'default: { kpu: 1, parallelism: 2 }', ['Schedule error in default: has both fields']],
    ['an unknown field in the default', 'default: { kpus: 1 }', ['Schedule error in default, field "kpus": unknown field']],
    ['a default of 0', 'default: { kpu: 0 }', ['default, field "kpu": 0 is not a positive whole number']],
    ['min 0', 'min: 0\ndefault: { kpu: 1 }', ['field "min": 0 is not a positive whole number']],
    ['min above max', 'min: 8\nmax: 4\ndefault: { kpu: 1 }', ['field "max": 4 is below min 8']],
    ['a default below min', 'min: 2\ndefault: { parallelism: 1 }', ['default, field "parallelism": 1 is below the schedule\'s min 2']],
    ['rules that are not a list', 'default: { kpu: 1 }\nrules: { kpu: 2 }', ['field "rules": expected a list']],
    ['a rule that is not a mapping', 'default: { kpu: 1 }\nrules: [Mon-Fri]', ['Schedule error in rules[0]: expected a mapping']],
    // Rules
    ['the brief\'s bad time', 'default: { kpu: 1 }\nrules:\n  - { kpu: 2 }\n  - { name: weekday-daytime, from: "25:00", kpu: 3 }', [
      'Schedule error in rules[1] "weekday-daytime", field "from": "25:00" is not a valid time (input "schedule")'
    ]],
    ['an unnamed rule', 'default: { kpu: 1 }\nrules:\n  - { from: "7pm", kpu: 2 }', ['Schedule error in rules[0], field "from": "7pm" is not a valid time']],
    ['a name that is a number', 'default: { kpu: 1 }\nrules:\n  - { name: 2026, kpu: 2 }', ['rules[0], field "name"']],
    ['an unknown rule field', rule('form: "05:00"'), [`${bad}, field "form": unknown field`]],
    ['a rule field with no value', rule('days:'), [`${bad}, field "days": has no value`]],
    ['a rule with no target', 'default: { kpu: 1 }\nrules:\n  - { name: day, days: Mon }', [`Schedule error in rules[0] "day": has no target`]],
    ['a rule with both targets', rule('parallelism: 4'), [`${bad}: has both fields "parallelism" and "kpu"`]],
    ['a rule target of 1.5', 'default: { kpu: 1 }\nrules:\n  - { name: day, kpu: 1.5 }', ['rules[0] "day", field "kpu": 1.5 is not a positive whole number']],
    ['a quoted rule target', 'default: { kpu: 1 }\nrules:\n  - { name: day, parallelism: "10" }', ['rules[0] "day", field "parallelism": "10" is not']],
    ['a negative rule target', 'default: { kpu: 1 }\nrules:\n  - { name: day, kpu: -3 }', ['field "kpu": -3 is not']],
    ['a rule target above max', 'max: 64\ndefault: { kpu: 1 }\nrules:\n  - { name: day, parallelism: 80 }', [
      'rules[0] "day", field "parallelism": 80 is above the schedule\'s max 64; targets are never clamped'
    ]],
    ['hour 25', rule('from: "25:00"'), [`${bad}, field "from": "25:00" is not a valid time`]],
    ['minute 60', rule('to: "12:60"'), [`${bad}, field "to": "12:60" is not a valid time`]],
    ['24:01', rule('to: "24:01"'), [`${bad}, field "to": "24:01"`]],
    ['a one-digit hour', rule('from: "5:05"'), [`${bad}, field "from": "5:05"`]],
    ['an empty time', rule('from: ""'), [`${bad}, field "from": "" is not a valid time`]],
    ['a time read as a number', rule('from: 0505'), [`${bad}, field "from": 505 is a number, not a time`]],
    ['from 24:00', rule('from: "24:00"'), [`${bad}, field "from": "24:00" cannot start a window`]],
    ['from equal to to', rule('from: "05:00"; to: 05:00'), [`${bad}, field "to": "05:00" equals "from", so the window is empty`]],
    ['to 00:00 with no from', rule('to: "00:00"'), [`${bad}, field "to": "00:00" equals "from"`]],
    ['an unknown day', rule('days: Funday'), [`${bad}, field "days": "Funday" is not a day`]],
    ['a range with three ends', rule('days: Mon-Fri-Sun'), [`${bad}, field "days": "Mon-Fri-Sun"`]],
    ['an open range', rule('days: Mon-'), [`${bad}, field "days": "Mon-"`]],
    ['a ".." day range', rule('days: Mon..Fri'), [`${bad}, field "days": "Mon..Fri"`]],
    ['an empty day in a list', rule('days: Mon,,Fri'), [`${bad}, field "days": "" is not a day`]],
    ['an empty day list', rule('days: []'), [`${bad}, field "days": [] is not valid here`]],
    ['a day that is a number', rule('days: [Mon, 3]'), [`${bad}, field "days": ["Mon",3]`]],
    ['a day that does not exist', rule('dates: 2026-02-30'), [`${bad}, field "dates": "2026-02-30" is not a date`]],
    ['month 13', rule('dates: 2026-13-01'), [`${bad}, field "dates": "2026-13-01"`]],
    ['a short date', rule('dates: 2026-1-5'), [`${bad}, field "dates": "2026-1-5"`]],
    ['a word for a date', rule('dates: tomorrow'), [`${bad}, field "dates": "tomorrow"`]],
    ['a date range backwards', rule('dates: 2026-11-30..2026-11-27'), [`${bad}, field "dates": the range "2026-11-30..2026-11-27" ends before it starts`]],
    ['an open date range', rule('dates: 2026-11-27..'), [`${bad}, field "dates": "" is not a date`]],
    ['a date that is a number', rule('dates: [20261127]'), [`${bad}, field "dates": [20261127]`]],
    ['a value that contains itself', rule('days: &loop [Mon, *loop]'), [`${bad}, field "days": [...] is not valid here`]]
  ])('rejects %s', (_what, text, expected) => {
    const error = parseError(text)
    expect(error.kind).toBe('input')
    for (const part of expected) expect(error.message).toContain(part)
    expect(error.hint).toMatch(/\w/)
  })

  it('hints at quoting a time that YAML read as a number', () => {
    expect(parseError(rule('to: 1805')).hint).toContain('Quote the time')
  })

  it('hints at dropping the quotes of a quoted number', () => {
    expect(parseError('default: { kpu: "10" }').hint).toBe('Write the number without quotes.')
  })
})

describe('describeTarget and equalTargets', () => {
  it.each([
    [{ kpu: 20 }, '20 KPU'],
    [{ kpu: 1 }, '1 KPU'],
    [{ parallelism: 8 }, 'parallelism 8']
  ])('describeTarget(%j) is %s', (target, text) => {
    expect(describeTarget(target)).toBe(text)
  })

  it.each([
    [{ kpu: 2 }, { kpu: 2 }, true],
    [{ kpu: 2 }, { kpu: 3 }, false],
    [{ kpu: 2 }, { parallelism: 2 }, false],
    [{ parallelism: 2 }, { parallelism: 2 }, true]
  ])('equalTargets(%j, %j) is %s', (a, b, same) => {
    expect(equalTargets(a, b)).toBe(same)
  })
})

describe('holidays, on-holidays and lead in the document', () => {
  it('parses them', () => {
    const parsed = schedule(`
timezone: America/Los_Angeles
default: { kpu: 10 }
holidays: US
lead: 20m
rules:
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    on-holidays: skip
    kpu: 20
  - { name: holidays, on-holidays: only, kpu: 4 }
`)
    expect(parsed).toEqual({
      timezone: 'America/Los_Angeles',
      default: { kpu: 10 },
      holidays: ['US'],
      lead: 20,
      rules: [
        { index: 0, name: 'weekday-daytime', target: { kpu: 20 }, days: [1, 2, 3, 4, 5], from: 305, to: 1085, onHolidays: 'skip' },
        { index: 1, name: 'holidays', target: { kpu: 4 }, from: 0, to: 1440, onHolidays: 'only' }
      ]
    })
  })

  it.each([
    ['US-CA', ['US-CA']],
    ['us-ca', ['US-CA']],
    ['" GB-SCT "', ['GB-SCT']],
    ['[US, DE-by, us]', ['US', 'DE-BY']],
    ['\n  - AU-NSW\n  - AD-07', ['AU-NSW', 'AD-07']]
  ])('holidays: %s', (text, expected) => {
    expect(schedule(`default: { kpu: 1 }\nholidays: ${text}`).holidays).toEqual(expected)
  })

  it.each([
    ['0m', 0],
    ['1m', 1],
    ['20m', 20],
    ['90m', 90],
    ['1h', 60],
    ['6h', 360],
    ['360m', 360],
    ['" 15m "', 15]
  ])('lead: %s is %i minutes', (text, minutes) => {
    expect(schedule(`default: { kpu: 1 }\nlead: ${text}`).lead).toBe(minutes)
  })

  it.each([
    [0, '0m'],
    [20, '20m'],
    [60, '1h'],
    [90, '90m'],
    [360, '6h']
  ])('describeLead(%i) is %s', (minutes, text) => {
    expect(describeLead(minutes)).toBe(text)
  })

  const invalid = (fields: string) => `default: { kpu: 1 }\n${fields.replaceAll('; ', '\n')}`
  const onRule = (field: string, top = 'holidays: US') =>
    `default: { kpu: 1 }\n${top}\nrules:\n  - { name: ok, kpu: 2 }\n  - name: day\n    kpu: 3\n    ${field}`
  it.each([
    ['a country of three letters', invalid('holidays: USA'), ['Schedule error in field "holidays": "USA" is not a country or subdivision code']],
    ['a subdivision name', invalid('holidays: US-California'), ['field "holidays": "US-California" is not a country or subdivision code']],
    ['an underscore', invalid('holidays: US_CA'), ['field "holidays": "US_CA"']],
    ['a comma-separated list', invalid('holidays: US, CA'), ['field "holidays": "US, CA"']],
    ['a letter that upper-cases to two', invalid('holidays: ß'), ['field "holidays": "ß"']],
    ['a number', invalid('holidays: 42'), ['field "holidays": 42 is not valid here']],
    ['an empty list', invalid('holidays: []'), ['field "holidays": [] is not valid here']],
    ['a list with a number', invalid('holidays: [US, 1]'), ['field "holidays": ["US",1]']],
    ['no value', invalid('holidays:'), ['field "holidays": has no value']],
    ['a lead without unit', invalid('lead: 20'), ['Schedule error in field "lead": 20 has no unit']],
    ['a quoted lead without unit', invalid('lead: "20"'), ['field "lead": "20" is not a duration']],
    ['a lead in words', invalid('lead: 20 min'), ['field "lead": "20 min" is not a duration']],
    ['hours and minutes', invalid('lead: 1h30m'), ['field "lead": "1h30m" is not a duration']],
    ['a fraction of an hour', invalid('lead: 1.5h'), ['field "lead": "1.5h" is not a duration']],
    ['a negative lead', invalid('lead: -5m'), ['field "lead": "-5m"']],
    ['seconds', invalid('lead: 90s'), ['field "lead": "90s"']],
    ['a lead over 6h', invalid('lead: 7h'), ['field "lead": "7h" is longer than 6h']],
    ['361 minutes', invalid('lead: 361m'), ['field "lead": "361m" is longer than 6h']],
    ['on-holidays without holidays', onRule('on-holidays: skip', ''), [
      'Schedule error in rules[1] "day", field "on-holidays": the schedule names no public holidays'
    ]],
    ['an unknown on-holidays', onRule('on-holidays: never'), ['rules[1] "day", field "on-holidays": "never" is not "skip" or "only"']],
    ['a capitalized on-holidays', onRule('on-holidays: Skip'), ['rules[1] "day", field "on-holidays": "Skip"']],
    ['a boolean on-holidays', onRule('on-holidays: true'), ['rules[1] "day", field "on-holidays": true']],
    ['a misspelt field', onRule('on-holiday: skip'), ['rules[1] "day", field "on-holiday": unknown field']]
  ])('rejects %s', (_what, text, expected) => {
    const error = parseError(text)
    expect(error.kind).toBe('input')
    for (const part of expected) expect(error.message).toContain(part)
    expect(error.hint).toMatch(/\w/)
  })

  it('hints at the top-level holidays field when a rule has on-holidays without it', () => {
    expect(parseError(onRule('on-holidays: only', '')).hint).toContain('"holidays: US-CA"')
  })

  it('refuses to evaluate holidays it cannot look up: withHolidays attaches the calendar', () => {
    const s = schedule('default: { kpu: 1 }\nholidays: US\nrules:\n  - { on-holidays: skip, kpu: 2 }')
    const at = new Date('2026-06-01T00:00:00Z')
    expect(() => evaluate(s, at)).toThrow('withHolidays')
    expect(() => transitions(s, at, new Date('2026-06-02T00:00:00Z'))).toThrow('withHolidays')
    expect(() => nextTransition(s, at)).toThrow('withHolidays')
  })
})

describe('lead', () => {
  // The AWS sample, ready 20 minutes early. Wednesday 2026-06-03, PDT (UTC-7).
  const led = schedule(`
timezone: America/Los_Angeles
default: { kpu: 10 }
lead: 20m
rules:
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    kpu: 20
`)
  it.each([
    ['2026-06-03T11:44:00Z', 'default', undefined, '04:44: 05:05 is more than 20 minutes away'],
    ['2026-06-03T11:44:59Z', 'default', undefined, '04:44:59'],
    ['2026-06-03T11:45:00Z', 'weekday-daytime', '2026-06-03T12:05:00.000Z', '04:45: 05:05 is 20 minutes away'],
    ['2026-06-03T12:04:59Z', 'weekday-daytime', '2026-06-03T12:05:00.000Z', '05:04:59'],
    ['2026-06-03T12:05:00Z', 'weekday-daytime', undefined, '05:05: the window itself'],
    ['2026-06-04T01:04:00Z', 'weekday-daytime', undefined, '18:04'],
    ['2026-06-04T01:05:00Z', 'default', undefined, '18:05: scale-downs happen on time'],
    ['2026-06-06T11:45:00Z', 'default', undefined, 'Saturday 04:45'],
    ['2026-06-08T11:45:00Z', 'weekday-daytime', '2026-06-08T12:05:00.000Z', 'Monday 04:45']
  ])('at %s: %s, starting at %s (%s)', (iso, rule, startsAt, _why) => {
    const match = evaluate(led, new Date(iso))
    expect([match.rule, match.startsAt?.toISOString()]).toEqual([rule, startsAt])
    expect(match.target).toEqual(rule === 'default' ? { kpu: 10 } : { kpu: 20 })
  })

  it('moves every scale-up of the week 20 minutes earlier, and no scale-down', () => {
    const found = transitions(led, new Date('2026-06-01T07:00:00Z'), new Date('2026-06-08T07:00:00Z'))
    expect(isoList(found)).toEqual([
      '2026-06-01T11:45:00.000Z', // Mon 04:45 PDT
      '2026-06-02T01:05:00.000Z', // Mon 18:05 PDT
      '2026-06-02T11:45:00.000Z',
      '2026-06-03T01:05:00.000Z',
      '2026-06-03T11:45:00.000Z',
      '2026-06-04T01:05:00.000Z',
      '2026-06-04T11:45:00.000Z',
      '2026-06-05T01:05:00.000Z',
      '2026-06-05T11:45:00.000Z', // Fri 04:45 PDT
      '2026-06-06T01:05:00.000Z' // Fri 18:05 PDT
    ])
    expect(found[0]).toEqual({
      at: new Date('2026-06-01T11:45:00Z'),
      from: { rule: 'default', target: { kpu: 10 } },
      to: { rule: 'weekday-daytime', target: { kpu: 20 }, startsAt: new Date('2026-06-01T12:05:00Z') }
    })
    expect(found[1].from).toEqual({ rule: 'weekday-daytime', target: { kpu: 20 } })
  })

  it.each([
    ['2026-06-03T01:05:00Z', '2026-06-03T11:45:00.000Z', 'Tue 18:05: next is Wed 04:45'],
    ['2026-06-03T11:44:00Z', '2026-06-03T11:45:00.000Z', 'Wed 04:44'],
    ['2026-06-03T11:45:00Z', '2026-06-04T01:05:00.000Z', 'exactly at the led start (after is exclusive)'],
    ['2026-06-05T12:00:00Z', '2026-06-06T01:05:00.000Z', 'Fri 05:00'],
    ['2026-06-06T01:05:00Z', '2026-06-08T11:45:00.000Z', 'Fri 18:05: next is Mon 04:45']
  ])('nextTransition after %s is %s (%s)', (after, at) => {
    expect(nextTransition(led, new Date(after))?.at.toISOString()).toBe(at)
  })

  it('is measured in real time across a daylight-saving change', () => {
    // LA springs forward on 2027-03-14: 03:00 PDT is 10:00Z, an hour of real time after 01:00 PST.
    const s = dstSchedule('America/Los_Angeles', 'dates: 2027-03-14; from: "03:00"; to: "04:00"')
    const ahead = { ...s, lead: 60 }
    expect(isoList(transitions(ahead, new Date('2027-03-13T00:00:00Z'), new Date('2027-03-15T00:00:00Z')))).toEqual([
      '2027-03-14T09:00:00.000Z', // 01:00 PST
      '2027-03-14T11:00:00.000Z' // 04:00 PDT
    ])
  })

  it('reaches across midnight', () => {
    // 2026-06-01 is a Monday; the window starts at 00:10, so the scale-up is on Sunday at 23:50.
    const s = schedule('default: { kpu: 1 }\nlead: 20m\nrules:\n  - { name: monday, days: Mon, from: "00:10", to: "08:00", kpu: 2 }')
    expect(evaluate(s, new Date('2026-05-31T23:50:00Z'))).toEqual({ rule: 'monday', target: { kpu: 2 }, startsAt: new Date('2026-06-01T00:10:00Z') })
    expect(evaluate(s, new Date('2026-05-31T23:49:00Z')).rule).toBe('default')
  })

  it('takes the largest target within the lead, the earliest of equals', () => {
    // UTC. 09:00-10:00 at 2, 10:00-11:00 at 3, then a dip to 1 and a second step to 3 at 12:00.
    const s = schedule(`default: { kpu: 1 }
lead: 90m
rules:
  - { name: two, from: "09:00", to: "10:00", kpu: 2 }
  - { name: three, from: "10:00", to: "11:00", kpu: 3 }
  - { name: three-again, from: "12:00", to: "13:00", kpu: 3 }`)
    const at = (time: string) => {
      const match = evaluate(s, new Date(`2026-06-01T${time}:00Z`))
      return [match.rule, match.startsAt?.toISOString().slice(11, 16)]
    }
    expect(at('07:29')).toEqual(['default', undefined])
    expect(at('07:30')).toEqual(['two', '09:00'])
    expect(at('08:30')).toEqual(['three', '10:00'])
    expect(at('09:00')).toEqual(['three', '10:00'])
    // At 10:30 both "three" (in force) and "three-again" (12:00) ask for 3: the one in force stays.
    expect(at('10:30')).toEqual(['three', undefined])
    expect(at('11:00')).toEqual(['three-again', '12:00'])
    expect(at('13:00')).toEqual(['default', undefined])
    expect(isoList(transitions(s, new Date('2026-06-01T00:00:00Z'), new Date('2026-06-02T00:00:00Z')))).toEqual([
      '2026-06-01T07:30:00.000Z',
      '2026-06-01T08:30:00.000Z',
      '2026-06-01T13:00:00.000Z'
    ])
  })

  it('never changes the target for an equal one, nor when it is 0m', () => {
    const s = schedule('default: { kpu: 2 }\nlead: 1h\nrules:\n  - { name: same, from: "09:00", to: "10:00", kpu: 2 }')
    expect(evaluate(s, new Date('2026-06-01T08:30:00Z'))).toEqual({ rule: 'default', target: { kpu: 2 } })
    const off = { ...AWS_SAMPLE, lead: 0 }
    expect(isoList(transitions(off, new Date('2026-06-01T07:00:00Z'), new Date('2026-06-02T07:00:00Z')))).toEqual([
      '2026-06-01T12:05:00.000Z',
      '2026-06-02T01:05:00.000Z'
    ])
  })

  it('compares KPU and parallelism targets in parallelism, a KPU as 1 when the ParallelismPerKPU is unknown', () => {
    // UTC. parallelism 4 by default, 2 KPU from 09:00.
    const s = schedule('default: { parallelism: 4 }\nlead: 20m\nrules:\n  - { name: day, from: "09:00", to: "17:00", kpu: 2 }')
    const at = new Date('2026-06-01T08:45:00Z')
    expect(evaluate(s, at).rule).toBe('default') // 2 × 1 < 4: a scale-down, on time
    expect(evaluate(s, at, 2).rule).toBe('default') // 2 × 2 = 4: no larger
    expect(evaluate(s, at, 4)).toEqual({ rule: 'day', target: { kpu: 2 }, startsAt: new Date('2026-06-01T09:00:00Z') }) // 8 > 4
    const day = [new Date('2026-06-01T00:00:00Z'), new Date('2026-06-02T00:00:00Z')] as const
    // Counted at 1 per KPU, the day (2) is below the night (4): down on time at 09:00, back up early at 16:40.
    expect(isoList(transitions(s, ...day))).toEqual(['2026-06-01T09:00:00.000Z', '2026-06-01T16:40:00.000Z'])
    expect(isoList(transitions(s, ...day, equalTargets, 4))).toEqual(['2026-06-01T08:40:00.000Z', '2026-06-01T17:00:00.000Z'])
    expect(nextTransition(s, day[0], equalTargets, 4)?.at.toISOString()).toBe('2026-06-01T08:40:00.000Z')
    // At 4 per KPU the night (parallelism 4) is lower than the day (8): the scale-up at 08:40 is early, the scale-down at 17:00 on time.
    expect(isoList(transitions(s, ...day, sameParallelism(4), 4))).toEqual(['2026-06-01T08:40:00.000Z', '2026-06-01T17:00:00.000Z'])
  })
})
