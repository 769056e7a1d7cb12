/** `enable`: re-enable the named images and restore the sharing recorded when they were disabled. */
import { mapLimit, PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { RunReport } from '../model.js'
import type { Context } from '../context.js'
import { ownedImages } from '../steps/find-images.js'
import { changeFailure, enableAndRestore } from '../steps/image-state.js'
import { eachRegion, emptyRegion, regionFailure } from '../steps/regions.js'
import { logChange } from '../steps/log.js'

export async function enable(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  // Every region's images are looked up before any is changed: a missing id changes nothing.
  const found = await eachRegion(
    settings.targets,
    async (region, ids) => (await ownedImages(ctx.ec2(region), ids)).images
  )
  const run: RunReport = {
    command: 'enable',
    dryRun: settings.dryRun,
    family: 'enable',
    regions: found.map((r) => ({ ...emptyRegion(r.region, r.error), images: r.value ?? [] }))
  }
  run.failure = regionFailure(found)
  if (run.failure) return run
  await Promise.all(
    run.regions.map(async (report) => {
      report.changes = await mapLimit(report.images, PER_REGION_CONCURRENCY, async (image) => {
        const change = await enableAndRestore(ctx.ec2(report.region), image, settings.dryRun, ctx.now())
        logChange(ctx, change)
        return change
      })
    })
  )
  run.failure = changeFailure(run.regions, settings.dryRun)
  return run
}
