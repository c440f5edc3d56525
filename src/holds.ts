import type { Hold } from './decide.js'

/** The tags a hold is stored in, on the application itself, so every workflow sees it. */
export const HOLD_TAGS = {
  parallelism: 'scheduled-scaler:hold-parallelism',
  until: 'scheduled-scaler:hold-until',
  by: 'scheduled-scaler:hold-by',
  actor: 'scheduled-scaler:hold-actor'
} as const

export const HOLD_TAG_KEYS = Object.values(HOLD_TAGS)

/** The hold recorded in an application's tags; undefined when there is none or it is unreadable. */
export function readHold(tags: Record<string, string>): Hold | undefined {
  const parallelismText = tags[HOLD_TAGS.parallelism]
  const untilText = tags[HOLD_TAGS.until]
  if (parallelismText === undefined && untilText === undefined) return undefined
  const parallelism = Number(parallelismText)
  const until = new Date(untilText ?? '')
  // A half-written or hand-edited hold is treated as expired, so the next run removes it.
  if (!Number.isSafeInteger(parallelism) || parallelism < 1 || Number.isNaN(until.getTime())) {
    return { parallelism: 0, until: new Date(0), ...recordedBy(tags) }
  }
  return { parallelism, until, ...recordedBy(tags) }
}

function recordedBy(tags: Record<string, string>): Pick<Hold, 'by' | 'actor'> {
  const by = tags[HOLD_TAGS.by]
  const actor = tags[HOLD_TAGS.actor]
  return { ...(by ? { by } : {}), ...(actor ? { actor } : {}) }
}

export function holdTags(hold: Hold): Record<string, string> {
  return {
    [HOLD_TAGS.parallelism]: String(hold.parallelism),
    [HOLD_TAGS.until]: hold.until.toISOString().replace(/\.000Z$/, 'Z'),
    ...(hold.by ? { [HOLD_TAGS.by]: tagValue(hold.by) } : {}),
    ...(hold.actor ? { [HOLD_TAGS.actor]: tagValue(hold.actor) } : {})
  }
}

/**
 * AWS tag values are at most 256 characters of letters, digits, spaces and + - = . _ : / @; a bot
 * login such as github-actions[bot] has others, which become "_".
 */
function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N}\s+\-=._:/@]/gu, '_').slice(0, 256)
}
