/**
 * role-to-assume end to end: dist/index.js run as the runner runs it, getting the job's OIDC token
 * from the emulated Actions endpoint, exchanging it at the emulated STS, and calling Kinesis
 * Analytics with the session. Each test asserts what the user sees (exit code, annotations, the
 * log) and what AWS saw (the emulator's request log).
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { afterAll, describe, expect, it } from '@jest/globals'
import { expectWith } from '../fixtures/expect-with.js'
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_ACCOUNT_ID,
  EMULATOR_ROLE_ARN,
  type Emulator,
  type EmulatorOptions,
  type RequestLogEntry
} from '../../emulator/index.js'
import type { ActionRun } from '../../runner/run-action.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, acceptedUpdates, calls, emulatorWith, errors, results, run } from './support.js'

/** At WEDNESDAY_NIGHT the sample schedule asks for 10 KPU: parallelism 10 at one per KPU. */
const scheduled = { 'application-name': 'orders', schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT }
const withRole = { ...scheduled, 'role-to-assume': EMULATOR_ROLE_ARN }
/** Emulators of the concurrent tests below, stopped (hung requests and all) when the file is done. */
const started: Emulator[] = []
afterAll(() => Promise.all(started.map((emulator) => emulator.stop())))

/** What the emulated token of a scheduled run on main presents. */
const MAIN_SUB = 'repo:acme/flink-jobs:ref:refs/heads/main'

async function emulatorFor(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }], ...options })
  started.push(emulator)
  return emulator
}

/** The values the action masked, in order (`::add-mask::VALUE` lines). */
function masked(result: ActionRun): string[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
}

/** The run-level failure: exit 1, exactly one ::error annotation, no application handled. */
function runFailure(result: ActionRun, title = 'Flink scaling failed') {
  expect(result.exitCode).toBe(1)
  expectWith(errors(result), result.stdout).toHaveLength(1)
  const [annotation] = errors(result)
  expect(annotation.title).toBe(title)
  expect(results(result)).toEqual([])
  expect(result.outputs.changed).toBe('false')
  return annotation
}

function only(requests: RequestLogEntry[], service: RequestLogEntry['service'], operation: string): RequestLogEntry[] {
  return requests.filter((r) => r.service === service && r.operation === operation)
}

/**
 * The secret key of the session the action used, recovered from its ::add-mask:: lines: the masked
 * value that, with the key id and session token the action sent, signs a request STS accepts.
 * Returns it with the identity STS names for that session.
 */
async function sessionSecret(emulator: Emulator, result: ActionRun, accessKeyId: string, sessionToken: string) {
  for (const candidate of masked(result)) {
    if (candidate === accessKeyId || candidate === sessionToken) continue
    const sts = new STSClient({
      region: 'us-west-2',
      endpoint: emulator.url,
      maxAttempts: 1,
      credentials: { accessKeyId, secretAccessKey: candidate, sessionToken }
    })
    const identity = await sts.send(new GetCallerIdentityCommand({})).catch(() => undefined)
    if (identity) return { secretAccessKey: candidate, arn: identity.Arn }
  }
  return undefined
}

describe('role-to-assume with the GitHub OIDC token', () => {
  it.concurrent('gets the token, assumes the role, and signs every Kinesis Analytics call with the session', async () => {
    const emulator = await emulatorFor()
    // The static keys are in the environment too: the session must win over the default chain.
    const result = await run(emulator, withRole)

    expectWith(errors(result), result.stdout).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(results(result)[0]).toMatchObject({ application: 'orders', action: 'updated', targetParallelism: 10 })
    expect(acceptedUpdates(emulator)).toHaveLength(1)

    const requests = emulator.requests
    const [tokenRequest] = only(requests, 'oidc', 'GetIdToken')
    expect(tokenRequest).toMatchObject({ status: 200, body: { audience: 'sts.amazonaws.com' } })
    const stsRequests = only(requests, 'sts', 'AssumeRoleWithWebIdentity')
    expect(stsRequests).toHaveLength(1)
    const [assume] = stsRequests
    expect(assume.status).toBe(200)
    expect(assume.body).toMatchObject({
      RoleArn: EMULATOR_ROLE_ARN,
      RoleSessionName: 'flink-scheduled-scaler',
      DurationSeconds: '900',
      WebIdentityToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    })
    // AssumeRoleWithWebIdentity is unsigned: the token is the only credential.
    expect(assume.accessKeyId).toBeUndefined()
    expect(requests.indexOf(tokenRequest)).toBeLessThan(requests.indexOf(assume))

    const kda = calls(emulator)
    expect(kda.map((r) => r.operation)).toEqual(expect.arrayContaining(['DescribeApplication', 'UpdateApplication']))
    expect(kda.every((r) => requests.indexOf(r) > requests.indexOf(assume))).toBe(true)
    const keys = new Set(kda.map((r) => r.accessKeyId))
    expect(keys.size).toBe(1)
    const [accessKeyId] = keys
    expect(accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(accessKeyId).not.toBe(EMULATOR_ACCESS_KEY_ID)
    const sessionTokens = new Set(kda.map((r) => r.sessionToken))
    expect(sessionTokens.size).toBe(1)
    const [sessionToken] = sessionTokens
    expect(sessionToken).toMatch(/^IQoJb3JpZ2luX2Vj/)

    // That key is the session STS issued for this role and session name.
    const session = await sessionSecret(emulator, result, accessKeyId!, sessionToken!)
    expect(session?.arn).toBe(`arn:aws:sts::${EMULATOR_ACCOUNT_ID}:assumed-role/flink-scaler/flink-scheduled-scaler`)
    expect(result.stdout).toContain(`Assumed ${EMULATOR_ROLE_ARN} (session flink-scheduled-scaler, until `)
  })

  it.concurrent('masks the secret key, session token and token, and never prints them anywhere else', async () => {
    const emulator = await emulatorFor()
    const result = await run(emulator, { ...withRole, 'role-session-name': 'nightly', 'role-duration-seconds': '3600' })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(only(emulator.requests, 'sts', 'AssumeRoleWithWebIdentity')[0].body).toMatchObject({
      RoleSessionName: 'nightly',
      DurationSeconds: '3600'
    })

    const [kda] = calls(emulator)
    const webIdentityToken = (only(emulator.requests, 'sts', 'AssumeRoleWithWebIdentity')[0].body as { WebIdentityToken: string }).WebIdentityToken
    const session = await sessionSecret(emulator, result, kda.accessKeyId!, kda.sessionToken!)
    expectWith(session, 'the secret access key was not masked').toBeDefined()
    const secrets = { secretAccessKey: session!.secretAccessKey, sessionToken: kda.sessionToken!, webIdentityToken }

    expect(masked(result)).toEqual(expect.arrayContaining([...Object.values(secrets), kda.accessKeyId]))
    const everywhere = [result.stdout, result.stderr, result.summary, JSON.stringify(result.outputs)].join('\n')
    const unmasked = everywhere
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
    for (const [name, secret] of Object.entries(secrets)) {
      expectWith(everywhere.includes(secret), `${name} is not in the log at all`).toBe(true)
      expectWith(unmasked.includes(secret), `${name} reached the log outside ::add-mask::`).toBe(false)
    }
    // Every mask is issued before the first line that could carry the value.
    const lines = result.stdout.split('\n')
    const lastMask = Math.max(...Object.values(secrets).map((s) => lines.indexOf(`::add-mask::${s}`)))
    expect(lastMask).toBeLessThan(lines.findIndex((line) => line.startsWith('Assumed ')))
  })

  it.concurrent('refused by the trust policy: fails before any Kinesis Analytics call and shows the sub this run presents', async () => {
    const emulator = await emulatorFor({ trust: { subjectPattern: 'repo:acme/flink-jobs:environment:production' } })
    const result = await run(emulator, withRole)

    const annotation = runFailure(result)
    expect(annotation.message).toContain(
      `Could not assume ${EMULATOR_ROLE_ARN} with the job's OIDC token: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity. ` +
        `This run presents sub "${MAIN_SUB}" and aud "sts.amazonaws.com" (repository acme/flink-jobs, ref refs/heads/main, event schedule).`
    )
    expect(annotation.message).toContain(
      `Fix: The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
        `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`
    )
    expect(annotation.message).toContain('"token.actions.githubusercontent.com:sub" matching the sub above')
    expect(result.summary).toContain(MAIN_SUB)
    expect(only(emulator.requests, 'sts', 'AssumeRoleWithWebIdentity').map((r) => r.errorType)).toEqual(['AccessDenied'])
    expect(calls(emulator)).toEqual([])
    expect(emulator.application('orders').parallelism.parallelism).toBe(4)
  })

  it.concurrent('refused for a job in an environment: the sub shown names the environment and the event', async () => {
    const emulator = await emulatorFor({
      oidc: { environment: 'production', eventName: 'workflow_dispatch' },
      trust: { subjectPattern: MAIN_SUB }
    })
    const result = await run(emulator, withRole)
    const annotation = runFailure(result)
    expect(annotation.message).toContain(
      'This run presents sub "repo:acme/flink-jobs:environment:production" and aud "sts.amazonaws.com" ' +
        '(repository acme/flink-jobs, environment production, ref refs/heads/main, event workflow_dispatch).'
    )
    expect(calls(emulator)).toEqual([])
  })

  describe('a repository with immutable subject claims (created or renamed since 2026-07-15)', () => {
    const IMMUTABLE_SUB = 'repo:acme@1000001/flink-jobs@2000002:ref:refs/heads/main'

    it.concurrent('a trust policy that names only the classic sub refuses it: the error shows the sub to copy, and says why', async () => {
      const emulator = await emulatorFor({ oidc: { immutableSubject: true }, trust: { subjectPattern: MAIN_SUB } })
      const result = await run(emulator, withRole)
      const annotation = runFailure(result)
      expect(annotation.message).toContain(`This run presents sub "${IMMUTABLE_SUB}" and aud "sts.amazonaws.com"`)
      expect(annotation.message).toContain('copy it into the condition')
      expect(annotation.message).toContain('This repository presents the immutable form of sub')
      expect(calls(emulator)).toEqual([])
    })

    it.concurrent('the trust policy of docs/iam.md, with both forms, lets both kinds of repository in', async () => {
      const bothForms = [MAIN_SUB, IMMUTABLE_SUB]
      for (const immutableSubject of [false, true]) {
        const emulator = await emulatorFor({ oidc: { immutableSubject }, trust: { subjectPattern: bothForms } })
        const result = await run(emulator, withRole)
        expectWith(result.exitCode, result.stdout).toBe(0)
        expect(only(emulator.requests, 'sts', 'AssumeRoleWithWebIdentity').map((r) => r.status)).toEqual([200])
        expect(acceptedUpdates(emulator)).toHaveLength(1)
      }
    })
  })

  it.concurrent('an audience the OIDC provider does not accept: says to add it', async () => {
    const emulator = await emulatorFor()
    const result = await run(emulator, { ...withRole, audience: 'https://github.com/acme' })
    const annotation = runFailure(result)
    expect(only(emulator.requests, 'oidc', 'GetIdToken')[0].body).toMatchObject({ audience: 'https://github.com/acme' })
    expect(annotation.message).toContain('InvalidIdentityTokenException: Incorrect token audience')
    expect(annotation.message).toContain(`The audience "https://github.com/acme" is not among the IAM OIDC provider's audiences`)
    expect(calls(emulator)).toEqual([])
  })

  it.concurrent('a custom audience the provider accepts works', async () => {
    const emulator = await emulatorFor({ trust: { audience: 'flink-scaler' } })
    const result = await run(emulator, { ...withRole, audience: 'flink-scaler' })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(only(emulator.requests, 'oidc', 'GetIdToken')[0].body).toMatchObject({ audience: 'flink-scaler' })
  })

  it.concurrent("a duration above the role's maximum: says which setting to change", async () => {
    const emulator = await emulatorFor({ trust: { maxSessionDurationSeconds: 3600 } })
    const result = await run(emulator, { ...withRole, 'role-duration-seconds': '7200' })
    const annotation = runFailure(result)
    expect(annotation.message).toContain('ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    expect(annotation.message).toContain("role-duration-seconds is 7200: lower it, or raise the role's maximum session duration in IAM.")
    expect(calls(emulator)).toEqual([])
  })

  it.concurrent('retries the token request when the endpoint fails (HTTP 500)', async () => {
    const emulator = await emulatorFor()
    emulator.faults.set({ service: 'oidc', serverError: 1 })
    const result = await run(emulator, withRole)
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(only(emulator.requests, 'oidc', 'GetIdToken').map((r) => r.status)).toEqual([500, 200])
    expect(result.stdout).toContain("Could not get the job's OIDC token (HTTP 500: Internal server error, attempt 1 of 4); retrying in")
  })

  it.concurrent('honours AWS_ENDPOINT_URL_STS (and the Kinesis Analytics one) over AWS_ENDPOINT_URL', async () => {
    const emulator = await emulatorFor()
    const result = await run(emulator, withRole, {
      env: {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ENDPOINT_URL_STS: emulator.url,
        AWS_ENDPOINT_URL_KINESIS_ANALYTICS_V2: emulator.url
      }
    })
    expectWith(result.exitCode, result.stdout).toBe(0)
    expect(only(emulator.requests, 'sts', 'AssumeRoleWithWebIdentity')).toHaveLength(1)
    expect(calls(emulator).every((r) => r.accessKeyId?.startsWith('ASIA'))).toBe(true)
  })
})

describe('what is missing is said before any call', () => {
  it.concurrent('role-to-assume without `permissions: id-token: write`: shows the permissions block, calls nothing', async () => {
    const emulator = await emulatorFor()
    // The static keys are still there: the action must not fall back to them.
    const result = await run(emulator, withRole, { envOptions: { oidc: false } })
    const annotation = runFailure(result)
    expect(annotation.message).toContain(
      'role-to-assume is set, but this job cannot request an OIDC token: the workflow does not grant `permissions: id-token: write`'
    )
    expect(annotation.message).toContain('Fix: Add this block to the workflow, or to the job that runs this step:\npermissions:\n  id-token: write\n  contents: read\n')
    expect(annotation.message).toContain('the calling workflow needs id-token: write too')
    expect(emulator.requests).toEqual([])
  })

  it.concurrent('no role-to-assume and no credentials at all: says both ways to provide them', async () => {
    const emulator = await emulatorFor()
    const result = await run(emulator, scheduled, { envOptions: { credentials: false, oidc: false } })
    expect(result.exitCode).toBe(1)
    const messages = errors(result).map((e) => e.message)
    expectWith(messages, result.stdout).toHaveLength(1)
    expect(messages[0]).toContain('Could not load credentials from any providers')
    expect(messages[0]).toContain('role-to-assume')
    expect(messages[0]).toContain('permissions: id-token: write')
    expect(messages[0]).toContain('aws-actions/configure-aws-credentials')
    expect(emulator.requests).toEqual([])
  })

  it.concurrent.each([
    ['role-to-assume', 'flink-scaler', 'Input "role-to-assume" is not an IAM role ARN: "flink-scaler".'],
    ['role-to-assume', 'arn:aws:iam::12345:role/flink-scaler', 'is not an IAM role ARN'],
    ['role-to-assume', `arn:aws:sts::${EMULATOR_ACCOUNT_ID}:assumed-role/flink-scaler/s`, 'is not an IAM role ARN'],
    ['role-duration-seconds', '600', 'Input "role-duration-seconds" is "600". Fix: Use a whole number from 900 to 43200.'],
    ['role-duration-seconds', '43201', 'Input "role-duration-seconds" is "43201".'],
    ['role-duration-seconds', '1h', 'Input "role-duration-seconds" is "1h".']
  ])('%s "%s" is an input error, and nothing is called', async (input, value, message) => {
    const emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }] })
    try {
      const result = await run(emulator, { ...withRole, [input]: value })
      const annotation = runFailure(result, 'Invalid input: nothing was changed')
      expect(annotation.message).toContain(message)
      expect(emulator.requests).toEqual([])
    } finally {
      await emulator.stop()
    }
  })
})
