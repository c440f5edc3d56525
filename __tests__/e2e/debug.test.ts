/**
 * Step debug logging (RUNNER_DEBUG=1, as the runner sets it when a run is re-run with debug
 * logging): one ::debug:: line per AWS request attempt and per decision step, the SDK's own logger
 * on core.debug, and still no secret anywhere in the log.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { EMULATOR_ROLE_ARN, type Emulator } from '../../emulator/index.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, emulatorWith, errors, results, run } from './support.js'

let emulator: Emulator
afterEach(async () => emulator?.stop())

const scheduled = { 'application-name': 'orders', schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT, 'role-to-assume': EMULATOR_ROLE_ARN }

function debugLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::debug::'))
    .map((line) => line.slice('::debug::'.length))
}

describe('with RUNNER_DEBUG=1', () => {
  it('logs every request attempt (operation, application, status, attempt, ms), each decision step and the SDK logger', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }] })
    emulator.faults.set({ operation: 'DescribeApplication', throttle: 1 })
    const result = await run(emulator, scheduled, { env: { RUNNER_DEBUG: '1' } })
    expect(errors(result)).toEqual([])
    expect(results(result)[0]).toMatchObject({ action: 'updated' })

    const lines = debugLines(result.stdout)
    const attempts = lines.filter((line) => /^(kinesisanalytics|sts) \w+/.test(line))
    // One line per request the emulator saw from the SDK clients, in the same order.
    const requests = emulator.requests.filter((r) => r.service !== 'oidc')
    expect(attempts).toHaveLength(requests.length)
    expect(attempts.map((line) => line.split(/[ :]/).slice(0, 2).join(' '))).toEqual(requests.map((r) => `${r.service} ${r.operation}`))
    expect(attempts[0]).toMatch(/^sts AssumeRoleWithWebIdentity: HTTP 200 in \d+ ms \(attempt 1\)$/)
    expect(attempts).toContainEqual(expect.stringMatching(/^kinesisanalytics DescribeApplication orders: HTTP 400 ThrottlingException in \d+ ms \(attempt 1\)$/))
    expect(attempts).toContainEqual(expect.stringMatching(/^kinesisanalytics DescribeApplication orders: HTTP 200 in \d+ ms \(attempt 2\)$/))
    expect(attempts).toContainEqual(expect.stringMatching(/^kinesisanalytics UpdateApplication orders: HTTP 200 in \d+ ms \(attempt 1\)$/))

    expect(lines).toContainEqual(expect.stringMatching(/^orders \(us-east-1\): found RUNNING at parallelism 4 \(4 KPU\), version 1$/))
    expect(lines).toContainEqual(expect.stringMatching(/^orders \(us-east-1\): target 10 KPU from the default; decision update: Scaling from parallelism 4/))
    expect(lines.some((line) => line.startsWith('AWS SDK'))).toBe(true)
  })

  it('logs none of it without RUNNER_DEBUG', async () => {
    emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }] })
    const result = await run(emulator, scheduled)
    expect(result.exitCode).toBe(0)
    // @actions/core's getIDToken logs its own URL at debug level; nothing of ours is there.
    expect(debugLines(result.stdout).filter((line) => !line.startsWith('ID token url'))).toEqual([])
  })
})
