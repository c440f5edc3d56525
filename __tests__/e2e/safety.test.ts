/**
 * Never lose state, never be fooled, end to end against the emulator: restore types, lost
 * answers, holds around an update, holds on the real clock, outside text that must stay data,
 * schedule files outside the workspace, what IAM denied, and rollbacks that fail.
 * docs/reliability.md lists these tests by name.
 */
import { readFileSync, symlinkSync } from 'node:fs'
import { afterAll, describe, expect, it } from '@jest/globals'
import type { Emulator, EmulatorOptions, SeedApplication } from '../../emulator/index.js'
import type { ActionRun } from '../../runner/run-action.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, acceptedUpdates, calls, emulatorWith, errors, results, run } from './support.js'

/** At WEDNESDAY_NIGHT the sample schedule asks for 10 KPU: parallelism 10 at one per KPU. */
const scheduled = { 'application-name': 'orders', schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT }
const orders: SeedApplication = { name: 'orders', parallelism: 4, records: 1_000 }

const started: Emulator[] = []
afterAll(() => Promise.all(started.map((e) => e.stop())))

async function emulatorFor(options: EmulatorOptions = {}): Promise<Emulator> {
  // recordsPerSecond 0: the job's state changes only by what restarts do to it.
  const e = await emulatorWith({ applications: [orders], recordsPerSecond: 0, ...options })
  started.push(e)
  return e
}

const warnings = (result: ActionRun) => result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
const restoreSent = (e: Emulator) =>
  acceptedUpdates(e).map((r) => (r.body as { RunConfigurationUpdate?: { ApplicationRestoreConfiguration?: unknown } }).RunConfigurationUpdate?.ApplicationRestoreConfiguration)

describe('restore types: a scaling restart keeps the state', () => {
  it.concurrent('SKIP_RESTORE_FROM_SNAPSHOT would drop the state: the update restores the latest snapshot, and says so', async () => {
    const e = await emulatorFor({ applications: [{ ...orders, applicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT' }] })
    const result = await run(e, scheduled)
    expect(errors(result)).toEqual([])
    expect(results(result)[0]).toMatchObject({ action: 'updated', targetParallelism: 10 })
    expect(results(result)[0].reason).toMatch(/restore configuration is SKIP_RESTORE_FROM_SNAPSHOT, which would drop its state on this restart: the update also sets it to RESTORE_FROM_LATEST_SNAPSHOT/)
    expect(restoreSent(e)).toEqual([{ ApplicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' }])
    const app = e.application('orders')
    expect(app.state).toMatchObject({ running: true, records: 1_000, restore: 'kept' })
    expect(app.applicationRestoreConfiguration.applicationRestoreType).toBe('RESTORE_FROM_LATEST_SNAPSHOT')
  })

  it.concurrent('RESTORE_FROM_CUSTOM_SNAPSHOT would rewind it to an old snapshot: restored from the latest instead', async () => {
    const e = await emulatorFor({
      applications: [
        { ...orders, applicationRestoreType: 'RESTORE_FROM_CUSTOM_SNAPSHOT', snapshotName: 'before-migration', snapshots: [{ name: 'before-migration', records: 200 }] }
      ]
    })
    const result = await run(e, scheduled)
    expect(results(result)[0].reason).toMatch(/RESTORE_FROM_CUSTOM_SNAPSHOT \(snapshot before-migration\), which would rewind its state to that snapshot/)
    expect(e.application('orders').state).toMatchObject({ records: 1_000, restore: 'kept' })
  })

  it.concurrent('already restoring the latest: the update leaves the restore configuration alone', async () => {
    const e = await emulatorFor()
    await run(e, scheduled)
    expect(restoreSent(e)).toEqual([undefined])
    expect(e.application('orders').state).toMatchObject({ records: 1_000, restore: 'kept' })
  })

  it.concurrent('with allow-stateless-restart the stored restore type is kept, and the state goes as it says', async () => {
    const e = await emulatorFor({ applications: [{ ...orders, applicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT' }] })
    await run(e, { ...scheduled, 'allow-stateless-restart': 'true' })
    expect(restoreSent(e)).toEqual([undefined])
    expect(e.application('orders').state).toMatchObject({ records: 0, restore: 'dropped' })
  })
})

describe('a lost answer: the update was applied, its answer never came', () => {
  it.concurrent.each(['reset', 'ServiceUnavailableException'] as const)('(%s): this run\'s own update, followed, changed=true, "before" as first found', async (lostAnswerAs) => {
    const e = await emulatorFor()
    e.faults.set({ operation: 'UpdateApplication', lostAnswer: 1, lostAnswerAs })
    const result = await run(e, scheduled)
    expect(errors(result)).toEqual([])
    expect(result.outputs.changed).toBe('true')
    const [outcome] = results(result)
    expect(outcome).toMatchObject({ action: 'updated', previousParallelism: 4, targetParallelism: 10 })
    // The operation that did it, found through ListApplicationOperations, was followed to the end.
    const [operation] = e.application('orders').operations
    expect(outcome.operationId).toBe(operation.operationId)
    expect(calls(e, 'ListApplicationOperations')).toHaveLength(1)
    expect(calls(e, 'DescribeApplicationOperation').length).toBeGreaterThan(1)
    expect(e.application('orders').operations).toHaveLength(1)
    expect(e.application('orders').status).toBe('RUNNING')
  })

  it.concurrent('someone else\'s update from the same version is not taken for this run\'s', async () => {
    const e = await emulatorFor()
    // The other actor changes it to 6 first; this run's retry meets the new token.
    e.faults.raceNextUpdate('orders', { parallelism: 6, instant: true })
    const result = await run(e, scheduled)
    expect(results(result)[0]).toMatchObject({ action: 'updated', previousParallelism: 6, targetParallelism: 10 })
    expect(calls(e, 'ListApplicationOperations')).toHaveLength(0)
  })
})

describe('holds around an update', () => {
  it.concurrent('tags refused for a while as the application updates: retried with backoff, the hold written', async () => {
    const e = await emulatorFor({ updateDurationMs: 6_000 })
    e.faults.set({ busyWhileUpdating: 'ResourceInUseException', busyCount: 2 })
    const result = await run(e, { ...scheduled, parallelism: '12', 'hold-until': '4h' })
    expect(errors(result)).toEqual([])
    expect(calls(e, 'TagResource').map((r) => r.errorType ?? String(r.status))).toEqual(['ResourceInUseException', 'ResourceInUseException', '200'])
    expect(e.application('orders').tags['scheduled-scaler:hold-parallelism']).toBe('12')
  })

  it.concurrent('tags refused for as long as it is UPDATING: the hold is written once the update has ended', async () => {
    const e = await emulatorFor({ updateDurationMs: 1_500 })
    e.faults.set({ busyWhileUpdating: 'ConcurrentModificationException' })
    const result = await run(e, { ...scheduled, parallelism: '12', 'hold-until': '4h' })
    expect(errors(result)).toEqual([])
    expect(results(result)[0]).toMatchObject({ action: 'updated', hold: { parallelism: 12 } })
    expect(e.application('orders').tags['scheduled-scaler:hold-parallelism']).toBe('12')
  })

  it.concurrent('without wait, a hold that cannot be written fails the run loudly: it is not in force', async () => {
    const e = await emulatorFor({ updateDurationMs: 60_000 })
    e.faults.set({ busyWhileUpdating: 'ResourceInUseException' })
    const result = await run(e, { ...scheduled, parallelism: '12', 'hold-until': '4h', wait: 'false' })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.changed).toBe('true')
    const [error] = errors(result)
    expect(error.message).toMatch(/The hold could not be written \(TagResource .* is in UPDATING status.*\), so it is NOT in force/)
    expect(error.message).toMatch(/Fix: .*hold-until/)
    expect(e.application('orders').tags).toEqual({})
  }, 90_000)
})

describe('holds on the real clock', () => {
  it.concurrent('a past `at` writes a hold that lasts from now, not one that has already ended', async () => {
    const e = await emulatorFor()
    const before = Date.now()
    await run(e, { ...scheduled, at: '2020-01-01T00:00:00Z', parallelism: '12', 'hold-until': '4h' })
    const until = Date.parse(e.application('orders').tags['scheduled-scaler:hold-until'])
    expect(until).toBeGreaterThanOrEqual(before + 4 * 3_600_000 - 1_000)
    expect(until).toBeLessThanOrEqual(Date.now() + 4 * 3_600_000)
  })

  it.concurrent.each([['999999999d'], ['400d'], ['2099-01-01T00:00:00Z']])('hold-until %s: an input error before any AWS call', async (holdUntil) => {
    const e = await emulatorFor()
    const result = await run(e, { ...scheduled, parallelism: '12', 'hold-until': holdUntil })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toHaveLength(1)
    expect(errors(result)[0].message).toMatch(/Input "hold-until" .*(more than a year|a year ahead)/)
    expect(e.requests).toEqual([])
  })
})

describe('outside text never becomes commands or markup', () => {
  it.concurrent('a rule name with a line break and workflow commands is refused, and nothing reaches the log as a command', async () => {
    const e = await emulatorFor()
    const schedule = 'default: { kpu: 4 }\nrules:\n  - name: "x\\n::add-mask::hunter2\\n::error title=pwned::owned"\n    kpu: 8\n'
    const result = await run(e, { ...scheduled, schedule })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toHaveLength(1)
    expect(errors(result)[0].message).toMatch(/rules\[0\], field "name": .* has control characters/)
    expect(result.stdout).not.toMatch(/^\s*::add-mask::hunter2/m)
    expect(result.annotations.map((a) => a.title)).not.toContain('pwned')
    expect(e.requests).toEqual([])
  })

  it.concurrent('hold tags anyone may set are shown as data: no HTML, no links, no commands', async () => {
    const e = await emulatorFor({
      applications: [
        {
          ...orders,
          tags: {
            'scheduled-scaler:hold-parallelism': '10',
            'scheduled-scaler:hold-until': '2099-01-01T00:00:00Z',
            'scheduled-scaler:hold-by': '<img src=x onerror=alert(1)> [click](https://evil.example/x) https://evil.example/y',
            'scheduled-scaler:hold-actor': 'mallory`<b>'
          }
        }
      ]
    })
    const result = await run(e, scheduled)
    expect(results(result)[0]).toMatchObject({ rule: 'hold' })
    // Shown in code spans, which GitHub renders as text: no HTML, no link, anywhere else.
    expect(result.summary).toContain('`<img src=x onerror=alert(1)> [click](https://evil.example/x) https://evil.example/y`')
    expect(result.summary).toContain("`@mallory'<b>`")
    const outsideCode = result.summary.replace(/`[^`\n]*`/g, '')
    expect(outsideCode).not.toContain('<img')
    expect(outsideCode).not.toContain('<b>')
    expect(outsideCode).not.toContain('evil.example')
    expect(result.stdout).not.toMatch(/^\s*<img/m)
  })

  it.concurrent('an error text from AWS with line breaks and commands stays one line of data', async () => {
    const e = await emulatorFor({ updateDurationMs: 300 })
    e.faults.failNextUpdate('orders', { outcome: 'rollback', errorString: 'boom\n::error title=injected::from AWS\n<script>x</script>' })
    const result = await run(e, scheduled)
    expect(result.exitCode).toBe(1)
    expect(result.annotations.map((a) => a.title)).not.toContain('injected')
    expect(result.stdout).not.toMatch(/^\s*::error title=injected/m)
    expect(result.summary).not.toContain('<script>')
    expect(result.summary).toContain('boom ::error title=injected::from AWS &lt;script&gt;x&lt;/script&gt;')
  })
})

describe('schedule-file inside the workspace', () => {
  const outside = readFileSync('/etc/os-release', 'utf8')
  const shownNone = (result: ActionRun) => {
    for (const line of outside.split('\n').filter((l) => l.trim().length > 3)) {
      expect(`${result.stdout}\n${result.summary}`.includes(line)).toBe(false)
    }
  }

  it.concurrent('a path that climbs out is an input error that shows none of the file', async () => {
    const e = await emulatorFor()
    const result = await run(e, { 'application-name': 'orders', 'schedule-file': '../../../../../../etc/os-release' })
    expect(result.exitCode).toBe(1)
    expect(errors(result)[0].message).toMatch(/Input "schedule-file" is ".*", which is outside the workspace .*; it was not read\./)
    shownNone(result)
    expect(e.requests).toEqual([])
  })

  it.concurrent('a symbolic link in the workspace that points outside: the same', async () => {
    const e = await emulatorFor()
    const result = await run(e, { 'application-name': 'orders', 'schedule-file': 'schedule.yml' }, {
      prepare: (workspace) => symlinkSync('/etc/os-release', `${workspace}/schedule.yml`)
    })
    expect(result.exitCode).toBe(1)
    expect(errors(result)[0].message).toMatch(/outside the workspace/)
    shownNone(result)
    expect(e.requests).toEqual([])
  })
})

describe('access denied names what IAM denied', () => {
  it.concurrent('UpdateApplication refused for iam:PassRole: the fix names iam:PassRole', async () => {
    const e = await emulatorFor()
    e.faults.set({ operation: 'UpdateApplication', accessDenied: 'iam:PassRole' })
    const result = await run(e, scheduled)
    expect(result.exitCode).toBe(1)
    expect(results(result)[0].hint).toMatch(/^Allow iam:PassRole in the IAM policy of the role the action runs as\./)
  })
})

describe('after a failed update', () => {
  it.concurrent('a rollback that fails too leaves it READY: said plainly, with what to do; later runs warn', async () => {
    const e = await emulatorFor({ updateDurationMs: 300 })
    e.faults.failNextUpdate('orders', { outcome: 'rollback-failed' })
    const result = await run(e, scheduled)
    expect(result.exitCode).toBe(1)
    expect(results(result)[0].error).toMatch(/The application is now READY \(stopped\) at version \d+: the rollback failed too, and it runs no job\./)
    expect(results(result)[0].hint).toMatch(/Start it again, restoring its latest snapshot .*start-application --application-name orders/)

    const later = await run(e, scheduled)
    expect(later.exitCode).toBe(0)
    expect(results(later)[0]).toMatchObject({ action: 'skipped', status: 'READY' })
    expect(warnings(later)).toEqual([expect.stringMatching(/^orders is READY \(stopped\), so it was not scaled/)])
  })

  it.concurrent.each([
    ['ROLLED_BACK', /^orders is ROLLED_BACK: its last update failed and the service rolled it back/],
    ['MAINTENANCE', /^orders is in MAINTENANCE \(AWS is patching it\)/]
  ])('an application found %s: a warning, distinct from an ordinary skip', async (status, warning) => {
    const e = await emulatorFor({ applications: [{ ...orders, status }] })
    const result = await run(e, scheduled)
    expect(result.exitCode).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'skipped', status })
    expect(warnings(result)).toEqual([expect.stringMatching(warning)])
  })

  it.concurrent('an application found UPDATING: an ordinary skip, no warning', async () => {
    const e = await emulatorFor({ applications: [{ ...orders, status: 'UPDATING' }] })
    const result = await run(e, scheduled)
    expect(results(result)[0]).toMatchObject({ action: 'skipped', status: 'UPDATING' })
    expect(warnings(result)).toEqual([])
  })
})
