import { describe, expect, test } from '@jest/globals'
import { emptySharing, type DisableRecord, type Lineage, type Sharing, type Tag } from '../src/model.js'
import {
  isRecordTag,
  LINEAGE_TAG,
  MAX_TAGS_PER_IMAGE,
  readRecord,
  recordDoesNotFit,
  recordTags,
  reenabledLineageTag,
  SHARING_TAG,
  SUPERSEDED_BY_TAG
} from '../src/rules/lineage.js'

const NEW = 'ami-0123456789abcdef0'

function account(i: number): string {
  return String(100000000000 + i * 7919).padStart(12, '0')
}

function orgArn(i: number, partition = 'aws'): string {
  return `arn:${partition}:organizations::${account(900 + i)}:organization/o-${String(i).padStart(10, 'a')}`
}

function ouArn(i: number, partition = 'aws'): string {
  return `arn:${partition}:organizations::${account(900)}:ou/o-aaaaaaaaaa/ou-ab${i}c-${String(i).padStart(8, 'x')}`
}

/** The lineage's fields to set; `run: undefined` too (a run there but undefined, as JavaScript may write it). */
type LineageFields = Partial<Omit<Lineage, 'run'>> & { run?: string | undefined }

function record(sharing: Partial<Sharing> = {}, lineage: LineageFields = {}): DisableRecord {
  return {
    lineage: {
      supersededBy: NEW,
      reason: 'superseded',
      disabledAt: '2024-05-01T10:20:30.000Z',
      run: 'acme/golden-images/actions/runs/9876543210',
      ...lineage
    } as Lineage,
    sharing: { ...emptySharing(), ...sharing }
  }
}

function checkLimits(tags: Tag[]): void {
  for (const t of tags) {
    expect(t.key.length).toBeLessThanOrEqual(128)
    expect(t.value.length).toBeLessThanOrEqual(256)
    expect(isRecordTag(t.key)).toBe(true)
  }
  expect(new Set(tags.map((t) => t.key)).size).toBe(tags.length)
}

function roundTrip(r: DisableRecord): Tag[] {
  const tags = recordTags(r)
  checkLimits(tags)
  expect(readRecord(tags)).toEqual(r)
  // tag order does not matter, and other tags on the image do not disturb it
  expect(readRecord([{ key: 'Name', value: 'x' }, ...[...tags].reverse(), { key: 'Family', value: 'web' }])).toEqual(r)
  return tags
}

describe('recordTags / readRecord', () => {
  test('not shared: the exact tags', () => {
    const r = record()
    expect(recordTags(r)).toEqual([
      { key: SUPERSEDED_BY_TAG, value: NEW },
      {
        key: LINEAGE_TAG,
        value: 'reason=superseded;at=2024-05-01T10:20:30.000Z;run=acme/golden-images/actions/runs/9876543210'
      },
      { key: SHARING_TAG, value: 'v1;public=0;parts=0' }
    ])
    roundTrip(r)
  })

  test('the tag keys', () => {
    expect(SUPERSEDED_BY_TAG).toBe('disable-superseded-ami:superseded-by')
    expect(LINEAGE_TAG).toBe('disable-superseded-ami:lineage')
    expect(SHARING_TAG).toBe('disable-superseded-ami:sharing')
  })

  test('public only', () => {
    const tags = roundTrip(record({ public: true }))
    expect(tags.find((t) => t.key === SHARING_TAG)?.value).toBe('v1;public=1;parts=0')
  })

  test('a few accounts, one org, one OU: order kept', () => {
    const r = record({
      userIds: [account(3), account(1), account(2)],
      organizationArns: [orgArn(1)],
      organizationalUnitArns: [ouArn(1)]
    })
    const tags = roundTrip(r)
    expect(tags).toHaveLength(4)
    expect(tags[3]!.key).toBe('disable-superseded-ami:sharing:1')
  })

  test('rolled-back, re-enabled, without run', () => {
    roundTrip(
      record(
        { userIds: [account(1)] },
        { reason: 'rolled-back', reenabledAt: '2024-05-02T00:00:00.000Z', run: undefined }
      )
    )
    const r = record({}, { run: undefined })
    delete r.lineage.run
    roundTrip(r)
  })

  test('without supersededBy: an empty superseded-by tag, read back as empty', () => {
    const r = record({}, { supersededBy: '' })
    const tags = roundTrip(r)
    expect(tags.find((t) => t.key === SUPERSEDED_BY_TAG)?.value).toBe('')
  })

  test('shared with 40 accounts, 3 OUs, 2 organizations and public', () => {
    const r = record({
      public: true,
      userIds: Array.from({ length: 40 }, (_, i) => account(i)),
      organizationArns: [orgArn(1), orgArn(2)],
      organizationalUnitArns: [ouArn(1), ouArn(2), ouArn(3)]
    })
    const tags = roundTrip(r)
    expect(tags.length).toBeLessThanOrEqual(10)
    expect(recordDoesNotFit([{ key: 'Name', value: 'golden' }], tags)).toBeUndefined()
  })

  test('non-default partitions (aws-cn, aws-us-gov) round-trip', () => {
    roundTrip(
      record({
        userIds: [account(1)],
        organizationArns: [orgArn(1, 'aws-cn'), orgArn(2, 'aws-us-gov'), orgArn(3)],
        organizationalUnitArns: [ouArn(1, 'aws-us-gov'), ouArn(2, 'aws-cn'), ouArn(3)]
      })
    )
  })

  test('many ARNs of every partition round-trip within the value limit', () => {
    roundTrip(
      record({
        organizationArns: Array.from({ length: 12 }, (_, i) => orgArn(i, ['aws', 'aws-cn', 'aws-us-gov'][i % 3])),
        organizationalUnitArns: Array.from({ length: 12 }, (_, i) => ouArn(i, ['aws-us-gov', 'aws', 'aws-cn'][i % 3]))
      })
    )
  })

  test('a run longer than fits is shortened, never over 256', () => {
    const tags = recordTags(
      record({}, { run: `o/${'r'.repeat(400)}/actions/runs/1`, reenabledAt: '2024-05-02T00:00:00.000Z' })
    )
    checkLimits(tags)
    expect(tags.find((t) => t.key === LINEAGE_TAG)?.value).toHaveLength(256)
  })

  test('incomplete or foreign tags are no record', () => {
    const tags = recordTags(record({ userIds: Array.from({ length: 30 }, (_, i) => account(i)) }))
    expect(readRecord([])).toBeUndefined()
    expect(readRecord(tags.filter((t) => t.key !== SHARING_TAG))).toBeUndefined()
    expect(readRecord(tags.filter((t) => t.key !== LINEAGE_TAG))).toBeUndefined()
    expect(readRecord(tags.filter((t) => t.key !== 'disable-superseded-ami:sharing:2'))).toBeUndefined()
    expect(
      readRecord(tags.map((t) => (t.key === SHARING_TAG ? { ...t, value: 'v9;public=0;parts=0' } : t)))
    ).toBeUndefined()
    expect(
      readRecord(tags.map((t) => (t.key === SHARING_TAG ? { ...t, value: 'v1;public=0;parts=x' } : t)))
    ).toBeUndefined()
    expect(
      readRecord(tags.map((t) => (t.key === 'disable-superseded-ami:sharing:1' ? { ...t, value: 'zz=1' } : t)))
    ).toBeUndefined()
  })

  test('a count of parts that is not plain digits is no record, though Number() would read it', () => {
    const tags = recordTags(record({ userIds: [account(1)] }))
    const withParts = (parts: string): Tag[] =>
      tags.map((t) => (t.key === SHARING_TAG ? { ...t, value: `v1;public=0;parts=${parts}` } : t))
    expect(readRecord(withParts('1'))).toEqual(record({ userIds: [account(1)] }))
    for (const parts of ['-1', '1x', 'x1', ' 1', '1 ', '1e0', '0x1', '1.0', '']) {
      expect([parts, readRecord(withParts(parts))]).toEqual([parts, undefined])
    }
  })

  test('a chunk with extra spaces (edited by hand) reads the same', () => {
    const r = record({ userIds: [account(1), account(2)] })
    const tags = recordTags(r).map((t) =>
      t.key === 'disable-superseded-ami:sharing:1' ? { ...t, value: ` ${t.value.replace(' ', '   ')} ` } : t
    )
    expect(readRecord(tags)).toEqual(r)
  })

  test('a record without its superseded-by tag or its time reads them as empty', () => {
    const r = record({ userIds: [account(1)] })
    const tags = recordTags(r)
      .filter((t) => t.key !== SUPERSEDED_BY_TAG)
      .map((t) => (t.key === LINEAGE_TAG ? { ...t, value: 'reason=superseded' } : t))
    expect(readRecord(tags)).toEqual({
      sharing: r.sharing,
      lineage: { supersededBy: '', reason: 'superseded', disabledAt: '' }
    })
  })

  test('a lineage field without a value (edited by hand) reads as empty, not as set', () => {
    const r = record({ userIds: [account(1)] })
    const tags = recordTags(r).map((t) =>
      t.key === LINEAGE_TAG ? { ...t, value: 'reason=superseded;at;run;reenabled' } : t
    )
    expect(readRecord(tags)?.lineage).toEqual({ supersededBy: NEW, reason: 'superseded', disabledAt: '' })
  })

  test('the lineage tag stays within 256 characters when its other fields leave no room for the run', () => {
    const others = 'reason=superseded;at=;reenabled=2024-06-01T00:00:00.000Z'.length
    // an `at` longer than a tag can hold was edited by hand: not this test's
    for (let length = 150; length <= 256 - others; length++) {
      const r = record({}, { disabledAt: 't'.repeat(length), run: 'acme/golden-images/actions/runs/1' })
      const value = reenabledLineageTag(r, '2024-06-01T00:00:00.000Z').value
      expect(value.length).toBeLessThanOrEqual(256)
      const run = value.split(';run=')[1]
      if (run !== undefined) expect('acme/golden-images/actions/runs/1'.startsWith(run) && run !== '').toBe(true)
    }
    // room for ';run=' and nothing after it: no run field at all
    const atRoom = (room: number): string => {
      const fixed = others + ';run='.length
      return reenabledLineageTag(
        record({}, { disabledAt: 't'.repeat(256 - fixed - room), run: 'run-1' }),
        '2024-06-01T00:00:00.000Z'
      ).value
    }
    expect(atRoom(0)).not.toContain(';run=')
    expect(atRoom(-2)).not.toContain(';run=')
    expect(atRoom(1)).toMatch(/;run=r$/)
  })

  test('chunks of an earlier, longer record left on the image are ignored', () => {
    const long = recordTags(record({ userIds: Array.from({ length: 50 }, (_, i) => account(i)) }))
    const short = record({ userIds: [account(7)] })
    const merged = new Map(long.map((t) => [t.key, t.value]))
    for (const t of recordTags(short)) merged.set(t.key, t.value)
    expect(readRecord([...merged].map(([key, value]) => ({ key, value })))).toEqual(short)
  })

  // The superseded-by tag is always written, empty too: CreateTags does not remove tags, and an earlier
  // record's superseded-by left on the image would make a later rollback of that image pick this one.
  test('an empty supersededBy written over an earlier record reads back empty', () => {
    const earlier = recordTags(record({ userIds: [account(1)] }, { supersededBy: 'ami-0aaaaaaaaaaaaaaaa' }))
    const now = record({}, { supersededBy: '', reason: 'rolled-back' })
    const merged = new Map(earlier.map((t) => [t.key, t.value]))
    for (const t of recordTags(now)) merged.set(t.key, t.value)
    expect(readRecord([...merged].map(([key, value]) => ({ key, value })))).toEqual(now)
  })

  test('reenabledLineageTag adds reenabled and keeps the rest', () => {
    const r = record({ userIds: [account(1)] })
    const tag = reenabledLineageTag(r, '2024-06-01T00:00:00.000Z')
    expect(tag.key).toBe(LINEAGE_TAG)
    const tags = recordTags(r).map((t) => (t.key === tag.key ? tag : t))
    expect(readRecord(tags)).toEqual({ ...r, lineage: { ...r.lineage, reenabledAt: '2024-06-01T00:00:00.000Z' } })
  })
})

function userTags(n: number): Tag[] {
  return Array.from({ length: n }, (_, i) => ({ key: `user-${i}`, value: String(i) }))
}

describe('recordDoesNotFit', () => {
  // made in each test, not once for the block: a mutation run (perTest) runs a mutant only with the tests it ran in
  const three = (): Tag[] => recordTags(record({ userIds: [account(1)] }))

  test('the record has 4 tags', () => {
    expect(three()).toHaveLength(4)
  })

  test('fits up to exactly 50 tags', () => {
    expect(recordDoesNotFit(userTags(MAX_TAGS_PER_IMAGE - 4), three())).toBeUndefined()
  })

  test('refuses at 51 and says why', () => {
    expect(recordDoesNotFit(userTags(MAX_TAGS_PER_IMAGE - 3), three())).toBe(
      'its sharing record needs 4 tags and it already has 47 of the 50 an image can hold'
    )
  })

  test('tags of an earlier record (same keys) do not count', () => {
    const earlier = recordTags(record({ userIds: [account(2)] }, { reason: 'rolled-back' }))
    expect(recordDoesNotFit([...userTags(46), ...earlier], three())).toBeUndefined()
    expect(recordDoesNotFit([...userTags(47), ...earlier], three())).toBe(
      'its sharing record needs 4 tags and it already has 47 of the 50 an image can hold'
    )
  })

  test('extra chunks of an earlier, longer record stay on the image and count', () => {
    const earlier = recordTags(record({ userIds: Array.from({ length: 40 }, (_, i) => account(i)) }))
    expect(earlier.length).toBe(6)
    expect(recordDoesNotFit([...userTags(44), ...earlier], three())).toBeUndefined()
    expect(recordDoesNotFit([...userTags(45), ...earlier], three())).toBeDefined()
  })

  test('a big record beside few tags fits', () => {
    const big = recordTags(
      record({
        public: true,
        userIds: Array.from({ length: 60 }, (_, i) => account(i)),
        organizationArns: [orgArn(1)],
        organizationalUnitArns: [ouArn(1), ouArn(2)]
      })
    )
    expect(recordDoesNotFit(userTags(10), big)).toBeUndefined()
    expect(recordDoesNotFit(userTags(MAX_TAGS_PER_IMAGE - big.length + 1), big)).toBeDefined()
  })
})
