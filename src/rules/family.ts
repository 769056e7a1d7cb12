/**
 * Which images a new image supersedes, each decision with its reason. Pure: images in,
 * decisions out.
 */
import type { Decision, Image, Tag } from '../model.js'
import { nameMatches } from './name-pattern.js'
import { byCodePoint } from './order.js'

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
export const globMatch: (pattern: string, value: string) => boolean = nameMatches

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

/** `Key`, or `Key=Value`, as `exclude-tags` writes it. */
export function describeMatcher(m: TagMatcher): string {
  return m.value === undefined ? m.key : `${m.key}=${m.value}`
}

/** The first `exclude-tags` matcher that the image's tags match, if any. */
export function excludedBy(image: Image, matchers: TagMatcher[]): TagMatcher | undefined {
  return matchers.find((m) => image.tags.some((t) => t.key === m.key && (m.value === undefined || t.value === m.value)))
}

function time(image: Image): number {
  const t = Date.parse(image.creationDate)
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t
}

/** Newest first; ties by id so that every run orders them the same way. */
export function newestFirst(a: Image, b: Image): number {
  return time(b) - time(a) || byCodePoint(a.imageId, b.imageId)
}

/** The newest new image of each family: what the family's older images are compared with. */
function familyReferences(newImages: Image[], rules: FamilyRules): Image[] {
  const references = new Map<string, Image>()
  for (const image of [...newImages].sort(newestFirst)) {
    const key = familyKey(image, rules)
    if (!references.has(key)) references.set(key, image)
  }
  return [...references.values()]
}

/** Why an image of the family cannot be superseded by `reference`, or undefined when it can. */
function notSupersededBecause(image: Image, reference: Image, accountId: string): string | undefined {
  if (!Number.isFinite(time(reference))) {
    return `the new image ${reference.imageId} has no creation date, so nothing is known to be older`
  }
  if (image.ownerId !== accountId) return `owned by another account (${image.ownerId})`
  if (!(time(image) < time(reference))) {
    return `created at or after the new image ${reference.imageId} (${reference.creationDate})`
  }
  if (image.state !== 'available') return `state is ${image.state}, not available`
  return undefined
}

/** The superseded images, newest first: the `keep` most recent stay enabled, the rest are disabled. */
function keepOrDisable(superseded: Image[], reference: Image, keep: number): Decision[] {
  return superseded.map((image, index) =>
    index < keep
      ? {
          image,
          kind: 'keep',
          supersededBy: reference.imageId,
          reason: `one of the ${keep} most recent superseded (keep: ${keep})`
        }
      : { image, kind: 'disable', supersededBy: reference.imageId, reason: `superseded by ${reference.imageId}` }
  )
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
  const seen = new Set<string>()
  const decisions: Decision[] = []
  const byAge = [...candidates].sort(newestFirst)
  for (const reference of familyReferences(newImages, rules)) {
    const superseded: Image[] = []
    for (const image of byAge) {
      if (newIds.has(image.imageId) || seen.has(image.imageId) || !inFamily(image, reference, rules)) continue
      seen.add(image.imageId)
      const skip = notSupersededBecause(image, reference, accountId)
      const exclusion = skip ? undefined : excludedBy(image, rules.excludeTags)
      if (skip) decisions.push({ image, kind: 'skip', reason: skip })
      else if (exclusion)
        decisions.push({ image, kind: 'exclude', reason: `tagged ${describeMatcher(exclusion)} (exclude-tags)` })
      else superseded.push(image)
    }
    decisions.push(...keepOrDisable(superseded, reference, rules.keep))
  }
  return decisions
}
