/**
 * Re-enabling an image: EnableImage, then share it again as the record that `disable` wrote
 * says, then mark the record re-enabled. An image already available is left as it is (its
 * sharing too). Public sharing refused (block public access) is a warning.
 */
import type { Ec2 } from '../aws/ec2.js'
import { describeError } from '../aws/errors.js'
import { emptySharing, type Change, type DisableRecord, type Image, type Sharing } from '../model.js'
import { readRecord, reenabledLineageTag } from '../rules/lineage.js'
import { changeOf, dryRunRefusal } from './change.js'

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

export async function enableAndRestore(ec2: Ec2, image: Image, dryRun: boolean, now: Date): Promise<Change> {
  if (image.state === 'available') return changeOf(image, 'enable', 'unchanged', { message: 'already available' })
  if (image.state !== 'disabled') {
    return changeOf(image, 'enable', 'failed', { message: `cannot be enabled: its state is ${image.state}` })
  }
  try {
    const refused = dryRunRefusal(await ec2.enable(image.imageId, dryRun))
    if (refused) return changeOf(image, 'enable', 'failed', { message: refused })
  } catch (error) {
    return changeOf(image, 'enable', 'failed', { message: describeError(error) })
  }
  const record = readRecord(image.tags)
  if (!record) {
    const warnings = ['no sharing record from this action: enabled without restoring any sharing']
    return changeOf(image, 'enable', dryRun ? 'would-enable' : 'enabled', { warnings })
  }
  const warnings = [
    ...(await restoreSharing(ec2, image.imageId, record.sharing, dryRun)),
    ...(await markReenabled(ec2, image.imageId, record, now, dryRun))
  ]
  return changeOf(image, 'enable', dryRun ? 'would-enable' : 'enabled', { sharing: record.sharing, warnings })
}
