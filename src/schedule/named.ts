/**
 * Named schedules as values: several schedules by name in one schedule text, and which of them an
 * application follows, from its tag. Pure. Parsing a text that holds them is named-parser.ts's,
 * loaded only for such a text.
 */
import type { Schedule } from './schedule.js'

export interface NamedSchedules {
  /** Each named schedule, in the order of the text. */
  byName: ReadonlyMap<string, Schedule>
  /** `default-schedule`: the schedule an application follows when its tag names none. */
  defaultSchedule?: string
}

/** What a schedule text holds: one schedule, as it always could, or named ones. */
export type ScheduleText = { schedule: Schedule; named?: undefined } | { named: NamedSchedules; schedule?: undefined }

/** A named schedule an application follows. */
export interface FollowedSchedule {
  name: string
  schedule: Schedule
}

/** The top-level fields that make a text one of named schedules. */
export const NAMED_KEYS = ['schedules', 'default-schedule'] as const

/**
 * A schedule's name is what an application's tag names, so it is a tag value AWS accepts (letters,
 * digits and _ . : / = + - @, at most 256), without spaces, which a tag's value would hide.
 */
export const SCHEDULE_NAME = /^[\p{L}\p{N}_.:/=+\-@]{1,256}$/u

/** Every schedule of a text, with its name (undefined for a single one), in order. */
export function schedulesOf(text: ScheduleText): { name?: string; schedule: Schedule }[] {
  return text.named ? [...text.named.byName].map(([name, schedule]) => ({ name, schedule })) : [{ schedule: text.schedule }]
}

/**
 * The named schedule an application follows: the one its tag names (the tag's value, spaces
 * around it ignored), else `default-schedule`. `tagKey` is the `select-by-tag` key; without one,
 * only `default-schedule` counts. A problem, when it follows none, says what and what to do.
 */
export function followedSchedule(
  named: NamedSchedules,
  tagKey: string | undefined,
  tags: Readonly<Record<string, string>>
): FollowedSchedule | { problem: string; hint: string } {
  const names = [...named.byName.keys()]
  const value = tagKey === undefined ? undefined : tags[tagKey]?.trim()
  // A tag that is there names a schedule, even when empty: only one that is not there falls back.
  if (value !== undefined) {
    const schedule = named.byName.get(value)
    if (schedule) return { name: value, schedule }
    return {
      problem: `Its tag ${tagKey} is ${JSON.stringify(value)}, which names no schedule; the schedules are: ${names.join(', ')}.`,
      hint: `Set the tag ${tagKey} to one of ${names.join(', ')}, or add a schedule named ${JSON.stringify(value)} under "schedules:".`
    }
  }
  if (named.defaultSchedule !== undefined) return { name: named.defaultSchedule, schedule: named.byName.get(named.defaultSchedule)! }
  const setDefault = 'set default-schedule: in the schedule file to the schedule an application without the tag follows'
  return tagKey === undefined
    ? { problem: 'It follows no schedule: the schedule file holds named schedules and no default-schedule.', hint: `Set select-by-tag to the tag that names each application's schedule, or ${setDefault}.` }
    : {
        problem: `It has no tag ${tagKey}, and the schedule file has no default-schedule, so it follows no schedule.`,
        hint: `Tag it ${tagKey} with one of ${names.join(', ')}, or ${setDefault}.`
      }
}
