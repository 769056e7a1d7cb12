/**
 * Issue 5, part 3: faults from GitHub. 401, 403, 404, 422, 5xx, a refused connection and a
 * timeout on the pull-request comment are warnings; the images are handled and the job summary
 * and outputs are written all the same. The bundled action runs against the local GitHub fake.
 */
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
const onPullRequest = { eventName: 'pull_request', event: { pull_request: { number: PR } } }

describe('GitHub faults: a warning, the images and the job summary are still done', () => {
  beforeEach(() => {
    world.github.addPullRequest(PR, { headSha: 'f00dbabe0000000000000000000000000000cafe' })
  })

  test.each([403, 404, 422, 500, 502, 503])('creating the comment answers %i', async (status) => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 2)
    github.fail('POST /repos/*/*/issues/*/comments', status)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'error')).toEqual([])
    const warnings = commandLines(result.stdout, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`GitHub answered ${status}`)
    if (status === 403 || status === 404) expect(warnings[0]).toContain('pull-requests: write')
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(result.summary).toContain('Disabled')
    expect(result.summary).toContain(old[0].imageId)
    expect(json<string[]>(result.outputs['disabled-image-ids'])).toHaveLength(2)
    expect(result.outputs['comment-url']).toBeUndefined()
    expect(github.comments(PR)).toEqual([])
  })

  test('listing the comments answers 500', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.fail('GET /repos/*/*/issues/*/comments', 500)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning').join('\n')).toContain('GitHub answered 500')
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
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
  })

  test('GitHub unreachable (connection refused)', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { ...onPullRequest, githubUrl: 'http://127.0.0.1:9' }
    )

    expect(result.exitCode).toBe(0)
    const warnings = commandLines(result.stdout, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('The pull-request comment was not written')
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
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(result.summary).toContain('Disabled')
  })
})
