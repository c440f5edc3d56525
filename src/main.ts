/** The flow of one run: inputs → config → the phases over every application → report, and metrics last. */
import * as core from '@actions/core'
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import { readConfig, type Config } from './github/config.js'
import { logLine } from './github/escape.js'
import { FlinkClient } from './aws/flink-client.js'
import type { MetricDataReader } from './aws/metric-data.js'
import { gitHubRun } from './github/github-run.js'
import type { Outcome } from './phases/outcome.js'
import { RequestRate } from './aws/rate-limit.js'
import { reconcile } from './phases/reconcile.js'
import type { SuggestRun } from './phases/suggest.js'
import { placeKey, type Place } from './phases/context.js'
import { report, reportCheck, reportFailure } from './github/report.js'

/** One run of the action: inputs → config → the phases over every application → report. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const github = gitHubRun()
  let config: Config
  try {
    config = await readConfig((name) => core.getInput(name), env)
  } catch (error) {
    await reportFailure(error, undefined, github)
    return
  }

  if (config.checkOnly) {
    await reportCheck(config, github)
    return
  }

  const warned = new Set<string>()
  const warn = (message: string) => {
    if (!warned.has(message)) core.warning(message)
    warned.add(message)
  }
  let outcomes: Outcome[]
  let suggested: SuggestRun | undefined
  let credentials: AwsCredentialIdentityProvider | undefined
  try {
    credentials = config.roleToAssume ? await (await import('./aws/assume-role.js')).assumeRole(config, env) : undefined
    // Each role of account-roles is assumed from the run's own credentials when its account is first asked for.
    const own = credentials
    const roles =
      config.accountRoles.length > 0
        ? (await import('./aws/account-roles.js')).accountCredentials(config.accountRoles, own, {
            region: config.regions[0],
            sessionName: config.roleSessionName,
            durationSeconds: config.roleDurationSeconds
          })
        : undefined
    // One client, and one request rate, per place (account and region): the rate is what that account's regional endpoint sees.
    const clients = new Map<string, FlinkClient>()
    const clientFor = (place: Place) => {
      const key = placeKey(place)
      if (!clients.has(key)) clients.set(key, new FlinkClient(place.region, place.role ? roles!(place.role) : own, new RequestRate()))
      return clients.get(key)!
    }
    // CloudWatch's client is loaded only when a scale-down needs the guard's metrics.
    const readers = new Map<string, Promise<MetricDataReader>>()
    const metricReaderFor = (place: Place) => {
      const key = placeKey(place)
      if (!readers.has(key)) {
        readers.set(key, import('./aws/metric-data.js').then(({ MetricDataReader }) => new MetricDataReader(place.region, place.role ? roles!(place.role) : own)))
      }
      return readers.get(key)!
    }
    const context = { config, clientFor, metricReaderFor, run: github, warn, log: (line: string) => core.info(logLine(line)) }
    try {
      // A suggestion reads and proposes, and is loaded only by the runs that ask for one.
      suggested = config.suggest ? await (await import('./phases/suggest.js')).suggestRun(context) : undefined
      outcomes = suggested ? suggested.outcomes : await reconcile(context)
    } finally {
      for (const reader of readers.values()) reader.then((r) => r.destroy(), () => {})
    }
  } catch (error) {
    await reportFailure(error, config, github)
    return
  }
  if (suggested) {
    // Nothing was reconciled: no metrics are published.
    await (await import('./github/suggest-report.js')).reportSuggestions(config, suggested, github)
    return
  }
  await report(config, outcomes, github)
  // Metrics come last: publishing them can only warn, never change what the run did or reports.
  if (config.metricsNamespace) {
    await (await import('./aws/metrics.js')).publishMetrics(config.metricsNamespace, outcomes, credentials, new Date())
  }
}
