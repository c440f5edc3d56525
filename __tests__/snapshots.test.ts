import { describe, expect, it } from '@jest/globals'
import { parseSchedule } from '../src/schedule/schedule.js'
import {
  changesPerWeek,
  DEFAULT_SNAPSHOT_LIMIT,
  keptText,
  limitWarning,
  MIN_AGE_MS,
  planPrune,
  type KeptBecause,
  type PruneInput,
  type SnapshotInfo
} from '../src/phases/snapshots.js'
import { DAYTIME_SCHEDULE } from './fixtures/application.js'

const NOW = new Date('2026-12-02T18:00:00Z')
const DAY = 86_400_000
const ago = (days: number) => new Date(NOW.getTime() - days * DAY)
const ready = (name: string, days: number): SnapshotInfo => ({ name, status: 'READY', createdAt: ago(days), versionId: 1 })

/** s-01 (newest, a day old) … s-NN, one more day each: everything from s-08 on is older than 7 days. */
const daily = (n: number) => Array.from({ length: n }, (_, i) => ready(`s-${String(i + 1).padStart(2, '0')}`, i + 1))
const names = (list: { name: string }[]) => list.map((s) => s.name)
const reasons = (input: PruneInput) => Object.fromEntries(planPrune(input).kept.map((k) => [k.snapshot.name, k.because]))
const base = (snapshots: SnapshotInfo[], extra: Partial<PruneInput> = {}): PruneInput => ({ snapshots, keep: 10, taking: 1, now: NOW, ...extra })

describe('planPrune: which snapshots go, and why each kept one is kept', () => {
  it('keeps the newest keep, the update’s own counted among them, and deletes the older ones, oldest first', () => {
    const plan = planPrune(base(daily(50)))
    // 9 found + the update's own = 10; s-10 … s-50 are older than 7 days and unprotected.
    expect(names(plan.delete)).toEqual(daily(50).slice(9).map((s) => s.name).reverse())
    expect(plan.delete[0]!.name).toBe('s-50')
    expect(plan.kept.map((k) => [k.snapshot.name, k.because])).toEqual(daily(9).map((s) => [s.name, 'newest']))
  })

  it('without an update (taking 0) keeps the newest keep of those found', () => {
    expect(names(planPrune(base(daily(12), { taking: 0 })).delete)).toEqual(['s-12', 's-11'])
  })

  it('deletes nothing when no more than keep − taking were found', () => {
    expect(planPrune(base(daily(9))).delete).toEqual([])
    expect(planPrune(base([])).delete).toEqual([])
  })

  it('never depends on the order the service listed them in', () => {
    const shuffled = [...daily(30)].sort((a, b) => (a.name.length + a.name.charCodeAt(3) * 7) % 5 - (b.name.length + b.name.charCodeAt(3) * 7) % 5)
    expect(planPrune(base(shuffled))).toEqual(planPrune(base(daily(30))))
  })

  it.each<{ rule: string; snapshots: SnapshotInfo[]; extra?: Partial<PruneInput>; kept: Record<string, KeptBecause>; deleted: string[] }>([
    {
      rule: 'the newest READY snapshot is kept even when older than the newest keep (the ones above it are not READY)',
      snapshots: [
        ...Array.from({ length: 9 }, (_, i): SnapshotInfo => ({ name: `failed-${i}`, status: 'FAILED', createdAt: ago(10 + i / 10) })),
        ready('last-good', 20),
        ready('older', 30)
      ],
      kept: { ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`failed-${i}`, 'newest'])), 'last-good': 'newest-ready' },
      deleted: ['older']
    },
    {
      rule: 'the snapshot the restore configuration names is kept, however old',
      snapshots: [...daily(9), ready('before-migration', 300), ready('other', 301)],
      extra: { restoreSnapshot: 'before-migration' },
      kept: { 'before-migration': 'restore-configuration' },
      deleted: ['other']
    },
    {
      rule: 'a snapshot that is not READY (CREATING, DELETING, FAILED) is kept',
      snapshots: [
        ...daily(9),
        { name: 'creating', status: 'CREATING', createdAt: ago(40) },
        { name: 'deleting', status: 'DELETING', createdAt: ago(41) },
        { name: 'failed', status: 'FAILED', createdAt: ago(42) },
        ready('old', 43)
      ],
      kept: { creating: 'not-ready', deleting: 'not-ready', failed: 'not-ready' },
      deleted: ['old']
    },
    {
      rule: 'a snapshot younger than 7 days is kept, however many there are',
      snapshots: Array.from({ length: 30 }, (_, i) => ready(`h-${String(i).padStart(2, '0')}`, i * 0.25)),
      // h-00 … h-08 are the newest 9; h-09 … h-27 are younger than 7 days (up to 6.75 days), h-28 is exactly 7 days, h-29 older.
      kept: Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`h-${String(i + 9).padStart(2, '0')}`, 'young'])),
      deleted: ['h-29', 'h-28']
    },
    {
      rule: 'one a moment younger than 7 days is kept; one exactly 7 days old goes',
      snapshots: [
        ...Array.from({ length: 9 }, (_, i) => ready(`fresh-${i}`, i / 100)),
        { name: 'almost', status: 'READY', createdAt: new Date(NOW.getTime() - MIN_AGE_MS + 1) },
        ready('week', 7.0)
      ],
      kept: { almost: 'young' },
      deleted: ['week']
    },
    {
      rule: 'a snapshot without a creation time cannot be deleted (the API needs it): kept, and not ranked',
      snapshots: [...daily(11), { name: 'undated', status: 'READY' }],
      kept: { undated: 'no-creation-time' },
      deleted: ['s-11', 's-10']
    }
  ])('$rule', ({ snapshots, extra, kept, deleted }) => {
    const input = base(snapshots, extra)
    const found = reasons(input)
    for (const [name, because] of Object.entries(kept)) expect([name, found[name]]).toEqual([name, because])
    expect(names(planPrune(input).delete)).toEqual(deleted)
    // Every snapshot is either deleted or kept for a reason, never both, never lost.
    const plan = planPrune(input)
    expect([...names(plan.delete), ...plan.kept.map((k) => k.snapshot.name)].sort()).toEqual(names(snapshots).sort())
  })

  it('the newest READY one inside the newest keep is kept as one of them', () => {
    expect(reasons(base(daily(20)))['s-01']).toBe('newest')
  })

  it('keep 10 with 1,000 snapshots leaves 10 after the update: 9 found and the update’s own', () => {
    const plan = planPrune(base(Array.from({ length: 1000 }, (_, i) => ready(`n-${i}`, 8 + i / 100))))
    expect(plan.delete).toHaveLength(991)
    expect(plan.kept).toHaveLength(9)
  })

  it.each<[KeptBecause, RegExp]>([
    ['newest', /newest 10/],
    ['newest-ready', /READY.*falls back/],
    ['restore-configuration', /restore configuration/],
    ['not-ready', /not READY/],
    ['no-creation-time', /creation time/],
    ['young', /7 days/]
  ])('says why: %s', (because, text) => {
    expect(keptText(because, 10)).toMatch(text)
  })
})

describe('changesPerWeek: the snapshots a schedule’s changes take in a week', () => {
  const schedule = parseSchedule(DAYTIME_SCHEDULE, 'test')

  it('counts every change: up and down on each weekday is 10', () => {
    expect(changesPerWeek(schedule, NOW, 1)).toBe(10)
  })

  it('a change that resolves to the same parallelism is no change', () => {
    const kpus = parseSchedule('default: { kpu: 2 }\nrules:\n  - { name: same, days: Mon-Fri, from: "08:00", to: "18:00", parallelism: 4 }', 'test')
    expect(changesPerWeek(kpus, NOW, 2)).toBe(0)
    expect(changesPerWeek(kpus, NOW, 1)).toBe(10)
  })

  it('is undefined without a schedule (manual targets only)', () => {
    expect(changesPerWeek(undefined, NOW, 1)).toBeUndefined()
  })
})

describe('limitWarning: at 80% of the limit, with the days left and the fix', () => {
  const at = (count: number, extra: Partial<Parameters<typeof limitWarning>[0]> = {}) =>
    limitWarning({ application: 'orders', region: 'us-east-1', count, limit: 1000, changesPerWeek: 14, ...extra })

  it('says nothing below 80%', () => {
    expect(at(799)).toBeUndefined()
    expect(at(0)).toBeUndefined()
  })

  it('at 80%: the count, the share, the days the schedule leaves, and the fix', () => {
    const found = at(800)!
    expect(found.warning).toContain('orders (us-east-1) has 800 snapshots, 80% of its limit of 1000 (snapshot-limit).')
    // 200 snapshots at 14 a week: 100 days.
    expect(found.warning).toContain("At the schedule's 14 changes a week (each update takes one snapshot), the limit is about 100 days away")
    expect(found.warning).toContain('fail with LimitExceededException')
    expect(found.warning).toContain('Fix: set prune-snapshots (e.g. prune-snapshots: 100)')
    expect(found.warning).toContain('aws kinesisanalyticsv2 delete-application-snapshot --region us-east-1 --application-name orders --snapshot-name NAME --snapshot-creation-timestamp TIMESTAMP')
    expect(found.warning).toContain('aws kinesisanalyticsv2 list-application-snapshots --region us-east-1 --application-name orders')
    expect(found.note).toBe("80% of the limit of 1000: about 100 days left at the schedule's 14 changes a week")
  })

  it('rounds the days down and speaks of one day as one', () => {
    expect(at(998, { changesPerWeek: 10 })!.warning).toContain('about 1 day away')
    expect(at(999, { changesPerWeek: 3 })!.warning).toContain('about 2 days away')
  })

  it('at the limit and past it: manual snapshots now fail; the update still went ahead', () => {
    for (const [count, where] of [[1000, 'at'], [1040, 'past']] as const) {
      const found = at(count)!
      expect(found.warning).toContain(`has ${count} snapshots, ${where} its limit of 1000 (snapshot-limit): manually created snapshots`)
      expect(found.warning).toContain('now fail with LimitExceededException')
      expect(found.warning).toContain('The service still takes its own on every update and stop.')
      expect(found.note).toBe(`${where} its limit of 1000: manually created snapshots fail`)
    }
  })

  it('without a schedule, or one that never changes, it says so instead of a number of days', () => {
    expect(at(900, { changesPerWeek: undefined })!.warning).toContain('with manual targets only, each update takes one')
    expect(at(900, { changesPerWeek: 0 })!.warning).toContain('the schedule makes no change in a week')
    expect(at(900, { changesPerWeek: 0 })!.note).toBe('90% of the limit of 1000')
  })

  it('the fix with prune-snapshots set: lower it when it keeps too many, else what is left is protected or failed', () => {
    expect(at(900, { pruneSnapshots: 850 })!.warning).toContain('Fix: prune-snapshots: 850 keeps too many for this limit; lower it (e.g. prune-snapshots: 100)')
    expect(at(900, { pruneSnapshots: 100 })!.warning).toContain('Fix: prune-snapshots: 100 could not delete enough')
  })

  it('a small limit suggests keeping at least 10', () => {
    expect(at(40, { limit: 50 })!.warning).toContain('prune-snapshots: 10)')
  })

  it('the default limit is the documented quota', () => {
    expect(DEFAULT_SNAPSHOT_LIMIT).toBe(1000)
  })
})
