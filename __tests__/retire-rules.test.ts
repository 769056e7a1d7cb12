/** rules/retire.ts, pure: which images retire may retire (each other one with why), the guards, the cost math. */
import { describe, expect, test } from '@jest/globals'
import { emptySharing, emptyUsage, type Image, type RetiredSnapshot, type Usage } from '../src/model.js'
import { recordTags, reenabledLineageTag } from '../src/rules/lineage.js'
import {
  ARCHIVED_TAG,
  chooseRetirements,
  dollars,
  gibibytes,
  guardRetirements,
  retireRefusal,
  retireTotals,
  savingsOf,
  storageOf,
  totalsByRegion,
  type RetireRules
} from '../src/rules/retire.js'

const NOW = new Date('2026-12-31T12:00:00Z')
const DAY = 86_400_000
const RULES: RetireRules = { retireAfterDays: 30, snapshots: 'delete', excludeTags: [] }

function ago(days: number): string {
  return new Date(NOW.getTime() - days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function image(id: string, extra: Partial<Image> & { disabledDaysAgo?: number; shared?: boolean } = {}): Image {
  const { disabledDaysAgo = 40, shared = false, ...rest } = extra
  const sharing = { ...emptySharing(), userIds: shared ? ['222233334444'] : [] }
  return {
    region: 'us-east-1',
    imageId: id,
    name: `golden-${id}`,
    ownerId: '111122223333',
    state: 'disabled',
    creationDate: '2026-01-01T00:00:00.000Z',
    public: false,
    tags: [
      { key: 'Family', value: 'web' },
      ...recordTags({
        lineage: { supersededBy: 'ami-0000000000000000f', reason: 'superseded', disabledAt: ago(disabledDaysAgo) },
        sharing
      })
    ],
    snapshots: [{ snapshotId: `snap-${id.slice(4)}`, sizeGiB: 8 }],
    ...rest
  }
}

describe('chooseRetirements', () => {
  test('a disabled image with the record, old enough, is a candidate; its age in whole days', () => {
    const { candidates, leftAlone } = chooseRetirements([image('ami-00000001')], NOW, RULES)
    expect(leftAlone).toEqual([])
    expect(candidates.map((c) => [c.image.imageId, c.ageDays])).toEqual([['ami-00000001', 40]])
  })

  test('the age boundary: exactly retire-after-days old is retired, a second less is too young', () => {
    const exactly = image('ami-00000001', { disabledDaysAgo: 30 })
    const younger = image('ami-00000002', { disabledDaysAgo: 30 - 1 / 86_400 })
    const { candidates, leftAlone } = chooseRetirements([exactly, younger], NOW, RULES)
    expect(candidates.map((c) => c.image.imageId)).toEqual(['ami-00000001'])
    expect(leftAlone[0]?.reason).toBe(
      'too young: disabled 29 days ago (on 2026-12-01), fewer than retire-after-days (30)'
    )
    expect(
      chooseRetirements([image('ami-00000003', { disabledDaysAgo: 0 })], NOW, { ...RULES, retireAfterDays: 0 })
        .candidates
    ).toHaveLength(1)
  })

  test('every image left alone says why', () => {
    const noRecord = { ...image('ami-00000001'), tags: [{ key: 'Family', value: 'web' }] }
    const base = image('ami-00000002')
    const record = {
      lineage: { supersededBy: 'ami-0000000000000000f', reason: 'superseded' as const, disabledAt: ago(40) },
      sharing: emptySharing()
    }
    const reenabled = {
      ...base,
      tags: [...base.tags.filter((t) => !t.key.endsWith(':lineage')), reenabledLineageTag(record, ago(35))]
    }
    const protectedImage = image('ami-00000003', { deregistrationProtection: 'enabled-with-cooldown' })
    const available = image('ami-00000004', { state: 'available' })
    const otherFamily = { ...image('ami-00000005'), tags: image('ami-00000005').tags.filter((t) => t.key !== 'Family') }
    const otherName = image('ami-00000006', { name: 'base-6' })
    const excluded = {
      ...image('ami-00000007'),
      tags: [...image('ami-00000007').tags, { key: 'Pinned', value: 'yes' }]
    }
    const rules: RetireRules = {
      ...RULES,
      familyTag: 'Family',
      namePattern: 'golden-*',
      excludeTags: [{ key: 'Pinned' }]
    }
    const { candidates, leftAlone } = chooseRetirements(
      [noRecord, reenabled, protectedImage, available, otherFamily, otherName, excluded],
      NOW,
      rules
    )
    expect(candidates).toEqual([])
    // none of them is left alone for being in use
    expect(leftAlone.filter((d) => 'inUse' in d)).toEqual([])
    expect(leftAlone.map((d) => [d.image.imageId, d.kind, d.reason])).toEqual([
      ['ami-00000001', 'skip', 'no record of this action: disabled by hand or by another tool'],
      [
        'ami-00000002',
        'skip',
        're-enabled on 2026-11-26 since this action disabled it (on 2026-11-21), then disabled otherwise'
      ],
      [
        'ami-00000003',
        'skip',
        'deregistration protection is on (enabled-with-cooldown): turn it off (DisableImageDeregistrationProtection) to retire it'
      ],
      ['ami-00000004', 'skip', 'not disabled (its state is available)'],
      ['ami-00000005', 'skip', "not this family (no 'Family' tag)"],
      ['ami-00000006', 'skip', "not this family (its name does not match 'golden-*')"],
      ['ami-00000007', 'skip', 'excluded by exclude-tags (Pinned)']
    ])
  })

  test('archive: an image already archived, or with no snapshot, is left alone; delete takes an archived one', () => {
    const archived = {
      ...image('ami-00000001'),
      tags: [...image('ami-00000001').tags, { key: ARCHIVED_TAG, value: ago(10) }]
    }
    const bare = { ...image('ami-00000002'), snapshots: [] }
    const archive = chooseRetirements([archived, bare], NOW, { ...RULES, snapshots: 'archive' })
    expect(archive.leftAlone.map((d) => d.reason)).toEqual([
      'already retired to the archive tier: its snapshots were archived on 2026-12-21',
      'no EBS snapshot to archive (snapshots: archive)'
    ])
    // delete (and keep) take an archived image, and one with no snapshot: it is deregistered all the same
    expect(chooseRetirements([archived, bare], NOW, RULES).candidates).toHaveLength(2)
    expect(chooseRetirements([bare], NOW, { ...RULES, snapshots: 'keep' }).candidates).toHaveLength(1)
  })

  test('a record whose disable time is not a date is left alone, saying what it holds', () => {
    const bad = image('ami-00000001')
    const tags = [
      ...bad.tags.filter((t) => !t.key.endsWith(':lineage')),
      reenabledLineageTag(
        {
          lineage: { supersededBy: 'ami-0000000000000000f', reason: 'superseded', disabledAt: 'yesterday' },
          sharing: emptySharing()
        },
        ago(1)
      )
    ]
    const { candidates, leftAlone } = chooseRetirements([{ ...bad, tags }], NOW, RULES)
    expect(candidates).toEqual([])
    expect(leftAlone.map((d) => d.reason)).toEqual(["its record holds no valid disable time ('yesterday')"])
  })

  test('re-enabled before this action disabled it again: a candidate; a re-enable time that is not a date: left alone', () => {
    const record = (reenabledAt: string) => {
      const base = image('ami-00000001')
      const tag = reenabledLineageTag(
        {
          lineage: { supersededBy: 'ami-0000000000000000f', reason: 'superseded', disabledAt: ago(40) },
          sharing: emptySharing()
        },
        reenabledAt
      )
      return { ...base, tags: [...base.tags.filter((t) => !t.key.endsWith(':lineage')), tag] }
    }
    expect(chooseRetirements([record(ago(50))], NOW, RULES).candidates.map((c) => c.ageDays)).toEqual([40])
    // re-enabled at the very moment it was disabled counts as re-enabled since
    expect(chooseRetirements([record(ago(40))], NOW, RULES).candidates).toEqual([])
    expect(chooseRetirements([record('soon')], NOW, RULES).leftAlone.map((d) => d.reason)).toEqual([
      `re-enabled on soon since this action disabled it (on ${ago(40).slice(0, 10)}), then disabled otherwise`
    ])
  })

  test('too young, in words: a day ago, days ago, in the future', () => {
    const reasons = chooseRetirements(
      [
        image('ami-00000001', { disabledDaysAgo: 1.5 }),
        image('ami-00000002', { disabledDaysAgo: 2 }),
        image('ami-00000003', { disabledDaysAgo: -1 }),
        image('ami-00000004', { disabledDaysAgo: 0 })
      ],
      NOW,
      RULES
    ).leftAlone.map((d) => d.reason)
    expect(reasons).toEqual([
      'too young: disabled 1 day ago (on 2026-12-30), fewer than retire-after-days (30)',
      'too young: disabled 2 days ago (on 2026-12-29), fewer than retire-after-days (30)',
      'too young: disabled in the future (on 2027-01-01), fewer than retire-after-days (30)',
      'too young: disabled 0 days ago (on 2026-12-31), fewer than retire-after-days (30)'
    ])
  })

  test('archive: an image whose snapshots EC2 did not list has none to archive; protection off is no obstacle', () => {
    const unlisted = image('ami-00000001')
    delete unlisted.snapshots
    const off = image('ami-00000002', { deregistrationProtection: 'disabled' })
    const archive = chooseRetirements([unlisted, off], NOW, { ...RULES, snapshots: 'archive' })
    expect(archive.leftAlone.map((d) => [d.image.imageId, d.reason])).toEqual([
      ['ami-00000001', 'no EBS snapshot to archive (snapshots: archive)']
    ])
    expect(archive.candidates.map((c) => c.image.imageId)).toEqual(['ami-00000002'])
  })
})

describe('guardRetirements', () => {
  const settings = { inUse: 'report' as const, maxImages: 10 }
  const candidatesOf = (...images: Image[]) => chooseRetirements(images, NOW, RULES).candidates

  test('an image in use is left alone with what uses it, whatever in-use says (report, skip)', () => {
    const usage: Usage = {
      ...emptyUsage(),
      templates: [
        {
          region: 'us-east-1',
          launchTemplateId: 'lt-1',
          launchTemplateName: 'web',
          versionNumber: 3,
          imageId: 'ami-00000001',
          isDefault: true,
          isLatest: true
        }
      ],
      references: [
        {
          region: 'us-east-1',
          imageId: 'ami-00000002',
          resourceType: 'ssm:Parameter',
          arn: 'arn:aws:ssm:us-east-1:111122223333:parameter/golden/web'
        },
        {
          region: 'us-east-1',
          imageId: 'ami-00000003',
          resourceType: 'ec2:Instance',
          arn: 'arn:aws:ec2:us-east-1:111122223333:instance/i-1'
        }
      ],
      accounts: [
        {
          region: 'us-east-1',
          imageId: 'ami-00000004',
          accountId: '222233334444',
          launchTemplates: 2,
          instances: 0,
          source: 'usage-report'
        }
      ]
    }
    for (const inUse of ['report', 'skip'] as const) {
      const policy = guardRetirements(
        'us-east-1',
        candidatesOf(image('ami-00000001'), image('ami-00000002'), image('ami-00000003'), image('ami-00000004')),
        usage,
        { ...settings, inUse }
      )
      expect(policy.refusals).toEqual([])
      // an instance never makes an image in use
      expect(policy.retire.map((c) => c.image.imageId)).toEqual(['ami-00000003'])
      expect(policy.leftAlone.map((d) => [d.image.imageId, d.inUse, d.reason])).toEqual([
        [
          'ami-00000001',
          true,
          'in use by launch template web (lt-1) version 3 (default and latest): an image in use is never retired'
        ],
        ['ami-00000002', true, 'in use by SSM parameter /golden/web: an image in use is never retired'],
        [
          'ami-00000004',
          true,
          'in use by 2 launch template(s) in account 222233334444 (usage report): an image in use is never retired'
        ]
      ])
    }
  })

  test('in-use: fail refuses the whole run when one is in use', () => {
    const usage = {
      ...emptyUsage(),
      launchConfigurations: [
        { region: 'us-east-1', launchConfigurationName: 'old-lc', imageId: 'ami-00000001', groups: [] }
      ]
    }
    const policy = guardRetirements('us-east-1', candidatesOf(image('ami-00000001')), usage, {
      ...settings,
      inUse: 'fail'
    })
    expect(retireRefusal([policy])).toBe(
      'refusing to retire anything: in us-east-1, ami-00000001 is in use by launch configuration old-lc (in-use: fail)'
    )
    // two in use: each named, in one refusal
    const two = guardRetirements(
      'us-east-1',
      candidatesOf(image('ami-00000001'), image('ami-00000002')),
      {
        ...usage,
        launchConfigurations: [
          ...usage.launchConfigurations,
          { region: 'us-east-1', launchConfigurationName: 'older-lc', imageId: 'ami-00000002', groups: [] }
        ]
      },
      { ...settings, inUse: 'fail' }
    )
    expect(two.refusals).toEqual([
      'in us-east-1, ami-00000001 is in use by launch configuration old-lc; ami-00000002 is in use by launch configuration older-lc (in-use: fail)'
    ])
  })

  test('in-use: fail with nothing in use refuses nothing', () => {
    const policy = guardRetirements('us-east-1', candidatesOf(image('ami-00000001')), emptyUsage(), {
      ...settings,
      inUse: 'fail'
    })
    expect(policy.refusals).toEqual([])
    expect(policy.retire.map((c) => c.image.imageId)).toEqual(['ami-00000001'])
  })

  test('what is not known about other accounts: a shared image is left alone, an unshared one is not', () => {
    const usage = { ...emptyUsage(), unknowns: [{ region: 'us-east-1', why: 'usage report still pending' }] }
    const policy = guardRetirements(
      'us-east-1',
      candidatesOf(image('ami-00000001', { shared: true }), image('ami-00000002')),
      usage,
      settings
    )
    expect(policy.retire.map((c) => c.image.imageId)).toEqual(['ami-00000002'])
    expect(policy.leftAlone[0]?.reason).toBe(
      'its use in other accounts is not known: usage report still pending: an image in use is never retired'
    )
  })

  test('a usage search that failed leaves every candidate alone (and refuses under fail)', () => {
    const unknown = {
      unknown: 'not authorized: the role needs ec2:DescribeLaunchTemplateVersions (UnauthorizedOperation)'
    }
    const policy = guardRetirements('us-east-1', candidatesOf(image('ami-00000001')), unknown, settings)
    expect(policy.retire).toEqual([])
    expect(policy.leftAlone[0]?.reason).toMatch(/^what uses it could not be checked: not authorized/)
    expect(policy.leftAlone.map((d) => d.inUse)).toEqual([true])
    expect(policy.warnings).toHaveLength(1)
    expect(
      guardRetirements('us-east-1', candidatesOf(image('ami-00000001')), unknown, { ...settings, inUse: 'fail' })
        .refusals
    ).toEqual([
      'in us-east-1, what uses the images could not be checked: not authorized: the role needs ec2:DescribeLaunchTemplateVersions (UnauthorizedOperation) (in-use: fail)'
    ])
  })

  test('max-images refuses the whole run, naming the region and the images', () => {
    const policy = guardRetirements(
      'us-east-1',
      candidatesOf(image('ami-00000001'), image('ami-00000002')),
      emptyUsage(),
      {
        ...settings,
        maxImages: 1
      }
    )
    expect(retireRefusal([policy])).toBe(
      'refusing to retire anything: 2 images would be retired in us-east-1, more than max-images (1): ami-00000001, ami-00000002'
    )
    expect(retireRefusal([{ refusals: [] }])).toBeUndefined()
  })

  test('what uses it, in words, as disable names it: recipes by name, unknown types as EC2 names them, other accounts named', () => {
    const usage: Usage = {
      ...emptyUsage(),
      templates: [
        {
          region: 'us-east-1',
          launchTemplateId: 'lt-9',
          launchTemplateName: 'api',
          versionNumber: 1,
          imageId: 'ami-00000001',
          isDefault: true,
          isLatest: true,
          accountId: '555566667777'
        }
      ],
      // one group through its launch template and its mixed instances policy: named once
      groups: [false, true].map((viaMixedInstancesPolicy) => ({
        region: 'us-east-1',
        autoScalingGroupName: 'web-asg',
        launchTemplateId: 'lt-9',
        launchTemplateName: 'api',
        version: '$Default',
        versionNumber: 1,
        imageId: 'ami-00000001',
        viaMixedInstancesPolicy,
        desiredCapacity: 2
      })),
      references: [
        {
          region: 'us-east-1',
          imageId: 'ami-00000001',
          resourceType: 'imagebuilder:ImageRecipe',
          arn: 'arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/web/1.0.0',
          accountId: '444455556666'
        },
        {
          region: 'us-east-1',
          imageId: 'ami-00000001',
          resourceType: 'ec2:Other' as never,
          arn: 'arn:aws:ec2:us-east-1:111122223333:thing/x'
        }
      ],
      accounts: [
        // named by its consumer role: its templates are listed above, not counted again from the report
        {
          region: 'us-east-1',
          imageId: 'ami-00000001',
          accountId: '555566667777',
          launchTemplates: 1,
          instances: 0,
          source: 'consumer-role'
        },
        {
          region: 'us-east-1',
          imageId: 'ami-00000001',
          accountId: '555566667777',
          launchTemplates: 1,
          instances: 0,
          source: 'usage-report'
        },
        {
          region: 'us-east-1',
          imageId: 'ami-00000001',
          accountId: '888899990000',
          launchTemplates: 0,
          instances: 3,
          source: 'usage-report'
        }
      ]
    }
    const policy = guardRetirements('us-east-1', candidatesOf(image('ami-00000001')), usage, settings)
    expect(policy.leftAlone.map((d) => d.reason)).toEqual([
      'in use by launch template api (lt-9) version 1 (default and latest) in account 555566667777, Auto Scaling group web-asg, ' +
        'Image Builder image recipe web/1.0.0 in account 444455556666, ec2:Other x: an image in use is never retired'
    ])
  })

  test('what is not known about one image leaves it alone, shared or not; about none, the others go', () => {
    const usage = {
      ...emptyUsage(),
      unknowns: [{ region: 'us-east-1', imageId: 'ami-00000002', why: 'its usage report failed' }]
    }
    const policy = guardRetirements(
      'us-east-1',
      candidatesOf(image('ami-00000001', { shared: true }), image('ami-00000002')),
      usage,
      settings
    )
    expect(policy.retire.map((c) => c.image.imageId)).toEqual(['ami-00000001'])
    expect(policy.leftAlone.map((d) => [d.image.imageId, d.inUse, d.reason])).toEqual([
      [
        'ami-00000002',
        true,
        'its use in other accounts is not known: its usage report failed: an image in use is never retired'
      ]
    ])
  })

  test('a failed usage search with nothing to retire refuses nothing, even under in-use: fail', () => {
    const policy = guardRetirements('us-east-1', [], { unknown: 'throttled' }, { ...settings, inUse: 'fail' })
    expect(policy.refusals).toEqual([])
    expect(policy.warnings).toEqual(['usage not checked in us-east-1: throttled; no image retired there'])
  })

  test('max-images: exactly max-images go through; past it, 20 are named and the rest counted', () => {
    const images = Array.from({ length: 23 }, (_, i) => image(`ami-${String(i + 1).padStart(8, '0')}`))
    expect(
      guardRetirements('us-east-1', candidatesOf(...images), emptyUsage(), { ...settings, maxImages: 23 }).refusals
    ).toEqual([])
    const [refusal] = guardRetirements('us-east-1', candidatesOf(...images), emptyUsage(), {
      ...settings,
      maxImages: 22
    }).refusals
    expect(refusal).toBe(
      `23 images would be retired in us-east-1, more than max-images (22): ${images
        .slice(0, 20)
        .map((i) => i.imageId)
        .join(', ')} and 3 more`
    )
  })
})

describe('cost', () => {
  const snap = (result: string, sizeGiB?: number, tier?: 'standard' | 'archive'): RetiredSnapshot => ({
    snapshotId: 'snap-1',
    result,
    ...(sizeGiB !== undefined ? { sizeGiB } : {}),
    ...(tier ? { tier } : {})
  })

  test('delete: what EC2 deleted stops at $0.05 per GB-month ($0.0125 when it was archived); skipped and failed stay billed', () => {
    expect(
      savingsOf('delete', [
        snap('success', 100),
        snap('success', 20, 'archive'),
        snap('skipped', 8),
        snap('missing-permissions', 2)
      ])
    ).toEqual({
      freedGiB: 120,
      keptGiB: 10,
      monthlySaving: 5.25
    })
    expect(savingsOf('delete', [snap('would-delete', 40), snap('would-skip', 8), snap('success')])).toEqual({
      freedGiB: 40,
      keptGiB: 8,
      monthlySaving: 2
    })
  })

  test('archive saves the difference to $0.0125; keep saves nothing', () => {
    expect(savingsOf('archive', [snap('archived', 100), snap('already-archived', 8), snap('failed', 2)])).toEqual({
      freedGiB: 100,
      keptGiB: 10,
      monthlySaving: 3.75
    })
    expect(savingsOf('keep', [snap('kept', 100)])).toEqual({ freedGiB: 0, keptGiB: 100, monthlySaving: 0 })
  })

  test('totals per region and overall; failed images count for nothing', () => {
    const retired = (region: string, freedGiB: number, outcome: 'retired' | 'failed' = 'retired') => ({
      region,
      imageId: 'ami-1',
      name: 'n',
      disabledAt: ago(40),
      snapshotsMode: 'delete' as const,
      outcome,
      snapshots: [snap('success', freedGiB)],
      freedGiB,
      keptGiB: 0,
      monthlySaving: freedGiB * 0.05
    })
    const list = [
      retired('us-east-1', 100),
      retired('us-east-1', 10),
      retired('eu-west-1', 10),
      retired('eu-west-1', 50, 'failed')
    ]
    expect(retireTotals(list)).toEqual({ images: 3, snapshots: 3, freedGiB: 120, keptGiB: 0, monthlySaving: 6 })
    expect(totalsByRegion(list).get('eu-west-1')).toEqual({
      images: 1,
      snapshots: 1,
      freedGiB: 10,
      keptGiB: 0,
      monthlySaving: 0.5
    })
    expect(dollars(6)).toBe('$6.00')
    expect(dollars(0.0025)).toBe('$0.0025')
  })

  test('storageOf: each snapshot once, at the standard price', () => {
    const a = image('ami-00000001', {
      snapshots: [
        { snapshotId: 'snap-a', sizeGiB: 30 },
        { snapshotId: 'snap-b', sizeGiB: 10 }
      ]
    })
    const b = image('ami-00000002', { snapshots: [{ snapshotId: 'snap-b', sizeGiB: 10 }] })
    expect(storageOf([a, b])).toEqual({ images: 2, snapshots: 2, sizeGiB: 40, monthlyCost: 2 })
  })
  test('storageOf: a snapshot of unknown size counts as 0 GiB, an image without snapshots as none', () => {
    const a = image('ami-00000001', { snapshots: [{ snapshotId: 'snap-a' }, { snapshotId: 'snap-b', sizeGiB: 3 }] })
    const b = image('ami-00000002')
    delete b.snapshots
    expect(storageOf([a, b])).toEqual({ images: 2, snapshots: 2, sizeGiB: 3, monthlyCost: 0.15 })
    expect(storageOf([])).toEqual({ images: 0, snapshots: 0, sizeGiB: 0, monthlyCost: 0 })
  })

  test('dollars and gibibytes, as the report prints them', () => {
    expect([0, 0.001, 0.0099, 0.01, 0.125, 12.5].map(dollars)).toEqual([
      '$0.00',
      '$0.0010',
      '$0.0099',
      '$0.01',
      '$0.13',
      '$12.50'
    ])
    expect([0, 8, 1.5, 0.25, 120].map(gibibytes)).toEqual(['0 GiB', '8 GiB', '1.5 GiB', '0.3 GiB', '120 GiB'])
  })
})
