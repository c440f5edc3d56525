/**
 * What every AWS SDK client of the action shares: timeouts that turn a hung connection into a
 * retried error, the runner's proxy, and with step debug logging on, one `::debug::` line per
 * request attempt and the SDK's own logger.
 */
import * as core from '@actions/core'
import type { AwsCredentialIdentityProvider, Logger, MetadataBearer, Pluggable } from '@smithy/types'
import { proxyAgents } from './proxy.js'
import type { RequestRate } from './rate-limit.js'

/** A control-plane call answers in about a second; a silent socket for this long is a hung connection. */
const REQUEST_TIMEOUT_MS = 10_000
const CONNECTION_TIMEOUT_MS = 5_000

export interface SdkOptions {
  region: string
  credentials?: AwsCredentialIdentityProvider
  requestHandler: Record<string, unknown>
  logger?: Logger
}

/**
 * Options for an SDK client in `region`; spread them into its constructor. `logBodies` false keeps
 * the SDK logger from logging a call's input and output: STS answers with the session token, which
 * would reach the log before the action could mask it.
 */
export function sdkOptions(region: string, credentials?: AwsCredentialIdentityProvider, { logBodies = true } = {}): SdkOptions {
  return {
    region,
    credentials,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Without throwOnRequestTimeout the SDK only logs a breached requestTimeout and keeps waiting.
      throwOnRequestTimeout: true,
      socketTimeout: REQUEST_TIMEOUT_MS,
      ...proxyAgents()
    },
    ...(core.isDebug() ? { logger: debugLogger(logBodies) } : {})
  }
}

/** The SDK logs each call's input and output (sensitive members redacted) at info level, the rest at debug. */
function debugLogger(logBodies: boolean): Logger {
  const ignore = () => {}
  return {
    debug: (...content) => core.debug(`AWS SDK: ${text(content)}`),
    info: logBodies ? (...content) => core.debug(`AWS SDK: ${text(content)}`) : ignore,
    warn: (...content) => core.debug(`AWS SDK warning: ${text(content)}`),
    error: logBodies ? (...content) => core.debug(`AWS SDK error: ${text(content)}`) : ignore
  }
}

/** A debug line, written only with step debug logging on (the runner shows none of them otherwise). */
export function debug(message: string): void {
  if (core.isDebug()) core.debug(message)
}

function text(content: unknown[]): string {
  return content.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ')
}

/** What one attempt of one request came to, for the debug line. */
export interface Attempt {
  service: string
  operation: string
  /** The application the request is about, when it names one. */
  application?: string
  /** 1 for the first attempt, 2 for the next (a retry by the SDK, or a throttled request sent again), … */
  attempt: number
  /** The HTTP status answered; undefined when no answer came (reset, timeout, refused). */
  status?: number
  /** The error's name, when the attempt failed. */
  error?: string
  ms: number
}

export interface RequestOptions {
  /** The region's shared request rate; every attempt waits for it. */
  rate?: RequestRate
}

/** A throttled request is sent again this many times (paced by the rate) before the SDK's own retries see it. */
const THROTTLED_RESENDS = 8
const RESEND_DELAY_MS = 100
const MAX_RESEND_DELAY_MS = 5_000

/**
 * A middleware inside the SDK's retry loop, so that it sees every attempt: each waits for the
 * region's request rate; a throttling answer slows that rate and the request is sent again when
 * the rate allows; with step debug logging on, every attempt is logged as one line (never
 * headers or bodies).
 */
export function requestMiddleware(service: string, { rate }: RequestOptions = {}): Pluggable<object, MetadataBearer> {
  const logging = core.isDebug()
  return {
    applyToStack: (stack) => {
      stack.add(
        (next, context) => {
          let attempt = 0
          return async (args) => {
            for (let resend = 0; ; resend++) {
              attempt++
              await rate?.acquire()
              const started = performance.now()
              const record = (status: number | undefined, error?: string) => {
                if (!logging) return
                const entry: Attempt = {
                  service,
                  operation: String(context.commandName ?? '').replace(/Command$/, ''),
                  application: applicationOf(args.input),
                  attempt,
                  status,
                  ...(error ? { error } : {}),
                  ms: Math.round(performance.now() - started)
                }
                core.debug(attemptText(entry))
              }
              try {
                const result = await next(args)
                record((result.response as { statusCode?: number } | undefined)?.statusCode)
                return result
              } catch (error) {
                const failure = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } }
                const status = failure.$response?.statusCode ?? failure.$metadata?.httpStatusCode
                record(status, failure.code ?? failure.name ?? 'Error')
                if (!rate || !isThrottling(failure.name, status) || resend >= THROTTLED_RESENDS) throw error
                rate.throttle()
                await sleep(Math.min(RESEND_DELAY_MS * 2 ** resend, MAX_RESEND_DELAY_MS) * (0.5 + Math.random() / 2))
              } finally {
                rate?.release()
              }
            }
          }
        },
        { step: 'finalizeRequest', priority: 'low', name: 'scalerRequests' }
      )
    }
  }
}

function isThrottling(name: string | undefined, status: number | undefined): boolean {
  return status === 429 || name === 'ThrottlingException' || name === 'Throttling' || name === 'TooManyRequestsException' || name === 'RequestLimitExceeded'
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** "kinesisanalytics UpdateApplication orders-enricher: HTTP 200 in 84 ms (attempt 1)". */
export function attemptText(a: Attempt): string {
  const answer = a.status === undefined ? `no answer (${a.error})` : `HTTP ${a.status}${a.error ? ` ${a.error}` : ''}`
  return `${a.service} ${a.operation}${a.application ? ` ${a.application}` : ''}: ${answer} in ${a.ms} ms (attempt ${a.attempt})`
}

function applicationOf(input: unknown): string | undefined {
  const record = (input ?? {}) as { ApplicationName?: unknown; ResourceARN?: unknown }
  if (typeof record.ApplicationName === 'string') return record.ApplicationName
  if (typeof record.ResourceARN === 'string') return /:application\/([^/]+)$/.exec(record.ResourceARN)?.[1]
  return undefined
}
