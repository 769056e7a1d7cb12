/**
 * `rollback`: the named images are bad. Re-enable the images each one superseded (found by the
 * lineage `disable` wrote), restore their sharing, then disable the bad image, recording its own
 * sharing and lineage so that the rollback can be undone too.
 *
 * Before anything changes, each region looks up what points at the bad images (the same search
 * as `disable`, with the superseded images as the replacements) and applies `disable`'s in-use
 * policy to them, as if each bad image were a `disable` decision:
 * - `report`: the bad image is disabled; the template versions, groups and launch configurations
 *   that point at it are the region's report (their next launch fails).
 * - `skip`: the bad image stays enabled and its decision becomes `skip`, with the templates named
 *   in its reason, exactly as `disable` records a skipped image: no Change (an `unchanged`
 *   disable Change would read as "disabled" in the report), and the step does not fail, since
 *   leaving it enabled is what the input asked for. The superseded images are still re-enabled.
 * - `fail`: the whole run is refused before the first change, in every region.
 * A usage search that fails is a warning under `report` and stops the run under skip or fail.
 *
 * Then, region by region: re-enable first, and disable a bad image only once the images it
 * superseded are launchable again (rules/rollback.ts says when one must stay enabled: that is a
 * failed Change, and the step fails).
 */
import { mapLimit, PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { Context } from '../context.js'
import { RegionError } from '../context.js'
import type { Change, Decision, Image, RegionReport, RunReport } from '../model.js'
import { newestFirst } from '../rules/family.js'
import { readRecord, SUPERSEDED_BY_TAG } from '../rules/lineage.js'
import { applyPolicy, toDisable, type RegionPolicy } from '../rules/policy.js'
import { launchable, pointToOf, staysEnabledBecause } from '../rules/rollback.js'
import { changeOf } from '../steps/change.js'
import { disableSafely, usageOfDisabling, type DisablePlan, type SharingRead } from '../steps/disable-images.js'
import { enableAndRestore } from '../steps/enable-image.js'
import { ownedImages } from '../steps/find-images.js'
import { logBreaking, logChange } from '../steps/log.js'
import { allSucceeded, eachRegion, emptyRegion } from '../steps/regions.js'

interface RegionPlan {
  region: string
  bad: Image[]
  /** The images the bad ones superseded, newest first. */
  superseded: Image[]
  /**
   * The in-use policy applied to the bad images that are to be disabled (available, and that
   * superseded something): their decisions (`disable`, or `skip` under `in-use: skip`) and what
   * points at them.
   */
  policy: RegionPolicy
  /** The sharing of the bad images to disable, read with their usage (the disable reuses it). */
  sharing: Map<string, SharingRead>
}

/** The images that `bad` superseded, newest first, as their records say. */
function supersededBy(plan: Pick<RegionPlan, 'superseded'>, bad: Image): Image[] {
  return plan.superseded.filter((s) => readRecord(s.tags)?.lineage.supersededBy === bad.imageId)
}

/**
 * The bad images to disable, as decisions: those still available that superseded something. The
 * others are not the policy's business: an image already disabled is left as it is, one that
 * superseded nothing stays enabled whatever the policy says.
 */
function decisionsOf(plan: Pick<RegionPlan, 'bad' | 'superseded'>): Decision[] {
  return plan.bad.flatMap((bad): Decision[] => {
    const newest = supersededBy(plan, bad)[0]
    if (bad.state !== 'available' || !newest) return []
    return [{ image: bad, kind: 'disable', reason: `rolled back to ${newest.imageId}`, supersededBy: newest.imageId }]
  })
}

async function planRegion(ctx: Context, region: string, ids: string[]): Promise<RegionPlan> {
  const { settings, log } = ctx
  const ec2 = ctx.ec2(region)
  // Starts the usage reads that need no image ids, while the images are looked up.
  const usageSearch = ctx.usage(region)
  // The bad images and the images their records say they superseded: two independent reads.
  const [{ images: bad }, tagged] = await Promise.all([
    ownedImages(ec2, ids, settings.targets),
    ec2.images([{ Name: `tag:${SUPERSEDED_BY_TAG}`, Values: ids }], { owners: ['self'], includeDisabled: true })
  ])
  const superseded = tagged
    .filter((i) => !ids.includes(i.imageId) && readRecord(i.tags)?.lineage.reason === 'superseded')
    .sort(newestFirst)
  const list = superseded.map((s) => `${s.imageId} (${s.state})`).join(', ')
  log.info(`[${region}] ${ids.join(', ')} superseded ${superseded.length} image(s)${list ? `: ${list}` : ''}`)
  const decisions = decisionsOf({ bad, superseded })
  const { usage, sharing } = await usageOfDisabling(
    ec2,
    toDisable(decisions),
    superseded.map((s) => s.imageId),
    { usage: usageSearch, consumers: ctx.consumers },
    PER_REGION_CONCURRENCY
  )
  const policy = applyPolicy(region, decisions, usage, settings)
  if (policy.error) throw new RegionError(region, policy.error)
  for (const warning of policy.warnings) log.warning(`[${region}] ${warning}`)
  for (const skipped of policy.decisions.filter((d) => d.kind === 'skip')) {
    log.info(`[${region}] ${skipped.image.imageId} (${skipped.image.name}) stays enabled: ${skipped.reason}`)
  }
  return { region, bad, superseded, policy, sharing }
}

/** The bad image's record: the newest image it superseded that is launchable again (a rollback of that one would bring it back). */
function disablePlan(ctx: Context, bad: Image, rolledBackTo: string): DisablePlan {
  return {
    image: bad,
    lineage: {
      supersededBy: rolledBackTo,
      reason: 'rolled-back',
      disabledAt: ctx.now().toISOString(),
      ...(ctx.runRef ? { run: ctx.runRef } : {})
    }
  }
}

/** Re-enables, then disables what may be disabled; one Change per image (none for a skipped bad image), logged. */
async function execute(ctx: Context, plan: RegionPlan): Promise<Change[]> {
  const { settings } = ctx
  const ec2 = ctx.ec2(plan.region)
  const enabled = await mapLimit(plan.superseded, PER_REGION_CONCURRENCY, async (image) => {
    const change = await enableAndRestore(ec2, image, settings.dryRun, ctx.now())
    logChange(ctx.log, change)
    return change
  })
  const enables = new Map(enabled.map((c) => [c.imageId, c]))
  const skipped = new Set(plan.policy.decisions.filter((d) => d.kind === 'skip').map((d) => d.image.imageId))
  const held = new Map<string, Change>()
  const plans: DisablePlan[] = []
  for (const bad of plan.bad) {
    if (skipped.has(bad.imageId)) continue
    const own = supersededBy(plan, bad)
    // An image already disabled (a second run) goes to disableSafely, which leaves it as it is.
    const why =
      bad.state === 'available'
        ? staysEnabledBecause(
            plan.region,
            own.map((s) => s.imageId),
            enables
          )
        : undefined
    if (why) held.set(bad.imageId, changeOf(bad, 'disable', 'failed', { message: why, keptOnPurpose: true }))
    else plans.push(disablePlan(ctx, bad, pointToOf(own, enables) ?? ''))
  }
  const disabled = new Map(
    (await disableSafely(ec2, plans, settings.dryRun, PER_REGION_CONCURRENCY, plan.sharing)).map((c) => [c.imageId, c])
  )
  const badChanges = plan.bad.flatMap((bad) => held.get(bad.imageId) ?? disabled.get(bad.imageId) ?? [])
  badChanges.forEach((change) => logChange(ctx.log, change))
  return [...enabled, ...badChanges]
}

/**
 * The region's report. Before the run changed anything (`changes` undefined: a refusal), what
 * points at the images it would disable; after, what points at the bad images it disabled (or
 * would, in a dry run): the uses of an image that stays enabled do not fail, so they are not
 * listed (a bad image found already disabled was not searched: a second run reports nothing new).
 * `pointTo` is the newest superseded image the rollback left launchable, and `replacements` the
 * template versions already on a launchable one.
 */
function regionReport(plan: RegionPlan, changes?: Change[]): RegionReport {
  const { region, bad, policy } = plan
  const all = changes ?? []
  const enables = new Map(all.filter((c) => c.action === 'enable').map((c) => [c.imageId, c]))
  const off = changes
    ? new Set(all.filter((c) => c.action === 'disable' && c.outcome !== 'failed').map((c) => c.imageId))
    : new Set(policy.toDisable.map((i) => i.imageId))
  const pointTo = changes ? pointToOf(plan.superseded, enables) : undefined
  return {
    ...emptyRegion(region),
    images: bad,
    decisions: policy.decisions,
    changes: all,
    templates: policy.templates.filter((t) => off.has(t.imageId)),
    groups: policy.groups.filter((g) => off.has(g.imageId)),
    launchConfigurations: policy.launchConfigurations.filter((l) => off.has(l.imageId)),
    references: policy.references.filter((r) => off.has(r.imageId)),
    accounts: policy.accounts.filter((a) => off.has(a.imageId)),
    unknowns: policy.unknowns.filter((u) => u.imageId === undefined || off.has(u.imageId)),
    replacements: changes ? policy.replacements.filter((t) => launchable(enables.get(t.imageId))) : policy.replacements,
    ...(pointTo ? { pointTo } : {}),
    checked: policy.checked,
    warnings: policy.warnings
  }
}

/** Why the whole run changes nothing (`in-use: fail`, `max-images`), or undefined. */
function refusalOf(plans: RegionPlan[]): string | undefined {
  const reasons = plans.flatMap((p) => p.policy.refusals)
  return reasons.length ? `refusing to roll back: nothing was re-enabled or disabled: ${reasons.join('; ')}` : undefined
}

export async function rollback(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const subject = settings.targets.map((t) => t.imageId).join(',')
  const run = { command: 'rollback', dryRun: settings.dryRun, subject, commentKey: `rollback ${subject}` } as const
  const results = await eachRegion(settings.targets, (region, ids) => planRegion(ctx, region, ids))
  if (!allSucceeded(results)) {
    return { ...run, regions: results.map((r) => (r.value ? regionReport(r.value) : emptyRegion(r.region, r.error))) }
  }
  const plans = results.map((r) => r.value)
  const refusal = refusalOf(plans)
  if (refusal) return { ...run, regions: plans.map((p) => regionReport(p)), refusal }
  ctx.planned()
  const changes = await Promise.all(plans.map((p) => execute(ctx, p)))
  const regions = plans.map((p, i) => regionReport(p, changes[i] ?? []))
  for (const r of regions) logBreaking(ctx.log, r.region, r, settings.dryRun)
  return { ...run, regions }
}
