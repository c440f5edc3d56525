import { describe, expect, it } from '@jest/globals'
import { RequestRate, type RateOptions } from '../src/aws/rate-limit.js'

/** A rate on a fake clock: time moves only when a request waits for the rate. */
function fakeRate(options: Partial<RateOptions> = {}) {
  let now = 0
  const rate = new RequestRate({
    initialRate: 10,
    maxRate: 40,
    minRate: 1,
    increasePerSecond: 10,
    maxInFlight: 100,
    burst: 5,
    clock: () => now,
    sleep: async (ms) => {
      now += ms
    },
    ...options
  })
  return { rate, elapsed: () => now, advance: (ms: number) => (now += ms) }
}

/** Sends `count` requests one after the other; the clock when each left. */
async function send(r: ReturnType<typeof fakeRate>, count: number): Promise<number[]> {
  const sent: number[] = []
  for (let i = 0; i < count; i++) {
    await r.rate.acquire()
    sent.push(r.elapsed())
    r.rate.release()
  }
  return sent
}

describe('RequestRate', () => {
  it('lets a burst through at once, then paces at the rate', async () => {
    const r = fakeRate()
    const sent = await send(r, 8)
    expect(sent.slice(0, 5)).toEqual([0, 0, 0, 0, 0])
    // Then one every 100 ms at 10 requests/s (a little faster as waiting grows the rate).
    for (let i = 5; i < 8; i++) expect(sent[i] - sent[i - 1]).toBeGreaterThan(80)
    for (let i = 5; i < 8; i++) expect(sent[i] - sent[i - 1]).toBeLessThanOrEqual(100)
  })

  it('grows while requests wait for it, up to its maximum', async () => {
    const r = fakeRate()
    await send(r, 200)
    expect(r.rate.requestsPerSecond).toBe(40)
  })

  it('does not grow while idle: a wave after a pause starts from the rate it had', async () => {
    const r = fakeRate()
    r.advance(60_000)
    await send(r, 1)
    expect(r.rate.requestsPerSecond).toBe(10)
  })

  it('halves at a throttling answer, once a second at most, never below its minimum', async () => {
    const r = fakeRate()
    r.rate.throttle()
    expect(r.rate.requestsPerSecond).toBe(5)
    // The rest of the same burst throttled too: one halving for it.
    r.rate.throttle()
    r.rate.throttle()
    expect(r.rate.requestsPerSecond).toBe(5)
    expect(r.rate.throttled).toBe(3)
    for (let i = 0; i < 10; i++) {
      r.advance(1_000)
      r.rate.throttle()
    }
    expect(r.rate.requestsPerSecond).toBe(1)
  })

  it('a throttling answer spends what was saved up: the next request waits for a token', async () => {
    const r = fakeRate()
    r.rate.throttle()
    const [first] = await send(r, 1)
    expect(first).toBeGreaterThan(0)
  })

  it('bounds the requests in flight', async () => {
    const r = fakeRate({ maxInFlight: 2, burst: 10 })
    await r.rate.acquire()
    await r.rate.acquire()
    let third = false
    const pending = r.rate.acquire().then(() => (third = true))
    await Promise.resolve()
    expect(third).toBe(false)
    r.rate.release()
    await pending
    expect(third).toBe(true)
  })
})
