/**
 * A real forward proxy (the npm `proxy` package, Squid-like: CONNECT tunnels and absolute-URI
 * requests) for the network of a self-hosted runner whose only way out is a proxy. Host names
 * under `.invalid` never resolve (RFC 6761); the proxy alone resolves them, to 127.0.0.1, so an
 * action pointed at such a name can only reach its endpoints through the proxy.
 */
import dns from 'node:dns'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createProxy } from 'proxy'

export interface ProxiedRequest {
  /** CONNECT for a tunnel, else the HTTP method of a forwarded request. */
  method: string
  /** host:port for CONNECT, the absolute URL otherwise. */
  url: string
}

export interface ForwardProxy {
  /** http://127.0.0.1:PORT */
  url: string
  /** Every request the proxy was asked to carry, in order. */
  requests: ProxiedRequest[]
  /** Refuse (407) every request from now on, as a proxy that requires other credentials does. */
  refuse(): void
  stop(): Promise<void>
}

/** The suffix of host names only the proxy can resolve. */
export const UNRESOLVABLE = '.invalid'

export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = []
  let refusing = false
  const server = createProxy(http.createServer())
  server.authenticate = (req) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' })
    return !refusing
  }
  const restore = resolveInvalidToLoopback()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    refuse: () => {
      refusing = true
    },
    stop: () =>
      new Promise<void>((resolve) => {
        restore()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
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
