/**
 * Fleets chosen by tag, end to end against the bundle: 300 applications in 3 regions of 2 accounts
 * (one reached through account-roles from the OIDC role), half tagged across three named schedules
 * (a few naming none), half untagged. Every tagged one reaches its own schedule's target; an
 * untagged one costs its one ListTagsForResource and nothing more; every request is counted. Then:
 * a role that cannot be assumed, check-only over named schedules, and bad input with no AWS call.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { EMULATOR_ACCOUNT_ID, EMULATOR_ROLE_ARN, loadCurves, type Emulator, type SeedApplication } from '../../emulator/index.js'
import { calls, emulatorWith, errors, results, run } from './support.js'

const SPOKE = '210987654321'
const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/flink-scaler`
const REGIONS = { 'us-east-1': 70, 'eu-west-1': 50, 'ap-southeast-2': 30 } as const
const NAMES = ['business-hours', 'batch-night', 'flat'] as const

const SCHEDULES = `timezone: America/Los_Angeles
holidays: US
schedules:
  business-hours:
    default: { kpu: 4 }
    rules:
      - { name: daytime, days: Mon-Fri, from: "07:00", to: "19:00", on-holidays: skip, kpu: 12 }
  batch-night:
    default: { kpu: 2 }
    rules:
      - { name: nightly, from: "01:00", to: "05:00", kpu: 16 }
  flat:
    default: { parallelism: 3 }
`
/** Wednesday 02:00 in Los Angeles: business-hours asks for 4 KPU, batch-night for 16, flat for parallelism 3. */
const AT = '2026-12-02T02:00:00-08:00'
const TARGET: Record<string, number> = { 'business-hours': 4, 'batch-night': 16, flat: 3 }

const started: Emulator[] = []
afterAll(async () => {
  await Promise.all(started.map((e) => e.stop()))
})

interface Seed extends SeedApplication {
  account: string
  region: string
  /** The schedule its tag names, when tagged. */
  schedule?: string
}

/** 150 applications per account (the same names in both), every other one tagged; 3 per account name a schedule that does not exist. */
function fleet(): Seed[] {
  const seeds: Seed[] = []
  for (const account of [EMULATOR_ACCOUNT_ID, SPOKE]) {
    for (const [region, count] of Object.entries(REGIONS)) {
      for (let j = 0; j < count; j++) {
        const i = seeds.length
        const k = (i % 150) / 2
        const schedule = i % 2 !== 0 ? undefined : k % 25 === 24 ? 'nightly' : NAMES[k % 3]
        seeds.push({
          name: `app-${region}-${String(j).padStart(2, '0')}`,
          account,
          region,
          parallelism: 1,
          tags: schedule ? { 'flink-schedule': schedule, team: 'data' } : { team: 'data' },
          ...(schedule ? { schedule } : {})
        })
      }
    }
  }
  return seeds
}

describe('select-by-tag over a fleet of two accounts', () => {
  it.concurrent('300 applications: each tagged one at its schedule\'s target, the untagged untouched, every request counted', async () => {
    const seeds = fleet()
    const emulator = await emulatorWith({ applications: seeds, roles: [{ arn: SPOKE_ROLE, trust: [EMULATOR_ROLE_ARN] }] })
    started.push(emulator)
    const result = await run(emulator, {
      'select-by-tag': 'flink-schedule',
      region: Object.keys(REGIONS).join(', '),
      'role-to-assume': EMULATOR_ROLE_ARN,
      'account-roles': SPOKE_ROLE,
      schedule: SCHEDULES,
      at: AT,
      'metrics-namespace': 'FlinkFleet'
    })

    const tagged = seeds.filter((s) => s.schedule && s.schedule in TARGET)
    const unknown = seeds.filter((s) => s.schedule === 'nightly')
    const untagged = seeds.filter((s) => !s.schedule)
    expect([tagged.length, unknown.length, untagged.length]).toEqual([144, 6, 150])

    // Every tagged application at its own schedule's target, in its own account.
    for (const s of tagged) {
      expect([s.name, s.account, emulator.application(s.name, s.region, s.account).parallelism.parallelism]).toEqual([s.name, s.account, TARGET[s.schedule!]])
    }
    for (const s of [...untagged, ...unknown]) expect(emulator.application(s.name, s.region, s.account).parallelism.parallelism).toBe(1)

    // results: one per tagged application, naming its account and schedule; the untagged are not reported.
    const byKey = new Map(results(result).map((r) => [`${r.account}/${r.region}/${r.application}`, r]))
    expect(byKey.size).toBe(150)
    for (const s of tagged) {
      expect(byKey.get(`${s.account}/${s.region}/${s.name}`)).toMatchObject({ action: 'updated', schedule: s.schedule, account: s.account, targetParallelism: TARGET[s.schedule!] })
    }
    for (const s of unknown) {
      expect(byKey.get(`${s.account}/${s.region}/${s.name}`)).toMatchObject({
        action: 'failed',
        account: s.account,
        error: 'Its tag flink-schedule is "nightly", which names no schedule; the schedules are: business-hours, batch-night, flat.'
      })
    }
    expect(result.exitCode).toBe(1)
    expect(result.outputs.changed).toBe('true')
    expect(errors(result)).toHaveLength(6)

    // Requests: every page of every place, each application's tags once, nothing more for the untagged.
    const listPages = calls(emulator, 'ListApplications')
    expect(listPages).toHaveLength(8) // per account: 70 in us-east-1 are 2 pages of 50, then 1 and 1
    expect(listPages.every((r) => (r.body as { Limit?: number }).Limit === 50)).toBe(true)
    const tagReads = calls(emulator, 'ListTagsForResource').map((r) => (r.body as { ResourceARN: string }).ResourceARN)
    expect(tagReads).toHaveLength(300)
    expect(new Set(tagReads).size).toBe(300)
    const untaggedNames = new Set(untagged.map((s) => s.name))
    const about = (r: { body: unknown }) => (r.body as { ApplicationName?: string }).ApplicationName ?? ''
    expect(emulator.requests.filter((r) => r.service === 'kinesisanalytics' && r.operation !== 'ListTagsForResource' && untaggedNames.has(about(r)))).toEqual([])
    expect(emulator.requests.filter((r) => unknown.some((s) => s.name === about(r)) && r.operation !== 'ListTagsForResource')).toEqual([])
    expect(calls(emulator, 'UpdateApplication').filter((r) => r.status === 200)).toHaveLength(144)
    expect(calls(emulator, 'TagResource')).toHaveLength(0)
    const sts = emulator.requests.filter((r) => r.service === 'sts').map((r) => r.operation)
    expect(sts.sort()).toEqual(['AssumeRole', 'AssumeRoleWithWebIdentity'])
    const counted = calls(emulator).reduce<Record<string, number>>((n, r) => ({ ...n, [r.operation]: (n[r.operation] ?? 0) + 1 }), {})
    // Each tagged application: described, updated, its operation followed, described once more at its target.
    // Each update's snapshots are counted once it is at its target (one page each).
    expect(counted).toMatchObject({ ListApplications: 8, ListTagsForResource: 300, DescribeApplication: 288, UpdateApplication: 144, ListApplicationSnapshots: 144 })
    expect(counted.DescribeApplicationOperation).toBeGreaterThanOrEqual(144)
    expect(Object.keys(counted).sort()).toEqual(['DescribeApplication', 'DescribeApplicationOperation', 'ListApplicationSnapshots', 'ListApplications', 'ListTagsForResource', 'UpdateApplication'])

    // The summary: failures first, then one section per schedule with its week.
    const summary = result.summary
    const failures = summary.indexOf('### What failed and how to fix it (6)')
    const perSchedule = NAMES.map((name) => summary.indexOf(`### Schedule \`${name}\`: ${tagged.filter((s) => s.schedule === name).length} applications`))
    expect(failures).toBeGreaterThan(0)
    for (const at of perSchedule) expect(at).toBeGreaterThan(failures)
    expect(summary.indexOf('### Following no schedule: 6 applications')).toBeGreaterThan(failures)
    // business-hours and batch-night change this week; flat never does.
    expect(summary.match(/^Next change: /gm)).toHaveLength(2)
    expect(summary.match(/^The schedule does not change in the next 7 days\./gm)).toHaveLength(1)
    expect(summary).toContain('| Application | Account | Status |')

    // Metrics: per application as always, plus one set per schedule and per account.
    const reconciled = emulator.metrics.filter((m) => m.name === 'Reconciled')
    const dims = (m: (typeof reconciled)[number]) => Object.keys(m.dimensions).sort().join(',')
    expect(reconciled.filter((m) => dims(m) === 'Application,Region')).toHaveLength(150)
    for (const name of NAMES) {
      expect(reconciled.filter((m) => dims(m) === 'Schedule' && m.dimensions.Schedule === name)).toHaveLength(tagged.filter((s) => s.schedule === name).length)
    }
    for (const account of [EMULATOR_ACCOUNT_ID, SPOKE]) {
      expect(reconciled.filter((m) => dims(m) === 'Account' && m.dimensions.Account === account)).toHaveLength(75)
    }
  })

  it.concurrent('a role that cannot be assumed fails its account, naming the role; the other accounts go on', async () => {
    const broken = 'arn:aws:iam::333333333333:role/flink-scaler'
    const emulator = await emulatorWith({
      applications: [
        { name: 'orders', region: 'us-east-1', tags: { 'flink-schedule': 'batch-night' } },
        { name: 'orders', region: 'us-east-1', account: SPOKE, tags: { 'flink-schedule': 'flat' } }
      ],
      roles: [{ arn: SPOKE_ROLE, trust: [EMULATOR_ROLE_ARN] }]
    })
    started.push(emulator)
    const result = await run(emulator, {
      'select-by-tag': 'flink-schedule',
      region: 'us-east-1',
      'role-to-assume': EMULATOR_ROLE_ARN,
      'account-roles': `${SPOKE_ROLE}\n${broken}`,
      'application-name': 'arn:aws:kinesisanalytics:us-east-1:333333333333:application/ledger',
      schedule: SCHEDULES,
      at: AT
    })
    const found = results(result)
    expect(found.map((r) => [r.application, r.account, r.action])).toEqual([
      ['ledger', '333333333333', 'failed'],
      ['orders', EMULATOR_ACCOUNT_ID, 'updated'],
      ['orders', SPOKE, 'updated'],
      ['*', '333333333333', 'failed']
    ])
    for (const failed of found.filter((r) => r.action === 'failed')) {
      expect(failed.error).toMatch(/^Could not assume arn:aws:iam::333333333333:role\/flink-scaler \(account-roles, account 333333333333\): AccessDenied: User: arn:aws:sts::123456789012:assumed-role\/flink-scaler\/flink-scheduled-scaler is not authorized to perform: sts:AssumeRole/)
    }
    expect(emulator.application('orders', 'us-east-1', SPOKE).parallelism.parallelism).toBe(3)
    expect(emulator.application('orders', 'us-east-1').parallelism.parallelism).toBe(16)
    expect(result.exitCode).toBe(1)
    expect(errors(result).map((e) => e.title)).toEqual([
      'ledger (us-east-1, account 333333333333): scaling failed',
      '* (us-east-1, account 333333333333): scaling failed'
    ])
    expect(result.summary).toContain('- **Every application** (us-east-1, account 333333333333): Could not assume')
    // The broken role was asked once; its account's applications were never asked for.
    expect(emulator.requests.filter((r) => r.service === 'sts' && r.operation === 'AssumeRole')).toHaveLength(2)
  })

  it.concurrent('application-name with named schedules and default-schedule, no tags needed: each follows its schedule', async () => {
    const emulator = await emulatorWith({
      applications: [
        { name: 'orders', region: 'eu-west-1', tags: { 'flink-schedule': 'batch-night' } },
        { name: 'clicks', region: 'eu-west-1' }
      ]
    })
    started.push(emulator)
    const result = await run(emulator, {
      'application-name': 'orders, clicks',
      region: 'eu-west-1',
      'select-by-tag': 'flink-schedule',
      schedule: `${SCHEDULES}default-schedule: flat\n`,
      at: AT
    })
    expect(results(result).map((r) => [r.application, r.schedule, r.targetParallelism])).toEqual([
      ['orders', 'batch-night', 16],
      ['clicks', 'flat', 3]
    ])
    expect(result.outputs['target-parallelism']).toBe('16')
    // The first application's schedule (batch-night) changes next at 05:00 in Los Angeles.
    expect(result.outputs['next-transition']).toBe('2026-12-02T13:00:00.000Z')
    expect(calls(emulator, 'ListTagsForResource')).toHaveLength(2)
  })
  it.concurrent("a named schedule's guard reads each account's own metrics: the same name idle in one account scales down, busy in the other waits", async () => {
    const now = Date.now()
    const evening = (busy: number) => ({ curve: loadCurves.steps(busy, [[now + 10 * 60_000, 1]]), since: now - 20 * 60_000 })
    const tags = { 'flink-schedule': 'evening' }
    const emulator = await emulatorWith({
      applications: [
        { name: 'orders', parallelism: 8, tags, load: evening(1) },
        { name: 'orders', account: SPOKE, parallelism: 8, tags, load: evening(12) }
      ],
      roles: [{ arn: SPOKE_ROLE, trust: [EMULATOR_ROLE_ARN] }]
    })
    started.push(emulator)
    // From 18:00 in Los Angeles the evening schedule asks for 2, guarded by the jobs' lag and CPU.
    const schedule = `timezone: America/Los_Angeles
schedules:
  evening:
    default: { parallelism: 2 }
    guard: { lag: 60s, cpu: 70% }
    rules:
      - { name: daytime, from: "06:00", to: "18:00", parallelism: 8 }
`
    const result = await run(emulator, {
      'select-by-tag': 'flink-schedule',
      region: 'us-east-1',
      'role-to-assume': EMULATOR_ROLE_ARN,
      'account-roles': SPOKE_ROLE,
      schedule,
      at: '2026-12-02T18:10:00-08:00'
    })
    expect(errors(result)).toEqual([])
    const byAccount = Object.fromEntries(results(result).map((r) => [r.account ?? EMULATOR_ACCOUNT_ID, r]))
    expect(byAccount[EMULATOR_ACCOUNT_ID]).toMatchObject({ application: 'orders', schedule: 'evening', action: 'updated', targetParallelism: 2 })
    expect(byAccount[SPOKE]).toMatchObject({ application: 'orders', schedule: 'evening', account: SPOKE, action: 'deferred', previousParallelism: 8, targetParallelism: 2 })
    expect(emulator.application('orders', 'us-east-1', EMULATOR_ACCOUNT_ID).parallelism.parallelism).toBe(2)
    expect(emulator.application('orders', 'us-east-1', SPOKE).parallelism.parallelism).toBe(8)
    // One GetMetricData per account, each signed with that account's own credentials.
    const reads = emulator.requests.filter((r) => r.service === 'cloudwatch' && r.operation === 'GetMetricData')
    expect(reads).toHaveLength(2)
    expect(new Set(reads.map((r) => r.accessKeyId)).size).toBe(2)
    // The summary groups both under the schedule, the deferral in a group of its own with the account.
    expect(result.summary).toContain('**Deferred: scale-downs that wait**')
    expect(result.summary).toMatch(new RegExp(`\\| Application \\| Account \\| Runs at \\|[^\\n]*\\n[^\\n]*\\n\\| \\[orders\\]\\([^)]*\\) \\| ${SPOKE} \\|`))
  })
})

describe('named schedules checked before merge, and bad input', () => {
  it.concurrent('check-only validates and draws every named schedule, with no AWS call', async () => {
    const emulator = await emulatorWith({})
    started.push(emulator)
    const result = await run(
      emulator,
      { 'check-only': 'true', 'schedule-file': '.github/fleet.yml', at: AT },
      { files: { '.github/fleet.yml': SCHEDULES }, envOptions: { credentials: false, oidc: false } }
    )
    expect(result.exitCode).toBe(0)
    expect(emulator.requests).toEqual([])
    expect(result.summary).toContain('> **Check only**: the 3 named schedules are valid.')
    for (const name of NAMES) expect(result.summary).toContain(`### Schedule \`${name}\`\n`)
    expect(result.summary.match(/```text/g)).toHaveLength(3)
    expect(result.stdout).toContain('The 3 named schedules in .github/fleet.yml are valid.')
    expect(result.stdout).toContain('Schedule batch-night: 16 KPU now (rule nightly); next 2 KPU at 2026-12-02T13:00:00.000Z (the default).')
  })

  it.concurrent.each<[string, Record<string, string>, RegExp, { file: string; line: number }?]>([
    ['a tag key AWS would not accept', { 'select-by-tag': 'aws:schedule', schedule: SCHEDULES }, /^Input "select-by-tag" \("aws:schedule"\) starts with "aws:"/],
    ['an account-roles line that is not a role ARN', { 'select-by-tag': 'flink-schedule', schedule: SCHEDULES, 'account-roles': '210987654321' }, /^Input "account-roles" has "210987654321", which is not an IAM role ARN\./],
    ['select-by-tag with no named schedules', { 'select-by-tag': 'flink-schedule', schedule: 'default: { kpu: 2 }' }, /^Input "select-by-tag" is set \(flink-schedule\), but the schedule holds no named schedules/],
    ['a default-schedule naming nothing', { 'select-by-tag': 'flink-schedule', schedule: `${SCHEDULES}default-schedule: nightly\n` }, /^Schedule error in default-schedule: "nightly" is not one of the schedules/],
    [
      'a named schedule that is invalid',
      { 'select-by-tag': 'flink-schedule', 'schedule-file': 'fleet.yml' },
      /^Schedule error in schedules\.batch-night\.rules\[0\]\.from: "25:00" is not a valid time/,
      { file: 'fleet.yml', line: 11 }
    ],
    ['schedules mixed with top-level rules', { 'select-by-tag': 'flink-schedule', schedule: `${SCHEDULES}rules: []\n` }, /^Schedule error in rules: top-level rules beside "schedules"/]
  ])('%s: one clear error, no AWS call', async (_what, inputs, message, location) => {
    const emulator = await emulatorWith({ applications: [{ name: 'orders', tags: { 'flink-schedule': 'flat' } }] })
    started.push(emulator)
    const result = await run(emulator, { region: 'us-east-1', 'role-to-assume': EMULATOR_ROLE_ARN, ...inputs }, { files: { 'fleet.yml': SCHEDULES.replace('"01:00"', '"25:00"') } })
    expect(result.exitCode).toBe(1)
    const [error, ...more] = errors(result)
    expect(more).toEqual([])
    expect(error.title).toBe('Invalid input: nothing was changed')
    expect(error.message).toMatch(message)
    if (location) expect(error).toMatchObject(location)
    expect(emulator.requests).toEqual([])
  })
})
