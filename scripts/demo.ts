/**
 * npm run demo: a realistic account on the local EC2 endpoint, a pull request on the local
 * GitHub API, and the bundled action (dist/index.js) run exactly as a runner would. Prints the
 * log, the outputs, the job summary and the pull-request comment. No AWS account needed.
 * `--retire` runs a bundle of src/ instead (built as the e2e tests build it, into .scratch/):
 * dist/ is the released bundle, and retire may be newer than it.
 *
 *   npm run demo                 disable the images a new build supersedes
 *   npm run demo -- --dry-run    the same, changing nothing
 *   npm run demo -- --rollback   then roll the new build back (re-enable, restore sharing)
 *   npm run demo -- --retire     the scheduled retire: an account with images disabled 10, 45, 60
 *                                and 90 days ago, what retiring them frees (add --dry-run to change nothing)
 *   npm run demo -- --help       this usage
 */
import { recordTags } from '../src/rules/lineage.js'
import { at } from '../test-support/at.js'
import { buildBundle } from '../test-support/jest-global-setup.js'
import { readFlags } from '../test-support/cli-flags.js'
import { startAwsEmulator, type AwsEmulator } from '../test-support/emulator/ec2.js'
import { startGitHubFake } from '../test-support/github.js'
import { DIST_ENTRY, REPO_ROOT, runAction, type RunActionResult } from '../test-support/run-action.js'

const USAGE = `usage: npm run demo -- [--dry-run] [--rollback | --retire] [--help]
  --dry-run    disable nothing: report what would happen
  --rollback   after the disable, roll the new build back (skipped with --dry-run)
  --retire     instead: the scheduled retire of images disabled long ago (10 and 60 days)`

/** The flags; a mistyped one is an error with the usage line (exit code 2), not ignored. */
const { values } = readFlags('demo', USAGE, {
  'dry-run': { type: 'boolean' },
  rollback: { type: 'boolean' },
  retire: { type: 'boolean' }
})
const flags = { dryRun: values['dry-run'] ?? false, rollback: values.rollback ?? false, retire: values.retire ?? false }
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)
const rule = (title: string) => console.log(`\n${bold(`━━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`)}\n`)
const day = (n: number) => new Date(Date.UTC(2026, 10, n, 9, 30)).toISOString()

const ORG = 'arn:aws:organizations::111122223333:organization/o-demo1234ab'
const OU = (n: number) => `arn:aws:organizations::111122223333:ou/o-demo1234ab/ou-demo-prod000${n}`
/** The account of the shop team, which launches the golden images shared with it. */
const CONSUMER = '222233334444'

/**
 * Two families (web, batch) in two regions, shared images, launch templates, Auto Scaling groups,
 * an SSM parameter, and a consumer account using a shared image (its template, group, instances).
 */
function seedAccount(aws: AwsEmulator): { newImages: string[] } {
  const newImages: string[] = []
  for (const region of ['us-east-1', 'eu-west-1']) {
    const web = [1, 8, 15, 22].map((d, i) =>
      aws.addImage(region, {
        name: `golden-web-2026.11.${String(d).padStart(2, '0')}`,
        creationDate: day(d),
        tags: [
          { key: 'image-family', value: 'web' },
          { key: 'os', value: 'al2023' },
          ...(i === 0 ? [{ key: 'retain', value: 'audit' }] : [])
        ],
        launchPermissions:
          i === 2
            ? [{ userId: '222233334444' }, { userId: '333344445555' }, { organizationalUnitArn: OU(1) }]
            : i === 1
              ? [{ organizationArn: ORG }]
              : [],
        public: false
      })
    )
    const batch = [3, 17].map((d) =>
      aws.addImage(region, {
        name: `golden-batch-2026.11.${String(d).padStart(2, '0')}`,
        creationDate: day(d),
        tags: [{ key: 'image-family', value: 'batch' }]
      })
    )
    const fresh = aws.addImage(region, {
      name: 'golden-web-2026.11.25',
      creationDate: day(25),
      tags: [
        { key: 'image-family', value: 'web' },
        { key: 'os', value: 'al2023' }
      ],
      // The build just finished: the image turns available while the action waits.
      ...(region === 'us-east-1' ? { availableAfterDescribes: 2 } : {})
    })
    newImages.push(`${region}:${fresh.imageId}`)
    aws.setSsmParameter(region, '/golden/web/previous', at(web, 2).imageId)
    const [webLt] = [
      aws.addLaunchTemplate(region, {
        name: 'web-frontend',
        versions: [{ imageId: at(web, 1).imageId }, { imageId: at(web, 2).imageId }, { imageId: fresh.imageId }],
        defaultVersion: 2
      }),
      aws.addLaunchTemplate(region, {
        name: 'web-canary',
        versions: [{ imageId: at(web, 0).imageId }, { imageId: 'resolve:ssm:/golden/web/previous' }],
        defaultVersion: 1
      }),
      aws.addLaunchTemplate(region, {
        name: 'batch-workers',
        versions: [{ imageId: at(batch, 1).imageId }],
        defaultVersion: 1
      })
    ]
    aws.addAutoScalingGroup(region, {
      name: `web-frontend-${region}`,
      launchTemplate: { launchTemplateId: webLt.launchTemplateId, version: '$Default' }
    })
    aws.addAutoScalingGroup(region, {
      name: `web-spot-${region}`,
      mixedInstancesPolicy: {
        launchTemplate: { launchTemplateSpecification: { launchTemplateName: 'web-canary', version: '$Latest' } }
      }
    })
    // A stale pointer in this account: the parameter still names an image this build supersedes.
    aws.setSsmParameter(region, '/golden/web/latest', at(web, 3).imageId, 'aws:ec2:image')
    aws.addInstances(region, 2, { imageId: at(web, 3).imageId })

    // A consumer account (in the organization and OU the images are shared with): its own launch
    // template, group and instances run on a shared image that this build supersedes.
    const shop = aws.account(CONSUMER, { organizationArn: ORG, organizationalUnitArns: [OU(1)] })
    const shopLt = shop.addLaunchTemplate(region, {
      name: 'shop-web',
      versions: [{ imageId: at(web, 1).imageId }, { imageId: at(web, 2).imageId }],
      defaultVersion: 2
    })
    shop.addAutoScalingGroup(region, {
      name: `shop-web-${region}`,
      launchTemplate: { launchTemplateId: shopLt.launchTemplateId, version: '$Default' },
      desiredCapacity: 3,
      maxSize: 6
    })
    shop.addInstances(region, 3, {
      imageId: at(web, 2).imageId,
      launchTemplate: { launchTemplateId: shopLt.launchTemplateId, version: '2' },
      autoScalingGroupName: `shop-web-${region}`
    })
    shop.addInstance(region, { imageId: at(web, 1).imageId, state: 'stopped' })
  }
  // EC2 takes a moment to count who uses an image in other accounts.
  aws.usageReportDelay = 1000
  return { newImages }
}

/** The inputs a run sets (INPUT_*), as the `with:` block of the workflow step would read. */
function showInputs(inputs: Record<string, string>): void {
  // Plain when YAML reads it back as the same text (true and 42 included: inputs are strings).
  const value = (v: string) => (/^[\w./=*?@-][\w.,:/=*?@ -]*$/.test(v) && !/: |\s$/.test(v) ? v : JSON.stringify(v))
  console.log('The step, as a workflow would write it (the runner turns `with:` into INPUT_* variables):\n')
  console.log('  - uses: disable-superseded-ami/disable-superseded-ami@v1\n    with:')
  for (const [name, v] of Object.entries(inputs)) console.log(`      ${name}: ${value(v)}`)
  console.log('\n  (every other input: its action.yml default)')
}

/**
 * The calls the local endpoints answered, per service and action. A call made with DryRun=true is
 * only EC2's permission check (nothing changed): it is counted apart, as `DisableImage (DryRun)`.
 */
function showCalls(aws: AwsEmulator): void {
  const counts = new Map<string, Map<string, number>>()
  for (const c of aws.calls) {
    const service = c.service === 'autoscaling' ? 'Auto Scaling' : 'EC2'
    const action = c.params['DryRun'] === 'true' ? `${c.action} (DryRun)` : c.action
    const perService = counts.get(service) ?? new Map<string, number>()
    perService.set(action, (perService.get(action) ?? 0) + 1)
    counts.set(service, perService)
  }
  for (const [service, perService] of counts) {
    console.log(`${service}: ${[...perService].map(([a, n]) => `${a} ×${n}`).join(', ')}`)
  }
  const dry = aws.calls.filter((c) => c.params['DryRun'] === 'true').length
  if (dry > 0) console.log(`(${dry} DryRun call(s): permission checks that changed nothing)`)
}

function show(result: RunActionResult, comment?: string): void {
  rule('Log (what the runner shows)')
  console.log(result.stdout.trimEnd())
  if (result.stderr.trim()) console.log(result.stderr.trimEnd())
  rule(`Outputs (exit code ${result.exitCode})`)
  for (const [name, value] of Object.entries(result.outputs)) {
    const shown = name === 'report' ? `${value.slice(0, 160)}… (${value.length} characters of JSON)` : value
    console.log(`${name} = ${shown}`)
  }
  rule('Job summary ($GITHUB_STEP_SUMMARY)')
  console.log(result.summary.trimEnd())
  if (comment !== undefined) {
    rule('Pull-request comment (posted to the local GitHub API)')
    console.log(comment.trimEnd())
  }
}

const DAY_MS = 86_400_000
/** `days` before now (the action reads the real clock), as this action writes times. */
const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * The account a month or two after some releases: in each region, images this action disabled 60
 * and 45 days ago (one shares a snapshot with a younger image), one disabled 10 days ago, one
 * disabled by hand, one protected from deregistration; a Recycle Bin retention rule in us-east-1.
 */
function seedRetireAccount(aws: AwsEmulator): void {
  const disabled = (
    region: string,
    name: string,
    days: number | undefined,
    snapshots: Array<[string, number]>,
    extra: Record<string, unknown> = {}
  ) =>
    aws.addImage(region, {
      name,
      state: 'disabled',
      creationDate: new Date(Date.now() - ((days ?? 30) + 7) * DAY_MS).toISOString(),
      tags: [
        { key: 'image-family', value: 'web' },
        ...(days === undefined
          ? []
          : recordTags({
              lineage: { supersededBy: 'ami-0d1e2f3a4b5c6d7e8', reason: 'superseded', disabledAt: ago(days) },
              sharing: { public: false, userIds: ['222233334444'], organizationArns: [], organizationalUnitArns: [] }
            }))
      ],
      blockDeviceMappings: snapshots.map(([snapshotId, volumeSize], i) => ({
        deviceName: i === 0 ? '/dev/xvda' : `/dev/xvd${'bcdef'[i - 1]}`,
        ebs: { snapshotId, volumeSize, volumeType: 'gp3', deleteOnTermination: true, encrypted: true }
      })),
      ...extra
    })
  for (const [region, r] of [
    ['us-east-1', '1'],
    ['eu-west-1', '2']
  ] as const) {
    disabled(region, 'golden-web-2026.09.01', 60, [
      [`snap-0${r}00000000000000a1`, 30],
      [`snap-0${r}00000000000000a2`, 100]
    ])
    disabled(region, 'golden-web-2026.09.15', 45, [[`snap-0${r}00000000000000b1`, 30]])
    disabled(region, 'golden-web-2026.11.20', 10, [[`snap-0${r}00000000000000b1`, 30]])
    disabled(region, 'golden-web-2026.08.01-by-hand', undefined, [[`snap-0${r}00000000000000c1`, 30]])
    disabled(region, 'golden-web-2026.07.01-audit', 90, [[`snap-0${r}00000000000000d1`, 50]], {
      deregistrationProtection: 'enabled-with-cooldown'
    })
  }
  aws.recycleBinRule('us-east-1', { images: 14, snapshots: 14 })
}

function showSnapshots(aws: AwsEmulator): void {
  for (const region of ['us-east-1', 'eu-west-1']) {
    const live = aws.snapshots(region).map((x) => `${x.snapshotId} ${x.volumeSize} GiB ${x.storageTier}`)
    const binned = aws.snapshotsInBin(region).map((e) => e.item.snapshotId)
    console.log(
      `${region}: ${aws.images(region).length} image(s) registered, ${aws.imagesInBin(region).length} in the Recycle Bin`
    )
    console.log(`  snapshots: ${live.join(', ') || 'none'}`)
    if (binned.length > 0) console.log(`  in the Recycle Bin (restorable with enable): ${binned.join(', ')}`)
  }
}

/** `--retire`: the scheduled workflow's step, on an account with images disabled 10, 45, 60 and 90 days ago. */
async function retireDemo(): Promise<void> {
  // dist/ is the released bundle; retire is newer than it may be: run a bundle of src/.
  const entry = process.env.ACTION_BUNDLE ?? buildBundle(REPO_ROOT)
  const aws = await startAwsEmulator()
  try {
    seedRetireAccount(aws)
    console.log(bold('disable-superseded-ami demo: the scheduled retire'))
    console.log(`Local EC2 endpoint ${aws.url} (account ${aws.accountId}). Before:`)
    showSnapshots(aws)
    const inputs = {
      command: 'retire',
      region: 'us-east-1,eu-west-1',
      'retire-after-days': '30',
      snapshots: 'delete',
      'family-tag': 'image-family',
      comment: 'false',
      'dry-run': String(flags.dryRun)
    }
    rule(`Inputs (retire${flags.dryRun ? ', dry run: change nothing' : ''}, on: schedule)`)
    showInputs(inputs)
    const result = await runAction({
      ec2Url: aws.url,
      region: 'us-east-1',
      eventName: 'schedule',
      event: { schedule: '17 4 * * 1' },
      inputs,
      entry
    })
    show(result)
    rule('After')
    showSnapshots(aws)
    rule('AWS calls made (the local endpoints log)')
    showCalls(aws)
    process.exitCode = result.exitCode ?? 1
  } finally {
    await aws.close()
  }
}

async function main(): Promise<void> {
  if (flags.retire) return retireDemo()
  const aws = await startAwsEmulator()
  const github = await startGitHubFake()
  try {
    const { newImages } = seedAccount(aws)
    github.addPullRequest(42, { headSha: 'a1b2c3d', headRef: 'golden-web-2026.11.25' })
    console.log(bold('disable-superseded-ami demo'))
    console.log(`Local EC2 endpoint ${aws.url} (account ${aws.accountId}), local GitHub API ${github.url}.`)
    console.log(`A Packer build made ${newImages.join(', ')}; pull request #42 asks to disable what it supersedes.`)
    const common = {
      ec2Url: aws.url,
      githubUrl: github.url,
      region: 'us-east-1',
      eventName: 'pull_request',
      event: { pull_request: { number: 42 } },
      // what runners execute
      entry: DIST_ENTRY
    }
    const disableInputs = {
      'image-id': newImages.join(','),
      'family-tag': 'image-family',
      'exclude-tags': 'retain=audit',
      'consumer-role': 'golden-image-reader',
      'dry-run': String(flags.dryRun)
    }
    rule(`Inputs (${flags.dryRun ? 'dry run: disable nothing' : 'disable'}, on pull request #42)`)
    showInputs(disableInputs)
    const disable = await runAction({ ...common, inputs: disableInputs })
    show(disable, github.comments(42).at(-1)?.body)
    rule('AWS calls made (the local endpoints log)')
    showCalls(aws)
    if (flags.rollback && !flags.dryRun) {
      rule('Rollback: command rollback on the new images (workflow_dispatch)')
      const rollbackInputs = { command: 'rollback', 'image-id': newImages.join(','), 'pull-request': '42' }
      showInputs(rollbackInputs)
      aws.clearCalls()
      const back = await runAction({ ...common, eventName: 'workflow_dispatch', event: {}, inputs: rollbackInputs })
      show(back, github.comments(42).at(-1)?.body)
      rule('AWS calls made by the rollback')
      showCalls(aws)
    }
    process.exitCode = disable.exitCode ?? 1
  } finally {
    await aws.close()
    await github.close()
  }
}

await main()
