/**
 * Smoke tests of the COMMITTED bundle, dist/index.js: what runners execute. The other e2e tests
 * run the bundle of the current sources (built by the global setup); CI's dist check keeps the
 * two equal. Small on purpose: a disable, a status, a bad input.
 */
import { DIST_ENTRY } from '../test-support/run-action.js'
import { changesMade, family, json, REGION, startWorld, stateOf, type World } from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const dist = { entry: DIST_ENTRY }

describe('dist/index.js, as a runner runs it', () => {
  test('disable: the superseded images are disabled and the outputs name them', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' }, dist)

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(stateOf(aws, fresh.imageId)).toBe('available')
    expect(json<string[]>(result.outputs['disabled-image-ids']).sort()).toEqual(old.map((o) => o.imageId).sort())
    expect(json<{ success: boolean }>(result.outputs.report).success).toBe(true)
    expect(result.summary).toContain(old[0].imageId)
  })

  test('status: the state output and a passing step', async () => {
    const { aws } = world
    const { fresh } = family(aws, 1)

    const result = await world.run({ command: 'status', 'image-id': fresh.imageId }, dist)

    expect(result.exitCode).toBe(0)
    expect(result.outputs.state).toBe('available')
    expect(changesMade(aws)).toEqual([])
  })

  test('a bad input is refused, naming the input, before any AWS call', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', keep: 'two' }, dist)

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^::error::.*'keep'.*'two' is not a whole number/m)
    expect(aws.calls).toEqual([])
    expect(stateOf(aws, old[0].imageId, REGION)).toBe('available')
  })
})
