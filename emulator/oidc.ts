/**
 * The GitHub Actions OIDC token endpoint, as `@actions/core`'s `getIDToken(audience)` calls it:
 * `GET ${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=<aud>` with
 * `Authorization: Bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, answered `{"value": "<jwt>"}`.
 *
 * Tokens are RS256 JWTs with GitHub's claims, signed by a key pair made on first use; STS verifies
 * them with the public key (`verify`). The key set is also served at `/oidc/.well-known/jwks`.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
export const DEFAULT_OIDC_REQUEST_TOKEN = 'emulator-actions-id-token-request-token'
export const OIDC_TOKEN_PATH = '/oidc/token'
export const OIDC_JWKS_PATH = '/oidc/.well-known/jwks'
/** The ids GitHub gives the owner and the repository (`repository_owner_id`, `repository_id`). */
export const REPOSITORY_OWNER_ID = '1000001'
export const REPOSITORY_ID = '2000002'

export interface OidcOptions {
  /** The bearer token the endpoint requires (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  requestToken?: string
  /** `sub` claim. Default `repo:${repository}:ref:${ref}` (or `repo:${repository}:environment:${environment}`). */
  subject?: string
  /**
   * The default `sub` in its immutable form, the owner's and the repository's ids after their names
   * (`repo:acme@1000001/flink-jobs@2000002:ref:refs/heads/main`), as repositories created or renamed
   * on github.com since 2026-07-15, and those opted in, present it.
   */
  immutableSubject?: boolean
  /** Default 'acme/flink-jobs'. */
  repository?: string
  /** Default 'refs/heads/main'. */
  ref?: string
  /** Default 'schedule'. */
  eventName?: string
  /** Deployment environment of the job, if any (also changes the default subject, as GitHub does). */
  environment?: string
  /** Default 'acme'. The repository owner (audience default: https://github.com/OWNER). */
  repositoryOwner?: string
  /** Token lifetime in seconds (default 300). Negative values issue already-expired tokens. */
  tokenTtlSeconds?: number
  /** `iss` claim. Default https://token.actions.githubusercontent.com */
  issuer?: string
  /** Extra or overriding claims. */
  claims?: Record<string, unknown>
}

export interface JwtClaims {
  iss?: string
  sub?: string
  aud?: string | string[]
  exp?: number
  nbf?: number
  iat?: number
  [claim: string]: unknown
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  kid: string
}

/**
 * RSA key generation takes a few hundred ms, so one key pair is made on first use and shared by
 * every emulator in the process.
 */
let sharedKey: SigningKey | undefined
function signingKey(): SigningKey {
  if (!sharedKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 40).toUpperCase()
    sharedKey = { privateKey, publicKey, kid }
  }
  return sharedKey
}

export class OidcProvider {
  readonly requestToken: string

  constructor(private readonly options: OidcOptions = {}) {
    this.requestToken = options.requestToken ?? DEFAULT_OIDC_REQUEST_TOKEN
  }

  get kid(): string {
    return signingKey().kid
  }

  get repository(): string {
    return this.options.repository ?? 'acme/flink-jobs'
  }

  get subject(): string {
    if (this.options.subject) return this.options.subject
    const [owner, name] = this.repository.split('/')
    const repository = this.options.immutableSubject ? `${owner}@${REPOSITORY_OWNER_ID}/${name}@${REPOSITORY_ID}` : this.repository
    return this.options.environment
      ? `repo:${repository}:environment:${this.options.environment}`
      : `repo:${repository}:ref:${this.options.ref ?? 'refs/heads/main'}`
  }

  /** Issues a token as the Actions runtime would for this job. */
  issue(audience?: string, now = Date.now()): string {
    const o = this.options
    const owner = o.repositoryOwner ?? this.repository.split('/')[0] ?? 'acme'
    const ref = o.ref ?? 'refs/heads/main'
    const iat = Math.floor(now / 1000)
    const workflowRef = `${this.repository}/.github/workflows/scale.yml@${ref}`
    const sha = createHash('sha1').update(this.repository + ref).digest('hex')
    const claims: JwtClaims = {
      jti: randomUUID(),
      sub: this.subject,
      aud: audience ?? `https://github.com/${owner}`,
      ref,
      sha,
      repository: this.repository,
      repository_owner: owner,
      repository_owner_id: REPOSITORY_OWNER_ID,
      run_id: '9000000001',
      run_number: '42',
      run_attempt: '1',
      repository_visibility: 'private',
      repository_id: REPOSITORY_ID,
      actor_id: '3000003',
      actor: 'github-actions[bot]',
      workflow: 'Scale Flink applications',
      head_ref: '',
      base_ref: '',
      event_name: o.eventName ?? 'schedule',
      ref_protected: 'true',
      ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      workflow_ref: workflowRef,
      workflow_sha: sha,
      job_workflow_ref: workflowRef,
      job_workflow_sha: sha,
      runner_environment: 'github-hosted',
      ...(o.environment ? { environment: o.environment } : {}),
      iss: o.issuer ?? GITHUB_ISSUER,
      nbf: iat - 5,
      exp: iat + (o.tokenTtlSeconds ?? 300),
      iat,
      ...o.claims
    }
    const key = signingKey()
    const header = { typ: 'JWT', alg: 'RS256', x5t: b64url(randomBytes(20)), kid: key.kid }
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
    const signature = sign('sha256', Buffer.from(signingInput), key.privateKey)
    return `${signingInput}.${b64url(signature)}`
  }

  /** Verifies a token's signature; returns its claims, or why it is not acceptable. */
  verify(token: string): { ok: true; claims: JwtClaims } | { ok: false; reason: string } {
    const parts = token.split('.')
    if (parts.length !== 3) return { ok: false, reason: 'not-jwt' }
    let header: { alg?: string; kid?: string }
    let claims: JwtClaims
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'))
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
    } catch {
      return { ok: false, reason: 'not-jwt' }
    }
    if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'not-jwt' }
    if (header.alg !== 'RS256') return { ok: false, reason: 'algorithm' }
    if (header.kid !== this.kid) return { ok: false, reason: 'key' }
    const valid = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), signingKey().publicKey, Buffer.from(parts[2]!, 'base64url'))
    if (!valid) return { ok: false, reason: 'signature' }
    return { ok: true, claims }
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = signingKey().publicKey.export({ format: 'jwk' })
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] }
  }
}
