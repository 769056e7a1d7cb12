/** The client-side pace of EC2's changes (src/aws/pace.ts), with a fake clock: no timed test. */
/* eslint-disable @typescript-eslint/require-await -- the fake sends answer at once */
import { describe, expect, it } from '@jest/globals'
import { isThrottle, limitClass, Pace, progressEvery, type Clock } from '../src/aws/pace.js'

/** A clock that moves only when told; `sleep` resolves when the clock passes its time. */
class FakeClock implements Clock {
  t = 0
  private timers: Array<{ at: number; resolve: () => void }> = []
  now = (): number => this.t
  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.t + ms, resolve })
    })
  /** Moves the clock by `ms`, firing the timers due in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      await flush()
      this.timers.sort((a, b) => a.at - b.at)
      const next = this.timers[0]
      if (!next || next.at > end) break
      this.timers.shift()
      this.t = next.at
      next.resolve()
    }
    this.t = end
    await flush()
  }
}

/** Lets every pending continuation run (a macrotask turn drains the microtasks). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

const throttleError = (): Error => Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' })

describe('limitClass', () => {
  it("names EC2's bucket of each action", () => {
    expect(limitClass('ec2:DisableImage')).toBe('mutate')
    expect(limitClass('ec2:EnableImage')).toBe('mutate')
    expect(limitClass('ec2:ModifySnapshotTier')).toBe('mutate')
    expect(limitClass('ec2:CreateTags')).toBe('CreateTags')
    expect(limitClass('ec2:DeregisterImage')).toBe('DeregisterImage')
    expect(limitClass('ec2:ModifyImageAttribute')).toBe('ModifyImageAttribute')
    expect(limitClass('DescribeImages')).toBe('describe')
  })
  it('knows throttling answers', () => {
    expect(isThrottle(throttleError())).toBe(true)
    expect(isThrottle(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }))).toBe(false)
  })
})

describe('Pace', () => {
  it('lets the burst through at once, then probes at 4 × the refill until a throttle', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock, burst: 3 })
    const sent: number[] = []
    const calls = Array.from({ length: 7 }, () => pace.run('ec2:DisableImage', async () => sent.push(clock.t)))
    await clock.advance(0)
    expect(sent).toEqual([0, 0, 0])
    await clock.advance(200)
    // 20 per second: one every 50 ms
    expect(sent).toEqual([0, 0, 0, 50, 100, 150, 200])
    await Promise.all(calls)
  })

  it('a throttle after about a bucket of clean answers: the run emptied it, 90% of the refill; each further throttle halves it', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock, burst: 1, limits: { mutate: { bucket: 2, refill: 5 } } })
    await pace.run('ec2:DisableImage', async () => 1)
    await clock.advance(200)
    await pace.run('ec2:DisableImage', async () => 1)
    const refused = pace.run('ec2:DisableImage', async () => {
      throw throttleError()
    })
    const caught = refused.catch((e: unknown) => e)
    await clock.advance(100)
    expect(await caught).toMatchObject({ name: 'RequestLimitExceeded' })
    expect(pace.stats()['mutate']?.rate).toBeCloseTo(4.5)
    const sent: number[] = []
    const next = [1, 2].map(() => pace.run('ec2:DisableImage', async () => sent.push(clock.t)))
    await clock.advance(1000)
    // 4.5 per second: a token every 222 ms, from empty (a little faster after the clean answer)
    expect(sent).toEqual([473, 696])
    await Promise.all(next)
    // a retried answer ($metadata.attempts > 1) counts as a throttle too
    await clock.advance(1000)
    const retried = pace.run('ec2:DisableImage', async () => ({ $metadata: { attempts: 2 } }))
    await clock.advance(0)
    await retried
    expect(pace.stats()['mutate']?.rate).toBeCloseTo(2.25)
    expect(pace.stats()['mutate']?.throttled).toBe(2)
  })

  it('a throttle after few clean answers: other tools spend the buckets, a little under half the refill, and every class of the region stops probing', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock })
    await pace.run('ec2:CreateTags', async () => 1)
    const refused = pace
      .run('ec2:DisableImage', async () => {
        throw throttleError()
      })
      .catch(() => undefined)
    await clock.advance(0)
    await refused
    expect(pace.stats()['mutate']?.rate).toBeCloseTo(2.25)
    // CreateTags had tokens for 10 at once: now one, then 4.5 a second (45% of its refill of 10),
    // and clean answers do not take it above that
    expect(pace.stats()['CreateTags']?.rate).toBeCloseTo(4.5)
    const tags: number[] = []
    const calls = Array.from({ length: 3 }, () => pace.run('ec2:CreateTags', async () => tags.push(clock.t)))
    await clock.advance(500)
    expect(tags).toEqual([0, 223, 445])
    await Promise.all(calls)
    // a class first used after that starts the same way: one token, half its refill
    const reads: number[] = []
    const described = Array.from({ length: 2 }, () => pace.run('DescribeImages', async () => reads.push(clock.t)))
    await clock.advance(200)
    expect(reads.map((t) => t - reads[0]!)).toEqual([0, 112])
    await Promise.all(described)
  })

  it('reads: 4 at once, then 200 a second, at most 3 in flight until their first throttle', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock })
    const sent: number[] = []
    const calls = Array.from({ length: 6 }, () =>
      pace.run('ec2:DescribeImageAttribute', async () => {
        sent.push(clock.t)
        await clock.sleep(20)
      })
    )
    await clock.advance(0)
    expect(sent).toEqual([0, 0, 0])
    await clock.advance(20)
    expect(sent).toEqual([0, 0, 0, 20, 20, 20])
    await clock.advance(20)
    await Promise.all(calls)
    // after a throttle the window is gone: the rate alone paces them
    pace.throttled('ec2:DescribeImages')
    const after: number[] = []
    const more = Array.from({ length: 3 }, () =>
      pace.run('DescribeImages', async () => {
        after.push(clock.t)
        await clock.sleep(20)
      })
    )
    await clock.advance(400)
    // few clean reads before it: 45% of 20 a second, from an empty bucket
    expect(after).toEqual([152, 263, 374])
    await clock.advance(100)
    await Promise.all(more)
  })

  it('while reads are held, the usage search waits behind the reads of the images themselves', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock })
    const sent: string[] = []
    const read = (action: string, name: string): Promise<void> =>
      pace.run(action, async () => {
        sent.push(name)
        await clock.sleep(20)
      })
    const calls = [
      read('ec2:DescribeImageReferences', 'refs'),
      read('ec2:DescribeLaunchTemplateVersions', 'versions'),
      ...[1, 2, 3, 4, 5].map((n) => read('ec2:DescribeImageAttribute', `sharing ${n}`)),
      read('ec2:DescribeLaunchTemplates', 'templates'),
      read('ec2:DescribeImages', 'state')
    ]
    await clock.advance(0)
    // asked in the same turn: the reads of the images go first, though the usage search asked before them
    expect(sent).toEqual(['sharing 1', 'sharing 2', 'sharing 3'])
    await clock.advance(20)
    expect(sent.slice(3)).toEqual(['sharing 4', 'sharing 5', 'state'])
    await clock.advance(20)
    // the later reads in the order they asked
    expect(sent.slice(6)).toEqual(['refs', 'versions', 'templates'])
    // one asked now goes behind the reads of the images still waiting, not behind the later ones
    const late = [read('ec2:DescribeLaunchTemplateVersions', 'page 2'), read('ec2:DescribeImages', 'again')]
    await clock.advance(20)
    expect(sent.slice(9)).toEqual(['again', 'page 2'])
    await clock.advance(20)
    await Promise.all([...calls, ...late])
    expect(pace.queued('ec2:DescribeImages')).toBe(0)
  })

  it('recovers a little per clean answer, up to the rate of its first cut: 90% of the refill, or 45% in a busy account', async () => {
    const clock = new FakeClock()
    const busy = new Pace({ clock, burst: 1 })
    busy.throttled('ec2:CreateTags') // CreateTags: 10 per second, no clean answer before -> 4.5
    busy.throttled('ec2:CreateTags', Infinity) // -> 2.25
    const emptied = new Pace({ clock, burst: 1, limits: { CreateTags: { bucket: 2, refill: 10 } } })
    await emptied.run('ec2:CreateTags', async () => 1)
    await clock.advance(100)
    await emptied.run('ec2:CreateTags', async () => 1)
    emptied.throttled('ec2:CreateTags') // a bucket's worth got through first -> 9
    emptied.throttled('ec2:CreateTags', Infinity) // -> 4.5
    for (let i = 0; i < 80; i++) {
      const p = Promise.all([busy.run('ec2:CreateTags', async () => 1), emptied.run('ec2:CreateTags', async () => 1)])
      await clock.advance(1000)
      await p
    }
    expect(busy.stats()['CreateTags']?.rate).toBeCloseTo(4.5)
    expect(emptied.stats()['CreateTags']?.rate).toBeCloseTo(9)
  })

  it('the calls in flight when the rate was cut cut it once', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock, burst: 5 })
    const all = Array.from({ length: 5 }, () =>
      pace
        .run('ec2:DisableImage', async () => {
          await clock.sleep(50)
          throw throttleError()
        })
        .catch(() => undefined)
    )
    await clock.advance(100)
    await Promise.all(all)
    expect(pace.stats()['mutate']).toMatchObject({ throttled: 5, rate: 2.25 })
  })

  it('never goes below the floor', () => {
    const pace = new Pace({ clock: new FakeClock() })
    for (let i = 0; i < 20; i++) pace.throttled('ec2:DisableImage', Infinity)
    expect(pace.stats()['mutate']?.rate).toBeCloseTo(0.5)
  })

  it('classes are apart: CreateTags does not wait for DisableImage', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock, burst: 1 })
    pace.throttled('ec2:DisableImage')
    const sent: string[] = []
    const a = pace.run('ec2:DisableImage', async () => sent.push('disable'))
    const b = pace.run('ec2:CreateTags', async () => sent.push('tags'))
    await clock.advance(0)
    expect(sent).toEqual(['tags'])
    expect(pace.queued('ec2:DisableImage')).toBe(1)
    await clock.advance(500)
    await Promise.all([a, b])
    expect(sent).toEqual(['tags', 'disable'])
  })

  it('paces 200 changes to the sustained rate after the first throttle (about (200 - sent) / 4.5 s)', async () => {
    const clock = new FakeClock()
    const pace = new Pace({ clock })
    // an account bucket of 50 refilled at 5 per second, as EC2's
    let tokens = 50
    let at = 0
    let throttles = 0
    const send = async (): Promise<number> => {
      tokens = Math.min(50, tokens + ((clock.t - at) / 1000) * 5)
      at = clock.t
      if (tokens < 1) {
        throttles++
        throw throttleError()
      }
      tokens -= 1
      return clock.t
    }
    const results = Array.from({ length: 200 }, () => pace.run('ec2:DisableImage', send).catch(() => -1))
    await clock.advance(60_000)
    const done = await Promise.all(results)
    expect(throttles).toBe(1)
    expect(done.filter((t) => t < 0)).toHaveLength(1)
    // physical limit (200 - 50) / 5 = 30 s; paced: within 1.2 ×
    expect(Math.max(...done)).toBeLessThan(36_000)
  })
})

describe('progressEvery', () => {
  it('says how far it is at most every few seconds, not at the end', () => {
    let t = 0
    const lines: string[] = []
    const hook = progressEvery(
      (l) => lines.push(l),
      'disabled',
      () => t,
      5000
    )
    for (let done = 1; done <= 200; done++) {
      t += 200
      hook(done, 200)
    }
    expect(lines[0]).toBe('disabled 25/200…')
    expect(lines).toHaveLength(7)
    expect(lines.at(-1)).toBe('disabled 175/200…')
  })
})
