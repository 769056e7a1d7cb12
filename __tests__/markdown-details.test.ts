/**
 * report/markdown.ts, pure: small reports read whole, exactly as a reviewer gets them (every line,
 * blank line and cell), and the details the section tests do not reach: a change's note from its
 * message and warnings, the "Last launched" column, a group pinned to a version of two digits, the
 * storage line of images without snapshots, a status report, retire's cells, totals and notes, and
 * where the comment falls back to its verdict.
 */
import { describe, expect, test } from '@jest/globals'
import type { Change, Image, RegionReport, RunReport } from '../src/model.js'
import { COMMENT_LIMIT, renderBody, renderComment, verdict } from '../src/report/markdown.js'
import { emptyRegion } from '../src/steps/regions.js'
import { sections, tableUnder, text } from '../test-support/markdown.js'
import { groupUseMaker, imageMaker, templateUseMaker } from '../test-support/report-fixtures.js'
import { retiredImage as retired, retireRun } from '../test-support/retire-fixtures.js'

const EAST = 'us-east-1'
const WEST = 'eu-west-1'
const OWNER = '111122223333'
const link = (id: string, region = EAST): string =>
  `[\`${id}\`](https://${region}.console.aws.amazon.com/ec2/home?region=${region}#ImageDetails:imageId=${id})`

const image = imageMaker({
  region: EAST,
  ownerId: OWNER,
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})
const old = image('golden-1')
const excluded = image('golden-0')
const NEW = image('golden-2', { imageId: 'ami-0000000000000000f', creationDate: '2026-11-30T10:00:00.000Z' })

function disabled(img: Image, over: Partial<Change> = {}): Change {
  return { region: img.region, imageId: img.imageId, name: img.name, action: 'disable', outcome: 'disabled', ...over }
}

function disableRun(over: Partial<RegionReport> = {}, run: Partial<RunReport> = {}): RunReport {
  return {
    command: 'disable',
    dryRun: false,
    subject: 'role=web',
    commentKey: 'role=web',
    regions: [
      {
        ...emptyRegion(EAST),
        accountId: OWNER,
        images: [NEW],
        decisions: [{ image: old, kind: 'disable', reason: 'superseded' }],
        changes: [disabled(old)],
        pointTo: NEW.imageId,
        checked: ['launch templates'],
        ...over
      }
    ],
    ...run
  }
}

const NOT_CHECKED_LINE =
  'Not checked: EC2 Fleet and Spot Fleet requests, AWS Batch compute environments and other services that name ' +
  'the image, SSM parameters and Image Builder recipes, other accounts the images are shared with.*'

describe('small reports, whole', () => {
  test('a disable: title, verdict, each section with its blank lines, the roll back step and the closing line', () => {
    const report = disableRun({
      decisions: [
        { image: old, kind: 'disable', reason: 'superseded' },
        { image: excluded, kind: 'exclude', reason: 'tag keep=true' }
      ],
      changes: [disabled(old, { warnings: ['w1', 'w2'] })]
    })
    expect(renderBody(report)).toBe(
      [
        '### ✅ Superseded AMIs of role=web\\: disabled 1',
        '',
        '✅ 1 image disabled in us-east-1.',
        '',
        '#### Disabled',
        '',
        '| Region | Image | Name | Created | Note |',
        '| --- | --- | --- | --- | --- |',
        `| us-east-1 | ${link(old.imageId)} | golden-1 | 2026-11-01 10:00 UTC | w1; w2 |`,
        '',
        '#### New image',
        '',
        '| Region | Image | Name | Created | State |',
        '| --- | --- | --- | --- | --- |',
        `| us-east-1 | ${link(NEW.imageId)} | golden-2 | 2026-11-30 10:00 UTC | available |`,
        '',
        '#### Excluded',
        '',
        '| Region | Image | Name | Created | Reason |',
        '| --- | --- | --- | --- | --- |',
        `| us-east-1 | ${link(excluded.imageId)} | golden-0 | 2026-11-01 10:00 UTC | tag keep=true |`,
        '',
        '<details><summary>Roll back</summary>',
        '',
        'To re-enable the disabled images (with their sharing) and disable the new image, run this step from a `workflow_dispatch` workflow:',
        '',
        '```yaml',
        '- uses: disable-superseded-ami/disable-superseded-ami@v1',
        '  with:',
        '    command: rollback',
        `    image-id: us-east-1:${NEW.imageId}`,
        '```',
        '',
        '</details>',
        '',
        `*Checked in us-east-1: launch templates. ${NOT_CHECKED_LINE}`,
        ''
      ].join('\n')
    )
  })

  test('a status: the images table and nothing else', () => {
    const report: RunReport = {
      command: 'status',
      dryRun: false,
      subject: old.imageId,
      commentKey: 's',
      regions: [{ ...emptyRegion(EAST), images: [old] }],
      status: {
        requireState: 'available',
        entries: [{ region: EAST, imageId: old.imageId, state: 'available', name: 'golden-1' }]
      }
    }
    expect(renderBody(report)).toBe(
      [
        `### ✅ AMI status of ${old.imageId}\\: 1 available`,
        '',
        '✅ Every image is available.',
        '',
        '#### Images',
        '',
        '| Region | Image | State | Name |',
        '| --- | --- | --- | --- |',
        `| us-east-1 | ${link(old.imageId)} | available | golden-1 |`,
        ''
      ].join('\n')
    )
  })

  test('a retire: what was retired, the totals, the basis of the costs and the closing line', () => {
    const report = retireRun([{ region: EAST, retired: [retired('1')] }])
    expect(renderBody(report)).toBe(
      [
        '### ✅ AMI retirement in us-east-1\\: retired 1',
        '',
        '✅ 1 image retired in us-east-1\\: 8 GiB of snapshots deleted, $0.40 a month saved.',
        '',
        '#### Retired',
        '',
        '| Region | Image | Name | Disabled | Snapshots | Freed | Saved a month |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        `| us-east-1 | ${link(retired('1').imageId)} | golden-1 | 2026-10-01 08:30 UTC | \`snap-0000000001\` 8 GiB: deleted (success) | 8 GiB | $0.40 |`,
        '',
        '#### Totals',
        '',
        '| Region | Images | Snapshots | Deleted | Still billed | Saved a month |',
        '| --- | --- | --- | --- | --- | --- |',
        '| us-east-1 | 1 | 1 | 8 GiB | 0 GiB | $0.40 |',
        '',
        "*Costs at $0.05 per GB-month (standard tier) and $0.0125 (archive tier), from the snapshots' volume sizes: EBS bills the blocks a snapshot holds, so this is at most what stops.*",
        '',
        `*Checked in us-east-1: launch templates. ${NOT_CHECKED_LINE}`,
        ''
      ].join('\n')
    )
  })

  test('a retire with nothing to retire: the verdict, what was left alone, no costs', () => {
    const left = { image: old, kind: 'skip' as const, reason: 'too young: disabled 3 days ago' }
    const body = renderBody(retireRun([{ region: EAST, decisions: [left] }]))
    expect(sections(body)).toEqual(['Left alone'])
    expect(body).not.toContain('Costs at')
    expect(text(body).split('\n').filter(Boolean)).toEqual([
      '✅ AMI retirement in us-east-1: retired 0',
      '✅ Nothing retired; 1 image left alone.',
      'Left alone',
      ...['Region', 'Image', 'Name', 'Created', 'Reason'],
      ...['us-east-1', old.imageId, 'golden-1', '2026-11-01 10:00 UTC', 'too young: disabled 3 days ago'],
      `Checked in us-east-1: launch templates. ${NOT_CHECKED_LINE.slice(0, -1)}`
    ])
  })
})

describe('the closing line when no region was searched', () => {
  test('every region that was not searched is named with why, even beside one with nothing to change', () => {
    const report = disableRun({ checked: [] })
    const west = { ...emptyRegion(WEST), checked: [] }
    const last = text(renderBody({ ...report, regions: [...report.regions, west] }))
      .trim()
      .split('\n')
      .pop()
    expect(last).toBe(
      'Not searched in us-east-1 (the search failed: see the warnings), eu-west-1 (no image to change there).'
    )
  })
})

describe('disable: cells and lines the section tests do not reach', () => {
  test("a change's note: its message then its warnings; warnings alone", () => {
    const report = disableRun({
      decisions: [
        { image: old, kind: 'disable', reason: 'superseded' },
        { image: excluded, kind: 'disable', reason: 'superseded' }
      ],
      changes: [disabled(old, { message: 'was shared', warnings: ['w1'] }), disabled(excluded, { warnings: ['w2'] })]
    })
    expect(tableUnder(renderBody(report), 'Disabled').rows.map((r) => r.at(-1))).toEqual(['was shared; w1', 'w2'])
  })

  test('"Last launched" when an image says when it was', () => {
    const launched = image('golden-9', { lastLaunchedTime: '2026-11-20T09:15:00.000Z' })
    const report = disableRun({
      decisions: [{ image: launched, kind: 'disable', reason: 'superseded' }],
      changes: [disabled(launched)]
    })
    const t = tableUnder(renderBody(report), 'Disabled')
    expect(t.header).toEqual(['Region', 'Image', 'Name', 'Created', 'Last launched'])
    expect(t.rows[0]?.[4]).toBe('2026-11-20 09:15 UTC')
  })

  test('a group pinned to version 12 reads "12 (pinned)"', () => {
    const use = templateUseMaker(EAST, old.imageId)
    const report = disableRun({
      templates: [use({ versionNumber: 12, isDefault: false, isLatest: false })],
      groups: [groupUseMaker(EAST, old.imageId)({ version: '12', versionNumber: 12 })]
    })
    const t = tableUnder(renderBody(report), 'Auto Scaling groups that launch from them')
    expect(t.rows.map((r) => r[t.header.indexOf('Version')])).toEqual(['12 (pinned)'])
  })

  test('images that hold no snapshot the action knows of: no storage line', () => {
    expect(renderBody(disableRun())).not.toContain('Storage:')
    const withSnapshot = { ...old, snapshots: [{ snapshotId: 'snap-1', sizeGiB: 8 }] }
    const body = renderBody(disableRun({ decisions: [{ image: withSnapshot, kind: 'disable', reason: 'superseded' }] }))
    expect(text(body)).toContain('Storage: the 1 disabled image keep 1 EBS snapshot, 8 GiB')
  })
})

describe('the comment: its record of earlier runs, and its verdict alone past the limit', () => {
  test('the record of earlier runs follows the report after one blank line, however it is spaced', () => {
    const comment = renderComment(disableRun(), { history: '\n\n<details>earlier</details>\n\n' })
    expect(comment.endsWith('with.*\n\n<details>earlier</details>\n')).toBe(true)
  })

  test('exactly at the limit it is whole; one character more and only the verdict is left', () => {
    const report = disableRun()
    const plainLength = renderComment(report, { history: 'h' }).length
    const fill = (extra: number): string => 'h'.repeat(1 + COMMENT_LIMIT - plainLength + extra)
    const whole = renderComment(report, { history: fill(0) })
    expect(whole).toHaveLength(COMMENT_LIMIT)
    expect(whole).toContain('#### Disabled')
    const cut = renderComment(report, { history: fill(1) })
    expect(cut).not.toContain('#### Disabled')
    expect(cut).toContain(`${verdict(report)}\n\nThe full report is in the job summary.\n`)
  })
})

describe('retire: cells, totals and columns', () => {
  test('several snapshots of one image, one a line', () => {
    const two = retired('1', {
      snapshots: [
        { snapshotId: 'snap-0000000001', sizeGiB: 8, result: 'success' },
        { snapshotId: 'snap-0000000002', sizeGiB: 2, result: 'success' }
      ]
    })
    expect(renderBody(retireRun([{ region: EAST, retired: [two] }]))).toContain(
      '| `snap-0000000001` 8 GiB: deleted (success)<br>`snap-0000000002` 2 GiB: deleted (success) |'
    )
  })

  test('the note: the message, then the warnings; the Recycle Bin column by its name', () => {
    const body = renderBody(
      retireRun([
        {
          region: EAST,
          retired: [
            retired('1', { warnings: ['tag not removed'], recycleBinExitTime: '2026-12-08T00:00:00Z' }),
            retired('2', { outcome: 'failed', message: 'boom', warnings: ['snapshot kept'] })
          ]
        }
      ])
    )
    const done = tableUnder(body, 'Retired')
    expect(done.header.slice(-2)).toEqual(['Recycle Bin', 'Note'])
    expect(done.rows[0]?.slice(-1)).toEqual(['tag not removed'])
    expect(tableUnder(body, 'Failed').rows[0]?.at(-1)).toBe('boom; snapshot kept')
  })

  test('totals: only the regions that retired something; no "all regions" row for one', () => {
    const body = renderBody(
      retireRun([
        { region: EAST, retired: [retired('1')] },
        { region: WEST, retired: [retired('2', { region: WEST, outcome: 'failed', message: 'boom' })] }
      ])
    )
    expect(tableUnder(body, 'Totals').rows).toEqual([[EAST, '1', '1', '8 GiB', '0 GiB', '$0.40']])
  })
})
