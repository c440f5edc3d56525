/**
 * npm run validate: checks action.yml against the published github-action JSON schema, and every
 * workflow (.github/workflows/*.yml and the workflows in examples/) against the github-workflow
 * schema. The schemas are SchemaStore's, vendored in scripts/schemas/ so this runs offline.
 *
 * Steps that use this action (`uses: ./` or `uses: <owner>/flink-scheduled-scaler@<ref>`) are also
 * checked against action.yml: every `with:` key is an input, required inputs are given, and every
 * `steps.<id>.outputs.<name>` of such a step is an output. Schedules in examples/ are not
 * workflows; __tests__/workflows.test.ts parses them with the schedule parser.
 *
 * Beyond the schema, what GitHub accepts on push but refuses when the workflow runs: `queue: max`
 * with `cancel-in-progress: true`, an `on.schedule[].timezone` that is not an IANA zone, and a job
 * whose concurrency group is the workflow's own (the run would wait on itself).
 *
 * Exits 1 and lists each problem when anything is invalid.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { IANAZone } from 'luxon'
import { parse } from 'yaml'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SCHEMAS = path.join(ROOT, 'scripts', 'schemas')

export interface Problem {
  /** Path relative to the repository root. */
  file: string
  message: string
}

export interface Validation {
  /** Every file checked, relative to the repository root. */
  checked: string[]
  problems: Problem[]
}

type Kind = 'action' | 'workflow'

let validators: Record<Kind, ValidateFunction> | undefined

function validator(kind: Kind): ValidateFunction {
  validators ??= (() => {
    // The schemas use draft-07 and editor-only keywords (markdownDescription, ...): strict mode would refuse them.
    const ajv = new Ajv({ allErrors: true, strict: false })
    const load = (file: string) => ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')))
    return { action: load('github-action.json'), workflow: load('github-workflow.json') }
  })()
  return validators[kind]
}

/** Schema problems of one parsed document, as readable lines (deepest first, deduplicated). */
export function schemaProblems(kind: Kind, document: unknown): string[] {
  const validate = validator(kind)
  if (validate(document)) return []
  return readable(validate.errors ?? [])
}

/**
 * ajv reports every failed branch of the schema's oneOf/anyOf alternatives. The deepest errors are
 * the ones that point at the mistake; the branch noise at the parents is left out.
 */
function readable(errors: ErrorObject[]): string[] {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length
  // Grouped by where they are (e.g. /jobs/test, /on/schedule), so a mistake in one job does not hide another's.
  const group = (e: ErrorObject) => e.instancePath.split('/').slice(0, 3).join('/')
  const deepest = new Map<string, number>()
  for (const e of errors) deepest.set(group(e), Math.max(deepest.get(group(e)) ?? 0, depth(e)))
  // A value of the wrong type or enum at a place with errors deeper down: another alternative's complaint.
  const hasDeeper = (e: ErrorObject) => errors.some((other) => other.instancePath.startsWith(`${e.instancePath}/`))
  const lines = errors
    .filter((e) => depth(e) >= deepest.get(group(e))! - 1 && !['oneOf', 'anyOf', 'allOf', 'if'].includes(e.keyword))
    .filter((e) => !(['type', 'enum', 'const'].includes(e.keyword) && hasDeeper(e)))
    .sort((a, b) => depth(b) - depth(a))
    .map((e) => {
      const where = e.instancePath === '' ? '(top level)' : e.instancePath.replace(/~1/g, '/')
      const detail =
        e.keyword === 'additionalProperties'
          ? `: "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : e.keyword === 'enum'
            ? `: ${allowed((e.params as { allowedValues: unknown[] }).allowedValues)}`
            : ''
      return `${where} ${e.message}${detail}`
    })
  return [...new Set(lines)].slice(0, 8)
}

function allowed(values: unknown[]): string {
  return values.length <= 8 ? values.map(String).join(', ') : `${values.slice(0, 8).map(String).join(', ')}, ... (${values.length} values)`
}

interface ActionSpec {
  inputs: Record<string, { required?: boolean; default?: string }>
  outputs: Record<string, unknown>
}

interface Step {
  id?: string
  uses?: string
  with?: Record<string, unknown>
}

type Concurrency = string | { group?: unknown; 'cancel-in-progress'?: unknown; queue?: unknown }

interface Workflow {
  on?: unknown
  concurrency?: Concurrency
  jobs?: Record<string, { steps?: Step[]; outputs?: Record<string, string>; concurrency?: Concurrency }>
}

const THIS_ACTION = /^(\.\/?|[\w.-]+\/flink-scheduled-scaler@.+)$/

/** Steps that use this action: inputs and outputs must be the ones action.yml declares. */
export function usageProblems(workflow: Workflow, action: ActionSpec): string[] {
  const problems: string[] = []
  for (const [jobName, job] of Object.entries(workflow.jobs ?? {})) {
    const ours = new Set<string>()
    for (const [index, step] of (job.steps ?? []).entries()) {
      if (typeof step.uses !== 'string' || !THIS_ACTION.test(step.uses)) continue
      const where = `jobs.${jobName}.steps[${index}]${step.id ? ` (${step.id})` : ''}`
      if (step.id) ours.add(step.id)
      const given = Object.keys(step.with ?? {})
      for (const name of given) {
        if (!(name in action.inputs)) problems.push(`${where}: "${name}" is not an input of action.yml`)
      }
      for (const [name, spec] of Object.entries(action.inputs)) {
        if (spec.required && !given.includes(name)) problems.push(`${where}: required input "${name}" is missing`)
      }
    }
    const text = JSON.stringify(job)
    for (const match of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      const [, id, output] = match
      if (ours.has(id) && !(output in action.outputs)) {
        problems.push(`jobs.${jobName}: steps.${id}.outputs.${output} is not an output of action.yml`)
      }
    }
  }
  return problems
}

/**
 * What the schema lets through and GitHub refuses when the workflow runs: its documented rules on
 * `concurrency` and `on.schedule` (control the concurrency of workflows and jobs; events that
 * trigger workflows: schedule).
 */
export function runtimeProblems(workflow: Workflow): string[] {
  const problems: string[] = []
  const concurrencies: [string, Concurrency | undefined][] = [
    ['concurrency', workflow.concurrency],
    ...Object.entries(workflow.jobs ?? {}).map(([name, job]): [string, Concurrency | undefined] => [`jobs.${name}.concurrency`, job?.concurrency])
  ]
  for (const [where, concurrency] of concurrencies) {
    if (typeof concurrency !== 'object' || concurrency === null) continue
    // An expression is decided at run time; only a literal true is known to clash.
    const cancels = concurrency['cancel-in-progress'] === true || concurrency['cancel-in-progress'] === 'true'
    if (concurrency.queue === 'max' && cancels) {
      problems.push(`${where}: queue: max cannot be combined with cancel-in-progress: true (GitHub refuses the workflow); set cancel-in-progress: false`)
    }
  }

  const workflowGroup = groupOf(workflow.concurrency)
  if (workflowGroup !== undefined) {
    for (const [where, concurrency] of concurrencies.slice(1)) {
      // Group names are case-insensitive.
      if (groupOf(concurrency)?.toLowerCase() === workflowGroup.toLowerCase()) {
        problems.push(
          `${where}: the group "${workflowGroup}" is also the workflow's: the job would wait on its own run, which GitHub cancels; give the job another group or drop one of them`
        )
      }
    }
  }

  const schedule = typeof workflow.on === 'object' && workflow.on !== null ? (workflow.on as { schedule?: unknown }).schedule : undefined
  for (const [index, entry] of (Array.isArray(schedule) ? schedule : []).entries()) {
    const zone = (entry as { timezone?: unknown } | null)?.timezone
    if (zone === undefined) continue
    if (typeof zone !== 'string' || !isIanaZone(zone)) {
      problems.push(`on.schedule[${index}].timezone: "${String(zone)}" is not an IANA time zone (e.g. America/Los_Angeles, Europe/Berlin, UTC); GitHub would not run the schedule`)
    }
  }
  return problems
}

function groupOf(concurrency: Concurrency | undefined): string | undefined {
  if (typeof concurrency === 'string') return concurrency
  return typeof concurrency?.group === 'string' ? concurrency.group : undefined
}

/** A zone name of the time-zone database, as the schedule engine checks its own `timezone` (newer runtimes also take offsets such as +01:00: not a zone). */
function isIanaZone(zone: string): boolean {
  return IANAZone.isValidZone(zone) && !/^[+-]\d/.test(zone.trim())
}

/** A parsed YAML file from the examples: a workflow, a schedule, or neither. */
export function exampleKind(document: unknown): 'workflow' | 'schedule' | undefined {
  if (typeof document !== 'object' || document === null) return undefined
  if ('jobs' in document) return 'workflow'
  if ('default' in document || 'schedules' in document) return 'schedule'
  return undefined
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(path.join(ROOT, dir))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => path.join(dir, name))
  } catch {
    return []
  }
}

/** Validates action.yml and every workflow of the repository and of examples/. */
export function validateRepository(): Validation {
  const checked: string[] = []
  const problems: Problem[] = []
  const read = (file: string): unknown => {
    checked.push(file)
    try {
      return parse(readFileSync(path.join(ROOT, file), 'utf8'))
    } catch (error) {
      problems.push({ file, message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` })
      return undefined
    }
  }
  const report = (file: string, lines: string[]) => problems.push(...lines.map((message) => ({ file, message })))

  const action = read('action.yml') as ActionSpec | undefined
  if (action) report('action.yml', schemaProblems('action', action))

  const workflows = yamlFiles('.github/workflows')
  for (const file of yamlFiles('examples')) {
    const document = parse(readFileSync(path.join(ROOT, file), 'utf8'))
    const kind = exampleKind(document)
    if (kind === 'workflow') workflows.push(file)
    else if (kind === undefined) problems.push({ file, message: 'neither a workflow (no "jobs") nor a schedule (no "default" or "schedules")' })
  }
  for (const file of workflows) {
    const workflow = read(file) as Workflow | undefined
    if (workflow === undefined) continue
    report(file, schemaProblems('workflow', workflow))
    report(file, runtimeProblems(workflow))
    if (action) report(file, usageProblems(workflow, action))
  }
  return { checked, problems }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { checked, problems } = validateRepository()
  for (const problem of problems) console.error(`${problem.file}: ${problem.message}`)
  if (problems.length > 0) {
    const files = new Set(problems.map((p) => p.file)).size
    console.error(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} of ${checked.length} files.`)
    process.exit(1)
  }
  console.log(`${checked.length} files valid: ${checked.join(', ')}`)
}
