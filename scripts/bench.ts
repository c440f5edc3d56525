/**
 * npm run bench: how fast the bundled action starts and fans out, against the local emulator.
 *
 *   npm run bench                                  # the budgets, on dist/
 *   npm run bench -- --runs 15                     # more runs per scenario (default 9, at least 7)
 *   npm run bench -- --dist /tmp/old-dist --dist dist   # two builds side by side, in one run
 *   npm run bench -- --breakdown                   # where the time of a no-op run goes
 *   npm run bench -- --fleet                       # 1 to 300 applications updated and followed (minutes)
 *   npm run bench -- --fleet --dist /tmp/old-dist --dist dist   # the same, two builds in one run
 *   npm run bench -- --guard                       # 100 scale-downs with the guard beside the same without it
 *   npm run bench -- --select-by-tag               # 300 tagged applications chosen by tag beside named (minutes)
 *   npm run bench -- --prune                       # 100 applications scaled with prune-snapshots beside without (minutes)
 *   npm run bench -- --suggest                     # suggest: 28d over 50 applications beside the no-op run over them
 *
 * Every scenario is timed from spawn to exit, as the runner sees it (runner/run-action.ts), with
 * the Node the runner uses (node24: ACTION_NODE, else `npx -y node@24`, else this Node). The
 * scenarios are interleaved round by round after one warm-up round, and each figure is the
 * median. Peak RSS comes from separate runs under GNU time (`/usr/bin/time -f %M`, the kernel's
 * ru_maxrss of the child), so the timed runs are not wrapped. Budgets are ratios measured in the
 * same run, so a slower machine moves both sides. Writes bench-results.json; exits 1 when a
 * budget fails.
 *
 * --fleet instead runs fleets of 1, 20, 100 and 300 applications spread over three regions, every
 * one below its target, with wait: true, against a fresh emulator per run (updates last 4 s,
 * 30 ms per call, a request-rate quota per region): spawn to exit, the last application at target
 * (the latest operation EndTime), requests per application and how many were throttled, peak
 * RSS. Writes bench-results-fleet.json. See fleetBenchmark() below.
 *
 * --guard runs 100 applications of one region scaling down 20 → 10 KPU in one run, once with a
 * guard (lag and CPU, read with GetMetricData) and once without, interleaved: time to target and
 * CloudWatch requests per application checked. Writes bench-results-guard.json. See guardBenchmark().
 *
 * --select-by-tag runs the 300-application fleet, every application tagged with one of three named
 * schedules, twice a round: chosen by tag (select-by-tag over the three regions) and named
 * (application-name, their ARNs), against the same emulator settings. Budgets: the tag run costs at
 * most the ListApplications pages more requests, and reaches the target within 1.1 × the time.
 * Writes bench-results-select.json. See selectBenchmark() below.
 *
 * --prune runs the 100-application fleet twice per round, every application with 50 snapshots
 * older than a week: once as is, once with prune-snapshots: 10 (41 deletions each, after its
 * update is at target). Both count the snapshots; the budget holds the time to target of the one
 * that prunes within 1.1 × the one that does not. Writes bench-results-prune.json.
 *
 * --suggest runs 50 applications of one region, each with 29 days of business-hours history, twice
 * per round against one emulator: the no-op run (the schedule asks what they run at) and
 * `suggest: 28d`, 30 ms per call (CloudWatch too). The emulator synthesises a history when first
 * read and keeps what it made, as CloudWatch stores its data: the warm-up round pays that once.
 * Budgets: at most 1 GetMetricData request per 25 applications, and spawn to exit within 2 × the
 * no-op run. Writes bench-results-suggest.json. See suggestBenchmark().
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { SourceMap } from 'node:module'
import { parseArgs } from 'node:util'
import { EMULATOR_ACCOUNT_ID, loadCurves, startEmulator, type Emulator } from '../emulator/index.js'
import { ROOT, inputDefaults, runAction, type ActionRun } from '../runner/run-action.js'

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string' },
    dist: { type: 'string', multiple: true },
    breakdown: { type: 'boolean', default: false },
    fleet: { type: 'boolean', default: false },
    guard: { type: 'boolean', default: false },
    'select-by-tag': { type: 'boolean', default: false },
    prune: { type: 'boolean', default: false },
    suggest: { type: 'boolean', default: false },
    /** Fleet sizes to run (--fleet only), e.g. 1,20 for a quick look; the budgets need 1, 100 and 300. */
    sizes: { type: 'string', default: '1,20,100,300' },
    /** The emulator's request quota per region in the fleet scenario, requests per second (and burst). */
    quota: { type: 'string', default: '100' },
    json: { type: 'string' }
  }
})
const RUNS = Math.max(7, Number(args.runs ?? 9))
const JSON_FILE =
  args.json ??
  path.join(ROOT, args.suggest ? 'bench-results-suggest.json' : args.prune ? 'bench-results-prune.json' : args.fleet ? 'bench-results-fleet.json' : args.guard ? 'bench-results-guard.json' : args['select-by-tag'] ? 'bench-results-select.json' : 'bench-results.json')
const DISTS = (args.dist?.length ? args.dist : ['dist']).map((dir) => path.resolve(ROOT, dir))
/** How a build is named in the output: its folder's name, or its path when two builds share a name (/tmp/old/dist, dist). */
const distName = (dist: string) => {
  const unique = new Set(DISTS.map((d) => path.basename(d))).size === DISTS.length
  const relative = path.relative(ROOT, dist)
  return unique ? path.basename(dist) : relative.startsWith('..') ? dist : relative
}

/** Writes a benchmark's results to JSON_FILE, says where, and fails the process when a budget failed. */
function saveResults(results: object, budgets: readonly { pass: boolean }[]): void {
  writeFileSync(JSON_FILE, JSON.stringify(results, null, 2) + '\n')
  console.log(`\nWrote ${path.relative(process.cwd(), JSON_FILE)}`)
  if (budgets.some((b) => !b.pass)) process.exitCode = 1
}

const BUDGETS = {
  /** A run that changes nothing costs at most this many runs of the AWS sample's describe-and-compare in boto3. */
  noopOverBoto3: 1.1,
  /** 50 applications cost at most this many single applications (30 ms per AWS call). */
  fanOut: 3,
  bundleBytes: 1_500_000,
  peakRssBytes: 120_000_000
}
const LATENCY_MS = 30
const FLEET = 50

/** 10 KPU at night, 20 on weekday daytime: a realistic schedule, so a run evaluates it and its week ahead. */
const SCHEDULE = `
timezone: America/Los_Angeles
default: { kpu: 10 }
max: 64
rules:
  - name: weekday-daytime
    days: Mon-Fri
    from: "05:05"
    to: "18:05"
    kpu: 20
`
/** Wednesday 02:00 in Los Angeles: the schedule asks for 10 KPU (parallelism 10). */
const AT = '2026-12-02T02:00:00-08:00'
/** The same day aware of US public holidays and ready 20 minutes early: a run loads the holiday data. */
const HOLIDAY_SCHEDULE = SCHEDULE.replace('max: 64\n', 'max: 64\nholidays: US\nlead: 20m\n').replace('    kpu: 20', '    on-holidays: skip\n    kpu: 20')
const REGION = 'us-east-1'
const fleet = Array.from({ length: FLEET }, (_, i) => `fleet-${String(i + 1).padStart(2, '0')}`)

// ---------------------------------------------------------------------------------------------
// Tools: which node, which aws, how peak RSS is read

function actionNode(): string {
  if (process.env.ACTION_NODE) return process.env.ACTION_NODE
  const found = spawnSync('npx', ['-y', 'node@24', '-p', 'process.execPath'], { encoding: 'utf8', timeout: 180_000 })
  const execPath = found.stdout?.trim()
  return found.status === 0 && execPath && existsSync(execPath) ? execPath : process.execPath
}

function version(command: string, argv: string[]): string {
  const out = spawnSync(command, argv, { encoding: 'utf8' })
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0]
}

/** The AWS CLI, with a pyenv shim resolved to the real script (the shim alone adds a few hundred ms). */
function awsCli(): { command: string; version: string } | undefined {
  const candidates: string[] = []
  const which = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).stdout.trim()
  if (which.includes('/.pyenv/shims/')) {
    const real = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' }).stdout?.trim()
    if (real) candidates.push(real)
  } else if (which) candidates.push(which)
  candidates.push('/usr/bin/aws', '/usr/local/bin/aws')
  for (const command of candidates) {
    if (!existsSync(command)) continue
    const v = version(command, ['--version'])
    if (v.startsWith('aws-cli/')) return { command, version: v.split(' ')[0] }
  }
  return undefined
}

/** A Python with boto3: the runtime of the AWS sample's Lambda function. */
function boto3Python(): { command: string; version: string } | undefined {
  for (const command of ['python3', '/usr/bin/python3', '/usr/local/bin/python3']) {
    const out = spawnSync(command, ['-c', 'import sys, boto3; print(sys.version.split()[0], boto3.__version__)'], { encoding: 'utf8' })
    if (out.status === 0) {
      const [python, boto3] = out.stdout.trim().split(' ')
      return { command, version: `Python ${python}, boto3 ${boto3}` }
    }
  }
  return undefined
}

/**
 * What the AWS sample's Lambda function does on every invocation, as a script: describe the
 * application, work out the hour's target, compare, and update only when it differs.
 */
const BOTO3_SAMPLE = `
import os, sys, datetime, boto3
client = boto3.client('kinesisanalyticsv2', region_name=sys.argv[2], endpoint_url=sys.argv[3])
detail = client.describe_application(ApplicationName=sys.argv[1])['ApplicationDetail']
config = detail['ApplicationConfigurationDescription']['FlinkApplicationConfigurationDescription']['ParallelismConfigurationDescription']
# The sample keys its target on the UTC hour; the instant is the one the action is given (at).
hour = datetime.datetime.fromisoformat(sys.argv[4]).astimezone(datetime.timezone.utc).hour
target = 20 if hour >= 13 or hour < 2 else 10
if config['Parallelism'] != target:
    client.update_application(ApplicationName=sys.argv[1], CurrentApplicationVersionId=detail['ApplicationVersionId'],
        ApplicationConfigurationUpdate={'FlinkApplicationConfigurationUpdate': {'ParallelismConfigurationUpdate': {
            'ConfigurationTypeUpdate': 'CUSTOM', 'ParallelismUpdate': target, 'ParallelismPerKPUUpdate': 1, 'AutoScalingEnabledUpdate': False}}})
print('parallelism', config['Parallelism'], 'target', target)
`

const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((file) => spawnSync(file, ['-f', '%M', 'true']).status === 0)

/**
 * A stand-in for node that runs the real one under GNU time, writing ru_maxrss (KiB) to
 * BENCH_RSS_FILE. bash, not sh: dash drops variables such as INPUT_APPLICATION-NAME.
 */
function rssWrapper(dir: string, node: string): string {
  const file = path.join(dir, 'node-under-time.sh')
  writeFileSync(file, `#!/usr/bin/env bash\nexec ${GNU_TIME} -f %M -o "$BENCH_RSS_FILE" ${JSON.stringify(node)} "$@"\n`, { mode: 0o755 })
  return file
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Timed {
  ms: number
  rssBytes?: number
}

/** Spawn to exit, stdio piped like the runner's; optionally under GNU time for peak RSS. */
async function timeCommand(command: string, argv: string[], env: NodeJS.ProcessEnv, withRss = false): Promise<Timed> {
  const rssFile = path.join(scratch, 'rss')
  const [file, fileArgs] = withRss && GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...argv]] : [command, argv]
  const started = performance.now()
  const child = spawn(file, fileArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)))
  const ms = performance.now() - started
  if (code !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${code}:\n${output.slice(0, 2000)}`)
  return { ms, rssBytes: withRss && GNU_TIME ? readRss(rssFile) : undefined }
}

function readRss(file: string): number {
  // GNU time writes "Command exited with non-zero status N" first when the child fails.
  const kib = Number(readFileSync(file, 'utf8').trim().split('\n').pop())
  return kib * 1024
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

interface Scenario {
  key: string
  label: string
  /** One run; returns its duration (and peak RSS when asked). */
  run(withRss: boolean): Promise<Timed>
}

function expectRun(run: ActionRun, what: string, check: (run: ActionRun) => boolean): void {
  if (run.exitCode !== 0 || !check(run)) {
    throw new Error(`${what}: unexpected result (exit ${run.exitCode})\n${run.stdout.slice(0, 3000)}\n${run.stderr.slice(0, 2000)}`)
  }
}

const results = (run: ActionRun) => JSON.parse(run.outputs.results ?? '[]') as { action: string }[]

// ---------------------------------------------------------------------------------------------
// Set-up

const scratch = mkdtempSync(path.join(tmpdir(), 'flink-scaler-bench-'))
const node = actionNode()
const nodeVersion = version(node, ['-v'])
const aws = awsCli()
const python = boto3Python()
const cpuModel = /model name\s*:\s*(.*)/.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? cpus()[0]?.model
const machine = {
  nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
  cpu: cpuModel ?? 'unknown',
  actionNode: `${nodeVersion} (${node})`,
  benchNode: process.version,
  aws: aws?.version ?? 'not installed',
  boto3: python ? `${python.version} (${python.command})` : 'not installed',
  rss: GNU_TIME ? `${GNU_TIME} -f %M (ru_maxrss of the child)` : 'not measured: install GNU time (apt-get install time)'
}

for (const dist of DISTS) {
  if (!existsSync(path.join(dist, 'index.js'))) throw new Error(`${dist}/index.js is missing: run npm run bundle first.`)
}

const emulator: Emulator = await startEmulator({
  updateDurationMs: 50,
  applications: [
    { name: 'orders', region: REGION, parallelism: 10 },
    ...fleet.map((name) => ({ name, region: REGION, parallelism: 10 }))
  ]
})
const emulatorEnv = emulator.env({ region: REGION })
// No config or credentials file of this machine's user may change what the SDK or the CLI does.
const isolated = { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' }

function actionScenarios(dist: string, tag: string): Scenario[] {
  const entry = path.join(dist, 'index.js')
  let updates = 0
  const wrapper = GNU_TIME ? rssWrapper(scratch, node) : undefined
  const action = async (inputs: Record<string, string>, withRss: boolean) => {
    const rssFile = path.join(scratch, 'rss-action')
    const run = await runAction(inputs, {
      entry,
      node: withRss && wrapper ? wrapper : node,
      env: { ...emulatorEnv, ...isolated, ...(withRss ? { BENCH_RSS_FILE: rssFile } : {}) }
    })
    return { run, rssBytes: withRss && wrapper ? readRss(rssFile) : undefined }
  }
  const base = { region: REGION, schedule: SCHEDULE, at: AT }
  const withLatency = async <T>(work: () => Promise<T>) => {
    const rule = emulator.faults.set({ latencyMs: LATENCY_MS })
    try {
      return await work()
    } finally {
      rule.clear()
    }
  }
  return [
    {
      key: `${tag}noop`,
      label: `${tag}no-op run (1 application, already at target)`,
      async run(withRss) {
        const { run, rssBytes } = await action({ ...base, 'application-name': 'orders' }, withRss)
        expectRun(run, 'no-op run', (r) => r.outputs.changed === 'false' && results(r)[0]?.action === 'skipped')
        return { ms: run.durationMs, rssBytes }
      }
    },
    {
      key: `${tag}update`,
      label: `${tag}update run (wait: false)`,
      async run(withRss) {
        // A fresh application each time, below its target, so every run sends one UpdateApplication.
        const name = `update-${tag.replace(/\W/g, '')}${++updates}`
        emulator.addApplication({ name, region: REGION, parallelism: 4 })
        const { run, rssBytes } = await action({ ...base, 'application-name': name, wait: 'false' }, withRss)
        expectRun(run, 'update run', (r) => r.outputs.changed === 'true' && results(r)[0]?.action === 'updated')
        return { ms: run.durationMs, rssBytes }
      }
    },
    {
      key: `${tag}one`,
      label: `${tag}1 application, ${LATENCY_MS} ms per AWS call`,
      run: (withRss) =>
        withLatency(async () => {
          const { run, rssBytes } = await action({ ...base, 'application-name': fleet[0] }, withRss)
          expectRun(run, '1 application', (r) => results(r).length === 1 && results(r)[0].action === 'skipped')
          return { ms: run.durationMs, rssBytes }
        })
    },
    {
      key: `${tag}fleet`,
      label: `${tag}${FLEET} applications, ${LATENCY_MS} ms per AWS call`,
      run: (withRss) =>
        withLatency(async () => {
          const { run, rssBytes } = await action({ ...base, 'application-name': fleet.join('\n') }, withRss)
          expectRun(run, `${FLEET} applications`, (r) => results(r).length === FLEET && results(r).every((o) => o.action === 'skipped'))
          return { ms: run.durationMs, rssBytes }
        })
    },
    ...(knowsHolidays(dist)
      ? [
          {
            key: `${tag}holidays`,
            label: `${tag}no-op run with holidays: US and lead (loads the holiday data)`,
            async run(withRss: boolean) {
              const { run, rssBytes } = await action({ ...base, schedule: HOLIDAY_SCHEDULE, 'application-name': 'orders' }, withRss)
              expectRun(run, 'holiday no-op run', (r) => r.outputs.changed === 'false' && results(r)[0]?.action === 'skipped')
              return { ms: run.durationMs, rssBytes }
            }
          }
        ]
      : [])
  ]
}

const floor: Scenario = {
  key: 'floor',
  label: '`node -e 0` (the floor)',
  run: (withRss) => timeCommand(node, ['-e', '0'], { PATH: process.env.PATH ?? '' }, withRss)
}
const awsScenario: Scenario | undefined = aws && {
  key: 'aws',
  label: `\`aws kinesisanalyticsv2 describe-application\` (${aws.version})`,
  run: (withRss) =>
    timeCommand(
      aws.command,
      ['kinesisanalyticsv2', 'describe-application', '--application-name', 'orders', '--endpoint-url', emulator.url, '--region', REGION],
      { PATH: process.env.PATH ?? '', HOME: scratch, ...emulatorEnv, ...isolated },
      withRss
    )
}

const boto3Scenario: Scenario | undefined = python && {
  key: 'boto3',
  label: `boto3 script: the sample's describe-and-compare (${python.version})`,
  run: (withRss) => {
    const script = path.join(scratch, 'sample.py')
    if (!existsSync(script)) writeFileSync(script, BOTO3_SAMPLE)
    return timeCommand(python.command, [script, 'orders', REGION, emulator.url, AT], { PATH: process.env.PATH ?? '', HOME: scratch, ...emulatorEnv, ...isolated }, withRss)
  }
}

// ---------------------------------------------------------------------------------------------
// Breakdown: where the time of a no-op run goes

interface Breakdown {
  dist: string
  phasesMs: Record<string, number>
  importWithoutInputsMs: number
  compileOnlyMs: number
  profile: { selfMs: Record<string, number>; inclusiveMs: Record<string, number> }
}

/**
 * Wall-clock phases from marks taken by a small ES module that imports the bundle (so it measures
 * the bundle, plus a few ms for itself): Node's bootstrap, compiling and evaluating the bundle
 * until run() reads its first input, then until the first HTTP request leaves (config, SDK client,
 * credentials, signing), the requests, and the report until exit. A CPU profile of the same run,
 * mapped through the source map, splits the CPU time by what it was spent on.
 */
async function breakdown(dist: string): Promise<Breakdown> {
  const entry = path.join(dist, 'index.js')
  const marksFile = path.join(scratch, 'marks.json')
  const probe = path.join(scratch, 'probe.mjs')
  writeFileSync(
    probe,
    `import { createRequire, syncBuiltinESMExports } from 'node:module'
import { writeFileSync } from 'node:fs'
const require = createRequire(import.meta.url)
const marks = { start: performance.now() }
const now = () => performance.now()
// The first input read is run()'s first statement: the bundle is compiled and evaluated by then.
const env = process.env
process.env = new Proxy(env, { get(target, key) { if (typeof key === 'string' && key.startsWith('INPUT_')) marks.firstInput ??= now(); return Reflect.get(target, key) } })
const requests = []
for (const name of ['http', 'https']) {
  const mod = require(name)
  const original = mod.request
  mod.request = function (...args) {
    const r = { sent: now() }
    requests.push(r)
    const req = original.apply(this, args)
    req.on('response', (res) => { r.response = now(); res.on('end', () => (r.end = now())) })
    return req
  }
}
syncBuiltinESMExports()
process.on('exit', () => { marks.exit = now(); writeFileSync(${JSON.stringify(marksFile)}, JSON.stringify({ marks, requests })) })
await import(${JSON.stringify(entry)})
`
  )
  const inputs = { ...inputDefaults(), region: REGION, schedule: SCHEDULE, at: AT, 'application-name': 'orders' }
  // As the runner passes them (see runner/run-action.ts), so outputs and the summary are written.
  const outputFile = path.join(scratch, 'output')
  const summaryFile = path.join(scratch, 'summary.md')
  const env = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: scratch,
    ...emulatorEnv,
    ...isolated,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
  }

  const phases: Record<string, number[]> = {}
  const add = (name: string, ms: number) => (phases[name] ??= []).push(ms)
  for (let i = 0; i <= RUNS; i++) {
    writeFileSync(outputFile, '')
    writeFileSync(summaryFile, '')
    await timeCommand(node, [probe], env)
    if (i === 0) continue
    const { marks, requests } = JSON.parse(readFileSync(marksFile, 'utf8')) as {
      marks: Record<string, number>
      requests: { sent: number; response?: number; end?: number }[]
    }
    const first = requests[0]?.sent ?? marks.exit
    const last = Math.max(...requests.map((r) => r.end ?? r.response ?? r.sent), first)
    add('Node bootstrap (process start to first line of user code)', marks.start)
    add('read, compile and evaluate the bundle (to the first input read)', marks.firstInput - marks.start)
    add('config, SDK client, credentials, signing (to the first request)', first - marks.firstInput)
    add(`${requests.length} AWS requests, with the decision between them`, last - first)
    add('outputs, schedule week ahead, job summary, exit', marks.exit - last)
    add('total (performance.now() at exit)', marks.exit)
  }

  const compileOnly: number[] = []
  const importOnly: number[] = []
  // The bundle with no inputs at all: it loads, fails on the first input and exits.
  const bare = { PATH: process.env.PATH ?? '' }
  for (let i = 0; i <= RUNS; i++) {
    const t = await timeCommand(node, ['--input-type=module', '-e', `await import(${JSON.stringify(entry)}).catch(() => {}); process.exitCode = 0`], bare)
    if (i > 0) importOnly.push(t.ms)
  }
  // Compiling alone: V8 parses the whole bundle once and pre-parses every function it does not run yet.
  const compileProbe = path.join(scratch, 'compile.mjs')
  writeFileSync(
    compileProbe,
    `import { readFileSync } from 'node:fs'
import vm from 'node:vm'
const code = readFileSync(${JSON.stringify(entry)}, 'utf8').replace(/\\bimport\\b[^;]*?from\\s*"[^"]+";|\\bimport\\s*'[^']+';/g, '').replace(/import\\.meta/g, '({})')
const t0 = performance.now()
new vm.Script('(async function () {' + code + '\\n})')
console.log(performance.now() - t0)
`
  )
  for (let i = 0; i <= RUNS; i++) {
    const out = spawnSync(node, [compileProbe], { encoding: 'utf8' })
    if (i > 0) compileOnly.push(Number(out.stdout.trim()))
  }

  const profile = await cpuProfile(entry, env)
  return {
    dist,
    phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)])),
    importWithoutInputsMs: median(importOnly),
    compileOnlyMs: median(compileOnly),
    profile
  }
}

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}

/**
 * No-op runs under --cpu-prof (250 µs samples); CPU time of the main thread by what it was spent
 * on, in ms (the profiler slows the run down, so the shares matter more than the ms).
 */
async function cpuProfile(entry: string, env: NodeJS.ProcessEnv): Promise<{ selfMs: Record<string, number>; inclusiveMs: Record<string, number> }> {
  const dir = path.join(scratch, 'prof')
  const self: Record<string, number>[] = []
  const inclusive: Record<string, number>[] = []
  for (let i = 0; i < 5; i++) {
    rmSync(dir, { recursive: true, force: true })
    // Not spawnSync: the emulator answering the run lives in this process.
    await timeCommand(node, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250', entry], env)
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!
    const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      nodes: ProfileNode[]
      samples: number[]
      timeDeltas: number[]
    }
    const byId = new Map(nodes.map((n) => [n.id, n]))
    const parent = new Map<number, number>()
    for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const maps = new Map<string, SourceMap | undefined>()
    const where = (frame: ProfileNode['callFrame']): string => {
      const { url, functionName } = frame
      if (functionName === '(program)') return '(program): V8 and native work outside JS functions'
      if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`
      if (url.startsWith('node:')) {
        if (functionName === 'compileSourceTextModule') return 'compile the bundle (V8 parse of the ES module)'
        if (functionName === 'compileForInternalLoader' || functionName === 'requireBuiltin') return 'load Node built-in modules'
        if (url.includes('cjs-module-lexer')) return 'Node: export scan of a .cjs imported from ESM (sourcemap-register.cjs)'
        if (url.includes('modules/cjs/')) return 'Node: CommonJS loader (require of built-ins and .cjs files)'
        if (url.includes('/modules/') || url.includes('encoding')) return 'Node: ES module loader (read, decode, link)'
        if (/_http_|node:net|node:dns|stream|node:events|timers|tls/.test(url)) return 'Node: http, net, streams, events'
        if (/fs/.test(url)) return 'Node: fs'
        return 'Node: other internals (promises, timers, url, crypto, util)'
      }
      const file = url.startsWith('file://') ? new URL(url).pathname : url
      if (!maps.has(file)) {
        try {
          maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))))
        } catch {
          maps.set(file, undefined)
        }
      }
      const found = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber)
      const source = (found && 'originalSource' in found ? found.originalSource : file) ?? file
      if (/webpack\/bootstrap/.test(source)) return 'compile + run module factories on first require (__nccwpck_require__)'
      if (source.endsWith('sourcemap-register.cjs')) return 'sourcemap-register.cjs'
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1]
      if (pkg === 'luxon') return 'luxon (with ICU: the first Intl.DateTimeFormat in a zone)'
      if (pkg) return pkg.startsWith('@aws-sdk/credential-provider') ? 'credential providers' : pkg
      const src = /(src\/[\w-]+\.ts)/.exec(source)?.[1]
      return src ?? (source === file ? `${path.basename(file)} (no mapping: webpack runtime)` : path.basename(source))
    }
    const s: Record<string, number> = {}
    const inc: Record<string, number> = {}
    samples.forEach((id, index) => {
      const ms = (timeDeltas[index] ?? 0) / 1000
      const leaf = where(byId.get(id)!.callFrame)
      s[leaf] = (s[leaf] ?? 0) + ms
      const seen = new Set<string>()
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const w = where(byId.get(n)!.callFrame)
        if (!seen.has(w)) inc[w] = (inc[w] ?? 0) + ms
        seen.add(w)
      }
    })
    self.push(s)
    inclusive.push(inc)
  }
  const med = (list: Record<string, number>[]) => {
    const keys = new Set(list.flatMap((r) => Object.keys(r)))
    return Object.fromEntries([...keys].map((k) => [k, median(list.map((r) => r[k] ?? 0))]).sort((a, b) => Number(b[1]) - Number(a[1])))
  }
  return { selfMs: med(self), inclusiveMs: med(inclusive) }
}

// ---------------------------------------------------------------------------------------------
// Fleets (--fleet): every application below its target, updated and followed to the end

const FLEET_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2']
const FLEET_SIZES = args.sizes!.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0)
const FLEET_RUNS = Math.max(3, Number(args.runs ?? 5))
/** 300 applications run 3 times: one run of the previous release at that size takes minutes. */
const runsFor = (size: number) => (size >= 300 ? Math.min(FLEET_RUNS, 3) : FLEET_RUNS)
/** How long an update keeps an application UPDATING: a few seconds, so that what the action adds shows. */
const FLEET_UPDATE_MS = 4000
/**
 * The emulator's quota per region, across every Kinesis Analytics operation. AWS publishes no
 * request rate for this API: 100 requests/s with a burst of 100 stands in for one, and
 * `--quota N` runs the fleets against another (at 50/s, 300 applications cannot meet their budget
 * whatever the client does: each region needs 300 requests before its last update can go out).
 */
const FLEET_QUOTA = { perSecond: Number(args.quota), burst: Number(args.quota) }
/** What SCHEDULE asks for at AT (10 KPU, one parallelism per KPU); every application starts at 4. */
const FLEET_TARGET = 10
const FLEET_BUDGETS = {
  /** 100 applications take at most this many single applications, spawn to exit. */
  hundredOverOne: 1.3,
  /** 300 applications, likewise. */
  threeHundredOverOne: 1.6
  // Peak RSS is measured and shown, not budgeted: a runner has 7 GB or more, and the peak is the
  // heap's headroom at a high allocation rate, not what a run keeps (docs/performance.md).
}

interface FleetRun {
  /** Spawn to exit. */
  exitMs: number
  /** ms from spawn: the first request, the first and the last update accepted, the last application at target. */
  firstRequestMs: number
  firstUpdateMs: number
  lastUpdateMs: number
  /** The latest EndTime of the fleet's UpdateApplication operations (the emulator knows it to the ms). */
  targetMs: number
  /** Kinesis Analytics requests received, throttled ones included. */
  requests: number
  byOperation: Record<string, number>
  throttled: number
  throttledBy: Record<string, number>
  rssBytes?: number
}

const applications = (n: number) => `${n} application${n === 1 ? '' : 's'}`

/** A long log cut to its head and tail, with every ::error line kept. */
function excerpt(text: string): string {
  const lines = text.split('\n')
  if (lines.length <= 80) return text
  const errors = lines.slice(30, -30).filter((l) => l.startsWith('::error'))
  return [...lines.slice(0, 30), `… ${lines.length - 60} lines …`, ...errors, ...lines.slice(-30)].join('\n')
}

/**
 * One run against a fresh emulator, so that every application really is below its target. `mode`
 * 'names' gives the applications as ARNs with SCHEDULE; 'tagged' tags each with one of
 * FLEET_SCHEDULES' names and names them the same way; 'select-by-tag' tags them and chooses them by tag.
 */
/** Snapshots each application has in the --prune runs: all older than a week, so prune-snapshots: 10 deletes 41. */
const PRUNE_SEEDED = 50
const PRUNE_KEEP = 10

/**
 * One run against a fresh emulator, so that every application really is below its target. `mode`:
 * how the applications are chosen (named, or tagged and chosen by tag); with `prune`, each has
 * PRUNE_SEEDED old snapshots and the run has prune-snapshots: PRUNE_KEEP (`prune: false` seeds the
 * same snapshots and prunes none).
 */
async function fleetRun(
  dist: string,
  size: number,
  wrapper: string | undefined,
  mode: 'names' | 'tagged' | 'select-by-tag' = 'names',
  prune?: boolean
): Promise<FleetRun> {
  const weekAgo = Date.now() - 8 * 86_400_000
  const apps = Array.from({ length: size }, (_, i) => ({
    name: `fleet-${String(i + 1).padStart(3, '0')}`,
    region: FLEET_REGIONS[i % FLEET_REGIONS.length],
    parallelism: 4,
    ...(prune === undefined ? {} : { snapshots: Array.from({ length: PRUNE_SEEDED }, (_, j) => ({ name: `old-${j}`, createdAt: weekAgo - j * 3_600_000 })) }),
    ...(mode === 'names' ? {} : { tags: { 'flink-schedule': FLEET_SCHEDULE_NAMES[i % FLEET_SCHEDULE_NAMES.length], team: 'data' } })
  }))
  const fleetEmulator = await startEmulator({ updateDurationMs: FLEET_UPDATE_MS, requestRate: FLEET_QUOTA, applications: apps })
  fleetEmulator.faults.set({ latencyMs: LATENCY_MS })
  const rssFile = path.join(scratch, 'rss-fleet')
  rmSync(rssFile, { force: true })
  const what = `${distName(dist)}, ${applications(size)}${mode === 'names' ? '' : `, ${mode}`}`
  try {
    const names = apps.map((a) => `arn:aws:kinesisanalytics:${a.region}:${EMULATOR_ACCOUNT_ID}:application/${a.name}`).join('\n')
    const chosen: Record<string, string> = mode === 'select-by-tag' ? { 'select-by-tag': 'flink-schedule', region: FLEET_REGIONS.join(', '), schedule: FLEET_SCHEDULES } : { 'application-name': names, schedule: SCHEDULE }
    const startedAt = Date.now()
    const run = await runAction(
      { at: AT, wait: 'true', ...chosen, ...(prune ? { 'prune-snapshots': String(PRUNE_KEEP) } : {}) },
      {
        entry: path.join(dist, 'index.js'),
        node: wrapper ?? node,
        env: { ...fleetEmulator.env({ region: FLEET_REGIONS[0] }), ...isolated, ...(wrapper ? { BENCH_RSS_FILE: rssFile } : {}) }
      }
    )
    let outcomes: { application: string; region: string; action: string; reason?: string; snapshots?: number; deletedSnapshots?: string[] }[] = []
    try {
      outcomes = JSON.parse(run.outputs.results ?? '[]')
    } catch {
      // Reported below as missing results.
    }
    const notUpdated = outcomes.filter((o) => o.action !== 'updated')
    if (run.exitCode !== 0 || outcomes.length !== size || notUpdated.length > 0) {
      throw new Error(
        `${what}: exit ${run.exitCode}, ${outcomes.length} results, ${notUpdated.length} not updated` +
          notUpdated
            .slice(0, 5)
            .map((o) => `\n  ${o.application} (${o.region}): ${o.action}: ${o.reason ?? ''}`)
            .join('') +
          `\n--- stdout ---\n${excerpt(run.stdout)}\n--- stderr ---\n${run.stderr.slice(0, 2000)}`
      )
    }
    const operations = apps.map((a) => {
      const found = fleetEmulator.application(a.name, a.region)
      const updates = found.operations.filter((o) => o.operation === 'UpdateApplication')
      if (updates.length !== 1 || updates[0].status !== 'SUCCESSFUL' || found.status !== 'RUNNING' || found.parallelism.parallelism !== FLEET_TARGET) {
        throw new Error(
          `${what}: ${a.name} (${a.region}) is ${found.status} at parallelism ${found.parallelism.parallelism} after ` +
            `${updates.length} UpdateApplication operations (${updates.map((o) => o.status).join(', ')}), not RUNNING at ${FLEET_TARGET} after one`
        )
      }
      return updates[0]
    })
    if (prune !== undefined) {
      // Every application counted; with prune, each lost the 41 oldest (PRUNE_KEEP − 1 found are kept, beside the update's own).
      const deleted = prune ? PRUNE_SEEDED - PRUNE_KEEP + 1 : 0
      const wrong = outcomes.filter((o) => o.snapshots !== PRUNE_SEEDED + 1 - deleted || (o.deletedSnapshots?.length ?? 0) !== deleted)
      if (wrong.length) throw new Error(`${what}: ${wrong.length} applications with other snapshots than expected, e.g. ${JSON.stringify(wrong[0])}`)
    }
    const requests = fleetEmulator.requests.filter((r) => r.service === 'kinesisanalytics')
    const byOperation: Record<string, number> = {}
    for (const r of requests) byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1
    return {
      exitMs: run.durationMs,
      firstRequestMs: (requests[0]?.at ?? startedAt) - startedAt,
      firstUpdateMs: Math.min(...operations.map((o) => o.startTime)) - startedAt,
      lastUpdateMs: Math.max(...operations.map((o) => o.startTime)) - startedAt,
      targetMs: Math.max(...operations.map((o) => o.endTime ?? Infinity)) - startedAt,
      requests: requests.length,
      byOperation,
      throttled: fleetEmulator.requestRate.throttled,
      throttledBy: { ...fleetEmulator.requestRate.throttledBy.operation },
      rssBytes: wrapper ? readRss(rssFile) : undefined
    }
  } finally {
    await fleetEmulator.stop()
  }
}

interface FleetRow {
  dist: string
  applications: number
  runs: number
  exitMs: number
  targetMs: number
  firstRequestMs: number
  firstUpdateMs: number
  lastUpdateMs: number
  /** From the last application at target to exit: how late the follow saw it, and the report. */
  tailMs: number
  requestsPerApplication: number
  throttledPerApplication: number
  /** Medians of each operation's count, per application. */
  perApplicationByOperation: Record<string, number>
  /** Medians of each operation's throttled count, for the whole fleet. */
  throttledByOperation: Record<string, number>
  peakRssBytes?: number
  exitRangeMs: [number, number]
}

async function fleetBenchmark(): Promise<void> {
  const wrapper = GNU_TIME ? rssWrapper(scratch, node) : undefined
  const sizes = FLEET_SIZES
  console.log(
    `Fleets of ${sizes.join(', ')} applications spread evenly over ${FLEET_REGIONS.join(', ')} (ARNs), every one RUNNING at ` +
      `parallelism 4 with a target of ${FLEET_TARGET}: wait: true, updates take ${FLEET_UPDATE_MS / 1000} s, ${LATENCY_MS} ms per call, ` +
      `a quota of ${FLEET_QUOTA.perSecond} requests/s per region (burst ${FLEET_QUOTA.burst}).`
  )
  console.log(
    `Median of ${FLEET_RUNS} runs${sizes.some((n) => runsFor(n) < FLEET_RUNS) ? ` (${runsFor(300)} at 300 applications)` : ''} after one warm-up run per build; builds and sizes interleaved ` +
      `round by round; a fresh emulator per run; every run under GNU time for peak RSS.\n`
  )
  for (const dist of DISTS) await fleetRun(dist, 1, wrapper)
  const runs = new Map<string, FleetRun[]>()
  const rounds = Math.max(...sizes.map(runsFor))
  for (let round = 1; round <= rounds; round++) {
    // Builds take turns going first, so that a drift of the machine does not favour one.
    const order = round % 2 ? DISTS : [...DISTS].reverse()
    for (const size of sizes) {
      if (round > runsFor(size)) continue
      for (const dist of order) {
        const r = await fleetRun(dist, size, wrapper)
        const key = `${dist}|${size}`
        runs.set(key, [...(runs.get(key) ?? []), r])
        console.log(
          `  round ${round}  ${distName(dist).padEnd(24)} ${applications(size).padStart(16)}  exit ${fmtS(r.exitMs)}, ` +
            `last at target ${fmtS(r.targetMs)}, ${(r.requests / size).toFixed(2)} requests/application, ${r.throttled} throttled` +
            (r.rssBytes ? `, ${mb(r.rssBytes)} MB` : '')
        )
      }
    }
  }

  const medianOf = (xs: FleetRun[], pick: (r: FleetRun) => number) => median(xs.map(pick))
  const rows: FleetRow[] = DISTS.flatMap((dist) =>
    sizes.map((size) => {
      const xs = runs.get(`${dist}|${size}`)!
      const operations = [...new Set(xs.flatMap((r) => Object.keys(r.byOperation)))]
      const throttledOperations = [...new Set(xs.flatMap((r) => Object.keys(r.throttledBy)))]
      const rss = xs.map((r) => r.rssBytes).filter((b): b is number => b !== undefined)
      return {
        dist: distName(dist),
        applications: size,
        runs: xs.length,
        exitMs: medianOf(xs, (r) => r.exitMs),
        targetMs: medianOf(xs, (r) => r.targetMs),
        firstRequestMs: medianOf(xs, (r) => r.firstRequestMs),
        firstUpdateMs: medianOf(xs, (r) => r.firstUpdateMs),
        lastUpdateMs: medianOf(xs, (r) => r.lastUpdateMs),
        tailMs: medianOf(xs, (r) => r.exitMs - r.targetMs),
        requestsPerApplication: medianOf(xs, (r) => r.requests) / size,
        throttledPerApplication: medianOf(xs, (r) => r.throttled) / size,
        perApplicationByOperation: Object.fromEntries(operations.map((op) => [op, medianOf(xs, (r) => r.byOperation[op] ?? 0) / size])),
        throttledByOperation: Object.fromEntries(throttledOperations.map((op) => [op, medianOf(xs, (r) => r.throttledBy[op] ?? 0)])),
        peakRssBytes: rss.length ? Math.max(...rss) : undefined,
        exitRangeMs: [Math.min(...xs.map((r) => r.exitMs)), Math.max(...xs.map((r) => r.exitMs))]
      }
    })
  )
  const row = (dist: string, size: number) => rows.find((r) => r.dist === distName(dist) && r.applications === size)
  const one = (r: FleetRow) => row(DISTS.find((d) => distName(d) === r.dist)!, 1)

  const width = Math.max(5, ...rows.map((r) => r.dist.length))
  console.log(
    `\n${'build'.padEnd(width)}  apps  runs  spawn to exit (min–max)     last at target  exit × 1 app  requests/app  throttled/app  peak RSS`
  )
  for (const r of rows) {
    const base = one(r)
    console.log(
      `${r.dist.padEnd(width)}  ${String(r.applications).padStart(4)}  ${String(r.runs).padStart(4)}  ` +
        `${fmtS(r.exitMs).padStart(7)} (${fmtS(r.exitRangeMs[0])}–${fmtS(r.exitRangeMs[1])})`.padEnd(28) +
        `${fmtS(r.targetMs).padStart(14)}  ${(base ? `${(r.exitMs / base.exitMs).toFixed(2)} ×` : '').padStart(12)}  ` +
        `${r.requestsPerApplication.toFixed(2).padStart(12)}  ${r.throttledPerApplication.toFixed(2).padStart(13)}  ` +
        `${r.peakRssBytes ? `${mb(r.peakRssBytes)} MB` : 'n/a'}`
    )
  }
  console.log('(s from spawn, medians; last at target: the latest UpdateApplication EndTime in the emulator; MB = 10^6 bytes)\n')

  console.log('Where the time goes (medians, s from spawn), and requests per application by operation:')
  for (const r of rows) {
    const ops = Object.entries(r.perApplicationByOperation)
      .map(([op, n]) => `${op} ${n.toFixed(2)}`)
      .join(', ')
    const throttled = Object.entries(r.throttledByOperation)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')
    console.log(
      `  ${r.dist.padEnd(width)} ${String(r.applications).padStart(3)}: first request ${fmtS(r.firstRequestMs)}, first update accepted ` +
        `${fmtS(r.firstUpdateMs)}, last update accepted ${fmtS(r.lastUpdateMs)}, last at target ${fmtS(r.targetMs)}, exit ${fmtS(r.exitMs)} ` +
        `(${fmtS(r.tailMs)} after the last at target)`
    )
    console.log(`  ${''.padEnd(width)}      ${ops}${throttled ? `; throttled: ${throttled}` : ''}`)
  }
  console.log()

  // The budgets hold the new build: dist/ when it is one of the builds, else the last one named.
  const budgeted = DISTS.find((d) => d === path.join(ROOT, 'dist')) ?? DISTS[DISTS.length - 1]
  const ratio = (size: number, limit: number) => {
    const base = row(budgeted, 1)
    const many = row(budgeted, size)
    if (!base || !many) return { value: `not measured (--sizes needs 1 and ${size})`, pass: true, measured: false }
    const x = many.exitMs / base.exitMs
    return { value: `${x.toFixed(2)} × (${fmtS(many.exitMs)} / ${fmtS(base.exitMs)})`, pass: x <= limit, measured: true }
  }
  const budgets = [
    { name: `100 applications ≤ ${FLEET_BUDGETS.hundredOverOne} × 1 application (spawn to exit)`, ...ratio(100, FLEET_BUDGETS.hundredOverOne) },
    { name: `300 applications ≤ ${FLEET_BUDGETS.threeHundredOverOne} × 1 application (spawn to exit)`, ...ratio(300, FLEET_BUDGETS.threeHundredOverOne) }
  ].map((b) => ({ dist: distName(budgeted), ...b }))
  for (const b of budgets) console.log(`${b.measured ? (b.pass ? 'PASS' : 'FAIL') : 'n/a '}  [${b.dist}] ${b.name}: ${b.value}`)
  const largest = rows.filter((r) => r.dist === distName(budgeted)).at(-1)
  if (largest) {
    const peak = largest.peakRssBytes === undefined ? 'not measured: install GNU time' : `${mb(largest.peakRssBytes)} MB`
    console.log(`      [${largest.dist}] peak RSS at ${largest.applications} applications: ${peak} (measured, no budget)`)
  }
  if (DISTS.length > 1) console.log(`(${DISTS.filter((d) => d !== budgeted).map(distName).join(', ')}: shown for comparison, not budgeted)`)

  saveResults(
    {
      date: new Date().toISOString(),
      machine,
      fleet: { regions: FLEET_REGIONS, updateDurationMs: FLEET_UPDATE_MS, latencyMs: LATENCY_MS, quota: FLEET_QUOTA, runs: FLEET_RUNS },
      rows,
      runs: Object.fromEntries(runs),
      budgets
    },
    budgets
  )
}

// ---------------------------------------------------------------------------------------------
// The guard: 100 scale-downs with it beside the same without it

const GUARD_APPLICATIONS = 100
const GUARD_RUNS = Math.max(5, Number(args.runs ?? 7))
/** Wednesday 18:10 in Los Angeles: SCHEDULE asks for 10 KPU since 18:05; every application runs at 20. */
const GUARD_AT = '2026-12-02T18:10:00-08:00'
const GUARDED_SCHEDULE = `${SCHEDULE}guard:\n  lag: 60s\n  cpu: 70%\n  at-most: 2h\n`
const GUARD_BUDGETS = {
  /** Time to target with the guard at most this many times without it. */
  targetOverUnguarded: 1.1,
  /** CloudWatch requests per 100 applications checked, at most. */
  requestsPerHundred: 1
}

interface GuardRun {
  exitMs: number
  /** The latest UpdateApplication EndTime, from spawn. */
  targetMs: number
  /** When the first update was accepted, from spawn. */
  firstUpdateMs: number
  cloudwatchRequests: number
}

/** One run against a fresh emulator: 100 idle jobs (3 KPU of work on 20) that the guard lets scale down. */
async function guardRun(dist: string, guarded: boolean): Promise<GuardRun> {
  const now = Date.now()
  const apps = Array.from({ length: GUARD_APPLICATIONS }, (_, i) => ({
    name: `guarded-${String(i + 1).padStart(3, '0')}`,
    region: REGION,
    parallelism: 20,
    load: { curve: loadCurves.constant(3), since: now - 20 * 60_000 }
  }))
  const guardEmulator = await startEmulator({ updateDurationMs: FLEET_UPDATE_MS, requestRate: FLEET_QUOTA, applications: apps })
  guardEmulator.faults.set({ latencyMs: LATENCY_MS })
  guardEmulator.faults.set({ service: 'cloudwatch', latencyMs: LATENCY_MS })
  const what = `${distName(dist)}, ${guarded ? 'with' : 'without'} the guard`
  try {
    const startedAt = Date.now()
    const run = await runAction(
      { schedule: guarded ? GUARDED_SCHEDULE : SCHEDULE, at: GUARD_AT, wait: 'true', region: REGION, 'application-name': apps.map((a) => a.name).join('\n') },
      { entry: path.join(dist, 'index.js'), node, env: { ...guardEmulator.env({ region: REGION }), ...isolated } }
    )
    const outcomes = (() => {
      try {
        return JSON.parse(run.outputs.results ?? '[]') as { action: string }[]
      } catch {
        return []
      }
    })()
    if (run.exitCode !== 0 || outcomes.length !== apps.length || outcomes.some((o) => o.action !== 'updated')) {
      throw new Error(`${what}: exit ${run.exitCode}, ${outcomes.filter((o) => o.action === 'updated').length} of ${apps.length} updated\n${excerpt(run.stdout)}`)
    }
    const operations = apps.map((a) => guardEmulator.application(a.name, a.region).operations.find((o) => o.operation === 'UpdateApplication')!)
    return {
      exitMs: run.durationMs,
      targetMs: Math.max(...operations.map((o) => o.endTime ?? Infinity)) - startedAt,
      firstUpdateMs: Math.min(...operations.map((o) => o.startTime)) - startedAt,
      cloudwatchRequests: guardEmulator.requests.filter((r) => r.service === 'cloudwatch').length
    }
  } finally {
    await guardEmulator.stop()
  }
}

async function guardBenchmark(): Promise<void> {
  const dist = DISTS.find((d) => d === path.join(ROOT, 'dist')) ?? DISTS[DISTS.length - 1]
  console.log(
    `${GUARD_APPLICATIONS} applications in ${REGION}, each RUNNING at 20 KPU with 3 KPU of work: at ${GUARD_AT} the schedule asks for 10. ` +
      `With the guard (lag 60s, cpu 70%) every one is checked and passes; without it every one is updated at once. ` +
      `wait: true, updates take ${FLEET_UPDATE_MS / 1000} s, ${LATENCY_MS} ms per call (CloudWatch too), a quota of ${FLEET_QUOTA.perSecond} requests/s.`
  )
  console.log(`Median of ${GUARD_RUNS} runs each after one warm-up run each, interleaved (the order alternating round by round); a fresh emulator per run.\n`)
  await guardRun(dist, true)
  await guardRun(dist, false)
  const runs = { with: [] as GuardRun[], without: [] as GuardRun[] }
  for (let round = 1; round <= GUARD_RUNS; round++) {
    for (const guarded of round % 2 ? [true, false] : [false, true]) {
      const r = await guardRun(dist, guarded)
      runs[guarded ? 'with' : 'without'].push(r)
      console.log(
        `  round ${round}  ${guarded ? 'with the guard   ' : 'without the guard'}  exit ${fmtS(r.exitMs)}, first update ${fmtS(r.firstUpdateMs)}, ` +
          `last at target ${fmtS(r.targetMs)}, ${r.cloudwatchRequests} CloudWatch request${r.cloudwatchRequests === 1 ? '' : 's'}`
      )
    }
  }
  const row = (xs: GuardRun[]) => ({
    exitMs: median(xs.map((r) => r.exitMs)),
    targetMs: median(xs.map((r) => r.targetMs)),
    firstUpdateMs: median(xs.map((r) => r.firstUpdateMs)),
    cloudwatchRequests: Math.max(...xs.map((r) => r.cloudwatchRequests))
  })
  const rows = { with: row(runs.with), without: row(runs.without) }
  console.log(`\n                   spawn to exit  first update  last at target  CloudWatch requests`)
  for (const [name, r] of Object.entries(rows)) {
    console.log(`  ${`${name} the guard`.padEnd(17)}  ${fmtS(r.exitMs).padStart(13)}  ${fmtS(r.firstUpdateMs).padStart(12)}  ${fmtS(r.targetMs).padStart(14)}  ${String(r.cloudwatchRequests).padStart(19)}`)
  }
  console.log('(medians, s from spawn; CloudWatch requests: the most in any run)\n')
  const x = rows.with.targetMs / rows.without.targetMs
  const perHundred = (rows.with.cloudwatchRequests / GUARD_APPLICATIONS) * 100
  const budgets = [
    {
      name: `time to target with the guard ≤ ${GUARD_BUDGETS.targetOverUnguarded} × without`,
      value: `${x.toFixed(3)} × (${fmtS(rows.with.targetMs)} / ${fmtS(rows.without.targetMs)})`,
      pass: x <= GUARD_BUDGETS.targetOverUnguarded
    },
    {
      name: `CloudWatch requests ≤ ${GUARD_BUDGETS.requestsPerHundred} per 100 applications checked`,
      value: `${perHundred} per 100 (${rows.with.cloudwatchRequests} for ${GUARD_APPLICATIONS}); without the guard ${rows.without.cloudwatchRequests}`,
      pass: perHundred <= GUARD_BUDGETS.requestsPerHundred && rows.without.cloudwatchRequests === 0
    }
  ].map((b) => ({ dist: distName(dist), ...b }))
  for (const b of budgets) console.log(`${b.pass ? 'PASS' : 'FAIL'}  [${b.dist}] ${b.name}: ${b.value}`)
  saveResults(
    { date: new Date().toISOString(), machine, guard: { applications: GUARD_APPLICATIONS, updateDurationMs: FLEET_UPDATE_MS, latencyMs: LATENCY_MS, quota: FLEET_QUOTA, runs: GUARD_RUNS }, rows, runs, budgets },
    budgets
  )
}

// ---------------------------------------------------------------------------------------------
// Applications chosen by tag (--select-by-tag) beside the same applications named

/**
 * Three named schedules of different shapes that all ask for FLEET_TARGET at AT (Wednesday 02:00
 * in Los Angeles), as SCHEDULE does, so that both ways of choosing make the same updates.
 */
const FLEET_SCHEDULES = `timezone: America/Los_Angeles
max: 64
schedules:
  business-hours:
    default: { kpu: 10 }
    rules:
      - { name: daytime, days: Mon-Fri, from: "05:05", to: "18:05", kpu: 20 }
  batch-night:
    default: { kpu: 2 }
    rules:
      - { name: nightly, from: "01:00", to: "05:00", kpu: 10 }
  flat:
    default: { parallelism: 10 }
`
const FLEET_SCHEDULE_NAMES = ['business-hours', 'batch-night', 'flat']
const SELECT_SIZE = 300
const SELECT_RUNS = Math.max(3, Number(args.runs ?? 3))
const SELECT_BUDGETS = {
  /** The tag run reaches the target within this many times the named run's time (last at target, from spawn). */
  targetOverNamed: 1.1
}

async function selectBenchmark(): Promise<void> {
  const dist = DISTS[DISTS.length - 1]
  const pages = FLEET_REGIONS.length * Math.ceil(SELECT_SIZE / FLEET_REGIONS.length / 50)
  console.log(
    `${SELECT_SIZE} applications spread evenly over ${FLEET_REGIONS.join(', ')}, each tagged flink-schedule with one of ` +
      `${FLEET_SCHEDULE_NAMES.join(', ')} (all asking for ${FLEET_TARGET} at ${AT}), RUNNING at parallelism 4: chosen by tag ` +
      `(select-by-tag over the three regions) beside named (application-name, their ARNs). wait: true, updates take ` +
      `${FLEET_UPDATE_MS / 1000} s, ${LATENCY_MS} ms per call, a quota of ${FLEET_QUOTA.perSecond} requests/s per region (burst ${FLEET_QUOTA.burst}). ` +
      `Build: ${distName(dist)}. Median of ${SELECT_RUNS} runs each after one warm-up run each, the two interleaved round by round, a fresh emulator per run.\n`
  )
  const modes = ['tagged', 'select-by-tag'] as const
  for (const mode of modes) await fleetRun(dist, SELECT_SIZE, undefined, mode)
  const runs: Record<(typeof modes)[number], FleetRun[]> = { tagged: [], 'select-by-tag': [] }
  for (let round = 1; round <= SELECT_RUNS; round++) {
    for (const mode of round % 2 ? modes : [...modes].reverse()) {
      const r = await fleetRun(dist, SELECT_SIZE, undefined, mode)
      runs[mode].push(r)
      console.log(
        `  round ${round}  ${(mode === 'tagged' ? 'application-name' : 'select-by-tag').padEnd(16)}  exit ${fmtS(r.exitMs)}, last at target ${fmtS(r.targetMs)}, ` +
          `first update accepted ${fmtS(r.firstUpdateMs)}, ${r.requests} requests, ${r.throttled} throttled`
      )
    }
  }
  const summary = (xs: FleetRun[]) => {
    const operations = [...new Set(xs.flatMap((r) => Object.keys(r.byOperation)))].sort()
    return {
      runs: xs.length,
      exitMs: median(xs.map((r) => r.exitMs)),
      targetMs: median(xs.map((r) => r.targetMs)),
      firstUpdateMs: median(xs.map((r) => r.firstUpdateMs)),
      lastUpdateMs: median(xs.map((r) => r.lastUpdateMs)),
      requests: median(xs.map((r) => r.requests)),
      throttled: median(xs.map((r) => r.throttled)),
      byOperation: Object.fromEntries(operations.map((op) => [op, median(xs.map((r) => r.byOperation[op] ?? 0))]))
    }
  }
  const named = summary(runs.tagged)
  const byTag = summary(runs['select-by-tag'])
  console.log('\n                  runs  spawn to exit  last at target  first update  last update  requests  throttled')
  for (const [label, r] of [['application-name', named], ['select-by-tag', byTag]] as const) {
    console.log(
      `${label.padEnd(16)}  ${String(r.runs).padStart(4)}  ${fmtS(r.exitMs).padStart(13)}  ${fmtS(r.targetMs).padStart(14)}  ${fmtS(r.firstUpdateMs).padStart(12)}  ` +
        `${fmtS(r.lastUpdateMs).padStart(11)}  ${String(r.requests).padStart(8)}  ${String(r.throttled).padStart(9)}`
    )
    console.log(`${''.padEnd(16)}  ${Object.entries(r.byOperation).map(([op, n]) => `${op} ${n}`).join(', ')}`)
  }
  console.log('(medians; s from spawn; requests: Kinesis Analytics requests received, throttled ones included)\n')
  // Throttled requests are sent again: what the budget holds is the requests each way needs.
  const extra = byTag.requests - byTag.throttled - (named.requests - named.throttled)
  const ratio = byTag.targetMs / named.targetMs
  const budgets = [
    { name: `select-by-tag: at most the ${pages} ListApplications pages more requests than naming them (throttled ones aside)`, value: `${extra} more`, pass: extra <= pages },
    {
      name: `select-by-tag: last at target ≤ ${SELECT_BUDGETS.targetOverNamed} × naming them`,
      value: `${ratio.toFixed(2)} × (${fmtS(byTag.targetMs)} / ${fmtS(named.targetMs)})`,
      pass: ratio <= SELECT_BUDGETS.targetOverNamed
    }
  ].map((b) => ({ dist: distName(dist), ...b }))
  for (const b of budgets) console.log(`${b.pass ? 'PASS' : 'FAIL'}  [${b.dist}] ${b.name}: ${b.value}`)
  saveResults(
    {
      date: new Date().toISOString(),
      machine,
      fleet: { size: SELECT_SIZE, regions: FLEET_REGIONS, updateDurationMs: FLEET_UPDATE_MS, latencyMs: LATENCY_MS, quota: FLEET_QUOTA, runs: SELECT_RUNS },
      named,
      selectByTag: byTag,
      runs,
      budgets
    },
    budgets
  )
}

// ---------------------------------------------------------------------------------------------
// Pruning (--prune): 100 applications scaled with prune-snapshots beside without, in one run

const PRUNE_SIZE = 100
const PRUNE_BUDGET = {
  /** The last application at target, pruning beside not: at most this many times. */
  targetWithOverWithout: 1.1
}

async function pruneBenchmark(): Promise<void> {
  const dist = DISTS[DISTS.length - 1]
  const wrapper = GNU_TIME ? rssWrapper(scratch, node) : undefined
  console.log(
    `${applications(PRUNE_SIZE)} over ${FLEET_REGIONS.join(', ')}, each with ${PRUNE_SEEDED} snapshots older than a week, scaled from ` +
      `parallelism 4 to ${FLEET_TARGET} (wait: true, updates take ${FLEET_UPDATE_MS / 1000} s, ${LATENCY_MS} ms per call, a quota of ` +
      `${FLEET_QUOTA.perSecond} requests/s per region): without prune-snapshots, and with prune-snapshots: ${PRUNE_KEEP} ` +
      `(${PRUNE_SEEDED - PRUNE_KEEP + 1} deletions each). Build ${distName(dist)}; median of ${FLEET_RUNS} rounds after one warm-up run each, the two taking turns going first.\n`
  )
  await fleetRun(dist, PRUNE_SIZE, wrapper, 'names', false)
  await fleetRun(dist, PRUNE_SIZE, wrapper, 'names', true)
  const runs: Record<'without' | 'with', FleetRun[]> = { without: [], with: [] }
  for (let round = 1; round <= FLEET_RUNS; round++) {
    const order: ('without' | 'with')[] = round % 2 ? ['without', 'with'] : ['with', 'without']
    for (const variant of order) {
      const r = await fleetRun(dist, PRUNE_SIZE, wrapper, 'names', variant === 'with')
      runs[variant].push(r)
      console.log(
        `  round ${round}  ${`${variant} pruning`.padEnd(16)} last at target ${fmtS(r.targetMs)}, exit ${fmtS(r.exitMs)}, ` +
          `${(r.requests / PRUNE_SIZE).toFixed(2)} requests/application (${Object.entries(r.byOperation)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ')}), ${r.throttled} throttled${r.rssBytes ? `, ${mb(r.rssBytes)} MB` : ''}`
      )
    }
  }
  const row = (variant: 'without' | 'with') => {
    const xs = runs[variant]
    const operations = [...new Set(xs.flatMap((r) => Object.keys(r.byOperation)))]
    return {
      variant,
      targetMs: median(xs.map((r) => r.targetMs)),
      lastUpdateMs: median(xs.map((r) => r.lastUpdateMs)),
      exitMs: median(xs.map((r) => r.exitMs)),
      requestsPerApplication: median(xs.map((r) => r.requests)) / PRUNE_SIZE,
      throttled: median(xs.map((r) => r.throttled)),
      perApplicationByOperation: Object.fromEntries(operations.map((op) => [op, median(xs.map((r) => r.byOperation[op] ?? 0)) / PRUNE_SIZE])),
      peakRssBytes: Math.max(...xs.map((r) => r.rssBytes ?? 0)) || undefined
    }
  }
  const rows = [row('without'), row('with')]
  console.log(`\n${'prune-snapshots'.padEnd(16)}  last update sent  last at target  spawn to exit  requests/app  throttled  peak RSS`)
  for (const r of rows) {
    console.log(
      `${(r.variant === 'with' ? String(PRUNE_KEEP) : 'none').padEnd(16)}  ${fmtS(r.lastUpdateMs).padStart(16)}  ${fmtS(r.targetMs).padStart(14)}  ` +
        `${fmtS(r.exitMs).padStart(13)}  ${r.requestsPerApplication.toFixed(2).padStart(12)}  ${String(r.throttled).padStart(9)}  ${r.peakRssBytes ? `${mb(r.peakRssBytes)} MB` : 'n/a'}`
    )
  }
  for (const r of rows) {
    console.log(`  ${r.variant} pruning, per application: ${Object.entries(r.perApplicationByOperation).map(([op, n]) => `${op} ${n.toFixed(2)}`).join(', ')}`)
  }
  const [without, withPruning] = rows
  const ratio = withPruning.targetMs / without.targetMs
  const budgets = [
    {
      name: `last at target with prune-snapshots ≤ ${PRUNE_BUDGET.targetWithOverWithout} × without`,
      value: `${ratio.toFixed(2)} × (${fmtS(withPruning.targetMs)} / ${fmtS(without.targetMs)})`,
      pass: ratio <= PRUNE_BUDGET.targetWithOverWithout
    }
  ]
  console.log()
  for (const b of budgets) console.log(`${b.pass ? 'PASS' : 'FAIL'}  [${distName(dist)}] ${b.name}: ${b.value}`)
  console.log(`(spawn to exit, not budgeted: ${(withPruning.exitMs / without.exitMs).toFixed(2)} ×: the deletions come after each update is at target)`)
  saveResults(
    {
      date: new Date().toISOString(),
      machine,
      prune: { applications: PRUNE_SIZE, seeded: PRUNE_SEEDED, keep: PRUNE_KEEP, regions: FLEET_REGIONS, updateDurationMs: FLEET_UPDATE_MS, latencyMs: LATENCY_MS, quota: FLEET_QUOTA, runs: FLEET_RUNS },
      rows,
      runs,
      budgets
    },
    budgets
  )
}

// ---------------------------------------------------------------------------------------------
// Suggestions (--suggest): suggest: 28d over 50 applications beside the no-op run over them

const SUGGEST_SIZE = 50
const SUGGEST_RUNS = Math.max(5, Number(args.runs ?? 7))
const SUGGEST_BUDGETS = {
  /** GetMetricData requests per run, at most one per this many applications. */
  applicationsPerRequest: 25,
  /** Spawn to exit of the suggest run, at most this many times the no-op run's. */
  overNoop: 2
}
/** Weekdays 08-18 in Los Angeles busy (6.5 KPU of work), 1.5 otherwise, on the 10 KPU each runs at. */
const SUGGEST_CURVE = loadCurves.weekly({ zone: 'America/Los_Angeles', load: (day, hour) => (day <= 5 && hour >= 8 && hour < 18 ? 6.5 : 1.5) })

interface SuggestBenchRun {
  exitMs: number
  /** GetMetricData requests the run sent (CloudWatch requests of any kind, for the no-op run). */
  cloudwatchRequests: number
}

async function suggestBenchmark(): Promise<void> {
  const dist = DISTS[DISTS.length - 1]
  const apps = Array.from({ length: SUGGEST_SIZE }, (_, i) => ({
    name: `suggest-${String(i + 1).padStart(2, '0')}`,
    region: REGION,
    parallelism: 10,
    history: { curve: SUGGEST_CURVE, days: 29 }
  }))
  const suggestEmulator = await startEmulator({ applications: apps })
  suggestEmulator.faults.set({ latencyMs: LATENCY_MS })
  suggestEmulator.faults.set({ service: 'cloudwatch', latencyMs: LATENCY_MS })
  const names = apps.map((a) => a.name).join('\n')
  const modes = {
    // SCHEDULE asks for 10 KPU at AT: every application is already there.
    noop: { inputs: { schedule: SCHEDULE, at: AT, region: REGION, 'application-name': names }, expected: 'skipped' },
    suggest: { inputs: { suggest: '28d', 'kpu-hour-price': '0.11', region: REGION, 'application-name': names }, expected: 'skipped' }
  } as const
  const once = async (mode: keyof typeof modes): Promise<SuggestBenchRun> => {
    const before = suggestEmulator.requests.filter((r) => r.service === 'cloudwatch').length
    const run = await runAction(modes[mode].inputs, { entry: path.join(dist, 'index.js'), node, env: { ...suggestEmulator.env({ region: REGION }), ...isolated } })
    const outcomes = run.exitCode === 0 ? (JSON.parse(run.outputs.results ?? '[]') as { action: string }[]) : []
    const suggested = mode !== 'suggest' || (run.outputs['suggested-schedule'] ?? '').includes('schedules:')
    if (outcomes.length !== SUGGEST_SIZE || outcomes.some((o) => o.action !== modes[mode].expected) || !suggested) {
      throw new Error(`${mode}: exit ${run.exitCode}, ${outcomes.length} results\n${excerpt(run.stdout)}`)
    }
    return { exitMs: run.durationMs, cloudwatchRequests: suggestEmulator.requests.filter((r) => r.service === 'cloudwatch').length - before }
  }
  try {
    console.log(
      `${SUGGEST_SIZE} applications in ${REGION}, each RUNNING at 10 KPU with 29 days of history (weekdays 08-18 Los Angeles 6.5 KPU of work, else 1.5): ` +
        `the no-op run (the schedule asks for the 10 KPU they run at) beside suggest: 28d, ${LATENCY_MS} ms per call (CloudWatch too). Build: ${distName(dist)}.`
    )
    console.log(`Median of ${SUGGEST_RUNS} runs each after one warm-up run each (which also makes the emulator's stored history), interleaved; one emulator.\n`)
    for (const mode of ['noop', 'suggest'] as const) await once(mode)
    const runs = { noop: [] as SuggestBenchRun[], suggest: [] as SuggestBenchRun[] }
    for (let round = 1; round <= SUGGEST_RUNS; round++) {
      for (const mode of round % 2 ? (['noop', 'suggest'] as const) : (['suggest', 'noop'] as const)) {
        const r = await once(mode)
        runs[mode].push(r)
        console.log(`  round ${round}  ${(mode === 'noop' ? 'no-op' : 'suggest: 28d').padEnd(12)}  exit ${fmtS(r.exitMs)}, ${r.cloudwatchRequests} CloudWatch request${r.cloudwatchRequests === 1 ? '' : 's'}`)
      }
    }
    const row = (xs: SuggestBenchRun[]) => ({ exitMs: median(xs.map((r) => r.exitMs)), cloudwatchRequests: Math.max(...xs.map((r) => r.cloudwatchRequests)) })
    const rows = { noop: row(runs.noop), suggest: row(runs.suggest) }
    console.log('\n                spawn to exit  CloudWatch requests')
    for (const [label, r] of [['no-op', rows.noop], ['suggest: 28d', rows.suggest]] as const) {
      console.log(`  ${label.padEnd(12)}  ${fmtS(r.exitMs).padStart(13)}  ${String(r.cloudwatchRequests).padStart(19)}`)
    }
    console.log('(medians, s from spawn; CloudWatch requests: the most in any run)\n')
    const allowed = Math.ceil(SUGGEST_SIZE / SUGGEST_BUDGETS.applicationsPerRequest)
    const x = rows.suggest.exitMs / rows.noop.exitMs
    const budgets = [
      {
        name: `CloudWatch requests ≤ 1 per ${SUGGEST_BUDGETS.applicationsPerRequest} applications (${allowed} for ${SUGGEST_SIZE})`,
        value: `${rows.suggest.cloudwatchRequests} for ${SUGGEST_SIZE}; the no-op run ${rows.noop.cloudwatchRequests}`,
        pass: rows.suggest.cloudwatchRequests <= allowed && rows.noop.cloudwatchRequests === 0
      },
      {
        name: `suggest: 28d spawn to exit ≤ ${SUGGEST_BUDGETS.overNoop} × the no-op run`,
        value: `${x.toFixed(2)} × (${fmtS(rows.suggest.exitMs)} / ${fmtS(rows.noop.exitMs)})`,
        pass: x <= SUGGEST_BUDGETS.overNoop
      }
    ].map((b) => ({ dist: distName(dist), ...b }))
    for (const b of budgets) console.log(`${b.pass ? 'PASS' : 'FAIL'}  [${b.dist}] ${b.name}: ${b.value}`)
    saveResults({ date: new Date().toISOString(), machine, suggest: { applications: SUGGEST_SIZE, latencyMs: LATENCY_MS, runs: SUGGEST_RUNS }, rows, runs, budgets }, budgets)
  } finally {
    await suggestEmulator.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// Run

const fmt = (ms: number) => ms.toFixed(0)
const mb = (bytes: number) => (bytes / 1e6).toFixed(2)
const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`

console.log(`Machine: ${machine.nproc} cores, ${machine.cpu}`)
console.log(`Action runs on Node ${machine.actionNode}; the bench and the emulator on Node ${machine.benchNode}`)
console.log(`AWS CLI: ${machine.aws}; boto3: ${machine.boto3}; peak RSS: ${machine.rss}`)
if (!args.fleet && !args.guard && !args['select-by-tag'] && !args.prune && !args.suggest) console.log(`Median of ${RUNS} runs per scenario after one warm-up round, scenarios interleaved.\n`)

try {
  if (args.suggest) {
    await suggestBenchmark()
  } else if (args.prune) {
    await pruneBenchmark()
  } else if (args.fleet) {
    await fleetBenchmark()
  } else if (args.guard) {
    await guardBenchmark()
  } else if (args['select-by-tag']) {
    await selectBenchmark()
  } else if (args.breakdown) {
    const breakdowns = []
    for (const dist of DISTS) {
      const found = await breakdown(dist)
      printBreakdown(found)
      breakdowns.push(found)
    }
    saveResults({ date: new Date().toISOString(), machine, runs: RUNS, breakdowns }, [])
  } else {
    await benchmark()
  }
} finally {
  await emulator.stop()
  rmSync(scratch, { recursive: true, force: true })
}

function printBreakdown(found: Breakdown): void {
  console.log(`Breakdown of a no-op run: ${path.relative(ROOT, found.dist) || found.dist}`)
  for (const [phase, ms] of Object.entries(found.phasesMs)) console.log(`  ${fmt(ms).padStart(5)} ms  ${phase}`)
  console.log(`  import with no inputs (load, evaluate, input error, exit): ${fmt(found.importWithoutInputsMs)} ms`)
  console.log(`  compiling the bundle alone (vm.Script, same V8): ${fmt(found.compileOnlyMs)} ms`)
  const { selfMs, inclusiveMs } = found.profile
  const busy = Object.entries(selfMs).reduce((sum, [k, ms]) => (k === '(idle)' ? sum : sum + ms), 0)
  const share = (ms: number) => `${((100 * ms) / busy).toFixed(0).padStart(3)} %`
  console.log(`  CPU profile (--cpu-prof, 250 µs samples, median of 5; ${fmt(busy)} ms busy under the profiler), self time:`)
  for (const [k, ms] of Object.entries(selfMs).slice(0, 18)) console.log(`    ${ms.toFixed(1).padStart(6)} ms ${share(ms)}  ${k}`)
  console.log('  inclusive time of:')
  const interesting = [
    'src/github/config.ts',
    'src/schedule/schedule.ts',
    'luxon (with ICU: the first Intl.DateTimeFormat in a zone)',
    'yaml',
    'credential providers',
    'undici',
    'src/github/summary.ts',
    'sourcemap-register.cjs'
  ]
  for (const k of interesting) if (inclusiveMs[k] !== undefined) console.log(`    ${inclusiveMs[k].toFixed(1).padStart(6)} ms ${share(inclusiveMs[k])}  ${k}`)
  console.log()
}

async function benchmark(): Promise<void> {
  const perDist = DISTS.map((dist) => ({ dist, scenarios: actionScenarios(dist, DISTS.length > 1 ? `[${distName(dist)}] ` : '') }))
  const all: Scenario[] = [floor, ...perDist.flatMap((d) => d.scenarios), ...(awsScenario ? [awsScenario] : []), ...(boto3Scenario ? [boto3Scenario] : [])]
  const times = new Map<string, number[]>(all.map((s) => [s.key, []]))

  for (let round = 0; round <= RUNS; round++) {
    process.stdout.write(round === 0 ? 'warm-up' : ` ${round}`)
    for (const scenario of all) {
      emulator.requests.length = 0
      const { ms } = await scenario.run(false)
      if (round > 0) times.get(scenario.key)!.push(ms)
    }
  }
  process.stdout.write('\n')

  // Peak RSS: the highest of three runs under GNU time.
  const rss = new Map<string, number>()
  if (GNU_TIME) {
    for (const scenario of all) {
      for (let i = 0; i < 3; i++) {
        const { rssBytes } = await scenario.run(true)
        if (rssBytes !== undefined) rss.set(scenario.key, Math.max(rss.get(scenario.key) ?? 0, rssBytes))
      }
    }
  }

  const floorMs = median(times.get('floor')!)
  const boto3Ms = boto3Scenario ? median(times.get('boto3')!) : undefined
  const rows = all.map((s) => {
    const xs = times.get(s.key)!
    return { key: s.key, label: s.label, medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs), overFloor: median(xs) / floorMs, peakRssBytes: rss.get(s.key) }
  })
  const width = Math.max(...rows.map((r) => r.label.length))
  console.log(`\n${'scenario'.padEnd(width)}  median    min    max  × floor  peak RSS`)
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(width)}  ${fmt(r.medianMs).padStart(6)} ${fmt(r.minMs).padStart(6)} ${fmt(r.maxMs).padStart(6)}  ${r.overFloor.toFixed(2).padStart(7)}  ${r.peakRssBytes ? `${mb(r.peakRssBytes)} MB` : 'n/a'}`
    )
  }
  if (!awsScenario) console.log(`${'`aws kinesisanalyticsv2 describe-application`'.padEnd(width)}  not installed`)
  if (!boto3Scenario) console.log(`${'boto3 script'.padEnd(width)}  not installed (python3 with boto3; Debian: apt-get install python3-boto3)`)
  console.log('(ms from spawn to exit; MB = 10^6 bytes)\n')

  const budgets: { dist: string; name: string; value: string; limit: string; pass: boolean; note?: string }[] = []
  const bundles = perDist.map(({ dist, scenarios }) => {
    const own = scenarios.map((s) => rows.find((r) => r.key === s.key)!)
    const [noop, , one, many] = own
    const peak = Math.max(...own.map((r) => r.peakRssBytes ?? 0))
    const bundle = bundleSize(dist)
    const name = distName(dist)
    budgets.push(
      {
        dist: name,
        name: `no-op run ≤ ${BUDGETS.noopOverBoto3} × the boto3 describe-and-compare script`,
        value: boto3Ms === undefined ? 'not measured: no python3 with boto3' : `${(noop.medianMs / boto3Ms).toFixed(2)} × (${fmt(noop.medianMs)} / ${fmt(boto3Ms)} ms)`,
        limit: `${BUDGETS.noopOverBoto3} ×`,
        pass: boto3Ms === undefined || noop.medianMs / boto3Ms <= BUDGETS.noopOverBoto3
      },
      {
        dist: name,
        name: `${FLEET} applications ≤ ${BUDGETS.fanOut} × 1 application`,
        value: `${(many.medianMs / one.medianMs).toFixed(2)} × (${fmt(many.medianMs)} / ${fmt(one.medianMs)} ms)`,
        limit: `${BUDGETS.fanOut} ×`,
        pass: many.medianMs / one.medianMs <= BUDGETS.fanOut
      },
      {
        dist: name,
        name: `index.js, what every run loads, ≤ ${mb(BUDGETS.bundleBytes)} MB`,
        value: `${mb(bundle.main)} MB (chunks loaded only by some runs: ${bundle.files.filter((f) => f.file !== 'index.js').map((f) => `${f.file} ${mb(f.bytes)}`).join(', ') || 'none'})`,
        limit: `${mb(BUDGETS.bundleBytes)} MB`,
        pass: bundle.main <= BUDGETS.bundleBytes
      },
      {
        dist: name,
        name: 'STS client (@aws-sdk/client-sts) not in index.js',
        value: !bundle.sts ? 'not checked (no source maps)' : bundle.sts.length ? `in ${bundle.sts.join(', ')}` : 'not bundled',
        limit: 'only in a chunk loaded with role-to-assume',
        pass: !bundle.sts?.includes('index.js')
      },
      {
        dist: name,
        name: `peak RSS ≤ ${mb(BUDGETS.peakRssBytes)} MB`,
        value: GNU_TIME ? `${mb(peak)} MB (highest of the action's scenarios)` : 'not measured',
        limit: `${mb(BUDGETS.peakRssBytes)} MB`,
        pass: GNU_TIME ? peak <= BUDGETS.peakRssBytes : true
      }
    )
    return { dist: name, ...bundle }
  })
  for (const b of budgets) console.log(`${b.pass ? 'PASS' : 'FAIL'}  ${DISTS.length > 1 ? `[${b.dist}] ` : ''}${b.name}: ${b.value}${b.note ? `, ${b.note}` : ''}`)
  // What naming holidays costs a run: the data is a chunk of its own, loaded only then.
  for (const { dist, scenarios } of perDist) {
    const [noop] = scenarios.map((sc) => rows.find((r) => r.key === sc.key)!)
    const holidays = rows.find((r) => r.key === scenarios.find((sc) => sc.key.endsWith('holidays'))?.key)
    if (!holidays) continue
    const chunk = readdirSync(dist).find((file) => /^\d+\.index\.js$/.test(file) && readFileSync(path.join(dist, `${file}.map`), 'utf8').includes('node_modules/date-holidays/'))
    console.log(
      `${DISTS.length > 1 ? `[${distName(dist)}] ` : ''}holidays: a no-op run naming them takes ${fmt(holidays.medianMs)} ms against ${fmt(noop.medianMs)} ms ` +
        `(+${fmt(holidays.medianMs - noop.medianMs)} ms); their data is ${chunk ? `${chunk}, ${mb(statSync(path.join(dist, chunk)).size)} MB, ` : ''}loaded only then (index.js: ${mb(statSync(path.join(dist, 'index.js')).size)} MB)`
    )
  }

  saveResults({ date: new Date().toISOString(), machine, runs: RUNS, latencyMs: LATENCY_MS, rows, bundles, budgets }, budgets)
  console.log('Fleets of 1 to 300 applications in three regions, updated and followed (wait: true): npm run bench -- --fleet (takes minutes).')
}

/**
 * The code a run can load: index.js, its chunks, and sourcemap-register.cjs when index.js imports
 * it; and which of these files hold @aws-sdk/client-sts (by their source maps).
 */
/** Whether a build reads `holidays` (it has the date-holidays chunk): older builds refuse the field. */
function knowsHolidays(dist: string): boolean {
  return readdirSync(dist).some((file) => file.endsWith('.js.map') && readFileSync(path.join(dist, file), 'utf8').includes('node_modules/date-holidays/'))
}

function bundleSize(dist: string): { total: number; main: number; files: { file: string; bytes: number }[]; sts?: string[] } {
  const entry = readFileSync(path.join(dist, 'index.js'), 'utf8')
  const files = readdirSync(dist)
    .filter((f) => f === 'index.js' || /^\d+\.index\.js$/.test(f) || (f === 'sourcemap-register.cjs' && entry.includes('sourcemap-register.cjs')))
    .map((file) => ({ file, bytes: statSync(path.join(dist, file)).size }))
    .sort((a, b) => b.bytes - a.bytes)
  const total = files.reduce((sum, f) => sum + f.bytes, 0)
  const main = files.find((f) => f.file === 'index.js')?.bytes ?? 0
  const chunks = files.map(({ file }) => file).filter((file) => file.endsWith('.js'))
  if (!chunks.every((file) => existsSync(path.join(dist, `${file}.map`)))) return { total, main, files }
  const sts = chunks.filter((file) =>
    (JSON.parse(readFileSync(path.join(dist, `${file}.map`), 'utf8')) as { sources: string[] }).sources.some((s) => s.includes('/@aws-sdk/client-sts/'))
  )
  return { total, main, files, sts }
}
