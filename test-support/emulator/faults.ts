/** Fault switches of the emulator. All are plain mutable fields: change them while it runs. */
import { Ec2Buckets, type Ec2ThrottleConfig } from './throttle.js'
import { actionMatches } from './util.js'

export type { Ec2ThrottleConfig } from './throttle.js'

export interface BucketClass {
  /** tokens when full (the burst) */
  capacity: number
  /** tokens added per second */
  refillPerSec: number
}

/**
 * Throttling:
 * - `probability`: each matching call fails with the given probability (seeded random);
 * - `burst`: the next `count` matching calls fail, then calls pass again;
 * - `bucket`: a token bucket per region and action class, like EC2's request rate limits
 *   (defaults: describe 100 burst / 20 per s, mutate 200 burst / 5 per s, other 50 / 10).
 * - `ec2`: EC2's own buckets per account, region and action class, with its sizes and refill rates,
 *   started at a `level` (nearly empty: another tool just spent them) and drained by a steady
 *   `background` load (test-support/emulator/throttle.ts); EC2 only.
 * `actions` limits it to some actions (`ec2:DisableImage`, `DescribeImages`, `ec2:*`), `accounts` to
 * the calls of some accounts (the caller's account, told by its access key). Buckets are per account,
 * as EC2's are.
 */
export type ThrottleConfig =
  | { mode: 'probability'; rate: number; actions?: string[]; accounts?: string[] }
  | { mode: 'burst'; count: number; actions?: string[]; accounts?: string[] }
  | {
      mode: 'bucket'
      describe?: Partial<BucketClass>
      mutate?: Partial<BucketClass>
      other?: Partial<BucketClass>
      actions?: string[]
      accounts?: string[]
    }
  | Ec2ThrottleConfig

export interface FailRule {
  /** only this action (`DisableImage` or `ec2:DisableImage`); any action naming the image when absent */
  action?: string
  code: string
  status: number
  message?: string
  /** fail this many times, then pass; always when absent */
  times?: number
}

export interface DropConfig {
  /** destroy the socket of the next `times` matching calls */
  times?: number
  /** or of each matching call with this probability */
  rate?: number
  actions?: string[]
}

export interface Faults {
  /** added to every call, in ms */
  latencyMs: number
  /** added to every call to these regions instead of `latencyMs`: `{ 'ap-southeast-2': 150 }` (a far region) */
  latencyByRegionMs: Record<string, number>
  /** extra delay for selected actions: `{ 'DisableImage': 200 }` or `{ 'ec2:DisableImage': 200 }` */
  slowMs: Record<string, number>
  /** denied actions (`ec2:DisableImage`, `autoscaling:DescribeAutoScalingGroups`, `ec2:*`), answered
   *  UnauthorizedOperation (EC2, 403) / AccessDenied (Auto Scaling, 403), with or without DryRun */
  deny: Set<string>
  /** denied actions of one caller account only: `{ '222233334444' => Set(['ec2:DescribeLaunchTemplateVersions']) }` */
  denyByAccount: Map<string, Set<string>>
  /**
   * AssumeRole refused (STS AccessDenied) for the roles matching: an account id (`222233334444`),
   * a role ARN, or a glob of role ARNs (`arn:aws:iam::*:role/reader`); `*` refuses every role
   */
  denyAssumeRole: Set<string>
  /** usage reports of these images (`*`: any) end in state `error` with this StateReason instead of `available` */
  usageReportErrors: Map<string, string>
  throttle: ThrottleConfig | null
  /** per image id: the calls that name it (ImageId, ImageId.N, ResourceId.N) fail with this error */
  failImages: Map<string, FailRule | FailRule[]>
  /** probability of InternalError (500) per call */
  internalErrorRate: number
  dropConnections: DropConfig | null
  /** regions ('*' = all) where image block public access is on: adding Group=all fails */
  blockPublicAccess: Set<string>
  /** DescribeLaunchTemplateVersions' image-id filter also matches the AMI an SSM alias resolves to */
  imageIdFilterMatchesResolved: boolean
  /** DescribeImages by id of a disabled image without IncludeDisabled: InvalidAMIID.NotFound instead of omitting it */
  disabledByIdNotFound: boolean
}

export function defaultFaults(): Faults {
  return {
    latencyMs: 0,
    latencyByRegionMs: {},
    slowMs: {},
    deny: new Set(),
    denyByAccount: new Map(),
    denyAssumeRole: new Set(),
    usageReportErrors: new Map(),
    throttle: null,
    failImages: new Map(),
    internalErrorRate: 0,
    dropConnections: null,
    blockPublicAccess: new Set(),
    imageIdFilterMatchesResolved: false,
    disabledByIdNotFound: false
  }
}

export const MUTATING_ACTIONS = new Set([
  'DisableImage',
  'EnableImage',
  'ModifyImageAttribute',
  'CreateTags',
  'CreateImageUsageReport',
  'DeleteImageUsageReport'
])

export function actionClass(action: string): 'describe' | 'mutate' | 'other' {
  if (MUTATING_ACTIONS.has(action)) return 'mutate'
  if (action.startsWith('Describe') || action.startsWith('Get') || action.startsWith('List')) return 'describe'
  return 'other'
}

const BUCKET_DEFAULTS: Record<'describe' | 'mutate' | 'other', BucketClass> = {
  describe: { capacity: 100, refillPerSec: 20 },
  mutate: { capacity: 200, refillPerSec: 5 },
  other: { capacity: 50, refillPerSec: 10 }
}

export function listMatches(patterns: string[] | undefined, service: string, action: string): boolean {
  return !patterns || patterns.length === 0 || patterns.some((p) => actionMatches(p, service, action))
}

/** Decides throttling; keeps bucket state between calls. */
export class Throttler {
  private buckets = new Map<string, { tokens: number; at: number }>()
  private burstUsed = 0
  private lastConfig: ThrottleConfig | null = null
  /** the state of `mode: 'ec2'` */
  readonly ec2 = new Ec2Buckets()

  reset(): void {
    this.buckets.clear()
    this.burstUsed = 0
    this.ec2.reset()
  }

  shouldThrottle(
    config: ThrottleConfig | null,
    service: string,
    region: string,
    action: string,
    random: () => number,
    now: number,
    accountId = ''
  ): boolean {
    if (config !== this.lastConfig) {
      this.reset()
      this.lastConfig = config
    }
    if (!config || !listMatches(config.actions, service, action)) return false
    if (config.accounts && config.accounts.length > 0 && !config.accounts.includes(accountId)) return false
    switch (config.mode) {
      case 'ec2':
        return service === 'ec2' && this.ec2.take(config, accountId, region, action, now)
      case 'probability':
        return random() < config.rate
      case 'burst':
        if (this.burstUsed < config.count) {
          this.burstUsed++
          return true
        }
        return false
      case 'bucket': {
        const cls = actionClass(action)
        const spec = { ...BUCKET_DEFAULTS[cls], ...(config[cls] ?? {}) }
        const key = `${accountId}:${service}:${region}:${cls}`
        let b = this.buckets.get(key)
        if (!b) this.buckets.set(key, (b = { tokens: spec.capacity, at: now }))
        b.tokens = Math.min(spec.capacity, b.tokens + ((now - b.at) / 1000) * spec.refillPerSec)
        b.at = now
        if (b.tokens >= 1) {
          b.tokens -= 1
          return false
        }
        return true
      }
    }
  }
}
