/**
 * The select phase: which applications this run reconciles. Those of `application-name`, and with
 * `select-by-tag` every application that carries the tag, in each place (the run's own account and
 * each account of `account-roles`, in each region): ListApplications, every page, then each
 * application's tags, read once. An application without the tag costs that one
 * ListTagsForResource and is neither touched nor reported; one whose tag names no schedule fails
 * before it is described. The tags read here go on to the observe phase, which reads no others.
 */
import type { AccountRole, ApplicationRef, Config } from '../github/config.js'
import { asScalerError, ScalerError } from '../errors.js'
import type { ListedApplication } from '../aws/flink-client.js'
import { DEFAULT_RATE, perRegion } from '../aws/rate-limit.js'
import { followedSchedule, type FollowedSchedule } from '../schedule/named.js'
import type { Place, RunContext } from './context.js'
import { EVERY_APPLICATION, failedWith, outcomeFor, type Outcome } from './outcome.js'

/** An application chosen for this run. */
export interface Chosen {
  ref: ApplicationRef
  /** Its tags, when they were read to choose it: the observe phase does not read them again. */
  tags?: Record<string, string>
  /** The named schedule it follows, when its tag chose it. */
  schedule?: FollowedSchedule
}

export interface Selection {
  /** Each application once: those of application-name in their order, then the others that carry the tag. */
  chosen: Chosen[]
  /**
   * Failures before any application was described: a tag that names no schedule, tags that could
   * not be read, a name found nowhere, and a place that could not be listed (application "*").
   */
  failed: Outcome[]
}

/** A place's applications with their tags, or why it could not be listed. */
type Listing = { place: Place; listed: { app: ListedApplication; tags?: Record<string, string>; failure?: ScalerError }[]; failure?: ScalerError }

/** Chooses the run's applications. Never throws: what fails is an outcome. */
export async function select(context: Pick<RunContext, 'config' | 'clientFor'>): Promise<Selection> {
  const { config } = context
  const tagKey = config.selectByTag
  if (!tagKey) return { chosen: config.applications.map((ref) => ({ ref })), failed: [] }

  const listings = await Promise.all(placesOf(config).map((place) => listPlace(place, context)))
  const failed: Outcome[] = []
  const listed = new Map<string, { ref: ApplicationRef; tags?: Record<string, string>; failure?: ScalerError }>()
  for (const listing of listings) {
    if (listing.failure) {
      failed.push(failedWith(outcomeFor({ name: EVERY_APPLICATION, ...placeRef(listing.place, config) }), listing.failure))
      continue
    }
    for (const { app, tags, failure } of listing.listed) {
      // A role in the run's own account lists the same applications again: each is reconciled once.
      if (listed.has(app.arn)) continue
      listed.set(app.arn, { ref: { name: app.name, arn: app.arn, ...placeRef(listing.place, config, app.arn) }, tags, failure })
    }
  }

  const chosen: Chosen[] = []
  const taken = new Set<string>()
  const take = (entry: { ref: ApplicationRef; tags?: Record<string, string>; failure?: ScalerError }, byTag: boolean) => {
    taken.add(entry.ref.arn!)
    if (entry.failure) return void failed.push(failedWith(outcomeFor(entry.ref), entry.failure))
    if (!byTag) return void chosen.push({ ref: entry.ref, ...(entry.tags ? { tags: entry.tags } : {}) })
    const schedule = followedSchedule(config.schedules!, tagKey, entry.tags ?? {})
    if ('problem' in schedule) failed.push(failedWith(outcomeFor(entry.ref), new ScalerError(schedule.problem, { hint: schedule.hint })))
    else chosen.push({ ref: entry.ref, tags: entry.tags!, schedule })
  }
  // application-name first, as given; a name stands for the applications of that name wherever they were listed.
  for (const ref of config.applications) {
    if (ref.arn) {
      const entry = listed.get(ref.arn)
      if (entry && !taken.has(ref.arn)) take(entry, false)
      else if (!entry) chosen.push({ ref })
      continue
    }
    const found = [...listed.values()].filter((entry) => entry.ref.name === ref.name)
    for (const entry of found) if (!taken.has(entry.ref.arn!)) take(entry, false)
    if (found.length === 0) {
      failed.push(
        failedWith(
          outcomeFor(ref),
          new ScalerError(`No application "${ref.name}" was listed in ${whereListed(config)}.`, {
            hint: 'Check application-name, region and account-roles; an ARN names the application exactly.'
          })
        )
      )
    }
  }
  for (const entry of listed.values()) {
    if (!taken.has(entry.ref.arn!) && (entry.failure || (entry.tags && tagKey in entry.tags))) take(entry, true)
  }
  return { chosen, failed }
}

/** The places of a run: each region in the run's own account, then in each account of account-roles. */
export function placesOf(config: Pick<Config, 'regions' | 'accountRoles'>): Place[] {
  return [undefined, ...config.accountRoles].flatMap((role) => config.regions.map((region) => ({ region, ...(role ? { role: role.arn } : {}) })))
}

/** What a ref of a place carries: the region, the role, and with account-roles the account. */
function placeRef(place: Place, config: Pick<Config, 'accountRoles'>, arn?: string): Omit<ApplicationRef, 'name'> {
  const role: AccountRole | undefined = config.accountRoles.find((r) => r.arn === place.role)
  const account = role?.account ?? (arn ? arn.split(':')[4] : undefined)
  return { region: place.region, ...(place.role ? { role: place.role } : {}), ...(config.accountRoles.length > 0 && account ? { account } : {}) }
}

/**
 * One place: its applications (every page), then each one's tags, as many at once as it takes
 * requests in flight. Tags that IAM does not let the run read fail the whole place: without them no
 * application there can be told tagged or not.
 */
async function listPlace(place: Place, context: Pick<RunContext, 'clientFor'>): Promise<Listing> {
  const client = context.clientFor(place)
  let apps: ListedApplication[]
  try {
    apps = await client.list()
  } catch (error) {
    return { place, listed: [], failure: asScalerError(error) }
  }
  let denied: ScalerError | undefined
  const listed = await perRegion(apps, () => '', DEFAULT_RATE.maxInFlight, async (app) => {
    if (denied) return { app }
    try {
      return { app, tags: await client.tags(app) }
    } catch (error) {
      const failure = asScalerError(error)
      if (failure.code === 'AccessDeniedException') denied ??= failure
      return { app, failure: new ScalerError(`Could not read its tags, so whether it carries the tag is not known: ${failure.message}`, { hint: failure.hint, code: failure.code, cause: error }) }
    }
  })
  if (denied) {
    return {
      place,
      listed: [],
      failure: new ScalerError(`The applications' tags cannot be read here, so none can be chosen by tag: ${denied.message}`, {
        hint: 'Allow kinesisanalytics:ListTagsForResource on the applications in the IAM policy of the role the action runs as in this account (docs/iam.md).',
        code: denied.code,
        cause: denied
      })
    }
  }
  return { place, listed }
}

/** "us-east-1 and eu-west-1", with "of the run's own account and 2 more" when there are several accounts. */
function whereListed(config: Pick<Config, 'regions' | 'accountRoles'>): string {
  const regions = config.regions.length === 1 ? config.regions[0] : `${config.regions.slice(0, -1).join(', ')} and ${config.regions.at(-1)}`
  const accounts = config.accountRoles.length
  return accounts === 0 ? regions : `${regions}, in the run's own account and ${accounts} more (${config.accountRoles.map((r) => r.account).join(', ')})`
}
