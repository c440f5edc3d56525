/**
 * Amazon CloudWatch `PutMetricData` (and `GetMetricData`, metric-data.ts), served as the service serves the protocol the AWS SDK for
 * JavaScript v3 speaks to it: AWS JSON 1.0 (`POST /`, `X-Amz-Target:
 * GraniteServiceVersion20100801.PutMetricData`, `Content-Type: application/x-amz-json-1.0`) with
 * the awsQueryCompatible trait. The model (`monitoring` 2010-08-01) also lists Smithy RPC v2 CBOR
 * and the query protocol; the SDK's serializer uses JSON 1.0, so that is what is served here.
 *
 * - The SDK gzips bodies of 10 KiB and more (`Content-Encoding: gzip`, the model's
 *   requestCompression trait); the signature covers the compressed bytes.
 * - A success is HTTP 200 with an empty body (the operation has no output).
 * - An error is `{"__type": "com.amazonaws.cloudwatch#<Shape>", "message": "…"}` with the query
 *   protocol's code and fault in `x-amzn-query-error: <Code>;<Sender|Receiver>`, which the SDK
 *   reads first. Validation messages are worded as CloudWatch words them (query-style member
 *   paths such as `MetricData.member.1.Dimensions.member.2.Value`, several joined by newlines).
 *
 * Accepted data points are recorded, with the namespace and the region of the request's signature,
 * for tests to inspect.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { gunzipSync } from 'node:zlib'
import type { FaultDecision, Faults } from './faults.js'
import { peekCredentialScope, verifySignature, type AuthResult, type KnownCredentials } from './sigv4.js'

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801'
/** The SigV4 signing name (the model's endpointPrefix). */
export const CLOUDWATCH_SIGNING_NAME = 'monitoring'
export const CLOUDWATCH_CONTENT_TYPE = 'application/x-amz-json-1.0'
const MODEL_NAMESPACE = 'com.amazonaws.cloudwatch'
const CORAL = 'com.amazon.coral.service'

/** "Each PutMetricData request is limited to 1 MB in size for HTTP POST requests." */
export const MAX_REQUEST_BYTES = 1_048_576
/** "no more than 1000 different metrics (across both the MetricData and EntityMetricData properties)" */
export const MAX_METRICS_PER_REQUEST = 1000
export const MAX_DIMENSIONS = 30
/** "up to 150 unique values in each PutMetricData action that specifies a Values array" */
export const MAX_VALUES = 150
/** "Values must be in the range of -2^360 to 2^360." */
const MAX_MAGNITUDE = 2 ** 360
/** Time stamps "as much as two weeks before the current date, and as much as 2 hours after". */
const MAX_AGE_MS = 14 * 86_400_000
const MAX_AHEAD_MS = 2 * 3_600_000

export const STANDARD_UNITS = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second',
  'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second',
  'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None'
] as const

/** One data point as CloudWatch stored it. */
export interface RecordedDatum {
  namespace: string
  /** The region of the request's signature: the regional endpoint it was sent to. */
  region: string
  /** MetricName. */
  name: string
  /** Dimension name → value. */
  dimensions: Record<string, string>
  value?: number
  values?: number[]
  counts?: number[]
  statisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number }
  /** As sent; CloudWatch stores 'None' when none is given. */
  unit: string
  /** As sent, else when the request arrived. */
  timestamp: Date
  storageResolution: number
  /** The request that carried it. */
  requestId: string
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** A CloudWatch error as the JSON protocol of an awsQueryCompatible service answers it. */
export class CloudWatchError extends Error {
  constructor(
    /** The query protocol's code (x-amzn-query-error), e.g. InvalidParameterValue; undefined for framework errors. */
    readonly code: string | undefined,
    /** The shape named in `__type`, e.g. InvalidParameterValueException. */
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
    private readonly options: { namespace?: string; messageKey?: 'message' | 'Message' } = {}
  ) {
    super(message)
    this.name = code ?? type
  }

  /** The name a client sees: the query code where there is one (the SDK reads it first). */
  get errorType(): string {
    return this.code ?? this.type
  }

  body(): Record<string, string> {
    return { __type: `${this.options.namespace ?? MODEL_NAMESPACE}#${this.type}`, [this.options.messageKey ?? 'message']: this.message }
  }

  headers(): Record<string, string> {
    return this.code ? { 'x-amzn-query-error': `${this.code};${this.fault}` } : {}
  }
}

export const modeled = {
  InvalidParameterValue: (message: string) => new CloudWatchError('InvalidParameterValue', 'InvalidParameterValueException', message),
  MissingParameter: (message: string) => new CloudWatchError('MissingParameter', 'MissingRequiredParameterException', message),
  InvalidParameterCombination: (message: string) =>
    new CloudWatchError('InvalidParameterCombination', 'InvalidParameterCombinationException', message),
  InternalServiceError: () =>
    new CloudWatchError('InternalServiceError', 'InternalServiceFault', 'Internal service error.', 500, 'Receiver', { messageKey: 'Message' })
}

/** Raised by the request layer before the operation runs. */
export function framework(code: string | undefined, type: string, message: string, status = 400, fault: 'Sender' | 'Receiver' = 'Sender') {
  return new CloudWatchError(code, type, message, status, fault, { namespace: CORAL })
}

const AUTH_ERRORS: Record<Exclude<AuthResult, { ok: true }>['failure'], [code: string, type: string, status: number]> = {
  MissingAuthenticationToken: ['MissingAuthenticationToken', 'MissingAuthenticationTokenException', 403],
  IncompleteSignature: ['IncompleteSignature', 'IncompleteSignatureException', 400],
  InvalidSignature: ['SignatureDoesNotMatch', 'InvalidSignatureException', 403],
  UnrecognizedClient: ['InvalidClientTokenId', 'UnrecognizedClientException', 403],
  ExpiredToken: ['ExpiredToken', 'ExpiredTokenException', 403]
}

// ---------------------------------------------------------------------------------------------
// The input shape, after the model
// ---------------------------------------------------------------------------------------------

export type Shape =
  | { type: 'structure'; members: Record<string, Shape>; required?: readonly string[] }
  | { type: 'list'; member: Shape; max?: number }
  | { type: 'map'; key: Shape; value: Shape; min?: number; max?: number }
  | { type: 'string'; min?: number; max?: number; pattern?: RegExp; enum?: readonly string[] }
  | { type: 'double' }
  | { type: 'integer'; min?: number }
  | { type: 'boolean' }
  | { type: 'timestamp' }

const DatapointValue: Shape = { type: 'double' }
const MetricDatum: Shape = {
  type: 'structure',
  required: ['MetricName'],
  members: {
    MetricName: { type: 'string', min: 1, max: 255 },
    Dimensions: {
      type: 'list',
      max: MAX_DIMENSIONS,
      member: {
        type: 'structure',
        required: ['Name', 'Value'],
        members: { Name: { type: 'string', min: 1, max: 255 }, Value: { type: 'string', min: 1, max: 1024 } }
      }
    },
    Timestamp: { type: 'timestamp' },
    Value: DatapointValue,
    StatisticValues: {
      type: 'structure',
      required: ['SampleCount', 'Sum', 'Minimum', 'Maximum'],
      members: { SampleCount: DatapointValue, Sum: DatapointValue, Minimum: DatapointValue, Maximum: DatapointValue }
    },
    Values: { type: 'list', member: DatapointValue },
    Counts: { type: 'list', member: DatapointValue },
    Unit: { type: 'string', enum: STANDARD_UNITS },
    StorageResolution: { type: 'integer', min: 1 }
  }
}
const MetricData: Shape = { type: 'list', member: MetricDatum }

export const PUT_METRIC_DATA_INPUT: Shape = {
  type: 'structure',
  required: ['Namespace'],
  members: {
    Namespace: { type: 'string', min: 1, max: 255, pattern: /^[^:].*$/s },
    MetricData,
    EntityMetricData: {
      type: 'list',
      member: {
        type: 'structure',
        members: {
          Entity: {
            type: 'structure',
            members: {
              KeyAttributes: { type: 'map', min: 2, max: 4, key: { type: 'string', min: 1, max: 32 }, value: { type: 'string', min: 1, max: 2048 } },
              Attributes: { type: 'map', min: 0, max: 10, key: { type: 'string', min: 1, max: 256 }, value: { type: 'string', min: 1, max: 2048 } }
            }
          },
          MetricData
        }
      }
    },
    StrictEntityValidation: { type: 'boolean' }
  }
}

export interface Problem {
  code: 'MissingParameter' | 'InvalidParameterValue' | 'InvalidParameterCombination'
  message: string
}

/** A JSON value of the wrong kind: the deserializer refuses it before validation. */
export class TypeProblem extends Error {}

/** Smithy's JSON protocols carry non-finite doubles as these strings. */
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity }

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** Checks `value` against `shape`: throws TypeProblem for a wrong JSON type, collects constraint problems. */
export function walk(shape: Shape, value: unknown, path: string, out: Problem[]): void {
  const invalid = (message: string) => out.push({ code: 'InvalidParameterValue', message })
  const typeError = (expected: string) => {
    throw new TypeProblem(`Expected ${expected} at '${path || '(root)'}' but found ${kindOf(value)}.`)
  }
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return typeError('an object')
      const record = value as Record<string, unknown>
      // Stricter than the service, which ignores unknown members: a misspelt member must not pass unnoticed.
      for (const key of Object.keys(record)) {
        if (!Object.hasOwn(shape.members, key)) throw new TypeProblem(`Unknown member '${path ? `${path}.` : ''}${key}'.`)
      }
      for (const [name, member] of Object.entries(shape.members)) {
        const child = record[name]
        const childPath = path ? `${path}.${name}` : name
        if (child === undefined || child === null) {
          if (shape.required?.includes(name)) out.push({ code: 'MissingParameter', message: `The parameter ${childPath} is required.` })
          continue
        }
        walk(member, child, childPath, out)
      }
      return
    }
    case 'list': {
      if (!Array.isArray(value)) return typeError('an array')
      if (shape.max !== undefined && value.length > shape.max) {
        invalid(`The collection ${path} must not have a size greater than ${shape.max}.`)
      }
      value.forEach((item, i) => {
        const itemPath = `${path}.member.${i + 1}`
        if (item === null) out.push({ code: 'MissingParameter', message: `The parameter ${itemPath} is required.` })
        else walk(shape.member, item, itemPath, out)
      })
      return
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return typeError('an object')
      const entries = Object.entries(value as Record<string, unknown>)
      if (shape.min !== undefined && entries.length < shape.min) invalid(`The collection ${path} must have a size of at least ${shape.min}.`)
      if (shape.max !== undefined && entries.length > shape.max) invalid(`The collection ${path} must not have a size greater than ${shape.max}.`)
      entries.forEach(([k, v], i) => {
        walk(shape.key, k, `${path}.entry.${i + 1}.key`, out)
        walk(shape.value, v, `${path}.entry.${i + 1}.value`, out)
      })
      return
    }
    case 'string': {
      if (typeof value !== 'string') return typeError('a string')
      if (shape.min !== undefined && value.length < shape.min) invalid(`The parameter ${path} must not be empty.`)
      else if (shape.max !== undefined && value.length > shape.max) invalid(`The parameter ${path} must be shorter than ${shape.max + 1} characters.`)
      else if (shape.pattern && !shape.pattern.test(value)) invalid(`The value ${value} for parameter ${path} is invalid.`)
      if (shape.enum && !shape.enum.includes(value)) invalid(`The parameter ${path} must be a value in the set [ ${shape.enum.join(', ')} ].`)
      return
    }
    case 'double':
      if (typeof value === 'string' && value in NON_FINITE) return
      if (typeof value !== 'number') typeError('a number')
      return
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return typeError('an integer')
      if (shape.min !== undefined && value < shape.min) invalid(`The value ${value} for parameter ${path} is invalid.`)
      return
    case 'boolean':
      if (typeof value !== 'boolean') typeError('a boolean')
      return
    case 'timestamp':
      // The JSON protocols send timestamps as epoch seconds.
      if (typeof value !== 'number' || !Number.isFinite(value)) typeError('a timestamp (epoch seconds)')
      return
  }
}

type Input = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export const double = (value: unknown): number => (typeof value === 'string' ? NON_FINITE[value]! : (value as number))
const ASCII_PRINTABLE = /^[\x20-\x7e]*$/
const ASCII = /^[\x00-\x7f]*$/

/** The service's own rules, beyond the model's constraints (the API reference states them in prose). */
function checkRules(input: Input, now: number, out: Problem[]): void {
  const invalid = (message: string) => out.push({ code: 'InvalidParameterValue', message })
  const namespace: unknown = input.Namespace
  if (typeof namespace === 'string' && namespace.length > 0) {
    if (!ASCII.test(namespace)) invalid('The value for parameter Namespace contains non-ASCII characters.')
    else if (!ASCII_PRINTABLE.test(namespace)) invalid('The value for parameter Namespace contains control characters.')
    else if (namespace.trim() === '') invalid('The parameter Namespace must contain at least one non-whitespace character.')
    else if (namespace.startsWith('AWS/')) invalid('The value AWS/ for parameter Namespace is invalid.')
  }

  const datums: [Input, string][] = []
  ;(input.MetricData ?? []).forEach((d: Input, i: number) => datums.push([d, `MetricData.member.${i + 1}`]))
  ;(input.EntityMetricData ?? []).forEach((e: Input, i: number) =>
    (e?.MetricData ?? []).forEach((d: Input, j: number) => datums.push([d, `EntityMetricData.member.${i + 1}.MetricData.member.${j + 1}`]))
  )
  if (datums.length === 0) out.push({ code: 'MissingParameter', message: 'The parameter MetricData is required.' })
  if (datums.length > MAX_METRICS_PER_REQUEST) invalid(`The collection MetricData must not have a size greater than ${MAX_METRICS_PER_REQUEST}.`)
  if (input.EntityMetricData?.length && input.StrictEntityValidation === undefined) {
    out.push({ code: 'MissingParameter', message: 'The parameter StrictEntityValidation is required when EntityMetricData is given.' })
  }

  for (const [datum, at] of datums) {
    if (datum === null || typeof datum !== 'object') continue
    ;(datum.Dimensions ?? []).forEach((dimension: Input, i: number) => {
      for (const part of ['Name', 'Value'] as const) {
        const text: unknown = dimension?.[part]
        const path = `${at}.Dimensions.member.${i + 1}.${part}`
        if (typeof text !== 'string' || text.length === 0) continue
        if (!ASCII.test(text)) invalid(`The value for parameter ${path} contains non-ASCII characters.`)
        else if (!ASCII_PRINTABLE.test(text)) invalid(`The value for parameter ${path} contains control characters.`)
        else if (text.trim() === '') invalid(`The parameter ${path} must contain at least one non-whitespace character.`)
        else if (part === 'Name' && text.startsWith(':')) invalid(`The value ${text} for parameter ${path} is invalid.`)
      }
    })

    const given = (['Value', 'StatisticValues', 'Values'] as const).filter((k) => datum[k] !== undefined && datum[k] !== null)
    if (given.length > 1) {
      out.push({
        code: 'InvalidParameterCombination',
        message: `The parameters ${given.map((k) => `${at}.${k}`).join(' and ')} are mutually exclusive and you have specified ${given.length === 2 ? 'both' : 'all three'}.`
      })
    } else if (given.length === 0) {
      out.push({ code: 'MissingParameter', message: `One of the parameters ${at}.Value, ${at}.StatisticValues or ${at}.Values is required.` })
    }
    const finite = (value: unknown, path: string) => {
      const number = double(value)
      if (typeof number === 'number' && !(Number.isFinite(number) && Math.abs(number) <= MAX_MAGNITUDE)) {
        invalid(`The value ${String(value)} for parameter ${path} is invalid.`)
      }
    }
    if (datum.Value !== undefined) finite(datum.Value, `${at}.Value`)
    for (const key of ['SampleCount', 'Sum', 'Minimum', 'Maximum']) {
      if (datum.StatisticValues?.[key] !== undefined) finite(datum.StatisticValues[key], `${at}.StatisticValues.${key}`)
    }
    if (Array.isArray(datum.Values)) {
      if (datum.Values.length > MAX_VALUES) invalid(`The collection ${at}.Values must not have a size greater than ${MAX_VALUES}.`)
      datum.Values.forEach((v: unknown, i: number) => finite(v, `${at}.Values.member.${i + 1}`))
    }
    if (Array.isArray(datum.Counts)) {
      if (!Array.isArray(datum.Values)) {
        out.push({ code: 'InvalidParameterCombination', message: `The parameter ${at}.Counts must be given together with ${at}.Values.` })
      } else if (datum.Counts.length !== datum.Values.length) {
        invalid(`The parameters ${at}.Values and ${at}.Counts must have the same size.`)
      }
      datum.Counts.forEach((c: unknown, i: number) => {
        finite(c, `${at}.Counts.member.${i + 1}`)
        if (double(c) < 0) invalid(`The value ${String(c)} for parameter ${at}.Counts.member.${i + 1} is invalid.`)
      })
    }
    // The model's minimum (1) is checked with the shape; of the values above it, only 60 is valid.
    if (typeof datum.StorageResolution === 'number' && datum.StorageResolution > 1 && datum.StorageResolution !== 60) {
      invalid(`The value ${datum.StorageResolution} for parameter ${at}.StorageResolution is invalid. Valid values are 1 and 60.`)
    }
    if (typeof datum.Timestamp === 'number') {
      const ms = datum.Timestamp * 1000
      if (ms < now - MAX_AGE_MS) invalid(`The parameter ${at}.Timestamp must specify a time within the past two weeks.`)
      else if (ms > now + MAX_AHEAD_MS) invalid(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`)
    }
  }
}

/** Validates a PutMetricData input; throws the error the service answers, if any. */
export function validatePutMetricData(input: unknown, now = Date.now()): void {
  const problems: Problem[] = []
  try {
    walk(PUT_METRIC_DATA_INPUT, input, '', problems)
  } catch (error) {
    if (error instanceof TypeProblem) throw framework(undefined, 'SerializationException', error.message)
    throw error
  }
  checkRules(input as Input, now, problems)
  // The service answers one code; its message lists every problem of that kind, one per line.
  for (const code of ['MissingParameter', 'InvalidParameterCombination', 'InvalidParameterValue'] as const) {
    const messages = problems.filter((p) => p.code === code).map((p) => p.message)
    if (messages.length) throw modeled[code](messages.join('\n'))
  }
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

export interface CloudWatchContext {
  region: string
  principalArn: string
  requestId: string
  /** IAM refuses the call (fault knob). */
  accessDenied: boolean
  now?: number
}

/** An operation served besides PutMetricData: its answer, or a CloudWatchError thrown. */
export type CloudWatchOperation = (input: unknown, ctx: CloudWatchContext) => Record<string, unknown>

export class CloudWatchService {
  /** Every data point accepted, in arrival order (clear with `metrics.length = 0`). */
  readonly metrics: RecordedDatum[] = []

  /** `operations`: the other operations served (GetMetricData, metric-data.ts), by name. */
  constructor(private readonly operations: Record<string, CloudWatchOperation> = {}) {}

  /** Handles one call; returns its output (none for PutMetricData), or throws a CloudWatchError to refuse it. */
  handle(operation: string, input: unknown, ctx: CloudWatchContext): Record<string, unknown> | undefined {
    if (operation !== 'PutMetricData' && !Object.hasOwn(this.operations, operation)) {
      throw framework('InvalidAction', 'UnknownOperationException', `The emulator does not implement ${CLOUDWATCH_TARGET_PREFIX}.${operation}.`)
    }
    if (ctx.accessDenied) {
      // Neither operation has resource-level permissions: IAM names the action alone.
      throw framework(
        'AccessDenied',
        'AccessDeniedException',
        `User: ${ctx.principalArn} is not authorized to perform: cloudwatch:${operation} because no identity-based policy allows the cloudwatch:${operation} action`,
        403
      )
    }
    if (operation !== 'PutMetricData') return this.operations[operation](input, ctx)
    const now = ctx.now ?? Date.now()
    validatePutMetricData(input, now)
    const request = input as Input
    const datums: Input[] = [...(request.MetricData ?? []), ...(request.EntityMetricData ?? []).flatMap((e: Input) => e.MetricData ?? [])]
    for (const d of datums) {
      this.metrics.push({
        namespace: request.Namespace,
        region: ctx.region,
        name: d.MetricName,
        dimensions: Object.fromEntries((d.Dimensions ?? []).map((x: Input) => [x.Name, x.Value])),
        ...(d.Value !== undefined ? { value: double(d.Value) } : {}),
        ...(d.Values !== undefined ? { values: d.Values.map(double) } : {}),
        ...(d.Counts !== undefined ? { counts: d.Counts.map(double) } : {}),
        ...(d.StatisticValues !== undefined ? { statisticValues: { ...d.StatisticValues } } : {}),
        unit: d.Unit ?? 'None',
        timestamp: new Date(d.Timestamp !== undefined ? Math.round(d.Timestamp * 1000) : now),
        storageResolution: d.StorageResolution ?? 60,
        requestId: ctx.requestId
      })
    }
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/** Whether a request is addressed to CloudWatch's JSON protocol. */
export function isCloudWatchRequest(headers: Map<string, string>): boolean {
  return headers.get('x-amz-target')?.startsWith(`${CLOUDWATCH_TARGET_PREFIX}.`) ?? false
}

/** What the HTTP front shares with each service: its request log, fault knobs and credentials. */
export interface HttpFront<Entry> {
  service: CloudWatchService
  faults: Faults
  credentials: { get(accessKeyId: string): KnownCredentials | undefined }
  log(partial: { service: 'cloudwatch'; operation: string; body: unknown; accessKeyId?: string; sessionToken?: string; region?: string; requestId: string }): Entry
  /** Latency, reset, hang; true when the request must not be answered. */
  network(decision: FaultDecision, req: IncomingMessage, entry: Entry): Promise<boolean>
  send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void
}

export interface HttpExchange {
  req: IncomingMessage
  res: ServerResponse
  url: string
  body: Buffer
  headers: Map<string, string>
  requestId: string
}

/** Serves one CloudWatch request: network faults, size, signature, service faults, then the operation. */
export async function serveCloudWatch<Entry extends { status: number; errorType?: string }>(
  { req, res, url, body, headers, requestId }: HttpExchange,
  front: HttpFront<Entry>
): Promise<void> {
  const operation = headers.get('x-amz-target')!.slice(CLOUDWATCH_TARGET_PREFIX.length + 1)
  const gzipped = /\bgzip\b/i.test(headers.get('content-encoding') ?? '')
  const decoded = decode(body, gzipped)
  const scope = peekCredentialScope(headers.get('authorization'))
  const entry = front.log({
    service: 'cloudwatch',
    operation,
    body: decoded.ok ? peekJson(decoded.bytes) : undefined,
    accessKeyId: scope.accessKeyId,
    sessionToken: headers.get('x-amz-security-token'),
    region: scope.region,
    requestId
  })
  if (await front.network(front.faults.decide('network', 'cloudwatch', operation, undefined), req, entry)) return
  const answer = (status: number, extra: Record<string, string>, text: string) => {
    entry.status = status
    front.send(res, status, { 'Content-Type': CLOUDWATCH_CONTENT_TYPE, 'x-amzn-RequestId': requestId, ...extra }, text)
  }
  try {
    if (body.length > MAX_REQUEST_BYTES) {
      throw framework('RequestEntityTooLarge', 'RequestEntityTooLargeException', `Request size ${body.length} exceeded ${MAX_REQUEST_BYTES} bytes`, 413)
    }
    const auth = verifySignature(
      { method: req.method ?? 'POST', url, rawHeaders: req.rawHeaders, body },
      { service: CLOUDWATCH_SIGNING_NAME, lookup: (id) => front.credentials.get(id) }
    )
    if (!auth.ok) {
      const [code, type, status] = AUTH_ERRORS[auth.failure]
      throw framework(code, type, auth.message, status)
    }
    const decision = front.faults.decide('service', 'cloudwatch', operation, undefined)
    if (decision.serverError === 'InternalFailure') throw modeled.InternalServiceError()
    if (decision.serverError) throw framework('ServiceUnavailable', 'ServiceUnavailableException', 'Service is unavailable.', 503, 'Receiver')
    if (decision.throttle) {
      throw new CloudWatchError('Throttling', 'ThrottlingException', 'Rate exceeded', 400, 'Sender', { namespace: 'com.amazon.coral.availability' })
    }
    if (decision.unsupported) throw framework('InvalidAction', 'UnknownOperationException', `Unknown operation ${headers.get('x-amz-target')}.`)
    if (!decoded.ok) throw framework(undefined, 'SerializationException', `The request body is not valid gzip: ${decoded.reason}`)
    const input = parseJson(decoded.bytes)
    const output = front.service.handle(operation, input, {
      region: auth.region,
      principalArn: auth.credentials.principalArn,
      requestId,
      accessDenied: decision.accessDenied !== undefined
    })
    // PutMetricData has no output: "No output serializes no payload".
    answer(200, {}, output === undefined ? '' : JSON.stringify(output))
  } catch (error) {
    if (!(error instanceof CloudWatchError)) throw error
    entry.errorType = error.errorType
    answer(error.status, error.headers(), JSON.stringify(error.body()))
  }
}

function decode(body: Buffer, gzipped: boolean): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  if (!gzipped) return { ok: true, bytes: body }
  try {
    return { ok: true, bytes: gunzipSync(body) }
  } catch (error) {
    return { ok: false, reason: (error as Error).message }
  }
}

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8')
  let value: unknown
  try {
    value = text.trim() === '' ? {} : JSON.parse(text)
  } catch (error) {
    throw framework(undefined, 'SerializationException', `Malformed request body: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw framework(undefined, 'SerializationException', `Start of ${Array.isArray(value) ? 'list' : 'value'} found where not expected`)
  }
  return value
}

function peekJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
}
