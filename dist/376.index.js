export const id = 376;
export const ids = [376];
export const modules = {

/***/ 6376:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  scheduleNames: () => (/* binding */ scheduleNames),
  suggestRun: () => (/* binding */ suggestRun),
  zoneOf: () => (/* binding */ zoneOf)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/aws/rate-limit.ts
var rate_limit = __webpack_require__(9897);
// EXTERNAL MODULE: ./src/schedule/suggestion.ts + 1 modules
var suggestion = __webpack_require__(5452);
// EXTERNAL MODULE: ./src/phases/context.ts
var phases_context = __webpack_require__(5459);
// EXTERNAL MODULE: ./src/phases/outcome.ts
var outcome = __webpack_require__(9944);
// EXTERNAL MODULE: ./src/schedule/history.ts
var schedule_history = __webpack_require__(5409);
// EXTERNAL MODULE: ./src/aws/sdk-options.ts
var sdk_options = __webpack_require__(6650);
;// CONCATENATED MODULE: ./src/phases/past-metrics.ts




/** Managed Flink's metrics: one namespace, the application as the dimension. */
const NAMESPACE = 'AWS/KinesisAnalytics';
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** What is read of each application, and where each statistic goes in an hour. */
const HISTORY_QUERIES = [
    { metric: 'KPUs', stat: 'Average', field: 'kpus' },
    { metric: 'containerCPUUtilization', stat: 'Maximum', field: 'cpuMax' },
    { metric: 'containerCPUUtilization', stat: schedule_history/* CPU_PERCENTILE */.V6, field: 'cpu' }
];
/** The look-back: `days` of whole hours, up to the start of the hour `clock` is in (an hour still running has no whole data). */
function lookBack(clock, days) {
    const to = Math.floor(clock.getTime() / HOUR) * HOUR;
    return { from: new Date(to - days * DAY), to: new Date(to) };
}
/**
 * Every application's history over `range`, or why it could not be read, in the order given. One
 * batched read per place; the places are read at once. Never throws.
 */
async function readHistories(described, range, context) {
    const out = new Array(described.length);
    const places = new Map();
    described.forEach((d, i) => {
        const key = (0,phases_context/* placeKey */.r)(d.ref);
        if (!places.has(key))
            places.set(key, { place: d.ref, indexes: [] });
        places.get(key).indexes.push(i);
    });
    await Promise.all([...places.values()].map(async ({ place, indexes }) => {
        const here = indexes.map((i) => described[i]);
        let series;
        try {
            const reader = await context.metricReaderFor(place);
            const before = reader.requests;
            series = await reader.read(here.flatMap((d) => HISTORY_QUERIES.map((q) => ({ namespace: NAMESPACE, metric: q.metric, stat: q.stat, dimensions: { Application: d.ref.name }, periodSeconds: 3600 }))), { start: range.from, end: range.to });
            (0,sdk_options/* debug */.Yz)(`suggest: ${here.length * HISTORY_QUERIES.length} metrics of ${here.length} applications read in ${(0,phases_context/* placeText */.Z)(place)} with ${reader.requests - before} GetMetricData requests`);
        }
        catch (error) {
            const failure = unreadable((0,errors/* asScalerError */.PH)(error), place);
            for (const i of indexes)
                out[i] = failure;
            return;
        }
        here.forEach((d, j) => {
            const own = series.slice(j * HISTORY_QUERIES.length, (j + 1) * HISTORY_QUERIES.length);
            out[indexes[j]] = historyOf(d, own, range);
        });
    }));
    return out;
}
/** One application's series as its History, or the error CloudWatch gave for them. */
function historyOf(d, series, range) {
    const refused = series.find((s) => s.status === 'Forbidden' || s.status === 'InternalError');
    if (refused) {
        const said = refused.messages.length > 0 ? ` (${refused.messages.join('; ')})` : '';
        return refused.status === 'Forbidden'
            ? new errors/* ScalerError */.j1(`CloudWatch answered Forbidden for its metrics${said}, so no schedule can be suggested.`, {
                code: 'Forbidden',
                hint: 'Allow cloudwatch:GetMetricData (Resource "*") to the role the action runs as in this account (docs/iam.md).'
            })
            : new errors/* ScalerError */.j1(`CloudWatch could not answer for its metrics (InternalError${said}), so no schedule can be suggested.`, { hint: 'Run it again: the next read may succeed.' });
    }
    const from = range.from.getTime();
    const to = range.to.getTime();
    const hours = new Map();
    series.forEach((s, q) => {
        const field = HISTORY_QUERIES[q].field;
        for (const point of s.points) {
            const t = point.at.getTime();
            if (t < from || t >= to || t % HOUR !== 0 || !Number.isFinite(point.value))
                continue;
            const hour = hours.get(t) ?? { at: new Date(t) };
            hour[field] = point.value;
            hours.set(t, hour);
        }
    });
    return { application: d.ref.name, parallelismPerKpu: d.parallelismPerKpu, from: range.from, to: range.to, hours: [...hours.values()] };
}
/** A read that failed, as each of its applications reports it; IAM's refusal names the permission. */
function unreadable(failure, place) {
    const denied = /AccessDenied|not authorized/i.test(`${failure.code ?? ''} ${failure.message}`);
    const message = denied
        ? `IAM denied cloudwatch:GetMetricData in ${(0,phases_context/* placeText */.Z)(place)}, so the metrics could not be read and no schedule can be suggested: ${failure.message}`
        : `The metrics could not be read, so no schedule can be suggested: ${failure.message}`;
    return new errors/* ScalerError */.j1(message, { code: failure.code, cause: failure, ...(failure.hint ? { hint: failure.hint } : {}) });
}

// EXTERNAL MODULE: ./src/phases/reconcile.ts + 4 modules
var reconcile = __webpack_require__(4278);
;// CONCATENATED MODULE: ./src/phases/suggest.ts







/** Suggests a schedule for every application of the run. Never throws: what fails is an outcome. */
async function suggestRun(context) {
    const { config } = context;
    const settings = config.suggest;
    const { chosen, failed, failedAt } = config.selectByTag
        ? await (await __webpack_require__.e(/* import() */ 914).then(__webpack_require__.bind(__webpack_require__, 7914))).select(context) // the same chunk a reconciling run loads
        : { chosen: config.applications.map((ref) => ({ ref })), failed: [], failedAt: [] };
    const described = await (0,rate_limit/* perRegion */.kD)(chosen, (c) => (0,phases_context/* placeKey */.r)(c.ref), rate_limit/* DEFAULT_RATE */.L5.maxInFlight, (c) => describe(c, context));
    const { from, to } = lookBack(config.clock, settings.days);
    const readable = described.filter((d) => 'state' in d);
    const histories = await readHistories(readable.map((d) => ({ ref: d.ref, parallelismPerKpu: d.state.parallelismPerKpu })), { from, to }, context);
    const timezone = zoneOf(config);
    const named = config.selectByTag !== undefined || described.length + failed.length > 1;
    const made = new Map();
    readable.forEach((d, i) => {
        const history = histories[i];
        if (history instanceof errors/* ScalerError */.j1)
            return void made.set(d, history);
        try {
            made.set(d, (0,suggestion/* suggest */.ZA)(history, { timezone, utilization: settings.utilization, ...(config.kpuHourPrice !== undefined ? { kpuHourPrice: config.kpuHourPrice } : {}) }));
        }
        catch (error) {
            made.set(d, (0,errors/* asScalerError */.PH)(error));
        }
    });
    const good = readable.filter((d) => !(made.get(d) instanceof errors/* ScalerError */.j1));
    const names = named ? scheduleNames(good.map((d) => d.ref)) : [];
    const suggested = good.map((d, i) => ({ ref: d.ref, state: d.state, suggestion: made.get(d), ...(named ? { name: names[i] } : {}) }));
    const byApplication = new Map(suggested.map((s) => [s.ref, s]));
    const outcomes = described.map((d) => {
        if ('failed' in d)
            return d.failed;
        const base = { ...(0,outcome/* outcomeFor */._n)(d.ref), ...(d.schedule ? { schedule: d.schedule } : {}), status: d.state.status };
        const result = made.get(d);
        if (result instanceof errors/* ScalerError */.j1)
            return (0,outcome/* failedWith */.Mf)(base, result);
        const s = byApplication.get(d.ref);
        return {
            ...base,
            action: 'skipped',
            reason: reasonOf(s, settings.utilization),
            previousParallelism: d.state.parallelism,
            parallelismPerKpu: d.state.parallelismPerKpu,
            previousKpu: Math.ceil(d.state.parallelism / d.state.parallelismPerKpu),
            suggestion: resultOf(s),
            foundParallelismPerKpu: d.state.parallelismPerKpu
        };
    });
    const yaml = suggested.length === 0
        ? undefined
        : named
            ? (0,suggestion/* renderNamedSchedules */.Av)(suggested.map((s) => s.suggestion), (suggestion) => suggested.find((s) => s.suggestion === suggestion).name)
            : suggested[0].suggestion.yaml;
    const zoneGiven = config.schedule !== undefined || config.schedules !== undefined;
    return { outcomes: (0,reconcile/* inSelectionOrder */.u)(outcomes, failed, failedAt), suggested, from, to, timezone, zoneGiven, named, ...(yaml ? { yaml } : {}) };
}
/** DescribeApplication: the application's ParallelismPerKPU (the proposal's KPUs are counted at it) and status. */
async function describe(chosen, context) {
    let { ref } = chosen;
    try {
        const state = await context.clientFor(ref).describe(ref.name);
        // A name alone resolves in the credentials' account; an ARN must be that very application.
        if (ref.arn && state.arn && state.arn !== ref.arn) {
            throw new errors/* ScalerError */.j1(`${ref.arn} was asked for, but these credentials reach ${state.arn}.`, {
                hint: "Run the action with credentials for the ARN's account (role-to-assume a role there; one step per account, or account-roles with select-by-tag)."
            });
        }
        if (context.config.accountRoles.length > 0 && !ref.account && state.arn)
            ref = { ...ref, account: state.arn.split(':')[4] };
        return { ref, state, ...(chosen.schedule ? { schedule: chosen.schedule.name } : {}) };
    }
    catch (error) {
        return { ref, failed: (0,outcome/* failedWith */.Mf)((0,outcome/* outcomeFor */._n)(ref), (0,errors/* asScalerError */.PH)(error)) };
    }
}
/** The zone suggestions are made in: that of the schedule given beside `suggest` (with named schedules, default-schedule's, else the first's), else UTC. */
function zoneOf(config) {
    const named = config.schedules;
    const schedule = config.schedule ?? (named && named.byName.get(named.defaultSchedule ?? [...named.byName.keys()][0]));
    return schedule?.timezone ?? 'UTC';
}
/**
 * Each application's schedule name in a file of several: its name, as a tag's value can carry it;
 * where two places have an application of the same name, with its region (and account) after an @.
 */
function scheduleNames(refs) {
    const count = (names) => (name) => names.filter((n) => n === name).length;
    const plain = refs.map((r) => r.name);
    const withRegion = refs.map((r, i) => (count(plain)(plain[i]) > 1 ? `${r.name}@${r.region}` : r.name));
    return refs.map((r, i) => (count(withRegion)(withRegion[i]) > 1 ? `${r.name}@${r.region}/${r.account ?? r.arn?.split(':')[4] ?? i + 1}` : withRegion[i]));
}
/** "Suggested 3 KPU, 12 KPU Mon-Fri 08-18 and 16 KPU Sat 01-05: …; nothing was changed." */
function reasonOf({ suggestion }, utilization) {
    const { proposal, figures } = suggestion;
    const sizes = [`${proposal.defaultKpu} KPU`, ...proposal.rules.map((rule) => `${rule.kpu} KPU ${rule.name}`)];
    const list = sizes.length === 1 ? sizes[0] : `${sizes.slice(0, -1).join(', ')} and ${sizes.at(-1)}`;
    const share = Math.floor(figures.carriedShare * 1000) / 10;
    return (`Suggested ${list} from ${figures.hoursWithData} hours of metrics: it would have carried ${share}% of them at or under ${utilization}% CPU, ` +
        `with ${round(figures.kpuHours.schedule)} KPU-hours against ${round(figures.kpuHours.used)} used and ${round(figures.kpuHours.flat)} flat at ${figures.peakKpu} KPU; nothing was changed.`);
}
/** The `suggestion` field of `results`. */
function resultOf({ suggestion, name }) {
    const { proposal, figures } = suggestion;
    const kpuHours = { suggested: round(figures.kpuHours.schedule), used: round(figures.kpuHours.used), flat: round(figures.kpuHours.flat) };
    const cost = figures.cost && {
        price: figures.cost.price,
        suggested: round(figures.cost.schedule, 2),
        used: round(figures.cost.used, 2),
        flat: round(figures.cost.flat, 2)
    };
    return {
        ...(name !== undefined ? { schedule: name } : {}),
        kpus: [...new Set([proposal.defaultKpu, ...proposal.rules.map((rule) => rule.kpu)])].sort((a, b) => a - b),
        hours: figures.hoursWithData,
        carried: figures.carried,
        hoursWithoutData: figures.hoursWithoutData,
        kpuHours,
        ...(cost ? { cost } : {})
    };
}
function round(value, digits = 1) {
    const factor = 10 ** digits;
    return Math.round(value * factor) / factor;
}


/***/ })

};

//# sourceMappingURL=376.index.js.map