/**
 * Snapshots (pure): which of an application's snapshots a run may delete and why each kept one is
 * kept, and the warning before the per-application snapshot limit, with the days of the schedule
 * left before it. No clock, no AWS: "now" and what was found are parameters.
 */
import { sameParallelism, transitions, type Schedule } from '../schedule/schedule.js'

/** One snapshot of an application's state, as ListApplicationSnapshots describes it. */
export interface SnapshotInfo {
  name: string
  /** CREATING, READY, DELETING or FAILED. */
  status: string
  /** SnapshotCreationTimestamp: DeleteApplicationSnapshot needs it; the model makes it optional. */
  createdAt?: Date
  /** The application version whose job it was taken of. */
  versionId?: number
}

/**
 * The service's per-application snapshot quota: "You can create up to 1,000 Managed Service for
 * Apache Flink snapshots per application" (Managed Service for Apache Flink and Studio notebook
 * quota, https://docs.aws.amazon.com/managed-flink/latest/java/limits.html).
 */
export const DEFAULT_SNAPSHOT_LIMIT = 1000
/** prune-snapshots keeps at least this many: a schedule's fortnight of restore points, whatever the input. */
export const MIN_KEEP = 10
/** A snapshot younger than this is never deleted: the last week of restore points always remains. */
export const MIN_AGE_MS = 7 * 86_400_000
/** The early warning comes at this share of the limit. */
export const WARN_AT = 0.8
const WEEK_MS = 7 * 86_400_000

/** Why a snapshot older than the newest `keep` is kept all the same (or, for `newest`, is among them). */
export type KeptBecause = 'newest' | 'newest-ready' | 'restore-configuration' | 'not-ready' | 'no-creation-time' | 'young'

/** What a run deletes, and what it keeps and why. */
export interface PrunePlan {
  /** Oldest first: the order they are deleted in. */
  delete: SnapshotInfo[]
  /** Newest first. */
  kept: { snapshot: SnapshotInfo; because: KeptBecause }[]
}

export interface PruneInput {
  /** The snapshots found before the update. */
  snapshots: readonly SnapshotInfo[]
  /** prune-snapshots: how many of the newest to keep, the update's own included. */
  keep: number
  /** Snapshots this run's update takes (one, as the job stops): they count among the newest `keep`. */
  taking: number
  /** The snapshot the application's restore configuration names (RESTORE_FROM_CUSTOM_SNAPSHOT). */
  restoreSnapshot?: string
  /** Ages are reckoned from this instant (the real clock, never `at`). */
  now: Date
}

/**
 * Which snapshots a run deletes: every one older than the newest `keep` (the update's own snapshot
 * counted among them), except the newest READY one (what a restart falls back to if the update's
 * own snapshot fails), the one the restore configuration names, one not READY, one without a
 * creation time (it cannot be deleted), and one younger than MIN_AGE_MS.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const dated = input.snapshots.filter((s) => s.createdAt !== undefined)
  // Newest first; the same instant is ordered by name, so a plan never depends on the list's order.
  dated.sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime() || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0))
  const newestReady = dated.find((s) => s.status === 'READY')
  const newest = Math.max(0, input.keep - input.taking)
  const kept: PrunePlan['kept'] = []
  const doomed: SnapshotInfo[] = []
  dated.forEach((snapshot, rank) => {
    const because: KeptBecause | undefined =
      rank < newest
        ? 'newest'
        : snapshot === newestReady
          ? 'newest-ready'
          : snapshot.name === input.restoreSnapshot
            ? 'restore-configuration'
            : snapshot.status !== 'READY'
              ? 'not-ready'
              : input.now.getTime() - snapshot.createdAt!.getTime() < MIN_AGE_MS
                ? 'young'
                : undefined
    if (because) kept.push({ snapshot, because })
    else doomed.push(snapshot)
  })
  for (const snapshot of input.snapshots) if (snapshot.createdAt === undefined) kept.push({ snapshot, because: 'no-creation-time' })
  return { delete: doomed.reverse(), kept }
}

/** Why a snapshot is kept, as the summary says it. */
export function keptText(because: KeptBecause, keep: number): string {
  return {
    newest: `among the newest ${keep}`,
    'newest-ready': 'the newest READY snapshot: a restart falls back to it',
    'restore-configuration': "the application's restore configuration names it",
    'not-ready': 'not READY',
    'no-creation-time': 'no creation time, which deleting needs',
    young: 'younger than 7 days'
  }[because]
}

/**
 * How many snapshots the schedule's changes take in the week from `from`: one per change, as every
 * accepted update takes one. Undefined without a schedule (manual targets only).
 */
export function changesPerWeek(schedule: Schedule | undefined, from: Date, parallelismPerKpu: number | undefined): number | undefined {
  if (!schedule) return undefined
  return transitions(schedule, from, new Date(from.getTime() + WEEK_MS), sameParallelism(parallelismPerKpu), parallelismPerKpu).length
}

export interface LimitInput {
  application: string
  region: string
  /** Its account, with account-roles: the warning names it, and the commands to run there. */
  account?: string
  /** Snapshots after this run. */
  count: number
  /** snapshot-limit. */
  limit: number
  /** What changesPerWeek gives; undefined without a schedule. */
  changesPerWeek?: number
  /** prune-snapshots, when set. */
  pruneSnapshots?: number
}

/**
 * The warning for an application at WARN_AT of its limit or beyond: the count, the days of the
 * current schedule left before the limit, what happens at it, and the fix; with a short note of it
 * for the summary. Undefined below WARN_AT.
 */
export function limitWarning(input: LimitInput): { warning: string; note: string } | undefined {
  const { application, region, account, count, limit } = input
  if (count < Math.ceil(limit * WARN_AT)) return undefined
  const where = account ? `${region}, account ${account}` : region
  const share = `${Math.floor((count / limit) * 100)}%`
  if (count >= limit) {
    const reached = `${count > limit ? 'past' : 'at'} its limit of ${limit}`
    return {
      warning:
        `${application} (${where}) has ${count} snapshots, ${reached} (snapshot-limit): manually created snapshots ` +
        '(CreateApplicationSnapshot: backup jobs, snapshots before a deployment) now fail with LimitExceededException. ' +
        `The service still takes its own on every update and stop. Fix: ${fix(input)}`,
      note: `${reached}: manually created snapshots fail`
    }
  }
  const left = daysLeft(limit - count, input.changesPerWeek)
  return {
    warning:
      `${application} (${where}) has ${count} snapshots, ${share} of its limit of ${limit} (snapshot-limit). ${left.text} ` +
      'At the limit, manually created snapshots (backup jobs, snapshots before a deployment) fail with LimitExceededException; ' +
      `the service never deletes snapshots itself. Fix: ${fix(input)}`,
    note: `${share} of the limit of ${limit}${left.note ? `: ${left.note}` : ''}`
  }
}

function daysLeft(remaining: number, perWeek: number | undefined): { text: string; note?: string } {
  if (perWeek === undefined) return { text: `The limit is ${remaining} snapshots away; with manual targets only, each update takes one.` }
  if (perWeek === 0) {
    return { text: `The limit is ${remaining} snapshots away; the schedule makes no change in a week, so only other updates and stops take them.` }
  }
  const days = Math.floor((remaining * 7) / perWeek)
  const about = `about ${days} day${days === 1 ? '' : 's'}`
  return {
    text:
      `At the schedule's ${perWeek} change${perWeek === 1 ? '' : 's'} a week (each update takes one snapshot), ` +
      `the limit is ${about} away (${remaining} snapshots; sooner if anything else takes them).`,
    note: `${about} left at the schedule's ${perWeek} change${perWeek === 1 ? '' : 's'} a week`
  }
}

function fix({ application, region, account, limit, pruneSnapshots }: LimitInput): string {
  // Which profile holds that account's credentials only the reader knows: the account is named.
  const credentials = account ? `, with credentials for account ${account} (add --profile with your profile for it)` : ''
  const byHand =
    `delete old snapshots by hand${credentials}: aws kinesisanalyticsv2 list-application-snapshots --region ${region} --application-name ${application} ` +
    `--query "SnapshotSummaries[?SnapshotStatus=='READY'].[SnapshotName,SnapshotCreationTimestamp]" --output text, then for each one to go: ` +
    `aws kinesisanalyticsv2 delete-application-snapshot --region ${region} --application-name ${application} ` +
    '--snapshot-name NAME --snapshot-creation-timestamp TIMESTAMP.'
  const suggested = Math.max(MIN_KEEP, Math.floor(limit / 10))
  if (pruneSnapshots === undefined) {
    return `set prune-snapshots (e.g. prune-snapshots: ${suggested}) to keep the newest snapshots and delete older ones after each update, or ${byHand}`
  }
  if (pruneSnapshots >= Math.ceil(limit * WARN_AT)) {
    return `prune-snapshots: ${pruneSnapshots} keeps too many for this limit; lower it (e.g. prune-snapshots: ${suggested}), or ${byHand}`
  }
  return `prune-snapshots: ${pruneSnapshots} could not delete enough (the rest are protected, or their deletion failed: see the summary); ${byHand}`
}
