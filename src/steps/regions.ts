/** Running a command's work region by region, concurrently, keeping each region's failure. */
import { describeError } from '../aws/errors.js'
import { groupBy } from '../concurrency.js'
import type { RegionReport, Target } from '../model.js'

/** One region's result: its value, or the one line that says why it failed. */
export type RegionResult<T> =
  { region: string; value: T; error?: undefined } | { region: string; value?: undefined; error: string }

/** A region's report with nothing in it yet, or only the error that stopped it. */
export function emptyRegion(region: string, error?: string): RegionReport {
  return {
    region,
    images: [],
    decisions: [],
    changes: [],
    templates: [],
    groups: [],
    launchConfigurations: [],
    references: [],
    accounts: [],
    unknowns: [],
    replacements: [],
    checked: [],
    warnings: [],
    ...(error ? { error } : {})
  }
}

/** Runs `work` for each region's image ids at once; a region that throws becomes its error. */
export async function eachRegion<T>(
  targets: Target[],
  work: (region: string, imageIds: string[]) => Promise<T>
): Promise<Array<RegionResult<T>>> {
  const regions = [...groupBy(targets, (t) => t.region)]
  const settled = await Promise.allSettled(
    regions.map(([region, list]) =>
      work(
        region,
        list.map((t) => t.imageId)
      )
    )
  )
  return settled.map((s, i) => {
    const region = regions[i]?.[0] ?? ''
    return s.status === 'fulfilled' ? { region, value: s.value } : { region, error: describeError(s.reason) }
  })
}

/** Whether every region succeeded (then the values, in order). */
export function allSucceeded<T>(results: Array<RegionResult<T>>): results is Array<{ region: string; value: T }> {
  return results.every((r) => r.error === undefined)
}
