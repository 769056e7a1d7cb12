/** retire's inputs (settings.ts) and what the reports say for retire and, of storage, for disable. */
import { describe, expect, test } from '@jest/globals'
import type { Change, Image, RegionReport, RunReport } from '../src/model.js'
import { renderBody } from '../src/report/markdown.js'
import { outputsOf } from '../src/report/outputs.js'
import { parseSettings } from '../src/settings.js'
import { emptyRegion } from '../src/steps/regions.js'
import { expectInputError } from './e2e/input-error.js'

function settings(inputs: Record<string, string>, env: Record<string, string> = { AWS_REGION: 'us-east-1' }) {
  return parseSettings({ input: (name) => inputs[name] ?? '', env, readFile: () => '' })
}

describe('retire settings', () => {
  test('region is a list (newlines and/or commas), each checked, duplicates once; no image-id is taken', () => {
    const s = settings({ command: 'retire', region: 'us-east-1, eu-west-1\nap-southeast-2,\nus-east-1' })
    expect(s.regions).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2'])
    expect(s.targets).toEqual([])
    expect(s).toMatchObject({ command: 'retire', retireAfterDays: 30, snapshots: 'delete' })
  })

  test('with no region input, AWS_REGION, then AWS_DEFAULT_REGION; with none, region is asked for', () => {
    expect(settings({ command: 'retire' }).regions).toEqual(['us-east-1'])
    expect(settings({ command: 'retire' }, { AWS_DEFAULT_REGION: 'eu-west-2' }).regions).toEqual(['eu-west-2'])
    expectInputError(() => settings({ command: 'retire' }, {}), 'region')
  })

  test('bad input is refused naming the input, before any AWS call', () => {
    expectInputError(() => settings({ command: 'retire', region: 'us-east-1,moon-1' }), 'region')
    expectInputError(() => settings({ command: 'retire', region: 'us-east-1,,eu-west-1' }), 'region')
    const days = expectInputError(() => settings({ command: 'retire', 'retire-after-days': '-3' }), 'retire-after-days')
    expect(days.message).toContain("'-3' is not a whole number of 0 or more")
    expectInputError(() => settings({ command: 'retire', 'retire-after-days': '2.5' }), 'retire-after-days')
    const shred = expectInputError(() => settings({ command: 'retire', snapshots: 'shred' }), 'snapshots')
    expect(shred.message).toContain("'shred' is not one of delete, keep, archive")
    expectInputError(() => settings({ command: 'retire', 'image-id': 'ami-12345678' }), 'image-id')
    // validated for every command (every input is validated)
    expectInputError(() => settings({ 'image-id': 'ami-12345678', 'family-tag': 'F', snapshots: 'shred' }), 'snapshots')
  })

  test('the region list: blank lines, comment lines (indented too) and the spaces around a comma that ends a line are separators, not regions', () => {
    const s = settings({
      command: 'retire',
      region: 'us-east-1, \nus-west-2\n\n  # the far ones\n  eu-west-1 ,\r\nap-southeast-2'
    })
    expect(s.regions).toEqual(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'])
  })

  test('a region input of only spaces is no region: AWS_REGION is used', () => {
    expect(settings({ command: 'retire', region: ' \n ' }).regions).toEqual(['us-east-1'])
  })

  test('what each refusal says', () => {
    const doubled = expectInputError(() => settings({ command: 'retire', region: 'us-east-1,,eu-west-1' }), 'region')
    expect(doubled.message).toContain('item 2 is empty (check for a doubled or trailing comma)')
    const none = expectInputError(() => settings({ command: 'retire' }, {}), 'region')
    expect(none.message).toContain(
      'retire needs the regions to look in: set region (one or more, newline- or comma-separated) or AWS_REGION'
    )
    for (const input of ['image-id', 'packer-manifest']) {
      const given = expectInputError(() => settings({ command: 'retire', [input]: ` ${input}.json ` }), input)
      expect(given.message).toContain(
        `retire takes no ${input}: it finds, in each region of 'region', the images this action disabled long enough ago`
      )
    }
    // spaces alone give nothing
    expect(settings({ command: 'retire', 'image-id': '  ', 'packer-manifest': ' ' }).regions).toEqual(['us-east-1'])
  })

  test('keep, archive, retire-after-days 0', () => {
    expect(settings({ command: 'retire', snapshots: 'archive', 'retire-after-days': '0' })).toMatchObject({
      snapshots: 'archive',
      retireAfterDays: 0
    })
    expect(settings({ command: 'retire', snapshots: 'keep' }).snapshots).toBe('keep')
  })
})

const image = (id: string, snapshots: Image['snapshots']): Image => ({
  region: 'us-east-1',
  imageId: id,
  name: `golden-${id.slice(-1)}`,
  ownerId: '111122223333',
  state: 'available',
  creationDate: '2026-01-01T00:00:00.000Z',
  public: false,
  tags: [],
  ...(snapshots ? { snapshots } : {})
})

function disableReport(dryRun: boolean, images: Image[]): RunReport {
  const changes: Change[] = images.map((i) => ({
    region: i.region,
    imageId: i.imageId,
    name: i.name,
    action: 'disable',
    outcome: dryRun ? 'would-disable' : 'disabled'
  }))
  const region: RegionReport = {
    ...emptyRegion('us-east-1'),
    decisions: images.map((i) => ({ image: i, kind: 'disable', reason: 'superseded' })),
    changes
  }
  return { command: 'disable', dryRun, subject: 'Family=web', commentKey: 'Family=web', regions: [region] }
}

describe('disable reports what the disabled images still cost', () => {
  test('the snapshots the disabled images keep, their size and monthly cost, and a pointer to retire', () => {
    const body = renderBody(
      disableReport(false, [
        image('ami-0000000a', [
          { snapshotId: 'snap-1', sizeGiB: 100 },
          { snapshotId: 'snap-2', sizeGiB: 20 }
        ]),
        image('ami-0000000b', [{ snapshotId: 'snap-2', sizeGiB: 20 }])
      ])
    )
    expect(body).toContain(
      '*Storage: the 2 disabled images keep 2 EBS snapshots, 120 GiB, about $6.00 a month (standard tier, $0.05 per GB-month): a disabled image stays billed. A scheduled `command: retire` deregisters'
    )
  })

  test('a dry run says would; images without known snapshots say nothing', () => {
    expect(renderBody(disableReport(true, [image('ami-0000000a', [{ snapshotId: 'snap-1', sizeGiB: 8 }])]))).toContain(
      '*Storage: the 1 image to disable would keep 1 EBS snapshot, 8 GiB, about $0.40 a month'
    )
    // two images: the plural of "image to disable" is "images to disable", not "image to disables"
    expect(
      renderBody(
        disableReport(true, [
          image('ami-0000000a', [{ snapshotId: 'snap-1', sizeGiB: 8 }]),
          image('ami-0000000b', [{ snapshotId: 'snap-2', sizeGiB: 8 }])
        ])
      )
    ).toContain('*Storage: the 2 images to disable would keep 2 EBS snapshots, 16 GiB, about $0.80 a month')
    expect(renderBody(disableReport(false, [image('ami-0000000a', undefined)]))).not.toContain('*Storage:')
  })

  test('only a disable that disabled something: not a rollback, not a disable whose images all failed', () => {
    const report = disableReport(false, [image('ami-0000000a', [{ snapshotId: 'snap-1', sizeGiB: 8 }])])
    expect(renderBody({ ...report, command: 'rollback' })).not.toContain('*Storage:')
    const region = report.regions[0]!
    const failed = { ...region, changes: region.changes.map((c) => ({ ...c, outcome: 'failed' as const })) }
    expect(renderBody({ ...report, regions: [failed] })).not.toContain('*Storage:')
  })
})

describe('retire outputs', () => {
  test('retired-image-ids: deregistered or archived, never would-retire or failed; [] for other commands', () => {
    const retired = (imageId: string, outcome: 'retired' | 'would-retire' | 'failed') => ({
      region: 'us-east-1',
      imageId,
      name: 'n',
      disabledAt: '2026-11-01T00:00:00Z',
      snapshotsMode: 'delete' as const,
      outcome,
      snapshots: [],
      freedGiB: 0,
      keptGiB: 0,
      monthlySaving: 0
    })
    const report: RunReport = {
      command: 'retire',
      dryRun: false,
      subject: 'us-east-1',
      commentKey: 'retire all',
      retire: { retireAfterDays: 30, snapshots: 'delete' },
      regions: [{ ...emptyRegion('us-east-1'), retired: [retired('ami-1', 'retired'), retired('ami-2', 'failed')] }]
    }
    expect(outputsOf(report)['retired-image-ids']).toBe('["ami-1"]')
    expect(outputsOf(disableReport(false, []))['retired-image-ids']).toBe('[]')
    const json = JSON.parse(outputsOf(report).report ?? '{}') as { regions: Array<{ totals: unknown }> }
    expect(json.regions[0]?.totals).toEqual({ images: 1, snapshots: 0, freedGiB: 0, keptGiB: 0, monthlySaving: 0 })
  })

  test('nothing to retire says so', () => {
    const report: RunReport = {
      command: 'retire',
      dryRun: false,
      subject: 'us-east-1',
      commentKey: 'retire all',
      regions: [{ ...emptyRegion('us-east-1'), retired: [] }]
    }
    expect(renderBody(report)).toContain('Nothing to retire\\: no image disabled by this action.')
  })
})
