/**
 * The sticky pull-request comment: which pull request, one comment per family, failures as
 * warnings; found again whichever token wrote it (the workflow's, or a person's).
 */
import { marker } from '../src/report/markdown.js'
import { BOT, type GitHubUser } from '../test-support/github.js'
import { html, links, text as shownText } from '../test-support/markdown.js'
import { only } from '../test-support/at.js'
import { commandLines } from './e2e/faults-world.js'
import { day, family, image, REGION, startWorld, stateOf, type World } from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const MARKER = 'disable-superseded-ami'

function ours(world: World, pr: number) {
  return world.github.comments(pr).filter((c) => c.body.includes(`<!-- ${MARKER}`))
}

describe('the sticky comment', () => {
  test('a pull request with 120 comments gets one new comment; the next run updates it in place', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 2)
    github.addPullRequest(7, { headSha: 'aaaaaaa' })
    github.addComments(7, 120)
    const event = { pull_request: { number: 7 } }

    const first = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { eventName: 'pull_request', event }
    )

    expect(first.exitCode).toBe(0)
    expect(github.comments(7)).toHaveLength(121)
    const comment = only(ours(world, 7))
    expect(comment.body).toContain(old[0].imageId)
    expect(first.outputs['comment-url']).toBe(comment.html_url)

    // A newer build of the same family: the same comment is updated.
    const newer = image(aws, 'golden-web-9', day(9))
    github.clearCalls()
    const second = await world.run(
      { 'image-id': newer.imageId, 'family-tag': 'role' },
      { eventName: 'pull_request', event }
    )

    expect(second.exitCode).toBe(0)
    expect(github.comments(7)).toHaveLength(121)
    expect(ours(world, 7)).toHaveLength(1)
    expect(ours(world, 7)[0]!.id).toBe(comment.id)
    expect(ours(world, 7)[0]!.body).toContain(newer.imageId)
    expect(stateOf(aws, fresh.imageId)).toBe('disabled')
    // It read pages until it found the marker (on page 2 of 100), then patched: no page 3, no POST.
    const calls = github.calls.map((c) => `${c.method} ${c.path.replace(/\?.*page=(\d+).*/, ' page $1')}`)
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual([])
    expect(calls.filter((c) => c.startsWith('PATCH'))).toHaveLength(1)
    expect(calls.filter((c) => c.includes(' page 3'))).toEqual([])
  })

  test('one comment per family on the same pull request', async () => {
    const { aws, github } = world
    const web = family(aws, 1, 'golden-web', REGION, 'web')
    const api = family(aws, 1, 'golden-api', REGION, 'api')
    github.addPullRequest(8, { headSha: 'bbbbbbb' })
    const event = { pull_request: { number: 8 } }

    await world.run({ 'image-id': web.fresh.imageId, 'family-tag': 'role' }, { eventName: 'pull_request', event })
    await world.run({ 'image-id': api.fresh.imageId, 'family-tag': 'role' }, { eventName: 'pull_request', event })
    await world.run({ 'image-id': web.fresh.imageId, 'family-tag': 'role' }, { eventName: 'pull_request', event })

    const bodies = ours(world, 8).map((c) => c.body)
    expect(bodies).toHaveLength(2)
    expect(bodies.some((b) => b.includes('role=web'))).toBe(true)
    expect(bodies.some((b) => b.includes('role=api'))).toBe(true)
  })

  test('push with the pull-request input comments on that pull request', async () => {
    const { aws, github } = world
    const { fresh } = family(aws, 1)
    github.addPullRequest(11, { headSha: 'ccccccc' })

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', 'pull-request': '11' },
      { eventName: 'push', event: {}, env: { GITHUB_SHA: 'deadbeef' } }
    )

    expect(result.exitCode).toBe(0)
    expect(ours(world, 11)).toHaveLength(1)
  })

  test('push without the input comments on the open pull request of the commit', async () => {
    const { aws, github } = world
    const { fresh } = family(aws, 1)
    github.addPullRequest(12, { headSha: 'feedface00', state: 'closed' })
    github.addPullRequest(13, { headSha: 'feedface00' })

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { eventName: 'push', event: {}, env: { GITHUB_SHA: 'feedface00' } }
    )

    expect(result.exitCode).toBe(0)
    expect(ours(world, 13)).toHaveLength(1)
    expect(ours(world, 12)).toHaveLength(0)
  })

  test('merge_group: the pull request comes from the queue head ref', async () => {
    const { aws, github } = world
    const { fresh } = family(aws, 1)
    github.addPullRequest(21, { headSha: 'abcabc1' })

    const event = { merge_group: { head_ref: 'refs/heads/gh-readonly-queue/main/pr-21-0123456789abcdef' } }
    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { eventName: 'merge_group', event }
    )

    expect(result.exitCode).toBe(0)
    expect(ours(world, 21)).toHaveLength(1)
  })

  test('a run with no pull request: a notice, no comment, the images are still done', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { eventName: 'workflow_dispatch', event: {} }
    )

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/::notice::No pull-request comment/)
    expect(github.calls.filter((c) => c.method !== 'GET')).toEqual([])
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(result.outputs['comment-url']).toBeUndefined()
  })

  test('comment: false writes no comment', async () => {
    const { aws, github } = world
    const { fresh } = family(aws, 1)
    github.addPullRequest(14, { headSha: 'ddddddd' })

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', comment: 'false' },
      { eventName: 'pull_request', event: { pull_request: { number: 14 } } }
    )

    expect(result.exitCode).toBe(0)
    expect(github.calls).toEqual([])
  })

  test('a 403 from GitHub is a warning naming pull-requests: write; images and summary are done', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.addPullRequest(15, { headSha: 'eeeeeee' })
    github.fail(/comments/, 403)

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { eventName: 'pull_request', event: { pull_request: { number: 15 } } }
    )

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/::warning::.*pull-requests: write/)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(result.summary).toContain(old[0].imageId)
    expect(ours(world, 15)).toHaveLength(0)
  })

  test('names with |, <b>, @someone and --> are escaped in the comment', async () => {
    const { aws, github } = world
    const hostile = 'web|x <b>bold</b> @someone --> `tick`'
    const old = image(aws, hostile, day(1))
    const fresh = image(aws, 'golden-web-2', day(2))
    aws.addLaunchTemplate(REGION, { name: 'lt|<i>@team-->', versions: [{ imageId: old.imageId }] })
    github.addPullRequest(16, { headSha: 'fffffff' })

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      { eventName: 'pull_request', event: { pull_request: { number: 16 } } }
    )

    expect(result.exitCode).toBe(0)
    const comment = only(ours(world, 16))
    expect(comment.body).not.toContain('<b>')
    expect(comment.body).not.toContain('<i>')
    expect(comment.body).not.toMatch(/@someone|@team/)
    // One HTML comment, the marker: no name closes it; the record of the runs is the last line, unseen.
    expect(comment.body.match(/-->/g)).toHaveLength(1)
    expect(html(comment.body).filter((h) => h.trimStart().startsWith('<!--'))).toEqual([`${marker('role=web')}\n`])
    expect(comment.body.trimEnd().split('\n').at(-1)).toMatch(/^\[disable-superseded-ami:runs:v1\]: #[A-Za-z0-9_-]+$/)
    expect(shownText(comment.body)).not.toContain('disable-superseded-ami')
    // No name adds a cell: every row of every table has as many cells as its header.
    const lines = comment.body.split('\n')
    let cells = 0
    let rows = 0
    for (const line of lines) {
      if (!line.startsWith('|')) cells = 0
      else if (cells === 0) cells = line.split('|').length
      else {
        expect(line.split('|').length).toBe(cells)
        rows++
      }
    }
    expect(rows).toBeGreaterThan(3)
    expect(comment.body).toContain('web&#124;x &lt;b&gt;bold&lt;/b&gt; @\u200Bsomeone --&gt;')
  })
})

describe('the sticky comment with any token', () => {
  const PAT = 'ghp_release0000000000000000000000000000'
  const RELEASE: GitHubUser = { login: 'release-engineer', id: 7001, type: 'User' }
  const onPullRequest = (pr: number) => ({ eventName: 'pull_request', event: { pull_request: { number: pr } } })
  const userReads = (world: World) => world.github.calls.filter((c) => c.method === 'GET' && c.path === '/user')

  test('with a personal access token, the second run updates its own comment: one comment, not two', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.addPullRequest(30, { headSha: 'a0a0a0a' })
    github.addToken(PAT, RELEASE)

    const first = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', 'github-token': PAT },
      onPullRequest(30)
    )

    expect(first.exitCode).toBe(0)
    const comment = only(ours(world, 30))
    expect(comment.user.login).toBe('release-engineer')
    expect(comment.body).toContain(old[0].imageId)

    const newer = image(aws, 'golden-web-9', day(9))
    github.clearCalls()
    const second = await world.run(
      { 'image-id': newer.imageId, 'family-tag': 'role', 'github-token': PAT },
      onPullRequest(30)
    )

    expect(second.exitCode).toBe(0)
    expect(commandLines(second.stdout, 'warning')).toEqual([])
    expect(github.comments(30)).toHaveLength(1)
    expect(github.comments(30)[0]!.id).toBe(comment.id)
    expect(github.comments(30)[0]!.body).toContain(newer.imageId)
    expect(second.outputs['comment-url']).toBe(comment.html_url)
    // It asked GitHub who the token is, once, with that token.
    expect(userReads(world).map((c) => [c.status, c.authorization])).toEqual([[200, `token ${PAT}`]])
    expect(github.calls.filter((c) => c.method === 'POST')).toEqual([])
  })

  test.each([
    ['the workflow token', undefined],
    ['a personal access token', PAT]
  ])("a person's comment that starts with the marker is never overwritten (%s)", async (_, token) => {
    const { aws, github } = world
    const { fresh } = family(aws, 1)
    github.addPullRequest(31, { headSha: 'b1b1b1b' })
    github.addToken(PAT, RELEASE)
    // Before this action's comment, and starting with its exact marker: only the author tells them apart.
    const copied = `${marker('role=web')}\nI copied the bot's comment here to discuss it.`
    const person = github.addComment(31, copied)
    const inputs = { 'image-id': fresh.imageId, 'family-tag': 'role', ...(token ? { 'github-token': token } : {}) }

    const first = await world.run(inputs, onPullRequest(31))
    const second = await world.run(inputs, onPullRequest(31))

    expect([first.exitCode, second.exitCode]).toEqual([0, 0])
    expect(github.comment(person.id)?.body).toBe(copied)
    const mine = github.comments(31).filter((c) => c.id !== person.id)
    expect(mine).toHaveLength(1)
    expect(mine[0]!.user.login).toBe(token ? 'release-engineer' : 'github-actions[bot]')
    // The marker copied is this action's own: the person's comment was a true candidate.
    expect(mine[0]!.body.startsWith(`${marker('role=web')}\n`)).toBe(true)
    expect(second.stdout).toContain('Left alone 1 comment(s) that start with the same marker')
  })

  test("the token's user cannot be read (GET /user answers 403): a bot's comment counts, a person's never", async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.addPullRequest(32, { headSha: 'c2c2c2c' })
    const copied = `${marker('role=web')}\nquoted`
    const person = github.addComment(32, copied)

    // The workflow's token (an installation token, ghs_…): GitHub would answer 403, so it is not asked.
    const first = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' },
      onPullRequest(32)
    )
    expect(first.exitCode).toBe(0)
    expect(userReads(world)).toEqual([])
    const bots = github.comments(32).filter((c) => c.user.type === 'Bot')
    expect(bots).toHaveLength(1)
    const dryRunBody = bots[0]!.body

    github.addToken(PAT, RELEASE)
    github.fail('GET /user', 403)
    github.clearCalls()
    const second = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', 'github-token': PAT },
      onPullRequest(32)
    )

    expect(second.exitCode).toBe(0)
    expect(commandLines(second.stdout, 'warning')).toEqual([])
    // A 403 is final: asked once, then the rule of a bot's comment.
    expect(userReads(world).map((c) => c.status)).toEqual([403])
    expect(github.calls.filter((c) => c.method === 'POST')).toEqual([])
    expect(github.comments(32)).toHaveLength(2)
    expect(github.comment(person.id)?.body).toBe(copied)
    expect(github.comment(bots[0]!.id)?.body).not.toBe(dryRunBody)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
  })
})

describe('the sticky comment keeps the record of earlier runs', () => {
  const onPullRequest = (pr: number, runId: string) => ({
    eventName: 'pull_request',
    event: { pull_request: { number: pr } },
    env: { GITHUB_RUN_ID: runId }
  })
  const runUrl = (runId: string) => `https://github.com/acme/golden-images/actions/runs/${runId}`
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

  /** The comment split where its folded record of earlier runs starts: what is on top, and the folded part. */
  function parts(body: string): { top: string; folded: string } {
    const start = body.indexOf('<details><summary>Earlier runs')
    return start < 0 ? { top: body, folded: '' } : { top: body.slice(0, start), folded: body.slice(start) }
  }
  /** The summary line of the folded part (an HTML block to markdown-it). */
  const summary = (folded: string) =>
    /^<details><summary>(.*)<\/summary>/.exec(html(folded).find((h) => h.startsWith('<details>')) ?? '')?.[1]
  /** The entries of the folded part, as a reader sees them: one line per earlier run, then its images. */
  const entries = (folded: string) =>
    shownText(folded)
      .split('\n')
      .filter((line) => /^\d{4}-/.test(line))
      .map((line) => {
        const [time, rest] = [line.slice(0, 20), line.slice(21)]
        return { time, rest }
      })

  test('a real disable, then a dry run: one comment, the dry run on top, the real disable kept folded with its images and run link', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 2)
    github.addPullRequest(40, { headSha: 'a4a4a4a' })

    const real = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest(40, '5001'))
    expect(real.exitCode).toBe(0)
    expect(old.map((i) => stateOf(aws, i.imageId))).toEqual(['disabled', 'disabled'])
    const first = only(ours(world, 40))
    expect(parts(first.body).folded).toBe('')

    // A newer build, tried as a dry run on the same pull request.
    const newer = image(aws, 'golden-web-9', day(9))
    const dry = await world.run(
      { 'image-id': newer.imageId, 'family-tag': 'role', 'dry-run': 'true' },
      onPullRequest(40, '5002')
    )
    expect(dry.exitCode).toBe(0)
    expect(commandLines(dry.stdout, 'warning')).toEqual([])
    expect(stateOf(aws, fresh.imageId)).toBe('available')

    const comment = only(ours(world, 40))
    expect(comment.id).toBe(first.id)
    const { top, folded } = parts(comment.body)
    expect(shownText(top)).toMatch(/Dry run: 1 image would be disabled in us-east-1/)
    expect(shownText(top)).toContain(fresh.imageId)
    expect(summary(folded)).toBe('Earlier runs on this pull request (1)')
    const [earlier, ...more] = entries(folded)
    expect(more).toEqual([])
    expect(earlier?.time).toMatch(ISO)
    expect(earlier?.rest).toBe('(run): ✅ 2 images disabled in us-east-1.')
    // The images it disabled, as EC2 listed them (newest first).
    expect(shownText(folded)).toContain(`disabled ${old[1].imageId} (us-east-1), ${old[0].imageId} (us-east-1)`)
    expect(links(folded)).toEqual([{ href: runUrl('5001'), text: 'run', kind: 'link' }])
    // The dry run's own images are its top, not an earlier run's.
    expect(folded).not.toContain(fresh.imageId)
  })

  test('three runs: two earlier entries, the latest first, each with its run link', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.addPullRequest(41, { headSha: 'b4b4b4b' })

    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' }, onPullRequest(41, '6001'))
    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest(41, '6002'))
    const newer = image(aws, 'golden-web-9', day(9))
    const third = await world.run({ 'image-id': newer.imageId, 'family-tag': 'role' }, onPullRequest(41, '6003'))
    expect(third.exitCode).toBe(0)

    const { top, folded } = parts(only(ours(world, 41)).body)
    expect(shownText(top)).toMatch(/1 image disabled in us-east-1/)
    expect(shownText(top)).toContain(fresh.imageId)
    expect(summary(folded)).toBe('Earlier runs on this pull request (2)')
    const list = entries(folded)
    expect(list.map((e) => e.rest)).toEqual([
      '(run): ✅ 1 image disabled in us-east-1.',
      '(run): 🧪 Dry run: 1 image would be disabled in us-east-1.'
    ])
    expect(list[0]!.time >= list[1]!.time).toBe(true)
    expect(links(folded).map((l) => l.href)).toEqual([runUrl('6002'), runUrl('6001')])
    expect(shownText(folded)).toContain(`disabled ${old[0].imageId} (us-east-1)`)
    expect(shownText(folded)).toContain(`would disable ${old[0].imageId} (us-east-1)`)
  })

  test('a comment of the previous version (the marker, no record) is updated in place; its earlier run is said to be unknown', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 1)
    github.addPullRequest(42, { headSha: 'c4c4c4c' })
    const previous = github.addComment(
      42,
      `${marker('role=web')}\n### Superseded AMIs: role\\=web\n\n✅ Disabled 1 image in us-east-1.\n`,
      BOT
    )

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest(42, '7001'))

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toEqual([])
    const comment = only(ours(world, 42))
    expect(comment.id).toBe(previous.id)
    const { top, folded } = parts(comment.body)
    expect(shownText(top)).toContain(old[0].imageId)
    expect(summary(folded)).toBe('Earlier runs on this pull request')
    expect(entries(folded)).toEqual([])
    expect(shownText(folded)).toContain('kept no record of its runs')
    expect(links(folded)).toEqual([])

    // The next run finds this run's record.
    const newer = image(aws, 'golden-web-9', day(9))
    await world.run({ 'image-id': newer.imageId, 'family-tag': 'role' }, onPullRequest(42, '7002'))
    const next = parts(only(ours(world, 42)).body).folded
    expect(entries(next).map((e) => e.rest)).toEqual(['(run): ✅ 1 image disabled in us-east-1.'])
    expect(links(next).map((l) => l.href)).toEqual([runUrl('7001')])
    expect(shownText(next)).toContain('kept no record of its runs')
  })
})
