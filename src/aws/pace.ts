/**
 * Client-side pacing of every EC2 call of a region: a token bucket per action class (EC2's
 * buckets: AMI-FACTS "EC2 request throttling"), one `Pace` per region, shared by every call of
 * the run in that region (`Ec2` puts it in its client's middleware, so paginators, waiters and
 * retries are paced too). EC2's limits belong to the account and the region: other tools spend
 * the same buckets, so the run cannot know how full they are. The pace therefore:
 * - starts each class with a small bucket (`burst` for changes, enough for a usual run's images at
 *   once; `readBurst` for reads) and, until EC2 first says `RequestLimitExceeded`, refills it at
 *   `probe` (`readProbe`) × EC2's refill rate, so that a full account bucket is used, not wasted;
 *   reads also keep at most `readWindow` in flight meanwhile: what is in flight when a bucket runs
 *   out is throttled together. Waiting reads go in the order they asked, except the usage
 *   search's (`laterReads`): they go after the others, which the run's longest chain waits on;
 * - on the first throttled attempt of a class, reads what it means from how many calls got
 *   through before it: half EC2's bucket size or more, the run emptied the bucket itself, and the
 *   class goes on at `share` × EC2's refill (just below it); fewer, other tools are spending the
 *   account's buckets, and the class goes on at `busyShare` × refill, as does every other class of
 *   the region that has not been throttled yet (with one token: their buckets are being spent too);
 * - each further throttle halves the rate, down to `floor` × refill; every attempt answered without
 *   a throttle adds back `recover` × refill, up to the rate of that first cut (`share` or
 *   `busyShare` × refill: in a busy account, climbing back above half only meets the next throttle).
 * The SDK's adaptive retry stays underneath: an attempt the pace let through too early is retried
 * (and the retry waits for a token too).
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

/** `ec2:DisableImage` -> `DisableImage`. */
function actionName(action: string): string {
  return action.replace(/^[a-z0-9-]+:/, '')
}

/** The bucket an action spends: `ec2:DisableImage` -> `mutate`, `ec2:CreateTags` -> `CreateTags`, `DescribeImages` -> `describe`. */
export function limitClass(action: string): string {
  const name = actionName(action)
  if (name in EC2_LIMITS && name !== 'describe' && name !== 'mutate') return name
  if (/^(Describe|Get|List)/.test(name)) return 'describe'
  return 'mutate'
}

/** Reads of a region in flight at most until their first throttle (`PaceOptions.readWindow`'s default). */
export const READ_WINDOW = 3

export interface PaceOptions {
  /** the sustained rate, as a share of EC2's refill (default 0.9) */
  share?: number
  /**
   * the rate once other tools are seen spending the region's buckets, × EC2's refill (default 0.45:
   * a little under half, what two tools sharing a bucket evenly would each get)
   */
  busyShare?: number
  /**
   * the rate of a change class before its first throttle, × EC2's refill (default 4: a usual run's
   * changes, its images' and their usage reports', in one wave)
   */
  probe?: number
  /**
   * the same for reads (default 10: 200 a second, so that while probing the window, not the rate,
   * holds them: 3 a round trip at 20 ms, and fewer at a runner's latencies)
   */
  readProbe?: number
  /** the lowest rate after throttles, × EC2's refill (default 0.1) */
  floor?: number
  /** a change class's tokens at the start, and at most (default 10: the images of a usual run at once) */
  burst?: number
  /** the same for reads (default 4: a drained account holds few, and a read's answer comes back soon) */
  readBurst?: number
  /**
   * reads in flight at most until their first throttle (default 3): at 200 a second the rate alone
   * would let a dozen out in the time a throttle takes to come back at a runner's latencies
   */
  readWindow?: number
  /** per answer without a throttle, the rate grows by this × refill (default 0.01) */
  recover?: number
  /** reads that wait behind the others (default LATER_READS) */
  laterReads?: ReadonlySet<string>
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

/**
 * The usage search's reads (launch templates and their versions, image references): many, in pages,
 * and on a shorter chain than the images' own reads (their sharing, their state again, their usage
 * reports), which the disabling waits on. While reads are held, these go after the others.
 */
export const LATER_READS: ReadonlySet<string> = new Set([
  'DescribeLaunchTemplates',
  'DescribeLaunchTemplateVersions',
  'DescribeImageReferences'
])

/** A call waiting for its turn. */
interface Waiter {
  later: boolean
  asked: number
  admit: () => void
}

interface Lane {
  limit: Limit
  /** tokens at most */
  burst: number
  tokens: number
  at: number
  rate: number
  /** when the rate was last cut (-Infinity: never, the lane is still probing): a throttle of a call sent before it says nothing new */
  cutAt: number
  /** the rate clean answers grow back to: the first cut's (share or busyShare × refill) */
  ceiling: number
  /** the calls waiting for a token, in the order they go */
  queue: Waiter[]
  /** whether a loop is letting the queue through (one per lane) */
  pumping: boolean
  /** attempts sent and not answered yet */
  inFlight: number
  /** while probing: attempts in flight at most (reads; changes are bound by their rate) */
  window: number
  /** the pump, while it waits for room in the window: resumed by an answer or a cut of the rate */
  resume?: (() => void) | undefined
  /** attempts answered without a throttle before the first throttle (while probing) */
  clean: number
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
  private readonly busyShare: number
  private readonly probe: number
  private readonly readProbe: number
  private readonly floor: number
  private readonly burst: number
  private readonly readBurst: number
  private readonly readWindow: number
  private readonly recover: number
  private readonly laterReads: ReadonlySet<string>
  /** when other tools were first seen spending the region's buckets (-Infinity: not yet) */
  private busyAt = -Infinity
  private readonly limits: Readonly<Record<string, Limit>>
  readonly clock: Clock

  constructor(options: PaceOptions = {}) {
    this.share = options.share ?? 0.9
    this.busyShare = options.busyShare ?? 0.45
    this.probe = options.probe ?? 4
    this.readProbe = options.readProbe ?? 10
    this.floor = options.floor ?? 0.1
    this.burst = options.burst ?? 10
    this.readBurst = options.readBurst ?? 4
    this.readWindow = options.readWindow ?? READ_WINDOW
    this.recover = options.recover ?? 0.01
    this.laterReads = options.laterReads ?? LATER_READS
    this.limits = options.limits ?? EC2_LIMITS
    this.clock = options.clock ?? systemClock
  }

  private lane(action: string): Lane {
    const cls = limitClass(action)
    let lane = this.lanes.get(cls)
    if (!lane) {
      const limit = this.limits[cls] ?? this.limits['mutate'] ?? { bucket: 50, refill: 5 }
      const read = cls === 'describe'
      const burst = read ? this.readBurst : this.burst
      lane = {
        limit,
        burst,
        tokens: burst,
        at: this.clock.now(),
        rate: limit.refill * (read ? this.readProbe : this.probe),
        cutAt: -Infinity,
        ceiling: limit.refill * this.share,
        queue: [],
        pumping: false,
        inFlight: 0,
        window: read ? this.readWindow : Infinity,
        clean: 0,
        stats: { calls: 0, throttled: 0, waitedMs: 0 }
      }
      this.lanes.set(cls, lane)
      if (this.busyAt > -Infinity) this.caution(lane, this.busyAt)
    }
    return lane
  }

  private refill(lane: Lane): void {
    const now = this.clock.now()
    lane.tokens = Math.min(lane.burst, lane.tokens + ((now - lane.at) / 1000) * lane.rate)
    lane.at = now
  }

  /** Other tools spend the region's buckets: a class not throttled yet stops probing. */
  private caution(lane: Lane, at: number): void {
    if (lane.cutAt !== -Infinity) return
    this.refill(lane)
    lane.cutAt = at
    lane.ceiling = lane.limit.refill * this.busyShare
    lane.rate = Math.min(lane.rate, lane.ceiling)
    lane.tokens = Math.min(lane.tokens, 1)
    this.wakePump(lane)
  }

  /**
   * Waits for a token of the action's class (and, while the class is probing, for room in its
   * window); calls go in the order they asked, a later read (`laterReads`) behind every other. The
   * caller tells `release` when the answer came.
   */
  private acquire(lane: Lane, later: boolean): Promise<void> {
    return new Promise((admit) => {
      const waiter: Waiter = { later, asked: this.clock.now(), admit }
      const firstLater = later ? -1 : lane.queue.findIndex((w) => w.later)
      lane.queue.splice(firstLater === -1 ? lane.queue.length : firstLater, 0, waiter)
      if (lane.pumping) return
      // the calls asked in the same turn are lined up before any goes: a later read asked a moment
      // before the reads the run waits on does not take their room
      lane.pumping = true
      setImmediate(() => void this.pump(lane))
    })
  }

  /** Lets the lane's waiting calls through, one token each, while there are tokens and room. */
  private async pump(lane: Lane): Promise<void> {
    try {
      for (let next = lane.queue[0]; next; next = lane.queue[0]) {
        this.refill(lane)
        if (lane.cutAt === -Infinity && lane.inFlight >= lane.window) {
          await new Promise<void>((resolve) => (lane.resume = resolve))
          continue
        }
        if (lane.tokens < 1) {
          await this.clock.sleep(Math.max(1, Math.ceil(((1 - lane.tokens) / lane.rate) * 1000)))
          continue
        }
        lane.queue.shift()
        lane.tokens -= 1
        lane.inFlight++
        lane.stats.calls++
        lane.stats.waitedMs += this.clock.now() - next.asked
        next.admit()
      }
    } finally {
      lane.pumping = false
    }
  }

  /** Lets the pump of the lane look again (room in the window, or no window any more). */
  private wakePump(lane: Lane): void {
    const resume = lane.resume
    lane.resume = undefined
    resume?.()
  }

  /** An attempt of the class is answered: room in the window for the next. */
  private release(lane: Lane): void {
    lane.inFlight--
    this.wakePump(lane)
  }

  /**
   * EC2 said the class's bucket is empty (an attempt was throttled). `sentAt`: when that attempt
   * was let through; the attempts in flight when the rate was cut cut it only once.
   */
  throttled(action: string, sentAt = this.clock.now()): void {
    const lane = this.lane(action)
    lane.stats.throttled++
    if (sentAt < lane.cutAt) return
    const now = this.clock.now()
    const probing = lane.cutAt === -Infinity
    this.refill(lane)
    lane.cutAt = now
    if (!probing) lane.rate = Math.max(lane.limit.refill * this.floor, lane.rate / 2)
    else if (lane.clean >= lane.limit.bucket / 2) lane.rate = lane.ceiling = lane.limit.refill * this.share
    else {
      // a bucket EC2 emptied before the run could: other tools are spending the region's buckets
      lane.rate = lane.ceiling = lane.limit.refill * this.busyShare
      if (this.busyAt === -Infinity) {
        this.busyAt = now
        for (const other of this.lanes.values()) this.caution(other, now)
      }
    }
    lane.tokens = Math.min(lane.tokens, 0)
    this.wakePump(lane)
  }

  /** An attempt answered without a throttle: while probing it is counted, after a throttle the rate grows back a little. */
  answered(action: string): void {
    const lane = this.lane(action)
    if (lane.cutAt === -Infinity) {
      lane.clean++
      return
    }
    this.refill(lane)
    lane.rate = Math.min(lane.ceiling, lane.rate + lane.limit.refill * this.recover)
  }

  /** Sends `send` once a token of the action's class is there; learns from its answer. */
  async run<T>(action: string, send: () => Promise<T>): Promise<T> {
    const lane = this.lane(action)
    await this.acquire(lane, this.laterReads.has(actionName(action)))
    const sentAt = this.clock.now()
    try {
      const value = await send()
      if (attemptsOf(value) > 1) this.throttled(action, sentAt)
      else this.answered(action)
      return value
    } catch (error) {
      if (isThrottle(error) || attemptsOf(error) > 1) this.throttled(action, sentAt)
      else this.answered(action)
      throw error
    } finally {
      this.release(lane)
    }
  }

  /** Calls waiting for a token of the action's class. */
  queued(action: string): number {
    return this.lanes.get(limitClass(action))?.queue.length ?? 0
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
