/**
 * Issue 5, parts 2, 4 and 9 (interrupted runs): faults from AWS (GitHub's are in
 * e2e-github-faults.test.ts, to keep each file under a minute), two runs of one family racing,
 * and a run killed between recording and disabling. Everything goes through the bundled action (node dist/index.js) against the local endpoints; the emulator's fault switches
 * and pending schedules force each interleaving.
 */
import { readRecord, recordTags } from '../src/rules/lineage.js'
import type { Sharing } from '../src/model.js'
import type { EmuImage } from '../test-support/emulator/ec2.js'
import { runAction } from '../test-support/run-action.js'
import { changesMade, day, family, image, json, REGION, startWorld, stateOf, type World } from './e2e/world.js'
import { commandLines, imagesNamed, sleep, successfulMutations, waitFor } from './e2e/faults-world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const SHARED_WITH = ['210987654321', '123456789012']
const OU = 'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh12'
function sharingOf(userIds: string[], ous: string[] = [], isPublic = false): Sharing {
  return { public: isPublic, userIds, organizationArns: [], organizationalUnitArns: ous }
}

function recordOf(world: World, imageId: string) {
  const img = world.aws.image(REGION, imageId)!
  return readRecord(img.tags.map((t) => ({ key: t.key, value: t.value })))
}

describe('AWS faults: retried by the SDK, the run succeeds', () => {
  test('a burst of RequestLimitExceeded', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 3)
    // The next 2 calls of the run (its first reads) are throttled; the SDK's adaptive mode then
    // paces every later call, so a longer burst only makes this test slower.
    aws.faults.throttle = { mode: 'burst', count: 2 }

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(aws.calls.filter((c) => c.errorCode === 'RequestLimitExceeded')).toHaveLength(2)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled', 'disabled'])
    expect(stateOf(aws, fresh.imageId)).toBe('available')
  })

  test("a token bucket on changes (EC2's mutate rate limit), 5 images", async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 5)
    aws.faults.throttle = { mode: 'bucket', mutate: { capacity: 4, refillPerSec: 4 } }

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(aws.calls.some((c) => c.errorCode === 'RequestLimitExceeded')).toBe(true)
    expect(old.every((o) => stateOf(aws, o.imageId) === 'disabled')).toBe(true)
  })

  test('InternalError 500s on a quarter of the calls', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 4)
    aws.faults.internalErrorRate = 0.25

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(aws.calls.some((c) => c.errorCode === 'InternalError')).toBe(true)
    expect(old.every((o) => stateOf(aws, o.imageId) === 'disabled')).toBe(true)
  })

  test('dropped connections (no answer at all)', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.faults.dropConnections = { times: 3 }

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(aws.calls.filter((c) => c.status === 0)).toHaveLength(3)
    expect(old.every((o) => stateOf(aws, o.imageId) === 'disabled')).toBe(true)
  })

  test('dropped connections on DisableImage itself', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.faults.dropConnections = { times: 2, actions: ['ec2:DisableImage'] }

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(old.every((o) => stateOf(aws, o.imageId) === 'disabled')).toBe(true)
  })

  test('slow answers', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.faults.latencyMs = 100
    aws.faults.slowMs = { DisableImage: 1500, DescribeImageAttribute: 500 }

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(result.durationMs).toBeLessThan(15_000)
    expect(old.every((o) => stateOf(aws, o.imageId) === 'disabled')).toBe(true)
  })

  test('Auto Scaling throttling (Throttling 400): retried, the group is still reported', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)
    const lt = aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: old[0].imageId }] })
    aws.addAutoScalingGroup(REGION, {
      name: 'web-asg',
      launchTemplate: { launchTemplateId: lt.launchTemplateId, version: '$Default' }
    })
    aws.faults.throttle = { mode: 'burst', count: 2, actions: ['autoscaling:DescribeAutoScalingGroups'] }

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(aws.calls.filter((c) => c.errorCode === 'Throttling')).toHaveLength(2)
    expect(result.stdout).not.toMatch(/Auto Scaling groups were not checked/)
    expect(result.summary).toContain('web-asg')
    expect(stateOf(aws, old[0].imageId)).toBe('disabled')
  })
})

describe('AWS faults that do not pass', () => {
  test('an image that keeps failing is reported by id, the others are disabled, the step fails at the end', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 3)
    aws.faults.failImages.set(old[1].imageId, { action: 'CreateTags', code: 'InternalError', status: 500 })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'available', 'disabled'])
    // Its record could not be written, so it was never disabled.
    expect(aws.callsOf('DisableImage').filter((c) => imagesNamed(c).includes(old[1].imageId))).toEqual([])
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(old[1].imageId)
    expect(errors[0]).toContain('InternalError')
    // The failure is the last thing: the other images were handled first.
    const lines = result.stdout.trim().split('\n')
    expect(lines[lines.length - 1]).toMatch(/^::error::/)
    expect(json<string[]>(result.outputs['disabled-image-ids']).sort()).toEqual([old[0].imageId, old[2].imageId].sort())
  })

  test('every wait is bounded: EC2 stops answering while the new image is awaited; the step still ends near wait-timeout', async () => {
    const { aws } = world
    image(aws, 'golden-web-1', day(1))
    const pending = image(aws, 'golden-web-2', day(2), { availableAfterMs: 120_000 })

    const running = world.run(
      { 'image-id': pending.imageId, 'family-tag': 'role', 'wait-timeout': '4' },
      { timeoutMs: 20_000 }
    )
    // After the first look at the pending image, EC2 answers DescribeImages only after 10 s.
    await waitFor(() => aws.count('DescribeImages') >= 2, 10_000, 'the first poll')
    aws.faults.slowMs = { DescribeImages: 10_000 }
    const result = await running

    expect(result.timedOut).toBe(false)
    expect(result.exitCode).toBe(1)
    expect(result.durationMs).toBeLessThan(4_000 + 5_000)
    expect(changesMade(aws)).toEqual([])
  })
})

describe('races: two builds of one family, two runs at once', () => {
  /** Two older images (old[0] shared), build A (day 3) and the newer build B (day 4). */
  function twoBuilds(optsA = {}, optsB = {}) {
    const { aws } = world
    const old: [EmuImage, EmuImage] = [
      image(aws, 'golden-web-1', day(1), { launchPermissions: SHARED_WITH.map((userId) => ({ userId })) }),
      image(aws, 'golden-web-2', day(2), { launchPermissions: [{ organizationalUnitArn: OU }] })
    ]
    const a = image(aws, 'golden-web-3', day(3), optsA)
    const b = image(aws, 'golden-web-4', day(4), optsB)
    return { old, a, b }
  }
  const run = (imageId: string, extra: Record<string, string> = {}) =>
    runAction({
      inputs: { 'image-id': imageId, 'family-tag': 'role', 'wait-timeout': '30', ...extra },
      region: REGION,
      ec2Url: world.aws.url,
      githubUrl: world.github.url,
      eventName: 'workflow_dispatch',
      event: {},
      timeoutMs: 40_000
    })

  /** What the newer build wants: everything but B disabled, each record exact. */
  function expectNewerBuildsEndState(old: Array<{ imageId: string }>, a: { imageId: string }, b: { imageId: string }) {
    const { aws } = world
    expect(stateOf(aws, b.imageId)).toBe('available')
    expect(stateOf(aws, a.imageId)).toBe('disabled')
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    // B was never the target of a change, by either run.
    expect(
      aws.calls.filter(
        (c) =>
          ['CreateTags', 'DisableImage', 'ModifyImageAttribute', 'EnableImage'].includes(c.action) &&
          imagesNamed(c).includes(b.imageId)
      )
    ).toEqual([])
  }

  test("the older build's run finishes first, then the newer one's", async () => {
    const { aws } = world
    const { old, a, b } = twoBuilds({}, { availableAfterMs: 2_500 })

    const [ra, rb] = await Promise.all([run(a.imageId), run(b.imageId)])

    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0])
    expect(json<string[]>(ra.outputs['disabled-image-ids']).sort()).toEqual(old.map((o) => o.imageId).sort())
    expect(json<string[]>(rb.outputs['disabled-image-ids'])).toEqual([a.imageId])
    expectNewerBuildsEndState(old, a, b)
    expect(recordOf(world, old[0].imageId)?.sharing).toEqual(sharingOf(SHARED_WITH))
    expect(recordOf(world, old[1].imageId)?.sharing).toEqual(sharingOf([], [OU]))
    expect(aws.count('DisableImage')).toBe(3)
  })

  test("the newer build's run starts while the older image is still pending: it waits for it, then disables it", async () => {
    const { old, a, b } = twoBuilds({ availableAfterMs: 3_000 }, {})

    const [ra, rb] = await Promise.all([run(a.imageId), run(b.imageId)])

    expect(rb.exitCode).toBe(0)
    expect(ra.timedOut).toBe(false)
    expect(rb.stdout).toMatch(/waiting up to \d+s for older build/)
    // The older run never disables the newer image (created after its own), whatever it reports.
    expectNewerBuildsEndState(old, a, b)
  })

  test('both plan before either changes anything; both disable the same images; records stay exact', async () => {
    const { aws } = world
    const { old, a, b } = twoBuilds()
    aws.faults.slowMs = { CreateTags: 1_500 }

    const runA = run(a.imageId)
    await sleep(300)
    const runB = run(b.imageId)
    const [ra, rb] = await Promise.all([runA, runB])

    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0])
    expectNewerBuildsEndState(old, a, b)
    expect(recordOf(world, old[0].imageId)?.sharing).toEqual(sharingOf(SHARED_WITH))
    expect(recordOf(world, old[1].imageId)?.sharing).toEqual(sharingOf([], [OU]))
  })

  test("one run reads an image's sharing after the other run disabled it: the record is still the sharing it had", async () => {
    const { aws } = world
    const { old, a, b } = twoBuilds()
    // A reads, records and disables; B, 0.7 s behind, lists the family while the images are
    // still available but reads their sharing after A has disabled them.
    aws.faults.slowMs = { DescribeImageAttribute: 2_000 }

    const runA = run(a.imageId)
    await sleep(700)
    const runB = run(b.imageId)
    const [ra, rb] = await Promise.all([runA, runB])

    expect(ra.exitCode).toBe(0)
    expect(rb.timedOut).toBe(false)
    expectNewerBuildsEndState(old, a, b)
    // DisableImage removed the sharing; the record is the only way back.
    expect(recordOf(world, old[0].imageId)?.sharing).toEqual(sharingOf(SHARED_WITH))
    expect(recordOf(world, old[1].imageId)?.sharing).toEqual(sharingOf([], [OU]))
  })

  test("started at the same moment: the newer image is never disabled and the end state is the newer build's", async () => {
    const { aws } = world
    const { old, a, b } = twoBuilds()
    aws.faults.latencyMs = 30

    const [ra, rb] = await Promise.all([run(b.imageId), run(a.imageId)])

    expect(ra.timedOut || rb.timedOut).toBe(false)
    expectNewerBuildsEndState(old, a, b)
  })
})

describe('a run interrupted between recording and disabling', () => {
  test("an image already carrying this action's record but still available: the next run disables it, the record is exact", async () => {
    const { aws } = world
    const sharing = sharingOf(SHARED_WITH, [OU], true)
    const fresh = image(aws, 'golden-web-3', day(3))
    // What a run killed right after CreateTags leaves: the record written, the image still enabled and shared.
    const interrupted = image(aws, 'golden-web-1', day(1), {
      public: true,
      launchPermissions: [...SHARED_WITH.map((userId) => ({ userId })), { organizationalUnitArn: OU }],
      tags: [
        { key: 'role', value: 'web' },
        ...recordTags({
          lineage: {
            supersededBy: fresh.imageId,
            reason: 'superseded',
            disabledAt: day(3, 5),
            run: 'acme/golden-images/actions/runs/1'
          },
          sharing
        })
      ]
    })
    const untouched = image(aws, 'golden-web-2', day(2))

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, interrupted.imageId)).toBe('disabled')
    expect(stateOf(aws, untouched.imageId)).toBe('disabled')
    const record = recordOf(world, interrupted.imageId)
    expect(record?.sharing).toEqual(sharing)
    expect(record?.lineage.supersededBy).toBe(fresh.imageId)
    const keys = aws.image(REGION, interrupted.imageId)!.tags.map((t) => t.key)
    expect(new Set(keys).size).toBe(keys.length)
  })

  test('a run really killed after CreateTags (DisableImage never answered): the next run completes it', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.image(REGION, old[0].imageId)!.launchPermissions.push(...SHARED_WITH.map((userId) => ({ userId })))
    aws.faults.dropConnections = { times: 1_000, actions: ['ec2:DisableImage'] }

    // killed once both records are written and a DisableImage has been tried (its retries go on)
    const killed = await world.run(
      { 'image-id': fresh.imageId, 'family-tag': 'role' },
      {
        killWhen: () =>
          aws.callsOf('CreateTags').filter((c) => c.status === 200).length === 2 && aws.count('DisableImage') > 0
      }
    )
    expect(killed.killed).toBe(true)
    expect(aws.count('CreateTags')).toBe(2)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(recordOf(world, old[0].imageId)?.sharing).toEqual(sharingOf(SHARED_WITH))

    aws.resetFaults()
    const next = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(next.exitCode).toBe(0)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(recordOf(world, old[0].imageId)?.sharing).toEqual(sharingOf(SHARED_WITH))
    expect(recordOf(world, old[1].imageId)?.sharing).toEqual(sharingOf([]))
  })

  test('killed after disabling one of two: the next run disables the other and leaves the first record alone', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.image(REGION, old[0].imageId)!.launchPermissions.push(...SHARED_WITH.map((userId) => ({ userId })))
    const first = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    expect(first.exitCode).toBe(0)
    // Undo the second one as if its DisableImage had never happened (record written, still available).
    aws.image(REGION, old[1].imageId)!.state = 'available'
    const recordBefore = aws.image(REGION, old[0].imageId)!.tags.map((t) => ({ ...t }))
    aws.clearCalls()

    const next = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(next.exitCode).toBe(0)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(successfulMutations(aws).filter((c) => imagesNamed(c).includes(old[0].imageId))).toEqual([])
    expect(aws.image(REGION, old[0].imageId)!.tags).toEqual(recordBefore)
    expect(recordOf(world, old[0].imageId)?.sharing).toEqual(sharingOf(SHARED_WITH))
  })
})
