/**
 * One pass over every application, in phases: select (the applications named, and with
 * select-by-tag those listed that carry the tag), observe (describe and tags), decide (pure), check
 * (the guard's metrics for pending scale-downs), apply (updates and holds), follow (every accepted
 * update in one loop; once one is at its target, its snapshots counted and old ones pruned). Each
 * phase hands the next a list of values, one per application, in input order; a failure is an
 * outcome, never an exception.
 */
import { apply, type Planned } from './apply.js'
import type { RunContext } from './context.js'
import { describeDesired, planApplication, sourceText } from './decide.js'
import { asScalerError } from '../errors.js'
import { follow, type FollowOptions } from './follow.js'
import { observe, type Observation } from './observe.js'
import { pruneUnfollowed, warnNearLimit } from './prune.js'
import { failedWith, outcomeFor, type Outcome } from './outcome.js'
import { describeTarget } from '../schedule/schedule.js'
import { debug } from '../aws/sdk-options.js'

export async function reconcile(context: RunContext, followOptions: Partial<FollowOptions> = {}): Promise<Outcome[]> {
  const { config } = context
  // Listing and choosing by tag is loaded only by runs that choose so.
  const { chosen, failed, failedAt } = config.selectByTag
    ? await (await import('./select.js')).select(context)
    : { chosen: config.applications.map((ref) => ({ ref })), failed: [], failedAt: [] }
  const observations = await observe(chosen, context)
  const planned = observations.map((observation) => decidePhase(observation, context))
  // The check phase (and the guard's verdict) is loaded only when a scale-down is pending.
  const pending = planned.some((p) => 'plan' in p && p.plan.scaleDown !== undefined)
  const checked = pending ? await (await import('./check.js')).check(planned, context) : planned
  const applied = await apply(checked, context)
  const followed = await follow(applied, context, { timeoutMs: config.waitTimeoutSeconds * 1000, ...followOptions })
  // Updates followed to their target were counted and pruned as they got there; without wait, they are pruned now.
  const outcomes = config.wait ? followed : await pruneUnfollowed(applied, followed, context)
  // One outcome per observation, in order: each names the named schedule it followed.
  const named = outcomes.map((outcome, i) => {
    const observed = observations[i]
    const schedule = 'schedule' in observed ? observed.schedule?.name : undefined
    if (schedule === undefined) return outcome
    const { application, region, account, ...rest } = outcome
    return { application, region, ...(account ? { account } : {}), schedule, ...rest }
  })
  return inSelectionOrder(warnNearLimit(named, context), failed, failedAt)
}

/** The chosen applications' outcomes with the selection's failures among them, each where the selection put it. */
export function inSelectionOrder(outcomes: Outcome[], failed: Outcome[], failedAt: number[]): Outcome[] {
  const ordered: Outcome[] = []
  let next = 0
  failed.forEach((failure, i) => {
    ordered.push(...outcomes.slice(next, failedAt[i]))
    next = Math.max(next, failedAt[i])
    ordered.push(failure)
  })
  return [...ordered, ...outcomes.slice(next)]
}

function decidePhase(observation: Observation, context: RunContext): Planned {
  if ('failed' in observation) return observation
  const { ref, state, hold, schedule } = observation
  const where = `${ref.name} (${ref.region})`
  debug(
    `${where}: found ${state.status} at ${describeDesired(state)}, version ${state.versionId}` +
      (hold ? `; hold parallelism ${hold.parallelism} until ${hold.until.toISOString()}` : '')
  )
  try {
    const plan = planApplication(state, hold, context.config, context.run, schedule?.schedule ?? context.config.schedule)
    debug(`${where}: target ${describeTarget(plan.wanted.target)} from ${sourceText(plan.wanted.rule)}; decision ${plan.decision.kind}: ${plan.decision.reason}`)
    return { ref, state, found: hold, plan, ...(schedule ? { schedule: schedule.schedule } : {}) }
  } catch (error) {
    return { ref, failed: failedWith({ ...outcomeFor(ref), status: state.status }, asScalerError(error)) }
  }
}
