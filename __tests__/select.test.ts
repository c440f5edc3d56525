/**
 * The select phase with the real Kinesis Analytics and STS clients against the emulator: every
 * page of every place listed, each application's tags read once (an untagged one costs exactly that
 * one ListTagsForResource), the union with application-name, an unknown schedule name failing
 * before any describe, and a place that cannot be listed failing alone. The observe phase then
 * reads no tags the select phase read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { EMULATOR_ACCOUNT_ID, startEmulator, type Emulator, type EmulatorOptions, type SeedApplication } from '../emulator/index.js'
import { FlinkClient } from '../src/aws/flink-client.js'
import { RequestRate } from '../src/aws/rate-limit.js'
import { accountCredentials } from '../src/aws/account-roles.js'
import { readConfig, type Config } from '../src/github/config.js'
import { placeKey, type Place, type RunContext } from '../src/phases/context.js'
import { observe } from '../src/phases/observe.js'
import { select } from '../src/phases/select.js'
import { actionInputs } from './fixtures/action-inputs.js'

const SPOKE = '210987654321'
const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/flink-scaler`
const SCHEDULES = `schedules:
  business-hours: { default: { kpu: 4 } }
  batch-night: { default: { kpu: 2 } }
  flat: { default: { parallelism: 3 } }
`
const NAMES = ['business-hours', 'batch-night', 'flat']

const saved = { ...process.env }
const started: Emulator[] = []
afterAll(async () => {
  process.env = saved
  await Promise.all(started.map((e) => e.stop()))
})

/** An emulator, and this process's AWS SDK clients pointed at it as the action's are (AWS_ENDPOINT_URL, static keys). */
async function emulator(options: EmulatorOptions): Promise<Emulator> {
  const em = await startEmulator(options)
  started.push(em)
  Object.assign(process.env, em.env({ oidc: false }))
  return em
}

async function context(inputs: Record<string, string>): Promise<Pick<RunContext, 'config' | 'clientFor' | 'warn'> & { warnings: string[] }> {
  const config: Config = await readConfig(actionInputs({ schedule: SCHEDULES, 'select-by-tag': 'flink-schedule', ...inputs }), {}, () => new Date('2026-03-10T17:00:00Z'))
  const roles = accountCredentials(config.accountRoles, undefined, { region: config.regions[0], sessionName: 'test', durationSeconds: 900 })
  const clients = new Map<string, FlinkClient>()
  const clientFor = (place: Place) => {
    if (!clients.has(placeKey(place))) clients.set(placeKey(place), new FlinkClient(place.region, place.role ? roles(place.role) : undefined, new RequestRate()))
    return clients.get(placeKey(place))!
  }
  const warnings: string[] = []
  return { config, clientFor, warn: (m) => warnings.push(m), warnings }
}

const count = (em: Emulator, operation: string) => em.requests.filter((r) => r.service === 'kinesisanalytics' && r.operation === operation).length

describe('select-by-tag in one account', () => {
  // 120 applications in us-east-1 and 7 in eu-west-1: a third tagged with each schedule in turn, a few with unknown names, the rest untagged.
  const fleet: SeedApplication[] = [
    ...Array.from({ length: 120 }, (_, i): SeedApplication => ({
      name: `east-${String(i).padStart(3, '0')}`,
      region: 'us-east-1',
      tags: i % 2 === 0 ? { 'flink-schedule': NAMES[(i / 2) % 3], team: 'data' } : { team: 'data' }
    })),
    ...Array.from({ length: 7 }, (_, i): SeedApplication => ({ name: `west-${i}`, region: 'eu-west-1', tags: i < 4 ? { 'flink-schedule': 'flat' } : {} })),
    { name: 'typo', region: 'eu-west-1', tags: { 'flink-schedule': 'Batch-Night' } }
  ]
  let em: Emulator
  beforeAll(async () => {
    em = await emulator({ applications: fleet })
  })

  it('lists every page of every region, reads each tag set once, and chooses the tagged; untagged ones are not reported', async () => {
    em.requests.length = 0
    const ctx = await context({ region: 'us-east-1\neu-west-1' })
    const { chosen, failed } = await select(ctx)

    // 120 applications are three pages of 50; 8 are one.
    expect(count(em, 'ListApplications')).toBe(4)
    expect(count(em, 'ListTagsForResource')).toBe(fleet.length)
    expect(count(em, 'DescribeApplication')).toBe(0)
    const tagged = fleet.filter((s) => s.tags?.['flink-schedule'] && s.name !== 'typo')
    expect(chosen.map((c) => c.ref.name).sort()).toEqual(tagged.map((s) => s.name).sort())
    for (const c of chosen) {
      const seed = fleet.find((s) => s.name === c.ref.name)!
      expect(c.schedule?.name).toBe(seed.tags!['flink-schedule'])
      expect(c.tags).toEqual(seed.tags)
      expect(c.ref).toEqual({ name: seed.name, region: seed.region, arn: `arn:aws:kinesisanalytics:${seed.region}:${EMULATOR_ACCOUNT_ID}:application/${seed.name}` })
    }
    expect(failed).toEqual([
      expect.objectContaining({
        application: 'typo',
        region: 'eu-west-1',
        action: 'failed',
        error: 'Its tag flink-schedule is "Batch-Night", which names no schedule; the schedules are: business-hours, batch-night, flat.'
      })
    ])
    expect(failed[0].hint).toContain('Set the tag flink-schedule to one of business-hours, batch-night, flat')
  })

  it('beside application-name: the union, each once, names first; the tags read go to observe, which reads no more', async () => {
    em.requests.length = 0
    const ctx = await context({
      region: 'us-east-1,eu-west-1',
      'application-name': 'west-5, east-000, arn:aws:kinesisanalytics:us-east-1:123456789012:application/east-001, nowhere',
      schedule: `${SCHEDULES}default-schedule: flat\n`
    })
    const { chosen, failed } = await select(ctx)
    const names = chosen.map((c) => c.ref.name)
    // Untagged west-5 and east-001 are named, so they are reconciled (on default-schedule); east-000 is tagged: once.
    expect(names.slice(0, 3)).toEqual(['west-5', 'east-000', 'east-001'])
    expect(new Set(names).size).toBe(names.length)
    expect(names.filter((n) => n === 'east-000')).toHaveLength(1)
    expect(failed.map((f) => [f.application, f.error])).toEqual([
      ['nowhere', 'No application "nowhere" was listed in us-east-1 and eu-west-1.'],
      ['typo', 'Its tag flink-schedule is "Batch-Night", which names no schedule; the schedules are: business-hours, batch-night, flat.']
    ])

    const tagReads = count(em, 'ListTagsForResource')
    const observed = await observe(chosen, ctx)
    expect(count(em, 'ListTagsForResource')).toBe(tagReads)
    expect(count(em, 'DescribeApplication')).toBe(chosen.length)
    const scheduleOf = (name: string) => observed.find((o) => o.ref.name === name) as { schedule?: { name: string } }
    expect(scheduleOf('west-5').schedule?.name).toBe('flat')
    expect(scheduleOf('east-000').schedule?.name).toBe('business-hours')
  })

  it('without select-by-tag nothing is listed: application-name is the selection, and observe reads the tags', async () => {
    em.requests.length = 0
    const config = await readConfig(actionInputs({ 'application-name': 'east-002', schedule: `${SCHEDULES}default-schedule: flat\n`, region: 'us-east-1' }), {}, () => new Date())
    const ctx = { ...(await context({ region: 'us-east-1' })), config }
    const { chosen, failed } = await select(ctx)
    expect(chosen).toEqual([{ ref: { name: 'east-002', region: 'us-east-1' } }])
    expect(failed).toEqual([])
    expect(em.requests).toHaveLength(0)
    const [observed] = await observe(chosen, ctx)
    expect(count(em, 'ListTagsForResource')).toBe(1)
    // With no select-by-tag, the tag does not choose: default-schedule does.
    expect((observed as { schedule?: { name: string } }).schedule?.name).toBe('flat')
  })
})

describe('select-by-tag across accounts', () => {
  it("lists the spoke account through its role; a role that cannot be assumed fails its places alone, naming the role", async () => {
    const em = await emulator({
      applications: [
        { name: 'orders', region: 'us-east-1', tags: { 'flink-schedule': 'flat' } },
        { name: 'orders', region: 'us-east-1', account: SPOKE, tags: { 'flink-schedule': 'batch-night' } },
        { name: 'billing', region: 'eu-west-1', account: SPOKE, tags: { 'flink-schedule': 'flat' } },
        { name: 'quiet', region: 'eu-west-1', account: SPOKE }
      ],
      roles: [{ arn: SPOKE_ROLE, trust: [`arn:aws:iam::${EMULATOR_ACCOUNT_ID}:root`] }]
    })
    const broken = 'arn:aws:iam::333333333333:role/flink-scaler'
    const ctx = await context({ region: 'us-east-1, eu-west-1', 'account-roles': `${SPOKE_ROLE}\n${broken}` })
    const { chosen, failed } = await select(ctx)
    expect(chosen.map((c) => [c.ref.name, c.ref.region, c.ref.account, c.ref.role, c.schedule?.name])).toEqual([
      ['orders', 'us-east-1', EMULATOR_ACCOUNT_ID, undefined, 'flat'],
      ['orders', 'us-east-1', SPOKE, SPOKE_ROLE, 'batch-night'],
      ['billing', 'eu-west-1', SPOKE, SPOKE_ROLE, 'flat']
    ])
    expect(failed.map((f) => [f.application, f.region, f.account])).toEqual([
      ['*', 'us-east-1', '333333333333'],
      ['*', 'eu-west-1', '333333333333']
    ])
    expect(failed[0].error).toMatch(/^Could not assume arn:aws:iam::333333333333:role\/flink-scaler \(account-roles, account 333333333333\): AccessDenied: User: arn:aws:iam::123456789012:user\/emulator is not authorized to perform: sts:AssumeRole/)
    expect(failed[0].hint).toContain('trust policy')
    // One AssumeRole per role, whatever the number of its regions; the broken one is not asked again.
    const assumed = em.requests.filter((r) => r.service === 'sts' && r.operation === 'AssumeRole')
    expect(assumed.map((r) => (r.body as { RoleArn: string }).RoleArn).sort()).toEqual([SPOKE_ROLE, broken])
    // The spoke's applications were read with the spoke role's session.
    const spokeReads = em.requests.filter((r) => r.operation === 'ListTagsForResource' && JSON.stringify(r.body).includes(SPOKE))
    expect(spokeReads).toHaveLength(3)
    expect(spokeReads.every((r) => r.sessionToken)).toBe(true)
  })

  it('IAM refusing ListApplications, or the tags, in a place fails that place alone, saying what to allow', async () => {
    const em = await emulator({
      applications: [
        { name: 'a', region: 'us-east-1', tags: { 'flink-schedule': 'flat' } },
        { name: 'b', region: 'eu-west-1', tags: { 'flink-schedule': 'flat' } },
        { name: 'c', region: 'ap-southeast-2', tags: { 'flink-schedule': 'flat' } }
      ]
    })
    const denyList = em.faults.set({ operation: 'ListApplications', accessDenied: true })
    const ctx = await context({ region: 'us-east-1' })
    const listing = await select(ctx)
    expect(listing.chosen).toEqual([])
    expect(listing.failed).toEqual([expect.objectContaining({ application: '*', region: 'us-east-1', action: 'failed' })])
    expect(listing.failed[0].error).toMatch(/^ListApplications in us-east-1 failed: User: .* is not authorized to perform: kinesisanalytics:ListApplications/)
    expect(listing.failed[0].hint).toContain('with Resource "*" (it cannot be scoped to an application)')
    denyList.clear()

    em.faults.set({ application: 'b', operation: 'ListTagsForResource', accessDenied: true })
    const tags = await select(await context({ region: 'us-east-1, eu-west-1, ap-southeast-2' }))
    expect(tags.chosen.map((c) => c.ref.name)).toEqual(['a', 'c'])
    expect(tags.failed.map((f) => [f.application, f.region])).toEqual([['*', 'eu-west-1']])
    expect(tags.failed[0].error).toMatch(/^The applications' tags cannot be read here, so none can be chosen by tag: /)
    expect(tags.failed[0].hint).toContain('kinesisanalytics:ListTagsForResource')
  })

  it('a named application where listing failed: described directly in the run\'s own first region, else the real cause; failures stand where the selection put them', async () => {
    const broken = 'arn:aws:iam::333333333333:role/flink-scaler'
    const em = await emulator({
      applications: [
        { name: 'a', region: 'us-east-1', tags: { 'flink-schedule': 'flat' } },
        { name: 'b', region: 'us-east-1', tags: { 'flink-schedule': 'flat' } }
      ],
      roles: [{ arn: SPOKE_ROLE, trust: [`arn:aws:iam::${EMULATOR_ACCOUNT_ID}:root`] }]
    })
    // The run's own region cannot be listed: a name there is described directly, as without select-by-tag.
    const deny = em.faults.set({ operation: 'ListApplications', accessDenied: true })
    const own = await select(await context({ region: 'us-east-1', 'application-name': 'a' }))
    expect(own.chosen.map((c) => [c.ref.name, c.ref.region, c.schedule])).toEqual([['a', 'us-east-1', undefined]])
    expect(own.failed.map((f) => [f.application, f.region])).toEqual([['*', 'us-east-1']])
    expect(own.failedAt).toEqual([1])
    deny.clear()

    // Another account cannot be listed: a name listed nowhere else may be there, and the failure says so, with what to do.
    const other = await select(await context({ region: 'us-east-1', 'application-name': 'zzz, a', 'account-roles': broken }))
    expect(other.failed.map((f) => [f.application, f.region, f.account])).toEqual([
      ['zzz', 'us-east-1', undefined],
      ['*', 'us-east-1', '333333333333']
    ])
    expect(other.failed[0].error).toBe(
      'No application "zzz" was found where the applications could be listed; it may be in us-east-1 in account 333333333333, which could not be listed (application "*" there says why).'
    )
    expect(other.failed[0].hint).toContain('trust policy')
    expect(other.failed[0].hint).toContain("Or give the application's ARN")
    // Named first, in their order, failed or not ("zzz" before "a"), then the tagged ("b"), then the places not listed.
    expect(other.chosen.map((c) => c.ref.name)).toEqual(['a', 'b'])
    expect(other.failedAt).toEqual([0, 2])

    // Listed, but its tags refused: a named application fails with why, not "not found".
    em.faults.set({ application: 'b', operation: 'ListTagsForResource', accessDenied: true })
    const tags = await select(await context({ region: 'us-east-1', 'application-name': 'b' }))
    expect(tags.failed.map((f) => [f.application, f.region])).toEqual([['b', 'us-east-1'], ['*', 'us-east-1']])
    expect(tags.failed[0].error).toMatch(/^Its tags cannot be read \(IAM refused kinesisanalytics:ListTagsForResource in us-east-1\), so which schedule it follows/)
    expect(tags.chosen).toEqual([])
  })
})
