/**
 * Snapshots in a run, only of applications it updates: read (ListApplicationSnapshots) once the
 * update has reached its target, its own snapshot then among them, and the old ones deleted
 * (DeleteApplicationSnapshot, prune-snapshots); in a dry run, or without wait, read just before the
 * update instead, counting the one it takes. The limit is warned about once the run is over.
 */
import type { ApplicationState } from './application.js'
import { asScalerError, ScalerError } from '../errors.js'
import type { FlinkClient } from '../aws/flink-client.js'
import type { Outcome } from './outcome.js'
import { DEFAULT_RATE, perRegion } from '../aws/rate-limit.js'
import { placeKey, type Place, type RunContext } from './context.js'
import { changesPerWeek, limitWarning, planPrune, type PrunePlan, type SnapshotInfo } from './snapshots.js'
import { debug } from '../aws/sdk-options.js'

/** Snapshots the service takes for one accepted update of an application with snapshots enabled: one, as the job stops. */
export const UPDATE_TAKES = 1

/**
 * Once a followed update has reached its target: the application's snapshots as they are now (the
 * update's own among them), and, with prune-snapshots, the old ones deleted. Never throws.
 */
export async function atTarget(outcome: Outcome, state: ApplicationState, client: FlinkClient, context: Pick<RunContext, 'config' | 'warn'>): Promise<Outcome> {
  const found = await readSnapshots(client, state, context, outcome.account)
  if (!found) return outcome
  const { fields, plan } = afterUpdate(found, state, context, 0)
  const counted = { ...outcome, ...fields }
  return plan ? prune(counted, plan, client, context) : counted
}

/**
 * The application's snapshots before its update, or undefined when snapshots are off or the list
 * could not be read (then warned). `account`: its account, with account-roles, for the warning.
 */
export async function readSnapshots(client: FlinkClient, state: ApplicationState, context: Pick<RunContext, 'warn'>, account?: string): Promise<SnapshotInfo[] | undefined> {
  if (!state.snapshotsEnabled) return undefined
  try {
    return await client.snapshots(state.name)
  } catch (error) {
    const failure = asScalerError(error)
    context.warn(
      `${named(state.name, state.region, account)}: its snapshots could not be counted (${failure.message}), so neither the limit nor prune-snapshots was looked at; the scaling is not affected.` +
        (failure.hint ? ` Fix: ${failure.hint}` : '')
    )
    return undefined
  }
}

/** prune-snapshots on an application whose snapshots are off: its updates take none, so there is nothing to prune. */
export function warnNothingToPrune(state: ApplicationState, context: Pick<RunContext, 'config' | 'warn'>, account?: string): void {
  if (context.config.pruneSnapshots === undefined || state.snapshotsEnabled) return
  context.warn(
    `${named(state.name, state.region, account)}: prune-snapshots is set, but snapshots are disabled on this application: its updates take none, so there is nothing to prune. ` +
      'Snapshots taken before they were disabled stay as they are.'
  )
}

/**
 * What an update of the application does to its snapshots: the count after it (the update's own
 * snapshot included: `taking` is UPDATE_TAKES when they were read before it, 0 after; in a dry run,
 * what a real run would leave) and, with prune-snapshots, what to delete.
 */
export function afterUpdate(
  found: SnapshotInfo[],
  state: ApplicationState,
  context: Pick<RunContext, 'config'>,
  taking = UPDATE_TAKES
): { fields: Partial<Outcome>; plan?: PrunePlan } {
  const { config } = context
  const plan =
    config.pruneSnapshots === undefined
      ? undefined
      : planPrune({ snapshots: found, keep: config.pruneSnapshots, taking, restoreSnapshot: state.snapshotName, now: config.clock })
  const count = found.length + taking
  if (config.dryRun) {
    const doomed = plan?.delete.map((s) => s.name) ?? []
    return { fields: { snapshots: count - doomed.length, ...(doomed.length ? { wouldDeleteSnapshots: doomed } : {}) } }
  }
  return { fields: { snapshots: count }, ...(plan && plan.delete.length > 0 ? { plan } : {}) }
}

/**
 * Deletes what the plan says, oldest first, one at a time. A deletion that fails is a warning, never
 * a failure of the run: refused by IAM, none of the rest is tried; a snapshot already gone is
 * skipped. Returns the outcome with the count and the names deleted.
 */
export async function prune(outcome: Outcome, plan: PrunePlan, client: FlinkClient, context: Pick<RunContext, 'warn'>): Promise<Outcome> {
  const name = outcome.application
  const deleted: string[] = []
  const failed: { snapshot: string; error: ScalerError }[] = []
  let gone = 0
  for (const snapshot of plan.delete) {
    try {
      await client.deleteSnapshot(name, snapshot as SnapshotInfo & { createdAt: Date })
      deleted.push(snapshot.name)
    } catch (error) {
      const failure = asScalerError(error)
      if (failure.code === 'ResourceNotFoundException') {
        // Someone else deleted it in the meantime: what matters is that it is gone.
        debug(`${name}: snapshot ${snapshot.name} was already gone`)
        gone++
        continue
      }
      failed.push({ snapshot: snapshot.name, error: failure })
      if (failure.code === 'AccessDeniedException') break
    }
  }
  const after: Outcome = {
    ...outcome,
    ...(outcome.snapshots !== undefined ? { snapshots: outcome.snapshots - deleted.length - gone } : {}),
    ...(deleted.length ? { deletedSnapshots: deleted } : {})
  }
  if (failed.length === 0) return after
  const [first] = failed
  const untried = plan.delete.length - deleted.length - gone - failed.length
  const what =
    `${named(name, outcome.region, outcome.account)}: ${failed.length === 1 ? 'a snapshot' : `${failed.length} snapshots`} could not be deleted (${first.snapshot}: ${first.error.message})` +
    `${failed.length > 1 ? `, ${failed.slice(1, 4).map((f) => f.snapshot).join(', ')}${failed.length > 4 ? ', …' : ''}` : ''}; ` +
    `${deleted.length} of ${plan.delete.length} deleted${untried > 0 ? `, ${untried} not tried after that refusal` : ''}. ` +
    'The update itself is done; the next run that updates the application tries again.'
  context.warn(`${what}${first.error.hint ? ` Fix: ${first.error.hint}` : ''}`)
  return { ...after, snapshotNote: `${plan.delete.length - deleted.length - gone} of ${plan.delete.length} could not be deleted (${first.error.code ?? first.error.message})` }
}

/**
 * Without `wait`, an accepted update is not followed: its snapshots are pruned once every update has
 * been sent, as many applications at once per region as it takes requests in flight.
 */
export async function pruneUnfollowed(
  applied: readonly { ref: Place; follow?: unknown; prune?: PrunePlan }[],
  outcomes: Outcome[],
  context: Pick<RunContext, 'clientFor' | 'warn'>
): Promise<Outcome[]> {
  const work = applied.map((a, i) => ({ a, outcome: outcomes[i] }))
  return perRegion(work, ({ a }) => placeKey(a.ref), DEFAULT_RATE.maxInFlight, async ({ a, outcome }) =>
    a.prune && !a.follow && outcome.action === 'updated' ? prune(outcome, a.prune, context.clientFor(a.ref), context) : outcome
  )
}

/**
 * The limit, once the run is over: every application whose snapshots were counted and that is at
 * WARN_AT of snapshot-limit or beyond gets one warning, with the days the schedule leaves it.
 */
export function warnNearLimit(outcomes: Outcome[], context: Pick<RunContext, 'config' | 'warn'>): Outcome[] {
  const { config } = context
  const perWeek = new Map<string, number | undefined>()
  return outcomes.map((outcome) => {
    if (outcome.snapshots === undefined) return outcome
    const perKpu = config.parallelismPerKpu ?? outcome.foundParallelismPerKpu
    // With named schedules, each application's own schedule says how often it changes.
    const schedule = config.schedules ? (outcome.schedule === undefined ? undefined : config.schedules.byName.get(outcome.schedule)) : config.schedule
    const key = `${outcome.schedule ?? ''}|${perKpu ?? ''}`
    if (!perWeek.has(key)) perWeek.set(key, changesPerWeek(schedule, config.now, perKpu))
    const found = limitWarning({
      application: outcome.application,
      region: outcome.region,
      ...(outcome.account ? { account: outcome.account } : {}),
      count: outcome.snapshots,
      limit: config.snapshotLimit,
      changesPerWeek: perWeek.get(key),
      pruneSnapshots: config.pruneSnapshots
    })
    if (!found) return outcome
    context.warn(config.dryRun ? `Dry run, counting what a real run would take and delete: ${found.warning}` : found.warning)
    return { ...outcome, snapshotNote: [found.note, outcome.snapshotNote].filter(Boolean).join('; ') }
  })
}

/**
 * An application as a warning names it: by name, and with account-roles with its region and
 * account, since the same name may be in several (and warnings that read alike are said once).
 */
function named(name: string, region: string, account: string | undefined): string {
  return account ? `${name} (${region}, account ${account})` : name
}
