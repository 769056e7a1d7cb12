/** aws/lifecycle.ts against a mocked EC2 client: the requests it sends (params, DryRun, pages, 20-id batches) and what it makes of the answers. */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ListImagesInRecycleBinCommand,
  ListSnapshotsInRecycleBinCommand,
  ModifySnapshotTierCommand,
  RestoreImageFromRecycleBinCommand,
  RestoreSnapshotFromRecycleBinCommand
} from '@aws-sdk/client-ec2'
import { Ec2, toImage } from '../src/aws/ec2.js'
import { AwsError } from '../src/aws/errors.js'
import { Lifecycle, RECYCLE_BIN_IDS_MAX } from '../src/aws/lifecycle.js'

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const REGION = 'eu-west-1'
const ec2Mock = mockClient(EC2Client)
const clients: EC2Client[] = []
afterEach(() => {
  ec2Mock.reset()
  for (const c of clients.splice(0)) c.destroy()
})

function lifecycle(): Lifecycle {
  const client = new EC2Client({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })
  clients.push(client)
  return new Lifecycle(new Ec2(REGION, client))
}

function ec2Error(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, Code: name, $metadata: {} })
}

describe('Lifecycle', () => {
  test('deregister with DeleteAssociatedSnapshots: EC2 result code for every snapshot', async () => {
    ec2Mock.on(DeregisterImageCommand).resolves({
      Return: true,
      DeleteSnapshotResults: [
        { SnapshotId: 'snap-1', ReturnCode: 'success' },
        { SnapshotId: 'snap-2', ReturnCode: 'skipped' }
      ]
    })
    const out = await lifecycle().deregister('ami-00000001', true)
    expect(ec2Mock.commandCalls(DeregisterImageCommand)[0]?.args[0].input).toEqual({
      ImageId: 'ami-00000001',
      DeleteAssociatedSnapshots: true,
      DryRun: undefined
    })
    expect(out).toEqual({
      answer: { allowed: true },
      snapshots: [
        { snapshotId: 'snap-1', returnCode: 'success' },
        { snapshotId: 'snap-2', returnCode: 'skipped' }
      ]
    })
  })

  test('deregister keeping the snapshots sends no DeleteAssociatedSnapshots; a failure names ec2:DeregisterImage', async () => {
    ec2Mock.on(DeregisterImageCommand).resolves({ Return: true })
    await lifecycle().deregister('ami-00000001', false)
    expect(ec2Mock.commandCalls(DeregisterImageCommand)[0]?.args[0].input).toEqual({
      ImageId: 'ami-00000001',
      DryRun: undefined
    })
    ec2Mock.on(DeregisterImageCommand).rejects(ec2Error('UnauthorizedOperation'))
    const error = await lifecycle()
      .deregister('ami-00000001', false)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AwsError)
    expect((error as AwsError).describe()).toBe(
      'not authorized: the role needs ec2:DeregisterImage (UnauthorizedOperation)'
    )
  })

  test('a dry run sends DryRun=true: DryRunOperation is allowed, anything else is the answer no', async () => {
    ec2Mock.on(DeregisterImageCommand).rejects(ec2Error('DryRunOperation'))
    expect(await lifecycle().deregister('ami-00000001', true, true)).toEqual({
      answer: { allowed: true },
      snapshots: []
    })
    expect(ec2Mock.commandCalls(DeregisterImageCommand)[0]?.args[0].input.DryRun).toBe(true)
    ec2Mock.on(ModifySnapshotTierCommand).rejects(ec2Error('UnauthorizedOperation'))
    const answer = await lifecycle().archiveSnapshot('snap-1', true)
    expect(answer.allowed).toBe(false)
    expect(!answer.allowed && answer.error.action).toBe('ec2:ModifySnapshotTier')
    ec2Mock.on(RestoreImageFromRecycleBinCommand).rejects(ec2Error('DryRunOperation'))
    expect(await lifecycle().restoreFromRecycleBin('ami-00000001', true)).toEqual({ allowed: true })
  })

  test('archiveSnapshot asks for the archive tier', async () => {
    ec2Mock.on(ModifySnapshotTierCommand).resolves({ SnapshotId: 'snap-1' })
    expect(await lifecycle().archiveSnapshot('snap-1')).toEqual({ allowed: true })
    expect(ec2Mock.commandCalls(ModifySnapshotTierCommand)[0]?.args[0].input).toEqual({
      SnapshotId: 'snap-1',
      StorageTier: 'archive',
      DryRun: undefined
    })
  })

  test('snapshots: by a snapshot-id filter, every page, size, tier, state and restore expiry', async () => {
    // the paginator reuses its input object: each request is copied as it is sent
    const calls: unknown[] = []
    const pages = [
      {
        Snapshots: [
          { SnapshotId: 'snap-1', VolumeSize: 8, StorageTier: 'standard' as const, State: 'completed' as const }
        ],
        NextToken: 't'
      },
      {
        Snapshots: [
          { SnapshotId: 'snap-2', VolumeSize: 100, StorageTier: 'archive' as const, State: 'completed' as const },
          {
            SnapshotId: 'snap-3',
            StorageTier: 'standard' as const,
            State: 'completed' as const,
            RestoreExpiryTime: new Date('2027-01-05T00:00:00Z')
          }
        ]
      }
    ]
    ec2Mock.on(DescribeSnapshotsCommand).callsFake((input: object) => {
      calls.push(structuredClone(input))
      return pages[calls.length - 1]
    })
    const found = await lifecycle().snapshots(['snap-1', 'snap-2', 'snap-3', 'snap-1'])
    expect(calls).toEqual([
      { Filters: [{ Name: 'snapshot-id', Values: ['snap-1', 'snap-2', 'snap-3'] }], MaxResults: 1000 },
      { Filters: [{ Name: 'snapshot-id', Values: ['snap-1', 'snap-2', 'snap-3'] }], MaxResults: 1000, NextToken: 't' }
    ])
    expect(found).toEqual([
      { snapshotId: 'snap-1', sizeGiB: 8, tier: 'standard', state: 'completed' },
      { snapshotId: 'snap-2', sizeGiB: 100, tier: 'archive', state: 'completed' },
      { snapshotId: 'snap-3', tier: 'standard', state: 'completed', restoreExpiryTime: '2027-01-05T00:00:00Z' }
    ])
    expect(await lifecycle().snapshots([])).toEqual([])
  })

  test('imagesInRecycleBin: at most 20 ids per call, each paginated, with enter and exit times', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `ami-${String(i).padStart(8, '0')}`)
    const calls: Array<{ ImageIds?: string[]; NextToken?: string; MaxResults?: number }> = []
    ec2Mock.on(ListImagesInRecycleBinCommand).callsFake((input: { ImageIds: string[]; NextToken?: string }) => {
      calls.push(structuredClone(input))
      if (input.ImageIds[0] === ids[0] && !input.NextToken) {
        return {
          Images: [
            {
              ImageId: ids[0],
              Name: 'golden-0',
              RecycleBinEnterTime: new Date('2026-12-31T12:00:00Z'),
              RecycleBinExitTime: new Date('2027-01-07T12:00:00Z')
            }
          ],
          NextToken: 'n'
        }
      }
      if (input.NextToken === 'n') return { Images: [{ ImageId: ids[1], Name: 'golden-1' }] }
      return { Images: [] }
    })
    const found = await lifecycle().imagesInRecycleBin(ids)
    expect(calls.map((c) => [c.ImageIds?.length, c.NextToken])).toEqual([
      [RECYCLE_BIN_IDS_MAX, undefined],
      [RECYCLE_BIN_IDS_MAX, 'n'],
      [RECYCLE_BIN_IDS_MAX, undefined],
      [5, undefined]
    ])
    expect(calls.every((c) => c.MaxResults === undefined)).toBe(true)
    expect(found).toEqual([
      { imageId: ids[0], name: 'golden-0', enterTime: '2026-12-31T12:00:00Z', exitTime: '2027-01-07T12:00:00Z' },
      { imageId: ids[1], name: 'golden-1' }
    ])
  })

  test("snapshotsInRecycleBinFor: the bin's snapshots whose description names the image; restoring one", async () => {
    ec2Mock.on(ListSnapshotsInRecycleBinCommand).resolves({
      Snapshots: [
        {
          SnapshotId: 'snap-1',
          Description: 'Created by CreateImage(i-0abc) for ami-00000001',
          RecycleBinExitTime: new Date('2027-01-07T00:00:00Z')
        },
        { SnapshotId: 'snap-2', Description: 'Created by CreateImage(i-0abc) for ami-00000002' },
        // an 8-digit id at the start of a 17-digit one is another image
        { SnapshotId: 'snap-3', Description: 'Copied for DestinationAmi ami-00000001012345678' }
      ]
    })
    const found = await lifecycle().snapshotsInRecycleBinFor(['ami-00000001', 'ami-00000003'])
    expect(found.get('ami-00000001')).toEqual([
      {
        snapshotId: 'snap-1',
        description: 'Created by CreateImage(i-0abc) for ami-00000001',
        exitTime: '2027-01-07T00:00:00Z'
      }
    ])
    expect(found.get('ami-00000003')).toEqual([])
    // one listing of the bin serves every image
    expect(ec2Mock.commandCalls(ListSnapshotsInRecycleBinCommand)).toHaveLength(1)
    ec2Mock.on(RestoreSnapshotFromRecycleBinCommand).resolves({ SnapshotId: 'snap-1' })
    expect(await lifecycle().restoreSnapshotFromRecycleBin('snap-1')).toEqual({ allowed: true })
  })
})

describe('toImage', () => {
  test('deregistration protection and the EBS snapshots of the block device mappings', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        {
          ImageId: 'ami-00000001',
          State: 'disabled',
          DeregistrationProtection: 'enabled-with-cooldown',
          BlockDeviceMappings: [
            { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-1', VolumeSize: 8 } },
            { DeviceName: '/dev/xvdb', VirtualName: 'ephemeral0' },
            { DeviceName: '/dev/xvdc', Ebs: { SnapshotId: 'snap-2' } }
          ]
        }
      ]
    })
    expect(toImage(REGION, { ImageId: 'ami-00000002' })).not.toHaveProperty('snapshots')
    const [image] = await lifecycle().ec2.imagesById(['ami-00000001'])
    expect(image?.deregistrationProtection).toBe('enabled-with-cooldown')
    expect(image?.snapshots).toEqual([{ snapshotId: 'snap-1', sizeGiB: 8 }, { snapshotId: 'snap-2' }])
  })
})
