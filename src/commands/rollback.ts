/**
 * `rollback`: the named images are bad. Re-enable the images each one superseded (found by the
 * lineage `disable` wrote), restore their sharing, then disable the bad image, recording its own
 * sharing and lineage so that the rollback can be undone too.
 */
import { mapLimit, PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { Change, Image, RegionReport, RunReport } from '../model.js'
import { newestFirst } from '../rules/family.js'
import { readRecord, SUPERSEDED_BY_TAG } from '../rules/lineage.js'
import type { Context } from '../context.js'
import { ownedImages } from '../steps/find-images.js'
import { changeFailure, disableSafely, enableAndRestore } from '../steps/image-state.js'
import { eachRegion, emptyRegion, regionFailure } from '../steps/regions.js'
import { logChange } from '../steps/log.js'

interface RegionPlan {
  bad: Image[]
  superseded: Image[]
}

async function planRegion(ctx: Context, region: string, ids: string[]): Promise<RegionPlan> {
  const ec2 = ctx.ec2(region)
  const { images: bad } = await ownedImages(ec2, ids)
  const superseded = (
    await ec2.images([{ Name: `tag:${SUPERSEDED_BY_TAG}`, Values: ids }], { owners: ['self'], includeDisabled: true })
  )
    .filter((i) => !ids.includes(i.imageId) && readRecord(i.tags)?.lineage.reason === 'superseded')
    .sort(newestFirst)
  ctx.log.info(
    `[${region}] ${bad.map((b) => b.imageId).join(', ')} superseded ${superseded.length} image(s)${superseded.length ? `: ${superseded.map((s) => `${s.imageId} (${s.state})`).join(', ')}` : ''}`
  )
  return { bad, superseded }
}

async function execute(ctx: Context, report: RegionReport, plan: RegionPlan): Promise<void> {
  const { settings } = ctx
  const ec2 = ctx.ec2(report.region)
  const enabled = await mapLimit(plan.superseded, PER_REGION_CONCURRENCY, async (image) => {
    const change = await enableAndRestore(ec2, image, settings.dryRun, ctx.now())
    logChange(ctx, change)
    return change
  })
  let disabled: Change[]
  if (enabled.some((c) => c.outcome === 'failed')) {
    disabled = plan.bad.map((bad) => ({
      region: bad.region,
      imageId: bad.imageId,
      name: bad.name,
      action: 'disable',
      outcome: 'failed',
      message: 'not disabled: an image it superseded could not be re-enabled, so it stays in service'
    }))
  } else {
    const plans = plan.bad.map((bad) => ({
      image: bad,
      lineage: {
        // The newest image it superseded: a rollback of that image would bring this one back.
        supersededBy:
          plan.superseded.find((s) => readRecord(s.tags)?.lineage.supersededBy === bad.imageId)?.imageId ?? '',
        reason: 'rolled-back' as const,
        disabledAt: ctx.now().toISOString(),
        ...(ctx.runRef ? { run: ctx.runRef } : {})
      }
    }))
    disabled = await disableSafely(ec2, plans, settings.dryRun, PER_REGION_CONCURRENCY)
    disabled.forEach((change, i) => {
      if (!plans[i].lineage.supersededBy)
        change.message = [change.message, 'it superseded no image: nothing was re-enabled'].filter(Boolean).join('; ')
    })
  }
  disabled.forEach((change) => logChange(ctx, change))
  report.changes = [...enabled, ...disabled]
}

export async function rollback(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const plans = await eachRegion(settings.targets, (region, ids) => planRegion(ctx, region, ids))
  const regions = plans.map((p) => ({ ...emptyRegion(p.region, p.error), images: p.value?.bad ?? [] }))
  const family = `rollback ${settings.targets.map((t) => t.imageId).join(',')}`
  const run: RunReport = { command: 'rollback', dryRun: settings.dryRun, family, regions }
  run.failure = regionFailure(plans)
  if (run.failure) return run
  await Promise.all(plans.map((p, i) => execute(ctx, regions[i], p.value!)))
  run.failure = changeFailure(regions, settings.dryRun)
  return run
}
