/**
 * The apply phase: every update is issued (UpdateApplication) and every hold written or removed
 * (TagResource, UntagResource) before any update is followed.
 */
import { atTarget, type ApplicationState, type Desired } from './application.js'
import type { ApplicationRef } from '../github/config.js'
import { planApplication, type Plan } from './decide.js'
import { asScalerError, ScalerError } from '../errors.js'
import { ANSWER_LOST, type FlinkClient } from '../aws/flink-client.js'
import { HOLD_TAG_KEYS, holdPlanText, holdTags, type Hold, type HoldPlan } from './holds.js'
import { decided, failedWith, holdField, outcomeFor, type Outcome } from './outcome.js'
import { DEFAULT_RATE, perRegion } from '../aws/rate-limit.js'
import { placeKey, type RunContext } from './context.js'
import type { Reading } from './scale-down.js'
import type { Schedule } from '../schedule/schedule.js'
import { afterUpdate, readSnapshots, warnNothingToPrune } from './prune.js'
import type { PrunePlan, SnapshotInfo } from './snapshots.js'

/**
 * An application after the decide phase: its plan, or the outcome of a failure before it.
 * `reading`: the guard's metrics read for it (the check phase), for a decision made again after a race.
 * `schedule`: the named schedule it follows (decided on again after a conflict), with named schedules.
 */
export type Planned =
  | { ref: ApplicationRef; state: ApplicationState; found?: Hold; plan: Plan; reading?: Reading; schedule?: Schedule }
  | { ref: ApplicationRef; failed: Outcome }

/** An application after the apply phase; `follow` is set for an accepted update to follow. */
export interface Applied {
  ref: ApplicationRef
  outcome: Outcome
  /**
   * `holdPending`: the hold could not be written yet (the application was UPDATING); follow writes it at the end.
   * `countSnapshots`: snapshots are on; follow counts them (and prunes) once the update is at its target.
   */
  follow?: { state: ApplicationState; operationId?: string; desired: Desired; hold: HoldPlan; holdPending?: boolean; countSnapshots?: boolean }
  /** Without wait: the snapshots to delete (prune-snapshots) once every update has been sent. */
  prune?: PrunePlan
}

/** A concurrent change makes the token stale: describe and decide again, a few times at most. */
const MAX_DECISIONS = 3
const RACES = new Set(['ConcurrentModificationException', 'ResourceInUseException'])

/** Applies every plan, as many at once per place (account and region) as it takes requests in flight. Never throws. */
export function apply(planned: Planned[], context: RunContext): Promise<Applied[]> {
  return perRegion(planned, (p) => placeKey(p.ref), DEFAULT_RATE.maxInFlight, async (p) => ('failed' in p ? { ref: p.ref, outcome: p.failed } : applyOne(p, context)))
}

async function applyOne(planned: Extract<Planned, { plan: Plan }>, context: RunContext): Promise<Applied> {
  const { ref, found } = planned
  const { config } = context
  const client = context.clientFor(ref)
  let { state, plan } = planned
  const outcome: Outcome = outcomeFor(ref)
  // With account-roles the same name may be in several accounts: warnings name the place too.
  const who = ref.account ? `${ref.name} (${ref.region}, account ${ref.account})` : ref.name
  warnNothingToPrune(state, context, ref.account)
  // A dry run, and a run that does not follow its updates, count the snapshots just before the
  // first update is sent (a followed update counts them once it is at target, in the follow phase).
  let snapshots: SnapshotInfo[] | undefined
  let snapshotsRead = false
  const snapshotsBefore = async () => {
    if (!snapshotsRead) snapshots = await readSnapshots(client, state, context, ref.account)
    snapshotsRead = true
    return snapshots
  }
  try {
    for (let attempt = 1; ; attempt++) {
      const { decision, hold } = plan
      // Until this run writes its hold, the hold in force is the one found, if still active.
      Object.assign(outcome, decided(state, decision), holdField(hold.current))
      if (plan.warning) context.warn(`${who}: ${plan.warning}`)
      if (decision.kind === 'skip' && decision.warning) context.warn(`${who} ${decision.warning}`)
      if (decision.kind === 'update' && decision.warning) context.warn(`${who}: ${decision.warning}`)

      if (decision.kind === 'fail') {
        // A released or expired hold goes even when the target cannot be applied.
        if (hold.remove && !config.dryRun) {
          await writeHold(client, state, hold)
          Object.assign(outcome, holdField(undefined))
        }
        return { ref, outcome: { ...outcome, action: 'failed', error: decision.reason, hint: decision.hint } }
      }
      if (decision.kind === 'defer') {
        // Nothing changes but an ended hold's tags, which go as they would with a skip.
        if (!config.dryRun) await writeHold(client, state, hold)
        const deferral = { waitsFor: decision.deferral.waitsFor, until: decision.deferral.until.toISOString() }
        const reason = config.dryRun ? `${outcome.reason}${holdPlanText(hold)}` : outcome.reason
        return { ref, outcome: { ...outcome, action: 'deferred', reason, deferral, ...(config.dryRun ? {} : holdField(hold.after)) } }
      }
      if (config.dryRun) {
        const planned = decision.kind === 'update'
        const reason = (planned ? `Dry run: would scale. ${outcome.reason}` : outcome.reason) + holdPlanText(hold)
        const before = planned ? await snapshotsBefore() : undefined
        return { ref, outcome: { ...outcome, action: planned ? 'planned' : 'skipped', reason, ...(before ? afterUpdate(before, state, context).fields : {}) } }
      }
      if (decision.kind === 'skip') {
        await writeHold(client, state, hold)
        return { ref, outcome: { ...outcome, action: 'skipped', ...holdField(hold.after) } }
      }

      const before = config.wait ? undefined : await snapshotsBefore()
      let accepted: { versionId?: number; operationId?: string } | undefined
      try {
        accepted = await client.update(state, decision.desired, { restoreLatest: decision.restoreLatest })
      } catch (error) {
        // The answer to an update that the service applied was lost, and the SDK's retry met the
        // new token: if the application moved from the version this run sent to its target, the
        // update is this run's own, and the "before" of the outcome stays what was first found.
        if (!(error instanceof ScalerError)) throw error
        if (error.code === ANSWER_LOST) accepted = await ownUpdate(client, state, decision.desired, context)
        const race = error.code === ANSWER_LOST ? 'ConcurrentModificationException' : RACES.has(error.code ?? '') ? error.code : undefined
        if (!accepted && race && attempt < MAX_DECISIONS) {
          context.warn(`${who}: ${race} while updating; describing again and deciding again.`)
          state = await client.describe(ref.name)
          plan = planApplication(state, found, config, context.run, planned.schedule ?? config.schedule)
          // A scale-down found on deciding again is judged as the check phase judges (loaded only then).
          if (plan.scaleDown) plan = (await import('./check.js')).guardPlan(plan, planned.reading, config.now, config.dryRun)
          continue
        }
        if (!accepted) throw error
      }
      Object.assign(outcome, {
        updateAccepted: true,
        acceptedAt: Date.now(),
        ...(accepted.versionId !== undefined ? { applicationVersionId: accepted.versionId } : {}),
        ...(accepted.operationId ? { operationId: accepted.operationId } : {})
      })
      const snapshotWork = before ? afterUpdate(before, state, context) : undefined
      Object.assign(outcome, snapshotWork?.fields)
      const prune = snapshotWork?.plan ? { prune: snapshotWork.plan } : {}
      // The hold is written as soon as the update is accepted, so a run that is killed or times out
      // while following it still leaves it for the next scheduled run to respect. The service may
      // refuse tags while the application is UPDATING: then it is written once the update has ended.
      let holdPending = false
      try {
        await writeHold(client, state, hold)
      } catch (error) {
        const busy = error instanceof ScalerError && RACES.has(error.code ?? '')
        if (hold.write && busy && config.wait) holdPending = true
        else if (hold.write) throw holdNotInForce(error, hold)
        else if (hold.current) throw holdNotReleased(error, hold.current)
        // An expired hold's tags are only tidied away: later runs ignore them anyway.
        else context.warn(`${who}: could not remove the tags of the hold that has ended (${asScalerError(error).message}); later runs ignore it.`)
      }
      Object.assign(outcome, { action: 'updated' }, holdField(holdPending ? hold.current : hold.after))
      if (!config.wait) return { ref, outcome, ...prune }
      const countSnapshots = state.snapshotsEnabled ? { countSnapshots: true } : {}
      return { ref, outcome, follow: { state, operationId: accepted.operationId, desired: decision.desired, hold, holdPending, ...countSnapshots } }
    }
  } catch (error) {
    return { ref, outcome: failedWith(outcome, asScalerError(error), outcome.updateAccepted ? 'The update was accepted, then:' : undefined) }
  }
}

/**
 * The update this run sent, if it was applied though its answer was lost: the application moved
 * from the version this run described to its target. The operation that did it is looked up
 * (ListApplicationOperations), to be followed like any other; without it, the status is followed.
 */
async function ownUpdate(
  client: FlinkClient,
  sent: ApplicationState,
  desired: Desired,
  context: Pick<RunContext, 'warn'>
): Promise<{ versionId: number; operationId?: string } | undefined> {
  const now = await client.describe(sent.name)
  if (now.versionUpdatedFrom !== sent.versionId || !atTarget(now, desired)) return undefined
  try {
    for (const operationId of await client.updateOperations(sent.name)) {
      const operation = await client.operation(sent.name, operationId)
      if (operation.versionFrom === sent.versionId) return { versionId: now.versionId, operationId }
    }
  } catch (error) {
    if (!(error instanceof ScalerError)) throw error
    context.warn(`${sent.name}: could not find the operation of this run's update (${error.code ?? error.message}); following the application's status instead.`)
  }
  return { versionId: now.versionId }
}

/** A hold that could not be written after the update was accepted: the run fails, saying so. */
export function holdNotInForce(error: unknown, hold: Pick<HoldPlan, 'write'>): ScalerError {
  const failure = asScalerError(error)
  return new ScalerError(
    `The hold could not be written (${failure.message}), so it is NOT in force: ` +
      `scheduled runs will follow the schedule instead of parallelism ${hold.write?.parallelism ?? '?'}.`,
    {
      // A refusal while UPDATING passes; anything else (a permission, say) needs fixing first.
      hint:
        failure.hint && !RACES.has(failure.code ?? '')
          ? `${failure.hint} Then run again with the same parallelism and hold-until to set the hold.`
          : 'The service refused to tag the application while it was changing. Run again with the same parallelism and hold-until once it is RUNNING.',
      code: failure.code,
      cause: error
    }
  )
}

/** A released hold whose tags could not be removed: it stays in force, so the run fails, saying so. */
function holdNotReleased(error: unknown, hold: Hold): ScalerError {
  const failure = asScalerError(error)
  return new ScalerError(
    `The hold could not be released (${failure.message}): parallelism ${hold.parallelism} stays held until ${hold.until.toISOString()}.`,
    { hint: `${failure.hint ? `${failure.hint} ` : ''}Then run again with release-hold: true.`, code: failure.code, cause: error }
  )
}

/** Writes the plan's hold, or removes a released or expired one. */
export async function writeHold(client: FlinkClient, state: ApplicationState, plan: Pick<HoldPlan, 'write' | 'remove'>): Promise<void> {
  if (plan.write) await client.tag(state, holdTags(plan.write))
  else if (plan.remove) await client.untag(state, HOLD_TAG_KEYS)
}
