/**
 * One request rate per region, shared by every request of the run to that region's endpoint, so
 * that hundreds of applications do not add up to throttling. AWS publishes no request rate for
 * the Managed Flink control plane, so the rate adapts: it starts moderate, grows while requests
 * go through, and halves at each throttling answer (the request is then sent again once the
 * slower rate allows it). Requests in flight are bounded too.
 */

export interface RateOptions {
  /** Requests per second to start with. */
  initialRate: number
  /** The rate never grows beyond this. */
  maxRate: number
  /** Nor falls below this. */
  minRate: number
  /** Requests per second added for each second in which requests waited for the rate, without a throttling answer. */
  increasePerSecond: number
  /** Requests in flight at most. */
  maxInFlight: number
  /** Tokens that may be spent at once (a burst), at most. */
  burst: number
  clock?: () => number
  sleep?: (ms: number) => Promise<void>
}

export const DEFAULT_RATE: RateOptions = {
  initialRate: 100,
  maxRate: 400,
  minRate: 1,
  increasePerSecond: 50,
  maxInFlight: 8,
  burst: 50
}

export class RequestRate {
  private rate: number
  private tokens: number
  private lastRefill: number
  private inFlight = 0
  private readonly waiting: (() => void)[] = []
  /** Throttling answers seen; after one, the rate is not halved again for a second (one burst, one halving). */
  throttled = 0
  private lastDecrease = -Infinity
  private readonly clock: () => number
  private readonly sleep: (ms: number) => Promise<void>

  constructor(private readonly options: RateOptions = DEFAULT_RATE) {
    this.rate = options.initialRate
    this.tokens = Math.min(options.burst, options.initialRate)
    this.clock = options.clock ?? (() => performance.now())
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    this.lastRefill = this.clock()
  }

  /** The current rate, in requests per second. */
  get requestsPerSecond(): number {
    return this.rate
  }

  /** Waits for a free slot and a token; call release() when the request is answered. */
  async acquire(): Promise<void> {
    while (this.inFlight >= this.options.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.inFlight++
    for (let waited = false; ; waited = true) {
      this.refill(waited)
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000))
    }
  }

  release(): void {
    this.inFlight--
    this.waiting.shift()?.()
  }

  /** A throttling answer: halve the rate (once per second at most) and spend what is saved up. */
  throttle(): void {
    this.throttled++
    const now = this.clock()
    this.refill()
    this.tokens = Math.min(this.tokens, 0)
    if (now - this.lastDecrease < 1000) return
    this.lastDecrease = now
    this.rate = Math.max(this.options.minRate, this.rate / 2)
  }

  /**
   * Tokens for the time since the last refill; the rate grows only for time a request spent
   * waiting for it (`demand`), so that an idle spell (a follow phase between its checks) does not
   * send the next wave of requests out far above what the service last took.
   */
  private refill(demand = false): void {
    const now = this.clock()
    const seconds = (now - this.lastRefill) / 1000
    if (seconds <= 0) return
    this.lastRefill = now
    this.tokens = Math.min(this.options.burst, this.tokens + seconds * this.rate)
    if (demand) this.rate = Math.min(this.options.maxRate, this.rate + seconds * this.options.increasePerSecond)
  }
}

/**
 * `work` for every item, with at most `limit` items of one region at work at a time, all regions
 * at once; the results in the items' order. A fleet's applications then wait their turn as plain
 * values, not as hundreds of requests built and held at once.
 */
export async function perRegion<T, R>(items: readonly T[], regionOf: (item: T) => string, limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  const queues = new Map<string, number[]>()
  items.forEach((item, index) => {
    const region = regionOf(item)
    if (!queues.has(region)) queues.set(region, [])
    queues.get(region)!.push(index)
  })
  const worker = async (queue: number[]) => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) results[index] = await work(items[index])
  }
  await Promise.all([...queues.values()].flatMap((queue) => Array.from({ length: Math.min(limit, queue.length) }, () => worker(queue))))
  return results
}
