/**
 * Which images a new image supersedes, each decision with its reason. Pure: images in,
 * decisions out.
 */
import type { Decision, Image, Tag } from '../model.js'

export interface TagMatcher {
  key: string
  value?: string
}

export interface FamilyRules {
  familyTag?: string
  namePattern?: string
  keep: number
  excludeTags: TagMatcher[]
}

export function tagValue(tags: Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value
}

/** EC2's name filter semantics: `*` any run of characters, `?` exactly one; the rest literal. */
export function globMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]')
  return new RegExp(`^${source}$`).test(value)
}

/** A family key: what makes two new images of one region the same family. */
export function familyKey(image: Image, rules: FamilyRules): string {
  const parts: string[] = []
  if (rules.familyTag) parts.push(`${rules.familyTag}=${tagValue(image.tags, rules.familyTag) ?? ''}`)
  if (rules.namePattern) parts.push(`name=${rules.namePattern}`)
  return parts.join(' ')
}

export function inFamily(image: Image, reference: Image, rules: FamilyRules): boolean {
  if (rules.familyTag) {
    const wanted = tagValue(reference.tags, rules.familyTag)
    if (wanted === undefined || tagValue(image.tags, rules.familyTag) !== wanted) return false
  }
  if (rules.namePattern && !globMatch(rules.namePattern, image.name)) return false
  return Boolean(rules.familyTag || rules.namePattern)
}

function excludedBy(image: Image, matchers: TagMatcher[]): TagMatcher | undefined {
  return matchers.find((m) => image.tags.some((t) => t.key === m.key && (m.value === undefined || t.value === m.value)))
}

function time(image: Image): number {
  const t = Date.parse(image.creationDate)
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t
}

/** Newest first; ties by id so that every run orders them the same way. */
export function newestFirst(a: Image, b: Image): number {
  return time(b) - time(a) || (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0)
}

/**
 * Decides, for the candidates found in one region, which are superseded by the new images.
 *
 * - the new images themselves are never candidates (they are left out of the decisions);
 * - only images owned by `accountId`, in the family of a new image, `available`, and created
 *   strictly before the newest new image of that family are superseded;
 * - of those, images matching `exclude-tags` are excluded, then the `keep` most recent stay
 *   enabled, and the rest are to be disabled.
 *
 * An image outside every family is left out; one in a family but not eligible is `skip`ped
 * with the reason.
 */
export function decideFamily(
  newImages: Image[],
  candidates: Image[],
  accountId: string,
  rules: FamilyRules
): Decision[] {
  const newIds = new Set(newImages.map((i) => i.imageId))
  const references = new Map<string, Image>()
  for (const image of [...newImages].sort(newestFirst)) {
    const key = familyKey(image, rules)
    if (!references.has(key)) references.set(key, image)
  }
  const seen = new Set<string>()
  const decisions: Decision[] = []
  for (const reference of references.values()) {
    const superseded: Image[] = []
    for (const image of [...candidates].sort(newestFirst)) {
      if (newIds.has(image.imageId) || seen.has(image.imageId) || !inFamily(image, reference, rules)) continue
      seen.add(image.imageId)
      if (!Number.isFinite(time(reference))) {
        decisions.push({
          image,
          kind: 'skip',
          reason: `the new image ${reference.imageId} has no creation date, so nothing is known to be older`
        })
      } else if (image.ownerId !== accountId) {
        decisions.push({ image, kind: 'skip', reason: `owned by another account (${image.ownerId})` })
      } else if (!(time(image) < time(reference))) {
        decisions.push({
          image,
          kind: 'skip',
          reason: `created at or after the new image ${reference.imageId} (${reference.creationDate})`
        })
      } else if (image.state !== 'available') {
        decisions.push({ image, kind: 'skip', reason: `state is ${image.state}, not available` })
      } else {
        const exclusion = excludedBy(image, rules.excludeTags)
        if (exclusion) {
          const what = exclusion.value === undefined ? exclusion.key : `${exclusion.key}=${exclusion.value}`
          decisions.push({ image, kind: 'exclude', reason: `tagged ${what} (exclude-tags)` })
        } else {
          superseded.push(image)
        }
      }
    }
    superseded.forEach((image, index) => {
      decisions.push(
        index < rules.keep
          ? {
              image,
              kind: 'keep',
              supersededBy: reference.imageId,
              reason: `one of the ${rules.keep} most recent superseded (keep: ${rules.keep})`
            }
          : { image, kind: 'disable', supersededBy: reference.imageId, reason: `superseded by ${reference.imageId}` }
      )
    })
  }
  return decisions
}

/** The images of the decisions that are to be disabled. */
export function toDisable(decisions: Decision[]): Image[] {
  return decisions.filter((d) => d.kind === 'disable').map((d) => d.image)
}
