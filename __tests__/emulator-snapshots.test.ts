/**
 * The emulator's snapshots, through the real SDK client: every accepted update and every stop
 * takes one (CREATING, then READY, with its creation time and the version it was taken of), still
 * past the limit; CreateApplicationSnapshot is refused at the limit; ListApplicationSnapshots pages
 * with NextToken; DeleteApplicationSnapshot needs the snapshot's own creation time.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CreateApplicationSnapshotCommand,
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  InvalidApplicationConfigurationException,
  InvalidArgumentException,
  KinesisAnalyticsV2Client,
  KinesisAnalyticsV2ServiceException,
  LimitExceededException,
  ListApplicationSnapshotsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  StopApplicationCommand,
  UpdateApplicationCommand,
  type SnapshotDetails
} from '@aws-sdk/client-kinesis-analytics-v2'
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.js'

process.env.AWS_EC2_METADATA_DISABLED = 'true'

const running: Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
})

async function emulator(options: EmulatorOptions): Promise<{ em: Emulator; client: KinesisAnalyticsV2Client }> {
  const em = await startEmulator({ updateDurationMs: 300, snapshotDurationMs: 150, ...options })
  running.push(em)
  const client = new KinesisAnalyticsV2Client({
    endpoint: em.url,
    region: 'us-east-1',
    credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY },
    maxAttempts: 1
  })
  return { em, client }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function rejection<T extends KinesisAnalyticsV2ServiceException>(promise: Promise<unknown>, cls: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(cls)
    return error as T
  }
  throw new Error(`expected a ${cls.name}`)
}

async function listAll(client: KinesisAnalyticsV2Client, name: string, limit?: number): Promise<{ pages: number; summaries: SnapshotDetails[] }> {
  const summaries: SnapshotDetails[] = []
  let token: string | undefined
  let pages = 0
  do {
    const out = await client.send(new ListApplicationSnapshotsCommand({ ApplicationName: name, ...(limit ? { Limit: limit } : {}), NextToken: token }))
    pages++
    summaries.push(...(out.SnapshotSummaries ?? []))
    token = out.NextToken
  } while (token)
  return { pages, summaries }
}

async function scale(client: KinesisAnalyticsV2Client, name: string, parallelism: number): Promise<void> {
  const { ApplicationDetail: detail } = await client.send(new DescribeApplicationCommand({ ApplicationName: name }))
  await client.send(
    new UpdateApplicationCommand({
      ApplicationName: name,
      ConditionalToken: detail!.ConditionalToken,
      ApplicationConfigurationUpdate: {
        FlinkApplicationConfigurationUpdate: { ParallelismConfigurationUpdate: { ConfigurationTypeUpdate: 'CUSTOM', ParallelismUpdate: parallelism } }
      }
    })
  )
}

const DAY = 86_400_000
const old = (n: number, from = Date.now() - 30 * DAY) => Array.from({ length: n }, (_, i) => ({ name: `old-${i}`, createdAt: from + i * 60_000 }))

describe('snapshots the service takes itself', () => {
  it('an accepted update snapshots the job as it stops: CREATING, then READY before the job restarts from it', async () => {
    // Long enough that a busy machine still reads CREATING right after the update is accepted.
    const { em, client } = await emulator({
      applications: [{ name: 'orders', parallelism: 2, versionId: 5, records: 700 }],
      recordsPerSecond: 0,
      updateDurationMs: 1500,
      snapshotDurationMs: 1000
    })
    const before = Date.now()
    await scale(client, 'orders', 4)
    const after = Date.now()
    const [taken] = em.application('orders').snapshots
    expect(taken).toMatchObject({ status: 'CREATING', versionId: 5, records: 700 })
    expect(taken!.createdAt).toBeGreaterThanOrEqual(before)
    expect(taken!.createdAt).toBeLessThanOrEqual(after)
    expect(taken!.name).toBe(`orders-5-${taken!.createdAt}`)
    const [listed] = (await listAll(client, 'orders')).summaries
    expect(listed).toMatchObject({ SnapshotName: taken!.name, SnapshotStatus: 'CREATING', ApplicationVersionId: 5 })
    expect(listed!.SnapshotCreationTimestamp!.getTime()).toBe(taken!.createdAt)

    await until(() => em.application('orders').status === 'RUNNING')
    expect(em.application('orders').snapshots.map((s) => s.status)).toEqual(['READY'])
    expect(em.application('orders').state).toEqual({ running: true, records: 700, restore: 'kept', snapshotName: taken!.name })
  })

  it('StopApplication snapshots the job unless Force is set; with snapshots disabled there is none', async () => {
    const { em, client } = await emulator({
      applications: [{ name: 'orders' }, { name: 'forced' }, { name: 'stateless', snapshotsEnabled: false }, { name: 'stopped', status: 'READY' }]
    })
    const { OperationId } = await client.send(new StopApplicationCommand({ ApplicationName: 'orders' }))
    expect(OperationId).toMatch(/^\w+$/)
    expect(em.application('orders').status).toBe('STOPPING')
    await client.send(new StopApplicationCommand({ ApplicationName: 'forced', Force: true }))
    await client.send(new StopApplicationCommand({ ApplicationName: 'stateless' }))
    await until(() => ['orders', 'forced', 'stateless'].every((name) => em.application(name).status === 'READY'))
    expect(em.application('orders').snapshots.map((s) => s.status)).toEqual(['READY'])
    expect(em.application('orders').operations.map((o) => [o.operation, o.status])).toEqual([['StopApplication', 'SUCCESSFUL']])
    expect(em.application('forced').snapshots).toEqual([])
    expect(em.application('stateless').snapshots).toEqual([])
    await rejection(client.send(new StopApplicationCommand({ ApplicationName: 'stopped' })), ResourceInUseException)
  })
})

describe('the per-application limit', () => {
  it('refuses CreateApplicationSnapshot at the limit with LimitExceededException; updates and stops still take theirs', async () => {
    const { em, client } = await emulator({ snapshotLimit: 3, applications: [{ name: 'orders', parallelism: 2, snapshots: old(3) }] })
    const refused = await rejection(client.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'backup' })), LimitExceededException)
    expect(refused.message).toBe('Application orders has 3 snapshots, the limit of 3 snapshots per application. Delete snapshots before creating more.')

    await scale(client, 'orders', 4)
    await until(() => em.application('orders').status === 'RUNNING')
    await client.send(new StopApplicationCommand({ ApplicationName: 'orders' }))
    await until(() => em.application('orders').status === 'READY')
    expect(em.application('orders').snapshots).toHaveLength(5)
    expect(em.application('orders').snapshots.every((s) => s.status === 'READY')).toBe(true)
  })

  it('below the limit, CreateApplicationSnapshot takes one (CREATING, then READY) of a RUNNING job with snapshots on, under a new name', async () => {
    const { em, client } = await emulator({
      snapshotLimit: 3,
      recordsPerSecond: 0,
      snapshotDurationMs: 1000,
      applications: [{ name: 'orders', records: 42, versionId: 3 }, { name: 'stateless', snapshotsEnabled: false }, { name: 'stopped', status: 'READY' }]
    })
    await client.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'before-deploy' }))
    // (snapshotDurationMs 1000: still CREATING when read right after.)
    expect(em.application('orders').snapshots).toEqual([expect.objectContaining({ name: 'before-deploy', status: 'CREATING', versionId: 3, records: 42 })])
    await until(() => em.application('orders').snapshots[0]!.status === 'READY')

    const duplicate = await rejection(client.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'before-deploy' })), InvalidArgumentException)
    expect(duplicate.message).toBe('Snapshot before-deploy already exists for application orders.')
    await rejection(client.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'stateless', SnapshotName: 'x' })), InvalidApplicationConfigurationException)
    await rejection(client.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'stopped', SnapshotName: 'x' })), ResourceInUseException)
    await rejection(client.send(new CreateApplicationSnapshotCommand({ ApplicationName: 'missing', SnapshotName: 'x' })), ResourceNotFoundException)
  })
})

describe('ListApplicationSnapshots', () => {
  it('pages with NextToken: every snapshot once, 50 a page without Limit (the model allows 1 to 50)', async () => {
    const { client } = await emulator({ applications: [{ name: 'orders', snapshots: old(120) }] })
    const all = await listAll(client, 'orders')
    expect(all.pages).toBe(3)
    expect(all.summaries.map((s) => s.SnapshotName)).toEqual(old(120).map((s) => s.name))
    const small = await listAll(client, 'orders', 7)
    expect(small.pages).toBe(18)
    expect(new Set(small.summaries.map((s) => s.SnapshotName)).size).toBe(120)
    const zero = await rejection(client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'orders', Limit: 0 })), InvalidArgumentException)
    expect(zero.message).toContain("at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
    await rejection(client.send(new ListApplicationSnapshotsCommand({ ApplicationName: 'orders', NextToken: 'not-a-token' })), InvalidArgumentException)
  })
})

describe('DeleteApplicationSnapshot', () => {
  it('deletes with the creation time ListApplicationSnapshots gave: DELETING, then gone', async () => {
    const { em, client } = await emulator({ applications: [{ name: 'orders', snapshots: old(3) }], snapshotDurationMs: 1000 })
    const [first] = (await listAll(client, 'orders')).summaries
    await client.send(
      new DeleteApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: first!.SnapshotName, SnapshotCreationTimestamp: first!.SnapshotCreationTimestamp })
    )
    expect(em.application('orders').snapshots.map((s) => [s.name, s.status])).toEqual([
      ['old-0', 'DELETING'],
      ['old-1', 'READY'],
      ['old-2', 'READY']
    ])
    const again = await rejection(
      client.send(new DeleteApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'old-0', SnapshotCreationTimestamp: first!.SnapshotCreationTimestamp })),
      ResourceInUseException
    )
    expect(again.message).toBe('Snapshot old-0 of application orders is DELETING; it cannot be deleted now.')
    await until(() => em.application('orders').snapshots.length === 2)
    expect((await listAll(client, 'orders')).summaries.map((s) => s.SnapshotName)).toEqual(['old-1', 'old-2'])
  })

  it('refuses a creation time that is not the snapshot’s, by a millisecond or by a day, and deletes nothing', async () => {
    const { em, client } = await emulator({ applications: [{ name: 'orders', snapshots: old(1) }] })
    const createdAt = em.application('orders').snapshots[0]!.createdAt
    for (const wrong of [createdAt + 1, createdAt - DAY]) {
      const refused = await rejection(
        client.send(new DeleteApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'old-0', SnapshotCreationTimestamp: new Date(wrong) })),
        InvalidArgumentException
      )
      expect(refused.message).toBe(`The SnapshotCreationTimestamp ${wrong / 1000} does not match the creation time of snapshot old-0 of application orders.`)
    }
    expect(em.application('orders').snapshots.map((s) => s.status)).toEqual(['READY'])
  })

  it('an unknown snapshot is not found; one still CREATING is in use; the timestamp is required', async () => {
    const { em, client } = await emulator({ applications: [{ name: 'orders', parallelism: 2 }], updateDurationMs: 20_000, snapshotDurationMs: 10_000 })
    await rejection(
      client.send(new DeleteApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: 'nope', SnapshotCreationTimestamp: new Date() })),
      ResourceNotFoundException
    )
    await scale(client, 'orders', 3)
    const [creating] = em.application('orders').snapshots
    expect(creating!.status).toBe('CREATING')
    await rejection(
      client.send(new DeleteApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: creating!.name, SnapshotCreationTimestamp: new Date(creating!.createdAt) })),
      ResourceInUseException
    )
    const missing = await rejection(
      client.send(new DeleteApplicationSnapshotCommand({ ApplicationName: 'orders', SnapshotName: creating!.name } as never)),
      InvalidArgumentException
    )
    expect(missing.message).toContain("Value null at 'snapshotCreationTimestamp' failed to satisfy constraint: Member must not be null")
  })
})
