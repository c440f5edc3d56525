/** What a run did about one application: one object of the `results` output, and what the report needs. */
import { kpus, type ApplicationState } from './application.js'
import type { ApplicationRef } from '../github/config.js'
import type { Decision } from './decide.js'
import type { Wait } from './scale-down.js'
import type { Hold } from './holds.js'
import type { ScalerError } from '../errors.js'

export interface Outcome {
  application: string
  region: string
  /** The account, with account-roles. */
  account?: string
  /** The named schedule followed, with named schedules. */
  schedule?: string
  action: 'updated' | 'planned' | 'skipped' | 'deferred' | 'failed'
  /** One human sentence. */
  reason: string
  /** The status found. */
  status?: string
  previousParallelism?: number
  /** CurrentParallelism found, when the service's autoscaler runs the job above its configured parallelism. */
  currentParallelism?: number
  targetParallelism?: number
  parallelismPerKpu?: number
  previousKpu?: number
  targetKpu?: number
  /** The matched rule's name, `default`, `manual` or `hold`. */
  rule?: string
  applicationVersionId?: number
  operationId?: string
  /**
   * With action `deferred`: what the scale-down waits for (each metric, its value and its limit;
   * CPU projected onto the smaller size) and when the wait ends at the latest (ISO-8601).
   */
  deferral?: { waitsFor: Wait[]; until: string }
  /** What failed, when action is `failed`. */
  error?: string
  /** What to do about it. */
  hint?: string
  /** The hold in force after this run, if any. */
  hold?: { parallelism: number; until: string; by?: string; actor?: string }
  /** The application's snapshots after this run (its update's own included), when they were read; in a dry run, what a real run would leave. */
  snapshots?: number
  /** The snapshots this run deleted (prune-snapshots), oldest first. */
  deletedSnapshots?: string[]
  /** With `suggest`: the schedule suggested for it, and how it would have done over the look-back. */
  suggestion?: SuggestionResult
  /** Internal: the application's ParallelismPerKPU as found (resolves the schedule's KPU targets). */
  foundParallelismPerKpu?: number
  /** Internal: an UpdateApplication was accepted (even if what followed failed). */
  updateAccepted?: boolean
  /** Internal: when the update was accepted, and when the application was RUNNING at the target (epoch ms). */
  acceptedAt?: number
  reachedAt?: number
  /** Internal: how long after the schedule's change the application reached its target (for the report). */
  lateness?: string
  /** Internal: what a dry run would delete (prune-snapshots). */
  wouldDeleteSnapshots?: string[]
  /** Internal: what the summary says about the snapshots (near the limit, deletions that failed). */
  snapshotNote?: string
}

/** A suggested schedule in `results`: its sizes and its figures, measured on the hours it was made from. */
export interface SuggestionResult {
  /** Its name among the named schedules of `suggested-schedule`, when the run suggests several. */
  schedule?: string
  /** The sizes it uses, in KPU, smallest first (the default is one of them). */
  kpus: number[]
  /** Hours of the look-back with data. */
  hours: number
  /** Of them, those the schedule would have carried at or under the aimed utilization. */
  carried: number
  /** Hours without data (stopped, not yet created): left out of every figure. */
  hoursWithoutData: number
  /** Over the hours with data: under the suggested schedule, what ran, and flat at the schedule's peak. */
  kpuHours: { suggested: number; used: number; flat: number }
  /** The same priced, with `kpu-hour-price`. */
  cost?: { price: number; suggested: number; used: number; flat: number }
}

/**
 * The application of an outcome about every application of a place (an account's region) that
 * could not be listed: its role could not be assumed, or IAM refused ListApplications there.
 */
export const EVERY_APPLICATION = '*'

/** Fields of Outcome that are bookkeeping for the report, not part of the `results` output. */
export const INTERNAL_FIELDS = ['foundParallelismPerKpu', 'updateAccepted', 'acceptedAt', 'reachedAt', 'lateness', 'wouldDeleteSnapshots', 'snapshotNote'] as const
export type PublicOutcome = Omit<Outcome, (typeof INTERNAL_FIELDS)[number]>

/** The `results` object of the contract, without internal bookkeeping. */
export function publicFields(outcome: Outcome): PublicOutcome {
  const copy: Partial<Outcome> = { ...outcome }
  for (const field of INTERNAL_FIELDS) delete copy[field]
  return copy as PublicOutcome
}

/** An outcome that knows only which application it is about. */
export function outcomeFor(ref: ApplicationRef): Outcome {
  return { application: ref.name, region: ref.region, ...(ref.account ? { account: ref.account } : {}), action: 'failed', reason: '' }
}

/**
 * `outcome` failed with `failure`: its message is the error, and the reason too, after `then`
 * (e.g. "The update was accepted, then:") when something had been done before it failed.
 */
export function failedWith(outcome: Outcome, failure: ScalerError, then?: string): Outcome {
  return {
    ...outcome,
    action: 'failed',
    reason: then ? `${then} ${failure.message}` : failure.message,
    error: failure.message,
    ...(failure.hint ? { hint: failure.hint } : {})
  }
}

/** What was found and what was decided, as outcome fields. */
export function decided(state: ApplicationState, { reason, rule, desired }: Decision): Partial<Outcome> {
  return {
    status: state.status,
    reason,
    rule,
    previousParallelism: state.parallelism,
    ...(state.currentParallelism !== undefined && state.currentParallelism !== state.parallelism ? { currentParallelism: state.currentParallelism } : {}),
    previousKpu: kpus(state.parallelism, state.parallelismPerKpu),
    foundParallelismPerKpu: state.parallelismPerKpu,
    targetParallelism: desired.parallelism,
    parallelismPerKpu: desired.parallelismPerKpu,
    targetKpu: kpus(desired.parallelism, desired.parallelismPerKpu)
  }
}

/**
 * What the job ran at when found: CurrentParallelism when the service's autoscaler ran it above its
 * configured parallelism, else the configured one, and its KPUs. A deferral is told from it to its target.
 */
export function runningAt(o: Outcome): { parallelism?: number; kpu?: number } {
  const parallelism = o.currentParallelism ?? o.previousParallelism
  const perKpu = o.foundParallelismPerKpu ?? o.parallelismPerKpu
  if (o.currentParallelism === undefined) return { parallelism, kpu: o.previousKpu }
  return { parallelism, kpu: parallelism !== undefined && perKpu !== undefined ? kpus(parallelism, perKpu) : undefined }
}

/** The hold in force, as the outcome shows it. */
export function holdField(hold: Hold | undefined): Pick<Outcome, 'hold'> {
  return {
    hold: hold && {
      parallelism: hold.parallelism,
      until: hold.until.toISOString(),
      ...(hold.by ? { by: hold.by } : {}),
      ...(hold.actor ? { actor: hold.actor } : {})
    }
  }
}
