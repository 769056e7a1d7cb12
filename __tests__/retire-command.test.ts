/**
 * The `retire` command, and `enable` of a retired image, in process against a mocked EC2 client
 * (aws-sdk-client-mock) and a fake usage search: the requests sent, the report, the outputs, the
 * Markdown.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  CreateTagsCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EnableImageCommand,
  ListImagesInRecycleBinCommand,
  ListSnapshotsInRecycleBinCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotTierCommand,
  RestoreImageFromRecycleBinCommand,
  RestoreSnapshotFromRecycleBinCommand,
  type DescribeImagesCommandInput,
  type Image as Ec2Image
} from '@aws-sdk/client-ec2'
import { Ec2 } from '../src/aws/ec2.js'
import { enable } from '../src/commands/enable.js'
import { retire } from '../src/commands/retire.js'
import type { Context } from '../src/context.js'
import { emptySharing, emptyUsage, type RunReport, type Usage } from '../src/model.js'
import { renderBody } from '../src/report/markdown.js'
import { outputsOf } from '../src/report/outputs.js'
import { recordTags } from '../src/rules/lineage.js'
import { outcomeOf } from '../src/rules/outcome.js'
import { ARCHIVED_TAG } from '../src/rules/retire.js'
import { parseSettings } from '../src/settings.js'

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const NOW = new Date('2026-12-31T12:00:00Z')
const OWNER = '111122223333'
const ec2Mock = mockClient(EC2Client)
const clients: EC2Client[] = []
afterEach(() => {
  ec2Mock.reset()
  for (const c of clients.splice(0)) c.destroy()
})

function ec2Error(name: string): Error {
  return Object.assign(new Error(name), { name, Code: name, $metadata: {} })
}

function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function sdkImage(
  id: string,
  options: {
    days?: number
    record?: boolean
    snapshots?: Array<[string, number]>
    tags?: Array<[string, string]>
    shared?: string[]
  } = {}
): Ec2Image {
  const { days = 40, record = true, snapshots = [[`snap-${id.slice(-10)}`, 8]], tags = [], shared = [] } = options
  const recordTagList = record
    ? recordTags({
        lineage: { supersededBy: 'ami-0fffffffffffffff0', reason: 'superseded', disabledAt: daysAgo(days) },
        sharing: { ...emptySharing(), userIds: shared }
      })
    : []
  return {
    ImageId: id,
    Name: `golden-web-${id.slice(-2)}`,
    OwnerId: OWNER,
    State: 'disabled',
    CreationDate: '2026-01-01T00:00:00.000Z',
    Tags: [...recordTagList, ...tags].map((t) =>
      Array.isArray(t) ? { Key: t[0], Value: t[1] } : { Key: t.key, Value: t.value }
    ),
    BlockDeviceMappings: snapshots.map(([SnapshotId, VolumeSize], i) => ({
      DeviceName: `/dev/xvd${'abcdef'[i]}`,
      Ebs: { SnapshotId, VolumeSize }
    }))
  }
}

interface World {
  ctx: Context
  logs: string[]
  usageAsked: string[][]
}

function world(inputs: Record<string, string>, usage: Usage | Error = emptyUsage()): World {
  const settings = parseSettings({
    input: (name) => inputs[name] ?? '',
    env: { AWS_REGION: 'us-east-1' },
    readFile: () => ''
  })
  const made = new Map<string, Ec2>()
  const logs: string[] = []
  const usageAsked: string[][] = []
  const ctx: Context = {
    settings,
    ec2: (region) => {
      let e = made.get(region)
      if (!e) {
        const client = new EC2Client({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })
        clients.push(client)
        made.set(region, (e = new Ec2(region, client)))
      }
      return e
    },
    usage: () => ({
      find: (ids) => {
        usageAsked.push(ids)
        return usage instanceof Error ? Promise.reject(usage) : Promise.resolve(usage)
      }
    }),
    log: {
      info: (m) => void logs.push(`info: ${m}`),
      warning: (m) => void logs.push(`warning: ${m}`),
      debug: () => undefined
    },
    now: () => NOW,
    planned: () => undefined
  }
  return { ctx, logs, usageAsked }
}

function describeImages(images: Ec2Image[], others: Ec2Image[] = []): void {
  ec2Mock.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => {
    const bySnapshot = input.Filters?.find((f) => f.Name === 'block-device-mapping.snapshot-id')
    if (bySnapshot) {
      return {
        Images: [...images, ...others].filter((i) =>
          i.BlockDeviceMappings?.some((m) => bySnapshot.Values?.includes(m.Ebs?.SnapshotId ?? ''))
        )
      }
    }
    return { Images: images }
  })
}

function sizes(list: Array<[string, number, string?]>): void {
  ec2Mock.on(DescribeSnapshotsCommand).resolves({
    Snapshots: list.map(([SnapshotId, VolumeSize, tier]) => ({
      SnapshotId,
      VolumeSize,
      StorageTier: (tier ?? 'standard') as 'standard' | 'archive',
      State: 'completed' as const
    }))
  })
}

function outputs(report: RunReport): Record<string, string> {
  return outputsOf(report)
}

const A = 'ami-0000000000000000a'
const B = 'ami-0000000000000000b'
const C = 'ami-0000000000000000c'
const D = 'ami-0000000000000000d'

describe('retire: delete', () => {
  test('deregisters with DeleteAssociatedSnapshots the old enough images with the record; EC2 result code per snapshot; Recycle Bin exit time; totals', async () => {
    describeImages([
      sdkImage(A, {
        snapshots: [
          ['snap-a1', 100],
          ['snap-a2', 20]
        ]
      }),
      sdkImage(B),
      sdkImage(C, { days: 10 }),
      sdkImage(D, { record: false })
    ])
    sizes([
      ['snap-a1', 100],
      ['snap-a2', 20],
      ['snap-b', 8]
    ])
    ec2Mock
      .on(DeregisterImageCommand, { ImageId: A })
      .resolves({
        Return: true,
        DeleteSnapshotResults: [
          { SnapshotId: 'snap-a1', ReturnCode: 'success' },
          { SnapshotId: 'snap-a2', ReturnCode: 'skipped' }
        ]
      })
      .on(DeregisterImageCommand, { ImageId: B })
      .resolves({ Return: true, DeleteSnapshotResults: [{ SnapshotId: 'snap-000000000b', ReturnCode: 'success' }] })
    ec2Mock.on(ListImagesInRecycleBinCommand).resolves({
      Images: [{ ImageId: A, RecycleBinEnterTime: NOW, RecycleBinExitTime: new Date('2027-01-07T12:00:00Z') }]
    })
    const w = world({ command: 'retire', region: 'us-east-1' })
    const report = await retire(w.ctx)

    const query = ec2Mock.commandCalls(DescribeImagesCommand)[0]?.args[0].input
    expect(query).toMatchObject({
      Owners: ['self'],
      IncludeDisabled: true,
      Filters: [{ Name: 'state', Values: ['disabled'] }]
    })
    expect(w.usageAsked).toEqual([[A, B]])
    expect(ec2Mock.commandCalls(DeregisterImageCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: A, DeleteAssociatedSnapshots: true, DryRun: undefined },
      { ImageId: B, DeleteAssociatedSnapshots: true, DryRun: undefined }
    ])
    expect(ec2Mock.commandCalls(ListImagesInRecycleBinCommand)[0]?.args[0].input).toEqual({ ImageIds: [A, B] })
    const [region] = report.regions
    expect(
      region?.retired?.map((r) => [
        r.imageId,
        r.outcome,
        r.snapshots.map((s) => `${s.snapshotId}:${s.result}`),
        r.freedGiB,
        r.monthlySaving,
        r.recycleBinExitTime
      ])
    ).toEqual([
      [A, 'retired', ['snap-a1:success', 'snap-a2:skipped'], 100, 5, '2027-01-07T12:00:00Z'],
      [B, 'retired', ['snap-000000000b:success'], 8, 0.4, undefined]
    ])
    expect(region?.decisions.map((d) => [d.image.imageId, d.reason])).toEqual([
      [C, 'too young: disabled 10 days ago (on 2026-12-21), fewer than retire-after-days (30)'],
      [D, 'no record of this action: disabled by hand or by another tool']
    ])
    const outcome = outcomeOf(report)
    expect(outcome.failure).toBeUndefined()
    expect(outcome.mark).toBe('success')
    expect(outcome.summary).toBe(
      '2 images retired in us-east-1: 108 GiB of snapshots deleted, $5.40 a month saved, 20 GiB still billed; 2 images left alone.'
    )
    expect(JSON.parse(outputs(report)['retired-image-ids'] ?? '')).toEqual([A, B])
    const json = JSON.parse(outputs(report).report ?? '{}') as {
      totals: unknown
      snapshots: string
      retireAfterDays: number
    }
    expect(json).toMatchObject({
      snapshots: 'delete',
      retireAfterDays: 30,
      totals: { images: 2, freedGiB: 108, monthlySaving: 5.4 }
    })
    const body = renderBody(report)
    expect(body).toContain('### ✅ AMI retirement in us-east-1\\: retired 2')
    expect(body).toContain('#### Retired')
    expect(body).toContain('`snap-a2` 20 GiB: kept: another image uses it (skipped)')
    expect(body).toContain('restorable until 2027-01-07 12:00 UTC')
    expect(body).toContain('#### Left alone')
    expect(w.logs).toContain(
      `info: [us-east-1] deregistered ${A} (golden-web-0a), disabled 2026-11-21; snapshots: snap-a1 success, snap-a2 skipped; 100 GiB freed, $5.00 a month; in the Recycle Bin until 2027-01-07T12:00:00Z`
    )
  })

  test('a dry run proves each deregistration with DryRun, predicts the snapshots another image uses, and retires nothing', async () => {
    const other = sdkImage('ami-0000000000000000e', { snapshots: [['snap-shared', 8]] })
    describeImages(
      [
        sdkImage(A, {
          snapshots: [
            ['snap-a', 30],
            ['snap-shared', 8]
          ]
        })
      ],
      [{ ...other, State: 'available' }]
    )
    sizes([
      ['snap-a', 30],
      ['snap-shared', 8]
    ])
    ec2Mock.on(DeregisterImageCommand).rejects(ec2Error('DryRunOperation'))
    const report = await retire(world({ command: 'retire', region: 'us-east-1', 'dry-run': 'true' }).ctx)
    expect(ec2Mock.commandCalls(DeregisterImageCommand)[0]?.args[0].input).toEqual({
      ImageId: A,
      DeleteAssociatedSnapshots: true,
      DryRun: true
    })
    expect(ec2Mock.commandCalls(ListImagesInRecycleBinCommand)).toHaveLength(0)
    expect(report.regions[0]?.retired?.[0]?.snapshots.map((s) => s.result)).toEqual(['would-delete', 'would-skip'])
    expect(outcomeOf(report).summary).toBe(
      'Dry run: 1 image would be retired in us-east-1: 30 GiB of snapshots would be deleted, $1.50 a month would be saved, 8 GiB still billed.'
    )
    expect(outcomeOf(report).mark).toBe('dry-run')
    expect(outputs(report)['retired-image-ids']).toBe('[]')
  })

  test('a dry run that EC2 refuses fails the image, naming the IAM action', async () => {
    describeImages([sdkImage(A)])
    sizes([])
    ec2Mock.on(DeregisterImageCommand).rejects(ec2Error('UnauthorizedOperation'))
    const report = await retire(world({ command: 'retire', region: 'us-east-1', 'dry-run': 'true' }).ctx)
    expect(outcomeOf(report).failure).toBe(
      `1 image(s) could not be checked: ${A} (dry run: not authorized: the role needs ec2:DeregisterImage (UnauthorizedOperation))`
    )
  })

  test('failures are reported image by image: a failed deregistration, a snapshot EC2 could not delete', async () => {
    describeImages([sdkImage(A), sdkImage(B)])
    sizes([
      ['snap-000000000a', 8],
      ['snap-000000000b', 8]
    ])
    ec2Mock
      .on(DeregisterImageCommand, { ImageId: A })
      .rejects(ec2Error('InvalidAMIID.Unavailable'))
      .on(DeregisterImageCommand, { ImageId: B })
      .resolves({ DeleteSnapshotResults: [{ SnapshotId: 'snap-000000000b', ReturnCode: 'missing-permissions' }] })
    ec2Mock.on(ListImagesInRecycleBinCommand).resolves({ Images: [] })
    const report = await retire(world({ command: 'retire', region: 'us-east-1' }).ctx)
    const outcome = outcomeOf(report)
    expect(outcome.mark).toBe('warning')
    expect(outcome.failure).toBe(
      `1 image(s) could not be retired: ${A} (DeregisterImage failed: InvalidAMIID.Unavailable); 1 snapshot(s) not deleted, still billed: snap-000000000b of ${B} (missing-permissions: the role needs ec2:DeleteSnapshot; no image uses it any more: delete it by hand)`
    )
    expect(JSON.parse(outputs(report)['retired-image-ids'] ?? '')).toEqual([B])
    expect(renderBody(report)).toContain('#### Failed')
  })
})

describe('retire: guards', () => {
  test('an image in use is never retired: left alone with what uses it', async () => {
    describeImages([sdkImage(A), sdkImage(B)])
    sizes([])
    ec2Mock.on(DeregisterImageCommand).resolves({ DeleteSnapshotResults: [] })
    ec2Mock.on(ListImagesInRecycleBinCommand).resolves({ Images: [] })
    const usage: Usage = {
      ...emptyUsage(),
      templates: [
        {
          region: 'us-east-1',
          launchTemplateId: 'lt-1',
          launchTemplateName: 'web',
          versionNumber: 2,
          imageId: A,
          isDefault: true,
          isLatest: false
        }
      ],
      checked: ['launch templates']
    }
    const report = await retire(world({ command: 'retire', region: 'us-east-1', 'in-use': 'report' }, usage).ctx)
    expect(ec2Mock.commandCalls(DeregisterImageCommand).map((c) => c.args[0].input.ImageId)).toEqual([B])
    expect(report.regions[0]?.decisions[0]?.reason).toMatch(/^in use by launch template web \(lt-1\) version 2/)
    expect(renderBody(report)).toContain('*Checked in us-east-1: launch templates.')
  })

  test('in-use: fail and max-images refuse the whole run: nothing deregistered in any region', async () => {
    describeImages([sdkImage(A), sdkImage(B)])
    sizes([])
    const usage: Usage = {
      ...emptyUsage(),
      launchConfigurations: [{ region: 'us-east-1', launchConfigurationName: 'lc', imageId: A, groups: [] }]
    }
    const failed = await retire(
      world({ command: 'retire', region: 'us-east-1,eu-west-1', 'in-use': 'fail' }, usage).ctx
    )
    expect(failed.refusal).toMatch(/^refusing to retire anything: in us-east-1, .* \(in-use: fail\); in eu-west-1/)
    const tooMany = await retire(world({ command: 'retire', region: 'us-east-1', 'max-images': '1' }).ctx)
    expect(outcomeOf(tooMany).headline).toBe(
      `Nothing was changed: refusing to retire anything: 2 images would be retired in us-east-1, more than max-images (1): ${A}, ${B}`
    )
    expect(outcomeOf(tooMany).mark).toBe('failure')
    expect(ec2Mock.commandCalls(DeregisterImageCommand)).toHaveLength(0)
    expect(renderBody(tooMany)).toContain('#### Not retired: the run was refused')
  })

  test('a usage search that fails leaves every image alone, with a warning', async () => {
    describeImages([sdkImage(A)])
    const w = world({ command: 'retire', region: 'us-east-1' }, new Error('launch templates unreadable'))
    const report = await retire(w.ctx)
    expect(ec2Mock.commandCalls(DeregisterImageCommand)).toHaveLength(0)
    expect(outcomeOf(report).summary).toBe('Nothing retired; 1 image left alone.')
    expect(outcomeOf(report).mark).toBe('warning')
    expect(w.logs.some((l) => l.startsWith('warning: [us-east-1] usage not checked'))).toBe(true)
  })

  test('regions run concurrently; a region whose images cannot be listed fails the run before any change', async () => {
    describeImages([sdkImage(A)])
    sizes([['snap-000000000a', 10]])
    ec2Mock
      .on(DeregisterImageCommand)
      .resolves({ DeleteSnapshotResults: [{ SnapshotId: 'snap-000000000a', ReturnCode: 'success' }] })
    ec2Mock.on(ListImagesInRecycleBinCommand).resolves({ Images: [] })
    const both = await retire(world({ command: 'retire', region: 'us-east-1\neu-west-1' }).ctx)
    expect(outcomeOf(both).summary).toBe(
      '2 images retired in 2 regions: 20 GiB of snapshots deleted, $1.00 a month saved.'
    )
    const body = renderBody(both)
    expect(body).toContain('| **all regions** | 2 | 2 | 20 GiB | 0 GiB | $1.00 |')
    ec2Mock.reset()
    ec2Mock.on(DescribeImagesCommand).rejects(ec2Error('UnauthorizedOperation'))
    const denied = await retire(world({ command: 'retire', region: 'us-east-1' }).ctx)
    expect(outcomeOf(denied).failure).toBe('not authorized: the role needs ec2:DescribeImages (UnauthorizedOperation)')
  })
})

describe('retire: keep and archive', () => {
  test('keep deregisters only: the snapshots stay billed', async () => {
    describeImages([sdkImage(A)])
    sizes([['snap-000000000a', 50]])
    ec2Mock.on(DeregisterImageCommand).resolves({ Return: true })
    ec2Mock.on(ListImagesInRecycleBinCommand).resolves({ Images: [] })
    const report = await retire(world({ command: 'retire', region: 'us-east-1', snapshots: 'keep' }).ctx)
    expect(ec2Mock.commandCalls(DeregisterImageCommand)[0]?.args[0].input).toEqual({ ImageId: A, DryRun: undefined })
    expect(outcomeOf(report).summary).toBe(
      '1 image deregistered in us-east-1, snapshots kept: 50 GiB still billed ($2.50 a month).'
    )
  })

  test('archive keeps the image registered and disabled, moves its snapshots to the archive tier, and tags it', async () => {
    describeImages([
      sdkImage(A, {
        snapshots: [
          ['snap-a1', 100],
          ['snap-a2', 8]
        ]
      })
    ])
    sizes([
      ['snap-a1', 100],
      ['snap-a2', 8, 'archive']
    ])
    ec2Mock.on(ModifySnapshotTierCommand).resolves({ SnapshotId: 'snap-a1' })
    ec2Mock.on(CreateTagsCommand).resolves({})
    const report = await retire(world({ command: 'retire', region: 'us-east-1', snapshots: 'archive' }).ctx)
    expect(ec2Mock.commandCalls(DeregisterImageCommand)).toHaveLength(0)
    expect(ec2Mock.commandCalls(ModifySnapshotTierCommand).map((c) => c.args[0].input)).toEqual([
      { SnapshotId: 'snap-a1', StorageTier: 'archive', DryRun: undefined }
    ])
    expect(ec2Mock.commandCalls(CreateTagsCommand)[0]?.args[0].input).toEqual({
      Resources: [A],
      Tags: [{ Key: ARCHIVED_TAG, Value: '2026-12-31T12:00:00Z' }],
      DryRun: undefined
    })
    expect(report.regions[0]?.retired?.[0]?.snapshots.map((s) => s.result)).toEqual(['archived', 'already-archived'])
    expect(outcomeOf(report).summary).toBe(
      '1 image retired to the archive tier in us-east-1: 100 GiB of snapshots archived, $3.75 a month saved, 8 GiB still billed.'
    )
    expect(JSON.parse(outputs(report)['retired-image-ids'] ?? '')).toEqual([A])
    const body = renderBody(report)
    expect(body).toContain('**Re-enabling one needs a permanent restore of its snapshots first**')
    expect(body).toContain('up to 72 hours')
  })
})

describe('enable of a retired image', () => {
  test('an image whose snapshots are archived fails with the explanation, before EnableImage', async () => {
    describeImages([sdkImage(A, { tags: [[ARCHIVED_TAG, daysAgo(5)]] })])
    sizes([['snap-000000000a', 8, 'archive']])
    const report = await enable(world({ command: 'enable', 'image-id': A }).ctx)
    expect(ec2Mock.commandCalls(EnableImageCommand)).toHaveLength(0)
    expect(outcomeOf(report).failure).toBe(
      `1 image(s) could not be changed: ${A} (its snapshots are in the EBS archive tier (snap-000000000a): re-enabling needs a permanent restore of each first (RestoreSnapshotTier with PermanentRestore, up to 72 hours), then run enable again)`
    )
  })

  test("EC2's error for an untagged image with archived snapshots becomes the explanation", async () => {
    describeImages([sdkImage(A)])
    sizes([['snap-000000000a', 8, 'archive']])
    ec2Mock.on(EnableImageCommand).rejects(ec2Error('IncorrectState'))
    const report = await enable(world({ command: 'enable', 'image-id': A }).ctx)
    expect(report.regions[0]?.changes[0]?.message).toMatch(
      /^its snapshots are in the EBS archive tier \(snap-000000000a\)/
    )
  })

  test('an id in the Recycle Bin is restored from it (its snapshots first), re-enabled and shared again from its record', async () => {
    const restored = sdkImage(A, { shared: ['222233334444'] })
    let inBin = true
    ec2Mock.on(DescribeImagesCommand).callsFake(() => ({ Images: inBin ? [] : [restored] }))
    ec2Mock.on(ListImagesInRecycleBinCommand).resolves({
      Images: [{ ImageId: A, Name: 'golden-web-0a', RecycleBinExitTime: new Date('2027-01-07T12:00:00Z') }]
    })
    ec2Mock.on(ListSnapshotsInRecycleBinCommand).resolves({
      Snapshots: [{ SnapshotId: 'snap-000000000a', Description: `Created by CreateImage(i-0123) for ${A}` }]
    })
    ec2Mock.on(RestoreSnapshotFromRecycleBinCommand).resolves({})
    ec2Mock.on(RestoreImageFromRecycleBinCommand).callsFake(() => {
      inBin = false
      return { Return: true }
    })
    ec2Mock.on(EnableImageCommand).resolves({ Return: true })
    ec2Mock.on(ModifyImageAttributeCommand).resolves({})
    ec2Mock.on(CreateTagsCommand).resolves({})
    const report = await enable(world({ command: 'enable', 'image-id': A }).ctx)
    expect(ec2Mock.commandCalls(RestoreSnapshotFromRecycleBinCommand)[0]?.args[0].input).toEqual({
      SnapshotId: 'snap-000000000a',
      DryRun: undefined
    })
    expect(ec2Mock.commandCalls(RestoreImageFromRecycleBinCommand)[0]?.args[0].input).toEqual({
      ImageId: A,
      DryRun: undefined
    })
    expect(ec2Mock.commandCalls(EnableImageCommand)[0]?.args[0].input.ImageId).toBe(A)
    expect(ec2Mock.commandCalls(ModifyImageAttributeCommand)[0]?.args[0].input.LaunchPermission).toEqual({
      Add: [{ UserId: '222233334444' }]
    })
    const change = report.regions[0]?.changes[0]
    expect(change).toMatchObject({
      imageId: A,
      outcome: 'enabled',
      message: 'restored from the Recycle Bin with its snapshots snap-000000000a'
    })
    expect(JSON.parse(outputs(report)['enabled-image-ids'] ?? '')).toEqual([A])
  })

  test('an id neither registered nor in the Recycle Bin still fails as not found', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] })
    ec2Mock.on(ListImagesInRecycleBinCommand).resolves({ Images: [] })
    const report = await enable(world({ command: 'enable', 'image-id': A }).ctx)
    expect(outcomeOf(report).failure).toMatch(new RegExp(`^${A} was not found in us-east-1`))
  })
})
