/**
 * A week of needs turned into a schedule a person can read: a default and a few rules on whole
 * local hours, days grouped where they behave alike, at most four sizes. Sizes are only ever
 * rounded up: every past hour gets at least what it needed, but for the few set aside. Pure.
 */
import { WEEK_HOURS, type WeekNeeds } from './history.js'

/** At most this many distinct sizes, the default's included. */
export const MAX_SIZES = 4
/** At most this many rules. */
export const MAX_RULES = 6
/**
 * What a rule must be worth, in KPU-hours a week, as a share of running flat at the peak all week:
 * a rule goes (merged with another, the hours between raised; or its size lifted into the next)
 * when that adds fewer KPU-hours than this. It keeps near alike days together (Friday ending an
 * hour earlier than Monday to Thursday) and the schedule short.
 */
export const RULE_WORTH = 0.01
/**
 * At most this share of the past hours is set aside: the busiest past hour of an hour of the week
 * that stands above the others there (a replay, an incident, a one-off backfill), so that the
 * proposal does not pay for it every week. They count among the hours the figures say were not
 * carried, and the worst hour names the worst of them.
 */
export const SET_ASIDE_SHARE = 0.01
/** Of the past hours in one hour of the week, at most one in this many is set aside: one in four weeks. */
export const SET_ASIDE_PER_CELL = 4

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

/** A proposed rule: a window of whole local hours on some days, at a size in KPU. */
export interface ProposedRule {
  /** What it covers, unique in the proposal: "Mon-Fri 08-18", "Sat 01-05", "Fri 22-06", "daily 07-24", "Sat,Sun". */
  name: string
  /** ISO weekdays (1 = Monday ... 7 = Sunday) a window starts on; undefined: every day. */
  days?: number[]
  /** Local hour the window starts (0 ... 23). */
  from: number
  /** Local hour it ends (1 ... 24); at or before `from` it ends the next day. */
  to: number
  kpu: number
}

export interface Proposal {
  timezone: string
  defaultKpu: number
  /** The first that matches wins: larger sizes come first. */
  rules: ProposedRule[]
  /** The KPUs the proposal gives each hour of the local week (cell (isoWeekday − 1) × 24 + hour). */
  week: number[]
  /** How many past hours were set aside (SET_ASIDE_SHARE) rather than sized for. */
  setAside: number
}

/**
 * The proposal for a week of needs. Hours of the week without any need (no data) start at the
 * smallest size, and are raised where that saves a rule.
 */
export function propose(needs: WeekNeeds): Proposal {
  if (needs.cells.length !== WEEK_HOURS) throw new RangeError(`proposal: ${needs.cells.length} cells, not ${WEEK_HOURS}`)
  const { cells, setAside } = sizeCells(needs)
  const known = cells.filter((need): need is number => need !== undefined)
  if (known.length === 0) throw new RangeError('proposal: no hour of the week has a need')
  const levels = chooseLevels(known, MAX_SIZES)
  const grid = cells.map((need) => (need === undefined ? levels[0] : levels.find((level) => level >= need)!))
  simplify(grid, RULE_WORTH * Math.max(...grid) * WEEK_HOURS)
  const groups = groupsOf(grid)
  return { timezone: needs.timezone, defaultKpu: Math.min(...grid), rules: named(groups), week: grid, setAside }
}

/**
 * The size each hour of the week needs: the most any of its past hours needed, but for up to
 * SET_ASIDE_SHARE of the past hours, each the busiest of its hour of the week, set aside where that
 * lowers the need the most (so a need that came back every week is never set aside, and one hour of
 * a week of data never is). Undefined where no past hour falls.
 */
export function sizeCells(week: WeekNeeds): { cells: (number | undefined)[]; setAside: number } {
  const total = week.cells.reduce((count, cell) => count + cell.length, 0)
  const taken = week.cells.map(() => 0)
  let budget = Math.floor(total * SET_ASIDE_SHARE)
  let setAside = 0
  while (budget > 0) {
    let best = -1
    let drop = 0
    week.cells.forEach((cell, c) => {
      const k = taken[c]
      if (k + 1 > Math.floor(cell.length / SET_ASIDE_PER_CELL)) return
      if (cell[k] - cell[k + 1] > drop) {
        drop = cell[k] - cell[k + 1]
        best = c
      }
    })
    if (best < 0) break
    taken[best]++
    setAside++
    budget--
  }
  return { cells: week.cells.map((cell, c) => cell[taken[c]]), setAside }
}

// ---------------------------------------------------------------------------------------------
// Sizes

/**
 * At most `count` sizes, the largest need among them, such that rounding each need up to the next
 * size adds the fewest KPU-hours (a dynamic programme over the distinct needs).
 */
export function chooseLevels(needs: readonly number[], count: number): number[] {
  const values = [...new Set(needs)].sort((a, b) => a - b)
  const weight = values.map((value) => needs.filter((need) => need === value).length)
  const n = values.length
  if (n <= count) return values
  // waste(a, b): the KPU-hours added by rounding values a..b up to values[b].
  const waste = (a: number, b: number) => {
    let total = 0
    for (let i = a; i <= b; i++) total += weight[i] * (values[b] - values[i])
    return total
  }
  // best[k][b]: least waste covering values 0..b with k sizes, the largest being values[b].
  const best: number[][] = Array.from({ length: count + 1 }, () => Array<number>(n).fill(Infinity))
  const from: number[][] = Array.from({ length: count + 1 }, () => Array<number>(n).fill(-1))
  for (let b = 0; b < n; b++) best[1][b] = waste(0, b)
  for (let k = 2; k <= count; k++) {
    for (let b = k - 1; b < n; b++) {
      for (let a = k - 2; a < b; a++) {
        const total = best[k - 1][a] + waste(a + 1, b)
        if (total < best[k][b]) {
          best[k][b] = total
          from[k][b] = a
        }
      }
    }
  }
  const levels: number[] = []
  for (let k = count, b = n - 1; k >= 1 && b >= 0; b = from[k][b], k--) levels.unshift(values[b])
  return levels
}

// ---------------------------------------------------------------------------------------------
// Rules from a grid of sizes

/**
 * A window as hours from the start day's midnight: [start, end), start 0 ... 23, end ≤ start + 24;
 * an end past 24 crosses midnight.
 */
interface Window {
  start: number
  end: number
}

/** One rule: a size, a window and the days it starts on. */
interface Group extends Window {
  level: number
  days: number[]
}

/**
 * Part of a stretch of hours at `level` or more that one rule can hold: on day `day`, anywhere from
 * `start` ≤ a ≤ `coreStart` to `coreEnd` ≤ b ≤ `end`. The hours outside the core are all larger,
 * held by earlier rules, so the window may take them in or leave them out.
 */
interface Piece {
  level: number
  day: number
  start: number
  coreStart: number
  coreEnd: number
  end: number
}

/**
 * The rules that give `grid` exactly: for each size above the smallest, from the largest down, the
 * stretches of hours at that size or more (the week wraps from Sunday to Monday). A stretch is one
 * window when it is shorter than a day (crossing midnight at most once), else one per day; equal
 * windows on several days are one rule.
 */
function groupsOf(grid: readonly number[]): Group[] {
  const levels = [...new Set(grid)].sort((a, b) => b - a)
  const groups: Group[] = []
  for (const level of levels.slice(0, -1)) {
    const pieces = runsOf(grid, level).flatMap(([start, length]) => piecesOf(grid, level, start, length))
    const open: { group: Group; lo: number; hiStart: number; loEnd: number; hi: number }[] = []
    for (const piece of pieces) {
      const fits = open.find((g) => Math.max(g.lo, piece.start) <= Math.min(g.hiStart, piece.coreStart) && Math.max(g.loEnd, piece.coreEnd) <= Math.min(g.hi, piece.end))
      if (fits) {
        fits.lo = Math.max(fits.lo, piece.start)
        fits.hiStart = Math.min(fits.hiStart, piece.coreStart)
        fits.loEnd = Math.max(fits.loEnd, piece.coreEnd)
        fits.hi = Math.min(fits.hi, piece.end)
        fits.group.days.push(piece.day)
      } else {
        open.push({ group: { level, days: [piece.day], start: 0, end: 0 }, lo: piece.start, hiStart: piece.coreStart, loEnd: piece.coreEnd, hi: piece.end })
      }
    }
    // The widest window that fits every day: it reads as the stretch, the larger sizes within it.
    for (const g of open) groups.push({ ...g.group, start: g.lo, end: g.hi })
  }
  return groups
}

/** The stretches of cells at `level` or more, as [first cell, length], the week wrapping around; none when every cell is. */
function runsOf(grid: readonly number[], level: number): [number, number][] {
  const outside = grid.findIndex((kpu) => kpu < level)
  if (outside < 0) return []
  const runs: [number, number][] = []
  let start = -1
  for (let i = 1; i <= WEEK_HOURS; i++) {
    const cell = (outside + i) % WEEK_HOURS
    if (grid[cell] >= level) {
      if (start < 0) start = cell
    } else if (start >= 0) {
      runs.push([start, (cell - start + WEEK_HOURS) % WEEK_HOURS])
      start = -1
    }
  }
  return runs
}

/** A stretch as windows of single days (or one across midnight), each with the hours at exactly `level` as its core; windows with none are left out. */
function piecesOf(grid: readonly number[], level: number, first: number, length: number): Piece[] {
  const day = Math.floor(first / 24)
  const hour = first % 24
  const spans: [number, number, number][] =
    hour + length <= 24 || length < 24
      ? [[day, hour, hour + length]]
      : [
          [day, hour, 24],
          ...Array.from({ length: Math.floor((hour + length) / 24) - 1 }, (_, i): [number, number, number] => [(day + 1 + i) % 7, 0, 24]),
          ...((hour + length) % 24 > 0 ? [[(day + Math.floor((hour + length) / 24)) % 7, 0, (hour + length) % 24] as [number, number, number]] : [])
        ]
  const pieces: Piece[] = []
  for (const [d, start, end] of spans) {
    const own = [] as number[]
    for (let h = start; h < end; h++) if (grid[(d * 24 + h) % WEEK_HOURS] === level) own.push(h)
    if (own.length > 0) pieces.push({ level, day: d + 1, start, coreStart: own[0], coreEnd: own[own.length - 1] + 1, end })
  }
  return pieces
}

// ---------------------------------------------------------------------------------------------
// Simplifying: raise hours until the rules are few and each is worth its place

/** A change that only raises sizes. */
type Raise = (grid: number[]) => void

/**
 * Raises sizes in `grid` (never lowers one) while that lowers KPU-hours + `ruleCost` × rules, and
 * until there are at most MAX_RULES rules. The candidates each round: merging two rules into one
 * window over both their days at the larger size, and lifting every hour of one size to the next.
 */
function simplify(grid: number[], ruleCost: number): void {
  const score = (g: readonly number[], rules: number) => sum(g) + ruleCost * rules
  for (;;) {
    const groups = groupsOf(grid)
    const current = score(grid, groups.length)
    let best: { grid: number[]; score: number; rules: number } | undefined
    for (const raise of candidates(grid, groups)) {
      const next = [...grid]
      raise(next)
      const rules = groupsOf(next).length
      const value = score(next, rules)
      const better = groups.length > MAX_RULES ? rules < groups.length : value < current
      if (better && (!best || value < best.score || (value === best.score && rules < best.rules))) best = { grid: next, score: value, rules }
    }
    if (!best) {
      // Only when nothing removes a rule and there are still too many: one size all week.
      if (groups.length > MAX_RULES) grid.fill(Math.max(...grid))
      return
    }
    grid.splice(0, grid.length, ...best.grid)
  }
}

/** How many pair merges, the cheapest first, are tried each round: enough for a week of noisy needs. */
const PAIRS_TRIED = 40

function candidates(grid: readonly number[], groups: readonly Group[]): Raise[] {
  const levels = [...new Set(grid)].sort((a, b) => a - b)
  const lifts: Raise[] = levels.slice(0, -1).map((level, i) => (g) => {
    for (let c = 0; c < g.length; c++) if (g[c] === level) g[c] = levels[i + 1]
  })
  const pairs: { cost: number; raise: Raise }[] = []
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const merged = mergeOf(groups[i], groups[j])
      if (!merged) continue
      const cells = cellsOf(merged)
      const cost = cells.reduce((total, c) => total + Math.max(0, merged.level - grid[c]), 0)
      pairs.push({
        cost,
        raise: (g) => {
          for (const c of cells) g[c] = Math.max(g[c], merged.level)
        }
      })
    }
  }
  pairs.sort((a, b) => a.cost - b.cost)
  return [...lifts, ...pairs.slice(0, PAIRS_TRIED).map((pair) => pair.raise)]
}

/** One window over both rules' days at the larger size, when one window can span both (at most a day). */
function mergeOf(a: Group, b: Group): Group | undefined {
  const options = [0, 24, -24]
    .map((shift) => ({ start: Math.min(a.start, b.start + shift), end: Math.max(a.end, b.end + shift) }))
    .filter((w) => w.start >= 0 && w.start < 24 && w.end - w.start <= 24)
    .sort((x, y) => x.end - x.start - (y.end - y.start))
  const window = options[0]
  if (!window) return undefined
  return { level: Math.max(a.level, b.level), days: [...new Set([...a.days, ...b.days])], ...window }
}

function cellsOf(group: Group): number[] {
  const cells: number[] = []
  for (const day of group.days) for (let h = group.start; h < group.end; h++) cells.push(((day - 1) * 24 + h) % WEEK_HOURS)
  return cells
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0)
}

// ---------------------------------------------------------------------------------------------
// Rules as a schedule has them

function named(groups: readonly Group[]): ProposedRule[] {
  const ordered = [...groups].sort((a, b) => b.level - a.level || Math.min(...a.days) - Math.min(...b.days) || a.start - b.start)
  const used = new Set<string>()
  return ordered.map((group) => {
    const days = [...group.days].sort((a, b) => a - b)
    const rule: ProposedRule = { name: '', from: group.start, to: group.end > 24 ? group.end - 24 : group.end, kpu: group.level }
    if (days.length < 7) rule.days = days
    const base = ruleName(rule)
    let name = base
    for (let n = 2; used.has(name); n++) name = `${base} (${n})`
    used.add(name)
    rule.name = name
    return rule
  })
}

/** What the rule covers, as its name: "Mon-Fri 08-18", "Fri 22-06" (to Saturday 06:00), "daily 07-24", "Sat,Sun". */
function ruleName(rule: ProposedRule): string {
  const days = rule.days ? describeDays(rule.days) : 'daily'
  const wholeDay = rule.from === 0 && rule.to === 24
  return wholeDay ? days : `${days} ${pad(rule.from)}-${pad(rule.to)}`
}

/**
 * ISO weekdays as a schedule's `days` writes them: runs of three or more as ranges ("Mon-Fri",
 * "Fri-Mon" across the week's end), others listed ("Sat,Sun").
 */
export function describeDays(days: readonly number[]): string {
  const set = new Set(days)
  if (set.size === 7) return 'Mon-Sun'
  // From Monday, unless a run goes on from Sunday to Monday: then from the day after the first gap.
  const first = set.has(1) && set.has(7) ? [1, 2, 3, 4, 5, 6, 7].find((day) => !set.has(day))! + 1 : 1
  const parts: string[] = []
  let run: number[] = []
  const flush = () => {
    if (run.length >= 3) parts.push(`${WEEKDAY_NAMES[run[0] - 1]}-${WEEKDAY_NAMES[run[run.length - 1] - 1]}`)
    else parts.push(...run.map((day) => WEEKDAY_NAMES[day - 1]))
    run = []
  }
  for (let i = 0; i < 7; i++) {
    const day = ((first - 1 + i) % 7) + 1
    if (set.has(day)) run.push(day)
    else if (run.length > 0) flush()
  }
  if (run.length > 0) flush()
  return parts.join(',')
}

function pad(hour: number): string {
  return String(hour).padStart(2, '0')
}
