/**
 * The emulator's end-of-life calls, driven by the real SDK client (so the XML is read through the
 * SDK's model): snapshots and their tiers, deregistration (protection, DeleteAssociatedSnapshots
 * result codes), the archive tier, the Recycle Bin, and DescribeImages' retire filters.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DisableImageDeregistrationProtectionCommand,
  EC2Client,
  EnableImageCommand,
  EnableImageDeregistrationProtectionCommand,
  ListImagesInRecycleBinCommand,
  ListSnapshotsInRecycleBinCommand,
  ModifySnapshotTierCommand,
  RestoreImageFromRecycleBinCommand,
  RestoreSnapshotFromRecycleBinCommand,
  paginateDescribeSnapshots
} from '@aws-sdk/client-ec2'
import { startAwsEmulator, type AwsEmulator, type EmuImage } from '../test-support/emulator/ec2.js'

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const REGION = 'us-east-1'
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }

let emu: AwsEmulator
let ec2: EC2Client

async function error(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p
  } catch (e) {
    const err = e as { name: string; message: string }
    return { name: err.name, message: err.message }
  }
  throw new Error('expected the call to fail')
}

beforeAll(async () => {
  emu = await startAwsEmulator()
  ec2 = new EC2Client({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 1 })
})
afterAll(async () => {
  ec2.destroy()
  await emu.close()
})
beforeEach(() => {
  emu.state.reset()
  emu.resetFaults()
  emu.clearCalls()
})

function withSnapshots(name: string, snapshots: Array<[string, number]>, extra: Partial<EmuImage> = {}): EmuImage {
  return emu.addImage(REGION, {
    name,
    state: 'disabled',
    blockDeviceMappings: snapshots.map(([snapshotId, volumeSize], i) => ({
      deviceName: `/dev/xvd${'abcdef'[i]}`,
      ebs: { snapshotId, volumeSize, volumeType: 'gp3', deleteOnTermination: true, encrypted: false }
    })),
    ...extra
  })
}

describe('snapshots', () => {
  it('every seeded image gets its 8 GiB root snapshot, described by EC2 as made for the image', async () => {
    const image = emu.addImage(REGION, { name: 'plain' })
    const id = image.blockDeviceMappings[0]!.ebs!.snapshotId!
    const out = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'snapshot-id', Values: [id] }] }))
    expect(out.Snapshots).toEqual([
      expect.objectContaining({
        SnapshotId: id,
        VolumeSize: 8,
        StorageTier: 'standard',
        State: 'completed',
        OwnerId: emu.accountId,
        Description: `Created by CreateImage(i-${image.imageId.slice(4)}) for ${image.imageId} `
      })
    ])
    expect(out.Snapshots?.[0]?.StartTime).toBeInstanceOf(Date)
  })

  it('DescribeSnapshots paginates (MaxResults, NextToken) and refuses MaxResults with ids', async () => {
    for (let i = 0; i < 7; i++) emu.addSnapshot(REGION, { volumeSize: i + 1 })
    const sizes: number[] = []
    for await (const page of paginateDescribeSnapshots({ client: ec2, pageSize: 5 }, { OwnerIds: ['self'] }))
      for (const s of page.Snapshots ?? []) sizes.push(s.VolumeSize ?? 0)
    expect(sizes).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(emu.count('DescribeSnapshots')).toBe(2)
    const id = emu.snapshots(REGION)[0]!.snapshotId
    expect((await error(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id], MaxResults: 5 })))).name).toBe(
      'InvalidParameterCombination'
    )
    expect(await error(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] })))).toEqual({
      name: 'InvalidSnapshot.NotFound',
      message: "The snapshot 'snap-0123456789abcdef0' does not exist."
    })
  })

  it('DescribeImages filters state, tag-key and block-device-mapping.snapshot-id', async () => {
    const a = withSnapshots('a', [['snap-0aaaaaaaaaaaaaaa1', 8]], { tags: [{ key: 'role', value: 'web' }] })
    const b = withSnapshots('b', [['snap-0aaaaaaaaaaaaaaa1', 8]], { state: 'available' })
    withSnapshots('c', [['snap-0aaaaaaaaaaaaaaa2', 8]])
    const names = async (filters: Array<{ Name: string; Values: string[] }>): Promise<string[]> =>
      (
        (await ec2.send(new DescribeImagesCommand({ Owners: ['self'], IncludeDisabled: true, Filters: filters })))
          .Images ?? []
      ).map((i) => i.Name ?? '')
    expect(await names([{ Name: 'state', Values: ['disabled'] }])).toEqual(['a', 'c'])
    expect(await names([{ Name: 'tag-key', Values: ['role'] }])).toEqual(['a'])
    expect(await names([{ Name: 'block-device-mapping.snapshot-id', Values: ['snap-0aaaaaaaaaaaaaaa1'] }])).toEqual([
      'a',
      'b'
    ])
    const [image] =
      (await ec2.send(new DescribeImagesCommand({ ImageIds: [a.imageId], IncludeDisabled: true }))).Images ?? []
    expect(image?.BlockDeviceMappings?.[0]?.Ebs).toEqual(
      expect.objectContaining({ SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', VolumeSize: 8 })
    )
    expect(b.state).toBe('available')
  })
})

describe('DeregisterImage', () => {
  it('deletes the snapshots no other image uses: success, skipped (shared), missing-permissions (denied)', async () => {
    const old = withSnapshots('old', [
      ['snap-0bbbbbbbbbbbbbbb1', 8],
      ['snap-0bbbbbbbbbbbbbbb2', 20]
    ])
    withSnapshots('other', [['snap-0bbbbbbbbbbbbbbb1', 8]], { state: 'available' })
    const out = await ec2.send(new DeregisterImageCommand({ ImageId: old.imageId, DeleteAssociatedSnapshots: true }))
    expect(out.Return).toBe(true)
    expect(out.DeleteSnapshotResults).toEqual([
      { SnapshotId: 'snap-0bbbbbbbbbbbbbbb1', ReturnCode: 'skipped' },
      { SnapshotId: 'snap-0bbbbbbbbbbbbbbb2', ReturnCode: 'success' }
    ])
    expect(emu.image(REGION, old.imageId)).toBeUndefined()
    expect(emu.snapshot(REGION, 'snap-0bbbbbbbbbbbbbbb1')).toBeDefined()
    expect(emu.snapshot(REGION, 'snap-0bbbbbbbbbbbbbbb2')).toBeUndefined()

    const denied = withSnapshots('denied', [['snap-0bbbbbbbbbbbbbbb3', 8]])
    emu.faults.deny.add('ec2:DeleteSnapshot')
    const again = await ec2.send(
      new DeregisterImageCommand({ ImageId: denied.imageId, DeleteAssociatedSnapshots: true })
    )
    expect(again.DeleteSnapshotResults).toEqual([
      { SnapshotId: 'snap-0bbbbbbbbbbbbbbb3', ReturnCode: 'missing-permissions' }
    ])
    expect(emu.snapshot(REGION, 'snap-0bbbbbbbbbbbbbbb3')).toBeDefined()
  })

  it('keeps the snapshots without DeleteAssociatedSnapshots; DryRun changes nothing', async () => {
    const old = withSnapshots('old', [['snap-0ccccccccccccccc1', 8]])
    expect((await error(ec2.send(new DeregisterImageCommand({ ImageId: old.imageId, DryRun: true })))).name).toBe(
      'DryRunOperation'
    )
    expect(emu.image(REGION, old.imageId)).toBeDefined()
    const out = await ec2.send(new DeregisterImageCommand({ ImageId: old.imageId }))
    expect(out.DeleteSnapshotResults).toBeUndefined()
    expect(emu.snapshot(REGION, 'snap-0ccccccccccccccc1')).toBeDefined()
    expect((await error(ec2.send(new DescribeImagesCommand({ ImageIds: [old.imageId] })))).name).toBe(
      'InvalidAMIID.NotFound'
    )
  })

  it('is refused while deregistration protection is on, for everyone; allowed once it is off', async () => {
    const old = withSnapshots('old', [['snap-0ddddddddddddddd1', 8]])
    await ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: old.imageId }))
    const [image] =
      (await ec2.send(new DescribeImagesCommand({ ImageIds: [old.imageId], IncludeDisabled: true }))).Images ?? []
    expect(image?.DeregistrationProtection).toBe('enabled-without-cooldown')
    expect((await error(ec2.send(new DeregisterImageCommand({ ImageId: old.imageId })))).name).toBe(
      'OperationNotPermitted'
    )
    await ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: old.imageId }))
    await ec2.send(new DeregisterImageCommand({ ImageId: old.imageId }))
    expect(emu.image(REGION, old.imageId)).toBeUndefined()
  })
})

describe('the archive tier', () => {
  it('archives only while every image using the snapshot is disabled; EnableImage is refused then', async () => {
    const old = withSnapshots('old', [['snap-0eeeeeeeeeeeeeee1', 50]])
    const copy = withSnapshots('copy', [['snap-0eeeeeeeeeeeeeee1', 50]], { state: 'available' })
    expect(
      (
        await error(
          ec2.send(new ModifySnapshotTierCommand({ SnapshotId: 'snap-0eeeeeeeeeeeeeee1', StorageTier: 'archive' }))
        )
      ).message
    ).toContain(copy.imageId)
    emu.image(REGION, copy.imageId)!.state = 'disabled'
    const out = await ec2.send(
      new ModifySnapshotTierCommand({ SnapshotId: 'snap-0eeeeeeeeeeeeeee1', StorageTier: 'archive' })
    )
    expect(out.SnapshotId).toBe('snap-0eeeeeeeeeeeeeee1')
    expect(out.TieringStartTime).toBeInstanceOf(Date)
    const described = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0eeeeeeeeeeeeeee1'] }))
    expect(described.Snapshots?.[0]?.StorageTier).toBe('archive')
    expect((await error(ec2.send(new EnableImageCommand({ ImageId: old.imageId })))).message).toMatch(
      /snap-0eeeeeeeeeeeeeee1.*archive tier.*Permanently restore/
    )
  })
})

describe('the Recycle Bin', () => {
  it('holds what a retention rule catches, tagged; restores snapshots first, then the image as it was', async () => {
    emu.recycleBinRule(REGION, { images: 7, snapshots: 10 })
    const old = withSnapshots('old', [['snap-0fffffffffffffff1', 8]], { tags: [{ key: 'role', value: 'web' }] })
    await ec2.send(new DeregisterImageCommand({ ImageId: old.imageId, DeleteAssociatedSnapshots: true }))
    expect(emu.image(REGION, old.imageId)).toBeUndefined()

    const images = await ec2.send(new ListImagesInRecycleBinCommand({ ImageIds: [old.imageId] }))
    expect(images.Images).toEqual([
      expect.objectContaining({ ImageId: old.imageId, Name: 'old', RecycleBinEnterTime: expect.any(Date) })
    ])
    const [entry] = images.Images ?? []
    expect(entry!.RecycleBinExitTime!.getTime() - entry!.RecycleBinEnterTime!.getTime()).toBe(7 * 86_400_000)
    expect(emu.imagesInBin(REGION)[0]?.item.tags).toContainEqual({
      key: 'aws:recycle-bin:resource-in-bin',
      value: 'true'
    })
    const snapshots = await ec2.send(new ListSnapshotsInRecycleBinCommand({ MaxResults: 1000 }))
    expect(snapshots.Snapshots?.map((s) => [s.SnapshotId, s.Description])).toEqual([
      ['snap-0fffffffffffffff1', `Created by CreateImage(i-${old.imageId.slice(4)}) for ${old.imageId} `]
    ])
    expect(
      (await error(ec2.send(new ListImagesInRecycleBinCommand({ ImageIds: [old.imageId], MaxResults: 5 })))).name
    ).toBe('InvalidParameterCombination')
    const tooMany = Array.from({ length: 21 }, (_, i) => `ami-${i.toString(16).padStart(17, '0')}`)
    expect((await error(ec2.send(new ListImagesInRecycleBinCommand({ ImageIds: tooMany })))).name).toBe(
      'InvalidParameterValue'
    )

    expect((await error(ec2.send(new RestoreImageFromRecycleBinCommand({ ImageId: old.imageId })))).message).toMatch(
      /snap-0fffffffffffffff1 are in the Recycle Bin/
    )
    expect(
      (
        await error(
          ec2.send(new RestoreSnapshotFromRecycleBinCommand({ SnapshotId: 'snap-0fffffffffffffff1', DryRun: true }))
        )
      ).name
    ).toBe('DryRunOperation')
    const restored = await ec2.send(new RestoreSnapshotFromRecycleBinCommand({ SnapshotId: 'snap-0fffffffffffffff1' }))
    expect(restored).toEqual(expect.objectContaining({ SnapshotId: 'snap-0fffffffffffffff1', VolumeSize: 8 }))
    expect((await ec2.send(new RestoreImageFromRecycleBinCommand({ ImageId: old.imageId }))).Return).toBe(true)
    const back = emu.image(REGION, old.imageId)!
    expect(back.state).toBe('disabled')
    expect(back.tags).toEqual([{ key: 'role', value: 'web' }])
    expect(emu.imagesInBin(REGION)).toEqual([])
  })

  it('without a rule, deregistered is gone; an expired bin entry is gone too', async () => {
    const old = withSnapshots('old', [['snap-01111111111111111', 8]])
    await ec2.send(new DeregisterImageCommand({ ImageId: old.imageId, DeleteAssociatedSnapshots: true }))
    expect(emu.imagesInBin(REGION)).toEqual([])
    expect((await ec2.send(new ListImagesInRecycleBinCommand({}))).Images).toBeUndefined()
    expect((await error(ec2.send(new RestoreImageFromRecycleBinCommand({ ImageId: old.imageId })))).name).toBe(
      'InvalidAMIID.NotFound'
    )
    emu.recycleBinRule(REGION, { images: 1 })
    const other = withSnapshots('other', [['snap-02222222222222222', 8]])
    await ec2.send(new DeregisterImageCommand({ ImageId: other.imageId }))
    emu.imagesInBin(REGION)[0]!.exitTime = Date.now() - 1
    expect(emu.imagesInBin(REGION)).toEqual([])
  })
})
