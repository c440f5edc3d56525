/**
 * AWS STS (query protocol, XML responses): AssumeRoleWithWebIdentity for GitHub OIDC tokens issued
 * by the emulator's token endpoint, AssumeRole of the roles the emulator knows (each with its trust
 * policy, so a role in another account can be assumed from a hub role's session), and
 * GetCallerIdentity. Issued session credentials are accepted by the Kinesis Analytics endpoint
 * (with X-Amz-Security-Token) until they expire, in the account of the role they belong to.
 */
import { createHash, randomBytes } from 'node:crypto'
import { StsError } from './errors.js'
import { GITHUB_ISSUER, type OidcProvider } from './oidc.js'
import { ACCOUNT_ID } from './kinesis-analytics.js'
import type { KnownCredentials } from './sigv4.js'

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
export const STS_VERSION = '2011-06-15'

export interface TrustOptions {
  /** The audience the account's OIDC provider accepts (`aud`). Default 'sts.amazonaws.com'. */
  audience?: string
  /**
   * The role trust policy's `token.actions.githubusercontent.com:sub` StringLike condition (`*` and
   * `?` wildcards), e.g. 'repo:acme/*:ref:refs/heads/main'; a list matches when any of its patterns
   * does, as IAM reads a list of values. Default: `repo:<oidc repository>:*`.
   */
  subjectPattern?: string | string[]
  /** If set, only this role can be assumed (others: AccessDenied, as for a role that does not trust the provider). */
  roleArn?: string
  /** The role's MaxSessionDuration in seconds. Default 3600 (IAM's default). */
  maxSessionDurationSeconds?: number
}

/**
 * A role sts:AssumeRole can assume: its trust policy's AWS principals. A role ARN trusts that
 * role's sessions; `arn:aws:iam::ACCOUNT:root` (or the bare account id) every principal of the
 * account, as IAM reads them (the caller's own policy is taken to allow sts:AssumeRole).
 */
export interface RoleOptions {
  arn: string
  /** The principals its trust policy allows to assume it. */
  trust: readonly string[]
  /** MaxSessionDuration in seconds. Default 3600 (IAM's default). */
  maxSessionDurationSeconds?: number
}

/** AWS caps a session assumed with a role session's credentials ("role chaining") at one hour. */
const CHAINED_MAX_SECONDS = 3600

/** Credentials the emulator accepts: the static test keys and STS-issued session credentials. */
export class CredentialStore {
  private readonly byKey = new Map<string, KnownCredentials>()

  add(credentials: KnownCredentials): void {
    this.byKey.set(credentials.accessKeyId, credentials)
  }

  get(accessKeyId: string): KnownCredentials | undefined {
    return this.byKey.get(accessKeyId)
  }
}

export interface StsRequestContext {
  requestId: string
  /** Verifies the request's SigV4 signature (service 'sts'); throws StsError when it does not verify. */
  authenticate: () => KnownCredentials
  now?: number
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const keyChars = (n: number, seed?: string) => {
  const bytes = seed ? createHash('sha256').update(seed).digest() : randomBytes(n)
  return [...bytes.subarray(0, n)].map((b) => BASE32[b % 32]).join('')
}

function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, 's')
}

/** The principal ARN IAM names in AccessDenied messages for a role session. */
export const assumedRoleArn = (account: string, roleName: string, session: string) =>
  `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`

export class StsService {
  private readonly roles = new Map<string, RoleOptions>()

  constructor(
    private readonly oidc: OidcProvider,
    private readonly trust: TrustOptions,
    private readonly credentials: CredentialStore,
    roles: readonly RoleOptions[] = []
  ) {
    for (const role of roles) this.roles.set(role.arn, role)
  }

  /** Handles one STS call; returns the XML response body or throws StsError. */
  handle(params: URLSearchParams, ctx: StsRequestContext): string {
    const action = params.get('Action')
    if (!action) throw new StsError('MissingAction', 'The request must contain the parameter Action.')
    const version = params.get('Version')
    if (version !== STS_VERSION) {
      throw new StsError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`)
    }
    const requestId = ctx.requestId
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return this.assumeRoleWithWebIdentity(params, requestId, ctx.now ?? Date.now())
      case 'GetCallerIdentity':
        return this.getCallerIdentity(ctx.authenticate(), requestId)
      case 'AssumeRole':
        return this.assumeRole(params, ctx.authenticate(), requestId, ctx.now ?? Date.now())
      default:
        throw new StsError('InvalidAction', `Could not find operation ${action} for version ${STS_VERSION}`)
    }
  }

  private assumeRoleWithWebIdentity(params: URLSearchParams, requestId: string, now: number): string {
    const roleArn = params.get('RoleArn')
    const sessionName = params.get('RoleSessionName')
    const token = params.get('WebIdentityToken')
    const durationRaw = params.get('DurationSeconds')

    const problems: string[] = []
    const check = (value: string | null, member: string, rules: { min: number; max: number; pattern?: RegExp; patternText?: string }) => {
      if (value === null) return problems.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`)
      const at = `Value '${member === 'webIdentityToken' ? '***' : value}' at '${member}' failed to satisfy constraint: `
      if (value.length < rules.min) problems.push(at + `Member must have length greater than or equal to ${rules.min}`)
      if (value.length > rules.max) problems.push(at + `Member must have length less than or equal to ${rules.max}`)
      if (rules.pattern && !rules.pattern.test(value))
        problems.push(at + `Member must satisfy regular expression pattern: ${rules.patternText}`)
      return 0
    }
    check(roleArn, 'roleArn', { min: 20, max: 2048 })
    check(sessionName, 'roleSessionName', { min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: '[\\w+=,.@-]*' })
    check(token, 'webIdentityToken', { min: 4, max: 20000 })
    let duration = 3600
    if (durationRaw !== null) {
      duration = Number(durationRaw)
      if (!/^-?\d+$/.test(durationRaw)) {
        problems.push(`Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer`)
      } else if (duration < 900) {
        problems.push(`Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`)
      } else if (duration > 43200) {
        problems.push(`Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`)
      }
    }
    if (problems.length) {
      throw new StsError(
        'ValidationError',
        `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`
      )
    }

    const arn = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/.exec(roleArn!)
    if (!arn) throw new StsError('ValidationError', 'Request ARN is invalid')
    const [, account, roleName] = arn as unknown as [string, string, string]

    const verified = this.oidc.verify(token!)
    if (!verified.ok) {
      switch (verified.reason) {
        case 'not-jwt':
          throw new StsError('InvalidIdentityToken', 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)')
        case 'algorithm':
        case 'key':
          throw new StsError(
            'InvalidIdentityToken',
            "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
          )
        default:
          throw new StsError('InvalidIdentityToken', 'The signature of the web identity token could not be verified.')
      }
    }
    const claims = verified.claims
    const issuer = GITHUB_ISSUER
    if (claims.iss !== issuer) {
      throw new StsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${String(claims.iss)}`)
    }
    const nowSeconds = Math.floor(now / 1000)
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) {
      throw new StsError(
        'ExpiredTokenException',
        `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${String(claims.exp)}`
      )
    }
    const audience = this.trust.audience ?? 'sts.amazonaws.com'
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!audiences.includes(audience)) throw new StsError('InvalidIdentityToken', 'Incorrect token audience')

    const subjectPatterns = [this.trust.subjectPattern ?? `repo:${this.oidc.repository}:*`].flat()
    const subject = typeof claims.sub === 'string' ? claims.sub : ''
    if ((this.trust.roleArn !== undefined && this.trust.roleArn !== roleArn) || !subjectPatterns.some((pattern) => globToRegExp(pattern).test(subject))) {
      throw new StsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403)
    }
    const maxDuration = this.trust.maxSessionDurationSeconds ?? 3600
    if (duration > maxDuration) {
      throw new StsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    }

    const { accessKeyId, secretAccessKey, sessionToken, expiration, principalArn, roleId } = this.issue(account, roleName, roleArn!, sessionName!, duration, now)

    return (
      `<AssumeRoleWithWebIdentityResponse xmlns="${STS_NAMESPACE}">\n` +
      `  <AssumeRoleWithWebIdentityResult>\n` +
      `    <Audience>${xmlEscape(audience)}</Audience>\n` +
      `    <AssumedRoleUser>\n` +
      `      <AssumedRoleId>${xmlEscape(`${roleId}:${sessionName}`)}</AssumedRoleId>\n` +
      `      <Arn>${xmlEscape(principalArn)}</Arn>\n` +
      `    </AssumedRoleUser>\n` +
      `    <Provider>${xmlEscape(`arn:aws:iam::${account}:oidc-provider/${issuer.replace(/^https:\/\//, '')}`)}</Provider>\n` +
      `    <Credentials>\n` +
      `      <AccessKeyId>${accessKeyId}</AccessKeyId>\n` +
      `      <SecretAccessKey>${xmlEscape(secretAccessKey)}</SecretAccessKey>\n` +
      `      <SessionToken>${xmlEscape(sessionToken)}</SessionToken>\n` +
      `      <Expiration>${new Date(expiration).toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>\n` +
      `    </Credentials>\n` +
      `    <SubjectFromWebIdentityToken>${xmlEscape(subject)}</SubjectFromWebIdentityToken>\n` +
      `  </AssumeRoleWithWebIdentityResult>\n` +
      `  <ResponseMetadata>\n` +
      `    <RequestId>${requestId}</RequestId>\n` +
      `  </ResponseMetadata>\n` +
      `</AssumeRoleWithWebIdentityResponse>\n`
    )
  }

  private assumeRole(params: URLSearchParams, caller: KnownCredentials, requestId: string, now: number): string {
    const roleArn = params.get('RoleArn')
    const sessionName = params.get('RoleSessionName')
    const durationRaw = params.get('DurationSeconds')
    const problems: string[] = []
    const check = (value: string | null, member: string, min: number, max: number, pattern?: RegExp, patternText?: string) => {
      if (value === null) return problems.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`)
      const at = `Value '${value}' at '${member}' failed to satisfy constraint: `
      if (value.length < min) problems.push(at + `Member must have length greater than or equal to ${min}`)
      if (value.length > max) problems.push(at + `Member must have length less than or equal to ${max}`)
      if (pattern && !pattern.test(value)) problems.push(at + `Member must satisfy regular expression pattern: ${patternText}`)
      return 0
    }
    check(roleArn, 'roleArn', 20, 2048)
    check(sessionName, 'roleSessionName', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*')
    let duration = 3600
    if (durationRaw !== null) {
      duration = Number(durationRaw)
      if (!/^-?\d+$/.test(durationRaw)) problems.push(`Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer`)
      else if (duration < 900) problems.push(`Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`)
      else if (duration > 43200) problems.push(`Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`)
    }
    if (problems.length) {
      throw new StsError('ValidationError', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`)
    }
    const arn = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/.exec(roleArn!)
    if (!arn) throw new StsError('ValidationError', 'Request ARN is invalid')
    const [, account, roleName] = arn as unknown as [string, string, string]
    // IAM answers alike for a role that does not exist and one whose trust policy leaves the caller out.
    const role = this.roles.get(roleArn!)
    if (!role || !trusts(role, caller.principalArn)) {
      throw new StsError('AccessDenied', `User: ${caller.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403)
    }
    if (caller.sessionToken && /:assumed-role\//.test(caller.principalArn) && duration > CHAINED_MAX_SECONDS) {
      throw new StsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.')
    }
    if (duration > (role.maxSessionDurationSeconds ?? 3600)) {
      throw new StsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    }
    const { accessKeyId, secretAccessKey, sessionToken, expiration, principalArn, roleId } = this.issue(account, roleName, roleArn!, sessionName!, duration, now)
    return (
      `<AssumeRoleResponse xmlns="${STS_NAMESPACE}">\n` +
      `  <AssumeRoleResult>\n` +
      `    <AssumedRoleUser>\n` +
      `      <AssumedRoleId>${xmlEscape(`${roleId}:${sessionName}`)}</AssumedRoleId>\n` +
      `      <Arn>${xmlEscape(principalArn)}</Arn>\n` +
      `    </AssumedRoleUser>\n` +
      `    <Credentials>\n` +
      `      <AccessKeyId>${accessKeyId}</AccessKeyId>\n` +
      `      <SecretAccessKey>${xmlEscape(secretAccessKey)}</SecretAccessKey>\n` +
      `      <SessionToken>${xmlEscape(sessionToken)}</SessionToken>\n` +
      `      <Expiration>${new Date(expiration).toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>\n` +
      `    </Credentials>\n` +
      `  </AssumeRoleResult>\n` +
      `  <ResponseMetadata>\n` +
      `    <RequestId>${requestId}</RequestId>\n` +
      `  </ResponseMetadata>\n` +
      `</AssumeRoleResponse>\n`
    )
  }

  /** New session credentials of a role, accepted until they expire. */
  private issue(account: string, roleName: string, roleArn: string, sessionName: string, duration: number, now: number) {
    const accessKeyId = `ASIA${keyChars(16)}`
    const secretAccessKey = randomBytes(30).toString('base64')
    const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(420).toString('base64')}`
    const expiration = Math.floor(now / 1000) * 1000 + duration * 1000
    const principalArn = assumedRoleArn(account, roleName, sessionName)
    const roleId = `AROA${keyChars(17, roleArn)}`
    this.credentials.add({ accessKeyId, secretAccessKey, sessionToken, expiration, principalArn, userId: `${roleId}:${sessionName}` })
    return { accessKeyId, secretAccessKey, sessionToken, expiration, principalArn, roleId }
  }

  private getCallerIdentity(credentials: KnownCredentials, requestId: string): string {
    const account = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(credentials.principalArn)?.[1] ?? ACCOUNT_ID
    const userId = credentials.userId ?? `AIDA${keyChars(17, credentials.accessKeyId)}`
    return (
      `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">\n` +
      `  <GetCallerIdentityResult>\n` +
      `    <Arn>${xmlEscape(credentials.principalArn)}</Arn>\n` +
      `    <UserId>${xmlEscape(userId)}</UserId>\n` +
      `    <Account>${account}</Account>\n` +
      `  </GetCallerIdentityResult>\n` +
      `  <ResponseMetadata>\n` +
      `    <RequestId>${requestId}</RequestId>\n` +
      `  </ResponseMetadata>\n` +
      `</GetCallerIdentityResponse>\n`
    )
  }
}

/**
 * Whether a role's trust policy lets a principal assume it: the role itself names the sessions of
 * a role (arn:aws:sts::A:assumed-role/NAME/… is arn:aws:iam::A:role/NAME), an account root or id every
 * principal of that account.
 */
function trusts(role: RoleOptions, principalArn: string): boolean {
  const account = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(principalArn)?.[1]
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principalArn)
  const asRole = session ? `arn:aws:iam::${session[1]}:role/${session[2]}` : undefined
  return role.trust.some(
    (principal) => principal === principalArn || principal === asRole || principal === account || principal === `arn:aws:iam::${account}:root`
  )
}

/** `<ErrorResponse>` as STS writes it. */
export function stsErrorXml(error: StsError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
    `  <Error>\n` +
    `    <Type>${error.fault}</Type>\n` +
    `    <Code>${xmlEscape(error.code)}</Code>\n` +
    `    <Message>${xmlEscape(error.message)}</Message>\n` +
    `  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`
  )
}
