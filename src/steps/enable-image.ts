/**
 * Re-enabling an image: EnableImage, then share it again as the record that `disable` wrote
 * says, then mark the record re-enabled. An image already available is left as it is (its
 * sharing too), unless it was just restored from the Recycle Bin (then it is shared again).
 * Public sharing refused (block public access) is a warning.
 *
 * An image whose snapshots are in the EBS archive tier (`retire` with `snapshots: archive`)
 * cannot be enabled until they are permanently restored: that fails with the explanation, before
 * EnableImage when the image carries retire's `archived` tag, or in place of EC2's error
 * otherwise (the snapshots' tiers are read then).
 */
import type { Ec2 } from '../aws/ec2.js'
import { describeError } from '../aws/errors.js'
import { Lifecycle } from '../aws/lifecycle.js'
import { emptySharing, type Change, type DisableRecord, type Image, type Sharing } from '../model.js'
import { readRecord, reenabledLineageTag } from '../rules/lineage.js'
import { ARCHIVED_TAG } from '../rules/retire.js'
import { changeOf, dryRunRefusal } from './change.js'

/** Why an image cannot be enabled because of its archived snapshots, in words. */
export function archivedExplanation(snapshotIds: string[]): string {
  return `its snapshots are in the EBS archive tier (${snapshotIds.join(', ')}): re-enabling needs a permanent restore of each first (RestoreSnapshotTier with PermanentRestore, up to 72 hours), then run enable again`
}

/**
 * The image's snapshots that are archived or only temporarily restored (EnableImage refuses both),
 * or undefined when none is, or they cannot be read (then EnableImage is tried, and says).
 */
async function archivedSnapshots(ec2: Ec2, image: Image): Promise<string[] | undefined> {
  const ids = (image.snapshots ?? []).map((s) => s.snapshotId)
  if (ids.length === 0) return undefined
  try {
    const found = await new Lifecycle(ec2).snapshots(ids)
    const archived = found.filter((s) => s.tier === 'archive' || s.restoreExpiryTime).map((s) => s.snapshotId)
    return archived.length > 0 ? archived : undefined
  } catch {
    return undefined
  }
}

/** Shares the image again as recorded: accounts, organizations and OUs, then public. Returns the warnings. */
async function restoreSharing(ec2: Ec2, imageId: string, sharing: Sharing, dryRun: boolean): Promise<string[]> {
  const warnings: string[] = []
  const restore = async (part: Sharing, what: string): Promise<void> => {
    try {
      const answer = await ec2.share(imageId, part, dryRun)
      // In a dry run the image is still disabled, so EC2 may refuse the share for its state:
      // only a missing permission is worth saying then.
      const refused = answer.allowed || answer.error.denied ? dryRunRefusal(answer) : undefined
      if (refused) warnings.push(refused)
    } catch (error) {
      warnings.push(`${what} not restored: ${describeError(error)}`)
    }
  }
  await restore({ ...sharing, public: false }, 'sharing with accounts, organizations and OUs')
  if (sharing.public) await restore({ ...emptySharing(), public: true }, 'public sharing')
  return warnings
}

/** Marks the record re-enabled (a later retire or rollback reads it). Returns the warnings. */
async function markReenabled(
  ec2: Ec2,
  imageId: string,
  record: DisableRecord,
  now: Date,
  dryRun: boolean
): Promise<string[]> {
  try {
    const refused = dryRunRefusal(await ec2.tag(imageId, [reenabledLineageTag(record, now.toISOString())], dryRun))
    return refused ? [refused] : []
  } catch (error) {
    return [`lineage not marked as re-enabled: ${describeError(error)}`]
  }
}

export interface EnableOptions {
  /** Restored from the Recycle Bin by this run (or would be, in a dry run): share it again even when it is available. */
  restored?: string
}

export async function enableAndRestore(
  ec2: Ec2,
  image: Image,
  dryRun: boolean,
  now: Date,
  options: EnableOptions = {}
): Promise<Change> {
  const { restored } = options
  if (image.state === 'available' && !restored) {
    return changeOf(image, 'enable', 'unchanged', { message: 'already available' })
  }
  if (image.state !== 'disabled' && image.state !== 'available') {
    return changeOf(image, 'enable', 'failed', { message: `cannot be enabled: its state is ${image.state}` })
  }
  if (image.state === 'disabled') {
    if (image.tags.some((t) => t.key === ARCHIVED_TAG)) {
      const archived = await archivedSnapshots(ec2, image)
      if (archived) return changeOf(image, 'enable', 'failed', { message: archivedExplanation(archived) })
    }
    try {
      const answer = await ec2.enable(image.imageId, dryRun)
      const refused = dryRunRefusal(answer)
      if (refused) {
        const archived = !answer.allowed && !answer.error.denied ? await archivedSnapshots(ec2, image) : undefined
        return changeOf(image, 'enable', 'failed', { message: archived ? archivedExplanation(archived) : refused })
      }
    } catch (error) {
      const archived = await archivedSnapshots(ec2, image)
      const message = archived ? archivedExplanation(archived) : describeError(error)
      return changeOf(image, 'enable', 'failed', { message })
    }
  }
  const done = dryRun ? 'would-enable' : 'enabled'
  const record = readRecord(image.tags)
  if (!record) {
    const warnings = ['no sharing record from this action: enabled without restoring any sharing']
    return changeOf(image, 'enable', done, { ...(restored ? { message: restored } : {}), warnings })
  }
  const warnings = [
    ...(await restoreSharing(ec2, image.imageId, record.sharing, dryRun)),
    ...(await markReenabled(ec2, image.imageId, record, now, dryRun))
  ]
  return changeOf(image, 'enable', done, {
    ...(restored ? { message: restored } : {}),
    sharing: record.sharing,
    warnings
  })
}
