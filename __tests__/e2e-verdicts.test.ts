/**
 * What the comment and the job summary say first, end to end: the README's defaults over images
 * that groups launch from give a warning, never a success mark; a dry run says "would" (log and
 * comment); a refused run says nothing changed, with no table titled as if it had; the fixes
 * for a pinned group and a launch configuration are in the comment.
 */
import { headings, inlineText, text as shownText } from '../test-support/markdown.js'
import { only } from '../test-support/at.js'
import { family, REGION, startWorld, stateOf, type World } from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const PR = { eventName: 'pull_request', event: { pull_request: { number: 7 } } }

function commentBody(): string {
  return only(world.github.comments(7).filter((c) => c.body.includes('<!-- disable-superseded-ami'))).body
}

/** The verdict line as a reader sees it: the first line after the title that starts with a mark. */
function verdictOf(body: string): string {
  return inlineText(body.split('\n').find((l) => /^(✅|⚠️|❌|🧪) /u.test(l)) ?? '')
}

/** A family of three whose two older images are launched from: a template on $Default, a group pinned to version 1, a launch configuration. */
function scene() {
  const { aws } = world
  const { old, fresh } = family(aws, 3)
  const lt = aws.addLaunchTemplate(REGION, {
    name: 'web-prod',
    versions: [{ imageId: old[0].imageId }, { imageId: old[1].imageId }]
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'web-asg',
    desiredCapacity: 6,
    launchTemplate: { launchTemplateId: lt.launchTemplateId, version: '1' }
  })
  aws.addLaunchConfiguration(REGION, { name: 'legacy-lc', imageId: old[2].imageId })
  aws.addAutoScalingGroup(REGION, { name: 'legacy-asg', desiredCapacity: 3, launchConfigurationName: 'legacy-lc' })
  world.github.addPullRequest(7, { headSha: 'aaaaaaa' })
  return { old, fresh, lt }
}

test('the defaults over images still launched from: ⚠️ first, in the title, the verdict and the job summary', async () => {
  const { old, fresh } = scene()

  const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, PR)

  expect(result.exitCode).toBe(0)
  expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['disabled', 'disabled', 'disabled'])
  const body = commentBody()
  expect(headings(body)[0]?.text).toBe('⚠️ Superseded AMIs of role=web: disabled 3')
  expect(verdictOf(body)).toBe(
    '⚠️ 3 images disabled in us-east-1; 2 launch template versions, 2 Auto Scaling groups and 1 launch configuration will fail their next launch.'
  )
  expect(body).not.toContain('✅')
  const summary = result.summary
  expect(headings(summary)[0]?.text).toBe('⚠️ Superseded AMIs of role=web: disabled 3')
  // The group pinned to version 1, its desired capacity, and its fix.
  const text = shownText(body)
  expect(text).toContain('1 (pinned)')
  expect(body).toContain("--auto-scaling-group-name 'web-asg'")
  expect(text).toMatch(
    /a launch configuration cannot be changed: create a launch template .* and point legacy-asg at it/
  )
  expect(text).toMatch(/Checked in us-east-1: .*launch configurations, .*\. Not checked: /)
})

test('a dry run says "would" in the comment and the log, and warns of what would fail', async () => {
  const { old, fresh } = scene()

  const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' }, PR)

  expect(result.exitCode).toBe(0)
  expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['available', 'available', 'available'])
  const body = commentBody()
  expect(headings(body)[0]?.text).toBe('⚠️ Superseded AMIs of role=web: would disable 3 (dry run)')
  expect(verdictOf(body)).toMatch(
    /^⚠️ Dry run: 3 images would be disabled in us-east-1; .* would fail their next launch\.$/
  )
  expect(shownText(body)).not.toMatch(/\bwill fail\b|\bstill point/)
  expect(result.stdout).toMatch(/would be disabled, so their next launch would fail/)
  expect(result.stdout).not.toMatch(/^\[us-east-1\] disabled /m)
  expect(result.stdout).toMatch(
    /^Dry run: 3 images would be disabled in us-east-1; .* would fail their next launch\.$/m
  )
})

test('a refused run says nothing was changed and why, and lists what it would have disabled as not disabled', async () => {
  const { old, fresh } = scene()

  const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'max-images': '2' }, PR)

  expect(result.exitCode).toBe(1)
  expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['available', 'available', 'available'])
  const body = commentBody()
  expect(headings(body)[0]?.text).toBe('❌ Superseded AMIs of role=web: refused, nothing changed')
  expect(verdictOf(body)).toMatch(/^❌ Nothing was changed: refusing to disable anything: 3 images would be disabled/)
  const titles = headings(body).map((h) => h.text)
  expect(titles).toContain('Not disabled: the run was refused')
  expect(titles).not.toContain('Disabled')
  expect(shownText(body)).not.toMatch(/will fail/)
})

test('nothing points at the images: ✅, and the closing line still says what was not checked', async () => {
  const { aws } = world
  const { fresh } = family(aws, 2)
  world.github.addPullRequest(7, { headSha: 'aaaaaaa' })

  await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, PR)

  const body = commentBody()
  expect(verdictOf(body)).toBe('✅ 2 images disabled in us-east-1.')
  expect(shownText(body)).toMatch(/Not checked: EC2 Fleet and Spot Fleet requests/)
})
