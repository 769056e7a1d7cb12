/**
 * Which images a run is about: `image-id` lists and Packer manifests -> [{region, imageId}].
 * Pure: the manifest arrives as text.
 */
import { InputError } from './errors.js'
import type { RegionSource, Target } from './model.js'

/** A region and where it came from (the `region` input, or a variable). */
export interface RegionChoice {
  region: string
  from: RegionSource
}

/** EC2 image ids: `ami-` and 8 or 17 lowercase hex digits. */
export const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/

const DIRECTIONS = '(?:north|south|east|west|central|northeast|northwest|southeast|southwest)'
/** The partitions' region shapes (aws, aws-cn, aws-us-gov, the isolated ones, the sovereign cloud). */
const REGION = new RegExp(
  `^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)|us-gov|us-iso|us-isob|us-isof|eu-isoe|eusc-de)-${DIRECTIONS}-[1-9][0-9]?$`
)

export function isRegion(value: string): boolean {
  return REGION.test(value)
}

export function checkRegion(input: string, value: string): string {
  if (!isRegion(value)) {
    throw new InputError(input, `'${value}' is not an AWS region name (expected e.g. us-east-1, eu-west-2)`)
  }
  return value
}

function checkAmi(input: string, value: string): string {
  if (!AMI_ID.test(value)) {
    throw new InputError(input, `'${value}' is not an AMI id (expected ami- followed by 8 or 17 hex digits)`)
  }
  return value
}

function dedupe(targets: Target[]): Target[] {
  const seen = new Set<string>()
  return targets.filter((t) => {
    const key = `${t.region}:${t.imageId}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Parses `image-id`: ids separated by commas and/or newlines, each `ami-…` or `region:ami-…`.
 * Bare ids take `defaultRegion` (with where it came from, when known); with none, the input error
 * says where a region comes from. Each target says where its region came from (`regionFrom`).
 */
export function parseImageIds(
  text: string,
  defaultRegion: string | RegionChoice | undefined,
  input = 'image-id'
): Target[] {
  const fallback: { region: string; from?: RegionSource } | undefined =
    typeof defaultRegion === 'string' ? { region: defaultRegion } : defaultRegion
  const items = text
    // A comma that ends a line separates like the line break (a pasted artifact_id list).
    .split(/\s*,\s*\r?\n|\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
  if (items.length === 0) throw new InputError(input, 'no AMI id given')
  const targets = items.map((item, index): Target => {
    if (item === '') {
      throw new InputError(input, `item ${index + 1} is empty (check for a doubled or trailing comma)`)
    }
    const colon = item.indexOf(':')
    if (colon >= 0) {
      const region = checkRegion(input, item.slice(0, colon).trim())
      return { region, imageId: checkAmi(input, item.slice(colon + 1).trim()), regionFrom: 'image-id' }
    }
    const imageId = checkAmi(input, item)
    if (!fallback?.region) {
      throw new InputError(
        input,
        `'${item}' has no region: write it as region:${item}, or set the 'region' input or AWS_REGION`
      )
    }
    return { region: fallback.region, imageId, ...(fallback.from ? { regionFrom: fallback.from } : {}) }
  })
  return dedupe(targets)
}

interface ManifestBuild {
  name?: unknown
  builder_type?: unknown
  artifact_id?: unknown
  packer_run_uuid?: unknown
}

/**
 * The AMIs of a Packer manifest's last run (`last_run_uuid`): every build of that run whose
 * `artifact_id` holds `region:ami-…` pairs. Builds of other types (docker, files) are passed over.
 */
export function parsePackerManifest(text: string, input = 'packer-manifest'): Target[] {
  let manifest: unknown
  try {
    manifest = JSON.parse(text)
  } catch (error) {
    throw new InputError(input, `the file is not JSON (${(error as Error).message})`)
  }
  if (!Array.isArray((manifest as { builds?: unknown } | null)?.builds)) {
    throw new InputError(input, 'not a Packer manifest (expected an object with a "builds" array)')
  }
  const { builds, last_run_uuid: lastRun } = manifest as { builds: ManifestBuild[]; last_run_uuid?: unknown }
  // an empty last_run_uuid names no run: every build is used
  const run = typeof lastRun === 'string' && lastRun !== '' ? lastRun : undefined
  const ofRun = run === undefined ? builds : builds.filter((b) => b?.packer_run_uuid === run)
  const targets: Target[] = []
  for (const build of ofRun) {
    if (typeof build?.artifact_id !== 'string') continue
    const pairs = build.artifact_id.split(',').map((p) => p.trim())
    if (!pairs.every((p) => /^[^:]+:ami-/.test(p))) continue
    for (const pair of pairs) {
      const colon = pair.indexOf(':')
      targets.push({
        region: checkRegion(input, pair.slice(0, colon)),
        imageId: checkAmi(input, pair.slice(colon + 1)),
        regionFrom: 'packer-manifest'
      })
    }
  }
  if (targets.length === 0) {
    const which = run === undefined ? 'it' : `its last run (${run})`
    throw new InputError(input, `${which} has no AMI build (no artifact_id of region:ami-… pairs)`)
  }
  return dedupe(targets)
}
