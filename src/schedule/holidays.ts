/**
 * Public holidays for a schedule's `holidays`, from the date-holidays package. Its data is large
 * (about 12 MB installed), so it is imported only when a schedule names holidays: the bundle keeps
 * it in a chunk of its own, and every other run never loads it. What it returns is a plain,
 * synchronous calendar, so that the schedule engine stays pure.
 */
import type Holidays from 'date-holidays'
import { inputError } from '../errors.js'
import type { Holiday, HolidayCalendar, Schedule } from './schedule.js'

type HolidayData = typeof Holidays

/**
 * The schedule with the calendar of its `holidays` attached (a new object), or the schedule itself
 * when it names none, without loading anything. Call it once after parseSchedule; `source` names
 * where the schedule came from, as for parseSchedule. Throws ScalerError (kind 'input') for a code
 * the holiday data does not know.
 */
export async function withHolidays(schedule: Schedule, source: string): Promise<Schedule> {
  if (!schedule.holidays) return schedule
  return { ...schedule, calendar: await loadHolidayCalendar(schedule.holidays, source) }
}

/** Loads the holiday data and returns the calendar of `codes` (upper-case ISO 3166 codes, as parseSchedule leaves them). */
export async function loadHolidayCalendar(codes: readonly string[], source: string): Promise<HolidayCalendar> {
  // A dynamic import: the bundler puts the data in its own chunk, loaded only here.
  const { default: data } = await import('date-holidays')
  return holidayCalendar(data, codes, source)
}

/**
 * The calendar of `codes` over the holiday data. Only holidays of type "public" count, substitute
 * (observed) days included: on those, too, offices are closed. A holiday counts on each local date
 * it covers for more than half of the day, so one from sunset the evening before counts on its
 * date, and one that starts in the afternoon or evening (Christmas Eve from 19:00 in some
 * Australian states) does not. Years are computed when first asked for, then kept.
 */
export function holidayCalendar(data: HolidayData, codes: readonly string[], source: string): HolidayCalendar {
  const known = knownCodes(data)
  const unknown = codes.find((code) => !known.has(code))
  if (unknown !== undefined) {
    throw inputError(
      `Schedule error in field "holidays": "${unknown}" is not a country or subdivision the holiday calendar knows (${source})`,
      `${suggestion(unknown, known)}Codes are ISO 3166: a country such as "US" or "DE", or a country and subdivision such as "US-CA", "DE-BY" or "GB-SCT".`
    )
  }
  const calendars = codes.map((code) => {
    const [country, state] = code.split('-')
    // English names where the data has them, else the country's own.
    return { code, holidays: new data(state ? { country, state } : { country }, { types: ['public'], languages: ['en'] }) }
  })
  const byDate = new Map<string, Holiday[]>()
  const years = new Set<number>()
  const load = (year: number) => {
    if (years.has(year)) return
    years.add(year)
    for (const { code, holidays } of calendars) {
      for (const holiday of holidays.getHolidays(year)) {
        if (holiday.type !== 'public') continue
        for (const date of datesCovered(holiday)) {
          const list = byDate.get(date) ?? []
          // US and US-CA both list New Year's Day: once is enough.
          if (!list.some((known) => known.name === holiday.name)) list.push({ date, name: holiday.name, code })
          byDate.set(date, list)
        }
      }
    }
  }
  return {
    codes: [...codes],
    on(date: string): Holiday[] {
      const year = Number(date.slice(0, 4))
      // A holiday of several days late in December reaches into the next year.
      load(year - 1)
      load(year)
      return [...(byDate.get(date) ?? [])]
    }
  }
}

/**
 * The local dates (YYYY-MM-DD) a holiday covers for more than half of the day. Its `date` is local
 * wall-clock time ("2026-12-24 19:00:00"), with " -0600" when it starts at sunset the evening before;
 * its length is `end` - `start`. Reckoned in hours from midnight of that date, a day or two of
 * daylight-saving change is well within the half-day margin.
 */
function datesCovered(holiday: { date: string; start: Date; end: Date }): string[] {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})(?::\d{2})?(?: ([+-])(\d{2})(\d{2}))?/.exec(holiday.date)
  if (!match) return []
  const [, day, hours, minutes, sign, offsetHours, offsetMinutes] = match
  const shift = sign ? (sign === '-' ? -1 : 1) * (Number(offsetHours) + Number(offsetMinutes) / 60) : 0
  const start = Number(hours) + Number(minutes) / 60 + shift
  const end = start + (holiday.end.getTime() - holiday.start.getTime()) / 3_600_000
  const first = Date.parse(day)
  const dates: string[] = []
  for (let k = 0; 24 * k < end; k++) {
    const covered = Math.min(end, 24 * (k + 1)) - Math.max(start, 24 * k)
    if (covered > 12) dates.push(new Date(first + k * 86_400_000).toISOString().slice(0, 10))
  }
  return dates
}

/** Every country and subdivision code of the data (upper case), with its English name. */
function knownCodes(data: HolidayData): Map<string, string> {
  const all = new data()
  const known = new Map<string, string>()
  for (const [country, name] of Object.entries(all.getCountries('en'))) {
    known.set(country.toUpperCase(), name)
    for (const [state, stateName] of Object.entries(all.getStates(country, 'en') ?? {})) {
      known.set(`${country}-${state}`.toUpperCase(), `${stateName}, ${name}`)
    }
  }
  return known
}

// Codes people write that ISO 3166 spells otherwise.
const ALIASES: Record<string, string> = { UK: 'GB', EL: 'GR' }

/**
 * "Did you mean ...? " with the nearest known codes: all of the nearest (at most five), or the
 * three nearest within two edits; nothing when none is that near.
 */
function suggestion(code: string, known: Map<string, string>): string {
  const country = code.split('-')[0]
  const ranked = [...known.keys()]
    .map((candidate) => ({ candidate, distance: editDistance(code, candidate), prefix: commonPrefix(code, candidate) }))
    .filter(({ distance }) => distance <= 2)
    // Nearest first; among equals, the longer common start ("US-CAL" is more likely "US-CA" than "US-AL"),
    // then the same country, so that "US-XY" suggests US states.
    .sort(
      (a, b) =>
        a.distance - b.distance ||
        b.prefix - a.prefix ||
        Number(b.candidate.startsWith(`${country}-`)) - Number(a.candidate.startsWith(`${country}-`)) ||
        a.candidate.localeCompare(b.candidate)
    )
  const nearest = ranked.filter(({ distance }) => distance === ranked[0]?.distance)
  const alias = ALIASES[code]
  const picks = [
    ...new Set([...(alias && known.has(alias) ? [alias] : []), ...(nearest.length >= 3 ? nearest : ranked).map(({ candidate }) => candidate)])
  ].slice(0, nearest.length >= 3 ? 5 : 3)
  if (picks.length === 0) return ''
  const named = picks.map((pick) => `"${pick}" (${known.get(pick)})`)
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`
  return `Did you mean ${list}? `
}

function commonPrefix(a: string, b: string): number {
  let length = 0
  while (length < a.length && a[length] === b[length]) length++
  return length
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}
