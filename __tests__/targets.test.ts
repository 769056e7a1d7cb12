import { describe, expect, test } from '@jest/globals'
import { AMI_ID, isRegion, parseImageIds, parsePackerManifest } from '../src/targets.js'
import { expectInputError } from './e2e/input-error.js'

const A = 'ami-0123456789abcdef0'
const B = 'ami-0fedcba9876543210'
const C = 'ami-1a2b3c4d'

/** Runs fn, expects an InputError naming `input`, and returns it for further checks. */
const inputError = expectInputError

describe('parseImageIds', () => {
  test('one bare id takes the default region', () => {
    expect(parseImageIds(A, 'us-east-1')).toEqual([{ region: 'us-east-1', imageId: A }])
  })

  test('8-hex-digit ids are accepted', () => {
    expect(parseImageIds(C, 'eu-west-2')).toEqual([{ region: 'eu-west-2', imageId: C }])
  })

  test('comma separated list, with spaces around items', () => {
    expect(parseImageIds(` ${A} , ${B} `, 'us-east-1')).toEqual([
      { region: 'us-east-1', imageId: A },
      { region: 'us-east-1', imageId: B }
    ])
  })

  test('newline separated list (LF and CRLF), blank lines ignored', () => {
    expect(parseImageIds(`${A}\r\n\n  \n${B}\n`, 'ap-southeast-2')).toEqual([
      { region: 'ap-southeast-2', imageId: A },
      { region: 'ap-southeast-2', imageId: B }
    ])
  })

  test('region:ami pairs as Packer writes them (artifact_id)', () => {
    expect(parseImageIds(`us-east-1:${A},eu-west-1:${B}`, undefined)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'image-id' },
      { region: 'eu-west-1', imageId: B, regionFrom: 'image-id' }
    ])
  })

  test('region:ami pairs keep their region even with a default region', () => {
    expect(parseImageIds(`eu-central-1:${A}\n${B}`, 'us-west-2')).toEqual([
      { region: 'eu-central-1', imageId: A, regionFrom: 'image-id' },
      { region: 'us-west-2', imageId: B }
    ])
  })

  test('mixed commas and newlines', () => {
    expect(parseImageIds(`us-east-1:${A}, us-east-2:${B}\nca-central-1:${C}`, undefined)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'image-id' },
      { region: 'us-east-2', imageId: B, regionFrom: 'image-id' },
      { region: 'ca-central-1', imageId: C, regionFrom: 'image-id' }
    ])
  })

  test('other partitions and newer regions are region names', () => {
    const regions = [
      'us-gov-west-1',
      'cn-north-1',
      'cn-northwest-1',
      'il-central-1',
      'mx-central-1',
      'ap-southeast-7',
      'me-south-1',
      'af-south-1',
      'sa-east-1',
      'ap-northeast-3',
      'us-iso-east-1',
      'eusc-de-east-1'
    ]
    for (const region of regions) {
      expect(parseImageIds(`${region}:${A}`, undefined)).toEqual([{ region, imageId: A, regionFrom: 'image-id' }])
    }
  })

  test('duplicates are removed, first occurrence order kept', () => {
    expect(parseImageIds(`${A},${B}\n${A}\nus-east-1:${B}`, 'us-east-1')).toEqual([
      { region: 'us-east-1', imageId: A },
      { region: 'us-east-1', imageId: B }
    ])
  })

  test('the same id in two regions is two targets', () => {
    expect(parseImageIds(`us-east-1:${A},us-west-2:${A}`, undefined)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'image-id' },
      { region: 'us-west-2', imageId: A, regionFrom: 'image-id' }
    ])
  })

  test('empty or blank text fails naming image-id', () => {
    expect(inputError(() => parseImageIds('', 'us-east-1'), 'image-id').message).toMatch(/no AMI id/)
    inputError(() => parseImageIds('  \n \n', 'us-east-1'), 'image-id')
  })

  test('an empty item between commas fails (doubled comma)', () => {
    const error = inputError(() => parseImageIds(`${A},,${B}`, 'us-east-1'), 'image-id')
    expect(error.message).toMatch(/item 2 is empty/)
  })

  test('a trailing or leading comma fails', () => {
    inputError(() => parseImageIds(`${A},`, 'us-east-1'), 'image-id')
    inputError(() => parseImageIds(`,${A}`, 'us-east-1'), 'image-id')
    inputError(() => parseImageIds(`${A},,\n${B}`, 'us-east-1'), 'image-id')
  })

  // BUG (src/targets.ts parseImageIds): lines are split first, then commas, so a list written one
  // `region:ami,` per line (a Packer artifact_id pasted into a `|` block) fails with "item 2 is
  // empty". A comma that ends a line should be a separator like the line break after it.
  test('a comma at the end of a line, before the next item, is a separator', () => {
    expect(parseImageIds(`us-east-1:${A},\nus-east-2:${B},\r\nca-central-1:${C}`, undefined)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'image-id' },
      { region: 'us-east-2', imageId: B, regionFrom: 'image-id' },
      { region: 'ca-central-1', imageId: C, regionFrom: 'image-id' }
    ])
  })

  test.each([
    ['too short', 'ami-123'],
    ['upper-case hex', 'ami-0123456789ABCDEF0'],
    ['not hex', 'ami-XYZ0123456789abcd'],
    ['9 digits', 'ami-123456789'],
    ['18 digits', 'ami-0123456789abcdef01'],
    ['no prefix', '0123456789abcdef0'],
    ['snapshot id', 'snap-0123456789abcdef0'],
    ['two ids on one line', `${A} ${B}`]
  ])('malformed id (%s) fails naming it', (_what, id) => {
    const error = inputError(() => parseImageIds(id, 'us-east-1'), 'image-id')
    expect(error.message).toContain(id)
  })

  test('malformed id after a region fails', () => {
    const error = inputError(() => parseImageIds('us-east-1:ami-123', undefined), 'image-id')
    expect(error.message).toContain("'ami-123'")
  })

  test.each(['us-nowhere-1', 'mars-east-1', 'useast1', 'us-east', 'US-EAST-1', 'us-east-0', 'eu-west-1a', ''])(
    'unknown region %j fails naming it',
    (region) => {
      const error = inputError(() => parseImageIds(`${region}:${A}`, undefined), 'image-id')
      expect(error.message).toContain(`'${region}'`)
    }
  )

  test('a bare id with no default region fails and says how to give one', () => {
    const error = inputError(() => parseImageIds(A, undefined), 'image-id')
    expect(error.message).toContain(`region:${A}`)
    expect(error.message).toMatch(/region/)
  })

  test('a bare id with an empty default region fails', () => {
    inputError(() => parseImageIds(A, ''), 'image-id')
  })

  test('the input name can be chosen', () => {
    inputError(() => parseImageIds('ami-1', 'us-east-1', 'other-input'), 'other-input')
  })
})

describe('parseImageIds: where each region came from (regionFrom)', () => {
  test('a bare id takes the default region and where it came from', () => {
    for (const from of ['input', 'AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
      expect(parseImageIds(A, { region: 'us-east-2', from })).toEqual([
        { region: 'us-east-2', imageId: A, regionFrom: from }
      ])
    }
  })

  test('region:ami is from image-id, even when a default region is given', () => {
    expect(
      parseImageIds(
        `eu-west-1:${A}
${B}`,
        { region: 'us-east-1', from: 'AWS_REGION' }
      )
    ).toEqual([
      { region: 'eu-west-1', imageId: A, regionFrom: 'image-id' },
      { region: 'us-east-1', imageId: B, regionFrom: 'AWS_REGION' }
    ])
  })

  test('a plain default region (no source known) leaves regionFrom out', () => {
    expect(parseImageIds(A, 'us-east-1')[0]).not.toHaveProperty('regionFrom')
  })

  test('a duplicate keeps the first occurrence, with its source', () => {
    expect(parseImageIds(`us-east-1:${A},${A}`, { region: 'us-east-1', from: 'input' })).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'image-id' }
    ])
  })
})

describe('AMI_ID and isRegion', () => {
  test('AMI_ID', () => {
    expect(AMI_ID.test(A)).toBe(true)
    expect(AMI_ID.test(C)).toBe(true)
    expect(AMI_ID.test(`${A}\n`)).toBe(false)
    expect(AMI_ID.test(`x${A}`)).toBe(false)
  })
  test('isRegion', () => {
    expect(isRegion('us-east-1')).toBe(true)
    expect(isRegion('ap-southeast-12')).toBe(true)
    expect(isRegion('us-gov-east-1')).toBe(true)
    expect(isRegion('us-nowhere-1')).toBe(false)
    expect(isRegion('mars-east-1')).toBe(false)
    expect(isRegion('useast1')).toBe(false)
    expect(isRegion(' us-east-1')).toBe(false)
  })
})

function manifest(builds: object[], lastRun?: string): string {
  return JSON.stringify(lastRun === undefined ? { builds } : { builds, last_run_uuid: lastRun })
}

const RUN_OLD = '11111111-1111-1111-1111-111111111111'
const RUN_NEW = '22222222-2222-2222-2222-222222222222'

function amiBuild(run: string, artifact: string, name = 'golden'): object {
  return {
    name,
    builder_type: 'amazon-ebs',
    build_time: 1700000000,
    artifact_id: artifact,
    packer_run_uuid: run,
    custom_data: null
  }
}

describe('parsePackerManifest', () => {
  test('only the builds of last_run_uuid', () => {
    const text = manifest(
      [amiBuild(RUN_OLD, `us-east-1:${A}`), amiBuild(RUN_NEW, `us-east-1:${B}`), amiBuild(RUN_OLD, `eu-west-1:${C}`)],
      RUN_NEW
    )
    expect(parsePackerManifest(text)).toEqual([{ region: 'us-east-1', imageId: B, regionFrom: 'packer-manifest' }])
  })

  test('an artifact_id with several regions gives one target per region', () => {
    const text = manifest([amiBuild(RUN_NEW, `us-east-1:${A},eu-west-1:${B},ap-south-1:${C}`)], RUN_NEW)
    expect(parsePackerManifest(text)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'packer-manifest' },
      { region: 'eu-west-1', imageId: B, regionFrom: 'packer-manifest' },
      { region: 'ap-south-1', imageId: C, regionFrom: 'packer-manifest' }
    ])
  })

  test('several AMI builds of the last run are all used, deduplicated', () => {
    const text = manifest(
      [amiBuild(RUN_NEW, `us-east-1:${A}`, 'web'), amiBuild(RUN_NEW, `us-east-1:${B},us-east-1:${A}`, 'api')],
      RUN_NEW
    )
    expect(parsePackerManifest(text)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'packer-manifest' },
      { region: 'us-east-1', imageId: B, regionFrom: 'packer-manifest' }
    ])
  })

  test('non-AMI builds (docker, file, null artifact) of the last run are ignored', () => {
    const text = manifest(
      [
        { name: 'docker', builder_type: 'docker', artifact_id: 'sha256:0123456789abcdef', packer_run_uuid: RUN_NEW },
        { name: 'file', builder_type: 'file', artifact_id: '/tmp/out.txt', packer_run_uuid: RUN_NEW },
        { name: 'null', builder_type: 'null', artifact_id: 'Null', packer_run_uuid: RUN_NEW },
        { name: 'none', builder_type: 'null', packer_run_uuid: RUN_NEW },
        amiBuild(RUN_NEW, `us-west-2:${A}`)
      ],
      RUN_NEW
    )
    expect(parsePackerManifest(text)).toEqual([{ region: 'us-west-2', imageId: A, regionFrom: 'packer-manifest' }])
  })

  test('without last_run_uuid every build is used', () => {
    const text = manifest([amiBuild(RUN_OLD, `us-east-1:${A}`), amiBuild(RUN_NEW, `us-east-2:${B}`)])
    expect(parsePackerManifest(text)).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'packer-manifest' },
      { region: 'us-east-2', imageId: B, regionFrom: 'packer-manifest' }
    ])
  })

  test('an artifact_id written by hand with spaces after its commas is read the same', () => {
    const text = manifest([amiBuild(RUN_NEW, ` us-east-1:${A} , eu-west-1:${B}`)], RUN_NEW)
    expect(parsePackerManifest(text).map((t) => [t.region, t.imageId])).toEqual([
      ['us-east-1', A],
      ['eu-west-1', B]
    ])
  })

  test('a build whose artifact_id is not only region:ami- pairs is passed over, as another type of build', () => {
    const text = manifest(
      [
        amiBuild(RUN_NEW, `us-east-1:${A},not-an-ami`),
        amiBuild(RUN_NEW, `registry:tag:ami-0123456789abcdef0`),
        amiBuild(RUN_NEW, `eu-west-1:${B}`)
      ],
      RUN_NEW
    )
    expect(parsePackerManifest(text).map((t) => [t.region, t.imageId])).toEqual([['eu-west-1', B]])
  })

  test('no AMI build and no run named (last_run_uuid absent or empty): the message says "it", not a run', () => {
    for (const lastRun of [undefined, '']) {
      const error = inputError(
        () =>
          parsePackerManifest(
            manifest([{ name: 'docker', builder_type: 'docker', artifact_id: 'sha256:ab' }], lastRun)
          ),
        'packer-manifest'
      )
      expect(error.message).toMatch(/: it has no AMI build/)
    }
  })

  test('an id with more after it is malformed, not cut', () => {
    const error = inputError(
      () => parsePackerManifest(manifest([amiBuild(RUN_NEW, `us-east-1:${A}:extra`)], RUN_NEW)),
      'packer-manifest'
    )
    expect(error.message).toContain(`${A}:extra`)
  })

  test('not JSON fails naming packer-manifest', () => {
    const error = inputError(() => parsePackerManifest('{"builds": ['), 'packer-manifest')
    expect(error.message).toMatch(/not JSON/)
  })

  test.each([['null'], ['[]'], ['"text"'], ['{}'], ['{"builds": {}}']])('%s is not a manifest', (text) => {
    const error = inputError(() => parsePackerManifest(text), 'packer-manifest')
    expect(error.message).toMatch(/builds/)
  })

  test('no builds fails naming packer-manifest', () => {
    const error = inputError(() => parsePackerManifest(manifest([], RUN_NEW)), 'packer-manifest')
    expect(error.message).toMatch(/no AMI build/)
  })

  test('no AMI build in the last run fails (AMI builds of older runs do not count)', () => {
    const text = manifest(
      [
        amiBuild(RUN_OLD, `us-east-1:${A}`),
        { name: 'docker', builder_type: 'docker', artifact_id: 'sha256:ab', packer_run_uuid: RUN_NEW }
      ],
      RUN_NEW
    )
    const error = inputError(() => parsePackerManifest(text), 'packer-manifest')
    expect(error.message).toContain(RUN_NEW)
  })

  test('an AMI build with a malformed id fails', () => {
    const error = inputError(
      () => parsePackerManifest(manifest([amiBuild(RUN_NEW, 'us-east-1:ami-123')], RUN_NEW)),
      'packer-manifest'
    )
    expect(error.message).toContain('ami-123')
  })

  test('an AMI build with an unknown region fails', () => {
    const error = inputError(
      () => parsePackerManifest(manifest([amiBuild(RUN_NEW, `mars-east-1:${A}`)], RUN_NEW)),
      'packer-manifest'
    )
    expect(error.message).toContain('mars-east-1')
  })
})
