/**
 * The edges of the pure rules that a mutation run found no test noticing: which template versions
 * are the default and the latest when the numbers are known, the order of the template list, the
 * sharing record's header, chunk boundary and compact size, Packer manifests' odd corners, the
 * inputs at their limits, and the escape of text from AWS at its limits.
 */
import { describe, expect, test } from '@jest/globals'
import { emptySharing, type DisableRecord, type Sharing, type Tag } from '../src/model.js'
import { md } from '../src/report/escape.js'
import { readRecord, recordTags, SHARING_TAG } from '../src/rules/lineage.js'
import { templateUses, type TemplateNumbers, type TemplateVersion } from '../src/rules/usage.js'
import { parseSettings, type Settings } from '../src/settings.js'
import { parsePackerManifest } from '../src/targets.js'
import { inlineText, links } from '../test-support/markdown.js'
import { expectInputError } from './e2e/input-error.js'

const R = 'eu-west-1'
const OLD = 'ami-00000000000000001'
const A = 'ami-0123456789abcdef0'
const B = 'ami-0fedcba9876543210'

function version(
  launchTemplateId: string,
  launchTemplateName: string,
  versionNumber: number,
  isDefault: boolean,
  imageId = OLD
): TemplateVersion {
  return { launchTemplateId, launchTemplateName, versionNumber, isDefault, imageId }
}

describe('templateUses: default and latest', () => {
  // web: version 1 is the default, version 3 the latest; both still use OLD.
  const known: TemplateNumbers[] = [{ launchTemplateId: 'lt-0aaa', defaultVersionNumber: 1, latestVersionNumber: 3 }]

  test('with the numbers known, the default is not the latest and the latest is not the default', () => {
    const answered = [version('lt-0aaa', 'web', 1, true), version('lt-0aaa', 'web', 3, false)]

    expect(templateUses(R, answered, [OLD], known).map((u) => [u.versionNumber, u.isDefault, u.isLatest])).toEqual([
      [1, true, false],
      [3, false, true]
    ])
  })

  test('with the numbers known, a version that is neither (the latest changed since) is neither', () => {
    // answered for `$Latest` while it was 2; the template's latest is 3 by now
    const answered = [version('lt-0aaa', 'web', 2, false)]

    expect(templateUses(R, answered, [OLD], known)).toEqual([
      {
        region: R,
        launchTemplateId: 'lt-0aaa',
        launchTemplateName: 'web',
        versionNumber: 2,
        imageId: OLD,
        isDefault: false,
        isLatest: false
      }
    ])
    // without the numbers, the form of the answer decides: a non-default answer is the latest
    expect(templateUses(R, answered, [OLD]).map((u) => [u.isDefault, u.isLatest])).toEqual([[false, true]])
  })

  test("the known numbers win over the answer's default flag", () => {
    // answered as the default, but the default is version 1 by now
    const answered = [version('lt-0aaa', 'web', 3, true)]

    expect(templateUses(R, answered, [OLD], known).map((u) => [u.isDefault, u.isLatest])).toEqual([[false, true]])
  })

  test('numbers known for another template do not change this one', () => {
    const answered = [version('lt-0bbb', 'api', 4, true)]

    expect(templateUses(R, answered, [OLD], known).map((u) => [u.isDefault, u.isLatest])).toEqual([[true, false]])
  })
})

describe('templateUses: the order of the list', () => {
  test('by name in code-point order (capitals first), then by version number as a number', () => {
    const answered = [
      version('lt-0ccc', 'web', 10, false),
      version('lt-0bbb', 'api', 2, true),
      version('lt-0ccc', 'web', 9, true),
      version('lt-0ddd', 'Web', 1, true),
      version('lt-0ccc', 'web', 2, false),
      version('lt-0bbb', 'api', 1, false)
    ]

    expect(templateUses(R, answered, [OLD]).map((u) => `${u.launchTemplateName}#${u.versionNumber}`)).toEqual([
      'Web#1',
      'api#1',
      'api#2',
      'web#2',
      'web#9',
      'web#10'
    ])
  })

  test('the order does not depend on the order of the answers', () => {
    const answered = [
      version('lt-0bbb', 'b', 1, true),
      version('lt-0aaa', 'a', 2, false),
      version('lt-0aaa', 'a', 1, true),
      version('lt-0ccc', 'c', 1, true)
    ]
    const names = (list: TemplateVersion[]) =>
      templateUses(R, list, [OLD]).map((u) => `${u.launchTemplateName}#${u.versionNumber}`)

    expect(names(answered)).toEqual(['a#1', 'a#2', 'b#1', 'c#1'])
    expect(names([...answered].reverse())).toEqual(['a#1', 'a#2', 'b#1', 'c#1'])
  })
})

describe('the sharing record', () => {
  const lineage: DisableRecord['lineage'] = {
    supersededBy: A,
    reason: 'superseded',
    disabledAt: '2026-12-01T09:30:00.000Z',
    run: 'acme/golden-images/actions/runs/4242424242'
  }
  const record = (sharing: Partial<Sharing>): DisableRecord => ({ lineage, sharing: { ...emptySharing(), ...sharing } })
  const withHeader = (tags: Tag[], value: string): Tag[] =>
    tags.map((t) => (t.key === SHARING_TAG ? { ...t, value } : t))
  const chunks = (tags: Tag[]): Tag[] => tags.filter((t) => /:sharing:\d+$/.test(t.key))

  /** Account ids, 14 characters each as entries (`u=` + 12 digits). */
  const accounts = (n: number): string[] => Array.from({ length: n }, (_, i) => String(100000000000 + i))
  /** An OU ARN whose entry (`ou=~…`) is `length` characters long. */
  const ouOfEntryLength = (length: number): string => {
    const head = 'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-'
    const entry = (arn: string) => `ou=~${arn.slice('arn:aws:organizations::'.length)}`
    const arn = head + 'x'.repeat(length - entry(head).length)
    expect(entry(arn)).toHaveLength(length)
    return arn
  }

  describe('a corrupt header reads as no record', () => {
    const tags = recordTags(record({ userIds: accounts(2) }))

    test.each(['v1;public=0;parts=-1', 'v1;public=0;parts=1.5', 'v1;public=0'])('%j', (header) => {
      expect(readRecord(withHeader(tags, header))).toBeUndefined()
    })

    // Number('') is 0: an emptied `parts=` must not read as a record of an image shared with no one.
    test('"v1;public=0;parts=" (parts emptied)', () => {
      expect(readRecord(withHeader(tags, 'v1;public=0;parts='))).toBeUndefined()
    })

    test('parts=0 is a record that is shared with no one', () => {
      expect(readRecord(withHeader(tags, 'v1;public=1;parts=0'))).toEqual({
        lineage,
        sharing: { ...emptySharing(), public: true }
      })
    })

    test('more parts than there are chunk tags: no record', () => {
      expect(readRecord(withHeader(tags, 'v1;public=0;parts=2'))).toBeUndefined()
    })
  })

  describe('a chunk holds exactly 256 characters', () => {
    // 13 accounts (13 × 14 + 12 spaces = 194) and, after a space, an OU entry of 61: 256 in all.
    test('a chunk of exactly 256 characters is one tag, and round-trips', () => {
      const sharing = { userIds: accounts(13), organizationalUnitArns: [ouOfEntryLength(61)] }
      const tags = recordTags(record(sharing))

      expect(chunks(tags).map((t) => t.value.length)).toEqual([256])
      expect(tags.find((t) => t.key === SHARING_TAG)?.value).toBe('v1;public=0;parts=1')
      expect(readRecord(tags)).toEqual(record(sharing))
    })

    test('one character more starts a second chunk, and round-trips', () => {
      const sharing = { userIds: accounts(13), organizationalUnitArns: [ouOfEntryLength(62)] }
      const tags = recordTags(record(sharing))

      expect(chunks(tags).map((t) => t.value.length)).toEqual([194, 62])
      expect(tags.find((t) => t.key === SHARING_TAG)?.value).toBe('v1;public=0;parts=2')
      expect(readRecord(tags)).toEqual(record(sharing))
    })

    test('an entry of exactly 256 characters fits a chunk alone; one of 257 cannot be recorded', () => {
      const long = (n: number) => 'x'.repeat(n - 'u='.length)
      const tags = recordTags(record({ userIds: ['123456789012', long(256)] }))
      expect(chunks(tags).map((t) => t.value.length)).toEqual([14, 256])
      expect(readRecord(tags)?.sharing.userIds).toEqual(['123456789012', long(256)])

      expect(() => recordTags(record({ userIds: [long(257)] }))).toThrow(
        'a sharing entry is longer than a tag value can hold (257)'
      )
    })
  })

  describe('the compact encoding: organizations ARNs shortened to ~', () => {
    const ous = (n: number): string[] =>
      Array.from(
        { length: n },
        (_, i) => `arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-${String(i).padStart(8, '0')}`
      )
    const orgs = (n: number): string[] =>
      Array.from(
        { length: n },
        (_, i) => `arn:aws:organizations::${String(200000000000 + i)}:organization/o-${String(i).padStart(10, 'a')}`
      )

    test('an OU is written as ou=~<account>:ou/…, an organization as o=~<account>:organization/…', () => {
      const tags = recordTags(record({ organizationArns: orgs(1), organizationalUnitArns: ous(1) }))

      expect(chunks(tags).map((t) => t.value)).toEqual([
        'o=~200000000000:organization/o-aaaaaaaaa0 ou=~111122223333:ou/o-abcdefghij/ou-ab12-00000000'
      ])
    })

    // Each OU entry is 49 characters: 5 to a chunk (5 × 49 + 4 = 249); unshortened (71), only 3.
    test.each([
      [1, 4],
      [5, 4],
      [6, 5],
      [20, 7],
      [235, 50]
    ])('%i OU ARNs need exactly %i tags', (n, expected) => {
      const tags = recordTags(record({ organizationalUnitArns: ous(n) }))

      expect(tags).toHaveLength(expected)
      expect(readRecord(tags)?.sharing.organizationalUnitArns).toEqual(ous(n))
    })

    // Each organization entry is 41 characters: 6 to a chunk (6 × 41 + 5 = 251); unshortened (63), 4.
    test.each([
      [6, 4],
      [7, 5],
      [30, 8]
    ])('%i organization ARNs need exactly %i tags', (n, expected) => {
      const tags = recordTags(record({ organizationArns: orgs(n) }))

      expect(tags).toHaveLength(expected)
      expect(readRecord(tags)?.sharing.organizationArns).toEqual(orgs(n))
    })

    test('an ARN of another partition is written whole and read back whole', () => {
      const gov = 'arn:aws-us-gov:organizations::111122223333:ou/o-abcdefghij/ou-ab12-00000000'
      const tags = recordTags(record({ organizationalUnitArns: [gov] }))

      expect(chunks(tags).map((t) => t.value)).toEqual([`ou=${gov}`])
      expect(readRecord(tags)?.sharing.organizationalUnitArns).toEqual([gov])
    })
  })
})

describe('parsePackerManifest: odd corners', () => {
  const build = (run: string, artifact: string) => ({
    name: 'golden',
    builder_type: 'amazon-ebs',
    artifact_id: artifact,
    packer_run_uuid: run
  })
  const RUN = '22222222-2222-2222-2222-222222222222'
  const OLDER_RUN = '11111111-1111-1111-1111-111111111111'

  test('last_run_uuid "" (no run recorded): every build is used', () => {
    const text = JSON.stringify({
      last_run_uuid: '',
      builds: [build(OLDER_RUN, `us-east-1:${A}`), build(RUN, `eu-west-1:${B}`)]
    })

    expect(parsePackerManifest(text)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'packer-manifest' },
      { region: 'eu-west-1', imageId: B, regionFrom: 'packer-manifest' }
    ])
  })

  test('a null build entry is passed over, with or without last_run_uuid', () => {
    const builds = [null, build(RUN, `us-east-1:${A}`), null]

    expect(parsePackerManifest(JSON.stringify({ last_run_uuid: RUN, builds }))).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'packer-manifest' }
    ])
    expect(parsePackerManifest(JSON.stringify({ builds }))).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'packer-manifest' }
    ])
  })

  test('only null build entries: no AMI build, naming packer-manifest', () => {
    const error = expectInputError(
      () => parsePackerManifest(JSON.stringify({ last_run_uuid: RUN, builds: [null] })),
      'packer-manifest'
    )
    expect(error.message).toContain('no AMI build')
  })
})

describe('inputs at their limits', () => {
  const BASE: Record<string, string> = { 'image-id': A, 'family-tag': 'Family' }
  const settings = (inputs: Record<string, string>): Settings => {
    const all = { ...BASE, ...inputs }
    return parseSettings({ input: (name) => all[name] ?? '', env: { AWS_REGION: 'us-east-1' }, readFile: () => '' })
  }

  test.each(['*-web-*', '?olden-web-*', '*web', '*-2026-*-?'])(
    'name-pattern %j, starting with a wildcard, is accepted',
    (pattern) => {
      expect(settings({ 'name-pattern': pattern }).namePattern).toBe(pattern)
    }
  )

  test('name-pattern of 128 characters is accepted; 129 are refused, naming name-pattern', () => {
    const of = (n: number) => `golden-${'x'.repeat(n - 'golden-'.length - 1)}*`
    expect(of(128)).toHaveLength(128)

    expect(settings({ 'name-pattern': of(128) }).namePattern).toBe(of(128))
    const error = expectInputError(() => settings({ 'name-pattern': of(129) }), 'name-pattern')
    expect(error.message).toContain('128')
  })

  test.each(['1#2', '12#', '#1 2', '# 3'])('pull-request %j is refused, naming pull-request', (value) => {
    const error = expectInputError(() => settings({ 'pull-request': value }), 'pull-request')
    expect(error.message).toContain(`'${value}'`)
  })

  test('pull-request of 10 digits is accepted', () => {
    expect(settings({ 'pull-request': '#1234567890' }).pullRequest).toBe(1234567890)
  })
})

describe('md: text from AWS at its limits', () => {
  test.each([
    'www.evil.example',
    'WWW.evil.example/login',
    'golden www.evil.example',
    '(www.evil.example)',
    'golden-www.evil.example',
    '*www.evil.example'
  ])('%j cannot autolink and is shown as itself', (text) => {
    expect(links(text)).toHaveLength(1)

    expect(links(md(text))).toEqual([])
    expect(inlineText(md(text))).toBe(text)
  })

  // GFM autolinks `www.` after `_` too (the spec: "at the beginning of a line, after whitespace,
  // or any of the delimiting characters *, _, ~, and ("); test-support/markdown.ts does not model
  // the `_` case, so this checks the escaped text itself.
  test('"golden_www.evil.example": the www. after an underscore is escaped too', () => {
    expect(md('golden_www.evil.example')).not.toMatch(/(^|[^\\])www\./)
  })

  test('200 characters are kept whole; 201 are cut to 199 and …', () => {
    expect(md('x'.repeat(200))).toBe('x'.repeat(200))
    expect(md('x'.repeat(201))).toBe(`${'x'.repeat(199)}…`)
  })

  test('the limit counts the text, not its escapes, and a cut never splits an escape', () => {
    expect(inlineText(md('_'.repeat(200)))).toBe('_'.repeat(200))
    expect(inlineText(md(`${'a'.repeat(199)}&b`))).toBe(`${'a'.repeat(199)}…`)
    expect(inlineText(md(`${'a'.repeat(199)}&`))).toBe(`${'a'.repeat(199)}&`)
  })

  test('a longer limit, at its boundary', () => {
    expect(md('y'.repeat(1000), 1000)).toBe('y'.repeat(1000))
    expect(md('y'.repeat(1001), 1000)).toBe(`${'y'.repeat(999)}…`)
  })
})
