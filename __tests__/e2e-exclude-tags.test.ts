/**
 * Issue 12 point 6: `exclude-tags` takes commas as `image-id` does. `foo=bar,image-family=api` is
 * two matchers (it was one, key `foo` with value `bar,image-family=api`, which matched nothing, so
 * the images meant to be protected were disabled); a value holding a comma is quoted.
 */
import { day, image, json, startWorld, stateOf, type World } from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const tagged = (...tags: Array<[string, string]>) => ({
  tags: [{ key: 'role', value: 'web' }, ...tags.map(([key, value]) => ({ key, value }))]
})

test('a comma-separated exclude-tags protects every image it names; the others are disabled', async () => {
  const { aws } = world
  const foo = image(aws, 'golden-web-1', day(1), tagged(['foo', 'bar']))
  const api = image(aws, 'golden-web-2', day(2), tagged(['image-family', 'api']))
  const pinned = image(aws, 'golden-web-3', day(3), tagged(['Pinned', '']))
  const plain = image(aws, 'golden-web-4', day(4))
  const fresh = image(aws, 'golden-web-5', day(5))

  const result = await world.run({
    'image-id': fresh.imageId,
    'family-tag': 'role',
    'exclude-tags': 'foo=bar,image-family=api, Pinned'
  })

  expect(result.exitCode).toBe(0)
  expect([foo, api, pinned].map((i) => stateOf(aws, i.imageId))).toEqual(['available', 'available', 'available'])
  expect(stateOf(aws, plain.imageId)).toBe('disabled')
  expect(json(result.outputs['disabled-image-ids'])).toEqual([plain.imageId])
  expect(result.stdout).toMatch(/3 excluded/)
})

test('a quoted value keeps its comma; a value that only shares a prefix is not protected', async () => {
  const { aws } = world
  const smith = image(aws, 'golden-web-1', day(1), tagged(['Owner', 'Smith, John']))
  const other = image(aws, 'golden-web-2', day(2), tagged(['Owner', 'Smith']))
  const fresh = image(aws, 'golden-web-3', day(3))

  const result = await world.run({
    'image-id': fresh.imageId,
    'family-tag': 'role',
    'exclude-tags': 'Owner="Smith, John"'
  })

  expect(result.exitCode).toBe(0)
  expect(stateOf(aws, smith.imageId)).toBe('available')
  expect(stateOf(aws, other.imageId)).toBe('disabled')
})
