/**
 * newestFirst is a comparator every run agrees on: newest first, and images created at the same time by id, whichever
 * way round they are compared. Pure.
 */
import { describe, expect, test } from '@jest/globals'
import type { Image } from '../src/model.js'
import { newestFirst } from '../src/rules/family.js'

function image(imageId: string, creationDate = '2026-11-01T10:00:00.000Z'): Image {
  return {
    imageId,
    name: imageId,
    region: 'us-east-1',
    ownerId: '111122223333',
    state: 'available',
    creationDate,
    public: false,
    tags: []
  }
}

describe('newestFirst', () => {
  const a = image('ami-0000000000000000a')
  const b = image('ami-0000000000000000b')

  test('an image compared with itself is neither before nor after', () => {
    expect(newestFirst(a, a)).toBe(0)
  })

  test('created at the same time: the lower id first, whichever way round', () => {
    expect(Math.sign(newestFirst(a, b))).toBe(-1)
    expect(Math.sign(newestFirst(b, a))).toBe(1)
    expect([b, a].sort(newestFirst)).toEqual([a, b])
    expect([a, b].sort(newestFirst)).toEqual([a, b])
  })

  test('the newer first, whatever the ids', () => {
    const newer = image('ami-00000000000000000', '2026-11-02T10:00:00.000Z')
    expect([a, newer].sort(newestFirst)).toEqual([newer, a])
  })
})
