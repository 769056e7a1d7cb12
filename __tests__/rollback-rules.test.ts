/** The pure rules of a rollback (src/rules/rollback.ts): when a bad image stays enabled, and pointTo. */
import { describe, expect, test } from '@jest/globals'
import type { Change, ChangeOutcome, Image } from '../src/model.js'
import { launchable, pointToOf, staysEnabledBecause } from '../src/rules/rollback.js'

const R = 'eu-west-1'
const A = 'ami-0000000000000000a'
const B = 'ami-0000000000000000b'
const C = 'ami-0000000000000000c'

function enable(imageId: string, outcome: ChangeOutcome): Change {
  return { region: R, imageId, name: imageId, action: 'enable', outcome }
}

function enables(...changes: Change[]): Map<string, Change> {
  return new Map(changes.map((c) => [c.imageId, c]))
}

function image(imageId: string): Image {
  return {
    region: R,
    imageId,
    name: imageId,
    ownerId: '111122223333',
    state: 'disabled',
    creationDate: '2026-01-01T00:00:00.000Z',
    public: false,
    tags: []
  }
}

describe('launchable', () => {
  test.each<[ChangeOutcome, boolean]>([
    ['enabled', true],
    ['would-enable', true],
    ['unchanged', true],
    ['failed', false]
  ])('a re-enable that is %s: %s', (outcome, expected) => {
    expect(launchable(enable(A, outcome))).toBe(expected)
  })

  test('no re-enable, or a disable, is not', () => {
    expect(launchable(undefined)).toBe(false)
    expect(launchable({ ...enable(A, 'disabled'), action: 'disable' })).toBe(false)
  })
})

describe('staysEnabledBecause', () => {
  test('it superseded nothing', () => {
    expect(staysEnabledBecause(R, [], enables())).toBe(
      `stays enabled in ${R}: it superseded no image, so disabling it would leave no image to launch`
    )
  })

  test('every re-enable worked (or would, or was not needed): it may be disabled', () => {
    expect(
      staysEnabledBecause(
        R,
        [A, B, C],
        enables(enable(A, 'enabled'), enable(B, 'would-enable'), enable(C, 'unchanged'))
      )
    ).toBeUndefined()
  })

  test('its one superseded image failed', () => {
    expect(staysEnabledBecause(R, [A], enables(enable(A, 'failed')))).toBe(
      `stays enabled in ${R}: the image it superseded (${A}) could not be re-enabled, so disabling it would leave no image to launch`
    )
  })

  test('all of several failed (a missing re-enable counts as failed)', () => {
    expect(staysEnabledBecause(R, [A, B], enables(enable(A, 'failed')))).toBe(
      `stays enabled in ${R}: none of the 2 images it superseded could be re-enabled, so disabling it would leave no image to launch`
    )
  })

  test('some failed: it stays enabled, naming them, and says to run again', () => {
    expect(
      staysEnabledBecause(R, [A, B, C], enables(enable(A, 'enabled'), enable(B, 'failed'), enable(C, 'failed')))
    ).toBe(
      `stays enabled in ${R}: 2 of the 3 images it superseded could not be re-enabled (${B}, ${C}); run the rollback again once they can be`
    )
  })
})

describe('pointToOf', () => {
  test('the newest launchable one', () => {
    const superseded = [image(A), image(B), image(C)]
    expect(pointToOf(superseded, enables(enable(A, 'failed'), enable(B, 'would-enable'), enable(C, 'enabled')))).toBe(B)
  })

  test('none launchable, or nothing superseded', () => {
    expect(pointToOf([image(A)], enables(enable(A, 'failed')))).toBeUndefined()
    expect(pointToOf([], enables())).toBeUndefined()
  })
})
