/** `status` in process (coverage of src/), with the real SDK clients against the emulator. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { status } from '../src/commands/status.js'
import { startAwsEmulator } from '../test-support/emulator/ec2.js'
import { commandWorld, type CommandWorld } from '../test-support/command-context.js'
import { changesMade, day, image, REGION } from './e2e/world.js'

let world: CommandWorld
beforeEach(async () => {
  world = commandWorld(await startAwsEmulator())
})
afterEach(async () => {
  await world.close()
})

describe('status (in process)', () => {
  test('every image in require-state (default available): passes, state is that state', async () => {
    const { aws } = world
    const a = image(aws, 'golden-web-1', day(1))
    const b = image(aws, 'golden-web-2', day(2))

    const outcome = await world.run(status, { command: 'status', 'image-id': `${a.imageId}\n${b.imageId}` })

    expect(outcome.report.success).toBe(true)
    expect(outcome.outputs.state).toBe('available')
    expect(outcome.logs).toEqual([
      `info: [${REGION}] ${a.imageId} (golden-web-1): available`,
      `info: [${REGION}] ${b.imageId} (golden-web-2): available`
    ])
    expect(changesMade(aws)).toEqual([])
  })

  test('an image in another state fails the step, naming it; state is mixed', async () => {
    const { aws } = world
    const a = image(aws, 'golden-web-1', day(1))
    const b = image(aws, 'golden-web-2', day(2), { state: 'disabled' })

    const outcome = await world.run(status, { command: 'status', 'image-id': `${a.imageId},${b.imageId}` })

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toBe(`1 of 2 image(s) not available: ${b.imageId} is disabled`)
    expect(outcome.outputs.state).toBe('mixed')
  })

  test('require-state disabled passes for a disabled image', async () => {
    const { aws } = world
    const b = image(aws, 'golden-web-2', day(2), { state: 'disabled' })

    const outcome = await world.run(status, { command: 'status', 'image-id': b.imageId, 'require-state': 'disabled' })

    expect(outcome.report.success).toBe(true)
    expect(outcome.outputs.state).toBe('disabled')
  })

  test('an image that does not exist is not-found, and fails the step', async () => {
    const missing = 'ami-0123456789abcdef0'

    const outcome = await world.run(status, { command: 'status', 'image-id': `eu-west-1:${missing}` })

    expect(outcome.report.success).toBe(false)
    expect(outcome.outputs.state).toBe('not-found')
    expect(outcome.report.failure).toBe(`1 of 1 image(s) not available: ${missing} is not-found`)
    expect(outcome.logs).toEqual([`info: [eu-west-1] ${missing}: not-found`])
  })

  test('a state that cannot be read fails the step, naming the region', async () => {
    const { aws } = world
    const a = image(aws, 'golden-web-1', day(1))
    aws.faults.deny.add('ec2:DescribeImages')

    const outcome = await world.run(status, { command: 'status', 'image-id': a.imageId })

    expect(outcome.report.success).toBe(false)
    expect(outcome.report.failure).toMatch(new RegExp(`^the state could not be read: ${REGION}: .*DescribeImages`))
  })
})
