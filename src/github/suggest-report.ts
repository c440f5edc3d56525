/**
 * The report of a suggest run: the outputs (`suggested-schedule` among them), the log (a group per
 * application, then the YAML), annotations for what failed, and the job summary. The exit code is
 * failure when any application failed. Loaded only by such runs.
 */
import * as core from '@actions/core'
import type { Config } from './config.js'
import { logLine } from './escape.js'
import { startedBy, type GitHubRun } from './github-run.js'
import { publicFields } from '../phases/outcome.js'
import type { SuggestRun } from '../phases/suggest.js'
import { annotate, writeSummary } from './report.js'
import { headline, renderSuggestSummary, UTC_WARNING } from './suggest-summary.js'

const info = (text: string) => core.info(logLine(text))

export async function reportSuggestions(config: Config, run: SuggestRun, github: GitHubRun): Promise<void> {
  core.setOutput('changed', 'false')
  core.setOutput('results', JSON.stringify(run.outcomes.map(publicFields)))
  // A suggestion decides no target and follows no schedule: these are empty.
  core.setOutput('target-parallelism', '')
  core.setOutput('next-transition', '')
  core.setOutput('next-parallelism', '')
  core.setOutput('suggested-schedule', run.yaml ?? '')

  info(headline(run))
  if (!run.zoneGiven && run.suggested.length > 0) core.warning(UTC_WARNING)
  for (const o of run.outcomes) {
    core.startGroup(`${o.application} (${o.account ? `${o.region}, account ${o.account}` : o.region}): ${o.action === 'failed' ? 'failed' : 'suggested'}`)
    info(o.reason)
    if (o.hint) info(`Fix: ${o.hint}`)
    const s = run.suggested.find((each) => each.ref.name === o.application && each.ref.region === o.region && each.ref.account === o.account)
    if (s) {
      const { worst } = s.suggestion.figures
      info(`The busiest hour under it: ${worst.local}, ${worst.projected.toFixed(1)}% CPU on ${worst.kpu} KPU (aim ${s.suggestion.figures.utilization}%).`)
      if (s.suggestion.figures.atFullCpu > 0) info(`${s.suggestion.figures.atFullCpu} hours ran at full CPU: the job was likely behind then, and may have needed more than they show.`)
      if (s.suggestion.figures.hoursWithoutData > 0) info(`${s.suggestion.figures.hoursWithoutData} of ${s.suggestion.figures.lookBackHours} hours had no data (stopped, or not yet created) and are left out.`)
    }
    core.endGroup()
  }
  if (run.yaml) {
    core.startGroup(run.named ? 'The suggested schedules (the suggested-schedule output)' : 'The suggested schedule (the suggested-schedule output)')
    for (const line of run.yaml.replace(/\n$/, '').split('\n')) info(line)
    core.endGroup()
  }
  annotate(
    run.outcomes.filter((o) => o.action === 'failed'),
    'no schedule suggested'
  )
  await writeSummary(
    renderSuggestSummary({
      run,
      days: config.suggest!.days,
      utilization: config.suggest!.utilization,
      ...(config.kpuHourPrice !== undefined ? { kpuHourPrice: config.kpuHourPrice } : {}),
      startedBy: startedBy(github),
      clock: config.clock,
      ...(config.scheduleFile ? { scheduleFile: config.scheduleFile } : {}),
      ...(config.selectByTag ? { tagKey: config.selectByTag } : {})
    })
  )
  const failed = run.outcomes.filter((o) => o.action === 'failed').length
  if (failed > 0) {
    info(`${failed} of ${run.outcomes.length} application${run.outcomes.length === 1 ? '' : 's'} failed.`)
    process.exitCode = 1
  }
}
