/**
 * A self-hosted runner whose only way out is a forward proxy: the endpoints are on a host name that
 * does not resolve, so only the proxy (a real one, runner/forward-proxy.ts) can reach them. The
 * OIDC token request, STS and Kinesis Analytics must all go through it, and a proxy that is down
 * or refuses must give a clear error naming it, not a hang. The proxy is as strict as Squid: a
 * request line without the absolute URI gets 400, so every request on a kept-alive connection, not
 * only the first, must be sent as a proxy expects it.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { EMULATOR_ROLE_ARN, type Emulator } from '../../emulator/index.js'
import { startTlsFront } from '../../emulator/tls.js'
import { startForwardProxy, type ForwardProxy, type ProxiedRequest } from '../../runner/forward-proxy.js'
import { SAMPLE_SCHEDULE, WEDNESDAY_NIGHT, acceptedUpdates, emulatorWith, errors, results, run } from './support.js'

const HOST = 'aws.emulator.invalid'
const scheduled = { 'application-name': 'orders', schedule: SAMPLE_SCHEDULE, at: WEDNESDAY_NIGHT }

const started: { stop(): Promise<void> }[] = []
afterAll(() => Promise.all(started.map((s) => s.stop())))

async function setUp(): Promise<{ emulator: Emulator; proxy: ForwardProxy; env: Record<string, string> }> {
  const emulator = await emulatorWith({ applications: [{ name: 'orders', parallelism: 4 }] })
  const proxy = await startForwardProxy()
  started.push(emulator, proxy)
  const endpoint = `http://${HOST}:${emulator.port}`
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/oidc/token?api-version=2.0`,
    HTTP_PROXY: proxy.url
  }
  return { emulator, proxy, env }
}

describe('behind a forward proxy', () => {
  it.concurrent('carries the OIDC token request, STS and every Kinesis Analytics call through the proxy', async () => {
    const { emulator, proxy, env } = await setUp()
    const result = await run(emulator, { ...scheduled, 'role-to-assume': EMULATOR_ROLE_ARN }, { env })

    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(results(result)[0]).toMatchObject({ action: 'updated', targetParallelism: 10 })
    expect(acceptedUpdates(emulator)).toHaveLength(1)

    // The token request is tunnelled (CONNECT), the SDK's requests are forwarded by absolute URL.
    const through = proxy.requests.map((r) => `${r.method} ${r.url.replace(String(emulator.port), 'PORT')}`)
    expect(through).toContain(`CONNECT ${HOST}:PORT`)
    expect(through).toContain(`POST http://${HOST}:PORT/`)
    // Every request the emulator answered came through the proxy: the name resolves nowhere else.
    const services = new Set(emulator.requests.map((r) => r.service))
    expect(services).toEqual(new Set(['oidc', 'sts', 'kinesisanalytics']))
    expect(proxy.requests.filter((r) => r.method === 'POST')).toHaveLength(emulator.requests.filter((r) => r.service !== 'oidc').length)
  })

  it.concurrent('goes direct to hosts in NO_PROXY (which here, where only the proxy resolves the name, cannot be reached)', async () => {
    const { emulator, proxy, env } = await setUp()
    const result = await run(emulator, scheduled, { env: { ...env, NO_PROXY: `example.com,.emulator.invalid` } })
    expect(result.exitCode).toBe(1)
    expect(errors(result)[0].message).toMatch(/ENOTFOUND/)
    expect(proxy.requests).toEqual([])
    expect(emulator.requests).toEqual([])
  })

  it.concurrent('a proxy that is down: a clear error naming the proxy, no hang', async () => {
    const { emulator, env } = await setUp()
    const result = await run(emulator, scheduled, { env: { ...env, HTTP_PROXY: 'http://127.0.0.1:9' } })
    expect(result.exitCode).toBe(1)
    expect(result.durationMs).toBeLessThan(30_000)
    const [error] = errors(result)
    expect(error.message).toMatch(/cannot reach the proxy http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/)
    expect(error.message).toMatch(/Fix: .*proxy/)
    expect(emulator.requests).toEqual([])
  })

  it.concurrent('a proxy that refuses: a clear error naming the proxy, for the token request and for AWS', async () => {
    const { emulator, proxy, env } = await setUp()
    proxy.refuse()
    const withRole = await run(emulator, { ...scheduled, 'role-to-assume': EMULATOR_ROLE_ARN }, { env })
    expect(withRole.exitCode).toBe(1)
    expect(errors(withRole)[0].message).toMatch(new RegExp(`through the proxy ${proxy.url.replace(/[.]/g, '\\.')}.*407`))
    expect(errors(withRole)[0].message).toMatch(/Fix: .*proxy/)

    const withKeys = await run(emulator, scheduled, { env })
    expect(withKeys.exitCode).toBe(1)
    expect(errors(withKeys)[0].message).toMatch(new RegExp(`proxy ${proxy.url.replace(/[.]/g, '\\.')}.*407`))
    expect(emulator.requests).toEqual([])
  })
})

/** How many requests each client connection to the proxy carried, busiest first. */
function requestsPerConnection(requests: ProxiedRequest[]): number[] {
  const counts = new Map<number, number>()
  for (const r of requests) counts.set(r.connection, (counts.get(r.connection) ?? 0) + 1)
  return [...counts.values()].sort((a, b) => b - a)
}

const FLEET = ['orders', 'payments', 'clicks'].map((name) => ({ name, parallelism: 4 }))
const CREDENTIALS = 'scaler:pr0xy-s3cret'
const withCredentials = (proxy: ForwardProxy) => proxy.url.replace('://', `://${CREDENTIALS}@`)

describe('behind a strict forward proxy that requires credentials, on kept-alive connections', () => {
  it.concurrent('http endpoint: every request, first or sent again on a kept-alive connection, names the absolute URI and carries the credentials', async () => {
    const emulator = await emulatorWith({ applications: FLEET })
    const proxy = await startForwardProxy({ credentials: CREDENTIALS })
    started.push(emulator, proxy)
    const endpoint = `http://${HOST}:${emulator.port}`
    const env = { AWS_ENDPOINT_URL: endpoint, ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/oidc/token?api-version=2.0`, HTTP_PROXY: withCredentials(proxy) }

    const result = await run(emulator, { ...scheduled, 'application-name': FLEET.map((a) => a.name).join(','), 'role-to-assume': EMULATOR_ROLE_ARN }, { env })

    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(results(result).map((r) => r.action)).toEqual(['updated', 'updated', 'updated'])
    expect(proxy.requests.filter((r) => r.refused !== undefined)).toEqual([])
    const forwarded = proxy.requests.filter((r) => r.method !== 'CONNECT')
    expect(forwarded.map((r) => r.url.replace(String(emulator.port), 'PORT'))).toEqual(forwarded.map(() => `http://${HOST}:PORT/`))
    expect(forwarded).toHaveLength(emulator.requests.filter((r) => r.service !== 'oidc').length)
    // Kept-alive connections were used again: fewer connections than requests, and some carried several.
    const perConnection = requestsPerConnection(forwarded)
    expect(perConnection.length).toBeLessThan(forwarded.length)
    expect(perConnection[0]).toBeGreaterThanOrEqual(3)
  })

  it.concurrent('https endpoint: the tunnels carry several requests each', async () => {
    const emulator = await emulatorWith({ applications: FLEET })
    const front = await startTlsFront(emulator.port, HOST)
    const proxy = await startForwardProxy({ credentials: CREDENTIALS })
    started.push(emulator, front, proxy)
    const endpoint = `https://${HOST}:${front.port}`
    const env = {
      AWS_ENDPOINT_URL: endpoint,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/oidc/token?api-version=2.0`,
      HTTPS_PROXY: withCredentials(proxy),
      NODE_EXTRA_CA_CERTS: front.certificateFile
    }

    const result = await run(emulator, { ...scheduled, 'application-name': FLEET.map((a) => a.name).join(','), 'role-to-assume': EMULATOR_ROLE_ARN }, { env })

    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(results(result).map((r) => r.action)).toEqual(['updated', 'updated', 'updated'])
    expect(proxy.requests.filter((r) => r.refused !== undefined)).toEqual([])
    const tunnels = proxy.requests.filter((r) => r.method === 'CONNECT')
    expect(proxy.requests).toEqual(tunnels)
    expect(new Set(tunnels.map((r) => r.url.replace(String(front.port), 'PORT')))).toEqual(new Set([`${HOST}:PORT`]))
    // Every TLS connection to the endpoint came through a tunnel, and they carried more requests than there were tunnels.
    expect(front.connections).toBe(tunnels.length)
    expect(emulator.requests.length).toBeGreaterThanOrEqual(tunnels.length + 3)
  })

  it.concurrent('a proxy that answers with its own HTML page: the error says the proxy answered, not AWS, for Kinesis Analytics and for STS', async () => {
    const emulator = await emulatorWith({ applications: FLEET })
    const proxy = await startForwardProxy({ credentials: CREDENTIALS })
    started.push(emulator, proxy)
    proxy.deny()
    const endpoint = `http://${HOST}:${emulator.port}`
    const env = { AWS_ENDPOINT_URL: endpoint, ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/oidc/token?api-version=2.0`, HTTP_PROXY: withCredentials(proxy) }
    const label = proxy.url.replace(/[.]/g, '\\.')

    const withKeys = await run(emulator, { ...scheduled, 'application-name': 'orders' }, { env })
    const withRole = await run(emulator, { ...scheduled, 'application-name': 'orders', 'role-to-assume': EMULATOR_ROLE_ARN }, { env })

    // The token came through a tunnel; nothing the proxy forwarded reached the emulator.
    expect(emulator.requests.map((r) => r.service)).toEqual(['oidc'])
    for (const [result, call] of [
      [withKeys, /^DescribeApplication for "orders" in us-east-1 failed: /],
      [withRole, /^Could not assume arn:aws:iam::\d+:role\/\S+ with the job's OIDC token: /]
    ] as const) {
      expect(result.exitCode).toBe(1)
      const [error, ...others] = errors(result)
      expect(others).toEqual([])
      expect(error.message).toMatch(call)
      expect(error.message).toMatch(new RegExp(`the proxy ${label} answered HTTP 403 Forbidden with an HTML page \\(text/html\\), not AWS\\.`))
      expect(error.message).not.toMatch(/JSON|Unexpected token|Unknown/)
      expect(error.message).not.toContain(CREDENTIALS)
      expect(error.message).toMatch(new RegExp(`Fix: The proxy's access rules deny ${HOST}:${emulator.port}: have it allowed there`))
    }
  })

  it.concurrent('a proxy that denies the tunnel to the token endpoint: the error names the proxy, not the Actions runtime', async () => {
    const emulator = await emulatorWith({ applications: FLEET })
    const proxy = await startForwardProxy({ credentials: CREDENTIALS })
    started.push(emulator, proxy)
    proxy.deny({ tunnels: true })
    const endpoint = `http://${HOST}:${emulator.port}`
    const env = { AWS_ENDPOINT_URL: endpoint, ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoint}/oidc/token?api-version=2.0`, HTTP_PROXY: withCredentials(proxy) }

    const result = await run(emulator, { ...scheduled, 'application-name': 'orders', 'role-to-assume': EMULATOR_ROLE_ARN }, { env })

    expect(result.exitCode).toBe(1)
    expect(emulator.requests).toEqual([])
    const [error] = errors(result)
    expect(error.message).toMatch(new RegExp(`OIDC token .* through the proxy ${proxy.url.replace(/[.]/g, '\\.')}: HTTP 403`))
    expect(error.message).not.toMatch(/Actions runtime refused/)
    expect(error.message).toMatch(/Fix: .*proxy/)
  })
})
