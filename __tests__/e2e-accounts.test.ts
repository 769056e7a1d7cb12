/**
 * Issue 13, point 7: who else uses a shared image, end to end, with `consumer-role` assumed in the
 * other accounts (the emulator's STS): the comment names each other account with its launch
 * templates, groups and instances; `affected-accounts` and `affected-launch-templates` (with
 * `accountId`) say the same; the fix for another account's template says which account; what an
 * SSM parameter or a recipe points at is in use (`in-use: skip` keeps it), instances are not; a
 * role that cannot be assumed is a warning naming the account and the role; the assumed
 * credentials never reach the log, at debug level; thirty accounts fold and fit in one comment.
 */
import { commandLines } from './e2e/faults-world.js'
import { html, tables, text as shownText, type Table } from '../test-support/markdown.js'
import { only } from '../test-support/at.js'
import type { RunActionResult } from '../test-support/run-action.js'
import type { EmuImage } from '../test-support/emulator/ec2.js'
import type { AffectedAccount, AffectedTemplate } from '../test-support/output-shapes.js'
import { COMMENT_LIMIT } from '../src/report/markdown.js'
import {
  changesMade,
  consumer,
  CONSUMER,
  day,
  image,
  json,
  REGION,
  startWorld,
  stateOf,
  type World
} from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
  world.github.addPullRequest(PR, { headSha: 'aaaaaaa' })
})
afterEach(async () => {
  await world.close()
})

const PR = 7
const PR_EVENT = { eventName: 'pull_request', event: { pull_request: { number: PR } } }
const OWNER = '111122223333'
const ROLE = 'ami-usage-reader'
const roleArn = (account: string): string => `arn:aws:iam::${account}:role/${ROLE}`

interface ReportJson {
  regions: Array<{
    decisions: Array<{ imageId: string; decision: string; reason: string }>
    autoScalingGroups: Array<{ autoScalingGroupName: string; accountId?: string; imageId: string }>
    warnings: string[]
  }>
}

function commentBody(): string {
  return only(world.github.comments(PR).filter((c) => c.body.includes('<!-- disable-superseded-ami'))).body
}

/** The table under a `####` heading that starts with `title`. */
function tableAfter(body: string, title: string): Table {
  const lines = body.split('\n')
  const at = lines.findIndex((l) => l.startsWith(`#### ${title}`))
  if (at < 0) throw new Error(`no heading "${title}" in:\n${body}`)
  const found = tables(body).find((t) => t.lines[0] > at)
  if (!found) throw new Error(`no table after "${title}"`)
  return found
}

function column(t: Table, name: string): string[] {
  const i = t.header.indexOf(name)
  if (i < 0) throw new Error(`no column ${name} in ${t.header.join(', ')}`)
  return t.rows.map((r) => r[i] ?? '')
}

/** An image of the family (role=web), shared with `accounts`. */
function shared(name: string, n: number, accounts: string[]): EmuImage {
  return image(world.aws, name, day(n), { launchPermissions: accounts.map((userId) => ({ userId })) })
}

/**
 * golden-web-1 and -2 shared with the consumer, -3 the new image. The owner: a template on -1.
 * The consumer: a template on -1 (default and latest), a group on it, 3 instances of -1, and an
 * SSM parameter (aws:ec2:image) on -2.
 */
function shopScene() {
  const { aws } = world
  const old = [shared('golden-web-1', 1, [CONSUMER]), shared('golden-web-2', 2, [CONSUMER])] as const
  const fresh = image(aws, 'golden-web-3', day(3))
  const own = aws.addLaunchTemplate(REGION, { name: 'web-own', versions: [{ imageId: old[0].imageId }] })
  const shop = consumer(aws)
  const shopLt = shop.addLaunchTemplate(REGION, { name: 'shop-web', versions: [{ imageId: old[0].imageId }] })
  shop.addAutoScalingGroup(REGION, {
    name: 'shop-asg',
    launchTemplate: { launchTemplateId: shopLt.launchTemplateId, version: '$Default' },
    desiredCapacity: 3
  })
  shop.addInstances(REGION, 3, { imageId: old[0].imageId })
  shop.setSsmParameter(REGION, '/shop/golden', old[1].imageId, 'aws:ec2:image')
  return { old, fresh, own, shopLt }
}

describe('consumer-role: the other accounts, named', () => {
  test('the comment names the consumer account with its templates, groups, SSM parameter and instances; the outputs carry accountId', async () => {
    const { old, fresh, own, shopLt } = shopScene()

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'consumer-role': ROLE }, PR_EVENT)

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['disabled', 'disabled'])
    // the role was assumed in the consumer account, once, and nowhere else
    expect(world.aws.callsOf('sts:AssumeRole').map((c) => c.params['RoleArn'])).toEqual([roleArn(CONSUMER)])
    // the consumer's reads were made as the consumer
    const asConsumer = world.aws.calls.filter((c) => c.accountId === CONSUMER).map((c) => c.action)
    expect(asConsumer).toEqual(expect.arrayContaining(['DescribeLaunchTemplateVersions', 'DescribeAutoScalingGroups']))

    // affected-launch-templates: the owner's template with the owner's account, the consumer's with its own
    const templates = json<AffectedTemplate[]>(result.outputs['affected-launch-templates'])
    expect(templates.map((t) => [t.accountId, t.launchTemplateId, t.launchTemplateName, t.imageId]).sort()).toEqual(
      [
        [OWNER, own.launchTemplateId, 'web-own', old[0].imageId],
        [CONSUMER, shopLt.launchTemplateId, 'shop-web', old[0].imageId]
      ].sort()
    )
    // affected-accounts: the report counts, and what consumer-role named (instances counted there too)
    const accounts = json<AffectedAccount[]>(result.outputs['affected-accounts'])
    const key = (a: AffectedAccount) => [a.source, a.imageId, a.launchTemplates, a.instances]
    expect(accounts.every((a) => a.accountId === CONSUMER && a.region === REGION)).toBe(true)
    expect(accounts.map(key).sort()).toEqual(
      [
        ['usage-report', old[0].imageId, 1, 3],
        ['consumer-role', old[0].imageId, 1, 3],
        ['consumer-role', old[1].imageId, 0, 0]
      ].sort()
    )

    const body = commentBody()
    const text = shownText(body)
    // who loses access, and who uses the disabled images
    expect(text).toContain(`account ${CONSUMER}`)
    const others = tableAfter(body, 'Other accounts that use the disabled images (1)')
    expect(new Set(column(others, 'Account'))).toEqual(new Set([CONSUMER]))
    expect(column(others, 'Found by').sort()).toEqual(['consumer-role', 'consumer-role', 'usage report'])
    // the consumer's template, with its account and a fix that says which account
    const lt = tableAfter(body, 'Launch templates that still point at a disabled image')
    const shopRow = only(lt.rows.filter((r) => r.some((c) => c.includes('shop-web'))))
    expect(shopRow).toContain(CONSUMER)
    expect(shopRow.at(-1)).toMatch(
      new RegExp(`^in account ${CONSUMER}: create a version from version 1 with ${fresh.imageId}`)
    )
    const ownRow = only(lt.rows.filter((r) => r.some((c) => c.includes('web-own'))))
    expect(ownRow).toContain('this account')
    expect(body).toContain(`# in account ${CONSUMER}, with its credentials (share the new image with it first)`)
    expect(body).toContain(`--launch-template-id ${shopLt.launchTemplateId}`)
    // the consumer's group, in its account
    const groups = tableAfter(body, 'Auto Scaling groups that launch from them')
    expect(groups.rows.map((r) => [r[1], r[2], r[5]])).toEqual([[CONSUMER, 'shop-asg', '3']])
    const report = json<ReportJson>(result.outputs.report)
    expect(report.regions[0]?.autoScalingGroups).toEqual([
      expect.objectContaining({ autoScalingGroupName: 'shop-asg', accountId: CONSUMER, imageId: old[0].imageId })
    ])
    // the consumer's SSM parameter
    const refs = tableAfter(body, 'SSM parameters and Image Builder recipes that still point at a disabled image')
    expect(refs.rows.map((r) => [r[1], r[2], r[3], r[4]])).toEqual([
      [CONSUMER, 'SSM parameter', '/shop/golden', old[1].imageId]
    ])
    // the consumer's instances: counted once (named by consumer-role, not added to the report's count)
    expect(text).toContain('3 instances (3 in 1 other account) still run the disabled images')
    // what was checked says consumer-role, and "not checked" does not contradict it
    const last = text.trim().split('\n').pop() ?? ''
    expect(last).toMatch(
      /^Checked in us-east-1: .*usage reports of 2 shared images, 1 other account by consumer-role: /
    )
    expect(last).not.toMatch(/Not checked: .*(other accounts|SSM parameters)/)
  })

  test('an account that only the usage report names (the image is shared with its OU) is searched too', async () => {
    const { aws } = world
    const OU = 'arn:aws:organizations::111122223333:ou/o-abcdef1234/ou-abcd-11111111'
    const old = image(aws, 'golden-web-1', day(1), { launchPermissions: [{ organizationalUnitArn: OU }] })
    const fresh = image(aws, 'golden-web-2', day(2))
    const shop = consumer(aws, CONSUMER, { organizationalUnitArns: [OU] })
    shop.addLaunchTemplate(REGION, { name: 'shop-web', versions: [{ imageId: old.imageId }] })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'consumer-role': ROLE }, PR_EVENT)

    expect(result.exitCode).toBe(0)
    // the report first, then the role in the account it named
    const create = only(world.aws.callsOf('CreateImageUsageReport'))
    const assume = only(world.aws.callsOf('sts:AssumeRole'))
    expect(assume.params['RoleArn']).toBe(roleArn(CONSUMER))
    expect(assume.seq).toBeGreaterThan(create.seq)
    const templates = json<AffectedTemplate[]>(result.outputs['affected-launch-templates'])
    expect(templates.map((t) => [t.accountId, t.launchTemplateName])).toEqual([[CONSUMER, 'shop-web']])
    expect(
      json<AffectedAccount[]>(result.outputs['affected-accounts'])
        .map((a) => a.source)
        .sort()
    ).toEqual(['consumer-role', 'usage-report'])
  })

  test('consumer-role as an ARN template with {account}: that role is assumed', async () => {
    const { fresh } = shopScene()

    const result = await world.run({
      'image-id': fresh.imageId,
      'family-tag': 'role',
      'consumer-role': 'arn:aws:iam::{account}:role/platform/golden-reader'
    })

    expect(result.exitCode).toBe(0)
    expect(world.aws.callsOf('sts:AssumeRole').map((c) => c.params['RoleArn'])).toEqual([
      `arn:aws:iam::${CONSUMER}:role/platform/golden-reader`
    ])
  })
})

describe('consumer-role: what counts as in use', () => {
  /**
   * Six superseded images shared with the consumer: in the owner's account, -1 has an SSM parameter
   * (aws:ec2:image), -2 an Image Builder recipe, -3 only instances; in the consumer's, -4 an SSM
   * parameter, -5 a container recipe, -6 only instances. -7 is the new image.
   */
  function referencesScene() {
    const { aws } = world
    const old = [1, 2, 3, 4, 5, 6].map((n) => shared(`golden-web-${n}`, n, [CONSUMER]))
    const [o1, o2, o3, o4, o5, o6] = old.map((o) => o.imageId) as [string, string, string, string, string, string]
    const fresh = image(aws, 'golden-web-7', day(7))
    aws.setSsmParameter(REGION, '/golden/web/pinned', o1, 'aws:ec2:image')
    aws.addImageRecipe(REGION, { name: 'web-hardened', parentImage: o2 })
    aws.addInstances(REGION, 2, { imageId: o3 })
    const shop = consumer(aws)
    shop.setSsmParameter(REGION, '/shop/golden', o4, 'aws:ec2:image')
    shop.addImageRecipe(REGION, { name: 'shop-container', parentImage: o5, container: true })
    shop.addInstances(REGION, 4, { imageId: o6 })
    return { old, ids: [o1, o2, o3, o4, o5, o6], fresh }
  }

  test('in-use: skip keeps the images an SSM parameter or a recipe points at, in either account; instances do not keep one', async () => {
    const { ids, fresh } = referencesScene()

    const result = await world.run({
      'image-id': fresh.imageId,
      'family-tag': 'role',
      'in-use': 'skip',
      'consumer-role': ROLE
    })

    expect(result.exitCode).toBe(0)
    expect(ids.map((id) => stateOf(world.aws, id))).toEqual([
      'available',
      'available',
      'disabled',
      'available',
      'available',
      'disabled'
    ])
    expect(json<string[]>(result.outputs['disabled-image-ids']).sort()).toEqual([ids[2], ids[5]].sort())
    const decisions = json<ReportJson>(result.outputs.report).regions[0]?.decisions ?? []
    const reason = (id: string | undefined) => decisions.find((d) => d.imageId === id)?.reason
    expect(reason(ids[0])).toBe('in use by SSM parameter /golden/web/pinned (in-use: skip)')
    expect(reason(ids[1])).toBe('in use by Image Builder image recipe web-hardened/1.0.0 (in-use: skip)')
    expect(reason(ids[3])).toBe(`in use by SSM parameter /shop/golden in account ${CONSUMER} (in-use: skip)`)
    expect(reason(ids[4])).toBe(
      `in use by Image Builder container recipe shop-container/1.0.0 in account ${CONSUMER} (in-use: skip)`
    )
    // the instances of the two disabled images are counted, in both accounts
    expect(shownText(result.summary)).toContain(
      '6 instances (2 in this account, 4 in 1 other account) still run the disabled images'
    )
  })

  test('in-use: fail refuses, naming the SSM parameters and recipes of both accounts; nothing changes', async () => {
    const { ids, fresh } = referencesScene()

    const result = await world.run({
      'image-id': fresh.imageId,
      'family-tag': 'role',
      'in-use': 'fail',
      'consumer-role': ROLE
    })

    expect(result.exitCode).toBe(1)
    expect(changesMade(world.aws)).toEqual([])
    expect(result.stdout).toContain(`${ids[0]} is used by SSM parameter /golden/web/pinned`)
    expect(result.stdout).toContain(
      `${ids[4]} is used by Image Builder container recipe shop-container/1.0.0 in account ${CONSUMER}`
    )
    // instances only: not in the refusal
    expect(result.stdout).not.toContain(`${ids[2]} is used by`)
    expect(result.stdout).not.toContain(`${ids[5]} is used by`)
  })
})

describe('consumer-role: a role that cannot be assumed', () => {
  function deniedScene() {
    const { aws } = world
    const sharedOld = shared('golden-web-1', 1, [CONSUMER])
    const privateOld = image(aws, 'golden-web-2', day(2))
    const fresh = image(aws, 'golden-web-3', day(3))
    consumer(aws).addLaunchTemplate(REGION, { name: 'shop-web', versions: [{ imageId: sharedOld.imageId }] })
    aws.faults.denyAssumeRole.add(CONSUMER)
    return { sharedOld, privateOld, fresh }
  }

  test('in-use: report: a warning names the account and the role; the images are disabled; the report still counts the account', async () => {
    const { sharedOld, privateOld, fresh } = deniedScene()

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'consumer-role': ROLE }, PR_EVENT)

    expect(result.exitCode).toBe(0)
    expect([sharedOld, privateOld].map((o) => stateOf(world.aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(world.aws.callsOf('sts:AssumeRole').map((c) => c.errorCode)).toEqual(['AccessDenied'])
    const warnings = commandLines(result.stdout, 'warning')
    expect(warnings.some((w) => w.includes(`account ${CONSUMER}`) && w.includes(roleArn(CONSUMER)))).toBe(true)
    // nothing was read in the consumer account
    expect(world.aws.calls.filter((c) => c.accountId === CONSUMER)).toEqual([])
    // the usage report still counts its template
    expect(json<AffectedAccount[]>(result.outputs['affected-accounts'])).toEqual([
      expect.objectContaining({
        accountId: CONSUMER,
        imageId: sharedOld.imageId,
        launchTemplates: 1,
        source: 'usage-report'
      })
    ])
    expect(shownText(commentBody())).toContain(roleArn(CONSUMER))
  })

  test('in-use: skip (no usage report): the image shared with that account stays enabled, saying why; the unshared one is disabled', async () => {
    const { sharedOld, privateOld, fresh } = deniedScene()

    const result = await world.run({
      'image-id': fresh.imageId,
      'family-tag': 'role',
      'consumer-role': ROLE,
      'in-use': 'skip',
      'usage-report': 'false'
    })

    expect(result.exitCode).toBe(0)
    expect(stateOf(world.aws, sharedOld.imageId)).toBe('available')
    expect(stateOf(world.aws, privateOld.imageId)).toBe('disabled')
    const decisions = json<ReportJson>(result.outputs.report).regions[0]?.decisions ?? []
    expect(decisions.find((d) => d.imageId === sharedOld.imageId)?.reason).toContain(
      `the role ${roleArn(CONSUMER)} could not be assumed in account ${CONSUMER}`
    )
  })
})

/** Every credential the emulator's STS issued: what must never be printed. */
function issuedSecrets(world: World): string[] {
  return [...world.aws.state.sessions.values()].flatMap((s) => [s.accessKeyId, s.secretAccessKey, s.sessionToken])
}

function expectNoLeak(result: RunActionResult, secrets: string[]): void {
  const comments = world.github.comments(PR).map((c) => c.body)
  // the masking commands themselves are read by the runner, never shown
  const masks = new Set(secrets.map((s) => `::add-mask::${s}`))
  for (const secret of secrets) {
    // whole, URL-encoded, and its last 16 characters (the emulator's tokens share a prefix)
    for (const form of new Set([secret, encodeURIComponent(secret), secret.slice(-16)])) {
      const leaks = {
        stdout: result.stdout.split('\n').filter((l) => l.includes(form) && !masks.has(l)),
        stderr: result.stderr.includes(form),
        summary: result.summary.includes(form),
        outputs: JSON.stringify(result.outputs).includes(form),
        comments: comments.some((c) => c.includes(form))
      }
      expect({ form, leaks }).toEqual({
        form,
        leaks: { stdout: [], stderr: false, summary: false, outputs: false, comments: false }
      })
    }
  }
}

describe('consumer-role: the assumed credentials never reach the log', () => {
  const DEBUG = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }

  test('at debug level, in three accounts (one denied): every issued key, secret and token is masked before use and printed nowhere', async () => {
    const { aws } = world
    const B = '333344445555'
    const C = '444455556666'
    const old = shared('golden-web-1', 1, [CONSUMER, B, C])
    const fresh = image(aws, 'golden-web-2', day(2))
    for (const id of [CONSUMER, B])
      consumer(aws, id).addLaunchTemplate(REGION, { name: `lt-${id}`, versions: [{ imageId: old.imageId }] })
    aws.faults.denyAssumeRole.add(C)

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', 'consumer-role': ROLE },
      { ...PR_EVENT, env: DEBUG }
    )

    expect(result.exitCode).toBe(0)
    // debug level is on: the search's own debug lines are printed
    expect(commandLines(result.stdout, 'debug').some((l) => l.includes(`searching account ${CONSUMER}`))).toBe(true)
    const secrets = issuedSecrets(world)
    expect(secrets).toHaveLength(6)
    const masks = commandLines(result.stdout, 'add-mask')
    for (const secret of secrets) expect(masks).toContain(`::add-mask::${secret}`)
    // each set is masked before the first line about that account's search
    const lines = result.stdout.split('\n')
    for (const s of world.aws.state.sessions.values()) {
      const masked = lines.indexOf(`::add-mask::${s.secretAccessKey}`)
      const searching = lines.findIndex((l) => l.includes(`searching account ${s.accountId}`))
      expect(masked).toBeGreaterThanOrEqual(0)
      expect(masked).toBeLessThan(searching)
    }
    expectNoLeak(result, secrets)
  })

  test('at debug level, when a read in the consumer account fails: still masked, never printed', async () => {
    const { old, fresh } = shopScene()
    world.aws.faults.denyByAccount.set(CONSUMER, new Set(['ec2:DescribeLaunchTemplateVersions']))

    const result = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role', 'consumer-role': ROLE },
      { ...PR_EVENT, env: DEBUG }
    )

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(
      commandLines(result.stdout, 'warning').some(
        (w) => w.includes(`account ${CONSUMER}`) && w.includes('ec2:DescribeLaunchTemplateVersions')
      )
    ).toBe(true)
    const secrets = issuedSecrets(world)
    expect(secrets).toHaveLength(3)
    expectNoLeak(result, secrets)
  })
})

describe('consumer-role: many accounts', () => {
  test('30 accounts, each with 8 templates on the image: the accounts fold, every one is named, the comment fits', async () => {
    const { aws } = world
    const ids = Array.from({ length: 30 }, (_, i) => `5${String(i).padStart(2, '0')}000000000`.padEnd(12, '0'))
    const old = shared('golden-web-1', 1, ids)
    const fresh = image(aws, 'golden-web-2', day(2))
    for (const id of ids) {
      const a = consumer(aws, id)
      for (let t = 0; t < 8; t++) {
        const lt = a.addLaunchTemplate(REGION, { name: `app-${id}-${t}`, versions: [{ imageId: old.imageId }] })
        if (t === 0)
          a.addAutoScalingGroup(REGION, {
            name: `asg-${id}`,
            launchTemplate: { launchTemplateId: lt.launchTemplateId }
          })
      }
      a.addInstances(REGION, 2, { imageId: old.imageId })
    }

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'consumer-role': ROLE }, PR_EVENT)

    expect(result.exitCode).toBe(0)
    expect(world.aws.count('sts:AssumeRole')).toBe(30)
    expect(json<AffectedTemplate[]>(result.outputs['affected-launch-templates'])).toHaveLength(240)
    const accounts = json<AffectedAccount[]>(result.outputs['affected-accounts'])
    expect(new Set(accounts.map((a) => a.accountId))).toEqual(new Set(ids))
    expect(accounts.filter((a) => a.source === 'consumer-role').map((a) => [a.launchTemplates, a.instances])).toEqual(
      ids.map(() => [8, 2])
    )

    const body = commentBody()
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    // folded: a summary line with the counts; every account in the table
    expect(html(body)).toContain('<details><summary>30 accounts, 60 rows</summary>\n')
    const others = tableAfter(body, 'Other accounts that use the disabled images (30)')
    expect(new Set(column(others, 'Account'))).toEqual(new Set(ids))
    expect(shownText(body)).toContain('60 instances (60 in 30 other accounts) still run the disabled images')
    // the full lists are in the job summary
    expect(
      json<AffectedTemplate[]>(result.outputs['affected-launch-templates']).every((t) =>
        result.summary.includes(t.launchTemplateId)
      )
    ).toBe(true)
  })
})

describe('rollback: what points at the bad image in other accounts', () => {
  test("the bad image, shared with the consumer, is disabled and the consumer's template on it is named; skip keeps it", async () => {
    const { aws } = world
    const old = shared('golden-web-1', 1, [])
    const bad = shared('golden-web-2', 2, [CONSUMER])
    const first = await world.run({ 'image-id': bad.imageId, 'family-tag': 'role' }, PR_EVENT)
    expect(first.exitCode).toBe(0)
    expect(stateOf(aws, old.imageId)).toBe('disabled')
    const shopLt = consumer(aws).addLaunchTemplate(REGION, { name: 'shop-web', versions: [{ imageId: bad.imageId }] })
    const rollback = { command: 'rollback', 'image-id': bad.imageId, 'consumer-role': ROLE }

    const skipped = await world.run({ ...rollback, 'in-use': 'skip' }, PR_EVENT)

    // skip: what it superseded is back, the bad image stays enabled because the consumer launches it
    expect(skipped.exitCode).toBe(0)
    expect([stateOf(aws, old.imageId), stateOf(aws, bad.imageId)]).toEqual(['available', 'available'])
    const decisions = json<ReportJson>(skipped.outputs['report']).regions[0]?.decisions ?? []
    expect(decisions.find((d) => d.imageId === bad.imageId)?.reason).toMatch(new RegExp(`account ${CONSUMER}`))

    const reported = await world.run(rollback, PR_EVENT)

    // report: the bad image is disabled and the consumer's template on it is named, with its account
    expect(reported.exitCode).toBe(0)
    expect(stateOf(aws, bad.imageId)).toBe('disabled')
    const templates = json<AffectedTemplate[]>(reported.outputs['affected-launch-templates'])
    expect(templates.map((t) => [t.accountId, t.launchTemplateId])).toEqual([[CONSUMER, shopLt.launchTemplateId]])
    expect(world.aws.callsOf('sts:AssumeRole').map((c) => c.params['RoleArn'])).toContain(roleArn(CONSUMER))
  })
})
