/** The only place that calls Kinesis Analytics V2: its requests and answers mapped to the project's own types, its errors to what to do. */
import {
  DeleteApplicationSnapshotCommand,
  DescribeApplicationCommand,
  DescribeApplicationOperationCommand,
  KinesisAnalyticsV2Client,
  ListApplicationOperationsCommand,
  ListApplicationsCommand,
  ListApplicationSnapshotsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApplicationCommand,
  type ApplicationDetail,
  type UpdateApplicationRequest
} from '@aws-sdk/client-kinesis-analytics-v2'
import { StandardRetryStrategy } from '@smithy/core/retry'
import type { AwsCredentialIdentityProvider, RetryErrorInfo, StandardRetryToken } from '@smithy/types'
import { RESTORE_LATEST, type ApplicationState, type Desired } from '../phases/application.js'
import { ScalerError } from '../errors.js'
import type { SnapshotInfo } from '../phases/snapshots.js'
import { PROXY_HINT, ProxyError, proxyAnswer, proxyFor } from './proxy.js'
import type { RequestRate } from './rate-limit.js'
import { retry } from './retry.js'
import { requestMiddleware, sdkOptions } from './sdk-options.js'

/**
 * The SDK retries throttling, 5xx and connection errors with backoff; six attempts ride out a
 * burst. UpdateApplication is retried too: its ConditionalToken lets at most one attempt apply, so
 * a retry can never scale twice; when an attempt was applied but its answer lost, the retry meets
 * ConcurrentModificationException, which update() reports as ANSWER_LOST for the caller to check.
 */
const MAX_ATTEMPTS = 6
/** The code of an update whose answer was lost and whose retry then met ConcurrentModificationException. */
export const ANSWER_LOST = 'UpdateAnswerLost'
/** While an application is UPDATING, tagging it may be refused for a while (the model lists both). */
const TAGS_BUSY = new Set(['ResourceInUseException', 'ConcurrentModificationException'])
const TAG_ATTEMPTS = 6
const TAG_RETRY_MS = 1_000
const TAG_MAX_RETRY_MS = 15_000

/**
 * The SDK counts LimitExceededException as throttling and retries it with backoff; for Managed
 * Flink it means the KPU quota, which no retry changes.
 */
class FlinkRetryStrategy extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    if (errorInfo.error?.name === 'LimitExceededException') throw errorInfo.error
    return super.refreshRetryTokenForRetry(token, errorInfo)
  }
}

/** How an update operation ended, from DescribeApplicationOperation. */
export interface OperationState {
  status: 'IN_PROGRESS' | 'SUCCESSFUL' | 'FAILED' | 'CANCELLED' | string
  /** The service's own error text for a failed operation. */
  error?: string
  rollbackOperationId?: string
  /** ApplicationVersionChangeDetails: the version the operation moved from, and to. */
  versionFrom?: number
  versionTo?: number
}

/** An application as ListApplications lists it. */
export interface ListedApplication {
  name: string
  arn: string
  status: string
  /** RuntimeEnvironment: FLINK-1_20, SQL-1_0, ZEPPELIN-FLINK-3_0, … */
  runtime: string
}

/** ListApplications' largest page (ListApplicationsInputLimit: 1 to 50 in the service's model). */
export const LIST_PAGE_SIZE = 50

/** Kinesis Analytics V2 as the action needs it, in the project's own types. */
export class FlinkClient {
  private readonly sdk: KinesisAnalyticsV2Client

  constructor(
    readonly region: string,
    credentials?: AwsCredentialIdentityProvider,
    rate?: RequestRate
  ) {
    this.sdk = new KinesisAnalyticsV2Client({ ...sdkOptions(region, credentials), retryStrategy: new FlinkRetryStrategy(MAX_ATTEMPTS) })
    this.sdk.middlewareStack.use(requestMiddleware('kinesisanalytics', { rate }))
  }

  async describe(name: string): Promise<ApplicationState> {
    const out = await this.call('DescribeApplication', name, () =>
      this.sdk.send(new DescribeApplicationCommand({ ApplicationName: name }))
    )
    if (!out.ApplicationDetail) throw new ScalerError(`DescribeApplication returned no details for "${name}".`)
    return toState(out.ApplicationDetail, this.region)
  }

  /**
   * Sends the update; returns the new version and the operation to follow (when the service gives
   * one). `restoreLatest` also sets the restore configuration to RESTORE_FROM_LATEST_SNAPSHOT.
   */
  async update(state: ApplicationState, desired: Desired, { restoreLatest = false } = {}): Promise<{ versionId?: number; operationId?: string }> {
    const command = new UpdateApplicationCommand(updateRequest(state, desired, { restoreLatest }))
    const answered = answersOf(command)
    try {
      const out = await this.call('UpdateApplication', state.name, () => this.sdk.send(command))
      return { versionId: out.ApplicationDetail?.ApplicationVersionId, operationId: out.OperationId }
    } catch (error) {
      // An earlier attempt got no answer (reset, timeout) or a 5xx: the service may have applied it.
      const lost = answered.slice(0, -1).some((status) => status === undefined || status >= 500)
      if (error instanceof ScalerError && error.code === 'ConcurrentModificationException' && lost) {
        throw new ScalerError(error.message, { code: ANSWER_LOST, hint: error.hint, cause: error })
      }
      throw error
    }
  }

  /** The most recent UpdateApplication operations, newest first (ListApplicationOperations). */
  async updateOperations(name: string): Promise<string[]> {
    const out = await this.call('ListApplicationOperations', name, () =>
      this.sdk.send(new ListApplicationOperationsCommand({ ApplicationName: name, Operation: 'UpdateApplication', Limit: 10 }))
    )
    const list = [...(out.ApplicationOperationInfoList ?? [])]
    list.sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))
    return list.flatMap((o) => (o.OperationId ? [o.OperationId] : []))
  }

  async operation(name: string, operationId: string): Promise<OperationState> {
    const out = await this.call('DescribeApplicationOperation', name, () =>
      this.sdk.send(new DescribeApplicationOperationCommand({ ApplicationName: name, OperationId: operationId }))
    )
    const info = out.ApplicationOperationInfoDetails
    const change = info?.ApplicationVersionChangeDetails
    return {
      status: info?.OperationStatus ?? 'IN_PROGRESS',
      error: info?.OperationFailureDetails?.ErrorInfo?.ErrorString,
      rollbackOperationId: info?.OperationFailureDetails?.RollbackOperationId,
      ...(change?.ApplicationVersionUpdatedFrom !== undefined ? { versionFrom: change.ApplicationVersionUpdatedFrom } : {}),
      ...(change?.ApplicationVersionUpdatedTo !== undefined ? { versionTo: change.ApplicationVersionUpdatedTo } : {})
    }
  }

  /**
   * Every application of the region, all pages (ListApplications at its largest page); the
   * token is the next page's first name, so a token met twice would be a loop and ends the listing with an error.
   */
  async list(): Promise<ListedApplication[]> {
    const found: ListedApplication[] = []
    const seen = new Set<string>()
    let token: string | undefined
    do {
      const out = await this.listPage(token)
      for (const summary of out.ApplicationSummaries ?? []) {
        found.push({
          name: summary.ApplicationName ?? '',
          arn: summary.ApplicationARN ?? '',
          status: summary.ApplicationStatus ?? 'UNKNOWN',
          runtime: summary.RuntimeEnvironment ?? ''
        })
      }
      token = out.NextToken || undefined
      if (token !== undefined && seen.has(token)) {
        throw new ScalerError(`ListApplications in ${this.region} returned the page token "${token}" twice; the listing was stopped.`, {
          hint: 'This is unexpected of the service: run again, and report it as an issue of the action if it persists.'
        })
      }
      if (token !== undefined) seen.add(token)
    } while (token !== undefined)
    return found
  }

  private async listPage(token: string | undefined) {
    try {
      return await this.sdk.send(new ListApplicationsCommand({ Limit: LIST_PAGE_SIZE, ...(token ? { NextToken: token } : {}) }))
    } catch (error) {
      const failure = awsError(error, 'ListApplications', '', this.region)
      if (failure.code !== 'AccessDeniedException') throw failure
      // ListApplications has no resource to scope a permission to: only Resource "*" grants it.
      throw new ScalerError(failure.message, {
        code: failure.code,
        cause: error,
        hint: 'Allow kinesisanalytics:ListApplications with Resource "*" (it cannot be scoped to an application) in the IAM policy of the role the action runs as in this account (docs/iam.md).'
      })
    }
  }

  /** Every snapshot of the application (ListApplicationSnapshots, every page, 50 a page: the model's most). */
  async snapshots(name: string): Promise<SnapshotInfo[]> {
    const found: SnapshotInfo[] = []
    let token: string | undefined
    do {
      const out = await this.call('ListApplicationSnapshots', name, () =>
        this.sdk.send(new ListApplicationSnapshotsCommand({ ApplicationName: name, Limit: 50, ...(token ? { NextToken: token } : {}) }))
      )
      for (const s of out.SnapshotSummaries ?? []) {
        found.push({
          name: s.SnapshotName ?? '',
          status: s.SnapshotStatus ?? 'UNKNOWN',
          ...(s.SnapshotCreationTimestamp ? { createdAt: s.SnapshotCreationTimestamp } : {}),
          ...(s.ApplicationVersionId !== undefined ? { versionId: s.ApplicationVersionId } : {})
        })
      }
      token = out.NextToken || undefined
    } while (token)
    return found
  }

  /** Deletes a snapshot; the API takes its creation time as ListApplicationSnapshots gave it, to be sure it is that very one. */
  async deleteSnapshot(name: string, snapshot: SnapshotInfo & { createdAt: Date }): Promise<void> {
    await this.call('DeleteApplicationSnapshot', name, () =>
      this.sdk.send(
        new DeleteApplicationSnapshotCommand({ ApplicationName: name, SnapshotName: snapshot.name, SnapshotCreationTimestamp: snapshot.createdAt })
      )
    )
  }

  async tags(state: Pick<ApplicationState, 'name' | 'arn'>): Promise<Record<string, string>> {
    const out = await this.call('ListTagsForResource', state.name, () =>
      this.sdk.send(new ListTagsForResourceCommand({ ResourceARN: state.arn }))
    )
    return Object.fromEntries((out.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']))
  }

  /** Tags the application; refusals while it is UPDATING are retried with backoff (about 30 s in all). */
  async tag(state: ApplicationState, tags: Record<string, string>): Promise<void> {
    await this.whileBusy(() =>
      this.call('TagResource', state.name, () =>
        this.sdk.send(
          new TagResourceCommand({
            ResourceARN: state.arn,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
          })
        )
      )
    )
  }

  async untag(state: ApplicationState, keys: string[]): Promise<void> {
    await this.whileBusy(() =>
      this.call('UntagResource', state.name, () => this.sdk.send(new UntagResourceCommand({ ResourceARN: state.arn, TagKeys: keys })))
    )
  }

  private whileBusy<T>(work: () => Promise<T>): Promise<T> {
    return retry(work, {
      attempts: TAG_ATTEMPTS,
      baseDelayMs: TAG_RETRY_MS,
      maxDelayMs: TAG_MAX_RETRY_MS,
      retryable: (error) => error instanceof ScalerError && TAGS_BUSY.has(error.code ?? '')
    })
  }

  /** Runs one call and turns its failure into an error that says what to do. */
  private async call<T>(operation: string, name: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      throw awsError(error, operation, name, this.region)
    }
  }
}

/**
 * The UpdateApplication request that changes parallelism and nothing else. All three parallelism
 * settings are sent, so switching a DEFAULT configuration to CUSTOM cannot reset the other two.
 */
export function updateRequest(state: ApplicationState, desired: Desired, { restoreLatest = false } = {}): UpdateApplicationRequest {
  const request: UpdateApplicationRequest = {
    ApplicationName: state.name,
    ApplicationConfigurationUpdate: {
      FlinkApplicationConfigurationUpdate: {
        ParallelismConfigurationUpdate: {
          ConfigurationTypeUpdate: 'CUSTOM',
          ParallelismUpdate: desired.parallelism,
          ParallelismPerKPUUpdate: desired.parallelismPerKpu,
          AutoScalingEnabledUpdate: desired.autoScalingEnabled
        }
      }
    },
    // An update that omits AllowNonRestoredState resets it to false (AWS documents this), so send it back.
    RunConfigurationUpdate: {
      FlinkRunConfiguration: { AllowNonRestoredState: state.allowNonRestoredState ?? false },
      // The restart restores what this says; without it, the stored restore configuration applies.
      ...(restoreLatest ? { ApplicationRestoreConfiguration: { ApplicationRestoreType: RESTORE_LATEST } } : {})
    }
  }
  // The conditional token guards against concurrent changes; older responses only carry the version id.
  if (state.conditionalToken) request.ConditionalToken = state.conditionalToken
  else request.CurrentApplicationVersionId = state.versionId
  return request
}

function toState(detail: ApplicationDetail, region: string): ApplicationState {
  const config = detail.ApplicationConfigurationDescription
  const parallelism = config?.FlinkApplicationConfigurationDescription?.ParallelismConfigurationDescription
  const runtime = detail.RuntimeEnvironment ?? ''
  // SQL and Zeppelin applications have no Flink parallelism to set; nothing here may be guessed.
  if (!runtime.startsWith('FLINK-') || !parallelism) {
    throw new ScalerError(
      `"${detail.ApplicationName}" is a ${runtime || 'non-Flink'} application without a Flink parallelism configuration; it cannot be scaled.`,
      { hint: 'Name only Managed Service for Apache Flink applications (runtime FLINK-*) in application-name.' }
    )
  }
  const allowNonRestoredState = config?.RunConfigurationDescription?.FlinkRunConfigurationDescription?.AllowNonRestoredState
  const restore = config?.RunConfigurationDescription?.ApplicationRestoreConfigurationDescription
  return {
    name: detail.ApplicationName ?? '',
    arn: detail.ApplicationARN ?? '',
    region,
    status: detail.ApplicationStatus ?? 'UNKNOWN',
    versionId: detail.ApplicationVersionId ?? 0,
    conditionalToken: detail.ConditionalToken,
    configurationType: parallelism.ConfigurationType ?? 'DEFAULT',
    // DEFAULT configurations run at parallelism 1, one per KPU, autoscaling on (service defaults).
    parallelism: parallelism.Parallelism ?? 1,
    parallelismPerKpu: parallelism.ParallelismPerKPU ?? 1,
    autoScalingEnabled: parallelism.AutoScalingEnabled ?? parallelism.ConfigurationType !== 'CUSTOM',
    currentParallelism: parallelism.CurrentParallelism,
    snapshotsEnabled: config?.ApplicationSnapshotConfigurationDescription?.SnapshotsEnabled ?? false,
    ...(allowNonRestoredState === undefined ? {} : { allowNonRestoredState }),
    ...(restore?.ApplicationRestoreType ? { restoreType: restore.ApplicationRestoreType } : {}),
    ...(restore?.SnapshotName ? { snapshotName: restore.SnapshotName } : {}),
    ...(detail.ApplicationVersionUpdatedFrom !== undefined ? { versionUpdatedFrom: detail.ApplicationVersionUpdatedFrom } : {})
  }
}

/** The HTTP status each attempt of `command` was answered with; undefined for an attempt that got no answer. */
function answersOf(command: UpdateApplicationCommand): (number | undefined)[] {
  const answers: (number | undefined)[] = []
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args)
        answers.push((result.response as { statusCode?: number } | undefined)?.statusCode)
        return result
      } catch (error) {
        const e = error as { $response?: { statusCode?: number }; $metadata?: { httpStatusCode?: number } }
        answers.push(e.$response?.statusCode ?? e.$metadata?.httpStatusCode)
        throw error
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'scalerUpdateAnswers' }
  )
  return answers
}

/** Turns an SDK failure into what happened and what to do. */
export function awsError(error: unknown, operation: string, name: string, region: string): ScalerError {
  if (error instanceof ScalerError) return error
  const kind = (error as { name?: string })?.name ?? ''
  const text = (error as Error)?.message ?? String(error)
  const base = `${operation}${name ? ` for "${name}"` : ''} in ${region} failed: ${text}`
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
  const endpoint = kinesisAnalyticsEndpoint(region)
  const proxy = proxyFor(endpoint)
  if (error instanceof ProxyError || (status === 407 && proxy)) {
    const what = error instanceof ProxyError ? text : `the proxy ${proxy} refused the request (HTTP 407 Proxy Authentication Required)`
    return new ScalerError(`${operation}${name ? ` for "${name}"` : ''} in ${region} failed: ${what}.`, {
      hint: PROXY_HINT,
      code: 'ProxyError',
      cause: error
    })
  }
  const answer = proxyAnswer(error, endpoint)
  if (answer) return new ScalerError(`${operation} for "${name}" in ${region} failed: ${answer.message}.`, { hint: answer.hint, code: 'ProxyError', cause: error })
  // IAM names what it denied, which need not be the operation called (iam:PassRole, kms:Decrypt).
  const denied = /not authorized to perform:? ([\w-]+:[\w*]+)/i.exec(text)?.[1] ?? `kinesisanalytics:${operation}`
  const hints: Record<string, string> = {
    AccessDeniedException: `Allow ${denied} ${denied.startsWith('kinesisanalytics:') ? 'on this application ' : ''}in the IAM policy of the role the action runs as.`,
    ResourceNotFoundException: `No application "${name}" in ${region}: check application-name and region (an ARN fixes the region).`,
    ConcurrentModificationException: 'Someone else changed the application at the same moment; the next run reconciles.',
    ResourceInUseException: 'The application changed state in the meantime; the next run reconciles.',
    LimitExceededException: 'The target needs more KPUs than the account allows for this application: lower the target or request a quota increase (Service Quotas, Managed Service for Apache Flink).',
    InvalidArgumentException: 'The service rejected the request; check the target against the application (parallelism-per-kpu is 1-8).',
    CredentialsProviderError:
      'No AWS credentials were found. Set role-to-assume (with `permissions: id-token: write` in the workflow), or run aws-actions/configure-aws-credentials before this step.',
    UnrecognizedClientException: 'The AWS credentials are not valid in this account or region: check the credentials step and the region.',
    InvalidSignatureException: 'The AWS credentials do not match: check the secret key and the clock.',
    ExpiredTokenException:
      'The AWS session expired. With role-to-assume the action renews it itself; with credentials from an earlier step, give that step a longer session (its role-duration-seconds).',
    ThrottlingException: 'AWS kept throttling after several retries; the next run retries.',
    ServiceUnavailableException: 'The service was unavailable after several retries; the next run retries.',
    TimeoutError: `The ${region} endpoint did not answer; check the network and the region. The next run retries.`
  }
  const hint =
    hints[kind] ??
    (/ECONN|EPIPE|ENOTFOUND|socket/i.test(text)
      ? `Could not reach the Kinesis Analytics endpoint for ${region}${proxy ? ` through the proxy ${proxy}` : ''}; the next run retries.` +
        (/ENOTFOUND/.test(text) ? ' Check the network: a runner that can only reach the internet through a proxy needs HTTPS_PROXY, and the host must not be in NO_PROXY.' : '')
      : undefined)
  return new ScalerError(base, { hint, code: kind, cause: error })
}

/** The endpoint the SDK calls for `region`, for naming the proxy in errors (AWS_ENDPOINT_URL overrides it). */
function kinesisAnalyticsEndpoint(region: string): string {
  return process.env.AWS_ENDPOINT_URL_KINESIS_ANALYTICS_V2 || process.env.AWS_ENDPOINT_URL || `https://kinesisanalytics.${region}.amazonaws.com`
}
