import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { InputError } from '../src/errors.js'
import type { DisableRecord, Image, Tag } from '../src/model.js'
import { decideFamily, globMatch, type FamilyRules, type TagMatcher } from '../src/rules/family.js'
import { MAX_TAGS_PER_IMAGE, readRecord, recordDoesNotFit, recordTags } from '../src/rules/lineage.js'
import { parseImageIds } from '../src/targets.js'
import { at } from '../test-support/at.js'

const ACCOUNT = '111122223333'
const BASE = Date.UTC(2024, 0, 1)
const NUM_RUNS = 300

// ---------------------------------------------------------------------------------------------
// (1) decideFamily
// ---------------------------------------------------------------------------------------------

const STATES = [
  'available',
  'available',
  'available',
  'available',
  'available',
  'pending',
  'disabled',
  'failed',
  'deregistered'
]
const NAMES = ['golden-web-1', 'golden-web-22', 'golden-api-1', 'golden-web', 'other-web-1', 'golden-w-1']
const PATTERNS = ['golden-*', 'golden-web-*', 'golden-???-?', '*-web-*']
const MATCHERS: TagMatcher[] = [
  { key: 'Pinned' },
  { key: 'Stage', value: 'prod' },
  { key: 'Stage' },
  { key: 'Family', value: 'api' }
]

interface Spec {
  owner: string
  minute: number
  family: string | undefined
  pinned: boolean
  stage: string | undefined
  state: string
  name: string
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  owner: fc.constantFrom(ACCOUNT, ACCOUNT, ACCOUNT, '444455556666'),
  minute: fc.integer({ min: 0, max: 30 }),
  family: fc.constantFrom('web', 'web', 'api', undefined),
  pinned: fc.constantFrom(false, false, false, true),
  stage: fc.constantFrom('prod', 'dev', '', undefined, undefined, undefined),
  state: fc.constantFrom(...STATES),
  name: fc.constantFrom(...NAMES)
})

function toImage(spec: Spec, index: number): Image {
  const tags: Tag[] = []
  if (spec.family !== undefined) tags.push({ key: 'Family', value: spec.family })
  if (spec.pinned) tags.push({ key: 'Pinned', value: 'yes' })
  if (spec.stage !== undefined) tags.push({ key: 'Stage', value: spec.stage })
  return {
    region: 'us-east-1',
    imageId: `ami-${index.toString(16).padStart(17, '0')}`,
    name: spec.name,
    ownerId: spec.owner,
    state: spec.state,
    creationDate: new Date(BASE + spec.minute * 60_000).toISOString(),
    public: false,
    tags
  }
}

const rulesArb: fc.Arbitrary<FamilyRules> = fc
  .record({
    familyTag: fc.constantFrom('Family', undefined),
    namePattern: fc.constantFrom(...PATTERNS, undefined),
    keep: fc.constantFrom(0, 0, 1, 2, 4),
    excludeTags: fc.subarray(MATCHERS)
  })
  // An absent rule is left out, as settings.ts leaves it out.
  .map(({ familyTag, namePattern, ...rest }) => ({
    ...rest,
    ...(familyTag !== undefined ? { familyTag } : {}),
    ...(namePattern !== undefined ? { namePattern } : {})
  }))

const tagOf = (image: Image, key: string): string | undefined => image.tags.find((t) => t.key === key)?.value
const time = (image: Image): number => Date.parse(image.creationDate)
const excluded = (image: Image, matchers: TagMatcher[]): boolean =>
  matchers.some((m) => image.tags.some((t) => t.key === m.key && (m.value === undefined || t.value === m.value)))

/**
 * The oracle of EC2's name filter, independent of the code under test (no regular expression):
 * `*` is any run of characters, `/` included; `?` is one character; every other character is
 * itself. Dynamic programming over pattern × name. (picomatch is no oracle here: its `*` stops
 * at `/` and it reads parentheses as groups, and AMI names hold both.)
 */
function wildcardMatch(pattern: string, name: string): boolean {
  // matched[j]: the pattern so far matches the first j characters of the name
  let matched = Array.from({ length: name.length + 1 }, (_, j) => j === 0)
  for (const p of pattern) {
    const next = Array.from({ length: name.length + 1 }, () => false)
    for (let j = 0; j <= name.length; j++) {
      if (p === '*') next[j] = matched[j]! || (j > 0 && next[j - 1]!)
      else next[j] = j > 0 && matched[j - 1]! && (p === '?' || p === name[j - 1])
    }
    matched = next
  }
  return matched[name.length]!
}

function inFamilyOf(image: Image, reference: Image, rules: FamilyRules): boolean {
  if (!rules.familyTag && !rules.namePattern) return false
  if (rules.familyTag) {
    const wanted = tagOf(reference, rules.familyTag)
    if (wanted === undefined || tagOf(image, rules.familyTag) !== wanted) return false
  }
  return !rules.namePattern || wildcardMatch(rules.namePattern, image.name)
}

describe('property: name-pattern matching (globMatch)', () => {
  // the characters of AMI names (what name-pattern accepts), the wildcards, and a few that a
  // regular expression would read
  const CHARS = ['a', 'b', 'B', '1', '-', '_', '.', '/', ' ', '(', ')', '[', ']', "'", '@']
  const nameArb = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((c) => c.join(''))
  const patternArb = fc.array(fc.constantFrom(...CHARS, '*', '*', '?'), { maxLength: 8 }).map((c) => c.join(''))

  test('the oracle itself, on known answers', () => {
    expect(wildcardMatch('golden-*', 'golden-web-1')).toBe(true)
    expect(wildcardMatch('golden-???-?', 'golden-web-1')).toBe(true)
    expect(wildcardMatch('golden-???-?', 'golden-web-22')).toBe(false)
    expect(wildcardMatch('*-web-*', 'other-web-1')).toBe(true)
    expect(wildcardMatch('a*b', 'a/x/b')).toBe(true)
    expect(wildcardMatch('a.c', 'abc')).toBe(false)
    expect(wildcardMatch('(x)[1]', '(x)[1]')).toBe(true)
    expect(wildcardMatch('', '')).toBe(true)
    expect(wildcardMatch('?', '')).toBe(false)
  })

  test('agrees with the oracle on any pattern and name', () => {
    let matches = 0
    fc.assert(
      fc.property(patternArb, nameArb, (pattern, name) => {
        const expected = wildcardMatch(pattern, name)
        if (expected) matches += 1
        expect({ pattern, name, match: globMatch(pattern, name) }).toEqual({ pattern, name, match: expected })
      }),
      // a fixed seed: the count of matches below depends on the draw (46 of 2000 in one CI run)
      { numRuns: 2000, seed: 20261201 }
    )
    expect(matches).toBeGreaterThan(50)
  })

  test('a name matches the pattern made from it by replacing characters with wildcards', () => {
    fc.assert(
      fc.property(nameArb, fc.array(fc.constantFrom('keep', '?', '*'), { maxLength: 12 }), (name, plan) => {
        const pattern = [...name].map((c, i) => (plan[i] === '?' ? '?' : plan[i] === '*' ? '*' : c)).join('')
        expect({ pattern, name, match: globMatch(pattern, name) }).toEqual({ pattern, name, match: true })
      }),
      { numRuns: 500 }
    )
  })
})

describe('property: decideFamily', () => {
  test('disables only eligible images, keeps the `keep` newest eligible, never twice', () => {
    const seen = { disable: 0, keep: 0, exclude: 0, skip: 0 }
    fc.assert(
      fc.property(
        fc.array(specArb, { maxLength: 25 }),
        specArb,
        rulesArb,
        fc.boolean(),
        (specs, newSpec, rules, listNew) => {
          const candidates = specs.map((s, i) => toImage(s, i + 1))
          const newImage = toImage(
            { ...newSpec, owner: ACCOUNT, state: 'available', minute: 15 + (newSpec.minute % 16) },
            0xfff
          )
          if (listNew) candidates.push(newImage)
          const decisions = decideFamily([newImage], candidates, ACCOUNT, rules)
          for (const d of decisions) seen[d.kind] += 1

          // never the same image twice, never the new image
          const ids = decisions.map((d) => d.image.imageId)
          expect(new Set(ids).size).toBe(ids.length)
          expect(ids).not.toContain(newImage.imageId)

          // every disable is owned, strictly older, not excluded, available, in the family
          const disabled = decisions.filter((d) => d.kind === 'disable').map((d) => d.image)
          for (const image of disabled) {
            expect(image.ownerId).toBe(ACCOUNT)
            expect(time(image)).toBeLessThan(time(newImage))
            expect(excluded(image, rules.excludeTags)).toBe(false)
            expect(image.state).toBe('available')
            expect(image.imageId).not.toBe(newImage.imageId)
            expect(inFamilyOf(image, newImage, rules)).toBe(true)
          }

          // an independent oracle: the eligible images, newest first (ties by id)
          const eligible = candidates
            .filter((c) => c.imageId !== newImage.imageId && inFamilyOf(c, newImage, rules))
            .filter(
              (c) =>
                c.ownerId === ACCOUNT &&
                time(c) < time(newImage) &&
                c.state === 'available' &&
                !excluded(c, rules.excludeTags)
            )
            .sort((a, b) => time(b) - time(a) || (a.imageId < b.imageId ? -1 : 1))
          const kept = decisions.filter((d) => d.kind === 'keep').map((d) => d.image.imageId)
          expect(kept).toEqual(eligible.slice(0, rules.keep).map((i) => i.imageId))
          expect(disabled.map((i) => i.imageId)).toEqual(eligible.slice(rules.keep).map((i) => i.imageId))

          // at least `keep` newer eligible images are kept for any disabled one
          for (const image of disabled) {
            const newerKept = eligible.filter((e) => kept.includes(e.imageId) && time(e) >= time(image))
            expect(newerKept.length).toBeGreaterThanOrEqual(rules.keep)
          }

          // every image of the family except the new one is decided; nothing outside it is
          const family = candidates.filter((c) => c.imageId !== newImage.imageId && inFamilyOf(c, newImage, rules))
          expect([...ids].sort()).toEqual([...new Set(family.map((f) => f.imageId))].sort())
        }
      ),
      { numRuns: NUM_RUNS }
    )
    // the generators reach every kind of decision
    expect(seen.disable).toBeGreaterThan(5)
    expect(seen.keep).toBeGreaterThan(5)
    expect(seen.exclude).toBeGreaterThan(5)
    expect(seen.skip).toBeGreaterThan(50)
  })

  test('a second new image of the same family is never disabled and the newest is the reference', () => {
    fc.assert(
      fc.property(
        fc.array(specArb, { maxLength: 15 }),
        specArb,
        fc.integer({ min: 0, max: 30 }),
        rulesArb,
        (specs, newSpec, otherMinute, rules) => {
          const candidates = specs.map((s, i) => toImage(s, i + 1))
          const a = toImage({ ...newSpec, owner: ACCOUNT, state: 'available' }, 0xffe)
          const b = toImage({ ...newSpec, owner: ACCOUNT, state: 'available', minute: otherMinute }, 0xfff)
          const decisions = decideFamily([a, b], [...candidates, a, b], ACCOUNT, rules)
          const ids = decisions.map((d) => d.image.imageId)
          expect(ids).not.toContain(a.imageId)
          expect(ids).not.toContain(b.imageId)
          const newest = Math.max(time(a), time(b))
          for (const d of decisions.filter((x) => x.kind === 'disable')) expect(time(d.image)).toBeLessThan(newest)
        }
      ),
      { numRuns: 150 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// (2) parseImageIds
// ---------------------------------------------------------------------------------------------

const REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-2',
  'ap-southeast-4',
  'ca-west-1',
  'us-gov-west-1',
  'cn-northwest-1',
  'il-central-1'
]
const amiArb = fc
  .oneof(fc.stringMatching(/^[0-9a-f]{17}$/), fc.stringMatching(/^[0-9a-f]{8}$/))
  .map((hex) => `ami-${hex}`)
const itemArb = fc.record({ region: fc.constantFrom(...REGIONS), imageId: amiArb })
/** Separators that the contract allows: commas, line breaks, and spaces around them. */
const SEPARATORS = [',', ', ', ' , ', '\n', '\r\n', '\n\n', ' \n ', '\t,\t']
const spaceArb = fc.constantFrom('', ' ', '  ', '\n', ' \n\t')

describe('property: parseImageIds', () => {
  test('round-trips region:ami lists joined by commas, newlines and spaces, deduplicated', () => {
    fc.assert(
      fc.property(
        fc.array(itemArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom(...SEPARATORS), { minLength: 12, maxLength: 12 }),
        fc.boolean(),
        spaceArb,
        spaceArb,
        (items, seps, duplicate, before, after) => {
          const list = duplicate ? [...items, at(items, 0)] : items
          const text =
            before +
            list
              .map(
                (t, i) =>
                  (i === 0 ? '' : seps[i % seps.length]) +
                  (i % 2 ? `${t.region} : ${t.imageId}` : `${t.region}:${t.imageId}`)
              )
              .join('') +
            after
          const seen = new Set<string>()
          const expected = items.filter((t) => {
            const key = `${t.region}:${t.imageId}`
            if (seen.has(key)) return false
            seen.add(key)
            return true
          })
          expect(parseImageIds(text, undefined)).toEqual(expected.map((t) => ({ ...t, regionFrom: 'image-id' })))
        }
      ),
      { numRuns: NUM_RUNS }
    )
  })

  test('bare ids take the default region', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(amiArb, { minLength: 1, maxLength: 10 }),
        fc.constantFrom(...REGIONS),
        fc.constantFrom(...SEPARATORS),
        (ids, region, sep) => {
          expect(parseImageIds(ids.join(sep), region)).toEqual(ids.map((imageId) => ({ region, imageId })))
        }
      ),
      { numRuns: 100 }
    )
  })

  test('rejects a list with an empty item between commas', () => {
    fc.assert(
      fc.property(
        fc.array(itemArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom('', ' ', '\t', '  '),
        fc.constantFrom(',', ', ', ' ,'),
        (items, at, inner, sep) => {
          const tokens = items.map((t) => `${t.region}:${t.imageId}`)
          tokens.splice(at % (tokens.length + 1), 0, inner)
          let caught: unknown
          try {
            parseImageIds(tokens.join(sep), 'us-east-1')
          } catch (error) {
            caught = error
          }
          expect(caught).toBeInstanceOf(InputError)
          expect((caught as InputError).input).toBe('image-id')
          expect((caught as InputError).message).toMatch(/is empty/)
        }
      ),
      { numRuns: NUM_RUNS }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// (3) lineage records
// ---------------------------------------------------------------------------------------------

const accountArb = fc.stringMatching(/^[0-9]{12}$/)
const partitionArb = fc.constantFrom('aws', 'aws', 'aws-cn', 'aws-us-gov')
const orgIdArb = fc.stringMatching(/^o-[a-z0-9]{10,32}$/)
const orgArb = fc
  .tuple(partitionArb, accountArb, orgIdArb)
  .map(([p, a, o]) => `arn:${p}:organizations::${a}:organization/${o}`)
const ouArb = fc
  .tuple(partitionArb, accountArb, orgIdArb, fc.stringMatching(/^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/))
  .map(([p, a, o, ou]) => `arn:${p}:organizations::${a}:ou/${o}/${ou}`)
const isoArb = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString())
const runArb = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,38}$/),
    fc.stringMatching(/^[A-Za-z0-9._-]{1,100}$/),
    fc.bigInt({ min: 1n, max: 99999999999n })
  )
  .map(([owner, repo, id]) => `${owner}/${repo}/actions/runs/${id}`)

const recordArb: fc.Arbitrary<DisableRecord> = fc.record({
  lineage: fc.record(
    {
      supersededBy: fc.oneof(amiArb, fc.constant('')),
      reason: fc.constantFrom('superseded' as const, 'rolled-back' as const),
      disabledAt: isoArb,
      run: runArb,
      reenabledAt: isoArb
    },
    { requiredKeys: ['supersededBy', 'reason', 'disabledAt'] }
  ),
  sharing: fc.record({
    public: fc.boolean(),
    userIds: fc.uniqueArray(accountArb, { maxLength: 60 }),
    organizationArns: fc.uniqueArray(orgArb, { maxLength: 5 }),
    organizationalUnitArns: fc.uniqueArray(ouArb, { maxLength: 10 })
  })
})

const userTagsArb = fc.uniqueArray(
  fc.record({
    key: fc.stringMatching(/^[A-Za-z][A-Za-z0-9:_.-]{0,20}$/).filter((k) => !k.startsWith('disable-superseded-ami')),
    value: fc.string({ maxLength: 20 })
  }),
  { maxLength: 50, selector: (t) => t.key }
)

/** What the image's tags are after CreateTags writes `record` over `existing`. */
function written(existing: Tag[], record: Tag[]): Tag[] {
  const map = new Map(existing.map((t) => [t.key, t.value]))
  for (const t of record) map.set(t.key, t.value)
  return [...map].map(([key, value]) => ({ key, value }))
}

describe('property: lineage records', () => {
  test('readRecord(recordTags(r)) deep-equals r, within the tag limits', () => {
    fc.assert(
      fc.property(recordArb, (r) => {
        const tags = recordTags(r)
        for (const t of tags) {
          expect(t.key.length).toBeLessThanOrEqual(128)
          expect(t.value.length).toBeLessThanOrEqual(256)
        }
        expect(readRecord(tags)).toEqual(r)
      }),
      { numRuns: NUM_RUNS }
    )
  })

  test('whenever recordDoesNotFit says it fits, the written tags are ≤ 50 and read back exactly (also over an earlier record)', () => {
    fc.assert(
      fc.property(recordArb, userTagsArb, fc.option(recordArb, { nil: undefined }), (r, userTags, earlier) => {
        const existing = earlier ? written(userTags, recordTags(earlier)) : userTags
        const tags = recordTags(r)
        const refusal = recordDoesNotFit(existing, tags)
        const after = written(existing, tags)
        if (refusal === undefined) {
          expect(after.length).toBeLessThanOrEqual(MAX_TAGS_PER_IMAGE)
          expect(readRecord(after)).toEqual(r)
        } else {
          expect(after.length).toBeGreaterThan(MAX_TAGS_PER_IMAGE)
          expect(refusal).toContain(`needs ${tags.length} tags`)
        }
      }),
      { numRuns: NUM_RUNS }
    )
  })
})
