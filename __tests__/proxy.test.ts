/**
 * The runner's proxy for the SDK clients: what goes on the wire through an http proxy, request
 * after request on one kept-alive connection (read from a raw socket standing in for the proxy),
 * and how an answer that is the proxy's own, not AWS's, is told apart (tables).
 */
import http from 'node:http'
import net from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { proxyAgents, proxyAnswer } from '../src/aws/proxy.js'

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const
const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]))
// Each test sets what it needs (the lower-case names win over the upper-case ones).
beforeEach(() => {
  for (const name of PROXY_VARIABLES) delete process.env[name]
})
afterEach(() => {
  for (const name of PROXY_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

/** A proxy that records the bytes of every request and answers each with a small 200, keeping the connection. */
let proxy: net.Server
const received: { connection: number; head: string }[] = []
beforeAll(async () => {
  let connections = 0
  proxy = net.createServer((socket) => {
    const connection = ++connections
    let buffer = ''
    socket.on('data', (chunk) => {
      buffer += chunk.toString()
      // Each request here has a one-byte body: headers, blank line, "x".
      for (let end = buffer.indexOf('\r\n\r\n'); end !== -1 && buffer.length > end + 4; end = buffer.indexOf('\r\n\r\n')) {
        received.push({ connection, head: buffer.slice(0, end) })
        buffer = buffer.slice(end + 5)
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok')
      }
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
})
afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())))

function post(agent: http.Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: 'kinesisanalytics.internal.example', port: 8080, path, method: 'POST', agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end('x')
  })
}

describe('an http endpoint through an http proxy', () => {
  it('every request on a kept-alive connection names the absolute URI and carries the proxy credentials', async () => {
    received.length = 0
    process.env.HTTP_PROXY = `http://scaler:s3cret@127.0.0.1:${(proxy.address() as net.AddressInfo).port}`
    const { httpAgent } = proxyAgents()!
    for (const path of ['/first', '/second', '/third']) expect(await post(httpAgent, path)).toBe(200)
    httpAgent.destroy()

    // One connection carried the three.
    expect(received.map((r) => r.connection)).toEqual([1, 1, 1])
    const credentials = `Basic ${Buffer.from('scaler:s3cret').toString('base64')}`
    for (const [i, path] of ['/first', '/second', '/third'].entries()) {
      const lines = received[i].head.split('\r\n')
      expect(lines[0]).toBe(`POST http://kinesisanalytics.internal.example:8080${path} HTTP/1.1`)
      expect(lines).toContain(`Proxy-Authorization: ${credentials}`)
      // It asks the proxy to keep the connection, as it does.
      expect(lines).toContain('Proxy-Connection: Keep-Alive')
      expect(lines).toContain('Connection: keep-alive')
    }
  })
})

describe('proxyAnswer: the proxy answered, not AWS', () => {
  const ENDPOINT = 'http://kinesisanalytics.internal.example:8080'
  const PROXY = 'http://scaler:s3cret@proxy.example:3128'
  /** An SDK error as the SDK raises it for an answer of `status` with `contentType`. */
  const sdkError = (name: string, status: number, contentType?: string, reason?: string) =>
    Object.assign(new Error(name === 'SyntaxError' ? `Unexpected token '<', "<!DOCTYPE "... is not valid JSON` : name), {
      name,
      $response: { statusCode: status, reason, headers: contentType ? { 'content-type': contentType } : {} },
      $metadata: { httpStatusCode: status }
    })

  it.each([
    {
      name: 'an HTML page the JSON parser choked on (Kinesis Analytics, CloudWatch)',
      error: sdkError('SyntaxError', 403, 'text/html;charset=utf-8', 'Forbidden'),
      message: 'the proxy http://proxy.example:3128 answered HTTP 403 Forbidden with an HTML page (text/html), not AWS',
      hint: /^The proxy's access rules deny kinesisanalytics\.internal\.example:8080: .* add kinesisanalytics\.internal\.example to NO_PROXY/
    },
    {
      name: 'an HTML page the XML parser made nothing of (STS: "Unknown")',
      error: sdkError('Unknown', 400, 'text/html', 'Bad Request'),
      message: 'the proxy http://proxy.example:3128 answered HTTP 400 Bad Request with an HTML page (text/html), not AWS',
      hint: /^The proxy answered in AWS's place \(HTTP 400 Bad Request\); its log says why\. Check the runner's proxy settings/
    },
    {
      name: 'plain text the JSON parser choked on, without a reason phrase',
      error: sdkError('SyntaxError', 502, 'text/plain'),
      message: 'the proxy http://proxy.example:3128 answered HTTP 502 with text/plain, not AWS',
      hint: /^The proxy answered in AWS's place \(HTTP 502\)/
    }
  ])('$name', ({ error, message, hint }) => {
    process.env.HTTP_PROXY = PROXY
    const answer = proxyAnswer(error, ENDPOINT)
    expect(answer?.message).toBe(message)
    expect(answer?.hint).toMatch(hint)
    expect(`${answer?.message} ${answer?.hint}`).not.toContain('s3cret')
  })

  it.each([
    { name: "the service's own error (JSON)", error: sdkError('AccessDeniedException', 400, 'application/x-amz-json-1.1'), proxied: true },
    { name: "STS's own error (XML)", error: sdkError('AccessDenied', 403, 'text/xml'), proxied: true },
    { name: 'no answer at all (a reset)', error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), proxied: true },
    { name: 'an HTML page, but no proxy carries the endpoint', error: sdkError('SyntaxError', 403, 'text/html'), proxied: false }
  ])('not the proxy: $name', ({ error, proxied }) => {
    if (proxied) process.env.HTTP_PROXY = PROXY
    expect(proxyAnswer(error, ENDPOINT)).toBeUndefined()
  })

  it('an endpoint in NO_PROXY is not the proxy\'s', () => {
    process.env.HTTP_PROXY = PROXY
    process.env.NO_PROXY = 'internal.example'
    expect(proxyAnswer(sdkError('SyntaxError', 403, 'text/html'), ENDPOINT)).toBeUndefined()
  })
})
