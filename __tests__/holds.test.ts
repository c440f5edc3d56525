import { describe, expect, it } from '@jest/globals'
import type { Hold } from '../src/phases/holds.js'
import { holdPlanText, holdTags, planHold, readHold, type HoldInputs, type HoldPlan } from '../src/phases/holds.js'

const NOW = new Date('2026-12-02T18:00:00Z')
const active: Hold = { parallelism: 32, until: new Date('2026-12-02T22:00:00Z'), by: 'https://github.com/acme/flink-jobs/actions/runs/41', actor: 'octocat' }
const expired: Hold = { ...active, until: new Date('2026-12-02T17:00:00Z') }
const requested: Hold = { parallelism: 16, until: new Date('2026-12-03T02:05:00Z'), by: 'https://github.com/acme/flink-jobs/actions/runs/42', actor: 'hubot' }

describe('planHold: what to write, what to remove, what to restore if the update fails', () => {
  it.each<{ name: string; found?: Hold; inputs: HoldInputs; plan: HoldPlan }>([
    { name: 'no hold, none asked for: nothing', inputs: { releaseHold: false, decision: 'update' }, plan: { current: undefined, remove: false, after: undefined } },
    { name: 'an active hold, nothing asked: it stays in force', found: active, inputs: { releaseHold: false, decision: 'skip' }, plan: { current: active, remove: false, after: active } },
    { name: 'an expired hold: removed', found: expired, inputs: { releaseHold: false, decision: 'update' }, plan: { current: undefined, remove: true, after: undefined } },
    { name: 'an expired hold, the target fails: removed all the same', found: expired, inputs: { releaseHold: false, decision: 'fail' }, plan: { current: undefined, remove: true, after: undefined } },
    { name: 'release-hold with an active hold: removed', found: active, inputs: { releaseHold: true, decision: 'update' }, plan: { current: active, remove: true, after: undefined } },
    { name: 'release-hold with no hold: nothing to remove', inputs: { releaseHold: true, decision: 'skip' }, plan: { current: undefined, remove: false, after: undefined } },
    {
      name: 'a new hold, none found: written; undone by removing it',
      inputs: { requested, releaseHold: false, decision: 'update' },
      plan: { current: undefined, write: requested, remove: false, undo: { restore: undefined }, after: requested }
    },
    {
      name: 'a new hold over an active one: written; undone by restoring the one it replaced',
      found: active,
      inputs: { requested, releaseHold: false, decision: 'update' },
      plan: { current: active, write: requested, remove: false, undo: { restore: active }, after: requested }
    },
    {
      name: 'a new hold over an expired one: written; undone by removing (the expired one is not restored)',
      found: expired,
      inputs: { requested, releaseHold: false, decision: 'skip' },
      plan: { current: undefined, write: requested, remove: false, undo: { restore: undefined }, after: requested }
    },
    {
      name: 'a new hold for a target that fails: not written; the active one stays',
      found: active,
      inputs: { requested, releaseHold: false, decision: 'fail' },
      plan: { current: active, remove: false, after: active }
    }
  ])('$name', ({ found, inputs, plan }) => {
    expect(planHold(found, inputs, NOW)).toEqual(plan)
  })

  it('a hold that ends at this very instant has ended', () => {
    expect(planHold({ ...active, until: NOW }, { releaseHold: false, decision: 'skip' }, NOW)).toMatchObject({ current: undefined, remove: true })
  })

  it('says what a dry run leaves undone', () => {
    expect(holdPlanText(planHold(undefined, { requested, releaseHold: false, decision: 'update' }, NOW))).toBe(' Would hold parallelism 16 until 2026-12-03T02:05:00.000Z.')
    expect(holdPlanText(planHold(active, { releaseHold: true, decision: 'update' }, NOW))).toBe(' Would remove the hold.')
    expect(holdPlanText(planHold(active, { releaseHold: false, decision: 'skip' }, NOW))).toBe('')
  })
})

describe('hold tags', () => {
  it('round-trips a hold, with who set it', () => {
    const tags = holdTags(requested)
    expect(tags).toEqual({
      'scheduled-scaler:hold-parallelism': '16',
      'scheduled-scaler:hold-until': '2026-12-03T02:05:00Z',
      'scheduled-scaler:hold-by': 'https://github.com/acme/flink-jobs/actions/runs/42',
      'scheduled-scaler:hold-actor': 'hubot'
    })
    expect(readHold({ team: 'data', ...tags })).toEqual(requested)
  })

  it("keeps a tag value to what AWS allows: a bot's brackets become _", () => {
    expect(holdTags({ ...requested, actor: 'github-actions[bot]' })['scheduled-scaler:hold-actor']).toBe('github-actions_bot_')
    expect(holdTags({ ...requested, actor: 'x'.repeat(300) })['scheduled-scaler:hold-actor']).toHaveLength(256)
  })

  it('no hold tags: no hold; a half-written or hand-edited one: expired, so the next run removes it', () => {
    expect(readHold({ team: 'data' })).toBeUndefined()
    expect(readHold({ 'scheduled-scaler:hold-parallelism': 'lots', 'scheduled-scaler:hold-until': '2030-01-01T00:00:00Z' })).toMatchObject({ until: new Date(0) })
    expect(readHold({ 'scheduled-scaler:hold-parallelism': '8' })).toMatchObject({ until: new Date(0) })
  })
})
