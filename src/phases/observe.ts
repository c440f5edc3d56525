/**
 * The observe phase: what every application is like now (DescribeApplication), the hold on it and,
 * with named schedules, the schedule it follows (its tags, read once: those the select phase read
 * are not read again).
 */
import type { ApplicationState } from './application.js'
import type { ApplicationRef } from '../github/config.js'
import { asScalerError, ScalerError } from '../errors.js'
import { readHold, type Hold } from './holds.js'
import { failedWith, outcomeFor, type Outcome } from './outcome.js'
import { DEFAULT_RATE, perRegion } from '../aws/rate-limit.js'
import { followedSchedule, type FollowedSchedule } from '../schedule/named.js'
import { placeKey, type RunContext } from './context.js'
import type { Chosen } from './select.js'
import type { FlinkClient } from '../aws/flink-client.js'

export type Observation =
  /** `schedule`: the named schedule it follows, with named schedules. */
  | { ref: ApplicationRef; state: ApplicationState; hold?: Hold; schedule?: FollowedSchedule }
  | { ref: ApplicationRef; failed: Outcome }

type ObserveContext = Pick<RunContext, 'config' | 'clientFor' | 'warn'>

/** Observes every application, as many at once per place (account and region) as it takes requests in flight. Never throws. */
export function observe(chosen: Chosen[], context: ObserveContext): Promise<Observation[]> {
  return perRegion(chosen, (c) => placeKey(c.ref), DEFAULT_RATE.maxInFlight, (c) => observeOne(c, context))
}

async function observeOne(chosen: Chosen, context: ObserveContext): Promise<Observation> {
  const { config } = context
  let { ref } = chosen
  const client = context.clientFor(ref)
  try {
    const state = await client.describe(ref.name)
    // A name alone resolves in the credentials' account; an ARN must be that very application.
    if (ref.arn && state.arn && state.arn !== ref.arn) {
      throw new ScalerError(`${ref.arn} was asked for, but these credentials reach ${state.arn}.`, {
        hint: "Run the action with credentials for the ARN's account (role-to-assume a role there; one step per account, or account-roles with select-by-tag)."
      })
    }
    if (config.accountRoles.length > 0 && !ref.account && state.arn) ref = { ...ref, account: state.arn.split(':')[4] }
    const tags = chosen.tags ?? (await readTags(client, state, context, Boolean(config.schedules && config.selectByTag)))
    const hold = tags && readHold(tags)
    if (!config.schedules) return { ref, state, hold }
    const schedule = chosen.schedule ?? followedSchedule(config.schedules, config.selectByTag, tags ?? {})
    if ('problem' in schedule) throw new ScalerError(schedule.problem, { hint: schedule.hint })
    return { ref, state, hold, schedule }
  } catch (error) {
    return { ref, failed: failedWith(outcomeFor(ref), asScalerError(error)) }
  }
}

/**
 * The application's tags, or undefined when IAM does not let the run read them: then holds are
 * ignored with a warning, unless the tags name the schedule (`needed`), which fails the application.
 */
async function readTags(client: FlinkClient, state: ApplicationState, context: Pick<RunContext, 'warn'>, needed: boolean): Promise<Record<string, string> | undefined> {
  try {
    return await client.tags(state)
  } catch (error) {
    if (!needed && error instanceof ScalerError && error.code === 'AccessDeniedException') {
      context.warn(
        'Cannot read application tags (AccessDeniedException), so holds are ignored and the schedule applies. ' +
          'Allow kinesisanalytics:ListTagsForResource to make manual holds work.'
      )
      return undefined
    }
    throw error
  }
}
