/**
 * A local fake of the GitHub REST API routes the action uses, reached by @actions/github's Octokit
 * through GITHUB_API_URL (or getOctokit(token, { baseUrl })). See test-support/README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sleep } from './emulator/util.js'
import { listenLocal } from './listen.js'

export interface GitHubUser {
  login: string
  id: number
  type: 'User' | 'Bot'
}

export interface FakeComment {
  id: number
  node_id: string
  url: string
  html_url: string
  issue_url: string
  body: string
  user: GitHubUser
  created_at: string
  updated_at: string
  author_association: string
}

export interface FakePullRequest {
  number: number
  state: 'open' | 'closed'
  title: string
  headSha: string
  headRef: string
  baseRef: string
  merged: boolean
  draft: boolean
  user: GitHubUser
}

export interface PullRequestInput {
  headSha: string
  headRef?: string
  state?: 'open' | 'closed'
  title?: string
  baseRef?: string
  merged?: boolean
  draft?: boolean
}

export interface GitHubCall {
  seq: number
  method: string
  /** path with the query string */
  path: string
  status: number
  /** the request's Authorization header as sent (e.g. `token ghs_...`); undefined when none was */
  authorization?: string | undefined
  /** parsed JSON body of POST/PATCH requests */
  body?: unknown
}

export interface GitHubFault {
  /** `METHOD /path` pattern: a RegExp, or a string with `*` (one path segment) and `**` (anything); method optional */
  route: string | RegExp
  status: number
  /** this many times, then normal answers; always when absent */
  times?: number | undefined
  message?: string | undefined
}

export interface GitHubFakeOptions {
  port?: number
  /** `owner/repo` served (default acme/golden-images); other repositories answer 404 */
  repository?: string
  /** when set, requests with another token answer 401 Bad credentials */
  token?: string
  /** who a token not given in `tokens` is, and so the author of its comments (default github-actions[bot]) */
  botUser?: GitHubUser
  /**
   * who each token is (see `addToken`): the author of the comments it writes; `GET /user` answers
   * a `User` with its login, and a `Bot` with 403, as GitHub does for installation tokens
   */
  tokens?: Record<string, GitHubUser>
}

export interface GitHubFake {
  url: string
  repository: string
  calls: GitHubCall[]
  clearCalls(): void
  /** faults: forced statuses for routes; all requests wait `delayMs` (or per-route delays) */
  faults: { failures: GitHubFault[]; delayMs: number; routeDelays: Array<{ route: string | RegExp; ms: number }> }
  fail(route: string | RegExp, status: number, times?: number, message?: string): void
  /** the identity of `token` (a personal access token: a `User`; an installation token: a `Bot`) */
  addToken(token: string, user: GitHubUser): void
  addPullRequest(number: number, pr: PullRequestInput): FakePullRequest
  pullRequest(number: number): FakePullRequest | undefined
  /** add `count` comments by other users; bodyFn(i) gives the i-th body (0-based) */
  addComments(number: number, count: number, bodyFn?: (i: number) => string, user?: GitHubUser): FakeComment[]
  addComment(number: number, body: string, user?: GitHubUser): FakeComment
  comments(number: number): FakeComment[]
  comment(id: number): FakeComment | undefined
  close(): Promise<void>
}

/** The author of what the workflow's GITHUB_TOKEN writes. */
export const BOT: GitHubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
/** The default author of the comments added with addComment(s): a person. */
export const HUMAN: GitHubUser = { login: 'octocat', id: 583231, type: 'User' }

function routeMatches(route: string | RegExp, method: string, path: string): boolean {
  const target = `${method} ${path}`
  if (route instanceof RegExp) return route.test(target) || route.test(path)
  const hasMethod = /^[A-Z]+ /.test(route)
  const pattern = hasMethod ? route : `* ${route}`
  const re = new RegExp(
    '^' +
      pattern
        .split('**')
        .map((part) =>
          part
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/ ]*')
        )
        .join('.*') +
      '$'
  )
  return re.test(target)
}

export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const repository = options.repository ?? 'acme/golden-images'
  const bot = options.botUser ?? BOT
  const tokens = new Map<string, GitHubUser>(Object.entries(options.tokens ?? {}))
  const pulls = new Map<number, FakePullRequest>()
  const commentsByIssue = new Map<number, FakeComment[]>()
  const commentsById = new Map<number, FakeComment>()
  const calls: GitHubCall[] = []
  const faults: GitHubFake['faults'] = { failures: [], delayMs: 0, routeDelays: [] }
  let seq = 0
  let nextCommentId = 1000
  let clock = Date.parse('2026-11-25T12:00:00Z')
  const stamp = (): string => new Date((clock += 1000)).toISOString().replace('.000Z', 'Z')
  let baseUrl = ''

  function makeComment(issue: number, body: string, user: GitHubUser): FakeComment {
    const id = ++nextCommentId
    const t = stamp()
    const c: FakeComment = {
      id,
      node_id: `IC_kwDO${id}`,
      url: `${baseUrl}/repos/${repository}/issues/comments/${id}`,
      html_url: `https://github.com/${repository}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${baseUrl}/repos/${repository}/issues/${issue}`,
      body,
      user: { ...user },
      created_at: t,
      updated_at: t,
      author_association: user.type === 'Bot' ? 'NONE' : 'MEMBER'
    }
    let list = commentsByIssue.get(issue)
    if (!list) commentsByIssue.set(issue, (list = []))
    list.push(c)
    commentsById.set(id, c)
    return c
  }

  function prJson(pr: FakePullRequest): Record<string, unknown> {
    const [owner] = repository.split('/')
    const repo = { full_name: repository, name: repository.split('/')[1], owner: { login: owner } }
    return {
      id: 100000 + pr.number,
      number: pr.number,
      state: pr.state,
      title: pr.title,
      draft: pr.draft,
      merged: pr.merged,
      user: pr.user,
      url: `${baseUrl}/repos/${repository}/pulls/${pr.number}`,
      html_url: `https://github.com/${repository}/pull/${pr.number}`,
      head: { sha: pr.headSha, ref: pr.headRef, label: `${owner}:${pr.headRef}`, repo },
      base: { sha: '0'.repeat(40), ref: pr.baseRef, label: `${owner}:${pr.baseRef}`, repo }
    }
  }

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': `FAKE:${seq}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(clock / 1000) + 3600),
      ...headers
    })
    res.end(text)
  }

  const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://localhost')
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    let body: unknown
    if (raw) {
      try {
        body = JSON.parse(raw)
      } catch {
        body = raw
      }
    }
    const call: GitHubCall = {
      seq: ++seq,
      method,
      path: url.pathname + url.search,
      status: 0,
      authorization: req.headers['authorization'],
      body
    }
    calls.push(call)
    const reply = (status: number, payload: unknown, headers?: Record<string, string>): void => {
      call.status = status
      json(res, status, payload, headers)
    }

    const delay =
      faults.delayMs +
      faults.routeDelays.filter((d) => routeMatches(d.route, method, url.pathname)).reduce((a, d) => a + d.ms, 0)
    if (delay > 0) await sleep(delay)
    if (res.destroyed) return

    for (const f of faults.failures) {
      if (!routeMatches(f.route, method, url.pathname)) continue
      if (f.times !== undefined) {
        if (f.times <= 0) continue
        f.times -= 1
      }
      const messages: Record<number, string> = {
        401: 'Bad credentials',
        403: 'Resource not accessible by integration',
        404: 'Not Found',
        422: 'Validation Failed',
        500: 'Internal Server Error',
        502: 'Server Error'
      }
      return reply(f.status, {
        message: f.message ?? messages[f.status] ?? 'Error',
        documentation_url: 'https://docs.github.com/rest',
        status: String(f.status)
      })
    }

    const auth = req.headers['authorization']
    const given = auth?.replace(/^(token|bearer)\s+/i, '')
    if (options.token !== undefined && given !== options.token)
      return reply(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401'
      })
    // Who the request's token is: the author of what it writes.
    const caller = (given !== undefined ? tokens.get(given) : undefined) ?? bot

    if (url.pathname === '/user' && method === 'GET') {
      if (given === undefined)
        return reply(401, {
          message: 'Requires authentication',
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
          status: '401'
        })
      // An installation token (the workflow's GITHUB_TOKEN) acts for an app, not for a user.
      if (caller.type === 'Bot')
        return reply(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
          status: '403'
        })
      return reply(200, {
        login: caller.login,
        id: caller.id,
        node_id: `U_kgDO${caller.id}`,
        type: caller.type,
        site_admin: false,
        url: `${baseUrl}/users/${caller.login}`,
        html_url: `https://github.com/${caller.login}`
      })
    }

    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(url.pathname)
    if (!m || `${m[1]}/${m[2]}`.toLowerCase() !== repository.toLowerCase()) return reply(404, notFound)
    const rest = m[3]!
    let r: RegExpExecArray | null

    if ((r = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const n = Number(r[1])
      if (!pulls.has(n) && !commentsByIssue.has(n)) return reply(404, notFound)
      if (method === 'GET') {
        const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30))
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
        const all = commentsByIssue.get(n) ?? []
        const last = Math.max(1, Math.ceil(all.length / perPage))
        const items = all.slice((page - 1) * perPage, page * perPage)
        const link = (p: number): string => {
          const u = new URL(`${baseUrl}${url.pathname}`)
          for (const [k, v] of url.searchParams) if (k !== 'page' && k !== 'per_page') u.searchParams.set(k, v)
          u.searchParams.set('per_page', String(perPage))
          u.searchParams.set('page', String(p))
          return `<${u.toString()}>`
        }
        const links: string[] = []
        if (page > 1) links.push(`${link(page - 1)}; rel="prev"`)
        if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`)
        if (page > 1) links.push(`${link(1)}; rel="first"`)
        return reply(200, items, links.length ? { link: links.join(', ') } : {})
      }
      if (method === 'POST') {
        const text = (body as { body?: unknown } | undefined)?.body
        if (typeof text !== 'string' || text === '') {
          return reply(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }],
            documentation_url: 'https://docs.github.com/rest',
            status: '422'
          })
        }
        if (text.length > 65536) {
          return reply(422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'IssueComment',
                code: 'custom',
                field: 'body',
                message: 'body is too long (maximum is 65536 characters)'
              }
            ],
            documentation_url: 'https://docs.github.com/rest',
            status: '422'
          })
        }
        return reply(201, makeComment(n, text, caller))
      }
      return reply(404, notFound)
    }

    if ((r = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const c = commentsById.get(Number(r[1]))
      if (!c) return reply(404, notFound)
      if (method === 'GET') return reply(200, c)
      if (method === 'PATCH') {
        const text = (body as { body?: unknown } | undefined)?.body
        if (typeof text !== 'string' || text === '')
          return reply(422, {
            message: 'Validation Failed',
            documentation_url: 'https://docs.github.com/rest',
            status: '422'
          })
        c.body = text
        c.updated_at = stamp()
        return reply(200, c)
      }
      return reply(404, notFound)
    }

    if ((r = /^\/commits\/([^/]+)\/pulls$/.exec(rest)) && method === 'GET') {
      const sha = r[1]!
      return reply(200, [...pulls.values()].filter((p) => p.headSha === sha).map(prJson))
    }

    if ((r = /^\/pulls\/(\d+)$/.exec(rest)) && method === 'GET') {
      const pr = pulls.get(Number(r[1]))
      return pr ? reply(200, prJson(pr)) : reply(404, notFound)
    }

    if (rest === '/pulls' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open'
      const head = url.searchParams.get('head')
      let list = [...pulls.values()]
      if (state !== 'all') list = list.filter((p) => p.state === state)
      if (head) {
        const ref = head.includes(':') ? head.slice(head.indexOf(':') + 1) : head
        list = list.filter((p) => p.headRef === ref)
      }
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30) || 30)
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
      return reply(200, list.slice((page - 1) * perPage, page * perPage).map(prJson))
    }

    return reply(404, notFound)
  }

  const local = await listenLocal(handle, options.port)
  baseUrl = local.url

  return {
    url: baseUrl,
    repository,
    calls,
    clearCalls: () => {
      calls.length = 0
    },
    faults,
    fail: (route, status, times, message) => {
      faults.failures.push({ route, status, times, message })
    },
    addToken: (token, user) => {
      tokens.set(token, { ...user })
    },
    addPullRequest: (number, input) => {
      const pr: FakePullRequest = {
        number,
        state: input.state ?? 'open',
        title: input.title ?? `Pull request #${number}`,
        headSha: input.headSha,
        headRef: input.headRef ?? `feature-${number}`,
        baseRef: input.baseRef ?? 'main',
        merged: input.merged ?? false,
        draft: input.draft ?? false,
        user: { ...HUMAN }
      }
      pulls.set(number, pr)
      if (!commentsByIssue.has(number)) commentsByIssue.set(number, [])
      return pr
    },
    pullRequest: (n) => pulls.get(n),
    addComments: (number, count, bodyFn, user) => {
      const out: FakeComment[] = []
      for (let i = 0; i < count; i++)
        out.push(makeComment(number, bodyFn ? bodyFn(i) : `comment ${i + 1}`, user ?? HUMAN))
      return out
    },
    addComment: (number, body, user) => makeComment(number, body, user ?? HUMAN),
    comments: (n) => [...(commentsByIssue.get(n) ?? [])],
    comment: (id) => commentsById.get(id),
    close: () => local.close()
  }
}
