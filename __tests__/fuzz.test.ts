/**
 * Fuzzing: arbitrary schedule texts, arbitrary YAML documents and arbitrary values for every input.
 * Whatever comes in, the outcome is a schedule or a Config, or an input error that names its place
 * (the field, the rule, the input) and says what to do, in one short message. Never another
 * exception, a stack trace, a crash, or anything of a file outside the workspace.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from '@jest/globals'
import { stringify } from 'yaml'
import { APPLICATION_NAME } from '../src/phases/application.js'
import { readConfig, type Config } from '../src/github/config.js'
import { ScalerError } from '../src/errors.js'
import { withHolidays } from '../src/schedule/holidays.js'
import { evaluate, nextTransition, parseSchedule, transitions, type Schedule, type Target } from '../src/schedule/schedule.js'
import { actionInputs, inputDefaults } from './fixtures/action-inputs.js'
import { DAYTIME_SCHEDULE } from './fixtures/application.js'

const DAY = 86_400_000
const SOURCE = 'input "schedule"'
// Tuesday 2026-03-10 12:00 UTC, two days after the United States spring forward.
const NOW = new Date('2026-03-10T12:00:00Z')
const INPUTS = Object.keys(inputDefaults)

// ---------------------------------------------------------------------------------------------
// What an acceptable failure looks like

/** C0 and C1 control characters and the Unicode line separators: an error message is one line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
/** What JavaScript itself says when code breaks: never the reason a user is given. */
const INTERNAL = /Maximum call stack|Cannot read propert|is not a function|is not iterable|Invalid (array|string) length|out of memory/

/**
 * Why `error` is not an acceptable input error, or '' when it is one: a ScalerError of kind
 * 'input', one short line that `namesPlace` accepts, with a hint saying what to do.
 */
function problemWith(error: unknown, namesPlace: (message: string) => boolean): string {
  if (!(error instanceof ScalerError)) {
    return `not a ScalerError: ${error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error)}`
  }
  const { message, hint, kind } = error
  const problems = [
    kind !== 'input' && `kind is ${kind}`,
    message.startsWith('Unexpected error') && 'an unexpected error',
    message.includes('\n    at ') && 'a stack trace in the message',
    INTERNAL.test(message) && 'an internal error in the message',
    CONTROL.test(message) && 'control characters in the message',
    message.length >= 2000 && `a message of ${message.length} characters`,
    !namesPlace(message) && 'the message does not name the place',
    !(typeof hint === 'string' && hint.trim() !== '') && 'no hint',
    typeof hint === 'string' && hint.length >= 2000 && `a hint of ${hint.length} characters`
  ].filter(Boolean)
  return problems.length === 0 ? '' : `${problems.join('; ')}: ${JSON.stringify(message.slice(0, 500))} (hint ${JSON.stringify(hint?.slice(0, 200))})`
}

/** A schedule error starts by naming the place: the source, a top-level field, the default or a rule. */
const SCHEDULE_PLACE = /^Schedule error in (input "schedule"|schedule-file "|field "|default\b|rules\[\d+\])/

function schedulePlace(message: string): boolean {
  return SCHEDULE_PLACE.test(message)
}

/** The message names one of these inputs: quoted, or as a word ("at" and "wait" only quoted, being common words). */
function namesOneOf(names: readonly string[]): (message: string) => boolean {
  return (message) =>
    names.some(
      (name) =>
        message.includes(`"${name}"`) ||
        (name !== 'at' && name !== 'wait' && new RegExp(`(^|[^\\w-])${name.replace(/[-]/g, '\\-')}($|[^\\w-])`).test(message))
    )
}

/** Parses, and returns the schedule, or undefined after checking that the error is acceptable. */
function parsed(text: string, source = SOURCE): Schedule | undefined {
  try {
    return parseSchedule(text, source)
  } catch (error) {
    expect(problemWith(error, schedulePlace)).toBe('')
    return undefined
  }
}

/**
 * What the action does with a schedule the parser accepted: attach the holidays (an unknown code is
 * an acceptable schedule error), then evaluate it. None of that may throw.
 */
async function exercise(schedule: Schedule, instants: readonly Date[]): Promise<void> {
  let ready: Schedule
  try {
    ready = await withHolidays(schedule, SOURCE)
  } catch (error) {
    expect(problemWith(error, (message) => message.startsWith('Schedule error in field "holidays"'))).toBe('')
    return
  }
  const targets = [ready.default, ...ready.rules.map((rule) => rule.target)]
  for (const at of instants) {
    expect(targets).toContainEqual(evaluate(ready, at).target)
    expect(targets).toContainEqual(evaluate(ready, at, 8).target)
    const next = nextTransition(ready, at)
    if (next) expect(next.at.getTime()).toBeGreaterThan(at.getTime())
    for (const transition of transitions(ready, at, new Date(at.getTime() + 2 * DAY))) expect(targets).toContainEqual(transition.to.target)
  }
}

/** A parsed schedule is what the types promise: positive whole targets, windows inside the day. */
function checkShape(schedule: Schedule): void {
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0
  const target = (t: Target) => ('kpu' in t ? whole(t.kpu) : whole(t.parallelism))
  expect(target(schedule.default)).toBe(true)
  for (const rule of schedule.rules) {
    expect(target(rule.target)).toBe(true)
    expect(rule.from >= 0 && rule.from < 1440 && rule.to >= 0 && rule.to <= 1440 && rule.from !== rule.to).toBe(true)
    expect((rule.days ?? [1]).every((day) => Number.isInteger(day) && day >= 1 && day <= 7)).toBe(true)
    expect(typeof rule.name === 'string' && !CONTROL.test(rule.name)).toBe(true)
  }
}

// Instants from the range `at` allows (1970 to 9999 in any offset), most of them near now.
const instantArb = fc.oneof(
  { weight: 3, arbitrary: fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true }) },
  { weight: 1, arbitrary: fc.date({ min: new Date('1969-12-31T10:00:00Z'), max: new Date('+010000-01-01T12:00:00Z'), noInvalidDate: true }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      new Date('2026-03-08T10:00:00Z'),
      new Date('2026-11-01T08:30:00Z'),
      new Date('2026-12-31T23:59:59Z'),
      new Date('1970-01-01T00:00:00Z'),
      new Date('9999-12-31T23:59:00Z')
    )
  }
)

// ---------------------------------------------------------------------------------------------
// 1. Arbitrary text

const FRAGMENTS = [
  ':', ': ', '- ', '-', '{', '}', '[', ']', ',', '? ', '|', '|-', '>', '#', '"', "'", '\\', '&a ', '*a', '&b ', '*b', '!!tag ',
  '!!str ', '!!int ', '!!map ', '!!seq ', '!!binary ', '!!timestamp ', '!local ', '!<tag:x> ', '!e!x ', '<<: ', '\t', '\n', '\r\n',
  '  ', '    ', '%YAML 1.1\n', '%YAML 1.2\n', '%TAG !e! tag:e,2026:\n', '---\n', '...\n', '\uFEFF', '\u0000', '\u0085', '\u2028',
  'default', 'timezone', 'min', 'max', 'holidays', 'lead', 'rules', 'name', 'days', 'dates', 'from', 'to', 'on-holidays', 'kpu',
  'parallelism', '__proto__', 'constructor', '.nan', '.inf', '-.inf', '~', 'null', 'true', 'yes', '0x1F', '0o17', '1_000', '1e309',
  '-1', '0', '4', '99999999999999999999', '"05:05"', '05:05', '"24:00"', 'Mon-Fri', 'Fri-Mon', '2026-02-30', '2026-11-27..2026-11-30',
  'US-CA', 'XX', 'skip', 'only', '20m', '7h', 'America/Los_Angeles', 'Mars/Olympus', 'ß'
]

const yamlishArb = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength: 60 })
  .map((parts) => parts.join(''))

const longLineArb = fc
  .tuple(
    fc.constantFrom('', 'default: { kpu: 1 }\n', `${DAYTIME_SCHEDULE}\n`, 'default: { kpu: 1 }\nrules:\n  - name: '),
    fc.constantFrom('a', 'default: ', 'x: ', '- ', '"', "'", '#', ' ', '\t', '*a', '&a', '!', 'kpu: 1 ', '[1, ', '{a: 1, ', 'é', '\u{1F600}'),
    fc.integer({ min: 500, max: 20_000 })
  )
  .map(([prefix, unit, length]) => prefix + unit.repeat(Math.ceil(length / unit.length)))

const deepArb = fc
  .tuple(
    fc.constantFrom('', 'default: ', 'rules: ', 'default: { kpu: 1 }\nrules:\n  - days: ', 'default: { kpu: 1 }\nrules: '),
    fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'block-map', 'mixed', 'anchored'),
    fc.integer({ min: 1, max: 3000 }),
    fc.boolean()
  )
  .map(([prefix, kind, depth, closed]) => {
    const close = (text: string) => (closed ? text.repeat(depth) : '')
    switch (kind) {
      case 'flow-seq':
        return `${prefix}${'['.repeat(depth)}1${close(']')}`
      case 'flow-map':
        return `${prefix}${'{a: '.repeat(depth)}1${close('}')}`
      case 'block-seq':
        return `${prefix}${'- '.repeat(depth)}1`
      case 'block-map':
        return `${prefix}\n${Array.from({ length: Math.min(depth, 400) }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1`
      case 'mixed':
        return `${prefix}${'[{a: '.repeat(depth)}1${close('}]')}`
      default:
        return `${prefix}&x ${'['.repeat(depth)}*x${close(']')}`
    }
  })

const textArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  yamlishArb,
  yamlishArb.map((tail) => `${DAYTIME_SCHEDULE}\n${tail}`),
  longLineArb,
  deepArb
)

describe('parseSchedule on arbitrary text', () => {
  it('gives a schedule or a schedule error naming the place', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const schedule = parsed(text)
        if (schedule) checkShape(schedule)
      }),
      { numRuns: 1000 }
    )
  })

  it('names the schedule file too, for text read from one', () => {
    fc.assert(
      fc.property(fc.oneof(yamlishArb, deepArb), (text) => {
        try {
          parseSchedule(text, 'schedule-file "flink.yml"', 'flink.yml')
        } catch (error) {
          expect(problemWith(error, schedulePlace)).toBe('')
          expect((error as ScalerError).message).toContain('schedule-file "flink.yml"')
        }
      }),
      { numRuns: 300 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// 2. Arbitrary YAML documents, near-valid schedules

const WILD_CONSTANTS: unknown[] = [
  null, true, false, 0, -0, -1, 1, 2, 8, 64, 65, 1.5, 0.1, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 + 2, 1e21, Number.MAX_VALUE,
  Number.MIN_VALUE, '', ' ', '0', '4', ' 4 ', '1e3', '0x10', 'Mon', 'mon', 'Monday', 'Mon-Fri', 'Fri-Mon', 'Sat,Sun', 'Sat, Sun', 'Mon-',
  '-', ',', 'Mon-Tue-Wed', 'Mon--Fri', '00:00', '24:00', '24:01', '23:59', '5:05', '05:05', ' 05:05 ', '12:60', '99:99', '-1:00',
  '2026-02-30', '2026-02-28', '2028-02-29', '2026-11-27..2026-11-30', '2026-11-30..2026-11-27', '2026-11-27..', '..', '0000-01-01',
  '9999-12-31', '275760-09-13', '+275760-09-13', '1969-12-31', 'skip', 'only', 'either', 'SKIP', 'US', 'us', 'US-CA', 'DE-BY', 'GB-SCT',
  'AU-NSW', 'XX', 'XX-YY', 'US-', 'ß', 'ß-ß', '20m', '0m', '0h', '6h', '7h', '360m', '361m', '1d', '20 m', '-20m', '999999999999999999h',
  'UTC', 'utc', 'America/Los_Angeles', 'america/los_angeles', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Kiritimati',
  'Etc/GMT+14', 'Etc/GMT-14', 'EST5EDT', 'Mars/Olympus', '+05:00', 'Z', 'America/New_York\n', '::error::boom', 'a\u2028b', 'tab\there'
]

const wildArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WILD_CONSTANTS) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.date({ min: new Date(-1e14), max: new Date(1e14), noInvalidDate: true }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...WILD_CONSTANTS), { maxLength: 4 }) }
)

const wholeArb = fc.oneof(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 2, max: 64 }))
const timeArb = fc.tuple(fc.integer({ min: 0, max: 24 }), fc.constantFrom(0, 5, 30, 59)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`)
const daysArb = fc.constantFrom('Mon-Fri', 'Sat,Sun', 'Fri-Mon', ['Sat', 'Sun'], 'Wed', 'monday')
const datesArb = fc.constantFrom('2026-11-27', '2026-11-27..2026-11-30', ['2026-12-24', '2026-12-31..2027-01-01'], '2026-03-08', '9999-12-31')
const holidaysArb = fc.constantFrom('US', 'US-CA', ['US-CA', 'US-NY'], 'DE-BY', 'GB-SCT', 'JP')
const zoneArb = fc.constantFrom('UTC', 'America/Los_Angeles', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia')
const targetArb = fc.oneof(fc.record({ kpu: wholeArb }), fc.record({ parallelism: wholeArb }))

const ruleArb = fc
  .tuple(
    fc.record(
      {
        name: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('n'.repeat(3000), 'say "hi"', 'back\\slash')),
        days: daysArb,
        dates: datesArb,
        from: timeArb,
        to: timeArb,
        'on-holidays': fc.constantFrom('skip', 'only')
      },
      { requiredKeys: [] }
    ),
    targetArb
  )
  .map(([fields, target]) => ({ ...fields, ...target }))

/** A schedule that is valid but for the odd empty window ("from" equal to "to"). */
const validDocumentArb = fc
  .record(
    {
      timezone: zoneArb,
      default: targetArb,
      min: fc.constant(1),
      max: fc.integer({ min: 64, max: 128 }),
      holidays: holidaysArb,
      lead: fc.constantFrom('20m', '1h', '0m', '6h'),
      rules: fc.array(ruleArb, { maxLength: 3 })
    },
    { requiredKeys: ['default'] }
  )
  .map((doc) => {
    // "on-holidays" needs "holidays".
    if (doc.holidays !== undefined || !doc.rules) return doc
    return { ...doc, rules: doc.rules.map(({ 'on-holidays': _, ...rule }) => rule) }
  })

/** One change to a valid document: a field (of the document, its default or its first rule) set to anything, or a value shared. */
const mutationArb = fc.oneof(
  fc.record({
    at: fc.constantFrom('', 'default', 'rules.0'),
    key: fc.constantFrom(
      ...['timezone', 'default', 'min', 'max', 'holidays', 'lead', 'rules'],
      ...['name', 'days', 'dates', 'from', 'to', 'on-holidays', 'kpu', 'parallelism'],
      ...['colour', '0', '']
    ),
    value: wildArb
  }),
  fc.constantFrom('rule twice', 'default is a rule', 'rules contain the document', 'days are the rules')
)

function mutated(document: Record<string, unknown>, mutations: readonly (string | { at: string; key: string; value: unknown })[]): Record<string, unknown> {
  // Copies: fast-check hands the same generated values out again while shrinking.
  const doc: Record<string, unknown> = { ...document }
  const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
  const rules = () => (Array.isArray(doc.rules) ? (doc.rules = [...(doc.rules as unknown[])]) : undefined)
  for (const mutation of mutations) {
    if (typeof mutation === 'object') {
      if (mutation.at === '') doc[mutation.key] = mutation.value
      else if (mutation.at === 'default' && isMapping(doc.default)) doc.default = { ...doc.default, [mutation.key]: mutation.value }
      else if (mutation.at === 'rules.0' && isMapping(rules()?.[0])) {
        const list = doc.rules as unknown[]
        list[0] = { ...(list[0] as Record<string, unknown>), [mutation.key]: mutation.value }
      }
      continue
    }
    const list = rules()
    const first = list?.[0]
    // Shared values become YAML anchors and aliases; a document that contains itself, a cycle.
    if (mutation === 'rule twice' && isMapping(first)) list?.push(first)
    if (mutation === 'default is a rule' && isMapping(first)) doc.default = first
    if (mutation === 'rules contain the document' && list) list.push(doc)
    if (mutation === 'days are the rules' && list && isMapping(first)) list[0] = { ...first, days: list }
  }
  return doc
}

const documentArb = fc
  .tuple(
    validDocumentArb,
    fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }),
    fc.constantFrom<'1.2' | '1.1' | 'flow'>('1.2', '1.2', '1.1', 'flow')
  )
  .map(([document, mutations, style]) => {
    const doc = mutated(document, mutations)
    // YAML 1.1 reads dates, !!binary, !!set and !!omap as Date, Uint8Array, Set and Map.
    return style === '1.1'
      ? `%YAML 1.1\n---\n${stringify(doc, { version: '1.1' })}`
      : stringify(doc, style === 'flow' ? { collectionStyle: 'flow' } : {})
  })

const anyDocumentArb = fc.oneof(
  { weight: 3, arbitrary: documentArb },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }).map((value) => stringify(value) ?? '') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => stringify({ default: { kpu: 1 }, rules: [value] })) }
)

describe('parseSchedule on arbitrary YAML documents', () => {
  it('gives a schedule or a schedule error; an accepted schedule evaluates without error', async () => {
    await fc.assert(
      fc.asyncProperty(anyDocumentArb, fc.array(instantArb, { minLength: 1, maxLength: 2 }), async (text, instants) => {
        const schedule = parsed(text)
        if (!schedule) return
        checkShape(schedule)
        await exercise(schedule, instants)
      }),
      { numRuns: 400 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// 3. Arbitrary input values

const workspace = mkdtempSync(path.join(tmpdir(), 'flink-scaler-fuzz-'))
writeFileSync(path.join(workspace, 'flink-schedule.yml'), DAYTIME_SCHEDULE)
mkdirSync(path.join(workspace, 'dir'))
// A schedule file with an error in it: the error names the file as the input gave it.
writeFileSync(path.join(workspace, 'broken.yml'), 'default: { kpu: 1 }\nrules:\n  - { name: weekend, days: Someday, kpu: 2 }\n')
// A file outside the workspace that is itself a valid schedule, so that reading it would be noticed.
const outside = mkdtempSync(path.join(tmpdir(), 'flink-scaler-outside-'))
const SECRET = `outside-${process.pid}-${Date.now()}`
writeFileSync(path.join(outside, 'secret.yml'), `default: { kpu: 1 }\nrules:\n  - { name: ${SECRET}, days: Mon, kpu: 2 }\n`)
symlinkSync(path.join(outside, 'secret.yml'), path.join(workspace, 'link-out.yml'))
symlinkSync(outside, path.join(workspace, 'dir-out'))
const HOSTNAME = (() => {
  try {
    return readFileSync('/etc/hostname', 'utf8').trim()
  } catch {
    return ''
  }
})()
const ENV: NodeJS.ProcessEnv = { GITHUB_WORKSPACE: workspace }
const BASE = { 'application-name': 'orders-enricher', region: 'us-west-2', schedule: DAYTIME_SCHEDULE }

const NASTY = [
  '', ' ', '\t', '\n', ' \n ', 'true', 'true ', ' TRUE', 'True', 'tRuE', 'false', 'FALSE', 'yes', 'no', 'on', '1', '0', '-1', '+1', '01',
  '007', '1.0', '1.5', '.5', '5.', '1e3', '1e309', '-0', '0x10', '0b1', '1_000', '1,000', '١٢', '４', '999999999999999999999',
  '9007199254740991', '9007199254740992', '9007199254740993', 'NaN', 'Infinity', '-Infinity', 'null', 'undefined', '[]', '{}',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', '\u0000', 'a\u0000b', '\u2028', '\u202e', '\uFEFF', '\u{1F600}', '::error::boom',
  '%0A::error::boom', '${{ github.token }}', '`id`', '$(id)', "'; DROP TABLE", '<script>', '../../etc/passwd', 'x'.repeat(300), 'é'.repeat(100)
]
const nastyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) }
)
const padded = (arb: fc.Arbitrary<string>) =>
  fc.tuple(arb, fc.constantFrom('', '', '', ' ', '\n', '\t', ' \r\n')).map(([text, pad]) => (pad === '' ? text : `${pad}${text}${pad}`))

const numberTextArb = padded(
  fc.oneof(
    fc.integer({ min: -2, max: 50_000 }).map(String),
    fc.constantFrom('0', '1', '8', '9', '64', '65', '899', '900', '43200', '43201', '1.5', '2.0', '1e2', '999999999999999999999', '1e309', '-1')
  )
)
const booleanTextArb = fc.constantFrom('true', 'false', 'TRUE', 'False', 'true ', ' false', 'yes', '1', '0', '', 'truee', 't')

const ISO_INSTANTS = [
  '2026-03-10T12:00:00Z', '2026-03-10T13:00:00Z', '2026-03-10', '2026-03-10T05:00', '2026-03-08T02:30', '2026-11-01T01:30',
  '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-10T24:00:00Z', '2026-03-10T12:00:60Z', '2026-03-10T12:00:00+25:00',
  '0000-01-01T00:00:00Z', '0000-01-01', '-000001-01-01T00:00:00Z', '275760-09-13T00:00:00Z', '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00+14:00', '9999-12-31T23:59:59-12:00', '10000-01-01T00:00:00Z',
  '2026-W11-2', '2026-069', 'T12:00', '12:00', '2026-03-10T12:00:00.123456789Z', '2026-03-10 12:00', '2027-03-10T12:00:00Z',
  '2027-03-11T12:00:00Z', '2026-03-10T12:00:00.000001Z', '20260310T120000Z'
]
const isoArb = fc.oneof(
  fc.constantFrom(...ISO_INSTANTS),
  fc
    .record({
      year: fc.integer({ min: -1, max: 300_000 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      offset: fc.constantFrom('Z', '', '+00:00', '-08:00', '+14:00', '-12:00', '+99:00')
    })
    .map(({ year, month, day, hour, offset }) => {
      const pad = (n: number, width = 2) => String(n).padStart(width, '0')
      return `${year > 9999 ? `+${pad(year, 6)}` : pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:00:00${offset}`
    }),
  fc.date({ min: new Date('2026-03-09T00:00:00Z'), max: new Date('2027-04-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString())
)
const holdArb = fc.oneof(
  isoArb,
  fc.constantFrom('next-transition', 'next-transition ', 'Next-Transition', 'next', '999999999d', '0m', '0d', '4 h', '90m', '2d', '366d', '367d', '8784h', '8785h', '527040m', '527041m', '1w', '-1h', 'h', '1.5h'),
  fc.tuple(fc.oneof(fc.nat().map(String), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String)), fc.constantFrom('m', 'h', 'd', ' m', 's', 'M', '')).map(([n, unit]) => `${n}${unit}`)
)

const NAMES = ['orders-enricher', 'a', 'A.b_c-9', 'x'.repeat(128), 'x'.repeat(129), 'orders enricher', 'team/orders', 'ünïcode', '-', '.', '..']
const arnArb = fc
  .tuple(
    fc.constantFrom('arn', 'ARN', 'arn '),
    fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b', 'amazon', ''),
    fc.constantFrom('kinesisanalytics', 'kinesis', 'kinesisanalyticsv2'),
    fc.constantFrom('us-west-2', 'eu-central-1', 'us-gov-west-1', '', 'US-WEST-2', '*'),
    fc.constantFrom('123456789012', '12345678901', '1234567890123', '', 'aaaaaaaaaaaa'),
    fc.constantFrom('application/', 'application:', 'stream/', ''),
    fc.constantFrom(...NAMES)
  )
  .map(([arn, partition, service, region, account, kind, name]) => `${arn}:${partition}:${service}:${region}:${account}:${kind}${name}`)
const applicationNamesArb = fc
  .array(fc.oneof(fc.constantFrom(...NAMES), arnArb, nastyArb), { minLength: 0, maxLength: 5 })
  .chain((items) => fc.constantFrom(',', '\n', ', ', '\r\n', ',,', '\t', ' ', '\u0085', '\u2028').map((separator) => items.join(separator)))
const regionArb = fc.constantFrom(
  'us-west-2', 'us-gov-west-1', 'cn-north-1', 'eu-central-1', 'US-WEST-2', 'us-west', 'us-west-2a', 'eu-central-1 ', 'xx-yy-0', 'a-b-1',
  'us-west-99999999999999999999', 'us--west-2', '-us-west-2', 'us-west-2\nus-east-1', `${'a'.repeat(5000)}-b-1`, `${'a-'.repeat(2000)}`
)
const roleArnArb = fc
  .tuple(
    fc.constantFrom('arn:aws:iam::', 'arn:aws-cn:iam::', 'arn:aws-us-gov:iam::', 'arn:aws:sts::', 'arn:aws:iam:us-west-2:'),
    fc.constantFrom('123456789012', '12345678901', '1234567890123', ''),
    fc.constantFrom(':role/', ':user/', ':role'),
    fc.constantFrom('flink-scaler', 'path/to/flink-scaler', 'a'.repeat(512), 'a'.repeat(513), 'with space', 'ü', '', 'x\ny')
  )
  .map((parts) => parts.join(''))
const sessionArb = fc.constantFrom('flink-scheduled-scaler', 'a', 'ab', 'a'.repeat(64), 'a'.repeat(65), 'with space', 'a/b', 'a_b+c=d,e.f@g-h')
const namespaceArb = fc.constantFrom('FlinkScheduledScaler', 'AWS/Flink', ':x', 'x'.repeat(255), 'x'.repeat(256), ' ', 'a b', 'é', 'a\u0000b', 'a\nb', '::error::boom\n')
const suggestArb = padded(fc.constantFrom('28d', '7d', '63d', '6d', '64d', '0d', '28', '4w', 'd', '2.5d', '-7d', '28D', '028d', '99999999999999999999d', '28 d'))
const utilizationArb = padded(fc.constantFrom('60%', '30%', '90%', '29.99%', '90.01%', '75', '0.6', '100%', '%', '60 %', '60%%', 'NaN%', '1e2%', '-60%'))
const priceArb = padded(fc.constantFrom('0.11', '0', '0.0', '1', '1.', '.5', '-0.11', '1e-3', '0,11', '99999999999999999999999.9', '1'.repeat(400), 'NaN'))
const scheduleTextArb = fc.oneof(
  { weight: 2, arbitrary: documentArb },
  { weight: 1, arbitrary: textArb },
  { weight: 1, arbitrary: fc.constantFrom(DAYTIME_SCHEDULE, `${DAYTIME_SCHEDULE}\nholidays: US-CA`, 'default: { kpu: 1 }\nmax: 1', 'default: { kpu: 100 }') }
)
const schedulePathArb = fc.oneof(
  fc.constantFrom(
    'flink-schedule.yml', './flink-schedule.yml', 'dir/../flink-schedule.yml', 'dir', 'dir/', '.', '..', '../', '/', '', ' ',
    '../../etc/passwd', '../../../../../../../etc/hostname', '/etc/hostname', '/etc/passwd', '/etc', path.join(outside, 'secret.yml'),
    path.relative(workspace, path.join(outside, 'secret.yml')), path.join(workspace, 'flink-schedule.yml'), 'link-out.yml',
    'dir-out/secret.yml', 'dir-out/../flink-schedule.yml', 'flink-schedule.yml\u0000', '\u0000', 'a\u0000b', 'missing.yml', '~/.ssh/id_rsa',
    'C:\\Windows\\win.ini', '%2e%2e/etc/passwd', 'flink-schedule.yml/..', 'x/../../etc/hostname', `${'a/'.repeat(3000)}x`, 'a'.repeat(300),
    '/proc/self/environ', '/dev/zero', 'file:///etc/passwd', 'ünï/cöde.yml', 'flink-schedule.yml\n::error::boom', 'broken.yml',
    'dir\n::error::boom/../broken.yml', 'dir\u2028/../broken.yml', `${'x/'.repeat(1500)}${'../'.repeat(1500)}broken.yml`
  ),
  fc.array(fc.oneof(fc.constantFrom('..', '.', '', 'dir', 'dir-out', 'flink-schedule.yml', 'broken.yml', 'secret.yml', 'etc', 'hostname'), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 })
    .chain((segments) => fc.boolean().map((absolute) => `${absolute ? '/' : ''}${segments.join('/')}`))
)

const tagKeyArb = fc.constantFrom('flink-schedule', 'team:schedule', 'Flink Schedule', 'aws:cloudformation:stack-name', 'AWS:x', 'k'.repeat(128), 'k'.repeat(129), 'a!b', 'ü', 'a\nb', '::error::boom')
const accountRolesArb = fc
  .array(fc.oneof(roleArnArb, fc.constantFrom('arn:aws:iam::210987654321:role/flink-scaler', 'arn:aws:iam::210987654321:role/other', '210987654321')), { maxLength: 4 })
  .chain((items) => fc.constantFrom('\n', ',', ', ', '\r\n').map((separator) => items.join(separator)))

/** Values for each input of action.yml: what that input is about, near-valid and wrong. */
const SPECIFIC: Record<string, fc.Arbitrary<string>> = {
  'application-name': applicationNamesArb,
  schedule: scheduleTextArb,
  'schedule-file': schedulePathArb,
  parallelism: numberTextArb,
  kpu: numberTextArb,
  'parallelism-per-kpu': numberTextArb,
  autoscaling: fc.constantFrom('keep', 'enable', 'disable', 'KEEP', ' enable ', 'on', 'off', '', 'enabled'),
  region: regionArb,
  'role-to-assume': roleArnArb,
  'role-session-name': sessionArb,
  'role-duration-seconds': numberTextArb,
  audience: fc.constantFrom('sts.amazonaws.com', 'sts.amazonaws.com.cn', 'https://example.com?a=b&c', 'a\nb'),
  'dry-run': booleanTextArb,
  wait: booleanTextArb,
  'wait-timeout-seconds': numberTextArb,
  at: isoArb,
  'allow-stateless-restart': booleanTextArb,
  'hold-until': holdArb,
  'release-hold': booleanTextArb,
  'check-only': booleanTextArb,
  'kpu-hour-price': priceArb,
  'metrics-namespace': namespaceArb,
  suggest: suggestArb,
  'suggest-utilization': utilizationArb,
  'select-by-tag': tagKeyArb,
  'account-roles': accountRolesArb,
  'snapshot-limit': numberTextArb,
  'prune-snapshots': numberTextArb
}
const valueFor = (name: string) => fc.oneof({ weight: 3, arbitrary: SPECIFIC[name] ?? nastyArb }, { weight: 1, arbitrary: nastyArb })

// Valid starting points that reach more of readConfig: a manual target (holds), check-only, KPUs.
const baseArb = fc.constantFrom<Record<string, string>>(
  BASE,
  { ...BASE, parallelism: '4' },
  { ...BASE, kpu: '2', 'parallelism-per-kpu': '2' },
  { ...BASE, 'check-only': 'true', 'application-name': '' },
  { 'application-name': 'orders-enricher', region: 'us-west-2', suggest: '28d' },
  { 'application-name': 'orders-enricher', region: 'us-west-2', 'schedule-file': 'flink-schedule.yml' }
)

const oneInputArb = fc.constantFrom(...INPUTS).chain((name) => valueFor(name).map((value) => ({ [name]: value })))
const severalInputsArb = fc
  .uniqueArray(fc.constantFrom(...INPUTS), { minLength: 2, maxLength: 6 })
  .chain((names) => fc.tuple(...names.map(valueFor)).map((values) => Object.fromEntries(names.map((name, i) => [name, values[i]]))))

/** The base with the fuzzed inputs over it; a fuzzed schedule-file replaces the base's schedule rather than clash with it. */
function over(base: Record<string, string>, inputs: Record<string, string>): Record<string, string> {
  const { schedule, 'schedule-file': file, ...rest } = base
  const keep = 'schedule-file' in inputs || 'schedule' in inputs ? {} : { schedule, 'schedule-file': file }
  return Object.fromEntries(Object.entries({ ...rest, ...keep, ...inputs }).filter(([, value]) => value !== undefined))
}

/** Reads the config; a success must be a sane Config, a failure an input error naming one of the given inputs. */
async function configOutcome(inputs: Record<string, string>): Promise<Config | undefined> {
  let config: Config
  try {
    config = await readConfig(actionInputs(inputs), ENV, () => NOW)
  } catch (error) {
    expect(problemWith(error, (message) => schedulePlace(message) || namesOneOf(Object.keys(inputs))(message))).toBe('')
    const { message, hint } = error as ScalerError
    expect(`${message} ${hint}`).not.toContain(SECRET)
    if (HOSTNAME.length >= 6) expect(`${message} ${hint}`).not.toContain(HOSTNAME)
    return undefined
  }
  checkConfig(config)
  return config
}

function checkConfig(config: Config): void {
  const whole = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n > 0)
  // With select-by-tag the applications can all be chosen by tag.
  expect(config.applications.length > 0 || config.checkOnly || config.selectByTag !== undefined).toBe(true)
  for (const application of config.applications) {
    expect(APPLICATION_NAME.test(application.name)).toBe(true)
    expect(application.region === '' ? config.checkOnly : /^[a-z]{2,}(-[a-z]+)+-\d+$/.test(application.region)).toBe(true)
  }
  // A suggestion needs no target: it proposes a schedule and changes nothing.
  expect(config.schedule !== undefined || config.schedules !== undefined || config.manual !== undefined || config.suggest !== undefined).toBe(true)
  if (config.suggest) {
    expect(Number.isSafeInteger(config.suggest.days) && config.suggest.days >= 7 && config.suggest.days <= 63).toBe(true)
    expect(config.suggest.utilization >= 30 && config.suggest.utilization <= 90).toBe(true)
    expect([config.manual, config.holdUntil, config.releaseHold, config.checkOnly, config.dryRun]).toEqual([undefined, undefined, false, false, true])
  }
  if (config.selectByTag !== undefined) expect(config.schedules !== undefined && config.regions.length > 0).toBe(true)
  if (config.accountRoles.length > 0 || config.regions.length > 1) expect(config.selectByTag !== undefined || config.checkOnly).toBe(true)
  if (config.schedule) {
    checkShape(config.schedule)
    expect(config.schedule.rules.some((rule) => rule.name === SECRET)).toBe(false)
  }
  const manual = config.manual as { kpu?: number; parallelism?: number } | undefined
  expect([manual?.kpu, manual?.parallelism, config.parallelismPerKpu, config.roleDurationSeconds, config.waitTimeoutSeconds].every(whole)).toBe(true)
  expect(Number.isNaN(config.now.getTime())).toBe(false)
  if (config.holdUntil instanceof Date) {
    expect(config.holdUntil.getTime() > NOW.getTime() && config.holdUntil.getTime() <= NOW.getTime() + 366 * DAY).toBe(true)
  }
  if (config.kpuHourPrice !== undefined) expect(Number.isFinite(config.kpuHourPrice) && config.kpuHourPrice > 0).toBe(true)
  expect([config.snapshotLimit, config.pruneSnapshots].every(whole) && (config.pruneSnapshots === undefined || config.pruneSnapshots >= 10)).toBe(true)
  expect([config.dryRun, config.wait, config.allowStatelessRestart, config.releaseHold, config.checkOnly].every((b) => typeof b === 'boolean')).toBe(true)
}

describe('readConfig on arbitrary input values', () => {
  it('every input of action.yml has values of its own here', () => {
    expect(INPUTS.filter((name) => !(name in SPECIFIC))).toEqual([])
  })

  it('one input at a time: a Config, or an input error naming the input', async () => {
    await fc.assert(
      fc.asyncProperty(oneInputArb, async (inputs) => {
        await configOutcome(over(BASE, inputs))
      }),
      { numRuns: 1000 }
    )
  })

  it('several inputs at once, over several valid starting points', async () => {
    await fc.assert(
      fc.asyncProperty(baseArb, severalInputsArb, async (base, inputs) => {
        await configOutcome(over(base, inputs))
      }),
      { numRuns: 600 }
    )
  })

  it('at and hold-until, with a manual target: instants, durations and next-transition', async () => {
    const manualArb = fc.constantFrom<Record<string, string>>({ parallelism: '4' }, { kpu: '2' }, { kpu: '2', 'parallelism-per-kpu': '2' })
    const timesArb = fc.record({ at: isoArb, 'hold-until': holdArb }, { requiredKeys: [] })
    await fc.assert(
      fc.asyncProperty(manualArb, timesArb, async (manual, times) => {
        const config = await configOutcome({ ...BASE, ...manual, ...times })
        if (config && times.at) expect(config.atGiven).toBe(true)
      }),
      { numRuns: 500 }
    )
  })

  it('schedule-file: only a file inside the workspace is read; of one outside nothing is shown', async () => {
    await fc.assert(
      fc.asyncProperty(schedulePathArb, async (file) => {
        const config = await configOutcome({ 'application-name': 'orders-enricher', region: 'us-west-2', 'schedule-file': file })
        if (config) expect(config.scheduleFile).toBe('flink-schedule.yml')
      }),
      { numRuns: 500 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// 4. Regressions: inputs that once broke the rules above

/** The schedule error for `text`, which must be an acceptable one. */
function scheduleError(text: string, source = SOURCE): ScalerError {
  try {
    parseSchedule(text, source)
  } catch (error) {
    expect(problemWith(error, schedulePlace)).toBe('')
    return error as ScalerError
  }
  throw new Error(`parseSchedule accepted ${JSON.stringify(text.slice(0, 80))}`)
}

describe('regressions', () => {
  it('a schedule nested thousands of levels deep is an error, however often it comes', () => {
    // The YAML reader recursed until the stack overflowed; the second time, V8 aborted the whole
    // process ("FATAL ERROR: RegExpCompiler Allocation failed") instead of throwing.
    for (const text of ['['.repeat(20_000), `${'- '.repeat(5000)}1`, `default: ${'{a: '.repeat(5000)}1`, '['.repeat(20_000)]) {
      expect(scheduleError(text).message).toBe('Schedule error in input "schedule": the text nests lists and mappings more than 32 levels deep')
    }
  })

  it('an ordinary depth is not mistaken for deep nesting', () => {
    const schedule = parseSchedule('default: { kpu: 1 }\nrules:\n  - { days: [Sat, Sun], dates: [2026-12-24..2026-12-26], kpu: 2 }', SOURCE)
    expect(schedule.rules[0].days).toEqual([6, 7])
    expect(scheduleError(`default: { kpu: 1 }\nrules: ${'['.repeat(8)}${']'.repeat(8)}`).message).toContain('rules[0]: expected a mapping, found a list')
  })

  it('a long line that is not YAML gives a short message that keeps the position', () => {
    const line = scheduleError('!'.repeat(3000)).message
    expect(line.length).toBeLessThan(300)
    expect(line).toMatch(/^Schedule error in input "schedule": the text is not valid YAML: The !{100,}\.\.\.!+ tag has no suffix at line 1, column 1:$/)
    expect(scheduleError(`default: *${'a'.repeat(5000)}`).message.length).toBeLessThan(300)
  })

  it('a long rule name or key is cut short in the place the message names', () => {
    const named = scheduleError(`default: { kpu: 1 }\nrules:\n  - name: ${'n'.repeat(5000)}\n    days: Someday\n    kpu: 2`)
    expect(named.message).toMatch(/^Schedule error in rules\[0\] "n{50,60}\.\.\., field "days": "Someday" is not a day/)
    expect(scheduleError(`? ${'k'.repeat(5000)}\n: 1\ndefault: { kpu: 1 }`).message.length).toBeLessThan(200)
  })

  it('line breaks and other control characters in keys and values are shown escaped', () => {
    expect(scheduleError('default: { kpu: 1 }\n"a\\nb": 1').message).toBe('Schedule error in field "a\\nb": unknown field in the top level (input "schedule")')
    expect(scheduleError('default: { kpu: 1 }\ntimezone: "Europe/Berlin\\u2028"').message).toContain('"Europe/Berlin\\u2028" is not a known IANA time zone')
    expect(scheduleError('default: { kpu: 1 }\nrules:\n  - { days: "Mon\\x85", kpu: 2 }').message).toContain('"Mon\\u0085" is not a day')
  })

  it('a metrics-namespace with a line break is quoted on one line', async () => {
    await expect(readConfig(actionInputs({ ...BASE, 'metrics-namespace': 'a\nb' }), ENV, () => NOW)).rejects.toThrow(
      'Input "metrics-namespace" ("a b") has characters other than printable ASCII.'
    )
  })

  it('a long rule name is cut short where parallelism-per-kpu puts its KPU target out of bounds', async () => {
    const schedule = `max: 64\ndefault: { kpu: 1 }\nrules:\n  - { name: ${'n'.repeat(3000)}, kpu: 40 }`
    const error = await readConfig(actionInputs({ ...BASE, schedule, 'parallelism-per-kpu': '8' }), ENV, () => NOW).catch((e: unknown) => e)
    expect(problemWith(error, namesOneOf(['parallelism-per-kpu']))).toBe('')
    expect((error as ScalerError).message).toMatch(/^Parallelism 320 from rule "n{79}…" \(40 KPU × parallelism-per-kpu 8\) is above the schedule's max 64/)
  })

  it('a schedule-file path with a line break is quoted on one line in a schedule error', async () => {
    const inputs = { 'application-name': 'orders-enricher', region: 'us-west-2', 'schedule-file': 'dir\n::error::boom/../broken.yml' }
    await expect(readConfig(actionInputs(inputs), ENV, () => NOW)).rejects.toThrow(
      'Schedule error in rules[0] "weekend", field "days": "Someday" is not a day or a range of days (schedule-file "dir ::error::boom/../broken.yml")'
    )
  })
})
