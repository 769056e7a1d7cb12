/** What will break: launch templates and Auto Scaling groups that point at the images disabled. */
import { at } from '../test-support/at.js'
import type { AffectedTemplate } from '../test-support/output-shapes.js'
import { changesMade, day, family, image, json, REGION, startWorld, stateOf, type World } from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

function affected(outputs: Record<string, string>): Array<[string, number, boolean, boolean, string]> {
  return json<AffectedTemplate[]>(outputs['affected-launch-templates'])
    .map((t): [string, number, boolean, boolean, string] => [
      t.launchTemplateName,
      t.versionNumber,
      t.isDefault,
      t.isLatest,
      t.imageId
    ])
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1])
}

/** old[0..3] superseded by fresh; templates pointing at them in every way that matters. */
function account(world: World) {
  const { aws } = world
  const { old, fresh } = family(aws, 4)
  aws.setSsmParameter(REGION, '/golden/web', old[3].imageId)
  const byDefault = aws.addLaunchTemplate(REGION, {
    name: 'by-default',
    versions: [{ imageId: old[0].imageId }, { imageId: fresh.imageId }],
    defaultVersion: 1
  })
  const byLatest = aws.addLaunchTemplate(REGION, {
    name: 'by-latest',
    versions: [{ imageId: fresh.imageId }, { imageId: old[1].imageId }],
    defaultVersion: 1
  })
  const both = aws.addLaunchTemplate(REGION, {
    name: 'default-and-latest',
    versions: [{ imageId: fresh.imageId }, { imageId: old[2].imageId }],
    defaultVersion: 2
  })
  const oldVersionOnly = aws.addLaunchTemplate(REGION, {
    name: 'old-version-only',
    versions: [{ imageId: old[0].imageId }, { imageId: fresh.imageId }, { imageId: fresh.imageId }],
    defaultVersion: 3
  })
  const viaSsm = aws.addLaunchTemplate(REGION, {
    name: 'via-ssm',
    versions: [{ imageId: 'resolve:ssm:/golden/web' }],
    defaultVersion: 1
  })
  const unrelated = aws.addLaunchTemplate(REGION, { name: 'unrelated', versions: [{ imageId: fresh.imageId }] })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-default',
    launchTemplate: { launchTemplateId: byDefault.launchTemplateId, version: '$Default' }
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-latest-of-by-default',
    launchTemplate: { launchTemplateId: byDefault.launchTemplateId, version: '$Latest' }
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-latest',
    launchTemplate: { launchTemplateName: 'by-latest', version: '$Latest' }
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-pinned-2',
    launchTemplate: { launchTemplateName: 'default-and-latest', version: '2' }
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-pinned-1-old',
    launchTemplate: { launchTemplateName: 'old-version-only', version: '1' },
    desiredCapacity: 3
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-mixed',
    mixedInstancesPolicy: {
      launchTemplate: { launchTemplateSpecification: { launchTemplateId: viaSsm.launchTemplateId } }
    }
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-unrelated',
    launchTemplate: { launchTemplateId: unrelated.launchTemplateId }
  })
  return { old, fresh, byDefault, byLatest, both, oldVersionOnly, viaSsm }
}

describe('affected launch templates and Auto Scaling groups', () => {
  for (const matchesResolved of [false, true]) {
    test(`default, latest, both, an SSM parameter and a version pinned by a group are found (image-id filter ${matchesResolved ? 'sees' : 'does not see'} resolved ids)`, async () => {
      world.aws.faults.imageIdFilterMatchesResolved = matchesResolved
      const { old, fresh } = account(world)

      const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

      expect(result.exitCode).toBe(0)
      expect(affected(result.outputs)).toEqual([
        ['by-default', 1, true, false, old[0].imageId],
        ['by-latest', 2, false, true, old[1].imageId],
        ['default-and-latest', 2, true, true, old[2].imageId],
        // neither default nor latest: found through the group that pins it
        ['old-version-only', 1, false, false, old[0].imageId],
        ['via-ssm', 1, true, true, old[3].imageId]
      ])
      // found by both queries when the image-id filter sees resolved ids: the parameter is kept either way
      const named = json<{
        regions: Array<{ launchTemplates: Array<{ launchTemplateName: string; imageReference?: string }> }>
      }>(result.outputs.report)
      expect(
        at(named.regions, 0)
          .launchTemplates.filter((t) => t.imageReference !== undefined)
          .map((t) => [t.launchTemplateName, t.imageReference])
      ).toEqual([['via-ssm', 'resolve:ssm:/golden/web']])
      const report = json<{
        regions: Array<{
          autoScalingGroups: Array<{
            autoScalingGroupName: string
            version: string
            versionNumber: number
            viaMixedInstancesPolicy: boolean
            desiredCapacity: number
          }>
        }>
      }>(result.outputs.report)
      expect(
        at(report.regions, 0)
          .autoScalingGroups.map((g) => [
            g.autoScalingGroupName,
            g.version,
            g.versionNumber,
            g.viaMixedInstancesPolicy,
            g.desiredCapacity
          ])
          .sort()
      ).toEqual([
        ['asg-default', '$Default', 1, false, 0],
        ['asg-latest', '$Latest', 2, false, 0],
        ['asg-mixed', '$Default', 1, true, 0],
        ['asg-pinned-1-old', '1', 1, false, 3],
        ['asg-pinned-2', '2', 2, false, 0]
      ])
      // The comment and the summary name them.
      expect(result.summary).toContain('by-default')
      expect(result.summary).toContain('asg-mixed')
      expect(result.summary).toContain('old-version-only')
    })
  }

  test('a template that resolves an SSM parameter: the fix is to update the parameter, not to make a version', async () => {
    const { old, fresh } = account(world)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    const report = json<{
      regions: Array<{ launchTemplates: Array<{ launchTemplateName: string; imageReference?: string }> }>
    }>(result.outputs.report)
    const viaSsm = at(report.regions, 0).launchTemplates.filter((t) => t.launchTemplateName === 'via-ssm')
    expect(viaSsm.map((t) => t.imageReference)).toEqual(['resolve:ssm:/golden/web'])
    // the version's image, where it comes from, and the command that updates the parameter
    expect(result.summary).toContain(`\`${old[3].imageId}\` from \`resolve:ssm:/golden/web\``)
    expect(result.summary).toContain(`update the SSM parameter /golden/web to ${fresh.imageId}`)
    expect(result.summary).toContain(
      `aws ssm put-parameter --region ${REGION} --name /golden/web --type String --data-type aws:ec2:image --value ${fresh.imageId} --overwrite`
    )
  })

  test('in-use: skip leaves referenced images enabled and says why; the others are disabled', async () => {
    const { old, fresh } = account(world)
    const free = image(world.aws, 'golden-web-0', day(1, -60))

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'in-use': 'skip' })

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['available', 'available', 'available', 'available'])
    expect(stateOf(world.aws, free.imageId)).toBe('disabled')
    expect(result.summary).toMatch(/in use by launch template by-default/)
    expect(json(result.outputs['disabled-image-ids'])).toEqual([free.imageId])
    // Nothing that points at them will break: the images stay enabled.
    expect(affected(result.outputs)).toEqual([])
  })

  test('in-use: fail changes nothing, fails, and lists what uses what', async () => {
    const { old, fresh } = account(world)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'in-use': 'fail' })

    expect(result.exitCode).toBe(1)
    expect(changesMade(world.aws)).toEqual([])
    expect(result.stdout).toContain(`${old[0].imageId} is used by by-default`)
    expect(result.stdout).toContain('in-use: fail')
  })

  test('in-use: report (default) disables them and lists the templates', async () => {
    const { old, fresh } = account(world)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['disabled', 'disabled', 'disabled', 'disabled'])
  })

  test('without permission for Auto Scaling: a warning names the action, the rest goes on', async () => {
    const { old, fresh } = account(world)
    world.aws.faults.deny.add('autoscaling:DescribeAutoScalingGroups')

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/::warning::.*autoscaling:DescribeAutoScalingGroups/)
    expect(stateOf(world.aws, old[0].imageId)).toBe('disabled')
    expect(affected(result.outputs)).toHaveLength(4)
  })

  test('the usage search costs the same EC2 calls for 50 and for 5,000 templates; a lookup by template for each template that groups pin, not for each template', async () => {
    const counts: Array<{ byImage: number; byTemplate: number; affected: number }> = []
    for (const [templates, pinnedTemplates] of [
      [50, 0],
      [5000, 0],
      [5000, 3]
    ] as const) {
      const w = await startWorld()
      try {
        const { old, fresh } = family(w.aws, 3)
        const unrelated = image(w.aws, 'golden-api-1', day(1), {}, REGION, 'api')
        for (let i = 0; i < templates; i++) {
          const imageId = i < 5 ? at(old, i % 3).imageId : unrelated.imageId
          w.aws.addLaunchTemplate(REGION, {
            name: `lt-${i}`,
            versions: [{ imageId }, { imageId }, { imageId }],
            defaultVersion: 1
          })
        }
        // groups on $Default / $Latest need no lookup by template, whatever their number
        for (let i = 0; i < 20; i++)
          w.aws.addAutoScalingGroup(REGION, {
            name: `asg-latest-${i}`,
            launchTemplate: { launchTemplateName: `lt-${i}`, version: i % 2 ? '$Latest' : '$Default' }
          })
        // each pinned template: two groups pin two of its versions, one of them an old image's
        for (let p = 0; p < pinnedTemplates; p++) {
          const t = w.aws.addLaunchTemplate(REGION, {
            name: `pinned-${p}`,
            versions: [{ imageId: fresh.imageId }, { imageId: at(old, p).imageId }, { imageId: fresh.imageId }],
            defaultVersion: 3
          })
          w.aws.addAutoScalingGroup(REGION, {
            name: `asg-pinned-${p}-2`,
            launchTemplate: { launchTemplateId: t.launchTemplateId, version: '2' }
          })
          w.aws.addAutoScalingGroup(REGION, {
            name: `asg-pinned-${p}-1`,
            mixedInstancesPolicy: {
              launchTemplate: { launchTemplateSpecification: { launchTemplateName: `pinned-${p}`, version: '1' } }
            }
          })
        }
        const result = await w.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
        expect(result.exitCode).toBe(0)
        const versions = w.aws.callsOf('DescribeLaunchTemplateVersions')
        const byTemplate = versions.filter(
          (c) => c.params['LaunchTemplateId'] !== undefined || c.params['LaunchTemplateName'] !== undefined
        )
        counts.push({
          byImage: versions.length - byTemplate.length + w.aws.count('DescribeLaunchTemplates'),
          byTemplate: byTemplate.length,
          affected: json<unknown[]>(result.outputs['affected-launch-templates']).length
        })
      } finally {
        await w.close()
      }
    }
    expect(counts[0]).toEqual({ byImage: counts[0]!.byImage, byTemplate: 0, affected: 10 })
    expect(counts[1]).toEqual(counts[0])
    // the image-id query, the SSM-alias query twice (resolved and as written), the templates' numbers
    expect(counts[0]!.byImage).toBeLessThanOrEqual(4)
    // three pinned templates: three lookups by template, and the three pinned old versions found
    expect(counts[2]).toEqual({ byImage: counts[0]!.byImage, byTemplate: 3, affected: 13 })
  })

  test('the reads that need no image ids run beside the family query; the groups are asked for without their instances', async () => {
    const { old, fresh } = account(world)
    world.aws.addAutoScalingGroup(REGION, {
      name: 'asg-running',
      launchTemplate: { launchTemplateName: 'by-default' },
      instances: [
        {
          instanceId: 'i-0123456789abcdef0',
          availabilityZone: `${REGION}a`,
          lifecycleState: 'InService',
          healthStatus: 'Healthy',
          protectedFromScaleIn: false
        }
      ]
    })
    world.aws.faults.latencyMs = 100

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(stateOf(world.aws, old[0].imageId)).toBe('disabled')
    const calls = world.aws.calls
    const familyQuery = calls.find((c) => c.action === 'DescribeImages' && c.params['Filter.1.Name'] === 'tag:role')!
    const ssmQuery = calls.find(
      (c) => c.action === 'DescribeLaunchTemplateVersions' && c.params['Filter.1.Value.1'] === 'resolve:ssm:*'
    )!
    const groups = world.aws.callsOf('autoscaling:DescribeAutoScalingGroups')
    // asked before the family query answered (100 ms), not after it
    expect(ssmQuery.time).toBeLessThan(familyQuery.time + familyQuery.durationMs)
    expect(groups[0]!.time).toBeLessThan(familyQuery.time + familyQuery.durationMs)
    expect(groups.map((g) => g.params['IncludeInstances'])).toEqual(['false'])
    const report = json<{ regions: Array<{ autoScalingGroups: Array<{ autoScalingGroupName: string }> }> }>(
      result.outputs.report
    )
    expect(at(report.regions, 0).autoScalingGroups.map((g) => g.autoScalingGroupName)).toContain('asg-running')
  })

  test('nothing to disable: the early reads are not waited for, and their failure does not fail the run', async () => {
    const fresh = image(world.aws, 'golden-web-1', day(1))
    world.aws.faults.deny.add('ec2:DescribeLaunchTemplateVersions')
    world.aws.faults.deny.add('autoscaling:DescribeAutoScalingGroups')

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(result.stderr).not.toMatch(/Unhandled|unhandled/)
    expect(json(result.outputs['disabled-image-ids'])).toEqual([])
    expect(changesMade(world.aws)).toEqual([])
    // the early reads were made, and denied: their failures were the ones left unawaited
    expect(
      world.aws.callsOf('DescribeLaunchTemplateVersions').map((c) => [c.params['Filter.1.Value.1'], c.errorCode])
    ).toEqual([
      ['resolve:ssm:*', 'UnauthorizedOperation'],
      ['resolve:ssm:*', 'UnauthorizedOperation']
    ])
    expect(world.aws.callsOf('autoscaling:DescribeAutoScalingGroups').map((c) => c.errorCode)).toEqual(['AccessDenied'])
  })
})

/** old[0] only a group's pinned old version uses; old[1] only a launch configuration; old[2] nothing. */
function pinnedAndLegacy(world: World) {
  const { aws } = world
  const { old, fresh } = family(aws, 3)
  aws.addLaunchTemplate(REGION, {
    name: 'web',
    versions: [{ imageId: old[0].imageId }, { imageId: fresh.imageId }],
    defaultVersion: 2
  })
  aws.addAutoScalingGroup(REGION, {
    name: 'asg-pinned-old',
    launchTemplate: { launchTemplateName: 'web', version: '1' },
    desiredCapacity: 4
  })
  aws.addLaunchConfiguration(REGION, { name: 'web-2019', imageId: old[1].imageId })
  aws.addAutoScalingGroup(REGION, { name: 'asg-legacy', launchConfigurationName: 'web-2019', desiredCapacity: 2 })
  return { old, fresh }
}

interface ReportDecisions {
  regions: Array<{ decisions: Array<{ imageId: string; decision: string; reason: string }>; warnings: string[] }>
}

describe('pinned versions and launch configurations', () => {
  test('in-use: report: the pinned old version is an affected template (neither default nor latest), its group in the report', async () => {
    const { old, fresh } = pinnedAndLegacy(world)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(affected(result.outputs)).toEqual([['web', 1, false, false, old[0].imageId]])
    const report = json<{
      regions: Array<{
        autoScalingGroups: Array<{ autoScalingGroupName: string; version: string; desiredCapacity: number }>
      }>
    }>(result.outputs.report)
    expect(at(report.regions, 0).autoScalingGroups).toEqual([
      expect.objectContaining({
        autoScalingGroupName: 'asg-pinned-old',
        version: '1',
        versionNumber: 1,
        desiredCapacity: 4
      })
    ])
    expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['disabled', 'disabled', 'disabled'])
    // one lookup by template: the template the group pins (Auto Scaling's answer names its id too)
    const web = world.aws.launchTemplates(REGION).find((t) => t.launchTemplateName === 'web')!
    expect(
      world.aws
        .callsOf('DescribeLaunchTemplateVersions')
        .filter((c) => c.params['LaunchTemplateName'] !== undefined || c.params['LaunchTemplateId'] !== undefined)
        .map((c) => [
          c.params['LaunchTemplateId'],
          c.params['LaunchTemplateVersion.1'],
          c.params['LaunchTemplateVersion.2'],
          c.params['ResolveAlias']
        ])
    ).toEqual([[web.launchTemplateId, '1', '$Latest', 'true']])
    expect(world.aws.count('autoscaling:DescribeLaunchConfigurations')).toBe(1)
  })

  test('in-use: skip keeps the image of a pinned version and the image of a launch configuration, naming them', async () => {
    const { old, fresh } = pinnedAndLegacy(world)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'in-use': 'skip' })

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(world.aws, o.imageId))).toEqual(['available', 'available', 'disabled'])
    expect(json(result.outputs['disabled-image-ids'])).toEqual([old[2].imageId])
    const decisions = at(json<ReportDecisions>(result.outputs.report).regions, 0).decisions
    const reasonOf = (imageId: string): string | undefined => decisions.find((d) => d.imageId === imageId)?.reason
    expect(reasonOf(old[0].imageId)).toMatch(
      /^in use by launch template web \(lt-[0-9a-f]+\) version 1 \(in-use: skip\)$/
    )
    expect(reasonOf(old[1].imageId)).toBe('in use by launch configuration web-2019 (in-use: skip)')
    expect(affected(result.outputs)).toEqual([])
  })

  test('in-use: fail refuses, naming the launch configuration and the pinned version; nothing changes', async () => {
    const { old, fresh } = pinnedAndLegacy(world)

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'in-use': 'fail' })

    expect(result.exitCode).toBe(1)
    expect(changesMade(world.aws)).toEqual([])
    expect(result.stdout).toContain(`${old[1].imageId} is used by launch configuration web-2019`)
    expect(result.stdout).toMatch(new RegExp(`${old[0].imageId} is used by web \\(lt-[0-9a-f]+\\) version 1`))
  })

  test('denied launch configurations: a warning naming autoscaling:DescribeLaunchConfigurations, the run goes on', async () => {
    const { old, fresh } = pinnedAndLegacy(world)
    world.aws.faults.deny.add('autoscaling:DescribeLaunchConfigurations')

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /::warning::.*launch configurations were not checked in us-east-1: the role needs autoscaling:DescribeLaunchConfigurations/
    )
    const warnings = at(json<ReportDecisions>(result.outputs.report).regions, 0).warnings
    expect(warnings).toContain(
      'launch configurations were not checked in us-east-1: the role needs autoscaling:DescribeLaunchConfigurations'
    )
    expect(stateOf(world.aws, old[1].imageId)).toBe('disabled')
  })
})
