/** The decide phase (pure): which target applies, what to do about it, and the hold plan, per observed application. */
import { atTarget, kpus, RESTORE_LATEST, type ApplicationState, type Desired } from './application.js'
import type { Config } from '../github/config.js'
import { ScalerError } from '../errors.js'
import type { GitHubRun } from '../github/github-run.js'
import { scaleDownOf, type Deferral, type GuardMetric, type ScaleDown } from './scale-down.js'
import { planHold, type Hold, type HoldPlan } from './holds.js'
import { DateTime } from 'luxon'
import {
  describeLead,
  describeTarget,
  evaluate,
  nextTransition,
  outsideBounds,
  resolveParallelism,
  sameParallelism,
  type Schedule,
  type Target
} from '../schedule/schedule.js'

/** Where a target came from: a schedule rule's name, `default`, `manual` or `hold`. */
export interface Wanted {
  rule: string
  target: Target
  /** The schedule's `lead` brought this target forward: its window starts then (e.g. "05:05 (lead 20m)"). */
  early?: { startsAt: Date; text: string }
}

export interface TargetInput {
  schedule?: Schedule
  /** The manual target (`parallelism` / `kpu` inputs). */
  manual?: Target
  /** The hold found on the application, if any (expired or not). */
  hold?: Hold
  releaseHold: boolean
  /** Whether this run sets a new hold (a manual target with `hold-until`). */
  settingHold: boolean
  /** The instant holds are reckoned at. */
  now: Date
  /** The instant the schedule is evaluated at (`at`); default `now`. */
  at?: Date
  /** The ParallelismPerKPU the application will run with: under `lead`, targets are compared in parallelism. */
  parallelismPerKpu?: number
}

/** Step 2 of the decision: which target applies, and why. */
export function chooseTarget(input: TargetInput): Wanted {
  const { schedule, manual, hold, now } = input
  if (manual && input.settingHold) return { rule: 'manual', target: manual }
  if (hold && !input.releaseHold && hold.until > now) return { rule: 'hold', target: { parallelism: hold.parallelism } }
  if (manual) return { rule: 'manual', target: manual }
  if (!schedule) throw new Error('no schedule and no manual target: config validation should have caught this')
  const match = evaluate(schedule, input.at ?? now, input.parallelismPerKpu)
  if (!match.startsAt || !schedule.lead) return { rule: match.rule, target: match.target }
  const local = DateTime.fromJSDate(match.startsAt, { zone: schedule.timezone })
  const day = local.hasSame(DateTime.fromJSDate(input.at ?? now, { zone: schedule.timezone }), 'day') ? '' : `${local.toFormat('ccc')} `
  return {
    rule: match.rule,
    target: match.target,
    early: { startsAt: match.startsAt, text: `${day}${local.toFormat('HH:mm')} (lead ${describeLead(schedule.lead)})` }
  }
}

export interface DecideOptions {
  /** The `parallelism-per-kpu` input; undefined keeps the application's. */
  parallelismPerKpu?: number
  autoscaling: 'keep' | 'enable' | 'disable'
  allowStatelessRestart: boolean
  min?: number
  max?: number
}

export type Decision =
  /**
   * `restoreLatest`: the update also sets the restore configuration to RESTORE_FROM_LATEST_SNAPSHOT.
   * `warning`: what the guard or the autoscaler's capacity would have said against it (said once in the log).
   */
  | { kind: 'update'; reason: string; rule: string; desired: Desired; restoreLatest?: boolean; warning?: string }
  /** Step 6: a scale-down that waits for the guard or the autoscaler; nothing is changed, the next run checks again. */
  | { kind: 'defer'; reason: string; rule: string; desired: Desired; deferral: Deferral }
  /** `warning`: a skip someone should look at (a stopped, rolled-back or patched application), said of it ("is READY …"): apply names it. */
  | { kind: 'skip'; reason: string; rule: string; desired: Desired; warning?: string }
  | { kind: 'fail'; reason: string; hint: string; rule: string; desired: Desired }

/** Statuses a skip warns about: the application is not where the schedule can keep it. */
const NEEDS_LOOKING_AT: Record<string, string> = {
  READY:
    'is READY (stopped), so it was not scaled: a stopped application runs no job. If it should run, start it again, restoring its latest snapshot ' +
    '(console: Run; CLI: aws kinesisanalyticsv2 start-application --region REGION --application-name NAME --run-configuration ' +
    '\'{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"RESTORE_FROM_LATEST_SNAPSHOT"}}\'); the next run then scales it.',
  ROLLED_BACK:
    'is ROLLED_BACK: its last update failed and the service rolled it back, so it was not scaled. Look at its operations ' +
    '(console: the application\'s Operations; CLI: aws kinesisanalyticsv2 list-application-operations --region REGION --application-name NAME) and CloudWatch logs for why; it is scaled again once it is RUNNING.',
  MAINTENANCE: 'is in MAINTENANCE (AWS is patching it), so it was not scaled now; a run after the maintenance reconciles it.'
}

/** Steps 2-5 of the contract for one application: pure, so every branch is a table row. */
export function decide(state: ApplicationState, wanted: Wanted, options: DecideOptions): Decision {
  const { rule } = wanted
  const parallelismPerKpu = options.parallelismPerKpu ?? state.parallelismPerKpu
  const parallelism = resolveParallelism(wanted.target, parallelismPerKpu)
  const autoScalingEnabled =
    options.autoscaling === 'keep' ? state.autoScalingEnabled : options.autoscaling === 'enable'
  const desired: Desired = { parallelism, parallelismPerKpu, autoScalingEnabled }
  const source = `${sourceText(rule)}${wanted.early ? `, which starts at ${wanted.early.text}` : ''}`

  const outside = outsideBounds(options, parallelism)
  if (outside) {
    const target = 'kpu' in wanted.target ? `${describeTarget(wanted.target)} at ${parallelismPerKpu} per KPU, ` : ''
    return {
      kind: 'fail',
      rule,
      desired,
      reason: `The target of ${source}, ${target}parallelism ${parallelism}, is ${outside}; targets are never clamped.`,
      hint:
        rule === 'hold'
          ? 'Release the hold (release-hold: true) or set a new one within min/max.'
          : "Change the target or the schedule's min/max so that the target fits."
    }
  }

  const target = describeDesired(desired)
  if (state.status !== 'RUNNING') {
    const warning = NEEDS_LOOKING_AT[state.status]?.replace('NAME', state.name).replace('REGION', state.region)
    return {
      kind: 'skip',
      rule,
      desired,
      reason: atTarget(state, desired)
        ? `The application is ${state.status}, already configured for ${target}; nothing to do until it is RUNNING.`
        : `The application is ${state.status}, not RUNNING; it is only ever changed while RUNNING, and a later run will reconcile.`,
      ...(warning ? { warning } : {})
    }
  }

  if (atTarget(state, desired)) {
    return { kind: 'skip', rule, desired, reason: `Already at target: ${target} for ${source}.` }
  }

  if (!state.snapshotsEnabled && !options.allowStatelessRestart) {
    return {
      kind: 'fail',
      rule,
      desired,
      reason: `Snapshots are disabled, so the restart needed to reach ${target} would lose the application's state; nothing was changed.`,
      hint: 'Enable snapshots on the application, or set allow-stateless-restart: true to accept losing its state.'
    }
  }

  // With autoscaling on, the service may run above the configured floor; the restart starts at the target.
  const running =
    state.autoScalingEnabled && state.currentParallelism !== undefined && state.currentParallelism !== state.parallelism
      ? ` The autoscaler runs it at parallelism ${state.currentParallelism} now; it restarts at ${parallelism}.`
      : ''
  // The restart restores what the restore configuration says: skipping the snapshot drops the state,
  // a custom snapshot rewinds it. Unless losing state is allowed, this update restores the latest.
  const restoreLatest = state.snapshotsEnabled && !options.allowStatelessRestart && state.restoreType !== undefined && state.restoreType !== RESTORE_LATEST
  const restore = restoreLatest
    ? ` Its restore configuration is ${state.restoreType}${state.snapshotName ? ` (snapshot ${state.snapshotName})` : ''}, which would ` +
      `${state.restoreType === 'SKIP_RESTORE_FROM_SNAPSHOT' ? 'drop its state' : 'rewind its state to that snapshot'} on this restart: ` +
      `the update also sets it to ${RESTORE_LATEST}, so the state is kept.`
    : ''
  return {
    kind: 'update',
    rule,
    desired,
    reason: `Scaling from ${describeDesired(state)} to ${target} for ${source}.${running}${restore}`,
    ...(restoreLatest ? { restoreLatest } : {})
  }
}

/** "rule weekday-daytime", "the default", "the manual target", "the hold". */
export function sourceText(rule: string): string {
  if (rule === 'default') return 'the default'
  if (rule === 'manual') return 'the manual target'
  if (rule === 'hold') return 'the hold'
  return `rule ${rule}`
}

/** "parallelism 20 (20 KPU)", plus ParallelismPerKPU and autoscaling when they are not the defaults. */
export function describeDesired(d: Desired): string {
  const parts = [`parallelism ${d.parallelism} (${kpus(d.parallelism, d.parallelismPerKpu)} KPU`]
  if (d.parallelismPerKpu !== 1) parts.push(`, ${d.parallelismPerKpu} per KPU`)
  parts.push(d.autoScalingEnabled ? ', autoscaling on)' : ')')
  return parts.join('')
}

/** The decide phase for one application: which target, what to do, and what to do about holds. */
export interface Plan {
  wanted: Wanted
  decision: Decision
  hold: HoldPlan
  /** Something the user should know besides the reason (said once per run as a warning). */
  warning?: string
  /** The update restarts the job below what it runs now and must pass the guard or the autoscaler first (step 6). */
  scaleDown?: ScaleDown
  /** After the guard: the metrics it could not check for this scale-down (no data points, or not read). */
  unchecked?: GuardMetric[]
}

/**
 * Steps 2-5 and the hold plan for one observed application: pure. The schedule (the run's, or the
 * named one the application follows) is evaluated at `config.now` (`at`, else the run's start);
 * holds live on the real clock, `config.clock`. Throws a ScalerError when a hold until
 * next-transition has no next transition for this application.
 */
export function planApplication(state: ApplicationState, found: Hold | undefined, config: Config, run: GitHubRun, schedule: Schedule | undefined = config.schedule): Plan {
  const holdClock = config.clock
  const wanted = chooseTarget({
    schedule,
    manual: config.manual,
    hold: found,
    releaseHold: config.releaseHold,
    settingHold: config.holdUntil !== undefined,
    now: holdClock,
    at: config.now,
    parallelismPerKpu: config.parallelismPerKpu ?? state.parallelismPerKpu
  })
  const decision = decide(state, wanted, {
    parallelismPerKpu: config.parallelismPerKpu,
    autoscaling: config.autoscaling,
    allowStatelessRestart: config.allowStatelessRestart,
    min: schedule?.min,
    max: schedule?.max
  })
  const requested: Hold | undefined =
    config.holdUntil && decision.kind !== 'fail'
      ? {
          parallelism: decision.desired.parallelism,
          until: holdEnd(config, schedule, decision.desired.parallelismPerKpu),
          ...(run.url ? { by: run.url } : {}),
          ...(run.actor ? { actor: run.actor } : {})
        }
      : undefined
  const hold = planHold(found, { requested, releaseHold: config.releaseHold, decision: decision.kind }, holdClock)
  const scaleDown =
    decision.kind === 'update'
      ? scaleDownOf({ state, desired: decision.desired, rule: wanted.rule, source: sourceText(wanted.rule), schedule, at: config.now })
      : undefined
  const warning =
    config.manual && wanted.rule === 'hold' && found
      ? `A hold (parallelism ${found.parallelism} until ${found.until.toISOString()}) outranks the manual target; give hold-until to replace it, or release-hold: true.`
      : undefined
  return {
    wanted,
    decision: warning ? { ...decision, reason: `${decision.reason} ${warning}` } : decision,
    hold,
    ...(warning ? { warning } : {}),
    ...(scaleDown ? { scaleDown } : {})
  }
}

/** When a hold set now ends; `next-transition` is the schedule's next change for this application. */
function holdEnd(config: Config, schedule: Schedule | undefined, parallelismPerKpu: number): Date {
  if (config.holdUntil !== 'next-transition') return config.holdUntil!
  // A hold lives on the real clock: it ends at the schedule's first change after now, not after `at`.
  const next = schedule && nextTransition(schedule, config.clock, sameParallelism(parallelismPerKpu), parallelismPerKpu)
  if (!next) {
    throw new ScalerError('hold-until is next-transition, but the schedule asks this application for the same parallelism all year.', {
      hint: 'Give hold-until as an instant (2026-11-27T18:00:00Z) or a duration (90m, 4h, 2d).'
    })
  }
  return next.at
}
