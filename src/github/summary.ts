/** The job summary's Markdown, rendered from the outcomes of a run (pure). */
import { DateTime } from 'luxon'
import { markdownCode, markdownText } from './escape.js'
import { sourceText } from '../phases/decide.js'
import { valueText, type Wait } from '../phases/scale-down.js'
import { EVERY_APPLICATION as EVERY, runningAt, type Outcome } from '../phases/outcome.js'

/** A coming change of the schedule, resolved to parallelism where possible. */
export interface Upcoming {
  at: Date
  rule: string
  /** Human text of the target, e.g. "20 KPU (parallelism 40)". */
  target: string
  /** A scale-down the schedule's guard watches. */
  guarded?: boolean
}

/** One named schedule's part of the summary: its applications, its coming changes and its week. */
export interface ScheduleGroup {
  /** The named schedule; undefined for the applications that follow none (they failed before one was known). */
  name?: string
  /** The schedule's zone. */
  timezone?: string
  /** Its next 7 days of changes, in order. */
  upcoming: Upcoming[]
  /** Its week ahead drawn (renderWeek). */
  week?: string
  /** What its guard does, in words that follow "it" (describeGuard), when it has one. */
  guard?: string
  outcomes: Outcome[]
}

/** Everything the job summary shows; rendering is pure. */
export interface Report {
  outcomes: Outcome[]
  dryRun: boolean
  /** The instant the schedule was evaluated at. */
  now: Date
  atGiven: boolean
  /** The schedule's zone; undefined without a schedule. */
  timezone?: string
  /** The next 7 days of schedule changes, in order. */
  upcoming: Upcoming[]
  /** The week ahead drawn (Markdown from renderWeek), with its KPU-hours. */
  week?: string
  /** What the schedule's guard does, in words that follow "it" (describeGuard), when it has one. */
  guard?: string
  /**
   * With named schedules: the applications grouped by the schedule they follow, each group with
   * its own week; then `upcoming`, `week` and `timezone` are not shown.
   */
  groups?: ScheduleGroup[]
  /** A check of the schedule only (check-only): no application was looked at. */
  checkOnly?: boolean
  /** What started the run: "a scheduled run", "workflow_dispatch by @octocat". */
  startedBy?: string
  /** A run-level failure before any application was handled (bad input, no credentials). */
  failure?: { message: string; hint?: string }
  /** snapshot-limit, for the share of it each counted application has reached. */
  snapshotLimit?: number
}

/** Up to this many unchanged applications are shown unfolded, when nothing else happened. */
const UNFOLDED_UNCHANGED = 10
const UNFOLDED_HOLDS = 10

// Non-breaking spaces keep a label or a size on one line in GitHub's narrow table cells.
const ACTION_LABEL: Record<Outcome['action'], string> = {
  updated: '✅&nbsp;updated',
  planned: '📝&nbsp;planned',
  skipped: '⏭️&nbsp;skipped',
  deferred: '⏳&nbsp;deferred',
  failed: '❌&nbsp;failed'
}

/** The job summary in GitHub-flavoured Markdown. */
export function renderSummary(report: Report): string {
  const lines: string[] = ['## Flink scheduled scaling', '']
  if (report.dryRun) lines.push('> [!NOTE]', '> **Dry run**: nothing was changed; this shows what a real run would do.', '')
  if (report.failure) {
    lines.push('> [!CAUTION]', `> **${escape(report.failure.message)}**`)
    if (report.failure.hint) lines.push(`> Fix: ${multiline(report.failure.hint)}`)
    lines.push('')
    if (report.outcomes.length === 0) return lines.join('\n')
  }

  if (report.checkOnly) {
    const valid = report.groups ? `the ${report.groups.length} named schedules are valid` : 'the schedule is valid'
    lines.push('> [!NOTE]', `> **Check only**: ${valid}. No application was looked at and nothing was changed; this is what the schedule${report.groups ? 's' : ''} will do.`, '')
  } else {
    lines.push(`**${escape(headline(report.outcomes, report.dryRun))}**`, '')
  }
  const started = report.startedBy ? `Started by ${escape(report.startedBy)}; evaluated` : 'Evaluated'
  lines.push(`${started} at ${formatTime(report.now, report.timezone)}${report.atGiven ? ', the instant given by `at`' : ''}.`, '')

  lines.push(...failuresSection(report.outcomes))

  if (report.groups) {
    for (const group of byAttention(report.groups)) lines.push(...groupSection(group))
  } else {
    lines.push(...applicationsSection(report.outcomes, report.timezone, '###'))
  }

  const holds = report.outcomes.filter((o) => o.hold)
  if (holds.length > 0) {
    const items = holds.map((o) => {
      const hold = o.hold!
      // Tag values: anyone allowed to tag the application can write them, so they are shown as data.
      const who = [hold.actor ? ` by ${markdownCode(`@${hold.actor}`)}` : '', hold.by ? ` in ${markdownCode(hold.by)}` : ''].join('')
      return `- **${escape(o.application)}**${o.account ? ` (${where(o)})` : ''}: parallelism ${hold.parallelism} until ${formatTime(new Date(hold.until), report.timezone)}${who ? `, set${who}` : ''}.`
    })
    lines.push('### Holds', '')
    if (holds.length > UNFOLDED_HOLDS) lines.push('<details>', `<summary>${holds.length} applications are held</summary>`, '', ...items, '', '</details>')
    else lines.push(...items)
    lines.push('')
  }

  lines.push(...snapshotSection(report))

  if (!report.groups && report.timezone) lines.push('### The week ahead', '', ...weekSection(report.upcoming, report.week, report.timezone, report.guard))
  return lines.join('\n')
}

/**
 * The applications: scale-downs that wait in a group of their own (they are not failures), then
 * the table, failures first, then changes; what did not change is folded away when there is
 * anything else, or much of it, so that a run over hundreds of applications stays readable.
 * `heading` is the level of the deferred group's heading; inside a named schedule's section, bold.
 */
function applicationsSection(outcomes: Outcome[], zone: string | undefined, heading?: '###'): string[] {
  const lines: string[] = []
  const deferred = outcomes.filter((o) => o.action === 'deferred')
  if (deferred.length > 0) {
    const title = `Deferred: scale-downs that wait${deferred.length > 1 ? ` (${deferred.length})` : ''}`
    lines.push(heading ? `${heading} ${title}` : `**${title}**`, '', ...deferredTable(deferred, zone), '')
  }
  const failed = outcomes.filter((o) => o.action === 'failed')
  const changed = outcomes.filter((o) => o.action === 'updated' || o.action === 'planned')
  const unchanged = outcomes.filter((o) => o.action === 'skipped')
  const fold = failed.length + changed.length + deferred.length > 0 || unchanged.length > UNFOLDED_UNCHANGED
  const shown = fold ? [...failed, ...changed] : [...failed, ...changed, ...unchanged]
  if (shown.length > 0) lines.push(...table(shown), '')
  if (fold && unchanged.length > 0) {
    lines.push('<details>', `<summary>${unchanged.length} unchanged: already at target, or not RUNNING</summary>`, '', ...table(unchanged), '', '</details>', '')
  }
  return lines
}

/** The next change, the guard, the week drawn, and every change of the next 7 days folded away. */
function weekSection(upcoming: Upcoming[], week: string | undefined, timezone: string, guard?: string): string[] {
  const lines: string[] = []
  const [next] = upcoming
  lines.push(
    next ? `Next change: **${escape(next.target)}** at ${formatTime(next.at, timezone)} (${escape(sourceText(next.rule))}).` : 'The schedule does not change in the next 7 days.',
    ''
  )
  if (guard) lines.push(`A guard watches every scale-down (marked 🛡️ below): it ${escape(guard)}.`, '')
  if (week) lines.push(week, '')
  if (next) {
    // Every change in a table folded away, in the zone and in UTC so DST shows.
    const zones = timezone === 'UTC' ? ['UTC'] : [timezone, 'UTC']
    lines.push('<details>', `<summary>Every change of the next 7 days (${upcoming.length})</summary>`, '', `| ${zones.join(' | ')} | Target | Rule |`, `|${' --- |'.repeat(zones.length + 2)}`)
    for (const u of upcoming) {
      lines.push(`| ${zones.map((zone) => local(u.at, zone)).join(' | ')} | ${escape(u.target)}${u.guarded ? ' 🛡️' : ''} | ${escape(u.rule)} |`)
    }
    lines.push('', '</details>', '')
  }
  return lines
}

/** One named schedule: a heading, its applications, then its next change and week. */
function groupSection(group: ScheduleGroup): string[] {
  const count = group.outcomes.length
  const applications = count === 0 ? '' : `: ${count} application${count === 1 ? '' : 's'}`
  const heading = group.name === undefined ? `### Following no schedule${applications}` : `### Schedule ${markdownCode(group.name)}${applications}`
  const lines = [heading, '', ...applicationsSection(group.outcomes, group.timezone)]
  if (group.timezone) lines.push(...weekSection(group.upcoming, group.week, group.timezone, group.guard))
  return lines
}

/** What a reader should see first: failures (and deferrals), then changes, then the rest. */
const ATTENTION: Record<Outcome['action'], number> = { failed: 0, deferred: 0, updated: 1, planned: 1, skipped: 2 }

/** Groups with failures first, then those with changes, then the others, each kind in its own order. */
function byAttention(groups: ScheduleGroup[]): ScheduleGroup[] {
  const rank = (group: ScheduleGroup) => Math.min(3, ...group.outcomes.map((o) => ATTENTION[o.action]))
  return groups.map((group, index) => ({ group, index, rank: rank(group) })).sort((a, b) => a.rank - b.rank || a.index - b.index).map(({ group }) => group)
}

/** The table of applications: one row each; with an Account column when any has one (account-roles). */
function table(outcomes: Outcome[]): string[] {
  const accounts = outcomes.some((o) => o.account)
  const rows = accounts
    ? ['| Application | Account | Status | Before | Target | Action | Rule | Why |', '| --- | --- | --- | --- | --- | --- | --- | --- |']
    : ['| Application | Status | Before | Target | Action | Rule | Why |', '| --- | --- | --- | --- | --- | --- | --- |']
  for (const o of outcomes) {
    // A failure's full text and fix are listed above the table; the row keeps its first sentence.
    const why = o.action === 'failed' ? firstSentence(o.reason) : `${o.reason}${o.lateness ? ` ${o.lateness}` : ''}`
    rows.push(
      `| ${consoleLink(o)} |${accounts ? ` ${o.account ?? '–'} |` : ''} ${o.status ?? '–'} | ${sizeText(o.previousParallelism, o.previousKpu)} | ${sizeText(o.targetParallelism, o.targetKpu)} | ${ACTION_LABEL[o.action]} | ${escape(o.rule ?? '–')} | ${escape(why)} |`
    )
  }
  return rows
}

/** The deferred scale-downs: what each runs at, its target, what it waits for and until when at most. */
function deferredTable(outcomes: Outcome[], zone: string | undefined): string[] {
  const accounts = outcomes.some((o) => o.account)
  const rows = [
    `| Application |${accounts ? ' Account |' : ''} Runs at | Target | Waits for | Now | Limit | Goes ahead at the latest |`,
    `| --- |${accounts ? ' --- |' : ''} --- | --- | --- | --- | --- | --- |`
  ]
  for (const o of outcomes) {
    const waits = o.deferral?.waitsFor ?? []
    const cell = (text: (w: Wait) => string) => waits.map((w) => escape(text(w))).join('<br>') || '–'
    const runsAt = runningAt(o)
    rows.push(
      `| ${consoleLink(o)} |${accounts ? ` ${o.account ?? '–'} |` : ''} ${sizeText(runsAt.parallelism, runsAt.kpu)} | ${sizeText(o.targetParallelism, o.targetKpu)} | ` +
        `${cell((w) => (w.metric === 'CurrentParallelism' ? "the service's autoscaler" : w.metric))} | ` +
        `${cell((w) => (w.measured !== undefined ? `${valueText(w.metric, w.measured)} (${valueText(w.metric, w.value)} at the target)` : valueText(w.metric, w.value)))} | ` +
        `${cell((w) => (w.metric === 'CurrentParallelism' ? `restart at ${w.limit} cuts it` : `below ${valueText(w.metric, w.limit)}`))} | ` +
        `${o.deferral ? formatTime(new Date(o.deferral.until), zone) : '–'} |`
    )
  }
  return rows
}

/** "us-east-1", or "eu-west-1, account 210987654321" with account-roles. */
/** "What failed and how to fix it": each failure with its fix, first in every summary; nothing when none failed. */
export function failuresSection(outcomes: readonly Outcome[]): string[] {
  const failed = outcomes.filter((o) => o.action === 'failed')
  if (failed.length === 0) return []
  return [
    `### What failed and how to fix it${failed.length > 1 ? ` (${failed.length})` : ''}`,
    '',
    ...failed.map(
      (o) => `- **${o.application === EVERY ? 'Every application' : escape(o.application)}** (${where(o)}): ${escape(o.error ?? o.reason)}${o.hint ? `<br>**Fix:** ${multiline(o.hint)}` : ''}`
    ),
    ''
  ]
}

function where(o: Outcome): string {
  return o.account ? `${o.region}, account ${o.account}` : o.region
}

/** Snapshot names listed in the summary at most; beyond, an application's deletions are counted (the `results` output names them all). */
const LISTED_SNAPSHOTS = 2000

/**
 * The snapshots of the applications this run updated: how many each has (of snapshot-limit), what
 * was deleted (or, in a dry run, would be), and what is near the limit. Nothing when none was counted.
 */
function snapshotSection(report: Report): string[] {
  const counted = report.outcomes.filter((o) => o.snapshots !== undefined)
  if (counted.length === 0) return []
  const gone = (o: Outcome) => (report.dryRun ? o.wouldDeleteSnapshots : o.deletedSnapshots) ?? []
  const verb = report.dryRun ? 'Would delete' : 'Deleted'
  const share = (o: Outcome) => (report.snapshotLimit ? ` (${Math.floor((o.snapshots! / report.snapshotLimit) * 100)}%)` : '')
  // With account-roles the same name can be in two accounts: an Account column, as the other tables have.
  const accounts = counted.some((o) => o.account)
  const row = (o: Outcome) =>
    `| ${escape(o.application)} |${accounts ? ` ${o.account ?? '–'} |` : ''} ${o.snapshots}${share(o)} | ${gone(o).length || '–'} | ${escape(o.snapshotNote ?? '')} |`
  const head = [`| Application |${accounts ? ' Account |' : ''} Snapshots | ${verb} | Note |`, `| --- |${accounts ? ' --- |' : ''} --- | --- | --- |`]
  const lines = [
    '### Snapshots',
    '',
    `Counted for the applications this run ${report.dryRun ? 'would update' : 'updated'}, the update's own snapshot included` +
      `${report.snapshotLimit ? `, against snapshot-limit ${report.snapshotLimit}` : ''}.`,
    ''
  ]
  // What needs looking at stays in view; a fleet's other rows are folded.
  const noted = counted.filter((o) => o.snapshotNote)
  const fold = counted.length > UNFOLDED_UNCHANGED
  const shown = fold ? noted : counted
  if (shown.length) lines.push(...head, ...shown.map(row), '')
  const rest = counted.filter((o) => !shown.includes(o))
  if (rest.length) lines.push('<details>', `<summary>${rest.length} more applications</summary>`, '', ...head, ...rest.map(row), '', '</details>', '')

  const pruned = counted.filter((o) => gone(o).length > 0)
  if (pruned.length) {
    const total = pruned.reduce((sum, o) => sum + gone(o).length, 0)
    let budget = LISTED_SNAPSHOTS
    const items = pruned.map((o) => {
      const names = gone(o)
      const listed = names.length <= budget ? names.map((n) => markdownCode(n)).join(', ') : `${names.length} snapshots, named in the \`results\` output`
      budget = Math.max(0, budget - names.length)
      return `- **${escape(o.application)}** (${names.length}${o.account ? `; ${where(o)}` : ''}): ${listed}`
    })
    lines.push('<details>', `<summary>${verb}: ${total} snapshot${total === 1 ? '' : 's'} of ${pruned.length} application${pruned.length === 1 ? '' : 's'}</summary>`, '', ...items, '', '</details>', '')
  }
  return lines
}

/** Changes are named up to this many; beyond, they are counted by kind of change. */
const NAMED_CHANGES = 3

/** One line that says what the run did. */
export function headline(outcomes: Outcome[], dryRun: boolean): string {
  const parts: string[] = []
  for (const [action, verb] of [['updated', 'Scaled'], ['planned', 'Would scale']] as const) {
    const changes = outcomes.filter((o) => o.action === action)
    if (changes.length === 0) continue
    if (changes.length <= NAMED_CHANGES) {
      parts.push(`${verb} ${changes.map((o) => `${changeText(o)}${o.rule ? ` for ${sourceText(o.rule)}` : ''}`).join(', ')}`)
      continue
    }
    const kinds = new Map<string, number>()
    for (const o of changes) {
      const kind = `${o.previousKpu ?? '?'} → ${o.targetKpu ?? '?'} KPU`
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    }
    const counted = [...kinds].sort((a, b) => b[1] - a[1])
    const shown = counted.slice(0, NAMED_CHANGES).map(([kind, count]) => `${kind}: ${count}`)
    parts.push(`${verb} ${changes.length} applications (${shown.join(', ')}${counted.length > NAMED_CHANGES ? ', …' : ''})`)
  }
  const deferred = outcomes.filter((o) => o.action === 'deferred')
  if (deferred.length > 0) {
    const what = (o: Outcome) => (o.deferral?.waitsFor ?? []).map((w) => (w.metric === 'CurrentParallelism' ? "the service's autoscaler" : w.metric)).join(' and ')
    const verb = parts.length === 0 ? 'Deferred' : 'deferred'
    parts.push(
      deferred.length <= NAMED_CHANGES
        ? `${verb} ${deferred.map((o) => `${changeText(o, runningAt(o))} (waits for ${what(o)})`).join(', ')}`
        : `${verb} ${deferred.length} scale-downs`
    )
  }
  const failed = outcomes.filter((o) => o.action === 'failed').length
  const skipped = outcomes.filter((o) => o.action === 'skipped').length
  if (parts.length === 0 && failed === 0) {
    return outcomes.length === 1
      ? `${outcomes[0].application}: no change (${outcomes[0].reason.replace(/\.$/, '')})`
      : `No change: ${skipped} application${skipped === 1 ? '' : 's'} already as the schedule asks or not RUNNING`
  }
  // Up to three applications are named; more are counted.
  const named = (action: Outcome['action'], word: string) => {
    const of = outcomes.filter((o) => o.action === action)
    const names = [...everyApplicationText(of.filter((o) => o.application === EVERY)), ...of.filter((o) => o.application !== EVERY).map((o) => o.application)]
    return `${names.length <= 3 ? names.join(', ') : of.length} ${word}`
  }
  if (failed > 0) parts.push(named('failed', 'failed'))
  if (skipped > 0 && parts.length > 0 && outcomes.length > 1) parts.push(named('skipped', 'unchanged'))
  return parts.join('; ') + (dryRun ? ' (dry run)' : '')
}

/**
 * Places that could not be listed, one phrase per account: "every application of us-east-1" in the
 * run's own account, "every application of us-east-1 and eu-west-1 in account 333333333333" for a role's.
 */
function everyApplicationText(places: Outcome[]): string[] {
  const regions = new Map<string | undefined, string[]>()
  for (const o of places) regions.set(o.account, [...(regions.get(o.account) ?? []), o.region])
  return [...regions].map(([account, list]) => {
    const where = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`
    return `every application of ${where}${account ? ` in account ${account}` : ''}`
  })
}

/**
 * "orders-enricher 10 → 20 KPU", with the parallelism when it differs from the KPUs; `from` is what
 * it is told from (a deferral: what the job runs at now, see runningAt), by default the configured.
 */
function changeText(o: Outcome, from: { parallelism?: number; kpu?: number } = { parallelism: o.previousParallelism, kpu: o.previousKpu }): string {
  const kpu = `${from.kpu ?? '?'} → ${o.targetKpu ?? '?'} KPU`
  const sameNumbers = from.kpu === from.parallelism && o.targetKpu === o.targetParallelism
  return `${o.application} ${kpu}${sameNumbers ? '' : ` (parallelism ${from.parallelism ?? '?'} → ${o.targetParallelism ?? '?'})`}`
}

/** "10 (10 KPU)", kept on one line, or "–" when unknown. */
function sizeText(parallelism: number | undefined, kpu: number | undefined): string {
  if (parallelism === undefined) return '–'
  return kpu === undefined ? `${parallelism}` : `${parallelism}&nbsp;(${kpu}&nbsp;KPU)`
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/)
  return end < 0 ? text : text.slice(0, end + 1)
}

function consoleLink(o: Outcome): string {
  // Its account, with account-roles, is in the Account column.
  if (o.application === EVERY) return `*every application of ${escape(o.region)}*`
  const host = o.region.startsWith('cn-')
    ? `${o.region}.console.amazonaws.cn`
    : o.region.startsWith('us-gov-')
      ? 'console.amazonaws-us-gov.com'
      : `${o.region}.console.aws.amazon.com`
  const url = `https://${host}/flink/home?region=${o.region}#/applications/${encodeURIComponent(o.application)}`
  return `[${escape(o.application)}](${url})`
}

function local(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('ccc yyyy-MM-dd HH:mm ZZZZ')
}

function formatTime(at: Date, zone: string | undefined): string {
  const utc = DateTime.fromJSDate(at, { zone: 'UTC' }).toFormat("yyyy-MM-dd HH:mm 'UTC'")
  return zone && zone !== 'UTC' ? `${local(at, zone)} (${utc})` : utc
}

/** A hint may carry a YAML block (the permissions: a job needs); keep its lines and indentation. */
function multiline(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => escape(line).replace(/^ +/, (spaces) => '&nbsp;'.repeat(spaces.length)))
    .join('<br>')
}

/** Text from AWS, the schedule or tags must not break the table nor become markup or links. */
const escape = markdownText
