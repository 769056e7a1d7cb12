/**
 * Elements the test knows are there, typed as there (the project compiles with
 * `noUncheckedIndexedAccess`): a missing one fails the test with what was looked for, rather than
 * with a TypeError on `undefined` further down.
 */

/** The element at `index` (a negative one counts from the end). */
export function at<T>(items: readonly T[], index: number): T {
  const item = items.at(index)
  if (item === undefined) throw new Error(`no element at index ${index} of ${items.length}`)
  return item
}

/** The one element of `items`: fails when there are none or several. */
export function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one element, got ${items.length}`)
  return items[0] as T
}
