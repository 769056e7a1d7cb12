/**
 * `rollback`: the named images are bad. Re-enable the images each one superseded (found by the
 * lineage `disable` wrote), restore their sharing, then disable the bad image, recording its own
 * sharing and lineage so that the rollback can be undone too.
 */
import { mapLimit, PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { Context } from '../context.js'
import type { Change, Image, RegionReport, RunReport } from '../model.js'
import { newestFirst } from '../rules/family.js'
import { readRecord, SUPERSEDED_BY_TAG } from '../rules/lineage.js'
import { changeOf } from '../steps/change.js'
import { disableSafely, type DisablePlan } from '../steps/disable-images.js'
import { enableAndRestore } from '../steps/enable-image.js'
import { ownedImages } from '../steps/find-images.js'
import { logChange } from '../steps/log.js'
import { allSucceeded, eachRegion, emptyRegion } from '../steps/regions.js'

interface RegionPlan {
  region: string
  bad: Image[]
  /** The images the bad ones superseded, newest first. */
  superseded: Image[]
}

async function planRegion(ctx: Context, region: string, ids: string[]): Promise<RegionPlan> {
  const ec2 = ctx.ec2(region)
  const { images: bad } = await ownedImages(ec2, ids, ctx.settings.targets)
  const tagged = await ec2.images([{ Name: `tag:${SUPERSEDED_BY_TAG}`, Values: ids }], {
    owners: ['self'],
    includeDisabled: true
  })
  const superseded = tagged
    .filter((i) => !ids.includes(i.imageId) && readRecord(i.tags)?.lineage.reason === 'superseded')
    .sort(newestFirst)
  const list = superseded.map((s) => `${s.imageId} (${s.state})`).join(', ')
  ctx.log.info(`[${region}] ${ids.join(', ')} superseded ${superseded.length} image(s)${list ? `: ${list}` : ''}`)
  return { region, bad, superseded }
}

/** The bad image's record: the newest image it superseded (a rollback of that one would bring it back). */
function badImagePlans(ctx: Context, plan: RegionPlan): DisablePlan[] {
  return plan.bad.map((bad) => ({
    image: bad,
    lineage: {
      supersededBy:
        plan.superseded.find((s) => readRecord(s.tags)?.lineage.supersededBy === bad.imageId)?.imageId ?? '',
      reason: 'rolled-back' as const,
      disabledAt: ctx.now().toISOString(),
      ...(ctx.runRef ? { run: ctx.runRef } : {})
    }
  }))
}

async function execute(ctx: Context, plan: RegionPlan): Promise<Change[]> {
  const { settings } = ctx
  const ec2 = ctx.ec2(plan.region)
  const enabled = await mapLimit(plan.superseded, PER_REGION_CONCURRENCY, async (image) => {
    const change = await enableAndRestore(ec2, image, settings.dryRun, ctx.now())
    logChange(ctx.log, change)
    return change
  })
  let disabled: Change[]
  if (enabled.some((c) => c.outcome === 'failed')) {
    const message = 'not disabled: an image it superseded could not be re-enabled, so it stays in service'
    disabled = plan.bad.map((bad) => changeOf(bad, 'disable', 'failed', { message }))
  } else {
    const plans = badImagePlans(ctx, plan)
    disabled = (await disableSafely(ec2, plans, settings.dryRun, PER_REGION_CONCURRENCY)).map((change, i) =>
      plans[i]?.lineage.supersededBy
        ? change
        : {
            ...change,
            message: [change.message, 'it superseded no image: nothing was re-enabled'].filter(Boolean).join('; ')
          }
    )
  }
  disabled.forEach((change) => logChange(ctx.log, change))
  return [...enabled, ...disabled]
}

export async function rollback(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const subject = settings.targets.map((t) => t.imageId).join(',')
  const run = { command: 'rollback', dryRun: settings.dryRun, subject, commentKey: `rollback ${subject}` } as const
  const results = await eachRegion(settings.targets, (region, ids) => planRegion(ctx, region, ids))
  const report = (region: string, images: Image[], changes: Change[], error?: string): RegionReport => ({
    ...emptyRegion(region, error),
    images,
    changes
  })
  if (!allSucceeded(results)) {
    return { ...run, regions: results.map((r) => report(r.region, r.value?.bad ?? [], [], r.error)) }
  }
  ctx.planned()
  const changes = await Promise.all(results.map((r) => execute(ctx, r.value)))
  return { ...run, regions: results.map((r, i) => report(r.region, r.value.bad, changes[i] ?? [])) }
}
