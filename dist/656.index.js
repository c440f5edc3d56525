export const id = 656;
export const ids = [656];
export const modules = {

/***/ 9656:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MAX_DATA_PER_REQUEST: () => (/* binding */ MAX_DATA_PER_REQUEST),
/* harmony export */   MAX_REQUEST_BYTES: () => (/* binding */ MAX_REQUEST_BYTES),
/* harmony export */   METRIC_NAMES: () => (/* binding */ METRIC_NAMES),
/* harmony export */   SNAPSHOTS_METRIC: () => (/* binding */ SNAPSHOTS_METRIC),
/* harmony export */   batches: () => (/* binding */ batches),
/* harmony export */   failureText: () => (/* binding */ failureText),
/* harmony export */   metricData: () => (/* binding */ metricData),
/* harmony export */   publishMetrics: () => (/* binding */ publishMetrics)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(418);
/* harmony import */ var _aws_sdk_client_cloudwatch__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4085);
/* harmony import */ var _phases_outcome_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9944);
/* harmony import */ var _proxy_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9975);
/* harmony import */ var _sdk_options_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6650);
/**
 * CloudWatch metrics of a run (the `metrics-namespace` input): per application the run reached,
 * `Reconciled`, `TargetParallelism`, `Parallelism`, `Updated`, `Deferred` and `Failed` (and `Snapshots`
 * when they were counted), with dimensions `Application` and `Region`. A schedule that stops running stops them, which an alarm on
 * `Reconciled` with missing data treated as breaching turns into a page (docs/monitoring.md).
 * With named schedules each application's data go again under the dimension `Schedule` alone, and
 * with account-roles under `Account` alone: one metric per schedule or account that sums its
 * applications, beside the per-application metrics, which stay exactly as they were.
 *
 * Loaded only when the input is set, so that other runs never load the CloudWatch client.
 */





/** The metrics every reached application gets, in this order. */
const METRIC_NAMES = ['Reconciled', 'TargetParallelism', 'Parallelism', 'Updated', 'Deferred', 'Failed'];
/** And, when the run read them (it updated the application), its snapshots after the run. */
const SNAPSHOTS_METRIC = 'Snapshots';
/** PutMetricData takes at most 1000 metrics per request… */
const MAX_DATA_PER_REQUEST = 1000;
/** …and at most 1 MB per HTTP POST; this much is kept for the envelope (namespace and all). */
const MAX_REQUEST_BYTES = 1_048_576;
const ENVELOPE_BYTES = 1024;
/** As for the Kinesis Analytics client: six attempts ride out a burst of throttling or 5xx. */
const MAX_ATTEMPTS = 6;
/**
 * The data points of a run, grouped by region in the order the regions first appear. Every outcome
 * is an application the run reached, so each gets `Reconciled` 1, `Updated`, `Deferred` and `Failed` (0/1),
 * and, when the run learnt them, `TargetParallelism` and `Parallelism`: the configured parallelism
 * after the run, which is the target when the application was updated, else the one found. A
 * value the run never learnt (the application could not be described) is left out, never guessed.
 */
function metricData(outcomes, at) {
    const regions = new Map();
    for (const outcome of outcomes) {
        // A place that could not be listed reached no application: it only counts as a failure of its account.
        const every = outcome.application === _phases_outcome_js__WEBPACK_IMPORTED_MODULE_3__/* .EVERY_APPLICATION */ .D9;
        const parallelism = outcome.action === 'updated' ? outcome.targetParallelism : outcome.previousParallelism;
        const values = {
            Reconciled: every ? undefined : 1,
            TargetParallelism: outcome.targetParallelism,
            Parallelism: parallelism,
            Updated: outcome.action === 'updated' ? 1 : 0,
            Deferred: outcome.action === 'deferred' ? 1 : 0,
            Failed: outcome.action === 'failed' ? 1 : 0,
            [SNAPSHOTS_METRIC]: outcome.snapshots
        };
        const dimensionSets = [
            ...(every
                ? []
                : [
                    [
                        { Name: 'Application', Value: outcome.application },
                        { Name: 'Region', Value: outcome.region }
                    ]
                ]),
            ...(outcome.schedule ? [[{ Name: 'Schedule', Value: outcome.schedule }]] : []),
            ...(outcome.account ? [[{ Name: 'Account', Value: outcome.account }]] : [])
        ];
        const data = regions.get(outcome.region) ?? [];
        for (const dimensions of dimensionSets) {
            for (const name of [...METRIC_NAMES, SNAPSHOTS_METRIC]) {
                const value = values[name];
                if (value === undefined)
                    continue;
                data.push({
                    MetricName: name,
                    Dimensions: dimensions,
                    Value: value,
                    Unit: name === 'TargetParallelism' || name === 'Parallelism' ? 'None' : 'Count',
                    Timestamp: at
                });
            }
        }
        regions.set(outcome.region, data);
    }
    return [...regions].map(([region, data]) => ({ region, data }));
}
/**
 * One region's data as PutMetricData requests: a single request unless the data exceed its limits
 * (1000 metrics, 1 MB), counted as the JSON the client sends before it compresses.
 */
function batches(data, limits = { items: MAX_DATA_PER_REQUEST, bytes: MAX_REQUEST_BYTES }) {
    const out = [];
    let current = [];
    let bytes = ENVELOPE_BYTES;
    for (const datum of data) {
        const size = datumBytes(datum);
        if (current.length > 0 && (current.length === limits.items || bytes + size > limits.bytes)) {
            out.push(current);
            current = [];
            bytes = ENVELOPE_BYTES;
        }
        current.push(datum);
        bytes += size;
    }
    if (current.length > 0)
        out.push(current);
    return out;
}
function datumBytes(datum) {
    // The JSON protocol sends timestamps as epoch seconds; the comma between items is the 1.
    return Buffer.byteLength(JSON.stringify({ ...datum, Timestamp: datum.Timestamp && datum.Timestamp.getTime() / 1000 })) + 1;
}
/**
 * Publishes the run's metrics, one PutMetricData per region (more only past its limits), with the
 * credentials, proxy, timeouts and retries of the action's other AWS clients. Never throws: a
 * failure is one warning, and the run's result stays what the applications made it.
 */
async function publishMetrics(namespace, outcomes, credentials, now) {
    const regions = metricData(outcomes, now);
    const failures = [];
    let published = 0;
    await Promise.all(regions.map(async ({ region, data }) => {
        const client = new _aws_sdk_client_cloudwatch__WEBPACK_IMPORTED_MODULE_4__/* .CloudWatchClient */ .WBn({ ...(0,_sdk_options_js__WEBPACK_IMPORTED_MODULE_2__/* .sdkOptions */ .rY)(region, credentials), maxAttempts: MAX_ATTEMPTS });
        client.middlewareStack.use((0,_sdk_options_js__WEBPACK_IMPORTED_MODULE_2__/* .requestMiddleware */ .qP)('cloudwatch'));
        try {
            for (const batch of batches(data)) {
                await client.send(new _aws_sdk_client_cloudwatch__WEBPACK_IMPORTED_MODULE_4__/* .PutMetricDataCommand */ .zmv({ Namespace: namespace, MetricData: batch }));
                published += batch.length;
            }
        }
        catch (error) {
            const answer = (0,_proxy_js__WEBPACK_IMPORTED_MODULE_1__/* .proxyAnswer */ .nh)(error, process.env.AWS_ENDPOINT_URL_CLOUDWATCH || process.env.AWS_ENDPOINT_URL || `https://monitoring.${region}.amazonaws.com`);
            failures.push(answer
                ? { region, name: 'ProxyError', message: answer.message, hint: answer.hint }
                : { region, name: error?.name ?? 'Error', message: error?.message ?? String(error) });
        }
        finally {
            client.destroy();
        }
    }));
    if (failures.length === 0) {
        const names = regions.map((r) => r.region).join(', ');
        if (regions.length > 0)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Published ${published} CloudWatch metrics to namespace "${namespace}" in ${names}.`);
        return;
    }
    const total = regions.reduce((sum, r) => sum + r.data.length, 0);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(failureText(namespace, failures, { published, total }));
}
/** One warning for every failed region: what failed, and what to do about it. */
function failureText(namespace, failures, counts = { published: 0, total: 0 }) {
    // The same refusal in every region (an IAM policy, say) is said once, for all of them.
    const byError = new Map();
    for (const f of failures) {
        const error = `${f.name}: ${f.message}`;
        byError.set(error, [...(byError.get(error) ?? []), f.region]);
    }
    const what = [...byError].map(([error, regions]) => `${regions.join(', ')}: ${error}`).join('; ');
    const hints = [...new Set(failures.map((f) => hint(f, namespace)))].join(' ');
    const partly = counts.published > 0 ? ` (only ${counts.published} of its ${counts.total} data points were)` : '';
    return (`CloudWatch metrics were not published to namespace "${namespace}"${partly}. ${what}${/[.!?]$/.test(what) ? '' : '.'} ` +
        `Fix: ${hints} Scaling itself was not affected; until metrics arrive again, an alarm on Reconciled sees them as missing.`);
}
function hint(failure, namespace) {
    if (failure.hint)
        return failure.hint;
    const text = `${failure.name} ${failure.message}`;
    if (/AccessDenied|not authorized/i.test(text)) {
        return (`Allow cloudwatch:PutMetricData (Resource "*", with the condition "cloudwatch:namespace": "${namespace}") ` +
            'in the IAM policy of the role the action runs as (docs/monitoring.md).');
    }
    if (/ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient|CredentialsProviderError|credentials/i.test(text)) {
        return 'The credentials that scaled the applications were refused by CloudWatch: check that they are valid in that region.';
    }
    if (/Throttl|ServiceUnavailable|InternalServiceFault|InternalServiceError|TimeoutError|ECONN|EPIPE|ENOTFOUND|socket/i.test(text)) {
        return `CloudWatch did not accept the data after ${MAX_ATTEMPTS} attempts; the next run publishes again. If it persists, check the network (and proxy) to the regional CloudWatch endpoint.`;
    }
    return 'CloudWatch refused the data; please report this message as an issue of the action.';
}


/***/ })

};

//# sourceMappingURL=656.index.js.map