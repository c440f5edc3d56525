/** Every input of action.yml, read once into a typed Config and validated before any AWS call. */
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { DateTime } from 'luxon'
import { APPLICATION_ARN, APPLICATION_NAME } from '../phases/application.js'
import { inputError, ScalerError } from '../errors.js'
import { withHolidays } from '../schedule/holidays.js'
import { checkBounds, lineOf, nextTransition, parseSchedule, type Schedule, type Target } from '../schedule/schedule.js'
import { DEFAULT_SNAPSHOT_LIMIT, MIN_KEEP } from '../phases/snapshots.js'

/** One application to reconcile, with the region its calls go to. */
export interface ApplicationRef {
  /** The application name (from the input, or the ARN's last part). */
  name: string
  region: string
  /** Set when the input gave an ARN. */
  arn?: string
}

/** Every input of action.yml, read once and validated; nothing else reads inputs. */
export interface Config {
  /** The applications to reconcile, in input order, without duplicates (none with check-only). */
  applications: ApplicationRef[]
  /** From `schedule` or `schedule-file`; undefined when only a manual target is given. */
  schedule?: Schedule
  /** `schedule-file`, as a path in the repository (for annotations on its lines). */
  scheduleFile?: string
  /** The manual target from `parallelism` or `kpu`. */
  manual?: Target
  /** `parallelism-per-kpu`; undefined keeps each application's. */
  parallelismPerKpu?: number
  autoscaling: 'keep' | 'enable' | 'disable'
  /** Region for names without an ARN (input, else AWS_REGION / AWS_DEFAULT_REGION). */
  region?: string
  /** `role-to-assume`; undefined uses the default credential chain. */
  roleToAssume?: string
  roleSessionName: string
  roleDurationSeconds: number
  audience: string
  dryRun: boolean
  wait: boolean
  waitTimeoutSeconds: number
  /** The instant the schedule is evaluated at: `at`, else the run's start. */
  now: Date
  /** The run's start, on the real clock: holds live on it, whatever `at` says. */
  clock: Date
  /** Whether `at` was given (a preview or backfill). */
  atGiven: boolean
  allowStatelessRestart: boolean
  /**
   * When a hold set by this run ends (`hold-until`, resolved against the real clock), or the
   * schedule's next transition, which depends on each application's ParallelismPerKPU and so is
   * found per application.
   */
  holdUntil?: Date | 'next-transition'
  releaseHold: boolean
  /** `metrics-namespace`: the CloudWatch namespace each run publishes its metrics to; undefined publishes none. */
  metricsNamespace?: string
  /** `check-only`: validate the schedule and show its week, with no AWS call and no credentials. */
  checkOnly: boolean
  /** `kpu-hour-price`: what one KPU-hour costs, for the week's cost in the summary. */
  kpuHourPrice?: number
  /** `snapshot-limit`: each application's snapshot limit, warned about at 80% of it. */
  snapshotLimit: number
  /** `prune-snapshots`: the newest snapshots to keep of each updated application; undefined deletes none. */
  pruneSnapshots?: number
}

/** Reads one input by its action.yml name; the runner passes '' for unset inputs without default. */
export type InputReader = (name: string) => string

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/
/** Region codes: us-west-2, eu-central-1, us-gov-west-1, cn-north-1, ... */
const REGION = /^[a-z]{2,}(-[a-z]+)+-\d+$/
/** A hold ends at most this far ahead: a forgotten hold must not outlive the schedule by years. */
const MAX_HOLD_MS = 366 * 86_400_000

/**
 * Turns the raw inputs into a Config, or throws an input error naming the input and the fix.
 * Asynchronous only because a schedule that names holidays loads the holiday calendar.
 */
export async function readConfig(input: InputReader, env: NodeJS.ProcessEnv, clock: () => Date = () => new Date()): Promise<Config> {
  const get = (name: string) => (input(name) ?? '').trim()
  const started = clock()
  const checkOnly = boolean('check-only', get('check-only'))

  const { schedule, file: scheduleFile } = await readSchedule(get('schedule'), get('schedule-file'), env)

  const parallelismText = get('parallelism')
  const kpuText = get('kpu')
  if (parallelismText && kpuText) {
    throw inputError('Inputs "parallelism" and "kpu" are both set.', 'Give at most one manual target: parallelism or kpu.')
  }
  const manual: Target | undefined = parallelismText
    ? { parallelism: positiveInteger('parallelism', parallelismText) }
    : kpuText
      ? { kpu: positiveInteger('kpu', kpuText) }
      : undefined
  const ppkText = get('parallelism-per-kpu')
  const parallelismPerKpu = ppkText ? positiveInteger('parallelism-per-kpu', ppkText, 1, 8) : undefined
  // A KPU target can only be checked here when its ParallelismPerKPU is known before describing.
  if (manual && 'parallelism' in manual && schedule) checkBounds(schedule, manual.parallelism, 'input "parallelism"')
  if (manual && 'kpu' in manual && schedule && parallelismPerKpu) {
    checkBounds(schedule, manual.kpu * parallelismPerKpu, `input "kpu" (${manual.kpu} × parallelism-per-kpu ${parallelismPerKpu})`)
  }
  if (schedule && parallelismPerKpu) {
    for (const [what, target] of [['default', schedule.default] as const, ...schedule.rules.map((r) => [`rule "${shown(r.name)}"`, r.target] as const)]) {
      if ('kpu' in target) checkBounds(schedule, target.kpu * parallelismPerKpu, `${what} (${target.kpu} KPU × parallelism-per-kpu ${parallelismPerKpu})`)
    }
  }

  const releaseHold = boolean('release-hold', get('release-hold'))
  if (!schedule && !manual) {
    throw inputError(
      checkOnly
        ? 'check-only is set, but there is no schedule to check: neither "schedule" nor "schedule-file" is set.'
        : 'No target: none of "schedule", "schedule-file", "parallelism" or "kpu" is set.',
      'Give a schedule (inline "schedule" or "schedule-file") and/or a manual "parallelism" or "kpu".'
    )
  }

  const autoscaling = get('autoscaling') || 'keep'
  if (autoscaling !== 'keep' && autoscaling !== 'enable' && autoscaling !== 'disable') {
    throw inputError(`Input "autoscaling" is "${shown(autoscaling)}".`, 'Use keep, enable or disable.')
  }

  const atText = get('at')
  const now = atText ? instant('at', atText, schedule?.timezone ?? 'UTC') : started

  const region = get('region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined
  if (region && !REGION.test(region)) {
    throw inputError(
      `Region "${shown(region)}" (${get('region') ? 'input "region"' : 'AWS_REGION / AWS_DEFAULT_REGION'}) is not an AWS region code.`,
      'Use a region code like us-west-2 or eu-central-1.'
    )
  }
  const applicationText = get('application-name')
  // A check before merge names no application; if it does, the names are checked all the same.
  const applications = checkOnly && !applicationText ? [] : readApplications(applicationText, region, !checkOnly)

  const roleToAssume = get('role-to-assume') || undefined
  if (roleToAssume && !ROLE_ARN.test(roleToAssume)) {
    throw inputError(
      `Input "role-to-assume" is not an IAM role ARN: "${shown(roleToAssume)}".`,
      'Use the role ARN, like arn:aws:iam::123456789012:role/flink-scaler.'
    )
  }
  const roleSessionName = get('role-session-name') || 'flink-scheduled-scaler'
  if (!SESSION_NAME.test(roleSessionName)) {
    throw inputError(
      `Input "role-session-name" is "${shown(roleSessionName)}".`,
      'Use 2-64 letters, digits or any of _+=,.@- (an STS session name).'
    )
  }

  const holdText = get('hold-until')
  const holdUntil = holdText ? readHoldUntil(holdText, started, schedule) : undefined
  if (holdUntil && !manual) {
    throw inputError('Input "hold-until" is set without a manual target.', 'Set "parallelism" or "kpu" too: a hold keeps a manual target.')
  }
  if (holdUntil && releaseHold) {
    throw inputError('Inputs "hold-until" and "release-hold" are both set.', 'Either set a new hold or release the current one.')
  }
  const metricsNamespace = readMetricsNamespace(get('metrics-namespace'))
  const priceText = get('kpu-hour-price')
  const kpuHourPrice = priceText ? price('kpu-hour-price', priceText) : undefined
  const { snapshotLimit, pruneSnapshots } = readSnapshotInputs(get('snapshot-limit'), get('prune-snapshots'))

  return {
    applications,
    schedule,
    ...(scheduleFile ? { scheduleFile } : {}),
    manual,
    parallelismPerKpu,
    autoscaling,
    region,
    roleToAssume,
    roleSessionName,
    roleDurationSeconds: positiveInteger('role-duration-seconds', get('role-duration-seconds') || '900', 900, 43200),
    audience: readAudience(get('audience') || 'sts.amazonaws.com'),
    dryRun: boolean('dry-run', get('dry-run')),
    wait: boolean('wait', get('wait') || 'true'),
    waitTimeoutSeconds: positiveInteger('wait-timeout-seconds', get('wait-timeout-seconds') || '1800'),
    now,
    clock: started,
    atGiven: Boolean(atText),
    allowStatelessRestart: boolean('allow-stateless-restart', get('allow-stateless-restart')),
    holdUntil,
    releaseHold,
    metricsNamespace,
    checkOnly,
    kpuHourPrice,
    snapshotLimit,
    ...(pruneSnapshots !== undefined ? { pruneSnapshots } : {})
  }
}

/** `snapshot-limit` (default the service's quota) and `prune-snapshots` (at least MIN_KEEP; empty: none deleted). */
function readSnapshotInputs(limitText: string, pruneText: string): { snapshotLimit: number; pruneSnapshots?: number } {
  const snapshotLimit = limitText
    ? wholeNumber('snapshot-limit', limitText, 1, `Use a whole number of at least 1: the snapshots an application may have (the service allows ${DEFAULT_SNAPSHOT_LIMIT}), or leave it empty for that.`)
    : DEFAULT_SNAPSHOT_LIMIT
  if (!pruneText) return { snapshotLimit }
  const pruneSnapshots = wholeNumber(
    'prune-snapshots',
    pruneText,
    MIN_KEEP,
    `Use a whole number of at least ${MIN_KEEP}: how many of the newest snapshots to keep (e.g. 100), or leave it empty to delete none.`
  )
  return { snapshotLimit, pruneSnapshots }
}

function wholeNumber(name: string, text: string, min: number, hint: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(value) || value < min) throw inputError(`Input "${name}" is "${shown(text)}".`, hint)
  return value
}

/**
 * A CloudWatch namespace (the PutMetricData model: 1-255 characters, not starting with ":"), of
 * printable ASCII with at least one non-blank character, outside the "AWS/" namespaces that
 * CloudWatch keeps for AWS services. Empty: no metrics.
 */
function readMetricsNamespace(text: string): string | undefined {
  if (!text) return undefined
  const problem =
    text.length > 255
      ? `is ${text.length} characters long`
      : !/^[\x20-\x7e]+$/.test(text)
        ? 'has characters other than printable ASCII'
        : text.startsWith(':')
          ? 'starts with ":"'
          : text.startsWith('AWS/')
            ? 'starts with "AWS/", which CloudWatch reserves for AWS services'
            : undefined
  if (!problem) return text
  throw inputError(
    `Input "metrics-namespace" ("${shown(text)}") ${problem}.`,
    'Use a CloudWatch namespace of your own: 1-255 printable ASCII characters, not starting with "AWS/" or ":", for example FlinkScheduledScaler (or empty for no metrics).'
  )
}

async function readSchedule(inline: string, file: string, env: NodeJS.ProcessEnv): Promise<{ schedule?: Schedule; file?: string }> {
  if (inline && file) {
    throw inputError('Inputs "schedule" and "schedule-file" are both set.', 'Give the schedule once: inline or as a file.')
  }
  if (inline) return { schedule: await withHolidays(parseSchedule(inline, 'input "schedule"'), 'input "schedule"') }
  if (!file) return {}
  const { text, inRepository } = readScheduleFile(file, env)
  const source = `schedule-file "${shown(file)}"`
  const schedule = parseSchedule(text, source, inRepository)
  try {
    return { schedule: await withHolidays(schedule, source), file: inRepository }
  } catch (error) {
    if (error instanceof ScalerError) error.location ??= { file: inRepository, line: lineOf(text, 'field "holidays"') }
    throw error
  }
}

/**
 * The text of a schedule file inside the workspace, and its path there. The real path counts, so
 * neither "../" nor a symbolic link reaches outside it; of a file outside, nothing is read or shown.
 */
function readScheduleFile(file: string, env: NodeJS.ProcessEnv): { text: string; inRepository: string } {
  const given = env.GITHUB_WORKSPACE || process.cwd()
  const fix = 'Check the path (relative to the repository root) and that the job runs actions/checkout before this step.'
  let workspace: string
  let real: string
  try {
    workspace = realpathSync(given)
    real = realpathSync(path.resolve(workspace, file))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw inputError(`Cannot read schedule-file "${shown(file)}" (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}) in ${given}.`, fix)
  }
  const inRepository = path.relative(workspace, real)
  if (inRepository === '..' || inRepository.startsWith(`..${path.sep}`) || path.isAbsolute(inRepository)) {
    throw inputError(
      `Input "schedule-file" is "${shown(file)}", which is outside the workspace (${workspace}); it was not read.`,
      'Give the path of a file in the repository, relative to its root, e.g. .github/flink-schedule.yml.'
    )
  }
  try {
    return { text: readFileSync(real, 'utf8'), inRepository: inRepository.split(path.sep).join('/') }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw inputError(`Cannot read schedule-file "${shown(file)}" (${code ?? String(error)}) in ${workspace}.`, fix)
  }
}

function readApplications(text: string, region: string | undefined, regionNeeded = true): ApplicationRef[] {
  const items = text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean)
  if (items.length === 0) {
    throw inputError('Input "application-name" is empty.', 'Name one or more applications (names or ARNs), one per line or comma-separated.')
  }
  const applications: ApplicationRef[] = []
  for (const item of items) {
    let ref: ApplicationRef
    const arn = APPLICATION_ARN.exec(item)
    if (arn) {
      ref = { name: arn[4], region: arn[2], arn: item }
    } else if (APPLICATION_NAME.test(item)) {
      if (!region && regionNeeded) {
        throw inputError(
          `No region for application "${item}".`,
          'Set the "region" input (or AWS_REGION), or give the application\'s ARN, which carries its region.'
        )
      }
      ref = { name: item, region: region ?? '' }
    } else {
      throw inputError(
        `Input "application-name" has "${shown(item)}", which is neither an application name nor an application ARN.`,
        'Names use 1-128 letters, digits, _ . -; ARNs look like arn:aws:kinesisanalytics:us-west-2:123456789012:application/NAME.'
      )
    }
    // A name and its ARN are one application (the ARN, being exact, is kept); the same name in two
    // accounts, given as two ARNs, is two.
    const same = applications.findIndex((other) => other.region === ref.region && other.name === ref.name)
    if (same < 0) applications.push(ref)
    else if (ref.arn && !applications[same].arn) applications[same] = ref
    else if (ref.arn && applications[same].arn !== ref.arn) applications.push(ref)
  }
  return applications
}

function positiveInteger(name: string, text: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`
    throw inputError(`Input "${name}" is "${shown(text)}".`, `Use ${range}.`)
  }
  return value
}

/** The OIDC audience: one word of printable characters (the IAM provider's client ID). */
function readAudience(text: string): string {
  if (/^[\x21-\x7e]{1,255}$/.test(text)) return text
  throw inputError(`Input "audience" is "${shown(text)}".`, 'Use the audience the IAM OIDC provider lists as a client ID: normally sts.amazonaws.com, without spaces.')
}

/** A positive decimal, e.g. 0.11. */
function price(name: string, text: string): number {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN
  if (!Number.isFinite(value) || value <= 0) {
    throw inputError(`Input "${name}" is "${shown(text)}".`, 'Use a positive decimal number, the price of one KPU-hour, e.g. 0.11.')
  }
  return value
}

/** Input text as an error may quote it: one line, at most 80 characters. */
function shown(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
  return line.length > 80 ? `${line.slice(0, 79)}…` : line
}

function boolean(name: string, text: string): boolean {
  if (text === '') return false
  if (/^true$/i.test(text)) return true
  if (/^false$/i.test(text)) return false
  throw inputError(`Input "${name}" is "${shown(text)}".`, 'Use true or false.')
}

/** An ISO-8601 instant between the years 1970 and 9999; without an offset it is read in the schedule's zone. */
function instant(name: string, text: string, zone: string): Date {
  const parsed = DateTime.fromISO(text, { zone, setZone: true })
  const date = parsed.isValid ? parsed.toJSDate() : undefined
  if (!date || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999) {
    throw inputError(`Input "${name}" is "${shown(text)}", which is not an ISO-8601 instant.`, 'Use e.g. 2026-11-27T09:00:00-08:00 or 2026-11-27T17:00:00Z.')
  }
  return date
}

const DURATION = /^(\d+)\s*(m|h|d)$/
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * The end of a hold: an ISO-8601 instant, a duration from now, or the schedule's next transition;
 * `now` is the real clock (holds live on it, whatever `at` says). It lies after now and at most a
 * year ahead.
 */
function readHoldUntil(text: string, now: Date, schedule: Schedule | undefined): Date | 'next-transition' {
  const fix = 'Use an ISO-8601 instant (2026-11-27T18:00:00Z), a duration (90m, 4h, 2d) or next-transition, at most a year ahead.'
  if (text === 'next-transition') {
    // Whether the schedule changes at all is known now; when exactly depends on each application.
    const next = schedule && nextTransition(schedule, now)
    if (!next) {
      throw inputError(
        `Input "hold-until" is next-transition, but ${schedule ? 'the schedule does not change within a year' : 'there is no schedule'}.`,
        'Give an instant (2026-11-27T18:00:00Z) or a duration (90m, 4h, 2d) instead.'
      )
    }
    return 'next-transition'
  }
  const duration = DURATION.exec(text)
  let at: Date
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]
    if (!Number.isSafeInteger(ms) || ms <= 0 || ms > MAX_HOLD_MS) {
      throw inputError(`Input "hold-until" is "${shown(text)}", which is ${ms > 0 ? 'more than a year' : 'not a positive duration'}.`, fix)
    }
    at = new Date(now.getTime() + ms)
  } else {
    const parsed = DateTime.fromISO(text, { zone: schedule?.timezone ?? 'UTC', setZone: true })
    const date = parsed.isValid ? parsed.toJSDate() : undefined
    if (!date || Number.isNaN(date.getTime())) throw inputError(`Input "hold-until" is "${shown(text)}".`, fix)
    at = date
  }
  if (at <= now) {
    throw inputError(`Input "hold-until" is ${at.toISOString()}, which is not after now (${now.toISOString()}); a hold lives on the real clock, whatever "at" says.`, 'Give an instant in the future.')
  }
  if (at.getTime() - now.getTime() > MAX_HOLD_MS) {
    throw inputError(`Input "hold-until" is ${at.toISOString()}, more than a year after now (${now.toISOString()}).`, fix)
  }
  return at
}
