/**
 * The apply phase: every update is issued (UpdateApplication) and every hold written or removed
 * (TagResource, UntagResource) before any update is followed.
 */
import type { ApplicationState, Desired } from './application.js'
import type { ApplicationRef } from './config.js'
import { planApplication, type Hold, type Plan } from './decide.js'
import { asScalerError, ScalerError } from './errors.js'
import type { FlinkClient } from './flink-client.js'
import { HOLD_TAG_KEYS, holdPlanText, holdTags, type HoldPlan } from './holds.js'
import { decided, holdField, outcomeFor, type Outcome } from './outcome.js'
import type { RunContext } from './reconcile.js'

/** An application after the decide phase: its plan, or the outcome of a failure before it. */
export type Planned = { ref: ApplicationRef; state: ApplicationState; found?: Hold; plan: Plan } | { ref: ApplicationRef; failed: Outcome }

/** An application after the apply phase; `follow` is set for an accepted update to follow. */
export interface Applied {
  ref: ApplicationRef
  outcome: Outcome
  follow?: { state: ApplicationState; operationId?: string; desired: Desired; hold: HoldPlan }
}

/** A concurrent change makes the token stale: describe and decide again, a few times at most. */
const MAX_DECISIONS = 3
const RACES = new Set(['ConcurrentModificationException', 'ResourceInUseException'])

/** Applies every plan at once; the region's request rate paces the calls. Never throws. */
export function apply(planned: Planned[], context: RunContext): Promise<Applied[]> {
  return Promise.all(planned.map((p) => ('failed' in p ? { ref: p.ref, outcome: p.failed } : applyOne(p, context))))
}

async function applyOne(planned: Extract<Planned, { plan: Plan }>, context: RunContext): Promise<Applied> {
  const { ref, found } = planned
  const { config } = context
  const client = context.clientFor(ref.region)
  let { state, plan } = planned
  const outcome: Outcome = outcomeFor(ref)
  try {
    for (let attempt = 1; ; attempt++) {
      const { decision, hold } = plan
      // Until this run writes its hold, the hold in force is the one found, if still active.
      Object.assign(outcome, decided(state, decision), holdField(hold.current))
      if (plan.warning) context.warn(`${ref.name}: ${plan.warning}`)

      if (decision.kind === 'fail') {
        // A released or expired hold goes even when the target cannot be applied.
        if (hold.remove && !config.dryRun) {
          await writeHold(client, state, hold)
          Object.assign(outcome, holdField(undefined))
        }
        return { ref, outcome: { ...outcome, action: 'failed', error: decision.reason, hint: decision.hint } }
      }
      if (config.dryRun) {
        const planned = decision.kind === 'update'
        const reason = (planned ? `Dry run: would scale. ${outcome.reason}` : outcome.reason) + holdPlanText(hold)
        return { ref, outcome: { ...outcome, action: planned ? 'planned' : 'skipped', reason } }
      }
      if (decision.kind === 'skip') {
        await writeHold(client, state, hold)
        return { ref, outcome: { ...outcome, action: 'skipped', ...holdField(hold.after) } }
      }

      let accepted: { versionId?: number; operationId?: string }
      try {
        accepted = await client.update(state, decision.desired)
      } catch (error) {
        if (error instanceof ScalerError && RACES.has(error.code ?? '') && attempt < MAX_DECISIONS) {
          context.warn(`${ref.name}: ${error.code} while updating; describing again and deciding again.`)
          state = await client.describe(ref.name)
          plan = planApplication(state, found, config, context.run)
          continue
        }
        throw error
      }
      Object.assign(outcome, {
        updateAccepted: true,
        acceptedAt: Date.now(),
        ...(accepted.versionId !== undefined ? { applicationVersionId: accepted.versionId } : {}),
        ...(accepted.operationId ? { operationId: accepted.operationId } : {})
      })
      // The hold is written as soon as the update is accepted, so a run that is killed or times out
      // while following it still leaves it for the next scheduled run to respect.
      await writeHold(client, state, hold)
      Object.assign(outcome, { action: 'updated' }, holdField(hold.after))
      if (!config.wait) return { ref, outcome }
      return { ref, outcome, follow: { state, operationId: accepted.operationId, desired: decision.desired, hold } }
    }
  } catch (error) {
    const failure = asScalerError(error)
    return {
      ref,
      outcome: {
        ...outcome,
        action: 'failed',
        reason: outcome.updateAccepted ? `The update was accepted, then: ${failure.message}` : failure.message,
        error: failure.message,
        ...(failure.hint ? { hint: failure.hint } : {})
      }
    }
  }
}

/** Writes the plan's hold, or removes a released or expired one. */
export async function writeHold(client: FlinkClient, state: ApplicationState, plan: Pick<HoldPlan, 'write' | 'remove'>): Promise<void> {
  if (plan.write) await client.tag(state, holdTags(plan.write))
  else if (plan.remove) await client.untag(state, HOLD_TAG_KEYS)
}
