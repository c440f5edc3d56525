import { kpus, type ApplicationState } from './application.js'
import type { ApplicationRef, Config } from './config.js'
import { chooseTarget, decide, sourceText, type Decision, type Hold } from './decide.js'
import { asScalerError, ScalerError } from './errors.js'
import type { FlinkClient } from './flink-client.js'
import type { GitHubRun } from './github-run.js'
import { HOLD_TAG_KEYS, holdTags, readHold } from './holds.js'
import { describeTarget, nextTransition, sameParallelism } from './schedule.js'
import { debug } from './sdk-options.js'
import { WAIT_TIMEOUT, waitForUpdate } from './wait.js'

/** One application's result: one object of the `results` output. */
export interface Outcome {
  application: string
  region: string
  action: 'updated' | 'planned' | 'skipped' | 'failed'
  /** One human sentence. */
  reason: string
  /** The status found. */
  status?: string
  previousParallelism?: number
  targetParallelism?: number
  parallelismPerKpu?: number
  previousKpu?: number
  targetKpu?: number
  /** The matched rule's name, `default`, `manual` or `hold`. */
  rule?: string
  applicationVersionId?: number
  operationId?: string
  /** What failed, when action is `failed`. */
  error?: string
  /** What to do about it. */
  hint?: string
  /** The hold in force after this run, if any. */
  hold?: { parallelism: number; until: string; by?: string; actor?: string }
  /** Internal: the application's ParallelismPerKPU as found (resolves the schedule's KPU targets). */
  foundParallelismPerKpu?: number
  /** Internal: an UpdateApplication was accepted (even if what followed failed). */
  updateAccepted?: boolean
}

export interface ReconcileContext {
  client: FlinkClient
  config: Config
  /** This run, recorded with a hold (its URL and actor). */
  run: GitHubRun
  warn: (message: string) => void
}

/** A concurrent change makes the token stale: describe and decide again, a few times at most. */
const MAX_DECISIONS = 3
const RACES = new Set(['ConcurrentModificationException', 'ResourceInUseException'])

/** Observe, decide and apply for one application. Never throws: a failure is an outcome. */
export async function reconcile(ref: ApplicationRef, context: ReconcileContext): Promise<Outcome> {
  const outcome: Outcome = { application: ref.name, region: ref.region, action: 'failed', reason: '' }
  try {
    return await converge(ref, context, outcome)
  } catch (error) {
    const failure = asScalerError(error)
    return {
      ...outcome,
      action: 'failed',
      reason: outcome.updateAccepted ? `The update was accepted, then: ${failure.message}` : failure.message,
      error: failure.message,
      ...(failure.hint ? { hint: failure.hint } : {})
    }
  }
}

/** Fills `outcome` as it goes, so a failure midway still reports what was found and done. */
async function converge(ref: ApplicationRef, context: ReconcileContext, outcome: Outcome): Promise<Outcome> {
  const { client, config } = context
  for (let attempt = 1; ; attempt++) {
    const state = await client.describe(ref.name)
    // A name alone resolves in the credentials' account; an ARN must be that very application.
    if (ref.arn && state.arn && state.arn !== ref.arn) {
      throw new ScalerError(`${ref.arn} was asked for, but these credentials reach ${state.arn}.`, {
        hint: 'Run the action with credentials for the ARN\'s account (role-to-assume a role there; one step per account).'
      })
    }
    const hold = await observeHold(state, context)
    const wanted = chooseTarget({
      schedule: config.schedule,
      manual: config.manual,
      hold,
      releaseHold: config.releaseHold,
      settingHold: config.holdUntil !== undefined,
      now: config.now
    })
    const decision = decide(state, wanted, {
      parallelismPerKpu: config.parallelismPerKpu,
      autoscaling: config.autoscaling,
      allowStatelessRestart: config.allowStatelessRestart,
      min: config.schedule?.min,
      max: config.schedule?.max
    })
    debug(`${ref.name} (${ref.region}): found ${state.status} at parallelism ${state.parallelism}, ${state.parallelismPerKpu} per KPU, autoscaling ${state.autoScalingEnabled ? 'on' : 'off'}, version ${state.versionId}${hold ? `; hold parallelism ${hold.parallelism} until ${hold.until.toISOString()}` : ''}`)
    debug(`${ref.name} (${ref.region}): target ${describeTarget(wanted.target)} from ${sourceText(wanted.rule)}; decision ${decision.kind}: ${decision.reason}`)
    Object.assign(outcome, describeOutcome(state, decision))
    if (config.manual && wanted.rule === 'hold' && hold) {
      const note = ` A hold (parallelism ${hold.parallelism} until ${hold.until.toISOString()}) outranks the manual target; give hold-until to replace it, or release-hold: true.`
      outcome.reason += note
      context.warn(`${ref.name}:${note}`)
    }

    const newHold: Hold | undefined =
      config.holdUntil && decision.kind !== 'fail'
        ? { parallelism: decision.desired.parallelism, until: holdEnd(config, decision.desired.parallelismPerKpu), by: context.run.url, actor: context.run.actor }
        : undefined
    const activeHold = hold && hold.until > config.now ? hold : undefined
    const dropHold = hold !== undefined && !newHold && (config.releaseHold || !activeHold)
    const holdInForce = newHold ?? (dropHold ? undefined : hold)
    // Until this run writes its hold, the hold in force is the one found, if still active.
    Object.assign(outcome, holdAfter(activeHold))

    if (decision.kind === 'fail') {
      // A released or expired hold goes even when the target cannot be applied.
      if (dropHold && !config.dryRun) {
        await applyHold(state, undefined, true, context)
        Object.assign(outcome, holdAfter(undefined))
      }
      return { ...outcome, action: 'failed', error: decision.reason, hint: decision.hint }
    }

    if (config.dryRun) {
      const planned = decision.kind === 'update'
      return {
        ...outcome,
        action: planned ? 'planned' : 'skipped',
        reason: (planned ? `Dry run: would scale. ${outcome.reason}` : outcome.reason) + holdPlan(newHold, dropHold)
      }
    }

    if (decision.kind === 'skip') {
      await applyHold(state, newHold, dropHold, context)
      return { ...outcome, action: 'skipped', ...holdAfter(holdInForce) }
    }

    let accepted: { versionId?: number; operationId?: string }
    try {
      accepted = await client.update(state, decision.desired)
    } catch (error) {
      if (error instanceof ScalerError && RACES.has(error.code ?? '') && attempt < MAX_DECISIONS) {
        context.warn(`${ref.name}: ${error.code} while updating; describing again and deciding again.`)
        continue
      }
      throw error
    }
    Object.assign(outcome, {
      updateAccepted: true,
      ...(accepted.versionId !== undefined ? { applicationVersionId: accepted.versionId } : {}),
      ...(accepted.operationId ? { operationId: accepted.operationId } : {})
    })
    // The hold is written as soon as the update is accepted, so a run that is killed or times out
    // while waiting still leaves it for the next scheduled run to respect.
    await applyHold(state, newHold, dropHold, context)
    if (newHold) Object.assign(outcome, holdAfter(newHold))
    if (config.wait) {
      try {
        await waitForUpdate(client, ref.name, accepted.operationId, decision.desired, {
          timeoutMs: config.waitTimeoutSeconds * 1000,
          warn: context.warn
        })
      } catch (error) {
        // A failed or rolled-back update leaves no new hold behind: the one found before comes back.
        if (newHold && !(error instanceof ScalerError && error.code === WAIT_TIMEOUT)) {
          try {
            await applyHold(state, activeHold, !activeHold, context)
            Object.assign(outcome, holdAfter(activeHold))
          } catch (tagError) {
            context.warn(`${ref.name}: could not take back the new hold: ${(tagError as Error).message}`)
          }
        }
        throw error
      }
    }
    return { ...outcome, action: 'updated', ...holdAfter(holdInForce) }
  }
}

/** When a hold set now ends; `next-transition` is the schedule's next change for this application. */
function holdEnd(config: Config, parallelismPerKpu: number): Date {
  if (config.holdUntil !== 'next-transition') return config.holdUntil!
  const next = config.schedule && nextTransition(config.schedule, config.now, sameParallelism(parallelismPerKpu))
  if (!next) {
    throw new ScalerError('hold-until is next-transition, but the schedule asks this application for the same parallelism all year.', {
      hint: 'Give hold-until as an instant (2026-11-27T18:00:00Z) or a duration (90m, 4h, 2d).'
    })
  }
  return next.at
}

/** The hold on the application, or undefined when there is none or its tags cannot be read. */
async function observeHold(state: ApplicationState, context: ReconcileContext): Promise<Hold | undefined> {
  try {
    return readHold(await context.client.tags(state))
  } catch (error) {
    if (error instanceof ScalerError && error.code === 'AccessDeniedException') {
      context.warn(
        `Cannot read application tags (AccessDeniedException), so holds are ignored and the schedule applies. ` +
          'Allow kinesisanalytics:ListTagsForResource to make manual holds work.'
      )
      return undefined
    }
    throw error
  }
}

async function applyHold(state: ApplicationState, newHold: Hold | undefined, dropHold: boolean, context: ReconcileContext) {
  if (newHold) await context.client.tag(state, holdTags(newHold))
  else if (dropHold) await context.client.untag(state, HOLD_TAG_KEYS)
}

function holdPlan(newHold: Hold | undefined, dropHold: boolean): string {
  if (newHold) return ` Would hold parallelism ${newHold.parallelism} until ${newHold.until.toISOString()}.`
  if (dropHold) return ' Would remove the hold.'
  return ''
}

/** The hold in force after this run, for the outcome. */
function holdAfter(hold: Hold | undefined): Pick<Outcome, 'hold'> {
  return {
    hold: hold && {
      parallelism: hold.parallelism,
      until: hold.until.toISOString(),
      ...(hold.by ? { by: hold.by } : {}),
      ...(hold.actor ? { actor: hold.actor } : {})
    }
  }
}

function describeOutcome(state: ApplicationState, { reason, rule, desired }: Decision): Partial<Outcome> {
  return {
    status: state.status,
    reason,
    rule,
    previousParallelism: state.parallelism,
    previousKpu: kpus(state.parallelism, state.parallelismPerKpu),
    foundParallelismPerKpu: state.parallelismPerKpu,
    targetParallelism: desired.parallelism,
    parallelismPerKpu: desired.parallelismPerKpu,
    targetKpu: kpus(desired.parallelism, desired.parallelismPerKpu)
  }
}
