/** What will break: launch templates and Auto Scaling groups that point at the images disabled. */
import { at } from '../test-support/at.js'
import { changesMade, day, family, image, json, REGION, startWorld, stateOf, type World } from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

interface Affected {
  region: string
  launchTemplateId: string
  launchTemplateName: string
  versionNumber: number
  imageId: string
  isDefault: boolean
  isLatest: boolean
}

function affected(outputs: Record<string, string>): Array<[string, number, boolean, boolean, string]> {
  return json<Affected[]>(outputs['affected-launch-templates'])
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
    launchTemplate: { launchTemplateName: 'old-version-only', version: '1' }
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
    test(`default, latest, both and an SSM parameter are found; an old non-default version is not (image-id filter ${matchesResolved ? 'sees' : 'does not see'} resolved ids)`, async () => {
      world.aws.faults.imageIdFilterMatchesResolved = matchesResolved
      const { old, fresh } = account(world)

      const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

      expect(result.exitCode).toBe(0)
      expect(affected(result.outputs)).toEqual([
        ['by-default', 1, true, false, old[0].imageId],
        ['by-latest', 2, false, true, old[1].imageId],
        ['default-and-latest', 2, true, true, old[2].imageId],
        ['via-ssm', 1, true, true, old[3].imageId]
      ])
      const report = json<{
        regions: Array<{
          autoScalingGroups: Array<{
            autoScalingGroupName: string
            versionNumber: number
            viaMixedInstancesPolicy: boolean
          }>
        }>
      }>(result.outputs.report)
      expect(
        at(report.regions, 0)
          .autoScalingGroups.map((g) => [g.autoScalingGroupName, g.versionNumber, g.viaMixedInstancesPolicy])
          .sort()
      ).toEqual([
        ['asg-default', 1, false],
        ['asg-latest', 2, false],
        ['asg-mixed', 1, true],
        ['asg-pinned-2', 2, false]
      ])
      // The comment and the summary name them.
      expect(result.summary).toContain('by-default')
      expect(result.summary).toContain('asg-mixed')
      expect(result.summary).not.toContain('old-version-only')
    })
  }

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

  test('the number of EC2 calls of the usage search is the same for 50 and for 5,000 templates', async () => {
    const counts: number[] = []
    for (const templates of [50, 5000]) {
      const w = await startWorld()
      try {
        const { old, fresh } = family(w.aws, 3)
        for (let i = 0; i < templates; i++) {
          const imageId = i < 5 ? at(old, i % 3).imageId : fresh.imageId
          w.aws.addLaunchTemplate(REGION, {
            name: `lt-${i}`,
            versions: [{ imageId }, { imageId }, { imageId }],
            defaultVersion: 1
          })
        }
        const result = await w.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
        expect(result.exitCode).toBe(0)
        expect(json<unknown[]>(result.outputs['affected-launch-templates'])).toHaveLength(10)
        counts.push(w.aws.count('DescribeLaunchTemplateVersions') + w.aws.count('DescribeLaunchTemplates'))
      } finally {
        await w.close()
      }
    }
    expect(counts[0]).toBe(counts[1])
    expect(counts[1]).toBeLessThanOrEqual(3)
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
    ).toEqual([['resolve:ssm:*', 'UnauthorizedOperation']])
    expect(world.aws.callsOf('autoscaling:DescribeAutoScalingGroups').map((c) => c.errorCode)).toEqual(['AccessDenied'])
  })
})
