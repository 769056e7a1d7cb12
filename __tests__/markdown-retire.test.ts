/**
 * report/markdown.ts for `retire`, pure: the title, the sections of what was (or would be) retired,
 * the snapshot cells, the totals, the notes on the archive tier and the Recycle Bin, and the comment
 * shortened to its verdict. Hand-built reports, read as GitHub renders them.
 */
import { describe, expect, test } from '@jest/globals'
import { renderBody, renderComment, title } from '../src/report/markdown.js'
import { blockquotes, sections, tableUnder, text } from '../test-support/markdown.js'
import { retiredImage as retired, retireRun as run } from '../test-support/retire-fixtures.js'

const EAST = 'us-east-1'
const WEST = 'eu-west-1'

function imageOf(id: string) {
  return {
    region: EAST,
    imageId: `ami-000000000000000${id}`,
    name: `golden-${id}`,
    ownerId: '111122223333',
    state: 'disabled',
    creationDate: '2026-01-01T00:00:00.000Z',
    public: false,
    tags: []
  }
}

describe('retire: the title', () => {
  test('what was retired, and what failed; a dry run says would, and (dry run)', () => {
    const done = run([{ region: EAST, retired: [retired('a'), retired('b', { outcome: 'failed', message: 'boom' })] }])
    expect(title(done)).toBe('AMI retirement in us-east-1: retired 1, 1 failed')
    const dry = run([{ region: EAST, retired: [retired('a', { outcome: 'would-retire' })] }], { dryRun: true })
    expect(title(dry)).toBe('AMI retirement in us-east-1: would retire 1 (dry run)')
  })
})

describe('retire: the sections', () => {
  test('a dry run lists what would be retired under "Would be retired", with its freed size and saving', () => {
    const body = renderBody(
      run([{ region: EAST, retired: [retired('a', { outcome: 'would-retire' })] }], { dryRun: true })
    )
    expect(sections(body)).toEqual(['Would be retired', 'Totals'])
    const table = tableUnder(body, 'Would be retired')
    expect(table.header).toEqual(['Region', 'Image', 'Name', 'Disabled', 'Snapshots', 'Freed', 'Saved a month'])
    expect(table.rows).toEqual([
      [
        EAST,
        'ami-000000000000000a',
        'golden-a',
        '2026-10-01 08:30 UTC',
        'snap-000000000a 8 GiB: deleted (success)',
        '8 GiB',
        '$0.40'
      ]
    ])
  })

  test('snapshot cells: none, a size not known, a result without words in bold with its message', () => {
    const body = renderBody(
      run([
        {
          region: EAST,
          retired: [
            retired('a', { snapshots: [], freedGiB: 0, monthlySaving: 0 }),
            retired('b', {
              snapshots: [
                { snapshotId: 'snap-000000000b', result: 'kept' },
                { snapshotId: 'snap-000000000c', sizeGiB: 2, result: 'internal-error', message: 'try again' },
                { snapshotId: 'snap-000000000d', sizeGiB: 1.5, result: 'skipped', message: 'not shown' }
              ]
            })
          ]
        }
      ])
    )
    const cells = tableUnder(body, 'Retired').rows.map((r) => r[4])
    expect(cells).toEqual([
      'none',
      'snap-000000000b: kept' +
        'snap-000000000c 2 GiB: internal-error (try again)' +
        'snap-000000000d 1.5 GiB: kept: another image uses it (skipped)'
    ])
    expect(body).toContain('`snap-000000000c` 2 GiB: **internal-error** (try again)')
  })

  test('a failed image: under Failed, with its message and no freed size or saving', () => {
    const body = renderBody(
      run([
        {
          region: EAST,
          retired: [retired('a'), retired('b', { outcome: 'failed', message: 'DeregisterImage failed: boom' })]
        }
      ])
    )
    const failed = tableUnder(body, 'Failed')
    expect(failed.header).toEqual(['Region', 'Image', 'Name', 'Disabled', 'Snapshots', 'Note'])
    expect(failed.rows.map((r) => [r[1], r[5]])).toEqual([['ami-000000000000000b', 'DeregisterImage failed: boom']])
  })

  test('totals: one row per region and a row for all; "Archived" under snapshots: archive; none when nothing retired', () => {
    const two = renderBody(
      run([
        { region: EAST, retired: [retired('a')] },
        { region: WEST, retired: [retired('b', { region: WEST })] }
      ])
    )
    expect(tableUnder(two, 'Totals').rows).toEqual([
      [EAST, '1', '1', '8 GiB', '0 GiB', '$0.40'],
      [WEST, '1', '1', '8 GiB', '0 GiB', '$0.40'],
      ['all regions', '2', '2', '16 GiB', '0 GiB', '$0.80']
    ])
    const archived = retired('a', {
      snapshotsMode: 'archive',
      snapshots: [{ snapshotId: 'snap-000000000a', sizeGiB: 8, result: 'archived' }],
      monthlySaving: 0.3
    })
    const archive = renderBody(
      run([{ region: EAST, retired: [archived] }], { retire: { retireAfterDays: 30, snapshots: 'archive' } })
    )
    expect(tableUnder(archive, 'Totals').header).toEqual([
      'Region',
      'Images',
      'Snapshots',
      'Archived',
      'Still billed',
      'Saved a month'
    ])
    expect(
      blockquotes(archive).some((q) => q.includes('Re-enabling one needs a permanent restore of its snapshots first'))
    ).toBe(true)
    const nothing = renderBody(run([{ region: EAST, decisions: [] }]))
    expect(sections(nothing)).toEqual([])
    expect(text(nothing)).not.toContain('Costs at')
  })

  test('a Recycle Bin rule: the date it holds the image until, and how to restore it', () => {
    const body = renderBody(
      run([{ region: EAST, retired: [retired('a', { recycleBinExitTime: '2026-12-08T00:00:00Z' })] }])
    )
    expect(tableUnder(body, 'Retired').rows[0]?.[7]).toBe('restorable until 2026-12-08 00:00 UTC')
    expect(blockquotes(body).some((q) => q.includes('command: enable with their ids restores them from the bin'))).toBe(
      true
    )
  })
})

describe('retire: the notes and the closing line, only when they apply', () => {
  const BASIS =
    "Costs at $0.05 per GB-month (standard tier) and $0.0125 (archive tier), from the snapshots' volume sizes: EBS bills the blocks a snapshot holds, so this is at most what stops."

  test('what was retired or failed ends with the basis of the costs; delete mode and no Recycle Bin: no note', () => {
    const body = renderBody(run([{ region: EAST, retired: [retired('a')] }]))
    expect(text(body)).toContain(BASIS)
    expect(blockquotes(body)).toEqual([])
    const onlyFailed = renderBody(
      run([{ region: EAST, retired: [retired('a', { outcome: 'failed', message: 'boom' })] }])
    )
    expect(text(onlyFailed)).toContain(BASIS)
    const oneEach = renderBody(
      run([{ region: EAST, retired: [retired('a'), retired('b', { outcome: 'failed', message: 'boom' })] }])
    )
    expect(text(oneEach)).toContain(BASIS)
  })

  test('archive with nothing archived: no note about restoring', () => {
    const body = renderBody(
      run(
        [{ region: EAST, retired: [retired('a', { outcome: 'failed', snapshotsMode: 'archive', message: 'boom' })] }],
        { retire: { retireAfterDays: 30, snapshots: 'archive' } }
      )
    )
    expect(blockquotes(body)).toEqual([])
  })

  test('a refused run: the images it would have retired apart from those left alone for their own reasons', () => {
    const left = (id: string, reason: string) => ({
      image: { ...imageOf(id), region: EAST },
      kind: 'skip' as const,
      reason
    })
    const body = renderBody(
      run(
        [
          {
            region: EAST,
            decisions: [
              left('a', 'not retired: the run was refused (max-images)'),
              left('b', 'too young: disabled 3 days ago')
            ]
          }
        ],
        { refusal: 'refusing to retire anything: 2 images would be retired in us-east-1, more than max-images (1)' }
      )
    )
    expect(sections(body)).toEqual(['Not retired: the run was refused', 'Left alone'])
    expect(tableUnder(body, 'Not retired: the run was refused').rows.map((r) => r[1])).toEqual(['ami-000000000000000a'])
    expect(tableUnder(body, 'Left alone').rows.map((r) => r[1])).toEqual(['ami-000000000000000b'])
  })
})

describe('retire: the comment shortened to its verdict', () => {
  // a record of earlier runs that leaves no room for any table: only the verdict and the pointer are left
  const history = `<details><summary>Earlier runs</summary>\n\n${'h'.repeat(65_000)}\n\n</details>`

  test('with the run link, the pointer links the job summary; without it, it names it', () => {
    const report = run([{ region: EAST, retired: [retired('a')] }])
    const linked = renderComment(report, { runUrl: 'https://github.com/acme/golden/actions/runs/1', history })
    expect(linked).toContain(
      '\n\nThe full report is in [the job summary](https://github.com/acme/golden/actions/runs/1).\n'
    )
    expect(linked).not.toContain('#### Retired')
    const plain = renderComment(report, { history })
    expect(plain).toContain('\n\nThe full report is in the job summary.\n')
  })
})
