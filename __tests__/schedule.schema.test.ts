/**
 * schedule.schema.json, for editors: every schedule we publish passes it, what it rejects the parser
 * rejects too (so an editor never flags a schedule the action would run), and the valid schedules
 * the parser accepts pass it (so it never flags a good one).
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { Ajv } from 'ajv'
import { describe, expect, it } from '@jest/globals'
import { yamlBlocks } from './fixtures/documentation.js'
import { expectWith } from './fixtures/expect-with.js'
import { parse, stringify } from 'yaml'
import { ScalerError } from '../src/errors.js'
import { parseScheduleText } from '../src/schedule/named-parser.js'
import { ROOT } from '../scripts/validate-workflows.js'

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')
const schema = JSON.parse(read('schedule.schema.json')) as { $id: string; examples: unknown[] }
// Ajv's default strict mode: a misspelt keyword is an error, not a silently ignored annotation.
const validate = new Ajv({ allErrors: true }).compile(schema)

function rejection(text: string): unknown {
  try {
    parseScheduleText(text, 'generated schedule')
  } catch (error) {
    return error
  }
  return undefined
}

const isInputError = (error: unknown) => error instanceof ScalerError && error.kind === 'input'

/** The schema's and the parser's verdicts on one document. */
function verdicts(doc: unknown): { schema: boolean; parser: boolean; text: string } {
  const text = stringify(doc) ?? ''
  // What the parser sees: the document as YAML reads it back.
  const schemaOk = validate(parse(text) ?? null)
  const error = rejection(text)
  if (error !== undefined && !isInputError(error)) throw error
  return { schema: schemaOk, parser: error === undefined, text }
}

const scheduleFiles = readdirSync(path.join(ROOT, 'examples')).filter((name) => /schedule.*\.yml$/.test(name))
const readmeSchedules = yamlBlocks()
  .map((block) => block.text)
  .filter((block) => /^(default|schedules):/m.test(block))

describe('schedule.schema.json', () => {
  it('is where the examples point editors to', () => {
    expect(schema.$id).toBe('https://raw.githubusercontent.com/OWNER/flink-scheduled-scaler/v1/schedule.schema.json')
    expect(scheduleFiles.length).toBeGreaterThanOrEqual(5)
    for (const name of scheduleFiles) {
      expectWith(read(`examples/${name}`).split('\n')[0], name).toBe(`# yaml-language-server: $schema=${schema.$id}`)
    }
  })

  it.each(scheduleFiles)('accepts examples/%s', (name) => {
    const doc = parse(read(`examples/${name}`))
    expect(validate(doc) ? [] : validate.errors).toEqual([])
  })

  it('accepts every schedule of the README and docs/, and its own examples, which the parser accepts', () => {
    expect(readmeSchedules.length).toBeGreaterThanOrEqual(5)
    for (const text of [...readmeSchedules, ...schema.examples.map((doc) => stringify(doc))]) {
      expectWith(validate(parse(text)) ? [] : validate.errors, text).toEqual([])
      expectWith(() => parseScheduleText(text, 'the documentation'), text).not.toThrow()
    }
  })

  // Fields of one rule, under "default: { kpu: 1 }" and "holidays: US".
  const rule = (fields: Record<string, unknown>) => ({ default: { kpu: 1 }, holidays: 'US', rules: [{ kpu: 2, ...fields }] })
  it.each([
    ['no default', { timezone: 'UTC' }],
    ['a list', [{ kpu: 1 }]],
    ['a string', 'default'],
    ['an unknown top-level field', { default: { kpu: 1 }, timeZone: 'UTC' }],
    ['an empty zone', { default: { kpu: 1 }, timezone: '' }],
    ['a default with both targets', { default: { kpu: 1, parallelism: 2 } }],
    ['a default with no target', { default: {} }],
    ['a default of 0', { default: { kpu: 0 } }],
    ['a quoted default', { default: { kpu: '10' } }],
    ['a fractional default', { default: { parallelism: 1.5 } }],
    ['min 0', { default: { kpu: 1 }, min: 0 }],
    ['rules that are a mapping', { default: { kpu: 1 }, rules: { kpu: 2 } }],
    ['a rule that is a string', { default: { kpu: 1 }, rules: ['Mon-Fri'] }],
    ['a rule with no target', rule({ kpu: undefined, days: 'Mon' })],
    ['a rule with both targets', rule({ parallelism: 2 })],
    ['an unknown rule field', rule({ form: '05:00' })],
    ['a blank name', rule({ name: '  ' })],
    ['a name that is a number', rule({ name: 42 })],
    ['hour 25', rule({ from: '25:00' })],
    ['from 24:00', rule({ from: '24:00' })],
    ['to 24:01', rule({ to: '24:01' })],
    ['a one-digit hour', rule({ from: '5:05' })],
    ['a time as a number', rule({ from: 505 })],
    ['an unknown day', rule({ days: 'Funday' })],
    ['"Tues"', rule({ days: 'Tues' })],
    ['an open day range', rule({ days: 'Mon-' })],
    ['a ".." day range', rule({ days: 'Mon..Fri' })],
    ['an empty day in a list', rule({ days: 'Mon,,Fri' })],
    ['an empty day list', rule({ days: [] })],
    ['month 13', rule({ dates: '2026-13-01' })],
    ['a short date', rule({ dates: '2026-1-5' })],
    ['an open date range', rule({ dates: '2026-11-27..' })],
    ['three-letter holidays', { default: { kpu: 1 }, holidays: 'USA' }],
    ['holidays as a comma list', { default: { kpu: 1 }, holidays: 'US, CA' }],
    ['holidays with ß', { default: { kpu: 1 }, holidays: 'ß' }],
    ['no holidays in the list', { default: { kpu: 1 }, holidays: [] }],
    ['a lead without unit', { default: { kpu: 1 }, lead: 20 }],
    ['a lead over 6h', { default: { kpu: 1 }, lead: '7h' }],
    ['a lead of 361 minutes', { default: { kpu: 1 }, lead: '361m' }],
    ['a lead of 1h30m', { default: { kpu: 1 }, lead: '1h30m' }],
    ['a lead in seconds', { default: { kpu: 1 }, lead: '90s' }],
    ['an unknown on-holidays', rule({ 'on-holidays': 'never' })],
    ['a capitalized on-holidays', rule({ 'on-holidays': 'Skip' })],
    ['on-holidays without holidays', { default: { kpu: 1 }, rules: [{ kpu: 2 }, { kpu: 3, 'on-holidays': 'skip' }] }],
    ['a guard that is a list', { default: { kpu: 1 }, guard: ['lag'] }],
    ['an unknown guard field', { default: { kpu: 1 }, guard: { lags: '60s' } }],
    ['a guard cpu of 0', { default: { kpu: 1 }, guard: { cpu: '0%' } }],
    ['a guard cpu over 100', { default: { kpu: 1 }, guard: { cpu: 101 } }],
    ['a guard cpu as a fraction', { default: { kpu: 1 }, guard: { cpu: 0.7 } }],
    ['a guard cpu of 100.5%', { default: { kpu: 1 }, guard: { cpu: '100.5%' } }],
    ['a guard lag without unit', { default: { kpu: 1 }, guard: { lag: 60 } }],
    ['a guard lag of 0s', { default: { kpu: 1 }, guard: { lag: '0s' } }],
    ['a guard lag in days', { default: { kpu: 1 }, guard: { lag: '1d' } }],
    ['a guard records-lag of 0', { default: { kpu: 1 }, guard: { 'records-lag': 0 } }],
    ['a quoted guard records-lag', { default: { kpu: 1 }, guard: { 'records-lag': '100' } }],
    ['a guard over 3h', { default: { kpu: 1 }, guard: { over: '181m' } }],
    ['a guard over 0m', { default: { kpu: 1 }, guard: { over: '0m' } }],
    ['a guard at-most over 12h', { default: { kpu: 1 }, guard: { 'at-most': '13h' } }],
    ['a guard at-most in seconds', { default: { kpu: 1 }, guard: { 'at-most': '90s' } }],
    ['schedules beside top-level rules', { default: { kpu: 1 }, rules: [], schedules: { a: {} } }],
    ['no named schedule', { schedules: {} }],
    ['named schedules that are a list', { schedules: [{ default: { kpu: 1 } }] }],
    ['a schedule name with a space', { default: { kpu: 1 }, schedules: { 'batch night': {} } }],
    ['an unknown field in a named schedule', { default: { kpu: 1 }, schedules: { a: { guards: {} } } }],
    ['a bad time in a named schedule', { default: { kpu: 1 }, schedules: { a: { rules: [{ from: '25:00', kpu: 2 }] } } }],
    ['a named schedule without a default, and none at the top', { schedules: { a: { default: { kpu: 2 } }, b: { rules: [{ from: '01:00', to: '05:00', kpu: 4 }] } } }],
    ['default-schedule without schedules', { default: { kpu: 1 }, 'default-schedule': 'a' }],
    ['a default-schedule with a space', { default: { kpu: 1 }, schedules: { a: {} }, 'default-schedule': 'a b' }]
  ])('rejects %s, as the parser does', (_what, doc) => {
    const { schema: schemaOk, parser, text } = verdicts(doc)
    expectWith([schemaOk, parser], text).toEqual([false, false])
  })

  it.each([
    ['the smallest schedule', { default: { kpu: 1 } }],
    ['rules with no value', { default: { kpu: 1 }, rules: null }],
    ['no rules', { default: { parallelism: 4 }, rules: [] }],
    ['times with spaces around', rule({ from: ' 05:05 ', to: '24:00' })],
    ['to before from', rule({ from: '22:00', to: '06:00' })],
    ['days in every spelling', rule({ days: ['monday-FRI', ' sat , Sunday ', 'Wed - Thu'] })],
    ['dates with spaces', rule({ dates: ['2026-12-24', ' 2026-12-31 .. 2027-01-01 '] })],
    ['holiday codes in any case', { default: { kpu: 1 }, holidays: ['us-ca', 'De-By', 'GB-SCT', 'AD-07', ' au '] }],
    ['leads', { default: { kpu: 1 }, lead: '0m' }],
    ['a lead of 360m', { default: { kpu: 1 }, lead: '360m' }],
    ['a lead of 6h with a leading zero', { default: { kpu: 1 }, lead: '06h' }],
    ['on-holidays only', rule({ 'on-holidays': 'only' })],
    ['a large parallelism', { default: { parallelism: 9007199254740991 } }],
    ['a whole guard', { default: { kpu: 1 }, guard: { cpu: '70%', lag: '60s', 'records-lag': 100000, over: '15m', 'at-most': '2h' } }],
    ['a guard at its edges', { default: { kpu: 1 }, guard: { cpu: 100, lag: '1ms', 'records-lag': 1, over: '180m', 'at-most': '720m' } }],
    ['a guard with decimal cpu and spaces', { default: { kpu: 1 }, guard: { cpu: ' 70.5 % ', over: ' 3h ', 'at-most': '0m' } }],
    ['a guard with only at-most', { default: { kpu: 1 }, guard: { 'at-most': '12h' } }],
    ['an empty guard', { default: { kpu: 1 }, guard: {} }],
    ['named schedules', { timezone: 'UTC', schedules: { a: { default: { kpu: 2 } }, 'b.c:d/e=f+g-h@1': { default: { parallelism: 3 }, lead: '20m' } } }],
    ['named schedules with a top-level default', { default: { kpu: 1 }, max: 8, schedules: { a: {}, b: { max: 16 } }, 'default-schedule': 'b' }],
    ['a guard in a named schedule and at the top', { default: { kpu: 1 }, guard: { 'at-most': '1h' }, schedules: { a: { guard: { lag: '60s', cpu: '70%' } }, b: {} } }]
  ])('accepts %s, as the parser does', (_what, doc) => {
    const { schema: schemaOk, parser, text } = verdicts(doc)
    expectWith([schemaOk, parser], text).toEqual([true, true])
  })
})

// ---------------------------------------------------------------------------------------------
// Generated documents

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
const caseOf = (word: string, style: number) => [word, word.toUpperCase(), word[0].toUpperCase() + word.slice(1)][style % 3]
const dayArb = fc.tuple(fc.constantFrom(...DAYS), fc.nat(2)).map(([day, style]) => caseOf(day, style))
const spaceArb = fc.constantFrom('', '', ' ')

const two = (n: number) => String(n).padStart(2, '0')
const validTime = (key: 'from' | 'to') =>
  fc.tuple(fc.integer({ min: 0, max: key === 'to' ? 24 : 23 }), fc.integer({ min: 0, max: 59 }), spaceArb).map(([h, m, space]) => `${space}${two(h)}:${two(h === 24 ? 0 : m)}${space}`)
const validDays = fc
  .array(fc.tuple(dayArb, fc.option(dayArb), spaceArb), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.map(([first, last, space]) => `${space}${first}${last ? `${space}-${space}${last}` : ''}${space}`).join(','))
const dateText = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
const validDates = fc.tuple(dateText, fc.option(fc.integer({ min: 0, max: 40 })), spaceArb).map(([first, length, space]) => {
  if (length === null) return `${space}${first}${space}`
  const last = new Date(Date.parse(first) + length * 86_400_000).toISOString().slice(0, 10)
  return `${space}${first}${space}..${space}${last}${space}`
})
const validCode = fc.constantFrom('US', 'us', 'US-CA', 'de-BY', 'GB-SCT', 'AU-NSW', 'AD-07', 'Fr', 'XX-ZZZ')
const validLead = fc.oneof(fc.integer({ min: 0, max: 360 }).map((m) => `${m}m`), fc.integer({ min: 0, max: 6 }).map((h) => `${h}h`))
const validGuard = fc.record(
  {
    cpu: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }).map((n) => `${n}%`), fc.constantFrom('70.5%', ' 99.9 % ', '007%')),
    lag: fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('ms', 's', 'm', 'h')).map(([n, unit]) => `${n}${unit}`),
    'records-lag': fc.integer({ min: 1, max: 10_000_000 }),
    over: fc.oneof(fc.integer({ min: 1, max: 180 }).map((m) => `${m}m`), fc.integer({ min: 1, max: 3 }).map((h) => `${h}h`)),
    'at-most': fc.oneof(fc.integer({ min: 0, max: 720 }).map((m) => `${m}m`), fc.integer({ min: 0, max: 12 }).map((h) => `${h}h`))
  },
  { requiredKeys: [] }
)
const oneOrList = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }))
const targetArb = fc.oneof(fc.integer({ min: 1, max: 64 }).map((kpu) => ({ kpu })), fc.integer({ min: 1, max: 64 }).map((parallelism) => ({ parallelism })))

const validRuleArb = (holidays: boolean) =>
  fc
    .record(
      {
        name: fc.string({ minLength: 1, maxLength: 12 }).filter((name) => name.trim() !== ''),
        days: oneOrList(validDays),
        dates: oneOrList(validDates),
        from: validTime('from'),
        to: validTime('to'),
        'on-holidays': holidays ? fc.constantFrom('skip', 'only') : fc.constant(undefined),
        target: targetArb
      },
      { requiredKeys: ['target'] }
    )
    .filter((rule) => (rule.from ?? '00:00').trim() !== (rule.to ?? '24:00').trim() && !((rule.from ?? '').trim() === '' && (rule.to ?? '').trim() === '00:00'))
    .map(({ target, ...fields }) => ({ ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)), ...target }))

const validDocArb = fc.boolean().chain((holidays) =>
  fc.record(
    {
      timezone: fc.constantFrom('UTC', 'America/Los_Angeles', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata'),
      default: targetArb,
      holidays: holidays ? oneOrList(validCode) : fc.constant(undefined),
      lead: validLead,
      guard: validGuard,
      rules: fc.oneof(fc.array(validRuleArb(holidays), { maxLength: 4 }), fc.constant(null))
    },
    { requiredKeys: ['default', ...(holidays ? ['holidays' as const] : [])] }
  ).map((doc) => Object.fromEntries(Object.entries(doc).filter(([, value]) => value !== undefined)))
)

// Values near the valid ones, so that the patterns are tried at their edges.
const nearTime = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom(':', '.', ''), spaceArb, fc.boolean())
  .map(([h, m, colon, space, short]) => `${space}${short ? h : two(h)}${colon}${two(m)}${space}`)
const nearDays = fc.array(fc.oneof(dayArb, fc.constantFrom('-', ',', ' ', '..', 'tues', 'x', '', 'mo', '\t')), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''))
const nearDates = fc.array(fc.oneof(dateText, fc.constantFrom('..', ' ', '.', '2026-02-30', '2026-13-01', '2026-1-5', '')), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''))
const nearCode = fc.stringMatching(/^\s?[A-Za-z0-9ßı_]{1,3}(-[A-Za-z0-9_]{0,4})?\s?$/)
const nearLead = fc.stringMatching(/^\s?0{0,2}\d{1,4}(m|h|s|M|H|min)?\s?$/)
const nearPercent = fc.stringMatching(/^\s?-?0{0,2}\d{1,3}(\.\d{0,2})?\s?%?\s?$/)
const nearLag = fc.stringMatching(/^\s?0{0,2}\d{1,4}(ms|s|m|h|d|S)?\s?$/)
const valueArb = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(nearTime, nearDays, nearDates, nearCode, nearLead, nearPercent, nearLag) },
  { weight: 1, arbitrary: fc.oneof(oneOrList(nearDays), oneOrList(nearDates), oneOrList(nearCode)) },
  { weight: 1, arbitrary: fc.constantFrom('skip', 'only', 'Skip', null, true, 0, -1, 1.5, 1e20, '', [], {}, 'UTC', 'Mars/Olympus') },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -2, max: 100 }), fc.string(), fc.anything()) }
)
const TOP = ['timezone', 'default', 'min', 'max', 'holidays', 'lead', 'guard', 'rules', 'timeZone', 'holiday']
const RULE = ['name', 'days', 'dates', 'from', 'to', 'on-holidays', 'kpu', 'parallelism', 'onHolidays', 'lead']
const TARGET = ['kpu', 'parallelism', 'kpus']
const GUARD = ['cpu', 'lag', 'records-lag', 'over', 'at-most', 'lags']

type Doc = Record<string, unknown>

/** Set (or, one time in four, remove) a field at the top, in the default, in a rule or in the guard. */
interface Mutation {
  where: 'top' | 'default' | 'rule' | 'guard'
  pick: number
  key: number
  remove: boolean
  value: unknown
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  where: fc.constantFrom<Mutation['where']>('top', 'default', 'rule', 'rule', 'rule', 'guard'),
  pick: fc.nat(),
  key: fc.nat(),
  remove: fc.boolean(),
  value: valueArb
})

function mutate(doc: Doc, { where, pick, key, remove, value }: Mutation): void {
  const rules = Array.isArray(doc.rules) ? (doc.rules as unknown[]) : []
  const rule = rules[pick % Math.max(1, rules.length)]
  const isMapping = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v)
  const [holder, keys] =
    where === 'default' && isMapping(doc.default)
      ? [doc.default, TARGET]
      : where === 'rule' && isMapping(rule)
        ? [rule, RULE]
        : where === 'guard' && isMapping(doc.guard)
          ? [doc.guard, GUARD]
          : [doc, TOP]
  const name = keys[key % keys.length]
  if (remove && key % 4 === 0) delete holder[name]
  else holder[name] = value
}

describe('generated schedules', () => {
  it('valid ones pass the schema and the parser', () => {
    fc.assert(
      fc.property(validDocArb, (doc) => {
        const { schema: schemaOk, parser, text } = verdicts(doc)
        expectWith([schemaOk, parser, validate.errors], text).toEqual([true, true, null])
      }),
      { numRuns: 500 }
    )
  })

  it('what the schema rejects, the parser rejects: a ScalerError of kind input', () => {
    let rejected = 0
    fc.assert(
      fc.property(validDocArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (doc, mutations) => {
        for (const mutation of mutations) mutate(doc, mutation)
        const { schema: schemaOk, parser, text } = verdicts(doc)
        if (!schemaOk) {
          rejected++
          expectWith(parser, `${text}\nschema: ${JSON.stringify(validate.errors?.[0])}`).toBe(false)
        }
      }),
      { numRuns: 2000 }
    )
    // Most mutations break the document; the property is about those.
    expect(rejected).toBeGreaterThan(1000)
  })
})
