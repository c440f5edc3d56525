/**
 * What the action writes through @actions/core, read back the way the runner reads it
 * (runner/run-action.ts parses GITHUB_OUTPUT and workflow commands as the runner does), and the
 * OIDC token request through @actions/core against the emulator's token endpoint.
 */
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { startEmulator, type Emulator } from '../emulator/index.js'
import { parseAnnotations, parseOutputs } from '../runner/run-action.js'
import { requestToken } from '../src/aws/assume-role.js'

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
    process.env['INPUT_APPLICATION-NAME'] = '  orders \n'
    process.env.INPUT_DRY_RUN = 'true'
    expect(core.getInput('application-name')).toBe('orders')
    expect(core.getInput('dry run')).toBe('true')
    expect(core.getInput('missing')).toBe('')
  })

  it("writes outputs, multi-line values included, in the runner's file format", () => {
    core.setOutput('changed', 'true')
    core.setOutput('results', '[\n  {"a": 1}\n]')
    expect(parseOutputs(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'))).toEqual({ changed: 'true', results: '[\n  {"a": 1}\n]' })
  })

  it('escapes annotations so that a message with newlines, colons and percent signs arrives whole, with its file and line', () => {
    core.error('50% failed:\nsee below', { title: 'orders (us-west-2): scaling failed' })
    core.warning('a, b')
    core.error('unknown field', { title: 'Schedule error', file: '.github/flink-schedule.yml', startLine: 7 })
    expect(parseAnnotations(stdout)).toEqual([
      { level: 'error', title: 'orders (us-west-2): scaling failed', message: '50% failed:\nsee below' },
      { level: 'warning', title: undefined, message: 'a, b' },
      { level: 'error', title: 'Schedule error', file: '.github/flink-schedule.yml', line: 7, message: 'unknown field' }
    ])
  })

  it('masks secrets and appends to the job summary', async () => {
    core.setSecret('s3cr3t')
    await core.summary.addRaw('## one', true).write()
    await core.summary.addRaw('## two', true).write()
    expect(stdout).toBe('::add-mask::s3cr3t\n')
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe('## one\n## two\n')
  })
})

describe('the OIDC token request', () => {
  let emulator: Emulator
  afterEach(async () => emulator?.stop())

  it('gets a token for the audience, and masks it', async () => {
    emulator = await startEmulator()
    Object.assign(process.env, emulator.env())
    const token = await requestToken('sts.amazonaws.com', 5_000)
    const [request] = emulator.requests.filter((r) => r.service === 'oidc')
    expect(request.body).toEqual({ 'api-version': '2.0', audience: 'sts.amazonaws.com' })
    expect(request.status).toBe(200)
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).aud).toBe('sts.amazonaws.com')
    expect(stdout).toContain(`::add-mask::${token}`)
  })

  it('reports the status of a refused request, and no status when nothing answers', async () => {
    emulator = await startEmulator()
    Object.assign(process.env, emulator.env(), { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' })
    await expect(requestToken('sts.amazonaws.com', 5_000)).rejects.toMatchObject({
      name: 'TokenRequestError',
      status: 401,
      message: 'Unauthorized: the bearer token is not valid for this job.'
    })
    const port = emulator.port
    await emulator.stop()
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `http://127.0.0.1:${port}/oidc/token?api-version=2.0`
    await expect(requestToken('sts.amazonaws.com', 5_000)).rejects.toMatchObject({ name: 'TokenRequestError', status: undefined })
  })

  it('gives up on an endpoint that never answers, after the timeout', async () => {
    emulator = await startEmulator()
    Object.assign(process.env, emulator.env())
    emulator.faults.set({ service: 'oidc', hang: 1 })
    await expect(requestToken('sts.amazonaws.com', 300)).rejects.toMatchObject({ name: 'TokenRequestError', status: undefined, message: 'no answer in 0.3 s' })
  })
})
