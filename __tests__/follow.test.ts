import { describe, expect, it } from '@jest/globals'
import type { ApplicationState, Desired } from '../src/phases/application.js'
import type { Applied } from '../src/phases/apply.js'
import { ScalerError } from '../src/errors.js'
import type { FlinkClient, OperationState } from '../src/aws/flink-client.js'
import { follow } from '../src/phases/follow.js'
import type { Outcome } from '../src/phases/outcome.js'
import type { Config } from '../src/github/config.js'
import { RUNNING_APPLICATION } from './fixtures/application.js'

const before: ApplicationState = RUNNING_APPLICATION
const target: Desired = { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false }
const updating = { ...before, status: 'UPDATING', versionId: 8, parallelism: 8 }
const atTarget = { ...before, status: 'RUNNING', versionId: 8, parallelism: 8 }

type Step<T> = T | ScalerError

/**
 * An application that answers from scripts, one answer per call, the last one repeated.
 * Time only moves when the follow phase sleeps.
 */
function world(script: { operations?: Step<OperationState>[]; states: Step<ApplicationState>[] }) {
  let now = 0
  const slept: number[] = []
  const warnings: string[] = []
  const next = <T>(steps: Step<T>[]): T => {
    const step = steps.length > 1 ? steps.shift()! : steps[0]
    if (step instanceof ScalerError) throw step
    return step
  }
  const client = {
    describe: async (_name: string) => next(script.states),
    operation: async (_name: string, _operationId: string) => next(script.operations ?? [])
  }
  return {
    slept,
    warnings,
    /** Follows one accepted update of orders-enricher; its outcome. */
    wait: async (operationId: string | undefined, timeoutMs = 1_800_000, desired = target): Promise<Outcome> => {
      const applied: Applied = {
        ref: { name: 'orders-enricher', region: 'us-west-2' },
        outcome: { application: 'orders-enricher', region: 'us-west-2', action: 'updated', reason: 'Scaling.', updateAccepted: true },
        follow: { state: before, operationId, desired, hold: { remove: false } }
      }
      const [outcome] = await follow(
        [applied],
        { clientFor: () => client as unknown as FlinkClient, warn: (message) => warnings.push(message), log: () => {} },
        {
          timeoutMs,
          sleep: async (ms) => {
            slept.push(ms)
            now += ms
          },
          clock: () => now
        }
      )
      return outcome
    }
  }
}

const op = (status: string, extra: Partial<OperationState> = {}): OperationState => ({ status, ...extra })
const awsError = (code: string) => new ScalerError(`DescribeApplicationOperation failed: ${code}`, { code })
/** The failure a followed update ended in: its error text and fix. */
const failure = async (pending: Promise<Outcome>) => {
  const outcome = await pending
  expect(outcome.action).toBe('failed')
  return { message: outcome.error ?? '', hint: outcome.hint ?? '' }
}
const succeeded = async (pending: Promise<Outcome>) => {
  const outcome = await pending
  expect(outcome).toMatchObject({ action: 'updated' })
  expect(outcome.error).toBeUndefined()
  return outcome
}

describe('follow, for one update', () => {
  it('returns once the operation succeeded and the application is RUNNING at the target', async () => {
    const w = world({ operations: [op('SUCCESSFUL')], states: [atTarget] })

    await succeeded(w.wait('op-8'))
    expect(w.warnings).toEqual([])
  })

  it('keeps following while the operation is IN_PROGRESS, polling less and less often up to a cap', async () => {
    const w = world({ operations: [...Array<OperationState>(12).fill(op('IN_PROGRESS')), op('SUCCESSFUL')], states: [atTarget] })

    await succeeded(w.wait('op-8'))

    expect(w.slept).toHaveLength(13)
    const cap = Math.max(...w.slept)
    const firstAtCap = w.slept.indexOf(cap)
    // Grows strictly until it reaches the cap, then stays there.
    for (let i = 1; i <= firstAtCap; i++) expect(w.slept[i]).toBeGreaterThan(w.slept[i - 1])
    expect(w.slept.slice(firstAtCap)).toEqual(Array(w.slept.length - firstAtCap).fill(cap))
    expect(firstAtCap).toBeGreaterThanOrEqual(3)
    expect(firstAtCap).toBeLessThan(12)
    expect(w.slept[0]).toBeLessThanOrEqual(5_000)
    expect(cap).toBeLessThanOrEqual(60_000)
  })

  it('after a successful operation, waits for the application to leave UPDATING', async () => {
    const w = world({ operations: [op('SUCCESSFUL')], states: [updating, updating, atTarget] })

    await succeeded(w.wait('op-8'))
    expect(w.slept).toHaveLength(3)
  })

  it("a FAILED operation fails with the service's own error text", async () => {
    const w = world({
      operations: [op('IN_PROGRESS'), op('FAILED', { error: 'Not enough KPUs: account limit is 32', rollbackOperationId: 'op-9' })],
      states: [updating]
    })

    const error = await failure(w.wait('op-8'))

    expect(error.message).toContain('Not enough KPUs: account limit is 32')
    expect(error.message).toContain('FAILED')
    expect(error.message).toContain('op-9')
    expect(error.hint).toMatch(/\w/)
  })

  it('a CANCELLED operation fails', async () => {
    const w = world({ operations: [op('CANCELLED')], states: [atTarget] })

    const error = await failure(w.wait('op-8'))

    expect(error.message).toContain('CANCELLED')
    expect(error.message).toContain('op-8')
  })

  it.each(['UnsupportedOperationException', 'AccessDeniedException'])(
    'without DescribeApplicationOperation (%s) it follows the status instead and warns once',
    async (code) => {
      const w = world({ operations: [awsError(code)], states: [updating, updating, updating, atTarget] })

      await succeeded(w.wait('op-8'))

      expect(w.warnings).toHaveLength(1)
      expect(w.warnings[0]).toContain(code)
      expect(w.warnings[0]).toContain('kinesisanalytics:DescribeApplicationOperation')
    }
  )

  it('without an operation id it follows the status, without warning', async () => {
    const w = world({ states: [updating, atTarget] })

    await succeeded(w.wait(undefined))
    expect(w.warnings).toEqual([])
  })

  it('other errors while following the operation are not swallowed', async () => {
    const w = world({ operations: [awsError('ThrottlingException')], states: [atTarget] })

    const error = await failure(w.wait('op-8'))

    expect(error.message).toBe('DescribeApplicationOperation failed: ThrottlingException')
  })

  it.each([
    { name: 'READY (stopped)', states: [updating, { ...atTarget, status: 'READY' }], message: /READY, not RUNNING/ },
    { name: 'STOPPING', states: [{ ...atTarget, status: 'STOPPING' }], message: /STOPPING/ },
    { name: 'ROLLED_BACK', states: [updating, { ...before, status: 'ROLLED_BACK' }], message: /ROLLED_BACK/ }
  ])('ends $name → fails', async ({ states, message }) => {
    const w = world({ states })

    const error = await failure(w.wait(undefined))

    expect(error.message).toMatch(message)
    expect(error.hint).toMatch(/\w/)
  })

  it.each([
    { name: 'after a successful operation', operationId: 'op-8', operations: [op('SUCCESSFUL')] },
    { name: 'following the status', operationId: undefined, operations: [] }
  ])('RUNNING at the old parallelism $name → rolled back', async ({ operationId, operations }) => {
    const w = world({ operations, states: [updating, { ...before, versionId: 9 }] })

    const error = await failure(w.wait(operationId))

    expect(error.message).toContain('parallelism 4')
    expect(error.message).toContain('8')
    expect(error.message).toMatch(/rolled back/)
  })

  it('RUNNING at the target parallelism but the old ParallelismPerKPU → rolled back, not done', async () => {
    // Only ParallelismPerKPU changes; the service rolled the update back to 1 per KPU.
    const desired: Desired = { parallelism: 8, parallelismPerKpu: 2, autoScalingEnabled: false }
    const w = world({ states: [{ ...updating, parallelismPerKpu: 2 }, { ...atTarget, parallelismPerKpu: 1, versionId: 9 }] })

    const error = await failure(w.wait(undefined, 1_800_000, desired))

    expect(error.message).toMatch(/rolled back/)
  })

  it('gives up at the timeout, saying the update goes on and what to do', async () => {
    const w = world({ operations: [op('IN_PROGRESS')], states: [updating] })

    const error = await failure(w.wait('op-8', 120_000))

    expect(error.message).toContain('120 s')
    expect(error.message).toMatch(/update goes on/)
    expect(error.message).toContain('IN_PROGRESS')
    expect(error.hint).toContain('wait-timeout-seconds')
    expect(error.hint).toMatch(/wait: false/)
    // Never waits past the deadline.
    expect(w.slept.reduce((a, b) => a + b, 0)).toBe(120_000)
  })

  it('the timeout message says what it was still waiting for when following the status', async () => {
    const w = world({ states: [updating] })

    const error = await failure(w.wait(undefined, 30_000))

    expect(error.message).toContain('UPDATING')
  })
})

describe('follow, counting snapshots and deleting old ones (prune-snapshots)', () => {
  it('counts and deletes only once the update is at its target, and the outcome says what went, however long the deletions take', async () => {
    const states = [updating, updating, atTarget]
    const log: string[] = []
    const old = (name: string) => ({ name, status: 'READY', createdAt: new Date('2026-01-01T00:00:00Z') })
    const client = {
      describe: async () => {
        const state = states.length > 1 ? states.shift()! : states[0]
        log.push(`describe ${state.status}`)
        return state
      },
      snapshots: async () => {
        log.push('list')
        return [old('a'), old('b'), old('c'), ...Array.from({ length: 10 }, (_, i) => ({ name: `new-${i}`, status: 'READY', createdAt: new Date(Date.now() - i * 1000) }))]
      },
      // Slower than everything else: the phase must still wait for the last deletion.
      deleteSnapshot: async (_name: string, snapshot: { name: string }) => {
        await new Promise((resolve) => setTimeout(resolve, 30))
        log.push(`delete ${snapshot.name}`)
      }
    }
    const applied: Applied = {
      ref: { name: 'orders-enricher', region: 'us-west-2' },
      outcome: { application: 'orders-enricher', region: 'us-west-2', action: 'updated', reason: 'Scaling.', updateAccepted: true },
      follow: { state: before, desired: target, hold: { remove: false }, countSnapshots: true }
    }
    const config = { pruneSnapshots: 10, clock: new Date(), dryRun: false } as Config
    let now = 0
    const [outcome] = await follow(
      [applied],
      { config, clientFor: () => client as unknown as FlinkClient, warn: () => {}, log: () => {} },
      { timeoutMs: 600_000, sleep: async (ms) => void (now += ms), clock: () => now }
    )
    // 13 found (the update's own the newest), the 10 newest kept.
    expect(outcome).toMatchObject({ action: 'updated', snapshots: 10, deletedSnapshots: ['a', 'b', 'c'] })
    expect(log).toEqual(['describe UPDATING', 'describe UPDATING', 'describe RUNNING', 'list', 'delete a', 'delete b', 'delete c'])
  })
})
