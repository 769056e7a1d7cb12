/**
 * Issue 12 point 6: a `max-images` refusal lists the images it would have disabled (ids, with
 * their names when short), the first 20, then how many more.
 */
import { describe, expect, test } from '@jest/globals'
import { emptyUsage, type Decision } from '../src/model.js'
import { applyPolicy, MAX_IMAGES_LISTED, refusalOf } from '../src/rules/policy.js'
import { imageMaker } from '../test-support/report-fixtures.js'

const R = 'us-east-1'
const image = imageMaker({
  region: R,
  ownerId: '111122223333',
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})
const disable = (name: string): Decision => ({ image: image(name), kind: 'disable', reason: 'superseded' })
const SETTINGS = { inUse: 'report', maxImages: 2 } as const

function refusal(decisions: Decision[], maxImages = 2): string {
  return applyPolicy(R, decisions, emptyUsage(), { ...SETTINGS, maxImages }).refusals.join('\n')
}

describe('max-images refusal: which images', () => {
  test('each image to disable, by id and name, in the order decided', () => {
    const d = [disable('golden-web-3'), disable('golden-web-2'), disable('golden-web-1')]
    const [a, b, c] = d.map((x) => x.image.imageId)
    expect(refusal(d)).toBe(
      `3 images would be disabled in ${R}, more than max-images (2): ${a} (golden-web-3), ${b} (golden-web-2), ${c} (golden-web-1)`
    )
  })

  test('images that are kept, excluded or skipped are not listed', () => {
    const d: Decision[] = [
      disable('a-1'),
      disable('a-2'),
      disable('a-3'),
      { image: image('kept-1'), kind: 'keep', reason: 'keep' },
      { image: image('excluded-1'), kind: 'exclude', reason: 'exclude-tags' },
      { image: image('skipped-1'), kind: 'skip', reason: 'pending' }
    ]
    expect(refusal(d)).not.toMatch(/kept-1|excluded-1|skipped-1/)
    expect(refusal(d)).toMatch(/^3 images would be disabled/)
  })

  test('a long name is left out: the id is enough', () => {
    const long = `golden-${'x'.repeat(60)}`
    const d = [disable(long), disable('short-1'), disable('short-2')]
    const text = refusal(d)
    expect(text).toContain(`: ${d[0]!.image.imageId}, ${d[1]!.image.imageId} (short-1)`)
    expect(text).not.toContain(long)
  })

  test(`the first ${MAX_IMAGES_LISTED} are named, then how many more`, () => {
    const d = Array.from({ length: 25 }, (_, i) => disable(`golden-web-${i}`))
    const text = refusal(d, 10)
    for (const x of d.slice(0, MAX_IMAGES_LISTED)) expect(text).toContain(x.image.imageId)
    for (const x of d.slice(MAX_IMAGES_LISTED)) expect(text).not.toContain(x.image.imageId)
    expect(text).toMatch(/golden-web-19\) and 5 more$/)
  })

  test(`exactly ${MAX_IMAGES_LISTED}: all named, no "more"`, () => {
    const text = refusal(
      Array.from({ length: MAX_IMAGES_LISTED }, (_, i) => disable(`w-${i}`)),
      1
    )
    expect(text).not.toMatch(/more$/)
    expect(text).toMatch(/\(w-19\)$/)
  })

  test('the run refusal keeps the list of each region', () => {
    const d = [disable('w-1'), disable('w-2'), disable('w-3')]
    const policy = applyPolicy(R, d, emptyUsage(), SETTINGS)
    expect(refusalOf([policy])).toBe(`refusing to disable anything: ${refusal(d)}`)
  })
})
