import { describe, expect, it } from '@jest/globals'
import { retry, type RetryOptions } from '../src/aws/retry.js'

/** A piece of work that fails `failures` times with the given errors, then returns 'done'. */
function flaky(failures: unknown[]) {
  let calls = 0
  const work = async () => {
    calls++
    if (calls <= failures.length) throw failures[calls - 1]
    return 'done'
  }
  return { work, calls: () => calls }
}

/** Options with a recorded, instant sleep. */
function recorded(options: Partial<RetryOptions> = {}) {
  const delays: number[] = []
  const retries: { attempt: number; delay: number }[] = []
  const opts: RetryOptions = {
    attempts: 5,
    baseDelayMs: 1_000,
    retryable: () => true,
    sleep: async (ms) => void delays.push(ms),
    onRetry: (_error, attempt, delay) => void retries.push({ attempt, delay }),
    ...options
  }
  return { opts, delays, retries }
}

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const { opts, delays } = recorded()
    const { work, calls } = flaky([])
    await expect(retry(work, opts)).resolves.toBe('done')
    expect(calls()).toBe(1)
    expect(delays).toEqual([])
  })

  it('survives failures up to attempts - 1', async () => {
    const { opts, delays, retries } = recorded({ attempts: 4 })
    const { work, calls } = flaky([new Error('a'), new Error('b'), new Error('c')])
    await expect(retry(work, opts)).resolves.toBe('done')
    expect(calls()).toBe(4)
    expect(delays).toHaveLength(3)
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3])
  })

  it('throws the last error, unchanged, when the attempts run out', async () => {
    const { opts, delays } = recorded({ attempts: 3 })
    const last = new Error('third')
    const { work, calls } = flaky([new Error('first'), new Error('second'), last, new Error('never')])
    await expect(retry(work, opts)).rejects.toBe(last)
    expect(calls()).toBe(3)
    expect(delays).toHaveLength(2)
  })

  it('stops at once on an error that is not retryable', async () => {
    const fatal = Object.assign(new Error('denied'), { name: 'AccessDenied' })
    const { opts, delays } = recorded({ retryable: (error) => (error as Error).name !== 'AccessDenied' })
    const { work, calls } = flaky([new Error('blip'), fatal])
    await expect(retry(work, opts)).rejects.toBe(fatal)
    expect(calls()).toBe(2)
    expect(delays).toHaveLength(1)
  })

  it('doubles the wait each time, within [half, whole] of the exponential step', async () => {
    for (const random of [() => 0, () => 0.999999, Math.random]) {
      const { opts, delays } = recorded({ attempts: 6, baseDelayMs: 100, random })
      await expect(retry(flaky(Array.from({ length: 5 }, () => new Error('x'))).work, opts)).resolves.toBe('done')
      const steps = [100, 200, 400, 800, 1600]
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(steps[i] / 2)
        expect(delay).toBeLessThanOrEqual(steps[i])
      })
    }
    // With the jitter pinned, each wait is exactly twice the one before.
    const { opts, delays } = recorded({ attempts: 5, baseDelayMs: 100, random: () => 0 })
    await retry(flaky(Array.from({ length: 4 }, () => new Error('x'))).work, opts)
    expect(delays).toEqual([50, 100, 200, 400])
  })

  it('caps each wait at maxDelayMs', async () => {
    const { opts, delays } = recorded({ attempts: 6, baseDelayMs: 1_000, maxDelayMs: 3_000, random: () => 0.999999 })
    await retry(flaky(Array.from({ length: 5 }, () => new Error('x'))).work, opts)
    expect(delays).toEqual([1_000, 2_000, 3_000, 3_000, 3_000])
  })

  it('tells onRetry the error and the delay it is about to wait', async () => {
    const { opts, delays, retries } = recorded({ attempts: 3, random: () => 0.5 })
    await retry(flaky([new Error('a'), new Error('b')]).work, opts)
    expect(retries).toEqual([
      { attempt: 1, delay: delays[0] },
      { attempt: 2, delay: delays[1] }
    ])
    expect(delays).toEqual([750, 1_500])
  })

  it('runs once when attempts is 1 (or less)', async () => {
    for (const attempts of [1, 0, -2]) {
      const { opts } = recorded({ attempts })
      const { work, calls } = flaky([new Error('once')])
      await expect(retry(work, opts)).rejects.toThrow('once')
      expect(calls()).toBe(1)
    }
  })

  it('waits for real with the default sleep', async () => {
    const started = Date.now()
    await expect(retry(flaky([new Error('a')]).work, { attempts: 2, baseDelayMs: 40, retryable: () => true })).resolves.toBe('done')
    expect(Date.now() - started).toBeGreaterThanOrEqual(19)
  })
})
