/** Retry with backoff and jitter, for what the SDK does not retry itself (tags while UPDATING, the OIDC token). */
export interface RetryOptions {
  /** How many times `work` runs at most (the first attempt included). */
  attempts: number
  /** Delay before the second attempt; doubled for each one after, with jitter. */
  baseDelayMs: number
  /** No single delay is longer than this. Default: no cap. */
  maxDelayMs?: number
  /** Whether an error is worth another attempt. */
  retryable: (error: unknown) => boolean
  /** Told before each wait: the error, the attempt that failed (1-based) and the delay chosen. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void
  sleep?: (ms: number) => Promise<void>
  /** A number in [0, 1), for the jitter. Default Math.random. */
  random?: () => number
}

/**
 * Runs `work` until it succeeds, a non-retryable error occurs, or the attempts run out; then
 * throws the last error as it was. Waits grow exponentially with "equal jitter" (half fixed, half
 * random), so runs that failed together do not retry in lockstep.
 */
export async function retry<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const random = options.random ?? Math.random
  const attempts = Math.max(1, Math.floor(options.attempts))
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (attempt >= attempts || !options.retryable(error)) throw error
      const ceiling = Math.min(options.baseDelayMs * 2 ** (attempt - 1), options.maxDelayMs ?? Infinity)
      const delay = Math.round(ceiling / 2 + random() * (ceiling / 2))
      options.onRetry?.(error, attempt, delay)
      await sleep(delay)
    }
  }
}
