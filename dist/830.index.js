export const id = 830;
export const ids = [830];
export const modules = {

/***/ 449:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   namedLine: () => (/* binding */ namedLine),
/* harmony export */   parseScheduleText: () => (/* binding */ parseScheduleText)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _schedule_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7020);
/* harmony import */ var _named_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8279);
/**
 * Parsing a schedule text that may hold named schedules (`schedules:`, the top-level fields as
 * defaults of each, `default-schedule:`): each named schedule is parsed by the single-schedule
 * parser with the defaults merged in first, so it has exactly the form and meaning of a single
 * one. Pure; loaded only for a text that holds named schedules.
 */



const NAME_HINT = 'A schedule is named by its applications\' tag: use letters, digits and _ . : / = + - @ (no spaces, at most 256), e.g. business-hours.';
/**
 * Parses a schedule text: one schedule (parseSchedule, unchanged), or named schedules when it has
 * `schedules:` (or `default-schedule:`). `source` and `file` as for parseSchedule; errors in a
 * named schedule name it (`schedules.batch-night.rules[0].from`) and carry the file's line.
 * Throws ScalerError (kind 'input').
 */
function parseScheduleText(text, source, file) {
    const doc = (0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .readScheduleYaml */ .z8)(text, source, file);
    if (!_named_js__WEBPACK_IMPORTED_MODULE_2__/* .NAMED_KEYS */ .j.some((key) => key in doc))
        return { schedule: (0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .parseSchedule */ .nP)(text, source, file) };
    return { named: parseNamed(doc, text, source, file) };
}
function parseNamed(doc, text, source, file) {
    const fail = (path, shown, problem, hint) => {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .inputError */ .Xu)(`Schedule error in ${shown}: ${problem} (${source})`, hint, file ? { file, ...lineField(text, path) } : undefined);
    };
    const defaultKeys = _schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .SCHEDULE_KEYS */ .pI.filter((key) => key !== 'rules');
    for (const [key, value] of Object.entries(doc)) {
        if (key === 'rules') {
            fail(['rules'], 'rules', 'top-level rules beside "schedules"', 'Each named schedule has its own rules: move these under the schedules that need them. Top-level fields other than rules are defaults for every named schedule.');
        }
        if (!defaultKeys.includes(key) && !_named_js__WEBPACK_IMPORTED_MODULE_2__/* .NAMED_KEYS */ .j.includes(key)) {
            fail([key], `field ${(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .show */ .WU)(key)}`, 'unknown field in the top level', `Allowed beside "schedules" are: ${[..._named_js__WEBPACK_IMPORTED_MODULE_2__/* .NAMED_KEYS */ .j, ...defaultKeys].join(', ')}. Check the spelling.`);
        }
        if (value === null && key !== 'schedules')
            fail([key], `field ${(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .show */ .WU)(key)}`, 'has no value', 'Give it a value, or remove the line.');
    }
    const schedules = doc.schedules;
    if (schedules === undefined) {
        fail(['default-schedule'], 'default-schedule', 'is set, but there are no named schedules', 'Add "schedules:" with one named schedule under it, or remove default-schedule.');
    }
    if (!(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .isMapping */ .pi)(schedules) || Object.keys(schedules).length === 0) {
        fail(['schedules'], 'schedules', `expected a mapping of named schedules, found ${(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .isMapping */ .pi)(schedules) ? 'none' : (0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .kindOf */ .I)(schedules)}`, 'Write "schedules:", then each schedule\'s name indented under it (e.g. "  business-hours:") and its fields indented under the name.');
    }
    const defaults = Object.fromEntries(Object.entries(doc).filter(([key]) => !_named_js__WEBPACK_IMPORTED_MODULE_2__/* .NAMED_KEYS */ .j.includes(key)));
    const byName = new Map();
    for (const [name, entry] of Object.entries(schedules)) {
        const at = `schedules.${shortName(name)}`;
        if (!_named_js__WEBPACK_IMPORTED_MODULE_2__/* .SCHEDULE_NAME */ .Of.test(name))
            fail(['schedules', name], at, `${(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .show */ .WU)(name)} is not a schedule name`, NAME_HINT);
        if (!(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .isMapping */ .pi)(entry)) {
            fail(['schedules', name], at, `expected a schedule (a mapping with "default" and "rules"), found ${(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .kindOf */ .I)(entry)}`, 'Indent the schedule\'s fields under its name, e.g. "    default: { kpu: 2 }".');
        }
        try {
            byName.set(name, (0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .parseScheduleMapping */ .XJ)({ ...defaults, ...entry }));
        }
        catch (error) {
            if (!(error instanceof _schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .ScheduleFieldError */ .qt))
                throw error;
            const path = pathOf(error.where);
            // A field the schedule takes from the top level is wrong there, for every schedule that does.
            const inherited = typeof path[0] === 'string' && !(path[0] in entry) && path[0] in defaults;
            if (inherited)
                fail(path, `${pathText(path)} (a top-level default, in ${at})`, error.problem, error.hint);
            // The single parser's top level is the named schedule's own.
            const problem = error.problem === 'unknown field in the top level' ? 'unknown field in a schedule' : error.problem;
            fail(['schedules', name, ...path], path.length > 0 ? `${at}.${pathText(path)}` : at, problem, error.hint);
        }
    }
    const named = { byName };
    const chosen = doc['default-schedule'];
    if (chosen !== undefined) {
        if (typeof chosen !== 'string' || !byName.has(chosen)) {
            fail(['default-schedule'], 'default-schedule', `${(0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .show */ .WU)(chosen)} is not one of the schedules (${[...byName.keys()].join(', ')})`, 'Name one of the schedules under "schedules:".');
        }
        named.defaultSchedule = chosen;
    }
    return named;
}
/**
 * The place a single-schedule error names, as a path: `field "lead"` → [lead],
 * `default, field "kpu"` → [default, kpu], `rules[2] "name", field "from"` → [rules, 2, from].
 */
function pathOf(where) {
    const path = [];
    const rule = /^rules\[(\d+)\]/.exec(where);
    if (rule)
        path.push('rules', Number(rule[1]));
    else {
        const head = /^([a-z][a-z-]*)(?:,|$)/.exec(where);
        if (head)
            path.push(head[1]);
    }
    const field = /field "([^"]+)"$/.exec(where);
    if (field)
        path.push(field[1]);
    return path;
}
/** [rules, 0, from] → rules[0].from */
function pathText(path) {
    return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i > 0 ? '.' : ''}${step}`)).join('');
}
/** The line (from 1) of the deepest place of `path` that exists in the text (with `exact`, only of the place itself), as `{ line }`, or nothing. */
function lineField(text, path, exact = false) {
    const line = (0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .lineAt */ .mh)(text, path, exact);
    return line === undefined ? {} : { line };
}
/** The line of a named schedule's field: its own, else the top-level default it takes, as `{ line }`. */
function namedLine(text, name, field) {
    const own = lineField(text, ['schedules', name, field], true);
    return own.line === undefined ? lineField(text, [field], true) : own;
}
// ---------------------------------------------------------------------------------------------
/** A name as an error shows it in a path: as is when it is one, else quoted short. */
function shortName(name) {
    return _named_js__WEBPACK_IMPORTED_MODULE_2__/* .SCHEDULE_NAME */ .Of.test(name) && name.length <= 60 ? name : (0,_schedule_js__WEBPACK_IMPORTED_MODULE_1__/* .show */ .WU)(name);
}


/***/ })

};

//# sourceMappingURL=830.index.js.map