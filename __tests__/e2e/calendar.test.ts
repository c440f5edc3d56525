/**
 * Schedules that know the calendar and the restart time, end to end: "weekdays 05:05-18:05, not on
 * US public holidays, ready 20 minutes early", checked before merge (check-only, no AWS call and
 * no credentials), the week at a glance in the summary, and how late a change was.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import type { Emulator } from '../../emulator/index.js'
import { acceptedUpdates, emulatorWith, errors, results, run } from './support.js'

const BUSINESS = `
timezone: America/Los_Angeles
default: { kpu: 10 }
max: 64
holidays: US
lead: 20m
rules:
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    on-holidays: skip
    kpu: 20
`

const started: Emulator[] = []
afterAll(() => Promise.all(started.map((e) => e.stop())))

async function emulator(parallelism = 10): Promise<Emulator> {
  const e = await emulatorWith({ applications: [{ name: 'orders', region: 'us-west-2', parallelism }] })
  started.push(e)
  return e
}

const base = { 'application-name': 'orders', region: 'us-west-2', schedule: BUSINESS }

describe('holidays and lead', () => {
  it.concurrent('scales up 20 minutes before the window opens, and says why', async () => {
    const e = await emulator()
    const result = await run(e, { ...base, at: '2026-12-02T04:50:00-08:00' })
    expect(errors(result)).toEqual([])
    expect(results(result)[0]).toMatchObject({ action: 'updated', rule: 'weekday-daytime', targetParallelism: 20 })
    expect(results(result)[0].reason).toMatch(/for rule weekday-daytime, which starts at 05:05 \(lead 20m\)\./)
  })

  it.concurrent('scales down on time, not early', async () => {
    const e = await emulator(20)
    const before = await run(e, { ...base, at: '2026-12-02T18:00:00-08:00' })
    expect(results(before)[0]).toMatchObject({ action: 'skipped', targetParallelism: 20 })
    expect(before.outputs['next-transition']).toBe('2026-12-03T02:05:00.000Z')
    const after = await run(e, { ...base, at: '2026-12-02T18:05:00-08:00' })
    expect(results(after)[0]).toMatchObject({ action: 'updated', rule: 'default', targetParallelism: 10 })
    // The next change is the next morning's, 20 minutes early.
    expect(after.outputs['next-transition']).toBe('2026-12-03T12:45:00.000Z')
    expect(after.outputs['next-parallelism']).toBe('20')
  })

  it.concurrent('stays at the default on a US public holiday, and the week names it', async () => {
    const e = await emulator()
    const result = await run(e, { ...base, at: '2026-11-26T10:00:00-08:00' })
    expect(results(result)[0]).toMatchObject({ action: 'skipped', rule: 'default', targetParallelism: 10 })
    expect(acceptedUpdates(e)).toHaveLength(0)
    expect(result.summary).toMatch(/Thu 2026-11-26 +\S+ +10 KPU +★ Thanksgiving Day/)
    expect(result.summary).toContain('★ Thu 2026-11-26 Thanksgiving Day: weekday-daytime does not apply (on-holidays: skip)')
    // The next working day's morning comes 20 minutes early.
    expect(result.outputs['next-transition']).toBe('2026-11-27T12:45:00.000Z')
  })

  it.concurrent('draws the week, with its KPU-hours and their cost', async () => {
    const e = await emulator(20)
    const result = await run(e, { ...base, at: '2026-12-02T10:00:00-08:00', 'kpu-hour-price': '0.11' })
    expect(result.exitCode).toBe(0)
    expect(result.summary).toContain('### The week ahead')
    expect(result.summary).toMatch(/```text\nAmerica\/Los_Angeles, 2 columns an hour; █ = 20 KPU, the week's peak, up 20m ahead \(lead\)/)
    expect(result.summary).toMatch(/\nWed 2026-12-02 +[▁▂▃▄▅▆▇█]{48} +10-20 KPU\n/)
    expect(result.summary).toMatch(/\| with the schedule \| [\d,.]+ \| [\d,.]+ \|/)
    expect(result.summary).toContain('| flat at the peak, 20 KPU for 168 h | 3,360 | 369.60 |')
  })
})

describe('check-only: the schedule checked before merge', () => {
  it.concurrent('no application, no credentials, no AWS call: the week it gives', async () => {
    const e = await emulator()
    const result = await run(
      e,
      { 'check-only': 'true', 'schedule-file': '.github/flink-schedule.yml', at: '2026-12-02T04:30:00-08:00', 'kpu-hour-price': '0.11' },
      { files: { '.github/flink-schedule.yml': BUSINESS }, envOptions: { credentials: false, oidc: false } }
    )
    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(e.requests).toEqual([])
    expect(result.outputs).toMatchObject({ changed: 'false', results: '[]', 'next-transition': '2026-12-02T12:45:00.000Z' })
    expect(result.summary).toContain('**Check only**: the schedule is valid.')
    expect(result.summary).toContain('### The week ahead')
    expect(result.summary).toContain('cost at 0.11 per KPU-hour')
    expect(result.stdout).toContain('The schedule in .github/flink-schedule.yml is valid: 10 KPU now (the default); next 20 KPU at 2026-12-02T12:45:00.000Z (rule weekday-daytime).')
  })

  it.concurrent('an error in the file is an annotation on its line, so it shows on the pull request', async () => {
    const e = await emulator()
    const broken = BUSINESS.replace('from: "05:05"', 'from: "5:05"')
    const result = await run(
      e,
      { 'check-only': 'true', 'schedule-file': '.github/flink-schedule.yml' },
      { files: { '.github/flink-schedule.yml': broken }, envOptions: { credentials: false, oidc: false } }
    )
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toEqual([
      expect.objectContaining({
        file: '.github/flink-schedule.yml',
        line: 10,
        message: expect.stringMatching(/^Schedule error in rules\[0\] "weekday-daytime", field "from": "5:05" is not a valid time/)
      })
    ])
    expect(e.requests).toEqual([])
  })

  it.concurrent('an unknown holiday code is shown on its line, with the nearest known codes', async () => {
    const e = await emulator()
    const result = await run(
      e,
      { 'check-only': 'true', 'schedule-file': 'schedule.yml' },
      { files: { 'schedule.yml': BUSINESS.replace('holidays: US', 'holidays: US-CX') } }
    )
    expect(result.exitCode).toBe(1)
    const [error] = errors(result)
    expect(error).toMatchObject({ file: 'schedule.yml', line: 5 })
    expect(error.message).toMatch(/"US-CX" is not a country or subdivision the holiday calendar knows/)
    expect(error.message).toMatch(/Did you mean .*US-CA/)
    expect(e.requests).toEqual([])
  })
})

describe('bad calendar input: one clear error naming the field, and no AWS call', () => {
  it.concurrent.each([
    ['an unknown holiday code', { schedule: BUSINESS.replace('holidays: US', 'holidays: XX') }, /"XX" is not a country or subdivision/],
    ['a lead over 6h', { schedule: BUSINESS.replace('lead: 20m', 'lead: 7h') }, /field "lead"/],
    ['a lead not Nm or Nh', { schedule: BUSINESS.replace('lead: 20m', 'lead: 20 minutes') }, /field "lead"/],
    ['on-holidays without holidays', { schedule: BUSINESS.replace('holidays: US\n', '') }, /rules\[0\] "weekday-daytime", field "on-holidays"/],
    ['a kpu-hour-price that is not a number', { 'kpu-hour-price': 'cheap' }, /Input "kpu-hour-price" is "cheap"/],
    ['a negative kpu-hour-price', { 'kpu-hour-price': '-0.1' }, /Input "kpu-hour-price"/]
  ])('%s', async (_name, inputs, message) => {
    const e = await emulator()
    const result = await run(e, { ...base, ...inputs })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toHaveLength(1)
    expect(errors(result)[0].title).toBe('Invalid input: nothing was changed')
    expect(errors(result)[0].message).toMatch(message)
    expect(errors(result)[0].message).toMatch(/Fix: /)
    expect(e.requests).toEqual([])
  })
})

describe('lateness', () => {
  it.concurrent('after an update that follows a change of the schedule, says how long after it the target was reached', async () => {
    // A window that opened five minutes ago, on the real clock (no `at`).
    const now = new Date()
    const hhmm = (d: Date) => d.toISOString().slice(11, 16)
    const opened = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - 5 * 60_000)
    const closes = new Date(opened.getTime() + 3 * 3_600_000)
    const schedule = `default: { kpu: 10 }\nrules:\n  - { name: now, from: "${hhmm(opened)}", to: "${hhmm(closes)}", kpu: 20 }\n`
    const e = await emulator()
    const result = await run(e, { 'application-name': 'orders', region: 'us-west-2', schedule })
    expect(results(result)[0]).toMatchObject({ action: 'updated', targetParallelism: 20 })
    const reached = result.summary.match(/20 KPU at (\d\d:\d\d), (\d+) min after the (\d\d:\d\d) change\./)
    expect(reached).not.toBeNull()
    expect(reached![3]).toBe(hhmm(opened))
    expect(Number(reached![2])).toBeGreaterThanOrEqual(5)
    expect(Number(reached![2])).toBeLessThanOrEqual(7)
  })
})
