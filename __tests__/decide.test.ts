import { describe, expect, it } from '@jest/globals'
import type { ApplicationState } from '../src/phases/application.js'
import { chooseTarget, decide, type DecideOptions, type Decision, type Wanted } from '../src/phases/decide.js'
import type { Hold } from '../src/phases/holds.js'
import { parseSchedule, type Target } from '../src/schedule/schedule.js'
import { RUNNING_APPLICATION } from './fixtures/application.js'

/** A RUNNING application at parallelism 4, one per KPU, no autoscaling, snapshots on. */
const running: ApplicationState = RUNNING_APPLICATION

const keep: DecideOptions = { autoscaling: 'keep', allowStatelessRestart: false }
const bounded: DecideOptions = { ...keep, min: 2, max: 64 }

const rule = (target: Target, name = 'weekday-daytime'): Wanted => ({ rule: name, target })

interface Row {
  name: string
  state?: Partial<ApplicationState>
  wanted: Wanted
  options?: DecideOptions
  kind: Decision['kind']
  /** The parallelism settings the decision asks for (absent when bounds fail). */
  desired?: { parallelism: number; parallelismPerKpu: number; autoScalingEnabled: boolean }
  /** Fragments the user reads in the reason. */
  reason: RegExp[]
  hint?: RegExp
}

// One row per decision branch of the contract, in the contract's order.
const rows: Row[] = [
  // Bounds: never clamped.
  {
    name: 'parallelism above max fails',
    wanted: rule({ parallelism: 80 }),
    options: bounded,
    kind: 'fail',
    desired: { parallelism: 80, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/parallelism 80/, /max 64/, /never clamped/]
  },
  {
    name: 'parallelism below min fails',
    wanted: rule({ parallelism: 1 }),
    options: bounded,
    kind: 'fail',
    desired: { parallelism: 1, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/parallelism 1\b/, /min 2/]
  },
  {
    name: 'manual target outside the bounds fails too',
    wanted: { rule: 'manual', target: { parallelism: 65 } },
    options: bounded,
    kind: 'fail',
    desired: { parallelism: 65, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/manual/, /max 64/]
  },
  {
    name: "KPU target resolved with the application's ParallelismPerKPU, above max",
    state: { parallelismPerKpu: 4 },
    wanted: rule({ kpu: 20 }),
    options: bounded,
    kind: 'fail',
    desired: { parallelism: 80, parallelismPerKpu: 4, autoScalingEnabled: false },
    reason: [/20 KPU at 4 per KPU/, /parallelism 80/, /max 64/]
  },
  {
    name: 'KPU target resolved with the parallelism-per-kpu input instead, within bounds',
    state: { parallelismPerKpu: 4 },
    wanted: rule({ kpu: 20 }),
    options: { ...bounded, parallelismPerKpu: 2 },
    kind: 'update',
    desired: { parallelism: 40, parallelismPerKpu: 2, autoScalingEnabled: false },
    reason: [/parallelism 40/]
  },
  {
    name: "KPU target resolved with the application's ParallelismPerKPU, below min",
    state: { parallelismPerKpu: 1 },
    wanted: rule({ kpu: 1 }),
    options: bounded,
    kind: 'fail',
    desired: { parallelism: 1, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/parallelism 1\b/, /min 2/]
  },
  {
    name: 'a target equal to max is within bounds',
    wanted: rule({ parallelism: 64 }),
    options: bounded,
    kind: 'update',
    desired: { parallelism: 64, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/parallelism 64/]
  },
  {
    name: 'a target equal to min is within bounds',
    wanted: rule({ parallelism: 2 }),
    options: bounded,
    kind: 'update',
    desired: { parallelism: 2, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/parallelism 2\b/]
  },
  {
    name: 'bounds are checked before the status',
    state: { status: 'UPDATING' },
    wanted: rule({ parallelism: 80 }),
    options: bounded,
    kind: 'fail',
    desired: { parallelism: 80, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/max 64/]
  },

  // Not RUNNING: skipped, the reason names the status.
  ...['STARTING', 'UPDATING', 'AUTOSCALING', 'READY', 'STOPPING', 'FORCE_STOPPING', 'ROLLED_BACK', 'MAINTENANCE'].map(
    (status): Row => ({
      name: `${status} is skipped`,
      state: { status },
      wanted: rule({ parallelism: 8 }),
      kind: 'skip',
      desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false },
      reason: [new RegExp(`\\b${status}\\b`), /not RUNNING/]
    })
  ),

  {
    name: 'UPDATING toward the target already (another run started it): skipped, saying so',
    state: { status: 'UPDATING', parallelism: 8 },
    wanted: rule({ parallelism: 8 }),
    kind: 'skip',
    desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/UPDATING, already configured for parallelism 8/]
  },
  {
    name: 'a held target outside the bounds says how to release the hold',
    wanted: { rule: 'hold', target: { parallelism: 80 } },
    options: bounded,
    kind: 'fail',
    desired: { parallelism: 80, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/the hold/, /max 64/],
    hint: /release-hold: true/
  },
  {
    name: 'autoscaled above the floor: the reason says the restart starts at the target',
    state: { autoScalingEnabled: true, currentParallelism: 12 },
    wanted: rule({ parallelism: 6 }),
    kind: 'update',
    desired: { parallelism: 6, parallelismPerKpu: 1, autoScalingEnabled: true },
    reason: [/autoscaler runs it at parallelism 12 now; it restarts at 6/]
  },

  // Already at target: the configured Parallelism counts, not CurrentParallelism.
  {
    name: 'configured parallelism, ParallelismPerKPU and autoscaling as requested',
    wanted: rule({ parallelism: 4 }),
    kind: 'skip',
    desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/already at target/i, /parallelism 4/, /weekday-daytime/]
  },
  {
    name: 'autoscaling has moved CurrentParallelism up: still at target',
    state: { autoScalingEnabled: true, currentParallelism: 12 },
    wanted: rule({ parallelism: 4 }),
    kind: 'skip',
    desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: true },
    reason: [/already at target/i]
  },
  {
    name: 'CurrentParallelism equals the target but the configured parallelism does not: update',
    state: { autoScalingEnabled: true, currentParallelism: 8 },
    wanted: rule({ parallelism: 8 }),
    kind: 'update',
    desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: true },
    reason: [/parallelism 4/, /parallelism 8/]
  },
  {
    name: 'KPU target already met with the application ParallelismPerKPU',
    state: { parallelismPerKpu: 2 },
    wanted: rule({ kpu: 2 }),
    kind: 'skip',
    desired: { parallelism: 4, parallelismPerKpu: 2, autoScalingEnabled: false },
    reason: [/already at target/i]
  },

  // ParallelismPerKPU differs: same parallelism, still an update.
  {
    name: 'parallelism-per-kpu input differs from the application',
    wanted: rule({ parallelism: 4 }),
    options: { ...keep, parallelismPerKpu: 2 },
    kind: 'update',
    desired: { parallelism: 4, parallelismPerKpu: 2, autoScalingEnabled: false },
    reason: [/2 per KPU/]
  },
  {
    name: 'parallelism-per-kpu input equal to the application: already at target',
    wanted: rule({ parallelism: 4 }),
    options: { ...keep, parallelismPerKpu: 1 },
    kind: 'skip',
    desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/already at target/i]
  },

  // Autoscaling.
  {
    name: 'keep leaves autoscaling on',
    state: { autoScalingEnabled: true },
    wanted: rule({ parallelism: 8 }),
    kind: 'update',
    desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: true },
    reason: [/autoscaling on/]
  },
  {
    name: 'enable turns it on at the same parallelism',
    wanted: rule({ parallelism: 4 }),
    options: { ...keep, autoscaling: 'enable' },
    kind: 'update',
    desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: true },
    reason: [/autoscaling on/]
  },
  {
    name: 'enable when already on: already at target',
    state: { autoScalingEnabled: true },
    wanted: rule({ parallelism: 4 }),
    options: { ...keep, autoscaling: 'enable' },
    kind: 'skip',
    desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: true },
    reason: [/already at target/i]
  },
  {
    name: 'disable turns it off at the same parallelism',
    state: { autoScalingEnabled: true },
    wanted: rule({ parallelism: 4 }),
    options: { ...keep, autoscaling: 'disable' },
    kind: 'update',
    desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/Scaling from parallelism 4 \(4 KPU, autoscaling on\) to parallelism 4 \(4 KPU\)/]
  },

  // Snapshots disabled.
  {
    name: 'snapshots disabled without allow-stateless-restart fails, nothing changed',
    state: { snapshotsEnabled: false },
    wanted: rule({ parallelism: 8 }),
    kind: 'fail',
    desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/snapshots are disabled/i, /state/, /nothing was changed/],
    hint: /allow-stateless-restart/
  },
  {
    name: 'snapshots disabled with allow-stateless-restart updates',
    state: { snapshotsEnabled: false },
    wanted: rule({ parallelism: 8 }),
    options: { ...keep, allowStatelessRestart: true },
    kind: 'update',
    desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/parallelism 8/]
  },
  {
    name: 'snapshots disabled but already at target: skipped, not failed',
    state: { snapshotsEnabled: false },
    wanted: rule({ parallelism: 4 }),
    kind: 'skip',
    desired: { parallelism: 4, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/already at target/i]
  },
  {
    name: 'snapshots disabled and not RUNNING: skipped, not failed',
    state: { snapshotsEnabled: false, status: 'READY' },
    wanted: rule({ parallelism: 8 }),
    kind: 'skip',
    desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/READY/]
  },

  // Update.
  {
    name: 'scale up for a schedule rule',
    wanted: rule({ parallelism: 8 }),
    kind: 'update',
    desired: { parallelism: 8, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/Scaling from parallelism 4 \(4 KPU\) to parallelism 8 \(8 KPU\)/, /rule weekday-daytime/]
  },
  {
    name: 'scale down to the default with KPUs',
    state: { parallelism: 40, parallelismPerKpu: 2 },
    wanted: { rule: 'default', target: { kpu: 10 } },
    kind: 'update',
    desired: { parallelism: 20, parallelismPerKpu: 2, autoScalingEnabled: false },
    reason: [/parallelism 40 \(20 KPU, 2 per KPU\)/, /parallelism 20 \(10 KPU, 2 per KPU\)/, /default/]
  },
  {
    name: 'a hold',
    wanted: { rule: 'hold', target: { parallelism: 16 } },
    kind: 'update',
    desired: { parallelism: 16, parallelismPerKpu: 1, autoScalingEnabled: false },
    reason: [/parallelism 16/, /hold/]
  }
]

describe('decide', () => {
  it.each(rows)('$name', ({ state, wanted, options, kind, desired, reason, hint }) => {
    const decision = decide({ ...running, ...state }, wanted, options ?? keep)

    expect(decision.kind).toBe(kind)
    expect(decision.rule).toBe(wanted.rule)
    expect(decision.desired).toEqual(desired)
    for (const fragment of reason) expect(decision.reason).toMatch(fragment)
    if (decision.kind === 'fail') expect(decision.hint).toMatch(hint ?? /\S/)
  })
})

// Tuesday 2026-03-10, 12:00 UTC: inside the daytime rule of the schedule below.
const noon = new Date('2026-03-10T12:00:00Z')
const schedule = parseSchedule(
  [
    'timezone: UTC',
    'default: { parallelism: 2 }',
    'rules:',
    '  - name: daytime',
    '    days: Mon-Sun',
    '    from: "08:00"',
    '    to: "18:00"',
    '    parallelism: 8'
  ].join('\n'),
  'test schedule'
)
const hours = (n: number) => new Date(noon.getTime() + n * 3_600_000)
const activeHold: Hold = { parallelism: 6, until: hours(1), by: 'https://github.com/o/r/actions/runs/1' }
const expiredHold: Hold = { parallelism: 6, until: hours(-1) }

describe('chooseTarget', () => {
  it.each([
    { name: 'the schedule', input: {}, expected: { rule: 'daytime', target: { parallelism: 8 } } },
    { name: 'the schedule default', input: { now: hours(8) }, expected: { rule: 'default', target: { parallelism: 2 } } },
    { name: 'manual over the schedule', input: { manual: { parallelism: 5 } }, expected: { rule: 'manual', target: { parallelism: 5 } } },
    { name: 'manual in KPUs', input: { manual: { kpu: 3 } }, expected: { rule: 'manual', target: { kpu: 3 } } },
    { name: 'an active hold over the schedule', input: { hold: activeHold }, expected: { rule: 'hold', target: { parallelism: 6 } } },
    {
      name: 'an active hold over a manual target without hold-until',
      input: { hold: activeHold, manual: { parallelism: 5 } },
      expected: { rule: 'hold', target: { parallelism: 6 } }
    },
    {
      name: 'a manual target with hold-until over an active hold',
      input: { hold: activeHold, manual: { parallelism: 5 }, settingHold: true },
      expected: { rule: 'manual', target: { parallelism: 5 } }
    },
    { name: 'an expired hold is ignored', input: { hold: expiredHold }, expected: { rule: 'daytime', target: { parallelism: 8 } } },
    {
      name: 'a hold ending exactly now is expired',
      input: { hold: { parallelism: 6, until: noon } },
      expected: { rule: 'daytime', target: { parallelism: 8 } }
    },
    {
      name: 'an expired hold does not beat a manual target',
      input: { hold: expiredHold, manual: { parallelism: 5 } },
      expected: { rule: 'manual', target: { parallelism: 5 } }
    },
    {
      name: 'release-hold ignores an active hold',
      input: { hold: activeHold, releaseHold: true },
      expected: { rule: 'daytime', target: { parallelism: 8 } }
    },
    {
      name: 'release-hold with a manual target',
      input: { hold: activeHold, releaseHold: true, manual: { parallelism: 5 } },
      expected: { rule: 'manual', target: { parallelism: 5 } }
    },
    {
      name: 'an active hold without any schedule',
      input: { schedule: undefined, hold: activeHold, manual: { parallelism: 5 } },
      expected: { rule: 'hold', target: { parallelism: 6 } }
    }
  ])('$name', ({ input, expected }) => {
    expect(chooseTarget({ schedule, releaseHold: false, settingHold: false, now: noon, ...input })).toEqual(expected)
  })
})
