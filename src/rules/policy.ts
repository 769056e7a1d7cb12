/**
 * The guards of a change, in one place: what the `in-use` policy does with what the usage search
 * found, and when `max-images` or `in-use: fail` refuse the whole run. Pure: decisions, usage
 * and settings in; what is disabled, skipped, refused and warned about out.
 */
import {
  emptyUsage,
  type AccountUse,
  type ImageReference,
  type UsageUnknown,
  type Decision,
  type Image,
  type InUsePolicy,
  type Usage
} from '../model.js'
import { describeTemplateVersion } from './usage.js'

export interface PolicySettings {
  inUse: InUsePolicy
  maxImages: number
}

/** What points at a region's images; `unknown` when the search failed, with why. */
export type UsageFound = (Usage & { unknown?: undefined }) | { unknown: string }

/**
 * One region's plan after the guards: what to disable, and the usage (templates, groups, launch
 * configurations, references, accounts, unknowns) of the images to disable: their next launch will fail.
 */
export interface RegionPolicy extends Usage {
  /** The family's decisions, with the images left enabled by `in-use: skip` turned to `skip`. */
  decisions: Decision[]
  /** The images to disable. */
  toDisable: Image[]
  /** Why this region stops the whole run before anything changes. */
  error?: string
  /** Why this region makes the guards refuse the whole run. */
  refusals: string[]
}

/** The images of the decisions that are to be disabled. */
export function toDisable(decisions: Decision[]): Image[] {
  return decisions.filter((d) => d.kind === 'disable').map((d) => d.image)
}

/**
 * What still launches an image: template versions (default, latest, pinned), launch configurations,
 * SSM parameters and Image Builder recipes (references; instances are only counted), other accounts'
 * launch templates (usage reports), and what could not be known about other accounts.
 */
type Users = Pick<Usage, 'templates' | 'launchConfigurations' | 'references' | 'accounts' | 'unknowns'>

/** The reference types that make an image in use: disabling breaks what resolves or builds from them. */
const IN_USE_REFERENCES: ReadonlySet<string> = new Set([
  'ssm:Parameter',
  'imagebuilder:ImageRecipe',
  'imagebuilder:ContainerRecipe'
])

/** How many images a max-images refusal names; the rest are counted. */
export const MAX_IMAGES_LISTED = 20
/** A name longer than this is left out of the max-images refusal (the id is enough). */
const SHORT_NAME = 40

/** The images a max-images refusal would have disabled: ids (with short names), the first 20, then a count. */
function listImages(images: Image[]): string {
  const named = images
    .slice(0, MAX_IMAGES_LISTED)
    .map((i) => (i.name && i.name.length <= SHORT_NAME ? `${i.imageId} (${i.name})` : i.imageId))
  const more = images.length - named.length
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
}

function usersOf(image: Image, usage: Users): Users {
  return {
    templates: usage.templates.filter((t) => t.imageId === image.imageId),
    launchConfigurations: usage.launchConfigurations.filter((c) => c.imageId === image.imageId),
    references: usage.references.filter((r) => r.imageId === image.imageId && IN_USE_REFERENCES.has(r.resourceType)),
    accounts: usage.accounts.filter((a) => a.imageId === image.imageId && a.launchTemplates > 0),
    unknowns: usage.unknowns.filter((u) => u.imageId === undefined || u.imageId === image.imageId)
  }
}

/** How many known things launch it (what is unknown left out). */
function knownUsers(users: Users): number {
  return users.templates.length + users.launchConfigurations.length + users.references.length + users.accounts.length
}

/** In use for `skip` and `fail`: something launches it, or (what is not known counts) its use elsewhere is unknown. */
function isUsed(users: Users): boolean {
  return knownUsers(users) > 0 || users.unknowns.length > 0
}

/**
 * The name of a referencing resource, from its ARN: what follows the resource type
 * (`parameter/golden/web` → `/golden/web`, `image-recipe/web/1.0.0` → `web/1.0.0`).
 */
export function referenceName(reference: ImageReference): string {
  // the ARN's first slash ends its resource type (nothing before it holds one); none: the ARN as it is
  const name = reference.arn.slice(reference.arn.indexOf('/') + 1)
  // a parameter's path lost its leading slash to the ARN's separator
  return reference.resourceType === 'ssm:Parameter' && name.includes('/') ? `/${name}` : name
}

const REFERENCE_KIND: Record<string, string> = {
  'ssm:Parameter': 'SSM parameter',
  'imagebuilder:ImageRecipe': 'Image Builder image recipe',
  'imagebuilder:ContainerRecipe': 'Image Builder container recipe',
  'ec2:Instance': 'instance',
  'ec2:LaunchTemplate': 'launch template'
}

/** `SSM parameter /golden/web`, `Image Builder image recipe web/1.0.0 in account 444455556666`. */
export function describeReference(r: ImageReference): string {
  const where = r.accountId ? ` in account ${r.accountId}` : ''
  return `${REFERENCE_KIND[r.resourceType] ?? r.resourceType} ${referenceName(r)}${where}`
}

function describeAccount(a: AccountUse): string {
  const n = a.launchTemplates
  return `${n} launch template${n === 1 ? '' : 's'} in account ${a.accountId} (${a.source})`
}

/** Why the use of an image elsewhere is unknown, in one clause. */
function describeUnknowns(unknowns: UsageUnknown[]): string {
  return `usage in other accounts is unknown (${[...new Set(unknowns.map((u) => u.why))].join('; ')})`
}

/**
 * `web (lt-…) version 3 (default), launch configuration web-2019, SSM parameter /golden/web, 2 launch
 * templates in account 444455556666 (usage-report)`; what is unknown follows, after a semicolon.
 */
function describeUsers(users: Users): string {
  const known = [
    ...users.templates.map((t) => `${describeTemplateVersion(t)}${t.accountId ? ` in account ${t.accountId}` : ''}`),
    ...users.launchConfigurations.map((c) => `launch configuration ${c.launchConfigurationName}`),
    ...users.references.map(describeReference),
    ...users.accounts.map(describeAccount)
  ].join(', ')
  if (users.unknowns.length === 0) return known
  return known ? `${known}; ${describeUnknowns(users.unknowns)}` : describeUnknowns(users.unknowns)
}

/** `in use by launch template web (…) version 3 (default)`, or `usage in other accounts is unknown (…)`. */
function inUseBy(users: Users): string {
  if (knownUsers(users) === 0) return describeUsers(users)
  const lead = users.templates.length > 0 ? 'launch template ' : ''
  return `in use by ${lead}${describeUsers(users)}`
}

/**
 * `in-use: skip`: an image to be disabled that something still uses (a template version, a launch
 * configuration, an SSM parameter or recipe, another account's launch templates), or whose use in
 * other accounts is unknown, is left enabled.
 */
function skipInUse(decisions: Decision[], usage: Users): Decision[] {
  return decisions.map((d) => {
    if (d.kind !== 'disable') return d
    const users = usersOf(d.image, usage)
    if (!isUsed(users)) return d
    return { ...d, kind: 'skip', inUse: true, reason: `${inUseBy(users)} (in-use: skip)` }
  })
}

/**
 * Applies the guards to one region: `in-use` to what the usage search found, then `max-images`.
 * A usage search that failed is a warning under `in-use: report`, and stops the run under skip or
 * fail (what is not known cannot be protected).
 */
export function applyPolicy(
  region: string,
  decisions: Decision[],
  usage: UsageFound,
  settings: PolicySettings
): RegionPolicy {
  if (usage.unknown !== undefined) {
    if (settings.inUse !== 'report') {
      const error = `cannot check which launch templates use the images (in-use: ${settings.inUse}): ${usage.unknown}; nothing was changed`
      return {
        decisions,
        toDisable: toDisable(decisions),
        ...emptyUsage(),
        error,
        refusals: []
      }
    }
    usage = { ...emptyUsage(), warnings: [`launch templates were not checked in ${region}: ${usage.unknown}`] }
  }
  const decided = settings.inUse === 'skip' ? skipInUse(decisions, usage) : decisions
  const images = toDisable(decided)
  const ids = new Set(images.map((i) => i.imageId))
  const refusals: string[] = []
  if (images.length > settings.maxImages) {
    refusals.push(
      `${images.length} images would be disabled in ${region}, more than max-images (${settings.maxImages}): ${listImages(images)}`
    )
  }
  if (settings.inUse === 'fail') {
    const used = images.map((image) => ({ image, users: usersOf(image, usage) })).filter((u) => isUsed(u.users))
    if (used.length > 0) {
      const which = used.map((u) => `${u.image.imageId}${failClause(u.users)}`)
      refusals.push(`in ${region}, ${which.join('; ')} (in-use: fail)`)
    }
  }
  const unknowns = usage.unknowns.filter((u) => u.imageId === undefined || ids.has(u.imageId))
  return {
    decisions: decided,
    toDisable: images,
    templates: usage.templates.filter((t) => ids.has(t.imageId)),
    groups: usage.groups.filter((g) => ids.has(g.imageId)),
    launchConfigurations: usage.launchConfigurations.filter((c) => ids.has(c.imageId)),
    replacements: usage.replacements,
    references: usage.references.filter((r) => ids.has(r.imageId)),
    accounts: usage.accounts.filter((a) => ids.has(a.imageId)),
    unknowns,
    checked: usage.checked,
    // one warning per reason (an account's unknown is said once, whatever the number of its images)
    warnings: [
      ...new Set([
        ...usage.warnings,
        ...(settings.inUse === 'report' ? unknowns.map((u) => unknownWarning(region, u)) : [])
      ])
    ],
    refusals
  }
}

/** `is used by …`, or `has usage in other accounts that is unknown (…)` when only that is known. */
function failClause(users: Users): string {
  return knownUsers(users) === 0 ? `: ${describeUnknowns(users.unknowns)}` : ` is used by ${describeUsers(users)}`
}

/** Under `in-use: report`, what could not be known about other accounts is a warning. */
function unknownWarning(region: string, u: UsageUnknown): string {
  return `usage in other accounts is unknown in ${region}: ${u.why}`
}

/** Why the whole run must change nothing, from every region's refusals, or undefined. */
export function refusalOf(regions: Array<{ refusals: string[] }>): string | undefined {
  const reasons = regions.flatMap((r) => r.refusals)
  return reasons.length ? `refusing to disable anything: ${reasons.join('; ')}` : undefined
}
