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
