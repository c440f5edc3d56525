export const id = 914;
export const ids = [914];
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


/***/ })

};

//# sourceMappingURL=914.index.js.map