import type { AwsCredentialIdentityProvider } from '@smithy/types'
import { readConfig, type Config } from './config.js'
import { asScalerError } from './errors.js'
import { FlinkClient } from './flink-client.js'
import { runUrl } from './holds.js'
import { reconcile, type Outcome } from './reconcile.js'
import { describeTarget, nextTransition, resolveParallelism, sameParallelism, transitions, type Target } from './schedule.js'
import { renderSummary, type Upcoming } from './summary.js'
import * as workflow from './workflow.js'

/**
 * Applications reconciled at once. Past 20 the SDK's CPU per call, not AWS latency, is the limit on
 * a 2-core runner (docs/performance.md); the bound also caps how many updates are followed at once.
 */
const CONCURRENCY = 20
const WEEK_MS = 7 * 24 * 3_600_000

/** One run of the action: inputs → config → reconcile each application → report. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config
  try {
    config = readConfig((name) => workflow.getInput(name, env), env)
  } catch (error) {
    fail(error, undefined)
    return
  }

  const warned = new Set<string>()
  const warn = (message: string) => {
    if (!warned.has(message)) workflow.warning(message)
    warned.add(message)
  }

  let outcomes: Outcome[]
  let credentials: AwsCredentialIdentityProvider | undefined
  try {
    credentials = config.roleToAssume ? await (await import('./assume-role.js')).assumeRole(config, env) : undefined
    const clients = new Map<string, FlinkClient>()
    const clientFor = (region: string) => {
      if (!clients.has(region)) clients.set(region, new FlinkClient(region, credentials))
      return clients.get(region)!
    }
    const url = runUrl(env)
    outcomes = await mapConcurrently(config.applications, CONCURRENCY, (ref) =>
      reconcile(ref, { client: clientFor(ref.region), config, runUrl: url, warn })
    )
  } catch (error) {
    fail(error, config)
    return
  }
  report(config, outcomes)

  // Metrics come last: publishing them can only warn, never change what the run did or reports.
  if (config.metricsNamespace) {
    await (await import('./metrics.js')).publishMetrics(config.metricsNamespace, outcomes, credentials, new Date())
  }
}

function report(config: Config, outcomes: Outcome[]): void {
  const first = outcomes[0]
  // KPU targets of the schedule become parallelism with the first application's ParallelismPerKPU
  // (the contract's next-parallelism); the summary shows parallelism only when all applications agree.
  const perKpu = config.parallelismPerKpu ?? first?.foundParallelismPerKpu
  const perKpuAgreed = new Set(outcomes.map((o) => config.parallelismPerKpu ?? o.foundParallelismPerKpu)).size === 1
  const resolve = (target: Target) => resolveParallelism(target, perKpu)
  const sameTarget = sameParallelism(perKpu)
  const next = config.schedule && nextTransition(config.schedule, config.now, sameTarget)

  workflow.setOutput('changed', String(outcomes.some((o) => o.updateAccepted)))
  workflow.setOutput('results', JSON.stringify(outcomes.map(publicFields)))
  workflow.setOutput('target-parallelism', first?.targetParallelism === undefined ? '' : String(first.targetParallelism))
  workflow.setOutput('next-transition', next ? next.at.toISOString() : '')
  workflow.setOutput('next-parallelism', next ? String(resolve(next.to.target) ?? '') : '')

  const upcoming: Upcoming[] = config.schedule
    ? transitions(config.schedule, config.now, new Date(config.now.getTime() + WEEK_MS), sameTarget).map((t) => {
        const parallelism = resolve(t.to.target)
        const text = describeTarget(t.to.target)
        return {
          at: t.at,
          rule: t.to.rule,
          target: 'kpu' in t.to.target && parallelism !== undefined && perKpuAgreed ? `${text} (parallelism ${parallelism})` : text
        }
      })
    : []

  for (const o of outcomes) {
    if (o.action === 'failed') {
      workflow.error(`${o.error ?? o.reason}${o.hint ? ` Fix: ${o.hint}` : ''}`, { title: `${o.application} (${o.region}): scaling failed` })
    } else {
      workflow.info(`${o.application} (${o.region}): ${o.action}. ${o.reason}`)
    }
  }
  workflow.appendSummary(renderSummary({
    outcomes,
    dryRun: config.dryRun,
    now: config.now,
    atGiven: config.atGiven,
    timezone: config.schedule?.timezone,
    upcoming
  }))
  const failed = outcomes.filter((o) => o.action === 'failed').length
  if (failed > 0) {
    // Each failure already has its own ::error annotation; a closing one would repeat them.
    workflow.info(`${failed} of ${outcomes.length} application${outcomes.length === 1 ? '' : 's'} failed.`)
    process.exitCode = 1
  }
}

/** A run-level failure: bad input (then no AWS call was made) or credentials. */
function fail(error: unknown, config: Config | undefined): void {
  const failure = asScalerError(error)
  const title = failure.kind === 'input' ? 'Invalid input: nothing was changed' : 'Flink scaling failed'
  workflow.error(`${failure.message}${failure.hint ? ` Fix: ${failure.hint}` : ''}`, { title })
  workflow.setOutput('changed', 'false')
  workflow.setOutput('results', '[]')
  workflow.appendSummary(renderSummary({
    outcomes: [],
    dryRun: config?.dryRun ?? false,
    now: config?.now ?? new Date(),
    atGiven: config?.atGiven ?? false,
    upcoming: [],
    failure: { message: `${title}. ${failure.message}`, hint: failure.hint }
  }))
  process.exitCode = 1
}

/** The `results` object of the contract, without internal bookkeeping. */
function publicFields(outcome: Outcome): Omit<Outcome, 'foundParallelismPerKpu' | 'updateAccepted'> {
  const { foundParallelismPerKpu, updateAccepted, ...rest } = outcome
  return rest
}

async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let nextIndex = 0
  const worker = async () => {
    while (nextIndex < items.length) {
      const index = nextIndex++
      results[index] = await work(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
