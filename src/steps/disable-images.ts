/**
 * Disabling images without losing what is needed to restore them: read their sharing, read their
 * state again, write the record (sharing + lineage) as tags, and only then DisableImage. An image
 * whose sharing cannot be read or whose record cannot be written stays enabled.
 */
import type { Ec2 } from '../aws/ec2.js'
import { describeError } from '../aws/errors.js'
import { groupBy, mapLimit } from '../concurrency.js'
import type { ConsumerFinder, UsageSearch } from '../context.js'
import { emptyUsage, type Change, type Image, type Lineage, type Sharing, type Tag } from '../model.js'
import { recordDoesNotFit, recordTags } from '../rules/lineage.js'
import type { UsageFound } from '../rules/policy.js'
import { changeOf, dryRunRefusal } from './change.js'
import { withConsumers } from './find-consumers.js'

export interface DisablePlan {
  image: Image
  lineage: Lineage
}

export type SharingRead = { sharing: Sharing; error?: undefined } | { sharing?: undefined; error: string }

/** An image ready to be recorded and disabled. */
interface Ready {
  index: number
  image: Image
  sharing: Sharing
  tags: Tag[]
}

/** Reads the sharing of each image (all at once); a failure is kept per image. */
export async function readSharing(ec2: Ec2, images: Image[], concurrency: number): Promise<Map<string, SharingRead>> {
  const reads = await mapLimit(images, concurrency, async (image): Promise<SharingRead> => {
    try {
      return { sharing: await ec2.sharing(image.imageId) }
    } catch (error) {
      return {
        error: `not disabled: its sharing could not be read, so it could not be restored: ${describeError(error)}`
      }
    }
  })
  return new Map(images.map((image, i) => [image.imageId, reads[i] ?? { error: 'not disabled' }]))
}

/**
 * What points at the images about to be disabled (`disable`'s superseded images, `rollback`'s bad
 * ones), before the guards: the owner's usage search (`replacementIds`: the images the affected
 * things should move to), their sharing, and, with a consumer search, other accounts' usage (asked
 * with that sharing as it is now). The search runs beside the sharing reads; a search that fails is
 * `unknown`. The sharing is handed back for `disableSafely`, so that it is read once.
 */
export async function usageOfDisabling(
  ec2: Ec2,
  images: Image[],
  replacementIds: string[],
  search: { usage: UsageSearch; consumers?: ConsumerFinder | undefined },
  concurrency: number
): Promise<{ usage: UsageFound; sharing: Map<string, SharingRead> }> {
  if (images.length === 0) return { usage: emptyUsage(), sharing: new Map() }
  const own = search.usage
    .find(
      images.map((i) => i.imageId),
      replacementIds
    )
    .catch((error: unknown): UsageFound => ({ unknown: describeError(error) }))
  const sharing = await readSharing(ec2, images, concurrency)
  const others = search
    .consumers?.(ec2.region)
    .find(images.map((image) => ({ image, sharing: sharing.get(image.imageId)?.sharing })))
  const [usage, consumers] = await Promise.all([own, others])
  return { usage: withConsumers(usage, consumers), sharing }
}

/**
 * Each image's state read again, in one call: an image that another run disabled meanwhile has
 * lost its sharing already, and its record (written by that run) must not be overwritten.
 * Returns the images that are still to be disabled, and a Change for every other.
 */
async function checkAgain(
  ec2: Ec2,
  plans: DisablePlan[],
  read: SharingRead[]
): Promise<{ results: Array<Change | undefined>; ready: Ready[] }> {
  let fresh: Map<string, Image>
  try {
    const readable = plans.filter((_, i) => read[i]?.sharing).map((p) => p.image.imageId)
    fresh = new Map((await ec2.imagesById(readable)).map((i) => [i.imageId, i]))
  } catch (error) {
    const why = `not disabled: its state could not be checked again: ${describeError(error)}`
    return {
      results: plans.map(({ image }, i) => changeOf(image, 'disable', 'failed', { message: read[i]?.error ?? why })),
      ready: []
    }
  }
  const ready: Ready[] = []
  const results = plans.map(({ image, lineage }, index): Change | undefined => {
    const { sharing, error } = read[index] ?? { error: 'not disabled' }
    if (!sharing) return changeOf(image, 'disable', 'failed', { message: error })
    const now = fresh.get(image.imageId)
    if (!now) return changeOf(image, 'disable', 'failed', { message: 'not disabled: it is no longer found' })
    if (now.state !== 'available') {
      return changeOf(now, 'disable', 'unchanged', { message: `already ${now.state}; its record was left as it is` })
    }
    const tags = recordTags({ lineage, sharing })
    const tooMany = recordDoesNotFit(now.tags, tags)
    if (tooMany) {
      return changeOf(now, 'disable', 'failed', {
        message: `not disabled: ${tooMany}, so it could not be restored`,
        sharing
      })
    }
    ready.push({ index, image: now, sharing, tags })
    return undefined
  })
  return { results, ready }
}

/**
 * Disables images of one region: reads every image's sharing (all at once) unless the caller
 * already has, checks their state again, writes each record, and only once it is written,
 * DisableImage. One Change per plan, in order. `progress(done, total)` is called after each
 * DisableImage answer (the caller decides what to say: a long backlog waits on EC2's rate limits).
 */
export async function disableSafely(
  ec2: Ec2,
  plans: DisablePlan[],
  dryRun: boolean,
  concurrency: number,
  alreadyRead?: Map<string, SharingRead>,
  progress?: (done: number, total: number) => void
): Promise<Change[]> {
  const missing = plans.map((p) => p.image).filter((image) => !alreadyRead?.has(image.imageId))
  const readNow = await readSharing(ec2, missing, concurrency)
  const read = plans.map(
    ({ image }): SharingRead =>
      alreadyRead?.get(image.imageId) ?? readNow.get(image.imageId) ?? { error: 'not disabled' }
  )
  const { results, ready } = await checkAgain(ec2, plans, read)
  const recorded = await writeRecords(ec2, ready, dryRun, concurrency)
  let done = 0
  await mapLimit(ready, concurrency, async ({ index, image, sharing }) => {
    results[index] = recorded.get(image.imageId) ?? (await disableOne(ec2, image, sharing, dryRun))
    progress?.(++done, ready.length)
  })
  return results.map((r, i) => r ?? changeOf(plans[i]!.image, 'disable', 'failed', { message: 'not disabled' }))
}

/**
 * Writes the records; images whose records are identical (the usual case: not shared, same
 * lineage) share one CreateTags call. If a shared call fails, each image is tried alone, so
 * that a failure is reported for the image it belongs to. Returns the failures by image id.
 */
async function writeRecords(
  ec2: Ec2,
  ready: Ready[],
  dryRun: boolean,
  concurrency: number
): Promise<Map<string, Change>> {
  const failures = new Map<string, Change>()
  const fail = (r: Ready, message: string): void => {
    failures.set(r.image.imageId, changeOf(r.image, 'disable', 'failed', { message, sharing: r.sharing }))
  }
  /** False when a call for several images failed: they are then tried one by one. */
  const tagAll = async (items: Ready[]): Promise<boolean> => {
    const [first] = items
    if (!first) return true
    try {
      const refused = dryRunRefusal(
        await ec2.tag(
          items.map((r) => r.image.imageId),
          first.tags,
          dryRun
        )
      )
      if (refused) for (const r of items) fail(r, refused)
      return true
    } catch (error) {
      if (items.length > 1) return false
      fail(first, `not disabled: its sharing record could not be written: ${describeError(error)}`)
      return true
    }
  }
  const groups = [...groupBy(ready, (r) => JSON.stringify(r.tags)).values()]
  await mapLimit(groups, concurrency, async (group) => {
    if (!(await tagAll(group))) await mapLimit(group, concurrency, (r) => tagAll([r]))
  })
  return failures
}

async function disableOne(ec2: Ec2, image: Image, sharing: Sharing, dryRun: boolean): Promise<Change> {
  try {
    const refused = dryRunRefusal(await ec2.disable(image.imageId, dryRun))
    if (refused) return changeOf(image, 'disable', 'failed', { message: refused, sharing })
  } catch (error) {
    return changeOf(image, 'disable', 'failed', { message: describeError(error), sharing })
  }
  return changeOf(image, 'disable', dryRun ? 'would-disable' : 'disabled', { sharing })
}
