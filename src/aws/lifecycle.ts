/**
 * The EC2 gateway of an image's end of life: deregistering (with or without its snapshots), the
 * snapshots' size and storage tier, the archive tier, and the Recycle Bin. Over an `Ec2` (its
 * client and region); fetches and changes, decides nothing, hands back plain data. Every call is
 * wrapped in `awsCall` (an `AwsError` naming the IAM action); every change goes through
 * `Ec2.changeWith` (the region's pace; a dry run asks EC2, and `DryRunOperation` means allowed).
 */
import {
  DeregisterImageCommand,
  ModifySnapshotTierCommand,
  RestoreImageFromRecycleBinCommand,
  RestoreSnapshotFromRecycleBinCommand,
  paginateDescribeSnapshots,
  paginateListImagesInRecycleBin,
  paginateListSnapshotsInRecycleBin
} from '@aws-sdk/client-ec2'
import type { DryRunAnswer, Ec2 } from './ec2.js'
import { awsCall } from './errors.js'

/** EC2's answer for one snapshot of a deregistered image (`DeleteSnapshotResults`). */
export interface SnapshotReturnCode {
  snapshotId: string
  /** `success`, `skipped`, `missing-permissions`, `internal-error`, `client-error` */
  returnCode: string
}

/** What DescribeSnapshots says of one snapshot. */
export interface SnapshotInfo {
  snapshotId: string
  sizeGiB?: number
  /** `standard` or `archive` */
  tier: string
  /** `pending`, `completed`, `error`, `recoverable`, `recovering` */
  state: string
  /** Set while the snapshot is only temporarily restored from the archive tier (ISO 8601). */
  restoreExpiryTime?: string
}

/** An image in the Recycle Bin (ListImagesInRecycleBin). */
export interface BinnedImage {
  imageId: string
  name: string
  description?: string
  /** ISO 8601 */
  enterTime?: string
  /** Until when it can be restored (ISO 8601). */
  exitTime?: string
}

/** A snapshot in the Recycle Bin (ListSnapshotsInRecycleBin). */
export interface BinnedSnapshot {
  snapshotId: string
  description?: string
  exitTime?: string
}

/** ListImagesInRecycleBin takes at most 20 ids per call. */
export const RECYCLE_BIN_IDS_MAX = 20
/** DescribeSnapshots filter values per call. */
const SNAPSHOT_FILTER_MAX = 200

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export class Lifecycle {
  constructor(readonly ec2: Ec2) {}

  get region(): string {
    return this.ec2.region
  }

  /**
   * DeregisterImage, with `DeleteAssociatedSnapshots` when asked: EC2's result code for every
   * snapshot (empty when the snapshots are kept, and in a dry run).
   */
  async deregister(
    imageId: string,
    deleteSnapshots: boolean,
    dryRun = false
  ): Promise<{ answer: DryRunAnswer; snapshots: SnapshotReturnCode[] }> {
    const { answer, value } = await this.ec2.changeWith('ec2:DeregisterImage', dryRun, (DryRun) =>
      this.ec2.client.send(
        new DeregisterImageCommand({
          ImageId: imageId,
          ...(deleteSnapshots ? { DeleteAssociatedSnapshots: true } : {}),
          DryRun
        })
      )
    )
    const snapshots = (value?.DeleteSnapshotResults ?? []).map((r) => ({
      snapshotId: r.SnapshotId ?? '',
      returnCode: r.ReturnCode ?? 'unknown'
    }))
    return { answer, snapshots }
  }

  /** The snapshots by id, across all pages (a filter, so that an id that no longer exists is only absent). */
  async snapshots(snapshotIds: string[]): Promise<SnapshotInfo[]> {
    const found: SnapshotInfo[] = []
    if (snapshotIds.length === 0) return found
    await awsCall('ec2:DescribeSnapshots', async () => {
      for (const ids of chunks([...new Set(snapshotIds)], SNAPSHOT_FILTER_MAX)) {
        const pages = paginateDescribeSnapshots(
          { client: this.ec2.client, pageSize: 1000 },
          { Filters: [{ Name: 'snapshot-id', Values: ids }] }
        )
        for await (const page of pages) {
          for (const s of page.Snapshots ?? []) {
            const restoreExpiryTime = iso(s.RestoreExpiryTime)
            found.push({
              snapshotId: s.SnapshotId ?? '',
              ...(s.VolumeSize !== undefined ? { sizeGiB: s.VolumeSize } : {}),
              tier: s.StorageTier ?? 'standard',
              state: s.State ?? 'unknown',
              ...(restoreExpiryTime ? { restoreExpiryTime } : {})
            })
          }
        }
      }
    })
    return found
  }

  /** Moves a snapshot to the EBS archive tier (ModifySnapshotTier). */
  async archiveSnapshot(snapshotId: string, dryRun = false): Promise<DryRunAnswer> {
    const { answer } = await this.ec2.changeWith('ec2:ModifySnapshotTier', dryRun, (DryRun) =>
      this.ec2.client.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: 'archive', DryRun }))
    )
    return answer
  }

  /** The images of `imageIds` that are in the Recycle Bin, with until when (at most 20 ids per call, each paginated). */
  async imagesInRecycleBin(imageIds: string[]): Promise<BinnedImage[]> {
    const found: BinnedImage[] = []
    if (imageIds.length === 0) return found
    await awsCall('ec2:ListImagesInRecycleBin', async () => {
      for (const ids of chunks([...new Set(imageIds)], RECYCLE_BIN_IDS_MAX)) {
        const pages = paginateListImagesInRecycleBin({ client: this.ec2.client }, { ImageIds: ids })
        for await (const page of pages) {
          for (const i of page.Images ?? []) {
            const enterTime = iso(i.RecycleBinEnterTime)
            const exitTime = iso(i.RecycleBinExitTime)
            found.push({
              imageId: i.ImageId ?? '',
              name: i.Name ?? '',
              ...(i.Description ? { description: i.Description } : {}),
              ...(enterTime ? { enterTime } : {}),
              ...(exitTime ? { exitTime } : {})
            })
          }
        }
      }
    })
    return found
  }

  /** RestoreImageFromRecycleBin (its snapshots, when they are in the bin too, must be restored first). */
  async restoreFromRecycleBin(imageId: string, dryRun = false): Promise<DryRunAnswer> {
    const { answer } = await this.ec2.changeWith('ec2:RestoreImageFromRecycleBin', dryRun, (DryRun) =>
      this.ec2.client.send(new RestoreImageFromRecycleBinCommand({ ImageId: imageId, DryRun }))
    )
    return answer
  }

  /**
   * The snapshots in the Recycle Bin that were made for each of `imageIds`, by image id: EC2
   * writes the image id in the description of the snapshots it makes for an image (`Created by
   * CreateImage(i-…) for ami-…`, `Copied for DestinationAmi ami-…`). The bin is read once (every
   * page), whatever the number of images.
   */
  async snapshotsInRecycleBinFor(imageIds: string[]): Promise<Map<string, BinnedSnapshot[]>> {
    const found = new Map<string, BinnedSnapshot[]>(imageIds.map((id) => [id, []]))
    if (imageIds.length === 0) return found
    await awsCall('ec2:ListSnapshotsInRecycleBin', async () => {
      const pages = paginateListSnapshotsInRecycleBin({ client: this.ec2.client, pageSize: 1000 }, {})
      for await (const page of pages) {
        for (const s of page.Snapshots ?? []) {
          const exitTime = iso(s.RecycleBinExitTime)
          // whole ids only: an 8-digit id is the start of some 17-digit ones
          for (const imageId of new Set(s.Description?.match(/\bami-[0-9a-f]+\b/g) ?? [])) {
            found.get(imageId)?.push({
              snapshotId: s.SnapshotId ?? '',
              description: s.Description ?? '',
              ...(exitTime ? { exitTime } : {})
            })
          }
        }
      }
    })
    return found
  }

  /** RestoreSnapshotFromRecycleBin. */
  async restoreSnapshotFromRecycleBin(snapshotId: string, dryRun = false): Promise<DryRunAnswer> {
    const { answer } = await this.ec2.changeWith('ec2:RestoreSnapshotFromRecycleBin', dryRun, (DryRun) =>
      this.ec2.client.send(new RestoreSnapshotFromRecycleBinCommand({ SnapshotId: snapshotId, DryRun }))
    )
    return answer
  }
}
