/**
 * Issue 5, part 3: faults from GitHub. 401, 403, 404, 422, 5xx, a refused connection and a
 * timeout on the pull-request comment are warnings; the images are handled and the job summary
 * and outputs are written all the same. A 429, a 5xx and a failed connection are retried twice
 * first (a single 502 no longer loses the comment); other 4xx and a call out of time are not.
 * The bundled action runs against the local GitHub fake.
 */
import { createServer } from 'node:net'
import type { GitHubFake } from '../test-support/github.js'
import type { RunActionResult } from '../test-support/run-action.js'
import type { EmuImage } from '../test-support/emulator/ec2.js'
import { family, json, stateOf, startWorld, type World } from './e2e/world.js'
import { commandLines } from './e2e/faults-world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const PR = 7
/**
 * The wait before a retry, shortened (the real one is 1 s, then 4 s: see the test that keeps it);
 * the entry point reads it from this variable.
 */
const FAST_RETRIES = { DISABLE_SUPERSEDED_AMI_GITHUB_RETRY_DELAY_MS: '20' }
const onPullRequest = { eventName: 'pull_request', event: { pull_request: { number: PR } }, env: FAST_RETRIES }

const requests = (github: GitHubFake, method: string, path: RegExp): number =>
  github.calls.filter((c) => c.method === method && path.test(c.path)).length
const COMMENTS = /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments/

/** One warning and no error; the images disabled; the summary and outputs written; no comment. */
function expectWarnedAndDone(result: RunActionResult, github: GitHubFake, old: EmuImage[]): string {
  expect(result.exitCode).toBe(0)
  expect(commandLines(result.stdout, 'error')).toEqual([])
  const warnings = commandLines(result.stdout, 'warning')
  expect(warnings).toHaveLength(1)
  expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(old.map(() => 'disabled'))
  expect(result.summary).toContain('Disabled')
  expect(result.summary).toContain(old[0]!.imageId)
  expect(json<string[]>(result.outputs['disabled-image-ids'])).toHaveLength(old.length)
  expect(result.outputs['comment-url']).toBeUndefined()
  expect(github.comments(PR)).toEqual([])
  return warnings[0]!
}

/** A local port that refuses connections: one that was just listened on, then closed. */
async function refusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('GitHub faults: a warning, the images and the job summary are still done', () => {
  beforeEach(() => {
    world.github.addPullRequest(PR, { headSha: 'f00dbabe0000000000000000000000000000cafe' })
  })

  test.each([403, 404, 422])('creating the comment answers %i: a warning, not retried', async (status) => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 2)
    github.fail('POST /repos/*/*/issues/*/comments', status)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    const warning = expectWarnedAndDone(result, github, old)
    expect(warning).toContain(`GitHub answered ${status}`)
    if (status === 403 || status === 404) expect(warning).toContain('pull-requests: write')
    else expect(warning).not.toContain('pull-requests: write')
    expect(requests(github, 'POST', COMMENTS)).toBe(1)
  })

  test.each([500, 502, 503])('creating the comment keeps answering %i: a warning after 2 retries', async (status) => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 2)
    github.fail('POST /repos/*/*/issues/*/comments', status)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    const warning = expectWarnedAndDone(result, github, old)
    expect(warning).toContain(`GitHub answered ${status}`)
    expect(warning).not.toContain('pull-requests: write')
    expect(requests(github, 'POST', COMMENTS)).toBe(3)
  })

  test('one 502 on creating the comment: retried, the comment is written', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.fail('POST /repos/*/*/issues/*/comments', 502, 1)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toEqual([])
    expect(requests(github, 'POST', COMMENTS)).toBe(2)
    const comments = github.comments(PR)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain(old[0].imageId)
    expect(result.outputs['comment-url']).toBe(comments[0]!.html_url)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
  })

  test('a 5xx that persists, with the real waits (1 s, then 4 s): a warning, the step ends in bounded time', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.fail('POST /repos/*/*/issues/*/comments', 502)

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      // An empty value is no value: the action's own waits.
      { ...onPullRequest, env: { DISABLE_SUPERSEDED_AMI_GITHUB_RETRY_DELAY_MS: '' }, timeoutMs: 30_000 }
    )

    expect(result.timedOut).toBe(false)
    const warning = expectWarnedAndDone(result, github, old)
    expect(warning).toContain('GitHub answered 502')
    const posts = github.calls.filter((c) => c.method === 'POST')
    expect(posts).toHaveLength(3)
    expect(result.durationMs).toBeGreaterThanOrEqual(5_000)
    expect(result.durationMs).toBeLessThan(15_000)
  })

  test('listing the comments answers 500', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.fail('GET /repos/*/*/issues/*/comments', 500)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning').join('\n')).toContain('GitHub answered 500')
    expect(requests(github, 'GET', COMMENTS)).toBe(3)
    expect(requests(github, 'POST', COMMENTS)).toBe(0)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(result.summary).toContain('Disabled')
  })

  test('updating the sticky comment answers 403', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    const first = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' }, onPullRequest)
    expect(first.exitCode).toBe(0)
    expect(github.comments(PR)).toHaveLength(1)
    github.fail('PATCH /repos/*/*/issues/comments/*', 403)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning').join('\n')).toContain('GitHub answered 403')
    expect(requests(github, 'PATCH', /\/issues\/comments\//)).toBe(1)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(result.summary).toContain('Disabled')
  })

  test('bad credentials (401)', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.fail('**', 401)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning').join('\n')).toContain('GitHub answered 401')
    // A 401 is final: the one page read is not tried again.
    expect(requests(github, 'GET', COMMENTS)).toBe(1)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
  })

  test('GitHub unreachable (connection refused)', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { ...onPullRequest, githubUrl: `http://127.0.0.1:${await refusedPort()}` }
    )

    expect(result.exitCode).toBe(0)
    const warnings = commandLines(result.stdout, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('The pull-request comment was not written: GitHub could not be reached (')
    expect(warnings[0]).toContain('ECONNREFUSED')
    // Nothing answered: the warning must not say that GitHub answered (with a status).
    expect(warnings[0]).not.toMatch(/GitHub answered/)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(result.summary).toContain('Disabled')
  })

  test('GitHub does not answer: the comment times out as a warning, the step does not hang', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.faults.routeDelays.push({ route: 'POST /repos/*/*/issues/*/comments', ms: 16_500 })

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { ...onPullRequest, timeoutMs: 30_000 }
    )

    expect(result.timedOut).toBe(false)
    expect(result.exitCode).toBe(0)
    expect(result.durationMs).toBeLessThan(25_000)
    const warnings = commandLines(result.stdout, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('The pull-request comment was not written')
    expect(warnings[0]).toMatch(/did not answer within \d+s/)
    expect(warnings[0]).not.toMatch(/GitHub answered/)
    // A call that ran out of time is not tried again: its 15 s are spent.
    expect(requests(github, 'POST', COMMENTS)).toBe(1)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(result.summary).toContain('Disabled')
  })

  test("the token's user cannot be read (GET /user keeps answering 502): no warning, a bot's comment counts", async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    const first = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' }, onPullRequest)
    expect(first.exitCode).toBe(0)
    const [bots] = github.comments(PR)
    expect(bots?.user.type).toBe('Bot')
    const dryRunBody = bots!.body
    github.addToken('ghp_release0000000000000000000000000000', { login: 'release-engineer', id: 7001, type: 'User' })
    github.fail('GET /user', 502)
    github.clearCalls()

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', 'github-token': 'ghp_release0000000000000000000000000000' },
      onPullRequest
    )

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toEqual([])
    expect(requests(github, 'GET', /^\/user$/)).toBe(3)
    expect(requests(github, 'POST', COMMENTS)).toBe(0)
    expect(requests(github, 'PATCH', /\/issues\/comments\//)).toBe(1)
    expect(github.comments(PR)).toHaveLength(1)
    expect(github.comment(bots!.id)?.body).not.toBe(dryRunBody)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
  })
})
