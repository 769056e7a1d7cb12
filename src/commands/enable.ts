/**
 * `enable`: re-enable the named images and restore the sharing recorded when they were disabled.
 * An id that is no longer registered but is in the Recycle Bin (retired by `retire`, while a
 * retention rule holds it) is restored from the bin first (its snapshots too, when they are there),
 * then re-enabled and shared again from its record.
 */
import { describeError } from '../aws/errors.js'
import { Lifecycle, type BinnedImage, type BinnedSnapshot } from '../aws/lifecycle.js'
import { mapLimit, PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { Context } from '../context.js'
import type { Change, Image, RegionReport, RunReport } from '../model.js'
import { changeOf, dryRunRefusal } from '../steps/change.js'
import { enableAndRestore } from '../steps/enable-image.js'
import { lookUpOwned, notOwnedError } from '../steps/find-images.js'
import { logChange } from '../steps/log.js'
import { allSucceeded, eachRegion, emptyRegion } from '../steps/regions.js'

interface Found {
  images: Image[]
  /** Named ids that are in the Recycle Bin. */
  binned: BinnedImage[]
}

/**
 * The named images; an id not found is looked for in the Recycle Bin (only then: the usual run
 * makes no extra call). One neither registered nor in the bin fails the region, as before.
 */
async function findImages(ctx: Context, region: string, ids: string[]): Promise<Found> {
  const ec2 = ctx.ec2(region)
  const found = await lookUpOwned(ec2, ids)
  const notFound = found.missing.filter((id) => !found.elsewhere.has(id))
  let binned: BinnedImage[] = []
  try {
    binned = notFound.length > 0 ? await new Lifecycle(ec2).imagesInRecycleBin(notFound) : []
  } catch (error) {
    ctx.log.warning(`[${region}] the Recycle Bin was not checked: ${describeError(error)}`)
  }
  const inBin = new Set(binned.map((b) => b.imageId))
  const missing = found.missing.filter((id) => !inBin.has(id))
  const error = notOwnedError(region, { missing, elsewhere: found.elsewhere }, ctx.settings.targets)
  if (error) throw error
  return { images: found.images, binned }
}

/** The snapshots in the Recycle Bin of the binned images (one listing of the bin), or why they were not looked for. */
type BinnedSnapshots = Map<string, BinnedSnapshot[]> | { error: string }

async function binnedSnapshots(ctx: Context, region: string, binned: BinnedImage[]): Promise<BinnedSnapshots> {
  try {
    return await new Lifecycle(ctx.ec2(region)).snapshotsInRecycleBinFor(binned.map((b) => b.imageId))
  } catch (error) {
    return { error: describeError(error) }
  }
}

/** Restores a binned image (its snapshots first), then re-enables and re-shares it from its record. */
async function restoreAndEnable(
  ctx: Context,
  region: string,
  binned: BinnedImage,
  inBin: BinnedSnapshots
): Promise<Change> {
  const { dryRun } = ctx.settings
  const ec2 = ctx.ec2(region)
  const lifecycle = new Lifecycle(ec2)
  const who = { region, imageId: binned.imageId, name: binned.name }
  const until = binned.exitTime ? ` (it would have stayed there until ${binned.exitTime})` : ''
  const warnings = inBin instanceof Map ? [] : [`its snapshots in the Recycle Bin were not looked for: ${inBin.error}`]
  const snapshots = inBin instanceof Map ? (inBin.get(binned.imageId) ?? []).map((s) => s.snapshotId) : []
  for (const snapshotId of snapshots) {
    try {
      const refused = dryRunRefusal(await lifecycle.restoreSnapshotFromRecycleBin(snapshotId, dryRun))
      if (refused) return changeOf(who, 'enable', 'failed', { message: `snapshot ${snapshotId}: ${refused}` })
    } catch (error) {
      const message = `snapshot ${snapshotId} not restored from the Recycle Bin: ${describeError(error)}`
      return changeOf(who, 'enable', 'failed', { message })
    }
  }
  const withSnapshots = snapshots.length > 0 ? ` with its snapshots ${snapshots.join(', ')}` : ''
  // A failed change's warnings are not logged: why its snapshots were not looked for goes into its message.
  const unlisted = warnings.length > 0 ? `; ${warnings.join('; ')}` : ''
  try {
    const answer = await lifecycle.restoreFromRecycleBin(binned.imageId, dryRun)
    // In a dry run its snapshots are still in the bin (they were only checked), so EC2 may refuse
    // the image for that: only a missing permission counts then.
    const expected = dryRun && snapshots.length > 0 && !answer.allowed && !answer.error.denied
    const refused = expected ? undefined : dryRunRefusal(answer)
    if (refused) return changeOf(who, 'enable', 'failed', { message: `${refused}${unlisted}`, warnings })
  } catch (error) {
    const hint = snapshots.length === 0 ? '; if its snapshots are in the Recycle Bin too, restore them first' : ''
    const message = `not restored from the Recycle Bin: ${describeError(error)}${hint}${unlisted}`
    return changeOf(who, 'enable', 'failed', { message, warnings })
  }
  if (dryRun) {
    const message = `would be restored from the Recycle Bin${withSnapshots}${until}, then re-enabled and shared again from its record`
    return changeOf(who, 'enable', 'would-enable', { message, warnings })
  }
  const [image] = await ec2.imagesById([binned.imageId], ['self'])
  if (!image) {
    const message = 'restored from the Recycle Bin, but not visible yet: run enable again to re-enable and share it'
    return changeOf(who, 'enable', 'failed', { message, warnings })
  }
  const change = await enableAndRestore(ec2, image, dryRun, ctx.now(), {
    restored: `restored from the Recycle Bin${withSnapshots}`
  })
  return warnings.length ? { ...change, warnings: [...warnings, ...(change.warnings ?? [])] } : change
}

async function enableRegion(ctx: Context, region: string, found: Found): Promise<RegionReport> {
  const ec2 = ctx.ec2(region)
  // The binned images' snapshots are looked for while the registered images are re-enabled.
  const inBinQuery = found.binned.length > 0 ? binnedSnapshots(ctx, region, found.binned) : undefined
  const changes = await mapLimit(found.images, PER_REGION_CONCURRENCY, async (image) => {
    const change = await enableAndRestore(ec2, image, ctx.settings.dryRun, ctx.now())
    logChange(ctx.log, change)
    return change
  })
  const inBin = (await inBinQuery) ?? new Map<string, BinnedSnapshot[]>()
  const restored = await mapLimit(found.binned, PER_REGION_CONCURRENCY, async (binned) => {
    const change = await restoreAndEnable(ctx, region, binned, inBin)
    logChange(ctx.log, change)
    return change
  })
  return { ...emptyRegion(region), images: found.images, changes: [...changes, ...restored] }
}

export async function enable(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const subject = settings.targets.map((t) => t.imageId).join(', ')
  const run = { command: 'enable', dryRun: settings.dryRun, subject, commentKey: `enable ${subject}` } as const
  // Every region's images are looked up before any is changed: a missing id changes nothing.
  const found = await eachRegion(settings.targets, (region, ids) => findImages(ctx, region, ids))
  if (!allSucceeded(found)) {
    return {
      ...run,
      regions: found.map((r) => ({ ...emptyRegion(r.region, r.error), images: r.value?.images ?? [] }))
    }
  }
  ctx.planned()
  return { ...run, regions: await Promise.all(found.map((r) => enableRegion(ctx, r.region, r.value))) }
}
