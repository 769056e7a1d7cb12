/**
 * `disable`: wait for the new images, decide each region's family, refuse (changing nothing)
 * when a guard says so, then record and disable the superseded images, region by region
 * concurrently. Returns the report; prints only through the logger.
 */
import type { Filter } from '@aws-sdk/client-ec2'
import { progressEvery } from '../aws/pace.js'
import { PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { Context } from '../context.js'
import { RegionError } from '../context.js'
import type { Change, Decision, Image, RegionReport, RunReport } from '../model.js'
import { decideFamily, familyKey, tagValue } from '../rules/family.js'
import { namePatternMismatch } from '../rules/name-pattern.js'
import { applyPolicy, refusalOf, toDisable, type RegionPolicy } from '../rules/policy.js'
import { disableSafely, usageOfDisabling, type SharingRead } from '../steps/disable-images.js'
import { BUILDING_STATES, ownedImages, waitUntilAvailable } from '../steps/find-images.js'
import { logBreaking, logChange } from '../steps/log.js'
import { allSucceeded, eachRegion, emptyRegion } from '../steps/regions.js'

/** One region, decided: its new images, its family, what the guards make of it. */
interface RegionPlan {
  region: string
  newImages: Image[]
  family: string
  policy: RegionPolicy
  sharing: Map<string, SharingRead>
  accountId: string
}

const KIND_WORDS: Record<Decision['kind'], string> = {
  disable: 'to disable',
  keep: 'kept',
  exclude: 'excluded',
  skip: 'skipped'
}

/**
 * The new images, owned by this account and available (waited for), matching `name-pattern` and
 * with the family tag when those are asked for.
 */
async function newImagesOf(
  ctx: Context,
  region: string,
  imageIds: string[]
): Promise<{ images: Image[]; accountId: string }> {
  const { settings, log } = ctx
  const ec2 = ctx.ec2(region)
  const { images: found, accountId } = await ownedImages(ec2, imageIds, settings.targets)
  // A pattern the new image itself does not match is a mistake: known from its name, before any wait.
  const mismatch = settings.namePattern ? namePatternMismatch(settings.namePattern, found) : undefined
  if (mismatch) throw new RegionError(region, mismatch)
  const images = await waitUntilAvailable(ec2, found, settings.waitTimeoutSeconds, (m) => log.info(`[${region}] ${m}`))
  const { familyTag } = settings
  const untagged = familyTag ? images.filter((i) => tagValue(i.tags, familyTag) === undefined) : []
  if (untagged.length > 0) {
    throw new RegionError(
      region,
      `new image ${untagged.map((i) => i.imageId).join(', ')} has no '${familyTag}' tag (family-tag), so its family is unknown; nothing was changed`
    )
  }
  for (const image of images) {
    log.info(`[${region}] new image ${image.imageId} (${image.name}), created ${image.creationDate}, is available`)
  }
  return { images, accountId }
}

/** The DescribeImages filters of the family: the family tag's values and/or the name pattern. */
function familyFilters(ctx: Context, newImages: Image[]): Filter[] {
  const { familyTag, namePattern } = ctx.settings
  const filters: Filter[] = []
  if (familyTag) {
    const values = [...new Set(newImages.flatMap((i) => tagValue(i.tags, familyTag) ?? []))]
    filters.push({ Name: `tag:${familyTag}`, Values: values })
  }
  if (namePattern) filters.push({ Name: 'name', Values: [namePattern] })
  return filters
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
  const ids = building.map((b) => b.imageId)
  ctx.log.info(
    `[${region}] waiting up to ${seconds}s for older build(s) of the family still being made: ${ids.join(', ')}`
  )
  const { images } = await ctx
    .ec2(region)
    .waitFor(ids, seconds, (found) => (found.some((i) => BUILDING_STATES.has(i.state)) ? 'retry' : 'success'))
  const fresh = new Map(images.map((i) => [i.imageId, i]))
  return candidates.map((c) => fresh.get(c.imageId) ?? c)
}

async function planRegion(ctx: Context, region: string, imageIds: string[]): Promise<RegionPlan> {
  const { settings, log } = ctx
  const ec2 = ctx.ec2(region)
  const deadline = ctx.now().getTime() + settings.waitTimeoutSeconds * 1000
  const { images: newImages, accountId } = await newImagesOf(ctx, region, imageIds)
  // The family query goes first (everything after it waits for it); the usage reads that need no
  // image ids start beside it.
  const familyQuery = ec2.images(familyFilters(ctx, newImages), { owners: ['self'] })
  const usageSearch = ctx.usage(region)
  const candidates = await settleOlderBuilds(ctx, region, newImages, await familyQuery, deadline)
  const decisions = decideFamily(newImages, candidates, accountId, settings)
  // Which templates use the images, their sharing, and who else uses them, read together.
  const { usage, sharing } = await usageOfDisabling(
    ec2,
    toDisable(decisions),
    newImages.map((i) => i.imageId),
    { usage: usageSearch, consumers: ctx.consumers },
    PER_REGION_CONCURRENCY
  )
  const policy = applyPolicy(region, decisions, usage, settings)
  if (policy.error) throw new RegionError(region, policy.error)
  for (const warning of policy.warnings) log.warning(`[${region}] ${warning}`)
  const family = [...new Set(newImages.map((i) => familyKey(i, settings)))].join(', ')
  const counts = Object.entries(KIND_WORDS).map(([kind, words]) => {
    return `${policy.decisions.filter((d) => d.kind === kind).length} ${words}`
  })
  log.info(`[${region}] family ${family}: ${policy.decisions.length} older image(s) found: ${counts.join(', ')}`)
  return { region, newImages, family, policy, sharing, accountId }
}

/** Records and disables one region's images; one Change per image, logged. */
async function execute(ctx: Context, plan: RegionPlan): Promise<Change[]> {
  const disabledAt = ctx.now().toISOString()
  const fallback = plan.newImages[0]?.imageId ?? ''
  const plans = plan.policy.decisions
    .filter((d) => d.kind === 'disable')
    .map(({ image, supersededBy }) => ({
      image,
      lineage: {
        supersededBy: supersededBy ?? fallback,
        reason: 'superseded' as const,
        disabledAt,
        ...(ctx.runRef ? { run: ctx.runRef } : {})
      }
    }))
  const changes = await disableSafely(
    ctx.ec2(plan.region),
    plans,
    ctx.settings.dryRun,
    PER_REGION_CONCURRENCY,
    plan.sharing,
    progressEvery(
      (m) => ctx.log.info(`[${plan.region}] ${m}`),
      ctx.settings.dryRun ? 'proved' : 'disabled',
      () => ctx.now().getTime()
    )
  )
  changes.forEach((change, i) =>
    logChange(ctx.log, change, `superseded by ${plans[i]?.lineage.supersededBy ?? fallback}`)
  )
  return changes
}

function regionReport(plan: RegionPlan, changes: Change[]): RegionReport {
  const { region, newImages: images, family, policy, accountId } = plan
  const { decisions, templates, groups, launchConfigurations, replacements, checked, warnings } = policy
  const { references, accounts, unknowns } = policy
  const newest = [...images].sort((a, b) => Date.parse(b.creationDate) - Date.parse(a.creationDate))[0]
  return {
    region,
    images,
    family,
    decisions,
    changes,
    templates,
    groups,
    launchConfigurations,
    references,
    accounts,
    unknowns,
    replacements,
    ...(newest ? { pointTo: newest.imageId } : {}),
    accountId,
    checked,
    warnings
  }
}

export async function disable(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const results = await eachRegion(settings.targets, (region, ids) => planRegion(ctx, region, ids))
  const families = [...new Set(results.flatMap((r) => (r.value?.family ? [r.value.family] : [])))].join(', ')
  const subject = families || (settings.familyTag ?? settings.namePattern ?? '')
  const run = { command: 'disable', dryRun: settings.dryRun, subject, commentKey: subject } as const
  if (!allSucceeded(results)) {
    const regions = results.map((r) => (r.value ? regionReport(r.value, []) : emptyRegion(r.region, r.error)))
    return { ...run, regions }
  }
  const plans = results.map((r) => r.value)
  const refusal = refusalOf(plans.map((p) => p.policy))
  if (refusal) return { ...run, regions: plans.map((p) => regionReport(p, [])), refusal }
  for (const plan of plans) logBreaking(ctx.log, plan.region, plan.policy, settings.dryRun)
  ctx.planned()
  const changes = await Promise.all(plans.map((p) => execute(ctx, p)))
  return { ...run, regions: plans.map((p, i) => regionReport(p, changes[i] ?? [])) }
}
