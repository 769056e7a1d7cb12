/**
 * Images changed at once within one region: every image of a usual run (max-images defaults to
 * 10) in one wave; the SDK's adaptive retry paces them under throttling.
 */
export const PER_REGION_CONCURRENCY = 25

/**
 * The same promise, its rejection marked as handled: for work started early whose result may be
 * awaited later or never (then its failure is not an unhandled rejection).
 */
export function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/** Runs tasks with a bound on how many run at once; one limiter may be shared by several callers. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

/** A bound of `max` tasks at once (at least one), the waiting ones started in the order they came. */
export function limiter(max: number): Limiter {
  const bound = Math.max(1, max)
  let running = 0
  const waiting: Array<() => void> = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= bound) await new Promise<void>((resolve) => waiting.push(resolve))
    else running++
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}

/** Runs `fn` over `items` with at most `limit` at once; results keep the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const run = limiter(limit)
  return Promise.all(items.map((item, index) => run(() => fn(item, index))))
}

/** Groups targets by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}
