/**
 * Octokit's transport: a `fetch` over node:http(s), through the proxy agent of the toolkit's HTTP
 * client (`@actions/http-client`: http(s)_proxy, no_proxy), the same agent `@actions/github`
 * hands Octokit.
 *
 * Why not Octokit's default, undici's fetch: undici parses HTTP with a WebAssembly module, V8
 * optimises that module on a background thread once a few answers have gone through it, and Node
 * waits for the compile before the process can exit: about 40 ms at the end of every run, more than
 * the comment's own round trip (BENCHMARKS.md). node:http parses natively.
 *
 * What Octokit needs of it: status, headers, body text, the final URL; redirects followed as fetch
 * does (at most 5, the authorization dropped when the origin changes); the request's AbortSignal
 * honoured, an abort rejecting with an `AbortError` (its `cause` the signal's reason). The answer
 * is a small Response-like object with what Octokit reads (the WHATWG Response class would load
 * Node's own copy of undici, ~10 ms of start-up work, for nothing).
 */
import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { HttpClient } from '@actions/http-client'

export interface FetchInit {
  method?: string
  body?: string | Uint8Array | null
  headers?: Record<string, string>
  signal?: AbortSignal | null
  redirect?: 'follow' | 'manual' | 'error'
}

/** Gives the agent for a URL: a proxy tunnel, or a plain keep-alive agent. */
export interface AgentSource {
  getAgent(url: string): Agent
}

const MAX_REDIRECTS = 5
const REDIRECT = new Set([301, 302, 303, 307, 308])

/** The toolkit's HTTP clients, one per protocol (each caches one agent), with keep-alive. */
function toolkitAgents(): AgentSource {
  const clients = new Map<string, HttpClient>()
  return {
    getAgent(url: string): Agent {
      const protocol = new URL(url).protocol
      let client = clients.get(protocol)
      if (!client) clients.set(protocol, (client = new HttpClient('disable-superseded-ami', [], { keepAlive: true })))
      return client.getAgent(url)
    }
  }
}

/** The headers of an answer, read as fetch's Headers are: names in lower case, repeated values joined. */
export class AnswerHeaders implements Iterable<[string, string]> {
  private readonly map = new Map<string, string>()

  constructor(raw: string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase()
      const before = this.map.get(name)
      this.map.set(name, before === undefined ? raw[i + 1]! : `${before}, ${raw[i + 1]!}`)
    }
  }

  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase())
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    yield* [...this.map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }
}

/** An answer with what Octokit reads of a fetch Response. */
export class Answer {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly url: string,
    readonly headers: AnswerHeaders,
    private readonly data: Buffer
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300
  }

  async text(): Promise<string> {
    return this.data.toString('utf8')
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.data.toString('utf8'))
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.data).buffer
  }
}

function abortError(signal: AbortSignal): Error {
  return new DOMException('This operation was aborted', { name: 'AbortError', cause: signal.reason })
}

function send(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: string | Uint8Array | undefined,
  agent: Agent,
  signal: AbortSignal | undefined
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined
    if (!request) return reject(new TypeError(`fetch: unsupported protocol ${url.protocol}`))
    const req = request(url, { method, headers, agent, ...(signal ? { signal } : {}) }, resolve)
    req.on('error', (error) => reject(signal?.aborted ? abortError(signal) : error))
    req.end(body)
  })
}

async function readAll(res: IncomingMessage, signal: AbortSignal | undefined): Promise<Buffer> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer)
  } catch (error) {
    throw signal?.aborted ? abortError(signal) : error
  }
  if (signal?.aborted) throw abortError(signal)
  return Buffer.concat(chunks)
}

function withoutHeader(headers: OutgoingHttpHeaders, ...names: string[]): OutgoingHttpHeaders {
  const drop = new Set(names)
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())))
}

export function createGitHubFetch(
  agents: AgentSource = toolkitAgents()
): (input: string | URL, init?: FetchInit) => Promise<Answer> {
  return async function githubFetch(input, init = {}) {
    const signal = init.signal ?? undefined
    if (signal?.aborted) throw abortError(signal)
    let url = new URL(String(input))
    let method = (init.method ?? 'GET').toUpperCase()
    let body = init.body ?? undefined
    let headers: OutgoingHttpHeaders = { ...init.headers }
    for (let redirects = 0; ; redirects++) {
      const res = await send(url, method, headers, body, agents.getAgent(url.href), signal)
      const status = res.statusCode ?? 0
      const location = res.headers.location
      if (REDIRECT.has(status) && location && init.redirect !== 'manual') {
        res.resume()
        if (init.redirect === 'error')
          throw new TypeError(`fetch: ${method} ${url.href} was redirected (redirect: 'error')`)
        if (redirects === MAX_REDIRECTS)
          throw new TypeError(`fetch: more than ${MAX_REDIRECTS} redirects from ${String(input)}`)
        const next = new URL(location, url)
        if (next.origin !== url.origin) headers = withoutHeader(headers, 'authorization')
        if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET'
          body = undefined
          headers = withoutHeader(headers, 'content-type', 'content-length')
        }
        url = next
        continue
      }
      const data = await readAll(res, signal)
      return new Answer(status, res.statusMessage ?? '', url.href, new AnswerHeaders(res.rawHeaders), data)
    }
  }
}
