/**
 * The usage finder against mocked SDK clients (aws-sdk-client-mock): which requests it makes,
 * in what order, and what it makes of the answers.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeImageReferencesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type DescribeImageReferencesCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
  type LaunchTemplateVersion
} from '@aws-sdk/client-ec2'
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  type AutoScalingGroup
} from '@aws-sdk/client-auto-scaling'
import { Ec2 } from '../src/aws/ec2.js'
import { AutoScaling } from '../src/aws/autoscaling.js'
import { usageFinder } from '../src/steps/find-usage.js'

// the SDK warns once per process on Node < 22 (runners use Node 24)
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const REGION = 'eu-west-1'
const OLD = 'ami-00000000000000001'
const OTHER = 'ami-00000000000000002'
const REFS = 'SSM parameters, Image Builder recipes and instances (DescribeImageReferences)'

const ec2Mock = mockClient(EC2Client)
const asgMock = mockClient(AutoScalingClient)

const clients: Array<{ destroy(): void }> = []
beforeEach(() => {
  asgMock.on(DescribeLaunchConfigurationsCommand).resolves({ LaunchConfigurations: [] })
  ec2Mock.on(DescribeImageReferencesCommand).resolves({ ImageReferences: [] })
})
afterEach(() => {
  ec2Mock.reset()
  asgMock.reset()
  for (const c of clients.splice(0)) c.destroy()
})

function finder() {
  const ec2 = new Ec2(REGION, new EC2Client({ region: REGION }))
  const asgClient = new AutoScalingClient({ region: REGION })
  const autoscaling = new AutoScaling(REGION, asgClient)
  clients.push(ec2.client, asgClient)
  return usageFinder(
    () => ec2,
    () => autoscaling
  )
}

const isSsmQuery = (input: DescribeLaunchTemplateVersionsCommandInput): boolean =>
  input.Filters?.[0]?.Values?.includes('resolve:ssm:*') ?? false

describe('usage finder', () => {
  test('the groups and the SSM-alias templates are asked for as soon as the search starts; the image-id query only when the images are known', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) =>
      isSsmQuery(input)
        ? {
            LaunchTemplateVersions: [
              {
                LaunchTemplateId: 'lt-0000000000000000b',
                LaunchTemplateName: 'via-ssm',
                VersionNumber: 1,
                DefaultVersion: true,
                // as EC2 answers: the image resolved, or the parameter as written
                LaunchTemplateData: { ImageId: input.ResolveAlias ? OLD : 'resolve:ssm:/golden/web:3' }
              }
            ]
          }
        : {
            LaunchTemplateVersions: [
              {
                LaunchTemplateId: 'lt-0000000000000000a',
                LaunchTemplateName: 'web',
                VersionNumber: 2,
                DefaultVersion: false,
                LaunchTemplateData: { ImageId: OLD }
              }
            ]
          }
    )
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [
        { LaunchTemplateId: 'lt-0000000000000000a', DefaultVersionNumber: 1, LatestVersionNumber: 2 },
        { LaunchTemplateId: 'lt-0000000000000000b', DefaultVersionNumber: 1, LatestVersionNumber: 1 }
      ]
    })
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web-latest',
          LaunchTemplate: { LaunchTemplateId: 'lt-0000000000000000a', Version: '$Latest' },
          MinSize: 0,
          MaxSize: 1,
          DesiredCapacity: 0,
          DefaultCooldown: 300,
          AvailabilityZones: [],
          HealthCheckType: 'EC2',
          CreatedTime: new Date()
        },
        {
          AutoScalingGroupName: 'web-default',
          LaunchTemplate: { LaunchTemplateId: 'lt-0000000000000000a', Version: '$Default' },
          MinSize: 0,
          MaxSize: 1,
          DesiredCapacity: 0,
          DefaultCooldown: 300,
          AvailabilityZones: [],
          HealthCheckType: 'EC2',
          CreatedTime: new Date()
        }
      ]
    })

    const search = finder()(REGION)
    await new Promise((resolve) => setTimeout(resolve, 10))
    // before `find`: the two reads that need no image ids, and nothing else
    expect(asgMock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1)
    expect(asgMock.commandCalls(DescribeAutoScalingGroupsCommand)[0]!.args[0].input).toMatchObject({
      IncludeInstances: false
    })
    const early = ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand)
    // the SSM-alias versions twice at once: their images resolved, and their references as written
    expect(early.map((c) => isSsmQuery(c.args[0].input))).toEqual([true, true])
    expect(early.map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ Versions: ['$Latest', '$Default'], ResolveAlias: true }),
      expect.objectContaining({ Versions: ['$Latest', '$Default'], ResolveAlias: false })
    ])

    const usage = await search.find([OLD])

    const queries = ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand).map((c) => c.args[0].input)
    expect(queries).toHaveLength(3)
    expect(queries[2]).toMatchObject({
      Versions: ['$Latest', '$Default'],
      Filters: [{ Name: 'image-id', Values: [OLD] }],
      ResolveAlias: true
    })
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)[0]!.args[0].input.LaunchTemplateIds?.sort()).toEqual([
      'lt-0000000000000000a',
      'lt-0000000000000000b'
    ])
    expect(
      usage.templates.map((t) => [t.launchTemplateName, t.versionNumber, t.isDefault, t.isLatest, t.imageReference])
    ).toEqual([
      ['via-ssm', 1, true, true, 'resolve:ssm:/golden/web:3'],
      ['web', 2, false, true, undefined]
    ])
    expect(usage.groups.map((g) => g.autoScalingGroupName)).toEqual(['web-latest'])
    expect(usage.warnings).toEqual([])
    expect(usage.checked).toEqual([
      'launch templates (default, latest and versions pinned by groups)',
      'Auto Scaling groups',
      'launch configurations',
      REFS
    ])
    // no group pins a number: no lookup by template
    expect(queries.filter((q) => q.LaunchTemplateId !== undefined || q.LaunchTemplateName !== undefined)).toEqual([])
  })

  test('the SSM-alias references not read (that query alone failed): the versions are found all the same, without references', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) => {
      if (isSsmQuery(input) && input.ResolveAlias === false) {
        throw Object.assign(new Error('Internal error.'), { name: 'InternalError', $fault: 'server' })
      }
      return {
        LaunchTemplateVersions: isSsmQuery(input)
          ? [
              {
                LaunchTemplateId: 'lt-0000000000000000b',
                LaunchTemplateName: 'via-ssm',
                VersionNumber: 1,
                DefaultVersion: true,
                LaunchTemplateData: { ImageId: OLD }
              }
            ]
          : []
      }
    })
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [{ LaunchTemplateId: 'lt-0000000000000000b', DefaultVersionNumber: 1, LatestVersionNumber: 1 }]
    })
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] })

    const usage = await finder()(REGION).find([OLD])

    expect(usage.templates.map((t) => [t.launchTemplateName, t.imageReference])).toEqual([['via-ssm', undefined]])
    expect(usage.warnings).toEqual([])
  })

  test('a search that is never asked to find leaves no unhandled rejection when its early reads fail', async () => {
    const rejected: unknown[] = []
    const onRejection = (reason: unknown): void => void rejected.push(reason)
    process.on('unhandledRejection', onRejection)
    try {
      ec2Mock.on(DescribeLaunchTemplateVersionsCommand).rejects(
        Object.assign(new Error('You are not authorized to perform this operation.'), {
          name: 'UnauthorizedOperation'
        })
      )
      asgMock
        .on(DescribeAutoScalingGroupsCommand)
        .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }))
      finder()(REGION)
      await new Promise((resolve) => setTimeout(resolve, 50))
      // both SSM-alias queries (resolved, as written) were sent and denied
      expect(ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand)).toHaveLength(2)
      expect(rejected).toEqual([])
    } finally {
      process.off('unhandledRejection', onRejection)
    }
  })

  test('a failed template query reaches find as an AwsError naming its action; a failed group query is a warning', async () => {
    ec2Mock
      .on(DescribeLaunchTemplateVersionsCommand)
      .rejects(
        Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' })
      )
    asgMock.on(DescribeAutoScalingGroupsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: autoscaling:DescribeAutoScalingGroups'), {
        name: 'AccessDenied'
      })
    )

    await expect(finder()(REGION).find([OLD, OTHER])).rejects.toMatchObject({
      name: 'AwsError',
      code: 'UnauthorizedOperation',
      action: 'ec2:DescribeLaunchTemplateVersions',
      denied: true
    })

    ec2Mock.reset()
    ec2Mock.on(DescribeImageReferencesCommand).resolves({ ImageReferences: [] })
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] })
    const usage = await finder()(REGION).find([OLD])
    expect(usage.templates).toEqual([])
    expect(usage.warnings).toHaveLength(1)
    expect(usage.warnings[0]).toContain('Auto Scaling groups were not checked in eu-west-1')
    expect(usage.warnings[0]).toContain('autoscaling:DescribeAutoScalingGroups')
  })

  test("the groups' denied read leaves them and the pinned versions out of what was checked", async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    asgMock.on(DescribeAutoScalingGroupsCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDenied' }))
    const usage = await finder()(REGION).find([OLD])
    expect(usage.checked).toEqual(['launch templates (default and latest versions)', 'launch configurations', REFS])
  })
})

const NEW = 'ami-0000000000000000f'
const LT_A = 'lt-0000000000000000a'
const LT_B = 'lt-0000000000000000b'

function asgGroup(name: string, over: Partial<AutoScalingGroup>): AutoScalingGroup {
  return {
    AutoScalingGroupName: name,
    MinSize: 0,
    MaxSize: 10,
    DesiredCapacity: 0,
    DefaultCooldown: 300,
    AvailabilityZones: [],
    HealthCheckType: 'EC2',
    CreatedTime: new Date(),
    ...over
  }
}

function version(id: string, name: string, n: number, imageId: string, isDefault = false): LaunchTemplateVersion {
  return {
    LaunchTemplateId: id,
    LaunchTemplateName: name,
    VersionNumber: n,
    DefaultVersion: isDefault,
    LaunchTemplateData: { ImageId: imageId }
  }
}

const byTemplate = (input: DescribeLaunchTemplateVersionsCommandInput): boolean =>
  input.LaunchTemplateId !== undefined || input.LaunchTemplateName !== undefined

/**
 * web (LT_A): v1 OLD, v2 OTHER (default), v3 NEW, v5 NEW (latest); api (LT_B): v2 OLD, v4 (default
 * and latest) NEW. Groups pin web 1 and 3 (one in a mixed instances override) and api 2 (by name).
 */
const WEB: Record<number, LaunchTemplateVersion> = {
  1: version(LT_A, 'web', 1, OLD),
  2: version(LT_A, 'web', 2, OTHER, true),
  3: version(LT_A, 'web', 3, NEW),
  5: version(LT_A, 'web', 5, NEW)
}
const API: Record<number, LaunchTemplateVersion> = {
  2: version(LT_B, 'api', 2, OLD),
  4: version(LT_B, 'api', 4, NEW, true)
}

function answerByTemplate(input: DescribeLaunchTemplateVersionsCommandInput): LaunchTemplateVersion[] {
  const [versions, latest] = input.LaunchTemplateId === LT_A ? [WEB, 5] : [API, 4]
  return (input.Versions ?? []).map((v) => {
    const found = versions[v === '$Latest' ? latest : Number(v)]
    if (!found)
      throw Object.assign(new Error(`Could not find the specified version ${v}`), {
        name: 'InvalidLaunchTemplateId.VersionNotFound'
      })
    return found
  })
}

function pinnedGroups(): void {
  asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      asgGroup('web-pinned-1', { LaunchTemplate: { LaunchTemplateId: LT_A, Version: '1' }, DesiredCapacity: 6 }),
      asgGroup('web-mixed', {
        DesiredCapacity: 2,
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: LT_A, Version: '$Default' },
            Overrides: [
              { InstanceType: 'm5.large', LaunchTemplateSpecification: { LaunchTemplateId: LT_A, Version: '3' } }
            ]
          }
        }
      }),
      asgGroup('api-pinned-2', { LaunchTemplate: { LaunchTemplateName: 'api', Version: '2' }, DesiredCapacity: 1 }),
      asgGroup('api-latest', { LaunchTemplate: { LaunchTemplateName: 'api', Version: '$Latest' } })
    ]
  })
}

describe('versions pinned by groups', () => {
  test('one lookup per pinned template (by id, or by name as the group names it), sent while the image-id query runs', async () => {
    pinnedGroups()
    let pinnedBeforeDirectAnswered = -1
    ec2Mock
      .on(DescribeLaunchTemplateVersionsCommand)
      .callsFake(async (input: DescribeLaunchTemplateVersionsCommandInput) => {
        if (byTemplate(input)) return { LaunchTemplateVersions: answerByTemplate(input) }
        if (isSsmQuery(input)) return { LaunchTemplateVersions: [] }
        await new Promise((resolve) => setTimeout(resolve, 50))
        pinnedBeforeDirectAnswered = ec2Mock
          .commandCalls(DescribeLaunchTemplateVersionsCommand)
          .filter((c) => byTemplate(c.args[0].input)).length
        return { LaunchTemplateVersions: [] }
      })

    const usage = await finder()(REGION).find([OLD])

    const lookups = ec2Mock
      .commandCalls(DescribeLaunchTemplateVersionsCommand)
      .map((c) => c.args[0].input)
      .filter(byTemplate)
    expect(lookups).toEqual([
      { LaunchTemplateId: LT_A, Versions: ['1', '3', '$Latest'], ResolveAlias: true, MaxResults: 200 },
      { LaunchTemplateName: 'api', Versions: ['2', '$Latest'], ResolveAlias: true, MaxResults: 200 }
    ])
    expect(pinnedBeforeDirectAnswered).toBe(2)
    // no template hit by the image-id query: no DescribeLaunchTemplates
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)).toHaveLength(0)
    expect(
      usage.templates.map((t) => [t.launchTemplateName, t.versionNumber, t.imageId, t.isDefault, t.isLatest])
    ).toEqual([
      ['api', 2, OLD, false, false],
      ['web', 1, OLD, false, false]
    ])
    expect(usage.groups).toEqual([
      {
        region: REGION,
        autoScalingGroupName: 'web-pinned-1',
        launchTemplateId: LT_A,
        launchTemplateName: 'web',
        version: '1',
        versionNumber: 1,
        imageId: OLD,
        viaMixedInstancesPolicy: false,
        desiredCapacity: 6
      },
      {
        region: REGION,
        autoScalingGroupName: 'api-pinned-2',
        launchTemplateId: LT_B,
        launchTemplateName: 'api',
        version: '2',
        versionNumber: 2,
        imageId: OLD,
        viaMixedInstancesPolicy: false,
        desiredCapacity: 1
      }
    ])
    expect(usage.warnings).toEqual([])
  })

  test('a pinned version that no longer exists: the numbers are asked one by one, the missing one left out', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        asgGroup('gone', { LaunchTemplate: { LaunchTemplateId: LT_A, Version: '4' } }),
        asgGroup('old', { LaunchTemplate: { LaunchTemplateId: LT_A, Version: '1' } })
      ]
    })
    ec2Mock
      .on(DescribeLaunchTemplateVersionsCommand)
      .callsFake((input: DescribeLaunchTemplateVersionsCommandInput) =>
        byTemplate(input) ? { LaunchTemplateVersions: answerByTemplate(input) } : { LaunchTemplateVersions: [] }
      )
    const usage = await finder()(REGION).find([OLD])
    expect(
      ec2Mock
        .commandCalls(DescribeLaunchTemplateVersionsCommand)
        .map((c) => c.args[0].input)
        .filter(byTemplate)
        .map((i) => i.Versions)
    ).toEqual([
      ['1', '4', '$Latest'],
      ['1', '$Latest'],
      ['4', '$Latest']
    ])
    expect(usage.groups.map((g) => g.autoScalingGroupName)).toEqual(['old'])
    expect(usage.warnings).toEqual([])
  })

  test('more pinned numbers than one request holds are split, 199 numbers and $Latest a request', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: Array.from({ length: 250 }, (_, i) =>
        asgGroup(`g-${i}`, { LaunchTemplate: { LaunchTemplateId: LT_A, Version: String(i + 1) } })
      )
    })
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    await finder()(REGION).find([OLD])
    const sizes = ec2Mock
      .commandCalls(DescribeLaunchTemplateVersionsCommand)
      .map((c) => c.args[0].input)
      .filter(byTemplate)
      .map((i) => i.Versions?.length)
    expect(sizes).toEqual([200, 52])
  })

  test('a denied lookup is a warning naming ec2:DescribeLaunchTemplateVersions and the groups not checked; the rest is found', async () => {
    pinnedGroups()
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) => {
      if (input.LaunchTemplateId === LT_A)
        throw Object.assign(new Error('You are not authorized to perform this operation.'), {
          name: 'UnauthorizedOperation'
        })
      return { LaunchTemplateVersions: byTemplate(input) ? answerByTemplate(input) : [] }
    })
    const usage = await finder()(REGION).find([OLD])
    expect(usage.warnings).toEqual([
      `launch template versions pinned by Auto Scaling groups were not checked in ${REGION} (groups web-mixed, web-pinned-1): the role needs ec2:DescribeLaunchTemplateVersions`
    ])
    expect(usage.groups.map((g) => g.autoScalingGroupName)).toEqual(['api-pinned-2'])
    expect(usage.checked).toEqual([
      'launch templates (default and latest versions)',
      'Auto Scaling groups',
      'launch configurations',
      REFS
    ])
  })
})

describe('replacements', () => {
  test('the new images join the image-id query; their default/latest versions of the affected templates are returned', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] })
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) =>
      isSsmQuery(input)
        ? { LaunchTemplateVersions: [] }
        : {
            LaunchTemplateVersions: [
              version(LT_A, 'web', 2, OLD, true),
              version(LT_A, 'web', 5, NEW),
              // uses the new image, but nothing of it is affected
              version(LT_B, 'api', 4, NEW, true)
            ]
          }
    )
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [{ LaunchTemplateId: LT_A, DefaultVersionNumber: 2, LatestVersionNumber: 5 }]
    })
    const usage = await finder()(REGION).find([OLD], [NEW])
    const direct = ec2Mock
      .commandCalls(DescribeLaunchTemplateVersionsCommand)
      .map((c) => c.args[0].input)
      .filter((i) => !isSsmQuery(i))
    expect(direct).toHaveLength(1)
    expect(direct[0]?.Filters).toEqual([{ Name: 'image-id', Values: [OLD, NEW] }])
    // only the affected templates' numbers are read
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)[0]!.args[0].input.LaunchTemplateIds).toEqual([LT_A])
    expect(usage.templates.map((t) => [t.launchTemplateName, t.versionNumber, t.isDefault, t.isLatest])).toEqual([
      ['web', 2, true, false]
    ])
    expect(
      usage.replacements.map((t) => [t.launchTemplateName, t.versionNumber, t.imageId, t.isDefault, t.isLatest])
    ).toEqual([['web', 5, NEW, false, true]])
  })

  test('more than 200 ids are asked for 200 a query (EC2 takes at most 200 values in a filter)', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] })
    const ids = Array.from({ length: 250 }, (_, i) => `ami-${String(i).padStart(17, '0')}`)
    await finder()(REGION).find(ids.slice(0, 240), ids.slice(240))
    const sizes = ec2Mock
      .commandCalls(DescribeLaunchTemplateVersionsCommand)
      .map((c) => c.args[0].input)
      .filter((i) => !isSsmQuery(i))
      .map((i) => i.Filters?.[0]?.Values?.length)
    expect(sizes).toEqual([200, 50])
  })
})

describe('launch configurations', () => {
  test('those of the images, with the groups that launch from them and their desired capacity', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        asgGroup('legacy-b', { LaunchConfigurationName: 'web-2019', DesiredCapacity: 3 }),
        asgGroup('legacy-a', { LaunchConfigurationName: 'web-2019', DesiredCapacity: 1 }),
        asgGroup('other', { LaunchConfigurationName: 'api-2020', DesiredCapacity: 9 })
      ]
    })
    asgMock.on(DescribeLaunchConfigurationsCommand).resolves({
      LaunchConfigurations: [
        { LaunchConfigurationName: 'web-2019', ImageId: OLD, InstanceType: 't3.micro', CreatedTime: new Date() },
        { LaunchConfigurationName: 'api-2020', ImageId: NEW, InstanceType: 't3.micro', CreatedTime: new Date() }
      ]
    })
    const search = finder()(REGION)
    await new Promise((resolve) => setTimeout(resolve, 10))
    // asked for before the images are known, all pages of 100
    expect(asgMock.commandCalls(DescribeLaunchConfigurationsCommand).map((c) => c.args[0].input)).toEqual([
      { MaxRecords: 100 }
    ])
    const usage = await search.find([OLD])
    expect(usage.launchConfigurations).toEqual([
      {
        region: REGION,
        launchConfigurationName: 'web-2019',
        imageId: OLD,
        groups: [
          { autoScalingGroupName: 'legacy-a', desiredCapacity: 1 },
          { autoScalingGroupName: 'legacy-b', desiredCapacity: 3 }
        ]
      }
    ])
  })

  test('denied: a warning naming autoscaling:DescribeLaunchConfigurations, left out of what was checked', async () => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] })
    asgMock
      .on(DescribeLaunchConfigurationsCommand)
      .rejects(
        Object.assign(new Error('User: x is not authorized to perform this operation'), { name: 'AccessDenied' })
      )
    const usage = await finder()(REGION).find([OLD])
    expect(usage.warnings).toEqual([
      `launch configurations were not checked in ${REGION}: the role needs autoscaling:DescribeLaunchConfigurations`
    ])
    expect(usage.checked).toEqual([
      'launch templates (default, latest and versions pinned by groups)',
      'Auto Scaling groups',
      REFS
    ])
  })
})

describe('image references (DescribeImageReferences)', () => {
  const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `ami-${String(i + 1).padStart(17, '0')}`)
  const quiet = (): void => {
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] })
  }

  test('SSM parameters, recipes and live instances of the images, at most 10 images a query, every page read', async () => {
    quiet()
    const images = ids(23)
    ec2Mock.on(DescribeImageReferencesCommand).callsFake((input: DescribeImageReferencesCommandInput) => {
      const first = input.ImageIds?.[0] ?? ''
      if (first === images[0] && !input.NextToken) {
        return {
          ImageReferences: [
            { ImageId: images[0], ResourceType: 'ssm:Parameter', Arn: `arn:aws:ssm:${REGION}:1:parameter/golden/web` }
          ],
          NextToken: 'page-2'
        }
      }
      if (input.NextToken === 'page-2') {
        return {
          ImageReferences: [
            {
              ImageId: images[1],
              ResourceType: 'imagebuilder:ImageRecipe',
              Arn: `arn:aws:imagebuilder:${REGION}:1:image-recipe/web/1.0.0`
            }
          ]
        }
      }
      if (first === images[20]) {
        return {
          ImageReferences: [
            { ImageId: images[22], ResourceType: 'ec2:Instance', Arn: `arn:aws:ec2:${REGION}:1:instance/i-1` },
            { ImageId: images[22], ResourceType: 'ec2:Instance' } // no ARN: left out
          ]
        }
      }
      return { ImageReferences: [] }
    })

    const usage = await finder()(REGION).find(images, ['ami-0000000000000000f'])

    const calls = ec2Mock.commandCalls(DescribeImageReferencesCommand).map((c) => c.args[0].input)
    // the batches are sent together; the first has two pages (the paginator passes the same input
    // object, so only the last token shows)
    const batches = calls.map((c) => c.ImageIds ?? [])
    expect(batches).toHaveLength(4)
    expect(batches).toEqual(expect.arrayContaining([images.slice(0, 10), images.slice(10, 20), images.slice(20)]))
    expect(batches.filter((b) => b[0] === images[0])).toHaveLength(2)
    expect(calls.some((c) => c.NextToken === 'page-2' && c.ImageIds?.[0] === images[0])).toBe(true)
    for (const c of calls) {
      expect(c.IncludeAllResourceTypes).toBeUndefined()
      expect(c.ResourceTypes).toEqual([
        { ResourceType: 'ssm:Parameter' },
        { ResourceType: 'imagebuilder:ImageRecipe' },
        { ResourceType: 'imagebuilder:ContainerRecipe' },
        {
          ResourceType: 'ec2:Instance',
          ResourceTypeOptions: [
            { OptionName: 'state-name', OptionValues: ['pending', 'running', 'stopping', 'stopped'] }
          ]
        }
      ])
    }
    expect(usage.references).toEqual([
      {
        region: REGION,
        imageId: images[0],
        resourceType: 'ssm:Parameter',
        arn: `arn:aws:ssm:${REGION}:1:parameter/golden/web`
      },
      {
        region: REGION,
        imageId: images[1],
        resourceType: 'imagebuilder:ImageRecipe',
        arn: `arn:aws:imagebuilder:${REGION}:1:image-recipe/web/1.0.0`
      },
      { region: REGION, imageId: images[22], resourceType: 'ec2:Instance', arn: `arn:aws:ec2:${REGION}:1:instance/i-1` }
    ])
    expect(usage.checked).toContain(REFS)
    expect(usage.warnings).toEqual([])
  })

  test('sent with the image-id query, not after it', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] })
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    ec2Mock
      .on(DescribeLaunchTemplateVersionsCommand)
      .callsFake(async () => (await held, { LaunchTemplateVersions: [] }))
    const found = finder()(REGION).find([OLD])
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(ec2Mock.commandCalls(DescribeImageReferencesCommand)).toHaveLength(1)
    release()
    await found
  })

  test('denied: a warning naming ec2:DescribeImageReferences; the templates, groups and configurations are still found', async () => {
    quiet()
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) =>
      isSsmQuery(input)
        ? { LaunchTemplateVersions: [] }
        : {
            LaunchTemplateVersions: [
              {
                LaunchTemplateId: 'lt-0000000000000000a',
                LaunchTemplateName: 'web',
                VersionNumber: 1,
                DefaultVersion: true,
                LaunchTemplateData: { ImageId: OLD }
              }
            ]
          }
    )
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({
      LaunchTemplates: [{ LaunchTemplateId: 'lt-0000000000000000a', DefaultVersionNumber: 1, LatestVersionNumber: 1 }]
    })
    ec2Mock
      .on(DescribeImageReferencesCommand)
      .rejects(
        Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' })
      )
    const usage = await finder()(REGION).find([OLD])
    expect(usage.templates.map((t) => t.launchTemplateName)).toEqual(['web'])
    expect(usage.references).toEqual([])
    expect(usage.warnings).toEqual([
      `SSM parameters and Image Builder recipes were not checked in ${REGION}: the role needs ec2:DescribeImageReferences`
    ])
    expect(usage.checked).toEqual([
      'launch templates (default, latest and versions pinned by groups)',
      'Auto Scaling groups',
      'launch configurations'
    ])
  })

  test.each(['InvalidAction', 'UnsupportedOperation'])(
    'an endpoint without the action (%s) is a warning naming it',
    async (code) => {
      quiet()
      ec2Mock
        .on(DescribeImageReferencesCommand)
        .rejects(Object.assign(new Error('The action DescribeImageReferences is not valid'), { name: code }))
      const usage = await finder()(REGION).find([OLD])
      expect(usage.warnings).toEqual([
        `SSM parameters and Image Builder recipes were not checked in ${REGION}: ec2:DescribeImageReferences is not supported here (${code})`
      ])
      expect(usage.checked).not.toContain(REFS)
    }
  )

  test('any other failure is a warning too, never the failure of the search', async () => {
    quiet()
    ec2Mock
      .on(DescribeImageReferencesCommand)
      .rejects(
        Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError', $retryable: false })
      )
    const usage = await finder()(REGION).find([OLD])
    expect(usage.warnings).toEqual([
      `SSM parameters and Image Builder recipes were not checked in ${REGION}: ec2:DescribeImageReferences failed: InternalError (We encountered an internal error.)`
    ])
  })
})
