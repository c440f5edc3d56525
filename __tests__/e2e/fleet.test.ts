/**
 * Fleets, end to end: 60 applications across three regions in one run, with a mix of faults.
 * Every update is issued before any is followed, each result is right, each failure stays its
 * own; and a run killed while following leaves every accepted update and hold in place.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { EMULATOR_ACCOUNT_ID, type Emulator, type SeedApplication } from '../../emulator/index.js'
import { ROOT } from '../../runner/run-action.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, acceptedUpdates, calls, emulatorWith, errors, eventually, results, run } from './support.js'

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2']
/** At WEDNESDAY_NIGHT the sample schedule asks for 10 KPU: parallelism 10 at one per KPU. */
const TARGET = 10

const started: Emulator[] = []
const scratch: string[] = []
afterAll(async () => {
  await Promise.all(started.map((e) => e.stop()))
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})

const arn = (seed: SeedApplication) => `arn:aws:kinesisanalytics:${seed.region}:${EMULATOR_ACCOUNT_ID}:application/${seed.name}`

/** `count` applications named `prefix-NN`, spread over the regions, RUNNING at parallelism 4. */
function seeds(prefix: string, count: number, extra: Partial<SeedApplication> = {}): SeedApplication[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i + 1).padStart(2, '0')}`,
    region: REGIONS[i % REGIONS.length],
    parallelism: 4,
    ...extra
  }))
}

describe('a fleet of 60 applications in three regions', () => {
  it.concurrent('one pass: every result right, every failure isolated, every update issued before any is followed', async () => {
    const plain = seeds('plain', 40)
    const throttled = seeds('throttled', 4)
    const failing = seeds('failing', 4)
    const conflicting = seeds('conflicting', 4)
    const stopped = seeds('stopped', 4, { status: 'READY' })
    const denied = seeds('denied', 4)
    const fleet = [...plain, ...throttled, ...failing, ...conflicting, ...stopped, ...denied]
    const emulator = await emulatorWith({ applications: fleet, updateDurationMs: 1_500 })
    started.push(emulator)
    for (const app of throttled) emulator.faults.set({ application: app.name, operation: 'DescribeApplication', throttle: 3 })
    for (const app of failing) emulator.faults.failNextUpdate(app.name, { outcome: 'rollback', region: app.region, errorString: `${app.name} could not start at the target` })
    for (const app of conflicting) emulator.faults.raceNextUpdate(app.name, { parallelism: 6, instant: true, region: app.region })
    for (const app of denied) emulator.faults.set({ application: app.name, operation: 'UpdateApplication', accessDenied: true })

    const result = await run(emulator, { 'application-name': fleet.map(arn).join('\n'), schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT })

    const byName = new Map(results(result).map((r) => [r.application, r]))
    expect(byName.size).toBe(60)
    for (const app of [...plain, ...throttled]) {
      expect(byName.get(app.name)).toMatchObject({ action: 'updated', region: app.region, previousParallelism: 4, targetParallelism: TARGET })
      expect(emulator.application(app.name, app.region).parallelism.parallelism).toBe(TARGET)
    }
    // Someone else changed these first (to 6): described again, decided again, scaled from there.
    for (const app of conflicting) {
      expect(byName.get(app.name)).toMatchObject({ action: 'updated', region: app.region, previousParallelism: 6, targetParallelism: TARGET })
      expect(emulator.application(app.name, app.region).parallelism.parallelism).toBe(TARGET)
    }
    for (const app of failing) {
      expect(byName.get(app.name)).toMatchObject({ action: 'failed', region: app.region })
      expect(byName.get(app.name)?.error).toContain(`${app.name} could not start at the target`)
    }
    for (const app of stopped) {
      expect(byName.get(app.name)).toMatchObject({ action: 'skipped', status: 'READY' })
    }
    for (const app of denied) {
      expect(byName.get(app.name)).toMatchObject({ action: 'failed' })
      expect(byName.get(app.name)?.hint).toContain('kinesisanalytics:UpdateApplication')
    }
    expect(result.exitCode).toBe(1)
    expect(result.outputs.changed).toBe('true')
    expect(errors(result)).toHaveLength(8)

    // Every update was issued before any was followed, whatever the faults of the others.
    const log = emulator.requests.filter((r) => r.service === 'kinesisanalytics')
    const lastUpdate = log.map((r) => r.operation).lastIndexOf('UpdateApplication')
    const firstFollow = log.findIndex((r) => r.operation === 'DescribeApplicationOperation')
    expect(lastUpdate).toBeLessThan(firstFollow)
    // One restart per application that was scaled (a conflict's own update included).
    expect(acceptedUpdates(emulator)).toHaveLength(plain.length + throttled.length + failing.length + conflicting.length)
    // Progress, as each application reaches its target.
    expect(result.stdout).toMatch(/^48\/52 at target: [\w-]+ 10 KPU after \d+s$/m)
    expect(result.summary).toContain('### What failed and how to fix it (8)')
    expect(result.summary).toContain('<summary>4 unchanged: already at target, or not RUNNING</summary>')
  })

  it.concurrent('a run killed while following leaves every accepted update and hold in place', async () => {
    const fleet = seeds('held', 12)
    const emulator = await emulatorWith({ applications: fleet, updateDurationMs: 8_000 })
    started.push(emulator)
    const dir = mkdtempSync(path.join(tmpdir(), 'flink-scaler-kill-'))
    scratch.push(dir)
    const entry = path.join(dir, 'killable.mjs')
    const killFile = path.join(dir, 'kill')
    writeFileSync(
      entry,
      `import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
setInterval(() => { if (existsSync(process.env.KILL_FILE)) process.kill(process.pid, 'SIGKILL') }, 20).unref()
await import(pathToFileURL(process.env.ACTION_ENTRY).href)
`
    )
    const killing = run(
      emulator,
      { 'application-name': fleet.map(arn).join('\n'), parallelism: '16', 'hold-until': '4h', 'wait-timeout-seconds': '600' },
      { entry, env: { KILL_FILE: killFile, ACTION_ENTRY: path.join(ROOT, 'dist', 'index.js'), GITHUB_EVENT_NAME: 'workflow_dispatch' } }
    )
    // Killed once it follows: the first DescribeApplicationOperation.
    await eventually(() => calls(emulator, 'DescribeApplicationOperation').length > 0, { timeout: 30_000, interval: 20 }).toBe(true)
    writeFileSync(killFile, '')
    const killed = await killing
    expect(killed.exitCode).toBe(-1)
    expect(killed.outputs.results).toBeUndefined()

    expect(acceptedUpdates(emulator)).toHaveLength(12)
    for (const app of fleet) {
      const state = emulator.application(app.name, app.region)
      expect(state.status).toBe('UPDATING')
      expect(state.parallelism.parallelism).toBe(16)
      expect(state.tags['scheduled-scaler:hold-parallelism']).toBe('16')
      expect(state.tags['scheduled-scaler:hold-actor']).toBe('octocat')
    }
  })

  it.concurrent('more failures than GitHub shows annotations: the tenth says how many more and points to the summary', async () => {
    const emulator = await emulatorWith({ applications: [] })
    started.push(emulator)
    const names = Array.from({ length: 12 }, (_, i) => `missing-${String(i + 1).padStart(2, '0')}`)
    const result = await run(emulator, { 'application-name': names.join('\n'), region: 'us-east-1', schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT })
    expect(result.exitCode).toBe(1)
    expect(results(result).every((r) => r.action === 'failed')).toBe(true)
    const annotations = errors(result)
    expect(annotations).toHaveLength(10)
    expect(annotations.slice(0, 9).map((a) => a.title)).toEqual(names.slice(0, 9).map((name) => `${name} (us-east-1): scaling failed`))
    expect(annotations[9].title).toBe('3 more applications failed')
    expect(annotations[9].message).toMatch(/^3 more applications failed: missing-10 \(us-east-1\), missing-11 \(us-east-1\), missing-12 \(us-east-1\)\. .*the job summary lists every failure with its fix\.$/)
    expect(result.summary).toContain('### What failed and how to fix it (12)')
  })
})

