/**
 * Fault knobs, mutable at any time while the emulator runs.
 *
 * ```ts
 * // Generic rules: each matches requests by service (default 'kinesisanalytics'), application
 * // name and/or operation; counted faults apply to the next N matching calls, the others to every
 * // matching call until cleared.
 * emulator.faults.set({ throttle: 2 })                                  // ThrottlingException (400) ×2
 * emulator.faults.set({ operation: 'UpdateApplication', serverError: 1 }) // ServiceUnavailableException (503) ×1
 * emulator.faults.set({ serverError: 1, serverErrorType: 'InternalFailure' }) // InternalFailure (500) ×1
 * emulator.faults.set({ application: 'orders', reset: 1 })            // socket reset without a response ×1
 * emulator.faults.set({ hang: 1 })                                      // accepted, never answered ×1
 * emulator.faults.set({ latencyMs: 200 })                               // every call 200 ms slower
 * emulator.faults.set({ operation: ['UpdateApplication'], accessDenied: true })  // IAM denies these operations
 * emulator.faults.set({ operation: 'DescribeApplicationOperation', unsupported: true }) // UnknownOperationException
 * emulator.faults.set({ service: 'sts', throttle: 1 })                  // STS <Code>Throttling</Code>
 * emulator.faults.set({ service: 'cloudwatch', accessDenied: true })   // IAM denies cloudwatch:PutMetricData
 * const rule = emulator.faults.set({ throttle: 5 }); rule.clear()       // remove one rule
 * emulator.faults.clear()                                               // remove every rule and pending knob
 *
 * // Dedicated knobs for the next UpdateApplication of an application:
 * emulator.faults.raceNextUpdate('orders', { parallelism: 6 }) // another actor updates first → caller's token is stale
 * emulator.faults.failNextUpdate('orders', { outcome: 'rollback' }) // accepted, then FAILED + system rollback
 * ```
 */

export type ServiceName = 'kinesisanalytics' | 'sts' | 'oidc' | 'cloudwatch'

export interface FaultSpec {
  /** Which endpoint the rule applies to. Default 'kinesisanalytics'. */
  service?: ServiceName
  /** Only requests about this application (ApplicationName, or the name in ResourceARN). */
  application?: string
  /** Only these operations (Kinesis Analytics or CloudWatch operation, STS Action, or 'GetIdToken' for OIDC). */
  operation?: string | readonly string[]
  /** The next N matching calls are throttled: ThrottlingException (HTTP 400); STS and CloudWatch `Throttling`; OIDC HTTP 429. */
  throttle?: number
  /** The next N matching calls fail with a server error (see serverErrorType). */
  serverError?: number
  /** 'ServiceUnavailableException' (HTTP 503, default) or 'InternalFailure' (HTTP 500). */
  serverErrorType?: 'ServiceUnavailableException' | 'InternalFailure'
  /** The next N matching calls have their connection reset without any response. */
  reset?: number
  /** The next N matching calls are accepted and never answered (until the emulator stops). */
  hang?: number
  /** Every matching call is answered this many ms later. */
  latencyMs?: number
  /** Every matching call is refused by IAM, worded as IAM does: AccessDeniedException (Kinesis Analytics), AccessDenied (CloudWatch, STS). */
  accessDenied?: boolean
  /** Every matching call is answered UnknownOperationException, as an endpoint without the operation would. */
  unsupported?: boolean
}

export interface FaultRule {
  readonly spec: Readonly<FaultSpec>
  /** Counted faults not yet used. */
  readonly remaining: { throttle: number; serverError: number; reset: number; hang: number }
  /** Removes this rule. */
  clear(): void
}

export interface RaceOptions {
  /** The other actor also sets Parallelism to this value (ConfigurationType CUSTOM). */
  parallelism?: number
  /** The other actor's update completes at once instead of taking updateDurationMs (RUNNING apps). */
  instant?: boolean
  region?: string
}

export type FailedUpdateOutcome = 'rollback' | 'rolled-back' | 'ready'

export interface FailOptions {
  /**
   * How the failed update ends:
   * - 'rollback': the service rolls back (status ROLLING_BACK, then RUNNING at the old configuration,
   *   version bumped again); the failed operation names the rollback operation.
   * - 'rolled-back': as 'rollback', but the application ends in ROLLED_BACK status.
   * - 'ready': no rollback; the application is left in READY (not running) at the new configuration.
   * Default: 'rollback' when the application has system rollback enabled, else 'ready'.
   */
  outcome?: FailedUpdateOutcome
  /** ErrorInfo.ErrorString of the failed operation. */
  errorString?: string
  region?: string
}

/** What a request ran into. */
export interface FaultDecision {
  latencyMs: number
  reset: boolean
  hang: boolean
  serverError?: 'ServiceUnavailableException' | 'InternalFailure'
  throttle: boolean
  accessDenied: boolean
  unsupported: boolean
}

interface RuleState extends FaultRule {
  remaining: { throttle: number; serverError: number; reset: number; hang: number }
}

export class Faults {
  private rules: RuleState[] = []
  /** Pending race knobs by application name. */
  readonly races = new Map<string, RaceOptions>()
  /** Pending failing-update knobs by application name. */
  readonly failures = new Map<string, FailOptions>()

  /** Adds a rule; returns a handle to inspect or remove it. */
  set(spec: FaultSpec): FaultRule {
    for (const key of ['throttle', 'serverError', 'reset', 'hang', 'latencyMs'] as const) {
      const v = spec[key]
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new Error(`faults.set: ${key} must be a non-negative integer`)
    }
    const rule: RuleState = {
      spec: { ...spec },
      remaining: {
        throttle: spec.throttle ?? 0,
        serverError: spec.serverError ?? 0,
        reset: spec.reset ?? 0,
        hang: spec.hang ?? 0
      },
      clear: () => {
        this.rules = this.rules.filter((r) => r !== rule)
      }
    }
    this.rules.push(rule)
    return rule
  }

  /** Every rule currently set. */
  list(): readonly FaultRule[] {
    return [...this.rules]
  }

  /** Removes every rule and every pending race / failing-update knob. */
  clear(): void {
    this.rules = []
    this.races.clear()
    this.failures.clear()
  }

  /**
   * Before the next UpdateApplication of `application` is applied, another actor updates the
   * application (new version and ConditionalToken, optionally a new Parallelism), so the caller's
   * CurrentApplicationVersionId / ConditionalToken is stale → ConcurrentModificationException.
   */
  raceNextUpdate(application: string, options: RaceOptions = {}): void {
    this.races.set(application, { ...options })
  }

  /** The next UpdateApplication of `application` is accepted, then fails when the restart would complete. */
  failNextUpdate(application: string, options: FailOptions = {}): void {
    this.failures.set(application, { ...options })
  }

  /**
   * Internal: decides (and consumes) the faults for one request. Called twice per request: phase
   * 'network' on arrival (latency, reset, hang), phase 'service' once the request authenticated
   * (server error, throttling, access denied, unsupported), so a request refused for its signature
   * does not use up a counted fault.
   */
  decide(phase: 'network' | 'service', service: ServiceName, operation: string, application: string | undefined): FaultDecision {
    const decision: FaultDecision = {
      latencyMs: 0,
      reset: false,
      hang: false,
      throttle: false,
      accessDenied: false,
      unsupported: false
    }
    const matching = this.rules.filter((r) => matches(r.spec, service, operation, application))
    // One counted fault per phase of a call.
    const take = (kind: 'reset' | 'hang' | 'serverError' | 'throttle'): RuleState | undefined => {
      const r = matching.find((m) => m.remaining[kind] > 0)
      if (r) r.remaining[kind]--
      return r
    }
    if (phase === 'network') {
      for (const r of matching) decision.latencyMs = Math.max(decision.latencyMs, r.spec.latencyMs ?? 0)
      if (take('reset')) decision.reset = true
      else if (take('hang')) decision.hang = true
      return decision
    }
    for (const r of matching) {
      if (r.spec.accessDenied) decision.accessDenied = true
      if (r.spec.unsupported) decision.unsupported = true
    }
    const r = take('serverError')
    if (r) decision.serverError = r.spec.serverErrorType ?? 'ServiceUnavailableException'
    else if (take('throttle')) decision.throttle = true
    return decision
  }
}

function matches(spec: FaultSpec, service: ServiceName, operation: string, application: string | undefined): boolean {
  if ((spec.service ?? 'kinesisanalytics') !== service) return false
  if (spec.application !== undefined && spec.application !== application) return false
  if (spec.operation !== undefined) {
    const ops = typeof spec.operation === 'string' ? [spec.operation] : spec.operation
    if (!ops.includes(operation)) return false
  }
  return true
}
