import {
  AssumeRoleWithWebIdentityCommand,
  ExpiredTokenException,
  IDPCommunicationErrorException,
  InvalidIdentityTokenException,
  STSClient,
  STSServiceException
} from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Config } from '../src/github/config.js'
import { actionInputs } from './fixtures/action-inputs.js'

const original = await import('@actions/core')
jest.unstable_mockModule('@actions/core', () => ({
  ...original,
  getIDToken: jest.fn<typeof original.getIDToken>(),
  setSecret: jest.fn<typeof original.setSecret>(),
  info: jest.fn<typeof original.info>()
}))
const core = await import('@actions/core')
const { assumeRole, PERMISSIONS_BLOCK, tokenClaims } = await import('../src/aws/assume-role.js')
const { readConfig } = await import('../src/github/config.js')
const { ScalerError } = await import('../src/errors.js')
type ScalerError = InstanceType<typeof ScalerError>

const sts = mockClient(STSClient)
const getIDToken = jest.mocked(core.getIDToken)
const setSecret = jest.mocked(core.setSecret)
const info = jest.mocked(core.info)

const ROLE = 'arn:aws:iam::123456789012:role/flink-scaler'
const ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runtime.example/token?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' }
const NOW = Date.parse('2026-12-02T10:00:00Z')
const CREDENTIALS = {
  AccessKeyId: 'ASIAEXAMPLESESSION01',
  SecretAccessKey: 'session/Secret+Key/0123456789abcdefghijklmnop',
  SessionToken: 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN0123456789',
  Expiration: new Date(NOW + 3_600_000)
}

/** A token shaped as GitHub issues it (unsigned here: the action never verifies it, STS does). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`
}

const CLAIMS = {
  sub: 'repo:acme/flink-jobs:ref:refs/heads/main',
  aud: 'sts.amazonaws.com',
  repository: 'acme/flink-jobs',
  ref: 'refs/heads/main',
  event_name: 'schedule',
  workflow_ref: 'acme/flink-jobs/.github/workflows/scale.yml@refs/heads/main',
  job_workflow_ref: 'acme/flink-jobs/.github/workflows/scale.yml@refs/heads/main',
  iss: 'https://token.actions.githubusercontent.com'
}
const TOKEN = jwt(CLAIMS)

function config(inputs: Record<string, string> = {}): Promise<Config> {
  return readConfig(
    actionInputs({ 'application-name': 'orders', parallelism: '4', region: 'us-west-2', 'role-to-assume': ROLE, ...inputs }),
    {}
  )
}

/** A failed token request as @actions/core reports it: the HTTP status and the answer's message in its text. */
function tokenRequestError(status: number, message: string): Error {
  return new Error(`Error message: Failed to get ID Token. \n \n        Error Code : ${status}\n \n        Error Message: ${message}`)
}

function stsException(name: string, message: string): STSServiceException {
  return new STSServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 403 } })
}

const noSleep = { sleep: async () => {}, now: () => NOW }

/** The error assumeRole failed with. */
async function failure(promise: Promise<unknown>): Promise<ScalerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ScalerError)
  return error as ScalerError
}

/** Everything the action wrote through core.info / core.setSecret, to check what reached the log. */
function logged(): string {
  return info.mock.calls.map((c) => String(c[0])).join('\n')
}

beforeEach(() => {
  sts.reset()
  jest.clearAllMocks()
  getIDToken.mockResolvedValue(TOKEN)
  sts.on(AssumeRoleWithWebIdentityCommand).resolves({ Credentials: CREDENTIALS })
})

describe('assumeRole', () => {
  it('exchanges the token for the role with the inputs, and provides the session credentials', async () => {
    const provider = await assumeRole((await config({ 'role-session-name': 'nightly-scale', 'role-duration-seconds': '3600', audience: 'sts.amazonaws.com' })), ENV, noSleep)

    expect(getIDToken).toHaveBeenCalledTimes(1)
    expect(getIDToken).toHaveBeenCalledWith('sts.amazonaws.com')
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'nightly-scale', DurationSeconds: 3600, WebIdentityToken: TOKEN }
    ])
    await expect(provider()).resolves.toEqual({
      accessKeyId: CREDENTIALS.AccessKeyId,
      secretAccessKey: CREDENTIALS.SecretAccessKey,
      sessionToken: CREDENTIALS.SessionToken,
      expiration: CREDENTIALS.Expiration
    })
  })

  it('uses the defaults of action.yml: session flink-scheduled-scaler, 900 s, audience sts.amazonaws.com', async () => {
    await assumeRole((await config()), ENV, noSleep)
    expect(getIDToken).toHaveBeenCalledWith('sts.amazonaws.com')
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0].args[0].input).toMatchObject({
      RoleSessionName: 'flink-scheduled-scaler',
      DurationSeconds: 900
    })
  })

  it('asks for the token with a custom audience', async () => {
    await assumeRole((await config({ audience: 'https://github.com/acme' })), ENV, noSleep)
    expect(getIDToken).toHaveBeenCalledWith('https://github.com/acme')
  })

  it("calls STS in the run's region", async () => {
    await assumeRole((await config({ region: 'eu-central-1' })), ENV, noSleep)
    const client = sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0].thisValue as STSClient
    await expect(client.config.region()).resolves.toBe('eu-central-1')
  })

  it('masks the secret key, the session token and the key id before logging anything, and never logs them', async () => {
    await assumeRole((await config()), ENV, noSleep)
    expect(setSecret.mock.calls.map((c) => c[0]).sort()).toEqual(
      [CREDENTIALS.AccessKeyId, CREDENTIALS.SecretAccessKey, CREDENTIALS.SessionToken].sort()
    )
    const lastMask = Math.max(...setSecret.mock.invocationCallOrder)
    expect(info.mock.invocationCallOrder.every((order) => order > lastMask)).toBe(true)
    const log = logged()
    expect(log).toContain(`Assumed ${ROLE}`)
    expect(log).toContain(CLAIMS.sub)
    for (const secret of [CREDENTIALS.SecretAccessKey, CREDENTIALS.SessionToken, TOKEN]) expect(log).not.toContain(secret)
  })

  it('fails when STS answers without credentials', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({})
    const error = await failure(assumeRole((await config()), ENV, noSleep))
    expect(error.message).toBe(`STS returned no credentials for ${ROLE}.`)
    expect(setSecret).not.toHaveBeenCalled()
  })

  describe('the token', () => {
    it('is retried with growing waits when the endpoint fails transiently', async () => {
      getIDToken
        .mockRejectedValueOnce(tokenRequestError(500, 'Internal server error'))
        .mockRejectedValueOnce(tokenRequestError(429, 'Too many requests'))
        .mockRejectedValueOnce(new Error('Error message: read ECONNRESET'))
        .mockResolvedValue(TOKEN)
      const waits: number[] = []
      await assumeRole((await config()), ENV, { sleep: async (ms) => void waits.push(ms), now: () => NOW })

      expect(getIDToken).toHaveBeenCalledTimes(4)
      expect(waits).toHaveLength(3)
      waits.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual(500 * 2 ** i))
      waits.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(1_000 * 2 ** i))
      expect(logged()).toContain("Could not get the job's OIDC token (HTTP 500: Internal server error, attempt 1 of 4); retrying in")
      expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1)
    })

    it('gives up after four attempts and says to re-run', async () => {
      getIDToken.mockRejectedValue(tokenRequestError(503, 'Service unavailable'))
      const error = await failure(assumeRole((await config()), ENV, noSleep))
      expect(getIDToken).toHaveBeenCalledTimes(4)
      expect(error.message).toBe(`Could not get the job's OIDC token for audience "sts.amazonaws.com": HTTP 503: Service unavailable.`)
      expect(error.hint).toContain('re-run the job')
      expect(sts.calls()).toHaveLength(0)
    })

    it('is not retried when the runtime refuses the request, and the hint shows the permissions block', async () => {
      getIDToken.mockRejectedValue(tokenRequestError(403, 'Forbidden'))
      const error = await failure(assumeRole((await config()), ENV, noSleep))
      expect(getIDToken).toHaveBeenCalledTimes(1)
      expect(error.message).toContain('HTTP 403: Forbidden')
      expect(error.hint).toContain('The Actions runtime refused the request.')
      expect(error.hint).toContain(PERMISSIONS_BLOCK)
    })
  })

  describe('without the token variables (no `permissions: id-token: write`)', () => {
    it.each([
      [{}, 'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set'],
      [{ ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x' }, 'ACTIONS_ID_TOKEN_REQUEST_URL is not set'],
      [{ ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x' }, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set']
    ])('says so and shows the permissions block (%j)', async (env, variables) => {
      const error = await failure(assumeRole((await config()), env, noSleep))
      expect(error.message).toBe(
        'role-to-assume is set, but this job cannot request an OIDC token: the workflow does not grant ' +
          `\`permissions: id-token: write\` (${variables}).`
      )
      expect(error.hint).toContain(`Add this block to the workflow, or to the job that runs this step:\npermissions:\n  id-token: write\n  contents: read\n`)
      expect(error.hint).toContain('the calling workflow needs id-token: write too')
      expect(error.hint).toContain('aws-actions/configure-aws-credentials')
      expect(getIDToken).not.toHaveBeenCalled()
      expect(sts.calls()).toHaveLength(0)
    })
  })

  describe('when STS refuses', () => {
    it('AccessDenied: shows the sub, aud, repository, ref and event this run presents, and the trust policy to write', async () => {
      sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsException('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'))
      const error = await failure(assumeRole((await config()), ENV, noSleep))

      expect(error.code).toBe('AccessDenied')
      expect(error.message).toBe(
        `Could not assume ${ROLE} with the job's OIDC token: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity. ` +
          'This run presents sub "repo:acme/flink-jobs:ref:refs/heads/main" and aud "sts.amazonaws.com" ' +
          '(repository acme/flink-jobs, ref refs/heads/main, event schedule).'
      )
      expect(error.hint).toContain('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com')
      expect(error.hint).toContain('"token.actions.githubusercontent.com:aud" equal to "sts.amazonaws.com"')
      expect(error.hint).toContain('"token.actions.githubusercontent.com:sub" matching the sub above')
      expect(error.hint).toContain('environment:NAME')
      expect(`${error.message} ${error.hint}`).not.toContain(TOKEN)
      expect(`${error.message} ${error.hint}`).not.toContain(TOKEN.split('.')[1])
    })

    it('AccessDenied in an environment job: the sub names the environment', async () => {
      getIDToken.mockResolvedValue(
        jwt({ ...CLAIMS, sub: 'repo:acme/flink-jobs:environment:production', environment: 'production', event_name: 'workflow_dispatch' })
      )
      sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsException('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'))
      const error = await failure(assumeRole((await config()), ENV, noSleep))
      expect(error.message).toContain(
        'This run presents sub "repo:acme/flink-jobs:environment:production" and aud "sts.amazonaws.com" ' +
          '(repository acme/flink-jobs, environment production, ref refs/heads/main, event workflow_dispatch).'
      )
    })

    it('AccessDenied from a reusable workflow: names the called workflow (job_workflow_ref)', async () => {
      const called = 'acme/platform-workflows/.github/workflows/flink-scaling.yml@refs/heads/main'
      getIDToken.mockResolvedValue(jwt({ ...CLAIMS, job_workflow_ref: called }))
      sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsException('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'))
      const error = await failure(assumeRole((await config()), ENV, noSleep))
      expect(error.message).toContain(`event schedule, job_workflow_ref ${called}).`)
      expect(error.hint).toContain("a reusable workflow presents its caller's repository and ref")
    })

    it('is not retried on AccessDenied', async () => {
      sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsException('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'))
      await failure(assumeRole((await config()), ENV, noSleep))
      expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1)
    })

    it('InvalidIdentityToken, wrong audience: says to add the audience to the provider', async () => {
      sts
        .on(AssumeRoleWithWebIdentityCommand)
        .rejects(new InvalidIdentityTokenException({ message: 'Incorrect token audience', $metadata: {} }))
      const error = await failure(assumeRole((await config({ audience: 'my-audience' })), ENV, noSleep))
      expect(error.code).toBe('InvalidIdentityTokenException')
      expect(error.message).toContain('InvalidIdentityTokenException: Incorrect token audience. This run presents')
      expect(error.message).toContain('This run presents sub "repo:acme/flink-jobs:ref:refs/heads/main"')
      expect(error.hint).toContain('The audience "my-audience" is not among the IAM OIDC provider\'s audiences')
      expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1)
    })

    it('InvalidIdentityToken, no provider in the account: says to create it', async () => {
      sts.on(AssumeRoleWithWebIdentityCommand).rejects(
        new InvalidIdentityTokenException({
          message: 'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
          $metadata: {}
        })
      )
      const error = await failure(assumeRole((await config()), ENV, noSleep))
      expect(error.hint).toBe(
        'Create the IAM OIDC identity provider https://token.actions.githubusercontent.com with audience sts.amazonaws.com in account 123456789012 (see docs/iam.md).'
      )
    })

    it("InvalidIdentityToken, GitHub's keys unreachable: retried, as this is usually brief", async () => {
      const keys = new InvalidIdentityTokenException({
        message: "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
        $metadata: {}
      })
      sts.on(AssumeRoleWithWebIdentityCommand).rejectsOnce(keys).resolves({ Credentials: CREDENTIALS })
      const provider = await assumeRole((await config()), ENV, noSleep)
      await expect(provider()).resolves.toMatchObject({ accessKeyId: CREDENTIALS.AccessKeyId })
      expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(2)

      sts.reset()
      sts.on(AssumeRoleWithWebIdentityCommand).rejects(keys)
      const error = await failure(assumeRole((await config()), ENV, noSleep))
      expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(4)
      expect(error.hint).toContain('re-run the job')
    })

    it('IDPCommunicationError: retried, then says to re-run', async () => {
      sts
        .on(AssumeRoleWithWebIdentityCommand)
        .rejects(new IDPCommunicationErrorException({ message: 'Could not reach the identity provider', $metadata: {} }))
      const error = await failure(assumeRole((await config()), ENV, noSleep))
      expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(4)
      expect(error.code).toBe('IDPCommunicationErrorException')
      expect(error.hint).toContain("STS could not reach GitHub's OIDC provider")
    })

    it.each([
      [
        'the duration exceeds the role maximum',
        stsException('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'),
        "role-duration-seconds is 7200: lower it, or raise the role's maximum session duration in IAM."
      ],
      [
        'an expired token',
        new ExpiredTokenException({ message: 'Token expired', $metadata: {} }),
        "The job's OIDC token expired before STS checked it"
      ],
      [
        'anything else',
        stsException('InternalFailure', 'An internal error occurred.'),
        "Check role-to-assume, role-duration-seconds (at most the role's maximum session duration) and the region"
      ]
    ])('%s: says what STS said and what to do', async (_case, exception, hint) => {
      sts.on(AssumeRoleWithWebIdentityCommand).rejects(exception)
      const error = await failure(assumeRole((await config({ 'role-duration-seconds': '7200' })), ENV, noSleep))
      expect(error.message).toBe(`Could not assume ${ROLE} with the job's OIDC token: ${exception.name}: ${exception.message}`)
      expect(error.hint).toContain(hint)
      expect(error.message).not.toContain(TOKEN)
    })
  })

  describe('a long run', () => {
    it('renews the session once it is within five minutes of its end, with a fresh token, once for concurrent callers', async () => {
      let now = NOW
      const provider = await assumeRole((await config()), ENV, { sleep: async () => {}, now: () => now })
      const renewed = { ...CREDENTIALS, AccessKeyId: 'ASIARENEWEDSESSION02', Expiration: new Date(NOW + 2 * 3_600_000) }
      sts.on(AssumeRoleWithWebIdentityCommand).resolves({ Credentials: renewed })

      now = CREDENTIALS.Expiration.getTime() - 6 * 60_000
      await expect(provider()).resolves.toMatchObject({ accessKeyId: CREDENTIALS.AccessKeyId })
      expect(getIDToken).toHaveBeenCalledTimes(1)

      now = CREDENTIALS.Expiration.getTime() - 4 * 60_000
      const [a, b] = await Promise.all([provider(), provider()])
      expect(a).toMatchObject({ accessKeyId: renewed.AccessKeyId })
      expect(b).toBe(a)
      expect(getIDToken).toHaveBeenCalledTimes(2)
      expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(2)
      expect(setSecret).toHaveBeenCalledWith(renewed.AccessKeyId)
      await expect(provider()).resolves.toBe(a)
    })
  })
})

describe('tokenClaims', () => {
  it("reads the claims of a JWT's payload", () => {
    expect(tokenClaims(TOKEN)).toMatchObject({ sub: CLAIMS.sub, aud: 'sts.amazonaws.com', repository: 'acme/flink-jobs', event_name: 'schedule' })
  })

  it('returns nothing for something that is not a JWT', () => {
    expect(tokenClaims('not-a-token')).toEqual({})
    expect(tokenClaims('a.b.c')).toEqual({})
  })
})
