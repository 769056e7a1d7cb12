import { describe, expect, test } from '@jest/globals'
import { templateUseMaker } from '../test-support/report-fixtures.js'
import {
  describeTemplateVersion,
  groupUses,
  launchConfigurationUses,
  pinnedLookups,
  templateUses,
  type GroupTemplateRef,
  type TemplateNumbers,
  type TemplateVersion,
  withReferences
} from '../src/rules/usage.js'

const R = 'eu-west-1'
const OLD = 'ami-00000000000000001'
const OLDER = 'ami-00000000000000002'
const NEW = 'ami-0000000000000000f'

function v(id: string, name: string, versionNumber: number, isDefault: boolean, imageId?: string): TemplateVersion {
  return {
    launchTemplateId: id,
    launchTemplateName: name,
    versionNumber,
    isDefault,
    ...(imageId !== undefined ? { imageId } : {})
  }
}

const use = templateUseMaker(R, OLD)

describe('withReferences', () => {
  test('each resolved version gets the parameter its answer as written names, joined by template and version', () => {
    const resolved = [
      v('lt-0aaa', 'alpha', 3, true, OLD),
      v('lt-0aaa', 'alpha', 4, false, OLDER),
      v('lt-0bbb', 'beta', 3, true, OLD)
    ]
    const written = [
      v('lt-0bbb', 'beta', 3, true, 'resolve:ssm:/golden/beta'),
      v('lt-0aaa', 'alpha', 3, true, 'resolve:ssm:/golden/alpha:2'),
      // not a parameter as written (EC2 answered it resolved): no reference
      v('lt-0aaa', 'alpha', 4, false, OLDER)
    ]
    expect(withReferences(resolved, written)).toEqual([
      { ...resolved[0], imageReference: 'resolve:ssm:/golden/alpha:2' },
      resolved[1],
      { ...resolved[2], imageReference: 'resolve:ssm:/golden/beta' }
    ])
    // the answer as written missing (it failed): the versions as they were
    expect(withReferences(resolved, [])).toEqual(resolved)
  })
})

describe('templateUses', () => {
  test("an SSM parameter's reference is kept, from whichever answer of the same version gave it", () => {
    const viaSsm = { ...v('lt-0aaa', 'alpha', 3, true, OLD), imageReference: 'resolve:ssm:/golden/web' }
    const plain = v('lt-0aaa', 'alpha', 3, true, OLD)
    for (const versions of [
      [viaSsm, plain],
      [plain, viaSsm]
    ]) {
      expect(templateUses(R, versions, [OLD]).map((t) => t.imageReference)).toEqual(['resolve:ssm:/golden/web'])
    }
    expect(templateUses(R, [plain], [OLD])[0]).not.toHaveProperty('imageReference')
  })

  test('only versions whose image is wanted, sorted by name then version', () => {
    const versions = [
      v('lt-0bbb', 'zeta', 2, true, OLD),
      v('lt-0aaa', 'alpha', 5, false, OLDER),
      v('lt-0aaa', 'alpha', 4, true, NEW),
      v('lt-0ccc', 'beta', 1, true, undefined),
      v('lt-0ddd', 'gamma', 7, true, 'resolve:ssm:/golden/web')
    ]
    expect(templateUses(R, versions, [OLD, OLDER])).toEqual([
      {
        region: R,
        launchTemplateId: 'lt-0aaa',
        launchTemplateName: 'alpha',
        versionNumber: 5,
        imageId: OLDER,
        isDefault: false,
        isLatest: true
      },
      {
        region: R,
        launchTemplateId: 'lt-0bbb',
        launchTemplateName: 'zeta',
        versionNumber: 2,
        imageId: OLD,
        isDefault: true,
        isLatest: false
      }
    ])
  })

  test('a version that is both default and latest appears once, with both flags', () => {
    const versions = [v('lt-0aaa', 'web', 3, true, OLD), v('lt-0aaa', 'web', 3, false, OLD)]
    expect(templateUses(R, versions, new Set([OLD]))).toEqual([
      use({ launchTemplateName: 'web', versionNumber: 3, isDefault: true, isLatest: true })
    ])
  })

  test('with the templates numbers known, the flags come from them', () => {
    const versions = [v('lt-0aaa', 'web', 3, true, OLD), v('lt-0bbb', 'api', 9, false, OLD)]
    const known: TemplateNumbers[] = [
      { launchTemplateId: 'lt-0aaa', defaultVersionNumber: 3, latestVersionNumber: 3 },
      { launchTemplateId: 'lt-0bbb', defaultVersionNumber: 2, latestVersionNumber: 9 }
    ]
    expect(templateUses(R, versions, [OLD], known)).toEqual([
      use({
        launchTemplateId: 'lt-0bbb',
        launchTemplateName: 'api',
        versionNumber: 9,
        isDefault: false,
        isLatest: true
      }),
      use({ launchTemplateId: 'lt-0aaa', launchTemplateName: 'web', versionNumber: 3, isDefault: true, isLatest: true })
    ])
  })

  test('a pinned version answered by its template: its own flags, both false when it is neither default nor latest', () => {
    const versions: TemplateVersion[] = [
      { ...v('lt-0aaa', 'web', 1, false, OLD), isLatest: false },
      { ...v('lt-0aaa', 'web', 4, true, NEW), isLatest: true },
      { ...v('lt-0bbb', 'api', 2, false, OLD), isLatest: true }
    ]
    expect(
      templateUses(R, versions, [OLD]).map((u) => [u.launchTemplateName, u.versionNumber, u.isDefault, u.isLatest])
    ).toEqual([
      ['api', 2, false, true],
      ['web', 1, false, false]
    ])
    // the template's numbers, when known, still decide
    const known: TemplateNumbers[] = [{ launchTemplateId: 'lt-0aaa', defaultVersionNumber: 1, latestVersionNumber: 4 }]
    expect(templateUses(R, versions.slice(0, 1), [OLD], known).map((u) => [u.isDefault, u.isLatest])).toEqual([
      [true, false]
    ])
  })

  test('nothing wanted, nothing found', () => {
    expect(templateUses(R, [v('lt-0aaa', 'web', 1, true, OLD)], [])).toEqual([])
    expect(templateUses(R, [], [OLD])).toEqual([])
  })
})

describe('groupUses', () => {
  // web: default 3 uses OLD; latest 5 uses OLDER.
  const uses = [
    use({ versionNumber: 3, imageId: OLD, isDefault: true, isLatest: false }),
    use({ versionNumber: 5, imageId: OLDER, isDefault: false, isLatest: true })
  ]
  const known: TemplateNumbers[] = [{ launchTemplateId: 'lt-0aaa', defaultVersionNumber: 3, latestVersionNumber: 5 }]

  function group(name: string, ref: Partial<GroupTemplateRef>): GroupTemplateRef {
    return { autoScalingGroupName: name, viaMixedInstancesPolicy: false, desiredCapacity: 2, ...ref }
  }

  function expected(
    name: string,
    version: string,
    versionNumber: number,
    imageId: string,
    viaMixedInstancesPolicy = false
  ) {
    return {
      region: R,
      autoScalingGroupName: name,
      launchTemplateId: 'lt-0aaa',
      launchTemplateName: 'web',
      version,
      versionNumber,
      imageId,
      viaMixedInstancesPolicy,
      desiredCapacity: 2
    }
  }

  test('$Default, $Latest, no version (= $Default), a number; by id', () => {
    const groups = [
      group('asg-default', { launchTemplateId: 'lt-0aaa', version: '$Default' }),
      group('asg-latest', { launchTemplateId: 'lt-0aaa', version: '$Latest' }),
      group('asg-none', { launchTemplateId: 'lt-0aaa' }),
      group('asg-5', { launchTemplateId: 'lt-0aaa', version: '5' }),
      group('asg-4', { launchTemplateId: 'lt-0aaa', version: '4' })
    ]
    expect(groupUses(R, groups, uses, known)).toEqual([
      expected('asg-default', '$Default', 3, OLD),
      expected('asg-latest', '$Latest', 5, OLDER),
      expected('asg-none', '$Default', 3, OLD),
      expected('asg-5', '5', 5, OLDER)
    ])
  })

  test('by name', () => {
    const groups = [
      group('by-name', { launchTemplateName: 'web', version: '$Latest' }),
      group('other-name', { launchTemplateName: 'api', version: '$Latest' })
    ]
    expect(groupUses(R, groups, uses, known)).toEqual([expected('by-name', '$Latest', 5, OLDER)])
  })

  test('the id wins over the name when the group has both', () => {
    const groups = [group('g', { launchTemplateId: 'lt-0zzz', launchTemplateName: 'web', version: '$Default' })]
    expect(groupUses(R, groups, uses, known)).toEqual([])
  })

  test('mixed instances policy', () => {
    const groups = [group('mixed', { launchTemplateId: 'lt-0aaa', version: '$Default', viaMixedInstancesPolicy: true })]
    expect(groupUses(R, groups, uses, known)).toEqual([expected('mixed', '$Default', 3, OLD, true)])
  })

  test('without known numbers, the flags of the uses decide', () => {
    const groups = [
      group('d', { launchTemplateId: 'lt-0aaa' }),
      group('l', { launchTemplateId: 'lt-0aaa', version: '$Latest' })
    ]
    expect(groupUses(R, groups, uses, [])).toEqual([
      expected('d', '$Default', 3, OLD),
      expected('l', '$Latest', 5, OLDER)
    ])
  })

  test('a group on a template version that no longer uses an affected image is not listed', () => {
    const known2: TemplateNumbers[] = [{ launchTemplateId: 'lt-0aaa', defaultVersionNumber: 6, latestVersionNumber: 6 }]
    expect(
      groupUses(
        R,
        [group('g', { launchTemplateId: 'lt-0aaa' }), group('h', { launchTemplateId: 'lt-0aaa', version: '$Latest' })],
        uses,
        known2
      )
    ).toEqual([])
  })

  test('a group pinned to an old version that is neither default nor latest, with its desired capacity', () => {
    const pinned = use({ versionNumber: 1, imageId: OLD, isDefault: false, isLatest: false })
    const groups = [
      group('asg-1', { launchTemplateId: 'lt-0aaa', version: '1', desiredCapacity: 7 }),
      group('asg-default', { launchTemplateId: 'lt-0aaa', version: '$Default' })
    ]
    expect(groupUses(R, groups, [pinned], known)).toEqual([{ ...expected('asg-1', '1', 1, OLD), desiredCapacity: 7 }])
  })

  test('a group with no template reference is not listed', () => {
    expect(groupUses(R, [group('launch-config', {})], uses, known)).toEqual([])
  })
})

describe('pinnedLookups', () => {
  const ref = (name: string, r: Partial<GroupTemplateRef>): GroupTemplateRef => ({
    autoScalingGroupName: name,
    viaMixedInstancesPolicy: false,
    ...r
  })

  test('one lookup per template, with every number its groups pin, by id when named by id, else by name', () => {
    const groups = [
      ref('b', { launchTemplateId: 'lt-0aaa', version: '3' }),
      ref('a', { launchTemplateId: 'lt-0aaa', launchTemplateName: 'web', version: '1' }),
      ref('a', { launchTemplateId: 'lt-0aaa', version: '3', viaMixedInstancesPolicy: true }),
      ref('c', { launchTemplateName: 'api', version: '12' }),
      ref('d', { launchTemplateName: 'api', version: '2' })
    ]
    expect(pinnedLookups(groups)).toEqual([
      { launchTemplateId: 'lt-0aaa', versions: [1, 3], autoScalingGroupNames: ['a', 'b'] },
      { launchTemplateName: 'api', versions: [2, 12], autoScalingGroupNames: ['c', 'd'] }
    ])
  })

  test('templates are told apart: two by id, two by name, and an id that is also a name', () => {
    const groups = [
      ref('a', { launchTemplateId: 'lt-0aaa', version: '1' }),
      ref('b', { launchTemplateId: 'lt-0bbb', version: '2' }),
      ref('c', { launchTemplateName: 'web', version: '3' }),
      ref('d', { launchTemplateName: 'api', version: '4' }),
      ref('e', { launchTemplateName: 'lt-0aaa', version: '5' })
    ]
    expect(pinnedLookups(groups)).toEqual([
      { launchTemplateId: 'lt-0aaa', versions: [1], autoScalingGroupNames: ['a'] },
      { launchTemplateId: 'lt-0bbb', versions: [2], autoScalingGroupNames: ['b'] },
      { launchTemplateName: 'web', versions: [3], autoScalingGroupNames: ['c'] },
      { launchTemplateName: 'api', versions: [4], autoScalingGroupNames: ['d'] },
      { launchTemplateName: 'lt-0aaa', versions: [5], autoScalingGroupNames: ['e'] }
    ])
  })

  test('$Default, $Latest, no version and no template need no lookup', () => {
    const groups = [
      ref('d', { launchTemplateId: 'lt-0aaa', version: '$Default' }),
      ref('l', { launchTemplateId: 'lt-0aaa', version: '$Latest' }),
      ref('n', { launchTemplateId: 'lt-0aaa' }),
      ref('x', { version: '3' }),
      ref('z', { launchTemplateId: 'lt-0aaa', version: '0' })
    ]
    expect(pinnedLookups(groups)).toEqual([])
  })
})

describe('launchConfigurationUses', () => {
  test('the configurations of the wanted images, by name, with the groups that launch from them', () => {
    const configurations = [
      { launchConfigurationName: 'web-2019', imageId: OLD },
      { launchConfigurationName: 'api-2018', imageId: OLDER },
      { launchConfigurationName: 'new', imageId: NEW }
    ]
    const groups = [
      { autoScalingGroupName: 'web-b', launchConfigurationName: 'web-2019', desiredCapacity: 3 },
      { autoScalingGroupName: 'web-a', launchConfigurationName: 'web-2019', desiredCapacity: 0 },
      { autoScalingGroupName: 'other', launchConfigurationName: 'new', desiredCapacity: 9 }
    ]
    expect(launchConfigurationUses(R, configurations, groups, [OLD, OLDER])).toEqual([
      { region: R, launchConfigurationName: 'api-2018', imageId: OLDER, groups: [] },
      {
        region: R,
        launchConfigurationName: 'web-2019',
        imageId: OLD,
        groups: [
          { autoScalingGroupName: 'web-a', desiredCapacity: 0 },
          { autoScalingGroupName: 'web-b', desiredCapacity: 3 }
        ]
      }
    ])
    expect(launchConfigurationUses(R, configurations, groups, [])).toEqual([])
  })
})

describe('describeTemplateVersion', () => {
  test('names the template, its id, the version and which of the versions it is', () => {
    expect(describeTemplateVersion(use({}))).toBe('web (lt-0aaa) version 3 (default and latest)')
    expect(describeTemplateVersion(use({ isDefault: false }))).toBe('web (lt-0aaa) version 3 (latest)')
    expect(describeTemplateVersion(use({ isLatest: false }))).toBe('web (lt-0aaa) version 3 (default)')
    expect(describeTemplateVersion(use({ isDefault: false, isLatest: false }))).toBe('web (lt-0aaa) version 3')
  })
})
