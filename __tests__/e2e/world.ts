/**
 * The end-to-end test world: a local EC2/Auto Scaling endpoint, a local GitHub API, and the
 * bundled action run as a runner runs it.
 */
import {
  startAwsEmulator,
  type AccountState,
  type AwsEmulator,
  type EmuImage,
  type ImageInput
} from '../../test-support/emulator/ec2.js'
import { recordTags } from '../../src/rules/lineage.js'
import { startGitHubFake, type GitHubFake } from '../../test-support/github.js'
import { runAction, type RunActionOptions, type RunActionResult } from '../../test-support/run-action.js'

export const REGION = 'us-east-1'
export const OTHER_ACCOUNT = '999988887777'
/** A consumer account: images are shared with it, it has its own templates, groups and instances. */
export const CONSUMER = '222233334444'
export const MUTATING = ['DisableImage', 'EnableImage', 'CreateTags', 'ModifyImageAttribute']

export interface World {
  aws: AwsEmulator
  github: GitHubFake
  run(inputs: Record<string, string>, options?: Partial<RunActionOptions>): Promise<RunActionResult>
  close(): Promise<void>
}

export async function startWorld(): Promise<World> {
  const aws = await startAwsEmulator()
  const github = await startGitHubFake()
  return {
    aws,
    github,
    run: (inputs, options = {}) =>
      runAction({
        inputs,
        region: REGION,
        ec2Url: aws.url,
        githubUrl: github.url,
        eventName: 'workflow_dispatch',
        event: {},
        timeoutMs: 60_000,
        ...options
      }),
    close: async () => {
      await aws.close()
      await github.close()
    }
  }
}

/** Day N of November 2026, at 10:00 UTC, plus `minutes`. */
export function day(n: number, minutes = 0): string {
  return new Date(Date.UTC(2026, 10, n, 10, minutes)).toISOString()
}

/** Adds an image of the calling account (unless ownerId says otherwise) with a role tag. */
export function image(
  aws: AwsEmulator,
  name: string,
  created: string,
  extra: ImageInput = {},
  region = REGION,
  role: string | null = 'web'
): EmuImage {
  return aws.addImage(region, {
    name,
    creationDate: created,
    tags: role === null ? [] : [{ key: 'role', value: role }],
    ...extra
  })
}

/**
 * `N` elements of `T`: a tuple when `N` is a literal (so that `old[1]` of `family(aws, 2)` is an
 * image and `old[2]` a compile error), an array when it is just a number.
 */
export type Tuple<T, N extends number, R extends T[] = []> = number extends N
  ? T[]
  : R['length'] extends N
    ? R
    : Tuple<T, N, [...R, T]>

/** A family of `count` images, one a day from day 1, then the new image on day count + 1. */
export function family<N extends number>(
  aws: AwsEmulator,
  count: N,
  prefix = 'golden-web',
  region = REGION,
  role = 'web'
): { old: Tuple<EmuImage, N>; fresh: EmuImage } {
  const old = Array.from({ length: count }, (_, i) => image(aws, `${prefix}-${i + 1}`, day(i + 1), {}, region, role))
  const fresh = image(aws, `${prefix}-${count + 1}`, day(count + 1), {}, region, role)
  // Array.from made exactly `count` of them.
  return { old: old as Tuple<EmuImage, N>, fresh }
}

/**
 * A consumer account of the emulator (its own launch templates, groups, instances, SSM parameters),
 * optionally declared in an organization and OUs. Calls signed with credentials from STS AssumeRole
 * of `arn:aws:iam::<id>:role/<any>` act as it.
 */
export function consumer(
  aws: AwsEmulator,
  accountId = CONSUMER,
  membership?: { organizationArn?: string; organizationalUnitArns?: string[] }
): AccountState {
  return aws.account(accountId, membership)
}

export function stateOf(aws: AwsEmulator, imageId: string, region = REGION): string | undefined {
  return aws.image(region, imageId)?.state
}

/** The mutating calls that EC2 carried out (not DryRun, not failed). */
export function changesMade(aws: AwsEmulator): string[] {
  return aws.calls.filter((c) => MUTATING.includes(c.action) && c.status === 200).map((c) => `${c.action} ${c.region}`)
}

export function json<T = unknown>(text: string | undefined): T {
  return JSON.parse(text ?? 'null') as T
}

// ---- retire: images this action disabled N days ago, snapshots, the Recycle Bin ----

/** The calls that change images, snapshots or the Recycle Bin (retire's and enable's). */
export const RETIRE_MUTATING = [
  ...MUTATING,
  'DeregisterImage',
  'DeleteSnapshot',
  'ModifySnapshotTier',
  'RestoreImageFromRecycleBin',
  'RestoreSnapshotFromRecycleBin'
]

/** `days` days before the real now (the bundled action reads the real clock), ISO 8601 UTC without milliseconds. */
export function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export interface DisabledImageOptions {
  /** the record of this action (default true): without it, the image was disabled by hand */
  record?: boolean
  /** the accounts it was shared with when this action disabled it */
  sharedWith?: string[]
  /** re-enabled this many days ago (after the disable), then disabled again by hand */
  reenabledDaysAgo?: number
  /** its snapshots: [id, GiB] each (default one 8 GiB root snapshot) */
  snapshots?: Array<[string, number]>
  role?: string
  extra?: ImageInput
}

/** A disabled image of the calling account that this action disabled `days` days ago (its record as the action writes it). */
export function disabledImage(
  aws: AwsEmulator,
  name: string,
  days: number,
  options: DisabledImageOptions = {},
  region = REGION
): EmuImage {
  const { record = true, sharedWith = [], reenabledDaysAgo, snapshots, role = 'web', extra = {} } = options
  const lineage = {
    supersededBy: 'ami-0fffffffffffffff0',
    reason: 'superseded' as const,
    disabledAt: daysAgo(days),
    ...(reenabledDaysAgo !== undefined ? { reenabledAt: daysAgo(reenabledDaysAgo) } : {})
  }
  const sharing = { public: false, userIds: sharedWith, organizationArns: [], organizationalUnitArns: [] }
  const tags = [{ key: 'role', value: role }, ...(record ? recordTags({ lineage, sharing }) : [])]
  return aws.addImage(region, {
    name,
    creationDate: new Date(Date.now() - (days + 1) * 86_400_000).toISOString(),
    state: 'disabled',
    tags,
    ...(snapshots
      ? {
          blockDeviceMappings: snapshots.map(([snapshotId, size], i) => ({
            deviceName: i === 0 ? '/dev/xvda' : `/dev/xvd${String.fromCharCode(98 + i - 1)}`,
            ebs: { snapshotId, volumeSize: size, volumeType: 'gp3', deleteOnTermination: true, encrypted: false }
          }))
        }
      : {}),
    ...extra
  })
}

/** The snapshot ids of an image's block device mappings. */
export function snapshotIds(image: EmuImage): string[] {
  return image.blockDeviceMappings.flatMap((b) => (b.ebs?.snapshotId ? [b.ebs.snapshotId] : []))
}

/** The retire/enable changes that EC2 carried out (not DryRun, not failed). */
export function retireChangesMade(aws: AwsEmulator): string[] {
  return aws.calls
    .filter((c) => RETIRE_MUTATING.includes(c.action) && c.status === 200)
    .map((c) => `${c.action} ${c.region}`)
}
