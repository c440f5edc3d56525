/** Holds: a manual target kept on the application as tags, read, written, and planned for each run (pure). */

/** A hold read from the application's tags. */
export interface Hold {
  parallelism: number
  until: Date
  /** The URL of the run that set it. */
  by?: string
  /** The GitHub login that started that run. */
  actor?: string
}

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

/** What a run does about holds for one application: a pure function of the hold found, the inputs and the time. */
export interface HoldPlan {
  /** The hold in force until this run writes one: the hold found, while it is active. */
  current?: Hold
  /** Tags to write: once the update is accepted, or at once when no update is needed. */
  write?: Hold
  /** Remove the hold's tags: it was released or has expired (whatever else happens). */
  remove: boolean
  /**
   * When the update is accepted and then fails (not when the wait only runs out of time): the hold
   * to put back, or none (then this run's hold is removed).
   */
  undo?: { restore?: Hold }
  /** The hold in force once this run has done what it set out to do. */
  after?: Hold
}

export interface HoldInputs {
  /** The hold this run asks for (a manual target with hold-until), resolved for this application. */
  requested?: Hold
  releaseHold: boolean
  /** What the decision is: a hold is never written for a target that fails. */
  decision: 'update' | 'skip' | 'fail' | 'defer'
}

export function planHold(found: Hold | undefined, inputs: HoldInputs, now: Date): HoldPlan {
  const current = found && found.until > now ? found : undefined
  if (inputs.requested && inputs.decision !== 'fail') {
    return { current, write: inputs.requested, remove: false, undo: { restore: current }, after: inputs.requested }
  }
  const remove = found !== undefined && (inputs.releaseHold || !current)
  return { current, remove, after: remove ? undefined : current }
}

/** "Would hold parallelism 12 until …", "Would remove the hold", or nothing: what a dry run leaves undone. */
export function holdPlanText(plan: HoldPlan): string {
  if (plan.write) return ` Would hold parallelism ${plan.write.parallelism} until ${plan.write.until.toISOString()}.`
  if (plan.remove) return ' Would remove the hold.'
  return ''
}
