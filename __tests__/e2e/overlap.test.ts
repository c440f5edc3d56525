/**
 * Runs that overlap or die: two runs of the bundled action started at the same moment against the
 * same application, and a run killed after its update was accepted. What must hold: at most one
 * update lands per change, the application restarts once per accepted update, the run that loses
 * says why, and the next run converges without a second restart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { expectWith } from '../fixtures/expect-with.js'
import type { Emulator, EmulatorOptions } from '../../emulator/index.js'
import { ROOT, type ActionRun } from '../../runner/run-action.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, acceptedUpdates, calls, emulatorWith, errors, eventually, results, run } from './support.js'

/** Emulators of the concurrent tests below, stopped (hung requests and all) when the file is done. */
const started: Emulator[] = []
afterAll(() => Promise.all(started.map((emulator) => emulator.stop())))
const scratch: string[] = []
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** At WEDNESDAY_NIGHT the sample schedule asks for parallelism 10; the manual run asks for 6. */
const SCHEDULED_TARGET = 10
const MANUAL_TARGET = 6
const scheduled = { 'application-name': 'orders', schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT }
const manual = { ...scheduled, parallelism: String(MANUAL_TARGET) }

async function emulatorFor(options: EmulatorOptions): Promise<Emulator> {
  const emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }], ...options })
  started.push(emulator)
  return emulator
}

/** Restarts the service went through for updates (the emulator's operations history). */
function restarts(emulator: Emulator): number {
  return emulator.application('orders').operations.filter((o) => o.operation === 'UpdateApplication').length
}

/**
 * Of two overlapping runs, exactly one updated and the other skipped because it found the
 * application mid-update (or, when it came late, already at the same target).
 */
function oneWinner(a: ActionRun, b: ActionRun): { winner: ActionRun; loser: ActionRun } {
  for (const r of [a, b]) {
    expectWith(errors(r), r.stdout).toEqual([])
    expect(r.exitCode).toBe(0)
  }
  const updated = [a, b].filter((r) => results(r)[0].action === 'updated')
  expectWith(updated, `${a.stdout}\n${b.stdout}`).toHaveLength(1)
  const winner = updated[0]
  const loser = winner === a ? b : a
  expect(winner.outputs.changed).toBe('true')
  expect(loser.outputs.changed).toBe('false')
  expect(results(loser)[0].action).toBe('skipped')
  return { winner, loser }
}

describe('two runs at the same moment', () => {
  it.concurrent('a scheduled run and a manual run with another target: one update lands, the other run skips naming UPDATING', async () => {
    // The restart outlasts the spread of the two process starts, so the runs truly overlap.
    const emulator = await emulatorFor({ updateDurationMs: 4_000 })
    const [a, b] = await Promise.all([run(emulator, scheduled), run(emulator, manual)])

    const { winner, loser } = oneWinner(a, b)
    expect(results(loser)[0]).toMatchObject({ status: 'UPDATING' })
    expect(results(loser)[0].reason).toMatch(/The application is UPDATING, not RUNNING/)
    expect(acceptedUpdates(emulator)).toHaveLength(1)
    expect(restarts(emulator)).toBe(1)
    const app = emulator.application('orders')
    expect(app.status).toBe('RUNNING')
    expect(app.parallelism.parallelism).toBe(results(winner)[0].targetParallelism)
  })

  it.concurrent('both describe RUNNING before either update lands: ConcurrentModificationException, describe again, skip', async () => {
    const emulator = await emulatorFor({ updateDurationMs: 4_000 })
    // Holding every UpdateApplication back lets both runs describe the same version first.
    emulator.faults.set({ operation: 'UpdateApplication', latencyMs: 2_000 })
    const [a, b] = await Promise.all([run(emulator, scheduled), run(emulator, manual)])

    const { loser } = oneWinner(a, b)
    const updates = calls(emulator, 'UpdateApplication')
    expect(updates.map((r) => r.errorType ?? String(r.status)).sort()).toEqual(['200', 'ConcurrentModificationException'])
    // Both updates carried the same token: both runs saw the same version.
    const tokens = updates.map((r) => (r.body as { ConditionalToken: string }).ConditionalToken)
    expect(tokens[0]).toBe(tokens[1])
    expect(loser.annotations).toContainEqual(
      expect.objectContaining({ level: 'warning', message: expect.stringMatching(/ConcurrentModificationException/) })
    )
    expect(results(loser)[0]).toMatchObject({ status: 'UPDATING' })
    expect(results(loser)[0].reason).toMatch(/UPDATING, not RUNNING/)
    expect(restarts(emulator)).toBe(1)
  })

  it.concurrent('two identical scheduled runs: exactly one update', async () => {
    const emulator = await emulatorFor({ updateDurationMs: 300 })
    const [a, b] = await Promise.all([run(emulator, scheduled), run(emulator, scheduled)])

    const { loser } = oneWinner(a, b)
    // Mid-update, or already done by the other run: either way not a second restart.
    expect(results(loser)[0].reason).toMatch(/UPDATING, already configured for parallelism 10 |^Already at target/)
    expect(acceptedUpdates(emulator)).toHaveLength(1)
    expect(restarts(emulator)).toBe(1)
    expect(emulator.application('orders')).toMatchObject({ status: 'RUNNING', parallelism: { parallelism: SCHEDULED_TARGET } })
  })
})

/**
 * An entry point that runs the bundled action and SIGKILLs it, as a cancelled job's process is
 * killed, as soon as the file KILL_FILE exists: the test creates it the moment the emulator has
 * accepted the update, so the kill lands mid-wait whatever the machine's speed.
 */
const KILLABLE_ENTRY = `
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
setInterval(() => { if (existsSync(process.env.KILL_FILE)) process.kill(process.pid, 'SIGKILL') }, 20).unref()
await import(pathToFileURL(process.env.ACTION_ENTRY).href)
`

describe('a run killed mid-way', () => {
  it.concurrent('after its update was accepted: the next runs converge without a second restart', async () => {
    // The restart outlasts the next run's start, so that run finds it still UPDATING.
    const emulator = await emulatorFor({ updateDurationMs: 6_000 })
    const dir = mkdtempSync(path.join(tmpdir(), 'flink-scaler-kill-'))
    scratch.push(dir)
    const entry = path.join(dir, 'killable.mjs')
    const killFile = path.join(dir, 'kill')
    writeFileSync(entry, KILLABLE_ENTRY)

    const killing = run(emulator, scheduled, {
      entry,
      env: { KILL_FILE: killFile, ACTION_ENTRY: path.join(ROOT, 'dist', 'index.js') }
    })
    await eventually(() => acceptedUpdates(emulator).length, { timeout: 30_000, interval: 20 }).toBe(1)
    writeFileSync(killFile, '')
    const killed = await killing
    expect(killed.exitCode).toBe(-1)
    // It died waiting: no outputs, and the restart it started is still going.
    expect(killed.outputs.results).toBeUndefined()
    expect(emulator.application('orders').status).toBe('UPDATING')

    const during = await run(emulator, scheduled)
    expect(during.exitCode).toBe(0)
    expect(results(during)[0]).toMatchObject({ action: 'skipped', status: 'UPDATING' })
    // The update the killed run started is heading for this very target.
    expect(results(during)[0].reason).toMatch(/UPDATING, already configured for parallelism 10 /)
    expect(during.outputs.changed).toBe('false')

    await eventually(() => emulator.application('orders').status, { timeout: 15_000, interval: 200 }).toBe('RUNNING')
    const after = await run(emulator, scheduled)
    expect(after.exitCode).toBe(0)
    expect(results(after)[0]).toMatchObject({ action: 'skipped', status: 'RUNNING', targetParallelism: SCHEDULED_TARGET })
    expect(results(after)[0].reason).toMatch(/^Already at target/)
    expect(after.outputs.changed).toBe('false')

    expect(acceptedUpdates(emulator)).toHaveLength(1)
    expect(restarts(emulator)).toBe(1)
    expect(emulator.application('orders').parallelism.parallelism).toBe(SCHEDULED_TARGET)
  })
})
