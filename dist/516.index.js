export const id = 516;
export const ids = [516];
export const modules = {

/***/ 1516:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  NAMESPACE: () => (/* binding */ NAMESPACE),
  check: () => (/* binding */ check),
  guardPlan: () => (/* binding */ guardPlan)
});

// EXTERNAL MODULE: ./src/phases/context.ts
var phases_context = __webpack_require__(5459);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./node_modules/luxon/build/es6/luxon.mjs
var luxon = __webpack_require__(8714);
// EXTERNAL MODULE: ./src/schedule/guard.ts
var guard = __webpack_require__(9108);
// EXTERNAL MODULE: ./src/phases/scale-down.ts
var scale_down = __webpack_require__(9267);
;// CONCATENATED MODULE: ./src/phases/guard.ts
/**
 * The verdict on a pending scale-down (pure): go ahead, maybe with a warning, or wait (`deferred`),
 * from the values read for it, the guard's limits, the service's autoscaler, `at-most` and who
 * asked (the schedule, or a person through a manual target or a hold). No clock, no AWS: the
 * instants and the values are parameters. Loaded with the check phase, only when a scale-down is pending.
 */



/** The source lags are alternatives: a job reads Kinesis (millisBehindLatest) or Kafka (records_lag_max), seldom both. */
const SOURCE_LAGS = ['millisBehindLatest', 'records_lag_max'];
/**
 * The verdict on a scale-down, given what was read (undefined: nothing was read for it) at the
 * evaluated instant `at` (the schedule's clock, as at-most counts from the schedule's change):
 *
 * - a person's scale-down goes ahead; what the metrics showed, or the autoscaler's capacity it cuts, is a warning;
 * - a limit the metrics break makes it wait, until at-most has passed: then it goes ahead with a warning;
 * - the autoscaler's capacity makes it wait unless the metrics show the smaller size carries the
 *   load (CPU checked); without that evidence (no guard, CPU unreadable) it waits until at-most;
 * - metrics that cannot be read never block otherwise: it goes ahead, naming them as unchecked.
 *
 * Whatever goes ahead over a failed check or the autoscaler's capacity says so in its reason too
 * (`note`), with every metric checked, each as failing or passing. `dryRun` only changes the tense.
 */
function judge(scaleDown, reading, at, dryRun = false) {
    const checked = scaleDown.limits.map((limit) => measure(limit, scaleDown, reading)).filter((c) => c !== undefined);
    const failing = checked.filter((c) => c.value >= c.limit);
    const passing = checked.filter((c) => c.value < c.limit);
    const read = new Set(checked.map((c) => c.metric));
    const anySourceLag = SOURCE_LAGS.some((metric) => read.has(metric));
    const unchecked = scaleDown.limits
        .map((limit) => limit.metric)
        .filter((metric) => !read.has(metric) && !(SOURCE_LAGS.includes(metric) && anySourceLag));
    const cpuShown = read.has('containerCPUUtilization');
    const over = (0,guard/* describeDuration */.MB)(scaleDown.overMs);
    const restart = `parallelism ${scaleDown.current} → ${scaleDown.target}`;
    const goes = dryRun ? 'would go' : 'goes';
    const cuts = scaleDown.autoscaled
        ? `the service's autoscaler runs it at parallelism ${scaleDown.current} (its floor is ${scaleDown.floor}); restarting it at ${scaleDown.target} cuts ${scaleDown.current - scaleDown.target} parallel tasks the service added for load`
        : undefined;
    const autoscalerWaits = scaleDown.autoscaled && !cpuShown;
    /** What the reason says against a scale-down that goes ahead all the same, and every metric checked. */
    const against = (cpuUnread) => [
        scaleDown.autoscaled
            ? `it cuts ${scaleDown.current - scaleDown.target} parallel tasks the service's autoscaler added for load` +
                (cpuUnread && scaleDown.limits.length > 0 ? ' (its CPU could not be read to show the smaller size carries the load)' : '')
            : undefined,
        failing.length > 0 ? "the guard's check failed" : undefined
    ]
        .filter(Boolean)
        .join(', and ');
    const shown = checked.length > 0 ? ` The guard's metrics, over the last ${over}: ${checkedText(failing, passing)}.` : '';
    if (scaleDown.person) {
        const said = [
            cuts,
            failing.length > 0 ? `the guard's metrics show ${waitsText(failing, over)}` : undefined
        ].filter(Boolean);
        if (said.length === 0) {
            return { go: true, unchecked, ...(passing.length > 0 ? { note: ` The guard's metrics: ${passingText(passing, over)}.` } : {}) };
        }
        return {
            go: true,
            unchecked,
            warning: `${scaleDown.source} (${restart}) ${dryRun ? 'would be' : 'was'} applied because a person asked for it, although ${said.join(', and ')}.`,
            note: ` A person asked for it, so it ${goes} ahead although ${against(false)}.${shown}`
        };
    }
    const until = scaleDown.change ? new Date(scaleDown.change.getTime() + scaleDown.atMostMs) : undefined;
    const passed = until === undefined || at >= until;
    const waitedFor = (until) => until
        ? `after waiting ${(0,guard/* describeDuration */.MB)(scaleDown.atMostMs)} (at-most) since the ${localTime(scaleDown.change, scaleDown.zone)} change`
        : `as the schedule has asked for it for more than a week`;
    if (failing.length > 0 || autoscalerWaits) {
        const waitsFor = failing.length > 0 ? failing : [{ metric: 'CurrentParallelism', value: scaleDown.current, limit: scaleDown.target }];
        const why = failing.length > 0
            ? `${scaleDown.autoscaled ? `${cuts}, and ` : ''}${waitsText(failing, over)}`
            : `${cuts}${scaleDown.limits.length > 0 ? ` (its CPU could not be read to show the smaller size carries the load)` : ''}`;
        if (passed) {
            return {
                go: true,
                unchecked,
                warning: `${scaleDown.source} (${restart}) ${goes} ahead ${waitedFor(until)}, although ${why}.`,
                note: ` It ${goes} ahead ${waitedFor(until)}, although ${against(autoscalerWaits)}.${shown}`
            };
        }
        return {
            go: false,
            deferral: { waitsFor, until: until },
            reason: `Scaling down (${restart}) for ${scaleDown.source} waits: ${why}. ` +
                `The next run checks again; it goes ahead at ${localTime(until, scaleDown.zone)} at the latest (${(0,guard/* describeDuration */.MB)(scaleDown.atMostMs)} after the ${localTime(scaleDown.change, scaleDown.zone)} change).`
        };
    }
    const autoscaler = scaleDown.autoscaled ? ` The service's autoscaler ran it at parallelism ${scaleDown.current}; the guard shows the smaller size carries the load:` : ' The guard passed:';
    return {
        go: true,
        unchecked,
        ...(passing.length > 0 ? { note: `${autoscaler} ${passingText(passing, over)}.` } : {})
    };
}
/** A limit's value as read: the metric's maximum, CPU projected onto the smaller size; undefined when there is none. */
function measure(limit, scaleDown, reading) {
    const value = reading?.maxima[limit.metric];
    if (value === undefined)
        return undefined;
    if (limit.metric !== 'containerCPUUtilization')
        return { metric: limit.metric, value, limit: limit.limit };
    return { metric: limit.metric, value: (value * scaleDown.current) / scaleDown.target, limit: limit.limit, measured: value };
}
/** "millisBehindLatest reached 5m12s over the last 15m (limit 1m)". */
function waitsText(waits, over) {
    return `${waits.map((w) => `${w.metric} ${w.metric === 'containerCPUUtilization' ? `peaked at ${(0,scale_down/* valueText */.Ru)(w.metric, w.measured)}, ${(0,scale_down/* valueText */.Ru)(w.metric, w.value)} at the smaller size` : `reached ${(0,scale_down/* valueText */.Ru)(w.metric, w.value)}`} (limit ${(0,scale_down/* valueText */.Ru)(w.metric, w.limit)})`).join(' and ')} over the last ${over}`;
}
/**
 * Every metric checked, each named failing or passing, the failing first: "containerCPUUtilization
 * failing (peaked at 100%, 200% at the smaller size; limit 70%) and millisBehindLatest passing (at most 0s; limit 1m)".
 */
function checkedText(failing, passing) {
    const value = (w, verb) => w.metric === 'containerCPUUtilization' ? `${verb} ${(0,scale_down/* valueText */.Ru)(w.metric, w.measured)}, ${(0,scale_down/* valueText */.Ru)(w.metric, w.value)} at the smaller size` : `${verb} ${(0,scale_down/* valueText */.Ru)(w.metric, w.value)}`;
    return [
        ...failing.map((w) => `${w.metric} failing (${value(w, w.metric === 'containerCPUUtilization' ? 'peaked at' : 'reached')}; limit ${(0,scale_down/* valueText */.Ru)(w.metric, w.limit)})`),
        ...passing.map((w) => `${w.metric} passing (${value(w, 'at most')}; limit ${(0,scale_down/* valueText */.Ru)(w.metric, w.limit)})`)
    ].join(' and ');
}
/** "millisBehindLatest at most 2s (limit 1m) and containerCPUUtilization 31%, 62% at the smaller size (limit 70%), over the last 15m". */
function passingText(waits, over) {
    return `${waits.map((w) => `${w.metric} ${w.metric === 'containerCPUUtilization' ? `at most ${(0,scale_down/* valueText */.Ru)(w.metric, w.measured)}, ${(0,scale_down/* valueText */.Ru)(w.metric, w.value)} at the smaller size` : `at most ${(0,scale_down/* valueText */.Ru)(w.metric, w.value)}`} (limit ${(0,scale_down/* valueText */.Ru)(w.metric, w.limit)})`).join(' and ')}, over the last ${over}`;
}
/** "Wed 20:05 PST": an instant in the schedule's zone. */
function localTime(at, zone) {
    return luxon/* DateTime */.c9.fromJSDate(at, { zone }).toFormat('ccc HH:mm ZZZZ');
}

// EXTERNAL MODULE: ./src/aws/sdk-options.ts
var sdk_options = __webpack_require__(6650);
;// CONCATENATED MODULE: ./src/phases/check.ts





/**
 * Step 6 for one plan: a scale-down judged on what was read for it (undefined: nothing was read),
 * at the schedule's evaluated instant `at`. It waits (`defer`), or stays an update that carries what
 * the guard found in its reason and what speaks against it as a warning (in a dry run's tense).
 */
function guardPlan(plan, reading, at, dryRun = false) {
    const { decision, scaleDown } = plan;
    if (!scaleDown || decision.kind !== 'update')
        return plan;
    const verdict = judge(scaleDown, reading, at, dryRun);
    if (!verdict.go) {
        return { ...plan, decision: { kind: 'defer', rule: decision.rule, desired: decision.desired, reason: verdict.reason, deferral: verdict.deferral } };
    }
    return {
        ...plan,
        decision: {
            ...decision,
            reason: `${decision.reason}${verdict.note ?? ''}`,
            ...(verdict.warning ? { warning: verdict.warning } : {})
        },
        ...(verdict.unchecked.length > 0 ? { unchecked: verdict.unchecked } : {})
    };
}
/** Managed Flink's metrics: one namespace, the application as the dimension. */
const NAMESPACE = 'AWS/KinesisAnalytics';
/** They are published once a minute. */
const PERIOD_SECONDS = 60;
const MINUTE = 60_000;
/** Applications named in a warning; more are counted. */
const NAMED = 8;
/** Judges every pending scale-down; the others pass through unchanged. Never throws. */
async function check(planned, context, clock = () => new Date()) {
    const pending = planned.flatMap((p) => ('plan' in p && p.plan.scaleDown && p.plan.decision.kind === 'update' ? [{ planned: p, scaleDown: p.plan.scaleDown }] : []));
    if (pending.length === 0)
        return planned;
    const toRead = pending.filter((p) => p.scaleDown.limits.length > 0);
    const readings = new Map();
    const failures = new Map();
    // One batched read per place (account and region): each has its own credentials and endpoint.
    const places = new Map(toRead.map((p) => [(0,phases_context/* placeKey */.r)(p.planned.ref), p.planned.ref]));
    await Promise.all([...places].map(async ([key, place]) => {
        const here = toRead.filter((p) => (0,phases_context/* placeKey */.r)(p.planned.ref) === key);
        try {
            for (const [p, reading] of await read(here, context, place, clock()))
                readings.set(p.planned, reading);
        }
        catch (error) {
            const failure = (0,errors/* asScalerError */.PH)(error);
            failures.set((0,phases_context/* placeText */.Z)(place), { message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) });
            for (const p of here)
                readings.set(p.planned, { maxima: {}, failed: failure.message });
        }
    }));
    const judged = new Map();
    for (const { planned: p } of pending) {
        const reading = readings.get(p);
        judged.set(p, { ...p, plan: guardPlan(p.plan, reading, context.config.now, context.config.dryRun), ...(reading ? { reading } : {}) });
    }
    warnAbout(pending, judged, failures, context);
    return planned.map((p) => ('plan' in p ? (judged.get(p) ?? p) : p));
}
/** One batched read for a place's pending scale-downs: each one's maximum of each metric over its own look-back. */
async function read(pending, context, place, now) {
    const end = now.getTime();
    const longest = Math.max(...pending.map((p) => p.scaleDown.overMs));
    const queries = [];
    for (const p of pending) {
        for (const metric of new Set(p.scaleDown.limits.map((l) => l.metric))) {
            queries.push({
                pending: p,
                metric,
                query: { namespace: NAMESPACE, metric, dimensions: { Application: p.planned.ref.name }, stat: 'Maximum', periodSeconds: PERIOD_SECONDS }
            });
        }
    }
    const reader = await context.metricReaderFor(place);
    const before = reader.requests;
    const series = await reader.read(queries.map((q) => q.query), { start: new Date(end - longest), end: new Date(end) });
    (0,sdk_options/* debug */.Yz)(`guard: ${queries.length} metrics of ${pending.length} applications read in ${(0,phases_context/* placeText */.Z)(place)} with ${reader.requests - before} GetMetricData requests`);
    const readings = new Map(pending.map((p) => [p, { maxima: {} }]));
    queries.forEach(({ pending: p, metric }, i) => {
        const maximum = maximumOf(series[i], metric, end - p.scaleDown.overMs);
        if (maximum !== undefined)
            readings.get(p).maxima[metric] = maximum;
    });
    return readings;
}
/**
 * The largest value from `since` (rounded down to the minute, as CloudWatch rounds a start time).
 * The Kinesis connector reports millisBehindLatest -1 until it knows how far behind it is: that is
 * missing, not caught up.
 */
function maximumOf(series, metric, since) {
    const from = Math.floor(since / MINUTE) * MINUTE;
    const values = series.points.filter((p) => p.at.getTime() >= from && Number.isFinite(p.value) && !(metric === 'millisBehindLatest' && p.value < 0)).map((p) => p.value);
    return values.length > 0 ? Math.max(...values) : undefined;
}
/**
 * What the user must know, said once for all applications: a region whose metrics could not be
 * read, and the scale-downs that went ahead without a check of some metric for lack of data.
 */
function warnAbout(pending, judged, failures, context) {
    const verb = context.config.dryRun ? 'would go' : 'went';
    for (const [place, failure] of failures) {
        const here = pending.filter((p) => (0,phases_context/* placeText */.Z)(p.planned.ref) === place && p.scaleDown.limits.length > 0);
        const went = here.filter((p) => judged.get(p.planned).plan.decision.kind !== 'defer').map((p) => p.planned.ref.name);
        const waiting = here.filter((p) => judged.get(p.planned).plan.decision.kind === 'defer').map((p) => p.planned.ref.name);
        const parts = [
            went.length > 0 ? `${named(went)} ${verb} ahead unchecked` : undefined,
            waiting.length > 0 ? `${named(waiting)} ${waiting.length === 1 ? 'waits' : 'wait'} for the service's autoscaler` : undefined
        ].filter(Boolean);
        context.warn(`The guard could not read metrics: ${failure.message}. Of its ${here.length} scale-down${here.length === 1 ? '' : 's'} there, ${parts.join('; ')}.` +
            (failure.hint ? ` Fix: ${failure.hint}` : ''));
    }
    const unread = new Map();
    for (const p of pending) {
        const decision = judged.get(p.planned).plan.decision;
        if (decision.kind === 'defer' || failures.has((0,phases_context/* placeText */.Z)(p.planned.ref)))
            continue;
        const unchecked = judged.get(p.planned).plan.unchecked ?? [];
        if (unchecked.length === 0)
            continue;
        const key = `${unchecked.join(' and ')} over the last ${(0,guard/* describeDuration */.MB)(p.scaleDown.overMs)}`;
        unread.set(key, [...(unread.get(key) ?? []), p.planned.ref.name]);
    }
    for (const [what, names] of unread) {
        context.warn(`The guard found no data points of ${what} for ${named(names)}, so ${names.length === 1 ? 'its scale-down' : 'their scale-downs'} ${verb} ahead without that check. ` +
            'CloudWatch has none when the application does not publish the metric (a source of the other kind, a lower metrics level) or while it restarts; ' +
            'millisBehindLatest -1 (not known yet) counts as none.');
    }
}
/** "orders, clicks and fraud", or the first few and how many more. */
function named(names) {
    if (names.length === 1)
        return names[0];
    if (names.length <= NAMED)
        return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    return `${names.slice(0, NAMED).join(', ')} and ${names.length - NAMED} more`;
}


/***/ })

};

//# sourceMappingURL=516.index.js.map