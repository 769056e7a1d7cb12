/**
 * `rollback` in process (coverage of src/), with the real SDK clients against the emulator: the
 * images' end state, sharing and records, the outputs and the log lines.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { disable } from '../src/commands/disable.js'
import { rollback } from '../src/commands/rollback.js'
import { emptyUsage, type TemplateUse } from '../src/model.js'
import { readRecord } from '../src/rules/lineage.js'
import { at } from '../test-support/at.js'
import { startAwsEmulator, type EmuImage } from '../test-support/emulator/ec2.js'
import { commandWorld, RUN_REF, type CommandWorld } from '../test-support/command-context.js'
import { changesMade, day, family, image, REGION, stateOf } from './e2e/world.js'

let world: CommandWorld
beforeEach(async () => {
  world = commandWorld(await startAwsEmulator())
})
afterEach(async () => {
  await world.close()
})

/** A family of `count` older images and a new one, after a disable of the older ones. */
async function disabledFamily<N extends number>(count: N) {
  const { aws } = world
  const f = family(aws, count)
  // `family`'s tuple, read as the array it is while N is not known
  const old: EmuImage[] = f.old
  aws.image(REGION, at(old, 0).imageId)!.launchPermissions.push({ userId: '123456789012' })
  aws.image(REGION, f.fresh.imageId)!.launchPermissions.push({ userId: '400000000000' })
  const done = await world.run(disable, { 'image-id': f.fresh.imageId, 'family-tag': 'role' })
  expect(done.report.success).toBe(true)
  expect(old.every((o) => stateOf(aws, o.imageId) === 'disabled')).toBe(true)
  return f
}

describe('rollback (in process)', () => {
  test('re-enables the images the bad image superseded, with their sharing, then disables the bad image', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(2)

    const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })

    expect(outcome.report.success).toBe(true)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(aws.image(REGION, old[0].imageId)!.launchPermissions).toEqual([{ userId: '123456789012' }])
    expect(stateOf(aws, fresh.imageId)).toBe('disabled')
    expect(aws.image(REGION, fresh.imageId)!.launchPermissions).toEqual([])
    expect([...outcome.enabled].sort()).toEqual(old.map((o) => o.imageId).sort())
    expect(outcome.disabled).toEqual([fresh.imageId])
    // The bad image's own sharing and why it was disabled are recorded, so the rollback can be undone.
    const record = readRecord(aws.image(REGION, fresh.imageId)!.tags)
    expect(record?.sharing.userIds).toEqual(['400000000000'])
    expect(record?.lineage).toMatchObject({ reason: 'rolled-back', run: RUN_REF })
    expect(old.map((o) => o.imageId)).toContain(record?.lineage.supersededBy)
    expect(readRecord(aws.image(REGION, old[0].imageId)!.tags)?.lineage.reenabledAt).toMatch(/^\d{4}-/)
    expect(outcome.logs).toContainEqual(
      expect.stringMatching(new RegExp(`^info: \\[${REGION}\\] ${fresh.imageId} superseded 2 image\\(s\\): `))
    )
    expect(outcome.logs).toContainEqual(
      expect.stringMatching(new RegExp(`^info: \\[${REGION}\\] disabled ${fresh.imageId} \\(golden-web-3\\)`))
    )
  })

  test('a second rollback changes nothing more', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(2)
    await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })
    aws.clearCalls()

    const again = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })

    expect(again.report.success).toBe(true)
    expect(changesMade(aws)).toEqual([])
    expect(again.enabled).toEqual([])
    expect(again.disabled).toEqual([])
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(stateOf(aws, fresh.imageId)).toBe('disabled')
  })

  test('when an image cannot be re-enabled, the bad image stays enabled and the step fails', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(2)
    aws.faults.failImages.set(old[0].imageId, { action: 'EnableImage', code: 'UnauthorizedOperation', status: 403 })

    const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })

    expect(outcome.report.success).toBe(false)
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
    expect(stateOf(aws, old[1].imageId)).toBe('available')
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(outcome.enabled).toEqual([old[1].imageId])
    expect(outcome.disabled).toEqual([])
    expect(outcome.report.failure).toContain(old[0].imageId)
    expect(outcome.report.failure).toContain(fresh.imageId)
    expect(outcome.report.failure).toMatch(new RegExp(`${old[0].imageId} \\([^)]*ec2:EnableImage`))
  })

  test('a dry run changes nothing and says what it would do', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(2)
    aws.clearCalls()

    const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId, 'dry-run': 'true' })

    expect(outcome.report.success).toBe(true)
    expect(changesMade(aws)).toEqual([])
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(outcome.enabled).toEqual([])
    expect(outcome.disabled).toEqual([])
    expect(outcome.logs).toContainEqual(
      expect.stringMatching(new RegExp(`^info: \\[${REGION}\\] would re-enable ${old[0].imageId} `))
    )
  })

  test('a bad image that superseded nothing stays enabled and the step fails, saying why; another region is rolled back', async () => {
    const { aws } = world
    const lonely = image(aws, 'golden-solo-1', day(1))
    const west = family(aws, 1, 'golden-web', 'eu-west-1')
    const ids = `${lonely.imageId},eu-west-1:${west.fresh.imageId}`
    expect(
      (await world.run(disable, { 'image-id': `eu-west-1:${west.fresh.imageId}`, 'family-tag': 'role' })).disabled
    ).toEqual([west.old[0].imageId])
    aws.clearCalls()

    const outcome = await world.run(rollback, { command: 'rollback', 'image-id': ids })

    const why = 'stays enabled in us-east-1: it superseded no image, so disabling it would leave no image to launch'
    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toContain(`${lonely.imageId} (${why})`)
    expect(stateOf(aws, lonely.imageId)).toBe('available')
    // Nothing touched the lonely image: no record, no DisableImage.
    expect(readRecord(aws.image(REGION, lonely.imageId)!.tags)).toBeUndefined()
    expect(changesMade(aws).filter((c) => c.endsWith(REGION))).toEqual([])
    // The other region had what to go back to: rolled back as usual.
    expect(stateOf(aws, west.old[0].imageId, 'eu-west-1')).toBe('available')
    expect(stateOf(aws, west.fresh.imageId, 'eu-west-1')).toBe('disabled')
    expect(outcome.enabled).toEqual([west.old[0].imageId])
    expect(outcome.disabled).toEqual([west.fresh.imageId])
    const east = outcome.runReport.regions.find((r) => r.region === REGION)
    expect(east?.changes).toEqual([
      expect.objectContaining({
        imageId: lonely.imageId,
        action: 'disable',
        outcome: 'failed',
        message: why,
        keptOnPurpose: true
      })
    ])
    expect(east?.pointTo).toBeUndefined()
    // said once, in the step's failure (already asserted), not again as a warning
    expect(outcome.logs.filter((l) => l.includes(why))).toEqual([])
  })

  test('two bad images in one region: the one that superseded nothing stays enabled, the other is disabled', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(1)
    const lonely = image(aws, 'golden-api-1', day(5), {}, REGION, 'api')

    const outcome = await world.run(rollback, { command: 'rollback', 'image-id': `${fresh.imageId},${lonely.imageId}` })

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toContain(lonely.imageId)
    expect(outcome.report.failure).not.toContain(fresh.imageId)
    expect(stateOf(aws, old[0].imageId)).toBe('available')
    expect(stateOf(aws, fresh.imageId)).toBe('disabled')
    expect(stateOf(aws, lonely.imageId)).toBe('available')
  })

  test('when the only image it superseded cannot be re-enabled: stays enabled, no image to launch', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(1)
    aws.faults.failImages.set(old[0].imageId, { action: 'EnableImage', code: 'UnauthorizedOperation', status: 403 })

    const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })

    expect(outcome.report.success).toBe(false)
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(outcome.report.failure).toContain(
      `${fresh.imageId} (stays enabled in ${REGION}: the image it superseded (${old[0].imageId}) could not be re-enabled, so disabling it would leave no image to launch)`
    )
    expect(outcome.runReport.regions[0]?.pointTo).toBeUndefined()
  })

  test('some re-enables fail: the bad image stays enabled, the others stay re-enabled, pointTo is the newest that was', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(3)
    aws.faults.failImages.set(old[2].imageId, { action: 'EnableImage', code: 'UnauthorizedOperation', status: 403 })

    const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })

    expect(outcome.report.success).toBe(false)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available', 'disabled'])
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(outcome.report.failure).toContain(
      `stays enabled in ${REGION}: 1 of the 3 images it superseded could not be re-enabled (${old[2].imageId}); run the rollback again once they can be`
    )
    expect(outcome.runReport.regions[0]?.pointTo).toBe(old[1].imageId)

    // Once the cause is gone, the same rollback finishes the job.
    aws.faults.failImages.clear()
    const again = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })
    expect(again.report.success).toBe(true)
    expect(again.enabled).toEqual([old[2].imageId])
    expect(again.disabled).toEqual([fresh.imageId])
    expect(again.runReport.regions[0]?.pointTo).toBe(old[2].imageId)
  })

  describe('the bad image still used by a launch template', () => {
    async function used() {
      const { aws } = world
      const f = await disabledFamily(2)
      const lt = aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: f.fresh.imageId }] })
      aws.addAutoScalingGroup(REGION, {
        name: 'web-asg',
        launchTemplate: { launchTemplateId: lt.launchTemplateId, version: '$Default' }
      })
      aws.clearCalls()
      return { ...f, lt }
    }

    test('in-use: report disables it and reports the template and the group, and what to point them at', async () => {
      const { aws } = world
      const { old, fresh, lt } = await used()

      const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })

      expect(outcome.report.success).toBe(true)
      expect(stateOf(aws, fresh.imageId)).toBe('disabled')
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
      const affected = {
        region: REGION,
        launchTemplateId: lt.launchTemplateId,
        launchTemplateName: 'web-prod',
        versionNumber: 1,
        imageId: fresh.imageId,
        isDefault: true,
        isLatest: true
      }
      expect(outcome.templates).toEqual([affected])
      const json = JSON.parse(outcome.outputs.report ?? '{}') as {
        regions: Array<{ launchTemplates: unknown[]; autoScalingGroups: unknown[] }>
      }
      expect(json.regions[0]?.launchTemplates).toEqual([expect.objectContaining(affected)])
      expect(json.regions[0]?.autoScalingGroups).toEqual([
        expect.objectContaining({ autoScalingGroupName: 'web-asg', imageId: fresh.imageId })
      ])
      // The newest image it re-enabled is where the template should go.
      expect(outcome.runReport.regions[0]?.pointTo).toBe(old[1].imageId)
      expect(outcome.logs).toContainEqual(
        expect.stringMatching(
          /^warning: \[us-east-1\] still pointing at images being disabled, so their next launch will fail: launch template .*web-prod/
        )
      )
    })

    test('in-use: skip re-enables what it superseded, keeps the bad image enabled and says why', async () => {
      const { aws } = world
      const { old, fresh, lt } = await used()

      const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId, 'in-use': 'skip' })

      expect(outcome.report.success).toBe(true)
      expect(stateOf(aws, fresh.imageId)).toBe('available')
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
      expect([...outcome.enabled].sort()).toEqual(old.map((o) => o.imageId).sort())
      expect(outcome.disabled).toEqual([])
      expect(readRecord(aws.image(REGION, fresh.imageId)!.tags)).toBeUndefined()
      // Nothing will fail: the template keeps an enabled image.
      expect(outcome.templates).toEqual([])
      const region = outcome.runReport.regions[0]
      expect(region?.changes.filter((c) => c.action === 'disable')).toEqual([])
      expect(region?.decisions).toEqual([
        expect.objectContaining({
          kind: 'skip',
          inUse: true,
          image: expect.objectContaining({ imageId: fresh.imageId }),
          reason: expect.stringMatching(
            new RegExp(`^in use by launch template web-prod .*${lt.launchTemplateId}.*\\(in-use: skip\\)$`)
          )
        })
      ])
      expect(region?.pointTo).toBe(old[1].imageId)
      expect(outcome.logs).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^info: \\[${REGION}\\] ${fresh.imageId} \\(golden-web-3\\) stays enabled: in use by launch template web-prod`
          )
        )
      )
    })

    test('in-use: fail changes nothing in any region and fails, naming the image and the template', async () => {
      const { aws } = world
      const { old, fresh } = await used()
      const west = family(aws, 1, 'golden-web', 'eu-west-1')
      await world.run(disable, { 'image-id': `eu-west-1:${west.fresh.imageId}`, 'family-tag': 'role' })
      aws.clearCalls()

      const outcome = await world.run(rollback, {
        command: 'rollback',
        'image-id': `${fresh.imageId},eu-west-1:${west.fresh.imageId}`,
        'in-use': 'fail'
      })

      expect(outcome.report.success).toBe(false)
      expect(outcome.report.failure).toMatch(/^refusing to roll back: nothing was re-enabled or disabled: /)
      expect(outcome.report.failure).toContain(`${fresh.imageId} is used by web-prod`)
      expect(outcome.report.failure).toContain('in-use: fail')
      expect(changesMade(aws)).toEqual([])
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
      expect(stateOf(aws, west.old[0].imageId, 'eu-west-1')).toBe('disabled')
      expect(stateOf(aws, fresh.imageId)).toBe('available')
      expect(outcome.enabled).toEqual([])
      expect(outcome.disabled).toEqual([])
      // The refused report still says what uses it.
      expect(outcome.templates.map((t) => t.launchTemplateName)).toEqual(['web-prod'])
    })

    test('a dry run reports the template and what to point it at, and changes nothing', async () => {
      const { aws } = world
      const { old, fresh } = await used()

      const outcome = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId, 'dry-run': 'true' })

      expect(outcome.report.success).toBe(true)
      expect(changesMade(aws)).toEqual([])
      expect(stateOf(aws, fresh.imageId)).toBe('available')
      expect(outcome.templates.map((t) => [t.launchTemplateName, t.imageId])).toEqual([['web-prod', fresh.imageId]])
      expect(outcome.runReport.regions[0]?.changes.map((c) => `${c.action} ${c.imageId} ${c.outcome}`)).toEqual([
        `enable ${old[1].imageId} would-enable`,
        `enable ${old[0].imageId} would-enable`,
        `disable ${fresh.imageId} would-disable`
      ])
      expect(outcome.runReport.regions[0]?.pointTo).toBe(old[1].imageId)
    })

    test('launch templates that cannot be read: in-use fail changes nothing; in-use report rolls back and warns', async () => {
      const { aws } = world
      const { old, fresh } = await used()
      aws.faults.deny.add('ec2:DescribeLaunchTemplateVersions')

      const refused = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId, 'in-use': 'fail' })

      expect(refused.report.success).toBe(false)
      expect(refused.report.failure).toMatch(
        /^cannot check which launch templates use the images \(in-use: fail\): .*ec2:DescribeLaunchTemplateVersions.*; nothing was changed$/
      )
      expect(changesMade(aws)).toEqual([])

      const reported = await world.run(rollback, { command: 'rollback', 'image-id': fresh.imageId })

      expect(reported.report.success).toBe(true)
      expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
      expect(stateOf(aws, fresh.imageId)).toBe('disabled')
      expect(reported.logs).toContainEqual(
        expect.stringMatching(
          /^warning: \[us-east-1\] launch templates were not checked in us-east-1: .*ec2:DescribeLaunchTemplateVersions/
        )
      )
    })
  })

  test('the usage search is asked about the bad image, with what it superseded as the replacements; replacements on a launchable image are kept', async () => {
    const { aws } = world
    const { old, fresh } = await disabledFamily(2)
    aws.faults.failImages.set(old[0].imageId, { action: 'EnableImage', code: 'UnauthorizedOperation', status: 403 })
    const made = world.context({ command: 'rollback', 'image-id': fresh.imageId })
    const asked: Array<[string[], string[] | undefined]> = []
    const on = (imageId: string, name: string): TemplateUse => ({
      region: REGION,
      launchTemplateId: `lt-0${name}`,
      launchTemplateName: name,
      versionNumber: 2,
      imageId,
      isDefault: true,
      isLatest: true
    })
    made.ctx.usage = () => ({
      find: (imageIds, replacementIds) => {
        asked.push([imageIds, replacementIds])
        return Promise.resolve({
          ...emptyUsage(),
          replacements: [on(old[1].imageId, 'newest'), on(old[0].imageId, 'older')]
        })
      }
    })

    const outcome = await made.run(rollback)

    expect(asked).toEqual([[[fresh.imageId], [old[1].imageId, old[0].imageId]]])
    // old[0] failed to re-enable: a template on it is no replacement (and the bad image stays enabled).
    expect(outcome.runReport.regions[0]?.replacements.map((t) => t.launchTemplateName)).toEqual(['newest'])
    expect(outcome.runReport.regions[0]?.pointTo).toBe(old[1].imageId)
  })
})
