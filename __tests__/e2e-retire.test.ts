/**
 * `retire`, end to end: the bundled action against the local EC2 endpoint, with images that this
 * action disabled N days ago (their record as it writes it, times relative to the real clock the
 * action reads), their snapshots, deregistration protection, launch templates and the Recycle Bin.
 *
 * Each guard test has a control image that is retired in the same run, so that a guard removed
 * from src/rules/retire.ts makes the guarded image go too and the test fail.
 */
import { commandLines, imagesNamed } from './e2e/faults-world.js'
import {
  disabledImage,
  json,
  REGION,
  retireChangesMade,
  snapshotIds,
  startWorld,
  stateOf,
  type World
} from './e2e/world.js'
import type { RetiredImage, RunReport } from '../src/model.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

const OTHER_REGION = 'eu-west-1'

function retiredOf(outputs: Record<string, string>): RetiredImage[] {
  return json<RunReport>(outputs['report']).regions.flatMap((r) => r.retired ?? [])
}

function deregisterCallsOf(imageId: string): number {
  return world.aws.callsOf('DeregisterImage').filter((c) => imagesNamed(c).includes(imageId)).length
}

describe('the guards: what retire never touches', () => {
  const guards: Array<[string, (w: World) => { imageId: string }, RegExp]> = [
    [
      'a hand-disabled image (no record of this action)',
      (w) => disabledImage(w.aws, 'golden-web-hand', 60, { record: false }),
      /no record of this action/
    ],
    [
      'an image re-enabled since this action disabled it',
      (w) => disabledImage(w.aws, 'golden-web-reenabled', 60, { reenabledDaysAgo: 20 }),
      /re-enabled on/
    ],
    [
      'an image protected from deregistration',
      (w) =>
        disabledImage(w.aws, 'golden-web-protected', 60, {
          extra: { deregistrationProtection: 'enabled-without-cooldown' }
        }),
      /deregistration protection is on/
    ],
    [
      'an image in use (a launch template on it)',
      (w) => {
        const used = disabledImage(w.aws, 'golden-web-used', 60)
        w.aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: used.imageId }] })
        return used
      },
      /in use by launch template web-prod/
    ],
    [
      'an image disabled too recently (10 days, retire-after-days 30)',
      (w) => disabledImage(w.aws, 'golden-web-young', 10),
      /too young: disabled 10 days ago/
    ]
  ]

  test.each(guards)('%s stays, with its snapshots; the control image is retired', async (_what, seed, why) => {
    const { aws } = world
    const guarded = seed(world)
    const control = disabledImage(aws, 'golden-web-control', 60)
    const guardedSnapshots = snapshotIds(aws.image(REGION, guarded.imageId)!)

    const result = await world.run({ command: 'retire', region: REGION })

    expect(result.exitCode).toBe(0)
    expect(json(result.outputs['retired-image-ids'])).toEqual([control.imageId])
    expect(stateOf(aws, guarded.imageId)).toBe('disabled')
    for (const id of guardedSnapshots) expect(aws.snapshot(REGION, id)).toBeDefined()
    expect(deregisterCallsOf(guarded.imageId)).toBe(0)
    expect(aws.image(REGION, control.imageId)).toBeUndefined()
    const line = result.stdout
      .split('\n')
      .find((l) => l.includes(`${guarded.imageId} (golden-web-`) && /left alone/.test(l))
    expect(line).toMatch(why)
  })
})

describe('snapshots', () => {
  test('delete: the image and its snapshots are gone, with EC2 result codes; sizes and cost reported', async () => {
    const { aws } = world
    const old = disabledImage(aws, 'golden-web-1', 60, {
      snapshots: [
        ['snap-0a0000000000000a1', 30],
        ['snap-0a0000000000000a2', 100]
      ]
    })

    const result = await world.run({ command: 'retire', region: REGION })

    expect(result.exitCode).toBe(0)
    expect(aws.image(REGION, old.imageId)).toBeUndefined()
    expect(aws.snapshot(REGION, 'snap-0a0000000000000a1')).toBeUndefined()
    expect(aws.snapshot(REGION, 'snap-0a0000000000000a2')).toBeUndefined()
    expect(aws.callsOf('DeregisterImage')[0]?.params['DeleteAssociatedSnapshots']).toBe('true')
    const [retired] = retiredOf(result.outputs)
    expect(retired?.snapshots.map((s) => [s.snapshotId, s.result, s.sizeGiB])).toEqual([
      ['snap-0a0000000000000a1', 'success', 30],
      ['snap-0a0000000000000a2', 'success', 100]
    ])
    expect(retired?.freedGiB).toBe(130)
    expect(retired?.monthlySaving).toBeCloseTo(6.5)
    expect(json(result.outputs['retired-image-ids'])).toEqual([old.imageId])
    expect(aws.imagesInBin(REGION)).toEqual([])
  })

  test('delete without ec2:DeleteSnapshot: the image is deregistered, the snapshot stays as missing-permissions', async () => {
    const { aws } = world
    const old = disabledImage(aws, 'golden-web-1', 60)
    const [snap] = snapshotIds(old)
    aws.faults.deny.add('ec2:DeleteSnapshot')

    const result = await world.run({ command: 'retire', region: REGION })

    expect(aws.image(REGION, old.imageId)).toBeUndefined()
    expect(aws.snapshot(REGION, snap!)).toBeDefined()
    expect(retiredOf(result.outputs)[0]?.snapshots.map((s) => s.result)).toEqual(['missing-permissions'])
    expect(result.stdout).toContain('ec2:DeleteSnapshot')
  })

  test('keep: the image is gone, its snapshots stay (DeregisterImage without DeleteAssociatedSnapshots)', async () => {
    const { aws } = world
    const old = disabledImage(aws, 'golden-web-1', 60)
    const [snap] = snapshotIds(old)

    const result = await world.run({ command: 'retire', region: REGION, snapshots: 'keep' })

    expect(result.exitCode).toBe(0)
    expect(aws.image(REGION, old.imageId)).toBeUndefined()
    expect(aws.snapshot(REGION, snap!)?.storageTier).toBe('standard')
    expect(aws.callsOf('DeregisterImage')[0]?.params['DeleteAssociatedSnapshots']).toBeUndefined()
    expect(retiredOf(result.outputs)[0]?.snapshots.map((s) => s.result)).toEqual(['kept'])
    expect(json(result.outputs['retired-image-ids'])).toEqual([old.imageId])
  })

  test('archive: the image stays disabled, its snapshots go to the archive tier; enable then fails, explaining the permanent restore', async () => {
    const { aws } = world
    const old = disabledImage(aws, 'golden-web-1', 60, { snapshots: [['snap-0b0000000000000b1', 50]] })

    const result = await world.run({ command: 'retire', region: REGION, snapshots: 'archive' })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, old.imageId)).toBe('disabled')
    expect(aws.snapshot(REGION, 'snap-0b0000000000000b1')?.storageTier).toBe('archive')
    expect(aws.count('DeregisterImage')).toBe(0)
    expect(aws.image(REGION, old.imageId)!.tags.some((t) => t.key === 'disable-superseded-ami:archived')).toBe(true)
    expect(json(result.outputs['retired-image-ids'])).toEqual([old.imageId])
    const [retired] = retiredOf(result.outputs)
    expect(retired?.snapshots.map((s) => s.result)).toEqual(['archived'])
    expect(retired?.monthlySaving).toBeCloseTo(50 * (0.05 - 0.0125))

    const enable = await world.run({ command: 'enable', 'image-id': old.imageId })

    expect(enable.exitCode).toBe(1)
    expect(stateOf(aws, old.imageId)).toBe('disabled')
    expect(commandLines(enable.stdout, 'error').join('\n')).toMatch(
      /snap-0b0000000000000b1.*permanent restore.*RestoreSnapshotTier/
    )
  })

  test('archive is refused by EC2 while another image using the snapshot is available: the image is reported failed', async () => {
    const { aws } = world
    const old = disabledImage(aws, 'golden-web-1', 60, { snapshots: [['snap-0c0000000000000c1', 8]] })
    aws.addImage(REGION, {
      name: 'golden-web-copy',
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { snapshotId: 'snap-0c0000000000000c1', volumeSize: 8 } }]
    })

    const result = await world.run({ command: 'retire', region: REGION, snapshots: 'archive' })

    expect(aws.snapshot(REGION, 'snap-0c0000000000000c1')?.storageTier).toBe('standard')
    expect(retiredOf(result.outputs)[0]?.outcome).toBe('failed')
    expect(json(result.outputs['retired-image-ids'])).toEqual([])
    expect(result.stdout).toContain('IncorrectState')
    expect(stateOf(aws, old.imageId)).toBe('disabled')
  })

  test('a snapshot shared with another image is skipped by EC2 and never deleted', async () => {
    const { aws } = world
    const shared = 'snap-0d0000000000000d1'
    const old = disabledImage(aws, 'golden-web-1', 60, {
      snapshots: [
        [shared, 20],
        ['snap-0d0000000000000d2', 10]
      ]
    })
    const other = disabledImage(aws, 'golden-web-2', 5, { snapshots: [[shared, 20]] })

    const result = await world.run({ command: 'retire', region: REGION })

    expect(aws.image(REGION, old.imageId)).toBeUndefined()
    expect(aws.snapshot(REGION, shared)).toBeDefined()
    expect(aws.snapshot(REGION, 'snap-0d0000000000000d2')).toBeUndefined()
    expect(stateOf(aws, other.imageId)).toBe('disabled')
    const [retired] = retiredOf(result.outputs)
    expect(retired?.snapshots.map((s) => [s.snapshotId, s.result])).toEqual([
      [shared, 'skipped'],
      ['snap-0d0000000000000d2', 'success']
    ])
    expect(retired?.freedGiB).toBe(10)
    expect(retired?.keptGiB).toBe(20)
  })
})

describe('dry run, max-images, regions', () => {
  test('dry run: nothing changes; DeregisterImage is asked with DryRun; the shared snapshot would be skipped', async () => {
    const { aws } = world
    const shared = 'snap-0e0000000000000e1'
    const old = disabledImage(aws, 'golden-web-1', 60, { snapshots: [[shared, 8]] })
    disabledImage(aws, 'golden-web-2', 3, { snapshots: [[shared, 8]] })

    const result = await world.run({ command: 'retire', region: REGION, 'dry-run': 'true' })

    expect(result.exitCode).toBe(0)
    expect(retireChangesMade(aws)).toEqual([])
    expect(stateOf(aws, old.imageId)).toBe('disabled')
    expect(aws.snapshot(REGION, shared)).toBeDefined()
    const calls = aws.callsOf('DeregisterImage')
    expect(calls.map((c) => [c.params['DryRun'], c.errorCode])).toEqual([['true', 'DryRunOperation']])
    expect(json(result.outputs['retired-image-ids'])).toEqual([])
    const [retired] = retiredOf(result.outputs)
    expect(retired?.outcome).toBe('would-retire')
    expect(retired?.snapshots.map((s) => s.result)).toEqual(['would-skip'])
  })

  test('max-images: more to retire than allowed refuses the run, nothing changes', async () => {
    const { aws } = world
    const old = [1, 2, 3].map((n) => disabledImage(aws, `golden-web-${n}`, 60 + n))

    const result = await world.run({ command: 'retire', region: REGION, 'max-images': '2' })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(/max-images \(2\)/)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled', 'disabled'])
    expect(aws.count('DeregisterImage')).toBe(0)
    expect(retireChangesMade(aws)).toEqual([])
    expect(json(result.outputs['retired-image-ids'])).toEqual([])
  })

  test('both regions of a list are retired', async () => {
    const { aws } = world
    const east = disabledImage(aws, 'golden-web-1', 60)
    const west = disabledImage(aws, 'golden-web-1', 45, {}, OTHER_REGION)
    const youngWest = disabledImage(aws, 'golden-web-2', 2, {}, OTHER_REGION)

    const result = await world.run({ command: 'retire', region: `${REGION}, ${OTHER_REGION}` })

    expect(result.exitCode).toBe(0)
    expect(aws.image(REGION, east.imageId)).toBeUndefined()
    expect(aws.image(OTHER_REGION, west.imageId)).toBeUndefined()
    expect(stateOf(aws, youngWest.imageId, OTHER_REGION)).toBe('disabled')
    expect(json<string[]>(result.outputs['retired-image-ids']).sort()).toEqual([east.imageId, west.imageId].sort())
    expect(
      aws
        .callsOf('DeregisterImage')
        .map((c) => c.region)
        .sort()
    ).toEqual([OTHER_REGION, REGION].sort())
  })
})

describe('the Recycle Bin', () => {
  test('retire into the bin, then enable brings the image back: state, sharing from the record, snapshots', async () => {
    const { aws } = world
    aws.recycleBinRule(REGION, { images: 7, snapshots: 7 })
    const sharedWith = ['210987654321', '123456789012']
    const old = disabledImage(aws, 'golden-web-1', 60, { sharedWith, snapshots: [['snap-0f0000000000000f1', 16]] })

    const retire = await world.run({ command: 'retire', region: REGION })

    expect(retire.exitCode).toBe(0)
    expect(aws.image(REGION, old.imageId)).toBeUndefined()
    expect(aws.snapshot(REGION, 'snap-0f0000000000000f1')).toBeUndefined()
    const [binned] = aws.imagesInBin(REGION)
    expect(binned?.item.imageId).toBe(old.imageId)
    expect(binned?.item.tags).toContainEqual({ key: 'aws:recycle-bin:resource-in-bin', value: 'true' })
    expect(aws.snapshotsInBin(REGION).map((e) => e.item.snapshotId)).toEqual(['snap-0f0000000000000f1'])
    const [retired] = retiredOf(retire.outputs)
    expect(retired?.recycleBinExitTime).toBe(new Date(binned!.exitTime).toISOString().replace(/\.\d{3}Z$/, 'Z'))

    const enable = await world.run({ command: 'enable', 'image-id': old.imageId })

    expect(enable.exitCode).toBe(0)
    expect(stateOf(aws, old.imageId)).toBe('available')
    const back = aws.image(REGION, old.imageId)!
    expect(back.launchPermissions).toEqual(sharedWith.map((userId) => ({ userId })))
    expect(back.tags.some((t) => t.key === 'aws:recycle-bin:resource-in-bin')).toBe(false)
    expect(aws.snapshot(REGION, 'snap-0f0000000000000f1')).toBeDefined()
    expect(aws.imagesInBin(REGION)).toEqual([])
    expect(json(enable.outputs['enabled-image-ids'])).toEqual([old.imageId])
    // snapshots first, then the image
    const order = aws.calls.filter((c) => c.action.startsWith('Restore') && c.status === 200).map((c) => c.action)
    expect(order).toEqual(['RestoreSnapshotFromRecycleBin', 'RestoreImageFromRecycleBin'])
  })
  test('enable in a dry run of an image in the bin: would be restored (snapshots first), nothing changes', async () => {
    const { aws } = world
    aws.recycleBinRule(REGION, { images: 7, snapshots: 7 })
    const old = disabledImage(aws, 'golden-web-1', 60, { sharedWith: ['210987654321'] })
    const [snap] = snapshotIds(old)
    aws.state.deregisterImage(REGION, old.imageId)
    aws.state.deleteSnapshot(REGION, snap!)

    const result = await world.run({ command: 'enable', 'image-id': old.imageId, 'dry-run': 'true' })

    expect(result.exitCode).toBe(0)
    expect(retireChangesMade(aws)).toEqual([])
    expect(aws.imagesInBin(REGION).map((e) => e.item.imageId)).toEqual([old.imageId])
    expect(result.stdout).toMatch(
      new RegExp(`would re-enable ${old.imageId}.*would be restored from the Recycle Bin with its snapshots ${snap}`)
    )
  })
})

describe('bad input is refused before any AWS call', () => {
  test.each([
    ['snapshots: shred', { snapshots: 'shred' }, /snapshots/],
    ['retire-after-days: -3', { 'retire-after-days': '-3' }, /retire-after-days/]
  ])('%s', async (_what, inputs, names) => {
    disabledImage(world.aws, 'golden-web-1', 60)

    const result = await world.run({ command: 'retire', region: REGION, ...inputs })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(names)
    expect(world.aws.calls).toEqual([])
  })

  test('retire without a region', async () => {
    disabledImage(world.aws, 'golden-web-1', 60)

    const result = await world.run({ command: 'retire' }, { region: '' })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(/region/)
    expect(world.aws.calls).toEqual([])
  })
})
