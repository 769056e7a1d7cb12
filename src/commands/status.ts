/** `status`: the state of each named image; fails unless every one is in `require-state`. */
import type { RunReport, StatusEntry } from '../model.js'
import type { Context } from '../context.js'
import { eachRegion, emptyRegion } from '../steps/regions.js'

export async function status(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const results = await eachRegion(settings.targets, async (region, ids): Promise<StatusEntry[]> => {
    const found = new Map((await ctx.ec2(region).imagesById(ids)).map((i) => [i.imageId, i]))
    return ids.map((imageId) => {
      const image = found.get(imageId)
      if (!image) return { region, imageId, state: 'not-found' }
      return {
        region,
        imageId,
        state: image.state,
        name: image.name,
        creationDate: image.creationDate,
        ...(image.deprecationTime ? { deprecationTime: image.deprecationTime } : {}),
        ...(image.lastLaunchedTime ? { lastLaunchedTime: image.lastLaunchedTime } : {})
      }
    })
  })
  const entries = results.flatMap((r) => r.value ?? [])
  const run: RunReport = {
    command: 'status',
    dryRun: false,
    family: 'status',
    regions: results.map((r) => emptyRegion(r.region, r.error)),
    status: entries
  }
  const errors = results.filter((r) => r.error).map((r) => `${r.region}: ${r.error}`)
  const wrong = entries.filter((e) => e.state !== settings.requireState)
  for (const e of entries) ctx.log.info(`[${e.region}] ${e.imageId}${e.name ? ` (${e.name})` : ''}: ${e.state}`)
  if (errors.length) run.failure = `the state could not be read: ${errors.join(' | ')}`
  else if (wrong.length)
    run.failure = `${wrong.length} of ${entries.length} image(s) not ${settings.requireState}: ${wrong.map((e) => `${e.imageId} is ${e.state}`).join(', ')}`
  return run
}
