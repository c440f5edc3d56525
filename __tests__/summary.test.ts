import { describe, expect, it } from '@jest/globals'
import type { Outcome } from '../src/phases/outcome.js'
import { headline, renderSummary, type Report } from '../src/github/summary.js'

const updated: Outcome = {
  application: 'orders-enricher',
  region: 'us-west-2',
  action: 'updated',
  reason: 'Scaling from parallelism 2 (2 KPU) to parallelism 8 (8 KPU) (rule "daytime").',
  status: 'RUNNING',
  previousParallelism: 2,
  previousKpu: 2,
  targetParallelism: 8,
  targetKpu: 8,
  parallelismPerKpu: 1,
  rule: 'daytime',
  applicationVersionId: 8,
  operationId: 'op-8'
}
const skipped: Outcome = {
  application: 'payments',
  region: 'eu-west-1',
  action: 'skipped',
  reason: 'Already at target (parallelism 8 (8 KPU), rule "daytime").',
  status: 'RUNNING',
  previousParallelism: 8,
  previousKpu: 8,
  targetParallelism: 8,
  targetKpu: 8,
  parallelismPerKpu: 1,
  rule: 'daytime'
}
const failed: Outcome = {
  application: 'clicks',
  region: 'us-west-2',
  action: 'failed',
  reason: 'Snapshots are disabled, so the restart needed to reach parallelism 8 (8 KPU) would lose the application\'s state; nothing was changed.',
  error: 'Snapshots are disabled, so the restart needed to reach parallelism 8 (8 KPU) would lose the application\'s state; nothing was changed.',
  hint: 'Enable snapshots on the application, or set allow-stateless-restart: true to accept losing its state.',
  status: 'RUNNING',
  previousParallelism: 2,
  previousKpu: 2,
  targetParallelism: 8,
  targetKpu: 8,
  parallelismPerKpu: 1,
  rule: 'daytime'
}
const notFound: Outcome = {
  application: 'ghost',
  region: 'us-west-2',
  action: 'failed',
  reason: 'DescribeApplication for "ghost" in us-west-2 failed: Application ghost not found',
  error: 'DescribeApplication for "ghost" in us-west-2 failed: Application ghost not found',
  hint: 'No application "ghost" in us-west-2: check application-name and region (an ARN fixes the region).'
}

// Tuesday 2026-03-10 17:00 UTC = 10:00 PDT.
const NOW = new Date('2026-03-10T17:00:00Z')
const report = (overrides: Partial<Report> = {}): Report => ({
  outcomes: [updated],
  dryRun: false,
  now: NOW,
  atGiven: false,
  timezone: 'America/Los_Angeles',
  upcoming: [],
  ...overrides
})

const CONSOLE = 'https://us-west-2.console.aws.amazon.com/flink/home?region=us-west-2#/applications/orders-enricher'

describe('headline', () => {
  it.each<{ name: string; outcomes: Outcome[]; dryRun?: boolean; expected: string }>([
    { name: 'one update for a rule', outcomes: [updated], expected: 'Scaled orders-enricher 2 → 8 KPU for rule daytime' },
    {
      name: 'one planned update in a dry run',
      outcomes: [{ ...updated, action: 'planned' }],
      dryRun: true,
      expected: 'Would scale orders-enricher 2 → 8 KPU for rule daytime (dry run)'
    },
    {
      name: 'to the default',
      outcomes: [{ ...updated, rule: 'default', targetParallelism: 2, targetKpu: 2, previousParallelism: 8, previousKpu: 8 }],
      expected: 'Scaled orders-enricher 8 → 2 KPU for the default'
    },
    {
      name: 'a manual target with 2 per KPU',
      outcomes: [{ ...updated, rule: 'manual', previousParallelism: 8, previousKpu: 4, targetParallelism: 16, targetKpu: 8, parallelismPerKpu: 2 }],
      expected: 'Scaled orders-enricher 4 → 8 KPU (parallelism 8 → 16) for the manual target'
    },
    { name: 'a hold', outcomes: [{ ...updated, rule: 'hold' }], expected: 'Scaled orders-enricher 2 → 8 KPU for the hold' },
    {
      name: 'one application with no change: its reason',
      outcomes: [skipped],
      expected: 'payments: no change (Already at target (parallelism 8 (8 KPU), rule "daytime"))'
    },
    {
      name: 'several with no change',
      outcomes: [skipped, { ...skipped, application: 'orders-enricher', status: 'UPDATING' }],
      expected: 'No change: 2 applications already as the schedule asks or not RUNNING'
    },
    { name: 'one failure', outcomes: [failed], expected: 'clicks failed' },
    {
      name: 'updated, failed and unchanged together',
      outcomes: [updated, skipped, failed, notFound],
      expected: 'Scaled orders-enricher 2 → 8 KPU for rule daytime; clicks, ghost failed; payments unchanged'
    },
    {
      name: 'two updates',
      outcomes: [updated, { ...updated, application: 'payments', previousParallelism: 4, previousKpu: 4 }],
      expected: 'Scaled orders-enricher 2 → 8 KPU for rule daytime, payments 4 → 8 KPU for rule daytime'
    }
  ])('$name', ({ outcomes, dryRun, expected }) => {
    expect(headline(outcomes, dryRun ?? false)).toBe(expected)
  })
})

describe('renderSummary', () => {
  it('one update, evaluated now, with the coming changes in the zone and in UTC', () => {
    const text = renderSummary(
      report({
        upcoming: [
          { at: new Date('2026-03-11T01:00:00Z'), rule: 'default', target: 'parallelism 2' },
          { at: new Date('2026-03-11T15:00:00Z'), rule: 'daytime', target: '4 KPU (parallelism 8)' }
        ]
      })
    )

    expect(text).toBe(
      [
        '## Flink scheduled scaling',
        '',
        '**Scaled orders-enricher 2 → 8 KPU for rule daytime**',
        '',
        'Evaluated at Tue 2026-03-10 10:00 PDT (2026-03-10 17:00 UTC).',
        '',
        '| Application | Status | Before | Target | Action | Rule | Why |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        `| [orders-enricher](${CONSOLE}) | RUNNING | 2&nbsp;(2&nbsp;KPU) | 8&nbsp;(8&nbsp;KPU) | ✅&nbsp;updated | daytime | Scaling from parallelism 2 (2 KPU) to parallelism 8 (8 KPU) (rule "daytime"). |`,
        '',
        '### The week ahead',
        '',
        'Next change: **parallelism 2** at Tue 2026-03-10 18:00 PDT (2026-03-11 01:00 UTC) (the default).',
        '',
        '<details>',
        '<summary>Every change of the next 7 days (2)</summary>',
        '',
        '| America/Los_Angeles | UTC | Target | Rule |',
        '| --- | --- | --- | --- |',
        '| Tue 2026-03-10 18:00 PDT | Wed 2026-03-11 01:00 UTC | parallelism 2 | default |',
        '| Wed 2026-03-11 08:00 PDT | Wed 2026-03-11 15:00 UTC | 4 KPU (parallelism 8) | daytime |',
        '',
        '</details>',
        ''
      ].join('\n')
    )
  })

  it('coming changes across a DST change show the local offset of each', () => {
    const text = renderSummary(
      report({
        now: new Date('2026-03-06T17:00:00Z'),
        upcoming: [
          { at: new Date('2026-03-07T02:00:00Z'), rule: 'default', target: 'parallelism 2' },
          { at: new Date('2026-03-09T15:00:00Z'), rule: 'daytime', target: 'parallelism 8' }
        ]
      })
    )

    expect(text).toContain('| Fri 2026-03-06 18:00 PST | Sat 2026-03-07 02:00 UTC | parallelism 2 | default |')
    expect(text).toContain('| Mon 2026-03-09 08:00 PDT | Mon 2026-03-09 15:00 UTC | parallelism 8 | daytime |')
  })

  it('says when the schedule does not change, and has no such section without a schedule', () => {
    expect(renderSummary(report())).toContain('### The week ahead\n\nThe schedule does not change in the next 7 days.\n')
    const manualOnly = renderSummary(report({ timezone: undefined, outcomes: [{ ...updated, rule: 'manual' }] }))
    expect(manualOnly).not.toContain('The week ahead')
    expect(manualOnly).toContain('Evaluated at 2026-03-10 17:00 UTC.')
  })

  it('keeps the lines and indentation of a hint that shows a permissions block', () => {
    const text = renderSummary(
      report({
        outcomes: [],
        failure: { message: 'Flink scaling failed. No OIDC token.', hint: 'Give the job:\npermissions:\n  id-token: write' }
      })
    )
    expect(text).toContain('> Fix: Give the job:<br>permissions:<br>&nbsp;&nbsp;id-token: write')
  })

  it('says when the at input was used', () => {
    expect(renderSummary(report({ atGiven: true }))).toContain('Evaluated at Tue 2026-03-10 10:00 PDT (2026-03-10 17:00 UTC), the instant given by `at`.')
  })

  it('a dry run says so at the top', () => {
    const text = renderSummary(report({ dryRun: true, outcomes: [{ ...updated, action: 'planned', reason: `Dry run: would scale. ${updated.reason}` }] }))

    expect(text.split('\n').slice(0, 6)).toEqual([
      '## Flink scheduled scaling',
      '',
      '> [!NOTE]',
      '> **Dry run**: nothing was changed; this shows what a real run would do.',
      '',
      '**Would scale orders-enricher 2 → 8 KPU for rule daytime (dry run)**'
    ])
    expect(text).toContain('| 📝&nbsp;planned |')
    expect(renderSummary(report())).not.toContain('Dry run')
  })

  it('lists what failed and how to fix it', () => {
    const text = renderSummary(report({ outcomes: [updated, failed, notFound] }))

    expect(text).toContain(
      [
        '### What failed and how to fix it (2)',
        '',
        "- **clicks** (us-west-2): Snapshots are disabled, so the restart needed to reach parallelism 8 (8 KPU) would lose the application's state; nothing was changed.<br>**Fix:** Enable snapshots on the application, or set allow-stateless-restart: true to accept losing its state.",
        '- **ghost** (us-west-2): DescribeApplication for "ghost" in us-west-2 failed: Application ghost not found<br>**Fix:** No application "ghost" in us-west-2: check application-name and region (an ARN fixes the region).',
        ''
      ].join('\n')
    )
    expect(text).toContain('| – | – | – | ❌&nbsp;failed | – | DescribeApplication for "ghost" in us-west-2 failed: Application ghost not found |')
    expect(renderSummary(report())).not.toContain('What failed')
  })

  it('lists the holds in force, in the zone and UTC, with who set them', () => {
    const text = renderSummary(
      report({
        outcomes: [
          { ...updated, rule: 'hold', hold: { parallelism: 8, until: '2026-03-10T21:00:00.000Z', by: 'https://github.com/acme/flink/actions/runs/42', actor: 'octocat' } },
          { ...skipped, hold: { parallelism: 8, until: '2026-03-12T00:00:00.000Z' } }
        ]
      })
    )

    expect(text).toContain(
      [
        '### Holds',
        '',
        '- **orders-enricher**: parallelism 8 until Tue 2026-03-10 14:00 PDT (2026-03-10 21:00 UTC), set by `@octocat` in `https://github.com/acme/flink/actions/runs/42`.',
        '- **payments**: parallelism 8 until Wed 2026-03-11 17:00 PDT (2026-03-12 00:00 UTC).',
        ''
      ].join('\n')
    )
    expect(renderSummary(report())).not.toContain('### Holds')
  })

  it('a run-level failure before any application', () => {
    const text = renderSummary(
      report({
        outcomes: [],
        timezone: undefined,
        failure: { message: 'Invalid input: nothing was changed. Input "parallelism" is "ten".', hint: 'Use a whole number of at least 1.' }
      })
    )

    expect(text).toBe(
      [
        '## Flink scheduled scaling',
        '',
        '> [!CAUTION]',
        '> **Invalid input: nothing was changed. Input "parallelism" is "ten".**',
        '> Fix: Use a whole number of at least 1.',
        ''
      ].join('\n')
    )
  })

  it('pipes and line breaks in text do not break the tables', () => {
    const text = renderSummary(
      report({
        outcomes: [
          { ...updated, rule: 'peak|offpeak', reason: 'Scaling | because\nof a rule' },
          { ...notFound, error: 'Bad | thing\r\nhappened', hint: 'Fix | it' }
        ],
        upcoming: [{ at: new Date('2026-03-11T01:00:00Z'), rule: 'a|b', target: 'parallelism 2 | 4' }]
      })
    )

    const rows = text.split('\n').filter((line) => line.startsWith('| '))
    const columns = (line: string) => line.split(/(?<!\\)\|/).length - 2
    const [header, , second, first, upcomingHeader, , upcoming] = rows
    expect([header, first, second].map(columns)).toEqual([7, 7, 7])
    expect([upcomingHeader, upcoming].map(columns)).toEqual([4, 4])
    expect(first).toContain('| peak\\|offpeak | Scaling \\| because of a rule |')
    expect(upcoming).toContain('| parallelism 2 \\| 4 | a\\|b |')
    expect(text).toContain('- **ghost** (us-west-2): Bad \\| thing happened<br>**Fix:** Fix \\| it')
    expect(text).toContain('**Scaled orders-enricher 2 → 8 KPU for rule peak\\|offpeak; ghost failed**')
  })

  it('failures first, then changes; the unchanged folded away', () => {
    const text = renderSummary(report({ outcomes: [skipped, updated, failed] }))
    const failedAt = text.indexOf('### What failed')
    const table = text.indexOf('| [clicks]')
    const change = text.indexOf('| [orders-enricher]')
    const folded = text.indexOf('<summary>1 unchanged: already at target, or not RUNNING</summary>')
    expect(failedAt).toBeGreaterThan(0)
    expect(failedAt).toBeLessThan(table)
    expect(table).toBeLessThan(change)
    expect(change).toBeLessThan(folded)
    expect(folded).toBeLessThan(text.indexOf('| [payments]'))
    // With nothing else to show, a few unchanged applications are not folded.
    expect(renderSummary(report({ outcomes: [skipped] }))).not.toContain('<details>\n<summary>1 unchanged')
  })

  it('stays readable and under GitHub\'s 1 MiB step-summary limit with 1,000 applications', () => {
    const outcomes: Outcome[] = Array.from({ length: 1000 }, (_, i) => {
      const name = `application-with-a-long-name-${String(i).padStart(4, '0')}`
      if (i % 10 === 0) return { ...failed, application: name, error: `${failed.error} ${'x'.repeat(200)}` }
      if (i % 3 === 0) return { ...updated, application: name }
      return { ...skipped, application: name, hold: { parallelism: 8, until: '2026-03-12T00:00:00.000Z', by: 'https://github.com/acme/flink/actions/runs/42', actor: 'octocat' } }
    })
    const text = renderSummary(
      report({ outcomes, upcoming: Array.from({ length: 14 }, (_, i) => ({ at: new Date(NOW.getTime() + i * 43_200_000), rule: 'daytime', target: 'parallelism 8' })) })
    )
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024)
    expect(text.split('\n')[2]).toBe('**Scaled 300 applications (2 → 8 KPU: 300); 100 failed; 600 unchanged**')
    expect(text).toContain('<summary>600 unchanged: already at target, or not RUNNING</summary>')
    expect(text).toContain('<summary>600 applications are held</summary>')
  })
})


const deferred: Outcome = {
  application: 'payments-router',
  region: 'us-west-2',
  action: 'deferred',
  reason: 'Scaling down (parallelism 20 → 10) for the default waits: millisBehindLatest reached 5m12s (limit 1m) over the last 15m. The next run checks again.',
  status: 'RUNNING',
  previousParallelism: 20,
  previousKpu: 20,
  targetParallelism: 10,
  targetKpu: 10,
  parallelismPerKpu: 1,
  foundParallelismPerKpu: 1,
  rule: 'default',
  deferral: { waitsFor: [{ metric: 'millisBehindLatest', value: 312_000, limit: 60_000 }], until: '2026-03-11T03:05:00.000Z' }
}

describe('deferred scale-downs', () => {
  it('lead the headline when nothing else happened, and follow the changes when something did', () => {
    expect(headline([deferred], false)).toBe('Deferred payments-router 20 → 10 KPU (waits for millisBehindLatest)')
    expect(headline([updated, deferred, skipped], false)).toBe(
      'Scaled orders-enricher 2 → 8 KPU for rule daytime; deferred payments-router 20 → 10 KPU (waits for millisBehindLatest); payments unchanged'
    )
    // Under the service's autoscaler the job runs above its floor: the deferral is told from what it runs at now.
    const autoscaler: Outcome = { ...deferred, currentParallelism: 40, deferral: { waitsFor: [{ metric: 'CurrentParallelism', value: 40, limit: 10 }], until: deferred.deferral!.until } }
    expect(headline([autoscaler], false)).toBe("Deferred payments-router 40 → 10 KPU (waits for the service's autoscaler)")
    const raisedFloor: Outcome = { ...autoscaler, previousParallelism: 10, previousKpu: 5, targetParallelism: 20, targetKpu: 10, parallelismPerKpu: 2, foundParallelismPerKpu: 2 }
    expect(headline([raisedFloor], false)).toBe("Deferred payments-router 20 → 10 KPU (parallelism 40 → 20) (waits for the service's autoscaler)")
    expect(headline(Array.from({ length: 4 }, () => deferred), false)).toBe('Deferred 4 scale-downs')
  })

  it('have their own group after the failures and before the changes: what they wait for, now, the limit, and until when', () => {
    const autoscaler: Outcome = {
      ...deferred,
      application: 'orders',
      currentParallelism: 40,
      deferral: { waitsFor: [{ metric: 'CurrentParallelism', value: 40, limit: 10 }], until: deferred.deferral!.until }
    }
    const cpu: Outcome = {
      ...deferred,
      application: 'clicks',
      deferral: { waitsFor: [{ metric: 'containerCPUUtilization', measured: 52, value: 104, limit: 70 }], until: deferred.deferral!.until }
    }
    const text = renderSummary(report({ outcomes: [failed, updated, deferred, autoscaler, cpu, skipped] }))
    const group = text.indexOf('### Deferred: scale-downs that wait (3)')
    expect(text.indexOf('### What failed')).toBeLessThan(group)
    expect(group).toBeLessThan(text.indexOf('| [clicks](https://us-west-2.console.aws.amazon.com/flink/home?region=us-west-2#/applications/clicks) | RUNNING'))
    expect(text).toContain(
      '| [payments-router](https://us-west-2.console.aws.amazon.com/flink/home?region=us-west-2#/applications/payments-router) | 20&nbsp;(20&nbsp;KPU) | 10&nbsp;(10&nbsp;KPU) | millisBehindLatest | 5m12s | below 1m | Tue 2026-03-10 20:05 PDT (2026-03-11 03:05 UTC) |'
    )
    expect(text).toContain("| 40&nbsp;(40&nbsp;KPU) | 10&nbsp;(10&nbsp;KPU) | the service's autoscaler | parallelism 40 | restart at 10 cuts it |")
    expect(text).toContain('| containerCPUUtilization | 52% (104% at the target) | below 70% |')
    // Not among the changes, nor folded away with the unchanged.
    expect(text.match(/\[payments-router\]/g)).toHaveLength(1)
  })

  it('the week ahead marks the scale-downs a guard watches, and says what it waits for', () => {
    const text = renderSummary(
      report({
        guard: 'waits while millisBehindLatest is at or above 1m (the maximum over the last 15m), for at most 2h after the change',
        upcoming: [
          { at: new Date('2026-03-11T01:00:00Z'), rule: 'default', target: 'parallelism 2', guarded: true },
          { at: new Date('2026-03-11T15:00:00Z'), rule: 'daytime', target: 'parallelism 8' }
        ]
      })
    )
    expect(text).toContain('A guard watches every scale-down (marked 🛡️ below): it waits while millisBehindLatest is at or above 1m (the maximum over the last 15m), for at most 2h after the change.')
    expect(text).toContain('| parallelism 2 🛡️ | default |')
    expect(text).toContain('| parallelism 8 | daytime |')
  })
})

describe('the snapshots of the applications a run updated', () => {
  const counted = (name: string, extra: Partial<Outcome> = {}): Outcome => ({ ...updated, application: name, snapshots: 12, ...extra })

  it('nothing when no snapshots were counted', () => {
    expect(renderSummary(report({ snapshotLimit: 1000 }))).not.toContain('### Snapshots')
  })

  it('a row per application: the count and its share of the limit, what was deleted, what is near the limit; every deletion named', () => {
    const text = renderSummary(
      report({
        snapshotLimit: 1000,
        outcomes: [
          counted('orders', { snapshots: 812, snapshotNote: "81% of the limit of 1000: about 131 days left at the schedule's 10 changes a week" }),
          counted('clicks', { snapshots: 10, deletedSnapshots: ['old-1', 'old-2'] })
        ]
      })
    )
    expect(text).toContain(
      [
        '### Snapshots',
        '',
        "Counted for the applications this run updated, the update's own snapshot included, against snapshot-limit 1000.",
        '',
        '| Application | Snapshots | Deleted | Note |',
        '| --- | --- | --- | --- |',
        "| orders | 812 (81%) | – | 81% of the limit of 1000: about 131 days left at the schedule's 10 changes a week |",
        '| clicks | 10 (1%) | 2 |  |',
        '',
        '<details>',
        '<summary>Deleted: 2 snapshots of 1 application</summary>',
        '',
        '- **clicks** (2): `old-1`, `old-2`'
      ].join('\n')
    )
  })

  it('a dry run says what it would delete', () => {
    const text = renderSummary(report({ dryRun: true, snapshotLimit: 1000, outcomes: [counted('orders', { action: 'planned', wouldDeleteSnapshots: ['a'] })] }))
    expect(text).toContain('Counted for the applications this run would update')
    expect(text).toContain('| Application | Snapshots | Would delete | Note |')
    expect(text).toContain('<summary>Would delete: 1 snapshot of 1 application</summary>')
  })

  it('a fleet keeps what is near the limit in view and folds the rest; past 2,000 names, an application’s deletions are counted', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      counted(`app-${i}`, { deletedSnapshots: Array.from({ length: 60 }, (_, j) => `s-${i}-${j}`), ...(i === 7 ? { snapshotNote: 'at its limit of 1000: manually created snapshots fail' } : {}) })
    )
    const text = renderSummary(report({ snapshotLimit: 1000, outcomes: many }))
    const section = text.slice(text.indexOf('### Snapshots'))
    expect(section.indexOf('| app-7 |')).toBeLessThan(section.indexOf('<summary>39 more applications</summary>'))
    expect(section).toContain('<summary>Deleted: 2400 snapshots of 40 applications</summary>')
    expect(section).toContain('- **app-32** (60): `s-32-0`')
    expect(section).toContain('- **app-33** (60): 60 snapshots, named in the `results` output')
  })
})
