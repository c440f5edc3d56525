/**
 * Public holidays, with the real date-holidays data: which dates count, the codes it knows and the
 * errors for those it does not, and how `on-holidays` changes what the schedule asks for.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { ScalerError } from '../src/errors.js'
import { loadHolidayCalendar, withHolidays } from '../src/schedule/holidays.js'
import { evaluate, holidayEffect, parseSchedule, transitions, type Schedule } from '../src/schedule/schedule.js'
import { ROOT } from '../scripts/validate-workflows.js'

async function schedule(text: string): Promise<Schedule> {
  return withHolidays(parseSchedule(text, 'test'), 'test')
}

async function rejection(codes: string[]): Promise<ScalerError> {
  try {
    await loadHolidayCalendar(codes, 'input "schedule"')
  } catch (error) {
    if (error instanceof ScalerError) return error
    throw error
  }
  throw new Error('expected the codes to be rejected')
}

const names = async (codes: string[], date: string) => (await loadHolidayCalendar(codes, 'test')).on(date).map((h) => h.name)

describe('the holiday calendar', () => {
  it.each([
    // Public holidays, as local dates.
    [['US'], '2026-11-26', ['Thanksgiving Day']],
    [['US'], '2026-11-27', []],
    [['US-CA'], '2026-11-27', ['Day after Thanksgiving Day']],
    [['US'], '2026-06-01', []],
    // Observed (substitute) days are days off too: July 4th 2026 is a Saturday, observed on Friday.
    [['US'], '2026-07-03', ['Independence Day (substitute day)']],
    [['US'], '2026-07-04', ['Independence Day']],
    [['US'], '2027-12-24', ['Christmas Day (substitute day)']],
    [['US'], '2027-12-31', ["New Year's Day (substitute day)"]],
    [['AU-NSW'], '2026-04-27', ['Anzac Day (substitute day)']],
    // A subdivision adds its own: Corpus Christi in Bavaria, not in all of Germany.
    [['DE-BY'], '2026-06-04', ['Corpus Christi']],
    [['DE'], '2026-06-04', []],
    [['DE-BY'], '2026-01-06', ['Epiphany']],
    [['GB-SCT'], '2027-11-30', ['St Andrew’s Day']],
    // Only the public kind: Mother's Day in Germany and Easter Sunday in Scotland are observances.
    [['DE'], '2026-05-10', []],
    [['GB-SCT'], '2027-03-28', []],
    // Several codes: the union, each holiday named once.
    [['US', 'CA'], '2026-07-01', ['Canada Day']],
    [['US', 'CA'], '2026-07-03', ['Independence Day (substitute day)']],
    [['US', 'US-CA'], '2026-01-01', ["New Year's Day"]],
    // Part of a day does not make a day off: Christmas Eve from 19:00 in the Northern Territory.
    [['AU-NT'], '2026-12-24', []],
    [['AU-NT'], '2026-12-25', ['Christmas Day']],
    // A holiday from sunset the evening before counts on its dates, not on the eve.
    [['TR'], '2026-03-19', []],
    [['TR'], '2026-03-20', ['End of Ramadan (Eid al-Fitr)']],
    [['TR'], '2026-03-22', ['End of Ramadan (Eid al-Fitr)']],
    [['TR'], '2026-03-23', []],
    // Holidays of several days, one reaching into the next year.
    [['RU'], '2027-01-05', ['New Year Holiday']],
    [['SZ'], '2027-01-02', ['Incwala Festival']]
  ])('%j on %s: %j', async (codes, date, expected) => {
    expect(await names(codes, date)).toEqual(expected)
  })

  it('names the date and the code of each holiday', async () => {
    const calendar = await loadHolidayCalendar(['DE-BY', 'US'], 'test')
    expect(calendar.codes).toEqual(['DE-BY', 'US'])
    expect(calendar.on('2026-12-25')).toEqual([{ date: '2026-12-25', name: 'Christmas Day', code: 'DE-BY' }])
    expect(calendar.on('2026-10-03')).toEqual([{ date: '2026-10-03', name: 'National Holiday', code: 'DE-BY' }])
  })

  it('computes any year it is asked for', async () => {
    const calendar = await loadHolidayCalendar(['US'], 'test')
    expect(calendar.on('2031-11-27').map((h) => h.name)).toEqual(['Thanksgiving Day'])
    expect(calendar.on('2026-11-26').map((h) => h.name)).toEqual(['Thanksgiving Day'])
  })
})

describe('unknown codes', () => {
  it.each([
    [['US-XX'], '"US-XX"', /^Did you mean "US-\w\w" \([^)]+, United States of America\), "US-\w\w" \([^)]+\) or "US-\w\w" \([^)]+\)\?/],
    [['US-CAL'], '"US-CAL"', /^Did you mean "US-CA" \(California, United States of America\)/],
    [['UK'], '"UK"', /^Did you mean "GB" \(United Kingdom\)/],
    [['DE-BZ'], '"DE-BZ"', /"DE-BY" \(Bayern, Germany\)/],
    [['US', 'QQ-ZZZ'], '"QQ-ZZZ"', /^Codes are ISO 3166/]
  ])('%j: names %s and suggests the nearest known codes', async (codes, named, hint) => {
    const error = await rejection(codes)
    expect(error.kind).toBe('input')
    expect(error.message).toBe(`Schedule error in field "holidays": ${named} is not a country or subdivision the holiday calendar knows (input "schedule")`)
    expect(error.hint).toMatch(hint)
    expect(error.hint).toContain('Codes are ISO 3166')
  })

  it('are found by withHolidays, after a parse that only checked their form', async () => {
    const parsed = parseSchedule('default: { kpu: 1 }\nholidays: [US, XY]', 'schedule-file "flink.yml"')
    await expect(withHolidays(parsed, 'schedule-file "flink.yml"')).rejects.toThrow(
      'Schedule error in field "holidays": "XY" is not a country or subdivision the holiday calendar knows (schedule-file "flink.yml")'
    )
  })
})

describe('withHolidays', () => {
  it('returns a schedule without holidays as it is', async () => {
    const parsed = parseSchedule('default: { kpu: 1 }', 'test')
    expect(await withHolidays(parsed, 'test')).toBe(parsed)
  })

  it('attaches the calendar to a copy', async () => {
    const parsed = parseSchedule('default: { kpu: 1 }\nholidays: us', 'test')
    const attached = await withHolidays(parsed, 'test')
    expect(parsed.calendar).toBeUndefined()
    expect(attached).toEqual({ ...parsed, calendar: expect.anything() })
    expect(attached.calendar?.codes).toEqual(['US'])
  })
})

describe('on-holidays', () => {
  // The worked example of docs/schedule.md. 2026-11-26 is Thanksgiving (a Thursday), PST (UTC-8).
  const example = readFileSync(path.join(ROOT, 'examples', 'weekdays-not-on-holidays.schedule.yml'), 'utf8')
  it.each([
    ['2026-11-25T09:00:00-08:00', 'weekday-daytime', undefined, 'Wed 09:00'],
    ['2026-11-26T09:00:00-08:00', 'default', undefined, 'Thanksgiving 09:00'],
    ['2026-11-26T04:45:00-08:00', 'default', undefined, 'Thanksgiving 04:45: no scale-up for a skipped window'],
    ['2026-11-27T04:44:00-08:00', 'default', undefined, 'Fri 04:44'],
    ['2026-11-27T04:45:00-08:00', 'weekday-daytime', '2026-11-27T13:05:00.000Z', 'Fri 04:45: 20 minutes early'],
    ['2026-11-27T18:05:00-08:00', 'default', undefined, 'Fri 18:05: down on time'],
    ['2026-07-03T09:00:00-07:00', 'default', undefined, 'Independence Day observed on Friday'],
    ['2026-12-25T09:00:00-08:00', 'default', undefined, 'Christmas'],
    ['2026-12-28T09:00:00-08:00', 'weekday-daytime', undefined, 'Mon after Christmas']
  ])('weekdays-not-on-holidays.schedule.yml at %s: %s, from %s (%s)', async (at, rule, startsAt, _why) => {
    const match = evaluate(await schedule(example), new Date(at))
    expect([match.rule, match.startsAt?.toISOString()]).toEqual([rule, startsAt])
  })

  // UTC. A night window that crosses midnight belongs to the day it starts on.
  const nights = `default: { kpu: 1 }
holidays: US
rules:
  - { name: workday-nights, days: Mon-Fri, from: "22:00", to: "06:00", on-holidays: skip, kpu: 2 }
  - { name: holiday-nights, from: "22:00", to: "06:00", on-holidays: only, kpu: 3 }`
  it.each([
    ['2026-11-25T23:00:00Z', 'workday-nights', 'Wed night'],
    ['2026-11-26T03:00:00Z', 'workday-nights', 'Thanksgiving 03:00: still Wednesday night'],
    ['2026-11-26T22:00:00Z', 'holiday-nights', 'Thanksgiving night'],
    ['2026-11-27T03:00:00Z', 'holiday-nights', 'Fri 03:00: Thursday night, a holiday night'],
    ['2026-11-27T22:00:00Z', 'workday-nights', 'Fri night'],
    ['2026-11-28T22:00:00Z', 'default', 'Sat night: no rule']
  ])('windows across midnight at %s: %s (%s)', async (at, rule, _why) => {
    expect(evaluate(await schedule(nights), new Date(at)).rule).toBe(rule)
  })

  it('changes the transitions of the day', async () => {
    const s = await schedule('default: { kpu: 1 }\nholidays: DE-BY\ntimezone: Europe/Berlin\nrules:\n  - { name: day, days: Mon-Fri, from: "08:00", to: "18:00", on-holidays: skip, kpu: 2 }')
    // Wed 2026-06-03, Thu 2026-06-04 (Corpus Christi in Bavaria), Fri 2026-06-05; CEST (UTC+2).
    const found = transitions(s, new Date('2026-06-03T00:00:00Z'), new Date('2026-06-06T00:00:00Z'))
    expect(found.map((t) => t.at.toISOString())).toEqual([
      '2026-06-03T06:00:00.000Z',
      '2026-06-03T16:00:00.000Z',
      '2026-06-05T06:00:00.000Z',
      '2026-06-05T16:00:00.000Z'
    ])
  })

  it('says which rules a holiday changes', async () => {
    const s = await schedule(`default: { kpu: 1 }
holidays: US
rules:
  - { name: weekdays, days: Mon-Fri, on-holidays: skip, kpu: 2 }
  - { name: weekends, days: Sat-Sun, on-holidays: skip, kpu: 3 }
  - { name: holidays, on-holidays: only, kpu: 4 }
  - { name: always, kpu: 5 }`)
    expect(holidayEffect(s, '2026-11-26')).toEqual({
      date: '2026-11-26',
      holidays: [{ date: '2026-11-26', name: 'Thanksgiving Day', code: 'US' }],
      skip: ['weekdays'],
      only: ['holidays']
    })
    // Independence Day 2026 is a Saturday.
    expect(holidayEffect(s, '2026-07-04')).toMatchObject({ skip: ['weekends'], only: ['holidays'] })
    expect(holidayEffect(s, '2026-11-25')).toBeUndefined()
    expect(holidayEffect(parseSchedule('default: { kpu: 1 }', 'test'), '2026-11-26')).toBeUndefined()
  })
})
