/** Credentials from the workflow's OIDC token: the token (retried, with a timeout), then AssumeRoleWithWebIdentity, renewed before it expires. */
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import type { Config } from '../github/config.js'
import { ScalerError } from '../errors.js'
import { logLine } from '../github/escape.js'
import { PROXY_HINT, proxyAnswer, proxyFor } from './proxy.js'
import { retry } from './retry.js'
import { requestMiddleware, sdkOptions } from './sdk-options.js'
import * as core from '@actions/core'

/** What a workflow must grant for its jobs to get an OIDC token. */
export const PERMISSIONS_BLOCK = 'permissions:\n  id-token: write\n  contents: read'
const PROVIDER = 'token.actions.githubusercontent.com'
/** The SDK asks its credential provider again once the credentials expire within five minutes. */
const REFRESH_BEFORE_MS = 5 * 60_000
const TOKEN_ATTEMPTS = 4
const STS_ATTEMPTS = 4
const BASE_DELAY_MS = 1_000

export interface AssumeRoleOptions {
  /** Waits between attempts (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>
  /** The clock that decides when the session is renewed. */
  now?: () => number
  /** How long one token request may go unanswered. */
  tokenTimeoutMs?: number
}

/** The claims of the job's token that the role's trust policy is matched against. */
export interface TokenClaims {
  sub?: string
  aud?: string | string[]
  repository?: string
  ref?: string
  environment?: string
  event_name?: string
  workflow_ref?: string
  job_workflow_ref?: string
}

/**
 * Exchanges the job's OIDC token for session credentials of `role-to-assume` and returns them as
 * the credential provider of every Kinesis Analytics client. Loaded only when that input is set,
 * so runs on the default credential chain never load the STS client.
 *
 * The first session is started here, so a refused role fails the run before any application is
 * touched. When the session nears its end (a wait can outlast role-duration-seconds), the next
 * call starts a new one with a fresh token.
 */
export async function assumeRole(
  config: Config,
  env: NodeJS.ProcessEnv,
  options: AssumeRoleOptions = {}
): Promise<AwsCredentialIdentityProvider> {
  const missing = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'].filter((name) => !env[name])
  if (missing.length > 0) throw noTokenError(missing)

  const now = options.now ?? Date.now
  // AssumeRoleWithWebIdentity is unsigned (the token is the credential). The SDK retries
  // throttling, 5xx, resets and timeouts itself, and honours AWS_ENDPOINT_URL(_STS).
  const sts = new STSClient({ ...sdkOptions(stsRegion(config), undefined, { logBodies: false }), maxAttempts: 6 })
  sts.middlewareStack.use(requestMiddleware('sts'))
  const startSession = () => session(config, sts, options)

  let current = await startSession()
  let renewing: Promise<AwsCredentialIdentity> | undefined
  return async () => {
    const expiresAt = current.expiration?.getTime()
    if (expiresAt === undefined || expiresAt - now() > REFRESH_BEFORE_MS) return current
    renewing ??= startSession()
      .then((fresh) => (current = fresh))
      .finally(() => (renewing = undefined))
    return renewing
  }
}

/** One token, one AssumeRoleWithWebIdentity, the credentials masked before anything else is logged. */
async function session(config: Config, sts: STSClient, options: AssumeRoleOptions): Promise<AwsCredentialIdentity> {
  const roleArn = config.roleToAssume!
  const token = await idToken(config.audience, options)
  const claims = tokenClaims(token)
  let credentials
  try {
    const out = await retry(
      () =>
        sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: roleArn,
            RoleSessionName: config.roleSessionName,
            WebIdentityToken: token,
            DurationSeconds: config.roleDurationSeconds
          })
        ),
      {
        attempts: STS_ATTEMPTS,
        baseDelayMs: BASE_DELAY_MS,
        retryable: providerUnreachable,
        sleep: options.sleep,
        onRetry: (error, attempt, delay) =>
          core.info(logLine(`STS could not check the token with GitHub (${errorName(error)}, attempt ${attempt} of ${STS_ATTEMPTS}); retrying in ${seconds(delay)}.`))
      }
    )
    credentials = out.Credentials
  } catch (error) {
    throw stsError(error, config, claims)
  }
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new ScalerError(`STS returned no credentials for ${roleArn}.`, { hint: 'Re-run the job; if it persists, check the role in IAM.' })
  }
  core.setSecret(credentials.SecretAccessKey)
  core.setSecret(credentials.SessionToken)
  core.setSecret(credentials.AccessKeyId)
  core.info(
    logLine(
      `Assumed ${roleArn} (session ${config.roleSessionName}` +
        `${credentials.Expiration ? `, until ${credentials.Expiration.toISOString()}` : ''}) with the OIDC token of ${claims.sub ?? 'this job'}.`
    )
  )
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration
  }
}

/** The region of the STS endpoint the action calls. */
function stsRegion(config: Config): string {
  return config.region ?? config.applications[0]?.region ?? 'us-east-1'
}

/** The token endpoint answered with an error, or could not be reached (no status). */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    /** The status is the proxy's answer to CONNECT, not the token endpoint's. */
    readonly tunnel = false
  ) {
    super(message)
    this.name = 'TokenRequestError'
  }
}

/**
 * A token request that gets no answer in this long is abandoned and tried again (the runtime's
 * HTTP client itself would wait three minutes).
 */
const TOKEN_TIMEOUT_MS = 20_000

/**
 * One token request through @actions/core, which honours the runner's proxy settings and masks
 * the token. Its errors carry the HTTP status only in their text ("Error Code : 500").
 */
export async function requestToken(audience: string, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TokenRequestError(undefined, `no answer in ${timeoutMs / 1000} s`)), timeoutMs)
  })
  try {
    return await Promise.race([core.getIDToken(audience), timeout])
  } catch (error) {
    if (error instanceof TokenRequestError) throw error
    const text = errorMessage(error)
    // A proxy that refuses the tunnel answers for the endpoint: "tunneling socket ... statusCode=407".
    const status = /Error Code : (\d{3})/.exec(text)?.[1] ?? /statusCode=(\d{3})/.exec(text)?.[1]
    const message = /Error Message: ([\s\S]*)$/.exec(text)?.[1]?.replace(/\s+/g, ' ').trim()
    throw new TokenRequestError(
      status ? Number(status) : undefined,
      message || text.replace(/^Error message: /, '').replace(/\s+/g, ' ').trim(),
      /tunneling socket/i.test(text)
    )
  } finally {
    clearTimeout(timer)
  }
}

/** The job's OIDC token; the runtime's endpoint fails now and then, so 5xx, 429 and resets are retried. */
async function idToken(audience: string, options: AssumeRoleOptions): Promise<string> {
  try {
    return await retry(() => requestToken(audience, options.tokenTimeoutMs ?? TOKEN_TIMEOUT_MS), {
      attempts: TOKEN_ATTEMPTS,
      baseDelayMs: BASE_DELAY_MS,
      retryable: (error) => transientStatus(httpStatus(error)),
      sleep: options.sleep,
      onRetry: (error, attempt, delay) =>
        core.info(logLine(`Could not get the job's OIDC token (${tokenFailure(error)}, attempt ${attempt} of ${TOKEN_ATTEMPTS}); retrying in ${seconds(delay)}.`))
    })
  } catch (error) {
    const status = httpStatus(error)
    const refused = status === 401 || status === 403
    const proxy = proxyFor(process.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '')
    if (proxy && (status === undefined || status === 407 || (error instanceof TokenRequestError && error.tunnel))) {
      throw new ScalerError(`Could not get the job's OIDC token for audience "${audience}" through the proxy ${proxy}: ${tokenFailure(error)}.`, {
        cause: error,
        hint: PROXY_HINT
      })
    }
    throw new ScalerError(`Could not get the job's OIDC token for audience "${audience}": ${tokenFailure(error)}.`, {
      cause: error,
      hint: transientStatus(status)
        ? `GitHub's token endpoint kept failing (${TOKEN_ATTEMPTS} attempts); re-run the job.`
        : `${refused ? 'The Actions runtime refused the request. ' : ''}Check that the workflow grants\n${PERMISSIONS_BLOCK}\n` +
          '(in a reusable workflow, the calling workflow too) and that the audience input is right.'
    })
  }
}

function noTokenError(missing: string[]): ScalerError {
  return new ScalerError(
    'role-to-assume is set, but this job cannot request an OIDC token: the workflow does not grant ' +
      `\`permissions: id-token: write\` (${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set).`,
    {
      hint:
        `Add this block to the workflow, or to the job that runs this step:\n${PERMISSIONS_BLOCK}\n` +
        'Listing permissions sets every other one to none, so keep contents: read for actions/checkout. ' +
        'A reusable workflow gets at most what its caller grants: the calling workflow needs id-token: write too. ' +
        'Runs for pull requests from forks never get a token. ' +
        'Or leave role-to-assume empty and provide credentials before this step, e.g. with aws-actions/configure-aws-credentials.'
    }
  )
}

/** What went wrong, for the user: what STS said, and for trust-policy refusals what this run presents. */
function stsError(error: unknown, config: Config, claims: TokenClaims): ScalerError {
  const roleArn = config.roleToAssume!
  const name = errorName(error)
  const text = errorMessage(error)
  const [, partition = 'aws', account = 'ACCOUNT'] = /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn) ?? []
  const providerArn = `arn:${partition}:iam::${account}:oidc-provider/${PROVIDER}`
  const failed = `Could not assume ${roleArn} with the job's OIDC token: ${name ? `${name}: ` : ''}${text}`
  const presented = `${/[.!?]$/.test(failed) ? '' : '.'} ${presentedClaims(claims, config.audience)}`
  const options = { code: name || undefined, cause: error }

  const answer = proxyAnswer(error, process.env.AWS_ENDPOINT_URL_STS || process.env.AWS_ENDPOINT_URL || `https://sts.${stsRegion(config)}.amazonaws.com`)
  if (answer) return new ScalerError(`Could not assume ${roleArn} with the job's OIDC token: ${answer.message}.`, { code: 'ProxyError', cause: error, hint: answer.hint })

  if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'IDPRejectedClaimException') {
    // Immutable subject claims: repo:OWNER@OWNER_ID/REPO@REPO_ID:… (GitHub changelog, 2026-04-23).
    const immutable = /^repo:[^/:@]+@\d+\/[^/:@]+@\d+:/.test(claims.sub ?? '')
    return new ScalerError(`${failed}${presented}`, {
      ...options,
      hint:
        `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ${providerArn}, ` +
        `with "${PROVIDER}:aud" equal to "${config.audience}" and "${PROVIDER}:sub" matching the sub above ` +
        '(StringLike, case-sensitive): copy it into the condition. ' +
        (immutable
          ? 'This repository presents the immutable form of sub, with the ids of its owner and of itself after their names: a condition that names only repo:OWNER/REPO:… does not match it. '
          : '') +
        'Scheduled runs, and workflow_dispatch runs on the default branch, present repo:OWNER/REPO:ref:refs/heads/BRANCH (e.g. refs/heads/main), ' +
        'or repo:OWNER@OWNER_ID/REPO@REPO_ID:ref:refs/heads/BRANCH in repositories with immutable subject claims (those created or renamed since 2026-07-15, and those opted in); ' +
        'a job with an environment presents environment:NAME instead of the ref; ' +
        "a reusable workflow presents its caller's repository and ref. IAM gives the same answer for a role that does not exist, " +
        'so check role-to-assume too. See docs/iam.md.'
    })
  }
  if (name === 'InvalidIdentityTokenException' || name === 'InvalidIdentityToken') {
    let hint: string
    if (/audience/i.test(text)) {
      hint =
        `The audience "${config.audience}" is not among the IAM OIDC provider's audiences (client IDs). ` +
        `Add it to ${providerArn}, or set the audience input to one the provider lists (normally sts.amazonaws.com).`
    } else if (/no openidconnect provider/i.test(text)) {
      hint = `Create the IAM OIDC identity provider https://${PROVIDER} with audience sts.amazonaws.com in account ${account} (see docs/iam.md).`
    } else if (/verification key|signature/i.test(text)) {
      hint =
        `STS could not verify the token with GitHub's signing keys (${STS_ATTEMPTS} attempts); this is usually brief: re-run the job. ` +
        `If it persists, check that the provider's URL is exactly https://${PROVIDER}.`
    } else {
      hint = `Check the IAM OIDC provider ${providerArn}: its URL must be https://${PROVIDER} and its audiences must include "${config.audience}".`
    }
    return new ScalerError(`${failed}${presented}`, { ...options, hint })
  }
  if (name === 'IDPCommunicationErrorException') {
    return new ScalerError(failed, { ...options, hint: `STS could not reach GitHub's OIDC provider (${STS_ATTEMPTS} attempts); re-run the job.` })
  }
  if (name === 'ExpiredTokenException') {
    return new ScalerError(failed, {
      ...options,
      hint: "The job's OIDC token expired before STS checked it (they last minutes; check the runner's clock). Re-run the job."
    })
  }
  if (/DurationSeconds|MaxSessionDuration/i.test(text)) {
    return new ScalerError(failed, {
      ...options,
      hint: `role-duration-seconds is ${config.roleDurationSeconds}: lower it, or raise the role's maximum session duration in IAM.`
    })
  }
  if (name === 'RegionDisabledException') {
    return new ScalerError(failed, {
      ...options,
      hint: 'STS is not activated in this region for the account: activate it (IAM account settings) or set the region input to one where it is.'
    })
  }
  return new ScalerError(failed, {
    ...options,
    hint: "Check role-to-assume, role-duration-seconds (at most the role's maximum session duration) and the region; transient errors: re-run the job."
  })
}

/** The token's claims as the trust policy sees them. Never the token itself. */
function presentedClaims(claims: TokenClaims, audience: string): string {
  if (!claims.sub) return "The token's claims could not be read."
  const aud = Array.isArray(claims.aud) ? claims.aud.join(', ') : (claims.aud ?? audience)
  const details = [
    claims.repository && `repository ${claims.repository}`,
    claims.environment ? `environment ${claims.environment}` : undefined,
    claims.ref && `ref ${claims.ref}`,
    claims.event_name && `event ${claims.event_name}`,
    // A reusable workflow: the sub names the caller, job_workflow_ref the called workflow.
    claims.job_workflow_ref && claims.job_workflow_ref !== claims.workflow_ref ? `job_workflow_ref ${claims.job_workflow_ref}` : undefined
  ].filter(Boolean)
  return `This run presents sub "${claims.sub}" and aud "${aud}"${details.length ? ` (${details.join(', ')})` : ''}.`
}

/** The JWT's payload, without verifying it: only to explain a refusal. */
export function tokenClaims(token: string): TokenClaims {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
    const text = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : undefined)
    const aud = payload.aud
    return {
      sub: text('sub'),
      aud: typeof aud === 'string' || Array.isArray(aud) ? (aud as string | string[]) : undefined,
      repository: text('repository'),
      ref: text('ref'),
      environment: text('environment'),
      event_name: text('event_name'),
      workflow_ref: text('workflow_ref'),
      job_workflow_ref: text('job_workflow_ref')
    }
  } catch {
    return {}
  }
}

/** STS could not fetch GitHub's keys: a known, brief failure worth a few more attempts. */
function providerUnreachable(error: unknown): boolean {
  const name = errorName(error)
  return (
    name === 'IDPCommunicationErrorException' ||
    ((name === 'InvalidIdentityTokenException' || name === 'InvalidIdentityToken') && /verification key/i.test(errorMessage(error)))
  )
}

/** The token endpoint's HTTP status; undefined when it could not be reached. */
function httpStatus(error: unknown): number | undefined {
  return error instanceof TokenRequestError ? error.status : undefined
}

/** No status (a reset or timeout), throttling and server errors are worth another attempt. */
function transientStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500
}

/** "HTTP 500: Internal server error", or what kept the request from an answer. */
function tokenFailure(error: unknown): string {
  const status = httpStatus(error)
  return status ? `HTTP ${status}: ${errorMessage(error)}` : errorMessage(error)
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? ''
}

function errorMessage(error: unknown): string {
  return (error as Error | undefined)?.message ?? String(error)
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
