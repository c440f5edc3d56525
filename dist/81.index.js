export const id = 81;
export const ids = [81];
export const modules = {

/***/ 7081:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  reportSuggestions: () => (/* binding */ reportSuggestions)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 17 modules
var core = __webpack_require__(418);
// EXTERNAL MODULE: ./src/github/escape.ts
var github_escape = __webpack_require__(6028);
// EXTERNAL MODULE: ./src/github/github-run.ts + 1 modules
var github_run = __webpack_require__(3741);
// EXTERNAL MODULE: ./src/phases/outcome.ts
var outcome = __webpack_require__(9944);
// EXTERNAL MODULE: ./src/github/report.ts
var report = __webpack_require__(2745);
// EXTERNAL MODULE: ./node_modules/luxon/build/es6/luxon.mjs
var luxon = __webpack_require__(8714);
// EXTERNAL MODULE: ./src/github/summary.ts
var summary = __webpack_require__(2935);
// EXTERNAL MODULE: ./src/schedule/history.ts
var schedule_history = __webpack_require__(5409);
// EXTERNAL MODULE: ./src/schedule/week.ts
var week = __webpack_require__(9429);
// EXTERNAL MODULE: ./src/schedule/suggestion.ts + 1 modules
var schedule_suggestion = __webpack_require__(5452);
;// CONCATENATED MODULE: ./src/github/suggest-summary.ts
/**
 * The job summary of a suggest run (pure): per application the suggested schedule's figures on the
 * weeks it was made from, the week it asks for drawn, and the YAML ready to commit.
 */







/**
 * Said when no schedule gave the zone: a schedule in UTC keeps no daylight-saving time, so work that
 * starts at 08:00 local time is at another UTC hour half of the year.
 */
const UTC_WARNING = 'No schedule was given beside suggest, so the proposal is in UTC, which has no daylight-saving time: where the load follows local office hours, ' +
    'it is an hour off for half of the year. Give your zone beside suggest, e.g. schedule: "{ timezone: America/Los_Angeles, default: { kpu: 1 } }" ' +
    '(only its timezone is used), and run again.';
/** Up to this many applications are shown unfolded. */
const UNFOLDED = 3;
/** Applications named in the headline; more are counted. */
const NAMED = 3;
function renderSuggestSummary(report) {
    const { run, utilization } = report;
    const lines = [
        '## Flink scheduled scaling',
        '',
        '> [!NOTE]',
        `> **Suggestion**: nothing was changed. Each schedule below is proposed from the application's own CloudWatch metrics of the last ${report.days} days, ` +
            `sized to keep containerCPUUtilization (${schedule_history/* CPU_PERCENTILE */.V6} of each hour) at or under ${utilization}%.`,
        '',
        `**${(0,github_escape/* markdownText */.p7)(headline(run))}**`,
        '',
        `${report.startedBy ? `Started by ${(0,github_escape/* markdownText */.p7)(report.startedBy)}; metrics` : 'Metrics'} of ${utc(run.from)} to ${utc(run.to)} ` +
            `(${hoursBetween(run.from, run.to)} hours, hourly), schedules in ${run.timezone}.`,
        ''
    ];
    if (run.zoneGiven === false && run.suggested.length > 0)
        lines.push('> [!WARNING]', `> ${(0,github_escape/* markdownText */.p7)(UTC_WARNING)}`, '');
    lines.push(...(0,summary/* failuresSection */.Lb)(run.outcomes));
    if (run.suggested.length === 0)
        return lines.join('\n');
    if (run.suggested.length > 1)
        lines.push(...overview(run.suggested, utilization), '');
    const fold = run.suggested.length > UNFOLDED;
    for (const s of run.suggested) {
        const title = `${(0,github_escape/* markdownText */.p7)(s.ref.name)} (${where(s.ref)})${s.name !== undefined && s.name !== s.ref.name ? `, schedule ${(0,github_escape/* markdownCode */.D9)(s.name)}` : ''}`;
        const body = [...figuresTable(s, utilization), '', `**The week it asks for** (the week of ${luxon/* DateTime */.c9.fromJSDate(report.clock, { zone: run.timezone }).startOf('week').toISODate()}):`, '', suggest_summary_week(s, report)];
        if (fold)
            lines.push('<details>', `<summary>${title}: ${sizesText(s)}, ${share(s.suggestion.figures)} carried</summary>`, '', ...body, '', '</details>', '');
        else
            lines.push(`### ${title}`, '', ...body, '');
    }
    lines.push('### The schedule to commit', '', ...commitAdvice(report), '', ...codeBlock(run.yaml, 'yaml'), '');
    return lines.join('\n');
}
/** One line that says what the run did. */
function headline(run) {
    const names = (list) => (list.length <= NAMED ? join(list) : `${list.length} applications`);
    const failed = run.outcomes.filter((o) => o.action === 'failed').map((o) => (o.application === outcome/* EVERY_APPLICATION */.D9 ? `every application of ${o.region}` : o.application));
    const failures = failed.length > 0 ? `${names(failed)} failed` : '';
    if (run.suggested.length === 0)
        return `No schedule suggested${failures ? `: ${failures}` : ''}`;
    const what = run.suggested.length === 1
        ? `Suggested a schedule for ${run.suggested[0].ref.name}: ${sizesText(run.suggested[0])}`
        : `Suggested schedules for ${names(run.suggested.map((s) => s.ref.name))}`;
    return failures ? `${what}; ${failures}` : what;
}
/** Several applications at a glance: sizes, hours carried, KPU-hours. */
function overview(suggested, utilization) {
    const priced = suggested.some((s) => s.suggestion.figures.cost);
    const rows = [
        `| Application | Sizes | Carried at ≤ ${utilization}% | KPU-hours: suggested / used / flat at the peak |${priced ? ' Cost: suggested / used / flat |' : ''} Hours without data |`,
        `| --- | --- | --- | --- |${priced ? ' --- |' : ''} --- |`
    ];
    for (const s of suggested) {
        const f = s.suggestion.figures;
        const cost = f.cost ? ` ${money(f.cost.schedule)} / ${money(f.cost.used)} / ${money(f.cost.flat)} |` : priced ? ' – |' : '';
        rows.push(`| ${(0,github_escape/* markdownText */.p7)(s.name ?? s.ref.name)} | ${sizesText(s)} | ${share(f)} | ${number(f.kpuHours.schedule)} / ${number(f.kpuHours.used)} / ${number(f.kpuHours.flat)} |${cost} ${f.hoursWithoutData} |`);
    }
    return rows;
}
/** One application's figures, measured on the hours the schedule was made from. */
function figuresTable({ suggestion }, utilization) {
    const { figures: f, proposal } = suggestion;
    const rules = proposal.rules.map((rule) => `${rule.kpu} KPU ${rule.name}`);
    const rows = [
        '| | |',
        '| --- | --- |',
        `| Schedule | ${[`${proposal.defaultKpu} KPU by default`, ...rules].join('; ')} |`,
        `| Hours carried at or under ${utilization}% CPU | ${f.carried} of ${f.hoursWithData} (${share(f)}) |`,
        `| The busiest hour under it | ${worstText(f)} |`,
        `| KPU-hours | ${number(f.kpuHours.schedule)} suggested · ${number(f.kpuHours.used)} used · ${number(f.kpuHours.flat)} flat at the peak (${f.peakKpu} KPU) |`
    ];
    if (f.cost) {
        rows.push(`| Cost at ${number(f.cost.price, 4)} per KPU-hour | ${money(f.cost.schedule)} suggested · ${money(f.cost.used)} used · ${money(f.cost.flat)} flat at the peak |`);
    }
    rows.push(`| Hours without data | ${f.hoursWithoutData === 0 ? 'none' : `${f.hoursWithoutData} of ${f.lookBackHours}: the application was stopped, or did not exist yet; left out of every figure`} |`);
    if (proposal.setAside > 0) {
        const hours = `${proposal.setAside} past hour${proposal.setAside === 1 ? '' : 's'}`;
        const carriedAnyway = f.underProvisioned === 0 ? ', though the sizes chosen carry them all the same' : '';
        rows.push(`| Set aside | ${hours}, each the busiest of its hour of the week and above the other weeks there (a one-off, not a weekly need): not sized for${carriedAnyway} |`);
    }
    if (f.atFullCpu > 0) {
        rows.push(`| At full CPU | ${f.atFullCpu} past hour${f.atFullCpu === 1 ? '' : 's'} ran at ${schedule_suggestion/* FULL_CPU */.$d}% or more (${schedule_history/* CPU_PERCENTILE */.V6}): the job was likely behind, so ${f.atFullCpu === 1 ? 'it' : 'they'} may have needed more than the CPU shows. ` +
            'Check millisBehindLatest or records_lag_max for those hours before trusting the sizes (docs/suggest.md). |');
    }
    return rows;
}
/** "Tue 2026-03-03 09:00 PST: p90 38% on 12 KPU, 45% on the suggested 10 KPU (Maximum 52%), 7 points over the aim". */
function worstText(f) {
    const w = f.worst;
    const max = w.projectedMax !== undefined ? ` (Maximum ${percent(w.projectedMax)})` : '';
    const over = w.over > 0 ? `, ${number(w.over)} points over the aim` : ', under the aim';
    const full = w.cpu >= schedule_suggestion/* FULL_CPU */.$d ? ' (it ran at full CPU, so it may have needed more)' : '';
    return `${w.local}: ${schedule_history/* CPU_PERCENTILE */.V6} ${percent(w.cpu)} on the ${number(w.ranKpu)} KPU that ran, ${percent(w.projected)} on the suggested ${w.kpu} KPU${max}${over}${full}`;
}
function suggest_summary_week(s, report) {
    const monday = luxon/* DateTime */.c9.fromJSDate(report.clock, { zone: report.run.timezone }).startOf('week').toJSDate();
    return (0,week/* renderWeek */.V)((0,week/* weekAhead */.y)(s.suggestion.schedule, monday, s.state.parallelismPerKpu, report.kpuHourPrice));
}
/** Where to put the YAML, and how the scheduled runs then follow it. */
function commitAdvice(report) {
    const file = report.scheduleFile ?? '.github/flink-schedule.yml';
    if (!report.run.named) {
        return [`Save it as ${(0,github_escape/* markdownCode */.D9)(file)} (\`schedule-file\`) and run without \`suggest\`: the scheduled runs then follow it. Read it over first: it is what the past weeks needed, not what is coming.`];
    }
    const tag = (0,github_escape/* markdownCode */.D9)(report.tagKey ?? 'flink-schedule');
    return [
        `Save it as ${(0,github_escape/* markdownCode */.D9)(file)} (\`schedule-file\`): one named schedule per application, named after it. ` +
            `Tag each application ${tag} with the name of its schedule and run with ${(0,github_escape/* markdownCode */.D9)(`select-by-tag: ${report.tagKey ?? 'flink-schedule'}`)}, without \`suggest\` (docs/fleets.md). ` +
            'Read them over first: they are what the past weeks needed, not what is coming.'
    ];
}
/** A fenced block that nothing in `text` can close. */
function codeBlock(text, language) {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = '`'.repeat(Math.max(3, longest + 1));
    return [`${fence}${language}`, ...text.replace(/\n$/, '').split('\n'), fence];
}
/** "3-12 KPU, 2 rules", "4 KPU, flat". */
function sizesText({ suggestion }) {
    const { proposal } = suggestion;
    const sizes = [proposal.defaultKpu, ...proposal.rules.map((rule) => rule.kpu)];
    const low = Math.min(...sizes);
    const high = Math.max(...sizes);
    const rules = proposal.rules.length;
    return `${low === high ? low : `${low}-${high}`} KPU, ${rules === 0 ? 'flat' : `${rules} rule${rules === 1 ? '' : 's'}`}`;
}
/** "99.4%": carried hours, rounded down so that a hour short of all is never 100%. */
function share(f) {
    return `${Math.floor(f.carriedShare * 1000) / 10}%`;
}
function percent(value) {
    return `${number(value)}%`;
}
/** "us-east-1", or "eu-west-1, account 210987654321" with account-roles. */
function where(o) {
    return o.account ? `${o.region}, account ${o.account}` : o.region;
}
function utc(at) {
    return luxon/* DateTime */.c9.fromJSDate(at, { zone: 'UTC' }).toFormat("yyyy-MM-dd HH:mm 'UTC'");
}
function hoursBetween(from, to) {
    return Math.round((to.getTime() - from.getTime()) / 3_600_000);
}
function join(names) {
    return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
/** 2,330 or 2,341.7. */
function number(value, digits = 1) {
    return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}
function money(value) {
    return value.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
}

;// CONCATENATED MODULE: ./src/github/suggest-report.ts
/**
 * The report of a suggest run: the outputs (`suggested-schedule` among them), the log (a group per
 * application, then the YAML), annotations for what failed, and the job summary. The exit code is
 * failure when any application failed. Loaded only by such runs.
 */






const info = (text) => core/* info */.pq((0,github_escape/* logLine */.BP)(text));
async function reportSuggestions(config, run, github) {
    core/* setOutput */.uH('changed', 'false');
    core/* setOutput */.uH('results', JSON.stringify(run.outcomes.map(outcome/* publicFields */.p0)));
    // A suggestion decides no target and follows no schedule: these are empty.
    core/* setOutput */.uH('target-parallelism', '');
    core/* setOutput */.uH('next-transition', '');
    core/* setOutput */.uH('next-parallelism', '');
    core/* setOutput */.uH('suggested-schedule', run.yaml ?? '');
    info(headline(run));
    if (!run.zoneGiven && run.suggested.length > 0)
        core/* warning */.$e(UTC_WARNING);
    for (const o of run.outcomes) {
        core/* startGroup */.Oh(`${o.application} (${o.account ? `${o.region}, account ${o.account}` : o.region}): ${o.action === 'failed' ? 'failed' : 'suggested'}`);
        info(o.reason);
        if (o.hint)
            info(`Fix: ${o.hint}`);
        const s = run.suggested.find((each) => each.ref.name === o.application && each.ref.region === o.region && each.ref.account === o.account);
        if (s) {
            const { worst } = s.suggestion.figures;
            info(`The busiest hour under it: ${worst.local}, ${worst.projected.toFixed(1)}% CPU on ${worst.kpu} KPU (aim ${s.suggestion.figures.utilization}%).`);
            if (s.suggestion.figures.atFullCpu > 0)
                info(`${s.suggestion.figures.atFullCpu} hours ran at full CPU: the job was likely behind then, and may have needed more than they show.`);
            if (s.suggestion.figures.hoursWithoutData > 0)
                info(`${s.suggestion.figures.hoursWithoutData} of ${s.suggestion.figures.lookBackHours} hours had no data (stopped, or not yet created) and are left out.`);
        }
        core/* endGroup */.N4();
    }
    if (run.yaml) {
        core/* startGroup */.Oh(run.named ? 'The suggested schedules (the suggested-schedule output)' : 'The suggested schedule (the suggested-schedule output)');
        for (const line of run.yaml.replace(/\n$/, '').split('\n'))
            info(line);
        core/* endGroup */.N4();
    }
    (0,report/* annotate */.fz)(run.outcomes.filter((o) => o.action === 'failed'), 'no schedule suggested');
    await (0,report/* writeSummary */.Sy)(renderSuggestSummary({
        run,
        days: config.suggest.days,
        utilization: config.suggest.utilization,
        ...(config.kpuHourPrice !== undefined ? { kpuHourPrice: config.kpuHourPrice } : {}),
        startedBy: (0,github_run/* startedBy */.l)(github),
        clock: config.clock,
        ...(config.scheduleFile ? { scheduleFile: config.scheduleFile } : {}),
        ...(config.selectByTag ? { tagKey: config.selectByTag } : {})
    }));
    const failed = run.outcomes.filter((o) => o.action === 'failed').length;
    if (failed > 0) {
        info(`${failed} of ${run.outcomes.length} application${run.outcomes.length === 1 ? '' : 's'} failed.`);
        process.exitCode = 1;
    }
}


/***/ })

};

//# sourceMappingURL=81.index.js.map