/**
 * The runner's side of a step, per GitHub's documented workflow commands and environment files:
 * inputs (INPUT_*), outputs (GITHUB_OUTPUT), the job summary (GITHUB_STEP_SUMMARY), annotations
 * and masks on stdout, and the job's OIDC token. The same protocol as @actions/core, without its
 * bundled HTTP client: loading that cost every scheduled run 45-85 ms (docs/performance.md).
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { EOL } from 'node:os'

/** An input as the runner passes it: INPUT_<NAME>, upper-cased, spaces as underscores, trimmed. */
export function getInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT
  if (!file) {
    command('set-output', { name }, value)
    return
  }
  const delimiter = `ghadelimiter_${randomUUID()}`
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8')
}

/** Appends Markdown to the job summary; outside a runner there is none. */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (file) appendFileSync(file, `${markdown}${EOL}`, 'utf8')
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`)
}

export function warning(message: string): void {
  command('warning', {}, message)
}

export function error(message: string, properties: { title?: string } = {}): void {
  command('error', properties, message)
}

/** Registers a secret with the runner, which then masks it in every log line. */
export function setSecret(secret: string): void {
  command('add-mask', {}, secret)
}

function command(name: string, properties: Record<string, string | undefined>, message: string): void {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(value!)}`)
    .join(',')
  process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`)
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** The token endpoint answered with an error, or could not be reached (no status). */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string
  ) {
    super(message)
    this.name = 'TokenRequestError'
  }
}

/** A token request that gets no answer in this long is abandoned (and may be retried). */
const TOKEN_TIMEOUT_MS = 20_000

/**
 * The job's OIDC token for `audience`, from the Actions runtime, masked before anything can log it.
 * The request is the one @actions/core's getIDToken makes: GET the request URL with `&audience=`,
 * the request token as a bearer token, `{ "value": "<jwt>" }` back.
 */
export async function getIDToken(audience: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!url || !requestToken) throw new TokenRequestError(undefined, 'ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set')
  let response: Response
  try {
    response = await fetch(`${url}&audience=${encodeURIComponent(audience)}`, {
      headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS)
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code
    throw new TokenRequestError(undefined, `${(error as Error).name === 'TimeoutError' ? 'no answer' : 'no connection'}${cause ? ` (${cause})` : ''}`)
  }
  const text = await response.text()
  let body: { value?: unknown; message?: unknown } = {}
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    // Not JSON: the text itself is the message.
  }
  if (!response.ok) {
    const message = typeof body.message === 'string' ? body.message : text.replace(/\s+/g, ' ').trim().slice(0, 300)
    throw new TokenRequestError(response.status, message || response.statusText)
  }
  const value = body.value
  if (typeof value !== 'string' || !value) throw new TokenRequestError(response.status, 'the answer has no token')
  setSecret(value)
  return value
}
