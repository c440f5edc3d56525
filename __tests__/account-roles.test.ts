/**
 * account-roles with the real STS client against the emulator: each role assumed once, when first
 * asked for, a few at a time; throttling retried with jittered waits; the session assumed again
 * before it ends; a role that cannot be assumed fails its account with the role named, for the
 * rest of the run, without asking STS again.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { EMULATOR_ACCOUNT_ID, startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.js'
import { accountCredentials, MAX_ASSUMING, MAX_CHAINED_SECONDS } from '../src/aws/account-roles.js'
import type { AccountRole } from '../src/github/config.js'
import { ScalerError } from '../src/errors.js'

const saved = { ...process.env }
const started: Emulator[] = []
afterAll(async () => {
  process.env = saved
  await Promise.all(started.map((e) => e.stop()))
})

async function emulator(options: EmulatorOptions): Promise<Emulator> {
  const em = await startEmulator(options)
  started.push(em)
  Object.assign(process.env, em.env({ oidc: false }))
  return em
}

const roleIn = (account: string): AccountRole => ({ arn: `arn:aws:iam::${account}:role/flink-scaler`, account })
const trusted = (roles: AccountRole[]) => roles.map((r) => ({ arn: r.arn, trust: [`arn:aws:iam::${EMULATOR_ACCOUNT_ID}:root`] }))
const assumeRequests = (em: Emulator) => em.requests.filter((r) => r.service === 'sts' && r.operation === 'AssumeRole')

describe('accountCredentials', () => {
  it('assumes each role once, when first asked for, at most a few at a time', async () => {
    const roles = Array.from({ length: 10 }, (_, i) => roleIn(String(200000000000 + i)))
    const em = await emulator({ roles: trusted(roles) })
    em.faults.set({ service: 'sts', operation: 'AssumeRole', latencyMs: 150 })
    const credentials = accountCredentials(roles, undefined, { region: 'us-east-1', sessionName: 'flink-scheduled-scaler', durationSeconds: 900 })
    expect(assumeRequests(em)).toHaveLength(0)

    let most = 0
    let done = false
    const watching = (async () => {
      while (!done) {
        most = Math.max(most, assumeRequests(em).filter((r) => r.status === 0).length)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    // Every role asked for three times at once (three regions of its account): one AssumeRole each.
    const sessions = await Promise.all(roles.flatMap((role) => [0, 1, 2].map(() => credentials(role.arn)())))
    done = true
    await watching
    expect(assumeRequests(em)).toHaveLength(10)
    expect(most).toBeGreaterThan(1)
    expect(most).toBeLessThanOrEqual(MAX_ASSUMING)
    expect(new Set(sessions.map((s) => s.accessKeyId)).size).toBe(10)
    expect(assumeRequests(em).map((r) => (r.body as Record<string, string>).DurationSeconds)).toEqual(Array(10).fill('900'))
  })

  it('a chained session is asked for one hour at most, whatever role-duration-seconds says', async () => {
    const role = roleIn('210987654321')
    const em = await emulator({ roles: trusted([role]) })
    await accountCredentials([role], undefined, { region: 'us-east-1', sessionName: 's1', durationSeconds: 43200 })(role.arn)()
    expect((assumeRequests(em)[0].body as Record<string, string>).DurationSeconds).toBe(String(MAX_CHAINED_SECONDS))
  })

  it('retries while STS throttles, with jittered waits, then succeeds', async () => {
    const role = roleIn('210987654321')
    const em = await emulator({ roles: trusted([role]) })
    // The SDK's own three attempts are throttled, and the first of the next series too.
    em.faults.set({ service: 'sts', operation: 'AssumeRole', throttle: 4 })
    const waits: number[] = []
    const provider = accountCredentials([role], undefined, { region: 'us-east-1', sessionName: 's1', durationSeconds: 900, sleep: async (ms) => void waits.push(ms) })(role.arn)
    const session = await provider()
    expect(session.accessKeyId).toMatch(/^ASIA/)
    expect(assumeRequests(em).map((r) => r.status)).toEqual([400, 400, 400, 400, 200])
    expect(waits).toHaveLength(1)
    // Equal jitter: half the first backoff (1 s) is fixed, half random.
    expect(waits[0]).toBeGreaterThanOrEqual(500)
    expect(waits[0]).toBeLessThanOrEqual(1000)
  })

  it('assumes the role again once its session ends within five minutes; until then the session is kept', async () => {
    const role = roleIn('210987654321')
    const em = await emulator({ roles: trusted([role]) })
    let now = Date.now()
    const provider = accountCredentials([role], undefined, { region: 'us-east-1', sessionName: 's1', durationSeconds: 900, now: () => now })(role.arn)
    const first = await provider()
    now += 9 * 60_000
    expect((await provider()).accessKeyId).toBe(first.accessKeyId)
    expect(assumeRequests(em)).toHaveLength(1)
    now += 2 * 60_000 // 4 minutes left
    const second = await provider()
    expect(second.accessKeyId).not.toBe(first.accessKeyId)
    expect(assumeRequests(em)).toHaveLength(2)

    // A renewal that fails while the session still runs keeps the session.
    em.faults.set({ service: 'sts', operation: 'AssumeRole', accessDenied: true })
    now = second.expiration!.getTime() - 60_000
    expect((await provider()).accessKeyId).toBe(second.accessKeyId)
  })

  it('a role that cannot be assumed fails every request of its account, naming it, and is not asked again', async () => {
    const good = roleIn('210987654321')
    const bad = roleIn('333333333333')
    const em = await emulator({ roles: trusted([good]) })
    const credentials = accountCredentials([good, bad], undefined, { region: 'us-east-1', sessionName: 's1', durationSeconds: 900 })
    const failures = await Promise.allSettled([credentials(bad.arn)(), credentials(bad.arn)()])
    for (const failure of failures) {
      expect(failure.status).toBe('rejected')
      const error = (failure as PromiseRejectedResult).reason as ScalerError
      expect(error).toBeInstanceOf(ScalerError)
      expect(error.message).toMatch(/^Could not assume arn:aws:iam::333333333333:role\/flink-scaler \(account-roles, account 333333333333\): AccessDenied: /)
      expect(error.hint).toMatch(/^The trust policy of arn:aws:iam::333333333333:role\/flink-scaler must allow sts:AssumeRole/)
    }
    await expect(credentials(bad.arn)()).rejects.toThrow('Could not assume arn:aws:iam::333333333333:role/flink-scaler')
    await expect(credentials(good.arn)()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) })
    expect(assumeRequests(em).map((r) => (r.body as Record<string, string>).RoleArn)).toEqual([bad.arn, good.arn])
  })

  it("STS's ValidationError says which value: a role of another partition than the run's region is named as such", async () => {
    await emulator({ roles: [] })
    const china = { arn: 'arn:aws-cn:iam::210987654321:role/flink-scaler', account: '210987654321' }
    const credentials = accountCredentials([china], undefined, { region: 'us-east-1', sessionName: 's1', durationSeconds: 900 })
    const error = await credentials(china.arn)().then(
      () => undefined,
      (e: unknown) => e as ScalerError
    )
    expect(error).toBeInstanceOf(ScalerError)
    expect(error!.message).toMatch(/: ValidationError: Request ARN is invalid/)
    expect(error!.hint).toBe(
      "The role is in partition aws-cn, but the run's credentials and STS (us-east-1) are in partition aws: a role can only be assumed from its own partition. " +
        'Scale the accounts of that partition in a job of their own, whose role-to-assume and region are in it.'
    )
  })
})
