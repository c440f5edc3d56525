/**
 * npm run demo: the bundled action against the local emulator, at a handful of instants.
 * No AWS account, no network: the emulator listens on 127.0.0.1.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { loadCurves, startEmulator } from '../emulator/index.js'
import { ROOT, runAction } from '../runner/run-action.js'
import { markdownToTerminal } from '../runner/terminal.js'

const schedule = readFileSync(path.join(ROOT, 'examples', 'flink-schedule.yml'), 'utf8')
const guarded = readFileSync(path.join(ROOT, 'examples', 'guarded.schedule.yml'), 'utf8')
const color = process.stdout.isTTY ?? false
const heading = (text: string) => (color ? `\x1b[1;36m${text}\x1b[0m` : text)
const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[0m` : text)

const MINUTE = 60_000
const now = Date.now()
const emulator = await startEmulator({
  updateDurationMs: 1_500,
  applications: [
    // An evening: payments-router is still working off the day's peak (30 KPU of work on 20) for a
    // few more minutes; sessions-rollup has been idle for a while. Both have run like this for 30 minutes.
    { name: 'payments-router', region: 'us-west-2', parallelism: 20, load: { curve: loadCurves.steps(30, [[now + 3 * MINUTE, 3]]), since: now - 30 * MINUTE } },
    { name: 'sessions-rollup', region: 'us-west-2', parallelism: 20, load: { curve: loadCurves.constant(3), since: now - 30 * MINUTE } },
    { name: 'orders-enricher', region: 'us-west-2', parallelism: 10, parallelismPerKpu: 1, allowNonRestoredState: true },
    { name: 'clickstream-sessions', region: 'us-west-2', parallelism: 20, parallelismPerKpu: 2 },
    { name: 'fraud-scorer', region: 'us-west-2', parallelism: 10, snapshotsEnabled: false },
    // Four weeks at a flat 16 KPU, though it is busy only in office hours (Los Angeles): 9 KPU of
    // work on weekdays 08:00-18:00, 2 otherwise.
    {
      name: 'checkout-events',
      region: 'us-west-2',
      parallelism: 16,
      history: { curve: loadCurves.weekly({ zone: 'America/Los_Angeles', load: (day, hour) => (day <= 5 && hour >= 8 && hour < 18 ? 9 : 2) }), days: 29 }
    }
  ]
})

interface Scene {
  title: string
  inputs: Record<string, string>
  /** Run as a check before merge: the schedule file in the workspace, no credentials at all. */
  checkOnly?: boolean
  /** Show the week ahead drawn (the other scenes show only its next change). */
  week?: boolean
  /** What started the run, when not the schedule. */
  event?: 'pull_request' | 'workflow_dispatch'
  /** Another schedule than the quick start's. */
  schedule?: string
  /** Run the emulated applications' clock this far ahead first (an evening passes at once). */
  advanceMs?: number
}

/** The summary up to the week's next change, for scenes that do not draw the week again. */
function withoutWeek(summary: string): string {
  const at = summary.indexOf('### The week ahead')
  if (at < 0) return summary
  const next = summary.slice(at).split('\n').find((line) => line.startsWith('Next change:') || line.startsWith('The schedule does not change'))
  return `${summary.slice(0, at)}${next ?? ''}\n`
}

const both = 'orders-enricher\nclickstream-sessions'
const scenes: Scene[] = [
  {
    title: 'Not sure what to write? suggest: 28d reads four weeks of checkout-events metrics and proposes a schedule, with what it would have saved; nothing is changed',
    inputs: { 'application-name': 'checkout-events', suggest: '28d', 'kpu-hour-price': '0.11' }
  },
  {
    title: 'A pull request changes the schedule: check-only draws its week (holidays, lead, KPU-hours, cost); no AWS call, no credentials',
    inputs: { 'check-only': 'true', 'schedule-file': '.github/flink-schedule.yml', 'kpu-hour-price': '0.11', at: '2026-11-23T00:00:00-08:00' },
    checkOnly: true,
    week: true,
    event: 'pull_request'
  },
  {
    title: 'Wednesday 02:00 in Los Angeles: night, both applications are already at 10 KPU',
    inputs: { 'application-name': both, at: '2026-12-02T02:00:00-08:00' }
  },
  {
    title: 'Wednesday 04:50: the 05:05 window is 15 minutes away, within its 20-minute lead: scale both up now (clickstream runs 2 per KPU)',
    inputs: { 'application-name': both, at: '2026-12-02T04:50:00-08:00' }
  },
  {
    title: 'The same instant again (a late or repeated run): nothing to do, no restart',
    inputs: { 'application-name': both, at: '2026-12-02T04:50:00-08:00' }
  },
  {
    title: 'Thursday 2026-12-24 18:05: back to 10 KPU; Christmas Day is a US public holiday, so Friday stays at 10 KPU',
    inputs: { 'application-name': 'orders-enricher', at: '2026-12-24T18:05:00-08:00' },
    week: true
  },
  {
    title: 'Friday 2027-03-12 18:00 PST: the coming changes cross the DST change (04:45 is 11:45 UTC on Monday, not 12:45)',
    inputs: { 'application-name': 'orders-enricher', at: '2027-03-12T18:00:00-08:00' }
  },
  {
    title: 'A manual override from workflow_dispatch: parallelism 32, held for 4 hours (from now, on the real clock)',
    inputs: { 'application-name': 'orders-enricher', parallelism: '32', 'hold-until': '4h', at: '2027-03-12T19:00:00-08:00' },
    event: 'workflow_dispatch'
  },
  {
    title: 'The scheduled run at 20:00 respects the hold',
    inputs: { 'application-name': 'orders-enricher', at: '2027-03-12T20:00:00-08:00' }
  },
  {
    title: 'A dry run of release-hold on Monday 09:00 PDT: what would happen?',
    inputs: { 'application-name': 'orders-enricher', 'release-hold': 'true', 'dry-run': 'true', at: '2027-03-15T09:00:00-07:00' }
  },
  {
    title: 'A failure and its fix: fraud-scorer has snapshots disabled, so scaling it would lose its state',
    inputs: { 'application-name': 'fraud-scorer', at: '2027-03-15T09:00:00-07:00' }
  },
  {
    title: 'Wednesday 18:10 with a guard (lag 60s, cpu 70%, at-most 2h): payments-router is behind, so its scale-down waits; idle sessions-rollup scales down',
    inputs: { 'application-name': 'payments-router\nsessions-rollup', at: '2026-12-02T18:10:00-08:00' },
    schedule: guarded
  },
  {
    title: '40 minutes later (the emulator runs its clock ahead): payments-router has caught up, so it scales down too',
    inputs: { 'application-name': 'payments-router\nsessions-rollup', at: '2026-12-02T18:50:00-08:00' },
    schedule: guarded,
    advanceMs: 40 * MINUTE
  }
]

const started = performance.now()
try {
  for (const [index, scene] of scenes.entries()) {
    console.log(`\n${heading(`━━ ${index + 1}/${scenes.length} ${scene.title}`)}`)
    console.log(dim(`   with: ${Object.entries(scene.inputs).map(([k, v]) => `${k}=${v.replace(/\n/g, ',')}`).join('  ')}`))
    const event: Record<string, string> = scene.event ? { GITHUB_EVENT_NAME: scene.event } : {}
    if (scene.advanceMs) emulator.advance(scene.advanceMs)
    const run = scene.checkOnly
      ? await runAction(scene.inputs, { env: { ...emulator.env({ credentials: false, oidc: false }), ...event }, files: { '.github/flink-schedule.yml': schedule } })
      : await runAction({ schedule: scene.schedule ?? schedule, region: 'us-west-2', ...scene.inputs }, { env: { ...emulator.env(), ...event } })
    const summary = scene.week ? run.summary : withoutWeek(run.summary)
    console.log('\n' + markdownToTerminal(summary, { color, maxTableRows: 4 }).replace(/^/gm, '   ').replace(/[ ]+$/gm, ''))
    for (const annotation of run.annotations) {
      console.log(`   ${annotation.level.toUpperCase()}: ${annotation.title ? `${annotation.title}: ` : ''}${annotation.message}`)
    }
    console.log(dim(`   exit code ${run.exitCode} · changed=${run.outputs.changed} · next-transition=${run.outputs['next-transition'] || '-'} · ${Math.round(run.durationMs)} ms`))
  }
  const updates = emulator.requests.filter((r) => r.operation === 'UpdateApplication' && r.status === 200).length
  console.log(`\n${heading('Done')} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${emulator.requests.length} AWS requests, ${updates} accepted updates.`)
  console.log('Point the action at the emulator yourself: npx tsx emulator/cli.ts')
} finally {
  await emulator.stop()
}
