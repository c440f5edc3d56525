/** The workflow run this step belongs to, from @actions/github's context. */
// @actions/github's Context alone: its package entry point also builds an Octokit client with every
// REST endpoint (about 120 kB of the bundle, evaluated on every run) that this action never uses,
// and its package exports do not name the context module, so it is imported by its path.
import { Context } from '../../node_modules/@actions/github/lib/context.js'

const context = new Context()

export interface GitHubRun {
  /** This run's page, e.g. https://github.com/acme/flink-jobs/actions/runs/42; undefined outside Actions. */
  url?: string
  /** The event that started it: schedule, workflow_dispatch, push, ... */
  event?: string
  /** The GitHub login that started it (for a scheduled run, whoever last changed the cron). */
  actor?: string
  /** The workflow's name. */
  workflow?: string
}

export function gitHubRun(): GitHubRun {
  let url: string | undefined
  try {
    const { owner, repo } = context.repo
    if (owner && repo && Number.isSafeInteger(context.runId)) url = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`
  } catch {
    // Outside a workflow run there is no repository, and so no run to link to.
  }
  return {
    ...(url ? { url } : {}),
    ...(context.eventName ? { event: context.eventName } : {}),
    ...(context.actor ? { actor: context.actor } : {}),
    ...(context.workflow ? { workflow: context.workflow } : {})
  }
}

/** "a scheduled run", "workflow_dispatch by @octocat", "push by @octocat": what started the run. */
export function startedBy(run: GitHubRun): string | undefined {
  if (!run.event) return undefined
  if (run.event === 'schedule') return 'a scheduled run'
  return run.actor ? `${run.event} by @${run.actor}` : run.event
}
