export interface RetryOptions {
  attempts: number
  /** Delay before the second attempt; doubled for each one after, with jitter. */
  baseDelayMs: number
  /** Whether an error is worth another attempt. */
  retryable: (error: unknown) => boolean
  sleep?: (ms: number) => Promise<void>
}

/** Runs `work` until it succeeds, a non-retryable error occurs, or the attempts run out. */
export async function retry<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (attempt >= options.attempts || !options.retryable(error)) throw error
      const delay = options.baseDelayMs * 2 ** (attempt - 1)
      await sleep(delay / 2 + Math.random() * (delay / 2))
    }
  }
}
