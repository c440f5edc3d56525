/**
 * The roles of `account-roles`: each assumed with sts:AssumeRole from the run's own credentials
 * when its account is first asked for, a few at a time, retried with jittered backoff while STS
 * throttles, and assumed again before its session ends. A role that cannot be assumed fails every
 * request in its account with an error naming it; the other accounts go on.
 */
import * as core from '@actions/core'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import type { AccountRole } from '../github/config.js'
import { ScalerError } from '../errors.js'
import { logLine } from '../github/escape.js'
import { arnPartition, regionPartition } from './partitions.js'
import { retry } from './retry.js'
import { requestMiddleware, sdkOptions } from './sdk-options.js'

/** Roles assumed at once, at most: an organisation's hundreds of accounts must not burst STS. */
export const MAX_ASSUMING = 4
/** A session is assumed again once it ends within this long (the SDK asks for credentials on every request). */
const REFRESH_BEFORE_MS = 5 * 60_000
/** AWS caps a session assumed from another role's session ("role chaining") at one hour. */
export const MAX_CHAINED_SECONDS = 3600
const THROTTLED_ATTEMPTS = 5
const BASE_DELAY_MS = 1_000
const MAX_DELAY_MS = 8_000
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded'])

export interface AccountRoleOptions {
  /** The STS endpoint's region: the run's first. */
  region: string
  sessionName: string
  /** The session length asked for: role-duration-seconds, at most MAX_CHAINED_SECONDS. */
  durationSeconds: number
  /** Roles assumed at once. Default MAX_ASSUMING. */
  concurrency?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

/** Each role's credentials, as a provider for the clients of its account. */
export type AccountCredentials = (roleArn: string) => AwsCredentialIdentityProvider

/**
 * The credential provider of each role in `roles`, assuming it (from `base`, the run's own
 * credentials; undefined for the default chain) on first use and again before its session ends.
 */
export function accountCredentials(roles: readonly AccountRole[], base: AwsCredentialIdentityProvider | undefined, options: AccountRoleOptions): AccountCredentials {
  const now = options.now ?? Date.now
  const sts = new STSClient({ ...sdkOptions(options.region, base, { logBodies: false }), maxAttempts: 3 })
  sts.middlewareStack.use(requestMiddleware('sts'))
  const slots = new Slots(options.concurrency ?? MAX_ASSUMING)
  const providers = new Map<string, AwsCredentialIdentityProvider>()
  for (const role of roles) {
    let current: AwsCredentialIdentity | undefined
    let failure: ScalerError | undefined
    let assuming: Promise<AwsCredentialIdentity> | undefined
    const assume = () =>
      (assuming ??= slots
        .run(() => session(sts, role, options))
        .then((fresh) => (current = fresh))
        .finally(() => (assuming = undefined)))
    providers.set(role.arn, async () => {
      if (failure) throw failure
      const left = current?.expiration === undefined ? Infinity : current.expiration.getTime() - now()
      if (current && left > REFRESH_BEFORE_MS) return current
      try {
        return await assume()
      } catch (error) {
        // A session that cannot be renewed serves until it ends; a role never assumed fails its account for the run.
        if (current && left > 0) return current
        failure = error instanceof ScalerError ? error : assumeError(error, role, options)
        throw failure
      }
    })
  }
  return (roleArn) => {
    const provider = providers.get(roleArn)
    if (!provider) throw new Error(`${roleArn} is not a role of account-roles`)
    return provider
  }
}

/** One AssumeRole, retried while STS throttles; the credentials are masked before anything else is logged. */
async function session(sts: STSClient, role: AccountRole, options: AccountRoleOptions): Promise<AwsCredentialIdentity> {
  let out
  try {
    out = await retry(
      () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: role.arn,
            RoleSessionName: options.sessionName,
            DurationSeconds: Math.min(options.durationSeconds, MAX_CHAINED_SECONDS)
          })
        ),
      {
        attempts: THROTTLED_ATTEMPTS,
        baseDelayMs: BASE_DELAY_MS,
        maxDelayMs: MAX_DELAY_MS,
        retryable: (error) => THROTTLING.has((error as { name?: string })?.name ?? ''),
        sleep: options.sleep
      }
    )
  } catch (error) {
    throw assumeError(error, role, options)
  }
  const credentials = out.Credentials
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new ScalerError(`STS returned no credentials for ${role.arn} (account-roles).`, { hint: 'Re-run the job; if it persists, check the role in IAM.' })
  }
  core.setSecret(credentials.SecretAccessKey)
  core.setSecret(credentials.SessionToken)
  core.setSecret(credentials.AccessKeyId)
  core.info(logLine(`Assumed ${role.arn} for account ${role.account}${credentials.Expiration ? `, until ${credentials.Expiration.toISOString()}` : ''}.`))
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration
  }
}

/** Why a role could not be assumed, naming it, and what to do. */
function assumeError(error: unknown, role: AccountRole, options: AccountRoleOptions): ScalerError {
  const name = (error as { name?: string })?.name ?? ''
  const text = (error as Error)?.message ?? String(error)
  const message = `Could not assume ${role.arn} (account-roles, account ${role.account}): ${name ? `${name}: ` : ''}${text}`
  const hints: Record<string, string> = {
    AccessDenied:
      `The trust policy of ${role.arn} must allow sts:AssumeRole for the role this run has (role-to-assume, or the credentials of an earlier step), ` +
      'and that role\'s own policy must allow sts:AssumeRole on it. IAM gives the same answer for a role that does not exist, so check the ARN too (docs/fleets.md).',
    ValidationError: validationHint(text, role, options),
    RegionDisabledException: 'STS is not activated in the run\'s first region for that account: activate it (IAM account settings), or list another region first in "region".',
    ExpiredToken: "The run's own credentials expired: give the step that provides them a longer session.",
    ExpiredTokenException: "The run's own credentials expired: give the step that provides them a longer session.",
    CredentialsProviderError:
      'The run has no credentials of its own to assume the role from: set role-to-assume (with `permissions: id-token: write`), or provide credentials in an earlier step.'
  }
  const hint =
    hints[name] ??
    (THROTTLING.has(name)
      ? `STS kept throttling after ${THROTTLED_ATTEMPTS} attempts; the next run tries again.`
      : 'Check the role ARN and that the run\'s own credentials may assume it; transient errors: the next run tries again.')
  return new ScalerError(message, { code: name || undefined, hint, cause: error })
}

/**
 * What to do about STS's ValidationError, which says several things: a session longer than the
 * role allows, a role ARN of another partition than the run's credentials (STS answers "Request ARN
 * is invalid"), or a malformed request.
 */
function validationHint(text: string, role: AccountRole, options: AccountRoleOptions): string {
  if (/DurationSeconds/i.test(text)) {
    return `The role refused the session asked for (${Math.min(options.durationSeconds, MAX_CHAINED_SECONDS)} s): lower role-duration-seconds, or raise the role's maximum session duration.`
  }
  const partition = arnPartition(role.arn)
  const own = regionPartition(options.region)
  if (partition !== own) {
    return (
      `The role is in partition ${partition}, but the run's credentials and STS (${options.region}) are in partition ${own}: a role can only be assumed from its own partition. ` +
      'Scale the accounts of that partition in a job of their own, whose role-to-assume and region are in it.'
    )
  }
  if (/ARN/.test(text)) return `STS does not take ${role.arn} as a role ARN: check it (arn:${own}:iam::ACCOUNT:role/NAME, with the role's path if it has one).`
  return 'STS refused the request as invalid (the message says which value): check the role ARN and role-session-name.'
}

/** At most `limit` tasks at once, the others in turn. */
class Slots {
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    try {
      return await task()
    } finally {
      this.running--
      this.waiting.shift()?.()
    }
  }
}
