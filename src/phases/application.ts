/** What the action observed of one Managed Flink application (mapped from DescribeApplication). */
export interface ApplicationState {
  name: string
  arn: string
  region: string
  /** ApplicationStatus: RUNNING, READY, UPDATING, AUTOSCALING, STARTING, ... */
  status: string
  versionId: number
  /** Absent on older API responses; then the version id guards the update. */
  conditionalToken?: string
  /** CUSTOM, or DEFAULT (the service's own parallelism settings). */
  configurationType: string
  /** The configured parallelism. The service's autoscaler moves `currentParallelism`, not this. */
  parallelism: number
  parallelismPerKpu: number
  autoScalingEnabled: boolean
  currentParallelism?: number
  snapshotsEnabled: boolean
  /** FlinkRunConfiguration.AllowNonRestoredState, when the service reports it. */
  allowNonRestoredState?: boolean
  /**
   * What a restart restores (ApplicationRestoreConfigurationDescription): RESTORE_FROM_LATEST_SNAPSHOT
   * keeps the state, SKIP_RESTORE_FROM_SNAPSHOT drops it, RESTORE_FROM_CUSTOM_SNAPSHOT rewinds it.
   */
  restoreType?: string
  /** The snapshot RESTORE_FROM_CUSTOM_SNAPSHOT restores. */
  snapshotName?: string
  /** ApplicationVersionUpdatedFrom: the version the current one was made from. */
  versionUpdatedFrom?: number
}

/** The restore type that keeps an application's state across a restart. */
export const RESTORE_LATEST = 'RESTORE_FROM_LATEST_SNAPSHOT'

/** The parallelism settings an update asks for. */
export interface Desired {
  parallelism: number
  parallelismPerKpu: number
  autoScalingEnabled: boolean
}

/** Whether the configured parallelism settings are those asked for (what CurrentParallelism is does not matter). */
export function atTarget(state: Desired, desired: Desired): boolean {
  return (
    state.parallelism === desired.parallelism &&
    state.parallelismPerKpu === desired.parallelismPerKpu &&
    state.autoScalingEnabled === desired.autoScalingEnabled
  )
}

/** KPUs the service allocates for a parallelism: one KPU runs `parallelismPerKpu` parallel tasks. */
export function kpus(parallelism: number, parallelismPerKpu: number): number {
  return Math.ceil(parallelism / parallelismPerKpu)
}

/** Application names, per the API model: 1-128 of [a-zA-Z0-9_.-]. */
export const APPLICATION_NAME = /^[a-zA-Z0-9_.-]{1,128}$/

/** arn:PARTITION:kinesisanalytics:REGION:ACCOUNT:application/NAME */
export const APPLICATION_ARN = /^arn:(aws[a-z-]*):kinesisanalytics:([a-z0-9-]+):(\d{12}):application\/([a-zA-Z0-9_.-]{1,128})$/
