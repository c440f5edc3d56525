/**
 * An optional request-rate quota on the Kinesis Analytics endpoint: one token bucket per account
 * and region (as AWS quotas are), shared by every operation. A request over the quota is
 * answered ThrottlingException, as the service answers it, and counted.
 *
 * AWS does not publish request rates for the Kinesis Analytics V2 API: the Managed Service for
 * Apache Flink quotas name applications, KPUs and snapshots, not calls per second. One bucket
 * across all operations is the stricter reading of an undocumented per-API limit.
 *
 * ```ts
 * const emulator = await startEmulator({ requestRate: { perSecond: 10, burst: 20 } })
 * // … run the action against 300 applications …
 * emulator.requestRate.throttled                    // requests throttled, all regions
 * emulator.requestRate.throttledBy.region['us-east-1'], emulator.requestRate.throttledBy.operation.DescribeApplication
 * emulator.requestRate.set({ perSecond: 2 })        // change it at any time (buckets start full); set() lifts it
 * ```
 */

export interface RequestRateOptions {
  /** Requests per second each region's bucket refills (may be fractional). */
  perSecond: number
  /** How many requests a full bucket lets through at once. Default: perSecond, at least 1. */
  burst?: number
}

interface Bucket {
  tokens: number
  at: number
}

export class RequestRate {
  private options: Required<RequestRateOptions> | undefined
  private readonly buckets = new Map<string, Bucket>()
  /** Requests throttled for the quota since the emulator started. */
  throttled = 0
  /** The same, by region and by operation. */
  readonly throttledBy: { region: Record<string, number>; operation: Record<string, number> } = { region: {}, operation: {} }

  constructor(options?: RequestRateOptions) {
    this.set(options)
  }

  /** Sets the quota (every region's bucket starts full), or lifts it with no argument. Counts are kept. */
  set(options?: RequestRateOptions): void {
    this.buckets.clear()
    if (!options) {
      this.options = undefined
      return
    }
    const { perSecond } = options
    const burst = options.burst ?? Math.max(1, perSecond)
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new Error('requestRate: perSecond must be a positive number')
    if (!Number.isFinite(burst) || burst < 1) throw new Error('requestRate: burst must be at least 1')
    this.options = { perSecond, burst }
  }

  /** Internal: takes a token for one request; false (and counted) when the bucket of the account's region is empty. */
  take(region: string, operation: string, now = Date.now(), account = ''): boolean {
    if (!this.options) return true
    const { perSecond, burst } = this.options
    let bucket = this.buckets.get(`${account}/${region}`)
    if (!bucket) {
      bucket = { tokens: burst, at: now }
      this.buckets.set(`${account}/${region}`, bucket)
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) * perSecond) / 1000)
      bucket.at = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return true
    }
    this.throttled++
    this.throttledBy.region[region] = (this.throttledBy.region[region] ?? 0) + 1
    this.throttledBy.operation[operation] = (this.throttledBy.operation[operation] ?? 0) + 1
    return false
  }
}
