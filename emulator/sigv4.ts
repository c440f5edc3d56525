/**
 * AWS Signature Version 4 verification, written from the published algorithm (not the SDK's
 * signer): canonical request (method, URI, query, signed headers, payload hash), string to sign,
 * HMAC-SHA256 key derivation, and the checks AWS makes before comparing signatures (credential
 * scope, request time within 5 minutes, known access key, session token).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export interface KnownCredentials {
  accessKeyId: string
  secretAccessKey: string
  /** Present for temporary (STS-issued) credentials: the request must carry it in X-Amz-Security-Token. */
  sessionToken?: string
  /** Epoch ms after which temporary credentials are refused. */
  expiration?: number
  /** Who the credentials belong to, as IAM names them in AccessDenied messages. */
  principalArn: string
  /** GetCallerIdentity's UserId (AROA…:session for role sessions). */
  userId?: string
}

export interface IncomingSignedRequest {
  method: string
  /** Path and query exactly as received. */
  url: string
  /** Node's `rawHeaders` (name, value, name, value, …). */
  rawHeaders: readonly string[]
  body: Buffer
}

export type AuthFailure =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidSignature'
  | 'UnrecognizedClient'
  | 'ExpiredToken'

export type AuthResult =
  | { ok: true; credentials: KnownCredentials; region: string; accessKeyId: string }
  | { ok: false; failure: AuthFailure; message: string; accessKeyId?: string }

const ALGORITHM = 'AWS4-HMAC-SHA256'
const MAX_SKEW_MS = 5 * 60 * 1000

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest()

/** RFC 3986 encoding: everything but unreserved characters is percent-encoded (uppercase hex). */
export function uriEncode(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte)
    if (/[A-Za-z0-9\-._~]/.test(ch)) out += ch
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** Canonical URI for services other than S3: normalized path, each segment URI-encoded (again). */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = []
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const trailing = rawPath.length > 1 && rawPath.endsWith('/') && segments.length > 0 ? '/' : ''
  return '/' + segments.map(uriEncode).join('/') + trailing
}

export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return ''
  const pairs = rawQuery
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const i = p.indexOf('=')
      const k = i < 0 ? p : p.slice(0, i)
      const v = i < 0 ? '' : p.slice(i + 1)
      return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const
    })
    .filter(([k]) => k !== 'X-Amz-Signature')
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** Header values by lowercase name, trimmed, inner whitespace runs collapsed, repeats joined by ','. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const map = new Map<string, string[]>()
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase()
    const value = rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ')
    const list = map.get(name) ?? []
    list.push(value)
    map.set(name, list)
  }
  return new Map([...map].map(([k, v]) => [k, v.join(',')]))
}

export function canonicalRequest(
  request: IncomingSignedRequest,
  signedHeaders: readonly string[],
  headers: Map<string, string>
): string {
  const q = request.url.indexOf('?')
  const rawPath = q < 0 ? request.url : request.url.slice(0, q)
  const rawQuery = q < 0 ? '' : request.url.slice(q + 1)
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${headers.get(h) ?? ''}\n`).join('')
  return [
    request.method.toUpperCase(),
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    canonicalHeaders,
    signedHeaders.join(';'),
    sha256Hex(request.body)
  ].join('\n')
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date)
  const kRegion = hmac(kDate, region)
  const kService = hmac(kRegion, service)
  return hmac(kService, 'aws4_request')
}

/** `YYYYMMDDTHHMMSSZ` */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!m) return undefined
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  return Number.isNaN(ms) ? undefined : ms
}

interface ParsedAuthorization {
  accessKeyId: string
  date: string
  region: string
  service: string
  terminator: string
  signedHeaders: string[]
  signature: string
}

function parseAuthorization(header: string): ParsedAuthorization | { error: string } {
  const space = header.indexOf(' ')
  const algorithm = space < 0 ? header : header.slice(0, space)
  if (algorithm !== ALGORITHM) return { error: `Unsupported AWS 'algorithm': '${algorithm}'` }
  const params = new Map<string, string>()
  for (const part of header.slice(space + 1).split(',')) {
    const i = part.indexOf('=')
    if (i > 0) params.set(part.slice(0, i).trim(), part.slice(i + 1).trim())
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((k) => !params.get(k))
  if (missing.length) {
    return {
      error:
        missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ') + ` Authorization=${header}`
    }
  }
  const credential = params.get('Credential')!.split('/')
  if (credential.length !== 5) {
    return {
      error: `Authorization header requires a 'Credential' of the form <AccessKeyId>/<Date>/<Region>/<Service>/aws4_request. Credential=${params.get('Credential')}`
    }
  }
  const [accessKeyId, date, region, service, terminator] = credential as [string, string, string, string, string]
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: params.get('SignedHeaders')!.split(';'),
    signature: params.get('Signature')!
  }
}

export interface VerifyOptions {
  /** The signing name the credential scope must name (`kinesisanalytics`, `sts`). */
  service: string
  lookup: (accessKeyId: string) => KnownCredentials | undefined
  now?: number
}

/** Checks a request's SigV4 `Authorization` header the way AWS does, in the same order. */
export function verifySignature(request: IncomingSignedRequest, options: VerifyOptions): AuthResult {
  const now = options.now ?? Date.now()
  const headers = headerMap(request.rawHeaders)
  const authorization = headers.get('authorization')
  if (!authorization) return { ok: false, failure: 'MissingAuthenticationToken', message: 'Missing Authentication Token' }

  const parsed = parseAuthorization(authorization)
  if ('error' in parsed) return { ok: false, failure: 'IncompleteSignature', message: parsed.error }
  const { accessKeyId } = parsed
  const fail = (failure: AuthFailure, message: string): AuthResult => ({ ok: false, failure, message, accessKeyId })

  const xAmzDate = headers.get('x-amz-date')
  let requestTime: number | undefined
  let requestAmzDate: string
  if (xAmzDate !== undefined) {
    requestTime = parseAmzDate(xAmzDate)
    requestAmzDate = xAmzDate
    if (requestTime === undefined) {
      return fail(
        'IncompleteSignature',
        `Date must be in ISO-8601 'basic format'. Got '${xAmzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`
      )
    }
  } else if (headers.get('date') !== undefined) {
    requestTime = Date.parse(headers.get('date')!)
    if (Number.isNaN(requestTime)) return fail('IncompleteSignature', `Invalid Date header: '${headers.get('date')}'`)
    requestAmzDate = amzDate(requestTime)
  } else {
    return fail('IncompleteSignature', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
  }

  if (parsed.terminator !== 'aws4_request') {
    return fail('InvalidSignature', `Credential should be scoped with a valid terminator: 'aws4_request', not '${parsed.terminator}'. `)
  }
  if (parsed.service !== options.service) {
    return fail('InvalidSignature', `Credential should be scoped to correct service: '${options.service}'. `)
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(parsed.region)) {
    return fail('InvalidSignature', `Credential should be scoped to a valid region, not '${parsed.region}'. `)
  }
  if (parsed.date !== requestAmzDate.slice(0, 8)) {
    return fail(
      'InvalidSignature',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${requestAmzDate.slice(0, 8)}', from '${requestAmzDate}'.`
    )
  }
  if (requestTime < now - MAX_SKEW_MS) {
    return fail(
      'InvalidSignature',
      `Signature expired: ${requestAmzDate} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 5 min.)`
    )
  }
  if (requestTime > now + MAX_SKEW_MS) {
    return fail(
      'InvalidSignature',
      `Signature not yet current: ${requestAmzDate} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 5 min.)`
    )
  }

  const credentials = options.lookup(accessKeyId)
  if (!credentials) return fail('UnrecognizedClient', 'The security token included in the request is invalid.')
  const token = headers.get('x-amz-security-token')
  if ((credentials.sessionToken ?? undefined) !== token) {
    return fail('UnrecognizedClient', 'The security token included in the request is invalid.')
  }
  if (credentials.expiration !== undefined && credentials.expiration <= now) {
    return fail('ExpiredToken', 'The security token included in the request is expired')
  }

  const canonical = canonicalRequest(request, parsed.signedHeaders, headers)
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`
  const stringToSign = [ALGORITHM, requestAmzDate, scope, sha256Hex(canonical)].join('\n')
  const expected = createHmac('sha256', signingKey(credentials.secretAccessKey, parsed.date, parsed.region, parsed.service))
    .update(stringToSign, 'utf8')
    .digest()
  const given = /^[0-9a-f]{64}$/.test(parsed.signature) ? Buffer.from(parsed.signature, 'hex') : Buffer.alloc(0)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(
      'InvalidSignature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' +
        `\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`
    )
  }
  return { ok: true, credentials, region: parsed.region, accessKeyId }
}

/** Reads the access key id and region from an Authorization header without verifying anything. */
export function peekCredentialScope(authorization: string | undefined): { accessKeyId?: string; region?: string; service?: string } {
  if (!authorization) return {}
  const m = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\//.exec(authorization)
  return m ? { accessKeyId: m[1], region: m[3], service: m[4] } : {}
}
