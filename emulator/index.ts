/**
 * A local stand-in for the AWS endpoints the action talks to — Kinesis Analytics V2 (Managed
 * Service for Apache Flink) in one or more accounts, STS AssumeRoleWithWebIdentity and
 * AssumeRole, CloudWatch PutMetricData and GetMetricData, and the
 * GitHub Actions OIDC token endpoint — served over HTTP on 127.0.0.1 so the real AWS SDK clients
 * can be pointed at it with `AWS_ENDPOINT_URL` alone.
 *
 * ```ts
 * const emulator = await startEmulator({ applications: [{ name: 'orders', parallelism: 4 }] })
 * const env = { ...process.env, ...emulator.env() }   // AWS_ENDPOINT_URL, credentials, OIDC, region
 * // … run the action with env, or build SDK clients with endpoint: emulator.url …
 * emulator.application('orders').parallelism.parallelism
 * emulator.metrics   // the CloudWatch data points received: namespace, region, name, dimensions, value, …
 * emulator.application('orders').state     // { running, records, restore: 'kept' | 'dropped' | 'rewound', snapshotName }
 * await emulator.stop()
 * ```
 *
 * A request-rate quota (see quota.ts) throttles what goes over it, per region, and counts it:
 *
 * ```ts
 * const emulator = await startEmulator({ applications: fleet, requestRate: { perSecond: 10, burst: 20 } })
 * emulator.requestRate.throttled          // requests answered ThrottlingException for the quota
 * ```
 *
 * An application seeded with a load (load.ts) runs a job that works through it at the KPUs it runs
 * on, publishes its metrics once a minute (GetMetricData answers them), and the service's
 * autoscaler watches them. The emulator's clock can be run ahead, so that an evening passes at once:
 *
 * ```ts
 * const emulator = await startEmulator({ applications: [{ name: 'orders', parallelism: 20,
 *   load: { curve: loadCurves.steps(30, [[Date.now() + 5 * 60_000, 2]]) } }] })   // busy for 5 more minutes, then idle
 * emulator.application('orders').load?.lagMs    // how far behind the job is now
 * emulator.advance(20 * 60_000)                 // 20 minutes later: the backlog has drained
 * ```
 *
 * An application seeded with a history has weeks of past metrics, synthesised hour by hour from a
 * curve (history.ts), for GetMetricData to answer:
 *
 * ```ts
 * const busy = loadCurves.weekly({ zone: 'Europe/Berlin', load: (day, hour) => (day <= 5 && hour >= 8 && hour < 18 ? 7 : 1.5) })
 * await startEmulator({ applications: [{ name: 'orders', parallelism: 16, history: { curve: busy, days: 28 } }] })
 * ```
 *
 * Several accounts: an application seeded with `account` is seen by that account's credentials
 * only, which a role of `roles` gives through STS AssumeRole when its trust policy allows the caller:
 *
 * ```ts
 * const emulator = await startEmulator({
 *   applications: [{ name: 'orders', account: '210987654321', region: 'eu-west-1' }],
 *   roles: [{ arn: 'arn:aws:iam::210987654321:role/flink-scaler', trust: ['arn:aws:iam::123456789012:role/flink-scaler'] }]
 * })
 * emulator.application('orders', 'eu-west-1', '210987654321')
 * ```
 *
 * Seeding is O(1) per application and every request finds its application, operation or snapshot
 * by key, so fleets of hundreds of applications across regions cost what a few do.
 */
import { SimulatedClock } from './clock.js'
import { CloudWatchService, type RecordedDatum } from './cloudwatch.js'
import { getMetricData, recordedSource, type MetricSource } from './metric-data.js'
import { Faults } from './faults.js'
import {
  ACCOUNT_ID,
  accountOf,
  DEFAULT_REGION,
  KinesisAnalyticsService,
  type ApplicationSnapshot,
  type SeedApplication
} from './kinesis-analytics.js'
import { OIDC_TOKEN_PATH, OidcProvider, type OidcOptions } from './oidc.js'
import { RequestRate, type RequestRateOptions } from './quota.js'
import { startHttpServer, type RequestLogEntry } from './server.js'
import { CredentialStore, StsService, type RoleOptions, type TrustOptions } from './sts.js'

export { loadCurves, type LoadCurve, type MinuteSample } from './load.js'
export type { SeedHistory } from './history.js'
export { SimulatedClock } from './clock.js'
export { GET_METRIC_DATA_INPUT, GET_METRIC_DATA_OUTPUT, shapeProblems } from './metric-data.js'
export type {
  SeedLoad,
  ApplicationSnapshot,
  JobStateSnapshot,
  OperationSnapshot,
  RestoreOutcome,
  SeedApplication,
  SeedSnapshot,
  SnapshotInfo,
  SnapshotStatus
} from './kinesis-analytics.js'
export type { RequestLogEntry } from './server.js'
export type { RecordedDatum } from './cloudwatch.js'
export type {
  FaultCounts,
  FaultRule,
  FaultSpec,
  FailOptions,
  FailedUpdateOutcome,
  LostAnswer,
  RaceOptions,
  ServiceName
} from './faults.js'
export { Faults } from './faults.js'
export type { OidcOptions } from './oidc.js'
export { RequestRate, type RequestRateOptions } from './quota.js'
export type { RoleOptions, TrustOptions } from './sts.js'
export { GITHUB_ISSUER } from './oidc.js'

/** The static test credentials the emulator accepts by default. */
export const EMULATOR_ACCESS_KEY_ID = 'AKIAEMULATOR'
export const EMULATOR_SECRET_ACCESS_KEY = 'emulator/Secret+Access/Key0123456789EXAMPLE'
/** Account of every emulated resource. */
export const EMULATOR_ACCOUNT_ID = ACCOUNT_ID
/** How IAM names the caller using the static credentials. */
export const EMULATOR_USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/emulator`
export const EMULATOR_DEFAULT_REGION = DEFAULT_REGION
/** A role ARN the default trust policy lets the default OIDC token assume. */
export const EMULATOR_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/flink-scaler`

export interface EmulatorOptions {
  applications?: SeedApplication[]
  /** How long an update keeps a RUNNING application in UPDATING. Default 300 ms. */
  updateDurationMs?: number
  /** How long the autoscaler's restart keeps an application in AUTOSCALING. Default updateDurationMs. */
  autoscaleDurationMs?: number
  /** GetMetricData pages after this many data points, below MaxDatapoints (a client must follow NextToken). Default: MaxDatapoints only. */
  metricDataPageSize?: number
  /** Maximum KPUs per application, KPUs = ceil(Parallelism / ParallelismPerKPU). Default 64. */
  kpuQuota?: number
  /**
   * Snapshots an application may have: CreateApplicationSnapshot is refused LimitExceededException
   * at it, while updates and stops still take theirs. Default 1000, the service's quota.
   */
  snapshotLimit?: number
  /** How long a snapshot is CREATING before READY, and DELETING before it is gone. Default 100 ms. */
  snapshotDurationMs?: number
  /**
   * How fast a running job's state counts records (`application(name).state.records`). Default
   * 1000; 0 freezes the count, so what a restart kept, dropped or rewound reads exactly.
   */
  recordsPerSecond?: number
  /**
   * A request-rate quota per region across every Kinesis Analytics operation (a token bucket; see
   * quota.ts): requests over it are answered ThrottlingException and counted. Default: none.
   */
  requestRate?: RequestRateOptions
  /** The static credentials accepted. Default EMULATOR_ACCESS_KEY_ID / EMULATOR_SECRET_ACCESS_KEY. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
  /** The Actions OIDC token endpoint (claims of the tokens it issues, bearer token it requires). */
  oidc?: OidcOptions
  /** STS trust policy applied to AssumeRoleWithWebIdentity. */
  trust?: TrustOptions
  /**
   * Roles sts:AssumeRole can assume, each with the principals its trust policy allows: e.g. a role
   * in account 210987654321 that trusts arn:aws:iam::123456789012:role/flink-scaler. Applications
   * seeded with that `account` are what its sessions see.
   */
  roles?: RoleOptions[]
  /** Port to listen on (127.0.0.1). Default: a free port. */
  port?: number
}

export interface Emulator {
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  /**
   * Environment that points a process (the action) at this emulator: AWS_ENDPOINT_URL, AWS_REGION,
   * AWS_EC2_METADATA_DISABLED=true, plus AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (credentials,
   * default true) and ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN (oidc, default true).
   */
  env(options?: { credentials?: boolean; oidc?: boolean; region?: string }): Record<string, string>
  /** Deep copy of an application's current state (default region us-east-1, account EMULATOR_ACCOUNT_ID). Throws if there is no such application. */
  application(name: string, region?: string, account?: string): ApplicationSnapshot
  addApplication(seed: SeedApplication): void
  /** Every request received, in arrival order (clear with `requests.length = 0`). */
  requests: RequestLogEntry[]
  /** Every CloudWatch data point accepted by PutMetricData, in arrival order (clear with `metrics.length = 0`). */
  metrics: RecordedDatum[]
  /**
   * Runs the emulated applications' clock `ms` ahead: their updates, loads, metrics and autoscaler
   * live through that time at once. CloudWatch still answers on the real clock, so the last
   * minutes a caller asks for are the last minutes the applications lived.
   */
  advance(ms: number): void
  /** The emulated applications' clock. */
  clock: SimulatedClock
  /** Fault knobs, mutable at any time (see faults.ts). */
  faults: Faults
  /** The request-rate quota (options.requestRate, changed with set()) and how many requests it throttled. */
  requestRate: RequestRate
  /** A token as the OIDC endpoint would issue it (for calling STS directly in tests). */
  issueIdToken(audience?: string): string
  /** Closes the server, dropping hung and in-flight requests. */
  stop(): Promise<void>
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = new Faults()
  const clock = new SimulatedClock()
  const kda = new KinesisAnalyticsService({
    updateDurationMs: options.updateDurationMs ?? 300,
    ...(options.autoscaleDurationMs !== undefined ? { autoscaleDurationMs: options.autoscaleDurationMs } : {}),
    clock: () => clock.now(),
    kpuQuota: options.kpuQuota ?? 64,
    snapshotLimit: options.snapshotLimit ?? 1000,
    snapshotDurationMs: options.snapshotDurationMs ?? 100,
    recordsPerSecond: options.recordsPerSecond ?? 1000,
    faults
  })
  for (const seed of options.applications ?? []) kda.addApplication(seed)

  const staticCredentials = options.credentials ?? {
    accessKeyId: EMULATOR_ACCESS_KEY_ID,
    secretAccessKey: EMULATOR_SECRET_ACCESS_KEY
  }
  const credentials = new CredentialStore()
  credentials.add({ ...staticCredentials, principalArn: EMULATOR_USER_ARN })
  const oidc = new OidcProvider(options.oidc)
  const sts = new StsService(oidc, options.trust ?? {}, credentials, options.roles)
  // The loads' metrics live on the emulated clock; CloudWatch's callers ask on the real one.
  const published: MetricSource = (place, namespace, metric, dimensions, from, to, grainMs) =>
    kda
      .metricSamples(place, namespace, metric, dimensions, clock.fromReal(from), clock.fromReal(to), grainMs)
      .map((sample) => ({ ...sample, t: clock.toReal(sample.t) }))
  const cloudwatch: CloudWatchService = new CloudWatchService({
    GetMetricData: (input, ctx) => getMetricData(input, { region: ctx.region, account: accountOf(ctx.principalArn) }, [recordedSource(cloudwatch.metrics), published], { now: ctx.now ?? Date.now(), pageSize: options.metricDataPageSize })
  })
  const requests: RequestLogEntry[] = []
  const requestRate = new RequestRate(options.requestRate)

  const server = await startHttpServer({ kda, requestRate, sts, cloudwatch, oidc, faults, credentials, requests }, options.port ?? 0)
  const url = `http://127.0.0.1:${server.port}`
  let stopped: Promise<void> | undefined

  return {
    url,
    port: server.port,
    env({ credentials: withCredentials = true, oidc: withOidc = true, region = DEFAULT_REGION } = {}) {
      const env: Record<string, string> = {
        AWS_ENDPOINT_URL: url,
        AWS_REGION: region,
        AWS_EC2_METADATA_DISABLED: 'true'
      }
      if (withCredentials) {
        env.AWS_ACCESS_KEY_ID = staticCredentials.accessKeyId
        env.AWS_SECRET_ACCESS_KEY = staticCredentials.secretAccessKey
      }
      if (withOidc) {
        env.ACTIONS_ID_TOKEN_REQUEST_URL = `${url}${OIDC_TOKEN_PATH}?api-version=2.0`
        env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = oidc.requestToken
      }
      return env
    },
    application: (name, region, account) => kda.snapshot(name, region, account),
    addApplication: (seed) => kda.addApplication(seed),
    requests,
    metrics: cloudwatch.metrics,
    advance: (ms) => clock.advance(ms),
    clock,
    faults,
    requestRate,
    issueIdToken: (audience) => oidc.issue(audience),
    stop: () => (stopped ??= server.close())
  }
}
