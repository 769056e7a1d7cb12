/** The fix for each affected template version and launch configuration: the words and the commands. Pure. */
import { describe, expect, test } from '@jest/globals'
import type { GroupUse, RegionReport } from '../src/model.js'
import { launchConfigurationFix, ssmParameter, templateFix } from '../src/report/fixes.js'
import { emptyRegion } from '../src/steps/regions.js'
import { templateUseMaker } from '../test-support/report-fixtures.js'

const R = 'eu-west-1'
const OLD = 'ami-0000000000000000a'
const NEW = 'ami-0000000000000000f'
const use = templateUseMaker(R, OLD)

function region(over: Partial<RegionReport> = {}): RegionReport {
  return { ...emptyRegion(R), pointTo: NEW, ...over }
}

function pinned(name: string, over: Partial<GroupUse> = {}): GroupUse {
  return {
    region: R,
    autoScalingGroupName: name,
    launchTemplateId: 'lt-0aaa',
    launchTemplateName: 'web',
    version: '3',
    versionNumber: 3,
    imageId: OLD,
    viaMixedInstancesPolicy: false,
    desiredCapacity: 1,
    ...over
  }
}

const CREATE = `v=$(aws ec2 create-launch-template-version --region ${R} --launch-template-id lt-0aaa --source-version 3 --launch-template-data '{"ImageId":"${NEW}"}' --query LaunchTemplateVersion.VersionNumber --output text)`

describe('templateFix', () => {
  test('the default and latest version: a new version from it, made the default', () => {
    expect(templateFix(use(), region())).toEqual({
      words: `create a version from version 3 with ${NEW}, make it the default`,
      commands: [
        CREATE,
        `aws ec2 modify-launch-template --region ${R} --launch-template-id lt-0aaa --default-version "$v"`
      ]
    })
  })

  test('the latest version only: the new version becomes the latest, the default is left alone', () => {
    const fix = templateFix(use({ isDefault: false }), region())
    expect(fix.commands).toEqual([CREATE])
    expect(fix.words).toBe(`create a version from version 3 with ${NEW}, it becomes the latest`)
  })

  test('another version already on the new image: make it the default, nothing to create', () => {
    const ready = use({ versionNumber: 5, imageId: NEW, isDefault: false })
    expect(templateFix(use({ isLatest: false }), region({ replacements: [ready] }))).toEqual({
      words: `version 5 already uses ${NEW}: make it the default`,
      commands: [`aws ec2 modify-launch-template --region ${R} --launch-template-id lt-0aaa --default-version 5`]
    })
  })

  test('a version of another template on the new image does not count', () => {
    const other = use({ launchTemplateId: 'lt-0bbb', versionNumber: 5, imageId: NEW })
    expect(templateFix(use(), region({ replacements: [other] })).commands[0]).toBe(CREATE)
  })

  test('groups pinned to the version are moved to the new one; a name that cannot be quoted is left to do by hand', () => {
    const fix = templateFix(
      use({ isDefault: false, isLatest: false }),
      region({ groups: [pinned('batch'), pinned("it's"), pinned('other', { versionNumber: 2, version: '2' })] })
    )
    expect(fix.commands).toEqual([
      CREATE,
      `aws autoscaling update-auto-scaling-group --region ${R} --auto-scaling-group-name 'batch' --launch-template "LaunchTemplateId=lt-0aaa,Version=$v"`
    ])
    expect(fix.words).toContain("point the groups pinned to version 3 (batch, it's) at it")
    expect(fix.words).toContain('by hand')
  })

  test('a group on $Default is not "pinned": it follows the default', () => {
    const fix = templateFix(use(), region({ groups: [pinned('web', { version: '$Default' })] }))
    expect(fix.commands).toHaveLength(2)
  })

  test('an SSM parameter: update it, with its version suffix dropped', () => {
    const fix = templateFix(use({ imageReference: 'resolve:ssm:/golden/web:7' }), region())
    expect(fix.commands).toEqual([
      `aws ssm put-parameter --region ${R} --name /golden/web --type String --data-type aws:ec2:image --value ${NEW} --overwrite`
    ])
    expect(fix.words).toContain('update the SSM parameter /golden/web')
  })

  test('a parameter name that cannot go into a command is named, with no command', () => {
    const fix = templateFix(use({ imageReference: 'resolve:ssm:/golden/$(rm -rf)' }), region())
    expect(fix.commands).toEqual([])
    expect(fix.words).toContain('update the SSM parameter /golden/$(rm -rf)')
  })

  test('nothing to point at: words, no command', () => {
    expect(templateFix(use(), region({ pointTo: undefined } as unknown as Partial<RegionReport>))).toEqual({
      words: 'point this version at an enabled image (create a new version and make it the default)',
      commands: []
    })
  })
})

describe('templateFix: what decides the fix', () => {
  const ONE_BY_HAND = 'update the mixed instances policy or name of one group by hand'

  test('one pinned group: "the group", its command, nothing left by hand', () => {
    const fix = templateFix(use({ isDefault: false, isLatest: false }), region({ groups: [pinned('batch')] }))
    expect(fix.words).toBe(
      `create a version from version 3 with ${NEW}, point the group pinned to version 3 (batch) at it`
    )
    expect(fix.commands).toHaveLength(2)
  })

  test('what cannot be written as a command is counted: one group, or several', () => {
    const one = templateFix(
      use(),
      region({ groups: [pinned('batch'), pinned('mixed', { viaMixedInstancesPolicy: true })] })
    )
    expect(one.words).toMatch(new RegExp(`; ${ONE_BY_HAND}$`))
    const two = templateFix(
      use(),
      region({ groups: [pinned("it's"), pinned('mixed', { viaMixedInstancesPolicy: true })] })
    )
    expect(two.words).toMatch(/; update 2 groups by hand$/)
    expect(two.commands).toHaveLength(2)
  })

  test('groups pinned by a number of another template, or on $Latest or $Default, are not moved; a two-digit number is', () => {
    const groups = [
      pinned('other-template', { launchTemplateId: 'lt-0bbb' }),
      pinned('on-latest', { version: '$Latest' }),
      pinned('on-default', { version: '$Default' }),
      pinned('on-12', { version: '12', versionNumber: 12 })
    ]
    expect(templateFix(use(), region({ groups })).words).toBe(
      `create a version from version 3 with ${NEW}, make it the default`
    )
    const twelve = templateFix(use({ versionNumber: 12 }), region({ groups }))
    expect(twelve.words).toContain('point the group pinned to version 12 (on-12) at it')
  })

  test('a version on the new image is ready only if it is of the same template and on that image', () => {
    const otherImage = use({ versionNumber: 5, imageId: 'ami-0000000000000000e', isDefault: false })
    expect(templateFix(use(), region({ replacements: [otherImage] })).commands[0]).toBe(CREATE)
  })

  test('a ready version is not made the default while groups are pinned to the old one: a version is made, they move', () => {
    const ready = use({ versionNumber: 5, imageId: NEW, isDefault: false })
    const fix = templateFix(use(), region({ replacements: [ready], groups: [pinned('batch')] }))
    expect(fix.commands[0]).toBe(CREATE)
    expect(fix.words).toContain('point the group pinned to version 3 (batch) at it')
  })

  test('an image to point at that cannot go into a command: words, no command', () => {
    const fix = templateFix(use(), region({ pointTo: 'ami-0; rm -rf /' }))
    expect(fix.commands).toEqual([])
    expect(fix.words).toBe('point this version at an enabled image (create a new version and make it the default)')
  })

  test('a reference that is not an SSM parameter gets the version fix', () => {
    const fix = templateFix(use({ imageReference: 'alias:golden-web' }), region())
    expect(fix.commands[0]).toBe(CREATE)
  })

  test("another account's template with nothing to run: its words, no commands", () => {
    const fix = templateFix(
      use({ accountId: '444455556666' }),
      region({ pointTo: undefined } as unknown as Partial<RegionReport>)
    )
    expect(fix).toEqual({
      words:
        'in account 444455556666: point this version at an enabled image (create a new version and make it the default)',
      commands: []
    })
  })
})

describe('ssmParameter', () => {
  test.each([
    ['resolve:ssm:/golden/web', '/golden/web'],
    ['resolve:ssm:/golden/web:3', '/golden/web'],
    ['resolve:ssm:/golden/web:12', '/golden/web'],
    ['resolve:ssm:/golden/web:prod', '/golden/web'],
    ['resolve:ssm:golden-web', 'golden-web'],
    ['ami-0123', undefined],
    ['resolve:ssm:/a b', undefined],
    [undefined, undefined]
  ])('%s -> %s', (reference, name) => {
    expect(ssmParameter(reference)).toBe(name)
  })
})

describe('launchConfigurationFix', () => {
  test('several groups are named; none, no "point"; with nothing to point at, "an enabled image"', () => {
    const config = (names: string[]) => ({
      region: R,
      launchConfigurationName: 'lc',
      imageId: OLD,
      groups: names.map((autoScalingGroupName) => ({ autoScalingGroupName, desiredCapacity: 1 }))
    })
    const start =
      'a launch configuration cannot be changed: create a launch template (or a new launch configuration) with'
    expect(launchConfigurationFix(config(['a', 'b']), region()).words).toBe(`${start} ${NEW} and point a, b at it`)
    expect(launchConfigurationFix(config([]), region()).words).toBe(`${start} ${NEW}`)
    expect(
      launchConfigurationFix(config([]), region({ pointTo: undefined } as unknown as Partial<RegionReport>)).words
    ).toBe(`${start} an enabled image`)
  })

  test('a launch configuration cannot be changed: a new one or a template, and the groups to move', () => {
    const fix = launchConfigurationFix(
      {
        region: R,
        launchConfigurationName: 'lc',
        imageId: OLD,
        groups: [{ autoScalingGroupName: 'a', desiredCapacity: 2 }]
      },
      region()
    )
    expect(fix).toEqual({
      words: `a launch configuration cannot be changed: create a launch template (or a new launch configuration) with ${NEW} and point a at it`,
      commands: []
    })
  })
})
