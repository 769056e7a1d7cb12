/**
 * `retire` (scheduled): in each region of `region`, concurrently, find this account's disabled
 * images, keep those that carry this action's record with a disable time at least
 * `retire-after-days` old and no re-enable since (rules/retire.ts says why each other one is
 * left alone), leave alone what is still in use (the usage search of `disable`, other accounts
 * included), refuse the whole run under `max-images` or `in-use: fail`, then retire each image as
 * `snapshots` says:
 * - `delete`: DeregisterImage with DeleteAssociatedSnapshots; EC2's result code for each snapshot;
 * - `keep`: DeregisterImage only;
 * - `archive`: the image stays registered and disabled; its snapshots move to the archive tier
 *   (ModifySnapshotTier), and the image is tagged `disable-superseded-ami:archived`.
 * A dry run proves each change with DryRun. After deregistering, the Recycle Bin is asked until
 * when each image can be restored. Failures are reported image by image.
 */
import { describeError } from '../aws/errors.js'
import { Lifecycle, type SnapshotInfo } from '../aws/lifecycle.js'
import { progressEvery } from '../aws/pace.js'
import { mapLimit, PER_REGION_CONCURRENCY } from '../concurrency.js'
import type { Context } from '../context.js'
import type { Decision, Image, RegionReport, RetiredImage, RetiredSnapshot, RunReport, Usage } from '../model.js'
import {
  ARCHIVED_TAG,
  chooseRetirements,
  dollars,
  gibibytes,
  guardRetirements,
  retireRefusal,
  savingsOf,
  type Candidate,
  type RetirePolicy
} from '../rules/retire.js'
import type { UsageFound } from '../rules/policy.js'
import { FILTER_VALUES_MAX } from '../aws/ec2.js'
import { dryRunRefusal } from '../steps/change.js'
import { withConsumers } from '../steps/find-consumers.js'
import { emptyRegion } from '../steps/regions.js'

interface RegionPlan {
  region: string
  /** Left alone before the usage search (no record, too young, protected, …). */
  leftAlone: Decision[]
  policy: RetirePolicy
  /** DescribeSnapshots of the candidates' snapshots, by id (empty when it could not be read). */
  snapshots: Map<string, SnapshotInfo>
  /** Dry run, `delete`: the snapshots another image also uses (EC2 would skip them). */
  shared: Set<string>
  usage?: Usage
  accountId?: string
  warnings: string[]
}

/** The DescribeImages filters: disabled, and the family tag's key and the name pattern when given. */
function filters(ctx: Context): Array<{ Name: string; Values: string[] }> {
  const { familyTag, namePattern } = ctx.settings
  return [
    { Name: 'state', Values: ['disabled'] },
    ...(familyTag ? [{ Name: 'tag-key', Values: [familyTag] }] : []),
    ...(namePattern ? [{ Name: 'name', Values: [namePattern] }] : [])
  ]
}

/** What uses the candidates: this account's usage search, and other accounts' when a consumer search is given. */
async function usageOf(ctx: Context, region: string, candidates: Candidate[]): Promise<UsageFound> {
  const ids = candidates.map((c) => c.image.imageId)
  // The consumers are asked with the sharing each image had when it was disabled (it has none now).
  const consumers = ctx.consumers
    ? ctx.consumers(region).find(candidates.map((c) => ({ image: c.image, sharing: c.record.sharing })))
    : Promise.resolve(undefined)
  try {
    const [own, others] = await Promise.all([ctx.usage(region).find(ids), consumers])
    return withConsumers(own, others)
  } catch (error) {
    await consumers.catch(() => undefined)
    return { unknown: describeError(error) }
  }
}

async function snapshotsOf(
  lifecycle: Lifecycle,
  images: Image[],
  warnings: string[]
): Promise<Map<string, SnapshotInfo>> {
  const ids = images.flatMap((i) => (i.snapshots ?? []).map((s) => s.snapshotId))
  if (ids.length === 0) return new Map()
  try {
    return new Map((await lifecycle.snapshots(ids)).map((s) => [s.snapshotId, s]))
  } catch (error) {
    warnings.push(
      `snapshot sizes and tiers not read (sizes from the images' block device mappings): ${describeError(error)}`
    )
    return new Map()
  }
}

/** Dry run of `delete`: the snapshots that another image of the account also uses (EC2 would skip them). */
async function sharedSnapshots(
  ctx: Context,
  region: string,
  images: Image[],
  warnings: string[]
): Promise<Set<string>> {
  const mine = new Map(images.flatMap((i) => (i.snapshots ?? []).map((s) => [s.snapshotId, i.imageId] as const)))
  const ids = [...mine.keys()]
  const shared = new Set<string>()
  const chunks = Array.from({ length: Math.ceil(ids.length / FILTER_VALUES_MAX) }, (_, i) =>
    ids.slice(i * FILTER_VALUES_MAX, (i + 1) * FILTER_VALUES_MAX)
  )
  try {
    // one query per FILTER_VALUES_MAX snapshots, all at once
    const users = await Promise.all(
      chunks.map((values) =>
        ctx.ec2(region).images([{ Name: 'block-device-mapping.snapshot-id', Values: values }], {
          owners: ['self'],
          includeDisabled: true
        })
      )
    )
    for (const user of users.flat()) {
      for (const s of user.snapshots ?? [])
        if (mine.has(s.snapshotId) && mine.get(s.snapshotId) !== user.imageId) shared.add(s.snapshotId)
    }
  } catch (error) {
    warnings.push(`which snapshots other images also use was not checked: ${describeError(error)}`)
  }
  return shared
}

async function planRegion(ctx: Context, region: string): Promise<RegionPlan> {
  const { settings, log } = ctx
  const ec2 = ctx.ec2(region)
  const lifecycle = new Lifecycle(ec2)
  const found = await ec2.images(filters(ctx), { owners: ['self'], includeDisabled: true })
  const { candidates, leftAlone } = chooseRetirements(found, ctx.now(), settings)
  const warnings: string[] = []
  const usage = candidates.length > 0 ? await usageOf(ctx, region, candidates) : undefined
  const policy = usage
    ? guardRetirements(region, candidates, usage, settings)
    : { retire: [], leftAlone: [], refusals: [], warnings: [] }
  const images = policy.retire.map((c) => c.image)
  const [snapshots, shared] = await Promise.all([
    snapshotsOf(lifecycle, images, warnings),
    settings.dryRun && settings.snapshots === 'delete' && images.length > 0
      ? sharedSnapshots(ctx, region, images, warnings)
      : Promise.resolve(new Set<string>())
  ])
  log.info(
    `[${region}] ${found.length} disabled image(s) found: ${policy.retire.length} to retire, ${leftAlone.length + policy.leftAlone.length} left alone`
  )
  for (const d of [...leftAlone, ...policy.leftAlone])
    log.info(`[${region}] ${d.image.imageId} (${d.image.name}) left alone: ${d.reason}`)
  const all = [...policy.warnings, ...warnings, ...(usage && !('unknown' in usage) ? usage.warnings : [])]
  for (const w of all) log.warning(`[${region}] ${w}`)
  const accountId = found[0]?.ownerId
  return {
    region,
    leftAlone,
    policy,
    snapshots,
    shared,
    ...(usage && !('unknown' in usage) ? { usage } : {}),
    ...(accountId ? { accountId } : {}),
    warnings: all
  }
}

const SNAPSHOT_HINTS: Record<string, string> = {
  'missing-permissions': 'the role needs ec2:DeleteSnapshot; no image uses it any more: delete it by hand',
  'internal-error': "EC2's internal error; no image uses it any more: delete it by hand",
  'client-error': 'EC2 refused to delete it; no image uses it any more: delete it by hand',
  skipped: 'another image uses it: never deleted'
}

function snapshotRows(
  plan: RegionPlan,
  image: Image,
  result: (snapshotId: string) => Omit<RetiredSnapshot, 'snapshotId' | 'sizeGiB' | 'tier'>
): RetiredSnapshot[] {
  return (image.snapshots ?? []).map((s) => {
    const info = plan.snapshots.get(s.snapshotId)
    const sizeGiB = info?.sizeGiB ?? s.sizeGiB
    const tier = info?.tier === 'archive' ? 'archive' : info ? 'standard' : undefined
    return {
      snapshotId: s.snapshotId,
      ...(sizeGiB !== undefined ? { sizeGiB } : {}),
      ...(tier ? { tier } : {}),
      ...result(s.snapshotId)
    }
  })
}

function retiredOf(
  plan: RegionPlan,
  c: Candidate,
  mode: RetiredImage['snapshotsMode'],
  outcome: RetiredImage['outcome'],
  snapshots: RetiredSnapshot[],
  extra: { message?: string; warnings?: string[] } = {}
): RetiredImage {
  return {
    region: plan.region,
    imageId: c.image.imageId,
    name: c.image.name,
    disabledAt: c.record.lineage.disabledAt,
    snapshotsMode: mode,
    outcome,
    snapshots,
    ...savingsOf(mode, outcome === 'failed' ? [] : snapshots),
    ...(extra.message ? { message: extra.message } : {}),
    ...(extra.warnings?.length ? { warnings: extra.warnings } : {})
  }
}

async function deregisterOne(ctx: Context, plan: RegionPlan, c: Candidate): Promise<RetiredImage> {
  const { dryRun, snapshots: mode } = ctx.settings
  const lifecycle = new Lifecycle(ctx.ec2(plan.region))
  const pending = snapshotRows(plan, c.image, () => ({ result: mode === 'keep' ? 'kept' : 'would-delete' }))
  let codes: Map<string, string>
  try {
    const { answer, snapshots } = await lifecycle.deregister(c.image.imageId, mode === 'delete', dryRun)
    const refused = dryRunRefusal(answer)
    if (refused) return retiredOf(plan, c, mode, 'failed', pending, { message: refused })
    codes = new Map(snapshots.map((s) => [s.snapshotId, s.returnCode]))
  } catch (error) {
    return retiredOf(plan, c, mode, 'failed', pending, { message: describeError(error) })
  }
  const rows = snapshotRows(plan, c.image, (id) => {
    if (mode === 'keep') return { result: 'kept' }
    if (dryRun) {
      return plan.shared.has(id)
        ? { result: 'would-skip', message: 'another image uses it: EC2 would not delete it' }
        : { result: 'would-delete' }
    }
    const code = codes.get(id) ?? 'unknown'
    const hint = code === 'unknown' ? 'EC2 gave no result for it' : SNAPSHOT_HINTS[code]
    return { result: code, ...(hint ? { message: hint } : {}) }
  })
  // Snapshots EC2 names that the block device mappings did not (should not happen; reported as they are).
  const known = new Set(rows.map((r) => r.snapshotId))
  for (const [snapshotId, code] of codes) if (!known.has(snapshotId)) rows.push({ snapshotId, result: code })
  return retiredOf(plan, c, mode, dryRun ? 'would-retire' : 'retired', rows)
}

async function archiveOne(ctx: Context, plan: RegionPlan, c: Candidate): Promise<RetiredImage> {
  const { dryRun } = ctx.settings
  const ec2 = ctx.ec2(plan.region)
  const lifecycle = new Lifecycle(ec2)
  const rows = await mapLimit(
    snapshotRows(plan, c.image, () => ({ result: 'pending' })),
    4,
    async (row): Promise<RetiredSnapshot> => {
      if (row.tier === 'archive') return { ...row, result: 'already-archived' }
      try {
        const refused = dryRunRefusal(await lifecycle.archiveSnapshot(row.snapshotId, dryRun))
        if (refused) return { ...row, result: 'failed', message: refused }
        return { ...row, result: dryRun ? 'would-archive' : 'archived' }
      } catch (error) {
        return { ...row, result: 'failed', message: describeError(error) }
      }
    }
  )
  const moved = rows.filter(
    (r) => r.result === 'archived' || r.result === 'would-archive' || r.result === 'already-archived'
  )
  if (moved.length === 0) {
    const message = rows.find((r) => r.message)?.message ?? 'no snapshot could be archived'
    return retiredOf(plan, c, 'archive', 'failed', rows, { message })
  }
  const warnings: string[] = []
  try {
    const at = ctx
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')
    const refused = dryRunRefusal(await ec2.tag(c.image.imageId, [{ key: ARCHIVED_TAG, value: at }], dryRun))
    if (refused) warnings.push(refused)
  } catch (error) {
    warnings.push(`not tagged ${ARCHIVED_TAG}: ${describeError(error)}`)
  }
  return retiredOf(plan, c, 'archive', dryRun ? 'would-retire' : 'retired', rows, { warnings })
}

/** Retires one region's images, then asks the Recycle Bin about the deregistered ones. */
async function execute(ctx: Context, plan: RegionPlan): Promise<{ retired: RetiredImage[]; warnings: string[] }> {
  const { settings, log } = ctx
  // a long list waits on EC2's rate limits (the region's pace): say how far it is every few seconds
  const progress = progressEvery(
    (m) => log.info(`[${plan.region}] ${m}`),
    settings.dryRun ? 'proved' : 'retired',
    () => ctx.now().getTime()
  )
  let count = 0
  const retired = await mapLimit(plan.policy.retire, PER_REGION_CONCURRENCY, async (c) => {
    const r = await (settings.snapshots === 'archive' ? archiveOne(ctx, plan, c) : deregisterOne(ctx, plan, c))
    progress(++count, plan.policy.retire.length)
    return r
  })
  const warnings: string[] = []
  const gone = retired.filter((r) => r.outcome === 'retired' && r.snapshotsMode !== 'archive')
  let bin = new Map<string, string>()
  if (gone.length > 0) {
    try {
      const binned = await new Lifecycle(ctx.ec2(plan.region)).imagesInRecycleBin(gone.map((r) => r.imageId))
      bin = new Map(binned.flatMap((b) => (b.exitTime ? [[b.imageId, b.exitTime] as const] : [])))
    } catch (error) {
      warnings.push(`the Recycle Bin was not checked: ${describeError(error)}`)
    }
  }
  const done = retired.map((r) => {
    const exit = bin.get(r.imageId)
    return exit ? { ...r, recycleBinExitTime: exit } : r
  })
  for (const r of done) {
    const who = `${r.imageId} (${r.name})`
    if (r.outcome === 'failed') continue
    const verb =
      r.snapshotsMode === 'archive'
        ? r.outcome === 'retired'
          ? 'archived the snapshots of'
          : 'would archive the snapshots of'
        : r.outcome === 'retired'
          ? 'deregistered'
          : 'would deregister'
    const results = r.snapshots.map((s) => `${s.snapshotId} ${s.result}`).join(', ')
    const bin = r.recycleBinExitTime ? `; in the Recycle Bin until ${r.recycleBinExitTime}` : ''
    log.info(
      `[${r.region}] ${verb} ${who}, disabled ${r.disabledAt.slice(0, 10)}${results ? `; snapshots: ${results}` : ''}; ${gibibytes(r.freedGiB)} freed, ${dollars(r.monthlySaving)} a month${bin}`
    )
    for (const w of r.warnings ?? []) log.warning(`[${r.region}] ${who}: ${w}`)
  }
  for (const w of warnings) log.warning(`[${plan.region}] ${w}`)
  return { retired: done, warnings }
}

function regionReport(plan: RegionPlan, retired: RetiredImage[], warnings: string[], refused = false): RegionReport {
  const refusedDecisions: Decision[] = refused
    ? plan.policy.retire.map((c) => ({
        image: c.image,
        kind: 'skip',
        reason: 'would be retired, but the run was refused'
      }))
    : []
  return {
    ...emptyRegion(plan.region),
    decisions: [...plan.leftAlone, ...plan.policy.leftAlone, ...refusedDecisions],
    unknowns: plan.usage?.unknowns ?? [],
    checked: plan.usage?.checked ?? [],
    warnings: [...plan.warnings, ...warnings],
    ...(plan.accountId ? { accountId: plan.accountId } : {}),
    retired
  }
}

export async function retire(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const scope = [
    settings.familyTag ? `tag ${settings.familyTag}` : '',
    settings.namePattern ? `name ${settings.namePattern}` : ''
  ]
    .filter(Boolean)
    .join(', ')
  const subject = `${settings.regions.join(', ')}${scope ? ` (${scope})` : ''}`
  const run = {
    command: 'retire',
    dryRun: settings.dryRun,
    subject,
    commentKey: `retire ${scope || 'all'}`,
    retire: { retireAfterDays: settings.retireAfterDays, snapshots: settings.snapshots }
  } as const
  const settled = await Promise.allSettled(settings.regions.map((region) => planRegion(ctx, region)))
  const results = settled.map((s, i) => ({ region: settings.regions[i] ?? '', ...s }))
  if (results.some((r) => r.status === 'rejected')) {
    const regions = results.map((r) =>
      r.status === 'fulfilled' ? regionReport(r.value, [], []) : emptyRegion(r.region, describeError(r.reason))
    )
    return { ...run, regions }
  }
  const plans = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const refusal = retireRefusal(plans.map((p) => p.policy))
  if (refusal) return { ...run, regions: plans.map((p) => regionReport(p, [], [], true)), refusal }
  ctx.planned()
  const done = await Promise.all(plans.map((p) => execute(ctx, p)))
  return { ...run, regions: plans.map((p, i) => regionReport(p, done[i]?.retired ?? [], done[i]?.warnings ?? [])) }
}
