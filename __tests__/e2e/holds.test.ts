/**
 * Holds, end to end: a manual target with hold-until is written to the application's tags, and
 * every later run, from any workflow, respects it until it expires or is released.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { DateTime } from 'luxon'
import type { Emulator } from '../../emulator/index.js'
import { nextTransition, parseSchedule, sameParallelism } from '../../src/schedule/schedule.js'
import { SAMPLE_SCHEDULE, acceptedUpdates, calls, emulatorWith, errors, results, run } from './support.js'

let emulator: Emulator
afterEach(async () => emulator?.stop())

const base = { region: 'us-west-2', schedule: SAMPLE_SCHEDULE, 'application-name': 'orders' }
// Wednesday 2026-12-02 in Los Angeles: 10:00 is business hours (20 KPU), 19:00 is night (10 KPU).
// `at` moves only the schedule's clock: holds live on the real one.
const MORNING = '2026-12-02T10:00:00-08:00'
const NOON = '2026-12-02T12:00:00-08:00'
const EVENING = '2026-12-02T19:00:00-08:00'
/** A hold end on the real clock, about four hours ahead, on the minute. */
const HOLD_END_AT = new Date(Math.ceil((Date.now() + 4 * 3_600_000) / 60_000) * 60_000)
const HOLD_END = HOLD_END_AT.toISOString()
const HOLD_END_TAG = HOLD_END.replace('.000Z', 'Z')
/** How the summary shows HOLD_END: in Los Angeles, then in UTC. */
const HOLD_END_SHOWN = `${DateTime.fromJSDate(HOLD_END_AT, { zone: 'America/Los_Angeles' }).toFormat('ccc yyyy-MM-dd HH:mm ZZZZ')} (${DateTime.fromJSDate(HOLD_END_AT, { zone: 'UTC' }).toFormat("yyyy-MM-dd HH:mm 'UTC'")})`
/** The tags of a hold that ended an hour ago, on the real clock. */
const EXPIRED_HOLD = {
  'scheduled-scaler:hold-parallelism': '32',
  'scheduled-scaler:hold-until': new Date(Date.now() - 3_600_000).toISOString(),
  'scheduled-scaler:hold-by': 'https://github.com/acme/flink-jobs/actions/runs/4241'
}
const HOLD_TAGS = ['scheduled-scaler:hold-parallelism', 'scheduled-scaler:hold-until', 'scheduled-scaler:hold-by', 'scheduled-scaler:hold-actor']

/** A workflow_dispatch run started by octocat. */
const MANUAL_RUN = { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'octocat' }

function tags(): Record<string, string> {
  return emulator.application('orders', 'us-west-2').tags
}

async function setHold() {
  const result = await run(emulator, { ...base, parallelism: '32', 'hold-until': HOLD_END, at: MORNING }, { env: MANUAL_RUN })
  expect(result.exitCode).toBe(0)
  return result
}

describe('holds', () => {
  it('records a manual hold on the application, and a scheduled run respects it', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20, tags: { team: 'data' } }] })
    const manual = await setHold()
    expect(results(manual)[0]).toMatchObject({
      action: 'updated',
      rule: 'manual',
      targetParallelism: 32,
      hold: { parallelism: 32, until: HOLD_END, by: 'https://github.com/acme/flink-jobs/actions/runs/4242', actor: 'octocat' }
    })
    expect(tags()).toEqual({
      team: 'data',
      'scheduled-scaler:hold-parallelism': '32',
      'scheduled-scaler:hold-until': HOLD_END_TAG,
      'scheduled-scaler:hold-by': 'https://github.com/acme/flink-jobs/actions/runs/4242',
      'scheduled-scaler:hold-actor': 'octocat'
    })
    expect(manual.summary).toContain('### Holds')
    expect(manual.summary).toContain('Started by workflow\\_dispatch by @octocat')

    // Noon: the schedule says 20 KPU, the hold says 32; the hold wins and nothing restarts.
    const scheduled = await run(emulator, { ...base, at: NOON })
    expect(scheduled.exitCode).toBe(0)
    expect(results(scheduled)[0]).toMatchObject({ action: 'skipped', rule: 'hold', targetParallelism: 32 })
    expect(acceptedUpdates(emulator)).toHaveLength(1)
    expect(scheduled.summary).toContain(`parallelism 32 until ${HOLD_END_SHOWN}`)

    // Days later by the schedule's clock (at), the hold is still in force: it lives on the real clock.
    const later = await run(emulator, { ...base, at: '2026-12-07T12:00:00-08:00' })
    expect(results(later)[0]).toMatchObject({ action: 'skipped', rule: 'hold', targetParallelism: 32 })
    expect(tags()['scheduled-scaler:hold-parallelism']).toBe('32')
  })

  it('brings a drifted application back to the held target', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    await setHold()
    // Someone scales it by hand in the console.
    emulator.faults.raceNextUpdate('orders', { parallelism: 8, instant: true, region: 'us-west-2' })
    await run(emulator, { ...base, parallelism: '8', at: NOON }) // races, then sees the hold
    const scheduled = await run(emulator, { ...base, at: NOON })
    expect(results(scheduled)[0]).toMatchObject({ rule: 'hold', targetParallelism: 32 })
    expect(emulator.application('orders', 'us-west-2').parallelism.parallelism).toBe(32)
  })

  it('is removed by the first run after it expires, and the schedule applies again', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20, tags: EXPIRED_HOLD }] })
    const evening = await run(emulator, { ...base, at: EVENING })
    expect(evening.exitCode).toBe(0)
    expect(results(evening)[0]).toMatchObject({ action: 'updated', rule: 'default', targetParallelism: 10 })
    expect(results(evening)[0].hold).toBeUndefined()
    expect(Object.keys(tags()).filter((key) => key.startsWith('scheduled-scaler:'))).toEqual([])
    expect(calls(emulator, 'UntagResource').map((r) => r.body)).toEqual([
      { ResourceARN: 'arn:aws:kinesisanalytics:us-west-2:123456789012:application/orders', TagKeys: HOLD_TAGS }
    ])
  })

  it('is released at once with release-hold', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    await setHold()
    const released = await run(emulator, { ...base, 'release-hold': 'true', at: NOON })
    expect(released.exitCode).toBe(0)
    expect(results(released)[0]).toMatchObject({ action: 'updated', rule: 'weekday-daytime', targetParallelism: 20 })
    expect(Object.keys(tags())).toEqual([])
  })

  it('outranks a manual target given without hold-until, and says how to override it', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    await setHold()
    const manual = await run(emulator, { ...base, parallelism: '16', at: NOON })
    expect(results(manual)[0]).toMatchObject({ rule: 'hold', targetParallelism: 32, action: 'skipped' })
    expect(results(manual)[0].reason).toMatch(/give hold-until to replace it, or release-hold: true/)
    // A new manual hold replaces it.
    const replaced = await run(emulator, { ...base, parallelism: '16', 'hold-until': 'next-transition', at: NOON })
    expect(results(replaced)[0]).toMatchObject({ action: 'updated', rule: 'manual', targetParallelism: 16 })
    // The schedule's next change after now, on the real clock (not after `at`).
    const next = nextTransition(parseSchedule(SAMPLE_SCHEDULE, 'test'), new Date(), sameParallelism(1), 1)!.at
    expect(tags()['scheduled-scaler:hold-until']).toBe(next.toISOString().replace('.000Z', 'Z'))
  })

  it('is ignored, with one warning, when the tags cannot be read', async () => {
    emulator = await emulatorWith({
      applications: [
        { name: 'orders', region: 'us-west-2', parallelism: 20, tags: { 'scheduled-scaler:hold-parallelism': '32', 'scheduled-scaler:hold-until': '2030-01-01T00:00:00Z' } },
        { name: 'clicks', region: 'us-west-2', parallelism: 20 }
      ]
    })
    emulator.faults.set({ operation: 'ListTagsForResource', accessDenied: true })
    const result = await run(emulator, { ...base, 'application-name': 'orders,clicks', at: EVENING })
    expect(result.exitCode).toBe(0)
    expect(results(result).map((r) => [r.rule, r.targetParallelism, r.action])).toEqual([
      ['default', 10, 'updated'],
      ['default', 10, 'updated']
    ])
    const warnings = result.annotations.filter((a) => a.level === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0].message).toMatch(/kinesisanalytics:ListTagsForResource/)
  })

  it('is never written, nor removed, in a dry run', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    const dry = await run(emulator, { ...base, parallelism: '32', 'hold-until': HOLD_END, at: MORNING, 'dry-run': 'true' })
    expect(results(dry)[0]).toMatchObject({ action: 'planned', targetParallelism: 32 })
    expect(results(dry)[0].reason).toContain(`Would hold parallelism 32 until ${HOLD_END}`)
    expect(calls(emulator, 'TagResource')).toEqual([])

    await setHold()
    const dryRelease = await run(emulator, { ...base, 'release-hold': 'true', at: NOON, 'dry-run': 'true' })
    expect(results(dryRelease)[0].reason).toMatch(/Would remove the hold/)
    expect(calls(emulator, 'UntagResource')).toEqual([])
    expect(tags()['scheduled-scaler:hold-parallelism']).toBe('32')
  })

  it('leaves no hold behind when the update fails', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    emulator.faults.failNextUpdate('orders', { outcome: 'rollback' })
    const failed = await run(emulator, { ...base, parallelism: '32', 'hold-until': '4h', at: MORNING })
    expect(failed.exitCode).toBe(1)
    expect(results(failed)[0].action).toBe('failed')
    expect(results(failed)[0].hold).toBeUndefined()
    expect(tags()).toEqual({})

    // A rejected update writes no hold at all.
    emulator.faults.set({ operation: 'UpdateApplication', accessDenied: true })
    const tagCalls = calls(emulator, 'TagResource').length
    const denied = await run(emulator, { ...base, parallelism: '32', 'hold-until': '4h', at: MORNING })
    expect(errors(denied)[0].message).toMatch(/kinesisanalytics:UpdateApplication/)
    expect(calls(emulator, 'TagResource')).toHaveLength(tagCalls)
    expect(tags()).toEqual({})
  })

  it('is kept when the run gives up waiting, so the next scheduled run does not undo the override', async () => {
    emulator = await emulatorWith({ updateDurationMs: 4_000, applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    const timedOut = await run(emulator, { ...base, parallelism: '32', 'hold-until': HOLD_END, at: MORNING, 'wait-timeout-seconds': '1' })
    expect(timedOut.exitCode).toBe(1)
    expect(results(timedOut)[0].hold).toMatchObject({ parallelism: 32, until: HOLD_END })
    expect(tags()['scheduled-scaler:hold-parallelism']).toBe('32')
    const scheduled = await run(emulator, { ...base, at: NOON })
    expect(results(scheduled)[0]).toMatchObject({ rule: 'hold', targetParallelism: 32 })
    expect(acceptedUpdates(emulator)).toHaveLength(1)
  })

  it('brings back the hold it replaced when the new one\'s update fails', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    await setHold()
    emulator.faults.failNextUpdate('orders', { outcome: 'rollback' })
    const failed = await run(emulator, { ...base, parallelism: '40', 'hold-until': '2h', at: NOON })
    expect(results(failed)[0].action).toBe('failed')
    expect(tags()['scheduled-scaler:hold-parallelism']).toBe('32')
    expect(tags()['scheduled-scaler:hold-until']).toBe(HOLD_END_TAG)
  })

  it('ends a next-transition hold when this application\'s parallelism next changes, as next-transition says', async () => {
    // At 2 per KPU, { kpu: 2 } and { parallelism: 4 } are the same target: the change is at 12:00, not 06:00.
    const schedule = `
timezone: UTC
default: { kpu: 2 }
rules:
  - { name: morning, from: "06:00", to: "12:00", parallelism: 4 }
  - { name: afternoon, from: "12:00", to: "18:00", kpu: 4 }
`
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 4, parallelismPerKpu: 2 }] })
    // No at: the schedule and the hold both follow the real clock here.
    const expected = nextTransition(parseSchedule(schedule, 'test'), new Date(), sameParallelism(2), 2)!.at
    const result = await run(emulator, { ...base, schedule, parallelism: '6', 'hold-until': 'next-transition' })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['next-transition']).toBe(expected.toISOString())
    expect(tags()['scheduled-scaler:hold-until']).toBe(expected.toISOString().replace('.000Z', 'Z'))
    // At 2 per KPU the change at 06:00 is none: it changes at 12:00 and 18:00 only.
    expect(['12:00', '18:00']).toContain(expected.toISOString().slice(11, 16))
  })

  it('is released even when the target cannot be applied', async () => {
    emulator = await emulatorWith({
      applications: [
        {
          name: 'orders',
          region: 'us-west-2',
          parallelism: 20,
          snapshotsEnabled: false,
          tags: { 'scheduled-scaler:hold-parallelism': '20', 'scheduled-scaler:hold-until': '2030-01-01T00:00:00Z' }
        }
      ]
    })
    const result = await run(emulator, { ...base, 'release-hold': 'true', at: EVENING })
    expect(results(result)[0]).toMatchObject({ action: 'failed', rule: 'default' })
    expect(results(result)[0].hold).toBeUndefined()
    expect(tags()).toEqual({})
  })

  it('rejects a hold-until in the past before any AWS call', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 20 }] })
    const result = await run(emulator, { ...base, parallelism: '32', 'hold-until': '2026-12-01T00:00:00Z', at: MORNING })
    expect(result.exitCode).toBe(1)
    expect(errors(result)[0].message).toMatch(/hold-until.*not after/)
    expect(emulator.requests).toEqual([])
  })
})
