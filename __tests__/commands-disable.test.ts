/**
 * `disable` in process (coverage of src/), with the real SDK clients against the emulator. The
 * assertions are on what a user sees: the images' end state, sharing and record tags, the step
 * outputs and the log lines.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { disable } from '../src/commands/disable.js'
import { readRecord } from '../src/rules/lineage.js'
import { startAwsEmulator } from '../test-support/emulator/ec2.js'
import { commandWorld, RUN_REF, type CommandWorld } from '../test-support/command-context.js'
import { changesMade, day, family, image, REGION, stateOf } from './e2e/world.js'

let world: CommandWorld
beforeEach(async () => {
  world = commandWorld(await startAwsEmulator())
})
afterEach(async () => {
  await world.close()
})

const byTag = (fresh: string, more: Record<string, string> = {}) => ({
  'image-id': fresh,
  'family-tag': 'role',
  ...more
})

describe('disable (in process)', () => {
  test('the superseded images are disabled, their sharing is recorded in tags, the new image and other families stay', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    const shared = aws.image(REGION, old[0].imageId)!
    shared.public = true
    shared.launchPermissions.push(
      { userId: '123456789012' },
      { organizationArn: 'arn:aws:organizations::111122223333:organization/o-abcdefghij' }
    )
    const otherFamily = image(aws, 'golden-api-1', day(1), {}, REGION, 'api')

    const outcome = await world.run(disable, byTag(fresh.imageId))

    expect(outcome.report.success).toBe(true)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(stateOf(aws, otherFamily.imageId)).toBe('available')
    expect([...outcome.disabled].sort()).toEqual(old.map((o) => o.imageId).sort())
    expect(outcome.enabled).toEqual([])
    // DisableImage removed the sharing; the record holds it.
    const after = aws.image(REGION, old[0].imageId)!
    expect(after.public).toBe(false)
    expect(after.launchPermissions).toEqual([])
    const record = readRecord(after.tags)
    expect(record?.sharing).toEqual({
      public: true,
      userIds: ['123456789012'],
      organizationArns: ['arn:aws:organizations::111122223333:organization/o-abcdefghij'],
      organizationalUnitArns: []
    })
    expect(record?.lineage).toMatchObject({ supersededBy: fresh.imageId, reason: 'superseded', run: RUN_REF })
    expect(record?.lineage.disabledAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/)
    expect(readRecord(aws.image(REGION, old[1].imageId)!.tags)?.sharing).toEqual({
      public: false,
      userIds: [],
      organizationArns: [],
      organizationalUnitArns: []
    })
    expect(outcome.logs).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^info: \\[${REGION}\\] disabled ${old[0].imageId} \\(golden-web-1\\), superseded by ${fresh.imageId}; sharing recorded: public, 1 account\\(s\\), 1 organization\\(s\\)$`
        )
      )
    )
    expect(outcome.logs.filter((l) => l.startsWith('warning:'))).toEqual([])
  })

  test('a second run disables nothing new and leaves the records as they are', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    await world.run(disable, byTag(fresh.imageId))
    const records = old.map((o) => JSON.stringify(aws.image(REGION, o.imageId)!.tags))
    aws.clearCalls()

    const again = await world.run(disable, byTag(fresh.imageId))

    expect(again.report.success).toBe(true)
    expect(again.disabled).toEqual([])
    expect(changesMade(aws)).toEqual([])
    expect(old.map((o) => JSON.stringify(aws.image(REGION, o.imageId)!.tags))).toEqual(records)
  })

  test('keep leaves the most recent superseded images enabled', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 4)

    const outcome = await world.run(disable, byTag(fresh.imageId, { keep: '2' }))

    expect(outcome.report.success).toBe(true)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled', 'available', 'available'])
    expect([...outcome.disabled].sort()).toEqual([old[0].imageId, old[1].imageId].sort())
    expect(outcome.logs).toContain(
      `info: [${REGION}] family role=web: 4 older image(s) found: 2 to disable, 2 kept, 0 excluded, 0 skipped`
    )
  })

  test('exclude-tags: Key and Key=Value protect images; another value does not', async () => {
    const { aws } = world
    const tagged = (name: string, n: number, key: string, value: string) =>
      image(aws, name, day(n), {
        tags: [
          { key: 'role', value: 'web' },
          { key, value }
        ]
      })
    const pinned = tagged('golden-web-1', 1, 'pinned', 'anything')
    const legal = tagged('golden-web-2', 2, 'hold', 'legal')
    const notLegal = tagged('golden-web-3', 3, 'hold', 'none')
    const fresh = image(aws, 'golden-web-4', day(4))

    const outcome = await world.run(disable, byTag(fresh.imageId, { 'exclude-tags': 'pinned\nhold=legal' }))

    expect(outcome.report.success).toBe(true)
    expect([pinned, legal, notLegal].map((i) => stateOf(aws, i.imageId))).toEqual([
      'available',
      'available',
      'disabled'
    ])
    expect(outcome.disabled).toEqual([notLegal.imageId])
    expect(readRecord(aws.image(REGION, pinned.imageId)!.tags)).toBeUndefined()
  })

  describe('an image still used by a launch template', () => {
    function used() {
      const { aws } = world
      const { old, fresh } = family(aws, 2)
      const lt = aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: old[0].imageId }] })
      return { old, fresh, lt }
    }

    test('in-use: report disables it and names the template that will fail', async () => {
      const { aws } = world
      const { old, fresh, lt } = used()

      const outcome = await world.run(disable, byTag(fresh.imageId, { 'in-use': 'report' }))

      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
      expect(outcome.templates).toEqual([
        {
          region: REGION,
          // the owner's own account: the template is in the account that disables
          accountId: '111122223333',
          launchTemplateId: lt.launchTemplateId,
          launchTemplateName: 'web-prod',
          versionNumber: 1,
          imageId: old[0].imageId,
          isDefault: true,
          isLatest: true
        }
      ])
      const warnings = outcome.logs.filter((l) => l.startsWith('warning:'))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(
        /^warning: \[us-east-1\] still pointing at images being disabled, so their next launch will fail: launch template /
      )
      expect(warnings[0]).toContain('web-prod')
      expect(warnings[0]).toContain(lt.launchTemplateId)
    })

    test('in-use: skip leaves it enabled and says why; the unused one is disabled', async () => {
      const { aws } = world
      const { old, fresh } = used()

      const outcome = await world.run(disable, byTag(fresh.imageId, { 'in-use': 'skip' }))

      expect(outcome.report.success).toBe(true)
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'disabled'])
      expect(outcome.disabled).toEqual([old[1].imageId])
      // What is left enabled breaks nothing.
      expect(outcome.templates).toEqual([])
      expect(outcome.logs).toContain(
        `info: [${REGION}] family role=web: 2 older image(s) found: 1 to disable, 0 kept, 0 excluded, 1 skipped`
      )
    })

    test('in-use: fail changes nothing and fails, naming the image and the template', async () => {
      const { aws } = world
      const { old, fresh } = used()

      const outcome = await world.run(disable, byTag(fresh.imageId, { 'in-use': 'fail' }))

      expect(outcome.report.success).toBe(false)
      expect(outcome.report.failure).toMatch(/^refusing to disable anything: /)
      expect(outcome.report.failure).toContain(`${old[0].imageId} is used by web-prod`)
      expect(outcome.report.failure).toContain('in-use: fail')
      expect(changesMade(aws)).toEqual([])
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
      expect(outcome.disabled).toEqual([])
    })
  })

  test('more than max-images to disable: refused, nothing changed', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 4)

    const outcome = await world.run(disable, byTag(fresh.imageId, { 'max-images': '3' }))

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toBe(
      `refusing to disable anything: 4 images would be disabled in ${REGION}, more than max-images (3): ${[...old]
        .reverse()
        .map((o) => `${o.imageId} (${o.name})`)
        .join(', ')}`
    )
    expect(changesMade(aws)).toEqual([])
    expect(old.every((o) => stateOf(aws, o.imageId) === 'available')).toBe(true)
    expect(outcome.disabled).toEqual([])
  })

  test('a dry run asks EC2 with DryRun, changes nothing and says what it would do', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.image(REGION, old[0].imageId)!.launchPermissions.push({ userId: '123456789012' })

    const outcome = await world.run(disable, byTag(fresh.imageId, { 'dry-run': 'true' }))

    expect(outcome.report.success).toBe(true)
    expect(changesMade(aws)).toEqual([])
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(aws.image(REGION, old[0].imageId)!.launchPermissions).toEqual([{ userId: '123456789012' }])
    expect(aws.callsOf('DisableImage').map((c) => [c.params.DryRun, c.errorCode])).toEqual([
      ['true', 'DryRunOperation'],
      ['true', 'DryRunOperation']
    ])
    expect(outcome.disabled).toEqual([])
    expect(outcome.logs).toContainEqual(
      expect.stringMatching(new RegExp(`^info: \\[${REGION}\\] would disable ${old[0].imageId} `))
    )
  })

  test('DisableImage denied for one image: that image is reported and stays enabled, the others are disabled', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 3)
    aws.faults.failImages.set(old[1].imageId, {
      action: 'DisableImage',
      code: 'UnauthorizedOperation',
      status: 403,
      message: 'You are not authorized to perform this operation.'
    })

    const outcome = await world.run(disable, byTag(fresh.imageId))

    expect(outcome.report.success).toBe(false)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'available', 'disabled'])
    expect([...outcome.disabled].sort()).toEqual([old[0].imageId, old[2].imageId].sort())
    expect(outcome.report.failure).toMatch(new RegExp(`^1 image\\(s\\) could not be changed: ${old[1].imageId} \\(`))
    expect(outcome.report.failure).toContain('ec2:DisableImage')
    expect(outcome.report.failure).not.toContain(old[0].imageId)
    // said once: in the failure, not again as a warning
    expect(outcome.logs.filter((l) => l.startsWith('warning:'))).toEqual([])
  })

  test('a region that fails (its new image is missing) stops every region: nothing is changed anywhere', async () => {
    const { aws } = world
    const east = family(aws, 2, 'golden-web', 'us-east-1')
    const missing = 'ami-0123456789abcdef0'

    const outcome = await world.run(disable, byTag(`us-east-1:${east.fresh.imageId}\neu-west-1:${missing}`))

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toBe(
      `nothing was changed in any region: eu-west-1: ${missing} was not found in eu-west-1 (the region written in image-id); check that region, and that the credentials are of the account that owns the image; nothing was changed`
    )
    expect(changesMade(aws)).toEqual([])
    expect(east.old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(outcome.disabled).toEqual([])
  })

  test('a new image still pending is waited for, then its family is disabled', async () => {
    const { aws } = world
    const old = image(aws, 'golden-web-1', day(1))
    // pending for the first look-ups (the emulator counts the region's DescribeImages calls)
    const fresh = image(aws, 'golden-web-2', day(2), { availableAfterDescribes: 2 })

    const outcome = await world.run(disable, byTag(fresh.imageId, { 'wait-timeout': '60' }))

    expect(outcome.report.success).toBe(true)
    expect(stateOf(aws, old.imageId)).toBe('disabled')
    expect(outcome.disabled).toEqual([old.imageId])
    expect(outcome.logs).toContain(
      `info: [${REGION}] waiting up to 60s for ${fresh.imageId} (pending) to become available`
    )
  })

  test('a new image that failed: the region stops, nothing is changed', async () => {
    const { aws } = world
    const old = image(aws, 'golden-web-1', day(1))
    const fresh = image(aws, 'golden-web-2', day(2), { state: 'failed' })

    const outcome = await world.run(disable, byTag(fresh.imageId))

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toBe(`new image not usable: ${fresh.imageId} is failed; nothing was changed`)
    expect(changesMade(aws)).toEqual([])
    expect(stateOf(aws, old.imageId)).toBe('available')
  })

  test('launch templates that cannot be read: in-use fail changes nothing; in-use report disables and warns', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)
    aws.faults.deny.add('ec2:DescribeLaunchTemplateVersions')

    const refused = await world.run(disable, byTag(fresh.imageId, { 'in-use': 'fail' }))

    expect(refused.report.success).toBe(false)
    expect(refused.report.failure).toMatch(
      /^cannot check which launch templates use the images \(in-use: fail\): .*ec2:DescribeLaunchTemplateVersions.*; nothing was changed$/
    )
    expect(changesMade(aws)).toEqual([])
    expect(stateOf(aws, old[0].imageId)).toBe('available')

    const reported = await world.run(disable, byTag(fresh.imageId, { 'in-use': 'report' }))

    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(reported.disabled).toEqual([old[0].imageId])
    expect(reported.logs).toContainEqual(
      expect.stringMatching(
        /^warning: \[us-east-1\] launch templates were not checked in us-east-1: .*ec2:DescribeLaunchTemplateVersions/
      )
    )
  })

  test('two regions, each with its own family, are both disabled', async () => {
    const { aws } = world
    const east = family(aws, 1, 'golden-web', 'us-east-1')
    const west = family(aws, 2, 'golden-web', 'eu-west-1')

    const outcome = await world.run(disable, byTag(`us-east-1:${east.fresh.imageId},eu-west-1:${west.fresh.imageId}`))

    expect(outcome.report.success).toBe(true)
    expect(stateOf(aws, east.old[0].imageId, 'us-east-1')).toBe('disabled')
    expect(west.old.map((o) => stateOf(aws, o.imageId, 'eu-west-1'))).toEqual(['disabled', 'disabled'])
    expect([...outcome.disabled].sort()).toEqual([east.old[0].imageId, ...west.old.map((o) => o.imageId)].sort())
  })
})
