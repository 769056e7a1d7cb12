/**
 * rules/outcome.ts, pure: the headline and the failure in words, for the cases the command tests
 * do not reach (regions counted, one image or several in use, every image failed in each command,
 * a rollback's bad image in a dry run, retire's failures and its modes). Hand-built reports.
 */
import { describe, expect, test } from '@jest/globals'
import type { Change, ChangeOutcome, Decision, Image, RegionReport, RetiredImage, RunReport } from '../src/model.js'
import { outcomeOf } from '../src/rules/outcome.js'
import { emptyRegion } from '../src/steps/regions.js'
import { imageMaker } from '../test-support/report-fixtures.js'

const EAST = 'us-east-1'

const image = imageMaker({
  region: EAST,
  ownerId: '111122223333',
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})

function change(img: Image, action: Change['action'], outcome: ChangeOutcome, over: Partial<Change> = {}): Change {
  return { region: img.region, imageId: img.imageId, name: img.name, action, outcome, ...over }
}

function region(name: string, over: Partial<RegionReport> = {}): RegionReport {
  return { ...emptyRegion(name), ...over }
}

function run(command: RunReport['command'], regions: RegionReport[], over: Partial<RunReport> = {}): RunReport {
  return { command, dryRun: false, subject: 's', commentKey: 's', regions, ...over }
}

function inUse(img: Image): Decision {
  return { image: img, kind: 'skip', reason: 'in use', inUse: true }
}

describe('disable, enable and rollback: the headline', () => {
  test('where: one region by name, several by their count', () => {
    const [a, b, c] = ['golden-1', 'golden-2', 'golden-3'].map((n) => image(n))
    const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].map((name, i) =>
      region(name, { changes: [change({ ...[a, b, c][i]!, region: name }, 'disable', 'disabled')] })
    )
    expect(outcomeOf(run('disable', regions.slice(0, 1))).headline).toBe('1 image disabled in us-east-1')
    expect(outcomeOf(run('disable', regions.slice(0, 2))).headline).toBe('2 images disabled in 2 regions')
    expect(outcomeOf(run('disable', regions)).headline).toBe('3 images disabled in 3 regions')
  })

  test('images left enabled because they are in use: "it is" for one, "they are" for more; other skips apart', () => {
    const [a, b, c, d] = ['golden-1', 'golden-2', 'golden-3', 'golden-4'].map((n) => image(n))
    const one = run('disable', [
      region(EAST, {
        decisions: [inUse(a!), { image: b!, kind: 'skip', reason: 'excluded' }],
        changes: [change(c!, 'disable', 'disabled')]
      })
    ])
    expect(outcomeOf(one).headline).toBe(
      '1 image disabled in us-east-1; 1 image left enabled because it is in use, 1 image skipped'
    )
    const two = run('disable', [region(EAST, { decisions: [inUse(a!), inUse(b!)], changes: [] })], { dryRun: true })
    expect(outcomeOf(two).headline).toBe(
      'Dry run: Nothing would be disabled; 2 images would be left enabled because they are in use'
    )
    const skippedOnly = run('disable', [region(EAST, { decisions: [{ image: d!, kind: 'skip', reason: 'x' }] })])
    expect(outcomeOf(skippedOnly).headline).toBe('Nothing disabled; 1 image skipped')
  })

  test('every image failed: what could not be done, by command; a dry run says it could not be checked', () => {
    const [a, b] = ['golden-1', 'golden-2'].map((n) => image(n))
    const failed = (action: Change['action'], img: Image) => change(img, action, 'failed', { message: 'denied' })
    const headline = (report: RunReport) => outcomeOf(report).headline
    expect(headline(run('disable', [region(EAST, { changes: [failed('disable', a!)] })]))).toBe(
      'Nothing was changed: 1 image could not be disabled (see Failed)'
    )
    expect(headline(run('enable', [region(EAST, { changes: [failed('enable', a!), failed('enable', b!)] })]))).toBe(
      'Nothing was changed: 2 images could not be re-enabled (see Failed)'
    )
    expect(headline(run('rollback', [region(EAST, { changes: [failed('enable', a!), failed('disable', b!)] })]))).toBe(
      'Nothing was changed: 2 images could not be changed (see Failed)'
    )
    expect(headline(run('disable', [region(EAST, { changes: [failed('disable', a!)] })], { dryRun: true }))).toBe(
      'Dry run: nothing would change: 1 image could not be checked (see Failed)'
    )
    // a region that could not be read says so, not a count of images
    expect(
      headline(run('disable', [region(EAST, { changes: [failed('disable', a!)] }), emptyRegion('eu-west-1', 'boom')]))
    ).toBe('nothing was changed in any region: eu-west-1: boom')
  })

  test("a rollback's bad image kept on purpose: a dry run says it would stay enabled", () => {
    const [good, bad] = ['golden-1', 'golden-2'].map((n) => image(n))
    const report = run(
      'rollback',
      [
        region(EAST, {
          changes: [
            change(good!, 'enable', 'would-enable'),
            change(bad!, 'disable', 'failed', { message: 'stays enabled', keptOnPurpose: true })
          ]
        })
      ],
      { dryRun: true }
    )
    expect(outcomeOf(report).headline).toBe(
      'Dry run: 1 image would be re-enabled and 0 would be disabled in us-east-1; 1 bad image would stay enabled (see Failed for why)'
    )
  })
})

describe('retire: the headline and the failure', () => {
  function retired(over: Partial<RetiredImage> = {}): RetiredImage {
    return {
      region: EAST,
      imageId: 'ami-0000000000000000a',
      name: 'golden-a',
      disabledAt: '2026-10-01T00:00:00Z',
      snapshotsMode: 'delete',
      outcome: 'retired',
      snapshots: [{ snapshotId: 'snap-a', sizeGiB: 10, result: 'success' }],
      freedGiB: 10,
      keptGiB: 0,
      monthlySaving: 0.5,
      ...over
    }
  }

  test('snapshots not archived are named with their message, and the verb follows the mode', () => {
    const notArchived = retired({
      snapshotsMode: 'archive',
      snapshots: [{ snapshotId: 'snap-a', sizeGiB: 10, result: 'failed', message: 'ArchiveLimitExceeded' }],
      freedGiB: 0,
      keptGiB: 10,
      monthlySaving: 0
    })
    expect(outcomeOf(run('retire', [region(EAST, { retired: [notArchived] })])).failure).toBe(
      '1 snapshot(s) not archived, still billed: snap-a of ami-0000000000000000a (failed: ArchiveLimitExceeded)'
    )
    const mixed = [
      notArchived,
      retired({ imageId: 'ami-0000000000000000b', snapshots: [{ snapshotId: 'snap-b', result: 'internal-error' }] })
    ]
    expect(outcomeOf(run('retire', [region(EAST, { retired: mixed })])).failure).toBe(
      '2 snapshot(s) not deleted, still billed: snap-a of ami-0000000000000000a (failed: ArchiveLimitExceeded); ' +
        'snap-b of ami-0000000000000000b (internal-error)'
    )
  })

  test('nothing retired because every image failed: the headline counts them; with images left alone too', () => {
    const failed = retired({ outcome: 'failed', message: 'DeregisterImage failed: boom' })
    const report = run('retire', [region(EAST, { retired: [failed] })])
    expect(outcomeOf(report).headline).toBe('Nothing was changed: 1 image could not be retired (see Failed)')
    expect(outcomeOf({ ...report, dryRun: true }).headline).toBe(
      'Dry run: nothing would change: 1 image could not be checked (see Failed)'
    )
    expect(outcomeOf(report).mark).toBe('failure')
  })

  test('an image failed beside one retired: both counted, a warning', () => {
    const left: Decision = { image: image('golden-c'), kind: 'skip', reason: 'too young' }
    const report = run('retire', [
      region(EAST, {
        decisions: [left],
        retired: [retired(), retired({ imageId: 'ami-0000000000000000b', outcome: 'failed', message: 'boom' })]
      })
    ])
    const outcome = outcomeOf(report)
    expect(outcome.headline).toBe(
      '1 image retired in us-east-1: 10 GiB of snapshots deleted, $0.50 a month saved; 1 image left alone; 1 image failed'
    )
    expect(outcome.mark).toBe('warning')
    expect(outcome.failure).toBe('1 image(s) could not be retired: ami-0000000000000000b (boom)')
  })

  test('a failed image without a message reads "failed"', () => {
    const report = run('retire', [
      region(EAST, { retired: [retired(), retired({ imageId: 'ami-0000000000000000b', outcome: 'failed' })] })
    ])
    expect(outcomeOf(report).failure).toBe('1 image(s) could not be retired: ami-0000000000000000b (failed)')
  })

  test('a dry run that would retire, with nothing to warn about, keeps the dry-run mark', () => {
    const report = run('retire', [region(EAST, { retired: [retired({ outcome: 'would-retire' })] })], { dryRun: true })
    const outcome = outcomeOf(report)
    expect(outcome.mark).toBe('dry-run')
    expect(outcome.headline).toBe(
      'Dry run: 1 image would be retired in us-east-1: 10 GiB of snapshots would be deleted, $0.50 a month would be saved'
    )
  })

  test('an unknown about other accounts or a warning makes a retire run a warning, never a success', () => {
    const unknown = run('retire', [
      region(EAST, { retired: [retired()], unknowns: [{ region: EAST, why: 'usage report pending' }] })
    ])
    expect(outcomeOf(unknown).mark).toBe('warning')
    const warned = run('retire', [region(EAST, { retired: [retired()], warnings: ['something not checked'] })])
    expect(outcomeOf(warned).mark).toBe('warning')
    expect(outcomeOf(run('retire', [region(EAST, { retired: [retired()] })])).mark).toBe('success')
  })
})
