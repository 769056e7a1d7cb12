/**
 * Changing one image's state safely. Disabling: read its sharing, write the record (sharing +
 * lineage) as tags, and only then DisableImage; an image whose record cannot be written stays
 * enabled. Enabling: EnableImage, then share it again as the record says.
 */
import type { Ec2, DryRunAnswer } from '../aws/ec2.js'
import { groupBy, mapLimit } from '../concurrency.js'
import { describeError, errorInfo } from '../aws/errors.js'
import type { Change, Image, Lineage, Sharing, Tag } from '../model.js'
import { readRecord, recordDoesNotFit, recordTags, reenabledLineageTag } from '../rules/lineage.js'

function failed(image: Image, action: Change['action'], message: string, sharing?: Sharing): Change {
  return {
    region: image.region,
    imageId: image.imageId,
    name: image.name,
    action,
    outcome: 'failed',
    message,
    ...(sharing ? { sharing } : {})
  }
}

function denied(answer: DryRunAnswer, action: string): string | undefined {
  return answer.allowed ? undefined : `dry run: ${describeError(answer.error, action)}`
}

export interface DisablePlan {
  image: Image
  lineage: Lineage
}

function unchanged(image: Image, message: string): Change {
  return {
    region: image.region,
    imageId: image.imageId,
    name: image.name,
    action: 'disable',
    outcome: 'unchanged',
    message
  }
}

/**
 * Disables images of one region without losing what is needed to restore them:
 * 1. read every image's sharing (all at once), unless the caller already has;
 * 2. read their state again in one call: an image that another run disabled meanwhile has lost
 *    its sharing already, and its record (written by that run) must not be overwritten;
 * 3. write each record, and only once it is written, DisableImage.
 * An image whose sharing cannot be read or whose record cannot be written stays enabled.
 */
export type SharingRead = { sharing: Sharing; error?: undefined } | { sharing?: undefined; error: string }

/** Reads the sharing of each image (all at once); a failure is kept per image. */
export async function readSharing(ec2: Ec2, images: Image[], concurrency: number): Promise<Map<string, SharingRead>> {
  const reads = await mapLimit(images, concurrency, async (image): Promise<SharingRead> => {
    try {
      return { sharing: await ec2.sharing(image.imageId) }
    } catch (error) {
      return {
        error: `not disabled: its sharing could not be read, so it could not be restored: ${describeError(error, 'ec2:DescribeImageAttribute')}`
      }
    }
  })
  return new Map(images.map((image, i) => [image.imageId, reads[i]]))
}

export async function disableSafely(
  ec2: Ec2,
  plans: DisablePlan[],
  dryRun: boolean,
  concurrency: number,
  alreadyRead?: Map<string, SharingRead>
): Promise<Change[]> {
  const missing = plans.map((p) => p.image).filter((image) => !alreadyRead?.has(image.imageId))
  const readNow = await readSharing(ec2, missing, concurrency)
  const read = plans.map(({ image }) => alreadyRead?.get(image.imageId) ?? readNow.get(image.imageId)!)
  let fresh: Map<string, Image>
  try {
    const readable = plans.filter((_, i) => read[i].sharing).map((p) => p.image.imageId)
    fresh = new Map((await ec2.imagesById(readable)).map((i) => [i.imageId, i]))
  } catch (error) {
    const why = `not disabled: its state could not be checked again: ${describeError(error, 'ec2:DescribeImages')}`
    return plans.map(({ image }, i) => failed(image, 'disable', read[i].error ?? why))
  }
  const results: Array<Change | undefined> = plans.map(({ image }, i) => {
    const { sharing, error } = read[i]
    if (!sharing) return failed(image, 'disable', error ?? 'not disabled')
    const now = fresh.get(image.imageId)
    if (!now) return failed(image, 'disable', 'not disabled: it is no longer found')
    if (now.state !== 'available') return unchanged(now, `already ${now.state}; its record was left as it is`)
    const tooMany = recordDoesNotFit(now.tags, recordTags({ lineage: plans[i].lineage, sharing }))
    return tooMany
      ? failed(now, 'disable', `not disabled: ${tooMany}, so it could not be restored`, sharing)
      : undefined
  })
  const ready = plans.flatMap(({ lineage }, i) =>
    results[i]
      ? []
      : [
          {
            index: i,
            image: fresh.get(plans[i].image.imageId)!,
            sharing: read[i].sharing!,
            tags: recordTags({ lineage, sharing: read[i].sharing! })
          }
        ]
  )
  const recorded = await writeRecords(ec2, ready, dryRun, concurrency)
  await mapLimit(ready, concurrency, async ({ index, image, sharing }) => {
    results[index] = recorded.get(image.imageId) ?? (await disableOne(ec2, image, sharing, dryRun))
  })
  return results.map((r) => r!)
}

/**
 * Writes the records; images whose records are identical (the usual case: not shared, same
 * lineage) share one CreateTags call. If a shared call fails, each image is tried alone, so
 * that a failure is reported for the image it belongs to. Returns the failures by image id.
 */
async function writeRecords(
  ec2: Ec2,
  ready: Array<{ image: Image; sharing: Sharing; tags: Tag[] }>,
  dryRun: boolean,
  concurrency: number
): Promise<Map<string, Change>> {
  const failures = new Map<string, Change>()
  const tagOne = async (items: typeof ready): Promise<boolean> => {
    try {
      const no = denied(
        await ec2.tag(
          items.map((r) => r.image.imageId),
          items[0].tags,
          dryRun
        ),
        'ec2:CreateTags'
      )
      if (no) for (const r of items) failures.set(r.image.imageId, failed(r.image, 'disable', no, r.sharing))
      return true
    } catch (error) {
      if (items.length > 1) return false
      failures.set(
        items[0].image.imageId,
        failed(
          items[0].image,
          'disable',
          `not disabled: its sharing record could not be written: ${describeError(error, 'ec2:CreateTags')}`,
          items[0].sharing
        )
      )
      return true
    }
  }
  const groups = [...groupBy(ready, (r) => JSON.stringify(r.tags)).values()]
  await mapLimit(groups, concurrency, async (group) => {
    if (!(await tagOne(group))) await mapLimit(group, concurrency, (r) => tagOne([r]))
  })
  return failures
}

async function disableOne(ec2: Ec2, image: Image, sharing: Sharing, dryRun: boolean): Promise<Change> {
  try {
    const answer = await ec2.disable(image.imageId, dryRun)
    const no = denied(answer, 'ec2:DisableImage')
    if (no) return failed(image, 'disable', no, sharing)
  } catch (error) {
    return failed(image, 'disable', describeError(error, 'ec2:DisableImage'), sharing)
  }
  return {
    region: image.region,
    imageId: image.imageId,
    name: image.name,
    action: 'disable',
    outcome: dryRun ? 'would-disable' : 'disabled',
    sharing
  }
}

/**
 * Re-enables an image and restores the sharing its record holds. An image already available is
 * left as it is (its sharing too). Public sharing refused (block public access) is a warning.
 */
export async function enableAndRestore(ec2: Ec2, image: Image, dryRun: boolean, now: Date): Promise<Change> {
  const base = { region: image.region, imageId: image.imageId, name: image.name, action: 'enable' as const }
  if (image.state === 'available') return { ...base, outcome: 'unchanged', message: 'already available' }
  if (image.state !== 'disabled') return failed(image, 'enable', `cannot be enabled: its state is ${image.state}`)
  const record = readRecord(image.tags)
  try {
    const no = denied(await ec2.enable(image.imageId, dryRun), 'ec2:EnableImage')
    if (no) return failed(image, 'enable', no)
  } catch (error) {
    return failed(image, 'enable', describeError(error, 'ec2:EnableImage'))
  }
  const warnings: string[] = []
  if (!record) warnings.push('no sharing record from this action: enabled without restoring any sharing')
  const sharing = record?.sharing
  if (sharing) {
    const { public: isPublic, ...accounts } = sharing
    const restore = async (part: Sharing, what: string): Promise<void> => {
      try {
        const answer = await ec2.share(image.imageId, part, dryRun)
        // In a dry run the image is still disabled, so EC2 may refuse the share for its state:
        // only a missing permission is worth saying then.
        const no =
          answer.allowed || errorInfo(answer.error, 'ec2:ModifyImageAttribute').missingAction
            ? denied(answer, 'ec2:ModifyImageAttribute')
            : undefined
        if (no) warnings.push(no)
      } catch (error) {
        warnings.push(`${what} not restored: ${describeError(error, 'ec2:ModifyImageAttribute')}`)
      }
    }
    await restore({ ...accounts, public: false }, 'sharing with accounts, organizations and OUs')
    if (isPublic)
      await restore({ public: true, userIds: [], organizationArns: [], organizationalUnitArns: [] }, 'public sharing')
  }
  if (record) {
    try {
      const no = denied(
        await ec2.tag(image.imageId, [reenabledLineageTag(record, now.toISOString())], dryRun),
        'ec2:CreateTags'
      )
      if (no) warnings.push(no)
    } catch (error) {
      warnings.push(`lineage not marked as re-enabled: ${describeError(error, 'ec2:CreateTags')}`)
    }
  }
  return {
    ...base,
    outcome: dryRun ? 'would-enable' : 'enabled',
    ...(sharing ? { sharing } : {}),
    ...(warnings.length ? { warnings } : {})
  }
}

/** The run's failure line when some images could not be changed. */
export function changeFailure(reports: Array<{ changes: Change[] }>, dryRun: boolean): string | undefined {
  const failed = reports.flatMap((r) => r.changes.filter((c) => c.outcome === 'failed'))
  if (failed.length === 0) return undefined
  const verb = dryRun ? 'checked' : 'changed'
  return `${failed.length} image(s) could not be ${verb}: ${failed.map((c) => `${c.imageId} (${c.message})`).join('; ')}`
}
