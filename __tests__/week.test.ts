/**
 * The week at a glance: the KPU-hours a schedule asks for over the seven local days ahead, and the
 * picture of them in the job summary (and in the terminal).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { marked } from 'marked'
import { markdownToTerminal } from '../runner/terminal.js'
import { withHolidays } from '../src/schedule/holidays.js'
import { parseSchedule, type Schedule } from '../src/schedule/schedule.js'
import { renderWeek, weekAhead } from '../src/schedule/week.js'
import { ROOT } from '../scripts/validate-workflows.js'

const schedule = (text: string) => parseSchedule(text, 'test')
const example = (name: string) => readFileSync(path.join(ROOT, 'examples', name), 'utf8')

// The cost table of docs/cost.md: 20 KPU on weekdays from 05:05 to 18:05, 10 otherwise.
const AWS_SAMPLE = schedule(`
timezone: America/Los_Angeles
default: { kpu: 10 }
rules:
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    kpu: 20
`)

const withLead = (s: Schedule, lead: number): Schedule => ({ ...s, lead })

describe('weekAhead', () => {
  it('gives docs/cost.md\'s KPU-hours for a week without daylight-saving change', () => {
    // Monday 2026-06-01, PDT.
    const week = weekAhead(AWS_SAMPLE, new Date('2026-06-01T15:00:00Z'), 1, 0.11)
    expect(week.start).toEqual(new Date('2026-06-01T07:00:00Z'))
    expect(week.end).toEqual(new Date('2026-06-08T07:00:00Z'))
    expect(week.hours).toBe(168)
    expect(week.days.map((day) => `${day.weekday} ${day.date} ${day.kpuHours}`)).toEqual([
      'Mon 2026-06-01 370',
      'Tue 2026-06-02 370',
      'Wed 2026-06-03 370',
      'Thu 2026-06-04 370',
      'Fri 2026-06-05 370',
      'Sat 2026-06-06 240',
      'Sun 2026-06-07 240'
    ])
    expect(week).toMatchObject({ kpuHours: 2330, peakKpu: 20, flatKpuHours: 3360, savedKpuHours: 1030, holidays: [] })
    expect(week.savedPercent).toBeCloseTo((1030 / 3360) * 100, 10)
    expect(week.cost?.price).toBe(0.11)
    expect(week.cost?.schedule).toBeCloseTo(256.3, 10)
    expect(week.cost?.flat).toBeCloseTo(369.6, 10)
    expect(week.cost?.saved).toBeCloseTo(113.3, 10)
    expect(week.days[0]).toMatchObject({ minKpu: 10, maxKpu: 20, hours: 24 })
    expect(week.days[5]).toMatchObject({ minKpu: 10, maxKpu: 10 })
  })

  it('starts at local midnight of the day of the instant', () => {
    // Wednesday 2026-06-03 at 23:30 PDT is Thursday in UTC.
    const week = weekAhead(AWS_SAMPLE, new Date('2026-06-04T06:30:00Z'))
    expect(week.start).toEqual(new Date('2026-06-03T07:00:00Z'))
    expect(week.days.map((day) => day.weekday)).toEqual(['Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue'])
    expect(week.kpuHours).toBe(2330)
    expect(week.cost).toBeUndefined()
  })

  it.each([
    // LA springs forward on Sunday 2026-03-08: a week of 167 hours, and Sunday has 23.
    ['spring forward', '2026-03-05T20:00:00Z', 167, 'Sun', 23, 5 * 370 + 240 + 230],
    // And falls back on Sunday 2026-11-01: 169 hours, Sunday has 25.
    ['fall back', '2026-10-29T20:00:00Z', 169, 'Sun', 25, 5 * 370 + 240 + 250]
  ])('a week with a daylight-saving change (%s, from %s) has %i hours', (_what, at, hours, weekday, dayHours, kpuHours) => {
    const week = weekAhead(AWS_SAMPLE, new Date(at))
    expect(week.hours).toBe(hours)
    expect(week.days.filter((day) => day.hours !== 24).map((day) => [day.weekday, day.hours])).toEqual([[weekday, dayHours]])
    expect(week.kpuHours).toBe(kpuHours)
    expect(week.flatKpuHours).toBe(20 * hours)
  })

  it('leaves out the half hour the clock skips', () => {
    const sunday = weekAhead(AWS_SAMPLE, new Date('2026-03-08T20:00:00Z')).days[0]
    expect(sunday.date).toBe('2026-03-08')
    // 02:00-03:00 does not exist that day.
    expect(sunday.slots.slice(3, 7)).toEqual([10, undefined, undefined, 10])
  })

  it('shows the scale-ups lead early, the scale-downs on time', () => {
    const week = weekAhead(withLead(AWS_SAMPLE, 20), new Date('2026-06-01T15:00:00Z'))
    // 20 minutes more at 20 KPU instead of 10 each weekday.
    expect(week.days[0].kpuHours).toBeCloseTo(370 + 10 / 3, 10)
    expect(week.kpuHours).toBeCloseTo(2330 + (5 * 10) / 3, 10)
    // The half hour from 04:30 now reaches 20 KPU (from 04:45); 18:30 is back at 10.
    const monday = week.days[0].slots
    expect([monday[8], monday[9], monday[36], monday[37]]).toEqual([10, 20, 20, 10])
    expect(weekAhead(AWS_SAMPLE, new Date('2026-06-01T15:00:00Z')).days[0].slots[9]).toBe(10)
    expect(week.stretches[1]).toMatchObject({ from: new Date('2026-06-01T11:45:00Z'), to: new Date('2026-06-02T01:05:00Z'), kpu: 20 })
    expect(week.stretches[1].match.startsAt).toEqual(new Date('2026-06-01T12:05:00Z'))
    expect(week.lead).toBe(20)
  })

  it('drops a rule on the holiday that it skips, and names the holiday', async () => {
    const s = await withHolidays(parseSchedule(example('weekdays-not-on-holidays.schedule.yml'), 'example'), 'example')
    // Monday 2026-11-23: Thanksgiving is on Thursday. With the 20-minute lead, each other weekday has 370 + 10/3.
    const week = weekAhead(s, new Date('2026-11-23T20:00:00Z'))
    const expected = [370 + 10 / 3, 370 + 10 / 3, 370 + 10 / 3, 240, 370 + 10 / 3, 240, 240]
    week.days.forEach((day, i) => expect(day.kpuHours).toBeCloseTo(expected[i], 10))
    expect(week.holidays).toEqual([
      { date: '2026-11-26', holidays: [{ date: '2026-11-26', name: 'Thanksgiving Day', code: 'US' }], skip: ['weekday-daytime'], only: [] }
    ])
    expect(week.days[3].holiday).toBe(week.holidays[0])
    // Independence Day 2026 is a Saturday, observed on Friday: only Friday changes a rule.
    const july = weekAhead(s, new Date('2026-06-29T20:00:00Z'))
    expect(july.holidays.map((effect) => [effect.date, effect.holidays.map((h) => h.name)])).toEqual([
      ['2026-07-03', ['Independence Day (substitute day)']]
    ])
    expect(july.days[4].kpuHours).toBe(240)
  })

  it('counts KPUs with the ParallelismPerKPU, or at 1 per KPU when it is unknown', () => {
    const s = schedule('default: { parallelism: 4 }\nrules:\n  - { name: day, days: Mon-Fri, from: "09:00", to: "17:00", parallelism: 10 }')
    // UTC, Monday 2026-06-01. At 4 per KPU: parallelism 4 is 1 KPU, parallelism 10 is 3 (kpus() rounds up).
    const known = weekAhead(s, new Date('2026-06-01T00:00:00Z'), 4)
    expect([known.kpuHours, known.peakKpu, known.assumedParallelismPerKpu]).toEqual([5 * (8 * 3 + 16) + 2 * 24, 3, false])
    const unknown = weekAhead(s, new Date('2026-06-01T00:00:00Z'))
    expect([unknown.kpuHours, unknown.peakKpu, unknown.assumedParallelismPerKpu]).toEqual([5 * (8 * 10 + 16 * 4) + 2 * 24 * 4, 10, true])
    expect(weekAhead(AWS_SAMPLE, new Date('2026-06-01T15:00:00Z')).assumedParallelismPerKpu).toBe(false)
  })

  it('is flat for a schedule that never changes', () => {
    const week = weekAhead(schedule('timezone: Asia/Kolkata\ndefault: { kpu: 3 }'), new Date('2026-06-01T00:00:00Z'), undefined, 1)
    expect(week).toMatchObject({ kpuHours: 504, flatKpuHours: 504, savedKpuHours: 0, savedPercent: 0, stretches: [{ kpu: 3 }] })
    expect(week.cost).toEqual({ price: 1, schedule: 504, flat: 504, saved: 0 })
  })
})

describe('renderWeek', () => {
  const week = weekAhead(AWS_SAMPLE, new Date('2026-06-01T15:00:00Z'), 1, 0.11)

  it('draws one row per day, the hours across, the target as bars relative to the peak', () => {
    const lines = renderWeek(week).split('\n')
    expect(lines.slice(0, 5)).toEqual([
      '```text',
      'America/Los_Angeles, 2 columns an hour; █ = 20 KPU, the week\'s peak',
      '',
      '                00    03    06    09    12    15    18    21',
      // 10 KPU is half the peak (▄) until 05:00; the half hours from 05:00 to 18:00 reach 20 (█).
      `Mon 2026-06-01  ${'▄'.repeat(10)}${'█'.repeat(27)}${'▄'.repeat(11)}  10-20 KPU`
    ])
    expect(lines[9]).toBe(`Sat 2026-06-06  ${'▄'.repeat(48)}  10 KPU`)
    expect(lines[11]).toBe('```')
  })

  it('adds the KPU-hours, the saving and the cost in a table', () => {
    expect(renderWeek(week).split('```\n')[1]).toBe(
      [
        '',
        '| this week | KPU-hours | cost at 0.11 per KPU-hour |',
        '| --- | ---: | ---: |',
        '| with the schedule | 2,330 | 256.30 |',
        '| flat at the peak, 20 KPU for 168 h | 3,360 | 369.60 |',
        '| saved | 1,030 (31 %) | 113.30 |'
      ].join('\n')
    )
    expect(renderWeek(weekAhead(AWS_SAMPLE, new Date('2026-06-01T15:00:00Z'))).endsWith('| saved | 1,030 (31 %) |')).toBe(true)
  })

  it('marks daylight-saving days, the lead, holidays and an assumed ParallelismPerKPU', async () => {
    const text = `timezone: America/Los_Angeles
default: { parallelism: 10 }
holidays: US
lead: 20m
rules:
  - { name: weekday-daytime, days: Mon-Fri, from: "05:05", to: "18:05", on-holidays: skip, parallelism: 20 }
  - { name: holidays, on-holidays: only, from: "10:00", to: "12:00", parallelism: 5 }`
    const s = await withHolidays(schedule(text), 'test')
    // Thursday 2026-10-29: the week has Sunday 2026-11-01 (25 hours); Thanksgiving is weeks later.
    const fallBack = renderWeek(weekAhead(s, new Date('2026-10-29T20:00:00Z')))
    expect(fallBack).toContain("█ = 20 KPU, the week's peak, up 20m ahead (lead)")
    expect(fallBack).toMatch(/\nSun 2026-11-01 {2}[▄ ]{48} {2}10 KPU {4}25 h\n/)
    expect(fallBack).toContain('(the service\'s default): the ParallelismPerKPU is not known.')
    const thanksgiving = renderWeek(weekAhead(s, new Date('2026-11-23T20:00:00Z'), 1))
    expect(thanksgiving).toMatch(/\nThu 2026-11-26 {2}\S{48} {2}5-10 KPU {2}★ Thanksgiving Day\n/)
    expect(thanksgiving).toContain(
      '★ Thu 2026-11-26 Thanksgiving Day: weekday-daytime does not apply (on-holidays: skip); holidays applies (on-holidays: only)'
    )
    expect(thanksgiving).not.toContain('ParallelismPerKPU is not known')
  })

  it('renders as GitHub shows it: one code block, whatever the names hold, then a table', async () => {
    const parsed = await withHolidays(
      schedule('holidays: US\ndefault: { kpu: 1 }\nrules:\n  - { name: "a", on-holidays: skip, from: "09:00", to: "17:00", kpu: 2 }'),
      'test'
    )
    // The parser refuses control characters in names; the drawing must hold even without it.
    const s = { ...parsed, rules: parsed.rules.map((rule) => ({ ...rule, name: 'a\n```\n# b | <i>' })) }
    const markdown = renderWeek(weekAhead(s, new Date('2026-11-23T00:00:00Z')))
    const tokens = marked.lexer(markdown).filter((token) => token.type !== 'space')
    expect(tokens.map((token) => token.type)).toEqual(['code', 'table'])
    expect((tokens[0] as { text: string }).text.split('\n')).toHaveLength(3 + 7 + 2)
    expect((tokens[0] as { text: string }).text).toContain('a ``` # b | <i> does not apply')
  })
})

describe('docs/schedule.md', () => {
  it('shows the week of its worked example as the summary draws it', async () => {
    const s = await withHolidays(parseSchedule(example('weekdays-not-on-holidays.schedule.yml'), 'example'), 'example')
    expect(readFileSync(path.join(ROOT, 'docs/schedule.md'), 'utf8')).toContain(`\n${renderWeek(weekAhead(s, new Date('2026-11-23T20:00:00Z')))}\n`)
  })
})

describe('markdownToTerminal', () => {
  it('prints the week verbatim, and the table aligned', () => {
    const markdown = renderWeek(weekAhead(AWS_SAMPLE, new Date('2026-06-01T15:00:00Z')))
    const block = markdown.split('\n').slice(1, 11)
    const terminal = markdownToTerminal(`## Week\n\n${markdown}`, { color: false })
    expect(terminal.split('\n').slice(2, 12)).toEqual(block)
    expect(terminal).toContain('  with the schedule                   2,330')
    expect(terminal).not.toContain('```')
  })

  it('keeps what looks like Markdown inside a fenced block as it is', () => {
    expect(markdownToTerminal('````\n| a | b |\n## not a heading\n```\n````\nafter', { color: false })).toBe('| a | b |\n## not a heading\n```\nafter')
  })
})
