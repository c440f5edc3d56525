/**
 * Runs the bundled action (dist/index.js) the way a GitHub runner does: a fresh node process,
 * every input as INPUT_<NAME> (upper-cased, hyphens kept) with action.yml's defaults filled in,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE and RUNNER_TEMP.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  /** What the action set with core.setOutput. */
  outputs: Record<string, string>
  /** The job summary Markdown. */
  summary: string
  /** ::error / ::warning / ::notice commands, unescaped. */
  annotations: Annotation[]
  /** Milliseconds from spawn to exit. */
  durationMs: number
}

export interface Annotation {
  level: string
  title?: string
  /** The file and line the annotation is shown on, when it names them. */
  file?: string
  line?: number
  message: string
}

export interface RunOptions {
  /** Extra environment (e.g. the emulator's env()). */
  env?: Record<string, string>
  /** Files to create in the workspace, path → content. */
  files?: Record<string, string>
  /** Called with the workspace's path before the action starts (to make links, directories, ...). */
  prepare?: (workspace: string) => void
  /** The node binary; defaults to ACTION_NODE or this process's node. */
  node?: string
  /** The entry point; defaults to ACTION_ENTRY, else dist/index.js. */
  entry?: string
  /** Kill the action after this long (it is then reported with exit code -1). */
  killAfterMs?: number
}

interface ActionYaml {
  inputs: Record<string, { default?: string }>
}

/** action.yml's inputs with their defaults as the runner passes them: strings, '' without default. */
export function inputDefaults(): Record<string, string> {
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYaml
  return Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? '']))
}

export async function runAction(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  const defaults = inputDefaults()
  for (const name of Object.keys(inputs)) {
    if (!(name in defaults)) throw new Error(`action.yml has no input "${name}"`)
  }
  const workspace = mkdtempSync(path.join(tmpdir(), 'flink-scaler-ws-'))
  const runnerTemp = mkdtempSync(path.join(tmpdir(), 'flink-scaler-tmp-'))
  const outputFile = path.join(runnerTemp, 'output')
  const summaryFile = path.join(runnerTemp, 'summary.md')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  for (const [file, content] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true })
    writeFileSync(path.join(workspace, file), content)
  }
  options.prepare?.(workspace)

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runnerTemp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/flink-jobs',
    GITHUB_RUN_ID: '4242',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'Scale Flink applications',
    ...options.env
  }
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }

  const node = options.node ?? process.env.ACTION_NODE ?? process.execPath
  const entry = options.entry ?? process.env.ACTION_ENTRY ?? path.join(ROOT, 'dist', 'index.js')
  const started = performance.now()
  const child = spawn(node, [entry], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const timer = options.killAfterMs ? setTimeout(() => child.kill('SIGKILL'), options.killAfterMs) : undefined
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)))
  if (timer) clearTimeout(timer)
  const durationMs = performance.now() - started

  const run: ActionRun = {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    annotations: parseAnnotations(stdout),
    durationMs
  }
  rmSync(workspace, { recursive: true, force: true })
  rmSync(runnerTemp, { recursive: true, force: true })
  return run
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i])
    if (!match) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i])
    outputs[match[1]] = value.join('\n')
  }
  return outputs
}

function unescape(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')
}

export function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const annotations: ActionRun['annotations'] = []
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!match) continue
    const props = Object.fromEntries(
      (match[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const at = pair.indexOf('=')
          return [pair.slice(0, at), unescape(pair.slice(at + 1))]
        })
    )
    annotations.push({
      level: match[1],
      title: props.title,
      ...(props.file ? { file: props.file } : {}),
      ...(props.line ? { line: Number(props.line) } : {}),
      message: unescape(match[3])
    })
  }
  return annotations
}
