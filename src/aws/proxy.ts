/**
 * The runner's proxy settings for the AWS SDK clients, which read none themselves. The same rules
 * as @actions/http-client (and so as the OIDC token request): HTTPS_PROXY/https_proxy for https
 * URLs, HTTP_PROXY/http_proxy for http URLs, NO_PROXY/no_proxy and loopback addresses go direct.
 * Decided per request, so one client can reach a NO_PROXY endpoint directly and another through
 * the proxy.
 */
import http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { Agent, type AgentConnectOpts } from 'agent-base'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'

/** The agents an SDK request handler takes; undefined when no proxy is configured at all. */
export function proxyAgents(): { httpAgent: http.Agent; httpsAgent: https.Agent } | undefined {
  // @actions/http-client's getProxyUrl, used per request below, reads these from process.env too.
  if (!['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'].some((name) => process.env[name])) return undefined
  return { httpAgent: new RunnerProxyAgent(false), httpsAgent: new RunnerProxyAgent(true) as unknown as https.Agent }
}

/** A proxy URL as it may be shown: without its user name and password. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`
}

/** The proxy a request to `url` goes through, as proxyLabel shows it; undefined when it goes direct. */
export function proxyFor(url: string): string | undefined {
  try {
    const proxy = getProxyUrl(new URL(url))
    return proxy ? proxyLabel(proxy) : undefined
  } catch {
    return undefined
  }
}

/** What to do when a request through the proxy fails. */
export const PROXY_HINT =
  "Check the runner's proxy settings: HTTPS_PROXY / HTTP_PROXY must name a proxy that is up and lets this runner reach GitHub's " +
  'token endpoint and AWS (with credentials in the URL if it needs them: http://user:password@proxy:3128); hosts in NO_PROXY are reached directly.'

/** What a proxy said in AWS's place, and what to do about it. */
export interface ProxyAnswer {
  /** "the proxy http://proxy:3128 answered HTTP 403 Forbidden with an HTML page (text/html), not AWS" */
  message: string
  hint: string
}

/**
 * A request to `endpoint` through a proxy that came back with something AWS never sends: a page
 * of the proxy's own (access denied, a request it could not parse), where the SDK expected the
 * service's JSON or XML. Undefined when no proxy carries `endpoint`, or the answer is the service's.
 */
export function proxyAnswer(error: unknown, endpoint: string): ProxyAnswer | undefined {
  const proxy = proxyFor(endpoint)
  const response = (error as { $response?: { statusCode?: number; reason?: string; headers?: Record<string, string | undefined> } } | undefined)?.$response
  if (!proxy || !response?.statusCode) return undefined
  const type = Object.entries(response.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? ''
  // AWS answers in JSON (Kinesis Analytics, CloudWatch) or XML (STS), errors too; the SDK could not read anything else.
  const unreadable = (error as Error).name === 'SyntaxError'
  if (!unreadable && !/html/i.test(type)) return undefined
  const status = `HTTP ${response.statusCode}${response.reason ? ` ${response.reason}` : ''}`
  const mediaType = type.split(';')[0].trim()
  const body = /html/i.test(mediaType) ? ` with an HTML page (${mediaType})` : mediaType ? ` with ${mediaType}` : ''
  const { host, hostname } = new URL(endpoint)
  return {
    message: `the proxy ${proxy} answered ${status}${body}, not AWS`,
    hint:
      response.statusCode === 403
        ? `The proxy's access rules deny ${host}: have it allowed there (the action calls Kinesis Analytics, STS with role-to-assume and CloudWatch with metrics-namespace), ` +
          `or add ${hostname} to NO_PROXY if the runner can reach it directly.`
        : `The proxy answered in AWS's place (${status}); its log says why. ${PROXY_HINT}`
  }
}

/** The proxy could not be reached, or refused to connect to the endpoint. */
export class ProxyError extends Error {
  /** The network error reaching the proxy (ECONNREFUSED, ...): the SDK retries those; a refusal has none. */
  readonly code: string | undefined

  constructor(
    readonly proxy: string,
    readonly target: string,
    message: string,
    code?: string
  ) {
    super(message)
    this.name = 'ProxyError'
    this.code = code
  }
}

type ProxiedRequest = Parameters<HttpProxyAgent<string>['setRequestProps']>[0]

/**
 * One pool of kept-alive connections per protocol, each to an endpoint either direct or through
 * the proxy that getProxyUrl names for it. http-proxy-agent and https-proxy-agent open the
 * connections (a plain one to an http proxy, a CONNECT tunnel for https); the pool is this agent's.
 */
class RunnerProxyAgent extends Agent {
  private readonly direct: http.Agent
  private readonly viaProxy = new Map<string, HttpProxyAgent<string> | HttpsProxyAgent<string>>()

  constructor(private readonly secure: boolean) {
    super({ keepAlive: true, maxSockets: 50 })
    this.direct = secure ? new https.Agent({ keepAlive: true, maxSockets: 50 }) : new http.Agent({ keepAlive: true, maxSockets: 50 })
  }

  /**
   * The SDK's request options name no protocol, so agent-base would guess it from the call stack,
   * which it gets wrong when a connection is handed back to the pool: a tunnel was then filed
   * under an http name and never used again.
   */
  override isSecureEndpoint(): boolean {
    return this.secure
  }

  /**
   * Every request, whether it opens a connection or goes out on a kept-alive one: through an http
   * proxy its request line names the absolute URI and it carries the proxy's credentials
   * (`POST http://host:port/ HTTP/1.1`, `Proxy-Authorization`). HttpProxyAgent does that in
   * connect(), which only a new connection gets; a strict proxy answers the origin-form
   * `POST / HTTP/1.1` of a reused one with 400. A tunnel needs neither: its CONNECT carried them.
   */
  addRequest(req: http.ClientRequest, options: AgentConnectOpts): void {
    if (!this.secure) {
      const proxy = getProxyUrl(new URL(this.target(options)))
      if (proxy) {
        // As HttpProxyAgent.addRequest: the request line is written from req.path when the headers go out.
        const request = req as ProxiedRequest
        request._header = null
        ;(this.agentFor(proxy) as HttpProxyAgent<string>).setRequestProps(request, { ...options, secureEndpoint: false })
      }
    }
    // @ts-expect-error addRequest is not in @types/node's http.Agent, as http-proxy-agent notes too
    super.addRequest(req, options)
  }

  override async connect(req: http.ClientRequest, options: AgentConnectOpts): Promise<Duplex | http.Agent> {
    const target = this.target(options)
    const proxy = getProxyUrl(new URL(target))
    if (!proxy) return this.direct
    const label = proxyLabel(proxy)
    const agent = this.agentFor(proxy)
    // https-proxy-agent hands a proxy's refusal of CONNECT back as if the endpoint had answered;
    // it must read as the proxy's answer instead.
    let refusal: number | undefined
    req.once('proxyConnect', (connect: { statusCode?: number }) => {
      if (connect.statusCode !== undefined && connect.statusCode !== 200) refusal = connect.statusCode
    })
    let socket: Duplex
    try {
      socket = await agent.connect(req as ProxiedRequest, options)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new ProxyError(label, target, `cannot reach the proxy ${label} (${code ?? (error as Error).message}) for ${target}`, code)
    }
    if (refusal !== undefined) {
      socket.destroy()
      throw new ProxyError(label, target, `the proxy ${label} refused to connect to ${target} (HTTP ${refusal})`)
    }
    return socket
  }

  private target(options: { host?: string | null; port?: number | string | null }): string {
    return `${this.secure ? 'https' : 'http'}://${options.host}:${options.port}`
  }

  /** The agent that reaches endpoints through `proxy`; keepAlive so that it asks the proxy to keep the connection (Proxy-Connection). */
  private agentFor(proxy: URL): HttpProxyAgent<string> | HttpsProxyAgent<string> {
    let agent = this.viaProxy.get(proxy.href)
    if (!agent) {
      agent = this.secure ? new HttpsProxyAgent(proxy.href, { keepAlive: true }) : new HttpProxyAgent(proxy.href, { keepAlive: true })
      this.viaProxy.set(proxy.href, agent)
    }
    return agent
  }
}
