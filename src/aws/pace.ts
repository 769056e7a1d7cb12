/**
 * Client-side pacing of EC2's mutating calls: a token bucket per action class (EC2's buckets:
 * AMI-FACTS "EC2 request throttling"), one `Pace` per region, shared by every change of the run in
 * that region. EC2's limits belong to the account and the region: other tools spend the same
 * buckets, so the run cannot know how full they are. The pace therefore:
 * - starts with a small bucket (`burst`, enough for a usual run's images at once) and, until EC2
 *   first says `RequestLimitExceeded`, refills it at `probe` × EC2's refill rate (so that a full
 *   account bucket is used, not wasted);
 * - on the first throttled (or retried) answer of a class, empties its bucket and drops to `share`
 *   × EC2's refill rate (below it: the account's bucket refills faster than the run spends it);
 *   each further throttle halves the rate (another tool is spending the same bucket), down to
 *   `floor` × refill; every answer without a retry adds back a little, up to `share` × refill.
 * The SDK's adaptive retry stays underneath: a call the pace let through too early is retried.
 * No I/O of its own: time comes from a `Clock`, so that it is tested with a fake one.
 */

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
}

export interface Limit {
  /** EC2's bucket size (the burst) */
  bucket: number
  /** EC2's refill, tokens per second */
  refill: number
}

/** EC2's request-rate buckets per action class (per account and region). */
export const EC2_LIMITS: Readonly<Record<string, Limit>> = {
  describe: { bucket: 100, refill: 20 },
  mutate: { bucket: 50, refill: 5 },
  CreateTags: { bucket: 100, refill: 10 },
  DeregisterImage: { bucket: 100, refill: 5 },
  ModifyImageAttribute: { bucket: 100, refill: 5 },
  DeleteSnapshot: { bucket: 100, refill: 5 }
}

/** The bucket an action spends: `ec2:DisableImage` -> `mutate`, `ec2:CreateTags` -> `CreateTags`, `DescribeImages` -> `describe`. */
export function limitClass(action: string): string {
  const name = action.replace(/^[a-z0-9-]+:/, '')
  if (name in EC2_LIMITS && name !== 'describe' && name !== 'mutate') return name
  if (/^(Describe|Get|List)/.test(name)) return 'describe'
  return 'mutate'
}

export interface PaceOptions {
  /** the sustained rate, as a share of EC2's refill (default 0.9) */
  share?: number
  /** the rate before the first throttle, × EC2's refill (default 2) */
  probe?: number
  /** the lowest rate after throttles, × EC2's refill (default 0.1) */
  floor?: number
  /** tokens at the start, and at most (default 10: the images of a usual run at once) */
  burst?: number
  /** per answer without a retry, the rate grows by this × refill (default 0.02) */
  recover?: number
  limits?: Readonly<Record<string, Limit>>
  clock?: Clock
}

/** What the pace did, per class: for the log and the tests. */
export interface LaneStats {
  calls: number
  /** answers that needed a retry (or failed) for throttling */
  throttled: number
  /** ms the calls waited for a token, summed */
  waitedMs: number
  /** tokens per second now */
  rate: number
}

interface Lane {
  limit: Limit
  tokens: number
  at: number
  rate: number
  /** when the rate was last cut (-Infinity: never, the lane is still probing): a throttle of a call sent before it says nothing new */
  cutAt: number
  /** the calls waiting for a token, in order */
  tail: Promise<void>
  queued: number
  stats: Omit<LaneStats, 'rate'>
}

/** Whether an error is EC2's (or the SDK's) throttling answer. */
export function isThrottle(error: unknown): boolean {
  const e = error as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } }
  const code = [e?.name, e?.Code, e?.code].find((c): c is string => typeof c === 'string')
  return (
    code === 'RequestLimitExceeded' ||
    code === 'Throttling' ||
    code === 'ThrottlingException' ||
    code === 'TooManyRequestsException'
  )
}

/** Attempts the SDK made for an answer (`$metadata.attempts`), when it says. */
function attemptsOf(value: unknown): number {
  const attempts = (value as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts
  return typeof attempts === 'number' ? attempts : 1
}

export class Pace {
  private readonly lanes = new Map<string, Lane>()
  private readonly share: number
  private readonly probe: number
  private readonly floor: number
  private readonly burst: number
  private readonly recover: number
  private readonly limits: Readonly<Record<string, Limit>>
  readonly clock: Clock

  constructor(options: PaceOptions = {}) {
    this.share = options.share ?? 0.9
    this.probe = options.probe ?? 2
    this.floor = options.floor ?? 0.1
    this.burst = options.burst ?? 10
    this.recover = options.recover ?? 0.02
    this.limits = options.limits ?? EC2_LIMITS
    this.clock = options.clock ?? systemClock
  }

  private lane(action: string): Lane {
    const cls = limitClass(action)
    let lane = this.lanes.get(cls)
    if (!lane) {
      const limit = this.limits[cls] ?? this.limits['mutate'] ?? { bucket: 50, refill: 5 }
      const rate = limit.refill * this.probe
      lane = {
        limit,
        tokens: this.burst,
        at: this.clock.now(),
        rate,
        cutAt: -Infinity,
        tail: Promise.resolve(),
        queued: 0,
        stats: { calls: 0, throttled: 0, waitedMs: 0 }
      }
      this.lanes.set(cls, lane)
    }
    return lane
  }

  private refill(lane: Lane): void {
    const now = this.clock.now()
    lane.tokens = Math.min(this.burst, lane.tokens + ((now - lane.at) / 1000) * lane.rate)
    lane.at = now
  }

  /** Waits for a token of the action's class; calls wait in the order they asked. */
  acquire(action: string): Promise<void> {
    const lane = this.lane(action)
    lane.queued++
    const asked = this.clock.now()
    const turn = lane.tail.then(async () => {
      for (;;) {
        this.refill(lane)
        if (lane.tokens >= 1) break
        await this.clock.sleep(Math.max(1, Math.ceil(((1 - lane.tokens) / lane.rate) * 1000)))
      }
      lane.tokens -= 1
      lane.queued--
      lane.stats.calls++
      lane.stats.waitedMs += this.clock.now() - asked
    })
    lane.tail = turn
    return turn
  }

  /**
   * EC2 said the class's bucket is empty (the call was throttled, or needed retries). `sentAt`:
   * when that call was let through; the calls in flight when the rate was cut cut it only once.
   */
  throttled(action: string, sentAt = this.clock.now()): void {
    const lane = this.lane(action)
    lane.stats.throttled++
    if (sentAt < lane.cutAt) return
    const probing = lane.cutAt === -Infinity
    lane.cutAt = this.clock.now()
    const sustained = lane.limit.refill * this.share
    lane.rate = probing ? sustained : Math.max(lane.limit.refill * this.floor, lane.rate / 2)
    this.refill(lane)
    lane.tokens = Math.min(lane.tokens, 0)
  }

  /** An answer without a retry: after a throttle, the rate grows back a little. */
  private answered(action: string): void {
    const lane = this.lane(action)
    if (lane.cutAt === -Infinity) return // still probing
    this.refill(lane)
    lane.rate = Math.min(lane.limit.refill * this.share, lane.rate + lane.limit.refill * this.recover)
  }

  /** Sends `send` once a token of the action's class is there; learns from its answer. */
  async run<T>(action: string, send: () => Promise<T>): Promise<T> {
    await this.acquire(action)
    const sentAt = this.clock.now()
    try {
      const value = await send()
      if (attemptsOf(value) > 1) this.throttled(action, sentAt)
      else this.answered(action)
      return value
    } catch (error) {
      if (isThrottle(error) || attemptsOf(error) > 1) this.throttled(action, sentAt)
      throw error
    }
  }

  /** Calls waiting for a token of the action's class. */
  queued(action: string): number {
    return this.lanes.get(limitClass(action))?.queued ?? 0
  }

  stats(): Record<string, LaneStats> {
    return Object.fromEntries([...this.lanes].map(([cls, lane]) => [cls, { ...lane.stats, rate: lane.rate }]))
  }
}

/**
 * A progress hook for a long list of changes: `(done, total)` after each one; says
 * `<verb> done/total…` through `say` at most every `everyMs` (and not at all for a short list,
 * nor for the last one: the per-image lines and the summary follow).
 */
export function progressEvery(
  say: (line: string) => void,
  verb: string,
  now: () => number,
  everyMs = 5_000
): (done: number, total: number) => void {
  let last = now()
  return (done, total) => {
    const t = now()
    if (done >= total || t - last < everyMs) return
    last = t
    say(`${verb} ${done}/${total}…`)
  }
}
