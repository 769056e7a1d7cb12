/**
 * The usage finder against mocked SDK clients (aws-sdk-client-mock): which requests it makes,
 * in what order, and what it makes of the answers.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type DescribeLaunchTemplateVersionsCommandInput
} from '@aws-sdk/client-ec2'
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling'
import { Ec2 } from '../src/aws/ec2.js'
import { AutoScaling } from '../src/aws/autoscaling.js'
import { usageFinder } from '../src/steps/find-usage.js'

// the SDK warns once per process on Node < 22 (runners use Node 24)
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const REGION = 'eu-west-1'
const OLD = 'ami-00000000000000001'
const OTHER = 'ami-00000000000000002'

const ec2Mock = mockClient(EC2Client)
const asgMock = mockClient(AutoScalingClient)

const clients: Array<{ destroy(): void }> = []
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
                LaunchTemplateData: { ImageId: OLD }
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
    expect(early.map((c) => isSsmQuery(c.args[0].input))).toEqual([true])
    expect(early[0]!.args[0].input).toMatchObject({ Versions: ['$Latest', '$Default'], ResolveAlias: true })

    const usage = await search.find([OLD])

    const queries = ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand).map((c) => c.args[0].input)
    expect(queries).toHaveLength(2)
    expect(queries[1]).toMatchObject({
      Versions: ['$Latest', '$Default'],
      Filters: [{ Name: 'image-id', Values: [OLD] }],
      ResolveAlias: true
    })
    expect(ec2Mock.commandCalls(DescribeLaunchTemplatesCommand)[0]!.args[0].input.LaunchTemplateIds?.sort()).toEqual([
      'lt-0000000000000000a',
      'lt-0000000000000000b'
    ])
    expect(usage.templates.map((t) => [t.launchTemplateName, t.versionNumber, t.isDefault, t.isLatest])).toEqual([
      ['via-ssm', 1, true, true],
      ['web', 2, false, true]
    ])
    expect(usage.groups.map((g) => g.autoScalingGroupName)).toEqual(['web-latest'])
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
      expect(ec2Mock.commandCalls(DescribeLaunchTemplateVersionsCommand)).toHaveLength(1)
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
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] })
    const usage = await finder()(REGION).find([OLD])
    expect(usage.templates).toEqual([])
    expect(usage.warnings).toHaveLength(1)
    expect(usage.warnings[0]).toContain('Auto Scaling groups were not checked in eu-west-1')
    expect(usage.warnings[0]).toContain('autoscaling:DescribeAutoScalingGroups')
  })
})
