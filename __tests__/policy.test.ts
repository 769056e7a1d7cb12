import { describe, expect, test } from '@jest/globals'
import { emptyUsage } from '../src/model.js'
import { groupUseMaker, templateUseMaker } from '../test-support/report-fixtures.js'
import type { AccountUse, Decision, GroupUse, Image, ImageReference, UsageUnknown } from '../src/model.js'
import {
  applyPolicy,
  referenceName,
  refusalOf,
  toDisable,
  type PolicySettings,
  type UsageFound
} from '../src/rules/policy.js'

const R = 'eu-west-1'
const OLD = 'ami-00000000000000001'
const OLDER = 'ami-00000000000000002'
const KEPT = 'ami-00000000000000003'
const NEW = 'ami-0000000000000000f'

function image(imageId: string): Image {
  return {
    region: R,
    imageId,
    name: `golden-${imageId}`,
    ownerId: '111122223333',
    state: 'available',
    creationDate: '2026-01-01T00:00:00.000Z',
    public: false,
    tags: []
  }
}

const use = templateUseMaker(R, OLD)

function group(imageId: string): GroupUse {
  return groupUseMaker(R, imageId)({ autoScalingGroupName: `asg-${imageId}`, desiredCapacity: 2 })
}

const used = image(OLD)
const free = image(OLDER)
const kept = image(KEPT)
const decisions: Decision[] = [
  { image: used, kind: 'disable', reason: `superseded by ${NEW}` },
  { image: free, kind: 'disable', reason: `superseded by ${NEW}` },
  { image: kept, kind: 'keep', reason: 'one of the 1 most recent superseded (keep: 1)' }
]
const templates = [
  use({ launchTemplateId: 'lt-0aaa', launchTemplateName: 'web', versionNumber: 3, isDefault: true, isLatest: true }),
  use({ launchTemplateId: 'lt-0bbb', launchTemplateName: 'batch', versionNumber: 7, isDefault: false, isLatest: true }),
  use({ launchTemplateId: 'lt-0ccc', launchTemplateName: 'keep-me', versionNumber: 1, imageId: KEPT, isLatest: false })
]
const found: UsageFound = {
  ...emptyUsage(),
  templates,
  groups: [group(OLD), group(KEPT)],
  warnings: ['groups were not checked']
}
const settings = (over: Partial<PolicySettings> = {}): PolicySettings => ({ inUse: 'report', maxImages: 10, ...over })

describe('in-use', () => {
  test('skip: an in-use disable becomes a skip naming the templates; nothing it leaves enabled is reported', () => {
    const policy = applyPolicy(R, decisions, found, settings({ inUse: 'skip' }))
    expect(policy.decisions).toEqual([
      {
        image: used,
        kind: 'skip',
        inUse: true,
        reason:
          'in use by launch template web (lt-0aaa) version 3 (default and latest), batch (lt-0bbb) version 7 (latest) (in-use: skip)'
      },
      decisions[1],
      decisions[2]
    ])
    expect(policy.toDisable).toEqual([free])
    expect(policy.templates).toEqual([])
    expect(policy.groups).toEqual([])
    expect(policy.refusals).toEqual([])
  })

  test('skip: a version neither default nor latest is named without a flag', () => {
    const only = use({ isDefault: false, isLatest: false })
    const policy = applyPolicy(R, [decisions[0]!], { ...emptyUsage(), templates: [only] }, settings({ inUse: 'skip' }))
    expect(policy.decisions[0]?.reason).toBe('in use by launch template web (lt-0aaa) version 3 (in-use: skip)')
  })

  test('report: every superseded image is disabled, and what points at them is what will break', () => {
    const policy = applyPolicy(R, decisions, found, settings())
    expect(policy.decisions).toBe(decisions)
    expect(policy.toDisable).toEqual([used, free])
    // Only the templates and groups of the images to disable: the kept image's are not breaking.
    expect(policy.templates).toEqual([templates[0], templates[1]])
    expect(policy.groups).toEqual([group(OLD)])
    expect(policy.warnings).toEqual(['groups were not checked'])
    expect(policy.refusals).toEqual([])
  })

  test('fail: an image to disable that a template uses refuses the run, naming the image and its templates', () => {
    const policy = applyPolicy(R, decisions, found, settings({ inUse: 'fail' }))
    expect(policy.decisions).toBe(decisions)
    expect(policy.refusals).toEqual([
      `in ${R}, ${OLD} is used by web (lt-0aaa) version 3 (default and latest), batch (lt-0bbb) version 7 (latest) (in-use: fail)`
    ])
    expect(refusalOf([policy])).toBe(`refusing to disable anything: ${policy.refusals[0]}`)
  })

  test.each(['skip', 'fail'] as const)('%s without templates changes nothing and refuses nothing', (inUse) => {
    const policy = applyPolicy(R, decisions, emptyUsage(), settings({ inUse }))
    expect(policy.decisions).toEqual(decisions)
    expect(policy.refusals).toEqual([])
    expect(policy.error).toBeUndefined()
  })

  describe('launch configurations', () => {
    const configuration = (imageId: string, name = `lc-${imageId.slice(-1)}`) => ({
      region: R,
      launchConfigurationName: name,
      imageId,
      groups: [{ autoScalingGroupName: 'legacy', desiredCapacity: 2 }]
    })
    const usage: UsageFound = {
      ...emptyUsage(),
      launchConfigurations: [configuration(OLDER, 'web-2019'), configuration(KEPT)]
    }

    test('skip: an image that only a launch configuration uses stays enabled, naming it', () => {
      const policy = applyPolicy(R, decisions, usage, settings({ inUse: 'skip' }))
      expect(policy.decisions[1]).toEqual({
        image: free,
        kind: 'skip',
        inUse: true,
        reason: 'in use by launch configuration web-2019 (in-use: skip)'
      })
      expect(policy.toDisable).toEqual([used])
      expect(policy.launchConfigurations).toEqual([])
    })

    test('skip: templates and launch configurations are named together', () => {
      const both: UsageFound = { ...usage, templates: [use({ imageId: OLDER, isDefault: false, isLatest: false })] }
      const policy = applyPolicy(R, decisions, both, settings({ inUse: 'skip' }))
      expect(policy.decisions[1]?.reason).toBe(
        'in use by launch template web (lt-0aaa) version 3, launch configuration web-2019 (in-use: skip)'
      )
    })

    test('fail: refuses, naming the launch configuration', () => {
      const policy = applyPolicy(R, decisions, usage, settings({ inUse: 'fail' }))
      expect(policy.refusals).toEqual([`in ${R}, ${OLDER} is used by launch configuration web-2019 (in-use: fail)`])
    })

    test('report: disables, and keeps only the launch configurations of the images it disables', () => {
      const policy = applyPolicy(R, decisions, usage, settings())
      expect(policy.toDisable).toEqual([used, free])
      expect(policy.launchConfigurations).toEqual([configuration(OLDER, 'web-2019')])
      expect(policy.refusals).toEqual([])
    })
  })

  test('skip and fail: a pinned version (neither default nor latest) counts as in use', () => {
    const pinned: UsageFound = {
      ...emptyUsage(),
      templates: [use({ versionNumber: 1, isDefault: false, isLatest: false })]
    }
    expect(applyPolicy(R, decisions, pinned, settings({ inUse: 'skip' })).toDisable).toEqual([free])
    expect(applyPolicy(R, decisions, pinned, settings({ inUse: 'fail' })).refusals).toEqual([
      `in ${R}, ${OLD} is used by web (lt-0aaa) version 1 (in-use: fail)`
    ])
  })

  test('the replacements and what was checked pass through', () => {
    const replacement = use({ imageId: NEW, versionNumber: 4, isDefault: false, isLatest: true })
    const policy = applyPolicy(
      R,
      decisions,
      { ...emptyUsage(), replacements: [replacement], checked: ['launch configurations'] },
      settings()
    )
    expect(policy.replacements).toEqual([replacement])
    expect(policy.checked).toEqual(['launch configurations'])
  })

  test('a usage search that failed is a warning under report', () => {
    const policy = applyPolicy(
      R,
      decisions,
      { unknown: 'DescribeLaunchTemplateVersions failed: InternalError' },
      settings()
    )
    expect(policy.error).toBeUndefined()
    expect(policy.toDisable).toEqual([used, free])
    expect(policy.warnings).toEqual([
      `launch templates were not checked in ${R}: DescribeLaunchTemplateVersions failed: InternalError`
    ])
  })

  test.each(['skip', 'fail'] as const)('a usage search that failed stops the run under %s', (inUse) => {
    const policy = applyPolicy(R, decisions, { unknown: 'not authorized' }, settings({ inUse }))
    expect(policy.error).toBe(
      `cannot check which launch templates use the images (in-use: ${inUse}): not authorized; nothing was changed`
    )
  })
})

describe('in-use: references, other accounts, and what is unknown', () => {
  const ref = (imageId: string, resourceType: ImageReference['resourceType'], arn: string): ImageReference => ({
    region: R,
    imageId,
    resourceType,
    arn
  })
  const ssm = ref(OLDER, 'ssm:Parameter', `arn:aws:ssm:${R}:111122223333:parameter/golden/web`)
  const recipe = ref(OLD, 'imagebuilder:ImageRecipe', `arn:aws:imagebuilder:${R}:111122223333:image-recipe/web/1.0.0`)
  const container = ref(
    OLD,
    'imagebuilder:ContainerRecipe',
    `arn:aws:imagebuilder:${R}:111122223333:container-recipe/app/2.1.0`
  )
  const instance = ref(OLD, 'ec2:Instance', `arn:aws:ec2:${R}:111122223333:instance/i-0123456789abcdef0`)
  const account = (imageId: string, launchTemplates: number, instances = 0): AccountUse => ({
    region: R,
    imageId,
    accountId: '444455556666',
    launchTemplates,
    instances,
    source: 'usage-report'
  })
  const pending: UsageUnknown = {
    region: R,
    imageId: OLD,
    why: `the usage report of ${OLD} was still pending after 300 s`
  }

  test('the name of a reference is the last part of its ARN', () => {
    expect(referenceName(ssm)).toBe('/golden/web')
    expect(referenceName(ref(OLD, 'ssm:Parameter', `arn:aws:ssm:${R}:111122223333:parameter/flat`))).toBe('flat')
    expect(referenceName(recipe)).toBe('web/1.0.0')
    expect(referenceName(instance)).toBe('i-0123456789abcdef0')
    expect(referenceName(ref(OLD, 'ssm:Parameter', 'not-an-arn'))).toBe('not-an-arn')
  })

  test('skip: an SSM parameter or an Image Builder recipe keeps the image enabled, naming them', () => {
    const usage: UsageFound = { ...emptyUsage(), references: [ssm, recipe, container] }
    const policy = applyPolicy(R, decisions, usage, settings({ inUse: 'skip' }))
    expect(policy.decisions.map((d) => [d.kind, d.reason])).toEqual([
      [
        'skip',
        'in use by Image Builder image recipe web/1.0.0, Image Builder container recipe app/2.1.0 (in-use: skip)'
      ],
      ['skip', 'in use by SSM parameter /golden/web (in-use: skip)'],
      ['keep', decisions[2]!.reason]
    ])
    expect(policy.toDisable).toEqual([])
    expect(policy.references).toEqual([])
  })

  test("skip: another account's reference counts too, and says which account", () => {
    const theirs = { ...ssm, accountId: '444455556666' }
    const policy = applyPolicy(R, decisions, { ...emptyUsage(), references: [theirs] }, settings({ inUse: 'skip' }))
    expect(policy.decisions[1]?.reason).toBe(
      'in use by SSM parameter /golden/web in account 444455556666 (in-use: skip)'
    )
  })

  test("skip: another account's launch template (named through consumer-role) says which account", () => {
    const theirs = use({ launchTemplateId: 'lt-0ddd', launchTemplateName: 'their-web', accountId: '444455556666' })
    const usage: UsageFound = { ...emptyUsage(), templates: [theirs] }
    const policy = applyPolicy(R, decisions, usage, settings({ inUse: 'skip' }))
    expect(policy.decisions[0]?.reason).toBe(
      'in use by launch template their-web (lt-0ddd) version 3 (default and latest) in account 444455556666 (in-use: skip)'
    )
  })

  test('instances never make an image in use, but are kept in the report', () => {
    const usage: UsageFound = { ...emptyUsage(), references: [instance], accounts: [account(OLD, 0, 5)] }
    for (const inUse of ['skip', 'fail'] as const) {
      const policy = applyPolicy(R, decisions, usage, settings({ inUse }))
      expect(policy.toDisable).toEqual([used, free])
      expect(policy.refusals).toEqual([])
      expect(policy.references).toEqual([instance])
      expect(policy.accounts).toEqual([account(OLD, 0, 5)])
    }
  })

  test("skip: another account's launch templates (a usage report's count) keep the image enabled", () => {
    const usage: UsageFound = { ...emptyUsage(), accounts: [account(OLD, 2, 3), account(KEPT, 1)] }
    const policy = applyPolicy(R, decisions, usage, settings({ inUse: 'skip' }))
    expect(policy.decisions[0]).toEqual({
      image: used,
      kind: 'skip',
      inUse: true,
      reason: 'in use by 2 launch templates in account 444455556666 (usage-report) (in-use: skip)'
    })
    expect(policy.toDisable).toEqual([free])
    expect(policy.accounts).toEqual([])
  })

  test('fail: refuses, naming the references and the accounts', () => {
    const usage: UsageFound = { ...emptyUsage(), references: [ssm], accounts: [account(OLD, 1)] }
    expect(applyPolicy(R, decisions, usage, settings({ inUse: 'fail' })).refusals).toEqual([
      `in ${R}, ${OLD} is used by 1 launch template in account 444455556666 (usage-report); ${OLDER} is used by SSM parameter /golden/web (in-use: fail)`
    ])
  })

  test('report: disables, keeps what points at the disabled images, refuses nothing', () => {
    const usage: UsageFound = {
      ...emptyUsage(),
      references: [ssm, recipe],
      accounts: [account(OLD, 1), account(KEPT, 1)]
    }
    const policy = applyPolicy(R, decisions, usage, settings())
    expect(policy.toDisable).toEqual([used, free])
    expect(policy.references).toEqual([ssm, recipe])
    expect(policy.accounts).toEqual([account(OLD, 1)])
    expect(policy.warnings).toEqual([])
  })

  test('skip: an image whose use in other accounts is unknown stays enabled, saying why', () => {
    const policy = applyPolicy(R, decisions, { ...emptyUsage(), unknowns: [pending] }, settings({ inUse: 'skip' }))
    expect(policy.decisions[0]).toEqual({
      image: used,
      kind: 'skip',
      inUse: true,
      reason: `usage in other accounts is unknown (the usage report of ${OLD} was still pending after 300 s) (in-use: skip)`
    })
    expect(policy.toDisable).toEqual([free])
    expect(policy.unknowns).toEqual([])
  })

  test('skip: what is known and what is unknown are both said', () => {
    const usage: UsageFound = { ...emptyUsage(), templates: [templates[0]!], unknowns: [pending] }
    expect(applyPolicy(R, decisions, usage, settings({ inUse: 'skip' })).decisions[0]?.reason).toBe(
      `in use by launch template web (lt-0aaa) version 3 (default and latest); usage in other accounts is unknown (the usage report of ${OLD} was still pending after 300 s) (in-use: skip)`
    )
  })

  test('an unknown without an image is about every image of the region', () => {
    const role: UsageUnknown = {
      region: R,
      accountId: '444455556666',
      why: 'role reader could not be assumed in 444455556666'
    }
    const policy = applyPolicy(R, decisions, { ...emptyUsage(), unknowns: [role] }, settings({ inUse: 'skip' }))
    expect(policy.toDisable).toEqual([])
    expect(policy.decisions.filter((d) => d.kind === 'skip')).toHaveLength(2)
    // under skip (and fail) the unknown is the reason of what it changes, not a warning as under report
    expect(policy.warnings).toEqual([])
    expect(
      applyPolicy(R, decisions, { ...emptyUsage(), unknowns: [role] }, settings({ inUse: 'fail' })).warnings
    ).toEqual([])
  })

  test("fail: several reasons an image's use is unknown are said together, each once", () => {
    const failed: UsageUnknown = { region: R, imageId: OLD, why: `the usage report of ${OLD} failed: internal` }
    const policy = applyPolicy(
      R,
      decisions,
      { ...emptyUsage(), unknowns: [pending, failed, pending] },
      settings({ inUse: 'fail' })
    )
    expect(policy.refusals).toEqual([
      `in ${R}, ${OLD}: usage in other accounts is unknown (the usage report of ${OLD} was still pending after 300 s; the usage report of ${OLD} failed: internal) (in-use: fail)`
    ])
  })

  test('a search that failed under skip or fail stops the region: an error, not a refusal', () => {
    const policy = applyPolicy(R, decisions, { unknown: 'denied' }, settings({ inUse: 'skip' }))
    expect(policy.error).toBe(
      'cannot check which launch templates use the images (in-use: skip): denied; nothing was changed'
    )
    expect(policy.refusals).toEqual([])
    expect(refusalOf([policy])).toBeUndefined()
  })

  test('fail: an unknown refuses, naming the image and why', () => {
    const policy = applyPolicy(R, decisions, { ...emptyUsage(), unknowns: [pending] }, settings({ inUse: 'fail' }))
    expect(policy.refusals).toEqual([
      `in ${R}, ${OLD}: usage in other accounts is unknown (the usage report of ${OLD} was still pending after 300 s) (in-use: fail)`
    ])
  })

  test('report: an unknown of an image it disables is a warning; one of an image it leaves alone is dropped', () => {
    const kept: UsageUnknown = { region: R, imageId: KEPT, why: `the usage report of ${KEPT} failed: internal` }
    const policy = applyPolicy(R, decisions, { ...emptyUsage(), unknowns: [pending, kept] }, settings())
    expect(policy.toDisable).toEqual([used, free])
    expect(policy.unknowns).toEqual([pending])
    expect(policy.warnings).toEqual([
      `usage in other accounts is unknown in ${R}: the usage report of ${OLD} was still pending after 300 s`
    ])
    expect(policy.refusals).toEqual([])
  })

  test("report: one account's unknown about several images is one warning", () => {
    const why = 'the role arn:aws:iam::444455556666:role/reader could not be assumed in account 444455556666'
    const unknowns = [OLD, OLDER].map((imageId): UsageUnknown => ({
      region: R,
      imageId,
      accountId: '444455556666',
      why
    }))
    const policy = applyPolicy(R, decisions, { ...emptyUsage(), unknowns }, settings())
    expect(policy.warnings).toEqual([`usage in other accounts is unknown in ${R}: ${why}`])
  })
})

describe('max-images', () => {
  const many = (n: number): Decision[] =>
    Array.from({ length: n }, (_, i) => ({
      image: image(`ami-${String(i).padStart(17, '0')}`),
      kind: 'disable' as const,
      reason: 'superseded'
    }))
  const none: UsageFound = emptyUsage()
  const listed = (n: number): string =>
    many(n)
      .map((d) => `${d.image.imageId} (${d.image.name})`)
      .join(', ')

  test('exactly max-images images go through', () => {
    expect(applyPolicy(R, many(3), none, settings({ maxImages: 3 })).refusals).toEqual([])
  })

  test('one more refuses the run', () => {
    expect(applyPolicy(R, many(4), none, settings({ maxImages: 3 })).refusals).toEqual([
      `4 images would be disabled in ${R}, more than max-images (3): ${listed(4)}`
    ])
  })

  test('images left enabled by in-use: skip do not count', () => {
    const list = many(4)
    const usage: UsageFound = { ...emptyUsage(), templates: [use({ imageId: list[0]!.image.imageId })] }
    expect(applyPolicy(R, list, usage, settings({ maxImages: 3, inUse: 'skip' })).refusals).toEqual([])
  })

  test('the refusals of every region are said together', () => {
    const a = applyPolicy('us-east-1', many(2), none, settings({ maxImages: 1 }))
    const b = applyPolicy('eu-west-1', many(1), none, settings({ maxImages: 1 }))
    expect(refusalOf([a, b])).toBe(
      `refusing to disable anything: 2 images would be disabled in us-east-1, more than max-images (1): ${listed(2)}`
    )
    expect(refusalOf([b])).toBeUndefined()
    const c = applyPolicy('ap-southeast-2', many(3), none, settings({ maxImages: 2 }))
    expect(refusalOf([a, c])).toBe(`refusing to disable anything: ${a.refusals[0]}; ${c.refusals[0]}`)
  })

  test('an image is listed with its name up to 40 characters; a longer name is left out', () => {
    const named = (name: string): Decision => ({
      image: { ...image(OLD), name },
      kind: 'disable',
      reason: 'superseded'
    })
    const forty = 'g'.repeat(40)
    const refusal = (name: string) =>
      applyPolicy(R, [named(name), named(name)], none, settings({ maxImages: 1 })).refusals[0]
    expect(refusal(forty)).toBe(
      `2 images would be disabled in ${R}, more than max-images (1): ${OLD} (${forty}), ${OLD} (${forty})`
    )
    expect(refusal(`${forty}g`)).toBe(`2 images would be disabled in ${R}, more than max-images (1): ${OLD}, ${OLD}`)
  })
})

test('toDisable lists the images of the disable decisions, in order', () => {
  expect(toDisable(decisions)).toEqual([used, free])
})
