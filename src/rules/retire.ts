/**
 * The rules of `retire`, pure: which of a region's images may be retired (each one left alone
 * with why), what counts as in use for an image about to be deregistered, the guards that refuse
 * the whole run, and what retiring frees (GiB of snapshots, dollars a month).
 *
 * Retire is stricter than `disable`'s `in-use` policy: a deregistered image cannot be launched
 * again (nor re-enabled, once the Recycle Bin no longer holds it), so an image in use is never
 * retired, whatever `in-use` says. Under `in-use: report` and `skip` it is left alone, with what
 * uses it; under `fail` it refuses the whole run (nothing retired in any region). In use: a launch
 * template's default or latest version, an Auto Scaling group or a launch configuration, an SSM
 * parameter or an Image Builder recipe, another account's launch templates (usage report or
 * `consumer-role`); and, for an image that was shared, usage in other accounts that could not be
 * known. Running instances are not stopped by deregistering: they are counted, never in use.
 */
import { isShared } from './usage-reports.js'
import type {
  Decision,
  DisableRecord,
  Image,
  RetiredImage,
  RetiredSnapshot,
  SnapshotStorage,
  SnapshotsMode,
  Usage
} from '../model.js'
import { describeMatcher, excludedBy, type TagMatcher } from './family.js'
import { readRecord, TAG_PREFIX } from './lineage.js'
import { nameMatches } from './name-pattern.js'
import { describeReference } from './policy.js'
import { describeTemplateVersion } from './usage.js'

/** EBS snapshot storage, USD per GB-month: the standard tier. */
export const STANDARD_PRICE = 0.05
/** EBS snapshot storage, USD per GB-month: the archive tier. */
export const ARCHIVE_PRICE = 0.0125
/** Written on an image whose snapshots `retire` archived (ISO 8601 UTC): `enable` reads it. */
export const ARCHIVED_TAG = `${TAG_PREFIX}archived`

const DAY_MS = 86_400_000

export interface RetireRules {
  retireAfterDays: number
  snapshots: SnapshotsMode
  familyTag?: string | undefined
  namePattern?: string | undefined
  excludeTags: TagMatcher[]
}

/** An image `retire` may retire, once nothing uses it: with its record. */
export interface Candidate {
  image: Image
  record: DisableRecord
  /** Whole days since it was disabled. */
  ageDays: number
}

export interface RetireChoice {
  candidates: Candidate[]
  /** Every other image found, a `skip` with why. */
  leftAlone: Decision[]
}

function skip(image: Image, reason: string, inUse = false): Decision {
  return { image, kind: 'skip', reason, ...(inUse ? { inUse } : {}) }
}

function day(iso: string): string {
  return iso.slice(0, 10)
}

/** Why `image` is not retired (before the usage search), or undefined when it is a candidate. */
function leftAloneBecause(image: Image, now: Date, rules: RetireRules): string | Candidate {
  if (image.state !== 'disabled') return `not disabled (its state is ${image.state})`
  if (rules.familyTag && !image.tags.some((t) => t.key === rules.familyTag)) {
    return `not this family (no '${rules.familyTag}' tag)`
  }
  if (rules.namePattern && !nameMatches(rules.namePattern, image.name)) {
    return `not this family (its name does not match '${rules.namePattern}')`
  }
  const record = readRecord(image.tags)
  if (!record) return 'no record of this action: disabled by hand or by another tool'
  const excluded = excludedBy(image, rules.excludeTags)
  if (excluded) return `excluded by exclude-tags (${describeMatcher(excluded)})`
  const { disabledAt, reenabledAt } = record.lineage
  const disabled = Date.parse(disabledAt)
  if (Number.isNaN(disabled)) return `its record holds no valid disable time ('${disabledAt}')`
  if (reenabledAt !== undefined) {
    const reenabled = Date.parse(reenabledAt)
    if (Number.isNaN(reenabled) || reenabled >= disabled) {
      return `re-enabled on ${day(reenabledAt)} since this action disabled it (on ${day(disabledAt)}), then disabled otherwise`
    }
  }
  const ageMs = now.getTime() - disabled
  const ageDays = Math.floor(ageMs / DAY_MS)
  if (ageMs < rules.retireAfterDays * DAY_MS) {
    const ago = ageMs < 0 ? 'in the future' : ageDays === 1 ? '1 day ago' : `${ageDays} days ago`
    return `too young: disabled ${ago} (on ${day(disabledAt)}), fewer than retire-after-days (${rules.retireAfterDays})`
  }
  const protection = image.deregistrationProtection
  if (protection?.startsWith('enabled')) {
    return `deregistration protection is on (${protection}): turn it off (DisableImageDeregistrationProtection) to retire it`
  }
  const archived = image.tags.find((t) => t.key === ARCHIVED_TAG)
  if (archived && rules.snapshots === 'archive') {
    return `already retired to the archive tier: its snapshots were archived on ${day(archived.value)}`
  }
  if (rules.snapshots === 'archive' && (image.snapshots ?? []).length === 0) {
    return 'no EBS snapshot to archive (snapshots: archive)'
  }
  return { image, record, ageDays }
}

/** The images `retire` may retire, and every other one with why; before the usage search. */
export function chooseRetirements(images: Image[], now: Date, rules: RetireRules): RetireChoice {
  const candidates: Candidate[] = []
  const leftAlone: Decision[] = []
  for (const image of images) {
    const why = leftAloneBecause(image, now, rules)
    if (typeof why === 'string') leftAlone.push(skip(image, why))
    else candidates.push(why)
  }
  return { candidates, leftAlone }
}

/** What uses the candidate (in words), or undefined when nothing does. */
export function inUseBy(candidate: Candidate, usage: Usage): string | undefined {
  const id = candidate.image.imageId
  const mine = <T extends { imageId: string }>(list: T[]): T[] => list.filter((x) => x.imageId === id)
  const named = new Set(
    mine(usage.accounts)
      .filter((a) => a.source === 'consumer-role')
      .map((a) => a.accountId)
  )
  const users = [
    ...mine(usage.templates).map(
      (t) => `launch template ${describeTemplateVersion(t)}${t.accountId ? ` in account ${t.accountId}` : ''}`
    ),
    ...[...new Set(mine(usage.groups).map((g) => g.autoScalingGroupName))].map((g) => `Auto Scaling group ${g}`),
    ...mine(usage.launchConfigurations).map((c) => `launch configuration ${c.launchConfigurationName}`),
    ...mine(usage.references)
      .filter((r) => r.resourceType !== 'ec2:Instance')
      .map(describeReference),
    // the usage reports' accounts that consumer-role did not search (each of its accounts is in `named`)
    ...mine(usage.accounts)
      .filter((a) => a.launchTemplates > 0 && !named.has(a.accountId))
      .map((a) => `${a.launchTemplates} launch template(s) in account ${a.accountId} (usage report)`)
  ]
  if (users.length > 0) return `in use by ${users.join(', ')}`
  const unknown = usage.unknowns.find(
    (u) => u.imageId === id || (u.imageId === undefined && isShared(candidate.record.sharing))
  )
  if (unknown) return `its use in other accounts is not known: ${unknown.why}`
  return undefined
}

export interface RetireGuardSettings {
  inUse: 'report' | 'skip' | 'fail'
  maxImages: number
}

export interface RetirePolicy {
  /** What to retire. */
  retire: Candidate[]
  /** The candidates left alone because they are in use (or their use cannot be known), with why. */
  leftAlone: Decision[]
  /** Why this region makes the run refuse (nothing retired in any region). */
  refusals: string[]
  warnings: string[]
}

const LISTED = 20

/**
 * The guards: what is in use is left alone (or, under `in-use: fail`, refuses the run); a usage
 * search that failed leaves every candidate alone (what is not known to be unused is not
 * deregistered); more than `max-images` to retire in the region refuses the run.
 */
export function guardRetirements(
  region: string,
  candidates: Candidate[],
  usage: Usage | { unknown: string },
  settings: RetireGuardSettings
): RetirePolicy {
  const refusals: string[] = []
  const warnings: string[] = []
  const leftAlone: Decision[] = []
  const retire: Candidate[] = []
  if ('unknown' in usage) {
    const why = `what uses it could not be checked: ${usage.unknown}`
    if (settings.inUse === 'fail' && candidates.length > 0) {
      refusals.push(`in ${region}, what uses the images could not be checked: ${usage.unknown} (in-use: fail)`)
    }
    warnings.push(`usage not checked in ${region}: ${usage.unknown}; no image retired there`)
    return { retire, leftAlone: candidates.map((c) => skip(c.image, why, true)), refusals, warnings }
  }
  const used: string[] = []
  for (const c of candidates) {
    const users = inUseBy(c, usage)
    if (users) {
      leftAlone.push(skip(c.image, `${users}: an image in use is never retired`, true))
      used.push(`${c.image.imageId} is ${users}`)
    } else retire.push(c)
  }
  if (settings.inUse === 'fail' && used.length > 0) refusals.push(`in ${region}, ${used.join('; ')} (in-use: fail)`)
  if (retire.length > settings.maxImages) {
    const ids = retire.slice(0, LISTED).map((c) => c.image.imageId)
    const more = retire.length - ids.length
    refusals.push(
      `${retire.length} images would be retired in ${region}, more than max-images (${settings.maxImages}): ${ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
    )
  }
  return { retire, leftAlone, refusals, warnings }
}

/** Why the whole run retires nothing, from every region's refusals, or undefined. */
export function retireRefusal(regions: Array<{ refusals: string[] }>): string | undefined {
  const reasons = regions.flatMap((r) => r.refusals)
  return reasons.length ? `refusing to retire anything: ${reasons.join('; ')}` : undefined
}

/** USD a month for `gib` GiB in a tier. */
export function monthlyCost(gib: number, tier: 'standard' | 'archive' = 'standard'): number {
  return gib * (tier === 'archive' ? ARCHIVE_PRICE : STANDARD_PRICE)
}

/** The snapshot results that free storage, by mode: deleted (or would be), archived (or would be). */
const FREED: Record<SnapshotsMode, Set<string>> = {
  delete: new Set(['success', 'would-delete']),
  keep: new Set(),
  archive: new Set(['archived', 'would-archive'])
}

/** What an image's snapshots free, by what became of them: GiB freed, GiB still billed, USD a month saved. */
export function savingsOf(
  mode: SnapshotsMode,
  snapshots: RetiredSnapshot[]
): Pick<RetiredImage, 'freedGiB' | 'keptGiB' | 'monthlySaving'> {
  let freedGiB = 0
  let keptGiB = 0
  let monthlySaving = 0
  for (const s of snapshots) {
    const size = s.sizeGiB ?? 0
    if (!FREED[mode].has(s.result)) {
      // already archived, or still standard
      keptGiB += size
      continue
    }
    freedGiB += size
    monthlySaving +=
      mode === 'archive' ? monthlyCost(size) - monthlyCost(size, 'archive') : monthlyCost(size, s.tier ?? 'standard')
  }
  return { freedGiB, keptGiB, monthlySaving: round(monthlySaving) }
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000
}

export interface RetireTotals {
  images: number
  snapshots: number
  freedGiB: number
  keptGiB: number
  monthlySaving: number
}

/** Totals of the images retired (or that would be): failed ones count for nothing. */
export function retireTotals(images: RetiredImage[]): RetireTotals {
  const done = images.filter((i) => i.outcome !== 'failed')
  return {
    images: done.length,
    snapshots: done.reduce((n, i) => n + i.snapshots.length, 0),
    freedGiB: done.reduce((n, i) => n + i.freedGiB, 0),
    keptGiB: done.reduce((n, i) => n + i.keptGiB, 0),
    monthlySaving: round(done.reduce((n, i) => n + i.monthlySaving, 0))
  }
}

/** `retireTotals` per region, in the order the regions come. */
export function totalsByRegion(images: RetiredImage[]): Map<string, RetireTotals> {
  const regions = [...new Set(images.map((i) => i.region))]
  return new Map(regions.map((r) => [r, retireTotals(images.filter((i) => i.region === r))]))
}

/** The snapshot storage images hold (each snapshot once), at the standard tier's price. */
export function storageOf(images: Image[]): SnapshotStorage {
  const sizes = new Map<string, number>()
  for (const image of images) for (const s of image.snapshots ?? []) sizes.set(s.snapshotId, s.sizeGiB ?? 0)
  const sizeGiB = [...sizes.values()].reduce((n, k) => n + k, 0)
  return { images: images.length, snapshots: sizes.size, sizeGiB, monthlyCost: round(monthlyCost(sizeGiB)) }
}

/** `$6.00`, `$0.13`, `$0.0125` (small amounts keep their cents' fraction). */
export function dollars(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`
}

/** `120 GiB`, `1.5 GiB`. */
export function gibibytes(gib: number): string {
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`
}
