/**
 * The comment's GitHub client (src/github/octokit.ts) and the token's user
 * (src/github/pull-request.ts), in process, against the local GitHub fake: what is retried, how
 * often, and how every call stays bounded in time.
 */
import { startGitHubFake, type GitHubFake } from '../test-support/github.js'
import { createOctokit, GitHubTimeoutError, type Octokit } from '../src/github/octokit.js'
import { CommentPages, commentWarning, readTokenUser, writtenByToken } from '../src/github/pull-request.js'
import { BOT } from '../test-support/github.js'

let gh: GitHubFake
let github: typeof import('@actions/github')
const repo = { owner: 'acme', repo: 'golden-images' }

beforeAll(async () => {
  gh = await startGitHubFake()
  // @actions/github reads its base URL once, when it is loaded.
  process.env.GITHUB_API_URL = gh.url
  github = await import('@actions/github')
})
afterAll(async () => {
  await gh.close()
})
beforeEach(() => {
  gh.faults.failures.length = 0
  gh.faults.routeDelays.length = 0
  gh.addPullRequest(7, { headSha: 'abc' })
  gh.clearCalls()
})

const client = (timeoutMs = 2_000, retryDelayMs = 20, token = 'ghp_test'): Octokit =>
  createOctokit(github, token, { retryDelayMs, timeoutMs })
const create = (octokit: Octokit) => octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'hello' })
const posts = (): number[] => gh.calls.filter((c) => c.method === 'POST').map((c) => c.status)

describe('retries', () => {
  test('one 502, then the answer', async () => {
    gh.fail('POST /repos/*/*/issues/*/comments', 502, 1)

    const { status } = await create(client())

    expect(status).toBe(201)
    expect(posts()).toEqual([502, 201])
  })

  test.each([500, 502, 503, 429])('%i that persists: 3 attempts, then the error with its status', async (code) => {
    gh.fail('POST /repos/*/*/issues/*/comments', code)

    await expect(create(client())).rejects.toMatchObject({ status: code })
    expect(posts()).toEqual([code, code, code])
  })

  test.each([400, 401, 403, 404, 410, 422])('%i is final: one attempt', async (code) => {
    gh.fail('POST /repos/*/*/issues/*/comments', code)

    await expect(create(client())).rejects.toMatchObject({ status: code })
    expect(posts()).toEqual([code])
  })

  test('the waits are the delay, then 4 times the delay', async () => {
    gh.fail('POST /repos/*/*/issues/*/comments', 503)
    const started = Date.now()

    await expect(create(client(5_000, 200))).rejects.toMatchObject({ status: 503 })

    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(1_000)
    expect(elapsed).toBeLessThan(2_500)
  })
})

describe('every call is bounded in time', () => {
  test('a call that gets no answer is aborted at the deadline and not tried again', async () => {
    gh.faults.routeDelays.push({ route: 'POST /repos/*/*/issues/*/comments', ms: 3_000 })
    const started = Date.now()

    const error = await create(client(500)).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(GitHubTimeoutError)
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(gh.calls.filter((c) => c.method === 'POST')).toHaveLength(1)
    expect(commentWarning(error)).toContain('GitHub did not answer within 0.5s')
    expect(commentWarning(error)).not.toContain('pull-requests: write')
  })

  test('no retry is sent after the deadline; the warning names the last answer', async () => {
    gh.fail('POST /repos/*/*/issues/*/comments', 503)

    // 503 at once, a retry after 200 ms, 503, then a wait of 800 ms that ends after the deadline.
    const error = await create(client(500, 200)).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(GitHubTimeoutError)
    expect((error as GitHubTimeoutError).lastStatus).toBe(503)
    expect(posts()).toEqual([503, 503])
    expect(commentWarning(error)).toContain('GitHub did not answer within 0.5s (its last answer, 503, was retried)')
  })

  test('the deadline is per call: a page read long after the first is not out of time', async () => {
    gh.addPullRequest(70, { headSha: 'def' })
    gh.addComments(70, 150)
    const octokit = client(300)
    const pages = octokit.paginate
      .iterator(octokit.rest.issues.listComments, { ...repo, issue_number: 70, per_page: 100 })
      [Symbol.asyncIterator]()

    const first = await pages.next()
    await new Promise((resolve) => setTimeout(resolve, 500))
    const second = await pages.next()

    if (first.done || second.done) throw new Error('the comments ended before page 2')
    expect(first.value.data).toHaveLength(100)
    expect(second.value.data).toHaveLength(50)
    // The deadline of one call is not left on the client's defaults for the next.
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 70 })).status).toBe(200)
  })
})

describe("the token's user", () => {
  test('a personal access token: the login GitHub names', async () => {
    gh.addToken('ghp_someone', { login: 'release-engineer', id: 7001, type: 'User' })

    expect(await readTokenUser(client(2_000, 20, 'ghp_someone'), 'ghp_someone')).toEqual({ login: 'release-engineer' })
    expect(gh.calls.map((c) => [c.method, c.path, c.status])).toEqual([['GET', '/user', 200]])
  })

  test('an installation token (ghs_…) is not asked: GitHub answers it 403', async () => {
    const user = await readTokenUser(client(2_000, 20, 'ghs_workflow'), 'ghs_workflow')

    expect(user.login).toBeUndefined()
    expect(gh.calls).toEqual([])
    // As the fake (and GitHub) would have answered:
    const asked = await readTokenUser(client(2_000, 20, 'ghx_bot'), 'ghx_bot')
    expect(asked).toEqual({ reason: 'GitHub answered 403' })
  })

  test('a failure to read it is a reason, never an error', async () => {
    gh.fail('GET /user', 502)

    expect(await readTokenUser(client(), 'ghp_test')).toEqual({ reason: 'GitHub answered 502' })
    expect(gh.calls.map((c) => c.status)).toEqual([502, 502, 502])
  })

  test('which comments are this action’s', () => {
    const person = { login: 'octocat', type: 'User' }
    const bot = { login: 'github-actions[bot]', type: 'Bot' }
    const release = { login: 'Release-Engineer', type: 'User' }
    const known = { login: 'release-engineer' }
    const unknown = { reason: 'GitHub answered 403' }

    expect([person, bot, release].map((a) => writtenByToken(a, known))).toEqual([false, false, true])
    expect([person, bot, release].map((a) => writtenByToken(a, unknown))).toEqual([false, true, false])
    expect(writtenByToken(null, known)).toBe(false)
    expect(writtenByToken(undefined, unknown)).toBe(false)
  })
})

describe('the comment found again', () => {
  test('find hands back the body of the comment it will update (what holds the earlier runs), and none when there is none', async () => {
    gh.addPullRequest(50, { headSha: 'def' })
    gh.addComments(50, 130)
    const quoted = gh.addComment(50, '<!-- disable-superseded-ami family=role=web -->\nquoted by a person')
    const mine = gh.addComment(50, '<!-- disable-superseded-ami family=role=web -->\nthe record', BOT)
    const user = Promise.resolve({ reason: 'an installation token acts for an app, not a user' })

    const found = await new CommentPages(client(), repo, 50).find(
      '<!-- disable-superseded-ami family=role=web -->',
      user
    )
    expect(found).toEqual({ id: mine.id, body: mine.body, others: 1 })
    expect(quoted.id).not.toBe(mine.id)

    const none = await new CommentPages(client(), repo, 50).find(
      '<!-- disable-superseded-ami family=role=api -->',
      user
    )
    expect(none).toEqual({ id: undefined, others: 0 })
  })
})
