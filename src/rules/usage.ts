/**
 * Which launch template versions and Auto Scaling groups point at which images. Pure: plain
 * records in, plain records out. What the `in-use` policy does with them is in policy.ts.
 */
import type { GroupUse, TemplateUse } from '../model.js'

/** One launch template version and its image, as DescribeLaunchTemplateVersions returns it (latest/default form). */
export interface TemplateVersion {
  launchTemplateId: string
  launchTemplateName: string
  versionNumber: number
  isDefault: boolean
  /** As resolved by ResolveAlias (an AMI id), or as written. */
  imageId?: string
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

/**
 * The template versions that use one of `imageIds`, deduplicated (a version that is both the
 * default and the latest appears once), with `isLatest` from the templates' version numbers
 * when known, else from the form of the answer (a non-default version answered for `$Latest`).
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
    const key = `${v.launchTemplateId}#${v.versionNumber}`
    const k = numbers.get(v.launchTemplateId)
    const isLatest = k ? k.latestVersionNumber === v.versionNumber : !v.isDefault
    const isDefault = k ? k.defaultVersionNumber === v.versionNumber : v.isDefault
    const previous = uses.get(key)
    uses.set(key, {
      region,
      launchTemplateId: v.launchTemplateId,
      launchTemplateName: v.launchTemplateName,
      versionNumber: v.versionNumber,
      imageId: v.imageId,
      isDefault: isDefault || (previous?.isDefault ?? false),
      isLatest: isLatest || (previous?.isLatest ?? false)
    })
  }
  // Plain code-point order: the same on every runner, and no collator to load (ICU costs ~10 ms).
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  return [...uses.values()].sort(
    (a, b) => byName(a.launchTemplateName, b.launchTemplateName) || a.versionNumber - b.versionNumber
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
