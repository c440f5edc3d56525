/**
 * The HTTP front: one server on 127.0.0.1 for all the endpoints, told apart as AWS clients
 * address them:
 * - `POST /` with `X-Amz-Target: KinesisAnalytics_20180523.<Op>` → Kinesis Analytics V2 (JSON 1.1)
 * - `POST /` with `X-Amz-Target: GraniteServiceVersion20100801.<Op>` → CloudWatch (JSON 1.0, cloudwatch.ts)
 * - `POST /` form-encoded `Action=…&Version=2011-06-15` → STS (query protocol, XML)
 * - `GET /oidc/token?api-version=2.0&audience=…` → the Actions OIDC token endpoint
 *
 * Every request is logged; fault knobs are applied here (latency, reset, hang first, then
 * authentication, then the request-rate quota, then server errors and throttling, then the
 * operation, then lost answers).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { randomUUID } from 'node:crypto'
import { isCloudWatchRequest, serveCloudWatch, type CloudWatchService } from './cloudwatch.js'
import { frameworkError, ServiceError, serviceUnavailable, StsError, throttling } from './errors.js'
import type { FaultDecision, Faults, ServiceName } from './faults.js'
import { accountOf, KinesisAnalyticsService, peekBody, TARGET_PREFIX } from './kinesis-analytics.js'
import { OIDC_JWKS_PATH, OIDC_TOKEN_PATH, type OidcProvider } from './oidc.js'
import type { RequestRate } from './quota.js'
import { headerMap, peekCredentialScope, verifySignature, type AuthResult, type KnownCredentials } from './sigv4.js'
import { stsErrorXml, type CredentialStore, type StsService } from './sts.js'

export interface RequestLogEntry {
  service: ServiceName
  /** Kinesis Analytics or CloudWatch operation, STS Action, or 'GetIdToken' / 'GetJwks' for the OIDC endpoint. */
  operation: string
  /** The parsed request: JSON body (Kinesis Analytics, CloudWatch), form parameters (STS), query parameters (OIDC). */
  body: unknown
  /** HTTP status answered; 0 while unanswered, and for a reset connection or a hung request. */
  status: number
  /** Error code answered, or 'ConnectionReset' / 'NoResponse' for those faults. */
  errorType?: string
  /** The call was applied, and its answer then lost (lostAnswer fault): errorType says how. */
  applied?: true
  /** From the request's SigV4 credential scope (not necessarily a known key). */
  accessKeyId?: string
  /** X-Amz-Security-Token, if sent. */
  sessionToken?: string
  /** From the request's SigV4 credential scope. */
  region?: string
  requestId: string
  /** Epoch ms when the request arrived. */
  at: number
}

export interface ServerContext {
  kda: KinesisAnalyticsService
  requestRate: RequestRate
  sts: StsService
  cloudwatch: CloudWatchService
  oidc: OidcProvider
  faults: Faults
  credentials: CredentialStore
  requests: RequestLogEntry[]
}

/**
 * JSON 1.1 services answer authentication failures with HTTP 400 (InvalidSignatureException,
 * UnrecognizedClientException, … as DynamoDB, Kinesis and Cognito do); STS answers 403.
 */
const JSON_AUTH_STATUS = 400

const KDA_AUTH_ERRORS: Record<Exclude<AuthResult, { ok: true }>['failure'], string> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  InvalidSignature: 'InvalidSignatureException',
  UnrecognizedClient: 'UnrecognizedClientException',
  ExpiredToken: 'ExpiredTokenException'
}

const STS_AUTH_ERRORS: Record<Exclude<AuthResult, { ok: true }>['failure'], [string, number]> = {
  MissingAuthenticationToken: ['MissingAuthenticationToken', 403],
  IncompleteSignature: ['IncompleteSignature', 400],
  InvalidSignature: ['SignatureDoesNotMatch', 403],
  UnrecognizedClient: ['InvalidClientTokenId', 403],
  ExpiredToken: ['ExpiredToken', 403]
}

export interface RunningServer {
  port: number
  close(): Promise<void>
}

export async function startHttpServer(ctx: ServerContext, port = 0): Promise<RunningServer> {
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let closing = false

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t)
        resolve()
      }, ms)
      timers.add(t)
    })

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Never leave a request unanswered because of an emulator bug.
      if (!res.headersSent && !res.destroyed) {
        send(res, 500, { 'Content-Type': 'text/plain' }, `Emulator error: ${(error as Error)?.stack ?? String(error)}`)
      }
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const url = req.url ?? '/'
    const path = url.split('?')[0]
    const headers = headerMap(req.rawHeaders)
    const requestId = randomUUID()
    const method = (req.method ?? 'GET').toUpperCase()

    if (method === 'GET' && path === OIDC_TOKEN_PATH) return oidcToken(req, res, url, headers, requestId)
    if (method === 'GET' && path === OIDC_JWKS_PATH) {
      const entry = log({ service: 'oidc', operation: 'GetJwks', body: {}, requestId })
      return sendJson(res, 200, ctx.oidc.jwks(), requestId, entry)
    }
    if (method === 'POST' && isCloudWatchRequest(headers)) {
      const front = { service: ctx.cloudwatch, faults: ctx.faults, credentials: ctx.credentials, log, network, send }
      return serveCloudWatch({ req, res, url, body, headers, requestId }, front)
    }
    const contentType = headers.get('content-type') ?? ''
    if (method === 'POST' && !headers.has('x-amz-target') && contentType.startsWith('application/x-www-form-urlencoded')) {
      return sts(req, res, url, body, headers, requestId)
    }
    return kinesisAnalytics(req, res, url, body, headers, requestId)
  }

  function log(partial: Omit<RequestLogEntry, 'status' | 'at'>): RequestLogEntry {
    const entry: RequestLogEntry = { ...partial, status: 0, at: Date.now() }
    for (const key of ['accessKeyId', 'sessionToken', 'region', 'errorType', 'applied'] as const) {
      if (entry[key] === undefined) delete entry[key]
    }
    ctx.requests.push(entry)
    return entry
  }

  /** Latency, connection reset, hang. Returns true when the request must not be answered. */
  async function network(decision: FaultDecision, req: IncomingMessage, entry: RequestLogEntry): Promise<boolean> {
    if (decision.latencyMs > 0) await sleep(decision.latencyMs)
    if (closing) {
      req.socket.destroy()
      return true
    }
    if (decision.reset) {
      reset(req, entry)
      return true
    }
    if (decision.hang) {
      entry.errorType = 'NoResponse'
      return true
    }
    return false
  }

  function reset(req: IncomingMessage, entry: RequestLogEntry): void {
    entry.errorType = 'ConnectionReset'
    const socket = req.socket as Socket & { resetAndDestroy?: () => void }
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket.destroy()
  }

  // -------------------------------------------------------------------------------------------

  async function kinesisAnalytics(
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    body: Buffer,
    headers: Map<string, string>,
    requestId: string
  ): Promise<void> {
    const target = headers.get('x-amz-target')
    const known = target?.startsWith(`${TARGET_PREFIX}.`) ?? false
    const operation = known ? target!.slice(TARGET_PREFIX.length + 1) : (target ?? '')
    const peeked = peekBody(body)
    const scope = peekCredentialScope(headers.get('authorization'))
    const entry = log({
      service: 'kinesisanalytics',
      operation,
      body: peeked,
      accessKeyId: scope.accessKeyId,
      sessionToken: headers.get('x-amz-security-token'),
      region: scope.region,
      requestId
    })
    const application = KinesisAnalyticsService.applicationOf(peeked)
    if (await network(ctx.faults.decide('network', 'kinesisanalytics', operation, application), req, entry)) return
    try {
      if (req.method?.toUpperCase() !== 'POST' || !target) {
        throw frameworkError('UnknownOperationException', 'Operation not specified: send POST / with an X-Amz-Target header.')
      }
      const auth = verifySignature(
        { method: req.method, url, rawHeaders: req.rawHeaders, body },
        { service: 'kinesisanalytics', lookup: (id) => ctx.credentials.get(id) }
      )
      if (!auth.ok) throw frameworkError(KDA_AUTH_ERRORS[auth.failure], auth.message, JSON_AUTH_STATUS)
      const account = accountOf(auth.credentials.principalArn)
      if (!ctx.requestRate.take(auth.region, operation, Date.now(), account)) throw throttling()
      const decision = ctx.faults.decide('service', 'kinesisanalytics', operation, application)
      if (decision.serverError === 'InternalFailure') throw frameworkError('InternalFailure', 'An internal error occurred.', 500)
      if (decision.serverError) throw serviceUnavailable()
      if (decision.throttle) throw throttling()
      if (!known || decision.unsupported) {
        throw frameworkError('UnknownOperationException', `Unknown operation ${target}.`)
      }
      const result = ctx.kda.handle(operation, body, {
        region: auth.region,
        account,
        principalArn: auth.credentials.principalArn,
        accessDenied: decision.accessDenied
      })
      const lost = ctx.faults.decide('answer', 'kinesisanalytics', operation, application).lostAnswer
      if (lost) {
        entry.applied = true
        if (lost === 'reset') return reset(req, entry)
        if (lost === 'hang') {
          entry.errorType = 'NoResponse'
          return
        }
        throw serviceUnavailable()
      }
      sendJson(res, 200, result, requestId, entry)
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error
      entry.errorType = error.type
      sendJson(res, error.status, error.body(), requestId, entry, { 'x-amzn-ErrorType': error.type })
    }
  }

  async function sts(
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    body: Buffer,
    headers: Map<string, string>,
    requestId: string
  ): Promise<void> {
    const params = new URLSearchParams(body.toString('utf8'))
    const action = params.get('Action') ?? ''
    const scope = peekCredentialScope(headers.get('authorization'))
    const entry = log({
      service: 'sts',
      operation: action,
      body: Object.fromEntries(params),
      accessKeyId: scope.accessKeyId,
      sessionToken: headers.get('x-amz-security-token'),
      region: scope.region,
      requestId
    })
    if (await network(ctx.faults.decide('network', 'sts', action, undefined), req, entry)) return
    try {
      // STS authenticates inside the operation (AssumeRoleWithWebIdentity is unsigned).
      const decision = ctx.faults.decide('service', 'sts', action, undefined)
      if (decision.serverError === 'InternalFailure') throw new StsError('InternalFailure', 'An internal error occurred.', 500, 'Receiver')
      if (decision.serverError) throw new StsError('ServiceUnavailable', 'Service is unavailable.', 503, 'Receiver')
      if (decision.throttle) throw new StsError('Throttling', 'Rate exceeded', 400)
      if (decision.unsupported) throw new StsError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`)
      if (decision.accessDenied) {
        throw new StsError('AccessDenied', `Not authorized to perform ${decision.accessDenied.action ?? `sts:${action}`}`, 403)
      }
      const xml = ctx.sts.handle(params, {
        requestId,
        authenticate: (): KnownCredentials => {
          const auth = verifySignature(
            { method: req.method ?? 'POST', url, rawHeaders: req.rawHeaders, body },
            { service: 'sts', lookup: (id) => ctx.credentials.get(id) }
          )
          if (!auth.ok) {
            const [code, status] = STS_AUTH_ERRORS[auth.failure]
            throw new StsError(code, auth.message, status)
          }
          return auth.credentials
        }
      })
      entry.status = 200
      send(res, 200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, xml)
    } catch (error) {
      if (!(error instanceof StsError)) throw error
      entry.status = error.status
      entry.errorType = error.code
      send(res, error.status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, stsErrorXml(error, requestId))
    }
  }

  async function oidcToken(
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    headers: Map<string, string>,
    requestId: string
  ): Promise<void> {
    const query = new URL(url, 'http://127.0.0.1').searchParams
    const entry = log({ service: 'oidc', operation: 'GetIdToken', body: Object.fromEntries(query), requestId })
    if (await network(ctx.faults.decide('network', 'oidc', 'GetIdToken', undefined), req, entry)) return
    const decision = ctx.faults.decide('service', 'oidc', 'GetIdToken', undefined)
    const fail = (status: number, errorType: string, message: string) => {
      entry.errorType = errorType
      sendJson(res, status, { message }, requestId, entry)
    }
    if (decision.serverError) return fail(500, 'InternalServerError', 'Internal server error')
    if (decision.throttle) return fail(429, 'TooManyRequests', 'Too many requests')
    if (decision.unsupported) return fail(404, 'NotFound', 'Not found')
    if (headers.get('authorization') !== `Bearer ${ctx.oidc.requestToken}`) {
      return fail(401, 'Unauthorized', 'Unauthorized: the bearer token is not valid for this job.')
    }
    const audience = query.get('audience') ?? undefined
    sendJson(res, 200, { value: ctx.oidc.issue(audience) }, requestId, entry)
  }

  function sendJson(
    res: ServerResponse,
    status: number,
    value: unknown,
    requestId: string,
    entry: RequestLogEntry,
    extra: Record<string, string> = {}
  ): void {
    entry.status = status
    const contentType = entry.service === 'kinesisanalytics' ? 'application/x-amz-json-1.1' : 'application/json; charset=utf-8'
    send(res, status, { 'Content-Type': contentType, 'x-amzn-RequestId': requestId, ...extra }, JSON.stringify(value))
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    if (res.destroyed) return
    res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) })
    res.end(body)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('emulator: no TCP address')

  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections?.()
      })
  }
}
