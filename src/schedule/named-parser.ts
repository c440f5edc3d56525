/**
 * Parsing a schedule text that may hold named schedules (`schedules:`, the top-level fields as
 * defaults of each, `default-schedule:`): each named schedule is parsed by the single-schedule
 * parser with the defaults merged in first, so it has exactly the form and meaning of a single
 * one. Pure; loaded only for a text that holds named schedules.
 */
import { inputError } from '../errors.js'
import { isMapping, kindOf, lineAt, parseSchedule, parseScheduleMapping, readScheduleYaml, SCHEDULE_KEYS, ScheduleFieldError, show, type Schedule } from './schedule.js'
import { NAMED_KEYS, SCHEDULE_NAME, type NamedSchedules, type ScheduleText } from './named.js'

const NAME_HINT = 'A schedule is named by its applications\' tag: use letters, digits and _ . : / = + - @ (no spaces, at most 256), e.g. business-hours.'

/**
 * Parses a schedule text: one schedule (parseSchedule, unchanged), or named schedules when it has
 * `schedules:` (or `default-schedule:`). `source` and `file` as for parseSchedule; errors in a
 * named schedule name it (`schedules.batch-night.rules[0].from`) and carry the file's line.
 * Throws ScalerError (kind 'input').
 */
export function parseScheduleText(text: string, source: string, file?: string): ScheduleText {
  const doc = readScheduleYaml(text, source, file)
  if (!NAMED_KEYS.some((key) => key in doc)) return { schedule: parseSchedule(text, source, file) }
  return { named: parseNamed(doc, text, source, file) }
}

type Path = (string | number)[]

function parseNamed(doc: Record<string, unknown>, text: string, source: string, file: string | undefined): NamedSchedules {
  const fail = (path: Path, shown: string, problem: string, hint: string): never => {
    throw inputError(`Schedule error in ${shown}: ${problem} (${source})`, hint, file ? { file, ...lineField(text, path) } : undefined)
  }
  const defaultKeys = SCHEDULE_KEYS.filter((key) => key !== 'rules')
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'rules') {
      fail(
        ['rules'],
        'rules',
        'top-level rules beside "schedules"',
        'Each named schedule has its own rules: move these under the schedules that need them. Top-level fields other than rules are defaults for every named schedule.'
      )
    }
    if (!defaultKeys.includes(key) && !(NAMED_KEYS as readonly string[]).includes(key)) {
      fail([key], `field ${show(key)}`, 'unknown field in the top level', `Allowed beside "schedules" are: ${[...NAMED_KEYS, ...defaultKeys].join(', ')}. Check the spelling.`)
    }
    if (value === null && key !== 'schedules') fail([key], `field ${show(key)}`, 'has no value', 'Give it a value, or remove the line.')
  }
  const schedules = doc.schedules
  if (schedules === undefined) {
    fail(['default-schedule'], 'default-schedule', 'is set, but there are no named schedules', 'Add "schedules:" with one named schedule under it, or remove default-schedule.')
  }
  if (!isMapping(schedules) || Object.keys(schedules).length === 0) {
    fail(
      ['schedules'],
      'schedules',
      `expected a mapping of named schedules, found ${isMapping(schedules) ? 'none' : kindOf(schedules)}`,
      'Write "schedules:", then each schedule\'s name indented under it (e.g. "  business-hours:") and its fields indented under the name.'
    )
  }
  const defaults = Object.fromEntries(Object.entries(doc).filter(([key]) => !(NAMED_KEYS as readonly string[]).includes(key)))
  const byName = new Map<string, Schedule>()
  for (const [name, entry] of Object.entries(schedules as Record<string, unknown>)) {
    const at = `schedules.${shortName(name)}`
    if (!SCHEDULE_NAME.test(name)) fail(['schedules', name], at, `${show(name)} is not a schedule name`, NAME_HINT)
    if (!isMapping(entry)) {
      fail(['schedules', name], at, `expected a schedule (a mapping with "default" and "rules"), found ${kindOf(entry)}`, 'Indent the schedule\'s fields under its name, e.g. "    default: { kpu: 2 }".')
    }
    try {
      byName.set(name, parseScheduleMapping({ ...defaults, ...(entry as Record<string, unknown>) }))
    } catch (error) {
      if (!(error instanceof ScheduleFieldError)) throw error
      const path = pathOf(error.where)
      // A field the schedule takes from the top level is wrong there, for every schedule that does.
      const inherited = typeof path[0] === 'string' && !(path[0] in (entry as object)) && path[0] in defaults
      if (inherited) fail(path, `${pathText(path)} (a top-level default, in ${at})`, error.problem, error.hint)
      // The single parser's top level is the named schedule's own.
      const problem = error.problem === 'unknown field in the top level' ? 'unknown field in a schedule' : error.problem
      fail(['schedules', name, ...path], path.length > 0 ? `${at}.${pathText(path)}` : at, problem, error.hint)
    }
  }
  const named: NamedSchedules = { byName }
  const chosen = doc['default-schedule']
  if (chosen !== undefined) {
    if (typeof chosen !== 'string' || !byName.has(chosen)) {
      fail(['default-schedule'], 'default-schedule', `${show(chosen)} is not one of the schedules (${[...byName.keys()].join(', ')})`, 'Name one of the schedules under "schedules:".')
    }
    named.defaultSchedule = chosen as string
  }
  return named
}

/**
 * The place a single-schedule error names, as a path: `field "lead"` → [lead],
 * `default, field "kpu"` → [default, kpu], `rules[2] "name", field "from"` → [rules, 2, from].
 */
function pathOf(where: string): Path {
  const path: Path = []
  const rule = /^rules\[(\d+)\]/.exec(where)
  if (rule) path.push('rules', Number(rule[1]))
  else {
    const head = /^([a-z][a-z-]*)(?:,|$)/.exec(where)
    if (head) path.push(head[1])
  }
  const field = /field "([^"]+)"$/.exec(where)
  if (field) path.push(field[1])
  return path
}

/** [rules, 0, from] → rules[0].from */
function pathText(path: Path): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i > 0 ? '.' : ''}${step}`)).join('')
}

/** The line (from 1) of the deepest place of `path` that exists in the text (with `exact`, only of the place itself), as `{ line }`, or nothing. */
function lineField(text: string, path: Path, exact = false): { line?: number } {
  const line = lineAt(text, path, exact)
  return line === undefined ? {} : { line }
}

/** The line of a named schedule's field: its own, else the top-level default it takes, as `{ line }`. */
export function namedLine(text: string, name: string, field: string): { line?: number } {
  const own = lineField(text, ['schedules', name, field], true)
  return own.line === undefined ? lineField(text, [field], true) : own
}

// ---------------------------------------------------------------------------------------------

/** A name as an error shows it in a path: as is when it is one, else quoted short. */
function shortName(name: string): string {
  return SCHEDULE_NAME.test(name) && name.length <= 60 ? name : show(name)
}
