/**
 * The shell of a suggest run, without AWS: each application's schedule name in a file of several,
 * the zone suggestions are made in, CloudWatch's series mapped back to each application's hours
 * (and what CloudWatch refused, as each application reports it), and the job summary.
 */
import { describe, expect, it } from '@jest/globals'
import type { ApplicationRef, Config } from '../src/github/config.js'
import { renderSuggestSummary, type SuggestReport } from '../src/github/suggest-summary.js'
import type { MetricDataReader, MetricQuery, MetricSeries, TimeRange } from '../src/aws/metric-data.js'
import { ScalerError } from '../src/errors.js'
import type { ApplicationState } from '../src/phases/application.js'
import { failedWith, outcomeFor, type Outcome } from '../src/phases/outcome.js'
import { HISTORY_QUERIES, lookBack, readHistories } from '../src/phases/past-metrics.js'
import { scheduleNames, zoneOf, type Suggested } from '../src/phases/suggest.js'
import { parseScheduleText } from '../src/schedule/named-parser.js'
import type { History } from '../src/schedule/history.js'
import { renderNamedSchedules, suggest } from '../src/schedule/suggestion.js'
import { businessHours, historyOf, HOUR, type LocalHour } from './fixtures/history.js'

const ref = (name: string, region = 'us-east-1', account?: string): ApplicationRef => ({ name, region, ...(account ? { account } : {}) })

describe('scheduleNames', () => {
  it.each([
    { refs: [ref('orders'), ref('fraud')], names: ['orders', 'fraud'] },
    { refs: [ref('orders'), ref('orders', 'eu-west-1'), ref('fraud')], names: ['orders@us-east-1', 'orders@eu-west-1', 'fraud'] },
    {
      refs: [ref('orders', 'us-east-1', '111111111111'), ref('orders', 'us-east-1', '222222222222'), ref('orders', 'eu-west-1', '111111111111')],
      names: ['orders@us-east-1/111111111111', 'orders@us-east-1/222222222222', 'orders@eu-west-1']
    }
  ])('$names', ({ refs, names }) => {
    expect(scheduleNames(refs)).toEqual(names)
    expect(new Set(scheduleNames(refs)).size).toBe(refs.length)
  })
})

describe('zoneOf', () => {
  const single = parseScheduleText('timezone: Europe/Berlin\ndefault: { kpu: 2 }\n', 'test')
  const named = parseScheduleText(
    'timezone: America/Los_Angeles\ndefault-schedule: eu\nschedules:\n  us: { default: { kpu: 2 } }\n  eu: { timezone: Europe/Berlin, default: { kpu: 2 } }\n',
    'test'
  )
  const firstOnly = parseScheduleText('schedules:\n  a: { timezone: Asia/Tokyo, default: { kpu: 2 } }\n  b: { default: { kpu: 2 } }\n', 'test')
  it.each([
    { what: 'no schedule beside it', config: {}, zone: 'UTC' },
    { what: 'a single schedule', config: { schedule: single.schedule }, zone: 'Europe/Berlin' },
    { what: 'named schedules: default-schedule', config: { schedules: named.named }, zone: 'Europe/Berlin' },
    { what: 'named schedules without default-schedule: the first', config: { schedules: firstOnly.named }, zone: 'Asia/Tokyo' }
  ])('$what → $zone', ({ config, zone }) => {
    expect(zoneOf(config as Pick<Config, 'schedule' | 'schedules'>)).toBe(zone)
  })
})

describe('readHistories', () => {
  const range = lookBack(new Date('2026-12-05T12:34:56Z'), 7)
  const hours = (range.to.getTime() - range.from.getTime()) / HOUR

  /** A reader that answers every query from `answer` and records what it was asked. */
  function reader(answer: (query: MetricQuery, index: number) => MetricSeries | Error): { reader: MetricDataReader; asked: MetricQuery[][] } {
    const asked: MetricQuery[][] = []
    const fake = {
      requests: 0,
      async read(queries: readonly MetricQuery[], _range: TimeRange): Promise<MetricSeries[]> {
        fake.requests++
        asked.push([...queries])
        const answers = queries.map(answer)
        const thrown = answers.find((a): a is Error => a instanceof Error)
        if (thrown) throw thrown
        return answers as MetricSeries[]
      }
    }
    return { reader: fake as unknown as MetricDataReader, asked }
  }

  const points = (value: (t: number) => number) =>
    Array.from({ length: hours }, (_, i) => range.from.getTime() + i * HOUR).map((t) => ({ at: new Date(t), value: value(t) }))

  it('the look-back is whole hours up to the start of the current one', () => {
    expect(range).toEqual({ from: new Date('2026-11-28T12:00:00Z'), to: new Date('2026-12-05T12:00:00Z') })
  })

  it('one read per place for all its applications, each series back to its application and field', async () => {
    const readers = new Map<string, ReturnType<typeof reader>>()
    const context = {
      metricReaderFor: async (place: { region: string }) => {
        if (!readers.has(place.region)) {
          readers.set(
            place.region,
            reader((q) => {
              const base = q.dimensions.Application === 'a' ? 10 : q.dimensions.Application === 'b' ? 20 : 30
              const offset = q.metric === 'KPUs' ? 1 : q.stat === 'Maximum' ? 2 : 3
              return { points: points(() => base + offset), status: 'Complete', messages: [] }
            })
          )
        }
        return readers.get(place.region)!.reader
      }
    }
    const described = [ref('a'), ref('b', 'eu-west-1'), ref('c')].map((r) => ({ ref: r, parallelismPerKpu: 2 }))
    const histories = await readHistories(described, range, context)
    expect([...readers.keys()].sort()).toEqual(['eu-west-1', 'us-east-1'])
    expect(readers.get('us-east-1')!.asked).toHaveLength(1)
    expect(readers.get('us-east-1')!.asked[0]).toHaveLength(2 * HISTORY_QUERIES.length)
    expect(readers.get('us-east-1')!.asked[0].every((q) => q.periodSeconds === 3600 && q.namespace === 'AWS/KinesisAnalytics')).toBe(true)
    const [a, b, c] = histories as History[]
    for (const [history, name, base] of [[a, 'a', 10], [b, 'b', 20], [c, 'c', 30]] as const) {
      expect(history).toMatchObject({ application: name, parallelismPerKpu: 2, from: range.from, to: range.to })
      expect(history.hours).toHaveLength(hours)
      expect(history.hours[0]).toEqual({ at: range.from, kpus: base + 1, cpuMax: base + 2, cpu: base + 3 })
    }
  })

  it('points outside the look-back or off the hour are left out', async () => {
    const context = {
      metricReaderFor: async () =>
        reader(() => ({
          points: [
            { at: new Date(range.from.getTime() - HOUR), value: 5 },
            { at: new Date(range.from.getTime() + 60_000), value: 5 },
            { at: range.to, value: 5 },
            { at: range.from, value: 5 }
          ],
          status: 'Complete',
          messages: []
        })).reader
    }
    const [history] = (await readHistories([{ ref: ref('a'), parallelismPerKpu: 1 }], range, context)) as History[]
    expect(history.hours.map((h) => h.at)).toEqual([range.from])
  })

  it('IAM denying GetMetricData fails every application of that place, naming the permission; Forbidden fails the application it concerns', async () => {
    const denied = new ScalerError('CloudWatch GetMetricData in us-east-1 failed (AccessDeniedException: User is not authorized to perform: cloudwatch:GetMetricData)', {
      code: 'AccessDeniedException',
      hint: 'Allow cloudwatch:GetMetricData in the IAM policy of the role the action runs as.'
    })
    const context = {
      metricReaderFor: async (place: { region: string }) =>
        place.region === 'us-east-1'
          ? reader(() => denied).reader
          : reader((q) => (q.dimensions.Application === 'x' ? { points: [], status: 'Forbidden', messages: ['Forbidden: denied'] } : { points: points(() => 2), status: 'Complete', messages: [] }))
              .reader
    }
    const histories = await readHistories(
      [ref('a'), ref('b'), ref('x', 'eu-west-1'), ref('y', 'eu-west-1')].map((r) => ({ ref: r, parallelismPerKpu: 1 })),
      range,
      context
    )
    const [a, b, x, y] = histories
    for (const failure of [a, b]) {
      expect(failure).toBeInstanceOf(ScalerError)
      expect((failure as ScalerError).message).toMatch(/^IAM denied cloudwatch:GetMetricData in us-east-1, so the metrics could not be read and no schedule can be suggested: /)
      expect((failure as ScalerError).hint).toContain('cloudwatch:GetMetricData')
    }
    expect((x as ScalerError).message).toBe('CloudWatch answered Forbidden for its metrics (Forbidden: denied), so no schedule can be suggested.')
    expect((y as History).hours).toHaveLength(hours)
  })
})

describe('renderSuggestSummary', () => {
  const state = (name: string): ApplicationState => ({
    name,
    arn: `arn:aws:kinesisanalytics:us-east-1:123456789012:application/${name}`,
    region: 'us-east-1',
    status: 'RUNNING',
    versionId: 1,
    configurationType: 'CUSTOM',
    parallelism: 20,
    parallelismPerKpu: 1,
    autoScalingEnabled: false,
    snapshotsEnabled: true
  })
  const from = '2026-11-02T08:00:00Z'
  const suggestedFor = (name: string, price?: number, gap = false): Suggested => ({
    ref: ref(name),
    state: state(name),
    suggestion: suggest(
      historyOf({ application: name, zone: 'America/Los_Angeles', from, days: 28, need: (local) => (gap && local.at.getTime() < Date.parse(from) + 2 * 86_400_000 ? undefined : businessHours(local)) }),
      { timezone: 'America/Los_Angeles', utilization: 60, ...(price === undefined ? {} : { kpuHourPrice: price }) }
    )
  })
  const report = (suggested: Suggested[], failed: Outcome[] = [], extra: Partial<SuggestReport> = {}): SuggestReport => {
    const named = suggested.length + failed.length > 1
    const withNames = named ? suggested.map((s) => ({ ...s, name: s.ref.name })) : suggested
    return {
      run: {
        outcomes: [...withNames.map((s) => ({ ...outcomeFor(s.ref), action: 'skipped' as const, reason: 'Suggested.' })), ...failed],
        suggested: withNames,
        from: new Date(from),
        to: new Date(Date.parse(from) + 28 * 86_400_000),
        timezone: 'America/Los_Angeles',
        named,
        yaml: withNames.length === 0 ? undefined : named ? renderNamedSchedules(withNames.map((s) => s.suggestion)) : withNames[0].suggestion.yaml
      },
      days: 28,
      utilization: 60,
      clock: new Date('2026-12-05T12:00:00Z'),
      ...extra
    }
  }

  it('one application: its figures, the week it asks for and the YAML to commit', () => {
    const one = suggestedFor('orders', 0.11, true)
    const markdown = renderSuggestSummary(report([one], [], { kpuHourPrice: 0.11, startedBy: 'workflow_dispatch by @octocat' }))
    expect(markdown).toContain('> **Suggestion**: nothing was changed.')
    expect(markdown).toContain('**Suggested a schedule for orders: 3-16 KPU, 2 rules**')
    expect(markdown).toContain('Started by workflow\\_dispatch by @octocat; metrics of 2026-11-02 08:00 UTC to 2026-11-30 08:00 UTC (672 hours, hourly), schedules in America/Los_Angeles.')
    expect(markdown).toContain(`| Hours carried at or under 60% CPU | ${one.suggestion.figures.carried} of 624 (`)
    expect(markdown).toContain('| Hours without data | 48 of 672: the application was stopped, or did not exist yet; left out of every figure |')
    expect(markdown).toContain('| Cost at 0.11 per KPU-hour |')
    expect(markdown).toContain('**The week it asks for** (the week of 2026-11-30):')
    expect(markdown).toContain('Save it as `.github/flink-schedule.yml` (`schedule-file`)')
    expect(markdown).toContain(`\`\`\`yaml\n${one.suggestion.yaml}\`\`\``)
    expect(markdown).not.toContain('<details>')
  })

  it('several applications: an overview, each folded beyond three, one named schedule each and how to follow them by tag; failures first', () => {
    const apps = ['a', 'b', 'c', 'd'].map((name) => suggestedFor(name))
    const failure = failedWith(outcomeFor(ref('newcomer')), new ScalerError('Application "newcomer" has metrics for 5 days of the 28 days looked back on; a suggestion needs at least 7 days of them.', { hint: 'Suggest again once the application has run for a week.' }))
    const markdown = renderSuggestSummary(report(apps, [failure], { tagKey: 'team-schedule', scheduleFile: '.github/fleet.yml' }))
    expect(markdown).toContain('**Suggested schedules for 4 applications; newcomer failed**')
    expect(markdown.indexOf('### What failed and how to fix it')).toBeLessThan(markdown.indexOf('| Application | Sizes |'))
    expect(markdown).toContain('- **newcomer** (us-east-1): Application "newcomer" has metrics for 5 days')
    expect(markdown.match(/<details>/g)).toHaveLength(4)
    expect(markdown).toContain('Save it as `.github/fleet.yml` (`schedule-file`): one named schedule per application, named after it. Tag each application `team-schedule`')
    const yaml = /```yaml\n([\s\S]*?)```/.exec(markdown)![1]
    expect([...parseScheduleText(yaml, 'summary').named!.byName.keys()]).toEqual(['a', 'b', 'c', 'd'])
  })

  it('without a schedule to take the zone from: a warning that UTC keeps no daylight-saving time, and how to give the zone', () => {
    const one = suggestedFor('orders')
    const utc = (zoneGiven: boolean) => renderSuggestSummary({ ...report([one]), run: { ...report([one]).run, timezone: 'UTC', zoneGiven } })
    expect(utc(false)).toContain('> [!WARNING]\n> No schedule was given beside suggest, so the proposal is in UTC, which has no daylight-saving time')
    expect(utc(false)).toContain('timezone: America/Los\\_Angeles')
    expect(utc(true)).not.toContain('[!WARNING]')
    expect(renderSuggestSummary(report([]))).not.toContain('[!WARNING]')
  })

  it('hours set aside say whether the sizes carry them anyway; hours at full CPU are counted, with what to check', () => {
    const pinned = (local: LocalHour) => local.weekday <= 5 && local.hour >= 10 && local.hour < 12
    // One Monday 03:00 far above every other week: set aside, yet (a night at 3 KPU) carried or not by the sizes chosen.
    const spike = (local: LocalHour) => local.date === '2026-11-09' && local.hour === 3
    const make = (need: (local: LocalHour) => number, ran = 20): Suggested => ({
      ref: ref('orders'),
      state: state('orders'),
      suggestion: suggest(historyOf({ application: 'orders', zone: 'America/Los_Angeles', from, days: 28, need, ran: () => ran }), { timezone: 'America/Los_Angeles', utilization: 60 })
    })
    const notCarried = make((local) => (spike(local) ? 9 : 3))
    expect(notCarried.suggestion.proposal.setAside).toBe(1)
    expect(notCarried.suggestion.figures.underProvisioned).toBe(1)
    const row = (markdown: string) => markdown.split('\n').find((line) => line.startsWith('| Set aside |'))
    expect(row(renderSuggestSummary(report([notCarried])))).toBe(
      '| Set aside | 1 past hour, each the busiest of its hour of the week and above the other weeks there (a one-off, not a weekly need): not sized for |'
    )
    // Five sizes rounded to four: Monday 18-20 (8 KPU) gets the day's 12, which carries a one-off 10 at 19:00 on 2026-11-09 all the same.
    const five = (local: LocalHour) =>
      local.weekday <= 5 && local.hour >= 8 && local.hour < 18 ? 12
        : local.weekday === 6 && local.hour >= 1 && local.hour < 5 ? 16
          : local.weekday === 7 && local.hour >= 10 && local.hour < 14 ? 6
            : local.weekday === 1 && local.hour >= 18 && local.hour < 20 ? 8
              : 3
    const carried = make((local) => (local.date === '2026-11-09' && local.hour === 19 ? 10 : five(local)))
    expect([carried.suggestion.proposal.setAside, carried.suggestion.figures.underProvisioned]).toEqual([1, 0])
    expect(row(renderSuggestSummary(report([carried])))).toBe(
      '| Set aside | 1 past hour, each the busiest of its hour of the week and above the other weeks there (a one-off, not a weekly need): not sized for, though the sizes chosen carry them all the same |'
    )
    const full = make((local) => (pinned(local) ? 26 : 4), 16)
    const markdown = renderSuggestSummary(report([full]))
    expect(markdown).toContain('| At full CPU | 40 past hours ran at 95% or more (p90): the job was likely behind, so they may have needed more than the CPU shows.')
    expect(markdown).toMatch(/\| The busiest hour under it \| .*\(it ran at full CPU, so it may have needed more\) \|/)
    expect(renderSuggestSummary(report([notCarried]))).not.toContain('| At full CPU |')
  })

  it('nothing suggested: the failures alone, no YAML', () => {
    const failure = failedWith(outcomeFor(ref('orders')), new ScalerError('IAM denied cloudwatch:GetMetricData in us-east-1.'))
    const markdown = renderSuggestSummary(report([], [failure]))
    expect(markdown).toContain('**No schedule suggested: orders failed**')
    expect(markdown).not.toContain('```yaml')
  })
})
