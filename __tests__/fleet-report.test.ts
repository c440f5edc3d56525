/**
 * What a fleet's run reports: the summary grouped by named schedule (failures first, each group
 * with its next change and week), the account beside each application with account-roles, a place
 * that could not be listed; and the metrics, per application exactly as before, plus one set per
 * schedule and per account.
 */
import { describe, expect, it } from '@jest/globals'
import type { Outcome } from '../src/phases/outcome.js'
import { headline, renderSummary, type Report, type ScheduleGroup } from '../src/github/summary.js'
import { metricData } from '../src/aws/metrics.js'

const NOW = new Date('2026-03-10T17:00:00Z')
const AT = new Date('2026-12-02T10:07:00Z')

const outcome = (o: Partial<Outcome> & Pick<Outcome, 'application' | 'action'>): Outcome => ({
  region: 'us-east-1',
  reason: 'A sentence.',
  status: 'RUNNING',
  previousParallelism: 4,
  previousKpu: 4,
  targetParallelism: 12,
  targetKpu: 12,
  rule: 'daytime',
  ...o
})

const orders = outcome({ application: 'orders', action: 'updated', schedule: 'business-hours' })
const clicks = outcome({ application: 'clicks', action: 'skipped', schedule: 'business-hours', previousParallelism: 12 })
const batch = outcome({ application: 'nightly-etl', action: 'skipped', schedule: 'batch-night', rule: 'default' })
const broken = outcome({ application: 'loader', action: 'failed', schedule: 'batch-night', error: 'Snapshots are disabled.', reason: 'Snapshots are disabled.', hint: 'Enable snapshots.' })
const typo = outcome({ application: 'typo', action: 'failed', error: 'Its tag flink-schedule is "Batch-Night", which names no schedule.', reason: 'Its tag flink-schedule is "Batch-Night", which names no schedule.' })

const group = (name: string | undefined, outcomes: Outcome[], next?: string): ScheduleGroup => ({
  ...(name ? { name, timezone: 'America/Los_Angeles', week: `WEEK OF ${name}` } : {}),
  upcoming: next ? [{ at: new Date('2026-03-11T02:00:00Z'), rule: 'default', target: next }] : [],
  outcomes
})

const report = (groups: ScheduleGroup[], overrides: Partial<Report> = {}): Report => ({
  outcomes: groups.flatMap((g) => g.outcomes),
  dryRun: false,
  now: NOW,
  atGiven: false,
  timezone: 'America/Los_Angeles',
  upcoming: [],
  groups,
  ...overrides
})

describe('the summary of named schedules', () => {
  it('groups by schedule: failures first, then groups with failures, then changes, then the rest; each with its next change and week', () => {
    const text = renderSummary(
      report([group('business-hours', [orders, clicks], '4 KPU'), group('batch-night', [batch, broken], '2 KPU'), group('flat', []), group(undefined, [typo])])
    )
    const at = (needle: string) => {
      const index = text.indexOf(needle)
      expect(index).toBeGreaterThanOrEqual(0)
      return index
    }
    const failures = at('### What failed and how to fix it (2)')
    const batchHeading = at('### Schedule `batch-night`: 2 applications')
    const none = at('### Following no schedule: 1 application')
    const business = at('### Schedule `business-hours`: 2 applications')
    const flat = at('### Schedule `flat`')
    expect(failures).toBeLessThan(batchHeading)
    expect(batchHeading).toBeLessThan(none)
    expect(none).toBeLessThan(business)
    expect(business).toBeLessThan(flat)
    // Each group its own rows, next change and week.
    expect(at('| [loader]')).toBeLessThan(at('WEEK OF batch-night'))
    expect(at('WEEK OF batch-night')).toBeLessThan(none)
    expect(at('Next change: **4 KPU**')).toBeGreaterThan(business)
    expect(at('WEEK OF business-hours')).toBeGreaterThan(business)
    expect(text).toContain('<summary>1 unchanged: already at target, or not RUNNING</summary>')
    // No week of the run as a whole beside the groups.
    expect(text).not.toContain('### The week ahead')
  })

  it('with account-roles: the account in the table and the failures; a place that could not be listed', () => {
    const spoke = { ...orders, account: '210987654321', region: 'eu-west-1' }
    const place = outcome({ application: '*', action: 'failed', account: '333333333333', error: 'Could not assume the role.', reason: 'Could not assume the role.', status: undefined })
    const text = renderSummary(report([group('business-hours', [spoke]), group(undefined, [place])]))
    expect(text).toContain('| Application | Account | Status | Before | Target | Action | Rule | Why |')
    expect(text).toContain('| 210987654321 | RUNNING |')
    expect(text).toContain('- **Every application** (us-east-1, account 333333333333): Could not assume the role.')
    expect(text).toContain('| *every application of us-east-1* | 333333333333 |')
    expect(headline([spoke, place], false)).toBe('Scaled orders 4 → 12 KPU for rule daytime; every application of us-east-1 in account 333333333333 failed')
    // Places of one account that could not be listed are one phrase; those of the run's own account name no account.
    const other = { ...place, region: 'eu-west-1' }
    const own = { ...place, account: undefined, region: 'ap-south-1' }
    expect(headline([place, other, own], false)).toBe('every application of us-east-1 and eu-west-1 in account 333333333333, every application of ap-south-1 failed')
  })

  it('with account-roles: the snapshots table has an Account column, and the holds and deletions name the place', () => {
    const hub = { ...orders, snapshots: 12, deletedSnapshots: ['old-1'] }
    const spoke = { ...orders, account: '210987654321', region: 'eu-west-1', snapshots: 800 }
    const text = renderSummary(report([group('business-hours', [hub, spoke])], { snapshotLimit: 1000 }))
    expect(text).toContain('| Application | Account | Snapshots | Deleted | Note |')
    expect(text).toContain('| orders | – | 12 (1%) | 1 |')
    expect(text).toContain('| orders | 210987654321 | 800 (80%) | – |')
    const alone = renderSummary(report([group('business-hours', [hub])], { snapshotLimit: 1000 }))
    expect(alone).toContain('| Application | Snapshots | Deleted | Note |')
    const held = { ...spoke, hold: { parallelism: 8, until: '2026-03-11T02:00:00Z' } }
    expect(renderSummary(report([group('business-hours', [held])]))).toMatch(/- \*\*orders\*\* \(eu-west-1, account 210987654321\): parallelism 8 until/)
  })

  it('check-only: every named schedule drawn, none with applications', () => {
    const text = renderSummary(report([group('business-hours', [], '4 KPU'), group('batch-night', [], '2 KPU')], { checkOnly: true }))
    expect(text).toContain('> **Check only**: the 2 named schedules are valid.')
    expect(text).toContain('### Schedule `business-hours`\n')
    expect(text).toContain('WEEK OF business-hours')
    expect(text).toContain('WEEK OF batch-night')
  })
})

describe('metrics of a fleet', () => {
  const dimensions = (outcomes: Outcome[]) =>
    metricData(outcomes, AT).flatMap(({ region, data }) => data.map((d) => `${region} ${d.MetricName} ${JSON.stringify(d.Dimensions)} ${d.Value}`))

  it('without named schedules or account-roles: only {Application, Region}, as before', () => {
    const plain = { ...orders, schedule: undefined }
    expect(dimensions([plain]).every((line) => line.includes('[{"Name":"Application","Value":"orders"},{"Name":"Region","Value":"us-east-1"}]'))).toBe(true)
    expect(dimensions([plain])).toHaveLength(6)
  })

  it('named schedules and accounts add one metric set each, beside the unchanged per-application set', () => {
    const spoke = { ...orders, account: '210987654321' }
    expect(dimensions([spoke])).toEqual([
      ...['Reconciled 1', 'TargetParallelism 12', 'Parallelism 12', 'Updated 1', 'Deferred 0', 'Failed 0'].map((v) => {
        const [name, value] = v.split(' ')
        return `us-east-1 ${name} [{"Name":"Application","Value":"orders"},{"Name":"Region","Value":"us-east-1"}] ${value}`
      }),
      ...['Reconciled 1', 'TargetParallelism 12', 'Parallelism 12', 'Updated 1', 'Deferred 0', 'Failed 0'].map((v) => {
        const [name, value] = v.split(' ')
        return `us-east-1 ${name} [{"Name":"Schedule","Value":"business-hours"}] ${value}`
      }),
      ...['Reconciled 1', 'TargetParallelism 12', 'Parallelism 12', 'Updated 1', 'Deferred 0', 'Failed 0'].map((v) => {
        const [name, value] = v.split(' ')
        return `us-east-1 ${name} [{"Name":"Account","Value":"210987654321"}] ${value}`
      })
    ])
  })

  it('an application reached through account-roles keeps the contract\'s per-application dimensions; its account is in a set of its own', () => {
    const spoke = { ...orders, schedule: undefined, account: '210987654321' }
    const sets = [...new Set(dimensions([spoke]).map((line) => line.split(' ')[2]))]
    expect(sets).toEqual(['[{"Name":"Application","Value":"orders"},{"Name":"Region","Value":"us-east-1"}]', '[{"Name":"Account","Value":"210987654321"}]'])
  })

  it('a place that could not be listed reached no application: only a failure of its account', () => {
    const place = outcome({ application: '*', action: 'failed', account: '333333333333', region: 'eu-west-1', previousParallelism: undefined, targetParallelism: undefined })
    expect(dimensions([place])).toEqual([
      'eu-west-1 Updated [{"Name":"Account","Value":"333333333333"}] 0',
      'eu-west-1 Deferred [{"Name":"Account","Value":"333333333333"}] 0',
      'eu-west-1 Failed [{"Name":"Account","Value":"333333333333"}] 1'
    ])
  })
})
