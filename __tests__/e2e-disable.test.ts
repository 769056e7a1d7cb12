/** The bundled action's `disable` command, run as a runner runs it, against the local endpoints. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRecord } from '../src/rules/lineage.js'
import { at } from '../test-support/at.js'
import {
  changesMade,
  day,
  family,
  image,
  json,
  OTHER_ACCOUNT,
  REGION,
  startWorld,
  stateOf,
  type World
} from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

describe('disable: the family', () => {
  test('by tag: every older image of the family is disabled, other families and the new image are not', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 3)
    const otherFamily = image(aws, 'golden-api-1', day(1), {}, REGION, 'api')
    const untagged = image(aws, 'golden-web-untagged', day(1), {}, REGION, null)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    for (const o of old) expect(stateOf(aws, o.imageId)).toBe('disabled')
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(stateOf(aws, otherFamily.imageId)).toBe('available')
    expect(stateOf(aws, untagged.imageId)).toBe('available')
    expect(json<string[]>(result.outputs['disabled-image-ids']).sort()).toEqual(old.map((o) => o.imageId).sort())
    const report = json<{
      success: boolean
      regions: Array<{ decisions: Array<{ imageId: string; decision: string }> }>
    }>(result.outputs.report)
    expect(report.success).toBe(true)
    expect(at(report.regions, 0).decisions.map((d) => d.decision)).toEqual(['disable', 'disable', 'disable'])
    expect(result.summary).toContain('Disabled')
    expect(result.summary).toContain(old[0].imageId)
  })

  test('by name pattern alone', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    const other = image(aws, 'golden-api-1', day(1), {}, REGION, 'web')

    const result = await world.run({ 'image-id': fresh.imageId, 'name-pattern': 'golden-web-*' })

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(stateOf(aws, other.imageId)).toBe('available')
  })

  test('by tag and name: both must match', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)
    const sameTagOtherName = image(aws, 'golden-win-1', day(1))
    const sameNameOtherTag = image(aws, 'golden-web-0', day(1), {}, REGION, 'api')

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'name-pattern': 'golden-web-?' })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(stateOf(aws, sameTagOtherName.imageId)).toBe('available')
    expect(stateOf(aws, sameNameOtherTag.imageId)).toBe('available')
  })

  test('keep leaves the most recent superseded images enabled', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 4)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', keep: '2' })

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled', 'available', 'available'])
    expect(result.summary).toContain('Kept enabled')
  })

  test('exclude-tags: Key and Key=Value protect images', async () => {
    const { aws } = world
    const pinned = image(aws, 'golden-web-1', day(1), {
      tags: [
        { key: 'role', value: 'web' },
        { key: 'pinned', value: 'anything' }
      ]
    })
    const legal = image(aws, 'golden-web-2', day(2), {
      tags: [
        { key: 'role', value: 'web' },
        { key: 'hold', value: 'legal' }
      ]
    })
    const notLegal = image(aws, 'golden-web-3', day(3), {
      tags: [
        { key: 'role', value: 'web' },
        { key: 'hold', value: 'none' }
      ]
    })
    const fresh = image(aws, 'golden-web-4', day(4))

    const result = await world.run({
      'image-id': fresh.imageId,
      'family-tag': 'role',
      'exclude-tags': 'pinned\nhold=legal'
    })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, pinned.imageId)).toBe('available')
    expect(stateOf(aws, legal.imageId)).toBe('available')
    expect(stateOf(aws, notLegal.imageId)).toBe('disabled')
    expect(result.summary).toContain('Excluded')
  })

  test('an image created after the new image, or at the same time, is never disabled', async () => {
    const { aws } = world
    const older = image(aws, 'golden-web-1', day(1))
    const fresh = image(aws, 'golden-web-2', day(2))
    const sameTime = image(aws, 'golden-web-2b', day(2))
    const newer = image(aws, 'golden-web-3', day(3))

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, older.imageId)).toBe('disabled')
    expect(stateOf(aws, sameTime.imageId)).toBe('available')
    expect(stateOf(aws, newer.imageId)).toBe('available')
    expect(json<string[]>(result.outputs['disabled-image-ids'])).toEqual([older.imageId])
  })

  test("another account's image with the same tag is never touched", async () => {
    const { aws } = world
    const theirs = image(aws, 'golden-web-1', day(1), { ownerId: OTHER_ACCOUNT, public: true })
    const mine = image(aws, 'golden-web-2', day(2))
    const fresh = image(aws, 'golden-web-3', day(3))

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, theirs.imageId)).toBe('available')
    expect(stateOf(aws, mine.imageId)).toBe('disabled')
    expect(aws.calls.filter((c) => Object.values(c.params).includes(theirs.imageId))).toEqual([])
  })
})

describe('disable: which images are new', () => {
  test('several regions from region:ami pairs, each with its own family', async () => {
    const { aws } = world
    const east = family(aws, 2, 'golden-web', 'us-east-1')
    const west = family(aws, 3, 'golden-web', 'eu-west-1')

    const result = await world.run({
      'image-id': `us-east-1:${east.fresh.imageId},eu-west-1:${west.fresh.imageId}`,
      'family-tag': 'role'
    })

    expect(result.exitCode).toBe(0)
    expect(east.old.map((o) => stateOf(aws, o.imageId, 'us-east-1'))).toEqual(['disabled', 'disabled'])
    expect(west.old.map((o) => stateOf(aws, o.imageId, 'eu-west-1'))).toEqual(['disabled', 'disabled', 'disabled'])
    expect(json<string[]>(result.outputs['disabled-image-ids'])).toHaveLength(5)
    expect(aws.count('DisableImage', 'eu-west-1')).toBe(3)
  })

  test('a Packer manifest: only the builds of the last run count', async () => {
    const { aws } = world
    const east = family(aws, 2, 'golden-web', 'us-east-1')
    const west = family(aws, 1, 'golden-web', 'eu-west-1')
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'))
    const manifest = join(dir, 'packer-manifest.json')
    writeFileSync(
      manifest,
      JSON.stringify({
        builds: [
          // An earlier run built east.old[1]: it must not count as new (that would protect it).
          {
            name: 'web',
            builder_type: 'amazon-ebs',
            build_time: 1,
            artifact_id: `us-east-1:${east.old[1].imageId}`,
            packer_run_uuid: 'run-1',
            custom_data: null
          },
          {
            name: 'web',
            builder_type: 'amazon-ebs',
            build_time: 2,
            artifact_id: `us-east-1:${east.fresh.imageId},eu-west-1:${west.fresh.imageId}`,
            packer_run_uuid: 'run-2',
            custom_data: null
          }
        ],
        last_run_uuid: 'run-2'
      })
    )

    const result = await world.run({ 'packer-manifest': manifest, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(east.old.map((o) => stateOf(aws, o.imageId, 'us-east-1'))).toEqual(['disabled', 'disabled'])
    expect(stateOf(aws, west.old[0].imageId, 'eu-west-1')).toBe('disabled')
  })

  test('a pending new image is waited for, then its family is disabled', async () => {
    const { aws } = world
    const old = image(aws, 'golden-web-1', day(1))
    const fresh = image(aws, 'golden-web-2', day(2), { availableAfterDescribes: 3 })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'wait-timeout': '60' })

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/waiting up to 60s/)
    expect(stateOf(aws, old.imageId)).toBe('disabled')
  })

  test('a failed new image fails the step at once and changes nothing', async () => {
    const { aws } = world
    const old = image(aws, 'golden-web-1', day(1))
    const fresh = image(aws, 'golden-web-2', day(2), { state: 'failed' })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'wait-timeout': '600' })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(new RegExp(`${fresh.imageId} is failed`))
    expect(result.durationMs).toBeLessThan(20_000)
    expect(stateOf(aws, old.imageId)).toBe('available')
    expect(changesMade(aws)).toEqual([])
  })
})

describe('disable: safety', () => {
  test('a second run disables nothing new and succeeds', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    const first = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    expect(first.exitCode).toBe(0)
    aws.clearCalls()

    const second = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(second.exitCode).toBe(0)
    expect(json(second.outputs['disabled-image-ids'])).toEqual([])
    expect(changesMade(aws)).toEqual([])
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
  })

  test('a dry run checks permissions with DryRun and changes nothing', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.image(REGION, old[0].imageId)!.launchPermissions.push({ userId: '123456789012' })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' })

    expect(result.exitCode).toBe(0)
    expect(changesMade(aws)).toEqual([])
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(aws.image(REGION, old[0].imageId)!.launchPermissions).toEqual([{ userId: '123456789012' }])
    expect(aws.callsOf('DisableImage').map((c) => [c.params.DryRun, c.errorCode])).toEqual([
      ['true', 'DryRunOperation'],
      ['true', 'DryRunOperation']
    ])
    expect(json(result.outputs['disabled-image-ids'])).toEqual([])
    expect(result.summary).toMatch(/Dry run/)
    expect(result.summary).toContain(old[0].imageId)
  })

  test('a dry run without permission names the missing action and fails, changing nothing', async () => {
    const { aws } = world
    const { fresh } = family(aws, 1)
    aws.faults.deny.add('ec2:DisableImage')

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('ec2:DisableImage')
    expect(changesMade(aws)).toEqual([])
  })

  test('more than max-images to disable refuses the whole run, in every region', async () => {
    const { aws } = world
    const east = family(aws, 2, 'golden-web', 'us-east-1')
    const west = family(aws, 4, 'golden-web', 'eu-west-1')

    const result = await world.run({
      'image-id': `us-east-1:${east.fresh.imageId}\neu-west-1:${west.fresh.imageId}`,
      'family-tag': 'role',
      'max-images': '3'
    })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/max-images/)
    expect(changesMade(aws)).toEqual([])
  })

  test('the sharing that disabling removes is recorded on the image first', async () => {
    const { aws } = world
    const accounts = Array.from({ length: 40 }, (_, i) => String(100000000000 + i))
    const ous = [1, 2, 3].map((i) => `arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh1${i}`)
    const shared = image(aws, 'golden-web-1', day(1), {
      public: true,
      launchPermissions: [
        ...accounts.map((userId) => ({ userId })),
        ...ous.map((organizationalUnitArn) => ({ organizationalUnitArn }))
      ],
      tags: [{ key: 'role', value: 'web' }, ...Array.from({ length: 30 }, (_, i) => ({ key: `team-${i}`, value: 'x' }))]
    })
    const fresh = image(aws, 'golden-web-2', day(2))

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    const after = aws.image(REGION, shared.imageId)!
    expect(after.state).toBe('disabled')
    expect(after.public).toBe(false)
    expect(after.launchPermissions).toEqual([])
    const record = readRecord(after.tags.map((t) => ({ key: t.key, value: t.value })))
    expect(record?.sharing).toEqual({
      public: true,
      userIds: accounts,
      organizationArns: [],
      organizationalUnitArns: ous
    })
    expect(record?.lineage.supersededBy).toBe(fresh.imageId)
    expect(record?.lineage.run).toMatch(/^acme\/golden-images\/actions\/runs\//)
    // CreateTags came before DisableImage.
    const order = aws.calls.filter((c) => ['CreateTags', 'DisableImage'].includes(c.action)).map((c) => c.action)
    expect(order).toEqual(['CreateTags', 'DisableImage'])
  })

  test('an image whose record does not fit in its tags stays enabled; the others are disabled; the step fails', async () => {
    const { aws } = world
    const full = image(aws, 'golden-web-1', day(1), {
      tags: [{ key: 'role', value: 'web' }, ...Array.from({ length: 48 }, (_, i) => ({ key: `k${i}`, value: 'v' }))]
    })
    const fine = image(aws, 'golden-web-2', day(2))
    const fresh = image(aws, 'golden-web-3', day(3))

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(stateOf(aws, full.imageId)).toBe('available')
    expect(stateOf(aws, fine.imageId)).toBe('disabled')
    expect(result.stdout).toContain(full.imageId)
    expect(json(result.outputs['disabled-image-ids'])).toEqual([fine.imageId])
  })

  test('an image that fails to disable is reported by id; the others are still disabled', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 3)
    aws.faults.failImages.set(old[1].imageId, { action: 'DisableImage', code: 'InternalError', status: 500 })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'available', 'disabled'])
    expect(result.stdout).toMatch(new RegExp(`${old[1].imageId}.*InternalError`))
  })

  test('identical records are written in one CreateTags call; a failure in it is tried image by image', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 4)
    aws.image(REGION, old[3].imageId)!.launchPermissions.push({ userId: '123456789012' })
    aws.faults.failImages.set(old[1].imageId, { action: 'CreateTags', code: 'TagLimitExceeded', status: 400 })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'available', 'disabled', 'disabled'])
    expect(result.stdout).toMatch(new RegExp(`${old[1].imageId}.*record could not be written`))
    const resources = (c: { params: Record<string, string> }) =>
      Object.keys(c.params).filter((k) => k.startsWith('ResourceId.')).length
    const tagCalls = aws.callsOf('CreateTags')
    // The three unshared images share one record: one call for them (which fails on old[1]),
    // then one call each; the shared image has its own record and call.
    expect(tagCalls.map(resources).sort()).toEqual([1, 1, 1, 1, 3])
    expect(readRecord(aws.image(REGION, old[3].imageId)!.tags)?.sharing.userIds).toEqual(['123456789012'])
    expect(readRecord(aws.image(REGION, old[0].imageId)!.tags)?.sharing.userIds).toEqual([])
  })

  test('bad input fails before any AWS call', async () => {
    const { aws } = world
    const { fresh } = family(aws, 1)

    const result = await world.run({ 'image-id': `${fresh.imageId},,ami-123`, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/Input 'image-id'/)
    expect(aws.calls).toEqual([])
  })
})
