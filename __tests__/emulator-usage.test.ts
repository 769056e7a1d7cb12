/**
 * Who uses an image, as the emulator answers it to the real EC2 client: DescribeImageReferences (the
 * caller's own resources) and the AMI usage reports (the other accounts, counted).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CreateImageUsageReportCommand,
  DeleteImageUsageReportCommand,
  DescribeImageReferencesCommand,
  DescribeImageUsageReportEntriesCommand,
  DescribeImageUsageReportsCommand,
  EC2Client,
  paginateDescribeImageReferences,
  type ImageReference
} from '@aws-sdk/client-ec2'
import { startAwsEmulator, type AwsEmulator, type EmuImage } from '../test-support/emulator/ec2.js'

const REGION = 'us-east-1'
const OWNER = '111122223333'
const A = '222233334444'
const B = '333344445555'
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
const T0 = Date.UTC(2026, 10, 25, 9, 0)

let emu: AwsEmulator
let ec2: EC2Client
let clock = T0
let golden: EmuImage

async function error(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number | undefined }> {
  try {
    await p
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } }
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode }
  }
  throw new Error('expected the call to fail')
}

beforeAll(async () => {
  emu = await startAwsEmulator({ random: 11, now: () => clock })
  ec2 = new EC2Client({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 1 })
})

afterAll(async () => {
  ec2.destroy()
  await emu.close()
})

beforeEach(() => {
  clock = T0
  emu.state.reset()
  emu.resetFaults()
  emu.clearCalls()
  emu.usageReportDelay = 0
  golden = emu.addImage(REGION, { name: 'golden', launchPermissions: [{ userId: A }, { userId: B }] })
})

describe('DescribeImageReferences', () => {
  function ownResources(): void {
    const other = emu.addImage(REGION, { name: 'other' })
    emu.addInstance(REGION, { imageId: golden.imageId, instanceId: 'i-0000000000000000a', state: 'running' })
    emu.addInstance(REGION, { imageId: golden.imageId, instanceId: 'i-0000000000000000b', state: 'terminated' })
    emu.addInstance(REGION, { imageId: other.imageId, instanceId: 'i-0000000000000000c' })
    // golden only in version 1 of 12: outside the default depth (10, the newest versions 3..12)
    emu.addLaunchTemplate(REGION, {
      id: 'lt-0000000000000000a',
      name: 'old-web',
      versions: [{ imageId: golden.imageId }, ...Array.from({ length: 11 }, () => ({ imageId: other.imageId }))]
    })
    emu.addLaunchTemplate(REGION, {
      id: 'lt-0000000000000000b',
      name: 'web',
      versions: [{ imageId: other.imageId }, { imageId: golden.imageId }]
    })
    emu.setSsmParameter(REGION, '/golden/web/latest', golden.imageId, 'aws:ec2:image')
    emu.setSsmParameter(REGION, '/golden/web/notes', golden.imageId) // text: not a reference
    emu.addImageRecipe(REGION, { name: 'Web', parentImage: golden.imageId })
    emu.addImageRecipe(REGION, { name: 'web-container', parentImage: golden.imageId, container: true })
    // a consumer's resources are never the owner's references
    emu.account(A).addInstance(REGION, { imageId: golden.imageId })
  }
  const arns = (refs: ImageReference[] | undefined): string[] => (refs ?? []).map((r) => r.Arn ?? '')

  it('IncludeAllResourceTypes: instances (terminated included), templates within depth 10, aws:ec2:image parameters, recipes', async () => {
    ownResources()
    const { ImageReferences, NextToken } = await ec2.send(
      new DescribeImageReferencesCommand({ ImageIds: [golden.imageId], IncludeAllResourceTypes: true })
    )
    expect(NextToken).toBeUndefined()
    expect(ImageReferences).toEqual([
      {
        ImageId: golden.imageId,
        ResourceType: 'ec2:Instance',
        Arn: `arn:aws:ec2:${REGION}:${OWNER}:instance/i-0000000000000000a`
      },
      {
        ImageId: golden.imageId,
        ResourceType: 'ec2:Instance',
        Arn: `arn:aws:ec2:${REGION}:${OWNER}:instance/i-0000000000000000b`
      },
      {
        ImageId: golden.imageId,
        ResourceType: 'ec2:LaunchTemplate',
        Arn: `arn:aws:ec2:${REGION}:${OWNER}:launch-template/lt-0000000000000000b`
      },
      {
        ImageId: golden.imageId,
        ResourceType: 'ssm:Parameter',
        Arn: `arn:aws:ssm:${REGION}:${OWNER}:parameter/golden/web/latest`
      },
      {
        ImageId: golden.imageId,
        ResourceType: 'imagebuilder:ImageRecipe',
        Arn: `arn:aws:imagebuilder:${REGION}:${OWNER}:image-recipe/web/1.0.0`
      },
      {
        ImageId: golden.imageId,
        ResourceType: 'imagebuilder:ContainerRecipe',
        Arn: `arn:aws:imagebuilder:${REGION}:${OWNER}:container-recipe/web-container/1.0.0`
      }
    ])
  })

  it('ResourceTypes with options: state-name, version-depth; options override the defaults of IncludeAllResourceTypes', async () => {
    ownResources()
    const res = await ec2.send(
      new DescribeImageReferencesCommand({
        ImageIds: [golden.imageId],
        ResourceTypes: [
          {
            ResourceType: 'ec2:Instance',
            ResourceTypeOptions: [
              { OptionName: 'state-name', OptionValues: ['pending', 'running', 'stopping', 'stopped'] }
            ]
          },
          {
            ResourceType: 'ec2:LaunchTemplate',
            ResourceTypeOptions: [{ OptionName: 'version-depth', OptionValues: ['12'] }]
          }
        ]
      })
    )
    expect(arns(res.ImageReferences)).toEqual([
      `arn:aws:ec2:${REGION}:${OWNER}:instance/i-0000000000000000a`,
      `arn:aws:ec2:${REGION}:${OWNER}:launch-template/lt-0000000000000000a`,
      `arn:aws:ec2:${REGION}:${OWNER}:launch-template/lt-0000000000000000b`
    ])
    expect(emu.calls[0]!.params).toMatchObject({
      'ImageId.1': golden.imageId,
      'ResourceType.1.ResourceType': 'ec2:Instance',
      'ResourceType.1.ResourceTypeOption.1.OptionName': 'state-name',
      'ResourceType.1.ResourceTypeOption.1.OptionValue.4': 'stopped',
      'ResourceType.2.ResourceTypeOption.1.OptionValue.1': '12'
    })
    const depth1 = await ec2.send(
      new DescribeImageReferencesCommand({
        ImageIds: [golden.imageId],
        IncludeAllResourceTypes: true,
        ResourceTypes: [
          {
            ResourceType: 'ec2:LaunchTemplate',
            ResourceTypeOptions: [{ OptionName: 'version-depth', OptionValues: ['1'] }]
          }
        ]
      })
    )
    expect(depth1.ImageReferences?.map((r) => r.ResourceType)).toEqual([
      'ec2:Instance',
      'ec2:Instance',
      'ec2:LaunchTemplate',
      'ssm:Parameter',
      'imagebuilder:ImageRecipe',
      'imagebuilder:ContainerRecipe'
    ])
  })

  it('as the consumer: its own resources only, also for an image it can no longer see', async () => {
    ownResources()
    emu
      .account(A)
      .addLaunchTemplate(REGION, { id: 'lt-000000000000000aa', name: 'a-web', versions: [{ imageId: golden.imageId }] })
    golden.launchPermissions = []
    const asA = new EC2Client({
      region: REGION,
      endpoint: emu.url,
      credentials: emu.account(A).credentials,
      maxAttempts: 1
    })
    const res = await asA.send(
      new DescribeImageReferencesCommand({
        ImageIds: [golden.imageId],
        ResourceTypes: [{ ResourceType: 'ec2:LaunchTemplate' }, { ResourceType: 'ec2:Instance' }]
      })
    )
    asA.destroy()
    expect(res.ImageReferences?.map((r) => [r.ResourceType, r.Arn?.split(':')[4]])).toEqual([
      ['ec2:Instance', A],
      ['ec2:LaunchTemplate', A]
    ])
  })

  it('paginates (MaxResults >= 5) through the SDK paginator; validates ids, types and options', async () => {
    for (let i = 0; i < 12; i++) emu.addInstance(REGION, { imageId: golden.imageId })
    const pages: number[] = []
    for await (const page of paginateDescribeImageReferences(
      { client: ec2, pageSize: 5 },
      { ImageIds: [golden.imageId], ResourceTypes: [{ ResourceType: 'ec2:Instance' }] }
    ))
      pages.push(page.ImageReferences?.length ?? 0)
    expect(pages).toEqual([5, 5, 2])

    const bad = (input: ConstructorParameters<typeof DescribeImageReferencesCommand>[0]) =>
      error(ec2.send(new DescribeImageReferencesCommand(input)))
    const ids = Array.from({ length: 11 }, (_, i) => `ami-${String(i).padStart(17, '0')}`)
    expect((await bad({ ImageIds: ids, IncludeAllResourceTypes: true })).name).toBe('InvalidParameterValue')
    expect((await bad({ ImageIds: [golden.imageId] })).name).toBe('MissingParameter')
    expect((await bad({ ImageIds: [golden.imageId], IncludeAllResourceTypes: true, MaxResults: 4 })).name).toBe(
      'InvalidParameterValue'
    )
    expect((await bad({ ImageIds: ['ami-nope'], IncludeAllResourceTypes: true })).name).toBe('InvalidAMIID.Malformed')
    expect(
      (
        await bad({
          ImageIds: [golden.imageId],
          ResourceTypes: [
            {
              ResourceType: 'ssm:Parameter',
              ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['running'] }]
            }
          ]
        })
      ).name
    ).toBe('InvalidParameterValue')
    expect(
      (
        await bad({
          ImageIds: [golden.imageId],
          ResourceTypes: [
            {
              ResourceType: 'ec2:Instance',
              ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['gone'] }]
            }
          ]
        })
      ).name
    ).toBe('InvalidParameterValue')
    emu.faults.deny.add('ec2:DescribeImageReferences')
    expect(await bad({ ImageIds: [golden.imageId], IncludeAllResourceTypes: true })).toEqual({
      name: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      status: 403
    })
  })
})

describe('AMI usage reports', () => {
  function consumers(): void {
    const a = emu.account(A)
    a.addInstances(REGION, 3, { imageId: golden.imageId })
    a.addInstance(REGION, { imageId: golden.imageId, state: 'stopped' })
    a.addInstance(REGION, { imageId: golden.imageId, state: 'terminated' })
    a.addLaunchTemplate(REGION, { name: 'web', versions: [{ imageId: golden.imageId }, { imageId: golden.imageId }] })
    a.addLaunchTemplate(REGION, { name: 'batch', versions: [{ imageId: golden.imageId }] })
    a.addAutoScalingGroup(REGION, { name: 'web', launchTemplate: { launchTemplateName: 'web' } })
    const b = emu.account(B)
    b.addLaunchTemplate(REGION, { name: 'canary', versions: [{ imageId: golden.imageId }] })
    // the owner's own use is not in the report
    emu.addInstance(REGION, { imageId: golden.imageId })
  }

  it('pending for usageReportDelay (emulator time), then available with counts per account and resource type', async () => {
    consumers()
    emu.usageReportDelay = 2000
    const { ReportId } = await ec2.send(
      new CreateImageUsageReportCommand({
        ImageId: golden.imageId,
        ResourceTypes: [{ ResourceType: 'ec2:Instance' }, { ResourceType: 'ec2:LaunchTemplate' }],
        TagSpecifications: [
          { ResourceType: 'image-usage-report', Tags: [{ Key: 'by', Value: 'disable-superseded-ami' }] }
        ]
      })
    )
    expect(ReportId).toMatch(/^amiur-[0-9a-f]{17}$/)
    expect(emu.calls[0]!.params).toMatchObject({
      'TagSpecification.1.Tag.1.Key': 'by',
      'ResourceType.2.ResourceType': 'ec2:LaunchTemplate'
    })
    const describe = () => ec2.send(new DescribeImageUsageReportsCommand({ ImageIds: [golden.imageId] }))
    const pending = await describe()
    expect(pending.ImageUsageReports).toEqual([
      {
        ImageId: golden.imageId,
        ReportId,
        ResourceTypes: [
          { ResourceType: 'ec2:Instance' },
          {
            ResourceType: 'ec2:LaunchTemplate',
            ResourceTypeOptions: [{ OptionName: 'version-depth', OptionValues: ['20'] }]
          }
        ],
        State: 'pending',
        CreationTime: new Date(T0),
        ExpirationTime: new Date(T0 + 30 * 24 * 3600 * 1000),
        Tags: [{ Key: 'by', Value: 'disable-superseded-ami' }]
      }
    ])
    expect(
      (await ec2.send(new DescribeImageUsageReportEntriesCommand({ ReportIds: [ReportId!] }))).ImageUsageReportEntries
    ).toBeUndefined()
    clock += 2000
    expect((await describe()).ImageUsageReports?.[0]?.State).toBe('available')
    // entries were counted when it became available: later launches are not in it
    emu.account(B).addInstance(REGION, { imageId: golden.imageId })
    const { ImageUsageReportEntries } = await ec2.send(
      new DescribeImageUsageReportEntriesCommand({ ImageIds: [golden.imageId] })
    )
    expect(ImageUsageReportEntries).toEqual([
      {
        ResourceType: 'ec2:Instance',
        ReportId,
        UsageCount: 4,
        AccountId: A,
        ImageId: golden.imageId,
        ReportCreationTime: new Date(T0)
      },
      {
        ResourceType: 'ec2:LaunchTemplate',
        ReportId,
        UsageCount: 2,
        AccountId: A,
        ImageId: golden.imageId,
        ReportCreationTime: new Date(T0)
      },
      {
        ResourceType: 'ec2:LaunchTemplate',
        ReportId,
        UsageCount: 1,
        AccountId: B,
        ImageId: golden.imageId,
        ReportCreationTime: new Date(T0)
      }
    ])
    const onlyB = await ec2.send(
      new DescribeImageUsageReportEntriesCommand({
        ReportIds: [ReportId!],
        Filters: [
          { Name: 'account-id', Values: [B] },
          { Name: 'resource-type', Values: ['ec2:LaunchTemplate'] }
        ]
      })
    )
    expect(onlyB.ImageUsageReportEntries?.map((e) => [e.AccountId, e.UsageCount])).toEqual([[B, 1]])
    const paged = await ec2.send(new DescribeImageUsageReportEntriesCommand({ ReportIds: [ReportId!], MaxResults: 2 }))
    expect(paged.ImageUsageReportEntries).toHaveLength(2)
    const rest = await ec2.send(
      new DescribeImageUsageReportEntriesCommand({ ReportIds: [ReportId!], MaxResults: 2, NextToken: paged.NextToken! })
    )
    expect(rest.ImageUsageReportEntries?.map((e) => e.AccountId)).toEqual([B])
    expect(rest.NextToken).toBeUndefined()

    await ec2.send(new DeleteImageUsageReportCommand({ ReportId: ReportId! }))
    expect((await describe()).ImageUsageReports).toBeUndefined()
    expect((await error(ec2.send(new DeleteImageUsageReportCommand({ ReportId: ReportId! })))).name).toBe(
      'InvalidImageUsageReportId.NotFound'
    )
  })

  it('one pending report per image; AccountIds and version-depth narrow; ClientToken is idempotent', async () => {
    consumers()
    emu.usageReportDelay = 60_000
    const input = {
      ImageId: golden.imageId,
      ResourceTypes: [
        {
          ResourceType: 'ec2:LaunchTemplate',
          ResourceTypeOptions: [{ OptionName: 'version-depth', OptionValues: ['1'] }]
        }
      ],
      AccountIds: [A],
      ClientToken: 'run-1'
    }
    const first = await ec2.send(new CreateImageUsageReportCommand(input))
    expect((await ec2.send(new CreateImageUsageReportCommand(input))).ReportId).toBe(first.ReportId)
    const second = await error(ec2.send(new CreateImageUsageReportCommand({ ...input, ClientToken: 'run-2' })))
    expect(second).toMatchObject({ name: 'ResourceLimitExceeded', status: 400 })
    clock += 60_000
    const again = await ec2.send(new CreateImageUsageReportCommand({ ...input, ClientToken: 'run-2' }))
    expect(again.ReportId).not.toBe(first.ReportId)
    const entries = await ec2.send(new DescribeImageUsageReportEntriesCommand({ ReportIds: [first.ReportId!] }))
    expect(entries.ImageUsageReportEntries?.map((e) => [e.AccountId, e.ResourceType, e.UsageCount])).toEqual([
      [A, 'ec2:LaunchTemplate', 2]
    ])
    const byState = await ec2.send(
      new DescribeImageUsageReportsCommand({ Filters: [{ Name: 'state', Values: ['pending'] }] })
    )
    expect(byState.ImageUsageReports?.map((r) => r.ReportId)).toEqual([again.ReportId])
    const byDay = await ec2.send(
      new DescribeImageUsageReportsCommand({ Filters: [{ Name: 'creation-time', Values: ['2026-11-25T*'] }] })
    )
    expect(byDay.ImageUsageReports).toHaveLength(2)
  })

  it('error switch, owner only, seeded reports (age, pending), expiry after 30 days, unknown parameters', async () => {
    consumers()
    emu.faults.usageReportErrors.set(golden.imageId, 'Internal error while collecting usage.')
    const { ReportId } = await ec2.send(
      new CreateImageUsageReportCommand({ ImageId: golden.imageId, ResourceTypes: [{ ResourceType: 'ec2:Instance' }] })
    )
    const [failed] =
      (await ec2.send(new DescribeImageUsageReportsCommand({ ReportIds: [ReportId!] }))).ImageUsageReports ?? []
    expect(failed).toMatchObject({ State: 'error', StateReason: 'Internal error while collecting usage.' })
    expect(
      (await ec2.send(new DescribeImageUsageReportEntriesCommand({ ReportIds: [ReportId!] }))).ImageUsageReportEntries
    ).toBeUndefined()

    const asA = new EC2Client({
      region: REGION,
      endpoint: emu.url,
      credentials: emu.account(A).credentials,
      maxAttempts: 1
    })
    const notOwner = await error(
      asA.send(
        new CreateImageUsageReportCommand({
          ImageId: golden.imageId,
          ResourceTypes: [{ ResourceType: 'ec2:Instance' }]
        })
      )
    )
    asA.destroy()
    expect(notOwner.name).toBe('AuthFailure')

    const old = emu.addUsageReport(REGION, {
      imageId: golden.imageId,
      creationTime: new Date(T0 - 2 * 86_400_000).toISOString()
    })
    const waiting = emu.addUsageReport(REGION, { imageId: golden.imageId, availableAfterMs: 5000 })
    const listed = await ec2.send(new DescribeImageUsageReportsCommand({ ImageIds: [golden.imageId] }))
    expect(listed.ImageUsageReports?.map((r) => [r.ReportId, r.State])).toEqual([
      [old.reportId, 'available'],
      [ReportId, 'error'],
      [waiting.reportId, 'pending']
    ])
    const oldEntries = await ec2.send(new DescribeImageUsageReportEntriesCommand({ ReportIds: [old.reportId] }))
    expect(oldEntries.ImageUsageReportEntries?.map((e) => [e.AccountId, e.ResourceType, e.UsageCount])).toEqual([
      [A, 'ec2:Instance', 4],
      [A, 'ec2:LaunchTemplate', 2],
      [B, 'ec2:LaunchTemplate', 1]
    ])
    expect(
      (await error(ec2.send(new DescribeImageUsageReportsCommand({ ReportIds: ['amiur-00000000000000000'] })))).name
    ).toBe('InvalidImageUsageReportId.NotFound')

    clock += 28 * 86_400_000 + 1
    const later = await ec2.send(new DescribeImageUsageReportsCommand({ ImageIds: [golden.imageId] }))
    expect(later.ImageUsageReports?.map((r) => r.ReportId)).toEqual([ReportId, waiting.reportId])

    const res = await fetch(emu.url, {
      method: 'POST',
      body: `Action=CreateImageUsageReport&Version=2016-11-15&ImageId=${golden.imageId}&ResourceType.1.ResourceType=ec2:Instance&Foo=1`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }
    })
    expect(await res.text()).toContain('The parameter Foo is not recognized')
  })
})

describe('AMI usage reports: a schedule counted in reads', () => {
  it('availableAfterDescribes: 2 is pending in two answers, whatever the clock, then available with its entries', async () => {
    emu.account(A).addInstances(REGION, 2, { imageId: golden.imageId })
    const report = emu.addUsageReport(REGION, { imageId: golden.imageId, availableAfterDescribes: 2 })
    const state = async (): Promise<string | undefined> =>
      (await ec2.send(new DescribeImageUsageReportsCommand({ ReportIds: [report.reportId] }))).ImageUsageReports?.[0]
        ?.State
    clock += 86_400_000
    expect(await state()).toBe('pending')
    // a read that does not show it (another image's reports) does not count
    const other = emu.addImage(REGION, { name: 'other' })
    await ec2.send(new DescribeImageUsageReportsCommand({ ImageIds: [other.imageId] }))
    expect(await state()).toBe('pending')
    expect(await state()).toBe('available')
    const { ImageUsageReportEntries } = await ec2.send(
      new DescribeImageUsageReportEntriesCommand({ ReportIds: [report.reportId] })
    )
    expect(ImageUsageReportEntries?.map((e) => [e.AccountId, e.ResourceType, e.UsageCount])).toEqual([
      [A, 'ec2:Instance', 2]
    ])
  })
})
