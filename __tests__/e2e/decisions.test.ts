/**
 * Every decision of the contract, end to end: dist/index.js as the runner runs it, against the
 * local emulator, asserting what a user sees (outputs, summary, annotations, exit code) and what
 * AWS saw (the emulator's request log and final state).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import type { Emulator } from '../../emulator/index.js'
import {
  SAMPLE_SCHEDULE,
  WEDNESDAY_DAYTIME,
  WEDNESDAY_NIGHT,
  acceptedUpdates,
  calls,
  emulatorWith,
  errors,
  results,
  run
} from './support.js'

let emulator: Emulator
afterEach(async () => emulator?.stop())

const base = { region: 'us-west-2', schedule: SAMPLE_SCHEDULE }

describe('bad input: one clear error, exit 1, not a single AWS call', () => {
  it.each([
    [{ parallelism: 'ten' }, /Input "parallelism" is "ten"/],
    [{ 'dry-run': 'yes' }, /Input "dry-run" is "yes"/],
    [{ schedule: 'default: { kpu: 10 }\nrules:\n  - name: day\n    from: "25:00"\n    kpu: 20' }, /rules\[0\] "day", field "from"/],
    [{ schedule: 'timezone: Mars/Olympus\ndefault: { kpu: 1 }' }, /field "timezone"/],
    [{ 'application-name': 'not a name!' }, /application-name/],
    [{ 'role-to-assume': 'flink-scaler' }, /role-to-assume/],
    [{ 'hold-until': '4h' }, /hold-until.*without a manual target/],
    [{ parallelism: '80' }, /above the schedule's max 64/],
    [{ 'parallelism-per-kpu': '2' }, /rule "black-friday" \(40 KPU × parallelism-per-kpu 2\) is above the schedule's max 64/]
  ])('%o', async (inputs, message) => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    const result = await run(emulator, { ...base, 'application-name': 'orders', ...inputs })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toHaveLength(1)
    expect(errors(result)[0].title).toBe('Invalid input: nothing was changed')
    expect(errors(result)[0].message).toMatch(message)
    expect(errors(result)[0].message).toMatch(/Fix: /)
    expect(emulator.requests).toEqual([])
    expect(result.outputs.changed).toBe('false')
    expect(result.summary).toContain('Invalid input')
  })
})

describe('decisions', () => {
  it('scales up for a rule: the exact update, every setting kept, outputs and summary', async () => {
    emulator = await emulatorWith({
      applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10, allowNonRestoredState: true }]
    })
    const before = emulator.application('orders', 'us-west-2')
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_DAYTIME })

    expect(result.exitCode).toBe(0)
    const [update] = acceptedUpdates(emulator)
    expect(update.body).toEqual({
      ApplicationName: 'orders',
      ConditionalToken: before.conditionalToken,
      ApplicationConfigurationUpdate: {
        FlinkApplicationConfigurationUpdate: {
          ParallelismConfigurationUpdate: {
            ConfigurationTypeUpdate: 'CUSTOM',
            ParallelismUpdate: 20,
            ParallelismPerKPUUpdate: 1,
            AutoScalingEnabledUpdate: false
          }
        }
      },
      RunConfigurationUpdate: { FlinkRunConfiguration: { AllowNonRestoredState: true } }
    })
    const after = emulator.application('orders', 'us-west-2')
    expect(after.status).toBe('RUNNING')
    expect(after.parallelism.parallelism).toBe(20)
    expect(after.flinkRunConfiguration.allowNonRestoredState).toBe(true)
    expect(after.versionId).toBe(before.versionId + 1)
    expect(after.conditionalToken).not.toBe(before.conditionalToken)
    expect(after.checkpoint).toEqual(before.checkpoint)
    expect(after.propertyGroups).toEqual(before.propertyGroups)

    expect(result.outputs.changed).toBe('true')
    expect(result.outputs['target-parallelism']).toBe('20')
    expect(result.outputs['next-transition']).toBe('2026-12-03T02:05:00.000Z')
    expect(result.outputs['next-parallelism']).toBe('10')
    expect(results(result)).toEqual([
      expect.objectContaining({
        application: 'orders',
        region: 'us-west-2',
        action: 'updated',
        status: 'RUNNING',
        previousParallelism: 10,
        targetParallelism: 20,
        parallelismPerKpu: 1,
        previousKpu: 10,
        targetKpu: 20,
        rule: 'weekday-daytime',
        applicationVersionId: after.versionId,
        operationId: after.operations.at(-1)?.operationId
      })
    ])
    expect(result.summary).toContain('**Scaled orders 10 → 20 KPU for rule weekday-daytime**')
    expect(result.summary).toContain('Wed 2026-12-02 18:05 PST | Thu 2026-12-03 02:05 UTC')
    expect(errors(result)).toEqual([])
  })

  it('is already at target: no UpdateApplication, no restart', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_NIGHT })
    expect(result.exitCode).toBe(0)
    expect(calls(emulator, 'UpdateApplication')).toEqual([])
    expect(results(result)[0]).toMatchObject({ action: 'skipped', rule: 'default', targetParallelism: 10 })
    expect(results(result)[0].reason).toMatch(/^Already at target/)
    expect(result.outputs.changed).toBe('false')
  })

  it('compares the configured parallelism, not the one the service autoscaled to', async () => {
    emulator = await emulatorWith({
      applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10, currentParallelism: 20, autoScalingEnabled: true }]
    })
    expect(emulator.application('orders', 'us-west-2').parallelism.currentParallelism).toBe(20)
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_NIGHT })
    expect(results(result)[0].action).toBe('skipped')
    expect(calls(emulator, 'UpdateApplication')).toEqual([])
  })

  it.each(['UPDATING', 'READY', 'STARTING', 'AUTOSCALING'])('never updates an application that is %s', async (status) => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10, status }] })
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_DAYTIME })
    expect(result.exitCode).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'skipped', status })
    expect(results(result)[0].reason).toContain(status)
    expect(calls(emulator, 'UpdateApplication')).toEqual([])
  })

  it('refuses to restart an application whose snapshots are disabled, unless allowed', async () => {
    emulator = await emulatorWith({
      applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10, snapshotsEnabled: false }]
    })
    const refused = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_DAYTIME })
    expect(refused.exitCode).toBe(1)
    expect(results(refused)[0]).toMatchObject({ action: 'failed' })
    expect(errors(refused)[0].message).toMatch(/Snapshots are disabled.*Fix: .*allow-stateless-restart/)
    expect(calls(emulator, 'UpdateApplication')).toEqual([])

    const allowed = await run(emulator, {
      ...base,
      'application-name': 'orders',
      at: WEDNESDAY_DAYTIME,
      'allow-stateless-restart': 'true'
    })
    expect(allowed.exitCode).toBe(0)
    expect(results(allowed)[0].action).toBe('updated')
    expect(emulator.application('orders', 'us-west-2').parallelism.parallelism).toBe(20)
  })

  it('plans in a dry run and changes nothing', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_DAYTIME, 'dry-run': 'true' })
    expect(result.exitCode).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'planned', targetParallelism: 20 })
    expect(result.summary).toContain('**Dry run**')
    expect(result.outputs.changed).toBe('false')
    expect(calls(emulator, 'UpdateApplication')).toEqual([])
    expect(calls(emulator, 'TagResource')).toEqual([])
  })

  it('turns KPUs into parallelism with the application\'s ParallelismPerKPU, keeping autoscaling', async () => {
    emulator = await emulatorWith({
      applications: [{ name: 'clicks', region: 'us-west-2', parallelism: 20, parallelismPerKpu: 2, autoScalingEnabled: true }]
    })
    const result = await run(emulator, { ...base, 'application-name': 'clicks', at: WEDNESDAY_DAYTIME })
    expect(result.exitCode).toBe(0)
    const app = emulator.application('clicks', 'us-west-2')
    expect(app.parallelism).toMatchObject({ parallelism: 40, parallelismPerKpu: 2, autoScalingEnabled: true })
    expect(results(result)[0]).toMatchObject({ previousKpu: 10, targetKpu: 20, targetParallelism: 40 })
    expect(result.outputs['next-parallelism']).toBe('20')
  })

  it('sets ParallelismPerKPU and autoscaling when asked', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    const result = await run(emulator, {
      ...base,
      schedule: 'timezone: America/Los_Angeles\ndefault: { kpu: 10 }',
      'application-name': 'orders',
      at: WEDNESDAY_NIGHT,
      'parallelism-per-kpu': '2',
      autoscaling: 'enable'
    })
    expect(result.exitCode).toBe(0)
    expect(emulator.application('orders', 'us-west-2').parallelism).toMatchObject({
      parallelism: 20,
      parallelismPerKpu: 2,
      autoScalingEnabled: true
    })
  })

  it('switches a DEFAULT configuration to CUSTOM', async () => {
    emulator = await emulatorWith({
      applications: [{ name: 'orders', region: 'us-west-2', configurationType: 'DEFAULT', parallelism: 1, autoScalingEnabled: true }]
    })
    const result = await run(emulator, { ...base, 'application-name': 'orders', parallelism: '4' })
    expect(result.exitCode).toBe(0)
    expect(emulator.application('orders', 'us-west-2').parallelism).toMatchObject({
      configurationType: 'CUSTOM',
      parallelism: 4,
      autoScalingEnabled: true
    })
    expect(results(result)[0].rule).toBe('manual')
  })

  it('follows a manual target over the schedule, from a schedule file', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    const result = await run(
      emulator,
      { 'application-name': 'orders', region: 'us-west-2', 'schedule-file': 'flink-schedule.yml', kpu: '12', at: WEDNESDAY_DAYTIME },
      { files: { 'flink-schedule.yml': SAMPLE_SCHEDULE } }
    )
    expect(result.exitCode).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'updated', rule: 'manual', targetParallelism: 12 })
    expect(result.outputs['next-parallelism']).toBe('10')
  })

  it('returns at once with wait: false, while the application is still UPDATING', async () => {
    emulator = await emulatorWith({
      updateDurationMs: 5_000,
      applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }]
    })
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_DAYTIME, wait: 'false' })
    expect(result.exitCode).toBe(0)
    expect(results(result)[0].action).toBe('updated')
    expect(emulator.application('orders', 'us-west-2').status).toBe('UPDATING')
    expect(calls(emulator, 'DescribeApplicationOperation')).toEqual([])
  })

  it('waits for the operation and reports the service\'s own error when the update fails', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    emulator.faults.failNextUpdate('orders', { outcome: 'rollback' })
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_DAYTIME })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.changed).toBe('true')
    const [failed] = results(result)
    expect(failed.action).toBe('failed')
    const errorString = emulator.application('orders', 'us-west-2').operations.find((o) => o.status === 'FAILED')?.errorString
    expect(errorString).toBeTruthy()
    expect(failed.error).toContain(errorString!)
    expect(errors(result)[0].message).toContain(errorString!)
  })

  it('handles several applications concurrently; one failure does not stop the others', async () => {
    emulator = await emulatorWith({
      applications: [
        { name: 'orders', region: 'us-west-2', parallelism: 10 },
        { name: 'clicks', region: 'eu-west-1', parallelism: 10 }
      ]
    })
    const result = await run(emulator, {
      ...base,
      'application-name': 'orders, ghost\narn:aws:kinesisanalytics:eu-west-1:123456789012:application/clicks',
      at: WEDNESDAY_DAYTIME
    })
    expect(result.exitCode).toBe(1)
    expect(results(result).map((r) => [r.application, r.region, r.action])).toEqual([
      ['orders', 'us-west-2', 'updated'],
      ['ghost', 'us-west-2', 'failed'],
      ['clicks', 'eu-west-1', 'updated']
    ])
    expect(errors(result)).toHaveLength(1)
    expect(errors(result)[0].message).toMatch(/ghost.*us-west-2/)
    expect(errors(result)[0].message).toMatch(/Fix: .*application-name and region/)
    expect(emulator.application('clicks', 'eu-west-1').parallelism.parallelism).toBe(20)
    // The ARN's region is where its calls went.
    expect(calls(emulator).filter((r) => (r.body as { ApplicationName?: string }).ApplicationName === 'clicks').every((r) => r.region === 'eu-west-1')).toBe(true)
  })

  it('refuses an ARN of another account than the credentials reach, before any change', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    const result = await run(emulator, {
      ...base,
      'application-name': 'arn:aws:kinesisanalytics:us-west-2:999999999999:application/orders',
      at: WEDNESDAY_DAYTIME
    })
    expect(result.exitCode).toBe(1)
    expect(results(result)[0].action).toBe('failed')
    expect(errors(result)[0].message).toMatch(/999999999999.*these credentials reach arn:aws:kinesisanalytics:us-west-2:123456789012:application\/orders/)
    expect(calls(emulator, 'UpdateApplication')).toEqual([])
  })

  it('describes again and decides again after a concurrent change, and stops if the target is reached', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism: 10 }] })
    emulator.faults.raceNextUpdate('orders', { parallelism: 20, instant: true, region: 'us-west-2' })
    const result = await run(emulator, { ...base, 'application-name': 'orders', at: WEDNESDAY_DAYTIME })
    expect(result.exitCode).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'skipped', targetParallelism: 20 })
    expect(calls(emulator, 'UpdateApplication').map((r) => r.errorType)).toEqual(['ConcurrentModificationException'])
    expect(result.outputs.changed).toBe('false')
  })
})
