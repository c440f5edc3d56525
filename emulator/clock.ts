/**
 * The emulator's clock: the real clock, which a test or the demo may run ahead (`advance`) so that
 * what takes the service minutes or hours (an autoscaler's 15 minutes at 75% CPU, a backlog that
 * drains, an evening) happens at once. Everything the emulated applications do in time (updates,
 * the load on their jobs, their metrics, the autoscaler) is on this clock.
 *
 * Callers of the emulator stay on the real clock: CloudWatch answers about the emulated
 * applications as if now were the real now, so the action, which asks for "the last 15 minutes",
 * sees the last 15 minutes of the emulated applications' lives, however far they were run ahead.
 */
export class SimulatedClock {
  /** How far ahead of the real clock the emulated world is, in ms. */
  private ahead = 0

  constructor(private readonly real: () => number = Date.now) {}

  /** Now, on the emulated applications' clock (epoch ms). */
  now(): number {
    return this.real() + this.ahead
  }

  /** How far ahead of the real clock it runs, in ms. */
  get offsetMs(): number {
    return this.ahead
  }

  /** Runs the clock `ms` ahead at once: what would happen in that time has happened on the next look. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`The emulator's clock only runs ahead: ${ms} ms`)
    this.ahead += ms
  }

  /** An instant on the real clock, as the emulated clock reads it. */
  fromReal(realMs: number): number {
    return realMs + this.ahead
  }

  /** An instant on the emulated clock, as the real clock reads it. */
  toReal(simulatedMs: number): number {
    return simulatedMs - this.ahead
  }
}
