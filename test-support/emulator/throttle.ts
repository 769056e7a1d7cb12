/**
 * EC2's request-rate limits as the account sees them: a token bucket per account, region and
 * action class, with EC2's sizes and refill rates (AMI-FACTS "EC2 request throttling"), which a
 * test or the bench can start nearly empty (`level`: another tool just spent them) and keep
 * draining at a steady background rate (`background`: a share of the refill that other tools
 * spend). Over it the call is answered as EC2 answers it: `RequestLimitExceeded`,
 * "Request limit exceeded.", HTTP 503 (the emulator's call log records the code).
 */
import type { BucketClass } from './faults.js'

/** EC2's buckets per action class (per account and region): size / refill per second. */
export const EC2_BUCKETS: Readonly<Record<string, BucketClass>> = {
  describe: { capacity: 100, refillPerSec: 20 },
  mutate: { capacity: 50, refillPerSec: 5 },
  CreateTags: { capacity: 100, refillPerSec: 10 },
  DeregisterImage: { capacity: 100, refillPerSec: 5 },
  ModifyImageAttribute: { capacity: 100, refillPerSec: 5 },
  DeleteSnapshot: { capacity: 100, refillPerSec: 5 }
}

/**
 * `mode: 'ec2'`: EC2's buckets.
 * - `level`: how full every bucket is at the start, 0..1 (default 1: full);
 * - `background`: the share of each refill that other tools spend, steadily, 0..1 (default 0);
 * - `buckets`: other sizes or rates per class (`describe`, `mutate`, `CreateTags`, …);
 * - `actions` / `accounts`: only these actions (`ec2:DisableImage`, `ec2:*`) / callers' accounts.
 * Only EC2 is limited (Auto Scaling and STS have limits of their own, not modelled here).
 */
export interface Ec2ThrottleConfig {
  mode: 'ec2'
  level?: number
  background?: number
  buckets?: Partial<Record<string, Partial<BucketClass>>>
  actions?: string[]
  accounts?: string[]
}

/** The EC2 bucket an action spends. */
export function ec2BucketClass(action: string): string {
  if (action in EC2_BUCKETS && action !== 'describe' && action !== 'mutate') return action
  if (action.startsWith('Describe') || action.startsWith('Get') || action.startsWith('List')) return 'describe'
  return 'mutate'
}

interface Bucket {
  tokens: number
  at: number
}

/** The buckets' state between calls, and what they refused. */
export class Ec2Buckets {
  private buckets = new Map<string, Bucket>()
  /** throttled answers per `account:region:class` */
  readonly refused = new Map<string, number>()

  reset(): void {
    this.buckets.clear()
    this.refused.clear()
  }

  spec(config: Ec2ThrottleConfig, cls: string): BucketClass {
    return { ...(EC2_BUCKETS[cls] ?? EC2_BUCKETS['mutate']!), ...(config.buckets?.[cls] ?? {}) }
  }

  /** Tokens left in a bucket now (refilled to `now`), for tests and the bench. */
  tokens(config: Ec2ThrottleConfig, accountId: string, region: string, action: string, now: number): number {
    const cls = ec2BucketClass(action)
    return this.bucket(config, `${accountId}:${region}:${cls}`, this.spec(config, cls), now).tokens
  }

  private bucket(config: Ec2ThrottleConfig, key: string, spec: BucketClass, now: number): Bucket {
    let b = this.buckets.get(key)
    const level = Math.min(1, Math.max(0, config.level ?? 1))
    if (!b) this.buckets.set(key, (b = { tokens: spec.capacity * level, at: now }))
    const background = Math.min(1, Math.max(0, config.background ?? 0))
    const net = spec.refillPerSec * (1 - background)
    b.tokens = Math.min(spec.capacity, b.tokens + (Math.max(0, now - b.at) / 1000) * net)
    b.at = now
    return b
  }

  /** True when the call is over the limit (no token left); else spends one. */
  take(config: Ec2ThrottleConfig, accountId: string, region: string, action: string, now: number): boolean {
    const cls = ec2BucketClass(action)
    const key = `${accountId}:${region}:${cls}`
    const b = this.bucket(config, key, this.spec(config, cls), now)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return false
    }
    this.refused.set(key, (this.refused.get(key) ?? 0) + 1)
    return true
  }
}
