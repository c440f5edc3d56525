/**
 * The schedule engine: parses the schedule YAML and answers which target applies at an instant,
 * and when it next changes. Pure: no clock, no AWS, no logging. Public holidays come from a
 * calendar that src/schedule/holidays.ts attaches after parsing; evaluation only looks dates up in it.
 */
import { IANAZone } from 'luxon'
import { CST, LineCounter, Parser, isMap, isSeq, parse, parseDocument as parseYamlDocument, type Node } from 'yaml'
import { inputError } from '../errors.js'
import { parseGuard, type Guard } from './guard.js'

export type Target = { parallelism: number } | { kpu: number }

/** An inclusive range of local dates, as YYYY-MM-DD. */
export interface DateRange {
  first: string
  last: string
}

export interface Rule {
  /** Position in `rules`, from 0. */
  index: number
  /** The rule's `name`, or `rules[i]` when it has none. */
  name: string
  target: Target
  /** ISO weekdays (1 = Monday ... 7 = Sunday) a window may start on; undefined allows every day. */
  days?: number[]
  /** Local dates a window may start on; undefined allows every date. */
  dates?: DateRange[]
  /** Window start, in minutes after local midnight (0 ... 1439). */
  from: number
  /** Window end, in minutes after local midnight (1 ... 1440); at or before `from` means the next day. */
  to: number
  /** `on-holidays`: skip = no window starts on a public holiday; only = windows start only on one; undefined = either. */
  onHolidays?: 'skip' | 'only'
}

export interface Schedule {
  timezone: string
  default: Target
  min?: number
  max?: number
  /** `holidays`: ISO 3166 codes (country or country-subdivision, upper case) whose public holidays `on-holidays` means. */
  holidays?: string[]
  /** `lead`, in minutes (0 ... 360): targets go up this long before the window that asks for them. */
  lead?: number
  rules: Rule[]
  /** `guard`: when a scale-down is safe (src/schedule/guard.ts); undefined scales down on time. */
  guard?: Guard
  /**
   * The public holidays of `holidays`, attached by withHolidays (src/schedule/holidays.ts) after parsing.
   * Evaluating a schedule that names holidays without it is a programming error.
   */
  calendar?: HolidayCalendar
}

/** A public holiday on a local date. */
export interface Holiday {
  /** Local date, YYYY-MM-DD. */
  date: string
  name: string
  /** The `holidays` code it belongs to, e.g. "US-CA". */
  code: string
}

/** Public holidays by local date. Pure and synchronous: it only answers what src/schedule/holidays.ts loaded. */
export interface HolidayCalendar {
  /** The codes it covers, as the schedule's `holidays` lists them. */
  readonly codes: readonly string[]
  /** The public holidays on a local date (YYYY-MM-DD); none on an ordinary day. */
  on(date: string): Holiday[]
}

export interface Match {
  /** The rule's display name, or 'default'. */
  rule: string
  target: Target
  /**
   * Set when `lead` brought this target forward: the instant its window (or the default's stretch)
   * starts. Until then the target is in force early, so the restart is over when it is needed.
   */
  startsAt?: Date
}

/** How public holidays change the rules on one local date (see holidayEffect). */
export interface HolidayEffect {
  /** Local date, YYYY-MM-DD. */
  date: string
  holidays: Holiday[]
  /** Rules (display names) whose `days`/`dates` allow a window that day but that skip holidays. */
  skip: string[]
  /** Rules (display names) with `on-holidays: only` whose `days`/`dates` allow that day: they match only thanks to the holiday. */
  only: string[]
}

export interface Transition {
  at: Date
  from: Match
  to: Match
}

/** The service allows 1 to 8 parallel tasks per KPU. */
export const MAX_PARALLELISM_PER_KPU = 8
const MINUTE = 60_000
const DAY = 86_400_000
/** How far nextTransition looks: a year, plus a day so a once-a-year rule is always found. */
const HORIZON = 366 * DAY
/** The longest `lead`. A restart takes minutes; capacity wanted hours ahead reads better as an earlier window. */
export const MAX_LEAD_MINUTES = 6 * 60

// ---------------------------------------------------------------------------------------------
// Parsing

const TOP_KEYS = ['timezone', 'default', 'min', 'max', 'holidays', 'lead', 'guard', 'rules']
const TARGET_KEYS = ['parallelism', 'kpu']
const RULE_KEYS = ['name', 'dates', 'days', 'from', 'to', 'on-holidays', ...TARGET_KEYS]
/** ISO 3166-1 alpha-2, optionally with an ISO 3166-2 subdivision ("US-CA", "DE-BY", "GB-SCT", "AD-07"), in either case. */
const HOLIDAY_CODE = /^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$/
/** C0 and C1 control characters, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
/**
 * How deep collections may nest. A schedule needs three levels (rules, a rule, a list of days); the
 * YAML reader recurses per level and overflows the stack some hundreds deep, and a stack overflow
 * while V8 compiles a regular expression aborts the whole process.
 */
const MAX_NESTING = 32

type Bounds = { min: number | undefined; max: number | undefined }
/** What a rule's parsing needs to know about the rest of the document. */
type Context = { bounds: Bounds; holidays: boolean }

/** A problem at a place in the schedule; parseSchedule turns it into a ScalerError naming the source. */
class Invalid extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
    readonly hint: string
  ) {
    super(problem)
  }
}

/** The fields of one schedule, a single one or each named one (src/schedule/named.ts): TOP_KEYS is the one list of them. */
export const SCHEDULE_KEYS: readonly string[] = TOP_KEYS

/**
 * For named schedules (src/schedule/named.ts), which reuse this parser for each of them: the text
 * read as parseSchedule reads it, one schedule from a mapping already read (throwing
 * ScheduleFieldError with the place within it), and that error.
 */
export const readScheduleYaml = readYaml
export const parseScheduleMapping = parseDocument
export { Invalid as ScheduleFieldError }

/**
 * Parse and validate YAML text. `source` names where it came from (e.g. 'input "schedule"' or the
 * file path) for error messages; `file`, for a schedule file, is its path in the repository, so that
 * an error carries the file and line it is about. Throws ScalerError (kind 'input').
 */
export function parseSchedule(text: string, source: string, file?: string): Schedule {
  const doc = readYaml(text, source, file)
  try {
    return parseDocument(doc)
  } catch (error) {
    if (!(error instanceof Invalid)) throw error
    throw inputError(`Schedule error in ${error.where}: ${error.problem} (${source})`, error.hint, file ? { file, line: lineOf(text, error.where) } : undefined)
  }
}

/**
 * The line (from 1) of the place a schedule error names: `field "lead"`, `default, field "kpu"`,
 * `rules[2] "name", field "from"`, `rules[2]`; the nearest enclosing place that exists in the text.
 */
export function lineOf(text: string, where: string): number | undefined {
  const path: (string | number)[] = []
  const rule = /^rules\[(\d+)\]/.exec(where)
  if (rule) path.push('rules', Number(rule[1]))
  else if (/^(default|guard)\b/.test(where)) path.push(/^\w+/.exec(where)![0])
  const field = /field "([^"]+)"$/.exec(where)
  if (field) path.push(field[1])
  return lineAt(text, path)
}

/**
 * The line (from 1) of the place `path` names in a YAML text (`['schedules', 'batch', 'rules', 0]`):
 * of the deepest step of it that exists there, or with `exact` only of the place itself; undefined
 * when there is none.
 */
export function lineAt(text: string, path: readonly (string | number)[], exact = false): number | undefined {
  const lineCounter = new LineCounter()
  let node: unknown = parseYamlDocument(text, { lineCounter, logLevel: 'silent' }).contents
  let offset: number | undefined
  let found = 0
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value) === String(step))
      if (!pair) break
      offset = (pair.key as Node).range?.[0]
      node = pair.value
    } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
      node = node.items[step]
      offset = (node as Node).range?.[0]
    } else break
    found++
  }
  if (offset === undefined || (exact && found < path.length)) return undefined
  return lineCounter.linePos(offset).line
}

function readYaml(text: string, source: string, file?: string): Record<string, unknown> {
  if (nestedTooDeep(text)) {
    throw inputError(
      `Schedule error in ${source}: the text nests lists and mappings more than ${MAX_NESTING} levels deep`,
      'A schedule has top-level fields, a "rules:" list and one mapping per rule; check for stray "[", "{" or "- ".',
      file ? { file } : undefined
    )
  }
  let doc: unknown
  try {
    // logLevel 'error': YAML warnings (e.g. unknown tags) must not print from a pure function.
    doc = parse(text, { logLevel: 'error' })
  } catch (error) {
    // The reader's message quotes the text it stopped at, which may be a whole long line; the
    // position ("at line 3, column 7:") comes last and is kept.
    const first = (error instanceof Error ? error.message.split('\n')[0] : String(error)).replace(new RegExp(CONTROL, 'g'), ' ')
    const detail = first.length > 200 ? `${first.slice(0, 140)}...${first.slice(-57)}` : first
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line
    throw inputError(
      `Schedule error in ${source}: the text is not valid YAML: ${detail}`,
      'Check the indentation and quoting near the position shown; each rule is a list item under "rules:".',
      file ? { file, ...(line ? { line } : {}) } : undefined
    )
  }
  if (!isMapping(doc)) {
    throw inputError(
      `Schedule error in ${source}: expected a mapping with "default" and optional "timezone", "min", "max", "holidays", "lead", "guard", "rules", but found ${kindOf(doc)}`,
      'Start the schedule with e.g. "default: { kpu: 1 }" on its own line, then "rules:" with one list item per rule.'
    )
  }
  return doc
}

/** Whether collections nest deeper than MAX_NESTING; the syntax tree is read without recursion, and the walk stops there. */
function nestedTooDeep(text: string): boolean {
  let tooDeep = false
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue
    CST.visit(token, (_, path) => {
      if (path.length <= MAX_NESTING) return undefined
      tooDeep = true
      return CST.visit.BREAK
    })
    if (tooDeep) return true
  }
  return false
}

function parseDocument(doc: Record<string, unknown>): Schedule {
  // "rules:" with every item commented out reads as null: that is a schedule with no rules.
  checkFields(doc, TOP_KEYS, (key) => `field ${show(key)}`, 'the top level', ['rules'])
  const timezone = doc.timezone === undefined ? 'UTC' : parseZone(doc.timezone)
  const min = doc.min === undefined ? undefined : positiveInteger(doc.min, 'field "min"')
  const max = doc.max === undefined ? undefined : positiveInteger(doc.max, 'field "max"')
  if (min !== undefined && max !== undefined && min > max) {
    throw new Invalid('field "max"', `${max} is below min ${min}`, 'Make "min" less than or equal to "max".')
  }
  const bounds = { min, max }
  const target = parseDefault(doc.default, bounds)
  const holidays = doc.holidays === undefined ? undefined : parseHolidays(doc.holidays)
  const lead = doc.lead === undefined ? undefined : parseLead(doc.lead)
  const rules = parseRules(doc.rules, { bounds, holidays: holidays !== undefined })
  const schedule: Schedule = { timezone, default: target, rules }
  if (min !== undefined) schedule.min = min
  if (max !== undefined) schedule.max = max
  if (holidays !== undefined) schedule.holidays = holidays
  if (lead !== undefined) schedule.lead = lead
  if (doc.guard !== undefined) schedule.guard = parseGuard(doc.guard, (where, problem, hint) => new Invalid(where, problem, hint))
  return schedule
}

/**
 * "US-CA" or a YAML list of codes, upper-cased and without repeats. Only the form is checked here:
 * which codes exist is known to the holiday data, which withHolidays loads (and checks) after parsing.
 */
function parseHolidays(value: unknown): string[] {
  const where = 'field "holidays"'
  const hint =
    'Use ISO 3166 codes: a country such as "US", "DE" or "GB", or a country and subdivision such as "US-CA", "DE-BY" or "GB-SCT"; several as a YAML list, e.g. "holidays: [US-CA, US-NY]".'
  const codes = listOfText(value, where, hint).map((item) => item.trim())
  // Checked before upper-casing: "ß".toUpperCase() is "SS", a country.
  const bad = codes.find((code) => !HOLIDAY_CODE.test(code))
  if (bad !== undefined) throw new Invalid(where, `${show(bad)} is not a country or subdivision code`, hint)
  return [...new Set(codes.map((code) => code.toUpperCase()))]
}

/** "20m" or "1h" to minutes, at most MAX_LEAD_MINUTES; "0m" turns lead off. */
function parseLead(value: unknown): number {
  const where = 'field "lead"'
  const hint = `Write minutes or hours with their unit, e.g. "20m" or "1h", at most ${MAX_LEAD_MINUTES / 60}h.`
  if (typeof value === 'number') throw new Invalid(where, `${value} has no unit`, hint)
  const match = typeof value === 'string' ? /^(\d+)([mh])$/.exec(value.trim()) : null
  if (!match) throw new Invalid(where, `${show(value)} is not a duration`, hint)
  const minutes = Number(match[1]) * (match[2] === 'h' ? 60 : 1)
  if (minutes > MAX_LEAD_MINUTES) {
    throw new Invalid(
      where,
      `${show(value)} is longer than ${MAX_LEAD_MINUTES / 60}h`,
      'A restart takes minutes: a lead of 10m to 30m is usual. For capacity hours ahead, start the rule\'s window earlier.'
    )
  }
  return minutes
}

function parseZone(value: unknown): string {
  if (typeof value !== 'string' || !IANAZone.isValidZone(value)) {
    throw new Invalid(
      'field "timezone"',
      `${show(value)} is not a known IANA time zone`,
      'Use a zone name from the IANA database, such as "America/Los_Angeles", "Europe/Berlin" or "UTC".'
    )
  }
  return value
}

function parseDefault(value: unknown, bounds: Bounds): Target {
  if (value === undefined) {
    throw new Invalid(
      'field "default"',
      'missing; the schedule needs a default target for the times no rule matches',
      'Add e.g. "default: { kpu: 1 }" or "default: { parallelism: 4 }".'
    )
  }
  if (!isMapping(value)) {
    throw new Invalid('field "default"', `expected a mapping, found ${kindOf(value)}`, 'Write e.g. "default: { kpu: 1 }".')
  }
  checkFields(value, TARGET_KEYS, (key) => `default, field ${show(key)}`, 'a target')
  return parseTarget(value, 'default', bounds)
}

function parseRules(value: unknown, context: Context): Rule[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) {
    throw new Invalid('field "rules"', `expected a list, found ${kindOf(value)}`, 'Write each rule as a list item starting with "- ".')
  }
  return value.map((item, index) => parseRule(item, index, context))
}

function parseRule(value: unknown, index: number, { bounds, holidays }: Context): Rule {
  const position = `rules[${index}]`
  if (!isMapping(value)) {
    throw new Invalid(position, `expected a mapping, found ${kindOf(value)}`, 'Write the rule as fields, e.g. "- { days: Mon-Fri, kpu: 4 }".')
  }
  if (value.name !== undefined && (typeof value.name !== 'string' || value.name.trim() === '')) {
    throw new Invalid(`${position}, field "name"`, `${show(value.name)} is not a name`, 'Use a non-empty text name; quote it if it looks like a number.')
  }
  // A name is shown in logs and the summary: control characters (a line break and "::error" would
  // make a workflow command of it) have no place in one.
  if (typeof value.name === 'string' && CONTROL.test(value.name)) {
    throw new Invalid(`${position}, field "name"`, `${show(value.name)} has control characters (line breaks, tabs, ...)`, 'Use a name on one line, of letters, digits, spaces and punctuation.')
  }
  const name = typeof value.name === 'string' ? value.name : position
  // Quoted as show() quotes values, so that a long name or key keeps the message short.
  const where = typeof value.name === 'string' ? `${position} ${show(name)}` : position
  const field = (key: string) => `${where}, field ${show(key)}`

  checkFields(value, RULE_KEYS, field, 'a rule')
  const target = parseTarget(value, where, bounds)
  const from = value.from === undefined ? 0 : parseTime(value.from, field('from'), 'from')
  const to = value.to === undefined ? 24 * 60 : parseTime(value.to, field('to'), 'to')
  if (from === to) {
    throw new Invalid(
      field('to'),
      `${show(value.to)} equals "from", so the window is empty`,
      'For a whole day use from "00:00" to "24:00" (or leave both out); a "to" earlier than "from" ends the next day.'
    )
  }
  const rule: Rule = { index, name, target, from, to }
  if (value.days !== undefined) rule.days = parseDays(value.days, field('days'))
  if (value.dates !== undefined) rule.dates = parseDates(value.dates, field('dates'))
  if (value['on-holidays'] !== undefined) rule.onHolidays = parseOnHolidays(value['on-holidays'], field('on-holidays'), holidays)
  return rule
}

function parseOnHolidays(value: unknown, where: string, holidays: boolean): 'skip' | 'only' {
  if (value !== 'skip' && value !== 'only') {
    throw new Invalid(
      where,
      `${show(value)} is not "skip" or "only"`,
      'Use "skip" (the rule does not match on public holidays) or "only" (it matches only on them); leave it out for either.'
    )
  }
  if (!holidays) {
    throw new Invalid(
      where,
      'the schedule names no public holidays',
      'Add a top-level "holidays" field with the country or subdivision whose public holidays count, e.g. "holidays: US-CA".'
    )
  }
  return value
}

/** `holder` is a rule or the default: exactly one of `parallelism` or `kpu`. */
function parseTarget(holder: Record<string, unknown>, where: string, bounds: Bounds): Target {
  const hasParallelism = holder.parallelism !== undefined
  const hasKpu = holder.kpu !== undefined
  if (hasParallelism && hasKpu) {
    throw new Invalid(where, 'has both fields "parallelism" and "kpu"', 'Keep exactly one of them.')
  }
  if (hasKpu) {
    const kpu = positiveInteger(holder.kpu, `${where}, field "kpu"`)
    // ParallelismPerKPU is 1 to 8, so a KPU target is parallelism kpu to 8 × kpu, whatever the application.
    const outside =
      bounds.max !== undefined && kpu > bounds.max
        ? `at least parallelism ${kpu}, above the schedule's max ${bounds.max}`
        : bounds.min !== undefined && kpu * MAX_PARALLELISM_PER_KPU < bounds.min
          ? `at most parallelism ${kpu * MAX_PARALLELISM_PER_KPU}, below the schedule's min ${bounds.min}`
          : undefined
    if (outside) {
      throw new Invalid(
        `${where}, field "kpu"`,
        `${kpu} KPU is ${outside} for any ParallelismPerKPU; targets are never clamped`,
        'Change the target, or the schedule\'s "min"/"max" so that it fits.'
      )
    }
    return { kpu }
  }
  if (!hasParallelism) {
    throw new Invalid(where, 'has no target: set field "parallelism" or "kpu"', 'Add e.g. "kpu: 4" or "parallelism: 8".')
  }
  const parallelism = positiveInteger(holder.parallelism, `${where}, field "parallelism"`)
  const outside = outsideBounds(bounds, parallelism)
  if (outside) {
    throw new Invalid(
      `${where}, field "parallelism"`,
      `${parallelism} is ${outside}; targets are never clamped`,
      'Change the target, or the schedule\'s "min"/"max" so that it fits.'
    )
  }
  return { parallelism }
}

function positiveInteger(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  const quoted = typeof value === 'string' && /^\s*\d+\s*$/.test(value)
  throw new Invalid(
    where,
    `${show(value)} is not a positive whole number`,
    quoted ? 'Write the number without quotes.' : 'Use a whole number of 1 or more, e.g. 4.'
  )
}

/** "HH:MM" to minutes after midnight; "24:00" is the next midnight and only ends a window. */
function parseTime(value: unknown, where: string, key: 'from' | 'to'): number {
  if (typeof value === 'number') {
    throw new Invalid(
      where,
      `${value} is a number, not a time`,
      `Quote the time, e.g. ${key}: "05:05"; some YAML readers turn unquoted times into numbers.`
    )
  }
  const match = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value.trim()) : null
  const hours = match ? Number(match[1]) : NaN
  const minutes = match ? Number(match[2]) : NaN
  if (!match || minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) {
    throw new Invalid(where, `${show(value)} is not a valid time`, 'Use HH:MM between 00:00 and 24:00, e.g. "05:05".')
  }
  if (hours === 24 && key === 'from') {
    throw new Invalid(where, '"24:00" cannot start a window', 'Use "00:00" to start at midnight.')
  }
  return hours * 60 + minutes
}

/** "Mon-Fri", "Fri-Mon" (wraps), "Sat,Sun", or a YAML list of those, to sorted ISO weekdays. */
function parseDays(value: unknown, where: string): number[] {
  const items = listOfText(value, where, 'Write e.g. "days: Mon-Fri", "days: Sat,Sun" or "days: [Sat, Sun]".')
  const days = new Set<number>()
  for (const part of items.flatMap((item) => item.split(','))) {
    const ends = part.split('-').map(weekdayNumber)
    const [first, last] = ends
    if (ends.length > 2 || first === undefined || (ends.length === 2 && last === undefined)) {
      throw new Invalid(
        where,
        `${show(part.trim())} is not a day or a range of days`,
        'Use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or full names), ranges like "Mon-Fri" and lists like "Sat,Sun".'
      )
    }
    // A range runs forward through the week, so "Fri-Mon" is Fri, Sat, Sun, Mon.
    const span = last === undefined ? 0 : (last - first + 7) % 7
    for (let step = 0; step <= span; step++) days.add(((first - 1 + step) % 7) + 1)
  }
  return [...days].sort((a, b) => a - b)
}

function weekdayNumber(text: string): number | undefined {
  const word = text.trim().toLowerCase()
  const index = WEEKDAYS.findIndex((day) => day === word || day.slice(0, 3) === word)
  return index < 0 ? undefined : index + 1
}

/** "2026-11-27", "2026-11-27..2026-11-30", or a YAML list of those. */
function parseDates(value: unknown, where: string): DateRange[] {
  const hint = 'Write dates as YYYY-MM-DD or an inclusive range YYYY-MM-DD..YYYY-MM-DD, or a YAML list of those.'
  return listOfText(value, where, hint).map((item) => {
    const ends = item.split('..').map((end) => end.trim())
    const [first, last = first] = ends
    const bad = ends.length > 2 ? item : ends.find((end) => !isDate(end))
    if (bad !== undefined) throw new Invalid(where, `${show(bad)} is not a date or a date range`, hint)
    if (last < first) throw new Invalid(where, `the range ${show(item)} ends before it starts`, 'Put the earlier date first.')
    return { first, last }
  })
}

function isDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  // Round-tripping through a UTC date rejects days that do not exist, like 2026-02-30.
  return match !== null && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().startsWith(text)
}

/** A non-empty text or list of texts: days and dates take either form. */
function listOfText(value: unknown, where: string, hint: string): string[] {
  const items = Array.isArray(value) ? value : [value]
  if (items.length === 0 || !items.every((item) => typeof item === 'string' && item.trim() !== '')) {
    throw new Invalid(where, `${show(value)} is not valid here`, hint)
  }
  return items as string[]
}

function checkFields(
  holder: Record<string, unknown>,
  allowed: string[],
  field: (key: string) => string,
  what: string,
  mayBeEmpty: string[] = []
): void {
  for (const [key, value] of Object.entries(holder)) {
    if (!allowed.includes(key)) {
      throw new Invalid(field(key), `unknown field in ${what}`, `Allowed fields are: ${allowed.join(', ')}. Check the spelling.`)
    }
    if (value === null && !mayBeEmpty.includes(key)) {
      throw new Invalid(field(key), 'has no value', 'Give it a value, or remove the line.')
    }
  }
}

/** A YAML mapping (not a list, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What a YAML value is, for a message: "a list", "a mapping", "string \"x\"", "nothing". */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${show(value)}`
}

/** A value quoted for a message: one line, at most 60 characters. */
export function show(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    // YAML aliases can build a value that contains itself.
    text = Array.isArray(value) ? '[...]' : '{...}'
  }
  // JSON escapes C0 characters only; the C1 ones and the line separators would break the line too.
  text = text.replace(new RegExp(CONTROL, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

// ---------------------------------------------------------------------------------------------
// Targets

/** Throws ScalerError when `parallelism` is outside the schedule's min/max, naming `what` (e.g. 'rule "weekday-daytime"' or 'input "parallelism"'). */
export function checkBounds(schedule: Pick<Schedule, 'min' | 'max'>, parallelism: number, what: string): void {
  const outside = outsideBounds({ min: schedule.min, max: schedule.max }, parallelism)
  if (outside) {
    throw inputError(
      `Parallelism ${parallelism} from ${what} is ${outside}; targets are never clamped.`,
      'Change the target, or the schedule\'s "min"/"max" so that it fits.'
    )
  }
}

/** Why `parallelism` is outside the bounds (e.g. "above the schedule's max 64"), or undefined. */
export function outsideBounds(bounds: Pick<Schedule, 'min' | 'max'>, parallelism: number): string | undefined {
  if (bounds.min !== undefined && parallelism < bounds.min) return `below the schedule's min ${bounds.min}`
  if (bounds.max !== undefined && parallelism > bounds.max) return `above the schedule's max ${bounds.max}`
  return undefined
}

/** Human text of a target, e.g. "20 KPU" or "parallelism 8". */
export function describeTarget(target: Target): string {
  return 'kpu' in target ? `${target.kpu} KPU` : `parallelism ${target.parallelism}`
}

/** The parallelism a target asks for; a KPU target needs the ParallelismPerKPU it is run with. */
export function resolveParallelism(target: Target, parallelismPerKpu: number): number
export function resolveParallelism(target: Target, parallelismPerKpu: number | undefined): number | undefined
export function resolveParallelism(target: Target, parallelismPerKpu: number | undefined): number | undefined {
  if ('parallelism' in target) return target.parallelism
  return parallelismPerKpu === undefined ? undefined : target.kpu * parallelismPerKpu
}

/**
 * Target equality as an application sees it: the same parallelism once KPUs are resolved with its
 * ParallelismPerKPU (so `{ kpu: 2 }` at 2 per KPU equals `{ parallelism: 4 }`); without one, same kind and value.
 */
export function sameParallelism(parallelismPerKpu: number | undefined): (a: Target, b: Target) => boolean {
  return (a, b) => {
    const [pa, pb] = [resolveParallelism(a, parallelismPerKpu), resolveParallelism(b, parallelismPerKpu)]
    return pa !== undefined && pb !== undefined ? pa === pb : equalTargets(a, b)
  }
}

/** The default `sameTarget`: same kind and value. */
export function equalTargets(a: Target, b: Target): boolean {
  return 'kpu' in a ? 'kpu' in b && a.kpu === b.kpu : 'parallelism' in b && a.parallelism === b.parallelism
}

// ---------------------------------------------------------------------------------------------
// Evaluation. Each rule is a list of windows, one per allowed start day, as [start, end) instants;
// without lead, the target can only change at a window edge.

interface Window {
  start: number
  end: number
}

/** How much a target asks for, to find the largest under `lead`: its parallelism, a KPU target at `parallelismPerKpu` (1 when unknown). */
type Weight = (target: Target) => number

/**
 * The target the schedule asks for at instant `at`. With `lead`, the largest target it asks for
 * anywhere in [at, at + lead], compared in parallelism: a KPU target counts kpu × parallelismPerKpu,
 * or kpu × 1 when the ParallelismPerKPU is not known. A target that lead brought forward has `startsAt`.
 */
export function evaluate(schedule: Schedule, at: Date, parallelismPerKpu?: number): Match {
  const t = instant(at)
  const lead = leadOf(schedule)
  const windows = windowsOf(schedule, localDay(schedule.timezone, t), localDay(schedule.timezone, t + lead))
  return targetAt(schedule, windows, edgesOf(windows), lead, weigh(parallelismPerKpu), t)
}

/**
 * Every instant in (after, until] where the target changes, in order. Two matches are the same target when `sameTarget` says so; by default when they have the same kind and value (so a change of rule with an equal target is not a transition).
 * With `lead`, targets are those evaluate gives (with the same `parallelismPerKpu`): a scale-up comes `lead` before its window, a scale-down at the window's end.
 */
export function transitions(
  schedule: Schedule,
  after: Date,
  until: Date,
  sameTarget: (a: Target, b: Target) => boolean = equalTargets,
  parallelismPerKpu?: number
): Transition[] {
  const from = instant(after)
  const to = instant(until)
  if (to <= from) return []
  const lead = leadOf(schedule)
  const windows = windowsOf(schedule, localDay(schedule.timezone, from), localDay(schedule.timezone, to + lead))
  const edges = edgesOf(windows)
  const weight = weigh(parallelismPerKpu)
  const targetOf = (t: number) => targetAt(schedule, windows, edges, lead, weight, t)
  // The largest target in [t, t + lead] can only change where an edge enters that span (t = edge - lead) or leaves it (t = edge).
  const points = lead === 0 ? edges : [...new Set([...edges, ...edges.map((edge) => edge - lead)])].sort((a, b) => a - b)
  const found: Transition[] = []
  let current = targetOf(from)
  for (const point of points.filter((t) => t > from && t <= to)) {
    const next = targetOf(point)
    if (!sameTarget(current.target, next.target)) found.push({ at: new Date(point), from: current, to: next })
    current = next
  }
  return found
}

/** The first transition after `after`, searched up to one year ahead; undefined when the target never changes. `parallelismPerKpu` as for transitions. */
export function nextTransition(
  schedule: Schedule,
  after: Date,
  sameTarget: (a: Target, b: Target) => boolean = equalTargets,
  parallelismPerKpu?: number
): Transition | undefined {
  const start = instant(after)
  // Most schedules change within days; only look at the whole year when they do not.
  const nearEnd = start + 8 * DAY
  return (
    transitions(schedule, after, new Date(nearEnd), sameTarget, parallelismPerKpu)[0] ??
    transitions(schedule, new Date(nearEnd), new Date(start + HORIZON), sameTarget, parallelismPerKpu)[0]
  )
}

/** `lead` as written: "20m", "1h", "90m". */
export function describeLead(minutes: number): string {
  return minutes > 0 && minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`
}

/**
 * The public holidays on a local date (YYYY-MM-DD) and the rules they change there; undefined on an
 * ordinary day or when the schedule names no holidays. A rule is changed when its `days`/`dates`
 * allow a window to start that day and it has `on-holidays`.
 */
export function holidayEffect(schedule: Schedule, date: string): HolidayEffect | undefined {
  const holidays = calendarOf(schedule)?.on(date) ?? []
  if (holidays.length === 0) return undefined
  const day = Date.parse(date) / DAY
  const changed = (kind: 'skip' | 'only') =>
    schedule.rules.filter((rule) => rule.onHolidays === kind && allowsOrdinarily(rule, day)).map((rule) => rule.name)
  return { date, holidays, skip: changed('skip'), only: changed('only') }
}

/** The local date (YYYY-MM-DD) in `zone` at instant `at`. */
export function localDate(zone: string, at: Date): string {
  return isoDate(localDay(zone, instant(at)))
}

/** The instant a local wall-clock time (minutes after midnight, 0 ... 1440) of a local date takes effect in `zone`, as window edges do (see wallInstant). */
export function wallClockInstant(zone: string, date: string, minute: number): Date {
  return new Date(wallInstant(zone, Date.parse(date) / DAY, minute))
}

/** The zone's offset from UTC at instant `at`, in minutes (-420 in Los Angeles in summer). */
export function utcOffset(zone: string, at: Date): number {
  return offsetAt(zone, instant(at))
}

function instant(date: Date): number {
  const t = date.getTime()
  if (Number.isNaN(t)) throw new RangeError('schedule: invalid Date')
  return t
}

function leadOf(schedule: Schedule): number {
  return (schedule.lead ?? 0) * MINUTE
}

function weigh(parallelismPerKpu: number | undefined): Weight {
  return (target) => ('parallelism' in target ? target.parallelism : target.kpu * (parallelismPerKpu ?? 1))
}

/** Every window edge, sorted, without repeats. */
function edgesOf(windows: Window[][]): number[] {
  return [...new Set(windows.flat().flatMap((window) => [window.start, window.end]))].sort((a, b) => a - b)
}

/**
 * The target at `t` under `lead`: the first match in [t, t + lead] with the largest weight, the one in
 * force at `t` when it is as large as any (so lead never changes the rule for an equal target).
 */
function targetAt(schedule: Schedule, windows: Window[][], edges: number[], lead: number, weight: Weight, t: number): Match {
  const current = matchAt(schedule, windows, t)
  if (lead === 0) return current
  let best = current
  let largest = weight(current.target)
  for (let i = firstAfter(edges, t); i < edges.length && edges[i] <= t + lead; i++) {
    const next = matchAt(schedule, windows, edges[i])
    if (weight(next.target) > largest) {
      best = { ...next, startsAt: new Date(edges[i]) }
      largest = weight(next.target)
    }
  }
  return best
}

/** The index of the first of the sorted `edges` after `t`. */
function firstAfter(edges: number[], t: number): number {
  let low = 0
  let high = edges.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (edges[middle] <= t) low = middle + 1
    else high = middle
  }
  return low
}

function matchAt(schedule: Schedule, windows: Window[][], t: number): Match {
  const index = schedule.rules.findIndex((_, i) => covers(windows[i], t))
  if (index < 0) return { rule: 'default', target: schedule.default }
  const rule = schedule.rules[index]
  return { rule: rule.name, target: rule.target }
}

/** Whether `t` falls in one of `windows`, which are sorted and do not overlap. */
function covers(windows: Window[], t: number): boolean {
  let low = 0
  let high = windows.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (windows[middle].start <= t) low = middle + 1
    else high = middle
  }
  return low > 0 && t < windows[low - 1].end
}

/**
 * Each rule's windows that can cover an instant on local days firstDay..lastDay. A window lasts at
 * most about a day, so the day before would do; the margin keeps zones whose local date jumps
 * (a day skipped or repeated at the date line) covered too.
 */
function windowsOf(schedule: Schedule, firstDay: number, lastDay: number): Window[][] {
  const calendar = calendarOf(schedule)
  return schedule.rules.map((rule) => {
    const windows: Window[] = []
    for (let day = firstDay - 2; day <= lastDay + 1; day++) {
      if (!allows(rule, day, calendar)) continue
      const start = wallInstant(schedule.timezone, day, rule.from)
      const end = wallInstant(schedule.timezone, rule.to > rule.from ? day : day + 1, rule.to)
      // Both edges inside one spring-forward gap: the window never happens that day.
      if (start < end) windows.push({ start, end })
    }
    return windows
  })
}

function calendarOf(schedule: Schedule): HolidayCalendar | undefined {
  if (schedule.holidays && !schedule.calendar) {
    throw new Error('The schedule names holidays but has no holiday calendar: pass it through withHolidays (src/schedule/holidays.ts) after parseSchedule.')
  }
  return schedule.calendar
}

/** Whether a window of `rule` starts on local `day`: a window across midnight belongs to its start day, for holidays as for days. */
function allows(rule: Rule, day: number, calendar: HolidayCalendar | undefined): boolean {
  if (!allowsOrdinarily(rule, day)) return false
  if (!rule.onHolidays || !calendar) return true
  const holiday = calendar.on(isoDate(day)).length > 0
  return rule.onHolidays === 'only' ? holiday : !holiday
}

/** What `days` and `dates` allow, holidays aside. */
function allowsOrdinarily(rule: Rule, day: number): boolean {
  if (rule.days && !rule.days.includes(isoWeekday(day))) return false
  if (!rule.dates) return true
  const date = isoDate(day)
  return rule.dates.some((range) => range.first <= date && date <= range.last)
}

/** Days count from 1970-01-01. */
function isoDate(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10)
}

/** Days count from 1970-01-01, a Thursday. */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1
}

function localDay(zone: string, t: number): number {
  return Math.floor((t + offsetAt(zone, t) * MINUTE) / DAY)
}

/**
 * The instant a local wall-clock time takes effect. In a fall-back overlap that is its first
 * occurrence; in a spring-forward gap, the first instant after the gap. (luxon instead shifts a
 * gap time forward by the gap's length, and picks either occurrence of an ambiguous time
 * depending on the zone, so it cannot be used here.)
 */
function wallInstant(zone: string, day: number, minute: number): number {
  const wall = day * DAY + minute * MINUTE
  // Any instant showing this wall time lies within a day of it, so these are the only candidate offsets.
  const before = offsetAt(zone, wall - DAY)
  const after = offsetAt(zone, wall + DAY)
  // The larger offset gives the earlier instant, which is the first occurrence.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const t = wall - offset * MINUTE
    if (offsetAt(zone, t) === offset) return t
  }
  // In a gap: the clock jumps from before `wall` to after it at the offset change.
  return firstChange((t) => offsetAt(zone, t), wall - after * MINUTE, wall - before * MINUTE)
}

/** The first whole second in (low, high] whose offset differs from the offset at `low`. */
function firstChange(offsetOf: (t: number) => number, low: number, high: number): number {
  const initial = offsetOf(low)
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000
    if (offsetOf(middle) === initial) low = middle
    else high = middle
  }
  return high
}

// UTC offsets (in minutes) are cached per zone and per 32-day span: an Intl lookup costs about
// 10 µs, and a year of windows needs thousands of them.

interface OffsetChange {
  at: number
  offset: number
}

const SPAN = 32 * DAY
const offsetCache = new Map<string, Map<number, OffsetChange[]>>()

function offsetAt(zone: string, t: number): number {
  const span = Math.floor(t / SPAN)
  let spans = offsetCache.get(zone)
  if (!spans) offsetCache.set(zone, (spans = new Map()))
  let changes = spans.get(span)
  if (!changes) spans.set(span, (changes = scanSpan(IANAZone.create(zone), span * SPAN)))
  let index = changes.length - 1
  while (changes[index].at > t) index--
  return changes[index].offset
}

/** The offset at `start` and every change in the span, assuming a zone changes offset at most once a day. */
function scanSpan(zone: IANAZone, start: number): OffsetChange[] {
  const offsetOf = (t: number) => zone.offset(t)
  const changes = [{ at: start, offset: offsetOf(start) }]
  for (let t = start + DAY; t <= start + SPAN; t += DAY) {
    const offset = offsetOf(t)
    if (offset !== changes[changes.length - 1].offset) changes.push({ at: firstChange(offsetOf, t - DAY, t), offset })
  }
  return changes
}
