export const id = 376;
export const ids = [376,914];
export const modules = {

/***/ 7914:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   placesOf: () => (/* binding */ placesOf),
/* harmony export */   select: () => (/* binding */ select)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _aws_rate_limit_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9897);
/* harmony import */ var _schedule_named_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8279);
/* harmony import */ var _context_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5459);
/* harmony import */ var _outcome_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9944);





/** Chooses the run's applications. Never throws: what fails is an outcome. */
async function select(context) {
    const { config } = context;
    const tagKey = config.selectByTag;
    if (!tagKey)
        return { chosen: config.applications.map((ref) => ({ ref })), failed: [], failedAt: [] };
    const listings = await Promise.all(placesOf(config).map((place) => listPlace(place, context)));
    const chosen = [];
    const failed = [];
    const failedAt = [];
    const fail = (outcome) => {
        failed.push(outcome);
        failedAt.push(chosen.length);
    };
    const listed = new Map();
    const unlisted = [];
    for (const listing of listings) {
        if (listing.failure && listing.listed.length === 0)
            unlisted.push(listing);
        for (const { app, tags, failure } of listing.listed) {
            // A role in the run's own account lists the same applications again: each is reconciled once.
            if (listed.has(app.arn))
                continue;
            listed.set(app.arn, { ref: { name: app.name, arn: app.arn, ...placeRef(listing.place, config, app.arn) }, tags, failure, byNameOnly: Boolean(listing.failure) });
        }
    }
    const taken = new Set();
    const take = (entry, byTag) => {
        taken.add(entry.ref.arn);
        if (entry.failure)
            return void fail((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .failedWith */ .Mf)((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .outcomeFor */ ._n)(entry.ref), entry.failure));
        if (!byTag)
            return void chosen.push({ ref: entry.ref, ...(entry.tags ? { tags: entry.tags } : {}) });
        const schedule = (0,_schedule_named_js__WEBPACK_IMPORTED_MODULE_3__/* .followedSchedule */ .aO)(config.schedules, tagKey, entry.tags ?? {});
        if ('problem' in schedule)
            fail((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .failedWith */ .Mf)((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .outcomeFor */ ._n)(entry.ref), new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ScalerError */ .j1(schedule.problem, { hint: schedule.hint })));
        else
            chosen.push({ ref: entry.ref, tags: entry.tags, schedule });
    };
    // application-name first, as given; a name stands for the applications of that name wherever they were listed.
    for (const ref of config.applications) {
        if (ref.arn) {
            const entry = listed.get(ref.arn);
            if (entry && !taken.has(ref.arn))
                take(entry, false);
            else if (!entry)
                chosen.push({ ref });
            continue;
        }
        const found = [...listed.values()].filter((entry) => entry.ref.name === ref.name);
        for (const entry of found)
            if (!taken.has(entry.ref.arn))
                take(entry, false);
        if (found.length > 0)
            continue;
        // Without listing, a name means the application of the run's own account in the first region:
        // when that place could not be listed, the name is described there directly, as without select-by-tag.
        if (unlisted.some((listing) => !listing.place.role && listing.place.region === ref.region))
            chosen.push({ ref });
        else
            fail((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .failedWith */ .Mf)((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .outcomeFor */ ._n)(ref), notListed(ref, config, unlisted)));
    }
    for (const entry of listed.values()) {
        if (!taken.has(entry.ref.arn) && !entry.byNameOnly && (entry.failure || (entry.tags && tagKey in entry.tags)))
            take(entry, true);
    }
    for (const listing of listings) {
        if (listing.failure)
            fail((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .failedWith */ .Mf)((0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .outcomeFor */ ._n)({ name: _outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .EVERY_APPLICATION */ .D9, ...placeRef(listing.place, config) }), listing.failure));
    }
    return { chosen, failed, failedAt };
}
/**
 * Why a name was found nowhere: it was listed in no place; or, when some places could not be
 * listed, that it may be in one of those, with what kept each from being listed.
 */
function notListed(ref, config, unlisted) {
    if (unlisted.length === 0) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ScalerError */ .j1(`No application "${ref.name}" was listed in ${whereListed(config)}.`, {
            hint: 'Check application-name, region and account-roles; an ARN names the application exactly.'
        });
    }
    const places = unlisted.map((listing) => (0,_context_js__WEBPACK_IMPORTED_MODULE_4__/* .placeText */ .Z)(listing.place));
    const why = [...new Set(unlisted.map((listing) => listing.failure.hint).filter(Boolean))].join(' ');
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ScalerError */ .j1(`No application "${ref.name}" was found where the applications could be listed; it may be in ${places.join(', ')}, which could not be listed (application "*" there says why).`, { hint: `${why ? `${why} ` : ''}Or give the application's ARN: an ARN is described directly, without listing.` });
}
/** The places of a run: each region in the run's own account, then in each account of account-roles. */
function placesOf(config) {
    return [undefined, ...config.accountRoles].flatMap((role) => config.regions.map((region) => ({ region, ...(role ? { role: role.arn } : {}) })));
}
/** What a ref of a place carries: the region, the role, and with account-roles the account. */
function placeRef(place, config, arn) {
    const role = config.accountRoles.find((r) => r.arn === place.role);
    const account = role?.account ?? (arn ? arn.split(':')[4] : undefined);
    return { region: place.region, ...(place.role ? { role: place.role } : {}), ...(config.accountRoles.length > 0 && account ? { account } : {}) };
}
/**
 * One place: its applications (every page), then each one's tags, as many at once as it takes
 * requests in flight. Tags that IAM does not let the run read fail the whole place: without them no
 * application there can be told tagged or not.
 */
async function listPlace(place, context) {
    const client = context.clientFor(place);
    let apps;
    try {
        apps = await client.list();
    }
    catch (error) {
        return { place, listed: [], failure: (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .asScalerError */ .PH)(error) };
    }
    let denied;
    const listed = await (0,_aws_rate_limit_js__WEBPACK_IMPORTED_MODULE_1__/* .perRegion */ .kD)(apps, () => '', _aws_rate_limit_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULT_RATE */ .L5.maxInFlight, async (app) => {
        if (denied)
            return { app };
        try {
            return { app, tags: await client.tags(app) };
        }
        catch (error) {
            const failure = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .asScalerError */ .PH)(error);
            if (failure.code === 'AccessDeniedException')
                denied ??= failure;
            return { app, failure: new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ScalerError */ .j1(`Could not read its tags, so whether it carries the tag is not known: ${failure.message}`, { hint: failure.hint, code: failure.code, cause: error }) };
        }
    });
    if (denied) {
        const hint = 'Allow kinesisanalytics:ListTagsForResource on the applications in the IAM policy of the role the action runs as in this account (docs/iam.md).';
        // A named application there is found all the same: the schedule it follows is its tag's, which cannot be known.
        const unknown = new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ScalerError */ .j1(`Its tags cannot be read (IAM refused kinesisanalytics:ListTagsForResource in ${(0,_context_js__WEBPACK_IMPORTED_MODULE_4__/* .placeText */ .Z)(place)}), so which schedule it follows (the tag's, else default-schedule) is not known.`, { hint, code: denied.code, cause: denied });
        return {
            place,
            listed: apps.map((app) => ({ app, failure: unknown })),
            failure: new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ScalerError */ .j1(`The applications' tags cannot be read here, so none can be chosen by tag: ${denied.message}`, { hint, code: denied.code, cause: denied })
        };
    }
    return { place, listed };
}
/** "us-east-1 and eu-west-1", with "of the run's own account and 2 more" when there are several accounts. */
function whereListed(config) {
    const regions = config.regions.length === 1 ? config.regions[0] : `${config.regions.slice(0, -1).join(', ')} and ${config.regions.at(-1)}`;
    const accounts = config.accountRoles.length;
    return accounts === 0 ? regions : `${regions}, in the run's own account and ${accounts} more (${config.accountRoles.map((r) => r.account).join(', ')})`;
}


/***/ }),

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
// EXTERNAL MODULE: ./src/phases/select.ts
var phases_select = __webpack_require__(7914);
;// CONCATENATED MODULE: ./src/phases/suggest.ts








/** Suggests a schedule for every application of the run. Never throws: what fails is an outcome. */
async function suggestRun(context) {
    const { config } = context;
    const settings = config.suggest;
    const { chosen, failed, failedAt } = config.selectByTag
        ? await (0,phases_select.select)(context)
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