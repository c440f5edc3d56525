/**
 * Suggested schedules, end to end: the bundle reads weeks of the emulator's synthesised history
 * (KPUs, containerCPUUtilization Maximum and p90, hourly) and proposes a schedule per application,
 * changing nothing. The proposal, fed back into the action as it stands, gives the targets the
 * history asked for; metrics IAM denies, or too short a history, fail with what to do; a fleet's
 * histories are read in as few GetMetricData requests as the API allows.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import { parse } from 'yaml'
import { loadCurves, type Emulator, type LoadCurve, type SeedApplication } from '../../emulator/index.js'
import type { ActionRun } from '../../runner/run-action.js'
import { parseScheduleText } from '../../src/schedule/named-parser.js'
import { ROOT } from '../../scripts/validate-workflows.js'
import { expectWith } from '../fixtures/expect-with.js'
import { acceptedUpdates, emulatorWith, errors, results, run, type Result } from './support.js'

const LA = 'America/Los_Angeles'
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schedule.schema.json'), 'utf8')) as { $id: string }
const validate = new Ajv({ allErrors: true }).compile(schema)

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

/**
 * Loads that need, at 60% of CPU p90 (the containers spread 6 points around the job's average):
 * orders (20 KPUs) 12 KPU on weekdays 08-18, 16 for Saturday's 01-05 batch and 3 otherwise;
 * fraud (12 KPUs) 10 KPU every night 01-05 and 2 otherwise; clicks (4 KPUs at 2 a KPU) 3 KPU flat.
 */
const ordersLoad = (zone: string): LoadCurve => loadCurves.weekly({ zone, load: (day, hour) => (day <= 5 && hour >= 8 && hour < 18 ? 6.5 : day === 6 && hour >= 1 && hour < 5 ? 8.8 : 1) })
const fraudLoad = (zone: string): LoadCurve => loadCurves.weekly({ zone, load: (_day, hour) => (hour >= 1 && hour < 5 ? 5.5 : 0.6) })

const fleet = (): SeedApplication[] => [
  { name: 'orders', parallelism: 20, tags: { 'flink-schedule': 'orders' }, history: { curve: ordersLoad(LA), days: 29 } },
  // Created 20 days ago: 8 of the 28 days have no data.
  { name: 'clicks', parallelism: 8, parallelismPerKpu: 2, tags: { 'flink-schedule': 'clicks' }, history: { curve: loadCurves.constant(1.5), days: 20 } },
  { name: 'fraud', parallelism: 12, tags: { 'flink-schedule': 'fraud' }, history: { curve: fraudLoad(LA), days: 29 } }
]

const BESIDE = `timezone: ${LA}\ndefault: { kpu: 4 }\n`
const metricReads = (em: Emulator) => em.requests.filter((r) => r.service === 'cloudwatch' && r.operation === 'GetMetricData')
/** The GetMetricData requests sent: a request the SDK sent again (its answer came too late on a busy machine) counts once. */
const metricRequests = (em: Emulator) => new Set(metricReads(em).map((r) => JSON.stringify(r.body))).size
const writes = (em: Emulator) => em.requests.filter((r) => r.service === 'kinesisanalytics' && ['UpdateApplication', 'TagResource', 'UntagResource'].includes(r.operation ?? ''))
const byName = (result: ActionRun): Record<string, Result> => Object.fromEntries(results(result).map((r) => [r.application, r]))

/** The suggested-schedule output: accepted by the parser and by the JSON Schema, as it stands. */
function expectValid(yaml: string, context: string): void {
  expectWith(yaml.split('\n')[0], context).toBe(`# yaml-language-server: $schema=${schema.$id}`)
  expectWith(() => parseScheduleText(yaml, 'suggested-schedule'), context).not.toThrow()
  expectWith(validate(parse(yaml)) ? [] : validate.errors, context).toEqual([])
}

describe('suggest: 28d over three applications', () => {
  it('proposes each its schedule, in the zone of the schedule beside it, and changes nothing', async () => {
    emulator = await emulatorWith({ applications: fleet() })
    const suggested = await run(emulator, { 'application-name': 'orders\nclicks\nfraud', region: 'us-east-1', suggest: '28d', schedule: BESIDE, 'kpu-hour-price': '0.11' })
    expectWith(suggested.exitCode, suggested.stdout).toBe(0)
    expect(errors(suggested)).toEqual([])
    expect(suggested.annotations.filter((a) => a.level === 'warning')).toEqual([])
    // Nothing written: no update, no tag, no hold.
    expect(writes(emulator)).toEqual([])
    expect(acceptedUpdates(emulator)).toEqual([])
    expect(emulator.application('orders').tags).toEqual({ 'flink-schedule': 'orders' })
    // Three applications × three statistics × 672 hours: one request.
    expect(metricRequests(emulator)).toBe(1)
    expect(suggested.outputs.changed).toBe('false')

    const yaml = suggested.outputs['suggested-schedule']
    expectValid(yaml, yaml)
    const file = parseScheduleText(yaml, 'suggested-schedule')
    expect([...file.named!.byName.keys()]).toEqual(['orders', 'clicks', 'fraud'])
    for (const schedule of file.named!.byName.values()) expect(schedule.timezone).toBe(LA)
    expect(yaml).toContain('- { name: "Mon-Fri 08-18", days: Mon-Fri, from: "08:00", to: "18:00", kpu: 12 }')

    const { orders, clicks, fraud } = byName(suggested)
    expect(orders).toMatchObject({
      action: 'skipped',
      status: 'RUNNING',
      previousParallelism: 20,
      parallelismPerKpu: 1,
      suggestion: { schedule: 'orders', kpus: [3, 12, 16], hours: 672, carried: 672, hoursWithoutData: 0, cost: { price: 0.11 } }
    })
    expect(orders.reason).toMatch(/^Suggested 3 KPU, 16 KPU Sat 01-05 and 12 KPU Mon-Fri 08-18 from 672 hours of metrics: it would have carried 100% of them at or under 60% CPU, .*; nothing was changed\.$/)
    // What ran: 20 KPUs all 672 hours; flat at the peak, 16.
    expect(orders.suggestion!.kpuHours).toMatchObject({ used: 20 * 672, flat: 16 * 672 })
    expect(clicks).toMatchObject({ action: 'skipped', suggestion: { kpus: [3], hoursWithoutData: 8 * 24, hours: 20 * 24 } })
    expect(fraud).toMatchObject({ action: 'skipped', suggestion: { kpus: [2, 10] } })

    // The summary: the figures, the week drawn, the YAML to commit.
    expect(suggested.summary).toContain('**Suggestion**: nothing was changed.')
    expect(suggested.summary).toContain('### The schedule to commit')
    expect(suggested.summary).toContain(`\`\`\`yaml\n# yaml-language-server: $schema=${schema.$id}`)
    expect(suggested.summary).toContain('| Hours without data | 192 of 672: the application was stopped, or did not exist yet; left out of every figure |')
    expect(suggested.summary).toContain('| Cost at 0.11 per KPU-hour |')
    expect(suggested.summary).toMatch(/```text\nAmerica\/Los_Angeles, 2 columns an hour; █ = 16 KPU/)
    expect(suggested.stdout).toContain('::group::The suggested schedules (the suggested-schedule output)')

    // Committed as it stands, each application tagged with its schedule's name: the targets the history asked for.
    const targets = async (at: string) => {
      const next = await run(emulator!, { schedule: yaml, 'select-by-tag': 'flink-schedule', region: 'us-east-1', 'dry-run': 'true', at })
      expectWith(next.exitCode, next.stdout).toBe(0)
      return Object.fromEntries(results(next).map((r) => [r.application, r.targetParallelism]))
    }
    expect(await targets('2026-12-02T09:30:00-08:00')).toEqual({ orders: 12, clicks: 6, fraud: 2 })
    expect(await targets('2026-12-05T02:30:00-08:00')).toEqual({ orders: 16, clicks: 6, fraud: 10 })
    expect(await targets('2027-07-14T20:00:00-07:00')).toEqual({ orders: 3, clicks: 6, fraud: 2 })
    expect(await targets('2027-07-14T04:59:00-07:00')).toEqual({ orders: 3, clicks: 6, fraud: 10 })
    expect(acceptedUpdates(emulator)).toEqual([])
  })
})

describe('suggest for one application', () => {
  it('a single schedule, in UTC without a schedule beside it, that the action then follows', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'fraud', parallelism: 12, history: { curve: fraudLoad('UTC'), days: 15 } }] })
    const suggested = await run(emulator, { 'application-name': 'fraud', region: 'us-east-1', suggest: '14d' })
    expectWith(suggested.exitCode, suggested.stdout).toBe(0)
    const yaml = suggested.outputs['suggested-schedule']
    expectValid(yaml, yaml)
    expect(parseScheduleText(yaml, 'suggested-schedule').schedule).toMatchObject({ timezone: 'UTC', default: { kpu: 2 } })
    expect(yaml).toContain('timezone: UTC\ndefault: { kpu: 2 }\nrules:\n  - { name: "daily 01-05", from: "01:00", to: "05:00", kpu: 10 }\n')
    expect(suggested.summary).toContain('Save it as `.github/flink-schedule.yml`')
    expect(suggested.summary).not.toContain('Cost at')
    // No schedule gave the zone: said as a warning, in the log and at the top of the summary.
    expect(suggested.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([expect.stringMatching(/^No schedule was given beside suggest, so the proposal is in UTC/)])
    expect(suggested.summary).toContain('> [!WARNING]')

    const at = async (instant: string) => {
      const next = await run(emulator!, { 'application-name': 'fraud', region: 'us-east-1', schedule: yaml, 'dry-run': 'true', at: instant })
      return results(next)[0]
    }
    expect(await at('2026-12-09T03:00:00Z')).toMatchObject({ action: 'planned', targetParallelism: 10, rule: 'daily 01-05' })
    expect(await at('2026-12-09T05:00:00Z')).toMatchObject({ action: 'planned', targetParallelism: 2, rule: 'default' })
    expect(writes(emulator)).toEqual([])
  })
})

describe('what fails says what to do', () => {
  it('IAM denies cloudwatch:GetMetricData: each application fails, naming the permission, and nothing else is done', async () => {
    emulator = await emulatorWith({ applications: fleet() })
    emulator.faults.set({ service: 'cloudwatch', operation: 'GetMetricData', accessDenied: true })
    const denied = await run(emulator, { 'application-name': 'orders\nfraud', region: 'us-east-1', suggest: '28d' })
    expect(denied.exitCode).toBe(1)
    expect(denied.outputs['suggested-schedule']).toBe('')
    expect(results(denied).map((r) => r.action)).toEqual(['failed', 'failed'])
    for (const r of results(denied)) {
      expect(r.error).toContain('IAM denied cloudwatch:GetMetricData in us-east-1')
      expect(r.hint).toContain('Allow cloudwatch:GetMetricData')
    }
    expect(errors(denied).map((a) => a.title)).toEqual(['orders (us-east-1): no schedule suggested', 'fraud (us-east-1): no schedule suggested'])
    expect(denied.summary).toContain('**No schedule suggested: orders and fraud failed**')
    expect(metricReads(emulator)).toHaveLength(1)
    expect(writes(emulator)).toEqual([])
  })

  it('less than a week of data fails with how much there was; the others are still suggested', async () => {
    emulator = await emulatorWith({
      applications: [...fleet().slice(0, 1), { name: 'newcomer', parallelism: 4, history: { curve: loadCurves.constant(1), days: 5 } }]
    })
    const short = await run(emulator, { 'application-name': 'orders\nnewcomer', region: 'us-east-1', suggest: '28d', schedule: BESIDE })
    expect(short.exitCode).toBe(1)
    const { orders, newcomer } = byName(short)
    expect(orders.action).toBe('skipped')
    expect(newcomer).toMatchObject({ action: 'failed', error: 'Application "newcomer" has metrics for 5 days of the 28 days looked back on; a suggestion needs at least 7 days of them.' })
    // Two applications asked for: named schedules, with the one that could be suggested.
    const yaml = short.outputs['suggested-schedule']
    expectValid(yaml, yaml)
    expect([...parseScheduleText(yaml, 'suggested-schedule').named!.byName.keys()]).toEqual(['orders'])
    expect(short.summary).toContain('Suggested a schedule for orders: 3-16 KPU, 2 rules; newcomer failed')
  })

  it('an application that does not exist fails like any other run says it, and costs no CloudWatch read', async () => {
    emulator = await emulatorWith({ applications: [] })
    const missing = await run(emulator, { 'application-name': 'ghost', region: 'us-east-1', suggest: '28d' })
    expect(missing.exitCode).toBe(1)
    expect(results(missing)[0]).toMatchObject({ application: 'ghost', action: 'failed' })
    expect(metricReads(emulator)).toHaveLength(0)
  })
})

describe('a fleet', () => {
  it('23 applications over 63 days: two GetMetricData requests (22 applications × 3 queries × 1,512 hours fill one)', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `job-${String(i + 1).padStart(2, '0')}`)
    emulator = await emulatorWith({ applications: names.map((name) => ({ name, parallelism: 4, history: { curve: loadCurves.constant(1 + (names.indexOf(name) % 3)), days: 64 } })) })
    const suggested = await run(emulator, { 'application-name': names.join('\n'), region: 'us-east-1', suggest: '63d' })
    expectWith(suggested.exitCode, suggested.stdout).toBe(0)
    expect(metricRequests(emulator)).toBe(2)
    expect(results(suggested).every((r) => r.action === 'skipped' && r.suggestion?.hours === 63 * 24)).toBe(true)
    const yaml = suggested.outputs['suggested-schedule']
    expectValid(yaml, yaml.slice(0, 400))
    expect(parseScheduleText(yaml, 'suggested-schedule').named!.byName.size).toBe(23)
    // Folded: 23 sections in <details>, the overview table first.
    expect(suggested.summary.match(/<details>/g)!.length).toBeGreaterThanOrEqual(23)
  })
})
