/**
 * Kinesis Analytics V2 (Managed Service for Apache Flink) operations and the application state
 * machine: versions and ConditionalTokens, RUNNING → UPDATING → RUNNING restarts, operations
 * history, system rollbacks, snapshots and what a restart restores, tags, per-region applications.
 *
 * The Flink job's state is modelled as a count of records that grows while the job runs. A restart
 * of a RUNNING application with snapshots enabled first takes a snapshot of it (the service "creates
 * and uses snapshots when the application is updated, scaled, or stopped"), then starts the job
 * from what the application's restore configuration names: RESTORE_FROM_LATEST_SNAPSHOT keeps the
 * state, SKIP_RESTORE_FROM_SNAPSHOT drops it, RESTORE_FROM_CUSTOM_SNAPSHOT rewinds it to that
 * snapshot. With snapshots disabled nothing is restored.
 *
 * Time-driven transitions are computed lazily from timestamps: every read settles the transitions
 * whose time has come, so what a caller sees depends only on the clock, never on timer scheduling.
 * The clock is the emulator's (clock.ts), which a test may run ahead.
 *
 * An application seeded with a load curve (load.ts) has a job that works through that load at the
 * KPUs it runs on, publishing its metrics once a minute, and the service's autoscaler looks at
 * them: with AutoScalingEnabled it doubles CurrentParallelism after 15 minutes at 75% CPU or more,
 * halves it after 6 hours under 10%, never below the configured Parallelism nor above the KPU
 * quota, and shows AUTOSCALING while it restarts the job at the new size.
 */
import { createHash, randomBytes } from 'node:crypto'
import { JobLoad, LOAD_METRIC_UNITS, type LoadCurve, type MinuteSample } from './load.js'
import { SynthesisedHistory, type SeedHistory } from './history.js'
import type { SourceSample } from './metric-data.js'
import { frameworkError, kdaError, ServiceError } from './errors.js'
import type { FailOptions, Faults, RaceOptions } from './faults.js'
import {
  ApplicationName,
  INPUT_SHAPES,
  SnapshotName,
  KDA_OPERATIONS,
  OPERATION_ERRORS,
  RUNTIME_ENVIRONMENTS,
  APPLICATION_STATUSES,
  validate,
  validationMessage,
  type KdaOperation
} from './shapes.js'

export const ACCOUNT_ID = '123456789012'
export const DEFAULT_REGION = 'us-east-1'
export const TARGET_PREFIX = 'KinesisAnalytics_20180523'
/** The documented ceiling of ParallelismPerKPU (the model itself only sets a minimum of 1). */
export const MAX_PARALLELISM_PER_KPU = 8

/** A snapshot an application already has when seeded. */
export interface SeedSnapshot {
  /** SnapshotName ([a-zA-Z0-9_.-]+). */
  name: string
  /** Records of the job's state it holds. Default 0. */
  records?: number
  /** Default 'READY'. Only a READY snapshot can be restored. */
  status?: SnapshotStatus
  /** The application version it was taken of. Default: the seed's versionId. */
  versionId?: number
  /** Epoch ms. Default: one hour apart, the last one an hour ago. */
  createdAt?: number
}

export interface SeedApplication {
  name: string
  /** Default ACCOUNT_ID (123456789012): the account whose credentials see it. */
  account?: string
  /** Default 'us-east-1'. ARN arn:aws:kinesisanalytics:REGION:123456789012:application/NAME */
  region?: string
  /** Default 'RUNNING' (any ApplicationStatus: READY, STARTING, UPDATING, AUTOSCALING, STOPPING, …). */
  status?: string
  /** Default 1. */
  parallelism?: number
  /** Default 1. */
  parallelismPerKpu?: number
  /** Default: equal to parallelism (set higher to mimic an application auto scaling has scaled out). */
  currentParallelism?: number
  /** Default false. */
  autoScalingEnabled?: boolean
  /** Default 'CUSTOM'. */
  configurationType?: 'CUSTOM' | 'DEFAULT'
  /** Default true. */
  snapshotsEnabled?: boolean
  /** Default false. */
  allowNonRestoredState?: boolean
  /** Default true (ApplicationSystemRollbackConfiguration.RollbackEnabled). */
  systemRollbackEnabled?: boolean
  /** Default 'RESTORE_FROM_LATEST_SNAPSHOT'. */
  applicationRestoreType?: 'SKIP_RESTORE_FROM_SNAPSHOT' | 'RESTORE_FROM_LATEST_SNAPSHOT' | 'RESTORE_FROM_CUSTOM_SNAPSHOT'
  /** Required with RESTORE_FROM_CUSTOM_SNAPSHOT (and only then): the snapshot a restart restores, existing or not. */
  snapshotName?: string
  /** Snapshots the application already has, oldest first: the last READY one is the latest. */
  snapshots?: SeedSnapshot[]
  /** Records the running job's state has counted so far. Default 0. */
  records?: number
  tags?: Record<string, string>
  /** A customer managed KMS key (KeyId or ARN) encrypting the application's data at rest. Default: an AWS owned key. */
  kmsKeyId?: string
  /** Default 'FLINK-1_20'. 'SQL-1_0' makes a SQL application (operations history unsupported). */
  runtimeEnvironment?: string
  /** Default 1. */
  versionId?: number
  /**
   * A transient seed status (STARTING, UPDATING, AUTOSCALING, ROLLING_BACK, MAINTENANCE, STOPPING,
   * FORCE_STOPPING) ends after this many ms (→ RUNNING, or READY after stopping). Default: never.
   */
  settleAfterMs?: number
  /** The load on the job (load.ts): the application then publishes its metrics and the autoscaler watches them. */
  load?: SeedLoad
  /**
   * Its past (history.ts): weeks of the metrics it published, synthesised hour by hour from a load
   * curve up to where the load's simulation starts (or now), for GetMetricData to answer.
   */
  history?: SeedHistory
}

/** The work arriving for a job, and where its simulation starts. */
export interface SeedLoad {
  /** KPU-equivalents of work at each instant (loadCurves in load.ts). */
  curve: LoadCurve
  /** 'kinesis' (default) publishes millisBehindLatest; 'kafka' records_lag_max. */
  source?: 'kinesis' | 'kafka'
  /** Records a KPU-second of work is. Default 1000. */
  recordsPerKpuSecond?: number
  /**
   * When the simulation starts (epoch ms or ISO text, on the emulator's clock): the application has
   * run as seeded since then, caught up at that instant, and its history up to now is computed
   * (the autoscaler included) when it is seeded. Default: now.
   */
  since?: number | string
}

type ConfigurationType = 'CUSTOM' | 'DEFAULT'
type OperationStatus = 'IN_PROGRESS' | 'CANCELLED' | 'SUCCESSFUL' | 'FAILED'
export type SnapshotStatus = 'CREATING' | 'READY' | 'DELETING' | 'FAILED'
/**
 * What the job's last start restored: 'kept' (the snapshot taken as the job stopped), 'rewound'
 * (an older snapshot: a custom one, or the latest when none was taken at the stop), 'dropped'
 * (nothing: SKIP_RESTORE_FROM_SNAPSHOT, snapshots disabled, or no snapshot at all); 'seeded' while
 * the job has not restarted since it was seeded.
 */
export type RestoreOutcome = 'seeded' | 'kept' | 'rewound' | 'dropped'

interface AppConfig {
  runtimeEnvironment: string
  serviceExecutionRole: string
  parallelism: {
    configurationType: ConfigurationType
    parallelism: number
    parallelismPerKpu: number
    autoScalingEnabled: boolean
  }
  checkpoint: {
    configurationType: ConfigurationType
    checkpointingEnabled: boolean
    checkpointInterval: number
    minPauseBetweenCheckpoints: number
  }
  monitoring: { configurationType: ConfigurationType; metricsLevel: string; logLevel: string }
  allowNonRestoredState: boolean
  restore: { applicationRestoreType: string; snapshotName?: string }
  snapshotsEnabled: boolean
  systemRollbackEnabled: boolean
  propertyGroups: { PropertyGroupId: string; PropertyMap: Record<string, string> }[]
  code: { bucketArn: string; fileKey: string; objectVersion?: string; codeSize: number }
  encryption?: { keyType: string; keyId?: string }
}

interface OperationRecord {
  operationId: string
  operation: string
  status: OperationStatus
  startTime: number
  endTime?: number
  versionFrom?: number
  versionTo?: number
  errorString?: string
  rollbackOperationId?: string
}

interface SnapshotRecord {
  name: string
  status: SnapshotStatus
  versionId: number
  createdAt: number
  records: number
  runtimeEnvironment: string
}

/** The Flink job: its state's records grow with time while it runs (`since` set). */
interface JobState {
  /** Records counted when the job started (`since`), or when it stopped. */
  records: number
  /** When the job started running; undefined while it is stopped. */
  since?: number
  restore: RestoreOutcome
  snapshotName?: string
}

interface Transition {
  at: number
  apply: (at: number) => void
}

interface AppState {
  name: string
  account: string
  region: string
  arn: string
  createdAt: number
  lastUpdatedAt: number
  versionCreatedAt: number
  status: string
  versionId: number
  conditionalToken: string
  config: AppConfig
  currentParallelism: number
  versionUpdatedFrom?: number
  rolledBackFrom?: number
  rolledBackTo?: number
  tags: Map<string, string>
  operations: OperationRecord[]
  operationsById: Map<string, OperationRecord>
  snapshots: SnapshotRecord[]
  snapshotsByName: Map<string, SnapshotRecord>
  job: JobState
  pending: Transition[]
  versions: Map<number, AppConfig>
  jobId: string
  /** The job under its load, when seeded with one. */
  load?: JobLoad
  /** Its past before that, when seeded with one. */
  history?: SynthesisedHistory
  /** What the autoscaler has seen: since when CPU has been at 75% or more, or under 10%, without a break. */
  autoscaler: { highSince?: number; lowSince?: number }
}

/** An operation as snapshots report it: the record itself (times in epoch ms; no endTime while IN_PROGRESS). */
export type OperationSnapshot = OperationRecord

/** A snapshot of the application's state (ListApplicationSnapshots), as the emulator holds it. */
export interface SnapshotInfo {
  name: string
  status: SnapshotStatus
  /** The application version whose job it was taken of. */
  versionId: number
  /** Epoch ms. */
  createdAt: number
  /** Records of the job's state it holds. */
  records: number
}

/** The Flink job's state right now. */
export interface JobStateSnapshot {
  /** The job is running, so its records grow (recordsPerSecond). */
  running: boolean
  records: number
  /** What its last start restored (see RestoreOutcome). */
  restore: RestoreOutcome
  /** The snapshot restored from, when 'kept' or 'rewound'. */
  snapshotName?: string
}

/** A deep copy of an application's state, as the emulator holds it right now. */
export interface ApplicationSnapshot {
  name: string
  account: string
  region: string
  arn: string
  status: string
  versionId: number
  conditionalToken: string
  runtimeEnvironment: string
  serviceExecutionRole: string
  parallelism: {
    configurationType: ConfigurationType
    parallelism: number
    parallelismPerKpu: number
    currentParallelism: number
    autoScalingEnabled: boolean
  }
  /** ceil(Parallelism / ParallelismPerKPU) */
  kpus: number
  flinkRunConfiguration: { allowNonRestoredState: boolean }
  applicationRestoreConfiguration: { applicationRestoreType: string; snapshotName?: string }
  snapshotsEnabled: boolean
  systemRollbackEnabled: boolean
  checkpoint: AppConfig['checkpoint']
  monitoring: AppConfig['monitoring']
  propertyGroups: AppConfig['propertyGroups']
  tags: Record<string, string>
  /** Oldest first. */
  operations: OperationSnapshot[]
  /** The job's state: kept, dropped or rewound by the last restart. */
  state: JobStateSnapshot
  /** Oldest first. */
  snapshots: SnapshotInfo[]
  /** Epoch ms. */
  createTimestamp: number
  lastUpdateTimestamp: number
  /** The ApplicationDetail DescribeApplication would return now. */
  detail: Record<string, unknown>
  /** The job under its load now, when seeded with one: how far behind it is, and its published minutes (emulator clock). */
  load?: { lagMs: number; recordsLag: number; samples: MinuteSample[] }
}

export interface KdaContext {
  region: string
  /** The caller's account: it sees that account's applications only. */
  account: string
  principalArn: string
  /** IAM refuses the call (fault knob): the action it names (default the operation's) and the resource. */
  accessDenied?: { action?: string; resource?: string }
}

export interface KinesisAnalyticsOptions {
  updateDurationMs: number
  /** How long the autoscaler's restart keeps an application in AUTOSCALING. Default updateDurationMs. */
  autoscaleDurationMs?: number
  /** The emulator's clock (clock.ts). Default the real clock. */
  clock?: () => number
  kpuQuota: number
  /** Snapshots an application may have before CreateApplicationSnapshot is refused (the service's own still come). */
  snapshotLimit: number
  /** How long a snapshot stays CREATING (DELETING) before it is READY (gone); a restart's own is READY before the job starts. */
  snapshotDurationMs: number
  /** How fast a running job's state counts records. */
  recordsPerSecond: number
  faults: Faults
}

const DEFAULT_CHECKPOINT = { checkpointingEnabled: true, checkpointInterval: 60000, minPauseBetweenCheckpoints: 5000 }
const DEFAULT_MONITORING = { metricsLevel: 'APPLICATION', logLevel: 'INFO' }
const TRANSIENT_END: Record<string, string> = {
  STARTING: 'RUNNING',
  UPDATING: 'RUNNING',
  AUTOSCALING: 'RUNNING',
  ROLLING_BACK: 'RUNNING',
  MAINTENANCE: 'RUNNING',
  STOPPING: 'READY',
  FORCE_STOPPING: 'READY'
}
const RUNNING_LIKE = new Set(['RUNNING', 'UPDATING', 'AUTOSCALING', 'ROLLING_BACK', 'MAINTENANCE'])

export const kpusOf = (parallelism: number, perKpu: number) => Math.ceil(parallelism / perKpu)
/** The autoscaler doubles after this long at AUTOSCALE_UP_CPU or more… */
export const AUTOSCALE_UP_AFTER_MS = 15 * 60_000
export const AUTOSCALE_UP_CPU = 75
/** …and halves after this long under AUTOSCALE_DOWN_CPU. */
export const AUTOSCALE_DOWN_AFTER_MS = 6 * 3_600_000
export const AUTOSCALE_DOWN_CPU = 10
/** Where AWS/KinesisAnalytics metrics of a seeded load are found. */
export const KDA_METRICS_NAMESPACE = 'AWS/KinesisAnalytics'
const seconds = (ms: number) => Math.round(ms) / 1000
const newToken = () => randomBytes(24).toString('hex')
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const newOperationId = () => [...randomBytes(12)].map((b) => ALNUM[b % ALNUM.length]).join('')
export const applicationArn = (region: string, name: string, account = ACCOUNT_ID) =>
  `arn:aws:kinesisanalytics:${region}:${account}:application/${name}`
/** The account of a principal ARN (arn:aws:iam::ACCOUNT:… or arn:aws:sts::ACCOUNT:…). */
export const accountOf = (principalArn: string) => /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principalArn)?.[1] ?? ACCOUNT_ID

type Input = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export class KinesisAnalyticsService {
  private readonly apps = new Map<string, AppState>()
  /** Each account and region's applications, sorted by name when ListApplications needs them (seeding stays O(1)). */
  private readonly regions = new Map<string, { apps: AppState[]; sorted: boolean }>()

  private readonly now: () => number

  constructor(private readonly options: KinesisAnalyticsOptions) {
    this.now = options.clock ?? Date.now
  }

  // -------------------------------------------------------------------------------------------
  // Seeding and inspection
  // -------------------------------------------------------------------------------------------

  addApplication(seed: SeedApplication): void {
    const region = seed.region ?? DEFAULT_REGION
    const account = seed.account ?? ACCOUNT_ID
    if (validate(ApplicationName, seed.name).length) throw new Error(`Invalid application name: ${seed.name}`)
    if (!/^\d{12}$/.test(account)) throw new Error(`Invalid account: ${account}`)
    const key = `${account}/${region}/${seed.name}`
    if (this.apps.has(key)) throw new Error(`Application ${seed.name} already exists in ${region} of account ${account}`)
    const status = seed.status ?? 'RUNNING'
    if (!(APPLICATION_STATUSES as readonly string[]).includes(status)) throw new Error(`Unknown ApplicationStatus: ${status}`)
    const runtimeEnvironment = seed.runtimeEnvironment ?? 'FLINK-1_20'
    if (!(RUNTIME_ENVIRONMENTS as readonly string[]).includes(runtimeEnvironment))
      throw new Error(`Unknown RuntimeEnvironment: ${runtimeEnvironment}`)
    const parallelism = seed.parallelism ?? 1
    const parallelismPerKpu = seed.parallelismPerKpu ?? 1
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error('parallelism must be an integer >= 1')
    if (!Number.isInteger(parallelismPerKpu) || parallelismPerKpu < 1 || parallelismPerKpu > MAX_PARALLELISM_PER_KPU)
      throw new Error(`parallelismPerKpu must be an integer in 1..${MAX_PARALLELISM_PER_KPU}`)
    const restoreType = seed.applicationRestoreType ?? 'RESTORE_FROM_LATEST_SNAPSHOT'
    if ((restoreType === 'RESTORE_FROM_CUSTOM_SNAPSHOT') !== (seed.snapshotName !== undefined))
      throw new Error('snapshotName is required with RESTORE_FROM_CUSTOM_SNAPSHOT, and only then')
    const versionId = seed.versionId ?? 1
    const now = this.now()
    const since = seed.load?.since === undefined ? now : typeof seed.load.since === 'number' ? seed.load.since : Date.parse(seed.load.since)
    if (!Number.isFinite(since) || since > now) throw new Error(`load.since must be an instant not after now: ${String(seed.load?.since)}`)
    const seeded = seed.snapshots ?? []
    const snapshots = seeded.map(
      (s, i): SnapshotRecord => ({
        name: s.name,
        status: s.status ?? 'READY',
        versionId: s.versionId ?? versionId,
        createdAt: s.createdAt ?? now - (seeded.length - i) * 3_600_000,
        records: s.records ?? 0,
        runtimeEnvironment
      })
    )
    const snapshotsByName = new Map(snapshots.map((s) => [s.name, s]))
    if (snapshotsByName.size !== snapshots.length) throw new Error(`Duplicate snapshot name in ${seed.name}`)
    for (const s of snapshots) if (validate(SnapshotName, s.name).length) throw new Error(`Invalid snapshot name: ${s.name}`)
    const app: AppState = {
      name: seed.name,
      account,
      region,
      arn: applicationArn(region, seed.name, account),
      createdAt: now - 86_400_000,
      lastUpdatedAt: now - 3_600_000,
      versionCreatedAt: now - 3_600_000,
      status,
      versionId,
      conditionalToken: newToken(),
      config: {
        runtimeEnvironment,
        serviceExecutionRole: `arn:aws:iam::${account}:role/service-role/kinesis-analytics-${seed.name}-${region}`,
        parallelism: {
          configurationType: seed.configurationType ?? 'CUSTOM',
          parallelism,
          parallelismPerKpu,
          autoScalingEnabled: seed.autoScalingEnabled ?? false
        },
        checkpoint: { configurationType: 'DEFAULT', ...DEFAULT_CHECKPOINT },
        monitoring: { configurationType: 'CUSTOM', ...DEFAULT_MONITORING },
        allowNonRestoredState: seed.allowNonRestoredState ?? false,
        restore: { applicationRestoreType: restoreType, ...(seed.snapshotName !== undefined ? { snapshotName: seed.snapshotName } : {}) },
        snapshotsEnabled: seed.snapshotsEnabled ?? true,
        systemRollbackEnabled: seed.systemRollbackEnabled ?? true,
        propertyGroups: [],
        code: { bucketArn: 'arn:aws:s3:::flink-application-code', fileKey: `${seed.name}/${seed.name}-1.0.jar`, codeSize: 48_213_337 },
        ...(seed.kmsKeyId !== undefined ? { encryption: { keyType: 'CUSTOMER_MANAGED_KEY', keyId: seed.kmsKeyId } } : {})
      },
      currentParallelism: seed.currentParallelism ?? parallelism,
      tags: new Map(Object.entries(seed.tags ?? {})),
      operations: [],
      operationsById: new Map(),
      snapshots,
      snapshotsByName,
      // A seeded job runs only in RUNNING; a transient status that settles to RUNNING starts it.
      job: { records: seed.records ?? 0, ...(status === 'RUNNING' ? { since } : {}), restore: 'seeded' },
      pending: [],
      versions: new Map(),
      jobId: randomBytes(16).toString('hex'),
      autoscaler: {},
      ...(seed.load
        ? { load: new JobLoad({ curve: seed.load.curve, source: seed.load.source, recordsPerKpuSecond: seed.load.recordsPerKpuSecond, start: since }) }
        : {}),
      ...(seed.history ? { history: new SynthesisedHistory(seed.history, { parallelism, parallelismPerKpu, until: seed.load ? since : now }) } : {})
    }
    const end = TRANSIENT_END[status]
    if (seed.settleAfterMs !== undefined && end) {
      this.schedule(app, now + seed.settleAfterMs, (at) => {
        app.status = end
        app.currentParallelism = app.config.parallelism.parallelism
        if (end === 'RUNNING') app.job.since = at
      })
    }
    this.apps.set(key, app)
    const index = this.regions.get(`${account}/${region}`) ?? { apps: [], sorted: true }
    index.apps.push(app)
    index.sorted = false
    this.regions.set(`${account}/${region}`, index)
    // A load seeded in the past: its history (and what the autoscaler made of it) up to now.
    if (app.load) this.settle(app, now)
  }

  snapshot(name: string, region = DEFAULT_REGION, account = ACCOUNT_ID): ApplicationSnapshot {
    const app = this.apps.get(`${account}/${region}/${name}`)
    if (!app) throw new Error(`No application ${name} in ${region} of account ${account}`)
    this.settle(app)
    const c = app.config
    return structuredClone({
      name: app.name,
      account: app.account,
      region: app.region,
      arn: app.arn,
      status: app.status,
      versionId: app.versionId,
      conditionalToken: app.conditionalToken,
      runtimeEnvironment: c.runtimeEnvironment,
      serviceExecutionRole: c.serviceExecutionRole,
      parallelism: { ...c.parallelism, currentParallelism: app.currentParallelism },
      kpus: kpusOf(c.parallelism.parallelism, c.parallelism.parallelismPerKpu),
      flinkRunConfiguration: { allowNonRestoredState: c.allowNonRestoredState },
      applicationRestoreConfiguration: { ...c.restore },
      snapshotsEnabled: c.snapshotsEnabled,
      systemRollbackEnabled: c.systemRollbackEnabled,
      checkpoint: c.checkpoint,
      monitoring: c.monitoring,
      propertyGroups: c.propertyGroups,
      tags: Object.fromEntries(app.tags),
      operations: app.operations.map((o) => ({ ...o })),
      state: {
        running: app.job.since !== undefined,
        records: this.recordsAt(app, this.now()),
        restore: app.job.restore,
        ...(app.job.snapshotName !== undefined ? { snapshotName: app.job.snapshotName } : {})
      },
      snapshots: app.snapshots.map(({ runtimeEnvironment: _, ...s }) => s),
      createTimestamp: app.createdAt,
      lastUpdateTimestamp: app.lastUpdatedAt,
      detail: this.detail(app),
      ...(app.load ? { load: { lagMs: app.load.lagMs, recordsLag: app.load.recordsLag, samples: app.load.samples } } : {})
    })
  }

  /**
   * The data points of a seeded load's metric in [from, to) (emulator clock), for CloudWatch: one
   * per published minute, with a value per publisher (containerCPUUtilization: one per container);
   * before the load's simulation, those of a seeded history, one per `grainMs` (history.ts).
   */
  metricSamples(
    { region, account = ACCOUNT_ID }: { region: string; account?: string },
    namespace: string,
    metric: string,
    dimensions: Record<string, string>,
    from: number,
    to: number,
    grainMs = 60_000
  ): SourceSample[] {
    if (namespace !== KDA_METRICS_NAMESPACE) return []
    const names = Object.keys(dimensions)
    if (names.length !== 1 || names[0] !== 'Application') return []
    const app = this.apps.get(`${account}/${region}/${dimensions.Application}`)
    if (!app || !(metric in LOAD_METRIC_UNITS)) return []
    const out: SourceSample[] = app.history ? app.history.samples(metric, from, to, grainMs) : []
    if (!app.load) return out
    this.settle(app)
    const unit = LOAD_METRIC_UNITS[metric as keyof typeof LOAD_METRIC_UNITS]
    for (const sample of app.load.samples) {
      if (sample.t < from || sample.t >= to) continue
      const value = sample[metric as keyof typeof LOAD_METRIC_UNITS]
      if (value === undefined) continue
      out.push({ t: sample.t, values: Array.isArray(value) ? value : [value], unit })
    }
    return out
  }

  // -------------------------------------------------------------------------------------------
  // Request handling
  // -------------------------------------------------------------------------------------------

  /** Handles one call; returns the response body or throws a ServiceError. */
  handle(operation: string, body: Buffer, ctx: KdaContext): Record<string, unknown> {
    if (!KDA_OPERATIONS.has(operation)) {
      throw frameworkError('UnknownOperationException', `The emulator does not implement ${TARGET_PREFIX}.${operation}.`)
    }
    const op = operation as KdaOperation
    const input = parseBody(body)
    if (ctx.accessDenied) throw this.accessDenied(op, input, ctx, ctx.accessDenied)
    this.validateInput(op, input)
    switch (op) {
      case 'DescribeApplication':
        return { ApplicationDetail: this.detail(this.find(ctx, input.ApplicationName)) }
      case 'UpdateApplication':
        return this.updateApplication(input, ctx)
      case 'DescribeApplicationOperation':
        return this.describeApplicationOperation(input, ctx)
      case 'ListApplicationOperations':
        return this.listApplicationOperations(input, ctx)
      case 'ListApplications':
        return this.listApplications(input, ctx)
      case 'ListApplicationSnapshots':
        return this.listApplicationSnapshots(input, ctx)
      case 'DescribeApplicationSnapshot':
        return this.describeApplicationSnapshot(input, ctx)
      case 'CreateApplicationSnapshot':
        return this.createApplicationSnapshot(input, ctx)
      case 'DeleteApplicationSnapshot':
        return this.deleteApplicationSnapshot(input, ctx)
      case 'StopApplication':
        return this.stopApplication(input, ctx)
      case 'ListTagsForResource': {
        const app = this.findByArn(ctx, input.ResourceARN)
        return { Tags: [...app.tags].map(([Key, Value]) => ({ Key, Value })) }
      }
      case 'TagResource':
        return this.tagResource(input, ctx)
      case 'UntagResource': {
        const app = this.findByArn(ctx, input.ResourceARN)
        this.refuseWhileUpdating(op, app)
        for (const key of input.TagKeys as string[]) app.tags.delete(key)
        return {}
      }
    }
  }

  /** The name of the application a request is about (for fault matching), if any. */
  static applicationOf(input: unknown): string | undefined {
    if (typeof input !== 'object' || input === null) return undefined
    const record = input as Record<string, unknown>
    if (typeof record.ApplicationName === 'string') return record.ApplicationName
    if (typeof record.ResourceARN === 'string') {
      const m = /:application\/([^/]+)$/.exec(record.ResourceARN)
      return m?.[1]
    }
    return undefined
  }

  private validateInput(op: KdaOperation, input: Input): void {
    const violations = validate(INPUT_SHAPES[op], input)
    const declared = OPERATION_ERRORS[op]
    const typeProblem = violations.find((v) => v.kind === 'type')
    if (typeProblem) throw frameworkError('SerializationException', typeProblem.message)
    const unknown = violations.filter((v) => v.kind === 'unknown')
    if (unknown.length) {
      const type = declared.includes('InvalidRequestException') ? 'InvalidRequestException' : 'InvalidArgumentException'
      throw kdaError(type, unknown.map((v) => v.message).join('; '))
    }
    const constraints = violations.filter((v) => v.kind === 'constraint')
    if (constraints.length) {
      const type = declared.includes('InvalidArgumentException') ? 'InvalidArgumentException' : 'InvalidRequestException'
      throw kdaError(type, validationMessage(constraints))
    }
  }

  private accessDenied(op: KdaOperation, input: Input, ctx: KdaContext, denied: { action?: string; resource?: string }): ServiceError {
    const action = denied.action ?? `kinesisanalytics:${op}`
    const resource = denied.resource ?? this.deniedResource(action, input, ctx)
    return new ServiceError(
      'AccessDeniedException',
      `User: ${ctx.principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      { messageKey: 'Message' }
    )
  }

  /** What IAM names as the resource of a denied action: the application, the role it passes, or its key. */
  private deniedResource(action: string, input: Input, ctx: KdaContext): string {
    const { region, account } = ctx
    const name = KinesisAnalyticsService.applicationOf(input)
    const app = name === undefined ? undefined : this.apps.get(`${account}/${region}/${name}`)
    if (action.startsWith('iam:')) {
      if (typeof input.ServiceExecutionRoleUpdate === 'string') return input.ServiceExecutionRoleUpdate
      return app?.config.serviceExecutionRole ?? `arn:aws:iam::${account}:role/*`
    }
    if (action.startsWith('kms:')) {
      const keyId = app?.config.encryption?.keyId
      if (keyId?.startsWith('arn:')) return keyId
      return `arn:aws:kms:${region}:${account}:key/${keyId ?? '*'}`
    }
    if (typeof input.ResourceARN === 'string') return input.ResourceARN
    // ListApplications names no application: IAM names every one of the account and region.
    return applicationArn(region, name ?? '*', account)
  }

  /** The caller's application of that name, in its own account and the region it called. */
  private find(ctx: Pick<KdaContext, 'region' | 'account'>, name: string): AppState {
    const { region, account } = ctx
    const app = this.apps.get(`${account}/${region}/${name}`)
    if (!app) {
      throw kdaError('ResourceNotFoundException', `Application ${name} is not found in account ${account} in region ${region}.`)
    }
    this.settle(app)
    return app
  }

  /** An application by ARN: only one of the caller's account, in the region it called, is found. */
  private findByArn(ctx: Pick<KdaContext, 'region' | 'account'>, arn: string): AppState {
    const m = /^arn:aws:kinesisanalytics:([a-z0-9-]+):(\d{12}):application\/([a-zA-Z0-9_.-]{1,128})$/.exec(arn)
    if (!m) throw kdaError('InvalidArgumentException', `Invalid ARN: ${arn}`)
    const [, arnRegion, account, name] = m as unknown as [string, string, string, string]
    if (account !== ctx.account || arnRegion !== ctx.region) {
      throw kdaError('ResourceNotFoundException', `Resource ${arn} is not found in account ${ctx.account} in region ${ctx.region}.`)
    }
    return this.find(ctx, name)
  }

  // -------------------------------------------------------------------------------------------
  // Time
  // -------------------------------------------------------------------------------------------

  private schedule(app: AppState, at: number, apply: (at: number) => void): void {
    app.pending.push({ at, apply })
    app.pending.sort((a, b) => a.at - b.at)
  }

  /**
   * Applies every transition due by `now`, in time order (a transition may schedule the next), and
   * runs a seeded load's job up to each of them in turn, and to now: the job's capacity is what
   * the application was at each moment, and what the autoscaler does schedules transitions too.
   */
  private settle(app: AppState, now = this.now()): void {
    for (;;) {
      const due = app.pending[0]?.at
      const until = Math.min(due ?? Infinity, now)
      if (app.load && app.load.t < until) {
        this.runLoad(app, until)
        continue
      }
      if (due !== undefined && due <= now) {
        app.pending.shift()!.apply(due)
        continue
      }
      return
    }
  }

  /** The job works through its load up to `until`, or up to the first minute at which the autoscaler acts. */
  private runLoad(app: AppState, until: number): void {
    const load = app.load!
    while (load.t < until) {
      const c = app.config.parallelism
      const running = app.job.since !== undefined
      const kpus = kpusOf(app.currentParallelism, c.parallelismPerKpu)
      const sample = load.advance(until, {
        running,
        kpus,
        ...(RUNNING_LIKE.has(app.status) ? { billedKpus: kpus + 1 } : {}),
        ...(app.job.since !== undefined ? { startedAt: app.job.since } : {})
      })
      if (sample && this.autoscale(app, sample, load.t)) return
    }
  }

  /**
   * The service's autoscaler after each published minute: doubles a RUNNING application's
   * CurrentParallelism after 15 minutes at 75% CPU or more, halves it after 6 hours under 10%,
   * never below the configured Parallelism nor above the KPU quota. Returns whether it acted.
   */
  private autoscale(app: AppState, sample: MinuteSample, at: number): boolean {
    const seen = app.autoscaler
    const cpu = sample.cpuUtilization
    const minuteEnd = sample.t + 60_000
    if (cpu === undefined) {
      app.autoscaler = {}
      return false
    }
    seen.highSince = cpu >= AUTOSCALE_UP_CPU ? (seen.highSince ?? sample.t) : undefined
    seen.lowSince = cpu < AUTOSCALE_DOWN_CPU ? (seen.lowSince ?? sample.t) : undefined
    const c = app.config.parallelism
    if (!c.autoScalingEnabled || app.status !== 'RUNNING') return false
    const ceiling = this.options.kpuQuota * c.parallelismPerKpu
    let next: number | undefined
    if (seen.highSince !== undefined && minuteEnd - seen.highSince >= AUTOSCALE_UP_AFTER_MS) next = Math.min(app.currentParallelism * 2, ceiling)
    else if (seen.lowSince !== undefined && minuteEnd - seen.lowSince >= AUTOSCALE_DOWN_AFTER_MS) next = Math.max(Math.floor(app.currentParallelism / 2), c.parallelism)
    if (next === undefined || next === app.currentParallelism) return false
    // The autoscaler restarts the job at the new size: a snapshot as it stops, restored as it starts.
    const size = next
    app.autoscaler = {}
    app.status = 'AUTOSCALING'
    const taken = this.stopJob(app, app.config, at)
    this.schedule(app, at + (this.options.autoscaleDurationMs ?? this.options.updateDurationMs), (doneAt) => {
      app.status = 'RUNNING'
      app.currentParallelism = size
      this.startJob(app, doneAt, taken, 'RESTORE_FROM_LATEST_SNAPSHOT')
    })
    return true
  }

  private newOperation(app: AppState, operation: string, at: number, from?: number, to?: number): OperationRecord {
    const op: OperationRecord = {
      operationId: newOperationId(),
      operation,
      status: 'IN_PROGRESS',
      startTime: at,
      versionFrom: from,
      versionTo: to
    }
    app.operations.push(op)
    app.operationsById.set(op.operationId, op)
    return op
  }

  // -------------------------------------------------------------------------------------------
  // The job's state and snapshots
  // -------------------------------------------------------------------------------------------

  private recordsAt(app: AppState, at: number): number {
    const { records, since } = app.job
    if (since === undefined) return records
    return records + Math.max(0, Math.floor(((at - since) * this.options.recordsPerSecond) / 1000))
  }

  /**
   * Stops the job (for a restart, or StopApplication); with snapshots enabled the service snapshots
   * it first, and returns that snapshot: CREATING until `readyAt`, then READY. It is taken however
   * many snapshots the application has: the limit only refuses CreateApplicationSnapshot ("Managed
   * Service for Apache Flink still successfully creates snapshots when the application is updated,
   * scaled, or stopped").
   */
  private stopJob(app: AppState, config: AppConfig, at: number, readyAt = at + this.options.snapshotDurationMs): SnapshotRecord | undefined {
    const records = this.recordsAt(app, at)
    app.job.records = records
    app.job.since = undefined
    if (!config.snapshotsEnabled) return undefined
    return this.takeSnapshot(app, `${app.name}-${app.versionId}-${at}`, at, readyAt, records, config)
  }

  /** A snapshot of the job's state, CREATING from `at`, READY at `readyAt`. */
  private takeSnapshot(app: AppState, name: string, at: number, readyAt: number, records: number, config = app.config): SnapshotRecord {
    const snapshot: SnapshotRecord = {
      name,
      status: readyAt <= at ? 'READY' : 'CREATING',
      versionId: app.versionId,
      createdAt: at,
      records,
      runtimeEnvironment: config.runtimeEnvironment
    }
    app.snapshots.push(snapshot)
    app.snapshotsByName.set(snapshot.name, snapshot)
    if (snapshot.status === 'CREATING') {
      this.schedule(app, readyAt, () => {
        if (snapshot.status === 'CREATING') snapshot.status = 'READY'
      })
    }
    return snapshot
  }

  /**
   * Starts the job from what `restoreType` names (the application's restore configuration; a
   * rollback loads the latest snapshot). `taken` is the snapshot taken as the job stopped.
   */
  private startJob(
    app: AppState,
    at: number,
    taken: SnapshotRecord | undefined,
    restoreType = app.config.restore.applicationRestoreType
  ): void {
    const c = app.config
    let from: SnapshotRecord | undefined
    if (c.snapshotsEnabled && restoreType === 'RESTORE_FROM_LATEST_SNAPSHOT') from = this.latestSnapshot(app)
    if (c.snapshotsEnabled && restoreType === 'RESTORE_FROM_CUSTOM_SNAPSHOT') from = app.snapshotsByName.get(c.restore.snapshotName ?? '')
    app.job = from
      ? { records: from.records, since: at, restore: from === taken ? 'kept' : 'rewound', snapshotName: from.name }
      : { records: 0, since: at, restore: 'dropped' }
  }

  private latestSnapshot(app: AppState): SnapshotRecord | undefined {
    for (let i = app.snapshots.length - 1; i >= 0; i--) if (app.snapshots[i]!.status === 'READY') return app.snapshots[i]
    return undefined
  }

  /**
   * A restart that would restore a custom snapshot which does not exist (or is not READY) fails.
   * The service does not document this case; the update is accepted and the restart then fails,
   * the harder case for a caller, which learns it only by following the operation.
   */
  private restoreFailure(app: AppState): FailOptions | undefined {
    const c = app.config
    if (!c.snapshotsEnabled || c.restore.applicationRestoreType !== 'RESTORE_FROM_CUSTOM_SNAPSHOT') return undefined
    const name = c.restore.snapshotName ?? ''
    const snapshot = app.snapshotsByName.get(name)
    if (snapshot?.status === 'READY') return undefined
    const why = snapshot ? `the snapshot is ${snapshot.status}, not READY` : 'the snapshot does not exist'
    return { errorString: `Unable to restore application ${app.name} from snapshot ${name}: ${why}.` }
  }

  private listApplicationSnapshots(input: Input, ctx: KdaContext): Record<string, unknown> {
    // The model lists no ResourceNotFoundException here; the service's usual answer for an unknown application is the safe reading.
    const app = this.find(ctx, input.ApplicationName)
    this.requireFlink(app)
    // Oldest first: the order is not documented, so callers should not rely on it.
    const start = input.NextToken === undefined ? 0 : decodeOffset(input.NextToken)
    const limit = input.Limit ?? 50
    return {
      SnapshotSummaries: app.snapshots.slice(start, start + limit).map((s) => snapshotDetails(s, app.config)),
      ...(start + limit < app.snapshots.length ? { NextToken: encodeOffset(start + limit) } : {})
    }
  }

  private describeApplicationSnapshot(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.find(ctx, input.ApplicationName)
    this.requireFlink(app)
    const snapshot = app.snapshotsByName.get(input.SnapshotName)
    if (!snapshot) {
      throw kdaError('ResourceNotFoundException', `Snapshot ${input.SnapshotName} is not found for application ${app.name}.`)
    }
    return { SnapshotDetails: snapshotDetails(snapshot, app.config) }
  }

  /**
   * A snapshot on request. Only of a RUNNING job with snapshots enabled, under a new name, and only
   * below the per-application limit: "If your application reaches the limit on snapshots, then
   * manually creating a snapshot fails with a LimitExceededException." The error types for a
   * disabled configuration and a name in use are not documented; the model lists
   * InvalidApplicationConfigurationException and InvalidArgumentException, the safe readings.
   */
  private createApplicationSnapshot(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.find(ctx, input.ApplicationName)
    this.requireFlink(app)
    if (app.status !== 'RUNNING') {
      throw kdaError('ResourceInUseException', `Application ${app.name} is in ${app.status} status. A snapshot can be created only while it is RUNNING.`)
    }
    if (!app.config.snapshotsEnabled) {
      throw kdaError('InvalidApplicationConfigurationException', `Snapshots are disabled for application ${app.name}.`)
    }
    if (app.snapshotsByName.has(input.SnapshotName)) {
      throw kdaError('InvalidArgumentException', `Snapshot ${input.SnapshotName} already exists for application ${app.name}.`)
    }
    if (app.snapshots.length >= this.options.snapshotLimit) {
      throw kdaError(
        'LimitExceededException',
        `Application ${app.name} has ${app.snapshots.length} snapshots, the limit of ${this.options.snapshotLimit} snapshots per application. Delete snapshots before creating more.`
      )
    }
    const now = Date.now()
    this.takeSnapshot(app, input.SnapshotName, now, now + this.options.snapshotDurationMs, this.recordsAt(app, now))
    return {}
  }

  /**
   * Deletes a snapshot named with its creation time, as ListApplicationSnapshots gives it (to the
   * millisecond, what the JSON protocol carries). A time that is not the snapshot's is refused: the
   * service documents no answer for it, and refusing is the safe reading, since the time is there
   * to make sure the snapshot deleted is the one the caller listed. A snapshot still CREATING, or
   * already DELETING, is refused as in use; the deletion takes snapshotDurationMs (DELETING).
   */
  private deleteApplicationSnapshot(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.find(ctx, input.ApplicationName)
    this.requireFlink(app)
    const snapshot = app.snapshotsByName.get(input.SnapshotName)
    if (!snapshot) {
      throw kdaError('ResourceNotFoundException', `Snapshot ${input.SnapshotName} is not found for application ${app.name}.`)
    }
    const given = Math.round((input.SnapshotCreationTimestamp as number) * 1000)
    if (given !== snapshot.createdAt) {
      throw kdaError(
        'InvalidArgumentException',
        `The SnapshotCreationTimestamp ${seconds(given)} does not match the creation time of snapshot ${snapshot.name} of application ${app.name}.`
      )
    }
    if (snapshot.status === 'CREATING' || snapshot.status === 'DELETING') {
      throw kdaError('ResourceInUseException', `Snapshot ${snapshot.name} of application ${app.name} is ${snapshot.status}; it cannot be deleted now.`)
    }
    snapshot.status = 'DELETING'
    const remove = () => {
      app.snapshots.splice(app.snapshots.indexOf(snapshot), 1)
      app.snapshotsByName.delete(snapshot.name)
    }
    if (this.options.snapshotDurationMs <= 0) remove()
    else this.schedule(app, Date.now() + this.options.snapshotDurationMs, remove)
    return {}
  }

  /**
   * Stops a RUNNING application: STOPPING, then READY after updateDurationMs. Unless Force is set,
   * the service snapshots the job as it stops ("Managed Service for Apache Flink takes a snapshot
   * when the application is stopped, unless Force is set to true"). Force in the other statuses it
   * allows (STARTING, UPDATING, STOPPING, AUTOSCALING) would cut short a transition in flight,
   * which the emulator does not model: it refuses them as in use.
   */
  private stopApplication(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.find(ctx, input.ApplicationName)
    if (app.status !== 'RUNNING') {
      throw kdaError('ResourceInUseException', `Application ${app.name} is in ${app.status} status. Only a RUNNING application can be stopped.`)
    }
    const now = Date.now()
    const config = input.Force === true ? { ...app.config, snapshotsEnabled: false } : app.config
    this.stopJob(app, config, now, now + Math.min(this.options.snapshotDurationMs, this.options.updateDurationMs))
    const op = this.newOperation(app, 'StopApplication', now)
    app.status = 'STOPPING'
    this.schedule(app, now + this.options.updateDurationMs, (at) => {
      app.status = 'READY'
      op.status = 'SUCCESSFUL'
      op.endTime = at
    })
    return { OperationId: op.operationId }
  }

  // -------------------------------------------------------------------------------------------
  // UpdateApplication
  // -------------------------------------------------------------------------------------------

  private updateApplication(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.find(ctx, input.ApplicationName)
    const hasVersion = input.CurrentApplicationVersionId !== undefined && input.CurrentApplicationVersionId !== null
    const hasToken = input.ConditionalToken !== undefined && input.ConditionalToken !== null
    if (hasVersion && hasToken) {
      throw kdaError('InvalidArgumentException', 'Provide either CurrentApplicationVersionId or ConditionalToken, not both.')
    }
    if (!hasVersion && !hasToken) {
      throw kdaError('InvalidArgumentException', 'Either CurrentApplicationVersionId or ConditionalToken must be provided.')
    }

    const race = this.takeKnob(this.options.faults.races, app)
    if (race) this.race(app, race)

    if (hasVersion && input.CurrentApplicationVersionId !== app.versionId) {
      throw kdaError(
        'ConcurrentModificationException',
        `Provided CurrentApplicationVersionId ${input.CurrentApplicationVersionId} does not match the current application version ${app.versionId} of application ${app.name}.`
      )
    }
    if (hasToken && input.ConditionalToken !== app.conditionalToken) {
      throw kdaError(
        'ConcurrentModificationException',
        `Provided ConditionalToken does not match the current ConditionalToken of application ${app.name}. The application was modified since it was described.`
      )
    }
    if (app.status !== 'RUNNING' && app.status !== 'READY') {
      throw kdaError(
        'ResourceInUseException',
        `Application ${app.name} is in ${app.status} status. Updates are allowed only in READY or RUNNING status.`
      )
    }

    const next = this.applyUpdate(app, input)
    const failure = app.status === 'RUNNING' ? this.takeKnob(this.options.faults.failures, app) : undefined
    const op = this.commit(app, next, this.now(), { failure })
    return { ApplicationDetail: this.detail(app), OperationId: op.operationId }
  }

  private takeKnob<T extends { region?: string }>(knobs: Map<string, T>, app: AppState): T | undefined {
    const knob = knobs.get(app.name)
    if (!knob || (knob.region ?? app.region) !== app.region) return undefined
    knobs.delete(app.name)
    return knob
  }

  /** Another actor's UpdateApplication lands first (fault knob). */
  private race(app: AppState, race: RaceOptions): void {
    const next: AppConfig = structuredClone(app.config)
    if (race.parallelism !== undefined) {
      next.parallelism.configurationType = 'CUSTOM'
      next.parallelism.parallelism = race.parallelism
    }
    // The other actor's update does not name AllowNonRestoredState either.
    next.allowNonRestoredState = false
    this.commit(app, next, this.now(), { instant: race.instant })
  }

  /**
   * Records a new application version and its UpdateApplication operation. A RUNNING application
   * restarts (UPDATING for updateDurationMs); a READY one is updated at once.
   */
  private commit(
    app: AppState,
    next: AppConfig,
    now: number,
    options: { failure?: FailOptions; instant?: boolean }
  ): OperationRecord {
    const from = app.versionId
    const to = from + 1
    const previous = app.config
    const restarts = app.status === 'RUNNING'
    // The snapshot taken as the job stops is READY before the job starts again from it.
    const readyAt = options.instant ? now : now + Math.min(this.options.snapshotDurationMs, this.options.updateDurationMs)
    const taken = restarts ? this.stopJob(app, previous, now, readyAt) : undefined
    app.versions.set(from, previous)
    app.config = next
    app.versionId = to
    app.conditionalToken = newToken()
    app.versionUpdatedFrom = from
    app.rolledBackFrom = undefined
    app.rolledBackTo = undefined
    app.lastUpdatedAt = now
    app.versionCreatedAt = now
    const op = this.newOperation(app, 'UpdateApplication', now, from, to)

    const failure = restarts ? (options.failure ?? this.restoreFailure(app)) : undefined
    if (!restarts || (options.instant && !failure)) {
      op.status = 'SUCCESSFUL'
      op.endTime = now
      app.currentParallelism = next.parallelism.parallelism
      if (restarts) this.startJob(app, now, taken)
      return op
    }

    app.status = 'UPDATING'
    if (failure) this.scheduleFailure(app, op, previous, now, failure, taken)
    else {
      this.schedule(app, now + this.options.updateDurationMs, (at) => {
        app.status = 'RUNNING'
        app.currentParallelism = app.config.parallelism.parallelism
        op.status = 'SUCCESSFUL'
        op.endTime = at
        this.startJob(app, at, taken)
      })
    }
    return op
  }

  private scheduleFailure(
    app: AppState,
    op: OperationRecord,
    previous: AppConfig,
    now: number,
    failure: FailOptions,
    taken: SnapshotRecord | undefined
  ): void {
    const outcome = failure.outcome ?? (app.config.systemRollbackEnabled ? 'rollback' : 'ready')
    const d = this.options.updateDurationMs
    this.schedule(app, now + d, (failedAt) => {
      op.status = 'FAILED'
      op.endTime = failedAt
      op.errorString =
        failure.errorString ??
        'Flink job failed to restart: org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy'
      if (outcome === 'ready') {
        app.status = 'READY'
        app.currentParallelism = app.config.parallelism.parallelism
        return
      }
      const failedVersion = app.versionId
      // The rollback's version change is recorded once it lands (a failed rollback changes no version).
      const rollback = this.newOperation(app, 'RollbackApplication', failedAt)
      op.rollbackOperationId = rollback.operationId
      app.status = 'ROLLING_BACK'
      this.schedule(app, failedAt + d, (doneAt) => {
        rollback.endTime = doneAt
        if (outcome === 'rollback-failed') {
          rollback.status = 'FAILED'
          rollback.errorString =
            failure.rollbackErrorString ??
            `Rollback to application version ${op.versionFrom} failed: Flink job failed to restart: org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy`
          app.status = 'READY'
          app.currentParallelism = app.config.parallelism.parallelism
          return
        }
        rollback.versionFrom = failedVersion
        rollback.versionTo = failedVersion + 1
        app.versions.set(failedVersion, app.config)
        app.config = structuredClone(previous)
        app.versionId = failedVersion + 1
        app.conditionalToken = newToken()
        app.versionUpdatedFrom = failedVersion
        app.rolledBackFrom = failedVersion
        app.rolledBackTo = op.versionFrom
        app.lastUpdatedAt = doneAt
        app.versionCreatedAt = doneAt
        app.status = outcome === 'rolled-back' ? 'ROLLED_BACK' : 'RUNNING'
        app.currentParallelism = previous.parallelism.parallelism
        rollback.status = 'SUCCESSFUL'
        // "When you rollback an application, it loads state data from the last successful snapshot."
        if (app.status === 'RUNNING') this.startJob(app, doneAt, taken, 'RESTORE_FROM_LATEST_SNAPSHOT')
      })
    })
  }

  /** The configuration after `input` is applied: what the update names changes, the rest is kept. */
  private applyUpdate(app: AppState, input: Input): AppConfig {
    const next: AppConfig = structuredClone(app.config)
    const acu: Input = input.ApplicationConfigurationUpdate ?? {}
    const invalid = (message: string) => kdaError('InvalidArgumentException', message)
    const isSql = next.runtimeEnvironment === 'SQL-1_0'

    if (acu.SqlApplicationConfigurationUpdate && !isSql)
      throw invalid('SqlApplicationConfigurationUpdate is not supported for Apache Flink applications.')
    if (acu.ZeppelinApplicationConfigurationUpdate)
      throw invalid('ZeppelinApplicationConfigurationUpdate is supported only for applications in INTERACTIVE mode.')
    if (acu.FlinkApplicationConfigurationUpdate && isSql)
      throw invalid('FlinkApplicationConfigurationUpdate is not supported for SQL applications.')
    for (const vpc of (acu.VpcConfigurationUpdates ?? []) as Input[]) {
      throw invalid(`VPC configuration ${vpc.VpcConfigurationId} does not exist for application ${app.name}.`)
    }
    for (const cw of (input.CloudWatchLoggingOptionUpdates ?? []) as Input[]) {
      throw invalid(`CloudWatch logging option ${cw.CloudWatchLoggingOptionId} does not exist for application ${app.name}.`)
    }

    const flink: Input = acu.FlinkApplicationConfigurationUpdate ?? {}
    const pcu: Input | undefined = flink.ParallelismConfigurationUpdate
    if (pcu) {
      const changes =
        pcu.ParallelismUpdate !== undefined || pcu.ParallelismPerKPUUpdate !== undefined || pcu.AutoScalingEnabledUpdate !== undefined
      if (changes && pcu.ConfigurationTypeUpdate !== 'CUSTOM') {
        throw invalid(
          'ParallelismConfigurationUpdate.ConfigurationTypeUpdate must be CUSTOM to update AutoScalingEnabled, Parallelism or ParallelismPerKPU.'
        )
      }
      if (pcu.ConfigurationTypeUpdate === 'DEFAULT') {
        next.parallelism = { configurationType: 'DEFAULT', parallelism: 1, parallelismPerKpu: 1, autoScalingEnabled: true }
      } else if (pcu.ConfigurationTypeUpdate === 'CUSTOM') {
        next.parallelism.configurationType = 'CUSTOM'
        if (pcu.ParallelismUpdate !== undefined) next.parallelism.parallelism = pcu.ParallelismUpdate
        if (pcu.ParallelismPerKPUUpdate !== undefined) next.parallelism.parallelismPerKpu = pcu.ParallelismPerKPUUpdate
        if (pcu.AutoScalingEnabledUpdate !== undefined) next.parallelism.autoScalingEnabled = pcu.AutoScalingEnabledUpdate
      }
      if (next.parallelism.parallelismPerKpu > MAX_PARALLELISM_PER_KPU) {
        throw invalid(
          `ParallelismPerKPU ${next.parallelism.parallelismPerKpu} is not valid. ParallelismPerKPU must be between 1 and ${MAX_PARALLELISM_PER_KPU}.`
        )
      }
    }
    const kpus = kpusOf(next.parallelism.parallelism, next.parallelism.parallelismPerKpu)
    if (kpus > this.options.kpuQuota) {
      throw kdaError(
        'LimitExceededException',
        `Application ${app.name} would use ${kpus} KPUs (Parallelism ${next.parallelism.parallelism} / ParallelismPerKPU ${next.parallelism.parallelismPerKpu}), exceeding the limit of ${this.options.kpuQuota} KPUs per application.`
      )
    }

    const ccu: Input | undefined = flink.CheckpointConfigurationUpdate
    if (ccu) {
      const changes =
        ccu.CheckpointingEnabledUpdate !== undefined ||
        ccu.CheckpointIntervalUpdate !== undefined ||
        ccu.MinPauseBetweenCheckpointsUpdate !== undefined
      if (changes && ccu.ConfigurationTypeUpdate !== 'CUSTOM') {
        throw invalid('CheckpointConfigurationUpdate.ConfigurationTypeUpdate must be CUSTOM to update CheckpointingEnabled, CheckpointInterval or MinPauseBetweenCheckpoints.')
      }
      if (ccu.ConfigurationTypeUpdate === 'DEFAULT') next.checkpoint = { configurationType: 'DEFAULT', ...DEFAULT_CHECKPOINT }
      else {
        if (ccu.ConfigurationTypeUpdate === 'CUSTOM') next.checkpoint.configurationType = 'CUSTOM'
        if (ccu.CheckpointingEnabledUpdate !== undefined) next.checkpoint.checkpointingEnabled = ccu.CheckpointingEnabledUpdate
        if (ccu.CheckpointIntervalUpdate !== undefined) next.checkpoint.checkpointInterval = ccu.CheckpointIntervalUpdate
        if (ccu.MinPauseBetweenCheckpointsUpdate !== undefined)
          next.checkpoint.minPauseBetweenCheckpoints = ccu.MinPauseBetweenCheckpointsUpdate
      }
    }
    const mcu: Input | undefined = flink.MonitoringConfigurationUpdate
    if (mcu) {
      const changes = mcu.MetricsLevelUpdate !== undefined || mcu.LogLevelUpdate !== undefined
      if (changes && mcu.ConfigurationTypeUpdate !== 'CUSTOM') {
        throw invalid('MonitoringConfigurationUpdate.ConfigurationTypeUpdate must be CUSTOM to update MetricsLevel or LogLevel.')
      }
      if (mcu.ConfigurationTypeUpdate === 'DEFAULT') next.monitoring = { configurationType: 'DEFAULT', ...DEFAULT_MONITORING }
      else {
        if (mcu.ConfigurationTypeUpdate === 'CUSTOM') next.monitoring.configurationType = 'CUSTOM'
        if (mcu.MetricsLevelUpdate !== undefined) next.monitoring.metricsLevel = mcu.MetricsLevelUpdate
        if (mcu.LogLevelUpdate !== undefined) next.monitoring.logLevel = mcu.LogLevelUpdate
      }
    }

    if (acu.EnvironmentPropertyUpdates) {
      const groups = acu.EnvironmentPropertyUpdates.PropertyGroups as AppConfig['propertyGroups']
      const ids = groups.map((g) => g.PropertyGroupId)
      const dup = ids.find((id, i) => ids.indexOf(id) !== i)
      if (dup !== undefined) throw invalid(`Duplicate PropertyGroupId ${dup}.`)
      next.propertyGroups = structuredClone(groups)
    }
    if (acu.ApplicationSnapshotConfigurationUpdate) {
      next.snapshotsEnabled = acu.ApplicationSnapshotConfigurationUpdate.SnapshotsEnabledUpdate
    }
    if (acu.ApplicationSystemRollbackConfigurationUpdate) {
      next.systemRollbackEnabled = acu.ApplicationSystemRollbackConfigurationUpdate.RollbackEnabledUpdate
    }
    if (acu.ApplicationEncryptionConfigurationUpdate) {
      const e = acu.ApplicationEncryptionConfigurationUpdate
      if (e.KeyTypeUpdate === 'CUSTOMER_MANAGED_KEY' && !e.KeyIdUpdate)
        throw invalid('KeyIdUpdate is required when KeyTypeUpdate is CUSTOMER_MANAGED_KEY.')
      next.encryption = { keyType: e.KeyTypeUpdate, ...(e.KeyIdUpdate ? { keyId: e.KeyIdUpdate } : {}) }
    }
    const code: Input | undefined = acu.ApplicationCodeConfigurationUpdate
    if (code) {
      if (code.CodeContentTypeUpdate !== undefined && code.CodeContentTypeUpdate !== 'ZIPFILE')
        throw invalid('CodeContentTypeUpdate must be ZIPFILE for Apache Flink applications.')
      const content: Input = code.CodeContentUpdate ?? {}
      if (content.TextContentUpdate !== undefined) throw invalid('TextContentUpdate is supported only for SQL applications.')
      if (content.ZipFileContentUpdate !== undefined) {
        next.code.codeSize = Buffer.from(content.ZipFileContentUpdate as string, 'base64').length
      }
      const s3: Input | undefined = content.S3ContentLocationUpdate
      if (s3) {
        if (s3.BucketARNUpdate !== undefined) next.code.bucketArn = s3.BucketARNUpdate
        if (s3.FileKeyUpdate !== undefined) next.code.fileKey = s3.FileKeyUpdate
        if (s3.ObjectVersionUpdate !== undefined) next.code.objectVersion = s3.ObjectVersionUpdate
      }
    }
    if (input.ServiceExecutionRoleUpdate !== undefined) {
      if (!/^arn:aws:iam::\d{12}:role\/.+/.test(input.ServiceExecutionRoleUpdate))
        throw invalid(`ServiceExecutionRoleUpdate ${input.ServiceExecutionRoleUpdate} is not a valid IAM role ARN.`)
      next.serviceExecutionRole = input.ServiceExecutionRoleUpdate
    }
    if (input.RuntimeEnvironmentUpdate !== undefined) {
      if (!/^FLINK-/.test(input.RuntimeEnvironmentUpdate) || isSql)
        throw invalid(`RuntimeEnvironmentUpdate ${input.RuntimeEnvironmentUpdate} is not supported for this application.`)
      next.runtimeEnvironment = input.RuntimeEnvironmentUpdate
    }

    // Documented: "If you update your application without specifying this parameter,
    // AllowNonRestoredState will be set to false, even if it was previously set to true."
    next.allowNonRestoredState = input.RunConfigurationUpdate?.FlinkRunConfiguration?.AllowNonRestoredState ?? false
    const restore: Input | undefined = input.RunConfigurationUpdate?.ApplicationRestoreConfiguration
    if (restore) {
      if (restore.ApplicationRestoreType === 'RESTORE_FROM_CUSTOM_SNAPSHOT' && !restore.SnapshotName)
        throw invalid('SnapshotName is required when ApplicationRestoreType is RESTORE_FROM_CUSTOM_SNAPSHOT.')
      next.restore = {
        applicationRestoreType: restore.ApplicationRestoreType,
        ...(restore.ApplicationRestoreType === 'RESTORE_FROM_CUSTOM_SNAPSHOT' ? { snapshotName: restore.SnapshotName } : {})
      }
    }
    return next
  }

  // -------------------------------------------------------------------------------------------
  // Operations history
  // -------------------------------------------------------------------------------------------

  private describeApplicationOperation(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.find(ctx, input.ApplicationName)
    this.requireFlink(app)
    const op = app.operationsById.get(input.OperationId)
    if (!op) {
      throw kdaError('ResourceNotFoundException', `Operation ${input.OperationId} is not found for application ${app.name}.`)
    }
    const details: Record<string, unknown> = {
      Operation: op.operation,
      StartTime: seconds(op.startTime),
      ...(op.endTime !== undefined ? { EndTime: seconds(op.endTime) } : {}),
      OperationStatus: op.status
    }
    if (op.versionFrom !== undefined && op.versionTo !== undefined) {
      details.ApplicationVersionChangeDetails = {
        ApplicationVersionUpdatedFrom: op.versionFrom,
        ApplicationVersionUpdatedTo: op.versionTo
      }
    }
    if (op.status === 'FAILED') {
      details.OperationFailureDetails = {
        ...(op.rollbackOperationId ? { RollbackOperationId: op.rollbackOperationId } : {}),
        ErrorInfo: { ErrorString: op.errorString }
      }
    }
    return { ApplicationOperationInfoDetails: details }
  }

  private listApplicationOperations(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.find(ctx, input.ApplicationName)
    this.requireFlink(app)
    const start = input.NextToken === undefined ? 0 : decodeOffset(input.NextToken)
    const limit = input.Limit ?? 50
    // Newest first, up to one past the page (to know whether there is a next one).
    const matches: OperationRecord[] = []
    for (let i = app.operations.length - 1; i >= 0 && matches.length <= start + limit; i--) {
      const o = app.operations[i]!
      if (input.Operation !== undefined && o.operation !== input.Operation) continue
      if (input.OperationStatus !== undefined && o.status !== input.OperationStatus) continue
      matches.push(o)
    }
    const page = matches.slice(start, start + limit)
    return {
      ApplicationOperationInfoList: page.map((o) => ({
        Operation: o.operation,
        OperationId: o.operationId,
        StartTime: seconds(o.startTime),
        ...(o.endTime !== undefined ? { EndTime: seconds(o.endTime) } : {}),
        OperationStatus: o.status
      })),
      ...(start + limit < matches.length ? { NextToken: encodeOffset(start + limit) } : {})
    }
  }

  private requireFlink(app: AppState): void {
    if (app.config.runtimeEnvironment === 'SQL-1_0') {
      throw kdaError('UnsupportedOperationException', 'This operation is supported only for Managed Service for Apache Flink applications.')
    }
  }

  // -------------------------------------------------------------------------------------------
  // ListApplications and tags
  // -------------------------------------------------------------------------------------------

  private listApplications(input: Input, ctx: KdaContext): Record<string, unknown> {
    const index = this.regions.get(`${ctx.account}/${ctx.region}`) ?? { apps: [], sorted: true }
    if (!index.sorted) {
      index.apps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      index.sorted = true
    }
    const apps = index.apps
    const from = input.NextToken === undefined ? 0 : lowerBound(apps, input.NextToken)
    const limit = input.Limit ?? 50
    const page = apps.slice(from, from + limit)
    const next = apps[from + limit]
    return {
      ApplicationSummaries: page.map((app) => {
        this.settle(app)
        return {
          ApplicationName: app.name,
          ApplicationARN: app.arn,
          ApplicationStatus: app.status,
          ApplicationVersionId: app.versionId,
          RuntimeEnvironment: app.config.runtimeEnvironment,
          ApplicationMode: 'STREAMING'
        }
      }),
      ...(next ? { NextToken: next.name } : {})
    }
  }

  private tagResource(input: Input, ctx: KdaContext): Record<string, unknown> {
    const app = this.findByArn(ctx, input.ResourceARN)
    this.refuseWhileUpdating('TagResource', app)
    const tags = input.Tags as { Key: string; Value?: string }[]
    const reserved = tags.find((t) => t.Key.toLowerCase().startsWith('aws:'))
    if (reserved) throw kdaError('InvalidArgumentException', `Tag keys starting with 'aws:' are reserved for system use: ${reserved.Key}`)
    const merged = new Map(app.tags)
    for (const t of tags) merged.set(t.Key, t.Value ?? '')
    if (merged.size > 50) {
      throw kdaError('TooManyTagsException', `Application ${app.name} would have ${merged.size} tags; the maximum number of user-defined application tags is 50.`)
    }
    app.tags = merged
    return {}
  }

  /** Tags refused while the application is UPDATING (fault knob busyWhileUpdating); the model lists both errors for tag writes. */
  private refuseWhileUpdating(op: 'TagResource' | 'UntagResource', app: AppState): void {
    if (app.status !== 'UPDATING') return
    const error = this.options.faults.busy(op, app.name)
    if (error === 'ResourceInUseException') {
      throw kdaError(error, `Application ${app.name} is in UPDATING status. Tags can be changed once the update has finished; retry later.`)
    }
    if (error === 'ConcurrentModificationException') {
      // Worded like the service's other tagging conflict ("Tags are already registered for this resource ARN: …, please retry later.").
      throw kdaError(error, `An update is in progress for this resource ARN: ${app.arn}, please retry later.`)
    }
  }

  // -------------------------------------------------------------------------------------------
  // ApplicationDetail
  // -------------------------------------------------------------------------------------------

  private detail(app: AppState): Record<string, unknown> {
    const c = app.config
    const isSql = c.runtimeEnvironment === 'SQL-1_0'
    const configuration: Record<string, unknown> = {
      ApplicationCodeConfigurationDescription: {
        CodeContentType: 'ZIPFILE',
        CodeContentDescription: {
          CodeSize: c.code.codeSize,
          S3ApplicationCodeLocationDescription: {
            BucketARN: c.code.bucketArn,
            FileKey: c.code.fileKey,
            ...(c.code.objectVersion !== undefined ? { ObjectVersion: c.code.objectVersion } : {})
          }
        }
      }
    }
    if (!isSql) {
      configuration.RunConfigurationDescription = {
        ApplicationRestoreConfigurationDescription: {
          ApplicationRestoreType: c.restore.applicationRestoreType,
          ...(c.restore.snapshotName ? { SnapshotName: c.restore.snapshotName } : {})
        },
        FlinkRunConfigurationDescription: { AllowNonRestoredState: c.allowNonRestoredState }
      }
      configuration.FlinkApplicationConfigurationDescription = {
        CheckpointConfigurationDescription: {
          ConfigurationType: c.checkpoint.configurationType,
          CheckpointingEnabled: c.checkpoint.checkpointingEnabled,
          CheckpointInterval: c.checkpoint.checkpointInterval,
          MinPauseBetweenCheckpoints: c.checkpoint.minPauseBetweenCheckpoints
        },
        MonitoringConfigurationDescription: {
          ConfigurationType: c.monitoring.configurationType,
          MetricsLevel: c.monitoring.metricsLevel,
          LogLevel: c.monitoring.logLevel
        },
        ParallelismConfigurationDescription: {
          ConfigurationType: c.parallelism.configurationType,
          Parallelism: c.parallelism.parallelism,
          ParallelismPerKPU: c.parallelism.parallelismPerKpu,
          CurrentParallelism: app.currentParallelism,
          AutoScalingEnabled: c.parallelism.autoScalingEnabled
        },
        ...(RUNNING_LIKE.has(app.status) ? { JobPlanDescription: jobPlan(app) } : {})
      }
      configuration.EnvironmentPropertyDescriptions = { PropertyGroupDescriptions: structuredClone(c.propertyGroups) }
      configuration.ApplicationSnapshotConfigurationDescription = { SnapshotsEnabled: c.snapshotsEnabled }
      configuration.ApplicationSystemRollbackConfigurationDescription = { RollbackEnabled: c.systemRollbackEnabled }
    }
    if (c.encryption) configuration.ApplicationEncryptionConfigurationDescription = encryptionDescription(c.encryption)
    return {
      ApplicationARN: app.arn,
      ApplicationName: app.name,
      RuntimeEnvironment: c.runtimeEnvironment,
      ServiceExecutionRole: c.serviceExecutionRole,
      ApplicationStatus: app.status,
      ApplicationVersionId: app.versionId,
      CreateTimestamp: seconds(app.createdAt),
      LastUpdateTimestamp: seconds(app.lastUpdatedAt),
      ApplicationConfigurationDescription: configuration,
      ApplicationMaintenanceConfigurationDescription: {
        ApplicationMaintenanceWindowStartTime: '06:00',
        ApplicationMaintenanceWindowEndTime: '14:00'
      },
      ...(app.versionUpdatedFrom !== undefined ? { ApplicationVersionUpdatedFrom: app.versionUpdatedFrom } : {}),
      ...(app.rolledBackFrom !== undefined ? { ApplicationVersionRolledBackFrom: app.rolledBackFrom } : {}),
      ...(app.rolledBackTo !== undefined ? { ApplicationVersionRolledBackTo: app.rolledBackTo } : {}),
      ApplicationVersionCreateTimestamp: seconds(app.versionCreatedAt),
      ConditionalToken: app.conditionalToken,
      ApplicationMode: 'STREAMING'
    }
  }
}

function snapshotDetails(snapshot: SnapshotRecord, config: AppConfig): Record<string, unknown> {
  return {
    SnapshotName: snapshot.name,
    SnapshotStatus: snapshot.status,
    ApplicationVersionId: snapshot.versionId,
    SnapshotCreationTimestamp: seconds(snapshot.createdAt),
    RuntimeEnvironment: snapshot.runtimeEnvironment,
    ...(config.encryption ? { ApplicationEncryptionConfigurationDescription: encryptionDescription(config.encryption) } : {})
  }
}

function encryptionDescription(encryption: NonNullable<AppConfig['encryption']>): Record<string, unknown> {
  return { KeyType: encryption.keyType, ...(encryption.keyId ? { KeyId: encryption.keyId } : {}) }
}

function jobPlan(app: AppState): string {
  const p = app.currentParallelism
  const node = (name: string) => createHash('md5').update(app.name + name).digest('hex')
  return JSON.stringify({
    jid: app.jobId,
    name: app.name,
    type: 'STREAMING',
    nodes: [
      { id: node('sink'), parallelism: p, operator: '', operator_strategy: '', description: 'Sink: Writer<br/>', inputs: [{ num: 0, id: node('source'), ship_strategy: 'FORWARD', exchange: 'pipelined_bounded' }], optimizer_properties: {} },
      { id: node('source'), parallelism: p, operator: '', operator_strategy: '', description: 'Source: Kinesis Source<br/>', optimizer_properties: {} }
    ]
  })
}

/** The index of the first application named `name` or after it (apps sorted by name). */
function lowerBound(apps: readonly AppState[], name: string): number {
  let lo = 0
  let hi = apps.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (apps[mid]!.name < name) lo = mid + 1
    else hi = mid
  }
  return lo
}

function parseBody(body: Buffer): Input {
  const text = body.toString('utf8')
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw frameworkError('SerializationException', `Malformed request body: ${(e as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw frameworkError('SerializationException', `Start of ${Array.isArray(value) ? 'list' : 'value'} found where not expected`)
  }
  return value as Input
}

/** Parses a request body for fault matching (never throws). */
export function peekBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64')
}

function decodeOffset(token: string): number {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).o
    if (Number.isInteger(o) && o >= 0) return o
  } catch {
    // fall through
  }
  throw kdaError('InvalidArgumentException', 'The NextToken provided is not valid.')
}
