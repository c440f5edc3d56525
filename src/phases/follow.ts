/**
 * The follow phase: one loop over every accepted update until each has ended and its application
 * is RUNNING at the target, or the wait's time is up. Each update is checked at growing intervals:
 * 1 s after it was accepted, then 1.5 times longer each time, at most every 30 s (so a 15-minute
 * restart costs about 35 checks).
 */
import { atTarget, kpus, type ApplicationState, type Desired } from './application.js'
import type { Applied } from './apply.js'
import { holdNotInForce, writeHold } from './apply.js'
import { describeDesired } from './decide.js'
import { asScalerError, ScalerError } from '../errors.js'
import type { FlinkClient } from '../aws/flink-client.js'
import { failedWith, holdField, type Outcome } from './outcome.js'
import { DEFAULT_RATE } from '../aws/rate-limit.js'
import { placeKey, type RunContext } from './context.js'
import { atTarget as snapshotsAtTarget } from './prune.js'

export interface FollowOptions {
  /** The follow phase as a whole gives up after this long. */
  timeoutMs: number
  sleep?: (ms: number) => Promise<void>
  clock?: () => number
}

/** The code of the error for a follow phase that ran out of time while the update went on. */
export const WAIT_TIMEOUT = 'WaitTimeout'

export const FIRST_POLL_MS = 1_000
export const POLL_GROWTH = 1.5
export const MAX_POLL_MS = 30_000
/** A line about what is still being waited for, this often. */
const PROGRESS_EVERY_MS = 60_000
const TRANSITIONAL = new Set(['UPDATING', 'AUTOSCALING', 'STARTING', 'ROLLING_BACK', 'MAINTENANCE'])
/** Endpoints or policies without DescribeApplicationOperation: follow the application's status instead. */
const NO_OPERATIONS = new Set(['UnsupportedOperationException', 'UnknownOperationException', 'AccessDeniedException'])

/** One accepted update being followed. */
interface Update {
  applied: Applied & { follow: NonNullable<Applied['follow']> }
  client: FlinkClient
  followOperation: boolean
  interval: number
  nextCheckAt: number
  /** What the last check found, for the progress line and the timeout message. */
  last: string
  /** Set once the update has an outcome. */
  ended?: Outcome
  /** Its snapshots being counted and old ones deleted, once it reached its target: `ended` then gains them. */
  pruning?: Promise<void>
}

/** Follows every accepted update; returns one outcome per application, in order. Never throws. */
export async function follow(
  applied: Applied[],
  context: Pick<RunContext, 'clientFor' | 'warn' | 'log'> & Partial<Pick<RunContext, 'config'>>,
  options: FollowOptions
): Promise<Outcome[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const clock = options.clock ?? Date.now
  const start = clock()
  const deadline = start + options.timeoutMs
  const updates: Update[] = applied
    .filter((a): a is Update['applied'] => a.follow !== undefined)
    .map((a) => ({
      applied: a,
      client: context.clientFor(a.ref),
      followOperation: a.follow.operationId !== undefined,
      interval: FIRST_POLL_MS,
      // Counted from the update's own acceptance: a fleet's first checks do not all come at once.
      nextCheckAt: start + Math.max(0, FIRST_POLL_MS - (a.outcome.acceptedAt === undefined ? 0 : Date.now() - a.outcome.acceptedAt)),
      last: 'the update had not finished'
    }))
  const total = updates.length
  let done = 0
  let nextProgress = start + PROGRESS_EVERY_MS
  const checking = new Map<Update, Promise<void>>()

  const end = async (update: Update, result: ApplicationState | ScalerError) => {
    const { outcome, follow: followed } = update.applied
    if (result instanceof ScalerError) {
      update.ended = failedWith(outcome, result, 'The update was accepted, then:')
      // A failed or rolled-back update leaves no new hold behind: the one found before comes back.
      // A wait that only ran out of time keeps it: the update goes on.
      if (followed.hold.write && !followed.holdPending && result.code !== WAIT_TIMEOUT) {
        const restore = followed.hold.undo?.restore
        try {
          await writeHold(update.client, followed.state, { write: restore, remove: !restore })
          update.ended = { ...update.ended, ...holdField(restore) }
        } catch (error) {
          context.warn(`${outcome.application}: could not take back the new hold: ${asScalerError(error).message}`)
        }
      }
      return
    }
    const reachedAt = Date.now()
    update.ended = { ...outcome, action: 'updated', reachedAt }
    // Tags refused while the application was UPDATING: now that it is RUNNING, the hold is written.
    if (followed.holdPending) {
      try {
        await writeHold(update.client, followed.state, followed.hold)
        update.ended = { ...update.ended, ...holdField(followed.hold.after) }
      } catch (error) {
        update.ended = failedWith(update.ended, holdNotInForce(error, followed.hold), 'The update was accepted and reached its target, then:')
        return
      }
    }
    done++
    const kpu = kpus(followed.desired.parallelism, followed.desired.parallelismPerKpu)
    context.log(`${done}/${total} at target: ${outcome.application} ${kpu} KPU after ${duration(reachedAt - (outcome.acceptedAt ?? reachedAt))}`)
    // Its snapshots are counted (and old ones deleted) now that the update has taken its own, in this
    // check's place in the region's bound: the updates of a fleet are not held up by it.
    const { config } = context
    if (followed.countSnapshots && config) {
      const reached = update.ended
      update.pruning = snapshotsAtTarget(reached, followed.state, update.client, { ...context, config }).then((counted) => void (update.ended = counted))
      await update.pruning
    }
  }

  const check = async (update: Update) => {
    let result: ApplicationState | ScalerError | undefined
    try {
      result = await checkOnce(update, context)
    } catch (error) {
      result = asScalerError(error)
    }
    // An update given up on at the deadline keeps that outcome, whatever a late answer says.
    if (update.ended) return
    if (result) return end(update, result)
    update.interval = Math.min(update.interval * POLL_GROWTH, MAX_POLL_MS)
    update.nextCheckAt = clock() + update.interval
  }

  for (;;) {
    const now = clock()
    const pending = updates.filter((u) => !u.ended)
    if (pending.length === 0) break
    if (now >= deadline) {
      for (const update of pending) {
        await end(
          update,
          new ScalerError(`Gave up waiting after ${Math.round(options.timeoutMs / 1000)} s: ${update.last}. The update goes on in AWS.`, {
            hint: 'Raise wait-timeout-seconds, or set wait: false and let the next run check the result.',
            code: WAIT_TIMEOUT
          })
        )
      }
      break
    }
    const due = pending.filter((u) => !checking.has(u) && u.nextCheckAt <= now)
    if (due.length > 0 && now >= nextProgress) {
      context.log(waitingLine(pending, total))
      nextProgress = now + PROGRESS_EVERY_MS
    }
    // As many checks at once per place (account and region) as it takes requests in flight; the others come next.
    const busy = new Map<string, number>()
    for (const update of checking.keys()) busy.set(placeKey(update.applied.ref), (busy.get(placeKey(update.applied.ref)) ?? 0) + 1)
    for (const update of due) {
      const place = placeKey(update.applied.ref)
      if ((busy.get(place) ?? 0) >= DEFAULT_RATE.maxInFlight) continue
      busy.set(place, (busy.get(place) ?? 0) + 1)
      checking.set(update, check(update).finally(() => checking.delete(update)))
    }
    const idle = pending.filter((u) => !checking.has(u))
    // Nothing waits for its time, or what is due waits for a free slot: wait for a check to end.
    if (idle.length === 0 || idle.some((u) => u.nextCheckAt <= now)) {
      await Promise.race(checking.values())
      continue
    }
    const wait = Math.max(0, Math.min(deadline, ...idle.map((u) => u.nextCheckAt)) - now)
    if (checking.size === 0) {
      await sleep(wait)
      continue
    }
    let timer: NodeJS.Timeout | undefined
    const pause = options.sleep ? sleep(wait) : new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))
    await Promise.race([pause, ...checking.values()])
    clearTimeout(timer)
  }
  // Every update has its outcome; deletions still under way are waited for (they never throw).
  await Promise.all(updates.map((u) => u.pruning))
  return applied.map((a) => updates.find((u) => u.applied === a)?.ended ?? a.outcome)
}

/** One check of one update: the application's state once it is RUNNING at the target, else undefined. */
async function checkOnce(update: Update, context: Pick<RunContext, 'warn'>): Promise<ApplicationState | undefined> {
  const { client } = update
  const name = update.applied.outcome.application
  const { operationId, desired } = update.applied.follow
  if (update.followOperation && operationId) {
    try {
      const operation = await client.operation(name, operationId)
      if (operation.status === 'IN_PROGRESS') {
        update.last = `operation ${operationId} was still IN_PROGRESS`
        return undefined
      }
      if (operation.status !== 'SUCCESSFUL') {
        const ended =
          `The update operation ${operationId} ended ${operation.status}: ${operation.error ?? 'the service gave no error text'}` +
          (operation.rollbackOperationId ? ` (rolled back by operation ${operation.rollbackOperationId}).` : '.')
        // Where that left the application: a rollback that fails too leaves it stopped.
        const after = await client.describe(name).catch(() => undefined)
        if (after?.status === 'READY') {
          throw new ScalerError(
            `${ended} The application is now READY (stopped) at version ${after.versionId}: ` +
              `${operation.rollbackOperationId ? 'the rollback failed too, and ' : ''}it runs no job.`,
            {
              hint:
                `Start it again, restoring its latest snapshot (console: Run; CLI: aws kinesisanalyticsv2 start-application --application-name ${name} ` +
                `--run-configuration '{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"RESTORE_FROM_LATEST_SNAPSHOT"}}'), ` +
                "and check its CloudWatch logs for why the restart failed. Scheduled runs scale it again once it is RUNNING."
            }
          )
        }
        throw new ScalerError(`${ended}${after ? ` The application is ${after.status} at ${describeDesired(after)}.` : ''}`, {
          hint: "Check the application's logs in CloudWatch for why Flink could not run at the target; nothing else was changed."
        })
      }
      // Done; from here only the application's status matters.
      update.followOperation = false
    } catch (error) {
      if (!(error instanceof ScalerError) || !NO_OPERATIONS.has(error.code ?? '')) throw error
      context.warn(
        `DescribeApplicationOperation is not available (${error.code}); following the application's status instead. ` +
          "Allow kinesisanalytics:DescribeApplicationOperation to see the service's own error text when an update fails."
      )
      update.followOperation = false
    }
  }
  const state = await client.describe(name)
  if (state.status === 'RUNNING' && atTarget(state, desired)) return state
  if (TRANSITIONAL.has(state.status)) {
    update.last = `the application was still ${state.status}`
    return undefined
  }
  throw notAtTarget(state, desired)
}

function notAtTarget(state: ApplicationState, desired: Desired): ScalerError {
  if (state.status === 'RUNNING') {
    return new ScalerError(
      `The application is RUNNING at ${describeDesired(state)}, not ${describeDesired(desired)}: the update was rolled back or overridden.`,
      { hint: "Check the application's operations and CloudWatch logs; the next run tries again." }
    )
  }
  return new ScalerError(`After the update the application is ${state.status}, not RUNNING.`, {
    hint: 'Check the application in the AWS console and its CloudWatch logs; it may need to be started again.'
  })
}

/** "Waiting for 3 of 60 updates: orders (operation … still IN_PROGRESS), clicks (UPDATING), …". */
function waitingLine(pending: Update[], total: number): string {
  const shown = pending.slice(0, 5).map((u) => `${u.applied.outcome.application} (${u.last})`)
  const more = pending.length > shown.length ? `, and ${pending.length - shown.length} more` : ''
  return `Waiting for ${pending.length} of ${total} update${total === 1 ? '' : 's'}: ${shown.join(', ')}${more}.`
}

/** "4m12s", "38s". */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`
}
