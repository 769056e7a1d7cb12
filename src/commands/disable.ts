/**
 * `disable`: wait for the new images, decide each region's family, refuse (changing nothing)
 * when a guard says so, then record and disable the superseded images, region by region
 * concurrently. Returns the report; prints only through the logger.
 */
import type { Filter } from '@aws-sdk/client-ec2'
import type { Image, RegionReport, RunReport } from '../model.js'
import { decideFamily, familyKey, tagValue, toDisable } from '../rules/family.js'
import { applyInUse, inUseImages } from '../rules/usage.js'
import { describeError } from '../aws/errors.js'
import { RegionError, type Context, type Usage, type UsageSearch } from '../context.js'
import { BUILDING_STATES, ownedImages, waitUntilAvailable } from '../steps/find-images.js'
import { changeFailure, disableSafely, readSharing, type SharingRead } from '../steps/image-state.js'
import { eachRegion, emptyRegion, regionFailure } from '../steps/regions.js'
import { logChange } from '../steps/log.js'
import { PER_REGION_CONCURRENCY } from '../concurrency.js'

interface RegionPlan {
  report: RegionReport
  sharing: Map<string, SharingRead>
}

function familyFilters(ctx: Context, newImages: Image[]): Filter[] {
  const { familyTag, namePattern } = ctx.settings
  const filters: Filter[] = []
  if (familyTag) {
    const values = [...new Set(newImages.map((i) => tagValue(i.tags, familyTag)!))]
    filters.push({ Name: `tag:${familyTag}`, Values: values })
  }
  if (namePattern) filters.push({ Name: 'name', Values: [namePattern] })
  return filters
}

/** With `in-use: report` a failed usage search is a warning; with skip or fail it stops the region. */
async function findUsage(ctx: Context, region: string, search: UsageSearch, imageIds: string[]): Promise<Usage> {
  try {
    return await search.find(imageIds)
  } catch (error) {
    const why = describeError(error, 'ec2:DescribeLaunchTemplateVersions')
    if (ctx.settings.inUse !== 'report') {
      throw new RegionError(
        region,
        `cannot check which launch templates use the images (in-use: ${ctx.settings.inUse}): ${why}; nothing was changed`
      )
    }
    return { templates: [], groups: [], warnings: [`launch templates were not checked in ${region}: ${why}`] }
  }
}

/**
 * An older build of the family still being made (a race between two builds) is waited for,
 * within what is left of `wait-timeout`, so that the newer build's run can disable it once it is
 * available; one still pending then is skipped, with the reason.
 */
async function settleOlderBuilds(
  ctx: Context,
  region: string,
  newImages: Image[],
  candidates: Image[],
  deadline: number
): Promise<Image[]> {
  const newest = Math.max(...newImages.map((i) => Date.parse(i.creationDate)))
  const building = candidates.filter((c) => BUILDING_STATES.has(c.state) && Date.parse(c.creationDate) < newest)
  const seconds = Math.floor((deadline - ctx.now().getTime()) / 1000)
  if (building.length === 0 || seconds <= 0) return candidates
  ctx.log.info(
    `[${region}] waiting up to ${seconds}s for older build(s) of the family still being made: ${building.map((b) => b.imageId).join(', ')}`
  )
  const { images } = await ctx.ec2(region).waitFor(
    building.map((b) => b.imageId),
    seconds,
    (found) => (found.some((i) => BUILDING_STATES.has(i.state)) ? 'retry' : 'success')
  )
  const fresh = new Map(images.map((i) => [i.imageId, i]))
  return candidates.map((c) => fresh.get(c.imageId) ?? c)
}

async function planRegion(ctx: Context, region: string, imageIds: string[]): Promise<RegionPlan> {
  const { settings, log } = ctx
  const ec2 = ctx.ec2(region)
  const deadline = ctx.now().getTime() + settings.waitTimeoutSeconds * 1000
  const { images: found, accountId } = await ownedImages(ec2, imageIds)
  const newImages = await waitUntilAvailable(ec2, found, settings.waitTimeoutSeconds, (m) =>
    log.info(`[${region}] ${m}`)
  )
  if (settings.familyTag) {
    const untagged = newImages.filter((i) => tagValue(i.tags, settings.familyTag!) === undefined)
    if (untagged.length > 0) {
      throw new RegionError(
        region,
        `new image ${untagged.map((i) => i.imageId).join(', ')} has no '${settings.familyTag}' tag (family-tag), so its family is unknown; nothing was changed`
      )
    }
  }
  for (const image of newImages)
    log.info(`[${region}] new image ${image.imageId} (${image.name}), created ${image.creationDate}, is available`)
  // The family query goes first (everything after it waits for it); the usage reads that need no
  // image ids start beside it.
  const familyQuery = ec2.images(familyFilters(ctx, newImages), { owners: ['self'] })
  const usageSearch = ctx.usage(region)
  let candidates = await familyQuery
  candidates = await settleOlderBuilds(ctx, region, newImages, candidates, deadline)
  let decisions = decideFamily(newImages, candidates, accountId, settings)
  const doomed = toDisable(decisions)
  // Independent reads run together: which templates use the images, and their sharing.
  const [usage, sharing] = await Promise.all([
    doomed.length > 0
      ? findUsage(
          ctx,
          region,
          usageSearch,
          doomed.map((i) => i.imageId)
        )
      : { templates: [], groups: [], warnings: [] },
    readSharing(ec2, doomed, PER_REGION_CONCURRENCY)
  ])
  for (const warning of usage.warnings) log.warning(`[${region}] ${warning}`)
  decisions = applyInUse(decisions, usage.templates, settings.inUse)
  const family = [...new Set(newImages.map((i) => familyKey(i, settings)))].join(', ')
  const counts = (['disable', 'keep', 'exclude', 'skip'] as const).map(
    (k) =>
      `${decisions.filter((d) => d.kind === k).length} ${k === 'disable' ? 'to disable' : k === 'keep' ? 'kept' : k === 'exclude' ? 'excluded' : 'skipped'}`
  )
  log.info(`[${region}] family ${family}: ${decisions.length} older image(s) found: ${counts.join(', ')}`)
  // What will break: the templates and groups of the images to be disabled (an image left
  // enabled by in-use: skip names its templates in its own reason).
  const reported = new Set(toDisable(decisions).map((i) => i.imageId))
  const breaking = usage.templates.filter((t) => reported.has(t.imageId) && settings.inUse === 'report')
  if (breaking.length > 0) {
    const names = breaking.map(
      (t) => `${t.launchTemplateName} v${t.versionNumber}${t.isDefault ? ' (default)' : t.isLatest ? ' (latest)' : ''}`
    )
    log.warning(
      `[${region}] ${breaking.length} launch template version(s) still point at images being disabled; their next launch will fail: ${names.join(', ')}`
    )
  }
  return {
    sharing,
    report: {
      region,
      images: newImages,
      family,
      decisions,
      changes: [],
      templates: usage.templates.filter((t) => reported.has(t.imageId)),
      groups: usage.groups.filter((g) => reported.has(g.imageId)),
      warnings: usage.warnings
    }
  }
}

/** Why the whole run must change nothing, or undefined. */
function refusal(ctx: Context, plans: RegionPlan[]): string | undefined {
  const reasons: string[] = []
  for (const { report } of plans) {
    const count = toDisable(report.decisions).length
    if (count > ctx.settings.maxImages) {
      reasons.push(
        `${count} images would be disabled in ${report.region}, more than max-images (${ctx.settings.maxImages})`
      )
    }
    if (ctx.settings.inUse === 'fail') {
      const used = inUseImages(report.decisions, report.templates)
      if (used.length > 0) {
        reasons.push(
          `in ${report.region}, ${used.map((u) => `${u.imageId} is used by ${u.templates.join(', ')}`).join('; ')} (in-use: fail)`
        )
      }
    }
  }
  return reasons.length ? `refusing to disable anything: ${reasons.join('; ')}` : undefined
}

async function execute(ctx: Context, { report, sharing }: RegionPlan): Promise<void> {
  const disabledAt = ctx.now().toISOString()
  const plans = report.decisions
    .filter((d) => d.kind === 'disable')
    .map(({ image, supersededBy }) => ({
      image,
      lineage: {
        supersededBy: supersededBy ?? report.images[0].imageId,
        reason: 'superseded' as const,
        disabledAt,
        ...(ctx.runRef ? { run: ctx.runRef } : {})
      }
    }))
  report.changes = await disableSafely(
    ctx.ec2(report.region),
    plans,
    ctx.settings.dryRun,
    PER_REGION_CONCURRENCY,
    sharing
  )
  report.changes.forEach((change, i) => logChange(ctx, change, `superseded by ${plans[i].lineage.supersededBy}`))
}

export async function disable(ctx: Context): Promise<RunReport> {
  const results = await eachRegion(ctx.settings.targets, (region, ids) => planRegion(ctx, region, ids))
  const plans = results.flatMap((r) => (r.value ? [r.value] : []))
  const reports = results.map((r) => r.value?.report ?? emptyRegion(r.region, r.error))
  const family =
    [...new Set(reports.map((r) => r.family).filter(Boolean))].join(', ') ||
    (ctx.settings.familyTag ?? ctx.settings.namePattern ?? '')
  const run: RunReport = { command: 'disable', dryRun: ctx.settings.dryRun, family, regions: reports }
  run.failure = regionFailure(results) ?? refusal(ctx, plans)
  if (run.failure) return run
  ctx.planned?.()
  await Promise.all(plans.map((p) => execute(ctx, p)))
  run.failure = changeFailure(reports, ctx.settings.dryRun)
  return run
}
