/** What every phase of a run is given: the config, each region's clients, the run, and where warnings and progress go. */
import type { FlinkClient } from '../aws/flink-client.js'
import type { MetricDataReader } from '../aws/metric-data.js'
import type { Config } from '../github/config.js'
import type { GitHubRun } from '../github/github-run.js'

export interface RunContext {
  config: Config
  /** The Kinesis Analytics client of a region (one per region, shared by all its applications). */
  clientFor: (region: string) => FlinkClient
  /** The CloudWatch GetMetricData reader of a region (one per region); its client is loaded on the first call. */
  metricReaderFor: (region: string) => Promise<MetricDataReader>
  /** This run: recorded with a hold. */
  run: GitHubRun
  /** A warning, said once per run however many applications run into it. */
  warn: (message: string) => void
  /** A line of progress for the log. */
  log: (line: string) => void
}
