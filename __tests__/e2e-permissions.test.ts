/**
 * Issue 5, parts 7 and 9: least privilege and nothing irreversible, through the bundled action
 * against the local EC2/Auto Scaling endpoint (its `deny` switch plays IAM).
 *
 * - Every command works with exactly the actions the README's IAM table lists for it (everything
 *   else denied), and each listed action is needed: denied in a dry run, the output names it and
 *   nothing changes (also when EC2's UnauthorizedOperation message names no action).
 * - An image whose sharing record cannot be written stays enabled and is reported by id.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readRecord, recordTags } from '../src/rules/lineage.js'
import { AUTOSCALING_HANDLERS } from '../test-support/emulator/autoscaling-actions.js'
import { EC2_HANDLERS } from '../test-support/emulator/ec2-actions.js'
import { REPO_ROOT } from '../test-support/run-action.js'
import {
  changesMade,
  day,
  disabledImage,
  family,
  image,
  json,
  REGION,
  retireChangesMade,
  snapshotIds,
  startWorld,
  stateOf,
  type World
} from './e2e/world.js'
import { commandLines, imagesNamed } from './e2e/faults-world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

type CommandName = 'disable' | 'enable' | 'rollback' | 'status' | 'retire'

/** The actions the README's IAM table gives a command (`rollback` = enable's plus its own). */
function readmeActions(command: CommandName): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const iam = readme.slice(readme.indexOf('## IAM permissions'))
  const row = new RegExp(`^\\| \`${command}\` \\| (.*) \\|$`, 'm').exec(iam)?.[1]
  if (row === undefined) throw new Error(`README: no IAM row for ${command}`)
  const actions = new Set(row.match(/\b(?:ec2|autoscaling):[A-Za-z]+/g) ?? [])
  if (/everything `enable` needs/.test(row)) for (const a of readmeActions('enable')) actions.add(a)
  return [...actions].sort()
}

/** Every action the local endpoint serves. */
const ALL_ACTIONS = [
  ...Object.keys(EC2_HANDLERS).map((a) => `ec2:${a}`),
  ...Object.keys(AUTOSCALING_HANDLERS).map((a) => `autoscaling:${a}`)
]

const SHARED = [{ userId: '210987654321' }, { userId: '123456789012' }]

/** A family whose older images are shared and used by a launch template and an Auto Scaling group. */
function disableScene(w: World) {
  const { aws } = w
  const { old, fresh } = family(aws, 2)
  aws.image(REGION, old[0].imageId)!.launchPermissions.push(...SHARED)
  const lt = aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: old[1].imageId }] })
  aws.addAutoScalingGroup(REGION, {
    name: 'web-asg',
    launchTemplate: { launchTemplateId: lt.launchTemplateId, version: '$Default' }
  })
  return { inputs: { 'image-id': fresh.imageId, 'family-tag': 'role' }, old, fresh }
}

/** A family as `disable` left it: old[0] disabled with its record (it was shared), fresh available. */
function disabledScene(w: World) {
  const { aws } = w
  const fresh = image(aws, 'golden-web-2', day(2))
  const sharing = {
    public: false,
    userIds: SHARED.map((s) => s.userId),
    organizationArns: [],
    organizationalUnitArns: []
  }
  const disabled = image(aws, 'golden-web-1', day(1), {
    state: 'disabled',
    tags: [
      { key: 'role', value: 'web' },
      ...recordTags({ lineage: { supersededBy: fresh.imageId, reason: 'superseded', disabledAt: day(2, 30) }, sharing })
    ]
  })
  return { fresh, disabled }
}

const SCENES: Record<
  Exclude<CommandName, 'retire'>,
  (w: World) => { inputs: Record<string, string>; check: (w: World) => void }
> = {
  disable: (w) => {
    const s = disableScene(w)
    return {
      inputs: s.inputs,
      check: ({ aws }) => {
        expect(s.old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
        expect(readRecord(aws.image(REGION, s.old[0].imageId)!.tags)?.sharing.userIds).toEqual(
          SHARED.map((x) => x.userId)
        )
      }
    }
  },
  enable: (w) => {
    const s = disabledScene(w)
    return {
      inputs: { command: 'enable', 'image-id': s.disabled.imageId },
      check: ({ aws }) => {
        expect(stateOf(aws, s.disabled.imageId)).toBe('available')
        expect(aws.image(REGION, s.disabled.imageId)!.launchPermissions).toEqual(SHARED)
      }
    }
  },
  rollback: (w) => {
    const s = disabledScene(w)
    // The bad image is shared, so its use in other accounts is read too (usage reports).
    w.aws.image(REGION, s.fresh.imageId)!.launchPermissions.push(...SHARED)
    // Something points at the bad image, so the usage search reads everything it can read.
    const lt = w.aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: s.fresh.imageId }] })
    w.aws.addAutoScalingGroup(REGION, {
      name: 'web-asg',
      launchTemplate: { launchTemplateId: lt.launchTemplateId, version: '$Default' }
    })
    return {
      inputs: { command: 'rollback', 'image-id': s.fresh.imageId },
      check: ({ aws }) => {
        expect(stateOf(aws, s.disabled.imageId)).toBe('available')
        expect(aws.image(REGION, s.disabled.imageId)!.launchPermissions).toEqual(SHARED)
        expect(stateOf(aws, s.fresh.imageId)).toBe('disabled')
      }
    }
  },
  status: (w) => {
    const { fresh } = family(w.aws, 1)
    return { inputs: { command: 'status', 'image-id': fresh.imageId }, check: () => undefined }
  }
}

const COMMANDS: Array<Exclude<CommandName, 'retire'>> = ['disable', 'enable', 'rollback', 'status']

describe('least privilege: the README lists exactly what each command needs', () => {
  test.each(COMMANDS)("%s works with only the README's actions allowed", async (command) => {
    const scene = SCENES[command](world)
    const allowed = readmeActions(command)
    expect(allowed.length).toBeGreaterThan(0)
    for (const action of ALL_ACTIONS.filter((a) => !allowed.includes(a))) world.aws.faults.deny.add(action)

    const result = await world.run(scene.inputs)

    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.stdout).not.toMatch(/not authorized|UnauthorizedOperation|AccessDenied/)
    expect(result.exitCode).toBe(0)
    scene.check(world)
    expect(
      world.aws.calls.filter((c) => c.errorCode === 'UnauthorizedOperation' || c.errorCode === 'AccessDenied')
    ).toEqual([])
  })

  const cases = COMMANDS.flatMap((command) => readmeActions(command).map((action) => [command, action] as const))
  test.each(cases)(
    '%s needs %s: denied in a dry run, the output names it, nothing changes',
    async (command, action) => {
      const scene = SCENES[command](world)
      world.aws.faults.deny.add(action)

      const result = await world.run({ ...scene.inputs, 'dry-run': 'true' })

      const said = [...commandLines(result.stdout, 'error'), ...commandLines(result.stdout, 'warning')].join('\n')
      expect(said).toMatch(new RegExp(`${action}(?![A-Za-z])`))
      expect(changesMade(world.aws)).toEqual([])
    }
  )

  test.each(['DisableImage', 'CreateTags', 'DescribeImageAttribute'])(
    'UnauthorizedOperation whose message names no action (%s): the dry run still names it',
    async (action) => {
      const { aws } = world
      const { old, fresh } = family(aws, 1)
      aws.faults.failImages.set(old[0].imageId, {
        action,
        code: 'UnauthorizedOperation',
        status: 403,
        message: 'You are not authorized to perform this operation. Encoded authorization failure message: QUJDREVGRw'
      })

      const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' })

      expect(result.exitCode).toBe(1)
      expect(commandLines(result.stdout, 'error').join('\n')).toMatch(new RegExp(`ec2:${action}(?![A-Za-z])`))
      expect(changesMade(aws)).toEqual([])
    }
  )
})

/**
 * `retire`: its IAM row holds the actions of three runs: `snapshots: delete` (the default), `snapshots:
 * archive`, and `enable` of a retired image that the Recycle Bin holds (with enable's own row too).
 * Each action of the row is proven needed in the run that uses it: in a dry run when EC2's DryRun
 * checks it, else in a real run whose output names it (DeleteSnapshot is checked by EC2 inside
 * DeregisterImage; ListImagesInRecycleBin is asked only after a real deregistration).
 */
type RetireScene = 'delete' | 'archive' | 'restore'

function retireScene(w: World, scene: RetireScene): { inputs: Record<string, string>; check: (w: World) => void } {
  const { aws } = w
  // what uses images is read in full: a template and a group on another candidate (left alone: in use)
  const used = disabledImage(aws, 'golden-web-2', 60)
  const lt = aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: used.imageId }] })
  aws.addAutoScalingGroup(REGION, {
    name: 'web-asg',
    launchTemplate: { launchTemplateId: lt.launchTemplateId, version: '$Default' }
  })
  aws.recycleBinRule(REGION, { images: 7, snapshots: 7 })
  const old = disabledImage(aws, 'golden-web-1', 60, { sharedWith: [] })
  const [snap] = snapshotIds(old)
  if (scene === 'delete')
    return {
      inputs: { command: 'retire', region: REGION },
      check: ({ aws: a }) => {
        expect(a.image(REGION, old.imageId)).toBeUndefined()
        expect(a.snapshot(REGION, snap!)).toBeUndefined()
      }
    }
  if (scene === 'archive')
    return {
      inputs: { command: 'retire', region: REGION, snapshots: 'archive' },
      check: ({ aws: a }) => {
        expect(stateOf(a, old.imageId)).toBe('disabled')
        expect(a.snapshot(REGION, snap!)?.storageTier).toBe('archive')
      }
    }
  aws.state.deregisterImage(REGION, old.imageId)
  aws.state.deleteSnapshot(REGION, snap!)
  return {
    inputs: { command: 'enable', 'image-id': old.imageId },
    check: ({ aws: a }) => {
      expect(stateOf(a, old.imageId)).toBe('available')
      expect(a.snapshot(REGION, snap!)).toBeDefined()
    }
  }
}

/** Where each action of retire's row is needed, and whether a dry run proves it. */
const RETIRE_NEEDS: Record<string, { scene: RetireScene; dryRun: boolean }> = {
  'ec2:DescribeImages': { scene: 'delete', dryRun: true },
  'ec2:DescribeSnapshots': { scene: 'delete', dryRun: true },
  'ec2:DeregisterImage': { scene: 'delete', dryRun: true },
  'ec2:DeleteSnapshot': { scene: 'delete', dryRun: false },
  'ec2:ListImagesInRecycleBin': { scene: 'delete', dryRun: false },
  'ec2:DescribeLaunchTemplateVersions': { scene: 'delete', dryRun: true },
  'ec2:DescribeLaunchTemplates': { scene: 'delete', dryRun: true },
  'autoscaling:DescribeAutoScalingGroups': { scene: 'delete', dryRun: true },
  'autoscaling:DescribeLaunchConfigurations': { scene: 'delete', dryRun: true },
  'ec2:DescribeImageReferences': { scene: 'delete', dryRun: true },
  'ec2:ModifySnapshotTier': { scene: 'archive', dryRun: true },
  'ec2:CreateTags': { scene: 'archive', dryRun: true },
  'ec2:ListSnapshotsInRecycleBin': { scene: 'restore', dryRun: true },
  'ec2:RestoreSnapshotFromRecycleBin': { scene: 'restore', dryRun: true },
  'ec2:RestoreImageFromRecycleBin': { scene: 'restore', dryRun: true }
}

describe("least privilege: retire's README row", () => {
  test('the row holds exactly the actions proven below', () => {
    expect(readmeActions('retire')).toEqual(Object.keys(RETIRE_NEEDS).sort())
  })

  test.each<RetireScene>(['delete', 'archive', 'restore'])(
    "%s works with only the README's actions allowed",
    async (sceneName) => {
      const scene = retireScene(world, sceneName)
      const allowed = [...readmeActions('retire'), ...(sceneName === 'restore' ? readmeActions('enable') : [])]
      for (const action of ALL_ACTIONS.filter((a) => !allowed.includes(a))) world.aws.faults.deny.add(action)

      const result = await world.run(scene.inputs)

      expect(commandLines(result.stdout, 'error')).toEqual([])
      expect(commandLines(result.stdout, 'warning')).toEqual([])
      expect(result.exitCode).toBe(0)
      scene.check(world)
      expect(
        world.aws.calls.filter((c) => c.errorCode === 'UnauthorizedOperation' || c.errorCode === 'AccessDenied')
      ).toEqual([])
    }
  )

  test.each(Object.entries(RETIRE_NEEDS).map(([action, need]) => [action, need.scene, need.dryRun] as const))(
    'needs %s (%s, dry run: %s): denied, the output names it',
    async (action, sceneName, dryRun) => {
      const scene = retireScene(world, sceneName)
      world.aws.faults.deny.add(action)

      const result = await world.run({ ...scene.inputs, ...(dryRun ? { 'dry-run': 'true' } : {}) })

      const said = [...commandLines(result.stdout, 'error'), ...commandLines(result.stdout, 'warning')].join('\n')
      expect(said).toMatch(new RegExp(`${action}(?![A-Za-z])`))
      if (dryRun) expect(retireChangesMade(world.aws)).toEqual([])
    }
  )
})

describe('a denied DisableImage is said once per image', () => {
  test('log: no warning repeating it; the step failure names each image once; outputs and comment agree', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 2)
    github.addPullRequest(11, { headSha: 'ccccccc' })
    aws.faults.deny.add('ec2:DisableImage')

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role', 'pull-request': '11' })

    expect(result.exitCode).toBe(1)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    expect(commandLines(result.stdout, 'warning')).toEqual([])
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    for (const o of old) {
      // in the whole log, each image's failure is said once (the step failure)
      expect(result.stdout.split(`${o.imageId} (not authorized`).length - 1).toBe(1)
      expect(errors[0]!.split(o.imageId).length - 1).toBe(1)
    }
    expect(errors[0]).toMatch(/^::error::2 image\(s\) could not be changed: /)
    expect(errors[0]!.split('ec2:DisableImage').length - 1).toBe(2)
    expect(json(result.outputs['disabled-image-ids'])).toEqual([])
    const comment = github.comments(11)[0]?.body ?? ''
    for (const o of old) expect(comment).toContain(o.imageId)
  })
})

describe('nothing irreversible: no record, no disable', () => {
  test('an image that already has 50 tags stays enabled and is reported by id; the others are disabled', async () => {
    const { aws } = world
    const full = image(aws, 'golden-web-1', day(1), {
      tags: [{ key: 'role', value: 'web' }, ...Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: 'v' }))]
    })
    const fine = image(aws, 'golden-web-2', day(2))
    const fresh = image(aws, 'golden-web-3', day(3))

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(stateOf(aws, full.imageId)).toBe('available')
    expect(aws.image(REGION, full.imageId)!.tags).toHaveLength(50)
    expect(stateOf(aws, fine.imageId)).toBe('disabled')
    expect(commandLines(result.stdout, 'error').join('\n')).toContain(full.imageId)
    expect(
      aws.calls.filter(
        (c) => ['CreateTags', 'DisableImage'].includes(c.action) && imagesNamed(c).includes(full.imageId)
      )
    ).toEqual([])
    expect(json(result.outputs['disabled-image-ids'])).toEqual([fine.imageId])
  })

  test('CreateTags denied: every image stays enabled and is reported by id; DisableImage is never called', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.faults.deny.add('ec2:CreateTags')

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'available'])
    const error = commandLines(result.stdout, 'error').join('\n')
    for (const o of old) expect(error).toContain(o.imageId)
    expect(error).toContain('ec2:CreateTags')
    expect(aws.count('DisableImage')).toBe(0)
    expect(json(result.outputs['disabled-image-ids'])).toEqual([])
  })

  test('CreateTags answers TagLimitExceeded (tags added meanwhile): that image stays enabled, reported by id', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.faults.failImages.set(old[0].imageId, {
      action: 'CreateTags',
      code: 'TagLimitExceeded',
      status: 400,
      message: 'The maximum number of Tags for a resource has been reached.'
    })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'disabled'])
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(new RegExp(`${old[0].imageId}.*TagLimitExceeded`))
  })

  test('the sharing cannot be read (DescribeImageAttribute fails): that image stays enabled, no record is written', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.faults.failImages.set(old[0].imageId, { action: 'DescribeImageAttribute', code: 'InternalError', status: 500 })

    const result = await world.run({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['available', 'disabled'])
    expect(aws.calls.filter((c) => c.action === 'CreateTags' && imagesNamed(c).includes(old[0].imageId))).toEqual([])
    expect(commandLines(result.stdout, 'error').join('\n')).toContain(old[0].imageId)
  })
})
