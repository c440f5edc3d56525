/** The observe phase: what every application is like now (DescribeApplication) and the hold on it (tags). */
import type { ApplicationState } from './application.js'
import type { ApplicationRef } from '../github/config.js'
import { asScalerError, ScalerError } from '../errors.js'
import { readHold, type Hold } from './holds.js'
import { failedWith, outcomeFor, type Outcome } from './outcome.js'
import { DEFAULT_RATE, perRegion } from '../aws/rate-limit.js'
import type { RunContext } from './context.js'

export type Observation =
  | { ref: ApplicationRef; state: ApplicationState; hold?: Hold }
  | { ref: ApplicationRef; failed: Outcome }

/** Observes every application, as many at once per region as it takes requests in flight. Never throws. */
export function observe(refs: ApplicationRef[], context: Pick<RunContext, 'clientFor' | 'warn'>): Promise<Observation[]> {
  return perRegion(refs, (ref) => ref.region, DEFAULT_RATE.maxInFlight, (ref) => observeOne(ref, context))
}

async function observeOne(ref: ApplicationRef, context: Pick<RunContext, 'clientFor' | 'warn'>): Promise<Observation> {
  const client = context.clientFor(ref.region)
  try {
    const state = await client.describe(ref.name)
    // A name alone resolves in the credentials' account; an ARN must be that very application.
    if (ref.arn && state.arn && state.arn !== ref.arn) {
      throw new ScalerError(`${ref.arn} was asked for, but these credentials reach ${state.arn}.`, {
        hint: "Run the action with credentials for the ARN's account (role-to-assume a role there; one step per account)."
      })
    }
    return { ref, state, hold: await observeHold(state, context) }
  } catch (error) {
    return { ref, failed: failedWith(outcomeFor(ref), asScalerError(error)) }
  }
}

/** The hold on the application, or undefined when there is none or its tags cannot be read. */
async function observeHold(state: ApplicationState, context: Pick<RunContext, 'clientFor' | 'warn'>): Promise<Hold | undefined> {
  try {
    return readHold(await context.clientFor(state.region).tags(state))
  } catch (error) {
    if (error instanceof ScalerError && error.code === 'AccessDeniedException') {
      context.warn(
        'Cannot read application tags (AccessDeniedException), so holds are ignored and the schedule applies. ' +
          'Allow kinesisanalytics:ListTagsForResource to make manual holds work.'
      )
      return undefined
    }
    throw error
  }
}
