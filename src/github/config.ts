/** Every input of action.yml, read once into a typed Config and validated before any AWS call. */
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { DateTime } from 'luxon'
import { APPLICATION_ARN, APPLICATION_NAME } from '../phases/application.js'
import { inputError, ScalerError } from '../errors.js'
import { withHolidays } from '../schedule/holidays.js'
import { checkBounds, lineOf, nextTransition, parseSchedule, readScheduleYaml, type Schedule, type Target } from '../schedule/schedule.js'
import { NAMED_KEYS, schedulesOf, type NamedSchedules, type ScheduleText } from '../schedule/named.js'
import { DEFAULT_SNAPSHOT_LIMIT, MIN_KEEP } from '../phases/snapshots.js'
import { arnPartition, regionPartition } from '../aws/partitions.js'

/** One application to reconcile, with the region its calls go to. */
export interface ApplicationRef {
  /** The application name (from the input, or the ARN's last part). */
  name: string
  region: string
  /** Set when the input gave an ARN, or the application was listed. */
  arn?: string
  /** The role of `account-roles` it is reached through; undefined: the run's own credentials. */
  role?: string
  /** Its account, shown in `results` with `account-roles` (from its ARN, or the role's account). */
  account?: string
}

/** A role of `account-roles`: the run assumes it to list, select and scale in its account. */
export interface AccountRole {
  arn: string
  /** The account it is in (from the ARN). */
  account: string
}

/** Every input of action.yml, read once and validated; nothing else reads inputs. */
export interface Config {
  /** The applications to reconcile, in input order, without duplicates (none with check-only). */
  applications: ApplicationRef[]
  /** From `schedule` or `schedule-file`; undefined when only a manual target is given, or with named schedules. */
  schedule?: Schedule
  /** Named schedules (`schedules:` in `schedule` or `schedule-file`): each application follows one of them. */
  schedules?: NamedSchedules
  /** `select-by-tag`: the tag key whose value names each application's schedule; every application carrying it is scaled. */
  selectByTag?: string
  /** Every region of `region` (several only with select-by-tag), else AWS_REGION / AWS_DEFAULT_REGION; `region` is the first. */
  regions: string[]
  /** `account-roles`: a role in each other account, assumed from the run's own credentials (with select-by-tag). */
  accountRoles: AccountRole[]
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
  /**
   * `suggest` with `suggest-utilization`: read each application's metrics over the look-back and
   * propose a schedule, changing nothing (`dryRun` is then true). Undefined without `suggest`.
   */
  suggest?: SuggestSettings
}

/** What `suggest` asks for. */
export interface SuggestSettings {
  /** `suggest`: the look-back, in days (7 ... 63). */
  days: number
  /** `suggest-utilization`: the CPU utilization the proposed sizes aim at, in percent (30 ... 90). */
  utilization: number
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

  const { schedule, named, file: scheduleFile } = await readSchedule(get('schedule'), get('schedule-file'), env)
  // With named schedules, the one an instant without an offset is read in: default-schedule's, else the first.
  const mainSchedule = schedule ?? (named && named.byName.get(named.defaultSchedule ?? [...named.byName.keys()][0]))

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
  const everySchedule = named ? schedulesOf({ named }) : schedule ? [{ name: undefined, schedule }] : []
  for (const { name, schedule: each } of parallelismPerKpu ? everySchedule : []) {
    const of = name === undefined ? '' : ` of schedules.${name}`
    for (const [what, target] of [['default', each.default] as const, ...each.rules.map((r) => [`rule "${shown(r.name)}"`, r.target] as const)]) {
      if ('kpu' in target) checkBounds(each, target.kpu * parallelismPerKpu!, `${what}${of} (${target.kpu} KPU × parallelism-per-kpu ${parallelismPerKpu})`)
    }
  }

  const releaseHold = boolean('release-hold', get('release-hold'))
  const suggest = readSuggest(get('suggest'), get('suggest-utilization') || '60%')
  if (suggest) {
    const conflict = (
      [
        ['parallelism', parallelismText !== '', 'Leave "parallelism" out: suggest changes nothing. Run without "suggest" to scale by hand.'],
        ['kpu', kpuText !== '', 'Leave "kpu" out: suggest changes nothing. Run without "suggest" to scale by hand.'],
        ['hold-until', get('hold-until') !== '', 'Leave "hold-until" out: suggest changes nothing, holds included.'],
        ['release-hold', releaseHold, 'Leave "release-hold" out: suggest changes nothing, holds included.'],
        ['check-only', checkOnly, 'Use one or the other: check-only makes no AWS call, and suggest reads CloudWatch.']
      ] as const
    ).find(([, set]) => set)
    if (conflict) throw inputError(`Inputs "suggest" and "${conflict[0]}" are both set.`, conflict[2])
  }
  if (!schedule && !named && !manual && !suggest) {
    throw inputError(
      checkOnly
        ? 'check-only is set, but there is no schedule to check: neither "schedule" nor "schedule-file" is set.'
        : 'No target: none of "schedule", "schedule-file", "parallelism" or "kpu" is set (nor "suggest", which needs none).',
      'Give a schedule (inline "schedule" or "schedule-file") and/or a manual "parallelism" or "kpu"; not sure what to write? Run once with "suggest: 28d" for a schedule proposed from the application\'s own metrics (docs/suggest.md).'
    )
  }

  const autoscaling = get('autoscaling') || 'keep'
  if (autoscaling !== 'keep' && autoscaling !== 'enable' && autoscaling !== 'disable') {
    throw inputError(`Input "autoscaling" is "${shown(autoscaling)}".`, 'Use keep, enable or disable.')
  }

  const atText = get('at')
  const now = atText ? instant('at', atText, mainSchedule?.timezone ?? 'UTC') : started

  const regions = readRegions(get('region'), env)
  const region = regions[0]
  const selectByTag = readTagKey(get('select-by-tag'))
  const accountRoles = readAccountRoles(get('account-roles'))
  checkFleetInputs({ regions, selectByTag, accountRoles, named, checkOnly, suggesting: suggest !== undefined })
  const applicationText = get('application-name')
  // A check before merge names no application; if it does, the names are checked all the same.
  // Applications chosen by tag need no names.
  const applications = (checkOnly || selectByTag) && !applicationText ? [] : readApplications(applicationText, region, !checkOnly, accountRoles)

  const roleToAssume = get('role-to-assume') || undefined
  if (roleToAssume && !ROLE_ARN.test(roleToAssume)) {
    throw inputError(
      `Input "role-to-assume" is not an IAM role ARN: "${shown(roleToAssume)}".`,
      'Use the role ARN, like arn:aws:iam::123456789012:role/flink-scaler.'
    )
  }
  checkPartitions(accountRoles, roleToAssume, regions)
  const roleSessionName = get('role-session-name') || 'flink-scheduled-scaler'
  if (!SESSION_NAME.test(roleSessionName)) {
    throw inputError(
      `Input "role-session-name" is "${shown(roleSessionName)}".`,
      'Use 2-64 letters, digits or any of _+=,.@- (an STS session name).'
    )
  }

  const holdText = get('hold-until')
  const holdUntil = holdText ? readHoldUntil(holdText, started, mainSchedule) : undefined
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
    ...(named ? { schedules: named } : {}),
    ...(selectByTag ? { selectByTag } : {}),
    regions,
    accountRoles,
    ...(scheduleFile ? { scheduleFile } : {}),
    manual,
    parallelismPerKpu,
    autoscaling,
    region,
    roleToAssume,
    roleSessionName,
    roleDurationSeconds: positiveInteger('role-duration-seconds', get('role-duration-seconds') || '900', 900, 43200),
    audience: readAudience(get('audience') || 'sts.amazonaws.com'),
    // A suggestion changes nothing, like a dry run.
    dryRun: boolean('dry-run', get('dry-run')) || suggest !== undefined,
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
    ...(suggest ? { suggest } : {}),
    snapshotLimit,
    ...(pruneSnapshots !== undefined ? { pruneSnapshots } : {})
  }
}

const LOOK_BACK = /^(\d+)d$/
const PERCENT = /^(\d+(?:\.\d+)?)\s*%?$/

/**
 * `suggest` (`Nd`, 7d to 63d: a week of every hour at least) and `suggest-utilization` (30% to
 * 90%, the `%` optional), which is checked even without `suggest`.
 */
function readSuggest(lookBack: string, utilizationText: string): SuggestSettings | undefined {
  const percent = PERCENT.exec(utilizationText)
  const utilization = percent ? Number(percent[1]) : NaN
  if (!(utilization >= 30 && utilization <= 90)) {
    throw inputError(
      `Input "suggest-utilization" is "${shown(utilizationText)}".`,
      'Use a percentage from 30% to 90%, e.g. 60%: the CPU utilization the suggested sizes aim at.'
    )
  }
  if (!lookBack) return undefined
  const days = Number(LOOK_BACK.exec(lookBack)?.[1] ?? NaN)
  if (!(days >= 7 && days <= 63)) {
    throw inputError(
      `Input "suggest" is "${shown(lookBack)}".`,
      'Use a look-back in whole days from 7d to 63d, e.g. 28d: a suggestion needs a week of history at least.'
    )
  }
  return { days, utilization }
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

async function readSchedule(inline: string, file: string, env: NodeJS.ProcessEnv): Promise<{ schedule?: Schedule; named?: NamedSchedules; file?: string }> {
  if (inline && file) {
    throw inputError('Inputs "schedule" and "schedule-file" are both set.', 'Give the schedule once: inline or as a file.')
  }
  if (inline) return loadHolidays(await parseScheduleText(inline, 'input "schedule"'), 'input "schedule"', inline)
  if (!file) return {}
  const { text, inRepository } = readScheduleFile(file, env)
  const source = `schedule-file "${shown(file)}"`
  return { ...(await loadHolidays(await parseScheduleText(text, source, inRepository), source, text, inRepository)), file: inRepository }
}

/** A single schedule, or named ones, whose parser is loaded only for a text that holds them. */
async function parseScheduleText(text: string, source: string, file?: string): Promise<ScheduleText> {
  const doc = readScheduleYaml(text, source, file)
  if (!NAMED_KEYS.some((key) => key in doc)) return { schedule: parseSchedule(text, source, file) }
  return (await import('../schedule/named-parser.js')).parseScheduleText(text, source, file)
}

/**
 * The schedule, or each named one, with the calendar of its holidays (loaded only when one names
 * some); an unknown code is an error on the line of the `holidays` that names it.
 */
async function loadHolidays(parsed: ScheduleText, source: string, text: string, file?: string): Promise<{ schedule?: Schedule; named?: NamedSchedules }> {
  if (parsed.schedule) {
    try {
      return { schedule: await withHolidays(parsed.schedule, source) }
    } catch (error) {
      if (error instanceof ScalerError && file) error.location ??= { file, line: lineOf(text, 'field "holidays"') }
      throw error
    }
  }
  const byName = new Map<string, Schedule>()
  for (const [name, schedule] of parsed.named.byName) {
    try {
      byName.set(name, await withHolidays(schedule, `${source}, schedules.${name}`))
    } catch (error) {
      if (error instanceof ScalerError && file) error.location ??= { file, ...(await import('../schedule/named-parser.js')).namedLine(text, name, 'holidays') }
      throw error
    }
  }
  return { named: { ...parsed.named, byName } }
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

function readApplications(text: string, region: string | undefined, regionNeeded = true, accountRoles: AccountRole[] = []): ApplicationRef[] {
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
      // An ARN in an account of account-roles is reached through its role.
      const role = accountRoles.find((r) => r.account === arn[3])
      ref = { name: arn[4], region: arn[2], arn: item, ...(accountRoles.length > 0 ? { account: arn[3] } : {}), ...(role ? { role: role.arn } : {}) }
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

/** `region`: one region code, or several (one per line or comma-separated), without repeats; else AWS_REGION / AWS_DEFAULT_REGION. */
function readRegions(text: string, env: NodeJS.ProcessEnv): string[] {
  const given = text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean)
  const regions = given.length > 0 ? given : [env.AWS_REGION || env.AWS_DEFAULT_REGION || ''].filter(Boolean)
  for (const region of regions) {
    if (!REGION.test(region)) {
      throw inputError(
        `Region "${shown(region)}" (${given.length > 0 ? 'input "region"' : 'AWS_REGION / AWS_DEFAULT_REGION'}) is not an AWS region code.`,
        'Use a region code like us-west-2 or eu-central-1; several (with select-by-tag) one per line or comma-separated.'
      )
    }
  }
  return [...new Set(regions)]
}

/**
 * `select-by-tag`: a tag key as AWS accepts it (1-128 letters, digits, spaces and _ . : / = + - @),
 * outside the `aws:` keys that AWS keeps for itself.
 */
function readTagKey(text: string): string | undefined {
  if (!text) return undefined
  const problem =
    text.length > 128
      ? `is ${text.length} characters long`
      : !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(text)
        ? 'has characters a tag key cannot have'
        : /^aws:/i.test(text)
          ? 'starts with "aws:", which AWS keeps for its own tags'
          : undefined
  if (!problem) return text
  throw inputError(
    `Input "select-by-tag" ("${shown(text)}") ${problem}.`,
    'Use the key of the tag that names each application\'s schedule: 1-128 letters, digits, spaces and _ . : / = + - @, e.g. flink-schedule.'
  )
}

/** `account-roles`: IAM role ARNs, one per line (or comma-separated), one per account. */
function readAccountRoles(text: string): AccountRole[] {
  const roles: AccountRole[] = []
  for (const item of text.split(/[\n,]/).map((line) => line.trim()).filter(Boolean)) {
    if (!ROLE_ARN.test(item)) {
      throw inputError(
        `Input "account-roles" has "${shown(item)}", which is not an IAM role ARN.`,
        'Give one role ARN per line, like arn:aws:iam::210987654321:role/flink-scaler: a role in each other account that trusts the role this run has (docs/fleets.md).'
      )
    }
    const account = item.split(':')[4]
    const same = roles.find((role) => role.account === account)
    if (same && same.arn !== item) {
      throw inputError(
        `Input "account-roles" has two roles in account ${account}: ${same.arn} and ${item}.`,
        'Give one role per account: both would list and scale the same applications.'
      )
    }
    if (!same) roles.push({ arn: item, account })
  }
  return roles
}

/**
 * What several regions, select-by-tag, account-roles and named schedules need of each other: each
 * missing piece is an input error naming the input, before any AWS call.
 */
function checkFleetInputs(inputs: { regions: string[]; selectByTag?: string; accountRoles: AccountRole[]; named?: NamedSchedules; checkOnly: boolean; suggesting: boolean }): void {
  const { regions, selectByTag, accountRoles, named, checkOnly, suggesting } = inputs
  if (selectByTag && !named) {
    throw inputError(
      `Input "select-by-tag" is set (${shown(selectByTag)}), but the schedule holds no named schedules for its values to name.`,
      'Give the schedule "schedules:" with one named schedule under each name the tag takes, e.g. "schedules:" / "  business-hours:" / "    default: { kpu: 4 }" (docs/fleets.md).' +
        (suggesting ? ' To suggest schedules for applications that have none yet, name them in application-name instead of select-by-tag: each gets a named schedule of its own.' : '')
    )
  }
  if (checkOnly) return
  if (regions.length > 1 && !selectByTag) {
    throw inputError(
      `Input "region" names ${regions.length} regions (${regions.join(', ')}), which is only for select-by-tag.`,
      'Give one region, or the applications as ARNs (each carries its own region), or set select-by-tag to scale the tagged applications of every region.'
    )
  }
  if (accountRoles.length > 0 && !selectByTag) {
    throw inputError(
      'Input "account-roles" is set without select-by-tag.',
      'account-roles lists and scales the applications that carry the select-by-tag tag in each account: set select-by-tag, or run one job per account (examples/matrix-regions-accounts.yml).'
    )
  }
  if (selectByTag && regions.length === 0) {
    throw inputError('Input "select-by-tag" is set, but no region is: there is nowhere to list applications.', 'Set "region" to the region, or regions, to list (one per line or comma-separated).')
  }
  if (named && !selectByTag && named.defaultSchedule === undefined) {
    throw inputError(
      'The schedule holds named schedules, but neither select-by-tag nor default-schedule says which one each application follows.',
      'Set select-by-tag to the tag whose value names each application\'s schedule, or add "default-schedule:" naming the schedule the applications follow.'
    )
  }
}

/**
 * Each role of account-roles is assumed from the run's own credentials and then used in every
 * region of `region`: IAM never lets a principal of one partition (aws, aws-cn, aws-us-gov, …)
 * assume a role of another, nor a partition's credentials sign requests in another's regions. So a
 * role in another partition than role-to-assume's, or than the regions', is an input error, before
 * any AWS call, rather than an AssumeRole refusal in every run.
 */
function checkPartitions(accountRoles: readonly AccountRole[], roleToAssume: string | undefined, regions: readonly string[]): void {
  const fix = "Scale the accounts of another partition (AWS China, AWS GovCloud, …) in a job of their own, whose role-to-assume and region are in that partition."
  for (const role of accountRoles) {
    const partition = arnPartition(role.arn)
    const own = roleToAssume && arnPartition(roleToAssume)
    if (own && own !== partition) {
      throw inputError(
        `Input "account-roles" has ${role.arn}, in partition ${partition}, but role-to-assume (${roleToAssume}) is in partition ${own}: a role can only be assumed from credentials of its own partition.`,
        fix
      )
    }
    const region = regions.find((r) => regionPartition(r) !== partition)
    if (region) {
      throw inputError(
        `Input "account-roles" has ${role.arn}, in partition ${partition}, but region ${region} is in partition ${regionPartition(region)}: the role's credentials work only in the regions of its own partition.`,
        fix
      )
    }
  }
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
