/**
 * The report: outputs, the log (a group per application), annotations and the job summary, from
 * the list of outcomes. The exit code is failure when any application failed.
 */
import * as core from '@actions/core'
import type { Config } from './config.js'
import { asScalerError } from '../errors.js'
import { logLine } from './escape.js'
import { startedBy, type GitHubRun } from './github-run.js'
import { publicFields, runningAt, type Outcome } from '../phases/outcome.js'
import { DateTime } from 'luxon'
import { sourceText } from '../phases/decide.js'
import { describeTarget, evaluate, nextTransition, resolveParallelism, sameParallelism, transitions, type Schedule, type Target } from '../schedule/schedule.js'
import { describeGuard } from '../schedule/guard.js'
import { valueText } from '../phases/scale-down.js'
import { renderSummary, type ScheduleGroup, type Upcoming } from './summary.js'
import { renderWeek, weekAhead } from '../schedule/week.js'

const WEEK_MS = 7 * 24 * 3_600_000
/** A line of the log: text from outside (reasons with AWS messages, tag values) stays data. */
const info = (text: string) => core.info(logLine(text))

/** GitHub shows at most this many error annotations per step. */
export const MAX_ERROR_ANNOTATIONS = 10

export async function report(config: Config, outcomes: Outcome[], github: GitHubRun): Promise<void> {
  const first = outcomes[0]
  // KPU targets of the schedule become parallelism with the first application's ParallelismPerKPU
  // (the contract's next-parallelism); the summary shows parallelism only when all applications agree.
  // With named schedules, the outputs are of the first application's schedule.
  const perKpu = config.parallelismPerKpu ?? first?.foundParallelismPerKpu
  const perKpuAgreed = new Set(outcomes.map((o) => config.parallelismPerKpu ?? o.foundParallelismPerKpu)).size === 1
  const view = scheduleView(mainSchedule(config, first?.schedule), config, perKpu, perKpuAgreed)

  core.setOutput('changed', String(outcomes.some((o) => o.updateAccepted)))
  core.setOutput('results', JSON.stringify(outcomes.map(publicFields)))
  core.setOutput('target-parallelism', first?.targetParallelism === undefined ? '' : String(first.targetParallelism))
  view.outputs()

  const lastChange = lastChangeOf(config)
  const reported = outcomes.map((o) => withLateness(o, config, lastChange))
  for (const o of reported) logOutcome(o)
  annotate(reported.filter((o) => o.action === 'failed'))
  const groups = config.schedules ? scheduleGroups(config, reported) : undefined
  await writeSummary(
    renderSummary({
      outcomes: reported,
      startedBy: startedBy(github),
      dryRun: config.dryRun,
      now: config.now,
      atGiven: config.atGiven,
      timezone: mainSchedule(config, first?.schedule)?.timezone,
      upcoming: view.upcoming,
      ...(view.week ? { week: view.week } : {}),
      ...(view.guard ? { guard: view.guard } : {}),
      ...(groups ? { groups } : {}),
      snapshotLimit: config.snapshotLimit
    })
  )
  const failed = outcomes.filter((o) => o.action === 'failed').length
  if (failed > 0) {
    info(`${failed} of ${outcomes.length} application${outcomes.length === 1 ? '' : 's'} failed.`)
    process.exitCode = 1
  }
}

/**
 * check-only: the schedule is valid (with named schedules, every one); what it asks for now and
 * next, and its week. No AWS call. The outputs are of the schedule (default-schedule, else the first).
 */
export async function reportCheck(config: Config, github: GitHubRun): Promise<void> {
  const schedule = mainSchedule(config)!
  const perKpu = config.parallelismPerKpu
  const view = scheduleView(schedule, config, perKpu, true)
  const now = evaluate(schedule, config.now, perKpu)
  const target = resolveParallelism(now.target, perKpu)
  core.setOutput('changed', 'false')
  core.setOutput('results', '[]')
  core.setOutput('target-parallelism', target === undefined ? '' : String(target))
  view.outputs()
  const each = config.schedules ? [...config.schedules.byName] : [[undefined, schedule] as const]
  const where = config.scheduleFile ? ` in ${config.scheduleFile}` : ''
  if (config.schedules) info(`The ${each.length} named schedules${where} are valid.`)
  for (const [name, one] of each) {
    const oneView = name === undefined ? view : scheduleView(one, config, perKpu, true)
    const oneNow = name === undefined ? now : evaluate(one, config.now, perKpu)
    const [next] = oneView.upcoming
    info(
      `${name === undefined ? `The schedule${where} is valid` : `Schedule ${name}`}: ${describeTarget(oneNow.target)} now (${sourceText(oneNow.rule)}); ` +
        (next ? `next ${next.target} at ${next.at.toISOString()} (${sourceText(next.rule)}).` : 'it does not change in the next 7 days.')
    )
    if (oneView.guard) {
      const watched = oneView.upcoming.filter((u) => u.guarded)
      info(
        `A guard watches ${name === undefined ? "the schedule's" : `schedule ${name}'s`} scale-downs: it ${oneView.guard}. ` +
          (watched.length > 0
            ? `In the next 7 days: ${watched.map((u) => `${u.at.toISOString()} (${u.target}, ${sourceText(u.rule)})`).join(', ')}.`
            : 'None in the next 7 days.')
      )
    }
    if (oneView.week) {
      core.startGroup(name === undefined ? 'The week ahead' : `The week ahead: ${name}`)
      for (const line of oneView.week.split('\n')) if (!line.startsWith('```')) info(line)
      core.endGroup()
    }
  }
  const groups = config.schedules ? scheduleGroups(config, []) : undefined
  await writeSummary(
    renderSummary({
      outcomes: [],
      checkOnly: true,
      startedBy: startedBy(github),
      dryRun: false,
      now: config.now,
      atGiven: config.atGiven,
      timezone: schedule.timezone,
      upcoming: view.upcoming,
      ...(view.week ? { week: view.week } : {}),
      ...(view.guard ? { guard: view.guard } : {}),
      ...(groups ? { groups } : {})
    })
  )
}

/**
 * The schedule the outputs are of: the single one, or with named schedules the one `name`d (the
 * first application's), else default-schedule, else the first.
 */
function mainSchedule(config: Config, name?: string): Schedule | undefined {
  const named = config.schedules
  if (!named) return config.schedule
  return named.byName.get(name ?? named.defaultSchedule ?? '') ?? named.byName.values().next().value
}

/**
 * With named schedules, the summary's groups: each named schedule that applications follow (every
 * one for check-only), in the order of the file, with its applications, coming changes and week;
 * then the applications that follow none.
 */
function scheduleGroups(config: Config, outcomes: Outcome[]): ScheduleGroup[] {
  const groups: ScheduleGroup[] = []
  for (const [name, schedule] of config.schedules!.byName) {
    const mine = outcomes.filter((o) => o.schedule === name)
    if (mine.length === 0 && !config.checkOnly) continue
    const perKpus = new Set(mine.map((o) => config.parallelismPerKpu ?? o.foundParallelismPerKpu))
    const perKpu = config.parallelismPerKpu ?? mine[0]?.foundParallelismPerKpu
    const view = scheduleView(schedule, config, perKpu, perKpus.size <= 1)
    groups.push({
      name,
      timezone: schedule.timezone,
      upcoming: view.upcoming,
      ...(view.week ? { week: view.week } : {}),
      ...(view.guard ? { guard: view.guard } : {}),
      outcomes: mine
    })
  }
  const none = outcomes.filter((o) => o.schedule === undefined)
  if (none.length > 0) groups.push({ upcoming: [], outcomes: none })
  return groups
}

/** What a schedule does from the evaluated instant on, as this run reports it: outputs, the coming changes, the week. */
function scheduleView(schedule: Schedule | undefined, config: Config, perKpu: number | undefined, perKpuAgreed: boolean) {
  const resolve = (target: Target) => resolveParallelism(target, perKpu)
  const sameTarget = sameParallelism(perKpu)
  const next = schedule && nextTransition(schedule, config.now, sameTarget, perKpu)
  // Compared in parallelism, a KPU target at the ParallelismPerKPU known (1 when not): a scale-down is what the guard watches.
  const weight = (target: Target) => ('parallelism' in target ? target.parallelism : target.kpu * (perKpu ?? 1))
  const upcoming: Upcoming[] = schedule
    ? transitions(schedule, config.now, new Date(config.now.getTime() + WEEK_MS), sameTarget, perKpu).map((t) => {
        const parallelism = resolve(t.to.target)
        const text = describeTarget(t.to.target)
        return {
          at: t.at,
          rule: t.to.rule,
          target: 'kpu' in t.to.target && parallelism !== undefined && perKpuAgreed ? `${text} (parallelism ${parallelism})` : text,
          ...(schedule.guard && weight(t.to.target) < weight(t.from.target) ? { guarded: true } : {})
        }
      })
    : []
  return {
    upcoming,
    week: schedule ? renderWeek(weekAhead(schedule, config.now, perKpu, config.kpuHourPrice)) : undefined,
    guard: schedule?.guard ? describeGuard(schedule.guard) : undefined,
    outputs: () => {
      core.setOutput('next-transition', next ? next.at.toISOString() : '')
      core.setOutput('next-parallelism', next ? String(resolve(next.to.target) ?? '') : '')
    }
  }
}

/**
 * An update that followed a change of the schedule says how long after that change the application
 * reached its target ("20 KPU at 05:19, 14 min after the 05:05 change"): what the cron, GitHub's
 * delay and the restart cost together. Not for previews and backfills (`at`), nor manual targets.
 */
function withLateness(o: Outcome, config: Config, lastChange: (schedule: Schedule, perKpu: number | undefined) => Date | undefined): Outcome {
  const schedule = config.schedules ? (o.schedule === undefined ? undefined : config.schedules.byName.get(o.schedule)) : config.schedule
  if (!schedule || config.atGiven || o.action !== 'updated' || !o.reachedAt || o.rule === 'manual' || o.rule === 'hold') return o
  const change = lastChange(schedule, config.parallelismPerKpu ?? o.foundParallelismPerKpu)
  if (!change) return o
  const at = (t: number) => DateTime.fromMillis(t, { zone: schedule.timezone }).toFormat('HH:mm')
  const minutes = Math.max(0, Math.round((o.reachedAt - change.getTime()) / 60_000))
  return { ...o, lateness: `${o.targetKpu} KPU at ${at(o.reachedAt)}, ${minutes} min after the ${at(change.getTime())} change.` }
}

/** A schedule's last change before the evaluated instant, per schedule and ParallelismPerKPU (a fleet shares a few). */
function lastChangeOf(config: Config): (schedule: Schedule, perKpu: number | undefined) => Date | undefined {
  const found = new Map<Schedule, Map<number | undefined, Date | undefined>>()
  return (schedule, perKpu) => {
    const known = found.get(schedule) ?? new Map<number | undefined, Date | undefined>()
    found.set(schedule, known)
    if (!known.has(perKpu)) {
      const change = transitions(schedule, new Date(config.now.getTime() - WEEK_MS), config.now, sameParallelism(perKpu), perKpu).at(-1)
      known.set(perKpu, change?.at)
    }
    return known.get(perKpu)
  }
}

/** A run-level failure: bad input (then no AWS call was made) or credentials. */
export async function reportFailure(error: unknown, config: Config | undefined, github: GitHubRun): Promise<void> {
  const failure = asScalerError(error)
  const title = failure.kind === 'input' ? 'Invalid input: nothing was changed' : 'Flink scaling failed'
  // An error in a schedule file is shown on its line, in a pull request's diff too.
  const where = failure.location ? { file: failure.location.file, ...(failure.location.line ? { startLine: failure.location.line } : {}) } : {}
  core.error(`${failure.message}${failure.hint ? ` Fix: ${failure.hint}` : ''}`, { title, ...where })
  core.setOutput('changed', 'false')
  core.setOutput('results', '[]')
  await writeSummary(
    renderSummary({
      outcomes: [],
      startedBy: startedBy(github),
      dryRun: config?.dryRun ?? false,
      now: config?.now ?? new Date(),
      atGiven: config?.atGiven ?? false,
      upcoming: [],
      failure: { message: `${title}. ${failure.message}`, hint: failure.hint }
    })
  )
  process.exitCode = 1
}

/** One line per application; its details in a group, folded in the log. */
function logOutcome(o: Outcome): void {
  // A deferral is told from what the job runs at now (above its floor under the service's autoscaler).
  const from = o.action === 'deferred' ? runningAt(o).kpu : o.previousKpu
  const change = o.action === 'updated' || o.action === 'planned' || o.action === 'deferred' ? ` ${from ?? '?'} → ${o.targetKpu ?? '?'} KPU` : ''
  core.startGroup(`${o.application} (${where(o)}): ${o.action}${change}${o.schedule ? `, schedule ${o.schedule}` : ''}`)
  info(o.reason)
  for (const w of o.deferral?.waitsFor ?? []) {
    const metric = w.metric === 'CurrentParallelism' ? "The service's autoscaler" : w.metric
    const limit = w.metric === 'CurrentParallelism' ? `a restart at ${w.limit} would cut it` : `limit ${valueText(w.metric, w.limit)}`
    info(`Waits for ${metric}: ${valueText(w.metric, w.value)} now, ${limit}; goes ahead at ${o.deferral!.until} at the latest.`)
  }
  if (o.lateness) info(o.lateness)
  if (o.hint) info(`Fix: ${o.hint}`)
  if (o.status) info(`Found ${o.status} at parallelism ${o.previousParallelism ?? '?'}; target parallelism ${o.targetParallelism ?? '?'} (${o.rule ?? 'no rule'}).`)
  if (o.operationId) info(`Operation ${o.operationId}, application version ${o.applicationVersionId ?? '?'}.`)
  if (o.hold) info(`Hold: parallelism ${o.hold.parallelism} until ${o.hold.until}${o.hold.actor ? `, set by @${o.hold.actor}` : ''}${o.hold.by ? ` in ${o.hold.by}` : ''}.`)
  if (o.snapshots !== undefined) info(`Snapshots: ${o.snapshots}${snapshotsLine(o)}.`)
  core.endGroup()
}

/** "; deleted 40: a, b, …", "; would delete 3: …", and what is near the limit. */
function snapshotsLine(o: Outcome): string {
  const gone = o.deletedSnapshots ?? o.wouldDeleteSnapshots
  const verb = o.deletedSnapshots ? 'deleted' : 'would delete'
  return (gone?.length ? `; ${verb} ${gone.length}: ${gone.join(', ')}` : '') + (o.snapshotNote ? `; ${o.snapshotNote}` : '')
}

/**
 * One ::error annotation per failed application; GitHub shows ten per step, so with more the
 * tenth says how many more there are and points to the summary, which lists them all. `what`
 * failed ends each title.
 */
export function annotate(failed: Outcome[], what = 'scaling failed'): void {
  const shown = failed.length > MAX_ERROR_ANNOTATIONS ? failed.slice(0, MAX_ERROR_ANNOTATIONS - 1) : failed
  for (const o of shown) {
    core.error(`${o.error ?? o.reason}${o.hint ? ` Fix: ${o.hint}` : ''}`, { title: `${o.application} (${where(o)}): ${what}` })
  }
  const rest = failed.slice(shown.length)
  if (rest.length > 0) {
    const names = rest.slice(0, 20).map((o) => `${o.application} (${where(o)})`).join(', ')
    core.error(
      `${rest.length} more applications failed: ${names}${rest.length > 20 ? ', …' : ''}. GitHub shows ${MAX_ERROR_ANNOTATIONS} annotations per step; ` +
        'the job summary lists every failure with its fix.',
      { title: `${rest.length} more applications failed` }
    )
  }
}

/** "us-east-1", or "eu-west-1, account 210987654321" with account-roles. */
function where(o: Outcome): string {
  return o.account ? `${o.region}, account ${o.account}` : o.region
}

/** The job summary; outside a runner (no GITHUB_STEP_SUMMARY) there is none to write. */
export async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write()
}
