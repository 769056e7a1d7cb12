/** Running a command's work region by region, concurrently, collecting region failures. */
import { groupBy } from '../concurrency.js'
import type { RegionReport, Target } from '../model.js'
import { RegionError } from '../context.js'

export function emptyRegion(region: string, error?: string): RegionReport {
  return {
    region,
    images: [],
    decisions: [],
    changes: [],
    templates: [],
    groups: [],
    warnings: [],
    ...(error ? { error } : {})
  }
}

/** Runs `work` for each region's image ids at once; a region that throws becomes a report with its error. */
export async function eachRegion<T>(
  targets: Target[],
  work: (region: string, imageIds: string[]) => Promise<T>
): Promise<Array<{ region: string; value?: T; error?: string }>> {
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
    const region = regions[i][0]
    if (s.status === 'fulfilled') return { region, value: s.value }
    const reason = s.reason as Error
    return { region, error: reason instanceof RegionError ? reason.message : (reason?.message ?? String(reason)) }
  })
}

/** The run's failure line from region errors. */
export function regionFailure(results: Array<{ region: string; error?: string }>): string | undefined {
  const failed = results.filter((r) => r.error)
  if (failed.length === 0) return undefined
  if (results.length === 1) return failed[0].error
  return `nothing was changed in any region: ${failed.map((r) => `${r.region}: ${r.error}`).join(' | ')}`
}
