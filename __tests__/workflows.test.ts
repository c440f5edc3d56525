/**
 * What users copy must work: every schedule in examples/ parses and asks for what its comments and
 * the docs say; every workflow (ours and the examples) passes the published JSON schemas and
 * uses only the inputs and outputs action.yml declares; the YAML snippets of the README and docs/ are valid.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { yamlBlocks } from './fixtures/documentation.js'
import { expectWith } from './fixtures/expect-with.js'
import { parse } from 'yaml'
import { describeTarget, evaluate, parseSchedule } from '../src/schedule/schedule.js'
import { withHolidays } from '../src/schedule/holidays.js'
import { exampleKind, ROOT, schemaProblems, usageProblems, validateRepository } from '../scripts/validate-workflows.js'

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')
const examples = readdirSync(path.join(ROOT, 'examples')).filter((name) => name.endsWith('.yml'))
const scheduleFiles = examples.filter((name) => name.includes('schedule') && exampleKind(parse(read(`examples/${name}`))) === 'schedule')

describe('example schedules', () => {
  it('every examples/*schedule*.yml is a schedule, not a workflow', () => {
    expect(scheduleFiles.length).toBeGreaterThanOrEqual(4)
    expect(examples.filter((name) => name.includes('schedule'))).toEqual(scheduleFiles)
  })

  it.each(scheduleFiles)('examples/%s parses', (name) => {
    expect(() => parseSchedule(read(`examples/${name}`), `examples/${name}`)).not.toThrow()
  })

  // The worked examples of docs/schedule.md: an instant with its offset, the rule that applies and its target.
  const cases: Record<string, [string, string, string][]> = {
    'flink-schedule.yml': [
      ['2026-12-02T09:00:00-08:00', 'weekday-daytime', '20 KPU'],
      ['2026-12-02T18:05:00-08:00', 'default', '10 KPU'],
      ['2026-12-05T12:00:00-08:00', 'default', '10 KPU'],
      ['2026-11-27T03:00:00-08:00', 'black-friday', '40 KPU'],
      // Summer time: 05:05 in Los Angeles is 12:05 UTC; 20 minutes of lead make it 11:45.
      ['2026-07-01T11:45:00Z', 'weekday-daytime', '20 KPU'],
      ['2026-07-01T11:44:00Z', 'default', '10 KPU'],
      // US public holidays stay at the default: Thanksgiving, and Independence Day observed on Friday.
      ['2026-11-26T09:00:00-08:00', 'default', '10 KPU'],
      ['2026-07-03T09:00:00-07:00', 'default', '10 KPU']
    ],
    'business-hours.schedule.yml': [
      ['2026-12-07T06:30:00-05:00', 'monday-catch-up', '12 KPU'],
      ['2026-12-07T10:00:00-05:00', 'business-hours', '8 KPU'],
      ['2026-12-08T07:59:00-05:00', 'default', '2 KPU'],
      ['2026-12-08T08:00:00-05:00', 'business-hours', '8 KPU'],
      ['2026-12-08T19:00:00-05:00', 'default', '2 KPU'],
      ['2026-12-12T12:00:00-05:00', 'default', '2 KPU']
    ],
    'night-batch.schedule.yml': [
      ['2026-12-03T12:00:00+01:00', 'default', 'parallelism 4'],
      ['2026-12-03T22:00:00+01:00', 'nightly-batch', 'parallelism 16'],
      ['2026-12-04T05:59:00+01:00', 'nightly-batch', 'parallelism 16'],
      // Friday's batch runs into Saturday morning: it is listed before the weekend rule.
      ['2026-12-05T05:59:00+01:00', 'nightly-batch', 'parallelism 16'],
      ['2026-12-05T06:00:00+01:00', 'weekend', 'parallelism 2'],
      // Sunday night is not a batch night: Monday 00:00-06:00 belongs to Sunday.
      ['2026-12-07T03:00:00+01:00', 'default', 'parallelism 4'],
      // Summer time in Berlin: 22:00 is 20:00 UTC.
      ['2026-07-01T20:00:00Z', 'nightly-batch', 'parallelism 16']
    ],
    'sale-weekend-and-holidays.schedule.yml': [
      ['2026-11-26T12:00:00-08:00', 'holidays', '4 KPU'],
      ['2026-11-26T20:00:00-08:00', 'sale-warm-up', '40 KPU'],
      ['2026-11-28T03:00:00-08:00', 'black-friday-weekend', '40 KPU'],
      ['2026-11-30T23:59:00-08:00', 'black-friday-weekend', '40 KPU'],
      ['2026-12-01T00:00:00-08:00', 'default', '10 KPU'],
      ['2026-12-01T09:00:00-08:00', 'weekday-daytime', '20 KPU'],
      ['2026-12-25T10:00:00-08:00', 'holidays', '4 KPU'],
      ['2027-01-01T10:00:00-08:00', 'holidays', '4 KPU']
    ]
  }

  it.each(Object.entries(cases))('examples/%s asks for what the docs say', async (name, rows) => {
    const schedule = await withHolidays(parseSchedule(read(`examples/${name}`), name), name)
    for (const [at, rule, target] of rows) {
      const match = evaluate(schedule, new Date(at))
      expect({ at, rule: match.rule, target: describeTarget(match.target) }).toEqual({ at, rule, target })
    }
  })
})

describe('workflows and action.yml', () => {
  it('pass the published JSON schemas and use only what action.yml declares (npm run validate)', () => {
    const { checked, problems } = validateRepository()
    expect(problems).toEqual([])
    expect(checked).toContain('action.yml')
    expect(checked).toContain('.github/workflows/ci.yml')
    const workflowExamples = examples.filter((name) => !scheduleFiles.includes(name)).map((name) => `examples/${name}`)
    expect(workflowExamples.length).toBeGreaterThanOrEqual(6)
    for (const file of workflowExamples) expect(checked).toContain(file)
  })

  it('the validator reports what is wrong', () => {
    const workflow = parse(`
on:
  schedule:
    - cron: "7 * * * *"
      time-zone: Europe/Berlin
jobs:
  scale:
    runs-on: ubuntu-latest
    steps:
      - id: scale
        uses: ./
        with: { schedul: "default: { kpu: 1 }" }
      - run: echo "\${{ steps.scale.outputs.change }}"
`)
    expect(schemaProblems('workflow', workflow)).toEqual(['/on/schedule/0 must NOT have additional properties: "time-zone"'])
    const action = parse(read('action.yml'))
    expect(usageProblems(workflow, action)).toEqual([
      'jobs.scale.steps[0] (scale): "schedul" is not an input of action.yml',
      'jobs.scale: steps.scale.outputs.change is not an output of action.yml'
    ])
    // application-name is optional for check-only; an action with a required input shows the check.
    const requiring = { ...action, inputs: { ...action.inputs, 'application-name': { ...action.inputs['application-name'], required: true } } }
    expect(usageProblems(workflow, requiring)).toContain('jobs.scale.steps[0] (scale): required input "application-name" is missing')
    expect(schemaProblems('action', { ...action, runs: { using: 'node18', main: 'dist/index.js' } })[0]).toMatch(/^\/runs\/using must be equal to one of the allowed values/)
  })

  it('accepts on.schedule[].timezone', () => {
    const workflow = parse(read('examples/scaling.yml'))
    expect(workflow.on.schedule[0].timezone).toBe('America/Los_Angeles')
    expect(schemaProblems('workflow', workflow)).toEqual([])
  })
})

describe('the README and docs/', () => {
  // Recipes are often fragments of a workflow.
  const blocks = yamlBlocks().map((block) => block.text)

  it('every schedule snippet parses', () => {
    const schedules = blocks.filter((block) => /^default:/m.test(block))
    expect(schedules.length).toBeGreaterThanOrEqual(5)
    for (const block of schedules) expectWith(() => parseSchedule(block, 'the documentation'), block).not.toThrow()
  })

  it('every complete workflow snippet passes the schema and uses only declared inputs', () => {
    const workflows = blocks.filter((block) => /^on:/m.test(block) && /^jobs:/m.test(block)).map((block) => parse(block))
    expect(workflows.length).toBeGreaterThanOrEqual(2)
    const action = parse(read('action.yml'))
    for (const workflow of workflows) {
      expect(schemaProblems('workflow', workflow)).toEqual([])
      expect(usageProblems(workflow, action)).toEqual([])
    }
  })
})
