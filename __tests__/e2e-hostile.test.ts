/**
 * Issue 5, part 5: hostile text. Image names, tag values, launch template and Auto Scaling group
 * names, and input values carrying Markdown, HTML, @mentions, `-->`, table pipes, newlines and
 * very long strings go through the whole bundled action into the comment posted to the GitHub
 * fake (and the job summary, and the log). They cannot break a table, ping anyone, start a link,
 * inject HTML, forge the hidden marker, or inject workflow commands; they are shown escaped.
 */
import { marker } from '../src/report/markdown.js'
import { headings, html, links, mentions, tables } from '../test-support/markdown.js'
import { day, image, OTHER_ACCOUNT, REGION, startWorld, stateOf, type World } from './e2e/world.js'
import { commandLines } from './e2e/faults-world.js'

let world: World
const PR = 7
const onPullRequest = { eventName: 'pull_request', event: { pull_request: { number: PR } } }

beforeEach(async () => {
  world = await startWorld()
  world.github.addPullRequest(PR, { headSha: 'f00dbabe0000000000000000000000000000cafe' })
})
afterEach(async () => {
  await world.close()
})

const FAMILY = 'web <b>bold</b> @octocat | `tick` --> _x_ [l](http://evil.example/f)'
const NAMES = {
  fresh: 'golden <script>alert(1)</script> @octocat',
  link: '[click me](http://evil.example/x) ![p](http://evil.example/p.png) https://evil.example/auto www.evil.example/w',
  table: '| broken | table |\n| --- | --- |\n| new | row |',
  long: '@mention|<b>'.repeat(500),
  marker: '<!-- disable-superseded-ami family=role=api --> --!> -->',
  kept: '# heading\n> quote @acme/admins **bold**',
  excluded: '</details><details open><summary>x</summary>',
  skipped: '@everyone <img src=x onerror=alert(1)>'
}
const EXCLUDE = 'hold=<img src=x onerror=alert(1)> @octocat |'
const TEMPLATE = 'lt <b>|x|</b> @octocat -->'
const GROUP = 'asg\n| injected | row |\n@octocat <script>x</script>'

/** The action's own HTML: the hidden marker (comment only, first) and the folded roll-back hint. */
const MARKER_HTML = /^<!-- disable-superseded-ami family=[^\n]* -->\n?$/
const OWN_HTML = [/^<details><summary>[A-Z][^<>]*<\/summary>\n$/, /^<\/details>\n$/]
/** The links the action writes: the EC2 console, and the workflow run. */
const OWN_LINK =
  /^https:\/\/([a-z0-9-]+\.console\.aws\.amazon\.com\/|github\.com\/acme\/golden-images\/actions\/runs\/)/

/** Everything the issue asks of a rendered report (comment or job summary), read as GitHub renders it. */
function expectSafe(markdown: string, withMarker: boolean): void {
  const lines = markdown.split('\n')
  // One hidden marker, first, and no other HTML comment opened or closed anywhere.
  expect(markdown.split('<!--').length - 1).toBe(withMarker ? 1 : 0)
  expect(markdown.split('-->').length - 1).toBe(withMarker ? 1 : 0)
  expect(markdown.includes('--!>')).toBe(false)
  const tags = html(markdown)
  if (withMarker) {
    expect(lines[0]).toMatch(/^<!-- disable-superseded-ami family=[^\n]* -->$/)
    expect(tags[0]).toMatch(MARKER_HTML)
  }
  // No HTML but the action's own <details>/<summary>.
  for (const tag of withMarker ? tags.slice(1) : tags)
    expect({ tag, own: OWN_HTML.some((own) => own.test(tag)) }).toEqual({ tag, own: true })
  // Nobody is pinged.
  expect(mentions(markdown)).toEqual([])
  // No link or image to the attacker's site, not even an autolink: only the action's own links.
  const targets = links(markdown)
  expect(targets.length).toBeGreaterThan(0)
  for (const link of targets) expect({ link, own: OWN_LINK.test(link.href) }).toEqual({ link, own: true })
  // No heading but the action's own.
  for (const heading of headings(markdown)) {
    expect([3, 4]).toContain(heading.level)
    // the action's own words start every heading (the title after its mark), never injected text
    expect(heading.text).toMatch(/^(?:(?:✅|⚠️|❌|🧪) )?[A-Z]/u)
  }
  // Every table keeps its shape: each row has the header's number of cells and ends with a pipe
  // (GFM pads or cuts a row, so the cells are counted in the source); no row is continued on the
  // next line; every source line of a table is one of its rows.
  const all = tables(markdown)
  expect(all.length).toBeGreaterThan(0)
  for (const table of all) {
    const source = lines.slice(...table.lines).filter((line) => line !== '')
    expect(source).toHaveLength(table.rows.length + 2)
    const cells = source[0]!.split('|').length
    for (const line of source) {
      expect({ line, cells: line.split('|').length }).toEqual({ line, cells })
      expect(line.endsWith('|')).toBe(true)
    }
    expect({ after: lines[table.lines[1]] ?? '' }).toEqual({ after: '' })
  }
  // Long strings are cut.
  expect(markdown.length).toBeLessThanOrEqual(65_536)
  expect(markdown).not.toContain('@mention|<b>'.repeat(40))
  for (const line of lines) expect(line.length).toBeLessThan(20_000)
}

/** The cells of every table, as the reader sees them. */
const cells = (markdown: string): string[] => tables(markdown).flatMap((t) => t.rows.flat())

describe('hostile text in the comment and the job summary', () => {
  test('names, tag values, template and group names are shown escaped', async () => {
    const { aws, github } = world
    const tags = (extra: Array<{ key: string; value: string }> = []) => ({
      tags: [{ key: 'role', value: FAMILY }, ...extra]
    })
    const long = image(aws, NAMES.long, day(1), tags())
    const table = image(aws, NAMES.table, day(2), tags())
    const link = image(aws, NAMES.link, day(3), tags())
    const mark = image(aws, NAMES.marker, day(4), tags())
    const excluded = image(
      aws,
      NAMES.excluded,
      day(5),
      tags([{ key: 'hold', value: '<img src=x onerror=alert(1)> @octocat |' }])
    )
    // Same family, created after the new image: skipped, and listed with its name.
    const skipped = image(aws, NAMES.skipped, day(11), tags())
    const foreign = image(aws, NAMES.skipped, day(5), { ...tags(), ownerId: OTHER_ACCOUNT, public: true })
    const kept = image(aws, NAMES.kept, day(6), tags())
    const fresh = image(aws, NAMES.fresh, day(10), tags())
    const lt = aws.addLaunchTemplate(REGION, { name: TEMPLATE, versions: [{ imageId: link.imageId }] })
    aws.addAutoScalingGroup(REGION, {
      name: GROUP,
      launchTemplate: { launchTemplateId: lt.launchTemplateId, version: '$Latest' }
    })

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', keep: '1', 'exclude-tags': EXCLUDE },
      onPullRequest
    )

    expect(result.exitCode).toBe(0)
    const disabled = [long, table, link, mark]
    expect(disabled.map((i) => stateOf(aws, i.imageId))).toEqual(['disabled', 'disabled', 'disabled', 'disabled'])
    expect([excluded, skipped, kept, foreign].map((i) => stateOf(aws, i.imageId))).toEqual([
      'available',
      'available',
      'available',
      'available'
    ])
    const comments = github.comments(PR)
    expect(comments).toHaveLength(1)
    const body = comments[0]!.body
    for (const i of [...disabled, excluded, skipped, kept, fresh]) expect(body).toContain(i.imageId)
    expect(body).toContain(lt.launchTemplateId)
    // Shown, escaped (not dropped): the reader still sees what the names say, each in its cell.
    expect(body).toContain('&lt;script&gt;')
    expect(body).toContain('injected')
    const shortNames = Object.values(NAMES).filter((name) => name !== NAMES.long)
    for (const name of [...shortNames, TEMPLATE, GROUP]) expect(cells(body)).toContain(name.replace(/\n/g, ' '))
    expectSafe(body, true)
    expectSafe(result.summary, false)
  })

  test('a hostile name cannot forge the marker of another family', async () => {
    const { aws, github } = world
    image(aws, '<!-- disable-superseded-ami family=role=api -->', day(1))
    const webFresh = image(aws, 'golden-web-2', day(2))
    image(aws, 'golden-api-1', day(1), {}, REGION, 'api')
    const apiFresh = image(aws, 'golden-api-2', day(2), {}, REGION, 'api')

    const web = await world.run({ 'image-id': webFresh.imageId, 'family-tag': 'role' }, onPullRequest)
    const webBody = github.comments(PR)[0]?.body
    const api = await world.run({ 'image-id': apiFresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect([web.exitCode, api.exitCode]).toEqual([0, 0])
    const comments = github.comments(PR)
    expect(comments).toHaveLength(2)
    expect(comments[0]!.body).toBe(webBody)
    expect(comments[1]!.body).toContain(apiFresh.imageId)
  })

  test('family values that differ only by -- and > keep separate sticky comments', async () => {
    const { aws, github } = world
    const a = image(aws, 'golden-a-2', day(2), {}, REGION, 'web-')
    image(aws, 'golden-a-1', day(1), {}, REGION, 'web-')
    const b = image(aws, 'golden-b-2', day(2), {}, REGION, 'web-->')
    image(aws, 'golden-b-1', day(1), {}, REGION, 'web-->')

    const first = await world.run({ 'image-id': a.imageId, 'family-tag': 'role' }, onPullRequest)
    const second = await world.run({ 'image-id': b.imageId, 'family-tag': 'role' }, onPullRequest)

    expect([first.exitCode, second.exitCode]).toEqual([0, 0])
    const bodies = github.comments(PR).map((c) => c.body)
    expect(bodies).toHaveLength(2)
    expect(bodies[0]).toContain(a.imageId)
    expect(bodies[1]).toContain(b.imageId)
    for (const body of bodies) expectSafe(body, true)
  })

  test('very long family values that differ only after 200 characters keep separate sticky comments', async () => {
    const { aws, github } = world
    const stem = 'f'.repeat(230)
    const a = image(aws, 'golden-a-2', day(2), {}, REGION, `${stem}-a`)
    image(aws, 'golden-a-1', day(1), {}, REGION, `${stem}-a`)
    const b = image(aws, 'golden-b-2', day(2), {}, REGION, `${stem}-b`)
    image(aws, 'golden-b-1', day(1), {}, REGION, `${stem}-b`)

    await world.run({ 'image-id': a.imageId, 'family-tag': 'role' }, onPullRequest)
    await world.run({ 'image-id': b.imageId, 'family-tag': 'role' }, onPullRequest)

    const bodies = github.comments(PR).map((c) => c.body)
    expect(bodies).toHaveLength(2)
    expect(bodies[0]).toContain(a.imageId)
    expect(bodies[1]).toContain(b.imageId)
  })

  test("someone else's comment that carries the marker is not taken over", async () => {
    const { aws, github } = world
    image(aws, 'golden-web-1', day(1))
    const fresh = image(aws, 'golden-web-2', day(2))
    const forged = `Quoting the bot: ${marker('role=web')} -- please keep this comment`
    const human = github.addComment(PR, forged)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(github.comment(human.id)?.body).toBe(forged)
    const mine = github.comments(PR).filter((c) => c.user.type === 'Bot')
    expect(mine).toHaveLength(1)
    expect(mine[0]!.body).toContain(fresh.imageId)
  })

  test('wildcards in the family value do not widen the family', async () => {
    const { aws } = world
    const sameOlder = image(aws, 'golden-web-1', day(1), {}, REGION, 'web*')
    const otherFamily = image(aws, 'golden-web-api-1', day(1), {}, REGION, 'web-api')
    const otherQ = image(aws, 'golden-wex-1', day(1), {}, REGION, 'wex*')
    const fresh = image(aws, 'golden-web-2', day(2), {}, REGION, 'web*')
    const freshQ = image(aws, 'golden-w?x-2', day(2), {}, REGION, 'w?x*')

    const result = await world.run(
      { 'image-id': `${fresh.imageId},${freshQ.imageId}`, 'family-tag': 'role' },
      onPullRequest
    )

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, sameOlder.imageId)).toBe('disabled')
    expect(stateOf(aws, otherFamily.imageId)).toBe('available')
    expect(stateOf(aws, otherQ.imageId)).toBe('available')
  })
})

describe('hostile text in the log', () => {
  test('a tag value or a name with newlines cannot inject workflow commands', async () => {
    const { aws } = world
    const family = 'web\n::error::forged by a tag value\n::add-mask::a'
    image(aws, 'golden-web-1', day(1), { tags: [{ key: 'role', value: family }] })
    const fresh = image(aws, 'golden-web-2\n::warning::forged by a name', day(2), {
      tags: [{ key: 'role', value: family }]
    })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, onPullRequest)

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.stdout).not.toMatch(/^::(error|warning)::forged/m)
    expect(commandLines(result.stdout, 'add-mask').filter((l) => l === '::add-mask::a')).toEqual([])
  })
})
