/** Plain code-point order: the same on every runner, and no collator to load (ICU costs ~10 ms). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
