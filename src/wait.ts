import { atTarget, type ApplicationState, type Desired } from './application.js'
import type { FlinkClient } from './flink-client.js'
import { describeDesired } from './decide.js'
import { ScalerError } from './errors.js'

export interface WaitOptions {
  timeoutMs: number
  /** Says once that the wait fell back to polling the application's status. */
  warn: (message: string) => void
  sleep?: (ms: number) => Promise<void>
  clock?: () => number
}

/** The code of the error for a wait that ran out of time while the update went on. */
export const WAIT_TIMEOUT = 'WaitTimeout'

/** The first poll comes after this; each next one waits longer, up to the cap (real updates take minutes). */
const FIRST_POLL_MS = 1_000
const MAX_POLL_MS = 15_000
const TRANSITIONAL = new Set(['UPDATING', 'AUTOSCALING', 'STARTING', 'ROLLING_BACK', 'MAINTENANCE'])
/** Endpoints or policies without DescribeApplicationOperation: follow the application's status instead. */
const NO_OPERATIONS = new Set(['UnsupportedOperationException', 'UnknownOperationException', 'AccessDeniedException'])

/**
 * Follows an accepted update until its operation ends and the application is RUNNING at the
 * target. Throws a ScalerError saying what happened when it does not get there.
 */
export async function waitForUpdate(
  client: FlinkClient,
  name: string,
  operationId: string | undefined,
  desired: Desired,
  options: WaitOptions
): Promise<ApplicationState> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const clock = options.clock ?? Date.now
  const deadline = clock() + options.timeoutMs
  let interval = FIRST_POLL_MS
  let followOperation = operationId !== undefined
  let last = 'the update had not finished'

  for (;;) {
    const left = deadline - clock()
    if (left <= 0) {
      throw new ScalerError(
        `Gave up waiting after ${Math.round(options.timeoutMs / 1000)} s: ${last}. The update goes on in AWS.`,
        { hint: 'Raise wait-timeout-seconds, or set wait: false and let the next run check the result.', code: WAIT_TIMEOUT }
      )
    }
    await sleep(Math.min(interval, left))
    interval = Math.min(interval * 1.5, MAX_POLL_MS)

    if (followOperation && operationId) {
      try {
        const operation = await client.operation(name, operationId)
        if (operation.status === 'IN_PROGRESS') {
          last = `operation ${operationId} was still IN_PROGRESS`
          continue
        }
        if (operation.status !== 'SUCCESSFUL') {
          throw new ScalerError(
            `The update operation ${operationId} ended ${operation.status}: ${operation.error ?? 'the service gave no error text'}` +
              (operation.rollbackOperationId ? ` (rolled back by operation ${operation.rollbackOperationId}).` : '.'),
            { hint: 'Check the application\'s logs in CloudWatch for why Flink could not run at the target; nothing else was changed.' }
          )
        }
        // Done; from here only the application's status matters.
        followOperation = false
      } catch (error) {
        if (!(error instanceof ScalerError) || !NO_OPERATIONS.has(error.code ?? '')) throw error
        options.warn(
          `DescribeApplicationOperation is not available (${error.code}); following the application's status instead. ` +
            'Allow kinesisanalytics:DescribeApplicationOperation to see the service\'s own error text when an update fails.'
        )
        followOperation = false
      }
    }

    const state = await client.describe(name)
    if (state.status === 'RUNNING' && atTarget(state, desired)) return state
    if (TRANSITIONAL.has(state.status)) {
      last = `the application was still ${state.status}`
      continue
    }
    if (state.status === 'RUNNING') {
      throw new ScalerError(
        `The application is RUNNING at ${describeDesired(state)}, not ${describeDesired(desired)}: the update was rolled back or overridden.`,
        { hint: 'Check the application\'s operations and CloudWatch logs; the next run tries again.' }
      )
    }
    throw new ScalerError(`After the update the application is ${state.status}, not RUNNING.`, {
      hint: 'Check the application in the AWS console and its CloudWatch logs; it may need to be started again.'
    })
  }
}
