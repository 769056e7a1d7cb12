/**
 * The guards of `disable` that a mutation run found resting on one test, or on none: each one here
 * is shown by what a user sees (the images' end state, the outputs) or by what was asked of EC2.
 *
 * - `max-images` at its boundary, in process against the emulator;
 * - the family query asks EC2 for the account's own images only (`Owners=self`), although the
 *   family rule filters owners again: the call log shows the query;
 * - the state read again before recording: an image that another run disabled between the plan
 *   and the change is `unchanged`, and that run's record is left as it is;
 * - the 50-tag pre-check, against a mocked EC2 client that would accept any number of tags (so
 *   the emulator's own TagLimitExceeded cannot be what stops the change).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  CreateTagsCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DisableImageCommand,
  EC2Client,
  type DescribeImagesCommandInput,
  type Image as Ec2Image
} from '@aws-sdk/client-ec2'
import { mockClient } from 'aws-sdk-client-mock'
import { Ec2 } from '../src/aws/ec2.js'
import { disable } from '../src/commands/disable.js'
import type { Context } from '../src/context.js'
import { emptyUsage, type Change, type RunReport, type Tag } from '../src/model.js'
import { outputsOf } from '../src/report/outputs.js'
import { readRecord, recordTags } from '../src/rules/lineage.js'
import { parseSettings } from '../src/settings.js'
import { startAwsEmulator, type CallRecord } from '../test-support/emulator/ec2.js'
import { commandWorld, type CommandWorld } from '../test-support/command-context.js'
import { changesMade, day, family, image, REGION, stateOf } from './e2e/world.js'

// The SDK warns once per process on Node < 22 (runners use Node 24).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const byTag = (fresh: string, more: Record<string, string> = {}) => ({
  'image-id': fresh,
  'family-tag': 'role',
  ...more
})

/** The `report` output's changes, region by region. */
function changesOf(outputs: Record<string, string>): Change[] {
  const report = JSON.parse(outputs.report ?? '{}') as { regions: Array<{ changes: Change[] }> }
  return report.regions.flatMap((r) => r.changes)
}

/** The image ids a call names (ImageId, ResourceId.N). */
function imagesNamed(call: CallRecord): string[] {
  return Object.entries(call.params)
    .filter(([k]) => k === 'ImageId' || /^ResourceId\.\d+$/.test(k))
    .map(([, v]) => v)
}

/** The Filter.N.Name values of a DescribeImages call. */
function filterNames(call: CallRecord): string[] {
  return Object.entries(call.params)
    .filter(([k]) => /^Filter\.\d+\.Name$/.test(k))
    .map(([, v]) => v)
}

/** The Owner.N values of a DescribeImages call. */
function owners(call: CallRecord): string[] {
  return Object.entries(call.params)
    .filter(([k]) => /^Owner\.\d+$/.test(k))
    .map(([, v]) => v)
}

describe('disable in process against the emulator', () => {
  let world: CommandWorld
  beforeEach(async () => {
    world = commandWorld(await startAwsEmulator())
  })
  afterEach(async () => {
    await world.close()
  })

  describe('max-images', () => {
    test('exactly max-images images to disable go through: every one is disabled', async () => {
      const { aws } = world
      const { old, fresh } = family(aws, 3)

      const outcome = await world.run(disable, byTag(fresh.imageId, { 'max-images': '3' }))

      expect(outcome.report.success).toBe(true)
      expect(outcome.report.failure).toBeUndefined()
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled', 'disabled'])
      expect([...outcome.disabled].sort()).toEqual(old.map((o) => o.imageId).sort())
      expect(aws.callsOf('DisableImage').filter((c) => c.status === 200)).toHaveLength(3)
    })

    test('max-images counts the images to disable, not those kept: 5 older, keep 2, max-images 3 disables 3', async () => {
      const { aws } = world
      const { old, fresh } = family(aws, 5)

      const outcome = await world.run(disable, byTag(fresh.imageId, { 'max-images': '3', keep: '2' }))

      expect(outcome.report.success).toBe(true)
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual([
        'disabled',
        'disabled',
        'disabled',
        'available',
        'available'
      ])
      expect(outcome.disabled).toHaveLength(3)
    })

    test('max-images 0 with one image to disable: refused, nothing changed', async () => {
      const { aws } = world
      const { old, fresh } = family(aws, 1)

      const outcome = await world.run(disable, byTag(fresh.imageId, { 'max-images': '0' }))

      expect(outcome.report.success).toBe(false)
      expect(outcome.report.failure).toBe(
        `refusing to disable anything: 1 images would be disabled in ${REGION}, more than max-images (0): ${old[0].imageId} (${old[0].name})`
      )
      expect(changesMade(aws)).toEqual([])
      expect(stateOf(aws, old[0].imageId)).toBe('available')
    })
  })

  describe('the family query asks EC2 for the images of this account only (Owners=self)', () => {
    test('by family-tag: the query with the tag filter carries Owner.1=self and no other owner', async () => {
      const { aws } = world
      const { old, fresh } = family(aws, 2)
      // Another account's public image of the same family: the query must not even ask for it.
      image(aws, 'golden-web-0', day(1, 5), { ownerId: '999988887777', public: true })

      const outcome = await world.run(disable, byTag(fresh.imageId))

      expect(outcome.report.success).toBe(true)
      expect([...outcome.disabled].sort()).toEqual(old.map((o) => o.imageId).sort())
      const familyQueries = aws.callsOf('DescribeImages').filter((c) => filterNames(c).includes('tag:role'))
      expect(familyQueries.length).toBeGreaterThan(0)
      for (const query of familyQueries) {
        expect({ filters: filterNames(query), owners: owners(query) }).toEqual({
          filters: ['tag:role'],
          owners: ['self']
        })
      }
    })

    test('by name-pattern: the query with the name filter carries Owner.1=self and no other owner', async () => {
      const { aws } = world
      const { old, fresh } = family(aws, 1)

      const outcome = await world.run(disable, { 'image-id': fresh.imageId, 'name-pattern': 'golden-web-*' })

      expect(outcome.disabled).toEqual([old[0].imageId])
      const familyQueries = aws.callsOf('DescribeImages').filter((c) => filterNames(c).includes('name'))
      expect(familyQueries.length).toBeGreaterThan(0)
      for (const query of familyQueries) expect(owners(query)).toEqual(['self'])
    })
  })

  describe('the state is read again before the record is written', () => {
    test('an image another run disabled between the plan and the change: unchanged, its record left as it is, never tagged or disabled again', async () => {
      const { aws } = world
      const { old, fresh } = family(aws, 2)
      const [raced, other] = old
      aws.image(REGION, raced.imageId)!.launchPermissions.push({ userId: '123456789012' })
      // What the other run wrote: the sharing the image had, its own lineage.
      const theirs: Tag[] = recordTags({
        lineage: {
          supersededBy: fresh.imageId,
          reason: 'superseded',
          disabledAt: day(3, 1),
          run: 'acme/golden-images/actions/runs/1'
        },
        sharing: { public: false, userIds: ['123456789012'], organizationArns: [], organizationalUnitArns: [] }
      })
      const command = world.context(byTag(fresh.imageId))
      let planned = 0
      // Once this run has planned (and read the sharing), the other run records and disables the image.
      command.ctx.planned = () => {
        planned += 1
        const img = aws.image(REGION, raced.imageId)!
        img.tags.push(...theirs)
        img.launchPermissions = []
        img.state = 'disabled'
      }
      aws.clearCalls()

      const outcome = await command.run(disable)

      expect(planned).toBe(1)
      expect(outcome.report.success).toBe(true)
      expect(stateOf(aws, raced.imageId)).toBe('disabled')
      expect(stateOf(aws, other.imageId)).toBe('disabled')
      // Only what this run disabled is in the output.
      expect(outcome.disabled).toEqual([other.imageId])
      const change = changesOf(outcome.outputs).find((c) => c.imageId === raced.imageId)
      expect(change).toMatchObject({
        action: 'disable',
        outcome: 'unchanged',
        message: 'already disabled; its record was left as it is'
      })
      // The other run's record is intact: its run, its time.
      expect(readRecord(aws.image(REGION, raced.imageId)!.tags)?.lineage).toEqual({
        supersededBy: fresh.imageId,
        reason: 'superseded',
        disabledAt: day(3, 1),
        run: 'acme/golden-images/actions/runs/1'
      })
      expect(
        aws.calls.filter(
          (c) => ['CreateTags', 'DisableImage'].includes(c.action) && imagesNamed(c).includes(raced.imageId)
        )
      ).toEqual([])
      expect(outcome.logs).toContain(
        `info: [${REGION}] left as it is: ${raced.imageId} (golden-web-1), superseded by ${fresh.imageId}; already disabled; its record was left as it is`
      )
    })

    test('an image deregistered between the plan and the change: reported failed, nothing written', async () => {
      const { aws } = world
      const { old, fresh } = family(aws, 2)
      const [gone, other] = old
      const command = world.context(byTag(fresh.imageId))
      command.ctx.planned = () => {
        aws.image(REGION, gone.imageId)!.state = 'deregistered'
      }
      aws.clearCalls()

      const outcome = await command.run(disable)

      expect(outcome.report.success).toBe(false)
      expect(outcome.report.failure).toBe(
        `1 image(s) could not be changed: ${gone.imageId} (not disabled: it is no longer found)`
      )
      expect(outcome.disabled).toEqual([other.imageId])
      expect(
        aws.calls.filter(
          (c) => ['CreateTags', 'DisableImage'].includes(c.action) && imagesNamed(c).includes(gone.imageId)
        )
      ).toEqual([])
    })
  })
})

describe('the 50-tag pre-check, against an EC2 client that would accept any number of tags', () => {
  const ACCOUNT = '111122223333'
  const NEW = 'ami-0000000000000000f'
  const FULL = 'ami-00000000000000001'
  const EDGE = 'ami-00000000000000002'
  const FINE = 'ami-00000000000000003'

  const others = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
  const ec2Image = (imageId: string, dayOf: number, extra: number): Ec2Image => ({
    ImageId: imageId,
    Name: `golden-web-${dayOf}`,
    OwnerId: ACCOUNT,
    State: 'available',
    CreationDate: day(dayOf),
    Public: false,
    Tags: [{ Key: 'role', Value: 'web' }, ...others(extra)]
  })
  // 1 + 48 tags + the 3 of a record = 52; 1 + 46 + 3 = 50 fits exactly; 1 + 3 + 3 fits.
  const images = [ec2Image(FULL, 1, 48), ec2Image(EDGE, 2, 46), ec2Image(FINE, 3, 3), ec2Image(NEW, 4, 0)]

  let client: EC2Client
  let mock: ReturnType<typeof mockClient>
  beforeEach(() => {
    client = new EC2Client({
      region: REGION,
      credentials: { accessKeyId: 'AKIAMOCK000000000000', secretAccessKey: 'mock-secret-not-real' }
    })
    // This client only: nothing here goes over the wire.
    mock = mockClient(client)
    mock.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => {
      const ids = input.Filters?.find((f) => f.Name === 'image-id')?.Values
      return { Images: ids ? images.filter((i) => ids.includes(i.ImageId!)) : images }
    })
    mock.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [] })
    // Any number of tags is accepted, as no real image would: only the pre-check can stop it.
    mock.on(CreateTagsCommand).resolves({})
    mock.on(DisableImageCommand).resolves({ Return: true })
  })
  afterEach(() => {
    mock.restore()
    client.destroy()
  })

  async function run(): Promise<{ report: RunReport; outputs: Record<string, string> }> {
    const inputs: Record<string, string> = { 'image-id': NEW, 'family-tag': 'role' }
    const ec2 = new Ec2(REGION, client)
    const ctx: Context = {
      settings: parseSettings({ input: (n) => inputs[n] ?? '', env: { AWS_REGION: REGION }, readFile: () => '' }),
      ec2: () => ec2,
      usage: () => ({ find: () => Promise.resolve(emptyUsage()) }),
      log: { info: () => undefined, warning: () => undefined, debug: () => undefined },
      now: () => new Date(day(5)),
      runRef: 'acme/golden-images/actions/runs/7',
      planned: () => undefined
    }
    const report = await disable(ctx)
    return { report, outputs: outputsOf(report) }
  }

  const taggedIds = () => mock.commandCalls(CreateTagsCommand).flatMap((c) => c.args[0].input.Resources ?? [])
  const disabledIds = () => mock.commandCalls(DisableImageCommand).map((c) => c.args[0].input.ImageId)

  test('an image whose record would take it over 50 tags is not tagged, not disabled, and reported failed by id', async () => {
    const { report, outputs } = await run()

    expect(taggedIds()).not.toContain(FULL)
    expect(disabledIds()).not.toContain(FULL)
    expect((JSON.parse(outputs['disabled-image-ids'] ?? '[]') as string[]).sort()).toEqual([EDGE, FINE])
    const changes = report.regions.flatMap((r) => r.changes)
    expect(changes.find((c) => c.imageId === FULL)).toMatchObject({
      outcome: 'failed',
      message:
        'not disabled: its sharing record needs 3 tags and it already has 49 of the 50 an image can hold, so it could not be restored'
    })
    const json = JSON.parse(outputs.report ?? '{}') as { success: boolean; failure?: string }
    expect(json.success).toBe(false)
    expect(json.failure).toMatch(new RegExp(`^1 image\\(s\\) could not be changed: ${FULL} \\(`))
  })

  test('an image whose record makes exactly 50 tags is tagged, then disabled', async () => {
    await run()

    expect(taggedIds()).toContain(EDGE)
    expect(disabledIds()).toContain(EDGE)
    // the record before the disable
    const tagged = mock.commandCalls(CreateTagsCommand).findIndex((c) => c.args[0].input.Resources?.includes(EDGE))
    const disabledAt = mock.commandCalls(DisableImageCommand).findIndex((c) => c.args[0].input.ImageId === EDGE)
    expect(tagged).toBeGreaterThanOrEqual(0)
    expect(disabledAt).toBeGreaterThanOrEqual(0)
    const order = mock.send.getCalls().map((c) => {
      const command = c.args[0] as { input: { ImageId?: string; Resources?: string[] } }
      return command instanceof CreateTagsCommand && command.input.Resources?.includes(EDGE)
        ? 'tag'
        : command instanceof DisableImageCommand && command.input.ImageId === EDGE
          ? 'disable'
          : undefined
    })
    expect(order.filter(Boolean)).toEqual(['tag', 'disable'])
  })
})
