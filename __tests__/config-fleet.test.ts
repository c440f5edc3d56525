/**
 * The inputs of fleets: named schedules, select-by-tag, several regions and account-roles. Good
 * ones become a typed Config; each bad one is one input error naming the field (and, for a schedule
 * file, its line), found before any AWS call.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { readConfig, type Config } from '../src/github/config.js'
import { ScalerError } from '../src/errors.js'
import { actionInputs } from './fixtures/action-inputs.js'

const NOW = new Date('2026-03-10T12:00:00Z')
const ENV = { AWS_REGION: 'us-west-2' }

const FLEET = `timezone: America/Los_Angeles
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
`
const HUB_ROLE = 'arn:aws:iam::123456789012:role/flink-scaler'
const SPOKE_ROLE = 'arn:aws:iam::210987654321:role/flink-scaler'

const workspace = mkdtempSync(path.join(tmpdir(), 'flink-scaler-fleet-'))
writeFileSync(path.join(workspace, 'fleet.yml'), FLEET)
writeFileSync(path.join(workspace, 'bad-holidays.yml'), FLEET.replace('  batch-night:\n', '  batch-night:\n    holidays: XX-YY\n'))
const WORKSPACE_ENV = { ...ENV, GITHUB_WORKSPACE: workspace }

const fleet = { 'select-by-tag': 'flink-schedule', schedule: FLEET }

function config(inputs: Record<string, string>, env: NodeJS.ProcessEnv = ENV): Promise<Config> {
  return readConfig(actionInputs(inputs), env, () => NOW)
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

describe('readConfig: fleets', () => {
  it('select-by-tag with named schedules, regions and account-roles, without application-name', async () => {
    const c = await config({ ...fleet, region: 'us-east-1, eu-west-1\nap-southeast-2\neu-west-1', 'account-roles': `${SPOKE_ROLE}\n` })
    expect(c.selectByTag).toBe('flink-schedule')
    expect(c.regions).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2'])
    expect(c.region).toBe('us-east-1')
    expect(c.accountRoles).toEqual([{ arn: SPOKE_ROLE, account: '210987654321' }])
    expect(c.applications).toEqual([])
    expect(c.schedule).toBeUndefined()
    expect([...c.schedules!.byName.keys()]).toEqual(['business-hours', 'batch-night'])
    // The holiday calendar of each schedule that names holidays is loaded with the config.
    expect(c.schedules!.byName.get('batch-night')!.calendar?.codes).toEqual(['US'])
  })

  it('an ARN in an account of account-roles is reached through its role; names and other ARNs through the run\'s own credentials', async () => {
    const c = await config({
      ...fleet,
      'account-roles': SPOKE_ROLE,
      'application-name': 'orders, arn:aws:kinesisanalytics:eu-west-1:210987654321:application/billing, arn:aws:kinesisanalytics:eu-west-1:123456789012:application/clicks'
    })
    expect(c.applications).toEqual([
      { name: 'orders', region: 'us-west-2' },
      { name: 'billing', region: 'eu-west-1', arn: 'arn:aws:kinesisanalytics:eu-west-1:210987654321:application/billing', account: '210987654321', role: SPOKE_ROLE },
      { name: 'clicks', region: 'eu-west-1', arn: 'arn:aws:kinesisanalytics:eu-west-1:123456789012:application/clicks', account: '123456789012' }
    ])
  })

  it('named schedules with application-name follow default-schedule, without select-by-tag', async () => {
    const c = await config({ 'application-name': 'orders', schedule: `${FLEET}default-schedule: batch-night\n` })
    expect(c.schedules?.defaultSchedule).toBe('batch-night')
    expect(c.selectByTag).toBeUndefined()
  })

  it('check-only validates every named schedule, with no application, region or tag', async () => {
    const c = await config({ 'check-only': 'true', schedule: FLEET }, {})
    expect(c.checkOnly).toBe(true)
    expect(c.schedules?.byName.size).toBe(2)
  })

  it('at without an offset is read in the zone of default-schedule, else of the first named schedule', async () => {
    const zoned = FLEET.replace('  batch-night:\n', '  batch-night:\n    timezone: Europe/Berlin\n')
    const first = await config({ ...fleet, schedule: zoned, at: '2026-03-10T09:00' })
    expect(first.now.toISOString()).toBe('2026-03-10T16:00:00.000Z')
    const chosen = await config({ ...fleet, schedule: `${zoned}default-schedule: batch-night\n`, at: '2026-03-10T09:00' })
    expect(chosen.now.toISOString()).toBe('2026-03-10T08:00:00.000Z')
  })
})

describe('readConfig: bad fleet inputs are one input error naming the field', () => {
  it.each<{ name: string; inputs: Record<string, string>; env?: NodeJS.ProcessEnv; message: RegExp; location?: object }>([
    { name: 'a tag key AWS would not accept', inputs: { ...fleet, 'select-by-tag': 'flink schedule!' }, message: /^Input "select-by-tag" \("flink schedule!"\) has characters a tag key cannot have\.$/ },
    { name: 'a tag key of AWS itself', inputs: { ...fleet, 'select-by-tag': 'aws:cloudformation:stack-name' }, message: /^Input "select-by-tag" .* starts with "aws:"/ },
    { name: 'a tag key of 129 characters', inputs: { ...fleet, 'select-by-tag': 'k'.repeat(129) }, message: /^Input "select-by-tag" .* is 129 characters long\.$/ },
    { name: 'an account-roles line that is not a role ARN', inputs: { ...fleet, 'account-roles': `${SPOKE_ROLE}\narn:aws:iam::210987654321:user/ops` }, message: /^Input "account-roles" has "arn:aws:iam::210987654321:user\/ops", which is not an IAM role ARN\.$/ },
    {
      name: 'a role of account-roles in another partition than role-to-assume',
      inputs: { ...fleet, 'role-to-assume': HUB_ROLE, 'account-roles': 'arn:aws-cn:iam::210987654321:role/flink-scaler', region: 'cn-north-1' },
      message: /^Input "account-roles" has arn:aws-cn:iam::210987654321:role\/flink-scaler, in partition aws-cn, but role-to-assume \(.*\) is in partition aws: /
    },
    {
      name: 'a role of account-roles in another partition than a region',
      inputs: { ...fleet, 'account-roles': 'arn:aws-us-gov:iam::210987654321:role/flink-scaler', region: 'us-gov-west-1, us-east-1' },
      message: /^Input "account-roles" has arn:aws-us-gov:iam::210987654321:role\/flink-scaler, in partition aws-us-gov, but region us-east-1 is in partition aws: /
    },
    { name: 'two roles in one account', inputs: { ...fleet, 'account-roles': `${SPOKE_ROLE}\narn:aws:iam::210987654321:role/other` }, message: /^Input "account-roles" has two roles in account 210987654321/ },
    { name: 'select-by-tag with no named schedules', inputs: { 'select-by-tag': 'flink-schedule', schedule: 'default: { kpu: 2 }' }, message: /^Input "select-by-tag" is set \(flink-schedule\), but the schedule holds no named schedules/ },
    { name: 'select-by-tag with a manual target only', inputs: { 'select-by-tag': 'flink-schedule', parallelism: '4' }, message: /^Input "select-by-tag" is set/ },
    {
      name: 'a default-schedule naming nothing',
      inputs: { ...fleet, schedule: `${FLEET}default-schedule: nightly\n` },
      message: /^Schedule error in default-schedule: "nightly" is not one of the schedules \(business-hours, batch-night\)/
    },
    {
      name: 'a named schedule that is invalid, in a file, on its line',
      inputs: { 'select-by-tag': 'flink-schedule', 'schedule-file': 'bad.yml' },
      env: WORKSPACE_ENV,
      message: /^Schedule error in schedules\.batch-night\.rules\[0\]\.from: "25:00" is not a valid time \(schedule-file "bad\.yml"\)$/,
      location: { file: 'bad.yml', line: 11 }
    },
    {
      name: 'a named schedule whose holidays are unknown, on the line of its holidays',
      inputs: { 'select-by-tag': 'flink-schedule', 'schedule-file': 'bad-holidays.yml' },
      env: WORKSPACE_ENV,
      message: /"XX-YY" is not a country or subdivision the holiday calendar knows \(schedule-file "bad-holidays\.yml", schedules\.batch-night\)$/,
      location: { file: 'bad-holidays.yml', line: 9 }
    },
    { name: 'schedules mixed with top-level rules', inputs: { ...fleet, schedule: `${FLEET}rules:\n  - { kpu: 1 }\n` }, message: /^Schedule error in rules: top-level rules beside "schedules"/ },
    { name: 'several regions without select-by-tag', inputs: { 'application-name': 'orders', schedule: 'default: { kpu: 2 }', region: 'us-east-1,eu-west-1' }, message: /^Input "region" names 2 regions \(us-east-1, eu-west-1\), which is only for select-by-tag\.$/ },
    { name: 'a region list with a bad region', inputs: { ...fleet, region: 'us-east-1\neurope' }, message: /^Region "europe" \(input "region"\) is not an AWS region code\.$/ },
    { name: 'account-roles without select-by-tag', inputs: { 'application-name': 'orders', schedule: 'default: { kpu: 2 }', 'account-roles': SPOKE_ROLE }, message: /^Input "account-roles" is set without select-by-tag\.$/ },
    { name: 'select-by-tag with no region anywhere', inputs: fleet, env: {}, message: /^Input "select-by-tag" is set, but no region is/ },
    { name: 'named schedules with names, and neither select-by-tag nor default-schedule', inputs: { 'application-name': 'orders', schedule: FLEET }, message: /^The schedule holds named schedules, but neither select-by-tag nor default-schedule says which one each application follows\.$/ },
    { name: 'no application-name and no select-by-tag', inputs: { schedule: `${FLEET}default-schedule: batch-night\n` }, message: /^Input "application-name" is empty\.$/ }
  ])('$name', async ({ inputs, env, message, location }) => {
    const error = await inputErrorFrom(inputs, env)
    expect(error.kind).toBe('input')
    expect(error.message).toMatch(message)
    expect(error.hint).toBeTruthy()
    if (location) expect(error.location).toEqual(location)
  })

  it('suggest with select-by-tag and no named schedules: the fix says to name the applications instead', async () => {
    const error = await inputErrorFrom({ 'select-by-tag': 'flink-schedule', suggest: '28d', region: 'us-east-1' })
    expect(error.message).toMatch(/^Input "select-by-tag" is set \(flink-schedule\), but the schedule holds no named schedules/)
    expect(error.hint).toContain('name them in application-name instead of select-by-tag')
    const plain = await inputErrorFrom({ 'select-by-tag': 'flink-schedule', schedule: 'default: { kpu: 2 }' })
    expect(plain.hint).not.toContain('application-name')
  })

  it('role-to-assume still takes one role ARN, and the hub role need not be among account-roles', async () => {
    const c = await config({ ...fleet, 'role-to-assume': HUB_ROLE, 'account-roles': SPOKE_ROLE })
    expect(c.roleToAssume).toBe(HUB_ROLE)
  })
})

writeFileSync(path.join(workspace, 'bad.yml'), FLEET.replace('"01:00"', '"25:00"'))
