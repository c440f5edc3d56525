/**
 * The holiday data is large: it must be loaded only for a schedule that names holidays. The module
 * is replaced by a small stand-in that counts how often it is loaded.
 */
import { describe, expect, it, jest } from '@jest/globals'

let loaded = 0

/** Two countries, one with a subdivision; one holiday each, on the date its rule names. */
class Holidays {
  constructor(
    private readonly where: { country: string; state?: string } = { country: '' },
    private readonly options: { types?: string[] } = {}
  ) {}
  getCountries() {
    return { XA: 'Country A', XB: 'Country B' }
  }
  getStates(country: string) {
    return country === 'XA' ? { N: 'North' } : undefined
  }
  getHolidays(year: number) {
    const day = (date: string, name: string, type = 'public') => ({
      date: `${date} 00:00:00`,
      start: new Date(`${date}T00:00:00Z`),
      end: new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000),
      name,
      type
    })
    const all = [day(`${year}-05-01`, 'Country day'), day(`${year}-05-02`, 'A feast', 'observance')]
    if (this.where.state === 'N') all.push(day(`${year}-05-03`, 'North day'))
    // The calendar asks for public holidays only, and checks the type as well.
    expect(this.options.types).toEqual(['public'])
    return all
  }
}

jest.unstable_mockModule('date-holidays', () => {
  loaded++
  return { default: Holidays }
})

const { withHolidays } = await import('../src/schedule/holidays.js')
const { evaluate, parseSchedule } = await import('../src/schedule/schedule.js')

describe('loading the holiday data', () => {
  it('does not happen for a schedule without holidays', async () => {
    const schedule = parseSchedule('default: { kpu: 1 }\nrules:\n  - { days: Mon-Fri, kpu: 2 }', 'test')
    expect(await withHolidays(schedule, 'test')).toBe(schedule)
    expect(loaded).toBe(0)
  })

  it('happens once a schedule names holidays, and the calendar then answers from the data', async () => {
    const text = 'default: { kpu: 1 }\nholidays: xa-n\nrules:\n  - { name: holiday, on-holidays: only, kpu: 2 }'
    const schedule = await withHolidays(parseSchedule(text, 'test'), 'test')
    expect(loaded).toBe(1)
    expect(schedule.calendar?.on('2030-05-01')).toEqual([{ date: '2030-05-01', name: 'Country day', code: 'XA-N' }])
    expect(schedule.calendar?.on('2030-05-02')).toEqual([])
    expect(evaluate(schedule, new Date('2030-05-03T12:00:00Z')).rule).toBe('holiday')
    expect(evaluate(schedule, new Date('2030-05-04T12:00:00Z')).rule).toBe('default')
    await expect(withHolidays(parseSchedule('default: { kpu: 1 }\nholidays: XB-N', 'test'), 'test')).rejects.toThrow(
      '"XB-N" is not a country or subdivision the holiday calendar knows'
    )
  })
})
