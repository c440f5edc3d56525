/**
 * One pass over every application, in phases: observe (describe and tags), decide (pure), apply
 * (updates and holds), follow (every accepted update in one loop; once one is at its target, its
 * snapshots counted and old ones pruned). Each phase hands the next a list of
 * values, one per application, in input order; a failure is an outcome, never an exception.
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
  const observations = await observe(config.applications, context)
  const planned = observations.map((observation) => decidePhase(observation, context))
  const applied = await apply(planned, context)
  const followed = await follow(applied, context, { timeoutMs: config.waitTimeoutSeconds * 1000, ...followOptions })
  // Updates followed to their target were counted and pruned as they got there; without wait, they are pruned now.
  return warnNearLimit(config.wait ? followed : await pruneUnfollowed(applied, followed, context), context)
}

function decidePhase(observation: Observation, context: RunContext): Planned {
  if ('failed' in observation) return observation
  const { ref, state, hold } = observation
  const where = `${ref.name} (${ref.region})`
  debug(
    `${where}: found ${state.status} at ${describeDesired(state)}, version ${state.versionId}` +
      (hold ? `; hold parallelism ${hold.parallelism} until ${hold.until.toISOString()}` : '')
  )
  try {
    const plan = planApplication(state, hold, context.config, context.run)
    debug(`${where}: target ${describeTarget(plan.wanted.target)} from ${sourceText(plan.wanted.rule)}; decision ${plan.decision.kind}: ${plan.decision.reason}`)
    return { ref, state, found: hold, plan }
  } catch (error) {
    return { ref, failed: failedWith({ ...outcomeFor(ref), status: state.status }, asScalerError(error)) }
  }
}
