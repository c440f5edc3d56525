/**
 * An error a user can act on: what happened (`message`) and what to do (`hint`).
 * Raised where the problem is known, reported once at the edge.
 */
export class ScalerError extends Error {
  /** What the user should do about it. */
  readonly hint: string | undefined
  /** Input errors are found before any AWS call and fail the whole run. */
  readonly kind: 'input' | 'aws'
  /** The AWS error name behind it (e.g. ConcurrentModificationException), when there is one. */
  readonly code: string | undefined
  /** Where in the repository the problem is (a schedule file and line), for an annotation on it. */
  location: Location | undefined

  constructor(
    message: string,
    options: { hint?: string; kind?: 'input' | 'aws'; code?: string; cause?: unknown; location?: Location } = {}
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ScalerError'
    this.hint = options.hint
    this.kind = options.kind ?? 'aws'
    this.code = options.code
    this.location = options.location
  }
}

/** A place in a file of the repository: the path relative to its root, and a line from 1. */
export interface Location {
  file: string
  line?: number
}

/** Any error as a ScalerError: ours pass through; anything else is unexpected, with its stack for a bug report. */
export function asScalerError(error: unknown): ScalerError {
  return error instanceof ScalerError ? error : new ScalerError(`Unexpected error: ${(error as Error)?.stack ?? String(error)}`)
}

/** An invalid input or schedule: reported before any AWS call is made. */
export function inputError(message: string, hint?: string, location?: Location): ScalerError {
  return new ScalerError(message, { hint, kind: 'input', location })
}
