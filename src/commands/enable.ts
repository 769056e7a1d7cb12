/** `enable`: re-enable the named images and restore the sharing recorded when they were disabled. */
import { mapLimit, PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { Context } from '../context.js'
import type { Image, RegionReport, RunReport } from '../model.js'
import { enableAndRestore } from '../steps/enable-image.js'
import { ownedImages } from '../steps/find-images.js'
import { logChange } from '../steps/log.js'
import { allSucceeded, eachRegion, emptyRegion } from '../steps/regions.js'

async function enableRegion(ctx: Context, region: string, images: Image[]): Promise<RegionReport> {
  const ec2 = ctx.ec2(region)
  const changes = await mapLimit(images, PER_REGION_CONCURRENCY, async (image) => {
    const change = await enableAndRestore(ec2, image, ctx.settings.dryRun, ctx.now())
    logChange(ctx.log, change)
    return change
  })
  return { ...emptyRegion(region), images, changes }
}

export async function enable(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const subject = settings.targets.map((t) => t.imageId).join(', ')
  const run = { command: 'enable', dryRun: settings.dryRun, subject, commentKey: `enable ${subject}` } as const
  // Every region's images are looked up before any is changed: a missing id changes nothing.
  const found = await eachRegion(
    settings.targets,
    async (region, ids) => (await ownedImages(ctx.ec2(region), ids, settings.targets)).images
  )
  if (!allSucceeded(found)) {
    return { ...run, regions: found.map((r) => ({ ...emptyRegion(r.region, r.error), images: r.value ?? [] })) }
  }
  ctx.planned()
  return { ...run, regions: await Promise.all(found.map((r) => enableRegion(ctx, r.region, r.value))) }
}
