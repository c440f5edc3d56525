/**
 * The runner protocol, checked against the runner's own reading of it (runner/run-action.ts parses
 * GITHUB_OUTPUT and annotations as the runner does) and against @actions/core's token request.
 */
import { getIDToken as coreGetIDToken } from '@actions/core'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { startEmulator, type Emulator } from '../emulator/index.js'
import { parseAnnotations, parseOutputs } from '../runner/run-action.js'
import * as workflow from '../src/workflow.js'

let stdout: string
let dir: string
const saved = { ...process.env }

beforeEach(() => {
  stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true))
  dir = mkdtempSync(path.join(tmpdir(), 'workflow-'))
  process.env.GITHUB_OUTPUT = path.join(dir, 'output')
  process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary')
  writeFileSync(process.env.GITHUB_OUTPUT, '')
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, '')
})

afterEach(() => {
  jest.restoreAllMocks()
  process.env = { ...saved }
})

describe('workflow commands', () => {
  it('reads inputs as the runner passes them', () => {
    expect(workflow.getInput('application-name', { 'INPUT_APPLICATION-NAME': '  orders \n' })).toBe('orders')
    expect(workflow.getInput('dry run', { INPUT_DRY_RUN: 'true' })).toBe('true')
    expect(workflow.getInput('missing', {})).toBe('')
  })

  it('writes outputs, multi-line values included, in the runner\'s file format', () => {
    workflow.setOutput('changed', 'true')
    workflow.setOutput('results', '[\n  {"a": 1}\n]')
    expect(parseOutputs(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'))).toEqual({ changed: 'true', results: '[\n  {"a": 1}\n]' })
  })

  it('escapes annotations so that a message with newlines, colons and percent signs arrives whole', () => {
    workflow.error('50% failed:\nsee below', { title: 'orders (us-west-2): scaling failed' })
    workflow.warning('a, b')
    expect(parseAnnotations(stdout)).toEqual([
      { level: 'error', title: 'orders (us-west-2): scaling failed', message: '50% failed:\nsee below' },
      { level: 'warning', title: undefined, message: 'a, b' }
    ])
  })

  it('masks secrets and appends to the job summary', () => {
    workflow.setSecret('s3cr3t')
    workflow.appendSummary('## one')
    workflow.appendSummary('## two')
    expect(stdout).toBe('::add-mask::s3cr3t\n')
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe('## one\n## two\n')
  })
})

describe('getIDToken', () => {
  let emulator: Emulator
  afterEach(async () => emulator?.stop())

  it('makes the same request as @actions/core, and masks the token', async () => {
    emulator = await startEmulator()
    const env = emulator.env()
    Object.assign(process.env, env)
    const ours = await workflow.getIDToken('sts.amazonaws.com', env)
    const theirs = await coreGetIDToken('sts.amazonaws.com')
    const [a, b] = emulator.requests.filter((r) => r.service === 'oidc')
    expect(a.body).toEqual(b.body)
    expect(a.status).toBe(200)
    expect(JSON.parse(Buffer.from(ours.split('.')[1], 'base64url').toString()).aud).toBe('sts.amazonaws.com')
    expect(JSON.parse(Buffer.from(theirs.split('.')[1], 'base64url').toString()).sub).toBe(
      JSON.parse(Buffer.from(ours.split('.')[1], 'base64url').toString()).sub
    )
    expect(stdout).toContain(`::add-mask::${ours}`)
  })

  it('reports the status of a refused request, and no status when nothing answers', async () => {
    emulator = await startEmulator()
    const refused = workflow.getIDToken('sts.amazonaws.com', { ...emulator.env(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' })
    await expect(refused).rejects.toMatchObject({ name: 'TokenRequestError', status: 401 })
    const port = emulator.port
    await emulator.stop()
    const unreachable = workflow.getIDToken('sts.amazonaws.com', {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x'
    })
    await expect(unreachable).rejects.toMatchObject({ name: 'TokenRequestError', status: undefined })
  })
})
