import type { Hold } from './decide.js'

/** The tags a hold is stored in, on the application itself, so every workflow sees it. */
export const HOLD_TAGS = {
  parallelism: 'scheduled-scaler:hold-parallelism',
  until: 'scheduled-scaler:hold-until',
  by: 'scheduled-scaler:hold-by'
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
    return { parallelism: 0, until: new Date(0), by: tags[HOLD_TAGS.by] }
  }
  return { parallelism, until, by: tags[HOLD_TAGS.by] }
}

export function holdTags(hold: Hold): Record<string, string> {
  return {
    [HOLD_TAGS.parallelism]: String(hold.parallelism),
    [HOLD_TAGS.until]: hold.until.toISOString().replace(/\.000Z$/, 'Z'),
    ...(hold.by ? { [HOLD_TAGS.by]: hold.by } : {})
  }
}

/** The URL of this workflow run, recorded as who set a hold. */
export function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env
  if (!GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined
  return `${GITHUB_SERVER_URL || 'https://github.com'}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
}
