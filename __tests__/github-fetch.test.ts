/**
 * Octokit's transport (src/github/github-fetch.ts) against a local server: what it sends, what
 * it makes of the answers, redirects, aborts, and the agent it is given. The e2e suites run every
 * GitHub call of the bundled action through it as well.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { createGitHubFetch, type AgentSource } from '../src/github/github-fetch.js'
import { listenLocal, type LocalServer } from '../test-support/listen.js'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

const seen: Seen[] = []
let server: LocalServer
let other: LocalServer
const agent = new Agent({ keepAlive: false })
const agents: AgentSource = { getAgent: () => agent }
const fetch = createGitHubFetch(agents)

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req)
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
  const path = new URL(req.url ?? '/', 'http://x').pathname
  switch (path) {
    case '/json':
      res.writeHead(201, 'Created', {
        'content-type': 'application/json; charset=utf-8',
        link: '<http://x/next>; rel="next"'
      })
      res.end(JSON.stringify({ echo: body, method: req.method }))
      return
    case '/empty':
      res.writeHead(204)
      res.end()
      return
    case '/cookies':
      res.setHeader('set-cookie', ['a=1', 'b=2'])
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok')
      return
    case '/moved':
      res.writeHead(301, { location: '/json' })
      res.end()
      return
    case '/see-other':
      res.writeHead(303, { location: '/json' })
      res.end()
      return
    case '/temporary':
      res.writeHead(307, { location: '/json' })
      res.end()
      return
    case '/elsewhere':
      res.writeHead(302, { location: `${other.url}/json` })
      res.end()
      return
    case '/loop':
      res.writeHead(302, { location: '/loop' })
      res.end()
      return
    case '/slow':
      await new Promise((r) => setTimeout(r, 1_000).unref())
      res.writeHead(200)
      res.end('late')
      return
    case '/slow-body':
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first part ')
      await new Promise((r) => setTimeout(r, 1_000).unref())
      res.end('late part')
      return
    default:
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"message":"Not Found"}')
  }
}

beforeAll(async () => {
  server = await listenLocal(route)
  other = await listenLocal(route)
})
afterAll(async () => {
  await server.close()
  await other.close()
  agent.destroy()
})

describe('github fetch', () => {
  test('sends the method, headers and body; answers status, status text, headers, body and the final URL', async () => {
    seen.length = 0
    const res = await fetch(`${server.url}/json?x=1`, {
      method: 'post',
      body: '{"a":1}',
      headers: { authorization: 'token t', 'content-type': 'application/json' }
    })
    expect(res.status).toBe(201)
    expect(res.statusText).toBe('Created')
    expect(res.url).toBe(`${server.url}/json?x=1`)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('link')).toBe('<http://x/next>; rel="next"')
    expect(await res.json()).toEqual({ echo: '{"a":1}', method: 'POST' })
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/json?x=1', body: '{"a":1}' })
    expect(seen[0]!.headers['authorization']).toBe('token t')
    expect(seen[0]!.headers['content-length']).toBe('7')
  })

  test('a 204 has no body; an error status is answered, not thrown', async () => {
    const empty = await fetch(`${server.url}/empty`)
    expect(empty.status).toBe(204)
    expect(empty.ok).toBe(true)
    expect(await empty.text()).toBe('')
    const missing = await fetch(`${server.url}/nope`)
    expect(missing.status).toBe(404)
    expect(missing.ok).toBe(false)
    expect(await missing.json()).toEqual({ message: 'Not Found' })
  })

  test('headers read as fetch reads them: any case, repeated values joined, iterated in lower case', async () => {
    const res = await fetch(`${server.url}/cookies`)
    expect(res.headers.get('Set-Cookie')).toBe('a=1, b=2')
    expect(res.headers.has('CONTENT-TYPE')).toBe(true)
    expect(res.headers.get('x-missing')).toBeNull()
    const names = [...res.headers].map(([name]) => name)
    expect(names).toContain('set-cookie')
    expect(names).toEqual([...names].sort())
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('ok')
  })

  test('redirects are followed as fetch does: 307 keeps the method and body, 303 and a POST after 301 become GET', async () => {
    seen.length = 0
    const kept = await fetch(`${server.url}/temporary`, {
      method: 'PATCH',
      body: 'x',
      headers: { 'content-type': 'text/plain' }
    })
    expect(await kept.json()).toEqual({ echo: 'x', method: 'PATCH' })
    expect(kept.url).toBe(`${server.url}/json`)
    const seeOther = await fetch(`${server.url}/see-other`, {
      method: 'POST',
      body: 'y',
      headers: { 'content-type': 'text/plain' }
    })
    expect(await seeOther.json()).toEqual({ echo: '', method: 'GET' })
    const moved = await fetch(`${server.url}/moved`, {
      method: 'POST',
      body: 'z',
      headers: { 'content-type': 'text/plain' }
    })
    expect(await moved.json()).toEqual({ echo: '', method: 'GET' })
    const redirectedGets = seen.filter((s) => s.url === '/json' && s.method === 'GET')
    expect(redirectedGets).toHaveLength(2)
    for (const s of redirectedGets) expect(s.headers['content-type']).toBeUndefined()
  })

  test('the authorization is dropped when a redirect leaves the origin, kept within it', async () => {
    seen.length = 0
    await fetch(`${server.url}/elsewhere`, { headers: { authorization: 'token secret' } })
    await fetch(`${server.url}/moved`, { headers: { authorization: 'token secret' } })
    expect(seen.map((s) => s.url)).toEqual(['/elsewhere', '/json', '/moved', '/json'])
    expect(seen[0]!.headers['authorization']).toBe('token secret')
    expect(seen[1]!.headers['authorization']).toBeUndefined()
    expect(seen[3]!.headers['authorization']).toBe('token secret')
  })

  test('redirect: manual answers the redirect; redirect: error and a loop reject', async () => {
    const manual = await fetch(`${server.url}/moved`, { redirect: 'manual' })
    expect(manual.status).toBe(301)
    expect(manual.headers.get('location')).toBe('/json')
    await expect(fetch(`${server.url}/moved`, { redirect: 'error' })).rejects.toThrow(/redirected/)
    await expect(fetch(`${server.url}/loop`)).rejects.toThrow(/more than 5 redirects/)
  })

  test('a timeout before the answer rejects with an AbortError whose cause is the TimeoutError', async () => {
    const error = (await fetch(`${server.url}/slow`, { signal: AbortSignal.timeout(100) }).catch(
      (e: unknown) => e
    )) as Error & { cause?: Error }
    expect(error.name).toBe('AbortError')
    expect(error.cause?.name).toBe('TimeoutError')
  })

  test('a timeout while the body arrives rejects the same way', async () => {
    const error = (await fetch(`${server.url}/slow-body`, { signal: AbortSignal.timeout(150) }).catch(
      (e: unknown) => e
    )) as Error & { cause?: Error }
    expect(error.name).toBe('AbortError')
    expect(error.cause?.name).toBe('TimeoutError')
  })

  test('an already aborted signal sends nothing', async () => {
    seen.length = 0
    const controller = new AbortController()
    controller.abort()
    await expect(fetch(`${server.url}/json`, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError'
    })
    expect(seen).toHaveLength(0)
  })

  test('a refused connection rejects with the network error', async () => {
    const closed = await listenLocal(route)
    await closed.close()
    await expect(fetch(`${closed.url}/json`)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  test('each request goes through the agent it is given (the proxy tunnel when a proxy is set)', async () => {
    const asked: string[] = []
    const counting = new Agent({ keepAlive: false })
    const made: string[] = []
    const create = counting.createConnection.bind(counting)
    counting.createConnection = ((options: { host?: string; port?: number }, cb: unknown) => {
      made.push(`${options.host}:${options.port}`)
      return (create as (o: unknown, c: unknown) => unknown)(options, cb)
    }) as typeof counting.createConnection
    const through = createGitHubFetch({ getAgent: (url) => (asked.push(url), counting) })
    await (await through(`${server.url}/moved`)).text()
    expect(asked).toEqual([`${server.url}/moved`, `${server.url}/json`])
    expect(made).toEqual([`127.0.0.1:${server.port}`, `127.0.0.1:${server.port}`])
    counting.destroy()
  })

  test('by default it goes through the proxy that http_proxy names, as the toolkit does', async () => {
    // a CONNECT proxy on 127.0.0.1 that sends every tunnel to the local server; the host name is
    // never resolved (the client only talks to the proxy)
    const tunnels: string[] = []
    const sockets = new Set<Socket>()
    const proxy = createServer()
    proxy.on('connect', (req: IncomingMessage, client: Socket) => {
      tunnels.push(req.url ?? '')
      const upstream = connect(server.port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.pipe(client)
        client.pipe(upstream)
      })
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('error', () => s.destroy())
      }
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()))
    const saved = process.env['http_proxy']
    process.env['http_proxy'] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    try {
      seen.length = 0
      const res = await createGitHubFetch()('http://api.github.test/json', { method: 'POST', body: 'via proxy' })
      expect(await res.json()).toEqual({ echo: 'via proxy', method: 'POST' })
      expect(tunnels).toEqual(['api.github.test:80'])
      expect(seen[0]!.headers['host']).toMatch(/^api\.github\.test(:80)?$/)
    } finally {
      if (saved === undefined) delete process.env['http_proxy']
      else process.env['http_proxy'] = saved
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
    }
  })
})
