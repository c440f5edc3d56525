/**
 * The job summary of a suggest run (pure): per application the suggested schedule's figures on the
 * weeks it was made from, the week it asks for drawn, and the YAML ready to commit.
 */
import { DateTime } from 'luxon'
import { markdownCode, markdownText } from './escape.js'
import { failuresSection } from './summary.js'
import { CPU_PERCENTILE } from '../schedule/history.js'
import { renderWeek, weekAhead } from '../schedule/week.js'
import { FULL_CPU, type Figures } from '../schedule/suggestion.js'
import { EVERY_APPLICATION as EVERY } from '../phases/outcome.js'
import type { Suggested, SuggestRun } from '../phases/suggest.js'

/** Everything the summary of a suggest run shows. */
export interface SuggestReport {
  run: Pick<SuggestRun, 'outcomes' | 'suggested' | 'from' | 'to' | 'timezone' | 'named' | 'yaml'> & Partial<Pick<SuggestRun, 'zoneGiven'>>
  /** `suggest`, in days. */
  days: number
  /** `suggest-utilization`, in percent. */
  utilization: number
  kpuHourPrice?: number
  /** What started the run: "a scheduled run", "workflow_dispatch by @octocat". */
  startedBy?: string
  /** The run's start: the weeks drawn are the week it is in. */
  clock: Date
  /** Where the schedule given beside `suggest` lives, to commit the suggestion there. */
  scheduleFile?: string
  /** `select-by-tag`: the tag whose value names each application's schedule. */
  tagKey?: string
}

/**
 * Said when no schedule gave the zone: a schedule in UTC keeps no daylight-saving time, so work that
 * starts at 08:00 local time is at another UTC hour half of the year.
 */
export const UTC_WARNING =
  'No schedule was given beside suggest, so the proposal is in UTC, which has no daylight-saving time: where the load follows local office hours, ' +
  'it is an hour off for half of the year. Give your zone beside suggest, e.g. schedule: "{ timezone: America/Los_Angeles, default: { kpu: 1 } }" ' +
  '(only its timezone is used), and run again.'

/** Up to this many applications are shown unfolded. */
const UNFOLDED = 3
/** Applications named in the headline; more are counted. */
const NAMED = 3

export function renderSuggestSummary(report: SuggestReport): string {
  const { run, utilization } = report
  const lines = [
    '## Flink scheduled scaling',
    '',
    '> [!NOTE]',
    `> **Suggestion**: nothing was changed. Each schedule below is proposed from the application's own CloudWatch metrics of the last ${report.days} days, ` +
      `sized to keep containerCPUUtilization (${CPU_PERCENTILE} of each hour) at or under ${utilization}%.`,
    '',
    `**${markdownText(headline(run))}**`,
    '',
    `${report.startedBy ? `Started by ${markdownText(report.startedBy)}; metrics` : 'Metrics'} of ${utc(run.from)} to ${utc(run.to)} ` +
      `(${hoursBetween(run.from, run.to)} hours, hourly), schedules in ${run.timezone}.`,
    ''
  ]
  if (run.zoneGiven === false && run.suggested.length > 0) lines.push('> [!WARNING]', `> ${markdownText(UTC_WARNING)}`, '')
  lines.push(...failuresSection(run.outcomes))
  if (run.suggested.length === 0) return lines.join('\n')

  if (run.suggested.length > 1) lines.push(...overview(run.suggested, utilization), '')
  const fold = run.suggested.length > UNFOLDED
  for (const s of run.suggested) {
    const title = `${markdownText(s.ref.name)} (${where(s.ref)})${s.name !== undefined && s.name !== s.ref.name ? `, schedule ${markdownCode(s.name)}` : ''}`
    const body = [...figuresTable(s, utilization), '', `**The week it asks for** (the week of ${DateTime.fromJSDate(report.clock, { zone: run.timezone }).startOf('week').toISODate()}):`, '', week(s, report)]
    if (fold) lines.push('<details>', `<summary>${title}: ${sizesText(s)}, ${share(s.suggestion.figures)} carried</summary>`, '', ...body, '', '</details>', '')
    else lines.push(`### ${title}`, '', ...body, '')
  }

  lines.push('### The schedule to commit', '', ...commitAdvice(report), '', ...codeBlock(run.yaml!, 'yaml'), '')
  return lines.join('\n')
}

/** One line that says what the run did. */
export function headline(run: Pick<SuggestRun, 'outcomes' | 'suggested'>): string {
  const names = (list: string[]) => (list.length <= NAMED ? join(list) : `${list.length} applications`)
  const failed = run.outcomes.filter((o) => o.action === 'failed').map((o) => (o.application === EVERY ? `every application of ${o.region}` : o.application))
  const failures = failed.length > 0 ? `${names(failed)} failed` : ''
  if (run.suggested.length === 0) return `No schedule suggested${failures ? `: ${failures}` : ''}`
  const what =
    run.suggested.length === 1
      ? `Suggested a schedule for ${run.suggested[0].ref.name}: ${sizesText(run.suggested[0])}`
      : `Suggested schedules for ${names(run.suggested.map((s) => s.ref.name))}`
  return failures ? `${what}; ${failures}` : what
}

/** Several applications at a glance: sizes, hours carried, KPU-hours. */
function overview(suggested: Suggested[], utilization: number): string[] {
  const priced = suggested.some((s) => s.suggestion.figures.cost)
  const rows = [
    `| Application | Sizes | Carried at ≤ ${utilization}% | KPU-hours: suggested / used / flat at the peak |${priced ? ' Cost: suggested / used / flat |' : ''} Hours without data |`,
    `| --- | --- | --- | --- |${priced ? ' --- |' : ''} --- |`
  ]
  for (const s of suggested) {
    const f = s.suggestion.figures
    const cost = f.cost ? ` ${money(f.cost.schedule)} / ${money(f.cost.used)} / ${money(f.cost.flat)} |` : priced ? ' – |' : ''
    rows.push(
      `| ${markdownText(s.name ?? s.ref.name)} | ${sizesText(s)} | ${share(f)} | ${number(f.kpuHours.schedule)} / ${number(f.kpuHours.used)} / ${number(f.kpuHours.flat)} |${cost} ${f.hoursWithoutData} |`
    )
  }
  return rows
}

/** One application's figures, measured on the hours the schedule was made from. */
function figuresTable({ suggestion }: Suggested, utilization: number): string[] {
  const { figures: f, proposal } = suggestion
  const rules = proposal.rules.map((rule) => `${rule.kpu} KPU ${rule.name}`)
  const rows = [
    '| | |',
    '| --- | --- |',
    `| Schedule | ${[`${proposal.defaultKpu} KPU by default`, ...rules].join('; ')} |`,
    `| Hours carried at or under ${utilization}% CPU | ${f.carried} of ${f.hoursWithData} (${share(f)}) |`,
    `| The busiest hour under it | ${worstText(f)} |`,
    `| KPU-hours | ${number(f.kpuHours.schedule)} suggested · ${number(f.kpuHours.used)} used · ${number(f.kpuHours.flat)} flat at the peak (${f.peakKpu} KPU) |`
  ]
  if (f.cost) {
    rows.push(`| Cost at ${number(f.cost.price, 4)} per KPU-hour | ${money(f.cost.schedule)} suggested · ${money(f.cost.used)} used · ${money(f.cost.flat)} flat at the peak |`)
  }
  rows.push(
    `| Hours without data | ${f.hoursWithoutData === 0 ? 'none' : `${f.hoursWithoutData} of ${f.lookBackHours}: the application was stopped, or did not exist yet; left out of every figure`} |`
  )
  if (proposal.setAside > 0) {
    const hours = `${proposal.setAside} past hour${proposal.setAside === 1 ? '' : 's'}`
    const carriedAnyway = f.underProvisioned === 0 ? ', though the sizes chosen carry them all the same' : ''
    rows.push(`| Set aside | ${hours}, each the busiest of its hour of the week and above the other weeks there (a one-off, not a weekly need): not sized for${carriedAnyway} |`)
  }
  if (f.atFullCpu > 0) {
    rows.push(
      `| At full CPU | ${f.atFullCpu} past hour${f.atFullCpu === 1 ? '' : 's'} ran at ${FULL_CPU}% or more (${CPU_PERCENTILE}): the job was likely behind, so ${f.atFullCpu === 1 ? 'it' : 'they'} may have needed more than the CPU shows. ` +
        'Check millisBehindLatest or records_lag_max for those hours before trusting the sizes (docs/suggest.md). |'
    )
  }
  return rows
}

/** "Tue 2026-03-03 09:00 PST: p90 38% on 12 KPU, 45% on the suggested 10 KPU (Maximum 52%), 7 points over the aim". */
function worstText(f: Figures): string {
  const w = f.worst
  const max = w.projectedMax !== undefined ? ` (Maximum ${percent(w.projectedMax)})` : ''
  const over = w.over > 0 ? `, ${number(w.over)} points over the aim` : ', under the aim'
  const full = w.cpu >= FULL_CPU ? ' (it ran at full CPU, so it may have needed more)' : ''
  return `${w.local}: ${CPU_PERCENTILE} ${percent(w.cpu)} on the ${number(w.ranKpu)} KPU that ran, ${percent(w.projected)} on the suggested ${w.kpu} KPU${max}${over}${full}`
}

function week(s: Suggested, report: SuggestReport): string {
  const monday = DateTime.fromJSDate(report.clock, { zone: report.run.timezone }).startOf('week').toJSDate()
  return renderWeek(weekAhead(s.suggestion.schedule, monday, s.state.parallelismPerKpu, report.kpuHourPrice))
}

/** Where to put the YAML, and how the scheduled runs then follow it. */
function commitAdvice(report: SuggestReport): string[] {
  const file = report.scheduleFile ?? '.github/flink-schedule.yml'
  if (!report.run.named) {
    return [`Save it as ${markdownCode(file)} (\`schedule-file\`) and run without \`suggest\`: the scheduled runs then follow it. Read it over first: it is what the past weeks needed, not what is coming.`]
  }
  const tag = markdownCode(report.tagKey ?? 'flink-schedule')
  return [
    `Save it as ${markdownCode(file)} (\`schedule-file\`): one named schedule per application, named after it. ` +
      `Tag each application ${tag} with the name of its schedule and run with ${markdownCode(`select-by-tag: ${report.tagKey ?? 'flink-schedule'}`)}, without \`suggest\` (docs/fleets.md). ` +
      'Read them over first: they are what the past weeks needed, not what is coming.'
  ]
}

/** A fenced block that nothing in `text` can close. */
function codeBlock(text: string, language: string): string[] {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return [`${fence}${language}`, ...text.replace(/\n$/, '').split('\n'), fence]
}

/** "3-12 KPU, 2 rules", "4 KPU, flat". */
function sizesText({ suggestion }: Suggested): string {
  const { proposal } = suggestion
  const sizes = [proposal.defaultKpu, ...proposal.rules.map((rule) => rule.kpu)]
  const low = Math.min(...sizes)
  const high = Math.max(...sizes)
  const rules = proposal.rules.length
  return `${low === high ? low : `${low}-${high}`} KPU, ${rules === 0 ? 'flat' : `${rules} rule${rules === 1 ? '' : 's'}`}`
}

/** "99.4%": carried hours, rounded down so that a hour short of all is never 100%. */
function share(f: Figures): string {
  return `${Math.floor(f.carriedShare * 1000) / 10}%`
}

function percent(value: number): string {
  return `${number(value)}%`
}

/** "us-east-1", or "eu-west-1, account 210987654321" with account-roles. */
function where(o: { region: string; account?: string }): string {
  return o.account ? `${o.region}, account ${o.account}` : o.region
}

function utc(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'UTC' }).toFormat("yyyy-MM-dd HH:mm 'UTC'")
}

function hoursBetween(from: Date, to: Date): number {
  return Math.round((to.getTime() - from.getTime()) / 3_600_000)
}

function join(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/** 2,330 or 2,341.7. */
function number(value: number, digits = 1): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits })
}

function money(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })
}
