/**
 * Which launch template versions, Auto Scaling groups and launch configurations point at which
 * images. Pure: plain records in, plain records out. What the `in-use` policy does with them is in
 * policy.ts.
 */
import type { GroupUse, LaunchConfigurationUse, TemplateUse } from '../model.js'
import { byCodePoint } from './order.js'

/** One launch template version and its image, as DescribeLaunchTemplateVersions returns it. */
export interface TemplateVersion {
  launchTemplateId: string
  launchTemplateName: string
  versionNumber: number
  isDefault: boolean
  /**
   * Whether it is the template's latest version, when the answer says so (a lookup by template that
   * also asked for `$Latest`); otherwise it is taken from the template's numbers, or from the form of
   * the answer.
   */
  isLatest?: boolean
  /** As resolved by ResolveAlias (an AMI id), or as written. */
  imageId?: string
  /** The image as the version writes it, when that is an SSM parameter (`resolve:ssm:…`). */
  imageReference?: string
}

/** A template's default and latest version numbers, from DescribeLaunchTemplates. */
export interface TemplateNumbers {
  launchTemplateId: string
  defaultVersionNumber: number
  latestVersionNumber: number
}

/** An Auto Scaling group's launch template reference. */
export interface GroupTemplateRef {
  autoScalingGroupName: string
  launchTemplateId?: string
  launchTemplateName?: string
  version?: string
  viaMixedInstancesPolicy: boolean
  desiredCapacity?: number
}

/** An Auto Scaling group that launches from a launch configuration. */
export interface GroupLaunchConfigurationRef {
  autoScalingGroupName: string
  launchConfigurationName: string
  desiredCapacity: number
}

/** A launch configuration and its image, as DescribeLaunchConfigurations returns it. */
export interface LaunchConfiguration {
  launchConfigurationName: string
  imageId: string
}

/**
 * The versions of one template that groups name by number (a pinned version), and the groups that
 * do: one lookup by template (by id when a group names the id, else by name), whatever the number
 * of groups and versions.
 */
export interface PinnedLookup {
  launchTemplateId?: string
  launchTemplateName?: string
  /** The pinned version numbers, ascending, each once. */
  versions: number[]
  /** The groups that pin them, in code-point order, each once. */
  autoScalingGroupNames: string[]
}

const PINNED = /^[1-9]\d*$/

/** Whether a group's launch template version names one version by number (not `$Default`, `$Latest` or none). */
export function isPinnedVersion(version: string | undefined): version is string {
  return version !== undefined && PINNED.test(version)
}

/** One version of one template: the key both answers of a version share. */
function versionKey(v: Pick<TemplateVersion, 'launchTemplateId' | 'versionNumber'>): string {
  return `${v.launchTemplateId}#${v.versionNumber}`
}

/**
 * The versions whose image is an SSM parameter, as EC2 answered them resolved (`resolved`), each
 * with the parameter it names from the answer as written (`written`, ResolveAlias off), joined by
 * version. A version the written answer lacks keeps no reference (its fix is then a new version).
 */
export function withReferences(resolved: TemplateVersion[], written: TemplateVersion[]): TemplateVersion[] {
  const references = new Map(
    written.flatMap((v) => (v.imageId?.startsWith('resolve:ssm:') ? [[versionKey(v), v.imageId] as const] : []))
  )
  return resolved.map((v) => {
    const imageReference = references.get(versionKey(v))
    return imageReference ? { ...v, imageReference } : v
  })
}

/**
 * The template versions that groups pin by number, one lookup per template. `$Default`, `$Latest`
 * and no version are left out: the latest/default queries answer them.
 */
export function pinnedLookups(groups: GroupTemplateRef[]): PinnedLookup[] {
  type Target = Pick<PinnedLookup, 'launchTemplateId' | 'launchTemplateName'>
  const byTemplate = new Map<string, { target: Target; versions: Set<number>; groups: Set<string> }>()
  for (const g of groups) {
    if (!isPinnedVersion(g.version)) continue
    const target: Target | undefined = g.launchTemplateId
      ? { launchTemplateId: g.launchTemplateId }
      : g.launchTemplateName
        ? { launchTemplateName: g.launchTemplateName }
        : undefined
    if (!target) continue
    const key = target.launchTemplateId ? `id:${target.launchTemplateId}` : `name:${target.launchTemplateName}`
    let entry = byTemplate.get(key)
    if (!entry) byTemplate.set(key, (entry = { target, versions: new Set(), groups: new Set() }))
    entry.versions.add(Number(g.version))
    entry.groups.add(g.autoScalingGroupName)
  }
  return [...byTemplate.values()].map(({ target, versions, groups: names }) => ({
    ...target,
    versions: [...versions].sort((a, b) => a - b),
    autoScalingGroupNames: [...names].sort(byCodePoint)
  }))
}

/**
 * The launch configurations whose image is one of `imageIds`, each with the groups that launch
 * from it (and their desired capacity), sorted by name.
 */
export function launchConfigurationUses(
  region: string,
  configurations: LaunchConfiguration[],
  groups: GroupLaunchConfigurationRef[],
  imageIds: Iterable<string>
): LaunchConfigurationUse[] {
  const wanted = new Set(imageIds)
  return configurations
    .filter((c) => wanted.has(c.imageId))
    .sort((a, b) => byCodePoint(a.launchConfigurationName, b.launchConfigurationName))
    .map((c) => ({
      region,
      launchConfigurationName: c.launchConfigurationName,
      imageId: c.imageId,
      groups: groups
        .filter((g) => g.launchConfigurationName === c.launchConfigurationName)
        .map((g) => ({ autoScalingGroupName: g.autoScalingGroupName, desiredCapacity: g.desiredCapacity }))
        .sort((a, b) => byCodePoint(a.autoScalingGroupName, b.autoScalingGroupName))
    }))
}

/**
 * The template versions that use one of `imageIds`, deduplicated (a version that is both the
 * default and the latest appears once), with `isDefault` and `isLatest` from the templates'
 * version numbers when known, else from the answer: its own flags (a lookup by template), or its
 * form (a non-default version answered for `$Latest`). A pinned version that is neither the default
 * nor the latest has both flags false.
 */
export function templateUses(
  region: string,
  versions: TemplateVersion[],
  imageIds: Iterable<string>,
  known: TemplateNumbers[] = []
): TemplateUse[] {
  const wanted = new Set(imageIds)
  const numbers = new Map(known.map((k) => [k.launchTemplateId, k]))
  const uses = new Map<string, TemplateUse>()
  for (const v of versions) {
    if (!v.imageId || !wanted.has(v.imageId)) continue
    const key = versionKey(v)
    const k = numbers.get(v.launchTemplateId)
    const isLatest = k ? k.latestVersionNumber === v.versionNumber : (v.isLatest ?? !v.isDefault)
    const isDefault = k ? k.defaultVersionNumber === v.versionNumber : v.isDefault
    const previous = uses.get(key)
    const reference = v.imageReference ?? previous?.imageReference
    uses.set(key, {
      region,
      launchTemplateId: v.launchTemplateId,
      launchTemplateName: v.launchTemplateName,
      versionNumber: v.versionNumber,
      imageId: v.imageId,
      // the same version found by the image-id query too: the reference from whichever said it
      ...(reference ? { imageReference: reference } : {}),
      isDefault: isDefault || (previous?.isDefault ?? false),
      isLatest: isLatest || (previous?.isLatest ?? false)
    })
  }
  return [...uses.values()].sort(
    (a, b) => byCodePoint(a.launchTemplateName, b.launchTemplateName) || a.versionNumber - b.versionNumber
  )
}

/**
 * The groups whose launches use an affected template version: `$Default` and `$Latest` (and no
 * version, which means `$Default`) are resolved through the template's numbers; a number must
 * equal the affected version.
 */
export function groupUses(
  region: string,
  groups: GroupTemplateRef[],
  uses: TemplateUse[],
  known: TemplateNumbers[]
): GroupUse[] {
  const numbers = new Map(known.map((k) => [k.launchTemplateId, k]))
  const result: GroupUse[] = []
  for (const g of groups) {
    const version = g.version ?? '$Default'
    for (const use of uses) {
      const sameTemplate = g.launchTemplateId
        ? g.launchTemplateId === use.launchTemplateId
        : g.launchTemplateName === use.launchTemplateName
      if (!sameTemplate) continue
      const k = numbers.get(use.launchTemplateId)
      const hits =
        version === '$Default'
          ? k
            ? k.defaultVersionNumber === use.versionNumber
            : use.isDefault
          : version === '$Latest'
            ? k
              ? k.latestVersionNumber === use.versionNumber
              : use.isLatest
            : Number(version) === use.versionNumber
      if (hits) {
        result.push({
          region,
          autoScalingGroupName: g.autoScalingGroupName,
          launchTemplateId: use.launchTemplateId,
          launchTemplateName: use.launchTemplateName,
          version,
          versionNumber: use.versionNumber,
          imageId: use.imageId,
          viaMixedInstancesPolicy: g.viaMixedInstancesPolicy,
          desiredCapacity: g.desiredCapacity ?? 0
        })
      }
    }
  }
  return result
}

/** `default and latest`, `default`, `latest`, or '' : which of its template's versions this is. */
export function whichVersion(t: TemplateUse): string {
  return [t.isDefault ? 'default' : '', t.isLatest ? 'latest' : ''].filter(Boolean).join(' and ')
}

/** A template version in one line of text: `web (lt-…) version 3 (default and latest)`. */
export function describeTemplateVersion(t: TemplateUse): string {
  const which = whichVersion(t)
  return `${t.launchTemplateName} (${t.launchTemplateId}) version ${t.versionNumber}${which ? ` (${which})` : ''}`
}
