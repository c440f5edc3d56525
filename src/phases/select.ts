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
import { placeText, type Place, type RunContext } from './context.js'
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
  /**
   * Where each failure stands among the results: `failedAt[i]` chosen applications come before
   * `failed[i]`. So the named applications come first in their order, failed or not, then the
   * tagged ones, then the places that could not be listed.
   */
  failedAt: number[]
}

/**
 * A place's applications with their tags, or why it could not be listed. When it was listed but
 * the tags could not be read (`failure` with `listed`), its applications can still be found by
 * name, each failing for want of its tags; none is chosen by tag.
 */
type Listing = { place: Place; listed: { app: ListedApplication; tags?: Record<string, string>; failure?: ScalerError }[]; failure?: ScalerError }

type Entry = { ref: ApplicationRef; tags?: Record<string, string>; failure?: ScalerError; byNameOnly?: boolean }

/** Chooses the run's applications. Never throws: what fails is an outcome. */
export async function select(context: Pick<RunContext, 'config' | 'clientFor'>): Promise<Selection> {
  const { config } = context
  const tagKey = config.selectByTag
  if (!tagKey) return { chosen: config.applications.map((ref) => ({ ref })), failed: [], failedAt: [] }

  const listings = await Promise.all(placesOf(config).map((place) => listPlace(place, context)))
  const chosen: Chosen[] = []
  const failed: Outcome[] = []
  const failedAt: number[] = []
  const fail = (outcome: Outcome) => {
    failed.push(outcome)
    failedAt.push(chosen.length)
  }
  const listed = new Map<string, Entry>()
  const unlisted: Listing[] = []
  for (const listing of listings) {
    if (listing.failure && listing.listed.length === 0) unlisted.push(listing)
    for (const { app, tags, failure } of listing.listed) {
      // A role in the run's own account lists the same applications again: each is reconciled once.
      if (listed.has(app.arn)) continue
      listed.set(app.arn, { ref: { name: app.name, arn: app.arn, ...placeRef(listing.place, config, app.arn) }, tags, failure, byNameOnly: Boolean(listing.failure) })
    }
  }

  const taken = new Set<string>()
  const take = (entry: Entry, byTag: boolean) => {
    taken.add(entry.ref.arn!)
    if (entry.failure) return void fail(failedWith(outcomeFor(entry.ref), entry.failure))
    if (!byTag) return void chosen.push({ ref: entry.ref, ...(entry.tags ? { tags: entry.tags } : {}) })
    const schedule = followedSchedule(config.schedules!, tagKey, entry.tags ?? {})
    if ('problem' in schedule) fail(failedWith(outcomeFor(entry.ref), new ScalerError(schedule.problem, { hint: schedule.hint })))
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
    if (found.length > 0) continue
    // Without listing, a name means the application of the run's own account in the first region:
    // when that place could not be listed, the name is described there directly, as without select-by-tag.
    if (unlisted.some((listing) => !listing.place.role && listing.place.region === ref.region)) chosen.push({ ref })
    else fail(failedWith(outcomeFor(ref), notListed(ref, config, unlisted)))
  }
  for (const entry of listed.values()) {
    if (!taken.has(entry.ref.arn!) && !entry.byNameOnly && (entry.failure || (entry.tags && tagKey in entry.tags))) take(entry, true)
  }
  for (const listing of listings) {
    if (listing.failure) fail(failedWith(outcomeFor({ name: EVERY_APPLICATION, ...placeRef(listing.place, config) }), listing.failure))
  }
  return { chosen, failed, failedAt }
}

/**
 * Why a name was found nowhere: it was listed in no place; or, when some places could not be
 * listed, that it may be in one of those, with what kept each from being listed.
 */
function notListed(ref: ApplicationRef, config: Pick<Config, 'regions' | 'accountRoles'>, unlisted: readonly Listing[]): ScalerError {
  if (unlisted.length === 0) {
    return new ScalerError(`No application "${ref.name}" was listed in ${whereListed(config)}.`, {
      hint: 'Check application-name, region and account-roles; an ARN names the application exactly.'
    })
  }
  const places = unlisted.map((listing) => placeText(listing.place))
  const why = [...new Set(unlisted.map((listing) => listing.failure!.hint).filter(Boolean))].join(' ')
  return new ScalerError(
    `No application "${ref.name}" was found where the applications could be listed; it may be in ${places.join(', ')}, which could not be listed (application "*" there says why).`,
    { hint: `${why ? `${why} ` : ''}Or give the application's ARN: an ARN is described directly, without listing.` }
  )
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
    const hint = 'Allow kinesisanalytics:ListTagsForResource on the applications in the IAM policy of the role the action runs as in this account (docs/iam.md).'
    // A named application there is found all the same: the schedule it follows is its tag's, which cannot be known.
    const unknown = new ScalerError(
      `Its tags cannot be read (IAM refused kinesisanalytics:ListTagsForResource in ${placeText(place)}), so which schedule it follows (the tag's, else default-schedule) is not known.`,
      { hint, code: denied.code, cause: denied }
    )
    return {
      place,
      listed: apps.map((app) => ({ app, failure: unknown })),
      failure: new ScalerError(`The applications' tags cannot be read here, so none can be chosen by tag: ${denied.message}`, { hint, code: denied.code, cause: denied })
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
