export const id = 452;
export const ids = [452];
export const modules = {

/***/ 5409:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Gj: () => (/* binding */ pastNeeds),
/* harmony export */   OV: () => (/* binding */ foldWeek),
/* harmony export */   T2: () => (/* binding */ projectedCpu),
/* harmony export */   V6: () => (/* binding */ CPU_PERCENTILE),
/* harmony export */   r1: () => (/* binding */ WEEK_HOURS)
/* harmony export */ });
/* unused harmony exports MIN_HOURS, neededKpu, describeHours, weekCells */
/* harmony import */ var luxon__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8714);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _schedule_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7020);
/**
 * An application's past, hour by hour (KPUs and CPU as CloudWatch has them), the size each past hour
 * needed, and those needs folded into one week of local wall-clock hours. Pure: no clock, no AWS;
 * the look-back, the zone and the aimed utilization are parameters.
 */



/**
 * The percentile of `containerCPUUtilization` that sizes an hour. The hour's Maximum is its single
 * busiest sample of the busiest container: a checkpoint, a garbage collection, the catch-up after a
 * restart (which every scheduled change causes). Sized for it, every hour would be sized for its
 * worst minute. p90 is the level the hour ran at for all but its busiest tenth (six minutes at
 * one-minute samples), so load that lasts, like the 15 minutes the service's autoscaler waits for,
 * shows in it; the headroom under `suggest-utilization` is for the short peaks above it.
 */
const CPU_PERCENTILE = 'p90';
/** The least history a suggestion is made from: one of each hour of the week. */
const MIN_HOURS = 7 * 24;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/**
 * The fewest KPUs that carry an hour at the aimed utilization: projected CPU = `cpu` × `ranKpu` /
 * candidate must stay at or under `utilization` (all in percent). At one ParallelismPerKPU this is
 * the projection in parallelism (observed CPU × parallelism that ran / candidate parallelism); in
 * KPUs it stays right when the ParallelismPerKPU changes, since a KPU is one vCPU whatever it runs.
 */
function neededKpu(ranKpu, cpu, utilization) {
    const exact = (cpu * ranKpu) / utilization;
    // A relative margin, so that 60 × 5 / 60 does not become 6 through rounding.
    return Math.max(1, Math.ceil(exact * (1 - 1e-9)));
}
/** Projected CPU utilization, in percent, of `cpu` observed at `ranKpu` when run at `kpu`. */
function projectedCpu(cpu, ranKpu, kpu) {
    return (cpu * ranKpu) / kpu;
}
/**
 * The needed size of every past hour with data. An hour without KPUs takes those of the hour before
 * when that hour had them: the service publishes KPUs about once an hour, so one may land in the
 * next hour. An hour without CPU, or with no KPUs that ran tasks, has no data. Fewer than
 * MIN_HOURS hours with data is a ScalerError that says how much there was.
 */
function pastNeeds(history, utilization) {
    const from = history.from.getTime();
    const to = history.to.getTime();
    if (!(to > from) || from % HOUR !== 0 || to % HOUR !== 0)
        throw new RangeError(`history: the look-back ${history.from.toISOString()} ... ${history.to.toISOString()} is not whole hours`);
    if (!(utilization > 0 && utilization <= 100))
        throw new RangeError(`history: utilization ${utilization} is not a percentage`);
    if (!(history.parallelismPerKpu >= 1))
        throw new RangeError(`history: ParallelismPerKPU ${history.parallelismPerKpu}`);
    const byHour = new Map();
    for (const hour of history.hours) {
        const t = hour.at.getTime();
        if (!(t >= from && t < to))
            throw new RangeError(`history: ${hour.at.toISOString()} is outside the look-back`);
        if (byHour.has(t))
            throw new RangeError(`history: two entries for ${hour.at.toISOString()}`);
        byHour.set(t, hour);
    }
    const hours = [];
    for (const t of [...byHour.keys()].sort((a, b) => a - b)) {
        const metrics = byHour.get(t);
        const kpus = metrics.kpus ?? byHour.get(t - HOUR)?.kpus;
        const cpu = metrics.cpu ?? metrics.cpuMax;
        if (kpus === undefined || cpu === undefined || !Number.isFinite(kpus) || !Number.isFinite(cpu) || kpus - 1 <= 0 || cpu < 0)
            continue;
        const ranKpu = kpus - 1;
        const hour = {
            at: new Date(t),
            ranKpu,
            ranParallelism: ranKpu * history.parallelismPerKpu,
            cpu,
            neededKpu: neededKpu(ranKpu, cpu, utilization)
        };
        if (metrics.cpuMax !== undefined && Number.isFinite(metrics.cpuMax))
            hour.cpuMax = metrics.cpuMax;
        hours.push(hour);
    }
    const lookBackHours = (to - from) / HOUR;
    if (hours.length < MIN_HOURS) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ScalerError */ .j1(`Application "${history.application}" has metrics for ${describeHours(hours.length)} of the ${describeHours(lookBackHours)} looked back on; a suggestion needs at least 7 days of them.`, {
            hint: lookBackHours >= 63 * 24
                ? 'Suggest again once the application has run for a week.'
                : 'Suggest again once the application has run for a week, or look further back (suggest: up to 63d) if it ran before; hours when it was stopped have no metrics.'
        });
    }
    return {
        application: history.application,
        parallelismPerKpu: history.parallelismPerKpu,
        from: history.from,
        to: history.to,
        utilization,
        hours,
        lookBackHours,
        hoursWithoutData: lookBackHours - hours.length
    };
}
/** "3 days and 4 hours", "28 days", "5 hours". */
function describeHours(hours) {
    const days = Math.floor(hours / 24);
    const rest = hours % 24;
    const part = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`;
    if (days === 0)
        return part(rest, 'hour');
    return rest === 0 ? part(days, 'day') : `${part(days, 'day')} and ${part(rest, 'hour')}`;
}
// ---------------------------------------------------------------------------------------------
// The week
/** The hours of a local week: Monday 00:00 ... Sunday 23:00, cell (isoWeekday − 1) × 24 + hour. */
const WEEK_HOURS = 7 * 24;
/**
 * The cells of a local week that the hour starting at `at` overlaps, in the zone's wall clock. In a
 * zone on whole hours that is one cell: the local hour it starts in. A fall-back repeats a local
 * hour, and both past hours land in its cell; a spring-forward skips one, which gets none that
 * week. Where the offset is not whole hours (Asia/Kolkata), an hour straddles two local hours and
 * counts in both, so that a schedule on whole hours carries it whichever it is in.
 */
function weekCells(timezone, at) {
    const cellOf = (t) => {
        const wall = t + (0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .utcOffset */ .SN)(timezone, new Date(t)) * 60_000;
        const day = Math.floor(wall / DAY);
        // Day 0, 1970-01-01, was a Thursday: ISO weekday 4, cell 72.
        return (((day + 3) % 7) + 7) % 7 * 24 + Math.floor((wall - day * DAY) / HOUR);
    };
    const t = at.getTime();
    const first = cellOf(t);
    const last = cellOf(t + HOUR - 1);
    return first === last ? [first] : [first, last];
}
/** Folds past hours into the week of `timezone`, each into the cells it overlaps. */
function foldWeek(hours, timezone) {
    if (!luxon__WEBPACK_IMPORTED_MODULE_2__/* .IANAZone */ .oh.isValidZone(timezone))
        throw new RangeError(`history: unknown zone ${timezone}`);
    const cells = Array.from({ length: WEEK_HOURS }, () => []);
    for (const hour of hours)
        for (const cell of weekCells(timezone, hour.at))
            cells[cell].push(hour.neededKpu);
    for (const cell of cells)
        cell.sort((a, b) => b - a);
    return { timezone, cells };
}


/***/ }),

/***/ 5452:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  $d: () => (/* binding */ FULL_CPU),
  Av: () => (/* binding */ renderNamedSchedules),
  ZA: () => (/* binding */ suggest)
});

// UNUSED EXPORTS: SCHEMA_URL, measure

// EXTERNAL MODULE: ./node_modules/luxon/build/es6/luxon.mjs
var luxon = __webpack_require__(8714);
// EXTERNAL MODULE: ./src/phases/application.ts
var application = __webpack_require__(1098);
// EXTERNAL MODULE: ./src/schedule/history.ts
var schedule_history = __webpack_require__(5409);
;// CONCATENATED MODULE: ./src/schedule/proposal.ts
/**
 * A week of needs turned into a schedule a person can read: a default and a few rules on whole
 * local hours, days grouped where they behave alike, at most four sizes. Sizes are only ever
 * rounded up: every past hour gets at least what it needed, but for the few set aside. Pure.
 */

/** At most this many distinct sizes, the default's included. */
const MAX_SIZES = 4;
/** At most this many rules. */
const MAX_RULES = 6;
/**
 * What a rule must be worth, in KPU-hours a week, as a share of running flat at the peak all week:
 * a rule goes (merged with another, the hours between raised; or its size lifted into the next)
 * when that adds fewer KPU-hours than this. It keeps near alike days together (Friday ending an
 * hour earlier than Monday to Thursday) and the schedule short.
 */
const RULE_WORTH = 0.01;
/**
 * At most this share of the past hours is set aside: the busiest past hour of an hour of the week
 * that stands above the others there (a replay, an incident, a one-off backfill), so that the
 * proposal does not pay for it every week. They count among the hours the figures say were not
 * carried, and the worst hour names the worst of them.
 */
const SET_ASIDE_SHARE = 0.01;
/** Of the past hours in one hour of the week, at most one in this many is set aside: one in four weeks. */
const SET_ASIDE_PER_CELL = 4;
const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/**
 * The proposal for a week of needs. Hours of the week without any need (no data) start at the
 * smallest size, and are raised where that saves a rule.
 */
function propose(needs) {
    if (needs.cells.length !== schedule_history/* WEEK_HOURS */.r1)
        throw new RangeError(`proposal: ${needs.cells.length} cells, not ${schedule_history/* WEEK_HOURS */.r1}`);
    const { cells, setAside } = sizeCells(needs);
    const known = cells.filter((need) => need !== undefined);
    if (known.length === 0)
        throw new RangeError('proposal: no hour of the week has a need');
    const levels = chooseLevels(known, MAX_SIZES);
    const grid = cells.map((need) => (need === undefined ? levels[0] : levels.find((level) => level >= need)));
    simplify(grid, RULE_WORTH * Math.max(...grid) * schedule_history/* WEEK_HOURS */.r1);
    const groups = groupsOf(grid);
    return { timezone: needs.timezone, defaultKpu: Math.min(...grid), rules: named(groups), week: grid, setAside };
}
/**
 * The size each hour of the week needs: the most any of its past hours needed, but for up to
 * SET_ASIDE_SHARE of the past hours, each the busiest of its hour of the week, set aside where that
 * lowers the need the most (so a need that came back every week is never set aside, and one hour of
 * a week of data never is). Undefined where no past hour falls.
 */
function sizeCells(week) {
    const total = week.cells.reduce((count, cell) => count + cell.length, 0);
    const taken = week.cells.map(() => 0);
    let budget = Math.floor(total * SET_ASIDE_SHARE);
    let setAside = 0;
    while (budget > 0) {
        let best = -1;
        let drop = 0;
        week.cells.forEach((cell, c) => {
            const k = taken[c];
            if (k + 1 > Math.floor(cell.length / SET_ASIDE_PER_CELL))
                return;
            if (cell[k] - cell[k + 1] > drop) {
                drop = cell[k] - cell[k + 1];
                best = c;
            }
        });
        if (best < 0)
            break;
        taken[best]++;
        setAside++;
        budget--;
    }
    return { cells: week.cells.map((cell, c) => cell[taken[c]]), setAside };
}
// ---------------------------------------------------------------------------------------------
// Sizes
/**
 * At most `count` sizes, the largest need among them, such that rounding each need up to the next
 * size adds the fewest KPU-hours (a dynamic programme over the distinct needs).
 */
function chooseLevels(needs, count) {
    const values = [...new Set(needs)].sort((a, b) => a - b);
    const weight = values.map((value) => needs.filter((need) => need === value).length);
    const n = values.length;
    if (n <= count)
        return values;
    // waste(a, b): the KPU-hours added by rounding values a..b up to values[b].
    const waste = (a, b) => {
        let total = 0;
        for (let i = a; i <= b; i++)
            total += weight[i] * (values[b] - values[i]);
        return total;
    };
    // best[k][b]: least waste covering values 0..b with k sizes, the largest being values[b].
    const best = Array.from({ length: count + 1 }, () => Array(n).fill(Infinity));
    const from = Array.from({ length: count + 1 }, () => Array(n).fill(-1));
    for (let b = 0; b < n; b++)
        best[1][b] = waste(0, b);
    for (let k = 2; k <= count; k++) {
        for (let b = k - 1; b < n; b++) {
            for (let a = k - 2; a < b; a++) {
                const total = best[k - 1][a] + waste(a + 1, b);
                if (total < best[k][b]) {
                    best[k][b] = total;
                    from[k][b] = a;
                }
            }
        }
    }
    const levels = [];
    for (let k = count, b = n - 1; k >= 1 && b >= 0; b = from[k][b], k--)
        levels.unshift(values[b]);
    return levels;
}
/**
 * The rules that give `grid` exactly: for each size above the smallest, from the largest down, the
 * stretches of hours at that size or more (the week wraps from Sunday to Monday). A stretch is one
 * window when it is shorter than a day (crossing midnight at most once), else one per day; equal
 * windows on several days are one rule.
 */
function groupsOf(grid) {
    const levels = [...new Set(grid)].sort((a, b) => b - a);
    const groups = [];
    for (const level of levels.slice(0, -1)) {
        const pieces = runsOf(grid, level).flatMap(([start, length]) => piecesOf(grid, level, start, length));
        const open = [];
        for (const piece of pieces) {
            const fits = open.find((g) => Math.max(g.lo, piece.start) <= Math.min(g.hiStart, piece.coreStart) && Math.max(g.loEnd, piece.coreEnd) <= Math.min(g.hi, piece.end));
            if (fits) {
                fits.lo = Math.max(fits.lo, piece.start);
                fits.hiStart = Math.min(fits.hiStart, piece.coreStart);
                fits.loEnd = Math.max(fits.loEnd, piece.coreEnd);
                fits.hi = Math.min(fits.hi, piece.end);
                fits.group.days.push(piece.day);
            }
            else {
                open.push({ group: { level, days: [piece.day], start: 0, end: 0 }, lo: piece.start, hiStart: piece.coreStart, loEnd: piece.coreEnd, hi: piece.end });
            }
        }
        // The widest window that fits every day: it reads as the stretch, the larger sizes within it.
        for (const g of open)
            groups.push({ ...g.group, start: g.lo, end: g.hi });
    }
    return groups;
}
/** The stretches of cells at `level` or more, as [first cell, length], the week wrapping around; none when every cell is. */
function runsOf(grid, level) {
    const outside = grid.findIndex((kpu) => kpu < level);
    if (outside < 0)
        return [];
    const runs = [];
    let start = -1;
    for (let i = 1; i <= schedule_history/* WEEK_HOURS */.r1; i++) {
        const cell = (outside + i) % schedule_history/* WEEK_HOURS */.r1;
        if (grid[cell] >= level) {
            if (start < 0)
                start = cell;
        }
        else if (start >= 0) {
            runs.push([start, (cell - start + schedule_history/* WEEK_HOURS */.r1) % schedule_history/* WEEK_HOURS */.r1]);
            start = -1;
        }
    }
    return runs;
}
/** A stretch as windows of single days (or one across midnight), each with the hours at exactly `level` as its core; windows with none are left out. */
function piecesOf(grid, level, first, length) {
    const day = Math.floor(first / 24);
    const hour = first % 24;
    const spans = hour + length <= 24 || length < 24
        ? [[day, hour, hour + length]]
        : [
            [day, hour, 24],
            ...Array.from({ length: Math.floor((hour + length) / 24) - 1 }, (_, i) => [(day + 1 + i) % 7, 0, 24]),
            ...((hour + length) % 24 > 0 ? [[(day + Math.floor((hour + length) / 24)) % 7, 0, (hour + length) % 24]] : [])
        ];
    const pieces = [];
    for (const [d, start, end] of spans) {
        const own = [];
        for (let h = start; h < end; h++)
            if (grid[(d * 24 + h) % schedule_history/* WEEK_HOURS */.r1] === level)
                own.push(h);
        if (own.length > 0)
            pieces.push({ level, day: d + 1, start, coreStart: own[0], coreEnd: own[own.length - 1] + 1, end });
    }
    return pieces;
}
/**
 * Raises sizes in `grid` (never lowers one) while that lowers KPU-hours + `ruleCost` × rules, and
 * until there are at most MAX_RULES rules. The candidates each round: merging two rules into one
 * window over both their days at the larger size, and lifting every hour of one size to the next.
 */
function simplify(grid, ruleCost) {
    const score = (g, rules) => sum(g) + ruleCost * rules;
    for (;;) {
        const groups = groupsOf(grid);
        const current = score(grid, groups.length);
        let best;
        for (const raise of candidates(grid, groups)) {
            const next = [...grid];
            raise(next);
            const rules = groupsOf(next).length;
            const value = score(next, rules);
            const better = groups.length > MAX_RULES ? rules < groups.length : value < current;
            if (better && (!best || value < best.score || (value === best.score && rules < best.rules)))
                best = { grid: next, score: value, rules };
        }
        if (!best) {
            // Only when nothing removes a rule and there are still too many: one size all week.
            if (groups.length > MAX_RULES)
                grid.fill(Math.max(...grid));
            return;
        }
        grid.splice(0, grid.length, ...best.grid);
    }
}
/** How many pair merges, the cheapest first, are tried each round: enough for a week of noisy needs. */
const PAIRS_TRIED = 40;
function candidates(grid, groups) {
    const levels = [...new Set(grid)].sort((a, b) => a - b);
    const lifts = levels.slice(0, -1).map((level, i) => (g) => {
        for (let c = 0; c < g.length; c++)
            if (g[c] === level)
                g[c] = levels[i + 1];
    });
    const pairs = [];
    for (let i = 0; i < groups.length; i++) {
        for (let j = i + 1; j < groups.length; j++) {
            const merged = mergeOf(groups[i], groups[j]);
            if (!merged)
                continue;
            const cells = cellsOf(merged);
            const cost = cells.reduce((total, c) => total + Math.max(0, merged.level - grid[c]), 0);
            pairs.push({
                cost,
                raise: (g) => {
                    for (const c of cells)
                        g[c] = Math.max(g[c], merged.level);
                }
            });
        }
    }
    pairs.sort((a, b) => a.cost - b.cost);
    return [...lifts, ...pairs.slice(0, PAIRS_TRIED).map((pair) => pair.raise)];
}
/** One window over both rules' days at the larger size, when one window can span both (at most a day). */
function mergeOf(a, b) {
    const options = [0, 24, -24]
        .map((shift) => ({ start: Math.min(a.start, b.start + shift), end: Math.max(a.end, b.end + shift) }))
        .filter((w) => w.start >= 0 && w.start < 24 && w.end - w.start <= 24)
        .sort((x, y) => x.end - x.start - (y.end - y.start));
    const window = options[0];
    if (!window)
        return undefined;
    return { level: Math.max(a.level, b.level), days: [...new Set([...a.days, ...b.days])], ...window };
}
function cellsOf(group) {
    const cells = [];
    for (const day of group.days)
        for (let h = group.start; h < group.end; h++)
            cells.push(((day - 1) * 24 + h) % schedule_history/* WEEK_HOURS */.r1);
    return cells;
}
function sum(values) {
    return values.reduce((total, value) => total + value, 0);
}
// ---------------------------------------------------------------------------------------------
// Rules as a schedule has them
function named(groups) {
    const ordered = [...groups].sort((a, b) => b.level - a.level || Math.min(...a.days) - Math.min(...b.days) || a.start - b.start);
    const used = new Set();
    return ordered.map((group) => {
        const days = [...group.days].sort((a, b) => a - b);
        const rule = { name: '', from: group.start, to: group.end > 24 ? group.end - 24 : group.end, kpu: group.level };
        if (days.length < 7)
            rule.days = days;
        const base = ruleName(rule);
        let name = base;
        for (let n = 2; used.has(name); n++)
            name = `${base} (${n})`;
        used.add(name);
        rule.name = name;
        return rule;
    });
}
/** What the rule covers, as its name: "Mon-Fri 08-18", "Fri 22-06" (to Saturday 06:00), "daily 07-24", "Sat,Sun". */
function ruleName(rule) {
    const days = rule.days ? describeDays(rule.days) : 'daily';
    const wholeDay = rule.from === 0 && rule.to === 24;
    return wholeDay ? days : `${days} ${pad(rule.from)}-${pad(rule.to)}`;
}
/**
 * ISO weekdays as a schedule's `days` writes them: runs of three or more as ranges ("Mon-Fri",
 * "Fri-Mon" across the week's end), others listed ("Sat,Sun").
 */
function describeDays(days) {
    const set = new Set(days);
    if (set.size === 7)
        return 'Mon-Sun';
    // From Monday, unless a run goes on from Sunday to Monday: then from the day after the first gap.
    const first = set.has(1) && set.has(7) ? [1, 2, 3, 4, 5, 6, 7].find((day) => !set.has(day)) + 1 : 1;
    const parts = [];
    let run = [];
    const flush = () => {
        if (run.length >= 3)
            parts.push(`${WEEKDAY_NAMES[run[0] - 1]}-${WEEKDAY_NAMES[run[run.length - 1] - 1]}`);
        else
            parts.push(...run.map((day) => WEEKDAY_NAMES[day - 1]));
        run = [];
    };
    for (let i = 0; i < 7; i++) {
        const day = ((first - 1 + i) % 7) + 1;
        if (set.has(day))
            run.push(day);
        else if (run.length > 0)
            flush();
    }
    if (run.length > 0)
        flush();
    return parts.join(',');
}
function pad(hour) {
    return String(hour).padStart(2, '0');
}

// EXTERNAL MODULE: ./src/schedule/schedule.ts
var schedule_schedule = __webpack_require__(7020);
;// CONCATENATED MODULE: ./src/schedule/suggestion.ts
/**
 * A suggested schedule: from an application's hourly history to a proposal, its YAML (one schedule,
 * or one named schedule per application) and its figures, measured by the schedule engine on the
 * same weeks the proposal was made from. Pure: no clock, no AWS.
 */





/** Where the examples point editors for the schedule's JSON Schema (schedule.schema.json's `$id`). */
const SCHEMA_URL = 'https://raw.githubusercontent.com/OWNER/flink-scheduled-scaler/v1/schedule.schema.json';
const HOUR = 3_600_000;
/** How a schedule would have done over a look-back. */
/** At or above this CPU (percent) an hour ran at full capacity: what it needed may be more than it shows. */
const FULL_CPU = 95;
/**
 * The schedule suggested for one application: the needed size of each past hour with data, those
 * folded into a week of `timezone`, the proposal, its YAML, and its figures on the same hours.
 * Less than a week of data is a ScalerError (from pastNeeds).
 */
function suggest(history, options) {
    const needs = (0,schedule_history/* pastNeeds */.Gj)(history, options.utilization);
    const week = (0,schedule_history/* foldWeek */.OV)(needs.hours, options.timezone);
    const proposal = propose(week);
    const yaml = [`# yaml-language-server: $schema=${SCHEMA_URL}`, ...aboutLines(needs), ...scheduleLines(proposal, '', true)].join('\n') + '\n';
    const schedule = (0,schedule_schedule/* parseSchedule */.nP)(yaml, `the schedule suggested for "${needs.application}"`);
    return { application: needs.application, needs, week, proposal, yaml, schedule, figures: measure(schedule, needs, options.kpuHourPrice) };
}
/**
 * Several suggestions as one file of named schedules (`schedules:`), each named `name(suggestion)`
 * (by default its application, as `select-by-tag` finds it by its tag's value), sharing their zone.
 */
function renderNamedSchedules(suggestions, name = (s) => s.application) {
    if (suggestions.length === 0)
        throw new RangeError('suggestion: no schedules to render');
    const zones = new Set(suggestions.map((s) => s.proposal.timezone));
    if (zones.size > 1)
        throw new RangeError(`suggestion: schedules in several zones (${[...zones].join(', ')})`);
    const names = suggestions.map(name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated !== undefined)
        throw new RangeError(`suggestion: two schedules named "${repeated}"`);
    const lines = [
        `# yaml-language-server: $schema=${SCHEMA_URL}`,
        '# One schedule per application, named after it: tag each application with its name (select-by-tag).',
        `timezone: ${suggestions[0].proposal.timezone}`,
        'schedules:'
    ];
    suggestions.forEach((suggestion, i) => {
        lines.push(...aboutLines(suggestion.needs).map((line) => `  ${line}`), `  ${scalar(names[i])}:`, ...scheduleLines(suggestion.proposal, '    ', false));
    });
    return lines.join('\n') + '\n';
}
/** The comment above a suggested schedule: where it comes from and what it aims at. */
function aboutLines(needs) {
    const span = `${utc(needs.from)} to ${utc(needs.to)}`;
    const missing = needs.hoursWithoutData === 0 ? 'every hour with data' : `${needs.hoursWithoutData} of ${needs.lookBackHours} hours without data`;
    return [
        `# Suggested for ${oneLine(needs.application)} from its CloudWatch metrics of ${span} (${missing}),`,
        `# sized to keep containerCPUUtilization (${schedule_history/* CPU_PERCENTILE */.V6} of each hour) at or under ${needs.utilization}%.`
    ];
}
/** `timezone` (when asked), `default` and `rules`, each line indented by `indent`. */
function scheduleLines(proposal, indent, withZone) {
    const lines = withZone ? [`timezone: ${proposal.timezone}`] : [];
    lines.push(`default: { kpu: ${proposal.defaultKpu} }`);
    if (proposal.rules.length > 0)
        lines.push('rules:');
    for (const rule of proposal.rules) {
        const fields = [`name: ${scalar(rule.name)}`];
        if (rule.days)
            fields.push(`days: ${scalar(describeDays(rule.days))}`);
        if (rule.from !== 0)
            fields.push(`from: "${clock(rule.from)}"`);
        if (rule.to !== 24)
            fields.push(`to: "${clock(rule.to)}"`);
        fields.push(`kpu: ${rule.kpu}`);
        lines.push(`  - { ${fields.join(', ')} }`);
    }
    return lines.map((line) => indent + line);
}
// ---------------------------------------------------------------------------------------------
// Figures
/**
 * How `schedule` would have done over the hours of `needs`, evaluated by the schedule engine as a
 * run would (lead included): for each hour with data, the fewest KPUs it gives during the hour
 * (sizes at the application's ParallelismPerKPU), whether that carried the hour, and the KPU-hours.
 * A schedule that names holidays needs its calendar (withHolidays), as for any evaluation.
 */
function measure(schedule, needs, kpuHourPrice) {
    if (needs.hours.length === 0)
        throw new RangeError('measure: no hours with data');
    const perKpu = needs.parallelismPerKpu;
    const kpuOf = (target) => (0,application/* kpus */.uD)((0,schedule_schedule/* resolveParallelism */.Rz)(target, perKpu), perKpu);
    const from = needs.from.getTime();
    const to = needs.to.getTime();
    // The sizes over the look-back as [start, kpu], in time order.
    const stretches = [[from, kpuOf((0,schedule_schedule/* evaluate */._3)(schedule, needs.from, perKpu).target)]];
    for (const change of (0,schedule_schedule/* transitions */.bm)(schedule, needs.from, needs.to, (a, b) => kpuOf(a) === kpuOf(b), perKpu)) {
        if (change.at.getTime() < to)
            stretches.push([change.at.getTime(), kpuOf(change.to.target)]);
    }
    let carried = 0;
    let atFullCpu = 0;
    let scheduleMs = 0;
    let used = 0;
    let worst;
    let index = 0;
    for (const hour of needs.hours) {
        const start = hour.at.getTime();
        const end = start + HOUR;
        while (index + 1 < stretches.length && stretches[index + 1][0] <= start)
            index++;
        let least = Infinity;
        for (let i = index; i < stretches.length && stretches[i][0] < end; i++) {
            const stretchEnd = i + 1 < stretches.length ? stretches[i + 1][0] : to;
            least = Math.min(least, stretches[i][1]);
            scheduleMs += stretches[i][1] * (Math.min(end, stretchEnd) - Math.max(start, stretches[i][0]));
        }
        used += hour.ranKpu;
        if (least >= hour.neededKpu)
            carried++;
        if (hour.cpu >= FULL_CPU)
            atFullCpu++;
        const projected = (0,schedule_history/* projectedCpu */.T2)(hour.cpu, hour.ranKpu, least);
        if (!worst || projected > worst.projected)
            worst = { hour, kpu: least, projected };
    }
    const peakKpu = Math.max(...stretches.map(([, kpu]) => kpu));
    const hoursWithData = needs.hours.length;
    const kpuHours = { schedule: scheduleMs / HOUR, used, flat: peakKpu * hoursWithData };
    const figures = {
        utilization: needs.utilization,
        lookBackHours: needs.lookBackHours,
        hoursWithData,
        hoursWithoutData: needs.hoursWithoutData,
        carried,
        underProvisioned: hoursWithData - carried,
        carriedShare: carried / hoursWithData,
        atFullCpu,
        worst: worstHour(worst, schedule.timezone, needs.utilization),
        peakKpu,
        kpuHours
    };
    if (kpuHourPrice !== undefined) {
        figures.cost = { price: kpuHourPrice, schedule: kpuHours.schedule * kpuHourPrice, used: used * kpuHourPrice, flat: kpuHours.flat * kpuHourPrice };
    }
    return figures;
}
function worstHour({ hour, kpu, projected }, zone, utilization) {
    const worst = {
        at: hour.at,
        local: luxon/* DateTime */.c9.fromJSDate(hour.at, { zone }).setLocale('en-US').toFormat('ccc yyyy-MM-dd HH:mm ZZZZ'),
        ranKpu: hour.ranKpu,
        ranParallelism: hour.ranParallelism,
        cpu: hour.cpu,
        neededKpu: hour.neededKpu,
        kpu,
        projected,
        over: projected - utilization
    };
    if (hour.cpuMax !== undefined) {
        worst.cpuMax = hour.cpuMax;
        worst.projectedMax = (0,schedule_history/* projectedCpu */.T2)(hour.cpuMax, hour.ranKpu, kpu);
    }
    return worst;
}
// ---------------------------------------------------------------------------------------------
// Text
/** "2026-02-01 00:00 UTC". */
function utc(date) {
    return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
/** "08:00", "24:00". */
function clock(hour) {
    return `${String(hour).padStart(2, '0')}:00`;
}
/** A YAML scalar that reads back as this text: plain when that is safe, else double-quoted. */
function scalar(text) {
    return /^[A-Za-z][A-Za-z0-9_.-]*$/.test(text) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(text) ? text : JSON.stringify(text);
}
/** Text for a comment: one line. */
function oneLine(text) {
    return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}


/***/ })

};

//# sourceMappingURL=452.index.js.map