/**
 * The fault matrix, end to end: dist/index.js run as the runner runs it, one emulator per test,
 * each with one fault knob turned. Every test asserts what a user sees (exit code, outputs,
 * annotations) and what AWS saw (the emulator's request log and the application's final state).
 * docs/reliability.md lists these tests by name.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { expectWith } from '../fixtures/expect-with.js'
import {
  EMULATOR_ROLE_ARN,
  EMULATOR_SECRET_ACCESS_KEY,
  type Emulator,
  type EmulatorOptions,
  type SeedApplication
} from '../../emulator/index.js'
import type { ActionRun } from '../../runner/run-action.js'
import {
  SAMPLE_SCHEDULE,
  WEDNESDAY_NIGHT,
  acceptedUpdates,
  calls,
  emulatorWith,
  errors,
  expectNoSecrets,
  results,
  eventually,
  run
} from './support.js'

/** At WEDNESDAY_NIGHT the sample schedule asks for its default, 10 KPU: parallelism 10 at one per KPU. */
const TARGET = 10
const FOUND = 4
const scheduled = { 'application-name': 'orders', schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT }
const orders: SeedApplication = { name: 'orders', parallelism: FOUND }

/** Emulators of the concurrent tests below, stopped (hung requests and all) when the file is done. */
const started: Emulator[] = []
afterAll(() => Promise.all(started.map((emulator) => emulator.stop())))

/** One emulator for one test, stopped when the test ends (hung requests included). */
async function emulatorFor(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await emulatorWith({ applications: [orders], ...options })
  started.push(emulator)
  return emulator
}

/** The run scaled `orders` from FOUND to TARGET and left it RUNNING there, with one restart. */
function expectScaled(emulator: Emulator, result: ActionRun): void {
  expectWith(errors(result), result.stdout).toEqual([])
  expect(result.exitCode).toBe(0)
  expect(result.outputs.changed).toBe('true')
  expect(results(result)[0]).toMatchObject({ application: 'orders', action: 'updated', targetParallelism: TARGET })
  const app = emulator.application('orders')
  expect(app.status).toBe('RUNNING')
  expect(app.parallelism.parallelism).toBe(TARGET)
  expect(acceptedUpdates(emulator)).toHaveLength(1)
  expect(app.operations.map((o) => `${o.operation} ${o.status}`)).toEqual(['UpdateApplication SUCCESSFUL'])
}

/** What one operation answered, in order: 200, or the error (ThrottlingException, ConnectionReset, …). */
function answers(emulator: Emulator, operation: string): string[] {
  return calls(emulator, operation).map((r) => r.errorType ?? String(r.status))
}

function warnings(result: ActionRun): string[] {
  return result.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
}

/** The one failure of a run: exit 1, one ::error annotation, the results entry. */
function failure(result: ActionRun, application = 'orders') {
  expect(result.exitCode).toBe(1)
  const outcome = results(result).find((r) => r.application === application)
  expect(outcome?.action).toBe('failed')
  const annotation = errors(result).find((e) => e.title?.startsWith(`${application} (`))
  expectWith(annotation, result.stdout).toBeDefined()
  return { outcome: outcome!, annotation: annotation! }
}

describe('transient errors are retried, and the run succeeds', () => {
  it.concurrent('survives 3 ThrottlingException in a row on DescribeApplication', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplication', throttle: 3 })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'DescribeApplication').slice(0, 4)).toEqual([
      'ThrottlingException',
      'ThrottlingException',
      'ThrottlingException',
      '200'
    ])
  })

  it.concurrent('survives 3 ThrottlingException in a row on UpdateApplication', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'UpdateApplication', throttle: 3 })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'UpdateApplication')).toEqual(['ThrottlingException', 'ThrottlingException', 'ThrottlingException', '200'])
  })

  it.concurrent('survives ServiceUnavailableException (503) on UpdateApplication', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'UpdateApplication', serverError: 2 })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'UpdateApplication')).toEqual(['ServiceUnavailableException', 'ServiceUnavailableException', '200'])
    expect(calls(emulator, 'UpdateApplication').map((r) => r.status)).toEqual([503, 503, 200])
  })

  it.concurrent('survives InternalFailure (500) on DescribeApplication and DescribeApplicationOperation', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({
      operation: ['DescribeApplication', 'DescribeApplicationOperation'],
      serverError: 3,
      serverErrorType: 'InternalFailure'
    })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'DescribeApplication').slice(0, 4)).toEqual(['InternalFailure', 'InternalFailure', 'InternalFailure', '200'])
  })

  it.concurrent('survives connection resets on DescribeApplication and UpdateApplication', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplication', reset: 2 })
    emulator.faults.set({ operation: 'UpdateApplication', reset: 1 })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'DescribeApplication').slice(0, 3)).toEqual(['ConnectionReset', 'ConnectionReset', '200'])
    expect(answers(emulator, 'UpdateApplication')).toEqual(['ConnectionReset', '200'])
  })

  it.concurrent('survives a slow endpoint (every call 400 ms late)', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ latencyMs: 400 })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(calls(emulator).every((r) => r.status === 200)).toBe(true)
  })

  it.concurrent('survives throttling and a 5xx of STS and the OIDC endpoint when assuming a role', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ service: 'oidc', throttle: 1 })
    emulator.faults.set({ service: 'sts', throttle: 1 })
    emulator.faults.set({ service: 'sts', serverError: 1 })
    const result = await run(emulator, { ...scheduled, 'role-to-assume': EMULATOR_ROLE_ARN }, { envOptions: { credentials: false } })
    expectScaled(emulator, result)
    const sts = emulator.requests.filter((r) => r.service === 'sts').map((r) => r.errorType ?? String(r.status))
    expect(sts).toEqual(['ServiceUnavailable', 'Throttling', '200'])
    const oidc = emulator.requests.filter((r) => r.service === 'oidc').map((r) => r.errorType ?? String(r.status))
    expect(oidc).toEqual(['TooManyRequests', '200'])
    // Every Kinesis Analytics call ran on the assumed role's session.
    expect(calls(emulator).every((r) => r.sessionToken !== undefined)).toBe(true)
  })

  it.concurrent('gives up after the retries with a clear error when the service stays unavailable', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplication', serverError: 100 })
    const result = await run(emulator, scheduled)
    const { outcome, annotation } = failure(result)
    expect(outcome.error).toMatch(/DescribeApplication for "orders" in us-east-1 failed/)
    expect(annotation.message).toMatch(/Fix: The service was unavailable after several retries; the next run retries\./)
    // Several attempts, then a stop: not one call, not an endless loop.
    expect(calls(emulator, 'DescribeApplication').length).toBeGreaterThanOrEqual(4)
    expect(calls(emulator, 'DescribeApplication').length).toBeLessThanOrEqual(10)
    expect(result.outputs.changed).toBe('false')
  })
})

describe('hung connections are abandoned after the request timeout and retried', () => {
  // The request timeout is 10 s; the runs must end well before the test's own timeout.
  const HUNG = 45_000

  it.concurrent('a DescribeApplication that is never answered', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplication', hang: 1 })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'DescribeApplication').slice(0, 2)).toEqual(['NoResponse', '200'])
    // The run ended within the test's time limit: the hung call was abandoned and retried.
  }, HUNG)

  it.concurrent('an UpdateApplication that is never answered', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'UpdateApplication', hang: 1 })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'UpdateApplication')).toEqual(['NoResponse', '200'])
  }, HUNG)

  it.concurrent('an AssumeRoleWithWebIdentity that is never answered', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ service: 'sts', hang: 1 })
    const result = await run(emulator, { ...scheduled, 'role-to-assume': EMULATOR_ROLE_ARN }, { envOptions: { credentials: false } })
    expectScaled(emulator, result)
    expect(emulator.requests.filter((r) => r.service === 'sts').map((r) => r.errorType ?? String(r.status))).toEqual(['NoResponse', '200'])
  }, HUNG)
})

describe('ConcurrentModificationException: describe again, decide again', () => {
  it.concurrent('someone else reached the same target first: skipped, no second update', async () => {
    const emulator = await emulatorFor()
    emulator.faults.raceNextUpdate('orders', { parallelism: TARGET, instant: true })
    const result = await run(emulator, scheduled)

    expect(result.exitCode).toBe(0)
    expect(answers(emulator, 'UpdateApplication')).toEqual(['ConcurrentModificationException'])
    expect(calls(emulator, 'DescribeApplication')).toHaveLength(2)
    expect(results(result)[0]).toMatchObject({ action: 'skipped', targetParallelism: TARGET })
    expect(results(result)[0].reason).toMatch(/^Already at target/)
    expect(result.outputs.changed).toBe('false')
    expect(warnings(result)).toEqual([expect.stringMatching(/ConcurrentModificationException/)])
    // One restart in all: the other actor's.
    const app = emulator.application('orders')
    expect(app.parallelism.parallelism).toBe(TARGET)
    expect(app.operations).toHaveLength(1)
  })

  it.concurrent('someone else set another parallelism first: describe again, update again, end at the target', async () => {
    const emulator = await emulatorFor()
    emulator.faults.raceNextUpdate('orders', { parallelism: 6, instant: true })
    const result = await run(emulator, scheduled)

    expectScaledAfterRace(emulator, result)
    const [first, second] = calls(emulator, 'UpdateApplication')
    expect(first.errorType).toBe('ConcurrentModificationException')
    expect(second.status).toBe(200)
    // The second attempt carries the token of the second describe, not the stale one.
    expect((second.body as { ConditionalToken: string }).ConditionalToken).not.toBe(
      (first.body as { ConditionalToken: string }).ConditionalToken
    )
    expect(results(result)[0]).toMatchObject({ action: 'updated', previousParallelism: 6, targetParallelism: TARGET })
  })

  it.concurrent('someone else is still restarting the application: skipped, naming UPDATING', async () => {
    const emulator = await emulatorFor({ updateDurationMs: 5_000 })
    emulator.faults.raceNextUpdate('orders', { parallelism: 6 })
    const result = await run(emulator, scheduled)

    expect(result.exitCode).toBe(0)
    expect(answers(emulator, 'UpdateApplication')).toEqual(['ConcurrentModificationException'])
    expect(results(result)[0]).toMatchObject({ action: 'skipped', status: 'UPDATING' })
    expect(results(result)[0].reason).toMatch(/UPDATING, not RUNNING/)
    expect(result.outputs.changed).toBe('false')
  })
})

function expectScaledAfterRace(emulator: Emulator, result: ActionRun): void {
  expect(errors(result)).toEqual([])
  expect(result.exitCode).toBe(0)
  expect(result.outputs.changed).toBe('true')
  const app = emulator.application('orders')
  expect(app.status).toBe('RUNNING')
  expect(app.parallelism.parallelism).toBe(TARGET)
  expect(acceptedUpdates(emulator)).toHaveLength(1)
  // The other actor's update, then ours.
  expect(app.operations.map((o) => o.status)).toEqual(['SUCCESSFUL', 'SUCCESSFUL'])
}

describe('updates that are accepted, then do not end RUNNING at the target', () => {
  it.concurrent('fails and rolls back: the service error text, changed=true', async () => {
    const emulator = await emulatorFor()
    const errorString = 'java.lang.OutOfMemoryError: Java heap space (emulated)'
    emulator.faults.failNextUpdate('orders', { outcome: 'rollback', errorString })
    const result = await run(emulator, scheduled)

    const { outcome, annotation } = failure(result)
    expect(outcome.error).toContain(errorString)
    expect(annotation.message).toContain(errorString)
    expect(outcome.error).toMatch(/ended FAILED/)
    const app = emulator.application('orders')
    const [update, rollback] = app.operations
    expect(outcome.error).toContain(`rolled back by operation ${rollback.operationId}`)
    expect(outcome).toMatchObject({ operationId: update.operationId })
    // The update was accepted, so the run changed something even though it failed.
    expect(result.outputs.changed).toBe('true')
    expect(acceptedUpdates(emulator)).toHaveLength(1)
    await eventually(() => emulator.application('orders').status).toBe('RUNNING')
    expect(emulator.application('orders').parallelism.parallelism).toBe(FOUND)
  })

  it.concurrent('fails and is left READY (no rollback): the service error text', async () => {
    const emulator = await emulatorFor()
    emulator.faults.failNextUpdate('orders', { outcome: 'ready', errorString: 'Job failed to start (emulated)' })
    const result = await run(emulator, scheduled)
    const { outcome } = failure(result)
    expect(outcome.error).toMatch(/ended FAILED: Job failed to start \(emulated\)/)
    expect(result.outputs.changed).toBe('true')
    expect(emulator.application('orders').status).toBe('READY')
  })

  it.concurrent('ends READY, followed by status: says it is not RUNNING and may need starting', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplicationOperation', unsupported: true })
    emulator.faults.failNextUpdate('orders', { outcome: 'ready' })
    const result = await run(emulator, scheduled)
    const { outcome, annotation } = failure(result)
    expect(outcome.error).toMatch(/After the update the application is READY, not RUNNING/)
    expect(annotation.message).toMatch(/Fix: .*started again/)
    expect(result.outputs.changed).toBe('true')
  })

  it.concurrent('ends ROLLED_BACK, followed by status: says so', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplicationOperation', unsupported: true })
    emulator.faults.failNextUpdate('orders', { outcome: 'rolled-back' })
    const result = await run(emulator, scheduled)
    const { outcome } = failure(result)
    expect(outcome.error).toMatch(/After the update the application is ROLLED_BACK, not RUNNING/)
    expect(result.outputs.changed).toBe('true')
    expect(emulator.application('orders').status).toBe('ROLLED_BACK')
  })

  it.concurrent('rolls back to RUNNING at the old parallelism, followed by status: says it was rolled back', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplicationOperation', unsupported: true })
    emulator.faults.failNextUpdate('orders', { outcome: 'rollback' })
    const result = await run(emulator, scheduled)
    const { outcome } = failure(result)
    expect(outcome.error).toMatch(/RUNNING at parallelism 4 .*not parallelism 10 .*rolled back or overridden/)
    expect(result.outputs.changed).toBe('true')
  })

  it.concurrent('gives up waiting after wait-timeout-seconds: failed, the update goes on, changed=true', async () => {
    const emulator = await emulatorFor({ updateDurationMs: 60_000 })
    const result = await run(emulator, { ...scheduled, 'wait-timeout-seconds': '1' })
    const { outcome, annotation } = failure(result)
    expect(outcome.error).toMatch(/Gave up waiting after 1 s/)
    expect(outcome.error).toMatch(/The update goes on in AWS/)
    expect(annotation.message).toMatch(/Fix: Raise wait-timeout-seconds/)
    expect(outcome.operationId).toBe(emulator.application('orders').operations[0].operationId)
    expect(result.outputs.changed).toBe('true')
    // The run ended while the update still went on.
    expect(emulator.application('orders').status).toBe('UPDATING')
  })
})

describe('DescribeApplicationOperation unavailable: follow the status instead', () => {
  it.concurrent('unsupported by the endpoint: warns once for all applications, succeeds', async () => {
    const emulator = await emulatorFor({ applications: [orders, { name: 'payments', parallelism: FOUND }] })
    emulator.faults.set({ operation: 'DescribeApplicationOperation', unsupported: true })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders\npayments' })

    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(results(result).map((r) => r.action)).toEqual(['updated', 'updated'])
    for (const name of ['orders', 'payments']) {
      expect(emulator.application(name)).toMatchObject({ status: 'RUNNING', parallelism: { parallelism: TARGET } })
    }
    // Tried once per application, then never again.
    expect(answers(emulator, 'DescribeApplicationOperation')).toEqual(['UnknownOperationException', 'UnknownOperationException'])
    expect(warnings(result).filter((w) => w.includes('DescribeApplicationOperation'))).toHaveLength(1)
  })
})

describe('access denied: each error names the kinesisanalytics: action to allow', () => {
  it.concurrent('DescribeApplication: failed, nothing changed', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplication', accessDenied: true })
    const result = await run(emulator, scheduled)
    const { outcome, annotation } = failure(result)
    expect(outcome.hint).toMatch(/Allow kinesisanalytics:DescribeApplication on this application/)
    expect(annotation.message).toMatch(/Fix: Allow kinesisanalytics:DescribeApplication /)
    expect(answers(emulator, 'DescribeApplication')).toEqual(['AccessDeniedException'])
    expect(calls(emulator, 'UpdateApplication')).toEqual([])
    expect(result.outputs.changed).toBe('false')
  })

  it.concurrent('UpdateApplication: failed, nothing changed', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'UpdateApplication', accessDenied: true })
    const result = await run(emulator, scheduled)
    const { annotation } = failure(result)
    expect(annotation.message).toMatch(/Fix: Allow kinesisanalytics:UpdateApplication /)
    expect(answers(emulator, 'UpdateApplication')).toEqual(['AccessDeniedException'])
    expect(result.outputs.changed).toBe('false')
    expect(emulator.application('orders').parallelism.parallelism).toBe(FOUND)
  })

  it.concurrent('DescribeApplicationOperation: warns naming it, follows the status, succeeds', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'DescribeApplicationOperation', accessDenied: true })
    const result = await run(emulator, scheduled)
    expectScaled(emulator, result)
    expect(answers(emulator, 'DescribeApplicationOperation')).toEqual(['AccessDeniedException'])
    expect(warnings(result)).toEqual([expect.stringMatching(/Allow kinesisanalytics:DescribeApplicationOperation/)])
  })

  it.concurrent('ListTagsForResource: warns once naming it, follows the schedule', async () => {
    const emulator = await emulatorFor({
      // A hold the action cannot see: the schedule applies.
      applications: [
        { ...orders, tags: { 'scheduled-scaler:hold-parallelism': '2', 'scheduled-scaler:hold-until': '2099-01-01T00:00:00Z' } },
        { name: 'payments', parallelism: FOUND }
      ]
    })
    emulator.faults.set({ operation: 'ListTagsForResource', accessDenied: true })
    const result = await run(emulator, { ...scheduled, 'application-name': 'orders, payments' })

    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(results(result)).toEqual([
      expect.objectContaining({ application: 'orders', action: 'updated', rule: 'default', targetParallelism: TARGET }),
      expect.objectContaining({ application: 'payments', action: 'updated', rule: 'default', targetParallelism: TARGET })
    ])
    expect(warnings(result)).toEqual([expect.stringMatching(/Allow kinesisanalytics:ListTagsForResource/)])
  })

  it.concurrent('TagResource, setting a hold: failed, names it', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ operation: 'TagResource', accessDenied: true })
    const result = await run(emulator, { ...scheduled, parallelism: '6', 'hold-until': '4h' })
    const { outcome, annotation } = failure(result)
    expect(annotation.message).toMatch(/Fix: Allow kinesisanalytics:TagResource /)
    expect(outcome.error).toMatch(/TagResource for "orders" in us-east-1 failed/)
    expect(answers(emulator, 'TagResource')).toEqual(['AccessDeniedException'])
    expect(emulator.application('orders').tags).toEqual({})
    // The hold is written right after the update is accepted, so the scaling itself went through.
    expect(outcome.reason).toMatch(/^The update was accepted, then: /)
    expect(result.outputs.changed).toBe('true')
    expect(emulator.application('orders').parallelism.parallelism).toBe(6)
  })
})

describe('errors of the request itself', () => {
  it.concurrent('unknown application: names it and its region; the other applications are still processed', async () => {
    const emulator = await emulatorFor()
    const result = await run(emulator, { ...scheduled, 'application-name': 'ghost\norders' })

    const { outcome, annotation } = failure(result, 'ghost')
    expect(annotation.title).toBe('ghost (us-east-1): scaling failed')
    expect(annotation.message).toMatch(/Fix: No application "ghost" in us-east-1: check application-name and region/)
    expect(outcome.region).toBe('us-east-1')
    expect(results(result)[1]).toMatchObject({ application: 'orders', action: 'updated', targetParallelism: TARGET })
    expect(emulator.application('orders').parallelism.parallelism).toBe(TARGET)
    expect(result.outputs.changed).toBe('true')
  })

  it.concurrent('KPU quota exceeded: LimitExceededException, failed with a hint about the quota', async () => {
    const emulator = await emulatorFor({ kpuQuota: 8 })
    const result = await run(emulator, scheduled)
    const { outcome, annotation } = failure(result)
    expect(answers(emulator, 'UpdateApplication')).toEqual(['LimitExceededException'])
    expect(outcome.error).toMatch(/exceeding the limit of 8 KPUs/)
    expect(annotation.message).toMatch(/Fix: .*request a quota increase/)
    expect(result.outputs.changed).toBe('false')
    expect(emulator.application('orders').parallelism.parallelism).toBe(FOUND)
  })

  it.concurrent('snapshots disabled: failed before any update; allowed with allow-stateless-restart', async () => {
    const emulator = await emulatorFor({ applications: [{ ...orders, snapshotsEnabled: false }] })
    const refused = await run(emulator, scheduled)
    const { outcome, annotation } = failure(refused)
    expect(outcome.error).toMatch(/Snapshots are disabled/)
    expect(annotation.message).toMatch(/Fix: .*allow-stateless-restart: true/)
    expect(calls(emulator, 'UpdateApplication')).toEqual([])
    expect(refused.outputs.changed).toBe('false')

    const allowed = await run(emulator, { ...scheduled, 'allow-stateless-restart': 'true' })
    expectScaled(emulator, allowed)
  })
})

describe('secret hygiene', () => {
  it.concurrent('the log scanner catches the secret key, a session token and an OIDC token', async () => {
    const emulator = await emulatorFor()
    // A real run on an assumed role, so the emulator has seen a session token and an OIDC token.
    const clean = await run(emulator, { ...scheduled, 'role-to-assume': EMULATOR_ROLE_ARN }, { envOptions: { credentials: false } })
    expect(clean.exitCode).toBe(0)
    const sessionToken = calls(emulator).find((r) => r.sessionToken)?.sessionToken
    const idToken = emulator.requests
      .map((r) => (r.body as { WebIdentityToken?: string } | undefined)?.WebIdentityToken)
      .find(Boolean)
    expect(sessionToken).toBeTruthy()
    expect(idToken).toBeTruthy()

    const leaky = (text: string, where: 'stdout' | 'stderr' | 'summary'): ActionRun => ({ ...clean, [where]: `${clean[where]}\n${text}\n` })
    expect(() => expectNoSecrets(leaky(`key=${EMULATOR_SECRET_ACCESS_KEY}`, 'stdout'), emulator)).toThrow(/a secret reached the log/)
    expect(() => expectNoSecrets(leaky(`token ${sessionToken}`, 'stderr'), emulator)).toThrow(/a secret reached the log/)
    expect(() => expectNoSecrets(leaky(`| ${idToken} |`, 'summary'), emulator)).toThrow(/a secret reached the log/)
    // Registering a secret with the runner is how it gets masked, so that line alone is allowed.
    expect(() => expectNoSecrets(leaky(`::add-mask::${sessionToken}`, 'stdout'), emulator)).not.toThrow()
  })
})
