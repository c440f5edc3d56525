/**
 * End-to-end helpers: the bundled action run as a child process, exactly as a runner runs it,
 * against the local emulator. Every run's output is checked for leaked secrets.
 */
import { expect } from '@jest/globals'
import { expectWith } from '../fixtures/expect-with.js'
import {
  EMULATOR_SECRET_ACCESS_KEY,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type RequestLogEntry
} from '../../emulator/index.js'
import { runAction, type ActionRun, type RunOptions } from '../../runner/run-action.js'
import type { PublicOutcome } from '../../src/phases/outcome.js'

/** The AWS sample's day, in Los Angeles: 20 KPU 05:05-18:05 on weekdays, 10 otherwise. */
export const SAMPLE_SCHEDULE = `
timezone: America/Los_Angeles
default: { kpu: 10 }
max: 64
rules:
  - name: black-friday
    dates: 2026-11-27..2026-11-30
    kpu: 40
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    kpu: 20
`

/** Instants in Los Angeles for SAMPLE_SCHEDULE. */
export const WEDNESDAY_NIGHT = '2026-12-02T02:00:00-08:00'
export const WEDNESDAY_DAYTIME = '2026-12-02T09:00:00-08:00'

/** Secrets that must never reach a log, beyond what each test adds. */
const knownSecrets = new Set<string>([EMULATOR_SECRET_ACCESS_KEY])

export function addSecret(secret: string | undefined): void {
  if (secret) knownSecrets.add(secret)
}

/** Runs dist/index.js with the emulator's environment, and checks the logs carry no secret. */
export async function run(
  emulator: Emulator,
  inputs: Record<string, string>,
  options: RunOptions & { envOptions?: Parameters<Emulator['env']>[0] } = {}
): Promise<ActionRun> {
  const { envOptions, ...runOptions } = options
  const result = await runAction(inputs, { ...runOptions, env: { ...emulator.env(envOptions), ...runOptions.env } })
  expectNoSecrets(result, emulator)
  return result
}

/** No secret key, session token or OIDC token in stdout/stderr, except inside ::add-mask::. */
export function expectNoSecrets(result: ActionRun, emulator: Emulator): void {
  const secrets = new Set(knownSecrets)
  for (const request of emulator.requests) {
    if (request.sessionToken) secrets.add(request.sessionToken)
    const token = (request.body as { WebIdentityToken?: string } | undefined)?.WebIdentityToken
    if (token) secrets.add(token)
  }
  const log = `${result.stdout}\n${result.stderr}\n${result.summary}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  for (const secret of secrets) expectWith(log.includes(secret), `a secret reached the log: ${secret.slice(0, 6)}…`).toBe(false)
}

export async function emulatorWith(options: EmulatorOptions): Promise<Emulator> {
  return startEmulator({ updateDurationMs: 200, ...options })
}

/** Kinesis Analytics requests, optionally of one operation. */
export function calls(emulator: Emulator, operation?: string): RequestLogEntry[] {
  return emulator.requests.filter((r) => r.service === 'kinesisanalytics' && (!operation || r.operation === operation))
}

/** Accepted UpdateApplication requests. */
export function acceptedUpdates(emulator: Emulator): RequestLogEntry[] {
  return calls(emulator, 'UpdateApplication').filter((r) => r.status === 200)
}

/** One object of the `results` output, as the contract lists its fields. */
export type Result = PublicOutcome

export function results(run: ActionRun): Result[] {
  return JSON.parse(run.outputs.results ?? '[]') as Result[]
}

export function errors(run: ActionRun): ActionRun['annotations'] {
  return run.annotations.filter((a) => a.level === 'error')
}

/** Polls `read` until it returns the expected value or `timeout` ms have passed, then asserts it. */
export function eventually<T>(read: () => T, { timeout = 1_000, interval = 50 }: { timeout?: number; interval?: number } = {}) {
  return {
    async toBe(expected: T): Promise<void> {
      const deadline = Date.now() + timeout
      let value = read()
      while (!Object.is(value, expected) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, interval))
        value = read()
      }
      expect(value).toBe(expected)
    }
  }
}
