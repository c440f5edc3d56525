import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { readConfig, type Config } from '../src/github/config.js'
import { ScalerError } from '../src/errors.js'
import { actionInputs as reader, inputDefaults } from './fixtures/action-inputs.js'
import { DAYTIME_SCHEDULE } from './fixtures/application.js'

// Tuesday 2026-03-10 12:00 UTC = 05:00 in Los Angeles (PDT since March 8).
const NOW = new Date('2026-03-10T12:00:00Z')
const clock = () => NOW
const SCHEDULE = DAYTIME_SCHEDULE

const ENV = { AWS_REGION: 'us-west-2' }
const base = { 'application-name': 'orders-enricher', schedule: SCHEDULE }

function config(inputs: Record<string, string>, env: NodeJS.ProcessEnv = ENV): Promise<Config> {
  return readConfig(reader(inputs), env, clock)
}

async function inputErrorFrom(inputs: Record<string, string>, env: NodeJS.ProcessEnv = ENV): Promise<ScalerError> {
  try {
    await config(inputs, env)
  } catch (error) {
    if (error instanceof ScalerError) return error
    throw error
  }
  throw new Error(`readConfig accepted ${JSON.stringify(inputs)}`)
}

const workspace = mkdtempSync(path.join(tmpdir(), 'flink-scaler-config-'))
writeFileSync(path.join(workspace, 'flink-schedule.yml'), SCHEDULE)

const ARN = (region: string, name: string) => `arn:aws:kinesisanalytics:${region}:123456789012:application/${name}`

describe('readConfig: input errors name the input and say what to do', () => {
  it.each<{ name: string; inputs: Record<string, string>; env?: NodeJS.ProcessEnv; names: string[] }>([
    { name: 'both schedule and schedule-file', inputs: { ...base, 'schedule-file': 'flink-schedule.yml' }, names: ['"schedule"', '"schedule-file"'] },
    {
      name: 'schedule-file that does not exist',
      inputs: { 'application-name': 'orders-enricher', 'schedule-file': 'missing.yml' },
      env: { ...ENV, GITHUB_WORKSPACE: workspace },
      names: ['schedule-file', 'missing.yml']
    },
    { name: 'both parallelism and kpu', inputs: { ...base, parallelism: '4', kpu: '2' }, names: ['"parallelism"', '"kpu"'] },
    { name: 'parallelism not an integer', inputs: { ...base, parallelism: '1.5' }, names: ['"parallelism"', '1.5'] },
    { name: 'parallelism not a number', inputs: { ...base, parallelism: 'ten' }, names: ['"parallelism"', 'ten'] },
    { name: 'parallelism zero', inputs: { ...base, parallelism: '0' }, names: ['"parallelism"'] },
    { name: 'parallelism negative', inputs: { ...base, parallelism: '-3' }, names: ['"parallelism"', '-3'] },
    { name: 'kpu zero', inputs: { ...base, kpu: '0' }, names: ['"kpu"'] },
    { name: 'kpu not an integer', inputs: { ...base, kpu: '2.5' }, names: ['"kpu"'] },
    { name: 'wait-timeout-seconds zero', inputs: { ...base, 'wait-timeout-seconds': '0' }, names: ['"wait-timeout-seconds"'] },
    { name: 'wait-timeout-seconds with a unit', inputs: { ...base, 'wait-timeout-seconds': '30m' }, names: ['"wait-timeout-seconds"'] },
    { name: 'dry-run "yes"', inputs: { ...base, 'dry-run': 'yes' }, names: ['"dry-run"', 'yes'] },
    { name: 'wait "yes"', inputs: { ...base, wait: 'yes' }, names: ['"wait"'] },
    { name: 'allow-stateless-restart "yes"', inputs: { ...base, 'allow-stateless-restart': 'yes' }, names: ['"allow-stateless-restart"'] },
    { name: 'release-hold "yes"', inputs: { ...base, 'release-hold': 'yes' }, names: ['"release-hold"'] },
    { name: 'autoscaling "on"', inputs: { ...base, autoscaling: 'on' }, names: ['"autoscaling"', 'on'] },
    { name: 'no target at all', inputs: { 'application-name': 'orders-enricher' }, names: ['schedule', 'parallelism', 'kpu'] },
    { name: 'a bare name without any region', inputs: base, env: {}, names: ['orders-enricher', 'region'] },
    { name: 'a region that is not a region code', inputs: { ...base, region: 'Oregon' }, names: ['"region"', 'Oregon'] },
    { name: 'a region with spaces', inputs: { ...base, region: 'us west 2' }, names: ['"region"', 'us west 2'] },
    { name: 'an empty application-name', inputs: { ...base, 'application-name': '' }, names: ['"application-name"'] },
    { name: 'only separators in application-name', inputs: { ...base, 'application-name': ' ,\n, ' }, names: ['"application-name"'] },
    { name: 'a name with a space', inputs: { ...base, 'application-name': 'orders enricher' }, names: ['"application-name"', 'orders enricher'] },
    { name: 'a name with a slash', inputs: { ...base, 'application-name': 'team/orders' }, names: ['"application-name"', 'team/orders'] },
    { name: 'a name of 129 characters', inputs: { ...base, 'application-name': 'a'.repeat(129) }, names: ['"application-name"'] },
    {
      name: 'an ARN of another service',
      inputs: { ...base, 'application-name': 'arn:aws:kinesis:us-west-2:123456789012:stream/orders' },
      names: ['"application-name"', 'stream/orders']
    },
    {
      name: 'a bad name after a good one',
      inputs: { ...base, 'application-name': 'orders-enricher\nbad name' },
      names: ['"application-name"', 'bad name']
    },
    { name: 'role-to-assume not an ARN', inputs: { ...base, 'role-to-assume': 'flink-scaler' }, names: ['"role-to-assume"', 'flink-scaler'] },
    {
      name: 'role-to-assume with a short account',
      inputs: { ...base, 'role-to-assume': 'arn:aws:iam::12345:role/flink-scaler' },
      names: ['"role-to-assume"']
    },
    {
      name: 'role-to-assume is a user',
      inputs: { ...base, 'role-to-assume': 'arn:aws:iam::123456789012:user/flink-scaler' },
      names: ['"role-to-assume"']
    },
    { name: 'role-session-name with a space', inputs: { ...base, 'role-session-name': 'my session' }, names: ['"role-session-name"'] },
    { name: 'role-duration-seconds 899', inputs: { ...base, 'role-duration-seconds': '899' }, names: ['"role-duration-seconds"', '899'] },
    { name: 'role-duration-seconds 43201', inputs: { ...base, 'role-duration-seconds': '43201' }, names: ['"role-duration-seconds"'] },
    { name: 'parallelism-per-kpu 0', inputs: { ...base, 'parallelism-per-kpu': '0' }, names: ['"parallelism-per-kpu"'] },
    { name: 'parallelism-per-kpu 9', inputs: { ...base, 'parallelism-per-kpu': '9' }, names: ['"parallelism-per-kpu"', '9'] },
    { name: 'hold-until without a manual target', inputs: { ...base, 'hold-until': '4h' }, names: ['"hold-until"', 'manual'] },
    { name: 'hold-until unparseable', inputs: { ...base, parallelism: '4', 'hold-until': 'soon' }, names: ['"hold-until"', 'soon'] },
    { name: 'hold-until with a spelled-out unit', inputs: { ...base, parallelism: '4', 'hold-until': '4 hours' }, names: ['"hold-until"'] },
    { name: 'hold-until a zero duration', inputs: { ...base, parallelism: '4', 'hold-until': '0m' }, names: ['"hold-until"'] },
    {
      name: 'hold-until in the past',
      inputs: { ...base, parallelism: '4', 'hold-until': '2026-03-10T11:59:00Z' },
      names: ['"hold-until"', '2026-03-10T11:59:00']
    },
    { name: 'hold-until exactly now', inputs: { ...base, parallelism: '4', 'hold-until': '2026-03-10T12:00:00Z' }, names: ['"hold-until"'] },
    {
      name: 'hold-until next-transition without a schedule',
      inputs: { 'application-name': 'orders-enricher', parallelism: '4', 'hold-until': 'next-transition' },
      names: ['"hold-until"', 'schedule']
    },
    {
      name: 'hold-until with release-hold',
      inputs: { ...base, parallelism: '4', 'hold-until': '4h', 'release-hold': 'true' },
      names: ['"hold-until"', '"release-hold"']
    },
    { name: 'manual parallelism above the schedule max', inputs: { ...base, parallelism: '65' }, names: ['parallelism', '65', '64'] },
    { name: 'at not a date', inputs: { ...base, at: 'next tuesday' }, names: ['"at"', 'next tuesday'] },
    { name: 'at with month 13', inputs: { ...base, at: '2026-13-01T00:00:00Z' }, names: ['"at"'] },
    { name: 'prune-snapshots under 10', inputs: { ...base, 'prune-snapshots': '9' }, names: ['"prune-snapshots"', '9'] },
    { name: 'prune-snapshots zero', inputs: { ...base, 'prune-snapshots': '0' }, names: ['"prune-snapshots"'] },
    { name: 'prune-snapshots not an integer', inputs: { ...base, 'prune-snapshots': '10.5' }, names: ['"prune-snapshots"', '10.5'] },
    { name: 'prune-snapshots negative', inputs: { ...base, 'prune-snapshots': '-20' }, names: ['"prune-snapshots"', '-20'] },
    { name: 'prune-snapshots a word', inputs: { ...base, 'prune-snapshots': 'all' }, names: ['"prune-snapshots"', 'all'] },
    { name: 'snapshot-limit zero', inputs: { ...base, 'snapshot-limit': '0' }, names: ['"snapshot-limit"'] },
    { name: 'snapshot-limit not an integer', inputs: { ...base, 'snapshot-limit': '1e3' }, names: ['"snapshot-limit"', '1e3'] },
    { name: 'snapshot-limit negative', inputs: { ...base, 'snapshot-limit': '-1000' }, names: ['"snapshot-limit"'] }
  ])('$name', async ({ inputs, env, names }) => {
    const error = (await inputErrorFrom(inputs, env))
    expect(error.kind).toBe('input')
    for (const name of names) expect(error.message).toContain(name)
    expect(error.hint).toMatch(/\w{3,}/)
  })

  it('a missing schedule-file points to actions/checkout', async () => {
    const error = (await inputErrorFrom({ 'application-name': 'orders-enricher', 'schedule-file': 'missing.yml' }, { ...ENV, GITHUB_WORKSPACE: workspace }))
    expect(error.hint).toMatch(/actions\/checkout/)
  })

  it('a bare name without a region says how to give one', async () => {
    const error = (await inputErrorFrom(base, {}))
    expect(error.hint).toMatch(/"region"/)
    expect(error.hint).toMatch(/ARN/)
  })

  it('range errors give the range', async () => {
    expect((await inputErrorFrom({ ...base, 'role-duration-seconds': '60' })).hint).toMatch(/900.*43200/)
    expect((await inputErrorFrom({ ...base, 'parallelism-per-kpu': '9' })).hint).toMatch(/1.*8/)
    expect((await inputErrorFrom({ ...base, 'prune-snapshots': '5' })).hint).toMatch(/at least 10.*empty to delete none/)
    expect((await inputErrorFrom({ ...base, 'snapshot-limit': '0' })).hint).toMatch(/at least 1.*1000/)
  })
})

describe('readConfig: good inputs', () => {
  it('reads every input action.yml declares (none is silently ignored)', async () => {
    const read = new Set<string>()
    const inputs = reader(base)
    await readConfig((name) => (read.add(name), inputs(name)), ENV, clock)
    expect([...read].sort()).toEqual(Object.keys(inputDefaults).sort())
  })

  it('uses the action.yml defaults for everything not given', async () => {
    const { schedule, ...rest } = (await config(base))
    expect(schedule?.timezone).toBe('America/Los_Angeles')
    expect(rest).toEqual({
      applications: [{ name: 'orders-enricher', region: 'us-west-2' }],
      autoscaling: 'keep',
      region: 'us-west-2',
      regions: ['us-west-2'],
      accountRoles: [],
      roleSessionName: 'flink-scheduled-scaler',
      roleDurationSeconds: 900,
      audience: 'sts.amazonaws.com',
      dryRun: false,
      wait: true,
      waitTimeoutSeconds: 1800,
      now: NOW,
      clock: NOW,
      atGiven: false,
      allowStatelessRestart: false,
      releaseHold: false,
      checkOnly: false,
      snapshotLimit: 1000
    })
  })

  it('reads every option when set', async () => {
    const c = (await config({
      ...base,
      kpu: '3',
      'parallelism-per-kpu': '8',
      autoscaling: 'disable',
      region: 'eu-west-1',
      'role-to-assume': 'arn:aws:iam::123456789012:role/flink-scaler',
      'role-session-name': 'nightly@scaler',
      'role-duration-seconds': '43200',
      audience: 'sts.example.com',
      'dry-run': 'true',
      wait: 'false',
      'wait-timeout-seconds': '60',
      'allow-stateless-restart': 'true',
      'release-hold': 'true'
    }))
    expect(c).toMatchObject({
      applications: [{ name: 'orders-enricher', region: 'eu-west-1' }],
      manual: { kpu: 3 },
      parallelismPerKpu: 8,
      autoscaling: 'disable',
      region: 'eu-west-1',
      roleToAssume: 'arn:aws:iam::123456789012:role/flink-scaler',
      roleSessionName: 'nightly@scaler',
      roleDurationSeconds: 43200,
      audience: 'sts.example.com',
      dryRun: true,
      wait: false,
      waitTimeoutSeconds: 60,
      allowStatelessRestart: true,
      releaseHold: true
    })
  })

  it('reads snapshot-limit and prune-snapshots; empty snapshot-limit is the service quota, empty prune-snapshots deletes none', async () => {
    expect(await config({ ...base, 'snapshot-limit': '200', 'prune-snapshots': '10' })).toMatchObject({ snapshotLimit: 200, pruneSnapshots: 10 })
    expect(await config({ ...base, 'prune-snapshots': '120' })).toMatchObject({ snapshotLimit: 1000, pruneSnapshots: 120 })
    const none = await config({ ...base, 'snapshot-limit': '', 'prune-snapshots': '' })
    expect(none.snapshotLimit).toBe(1000)
    expect('pruneSnapshots' in none).toBe(false)
  })

  it('reads the schedule from schedule-file, relative to GITHUB_WORKSPACE', async () => {
    const c = (await config(
      { 'application-name': 'orders-enricher', 'schedule-file': 'flink-schedule.yml' },
      { ...ENV, GITHUB_WORKSPACE: workspace }
    ))
    expect(c.schedule?.timezone).toBe('America/Los_Angeles')
    expect(c.schedule?.rules.map((rule) => rule.name)).toEqual(expect.arrayContaining([expect.any(String)]))
  })

  it('takes a manual target without any schedule', async () => {
    const c = (await config({ 'application-name': 'orders-enricher', parallelism: '12' }))
    expect(c.schedule).toBeUndefined()
    expect(c.manual).toEqual({ parallelism: 12 })
  })

  it.each([
    { name: 'comma separated', text: 'orders-enricher, payments_v2,clicks.sessionizer', names: ['orders-enricher', 'payments_v2', 'clicks.sessionizer'] },
    { name: 'newline separated', text: 'orders-enricher\npayments_v2\n\nclicks.sessionizer\n', names: ['orders-enricher', 'payments_v2', 'clicks.sessionizer'] },
    { name: 'mixed, with Windows line ends', text: 'orders-enricher,\r\npayments_v2\r\n', names: ['orders-enricher', 'payments_v2'] },
    { name: 'duplicates removed, first order kept', text: 'payments_v2\norders-enricher\npayments_v2, orders-enricher', names: ['payments_v2', 'orders-enricher'] }
  ])('application-name $name', async ({ text, names }) => {
    expect((await config({ ...base, 'application-name': text })).applications).toEqual(names.map((name) => ({ name, region: 'us-west-2' })))
  })

  it('an ARN fixes the region of its application', async () => {
    const c = (await config({ ...base, region: 'us-west-2', 'application-name': `orders-enricher\n${ARN('eu-central-1', 'orders-enricher')}` }))
    expect(c.applications).toEqual([
      { name: 'orders-enricher', region: 'us-west-2' },
      { name: 'orders-enricher', region: 'eu-central-1', arn: ARN('eu-central-1', 'orders-enricher') }
    ])
  })

  it('ARNs need no region input', async () => {
    const c = (await config({ ...base, 'application-name': ARN('ap-southeast-2', 'orders-enricher') }, {}))
    expect(c.applications).toEqual([{ name: 'orders-enricher', region: 'ap-southeast-2', arn: ARN('ap-southeast-2', 'orders-enricher') }])
  })

  it('a name and its own ARN are the same application', async () => {
    const c = (await config({ ...base, 'application-name': `orders-enricher, ${ARN('us-west-2', 'orders-enricher')}` }))
    expect(c.applications).toHaveLength(1)
    expect(c.applications[0]).toMatchObject({ name: 'orders-enricher', region: 'us-west-2' })
  })

  it('an ARN in another partition', async () => {
    const arn = 'arn:aws-cn:kinesisanalytics:cn-north-1:123456789012:application/orders'
    expect((await config({ ...base, 'application-name': arn }, {})).applications).toEqual([{ name: 'orders', region: 'cn-north-1', arn }])
  })

  it.each([
    { name: 'the region input over the environment', region: 'eu-west-1', env: { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-2' }, expected: 'eu-west-1' },
    { name: 'AWS_REGION', region: '', env: { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-2' }, expected: 'us-east-1' },
    { name: 'AWS_DEFAULT_REGION', region: '', env: { AWS_DEFAULT_REGION: 'us-east-2' }, expected: 'us-east-2' }
  ])('region from $name', async ({ region, env, expected }) => {
    const c = (await config({ ...base, region }, env))
    expect(c.region).toBe(expected)
    expect(c.applications).toEqual([{ name: 'orders-enricher', region: expected }])
  })

  it.each([
    { name: 'with Z', at: '2026-11-27T17:00:00Z', expected: '2026-11-27T17:00:00.000Z' },
    { name: 'with an offset', at: '2026-11-27T09:00:00-08:00', expected: '2026-11-27T17:00:00.000Z' },
    { name: 'with an offset other than the zone', at: '2026-11-27T09:00:00+01:00', expected: '2026-11-27T08:00:00.000Z' },
    { name: 'without offset, in the schedule zone (PST)', at: '2026-11-27T09:00', expected: '2026-11-27T17:00:00.000Z' },
    { name: 'without offset, in the schedule zone (PDT)', at: '2026-07-01T09:00:00', expected: '2026-07-01T16:00:00.000Z' }
  ])('at $name', async ({ at, expected }) => {
    const c = (await config({ ...base, at }))
    expect(c.now.toISOString()).toBe(expected)
    expect(c.atGiven).toBe(true)
  })

  it('at without offset and without a schedule is UTC', async () => {
    const c = (await config({ 'application-name': 'orders-enricher', parallelism: '4', at: '2026-07-01T09:00' }))
    expect(c.now.toISOString()).toBe('2026-07-01T09:00:00.000Z')
  })

  it.each([
    { name: '90m', holdUntil: '90m', expected: '2026-03-10T13:30:00.000Z' },
    { name: '4h', holdUntil: '4h', expected: '2026-03-10T16:00:00.000Z' },
    { name: '2d', holdUntil: '2d', expected: '2026-03-12T12:00:00.000Z' },
    { name: 'an ISO instant', holdUntil: '2026-03-11T00:00:00Z', expected: '2026-03-11T00:00:00.000Z' },
    { name: 'an ISO instant with an offset', holdUntil: '2026-03-10T18:00:00-07:00', expected: '2026-03-11T01:00:00.000Z' },
    { name: 'an ISO local time, in the schedule zone', holdUntil: '2026-03-10T18:00', expected: '2026-03-11T01:00:00.000Z' }
  ])('hold-until $name', async ({ holdUntil, expected }) => {
    const c = (await config({ ...base, parallelism: '16', 'hold-until': holdUntil }))
    expect((c.holdUntil as Date).toISOString()).toBe(expected)
    expect(c.manual).toEqual({ parallelism: 16 })
  })

  it('hold-until durations count from the real clock, not from at: a hold lives on the real clock', async () => {
    const c = (await config({ ...base, kpu: '4', at: '2026-11-27T17:00:00Z', 'hold-until': '4h' }))
    expect((c.holdUntil as Date).toISOString()).toBe('2026-03-10T16:00:00.000Z')
    expect(c.now.toISOString()).toBe('2026-11-27T17:00:00.000Z')
  })

  it('hold-until next-transition is found per application, once its ParallelismPerKPU is known', async () => {
    const c = (await config({ ...base, parallelism: '16', at: '2026-11-27T10:00', 'hold-until': 'next-transition' }))
    expect(c.holdUntil).toBe('next-transition')
  })

  it('an ARN for another account is another application; a name and its ARN are one', async () => {
    const other = 'arn:aws:kinesisanalytics:us-west-2:999999999999:application/orders-enricher'
    const c = (await config({ ...base, 'application-name': `orders-enricher\n${ARN('us-west-2', 'orders-enricher')}\n${other}` }))
    expect(c.applications.map((a) => a.arn)).toEqual([ARN('us-west-2', 'orders-enricher'), other])
  })

  it('a manual parallelism at the schedule bounds is accepted', async () => {
    expect((await config({ ...base, parallelism: '64' })).manual).toEqual({ parallelism: 64 })
    expect((await config({ ...base, parallelism: '1' })).manual).toEqual({ parallelism: 1 })
  })
})

describe('readConfig: suggest and suggest-utilization', () => {
  const suggesting = { 'application-name': 'orders-enricher', suggest: '28d' }

  it('suggest needs no schedule and no target, aims at 60% by default, and changes nothing', async () => {
    const c = await config(suggesting)
    expect(c.suggest).toEqual({ days: 28, utilization: 60 })
    expect(c.schedule).toBeUndefined()
    expect(c.manual).toBeUndefined()
    expect(c.dryRun).toBe(true)
  })

  it('takes a schedule beside it (its zone is the proposal\'s) and a utilization in percent', async () => {
    const c = await config({ ...suggesting, schedule: SCHEDULE, 'suggest-utilization': '75%' })
    expect(c.suggest).toEqual({ days: 28, utilization: 75 })
    expect(c.schedule?.timezone).toBe('America/Los_Angeles')
  })

  it.each([
    ['7d', '30%', { days: 7, utilization: 30 }],
    ['63d', '90%', { days: 63, utilization: 90 }],
    ['14d', '62.5%', { days: 14, utilization: 62.5 }],
    ['21d', '45', { days: 21, utilization: 45 }],
    ['28d', '', { days: 28, utilization: 60 }]
  ])('suggest %s at %s', async (suggest, utilization, expected) => {
    expect((await config({ ...suggesting, suggest, 'suggest-utilization': utilization })).suggest).toEqual(expected)
  })

  it('without suggest there is no suggestion, and the run is not made a dry run', async () => {
    const c = await config({ ...base, 'suggest-utilization': '80%' })
    expect(c.suggest).toBeUndefined()
    expect(c.dryRun).toBe(false)
  })

  it.each(['6d', '64d', '0d', '4w', '28', 'd', '2.5d', '-7d', '28D', 'twenty-eight days'])('rejects suggest "%s", saying the range', async (suggest) => {
    const error = await inputErrorFrom({ ...suggesting, suggest })
    expect(error.kind).toBe('input')
    expect(error.message).toContain('"suggest"')
    expect(error.message).toContain(suggest)
    expect(error.hint).toMatch(/7d.*63d/)
  })

  it.each(['29%', '91%', '0.6', '100%', 'sixty', '60 percent', '-50%'])('rejects suggest-utilization "%s", with or without suggest', async (utilization) => {
    for (const inputs of [{ ...suggesting, 'suggest-utilization': utilization }, { ...base, 'suggest-utilization': utilization }]) {
      const error = await inputErrorFrom(inputs)
      expect(error.kind).toBe('input')
      expect(error.message).toContain('"suggest-utilization"')
      expect(error.hint).toMatch(/30%.*90%/)
    }
  })

  it.each<[string, Record<string, string>]>([
    ['parallelism', { parallelism: '4' }],
    ['kpu', { kpu: '2' }],
    ['hold-until', { 'hold-until': '4h' }],
    ['release-hold', { 'release-hold': 'true' }],
    ['check-only', { 'check-only': 'true' }]
  ])('rejects suggest with %s, naming both', async (input, inputs) => {
    const error = await inputErrorFrom({ ...suggesting, schedule: SCHEDULE, ...inputs })
    expect(error.kind).toBe('input')
    expect(error.message).toContain('"suggest"')
    expect(error.message).toContain(`"${input}"`)
    expect(error.hint).toMatch(/\w{3,}/)
  })
})
