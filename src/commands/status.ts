/** `status`: the state of each named image; the step fails unless every one is in `require-state`. */
import type { Context } from '../context.js'
import type { RunReport, StatusEntry } from '../model.js'
import { eachRegion, emptyRegion } from '../steps/regions.js'

async function statesIn(ctx: Context, region: string, ids: string[]): Promise<StatusEntry[]> {
  const found = new Map((await ctx.ec2(region).imagesById(ids)).map((i) => [i.imageId, i]))
  return ids.map((imageId): StatusEntry => {
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
}

export async function status(ctx: Context): Promise<RunReport> {
  const { settings } = ctx
  const subject = settings.targets.map((t) => t.imageId).join(', ')
  ctx.planned()
  const results = await eachRegion(settings.targets, (region, ids) => statesIn(ctx, region, ids))
  const entries = results.flatMap((r) => r.value ?? [])
  for (const e of entries) ctx.log.info(`[${e.region}] ${e.imageId}${e.name ? ` (${e.name})` : ''}: ${e.state}`)
  return {
    command: 'status',
    dryRun: false,
    subject,
    commentKey: `status ${subject}`,
    regions: results.map((r) => emptyRegion(r.region, r.error)),
    status: { requireState: settings.requireState, entries }
  }
}
