/**
 * Named schedules: one text, several schedules by name, the top-level fields the defaults of each;
 * every named schedule means exactly what the same fields would mean as a single schedule; errors
 * name the schedule and the place in it, on the file's line; and which schedule an application follows.
 */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { stringify } from 'yaml'
import { expectWith } from './fixtures/expect-with.js'
import { ScalerError } from '../src/errors.js'
import { evaluate, parseSchedule } from '../src/schedule/schedule.js'
import { followedSchedule, schedulesOf, type NamedSchedules } from '../src/schedule/named.js'
import { namedLine, parseScheduleText } from '../src/schedule/named-parser.js'

const SOURCE = 'schedule-file "fleet.yml"'
const FILE = '.github/fleet.yml'

const FLEET = `timezone: America/Los_Angeles
holidays: US
lead: 20m
schedules:
  business-hours:
    default: { kpu: 4 }
    rules:
      - { name: daytime, days: Mon-Fri, from: "07:00", to: "19:00", on-holidays: skip, kpu: 12 }
  batch-night:
    timezone: Europe/Berlin
    lead: 0m
    default: { kpu: 2 }
    rules:
      - { name: nightly, from: "01:00", to: "05:00", kpu: 16 }
  flat:
    default: { parallelism: 3 }
default-schedule: business-hours
`

function named(text: string): NamedSchedules {
  const parsed = parseScheduleText(text, SOURCE, FILE)
  if (!parsed.named) throw new Error('expected named schedules')
  return parsed.named
}

function rejection(text: string): ScalerError {
  try {
    parseScheduleText(text, SOURCE, FILE)
  } catch (error) {
    if (error instanceof ScalerError) return error
    throw error
  }
  throw new Error(`expected a rejection of:\n${text}`)
}

describe('parseScheduleText', () => {
  it('a text without "schedules" is a single schedule, parsed as parseSchedule parses it', () => {
    const text = 'timezone: UTC\ndefault: { kpu: 2 }\nrules:\n  - { days: Sat, kpu: 1 }\n'
    expect(parseScheduleText(text, SOURCE)).toEqual({ schedule: parseSchedule(text, SOURCE) })
    // Its errors are those of a single schedule, unchanged.
    expect(rejection('default: { kpu: 2 }\nrules:\n  - { from: "25:00", kpu: 1 }\n').message).toBe(
      `Schedule error in rules[0], field "from": "25:00" is not a valid time (${SOURCE})`
    )
  })

  it('each named schedule, top-level fields merged in, is the single schedule of the same fields', () => {
    const fleet = named(FLEET)
    expect([...fleet.byName.keys()]).toEqual(['business-hours', 'batch-night', 'flat'])
    expect(fleet.defaultSchedule).toBe('business-hours')
    const single = (fields: string) => parseSchedule(fields, 'test')
    expect(fleet.byName.get('business-hours')).toEqual(
      single('timezone: America/Los_Angeles\nholidays: US\nlead: 20m\ndefault: { kpu: 4 }\nrules:\n  - { name: daytime, days: Mon-Fri, from: "07:00", to: "19:00", on-holidays: skip, kpu: 12 }\n')
    )
    // A schedule's own field replaces the top-level one.
    expect(fleet.byName.get('batch-night')).toEqual(
      single('timezone: Europe/Berlin\nholidays: US\nlead: 0m\ndefault: { kpu: 2 }\nrules:\n  - { name: nightly, from: "01:00", to: "05:00", kpu: 16 }\n')
    )
    expect(fleet.byName.get('flat')).toMatchObject({ timezone: 'America/Los_Angeles', default: { parallelism: 3 }, rules: [] })
    expect(schedulesOf({ named: fleet }).map((s) => s.name)).toEqual(['business-hours', 'batch-night', 'flat'])
  })

  it('a top-level default is the default of every schedule without its own', () => {
    const fleet = named('default: { kpu: 1 }\nschedules:\n  a: {}\n  b: { default: { kpu: 5 } }\n  c:\n    rules:\n      - { days: Sat, kpu: 2 }\n')
    expect(evaluate(fleet.byName.get('a')!, new Date('2026-03-07T12:00:00Z'))).toEqual({ rule: 'default', target: { kpu: 1 } })
    expect(fleet.byName.get('b')!.default).toEqual({ kpu: 5 })
    expect(evaluate(fleet.byName.get('c')!, new Date('2026-03-07T12:00:00Z'))).toEqual({ rule: 'rules[0]', target: { kpu: 2 } })
  })

  // Each bad text, the message it gets, and the line of the file it points to.
  it.each([
    [
      'an invalid rule of a named schedule',
      FLEET.replace('"01:00"', '"25:00"'),
      `Schedule error in schedules.batch-night.rules[0].from: "25:00" is not a valid time (${SOURCE})`,
      14
    ],
    ['a named schedule without a default, nor one at the top', 'schedules:\n  a:\n    rules: []\n', `Schedule error in schedules.a.default: missing; the schedule needs a default target for the times no rule matches (${SOURCE})`, 2],
    ['an unknown field of a named schedule', 'schedules:\n  a:\n    default: { kpu: 1 }\n    gaurd: {}\n', `Schedule error in schedules.a.gaurd: unknown field in a schedule (${SOURCE})`, 4],
    ['schedules beside top-level rules', 'default: { kpu: 1 }\nrules:\n  - { kpu: 2 }\nschedules:\n  a: {}\n', `Schedule error in rules: top-level rules beside "schedules" (${SOURCE})`, 2],
    ['a default-schedule naming nothing', `${FLEET.replace('default-schedule: business-hours', 'default-schedule: nightly')}`, `Schedule error in default-schedule: "nightly" is not one of the schedules (business-hours, batch-night, flat) (${SOURCE})`, 17],
    ['a default-schedule without schedules', 'default: { kpu: 1 }\ndefault-schedule: a\n', `Schedule error in default-schedule: is set, but there are no named schedules (${SOURCE})`, 2],
    ['schedules that are a list', 'schedules:\n  - default: { kpu: 1 }\n', `Schedule error in schedules: expected a mapping of named schedules, found a list (${SOURCE})`, 1],
    ['no schedules under "schedules"', 'schedules:\n', `Schedule error in schedules: expected a mapping of named schedules, found nothing (${SOURCE})`, 1],
    ['a schedule that is not a mapping', 'schedules:\n  a: 4\n', `Schedule error in schedules.a: expected a schedule (a mapping with "default" and "rules"), found number 4 (${SOURCE})`, 2],
    ['a name with a space', 'schedules:\n  "batch night": { default: { kpu: 1 } }\n', `Schedule error in schedules."batch night": "batch night" is not a schedule name (${SOURCE})`, 2],
    ['an unknown top-level field', 'timezone: UTC\nlaed: 20m\nschedules:\n  a: { default: { kpu: 1 } }\n', `Schedule error in field "laed": unknown field in the top level (${SOURCE})`, 2],
    ['a bad top-level default, inherited', 'timezone: Mars/Olympus\nschedules:\n  a: { default: { kpu: 1 } }\n', `Schedule error in timezone (a top-level default, in schedules.a): "Mars/Olympus" is not a known IANA time zone (${SOURCE})`, 1],
    ['a top-level target beyond a schedule\'s max', 'default: { kpu: 9 }\nschedules:\n  small: { max: 4 }\n', `Schedule error in default.kpu (a top-level default, in schedules.small): 9 KPU is at least parallelism 9, above the schedule's max 4 for any ParallelismPerKPU; targets are never clamped (${SOURCE})`, 1]
  ])('rejects %s, naming where, on its line', (_what, text, message, line) => {
    const error = rejection(text)
    expectWith(error.message, text).toBe(message)
    expect(error.kind).toBe('input')
    expect(error.hint).toBeTruthy()
    expectWith(error.location, text).toEqual({ file: FILE, line })
  })

  it('a deeply wrong rule names its schedule and rule as a path, whatever the rule is named', () => {
    const error = rejection('schedules:\n  a:\n    default: { kpu: 1 }\n    rules:\n      - { name: "x, field \\"y\\"", kpu: 2 }\n      - { name: late, to: "24:30", kpu: 2 }\n')
    expect(error.message).toBe(`Schedule error in schedules.a.rules[1].to: "24:30" is not a valid time (${SOURCE})`)
    expect(error.location).toEqual({ file: FILE, line: 6 })
  })

  it('namedLine: a schedule\'s own field, else the top-level default it takes', () => {
    expect(namedLine(FLEET, 'batch-night', 'timezone')).toEqual({ line: 10 })
    expect(namedLine(FLEET, 'business-hours', 'holidays')).toEqual({ line: 2 })
    expect(namedLine(FLEET, 'flat', 'guard')).toEqual({})
  })
})

describe('followedSchedule', () => {
  const fleet = named(FLEET)
  const without = { byName: fleet.byName }
  it.each([
    ['the tag names a schedule', fleet, 'flink-schedule', { 'flink-schedule': 'batch-night' }, 'batch-night'],
    ['spaces around the value do not count', fleet, 'flink-schedule', { 'flink-schedule': ' flat ' }, 'flat'],
    ['no tag: default-schedule', fleet, 'flink-schedule', { team: 'orders' }, 'business-hours'],
    ['no tag key (no select-by-tag): default-schedule', fleet, undefined, { 'flink-schedule': 'flat' }, 'business-hours']
  ])('%s', (_what, schedules, key, tags, name) => {
    const followed = followedSchedule(schedules, key, tags)
    expect(followed).toEqual({ name, schedule: fleet.byName.get(name) })
  })

  it.each([
    ['an unknown name', fleet, { 'flink-schedule': 'Batch-Night' }, 'Its tag flink-schedule is "Batch-Night", which names no schedule; the schedules are: business-hours, batch-night, flat.'],
    ['an empty value, which default-schedule does not replace', fleet, { 'flink-schedule': '' }, 'Its tag flink-schedule is "", which names no schedule; the schedules are: business-hours, batch-night, flat.'],
    ['no tag and no default-schedule', without, {}, 'It has no tag flink-schedule, and the schedule file has no default-schedule, so it follows no schedule.']
  ])('%s fails, saying what exists', (_what, schedules, tags, problem) => {
    const followed = followedSchedule(schedules, 'flink-schedule', tags)
    expect(followed).toMatchObject({ problem })
    expect('hint' in followed && followed.hint).toContain('business-hours, batch-night, flat')
  })
})

describe('named schedules on arbitrary documents', () => {
  // Near-valid fields and values, so that most documents get past the first check.
  const valueArb = fc.oneof(
    fc.constantFrom({ kpu: 2 }, { parallelism: 3 }, { kpu: 0 }, 'UTC', 'Mars/Olympus', '20m', 'US', 'XX-YY', null, [], {}, 4, 'business-hours'),
    fc.anything({ maxDepth: 2 })
  )
  const entryArb = fc.dictionary(fc.constantFrom('default', 'rules', 'timezone', 'min', 'max', 'lead', 'holidays', 'guard', 'schedules'), valueArb, { maxKeys: 4 })
  const docArb = fc.record(
    {
      schedules: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('a', 'batch-night', 'b c', ''), fc.string({ maxLength: 8 })), fc.oneof(entryArb, valueArb), { maxKeys: 3 }), valueArb),
      'default-schedule': fc.oneof(fc.constantFrom('a', 'batch-night', 'nightly'), valueArb),
      timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'Nowhere'),
      default: fc.constantFrom({ kpu: 1 }, { kpu: 'x' }),
      rules: fc.constant([]),
      typo: fc.constant(1)
    },
    { requiredKeys: ['schedules'] }
  ).filter((doc) => doc.schedules !== undefined) // YAML drops an undefined value: that document holds no named schedules at all.

  it('each is named schedules, or one input error that names its place and says what to do', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        const text = stringify(doc)
        let parsed: ReturnType<typeof parseScheduleText> | undefined
        try {
          parsed = parseScheduleText(text, SOURCE, FILE)
        } catch (error) {
          expectWith(error, text).toBeInstanceOf(ScalerError)
          const { message, hint, kind } = error as ScalerError
          expectWith(kind, message).toBe('input')
          expectWith(message, text).toMatch(/^Schedule error in \S/)
          expectWith(hint?.trim(), message).toBeTruthy()
          expectWith(/[\u0000-\u001f]/.test(message), message).toBe(false)
        }
        if (parsed) expectWith(parsed.named?.byName.size, text).toBeGreaterThan(0)
      }),
      { numRuns: 1000 }
    )
  })
})
