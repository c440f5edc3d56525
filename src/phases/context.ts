/** What every phase of a run is given: the config, the clients of each place, the run, and where warnings and progress go. */
import type { FlinkClient } from '../aws/flink-client.js'
import type { MetricDataReader } from '../aws/metric-data.js'
import type { Config } from '../github/config.js'
import type { GitHubRun } from '../github/github-run.js'

/**
 * Where an application is reached: a region, in the run's own account or in the account of a role
 * of `account-roles`. An ApplicationRef is one.
 */
export interface Place {
  region: string
  /** The role of `account-roles` it is reached through; undefined: the run's own credentials. */
  role?: string
}

/** The key of a place, for grouping work and clients by it. */
export function placeKey(place: Place): string {
  return place.role ? `${place.role}|${place.region}` : place.region
}

/** A place as the log and warnings name it: "eu-west-1", or "eu-west-1 in account 210987654321" for a role of account-roles. */
export function placeText(place: Place): string {
  const account = place.role && /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(place.role)?.[1]
  return account ? `${place.region} in account ${account}` : place.region
}

export interface RunContext {
  config: Config
  /**
   * The Kinesis Analytics client of a place (one per account and region, with its own request
   * rate, shared by all the applications there). Pass the application's ref: it is its place.
   */
  clientFor: (place: Place) => FlinkClient
  /** The CloudWatch GetMetricData reader of a place (one per account and region); its client is loaded on the first call. */
  metricReaderFor: (place: Place) => Promise<MetricDataReader>
  /** This run: recorded with a hold. */
  run: GitHubRun
  /** A warning, said once per run however many applications run into it. */
  warn: (message: string) => void
  /** A line of progress for the log. */
  log: (line: string) => void
}
