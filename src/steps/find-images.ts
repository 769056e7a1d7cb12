/** Finding the images a command is about: visible, owned by this account, and (when asked) available. */
import type { Ec2 } from '../aws/ec2.js'
import { RegionError } from '../context.js'
import type { Image, RegionSource, Target } from '../model.js'

export interface OwnedImages {
  images: Image[]
  /** The calling account, read off the images it owns. */
  accountId: string
}

/** Why a region was looked in, and what to check when the id is not there, by where the region came from. */
const NOT_FOUND_HINTS: Record<RegionSource, (imageId: string) => [why: string, hint: string]> = {
  input: (id) => ["the 'region' input", `if it lives elsewhere, write <region>:${id}`],
  AWS_REGION: (id) => [
    "from AWS_REGION, as the 'region' input is empty",
    `if it lives elsewhere, set 'region' or write <region>:${id}`
  ],
  AWS_DEFAULT_REGION: (id) => [
    "from AWS_DEFAULT_REGION, as 'region' and AWS_REGION are empty",
    `if it lives elsewhere, set 'region' or write <region>:${id}`
  ],
  'image-id': () => [
    'the region written in image-id',
    'check that region, and that the credentials are of the account that owns the image'
  ],
  'packer-manifest': () => [
    "from the packer-manifest's artifact_id",
    "check that the manifest is this build's, and that the credentials are of the account that built it"
  ]
}

/** `ami-… was not found in <region>`, with why that region and what to check (when known). */
export function notFoundIn(region: string, imageId: string, from: RegionSource | undefined): string {
  const found = `${imageId} was not found in ${region}`
  if (!from) return found
  const [why, hint] = NOT_FOUND_HINTS[from](imageId)
  return `${found} (${why}); ${hint}`
}

/** The images by id that the calling account owns, and the ids it does not (in the order asked). */
export interface OwnedLookup extends OwnedImages {
  /** The ids not owned by this account: visible in another account (`elsewhere`), or not found. */
  missing: string[]
  elsewhere: Map<string, Image>
}

/** Looks the images up: those owned by the calling account, then (only when some are missing) the others visible. */
export async function lookUpOwned(ec2: Ec2, imageIds: string[]): Promise<OwnedLookup> {
  const byId = new Map((await ec2.imagesById(imageIds, ['self'])).map((i) => [i.imageId, i]))
  const missing = imageIds.filter((id) => !byId.has(id))
  const elsewhere = new Map(missing.length > 0 ? (await ec2.imagesById(missing)).map((i) => [i.imageId, i]) : [])
  const images = imageIds.flatMap((id) => byId.get(id) ?? [])
  return { images, accountId: images[0]?.ownerId ?? '', missing, elsewhere }
}

/**
 * The RegionError for the ids of a lookup that this account does not own, naming each (one not
 * found says where its region came from: the `targets`' `regionFrom`); undefined when there is none.
 */
export function notOwnedError(
  region: string,
  lookup: Pick<OwnedLookup, 'missing' | 'elsewhere'>,
  targets: readonly Target[] = []
): RegionError | undefined {
  if (lookup.missing.length === 0) return undefined
  const problems = lookup.missing.map((id) => {
    const other = lookup.elsewhere.get(id)
    return other
      ? `${id} is owned by account ${other.ownerId}, not by this account`
      : notFoundIn(region, id, targets.find((t) => t.region === region && t.imageId === id)?.regionFrom)
  })
  return new RegionError(region, `${problems.join('; ')}; nothing was changed`)
}

/**
 * The images by id, all owned by the calling account. Any id that does not exist, or belongs
 * to another account, is a RegionError naming it (`notOwnedError`).
 */
export async function ownedImages(ec2: Ec2, imageIds: string[], targets: readonly Target[] = []): Promise<OwnedImages> {
  const { missing, elsewhere, ...owned } = await lookUpOwned(ec2, imageIds)
  const error = notOwnedError(ec2.region, { missing, elsewhere }, targets)
  if (error) throw error
  return owned
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
