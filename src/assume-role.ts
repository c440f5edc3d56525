import * as core from '@actions/core'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import type { Config } from './config.js'
import { ScalerError } from './errors.js'
import { retry } from './retry.js'

const PERMISSIONS_BLOCK = 'permissions:\n  id-token: write\n  contents: read'

/**
 * Exchanges the job's OIDC token for session credentials of `role-to-assume`. Loaded only when that
 * input is set, so runs that use the default credential chain never load the STS client.
 */
export async function assumeRole(config: Config, env: NodeJS.ProcessEnv): Promise<AwsCredentialIdentityProvider> {
  const roleArn = config.roleToAssume!
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new ScalerError(
      `role-to-assume is set, but this job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set).`,
      {
        hint:
          `Give the job (and, in a reusable workflow, its caller too) this block:\n${PERMISSIONS_BLOCK}\n` +
          'or leave role-to-assume empty and provide credentials with aws-actions/configure-aws-credentials.'
      }
    )
  }

  const token = await retry(() => core.getIDToken(config.audience), {
    attempts: 5,
    baseDelayMs: 1_000,
    retryable: () => true
  }).catch((error: unknown) => {
    throw new ScalerError(`Could not get the job's OIDC token: ${(error as Error)?.message ?? String(error)}`, {
      hint: `Check that the workflow grants\n${PERMISSIONS_BLOCK}\nand that the audience "${config.audience}" is right.`,
      cause: error
    })
  })

  const region = config.region ?? config.applications[0]?.region
  // AssumeRoleWithWebIdentity is unsigned: the token is the credential.
  const sts = new STSClient({ region, maxAttempts: 6 })
  let credentials
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: config.roleSessionName,
        WebIdentityToken: token,
        DurationSeconds: config.roleDurationSeconds
      })
    )
    credentials = out.Credentials
  } catch (error) {
    throw stsError(error, roleArn, config.audience, token)
  }
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new ScalerError(`STS returned no credentials for ${roleArn}.`, { hint: 'Try again; if it persists, check the role in IAM.' })
  }
  core.setSecret(credentials.SecretAccessKey)
  if (credentials.SessionToken) core.setSecret(credentials.SessionToken)
  core.setSecret(credentials.AccessKeyId)

  const identity: AwsCredentialIdentity = {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration
  }
  return async () => identity
}

/** What the trust policy has to match: the token's audience and subject, never the token itself. */
function stsError(error: unknown, roleArn: string, audience: string, token: string): ScalerError {
  const name = (error as { name?: string })?.name ?? ''
  const text = (error as Error)?.message ?? String(error)
  const claims = tokenClaims(token)
  const presented =
    `This run presents sub "${claims.sub ?? '?'}" and aud "${claims.aud ?? audience}"` +
    (claims.repository ? ` (repository ${claims.repository}, ref ${claims.ref ?? '?'}` : ' (') +
    (claims.environment ? `, environment ${claims.environment}` : '') +
    `, event ${claims.event_name ?? '?'}).`
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'InvalidIdentityToken') {
    return new ScalerError(`Could not assume ${roleArn}: ${name}: ${text}`, {
      code: name,
      cause: error,
      hint:
        `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
        `token.actions.githubusercontent.com, with "token.actions.githubusercontent.com:aud" equal to "${audience}" and ` +
        `"token.actions.githubusercontent.com:sub" matching this run. ${presented} ` +
        'Scheduled runs use the default branch (ref:refs/heads/main); runs in an environment present environment:NAME instead of the ref.'
    })
  }
  return new ScalerError(`Could not assume ${roleArn}: ${name ? `${name}: ` : ''}${text}`, {
    code: name,
    cause: error,
    hint: 'Check role-to-assume, role-duration-seconds (at most the role\'s maximum session duration) and the region.'
  })
}

function tokenClaims(token: string): Record<string, string | undefined> {
  try {
    const payload = token.split('.')[1] ?? ''
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, string | undefined>
  } catch {
    return {}
  }
}
