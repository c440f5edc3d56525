/**
 * A suggest run (`suggest: 28d`), in phases over every application: select (the applications named,
 * and with select-by-tag those that carry the tag), describe (DescribeApplication: its
 * ParallelismPerKPU and status), read the past metrics (one batched GetMetricData per place), then
 * propose (pure, schedule/suggestion.ts). Nothing is updated, no tag is read for a hold nor
 * written. Loaded only by such runs.
 */
import type { ApplicationState } from './application.js'
import type { ApplicationRef, Config } from '../github/config.js'
import { asScalerError, ScalerError } from '../errors.js'
import { DEFAULT_RATE, perRegion } from '../aws/rate-limit.js'
import { renderNamedSchedules, suggest, type Suggestion } from '../schedule/suggestion.js'
import { placeKey, type RunContext } from './context.js'
import { failedWith, outcomeFor, type Outcome, type SuggestionResult } from './outcome.js'
import { lookBack, readHistories, type Described } from './past-metrics.js'
import { inSelectionOrder } from './reconcile.js'
import type { Chosen } from './select.js'

/** One application's suggestion, with where it is and its name in a file of several. */
export interface Suggested {
  ref: ApplicationRef
  state: ApplicationState
  suggestion: Suggestion
  /** Its named schedule's name in `yaml`, when the run suggests several. */
  name?: string
}

export interface SuggestRun {
  /** One per application, in the order a reconciling run gives them (the selection's failures where it puts them). */
  outcomes: Outcome[]
  /** The applications a schedule was suggested for, in the same order. */
  suggested: Suggested[]
  /** The look-back read: whole hours. */
  from: Date
  to: Date
  /** The zone of every suggestion: the schedule's given beside `suggest` (default-schedule's), else UTC. */
  timezone: string
  /** Whether a schedule was given beside `suggest` to take the zone from; without one, UTC by default. */
  zoneGiven: boolean
  /** One file of named schedules (several applications, or select-by-tag), rather than one schedule. */
  named: boolean
  /** The `suggested-schedule` output; undefined when no application got one. */
  yaml?: string
}

/** Suggests a schedule for every application of the run. Never throws: what fails is an outcome. */
export async function suggestRun(context: RunContext): Promise<SuggestRun> {
  const { config } = context
  const settings = config.suggest!
  const { chosen, failed, failedAt } = config.selectByTag
    ? await (await import('./select.js')).select(context) // the same chunk a reconciling run loads
    : { chosen: config.applications.map((ref): Chosen => ({ ref })), failed: [], failedAt: [] }
  const described = await perRegion(chosen, (c) => placeKey(c.ref), DEFAULT_RATE.maxInFlight, (c) => describe(c, context))
  const { from, to } = lookBack(config.clock, settings.days)
  const readable = described.filter((d): d is DescribedApplication => 'state' in d)
  const histories = await readHistories(
    readable.map((d): Described => ({ ref: d.ref, parallelismPerKpu: d.state.parallelismPerKpu })),
    { from, to },
    context
  )
  const timezone = zoneOf(config)
  const named = config.selectByTag !== undefined || described.length + failed.length > 1
  const made = new Map<DescribedApplication, Suggestion | ScalerError>()
  readable.forEach((d, i) => {
    const history = histories[i]
    if (history instanceof ScalerError) return void made.set(d, history)
    try {
      made.set(d, suggest(history, { timezone, utilization: settings.utilization, ...(config.kpuHourPrice !== undefined ? { kpuHourPrice: config.kpuHourPrice } : {}) }))
    } catch (error) {
      made.set(d, asScalerError(error))
    }
  })

  const good = readable.filter((d) => !(made.get(d) instanceof ScalerError))
  const names = named ? scheduleNames(good.map((d) => d.ref)) : []
  const suggested: Suggested[] = good.map((d, i) => ({ ref: d.ref, state: d.state, suggestion: made.get(d) as Suggestion, ...(named ? { name: names[i] } : {}) }))
  const byApplication = new Map(suggested.map((s) => [s.ref, s]))
  const outcomes = described.map((d): Outcome => {
    if ('failed' in d) return d.failed
    const base = { ...outcomeFor(d.ref), ...(d.schedule ? { schedule: d.schedule } : {}), status: d.state.status }
    const result = made.get(d)!
    if (result instanceof ScalerError) return failedWith(base, result)
    const s = byApplication.get(d.ref)!
    return {
      ...base,
      action: 'skipped',
      reason: reasonOf(s, settings.utilization),
      previousParallelism: d.state.parallelism,
      parallelismPerKpu: d.state.parallelismPerKpu,
      previousKpu: Math.ceil(d.state.parallelism / d.state.parallelismPerKpu),
      suggestion: resultOf(s),
      foundParallelismPerKpu: d.state.parallelismPerKpu
    }
  })
  const yaml =
    suggested.length === 0
      ? undefined
      : named
        ? renderNamedSchedules(
            suggested.map((s) => s.suggestion),
            (suggestion) => suggested.find((s) => s.suggestion === suggestion)!.name!
          )
        : suggested[0].suggestion.yaml
  const zoneGiven = config.schedule !== undefined || config.schedules !== undefined
  return { outcomes: inSelectionOrder(outcomes, failed, failedAt), suggested, from, to, timezone, zoneGiven, named, ...(yaml ? { yaml } : {}) }
}

type DescribedApplication = { ref: ApplicationRef; state: ApplicationState; schedule?: string }

/** DescribeApplication: the application's ParallelismPerKPU (the proposal's KPUs are counted at it) and status. */
async function describe(chosen: Chosen, context: Pick<RunContext, 'config' | 'clientFor'>): Promise<DescribedApplication | { ref: ApplicationRef; failed: Outcome }> {
  let { ref } = chosen
  try {
    const state = await context.clientFor(ref).describe(ref.name)
    // A name alone resolves in the credentials' account; an ARN must be that very application.
    if (ref.arn && state.arn && state.arn !== ref.arn) {
      throw new ScalerError(`${ref.arn} was asked for, but these credentials reach ${state.arn}.`, {
        hint: "Run the action with credentials for the ARN's account (role-to-assume a role there; one step per account, or account-roles with select-by-tag)."
      })
    }
    if (context.config.accountRoles.length > 0 && !ref.account && state.arn) ref = { ...ref, account: state.arn.split(':')[4] }
    return { ref, state, ...(chosen.schedule ? { schedule: chosen.schedule.name } : {}) }
  } catch (error) {
    return { ref, failed: failedWith(outcomeFor(ref), asScalerError(error)) }
  }
}

/** The zone suggestions are made in: that of the schedule given beside `suggest` (with named schedules, default-schedule's, else the first's), else UTC. */
export function zoneOf(config: Pick<Config, 'schedule' | 'schedules'>): string {
  const named = config.schedules
  const schedule = config.schedule ?? (named && named.byName.get(named.defaultSchedule ?? [...named.byName.keys()][0]))
  return schedule?.timezone ?? 'UTC'
}

/**
 * Each application's schedule name in a file of several: its name, as a tag's value can carry it;
 * where two places have an application of the same name, with its region (and account) after an @.
 */
export function scheduleNames(refs: readonly ApplicationRef[]): string[] {
  const count = (names: string[]) => (name: string) => names.filter((n) => n === name).length
  const plain = refs.map((r) => r.name)
  const withRegion = refs.map((r, i) => (count(plain)(plain[i]) > 1 ? `${r.name}@${r.region}` : r.name))
  return refs.map((r, i) => (count(withRegion)(withRegion[i]) > 1 ? `${r.name}@${r.region}/${r.account ?? r.arn?.split(':')[4] ?? i + 1}` : withRegion[i]))
}

/** "Suggested 3 KPU, 12 KPU Mon-Fri 08-18 and 16 KPU Sat 01-05: …; nothing was changed." */
function reasonOf({ suggestion }: Suggested, utilization: number): string {
  const { proposal, figures } = suggestion
  const sizes = [`${proposal.defaultKpu} KPU`, ...proposal.rules.map((rule) => `${rule.kpu} KPU ${rule.name}`)]
  const list = sizes.length === 1 ? sizes[0] : `${sizes.slice(0, -1).join(', ')} and ${sizes.at(-1)}`
  const share = Math.floor(figures.carriedShare * 1000) / 10
  return (
    `Suggested ${list} from ${figures.hoursWithData} hours of metrics: it would have carried ${share}% of them at or under ${utilization}% CPU, ` +
    `with ${round(figures.kpuHours.schedule)} KPU-hours against ${round(figures.kpuHours.used)} used and ${round(figures.kpuHours.flat)} flat at ${figures.peakKpu} KPU; nothing was changed.`
  )
}

/** The `suggestion` field of `results`. */
function resultOf({ suggestion, name }: Suggested): SuggestionResult {
  const { proposal, figures } = suggestion
  const kpuHours = { suggested: round(figures.kpuHours.schedule), used: round(figures.kpuHours.used), flat: round(figures.kpuHours.flat) }
  const cost = figures.cost && {
    price: figures.cost.price,
    suggested: round(figures.cost.schedule, 2),
    used: round(figures.cost.used, 2),
    flat: round(figures.cost.flat, 2)
  }
  return {
    ...(name !== undefined ? { schedule: name } : {}),
    kpus: [...new Set([proposal.defaultKpu, ...proposal.rules.map((rule) => rule.kpu)])].sort((a, b) => a - b),
    hours: figures.hoursWithData,
    carried: figures.carried,
    hoursWithoutData: figures.hoursWithoutData,
    kpuHours,
    ...(cost ? { cost } : {})
  }
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
