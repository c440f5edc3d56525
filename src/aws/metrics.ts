/**
 * CloudWatch metrics of a run (the `metrics-namespace` input): per application the run reached,
 * `Reconciled`, `TargetParallelism`, `Parallelism`, `Updated`, `Deferred` and `Failed` (and `Snapshots`
 * when they were counted), with dimensions `Application` and `Region`. A schedule that stops running stops them, which an alarm on
 * `Reconciled` with missing data treated as breaching turns into a page (docs/monitoring.md).
 * With named schedules each application's data go again under the dimension `Schedule` alone, and
 * with account-roles under `Account` alone: one metric per schedule or account that sums its
 * applications, beside the per-application metrics, which stay exactly as they were.
 *
 * Loaded only when the input is set, so that other runs never load the CloudWatch client.
 */
import * as core from '@actions/core'
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch'
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import { EVERY_APPLICATION, type Outcome } from '../phases/outcome.js'
import { proxyAnswer } from './proxy.js'
import { requestMiddleware, sdkOptions } from './sdk-options.js'

/** The metrics every reached application gets, in this order. */
export const METRIC_NAMES = ['Reconciled', 'TargetParallelism', 'Parallelism', 'Updated', 'Deferred', 'Failed'] as const
/** And, when the run read them (it updated the application), its snapshots after the run. */
export const SNAPSHOTS_METRIC = 'Snapshots'
export type MetricName = (typeof METRIC_NAMES)[number] | typeof SNAPSHOTS_METRIC

/** PutMetricData takes at most 1000 metrics per request… */
export const MAX_DATA_PER_REQUEST = 1000
/** …and at most 1 MB per HTTP POST; this much is kept for the envelope (namespace and all). */
export const MAX_REQUEST_BYTES = 1_048_576
const ENVELOPE_BYTES = 1024
/** As for the Kinesis Analytics client: six attempts ride out a burst of throttling or 5xx. */
const MAX_ATTEMPTS = 6

/** One region's data points of a run: they go to that region's CloudWatch, beside its applications. */
export interface RegionMetrics {
  region: string
  data: MetricDatum[]
}

/**
 * The data points of a run, grouped by region in the order the regions first appear. Every outcome
 * is an application the run reached, so each gets `Reconciled` 1, `Updated`, `Deferred` and `Failed` (0/1),
 * and, when the run learnt them, `TargetParallelism` and `Parallelism`: the configured parallelism
 * after the run, which is the target when the application was updated, else the one found. A
 * value the run never learnt (the application could not be described) is left out, never guessed.
 */
export function metricData(outcomes: readonly Outcome[], at: Date): RegionMetrics[] {
  const regions = new Map<string, MetricDatum[]>()
  for (const outcome of outcomes) {
    // A place that could not be listed reached no application: it only counts as a failure of its account.
    const every = outcome.application === EVERY_APPLICATION
    const parallelism = outcome.action === 'updated' ? outcome.targetParallelism : outcome.previousParallelism
    const values: Record<MetricName, number | undefined> = {
      Reconciled: every ? undefined : 1,
      TargetParallelism: outcome.targetParallelism,
      Parallelism: parallelism,
      Updated: outcome.action === 'updated' ? 1 : 0,
      Deferred: outcome.action === 'deferred' ? 1 : 0,
      Failed: outcome.action === 'failed' ? 1 : 0,
      [SNAPSHOTS_METRIC]: outcome.snapshots
    }
    const dimensionSets = [
      ...(every
        ? []
        : [
            [
              { Name: 'Application', Value: outcome.application },
              { Name: 'Region', Value: outcome.region }
            ]
          ]),
      ...(outcome.schedule ? [[{ Name: 'Schedule', Value: outcome.schedule }]] : []),
      ...(outcome.account ? [[{ Name: 'Account', Value: outcome.account }]] : [])
    ]
    const data = regions.get(outcome.region) ?? []
    for (const dimensions of dimensionSets) {
      for (const name of [...METRIC_NAMES, SNAPSHOTS_METRIC] as const) {
        const value = values[name]
        if (value === undefined) continue
        data.push({
          MetricName: name,
          Dimensions: dimensions,
          Value: value,
          Unit: name === 'TargetParallelism' || name === 'Parallelism' ? 'None' : 'Count',
          Timestamp: at
        })
      }
    }
    regions.set(outcome.region, data)
  }
  return [...regions].map(([region, data]) => ({ region, data }))
}

/**
 * One region's data as PutMetricData requests: a single request unless the data exceed its limits
 * (1000 metrics, 1 MB), counted as the JSON the client sends before it compresses.
 */
export function batches(data: readonly MetricDatum[], limits = { items: MAX_DATA_PER_REQUEST, bytes: MAX_REQUEST_BYTES }): MetricDatum[][] {
  const out: MetricDatum[][] = []
  let current: MetricDatum[] = []
  let bytes = ENVELOPE_BYTES
  for (const datum of data) {
    const size = datumBytes(datum)
    if (current.length > 0 && (current.length === limits.items || bytes + size > limits.bytes)) {
      out.push(current)
      current = []
      bytes = ENVELOPE_BYTES
    }
    current.push(datum)
    bytes += size
  }
  if (current.length > 0) out.push(current)
  return out
}

function datumBytes(datum: MetricDatum): number {
  // The JSON protocol sends timestamps as epoch seconds; the comma between items is the 1.
  return Buffer.byteLength(JSON.stringify({ ...datum, Timestamp: datum.Timestamp && datum.Timestamp.getTime() / 1000 })) + 1
}

/** What failed in one region. */
export interface Failure {
  region: string
  name: string
  message: string
  /** What to do, when the failure itself says (a proxy's answer); else it is read from the error. */
  hint?: string
}

/**
 * Publishes the run's metrics, one PutMetricData per region (more only past its limits), with the
 * credentials, proxy, timeouts and retries of the action's other AWS clients. Never throws: a
 * failure is one warning, and the run's result stays what the applications made it.
 */
export async function publishMetrics(
  namespace: string,
  outcomes: readonly Outcome[],
  credentials: AwsCredentialIdentityProvider | undefined,
  now: Date
): Promise<void> {
  const regions = metricData(outcomes, now)
  const failures: Failure[] = []
  let published = 0
  await Promise.all(
    regions.map(async ({ region, data }) => {
      const client = new CloudWatchClient({ ...sdkOptions(region, credentials), maxAttempts: MAX_ATTEMPTS })
      client.middlewareStack.use(requestMiddleware('cloudwatch'))
      try {
        for (const batch of batches(data)) {
          await client.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch }))
          published += batch.length
        }
      } catch (error) {
        const answer = proxyAnswer(error, process.env.AWS_ENDPOINT_URL_CLOUDWATCH || process.env.AWS_ENDPOINT_URL || `https://monitoring.${region}.amazonaws.com`)
        failures.push(
          answer
            ? { region, name: 'ProxyError', message: answer.message, hint: answer.hint }
            : { region, name: (error as { name?: string })?.name ?? 'Error', message: (error as Error)?.message ?? String(error) }
        )
      } finally {
        client.destroy()
      }
    })
  )
  if (failures.length === 0) {
    const names = regions.map((r) => r.region).join(', ')
    if (regions.length > 0) core.info(`Published ${published} CloudWatch metrics to namespace "${namespace}" in ${names}.`)
    return
  }
  const total = regions.reduce((sum, r) => sum + r.data.length, 0)
  core.warning(failureText(namespace, failures, { published, total }))
}

/** One warning for every failed region: what failed, and what to do about it. */
export function failureText(namespace: string, failures: readonly Failure[], counts = { published: 0, total: 0 }): string {
  // The same refusal in every region (an IAM policy, say) is said once, for all of them.
  const byError = new Map<string, string[]>()
  for (const f of failures) {
    const error = `${f.name}: ${f.message}`
    byError.set(error, [...(byError.get(error) ?? []), f.region])
  }
  const what = [...byError].map(([error, regions]) => `${regions.join(', ')}: ${error}`).join('; ')
  const hints = [...new Set(failures.map((f) => hint(f, namespace)))].join(' ')
  const partly = counts.published > 0 ? ` (only ${counts.published} of its ${counts.total} data points were)` : ''
  return (
    `CloudWatch metrics were not published to namespace "${namespace}"${partly}. ${what}${/[.!?]$/.test(what) ? '' : '.'} ` +
    `Fix: ${hints} Scaling itself was not affected; until metrics arrive again, an alarm on Reconciled sees them as missing.`
  )
}

function hint(failure: Failure, namespace: string): string {
  if (failure.hint) return failure.hint
  const text = `${failure.name} ${failure.message}`
  if (/AccessDenied|not authorized/i.test(text)) {
    return (
      `Allow cloudwatch:PutMetricData (Resource "*", with the condition "cloudwatch:namespace": "${namespace}") ` +
      'in the IAM policy of the role the action runs as (docs/monitoring.md).'
    )
  }
  if (/ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient|CredentialsProviderError|credentials/i.test(text)) {
    return 'The credentials that scaled the applications were refused by CloudWatch: check that they are valid in that region.'
  }
  if (/Throttl|ServiceUnavailable|InternalServiceFault|InternalServiceError|TimeoutError|ECONN|EPIPE|ENOTFOUND|socket/i.test(text)) {
    return `CloudWatch did not accept the data after ${MAX_ATTEMPTS} attempts; the next run publishes again. If it persists, check the network (and proxy) to the regional CloudWatch endpoint.`
  }
  return 'CloudWatch refused the data; please report this message as an issue of the action.'
}
