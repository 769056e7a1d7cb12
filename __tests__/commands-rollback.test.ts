/**
 * `rollback` in process (coverage of src/), with the real SDK clients against the emulator: the
 * images' end state, sharing and records, the outputs and the log lines.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { disable } from '../src/commands/disable.js'
import { rollback } from '../src/commands/rollback.js'
import { readRecord } from '../src/rules/lineage.js'
import { at } from '../test-support/at.js'
import { startAwsEmulator, type EmuImage } from '../test-support/emulator/ec2.js'
import { commandWorld, RUN_REF, type CommandWorld } from '../test-support/command-context.js'
import { changesMade, family, REGION, stateOf } from './e2e/world.js'

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
})
