/**
 * The emulator's accounts, through the real AWS SDK clients: each account sees its own
 * applications only; ListApplications pages at the model's Limit (1 to 50) with NextToken; STS
 * AssumeRole checks the role's trust policy, so a role in another account is assumed from the hub
 * role's session and its credentials reach that account's applications.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  DescribeApplicationCommand,
  KinesisAnalyticsV2Client,
  KinesisAnalyticsV2ServiceException,
  ListApplicationsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException
} from '@aws-sdk/client-kinesis-analytics-v2'
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts'
import type { AwsCredentialIdentity } from '@smithy/types'
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_ACCOUNT_ID,
  EMULATOR_ROLE_ARN,
  EMULATOR_SECRET_ACCESS_KEY,
  startEmulator,
  type Emulator,
  type EmulatorOptions
} from '../emulator/index.js'

process.env.AWS_EC2_METADATA_DISABLED = 'true'

const SPOKE = '210987654321'
const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/flink-scaler`
const STATIC = { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY }

const running: Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
})

async function emulator(options: EmulatorOptions): Promise<Emulator> {
  const em = await startEmulator(options)
  running.push(em)
  return em
}

const kda = (em: Emulator, credentials: AwsCredentialIdentity = STATIC, region = 'us-east-1') =>
  new KinesisAnalyticsV2Client({ endpoint: em.url, region, credentials, maxAttempts: 1 })
const sts = (em: Emulator, credentials: AwsCredentialIdentity = STATIC) => new STSClient({ endpoint: em.url, region: 'us-east-1', credentials, maxAttempts: 1 })

async function rejection<T>(promise: Promise<unknown>, cls: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(cls)
    return error as T
  }
  throw new Error('expected a rejection')
}

/** The hub role's session, from the job's OIDC token, as role-to-assume gets it. */
async function hubSession(em: Emulator): Promise<AwsCredentialIdentity> {
  const out = await sts(em).send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'hub', WebIdentityToken: em.issueIdToken('sts.amazonaws.com') })
  )
  const c = out.Credentials!
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }
}

async function assumeSpoke(em: Emulator, from: AwsCredentialIdentity, input: Partial<{ RoleArn: string; DurationSeconds: number }> = {}) {
  const out = await sts(em, from).send(new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'flink-scheduled-scaler', ...input }))
  const c = out.Credentials!
  return { out, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } }
}

async function listAll(client: KinesisAnalyticsV2Client, Limit?: number): Promise<{ names: string[]; pages: number }> {
  const names: string[] = []
  let pages = 0
  let NextToken: string | undefined
  do {
    const page = await client.send(new ListApplicationsCommand({ ...(Limit ? { Limit } : {}), ...(NextToken ? { NextToken } : {}) }))
    pages++
    names.push(...page.ApplicationSummaries!.map((s) => s.ApplicationName!))
    NextToken = page.NextToken
  } while (NextToken)
  return { names, pages }
}

describe('several accounts', () => {
  it("each account sees its own applications only, by name, by ARN and in ListApplications", async () => {
    const em = await emulator({
      applications: [
        { name: 'orders', region: 'eu-west-1' },
        { name: 'orders', region: 'eu-west-1', account: SPOKE, parallelism: 6, tags: { 'flink-schedule': 'batch-night' } },
        { name: 'billing', region: 'eu-west-1', account: SPOKE }
      ],
      roles: [{ arn: SPOKE_ROLE, trust: [EMULATOR_ROLE_ARN] }]
    })
    const hub = kda(em, STATIC, 'eu-west-1')
    expect((await listAll(hub)).names).toEqual(['orders'])
    const { credentials } = await assumeSpoke(em, await hubSession(em))
    const spoke = kda(em, credentials, 'eu-west-1')
    expect((await listAll(spoke)).names).toEqual(['billing', 'orders'])

    const detail = (await spoke.send(new DescribeApplicationCommand({ ApplicationName: 'orders' }))).ApplicationDetail!
    expect(detail.ApplicationARN).toBe(`arn:aws:kinesisanalytics:eu-west-1:${SPOKE}:application/orders`)
    expect(detail.ApplicationConfigurationDescription?.FlinkApplicationConfigurationDescription?.ParallelismConfigurationDescription?.Parallelism).toBe(6)
    expect((await spoke.send(new ListTagsForResourceCommand({ ResourceARN: detail.ApplicationARN }))).Tags).toEqual([{ Key: 'flink-schedule', Value: 'batch-night' }])
    // Another account's ARN is not found with these credentials.
    const foreign = await rejection(hub.send(new ListTagsForResourceCommand({ ResourceARN: detail.ApplicationARN })), ResourceNotFoundException)
    expect(foreign.message).toBe(`Resource ${detail.ApplicationARN} is not found in account ${EMULATOR_ACCOUNT_ID} in region eu-west-1.`)
    const missing = await rejection(hub.send(new DescribeApplicationCommand({ ApplicationName: 'billing' })), ResourceNotFoundException)
    expect(missing.message).toBe(`Application billing is not found in account ${EMULATOR_ACCOUNT_ID} in region eu-west-1.`)
    expect(em.application('orders', 'eu-west-1', SPOKE)).toMatchObject({ account: SPOKE, parallelism: { parallelism: 6 } })
    expect(em.application('orders', 'eu-west-1')).toMatchObject({ account: EMULATOR_ACCOUNT_ID, parallelism: { parallelism: 1 } })
  })

  it('ListApplications pages at most 50 at a time (the model\'s ListApplicationsInputLimit), default 50, with NextToken', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `app-${String(i).padStart(3, '0')}`)
    const em = await emulator({ applications: names.map((name) => ({ name })) })
    const client = kda(em)
    expect(await listAll(client)).toEqual({ names, pages: 3 })
    expect(await listAll(client, 50)).toEqual({ names, pages: 3 })
    expect(await listAll(client, 7)).toEqual({ names, pages: 18 })
    for (const Limit of [0, 51]) {
      const error = await rejection(client.send(new ListApplicationsCommand({ Limit })), KinesisAnalyticsV2ServiceException)
      expect(error.name).toBe('InvalidRequestException')
    }
    // The token is a name: one that was never a page's start still continues from there.
    const page = await client.send(new ListApplicationsCommand({ Limit: 2, NextToken: 'app-0105' }))
    expect(page.ApplicationSummaries!.map((s) => s.ApplicationName)).toEqual(['app-011', 'app-012'])
  })
})

describe('STS AssumeRole', () => {
  it("assumes a role in another account from the hub role's session; the session is that account's", async () => {
    const em = await emulator({ roles: [{ arn: SPOKE_ROLE, trust: [EMULATOR_ROLE_ARN] }] })
    const { out, credentials } = await assumeSpoke(em, await hubSession(em), { DurationSeconds: 900 })
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/flink-scaler/flink-scheduled-scaler`)
    expect(Math.abs(out.Credentials!.Expiration!.getTime() - Date.now() - 900_000)).toBeLessThan(5_000)
    const caller = await sts(em, credentials).send(new GetCallerIdentityCommand({}))
    expect(caller.Account).toBe(SPOKE)
  })

  it('a caller the trust policy does not name, or a role that does not exist, is AccessDenied naming both', async () => {
    const em = await emulator({ roles: [{ arn: SPOKE_ROLE, trust: [EMULATOR_ROLE_ARN] }] })
    // The static user is not the hub role.
    const user = await rejection(assumeSpoke(em, STATIC), STSServiceException)
    expect(user.name).toBe('AccessDenied')
    expect(user.$metadata.httpStatusCode).toBe(403)
    expect(user.message).toBe(`User: arn:aws:iam::${EMULATOR_ACCOUNT_ID}:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${SPOKE_ROLE}`)
    const absent = await rejection(assumeSpoke(em, await hubSession(em), { RoleArn: `arn:aws:iam::${SPOKE}:role/absent` }), STSServiceException)
    expect(absent.message).toMatch(new RegExp(`^User: arn:aws:sts::${EMULATOR_ACCOUNT_ID}:assumed-role/flink-scaler/hub is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${SPOKE}:role/absent$`))
    // Unsigned, it is not even asked.
    const unsigned = await rejection(
      new STSClient({ endpoint: em.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' }, maxAttempts: 1 }).send(
        new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'x1' })
      ),
      STSServiceException
    )
    expect(unsigned.name).toBe('InvalidClientTokenId')
  })

  it("an account root in the trust policy trusts every principal of that account", async () => {
    const em = await emulator({ roles: [{ arn: SPOKE_ROLE, trust: [`arn:aws:iam::${EMULATOR_ACCOUNT_ID}:root`] }] })
    await expect(assumeSpoke(em, STATIC)).resolves.toMatchObject({ out: { AssumedRoleUser: { Arn: expect.stringContaining(SPOKE) } } })
  })

  it('a session chained from a role session lasts one hour at most; the role\'s own maximum holds too', async () => {
    const em = await emulator({ roles: [{ arn: SPOKE_ROLE, trust: [EMULATOR_ROLE_ARN, `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:root`], maxSessionDurationSeconds: 7200 }] })
    const chained = await rejection(assumeSpoke(em, await hubSession(em), { DurationSeconds: 3601 }), STSServiceException)
    expect(chained.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.')
    await expect(assumeSpoke(em, STATIC, { DurationSeconds: 7200 })).resolves.toBeDefined()
    const over = await rejection(assumeSpoke(em, STATIC, { DurationSeconds: 7201 }), STSServiceException)
    expect(over.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
  })

  it('the request-rate quota is one bucket per account and region', async () => {
    const em = await emulator({
      applications: [{ name: 'a' }, { name: 'b', account: SPOKE }],
      roles: [{ arn: SPOKE_ROLE, trust: [`arn:aws:iam::${EMULATOR_ACCOUNT_ID}:root`] }],
      requestRate: { perSecond: 0.01, burst: 1 }
    })
    const { credentials } = await assumeSpoke(em, STATIC)
    await kda(em).send(new ListApplicationsCommand({}))
    await kda(em, credentials).send(new ListApplicationsCommand({}))
    const error = await rejection(kda(em).send(new ListApplicationsCommand({})), KinesisAnalyticsV2ServiceException)
    expect(error.name).toBe('ThrottlingException')
    expect(em.requestRate.throttled).toBe(1)
  })
})
