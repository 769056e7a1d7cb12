/**
 * Issue 12 point 6: a `name-pattern` that the new image itself does not match is a mistake. The
 * matching is EC2's name filter: `*` any run, `?` one character, the rest literal, case-sensitive,
 * the whole name.
 */
import { describe, expect, test } from '@jest/globals'
import { nameMatches, namePatternMismatch } from '../src/rules/name-pattern.js'
import { imageMaker } from '../test-support/report-fixtures.js'

const image = imageMaker({
  region: 'us-east-1',
  ownerId: '111122223333',
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})

describe('nameMatches', () => {
  test.each([
    // * at the start, in the middle, at the end; none of it
    ['*-web', 'golden-web', true],
    ['*-web', 'golden-web-2', false],
    ['golden-*-x86_64', 'golden-web-2026.11.01-x86_64', true],
    ['golden-*-x86_64', 'golden-web-arm64', false],
    ['golden-web-*', 'golden-web-', true],
    ['golden-web-*', 'golden-web', false],
    ['*web*', 'web', true],
    ['a**b', 'ab', true],
    // ? is exactly one character
    ['web-?', 'web-1', true],
    ['web-?', 'web-12', false],
    ['web-?', 'web-', false],
    ['web-????????', 'web-20261101', true],
    ['?', 'x', true],
    // the whole name, not a part of it
    ['web', 'golden-web', false],
    ['web', 'web-1', false],
    ['web', 'web', true],
    // case-sensitive
    ['Golden-*', 'golden-web', false],
    ['golden-*', 'GOLDEN-web', false],
    ['golden-*', 'golden-Web', true]
  ])('%j against %j: %s', (pattern, name, expected) => {
    expect(nameMatches(pattern, name)).toBe(expected)
  })

  test.each([
    // regex metacharacters in names are literal
    ['web-2.0-*', 'web-2.0-a', true],
    ['web-2.0-*', 'web-2x0-a', false],
    ['c++-*', 'c++-1', true],
    ['c++-*', 'cc-1', false],
    ['web (prod)*', 'web (prod) 1', true],
    ['web (prod)*', 'web prod 1', false],
    ['[v1]-*', '[v1]-a', true],
    ['[v1]-*', 'v-a', false],
    ['$HOME^*', '$HOME^x', true],
    ['a|b', 'a', false],
    ['a|b', 'a|b', true],
    ['a{2}', 'aa', false],
    ['back\\slash', 'back\\slash', true],
    ["team's/base@*", "team's/base@1", true]
  ])('metacharacters: %j against %j: %s', (pattern, name, expected) => {
    expect(nameMatches(pattern, name)).toBe(expected)
  })

  test('* and ? also match a line break or a space (any character)', () => {
    expect(nameMatches('a*b', 'a \n b')).toBe(true)
    expect(nameMatches('a?b', 'a\nb')).toBe(true)
  })
})

describe('namePatternMismatch', () => {
  test('undefined when every new image matches', () => {
    expect(namePatternMismatch('golden-web-*', [image('golden-web-2'), image('golden-web-3')])).toBeUndefined()
  })

  test('names the input, the pattern, the image and its name, and that nothing was changed', () => {
    const api = image('api-2026-11-01')
    expect(namePatternMismatch('web-*', [api])).toBe(
      `name-pattern 'web-*' does not match the new image ${api.imageId} (named 'api-2026-11-01'); nothing was changed`
    )
  })

  test('only the images that do not match are named', () => {
    const web = image('web-1')
    const api = image('api-1')
    const db = image('db-1')
    const message = namePatternMismatch('web-*', [web, api, db]) ?? ''
    expect(message).toContain(`the new images ${api.imageId} (named 'api-1'), ${db.imageId} (named 'db-1')`)
    expect(message).not.toContain(web.imageId)
  })

  test('case matters: Web-* does not match web-1', () => {
    expect(namePatternMismatch('Web-*', [image('web-1')])).toMatch(/does not match/)
  })
})
