/**
 * A real forward proxy (the npm `proxy` package, made as strict as Squid in its forward mode) for
 * the network of a self-hosted runner whose only way out is a proxy. Host names under `.invalid`
 * never resolve (RFC 6761); the proxy alone resolves them, to 127.0.0.1, so an action pointed at
 * such a name can only reach its endpoints through the proxy.
 *
 * Like Squid, it carries CONNECT tunnels and requests whose request line names the absolute URI
 * (`POST http://host:port/ HTTP/1.1`), and answers a request line with a relative path
 * (`POST / HTTP/1.1`, meant for an origin server) with 400 and an HTML error page. It keeps client
 * connections alive as Squid does and records which connection carried each request, so a test
 * can see that a kept-alive connection was used again.
 */
import dns from 'node:dns'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createProxy } from 'proxy'

export interface ProxiedRequest {
  /** CONNECT for a tunnel, else the HTTP method of a forwarded request. */
  method: string
  /** host:port for CONNECT, the absolute URL otherwise (or the relative path of a request the proxy refused). */
  url: string
  /** The client connection to the proxy that carried it: 1 for the first one accepted, 2 for the next, … */
  connection: number
  /** The proxy's own answer when it did not carry the request (400, 403, 407); undefined when it carried it. */
  refused?: number
}

export interface ForwardProxyOptions {
  /** `user:password` the proxy requires (Basic `Proxy-Authorization`) on every request and CONNECT. */
  credentials?: string
}

export interface ForwardProxy {
  /** http://127.0.0.1:PORT (without the credentials it may require) */
  url: string
  /** Every request the proxy was asked to carry, in order. */
  requests: ProxiedRequest[]
  /** Refuse (407) every request from now on, as a proxy that requires other credentials does. */
  refuse(): void
  /**
   * Deny every forwarded request from now on (403, with an HTML error page), and with `tunnels`
   * every CONNECT too, as a proxy whose access rules exclude the destination does.
   */
  deny(options?: { tunnels?: boolean }): void
  stop(): Promise<void>
}

/** The suffix of host names only the proxy can resolve. */
export const UNRESOLVABLE = '.invalid'

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = []
  let refusing = false
  let denying = false
  let denyingTunnels = false
  const expectedAuthorization = options.credentials ? `Basic ${Buffer.from(options.credentials).toString('base64')}` : undefined

  // Node's strict parser would end a connection whose request says "Proxy-Connection: close" even
  // beside "Connection: keep-alive"; Squid goes by the Connection header (below), so leniency here.
  const server = createProxy(http.createServer({ insecureHTTPParser: true }))
  const connections = new WeakMap<Socket, number>()
  let accepted = 0
  server.on('connection', (socket: Socket) => connections.set(socket, ++accepted))
  const record = (req: http.IncomingMessage): ProxiedRequest => {
    const entry = { method: req.method ?? '', url: req.url ?? '', connection: connections.get(req.socket) ?? 0 }
    requests.push(entry)
    return entry
  }
  const authorized = (req: http.IncomingMessage) => !refusing && (!expectedAuthorization || req.headers['proxy-authorization'] === expectedAuthorization)

  // The package's handlers run only for what a strict proxy carries; the checks come first.
  const [carryRequest] = server.listeners('request') as ((req: http.IncomingMessage, res: http.ServerResponse) => void)[]
  const [carryTunnel] = server.listeners('connect') as ((req: http.IncomingMessage, socket: Socket, head: Buffer) => void)[]
  server.removeAllListeners('request')
  server.removeAllListeners('connect')
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const entry = record(req)
    // Squid's rule (httpHeaderHasConnDir): the Connection header decides whether the connection
    // stays open; the non-standard Proxy-Connection counts only without it. Node's parser lets
    // "Proxy-Connection: close" close it even beside "Connection: keep-alive".
    const connection = req.headers.connection
    if (connection !== undefined && req.httpVersion === '1.1') res.shouldKeepAlive = !/(^|,)\s*close\s*(,|$)/i.test(connection)
    if (!/^http:\/\//i.test(entry.url)) {
      entry.refused = 400
      errorPage(res, 400, 'Bad Request', 'Invalid URL', 'The request line names a path, not an absolute URL: this is a proxy, not the origin server.')
    } else if (!authorized(req)) {
      entry.refused = 407
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="proxy"', 'Content-Type': 'text/plain' })
      res.end('Proxy authorization required\n')
    } else if (denying) {
      entry.refused = 403
      errorPage(res, 403, 'Forbidden', 'Access Denied', 'Access control configuration prevents your request from being allowed at this time.')
    } else {
      carryRequest.call(server, req, res)
    }
  })
  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const entry = record(req)
    if (!authorized(req)) entry.refused = 407
    else if (denyingTunnels) entry.refused = 403
    if (entry.refused === undefined) return carryTunnel.call(server, req, socket, head)
    const status = entry.refused === 407 ? '407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"' : '403 Forbidden'
    socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
  })

  const restore = resolveInvalidToLoopback()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    refuse: () => {
      refusing = true
    },
    deny: ({ tunnels = false } = {}) => {
      denying = true
      denyingTunnels = tunnels
    },
    stop: () =>
      new Promise<void>((resolve) => {
        restore()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** An error page as a forward proxy sends it: HTML, whatever the client asked for. */
function errorPage(res: http.ServerResponse, status: number, reason: string, title: string, text: string): void {
  const body =
    '<!DOCTYPE html>\n<html><head><title>ERROR: The requested URL could not be retrieved</title></head>\n' +
    `<body><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2><p><b>${title}</b></p><p>${text}</p></body></html>\n`
  res.writeHead(status, reason, { 'Content-Type': 'text/html;charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

/** Only in this process (where the proxy runs): names under .invalid resolve to 127.0.0.1. */
function resolveInvalidToLoopback(): () => void {
  const original = dns.lookup
  const patched = ((hostname: string, options: unknown, callback?: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void
    const opts = (typeof options === 'object' && options !== null ? options : {}) as dns.LookupOptions
    if (!hostname.endsWith(UNRESOLVABLE)) return (original as (...args: unknown[]) => void)(hostname, options, callback)
    if (opts.all) return process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }])
    return process.nextTick(done, null, '127.0.0.1', 4)
  }) as typeof dns.lookup
  dns.lookup = patched
  return () => {
    if (dns.lookup === patched) dns.lookup = original
  }
}
