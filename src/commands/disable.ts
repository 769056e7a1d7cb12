/**
 * `disable`: wait for the new images, decide each region's family, refuse (changing nothing)
 * when a guard says so, then record and disable the superseded images, region by region
 * concurrently. Returns the report; prints only through the logger.
 */
import type { Filter } from '@aws-sdk/client-ec2'
import { mapLimit, groupBy } from '../concurrency.js'
import type { Decision, Image, RegionReport, RunReport } from '../model.js'
import { decideFamily, familyKey, tagValue, toDisable } from '../rules/family.js'
import { applyInUse, inUseImages } from '../rules/usage.js'
import { describeError } from '../aws/errors.js'
import { RegionError, type Context, type Usage } from './context.js'
import { ownedImages, waitUntilAvailable } from './images.js'
import { recordAndDisable } from './image-state.js'

/** Images changed at once within one region; the SDK's adaptive retry paces them further. */
export const PER_REGION_CONCURRENCY = 8

interface RegionPlan {
  report: RegionReport
  accountId: string
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
async function findUsage(ctx: Context, region: string, imageIds: string[]): Promise<Usage> {
  try {
    return await ctx.usage(region, imageIds)
  } catch (error) {
    const why = describeError(error, 'ec2:DescribeLaunchTemplateVersions')
    if (ctx.settings.inUse !== 'report') {
      throw new RegionError(region, `cannot check which launch templates use the images (in-use: ${ctx.settings.inUse}): ${why}; nothing was changed`)
    }
    return { templates: [], groups: [], warnings: [`launch templates were not checked in ${region}: ${why}`] }
  }
}

async function planRegion(ctx: Context, region: string, imageIds: string[]): Promise<RegionPlan> {
  const { settings, log } = ctx
  const ec2 = ctx.ec2(region)
  const { images: found, accountId } = await ownedImages(ec2, imageIds)
  const newImages = await waitUntilAvailable(ec2, found, settings.waitTimeoutSeconds, (m) => log.info(`[${region}] ${m}`))
  if (settings.familyTag) {
    const untagged = newImages.filter((i) => tagValue(i.tags, settings.familyTag!) === undefined)
    if (untagged.length > 0) {
      throw new RegionError(region, `new image ${untagged.map((i) => i.imageId).join(', ')} has no '${settings.familyTag}' tag (family-tag), so its family is unknown; nothing was changed`)
    }
  }
  for (const image of newImages) log.info(`[${region}] new image ${image.imageId} (${image.name}), created ${image.creationDate}, is available`)
  const candidates = await ec2.images(familyFilters(ctx, newImages), { owners: ['self'] })
  let decisions = decideFamily(newImages, candidates, accountId, settings)
  const doomedIds = toDisable(decisions).map((i) => i.imageId)
  const usage = doomedIds.length > 0 ? await findUsage(ctx, region, doomedIds) : { templates: [], groups: [], warnings: [] }
  decisions = applyInUse(decisions, usage.templates, settings.inUse)
  const family = [...new Set(newImages.map((i) => familyKey(i, settings)))].join(', ')
  const counts = (['disable', 'keep', 'exclude', 'skip'] as const).map((k) => `${decisions.filter((d) => d.kind === k).length} ${k === 'disable' ? 'to disable' : k === 'keep' ? 'kept' : k === 'exclude' ? 'excluded' : 'skipped'}`)
  log.info(`[${region}] family ${family}: ${decisions.length} older image(s) found: ${counts.join(', ')}`)
  const reported = new Set(decisions.filter((d) => d.kind === 'disable' || d.inUse).map((d) => d.image.imageId))
  return {
    accountId,
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
      reasons.push(`${count} images would be disabled in ${report.region}, more than max-images (${ctx.settings.maxImages})`)
    }
    if (ctx.settings.inUse === 'fail') {
      const used = inUseImages(report.decisions, report.templates)
      if (used.length > 0) {
        reasons.push(`in ${report.region}, ${used.map((u) => `${u.imageId} is used by ${u.templates.join(', ')}`).join('; ')} (in-use: fail)`)
      }
    }
  }
  return reasons.length ? `refusing to disable anything: ${reasons.join('; ')}` : undefined
}

async function execute(ctx: Context, report: RegionReport): Promise<void> {
  const { settings, log } = ctx
  const byReference = new Map<string, string>()
  for (const d of report.decisions) if (d.kind === 'disable') byReference.set(d.image.imageId, d.reason.replace(/^superseded by /, ''))
  const doomed = toDisable(report.decisions)
  report.changes = await mapLimit(doomed, PER_REGION_CONCURRENCY, async (image) => {
    const lineage = {
      supersededBy: byReference.get(image.imageId) ?? report.images[0].imageId,
      reason: 'superseded' as const,
      disabledAt: ctx.now().toISOString(),
      ...(ctx.runRef ? { run: ctx.runRef } : {})
    }
    const change = await recordAndDisable(ctx.ec2(report.region), image, lineage, settings.dryRun)
    const shared = change.sharing ? describeSharing(change.sharing) : ''
    if (change.outcome === 'failed') log.warning(`[${report.region}] ${image.imageId} (${image.name}): ${change.message}`)
    else log.info(`[${report.region}] ${change.outcome === 'disabled' ? 'disabled' : 'would disable'} ${image.imageId} (${image.name}), ${lineage.reason} by ${lineage.supersededBy}${shared ? `; sharing recorded: ${shared}` : ''}`)
    return change
  })
}

export function describeSharing(sharing: { public: boolean; userIds: string[]; organizationArns: string[]; organizationalUnitArns: string[] }): string {
  const parts: string[] = []
  if (sharing.public) parts.push('public')
  if (sharing.userIds.length) parts.push(`${sharing.userIds.length} account(s)`)
  if (sharing.organizationArns.length) parts.push(`${sharing.organizationArns.length} organization(s)`)
  if (sharing.organizationalUnitArns.length) parts.push(`${sharing.organizationalUnitArns.length} OU(s)`)
  return parts.join(', ')
}

function emptyRegion(region: string, images: Image[], error: string): RegionReport {
  return { region, images, decisions: [] as Decision[], changes: [], templates: [], groups: [], warnings: [], error }
}

export async function disable(ctx: Context): Promise<RunReport> {
  const regions = groupBy(ctx.settings.targets, (t) => t.region)
  const settled = await Promise.allSettled(
    [...regions].map(([region, targets]) => planRegion(ctx, region, targets.map((t) => t.imageId)))
  )
  const plans: RegionPlan[] = []
  const failures: string[] = []
  const reports: RegionReport[] = settled.map((s, i) => {
    const region = [...regions.keys()][i]
    if (s.status === 'fulfilled') {
      plans.push(s.value)
      return s.value.report
    }
    const message = s.reason instanceof RegionError ? s.reason.message : `${(s.reason as Error)?.message ?? s.reason}`
    failures.push(`${region}: ${message}`)
    return emptyRegion(region, [], message)
  })
  const family = [...new Set(reports.map((r) => r.family).filter(Boolean))].join(', ') || (ctx.settings.familyTag ?? ctx.settings.namePattern ?? '')
  const run: RunReport = { command: 'disable', dryRun: ctx.settings.dryRun, family, regions: reports }
  if (failures.length > 0) {
    run.failure = failures.length === 1 && regions.size === 1 ? failures[0] : `nothing was changed in any region: ${failures.join(' | ')}`
    return run
  }
  const refused = refusal(ctx, plans)
  if (refused) {
    run.failure = refused
    return run
  }
  await Promise.all(plans.map((p) => execute(ctx, p.report)))
  const failed = reports.flatMap((r) => r.changes.filter((c) => c.outcome === 'failed'))
  if (failed.length > 0) {
    run.failure = `${failed.length} image(s) could not be ${ctx.settings.dryRun ? 'checked' : 'disabled'}: ${failed.map((c) => `${c.imageId} (${c.message})`).join('; ')}`
  }
  return run
}
