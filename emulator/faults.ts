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
 * emulator.faults.set({ operation: 'UpdateApplication', accessDenied: 'iam:PassRole' }) // … naming another IAM action
 * emulator.faults.set({ operation: 'DescribeApplicationOperation', unsupported: true }) // UnknownOperationException
 * emulator.faults.set({ operation: 'UpdateApplication', lostAnswer: 1 })  // applied, then the connection is reset ×1
 * emulator.faults.set({ operation: 'UpdateApplication', lostAnswer: 1, lostAnswerAs: 'hang' })  // applied, never answered
 * emulator.faults.set({ operation: 'UpdateApplication', lostAnswer: 1, lostAnswerAs: 'ServiceUnavailableException' }) // applied, 503
 * emulator.faults.set({ busyWhileUpdating: 'ResourceInUseException' })  // TagResource/UntagResource refused while UPDATING
 * emulator.faults.set({ busyWhileUpdating: 'ConcurrentModificationException', busyCount: 2 })  // … the next 2 such calls
 * emulator.faults.set({ service: 'sts', throttle: 1 })                  // STS <Code>Throttling</Code>
 * emulator.faults.set({ service: 'cloudwatch', accessDenied: true })   // IAM denies cloudwatch:PutMetricData
 * const rule = emulator.faults.set({ throttle: 5 }); rule.clear()       // remove one rule
 * emulator.faults.clear()                                               // remove every rule and pending knob
 *
 * // Dedicated knobs for the next UpdateApplication of an application:
 * emulator.faults.raceNextUpdate('orders', { parallelism: 6 }) // another actor updates first → caller's token is stale
 * emulator.faults.failNextUpdate('orders', { outcome: 'rollback' }) // accepted, then FAILED + system rollback
 * emulator.faults.failNextUpdate('orders', { outcome: 'rollback-failed' }) // … and the rollback fails too: READY
 * ```
 *
 * A lost answer is the case a retrying client cannot see: the service applied the call, the answer
 * never arrived, so the SDK retries it. For UpdateApplication the retry carries the old token and
 * meets ConcurrentModificationException, while DescribeApplication (ApplicationVersionUpdatedFrom),
 * ListApplicationOperations and DescribeApplicationOperation (ApplicationVersionChangeDetails) all
 * show the update that was applied.
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
  /**
   * Every matching call is refused with AccessDeniedException, worded as IAM does ("User: … is not
   * authorized to perform: ACTION on resource: …"). `true` names kinesisanalytics:<the operation>;
   * a string names that IAM action instead, as when the call needs another permission of the caller
   * ('iam:PassRole', 'kms:Decrypt'). STS answers AccessDenied "Not authorized to perform ACTION";
   * CloudWatch answers AccessDenied (HTTP 403) for cloudwatch:PutMetricData.
   */
  accessDenied?: boolean | string
  /**
   * The resource an accessDenied refusal names. Default: the application's ARN; for iam:* actions
   * the role passed (ServiceExecutionRoleUpdate, else the application's service execution role);
   * for kms:* actions the application's customer managed key (else key/*).
   */
  accessDeniedResource?: string
  /** Every matching call is answered UnknownOperationException, as an endpoint without the operation would. */
  unsupported?: boolean
  /**
   * The next N matching calls that succeed are fully applied (an update is committed: its operation
   * is recorded, version and ConditionalToken rotate), then their answer is lost as `lostAnswerAs`
   * says. Kinesis Analytics only; a call that fails is answered as usual and uses up nothing.
   */
  lostAnswer?: number
  /** 'reset': the connection is reset (default); 'hang': never answered; 'ServiceUnavailableException': HTTP 503. */
  lostAnswerAs?: LostAnswer
  /**
   * While the application is UPDATING, matching TagResource / UntagResource calls (both, unless
   * `operation` names one) are refused with this error; both are in the model's errors of those
   * operations. Every such call while the rule is set, or the next `busyCount` of them.
   */
  busyWhileUpdating?: 'ResourceInUseException' | 'ConcurrentModificationException'
  /** With busyWhileUpdating: refuse only this many calls. Default: all, while the rule is set. */
  busyCount?: number
}

export type LostAnswer = 'reset' | 'hang' | 'ServiceUnavailableException'

export interface FaultRule {
  readonly spec: Readonly<FaultSpec>
  /** Counted faults not yet used (busy: Infinity without busyCount). */
  readonly remaining: FaultCounts
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

export type FailedUpdateOutcome = 'rollback' | 'rolled-back' | 'ready' | 'rollback-failed'

export interface FailOptions {
  /**
   * How the failed update ends:
   * - 'rollback': the service rolls back (status ROLLING_BACK, then RUNNING at the old configuration,
   *   version bumped again); the failed operation names the rollback operation.
   * - 'rolled-back': as 'rollback', but the application ends in ROLLED_BACK status.
   * - 'ready': no rollback; the application is left in READY (not running) at the new configuration.
   * - 'rollback-failed': the service rolls back (ROLLING_BACK), and the rollback fails as well: both
   *   operations FAILED, the application left in READY at the new configuration ("If this
   *   autorollback fails … your application will be placed into the READY state"), no new version.
   * Default: 'rollback' when the application has system rollback enabled, else 'ready'.
   */
  outcome?: FailedUpdateOutcome
  /** ErrorInfo.ErrorString of the failed operation. */
  errorString?: string
  /** ErrorInfo.ErrorString of the failed rollback ('rollback-failed'). */
  rollbackErrorString?: string
  region?: string
}

/** What a request ran into. */
export interface FaultDecision {
  latencyMs: number
  reset: boolean
  hang: boolean
  serverError?: 'ServiceUnavailableException' | 'InternalFailure'
  throttle: boolean
  /** IAM refuses the call: the action it names (default: the operation's own) and the resource. */
  accessDenied?: { action?: string; resource?: string }
  unsupported: boolean
  /** The call is applied, then its answer lost this way. */
  lostAnswer?: LostAnswer
}

/** A rule's counted faults not yet used. */
export type FaultCounts = { throttle: number; serverError: number; reset: number; hang: number; lostAnswer: number; busy: number }
type CountedFault = Exclude<keyof FaultCounts, 'busy'>

interface RuleState extends FaultRule {
  remaining: FaultCounts
}

const LOST_ANSWERS: readonly LostAnswer[] = ['reset', 'hang', 'ServiceUnavailableException']
const BUSY_ERRORS = ['ResourceInUseException', 'ConcurrentModificationException'] as const
const TAG_WRITES = ['TagResource', 'UntagResource']

export class Faults {
  private rules: RuleState[] = []
  /** Pending race knobs by application name. */
  readonly races = new Map<string, RaceOptions>()
  /** Pending failing-update knobs by application name. */
  readonly failures = new Map<string, FailOptions>()

  /** Adds a rule; returns a handle to inspect or remove it. */
  set(spec: FaultSpec): FaultRule {
    for (const key of ['throttle', 'serverError', 'reset', 'hang', 'latencyMs', 'lostAnswer', 'busyCount'] as const) {
      const v = spec[key]
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new Error(`faults.set: ${key} must be a non-negative integer`)
    }
    if (typeof spec.accessDenied === 'string' && !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(spec.accessDenied))
      throw new Error(`faults.set: accessDenied names an IAM action as service:Action, not ${spec.accessDenied}`)
    if (spec.lostAnswerAs !== undefined && !LOST_ANSWERS.includes(spec.lostAnswerAs))
      throw new Error(`faults.set: lostAnswerAs must be one of ${LOST_ANSWERS.join(', ')}`)
    if (spec.busyWhileUpdating !== undefined && !BUSY_ERRORS.includes(spec.busyWhileUpdating))
      throw new Error(`faults.set: busyWhileUpdating must be one of ${BUSY_ERRORS.join(', ')}`)
    const rule: RuleState = {
      spec: { ...spec },
      remaining: {
        throttle: spec.throttle ?? 0,
        serverError: spec.serverError ?? 0,
        reset: spec.reset ?? 0,
        hang: spec.hang ?? 0,
        lostAnswer: spec.lostAnswer ?? 0,
        busy: spec.busyWhileUpdating === undefined ? 0 : (spec.busyCount ?? Infinity)
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
   * Internal: decides (and consumes) the faults for one request. Called up to three times per
   * request: phase 'network' on arrival (latency, reset, hang), phase 'service' once the request
   * authenticated (server error, throttling, access denied, unsupported), so a request refused for
   * its signature does not use up a counted fault, and phase 'answer' once the call succeeded (lost
   * answers).
   */
  decide(
    phase: 'network' | 'service' | 'answer',
    service: ServiceName,
    operation: string,
    application: string | undefined
  ): FaultDecision {
    const decision: FaultDecision = {
      latencyMs: 0,
      reset: false,
      hang: false,
      throttle: false,
      unsupported: false
    }
    const matching = this.rules.filter((r) => matches(r.spec, service, operation, application))
    // One counted fault per phase of a call.
    const take = (kind: CountedFault): RuleState | undefined => {
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
    if (phase === 'answer') {
      const lost = service === 'kinesisanalytics' ? take('lostAnswer') : undefined
      if (lost) decision.lostAnswer = lost.spec.lostAnswerAs ?? 'reset'
      return decision
    }
    const denied = matching.find((r) => r.spec.accessDenied)
    if (denied) {
      decision.accessDenied = {
        ...(typeof denied.spec.accessDenied === 'string' ? { action: denied.spec.accessDenied } : {}),
        ...(denied.spec.accessDeniedResource !== undefined ? { resource: denied.spec.accessDeniedResource } : {})
      }
    }
    if (matching.some((r) => r.spec.unsupported)) decision.unsupported = true
    const r = take('serverError')
    if (r) decision.serverError = r.spec.serverErrorType ?? 'ServiceUnavailableException'
    else if (take('throttle')) decision.throttle = true
    return decision
  }

  /**
   * Internal: the error a TagResource / UntagResource of an UPDATING application is refused with
   * (busyWhileUpdating), using up one of the rule's count.
   */
  busy(operation: string, application: string): 'ResourceInUseException' | 'ConcurrentModificationException' | undefined {
    if (!TAG_WRITES.includes(operation)) return undefined
    const rule = this.rules.find((r) => r.remaining.busy > 0 && matches(r.spec, 'kinesisanalytics', operation, application))
    if (!rule) return undefined
    rule.remaining.busy--
    return rule.spec.busyWhileUpdating
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
