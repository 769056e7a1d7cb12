/** enable, rollback and status, through the bundled action, against the local endpoint. */
import fc from 'fast-check'
import type { EmuImage, LaunchPermission } from '../test-support/emulator/ec2.js'
import { readRecord } from '../src/rules/lineage.js'
import { only } from '../test-support/at.js'
import { changesMade, day, family, image, json, REGION, startWorld, stateOf, type World } from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const ACCOUNTS = Array.from({ length: 40 }, (_, i) => String(200000000000 + i))
const OUS = [1, 2, 3].map((i) => `arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh1${i}`)
const ORG = 'arn:aws:organizations::111122223333:organization/o-abcdefghij'

/** The state and the sharing of an image, as a comparable value. */
function snapshot(img: EmuImage | undefined) {
  return (
    img && {
      state: img.state,
      public: img.public,
      launchPermissions: [...img.launchPermissions].map((p) => JSON.stringify(p)).sort()
    }
  )
}

describe('rollback', () => {
  test('disable then rollback returns every image to its exact state and sharing; the bad image is disabled', async () => {
    const { aws } = world
    const perms: LaunchPermission[] = [
      ...ACCOUNTS.map((userId) => ({ userId })),
      ...OUS.map((organizationalUnitArn) => ({ organizationalUnitArn })),
      { organizationArn: ORG }
    ]
    const wide = image(aws, 'golden-web-1', day(1), { public: true, launchPermissions: perms })
    const plain = image(aws, 'golden-web-2', day(2))
    const kept = image(aws, 'golden-web-3', day(3), { launchPermissions: [{ userId: '300000000000' }] })
    const bad = image(aws, 'golden-web-4', day(4), { launchPermissions: [{ userId: '400000000000' }] })
    const before = [wide, plain, kept].map((i) => snapshot(aws.image(REGION, i.imageId)))

    const disabled = await world.run({ 'image-id': bad.imageId, 'family-tag': 'role', keep: '1' })
    expect(disabled.exitCode).toBe(0)
    expect(stateOf(aws, wide.imageId)).toBe('disabled')
    expect(aws.image(REGION, wide.imageId)!.launchPermissions).toEqual([])

    const rolled = await world.run({ command: 'rollback', 'image-id': `${REGION}:${bad.imageId}` })

    expect(rolled.exitCode).toBe(0)
    expect([wide, plain, kept].map((i) => snapshot(aws.image(REGION, i.imageId)))).toEqual(before)
    expect(stateOf(aws, bad.imageId)).toBe('disabled')
    expect(json<string[]>(rolled.outputs['enabled-image-ids']).sort()).toEqual([wide.imageId, plain.imageId].sort())
    expect(json<string[]>(rolled.outputs['disabled-image-ids'])).toEqual([bad.imageId])
    // The bad image's own sharing is recorded, so the rollback can be undone.
    const record = readRecord(aws.image(REGION, bad.imageId)!.tags)
    expect(record?.sharing.userIds).toEqual(['400000000000'])
    expect(record?.lineage.reason).toBe('rolled-back')
    // Re-enabled images are marked.
    expect(readRecord(aws.image(REGION, wide.imageId)!.tags)?.lineage.reenabledAt).toMatch(/^20/)

    // Undo the rollback: the bad image is enabled again with its sharing.
    const undo = await world.run({ command: 'enable', 'image-id': bad.imageId })
    expect(undo.exitCode).toBe(0)
    expect(snapshot(aws.image(REGION, bad.imageId))).toEqual({
      state: 'available',
      public: false,
      launchPermissions: [JSON.stringify({ userId: '400000000000' })]
    })
  })

  test('a second rollback changes nothing more', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    await world.run({ command: 'rollback', 'image-id': fresh.imageId })
    aws.clearCalls()

    const again = await world.run({ command: 'rollback', 'image-id': fresh.imageId })

    expect(again.exitCode).toBe(0)
    expect(changesMade(aws)).toEqual([])
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
  })

  test('several regions at once', async () => {
    const { aws } = world
    const east = family(aws, 2, 'golden-web', 'us-east-1')
    const west = family(aws, 1, 'golden-web', 'eu-west-1')
    const ids = `us-east-1:${east.fresh.imageId},eu-west-1:${west.fresh.imageId}`
    expect((await world.run({ 'image-id': ids, 'family-tag': 'role' })).exitCode).toBe(0)

    const rolled = await world.run({ command: 'rollback', 'image-id': ids })

    expect(rolled.exitCode).toBe(0)
    expect(east.old.map((o) => stateOf(aws, o.imageId, 'us-east-1'))).toEqual(['available', 'available'])
    expect(stateOf(aws, west.old[0].imageId, 'eu-west-1')).toBe('available')
    expect(stateOf(aws, east.fresh.imageId, 'us-east-1')).toBe('disabled')
    expect(stateOf(aws, west.fresh.imageId, 'eu-west-1')).toBe('disabled')
  })

  test('an image that superseded nothing stays enabled: the step fails and says why', async () => {
    const { aws } = world
    const lonely = image(aws, 'golden-solo-1', day(1))

    const rolled = await world.run({ command: 'rollback', 'image-id': lonely.imageId })

    expect(rolled.exitCode).toBe(1)
    expect(rolled.stdout).toMatch(/superseded 0 image/)
    expect(rolled.stdout).toMatch(
      /::error::.*stays enabled in us-east-1: it superseded no image, so disabling it would leave no image to launch/
    )
    expect(stateOf(aws, lonely.imageId)).toBe('available')
    expect(changesMade(aws)).toEqual([])
    expect(json(rolled.outputs['disabled-image-ids'])).toEqual([])
  })

  test('a launch template on the bad image: reported in the outputs; in-use: fail changes nothing', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)
    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    const lt = aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: fresh.imageId }] })
    aws.clearCalls()

    const refused = await world.run({ command: 'rollback', 'image-id': fresh.imageId, 'in-use': 'fail' })

    expect(refused.exitCode).toBe(1)
    expect(refused.stdout).toMatch(/::error::refusing to roll back: .*web-prod.*\(in-use: fail\)/)
    expect(changesMade(aws)).toEqual([])
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')

    const rolled = await world.run({ command: 'rollback', 'image-id': fresh.imageId })

    expect(rolled.exitCode).toBe(0)
    expect(stateOf(aws, old[0].imageId)).toBe('available')
    expect(stateOf(aws, fresh.imageId)).toBe('disabled')
    expect(json(rolled.outputs['affected-launch-templates'])).toEqual([
      expect.objectContaining({
        region: REGION,
        launchTemplateId: lt.launchTemplateId,
        launchTemplateName: 'web-prod',
        versionNumber: 1,
        imageId: fresh.imageId
      })
    ])
    const report = json<{ regions: Array<{ launchTemplates: Array<{ launchTemplateName: string }> }> }>(
      rolled.outputs.report
    )
    expect(report.regions[0]?.launchTemplates.map((t) => t.launchTemplateName)).toEqual(['web-prod'])
    expect(rolled.stdout).toMatch(
      /::warning::.*still pointing at images being disabled, so their next launch will fail: .*web-prod/
    )
  })

  test('if an image cannot be re-enabled, the bad image stays enabled', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    aws.faults.failImages.set(old[0].imageId, { action: 'EnableImage', code: 'InternalError', status: 500 })

    const rolled = await world.run({ command: 'rollback', 'image-id': fresh.imageId })

    expect(rolled.exitCode).toBe(1)
    expect(stateOf(aws, old[1].imageId)).toBe('available')
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(rolled.stdout).toContain(old[0].imageId)
  })

  test('a dry run of a rollback checks every change and changes nothing', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.image(REGION, old[0].imageId)!.launchPermissions.push({ userId: '600000000000' })
    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    aws.clearCalls()

    const dry = await world.run({ command: 'rollback', 'image-id': fresh.imageId, 'dry-run': 'true' })

    expect(dry.exitCode).toBe(0)
    expect(changesMade(aws)).toEqual([])
    expect(dry.stdout).not.toMatch(/::warning::/)
    expect(dry.stdout).toMatch(/would re-enable/)
    expect(dry.stdout).toMatch(/would disable/)
    expect(json(dry.outputs['enabled-image-ids'])).toEqual([])
    expect(aws.callsOf('EnableImage').map((c) => c.errorCode)).toEqual(['DryRunOperation', 'DryRunOperation'])
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
  })

  test('comments on the pull request named by the input', async () => {
    const { aws, github } = world
    const { fresh } = family(aws, 1)
    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    github.addPullRequest(31, { headSha: '0123abc' })

    const rolled = await world.run({ command: 'rollback', 'image-id': fresh.imageId, 'pull-request': '31' })

    expect(rolled.exitCode).toBe(0)
    const comment = only(github.comments(31))
    expect(comment.body).toContain('AMI rollback')
    expect(comment.body).toContain(fresh.imageId)
    expect(rolled.summary).toContain('Re-enabled')
  })

  test('property: for random families and sharing, disable then rollback restores every image exactly', async () => {
    const account = fc.integer({ min: 100000000000, max: 999999999999 }).map(String)
    const sharing = fc.record({
      public: fc.boolean(),
      accounts: fc.uniqueArray(account, { maxLength: 45 }),
      ous: fc.uniqueArray(
        fc
          .integer({ min: 10000000, max: 99999999 })
          .map((n) => `arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-${n}`),
        { maxLength: 4 }
      )
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ sharing, excluded: fc.boolean() }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 3 }),
        async (members, keep) => {
          const w = await startWorld()
          try {
            const olds = members.map((m, i) =>
              image(w.aws, `golden-web-${i}`, day(1, i), {
                public: m.sharing.public,
                launchPermissions: [
                  ...m.sharing.accounts.map((userId) => ({ userId })),
                  ...m.sharing.ous.map((organizationalUnitArn) => ({ organizationalUnitArn }))
                ],
                tags: [{ key: 'role', value: 'web' }, ...(m.excluded ? [{ key: 'pinned', value: 'yes' }] : [])]
              })
            )
            const bad = image(w.aws, 'golden-web-new', day(2))
            const before = olds.map((o) => snapshot(w.aws.image(REGION, o.imageId)))
            const d = await w.run({
              'image-id': bad.imageId,
              'family-tag': 'role',
              keep: String(keep),
              'exclude-tags': 'pinned'
            })
            expect(d.exitCode).toBe(0)
            const superseded = json<string[]>(d.outputs['disabled-image-ids']).length
            const r = await w.run({ command: 'rollback', 'image-id': bad.imageId })
            expect(olds.map((o) => snapshot(w.aws.image(REGION, o.imageId)))).toEqual(before)
            // A bad image that superseded nothing (everything kept or excluded) has nothing to go
            // back to: it stays enabled, and the step fails.
            expect(r.exitCode).toBe(superseded > 0 ? 0 : 1)
            expect(stateOf(w.aws, bad.imageId)).toBe(superseded > 0 ? 'disabled' : 'available')
          } finally {
            await w.close()
          }
        }
      ),
      { numRuns: 8 }
    )
  }, 120_000)
})

describe('enable', () => {
  test('an image this action never disabled is just enabled, with a warning that no sharing was restored', async () => {
    const { aws } = world
    const img = image(aws, 'golden-web-1', day(1), { state: 'disabled' })

    const result = await world.run({ command: 'enable', 'image-id': img.imageId })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, img.imageId)).toBe('available')
    expect(json(result.outputs['enabled-image-ids'])).toEqual([img.imageId])
    expect(result.stdout).toMatch(/no sharing record/)
  })

  test('public sharing refused by block public access: a warning, the rest is restored', async () => {
    const { aws } = world
    const img = image(aws, 'golden-web-1', day(1), { public: true, launchPermissions: [{ userId: '500000000000' }] })
    const fresh = image(aws, 'golden-web-2', day(2))
    await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    aws.faults.blockPublicAccess.add('*')

    const result = await world.run({ command: 'enable', 'image-id': img.imageId })

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/::warning::.*public sharing not restored/)
    expect(snapshot(aws.image(REGION, img.imageId))).toEqual({
      state: 'available',
      public: false,
      launchPermissions: [JSON.stringify({ userId: '500000000000' })]
    })
  })

  test('an id that does not exist changes nothing', async () => {
    const { aws } = world
    const img = image(aws, 'golden-web-1', day(1), { state: 'disabled' })

    const result = await world.run({ command: 'enable', 'image-id': `${img.imageId},ami-0123456789abcdef0` })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/ami-0123456789abcdef0 was not found/)
    expect(changesMade(aws)).toEqual([])
  })
})

describe('status', () => {
  test('passes when every image is available and outputs the shared state', async () => {
    const { aws } = world
    const a = image(aws, 'golden-web-1', day(1), { deprecationTime: '2027-01-01T00:00:00.000Z' })
    const b = image(aws, 'golden-web-2', day(2), {}, 'eu-west-1')

    const result = await world.run({ command: 'status', 'image-id': `${a.imageId},eu-west-1:${b.imageId}` })

    expect(result.exitCode).toBe(0)
    expect(result.outputs.state).toBe('available')
    const report = json<{
      status: Array<{ imageId: string; region: string; state: string; name: string; deprecationTime?: string }>
    }>(result.outputs.report)
    expect(report.status).toEqual([
      expect.objectContaining({
        imageId: a.imageId,
        region: REGION,
        state: 'available',
        name: 'golden-web-1',
        deprecationTime: '2027-01-01T00:00:00.000Z'
      }),
      expect.objectContaining({ imageId: b.imageId, region: 'eu-west-1', state: 'available' })
    ])
    expect(changesMade(aws)).toEqual([])
  })

  test('fails when one is disabled (mixed), and reports a missing id as not-found', async () => {
    const { aws } = world
    const a = image(aws, 'golden-web-1', day(1))
    const b = image(aws, 'golden-web-2', day(2), { state: 'disabled' })

    const result = await world.run({ command: 'status', 'image-id': `${a.imageId},${b.imageId},ami-0123456789abcdef0` })

    expect(result.exitCode).toBe(1)
    expect(result.outputs.state).toBe('mixed')
    const report = json<{ status: Array<{ imageId: string; state: string }> }>(result.outputs.report)
    expect(report.status.map((s) => s.state)).toEqual(['available', 'disabled', 'not-found'])
    expect(result.stdout).toMatch(/::error::.*not available/)
  })

  test('run outside a runner (no GITHUB_STEP_SUMMARY): the step still succeeds, quietly', async () => {
    const { aws } = world
    const a = image(aws, 'golden-web-1', day(1))

    const result = await world.run({ command: 'status', 'image-id': a.imageId }, { env: { GITHUB_STEP_SUMMARY: '' } })

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('No job summary')
    expect(result.stdout).toContain('Every image is available.')
    expect(result.stdout).not.toMatch(/::(notice|warning|error)::/)
  })

  test('require-state: disabled passes for disabled images', async () => {
    const { aws } = world
    const b = image(aws, 'golden-web-2', day(2), { state: 'disabled' })

    const result = await world.run({ command: 'status', 'image-id': b.imageId, 'require-state': 'disabled' })

    expect(result.exitCode).toBe(0)
    expect(result.outputs.state).toBe('disabled')
  })

  test('an unknown require-state is a bad input', async () => {
    const result = await world.run({ command: 'status', 'image-id': 'ami-0123456789abcdef0', 'require-state': 'gone' })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/Input 'require-state'/)
    expect(world.aws.calls).toEqual([])
  })
})
