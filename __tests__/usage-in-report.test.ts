/**
 * What `disable` (in process, against the emulator) puts in its region reports from the usage
 * search: launch configurations with their groups, groups' desired capacity, the template versions
 * already on the new image (replacements), and what was checked.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { disable } from '../src/commands/disable.js'
import { at } from '../test-support/at.js'
import { commandWorld, type CommandWorld } from '../test-support/command-context.js'
import { startAwsEmulator } from '../test-support/emulator/ec2.js'
import { family, REGION } from './e2e/world.js'

let world: CommandWorld
beforeEach(async () => {
  world = commandWorld(await startAwsEmulator())
})
afterEach(async () => {
  await world.close()
})

describe('the usage search in the region report', () => {
  test('launch configurations, pinned groups with their capacity, replacements and what was checked', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    const web = aws.addLaunchTemplate(REGION, {
      name: 'web',
      versions: [{ imageId: old[0].imageId }, { imageId: fresh.imageId }],
      defaultVersion: 1
    })
    aws.addLaunchTemplate(REGION, { name: 'elsewhere', versions: [{ imageId: fresh.imageId }] })
    aws.addAutoScalingGroup(REGION, {
      name: 'asg-default',
      launchTemplate: { launchTemplateId: web.launchTemplateId },
      desiredCapacity: 5
    })
    aws.addLaunchConfiguration(REGION, { name: 'legacy-lc', imageId: old[1].imageId })
    aws.addLaunchConfiguration(REGION, { name: 'new-lc', imageId: fresh.imageId })
    aws.addAutoScalingGroup(REGION, { name: 'asg-legacy', launchConfigurationName: 'legacy-lc', desiredCapacity: 2 })

    const report = await disable(world.context({ 'image-id': fresh.imageId, 'family-tag': 'role' }).ctx)

    const region = at(report.regions, 0)
    expect(region.launchConfigurations).toEqual([
      {
        region: REGION,
        launchConfigurationName: 'legacy-lc',
        imageId: old[1].imageId,
        groups: [{ autoScalingGroupName: 'asg-legacy', desiredCapacity: 2 }]
      }
    ])
    expect(region.groups.map((g) => [g.autoScalingGroupName, g.version, g.desiredCapacity])).toEqual([
      ['asg-default', '$Default', 5]
    ])
    // the affected template's latest version already uses the new image; the other template is not affected
    expect(region.replacements.map((t) => [t.launchTemplateName, t.versionNumber, t.isDefault, t.isLatest])).toEqual([
      ['web', 2, false, true]
    ])
    expect(region.checked).toEqual([
      'launch templates (default, latest and versions pinned by groups)',
      'Auto Scaling groups',
      'launch configurations',
      'SSM parameters, Image Builder recipes and instances (DescribeImageReferences)'
    ])
    expect(region.warnings).toEqual([])
    // the new image was asked for in the same image-id query as the old ones
    const direct = aws
      .callsOf('DescribeLaunchTemplateVersions')
      .filter((c) => c.params['Filter.1.Value.1'] !== 'resolve:ssm:*')
    expect(direct).toHaveLength(1)
    expect(
      Object.entries(direct[0]!.params)
        .filter(([k]) => k.startsWith('Filter.1.Value.'))
        .map(([, v]) => v)
        .sort()
    ).toEqual([old[0].imageId, old[1].imageId, fresh.imageId].sort())
  })

  test('a denied read of the groups leaves them and the pinned versions out of what was checked', async () => {
    const { aws } = world
    const { fresh } = family(aws, 1)
    aws.faults.deny.add('autoscaling:DescribeAutoScalingGroups')

    const report = await disable(world.context({ 'image-id': fresh.imageId, 'family-tag': 'role' }).ctx)

    const region = at(report.regions, 0)
    expect(region.checked).toEqual([
      'launch templates (default and latest versions)',
      'launch configurations',
      'SSM parameters, Image Builder recipes and instances (DescribeImageReferences)'
    ])
    expect(region.warnings).toEqual([
      `Auto Scaling groups were not checked in ${REGION}: the role needs autoscaling:DescribeAutoScalingGroups`
    ])
  })
})
