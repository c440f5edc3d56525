export const id = 58;
export const ids = [58];
export const modules = {

/***/ 5058:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MAX_ASSUMING: () => (/* binding */ MAX_ASSUMING),
/* harmony export */   MAX_CHAINED_SECONDS: () => (/* binding */ MAX_CHAINED_SECONDS),
/* harmony export */   accountCredentials: () => (/* binding */ accountCredentials)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(418);
/* harmony import */ var _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1695);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/* harmony import */ var _github_escape_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6028);
/* harmony import */ var _partitions_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(5986);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2495);
/* harmony import */ var _sdk_options_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6650);
/**
 * The roles of `account-roles`: each assumed with sts:AssumeRole from the run's own credentials
 * when its account is first asked for, a few at a time, retried with jittered backoff while STS
 * throttles, and assumed again before its session ends. A role that cannot be assumed fails every
 * request in its account with an error naming it; the other accounts go on.
 */







/** Roles assumed at once, at most: an organisation's hundreds of accounts must not burst STS. */
const MAX_ASSUMING = 4;
/** A session is assumed again once it ends within this long (the SDK asks for credentials on every request). */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** AWS caps a session assumed from another role's session ("role chaining") at one hour. */
const MAX_CHAINED_SECONDS = 3600;
const THROTTLED_ATTEMPTS = 5;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 8_000;
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);
/**
 * The credential provider of each role in `roles`, assuming it (from `base`, the run's own
 * credentials; undefined for the default chain) on first use and again before its session ends.
 */
function accountCredentials(roles, base, options) {
    const now = options.now ?? Date.now;
    const sts = new _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_3__/* .STSClient */ .iM({ ...(0,_sdk_options_js__WEBPACK_IMPORTED_MODULE_2__/* .sdkOptions */ .rY)(options.region, base, { logBodies: false }), maxAttempts: 3 });
    sts.middlewareStack.use((0,_sdk_options_js__WEBPACK_IMPORTED_MODULE_2__/* .requestMiddleware */ .qP)('sts'));
    const slots = new Slots(options.concurrency ?? MAX_ASSUMING);
    const providers = new Map();
    for (const role of roles) {
        let current;
        let failure;
        let assuming;
        const assume = () => (assuming ??= slots
            .run(() => session(sts, role, options))
            .then((fresh) => (current = fresh))
            .finally(() => (assuming = undefined)));
        providers.set(role.arn, async () => {
            if (failure)
                throw failure;
            const left = current?.expiration === undefined ? Infinity : current.expiration.getTime() - now();
            if (current && left > REFRESH_BEFORE_MS)
                return current;
            try {
                return await assume();
            }
            catch (error) {
                // A session that cannot be renewed serves until it ends; a role never assumed fails its account for the run.
                if (current && left > 0)
                    return current;
                failure = error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ScalerError */ .j1 ? error : assumeError(error, role, options);
                throw failure;
            }
        });
    }
    return (roleArn) => {
        const provider = providers.get(roleArn);
        if (!provider)
            throw new Error(`${roleArn} is not a role of account-roles`);
        return provider;
    };
}
/** One AssumeRole, retried while STS throttles; the credentials are masked before anything else is logged. */
async function session(sts, role, options) {
    let out;
    try {
        out = await (0,_retry_js__WEBPACK_IMPORTED_MODULE_4__/* .retry */ .L)(() => sts.send(new _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_3__/* .AssumeRoleCommand */ .QL({
            RoleArn: role.arn,
            RoleSessionName: options.sessionName,
            DurationSeconds: Math.min(options.durationSeconds, MAX_CHAINED_SECONDS)
        })), {
            attempts: THROTTLED_ATTEMPTS,
            baseDelayMs: BASE_DELAY_MS,
            maxDelayMs: MAX_DELAY_MS,
            retryable: (error) => THROTTLING.has(error?.name ?? ''),
            sleep: options.sleep
        });
    }
    catch (error) {
        throw assumeError(error, role, options);
    }
    const credentials = out.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ScalerError */ .j1(`STS returned no credentials for ${role.arn} (account-roles).`, { hint: 'Re-run the job; if it persists, check the role in IAM.' });
    }
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(credentials.SecretAccessKey);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(credentials.SessionToken);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(credentials.AccessKeyId);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq((0,_github_escape_js__WEBPACK_IMPORTED_MODULE_5__/* .logLine */ .BP)(`Assumed ${role.arn} for account ${role.account}${credentials.Expiration ? `, until ${credentials.Expiration.toISOString()}` : ''}.`));
    return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration
    };
}
/** Why a role could not be assumed, naming it, and what to do. */
function assumeError(error, role, options) {
    const name = error?.name ?? '';
    const text = error?.message ?? String(error);
    const message = `Could not assume ${role.arn} (account-roles, account ${role.account}): ${name ? `${name}: ` : ''}${text}`;
    const hints = {
        AccessDenied: `The trust policy of ${role.arn} must allow sts:AssumeRole for the role this run has (role-to-assume, or the credentials of an earlier step), ` +
            'and that role\'s own policy must allow sts:AssumeRole on it. IAM gives the same answer for a role that does not exist, so check the ARN too (docs/fleets.md).',
        ValidationError: validationHint(text, role, options),
        RegionDisabledException: 'STS is not activated in the run\'s first region for that account: activate it (IAM account settings), or list another region first in "region".',
        ExpiredToken: "The run's own credentials expired: give the step that provides them a longer session.",
        ExpiredTokenException: "The run's own credentials expired: give the step that provides them a longer session.",
        CredentialsProviderError: 'The run has no credentials of its own to assume the role from: set role-to-assume (with `permissions: id-token: write`), or provide credentials in an earlier step.'
    };
    const hint = hints[name] ??
        (THROTTLING.has(name)
            ? `STS kept throttling after ${THROTTLED_ATTEMPTS} attempts; the next run tries again.`
            : 'Check the role ARN and that the run\'s own credentials may assume it; transient errors: the next run tries again.');
    return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ScalerError */ .j1(message, { code: name || undefined, hint, cause: error });
}
/**
 * What to do about STS's ValidationError, which says several things: a session longer than the
 * role allows, a role ARN of another partition than the run's credentials (STS answers "Request ARN
 * is invalid"), or a malformed request.
 */
function validationHint(text, role, options) {
    if (/DurationSeconds/i.test(text)) {
        return `The role refused the session asked for (${Math.min(options.durationSeconds, MAX_CHAINED_SECONDS)} s): lower role-duration-seconds, or raise the role's maximum session duration.`;
    }
    const partition = (0,_partitions_js__WEBPACK_IMPORTED_MODULE_6__/* .arnPartition */ .I)(role.arn);
    const own = (0,_partitions_js__WEBPACK_IMPORTED_MODULE_6__/* .regionPartition */ .R)(options.region);
    if (partition !== own) {
        return (`The role is in partition ${partition}, but the run's credentials and STS (${options.region}) are in partition ${own}: a role can only be assumed from its own partition. ` +
            'Scale the accounts of that partition in a job of their own, whose role-to-assume and region are in it.');
    }
    if (/ARN/.test(text))
        return `STS does not take ${role.arn} as a role ARN: check it (arn:${own}:iam::ACCOUNT:role/NAME, with the role's path if it has one).`;
    return 'STS refused the request as invalid (the message says which value): check the role ARN and role-session-name.';
}
/** At most `limit` tasks at once, the others in turn. */
class Slots {
    limit;
    running = 0;
    waiting = [];
    constructor(limit) {
        this.limit = limit;
    }
    async run(task) {
        while (this.running >= this.limit)
            await new Promise((resolve) => this.waiting.push(resolve));
        this.running++;
        try {
            return await task();
        }
        finally {
            this.running--;
            this.waiting.shift()?.();
        }
    }
}


/***/ })

};

//# sourceMappingURL=58.index.js.map