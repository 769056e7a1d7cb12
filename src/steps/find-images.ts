/** Finding the images a command is about: visible, owned by this account, and (when asked) available. */
import type { Ec2 } from '../aws/ec2.js'
import { RegionError } from '../context.js'
import type { Image } from '../model.js'

export interface OwnedImages {
  images: Image[]
  /** The calling account, read off the images it owns. */
  accountId: string
}

/**
 * The images by id, all owned by the calling account. Any id that does not exist, or belongs
 * to another account, is a RegionError naming it.
 */
export async function ownedImages(ec2: Ec2, imageIds: string[]): Promise<OwnedImages> {
  const owned = await ec2.imagesById(imageIds, ['self'])
  const byId = new Map(owned.map((i) => [i.imageId, i]))
  const missing = imageIds.filter((id) => !byId.has(id))
  if (missing.length > 0) {
    const visible = new Map((await ec2.imagesById(missing)).map((i) => [i.imageId, i]))
    const problems = missing.map((id) => {
      const other = visible.get(id)
      return other
        ? `${id} is owned by account ${other.ownerId}, not by this account`
        : `${id} was not found in ${ec2.region}`
    })
    throw new RegionError(ec2.region, problems.join('; '))
  }
  const images = imageIds.flatMap((id) => byId.get(id) ?? [])
  return { images, accountId: images[0]?.ownerId ?? '' }
}

/** The states of an image still being made: worth waiting for. */
export const BUILDING_STATES = new Set(['pending', 'transient'])

/** The states an image never leaves on its own: no use waiting for it. */
const BROKEN_STATES = new Set(['failed', 'error', 'invalid', 'deregistered', 'disabled'])

function states(images: Image[]): string {
  return images.map((i) => `${i.imageId} is ${i.state}`).join(', ')
}

/** Waits (at most `timeoutSeconds`) for every image to be `available`; a RegionError otherwise. */
export async function waitUntilAvailable(
  ec2: Ec2,
  images: Image[],
  timeoutSeconds: number,
  log: (m: string) => void
): Promise<Image[]> {
  const pending = images.filter((i) => i.state !== 'available')
  if (pending.length === 0) return images
  const broken = pending.filter((i) => !BUILDING_STATES.has(i.state))
  if (broken.length > 0)
    throw new RegionError(ec2.region, `new image not usable: ${states(broken)}; nothing was changed`)
  log(
    `waiting up to ${timeoutSeconds}s for ${pending.map((i) => `${i.imageId} (${i.state})`).join(', ')} to become available`
  )
  const ids = pending.map((i) => i.imageId)
  const result = await ec2.waitFor(ids, timeoutSeconds, (found) =>
    found.some((i) => BROKEN_STATES.has(i.state))
      ? 'failure'
      : found.length === ids.length && found.every((i) => i.state === 'available')
        ? 'success'
        : 'retry'
  )
  const notReady = result.images.filter((i) => i.state !== 'available')
  if (result.state === 'failure')
    throw new RegionError(ec2.region, `new image not usable: ${states(notReady)}; nothing was changed`)
  if (result.state === 'timeout') {
    throw new RegionError(
      ec2.region,
      `new image not available after wait-timeout (${timeoutSeconds}s): ${states(notReady)}; nothing was changed`
    )
  }
  const fresh = new Map(result.images.map((i) => [i.imageId, i]))
  return images.map((i) => fresh.get(i.imageId) ?? i)
}
