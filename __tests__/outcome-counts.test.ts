/**
 * rules/outcome.ts, pure: what the verdict counts and how its texts are joined, for what the
 * command tests reach only one at a time: several regions or images in one failure text, the
 * instances of each account, every kind of thing that breaks in one sentence, the marks of
 * `status` and `retire`, and refusals that end with a full stop. Hand-built reports.
 */
import { describe, expect, test } from '@jest/globals'
import type {
  AccountUse,
  Change,
  ChangeOutcome,
  Image,
  ImageReference,
  RegionReport,
  RetiredImage,
  RunReport,
  StatusEntry
} from '../src/model.js'
import { outcomeOf } from '../src/rules/outcome.js'
import { emptyRegion } from '../src/steps/regions.js'
import { imageMaker, templateUseMaker } from '../test-support/report-fixtures.js'
import { retiredImage } from '../test-support/retire-fixtures.js'

const EAST = 'us-east-1'
const WEST = 'eu-west-1'
const OWNER = '111122223333'
const OTHER = '222233334444'
const THIRD = '333344445555'
const FOURTH = '444455556666'

const image = imageMaker({
  region: EAST,
  ownerId: OWNER,
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})
const [a, b, c] = ['golden-1', 'golden-2', 'golden-3'].map((n) => image(n)) as [Image, Image, Image]

function change(img: Image, action: Change['action'], outcome: ChangeOutcome, over: Partial<Change> = {}): Change {
  return { region: img.region, imageId: img.imageId, name: img.name, action, outcome, ...over }
}

function region(name: string, over: Partial<RegionReport> = {}): RegionReport {
  return { ...emptyRegion(name), ...over }
}

function run(command: RunReport['command'], regions: RegionReport[], over: Partial<RunReport> = {}): RunReport {
  return { command, dryRun: false, subject: 's', commentKey: 's', regions, ...over }
}

/** `a` disabled in us-east-1, with `over` (what points at it) in the same region. */
function disabledA(over: Partial<RegionReport> = {}): RunReport {
  return run('disable', [region(EAST, { accountId: OWNER, changes: [change(a, 'disable', 'disabled')], ...over })])
}

function ref(resourceType: ImageReference['resourceType'], name: string, accountId?: string): ImageReference {
  const arn = `arn:aws:${resourceType.split(':')[0]}:${EAST}:${accountId ?? OWNER}:${name}`
  return { region: EAST, imageId: a.imageId, resourceType, arn, ...(accountId ? { accountId } : {}) }
}

function account(accountId: string, over: Partial<AccountUse> = {}): AccountUse {
  return {
    region: EAST,
    imageId: a.imageId,
    accountId,
    launchTemplates: 0,
    instances: 0,
    source: 'usage-report',
    ...over
  }
}

describe('failure texts name every region and image, each apart', () => {
  test('regions that could not be read, in status and in the other commands', () => {
    const regions = [emptyRegion(EAST, 'boom'), emptyRegion(WEST, 'bang')]
    expect(outcomeOf(run('status', regions, { status: { requireState: 'available', entries: [] } })).failure).toBe(
      'the state could not be read: us-east-1: boom | eu-west-1: bang'
    )
    expect(outcomeOf(run('disable', regions)).failure).toBe(
      'nothing was changed in any region: us-east-1: boom | eu-west-1: bang'
    )
  })

  test('images that failed beside one done: "checked" in a dry run, "changed" otherwise', () => {
    const changes = (dry: boolean): Change[] => [
      change(a, 'disable', dry ? 'would-disable' : 'disabled'),
      change(b, 'disable', 'failed', { message: 'denied' }),
      change(c, 'disable', 'failed', { message: 'throttled' })
    ]
    expect(outcomeOf(run('disable', [region(EAST, { changes: changes(true) })], { dryRun: true })).failure).toBe(
      `2 image(s) could not be checked: ${b.imageId} (denied); ${c.imageId} (throttled)`
    )
    expect(outcomeOf(run('disable', [region(EAST, { changes: changes(false) })])).failure).toBe(
      `2 image(s) could not be changed: ${b.imageId} (denied); ${c.imageId} (throttled)`
    )
  })

  test('status: every image not in the required state is named; none, and the headline says the state', () => {
    const entry = (img: Image, state: string): StatusEntry => ({ region: EAST, imageId: img.imageId, state })
    const entries = [entry(a, 'disabled'), entry(b, 'available'), entry(c, 'disabled')]
    const wrong = outcomeOf(run('status', [region(EAST)], { status: { requireState: 'available', entries } }))
    expect(wrong.failure).toBe(`2 of 3 image(s) not available: ${a.imageId} is disabled, ${c.imageId} is disabled`)
    expect(wrong.mark).toBe('failure')
    const right = outcomeOf(
      run('status', [region(EAST)], { status: { requireState: 'disabled', entries: [entries[0]!, entries[2]!] } })
    )
    expect(right.headline).toBe('Every image is disabled')
    expect(right.mark).toBe('success')
  })

  test('status is a gate: pass or fail, even beside a warning or an unknown', () => {
    const entries: StatusEntry[] = [{ region: EAST, imageId: a.imageId, state: 'available' }]
    const report = run(
      'status',
      [region(EAST, { warnings: ['something not read'], unknowns: [{ region: EAST, why: 'pending' }] })],
      { status: { requireState: 'available', entries } }
    )
    expect(outcomeOf(report).mark).toBe('success')
  })

  test('retire: every image that failed is named', () => {
    const report = run('retire', [
      region(EAST, {
        retired: [
          retiredImage('a'),
          retiredImage('b', { outcome: 'failed', message: 'boom' }),
          retiredImage('c', { outcome: 'failed', message: 'bang' })
        ]
      })
    ])
    expect(outcomeOf(report).failure).toBe(
      '2 image(s) could not be retired: ami-000000000000000b (boom); ami-000000000000000c (bang)'
    )
  })
})

describe('instances: counted, the owner account apart from each other account', () => {
  test("the owner's instances and each other account's, from references and from usage reports, each once", () => {
    const outcome = outcomeOf(
      disabledA({
        references: [
          ref('ec2:Instance', 'instance/i-01'),
          ref('ec2:Instance', 'instance/i-02'),
          ref('ssm:Parameter', 'parameter/golden/web'),
          // named through consumer-role: the account's references, not its usage report's count
          ref('ec2:Instance', 'instance/i-03', OTHER),
          ref('ec2:Instance', 'instance/i-04', OTHER)
        ],
        accounts: [
          account(OTHER, { instances: 12 }),
          account(OTHER, { source: 'consumer-role', instances: 2 }),
          account(THIRD, { instances: 5 }),
          // no instance: not an account that runs the image
          account(FOURTH, { launchTemplates: 1 }),
          // named through consumer-role, with no instance reference: its instances are not counted from here
          account('555566667777', { source: 'consumer-role', instances: 3 })
        ]
      })
    )
    expect(outcome.instances.own).toBe(2)
    expect([...outcome.instances.others]).toEqual([
      [OTHER, 2],
      [THIRD, 5]
    ])
  })
})

describe('what an image that was not disabled has is not counted', () => {
  test("another account's instances of an image that failed to disable are not said to run a disabled image", () => {
    const outcome = outcomeOf(
      run('disable', [
        region(EAST, {
          changes: [change(a, 'disable', 'disabled'), change(b, 'disable', 'failed', { message: 'denied' })],
          accounts: [account(OTHER, { instances: 3 }), account(THIRD, { imageId: b.imageId, instances: 7 })]
        })
      ])
    )
    expect([...outcome.instances.others]).toEqual([[OTHER, 3]])
  })
})

describe('what was not checked in one region of several', () => {
  test('a warning in one region makes the whole run a warning', () => {
    const report = run('disable', [
      region(EAST, { changes: [change(a, 'disable', 'disabled')] }),
      region(WEST, { changes: [change({ ...b, region: WEST }, 'disable', 'disabled')], warnings: ['groups not read'] })
    ])
    expect(outcomeOf(report).mark).toBe('warning')
  })
})

describe('the log closing line', () => {
  test('with nothing that will fail, the headline and a full stop', () => {
    expect(outcomeOf(disabledA()).summary).toBe('1 image disabled in us-east-1.')
  })
})

describe('what breaks, in one sentence', () => {
  test('a template version, a group through a launch configuration and the configuration: three parts', () => {
    const outcome = outcomeOf(
      disabledA({
        templates: [templateUseMaker(EAST, a.imageId)()],
        launchConfigurations: [
          {
            region: EAST,
            launchConfigurationName: 'web-lc',
            imageId: a.imageId,
            groups: [{ autoScalingGroupName: 'old-asg', desiredCapacity: 2 }]
          }
        ]
      })
    )
    expect(outcome.consequence).toBe(
      '1 launch template version, 1 Auto Scaling group and 1 launch configuration will fail their next launch'
    )
    expect(outcome.summary).toBe(
      '1 image disabled in us-east-1; 1 launch template version, 1 Auto Scaling group and 1 launch configuration ' +
        'will fail their next launch.'
    )
    expect(outcome.mark).toBe('warning')
  })

  test('SSM parameters and recipes are counted by kind', () => {
    const outcome = outcomeOf(
      disabledA({
        references: [
          ref('ssm:Parameter', 'parameter/golden/web'),
          ref('imagebuilder:ImageRecipe', 'image-recipe/web/1.0.0'),
          ref('imagebuilder:ContainerRecipe', 'container-recipe/web/1.0.0')
        ]
      })
    )
    expect(outcome.consequence).toBe(
      '1 SSM parameter and 2 Image Builder recipes will fail their next launch (or build)'
    )
  })

  test('one template in one other account: its next launch', () => {
    const outcome = outcomeOf(disabledA({ accounts: [account(OTHER, { launchTemplates: 1, instances: 4 })] }))
    expect(outcome.consequence).toBe('1 launch template in 1 other account will fail its next launch')
    expect(outcome.breaking.accounts.map((x) => x.accountId)).toEqual([OTHER])
  })
})

describe('headlines with nothing to count', () => {
  test('a rollback with nothing to re-enable or disable says so', () => {
    const unchanged = [region(EAST, { changes: [change(a, 'enable', 'unchanged')] })]
    expect(outcomeOf(run('rollback', unchanged)).headline).toBe('Nothing re-enabled or disabled')
    expect(outcomeOf(run('rollback', unchanged, { dryRun: true })).headline).toBe(
      'Dry run: Nothing would be re-enabled or disabled'
    )
  })

  test('a refusal loses its own full stop in the headline, and only that one', () => {
    const refusal = '3 images to disable, more than max-images (2). Raise max-images or narrow the family.'
    const headline = (command: RunReport['command']): string =>
      outcomeOf(run(command, [region(EAST)], { refusal })).headline
    const expected =
      'Nothing was changed: 3 images to disable, more than max-images (2). Raise max-images or narrow the family'
    expect(headline('disable')).toBe(expected)
    expect(headline('retire')).toBe(expected)
  })
})

describe('retire: the mark and the headline when not everything went', () => {
  const retired = (over: Partial<RetiredImage> = {}): RetiredImage => retiredImage('a', over)

  test('a snapshot left billed beside an image retired is a warning', () => {
    const report = run('retire', [
      region(EAST, { retired: [retired({ snapshots: [{ snapshotId: 'snap-a', result: 'internal-error' }] })] })
    ])
    expect(outcomeOf(report).mark).toBe('warning')
  })

  test('a warning in any one region makes the run a warning', () => {
    const report = run('retire', [
      region(EAST, { retired: [retired()] }),
      region(WEST, { warnings: ['the Recycle Bin rules could not be read'] })
    ])
    expect(outcomeOf(report).mark).toBe('warning')
  })

  test('a region that could not be read: its error is the headline, not a count of images', () => {
    const report = run('retire', [region(EAST), emptyRegion(WEST, 'boom')])
    const outcome = outcomeOf(report)
    expect(outcome.headline).toBe('nothing was changed in any region: eu-west-1: boom')
    expect(outcome.mark).toBe('failure')
  })

  test('a dry run with nothing to retire is no dry-run mark: nothing would change', () => {
    const report = run('retire', [region(EAST, { decisions: [{ image: b, kind: 'skip', reason: 'too young' }] })], {
      dryRun: true
    })
    const outcome = outcomeOf(report)
    expect(outcome.headline).toBe('Dry run: Nothing would be retired; 1 image left alone')
    expect(outcome.mark).toBe('success')
  })
})
