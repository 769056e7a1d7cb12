/**
 * `enable` in process (coverage of src/), with the real SDK clients against the emulator: the
 * images' end state and sharing, the outputs and the log lines.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { disable } from '../src/commands/disable.js'
import { enable } from '../src/commands/enable.js'
import { readRecord } from '../src/rules/lineage.js'
import { startAwsEmulator, type EmuImage } from '../test-support/emulator/ec2.js'
import { commandWorld, type CommandWorld } from '../test-support/command-context.js'
import { changesMade, day, family, image, REGION, stateOf } from './e2e/world.js'

let world: CommandWorld
beforeEach(async () => {
  world = commandWorld(await startAwsEmulator())
})
afterEach(async () => {
  await world.close()
})

const ORG = 'arn:aws:organizations::111122223333:organization/o-abcdefghij'
const OU = 'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh12'

function sharingOf(img: EmuImage | undefined) {
  return img && { public: img.public, launchPermissions: img.launchPermissions.map((p) => JSON.stringify(p)).sort() }
}

describe('enable (in process)', () => {
  test('re-enables images that disable disabled, with the sharing they had, and marks the record', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    const shared = aws.image(REGION, old[0].imageId)!
    shared.public = true
    shared.launchPermissions.push({ userId: '123456789012' }, { organizationArn: ORG }, { organizationalUnitArn: OU })
    const before = old.map((o) => sharingOf(aws.image(REGION, o.imageId)))
    expect((await world.run(disable, { 'image-id': fresh.imageId, 'family-tag': 'role' })).report.success).toBe(true)
    expect(aws.image(REGION, old[0].imageId)!.launchPermissions).toEqual([])

    const outcome = await world.run(enable, { command: 'enable', 'image-id': old.map((o) => o.imageId).join(',') })

    expect(outcome.report.success).toBe(true)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(old.map((o) => sharingOf(aws.image(REGION, o.imageId)))).toEqual(before)
    expect([...outcome.enabled].sort()).toEqual(old.map((o) => o.imageId).sort())
    expect(outcome.disabled).toEqual([])
    const record = readRecord(aws.image(REGION, old[0].imageId)!.tags)
    expect(record?.lineage.reenabledAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/)
    expect(record?.lineage.supersededBy).toBe(fresh.imageId)
    expect(outcome.logs).toContainEqual(
      `info: [${REGION}] re-enabled ${old[0].imageId} (golden-web-1); sharing restored: public, 1 account(s), 1 organization(s), 1 OU(s)`
    )
    expect(outcome.logs.filter((l) => l.startsWith('warning:'))).toEqual([])
  })

  test('an image already available is left as it is', async () => {
    const { aws } = world
    const available = image(aws, 'golden-web-1', day(1), { launchPermissions: [{ userId: '123456789012' }] })

    const outcome = await world.run(enable, { command: 'enable', 'image-id': available.imageId })

    expect(outcome.report.success).toBe(true)
    expect(changesMade(aws)).toEqual([])
    expect(outcome.enabled).toEqual([])
    expect(aws.image(REGION, available.imageId)!.launchPermissions).toEqual([{ userId: '123456789012' }])
  })

  test('an image disabled without this action’s record is enabled, with a warning that no sharing was restored', async () => {
    const { aws } = world
    const bare = image(aws, 'golden-web-1', day(1), { state: 'disabled' })

    const outcome = await world.run(enable, { command: 'enable', 'image-id': bare.imageId })

    expect(stateOf(aws, bare.imageId)).toBe('available')
    expect(outcome.enabled).toEqual([bare.imageId])
    expect(outcome.logs).toContainEqual(
      `warning: [${REGION}] ${bare.imageId} (golden-web-1): no sharing record from this action: enabled without restoring any sharing`
    )
  })

  test('an id that is not found changes nothing and fails, naming it', async () => {
    const { aws } = world
    const disabled = image(aws, 'golden-web-1', day(1), { state: 'disabled' })
    const missing = 'ami-0123456789abcdef0'

    const outcome = await world.run(enable, { command: 'enable', 'image-id': `${disabled.imageId},${missing}` })

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toMatch(new RegExp(`^${missing} was not found in ${REGION} \\(`))
    expect(changesMade(aws)).toEqual([])
    expect(stateOf(aws, disabled.imageId)).toBe('disabled')
  })

  test('EnableImage denied: the image is reported and stays disabled', async () => {
    const { aws } = world
    const disabled = image(aws, 'golden-web-1', day(1), { state: 'disabled' })
    aws.faults.deny.add('ec2:EnableImage')

    const outcome = await world.run(enable, { command: 'enable', 'image-id': disabled.imageId })

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toMatch(
      new RegExp(`^1 image\\(s\\) could not be changed: ${disabled.imageId} \\(.*ec2:EnableImage`)
    )
    expect(stateOf(aws, disabled.imageId)).toBe('disabled')
    expect(outcome.enabled).toEqual([])
  })
})
