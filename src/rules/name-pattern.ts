/**
 * EC2's `name` filter, as DescribeImages applies it: `*` any run of characters (also none), `?`
 * exactly one, every other character literal, case-sensitive, against the whole name. Pure.
 */
import type { Image } from '../model.js'

/** Whether `name` matches the EC2 name filter `pattern`. */
export function nameMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]')
  return new RegExp(`^${source}$`).test(name)
}

/**
 * Why `name-pattern` is a mistake for these new images: the images it does not match (the family
 * query would then find images of another family, or none), in one line; undefined when it matches
 * them all.
 */
export function namePatternMismatch(pattern: string, newImages: Image[]): string | undefined {
  const unmatched = newImages.filter((i) => !nameMatches(pattern, i.name))
  if (unmatched.length === 0) return undefined
  const which = unmatched.map((i) => `${i.imageId} (named '${i.name}')`).join(', ')
  const image = unmatched.length === 1 ? 'the new image' : 'the new images'
  return `name-pattern '${pattern}' does not match ${image} ${which}; nothing was changed`
}
