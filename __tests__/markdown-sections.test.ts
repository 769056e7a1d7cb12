/**
 * report/markdown.ts, pure: every section of a full `disable` report as a reviewer reads it, each
 * table with its exact columns and cells (the groups through templates and launch configurations,
 * the fixes, the references, the other accounts, the instances), a refused run, a status table,
 * tables cut to `maxRows`, the sharing cell's limit, and the marker's encoding.
 */
import { describe, expect, test } from '@jest/globals'
import type {
  AccountUse,
  Change,
  ImageReference,
  LaunchConfigurationUse,
  RegionReport,
  RunReport
} from '../src/model.js'
import { emptySharing, NOT_CHECKED } from '../src/model.js'
import { templateFix } from '../src/report/fixes.js'
import { markerValue, renderBody, sharingText } from '../src/report/markdown.js'
import { emptyRegion } from '../src/steps/regions.js'
import { blockquotes, sections, tableUnder, text } from '../test-support/markdown.js'
import { groupUseMaker, imageMaker, templateUseMaker } from '../test-support/report-fixtures.js'

const EAST = 'us-east-1'
const OWNER = '111122223333'
const OTHER = '444455556666'
const THIRD = '777788889999'
const NEW = 'ami-0000000000000000f'

const image = imageMaker({
  region: EAST,
  ownerId: OWNER,
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})
const old = image('golden-web-1', { lastLaunchedTime: '2026-11-20T09:15:00.000Z' })
const use = templateUseMaker(EAST, old.imageId)

const group = groupUseMaker(EAST, old.imageId)

const config: LaunchConfigurationUse = {
  region: EAST,
  launchConfigurationName: 'legacy-lc',
  imageId: old.imageId,
  groups: [
    { autoScalingGroupName: 'legacy-asg', desiredCapacity: 3 },
    { autoScalingGroupName: 'batch-asg', desiredCapacity: 1 }
  ]
}

function ref(resourceType: ImageReference['resourceType'], arn: string, accountId?: string): ImageReference {
  return { region: EAST, imageId: old.imageId, resourceType, arn, ...(accountId ? { accountId } : {}) }
}

function account(accountId: string, source: AccountUse['source'], launchTemplates = 2): AccountUse {
  return { region: EAST, imageId: old.imageId, accountId, launchTemplates, instances: 1, source }
}

const disabled: Change = {
  region: EAST,
  imageId: old.imageId,
  name: old.name,
  action: 'disable',
  outcome: 'disabled',
  sharing: { ...emptySharing(), userIds: [OTHER] },
  message: 'was shared',
  warnings: ['its record is long']
}

function full(over: Partial<RegionReport> = {}, run: Partial<RunReport> = {}): RunReport {
  return {
    command: 'disable',
    dryRun: false,
    subject: 'role=web',
    commentKey: 'role=web',
    regions: [
      {
        ...emptyRegion(EAST),
        accountId: OWNER,
        images: [image('golden-web-2', { imageId: NEW, creationDate: '2026-11-30T10:00:00.000Z' })],
        decisions: [{ image: old, kind: 'disable', reason: 'superseded' }],
        changes: [disabled],
        pointTo: NEW,
        templates: [
          use({ accountId: THIRD, launchTemplateId: 'lt-0ccc', launchTemplateName: 'theirs' }),
          use({ imageReference: 'resolve:ssm:/golden/web' }),
          use({
            launchTemplateId: 'lt-0bbb',
            launchTemplateName: 'api',
            versionNumber: 17,
            isDefault: false,
            isLatest: false
          })
        ],
        groups: [
          group(),
          group({
            autoScalingGroupName: 'api-asg',
            launchTemplateId: 'lt-0bbb',
            launchTemplateName: 'api',
            version: '17',
            versionNumber: 17
          }),
          group({ autoScalingGroupName: 'mixed-asg', viaMixedInstancesPolicy: true, accountId: OTHER })
        ],
        launchConfigurations: [config],
        references: [
          ref('ssm:Parameter', `arn:aws:ssm:${EAST}:${OWNER}:parameter/golden/web`),
          ref('imagebuilder:ImageRecipe', `arn:aws:imagebuilder:${EAST}:${OTHER}:image-recipe/web/1.0.0`, OTHER),
          ref('ec2:Instance', `arn:aws:ec2:${EAST}:${OWNER}:instance/i-0abc`)
        ],
        accounts: [account(THIRD, 'usage-report'), account(OTHER, 'consumer-role', 1)],
        checked: ['launch templates', 'Auto Scaling groups', 'launch configurations'],
        ...over
      }
    ],
    ...run
  }
}

describe('a full disable report, section by section', () => {
  // made in each test, not once for the block: a mutation run (perTest) runs a mutant only with the tests it ran in
  const body = (): string => renderBody(full())

  test('the sections, in the order a reviewer needs them', () => {
    expect(sections(body())).toEqual([
      'Disabled',
      'Launch templates that still point at a disabled image',
      'Auto Scaling groups that launch from them',
      'Launch configurations that still point at a disabled image',
      'SSM parameters and Image Builder recipes that still point at a disabled image',
      'Other accounts that use the disabled images (2)',
      'New image'
    ])
  })

  test('disabled: who loses access, and the note with its warnings', () => {
    const t = tableUnder(body(), 'Disabled')
    expect(t.header).toEqual(['Region', 'Image', 'Name', 'Created', 'Last launched', 'Who loses access', 'Note'])
    expect(t.rows).toEqual([
      [
        EAST,
        old.imageId,
        'golden-web-1',
        '2026-11-01 10:00 UTC',
        '2026-11-20 09:15 UTC',
        `account ${OTHER}`,
        'was shared; its record is long'
      ]
    ])
  })

  test('launch templates: the owner first, then by account; the account column, the SSM parameter and the fix', () => {
    const t = tableUnder(body(), 'Launch templates that still point at a disabled image')
    expect(t.header).toEqual(['Region', 'Account', 'Launch template', 'Version', 'Image', 'Fix'])
    expect(t.rows.map((r) => r.slice(1, 5))).toEqual([
      ['this account', 'web lt-0aaa', '3 (default and latest)', `${old.imageId} from resolve:ssm:/golden/web`],
      ['this account', 'api lt-0bbb', '17 (pinned by a group)', old.imageId],
      [THIRD, 'theirs lt-0ccc', '3 (default and latest)', old.imageId]
    ])
    // each row carries its own template's fix, in the row's order (the owner's first)
    const report = full()
    const region = report.regions[0]!
    const [theirs, web, api] = region.templates
    expect(t.rows.map((r) => r[5])).toEqual([web, api, theirs].map((u) => templateFix(u!, region).words))
    expect(new Set(t.rows.map((r) => r[5])).size).toBe(3)
  })

  test('groups: by template (default, pinned, mixed, another account) and by launch configuration', () => {
    const t = tableUnder(body(), 'Auto Scaling groups that launch from them')
    expect(t.header).toEqual([
      'Region',
      'Account',
      'Auto Scaling group',
      'Launches from',
      'Version',
      'Desired capacity',
      'Image'
    ])
    expect(t.rows.map((r) => r.slice(1))).toEqual([
      ['this account', 'web-asg', 'web', '$Default → 3', '6', old.imageId],
      ['this account', 'api-asg', 'api', '17 (pinned)', '6', old.imageId],
      [OTHER, 'mixed-asg', 'web (mixed instances policy)', '$Default → 3', '6', old.imageId],
      ['this account', 'legacy-asg', 'launch configuration legacy-lc', '', '3', old.imageId],
      ['this account', 'batch-asg', 'launch configuration legacy-lc', '', '1', old.imageId]
    ])
  })

  test('launch configurations: their groups, and a fix that says a configuration cannot be changed', () => {
    const t = tableUnder(body(), 'Launch configurations that still point at a disabled image')
    expect(t.header).toEqual(['Region', 'Launch configuration', 'Image', 'Groups', 'Fix'])
    expect(t.rows).toEqual([
      [
        EAST,
        'legacy-lc',
        old.imageId,
        'legacy-asg, batch-asg',
        `a launch configuration cannot be changed: create a launch template (or a new launch configuration) with ${NEW} and point legacy-asg, batch-asg at it`
      ]
    ])
  })

  test('references: the owner first, the kind in words, the name, and the fix; instances are not listed', () => {
    const t = tableUnder(body(), 'SSM parameters and Image Builder recipes that still point at a disabled image')
    expect(t.header).toEqual(['Region', 'Account', 'Kind', 'Name', 'Image', 'Fix'])
    expect(t.rows).toEqual([
      [
        EAST,
        'this account',
        'SSM parameter',
        '/golden/web',
        old.imageId,
        `point it at ${NEW}: everything that resolves it launches the disabled image`
      ],
      [
        EAST,
        OTHER,
        'image recipe',
        'web/1.0.0',
        old.imageId,
        `create a recipe version with ${NEW} as its parent: its next build fails`
      ]
    ])
  })

  test('other accounts: by account, what each holds, and how it was found', () => {
    const t = tableUnder(body(), 'Other accounts that use the disabled images (2)')
    expect(t.header).toEqual(['Account', 'Region', 'Image', 'Launch templates', 'Instances', 'Found by'])
    expect(t.rows).toEqual([
      [OTHER, EAST, old.imageId, '1', '1', 'consumer-role'],
      [THIRD, EAST, old.imageId, '2', '1', 'usage report']
    ])
  })

  test('the instances line counts this account and the others (a consumer-role account counts its instances only as references)', () => {
    expect(text(body())).toContain(
      '2 instances (1 in this account, 1 in 1 other account) still run the disabled images: disabling does not stop them, but a replacement or a scale-out cannot launch the image again.'
    )
  })

  test('the fixes with commands, in a folded block, one per template version', () => {
    expect(body()).toContain('<details><summary>Commands that apply these fixes</summary>')
    expect(body()).toMatch(/us-east-1, api `lt-0bbb` version 17:\n\n```sh\n/)
  })

  test('the new image, with its state; "unknown" when it has no creation date', () => {
    expect(tableUnder(body(), 'New image').header).toEqual(['Region', 'Image', 'Name', 'Created', 'State'])
    expect(tableUnder(body(), 'New image').rows).toEqual([
      [EAST, NEW, 'golden-web-2', '2026-11-30 10:00 UTC', 'available']
    ])
    const undated = renderBody(full({ images: [image('golden-web-2', { imageId: NEW, creationDate: '' })] }))
    expect(tableUnder(undated, 'New image').rows[0]?.[3]).toBe('unknown')
  })

  test('a rollback names the image rolled back in the titles', () => {
    const rollback = renderBody(full({}, { command: 'rollback' }))
    expect(sections(rollback)).toContain('Launch templates that still point at the image rolled back')
  })

  test('nothing used elsewhere: no accounts section and no instances line', () => {
    const quiet = renderBody(full({ accounts: [], references: [] }))
    expect(sections(quiet).some((s) => s.startsWith('Other accounts'))).toBe(false)
    expect(text(quiet)).not.toContain('instances (')
  })
})

describe('the other parts, in their variants', () => {
  test('a dry run: "Would be disabled", who would lose access, and "would point at"', () => {
    const body = renderBody(full({ changes: [{ ...disabled, outcome: 'would-disable' }] }, { dryRun: true }))
    expect(sections(body).slice(0, 2)).toEqual([
      'Would be disabled',
      'Launch templates that would point at a disabled image'
    ])
    expect(tableUnder(body, 'Would be disabled').header).toContain('Who would lose access')
  })

  test('a fix of several commands keeps one command a line', () => {
    const body = renderBody(full())
    const block = /```sh\n([\s\S]*?)\n```/.exec(body.slice(body.indexOf('theirs `lt-0ccc` version 3:')))?.[1] ?? ''
    expect(block.split('\n').length).toBeGreaterThan(1)
    expect(
      block.split('\n').every((line) => line.startsWith('aws ') || line.startsWith('v=') || line.startsWith('#'))
    ).toBe(true)
  })

  test('a region with no image to point at: "an enabled image", and no commands', () => {
    const report = full()
    const region = { ...report.regions[0]! }
    delete region.pointTo
    const body = renderBody({ ...report, regions: [region] })
    const t = tableUnder(body, 'SSM parameters and Image Builder recipes that still point at a disabled image')
    expect(t.rows[0]?.[5]).toBe('point it at an enabled image: everything that resolves it launches the disabled image')
    // no image to point at: no fix can be written as a command, so there is no block of commands
    expect(body).not.toContain('Commands that apply these fixes')
  })

  test('other accounts: up to 5 rows shown as they are, 6 folded with a count', () => {
    const accounts = (n: number) =>
      Array.from({ length: n }, (_, i) => account(String(500000000000 + i), 'usage-report'))
    expect(renderBody(full({ accounts: accounts(5) }))).not.toContain('<details><summary>5 accounts')
    expect(renderBody(full({ accounts: accounts(6) }))).toContain('<details><summary>6 accounts, 6 rows</summary>')
  })

  test('other accounts past 200: 200 rows however short the comment, then a count pointing at the job summary', () => {
    const accounts = Array.from({ length: 203 }, (_, i) => account(String(500000000000 + i), 'usage-report'))
    const body = renderBody(full({ accounts }), { maxRows: 3, runUrl: 'https://github.com/acme/golden/actions/runs/1' })
    const t = tableUnder(body, 'Other accounts that use the disabled images (203)')
    expect(t.rows).toHaveLength(200)
    expect(body).toContain('…and 3 more: see [the job summary](https://github.com/acme/golden/actions/runs/1).')
  })

  test("an account's usage of an image that was not disabled is not listed", () => {
    const body = renderBody(full({ accounts: [{ ...account(THIRD, 'usage-report'), imageId: NEW }] }))
    expect(sections(body).some((s) => s.startsWith('Other accounts'))).toBe(false)
  })
})

describe('nothing to do', () => {
  test('the title, the verdict, the new image and what was checked: nothing else', () => {
    const base = full()
    const nothing: RegionReport = {
      ...emptyRegion(EAST),
      images: base.regions[0]!.images,
      pointTo: NEW,
      checked: base.regions[0]!.checked
    }
    const report = { ...base, regions: [nothing] }
    const lines = text(renderBody(report))
      .split('\n')
      .filter((line) => line.trim() !== '')
    expect(lines).toEqual([
      '✅ Superseded AMIs of role=web: disabled 0',
      '✅ Nothing to disable: no superseded image is enabled.',
      'New image',
      ...['Region', 'Image', 'Name', 'Created', 'State'],
      ...[EAST, NEW, 'golden-web-2', '2026-11-30 10:00 UTC', 'available'],
      `Checked in us-east-1: launch templates, Auto Scaling groups, launch configurations. Not checked: ${NOT_CHECKED.join(', ')}.`
    ])
  })
})

describe('cut short', () => {
  test('a table longer than maxRows shows maxRows rows and a count with the pointer; exactly maxRows, no count', () => {
    const two = full({ templates: [use(), use({ launchTemplateId: 'lt-0bbb', launchTemplateName: 'api' })] })
    const cut = renderBody(two, { maxRows: 1, runUrl: 'https://github.com/acme/golden/actions/runs/1' })
    expect(tableUnder(cut, 'Launch templates that still point at a disabled image').rows).toHaveLength(1)
    expect(cut).toContain('…and 1 more: see [the job summary](https://github.com/acme/golden/actions/runs/1).')
    const exact = renderBody(two, { maxRows: 2 })
    expect(tableUnder(exact, 'Launch templates that still point at a disabled image').rows).toHaveLength(2)
    const templates = exact.slice(exact.indexOf('#### Launch templates'), exact.indexOf('#### Auto Scaling groups'))
    expect(templates).not.toContain('…and')
  })

  test('the command blocks are cut to maxRows too, with a count of the rest', () => {
    const two = full({
      templates: [
        use({ isDefault: false, isLatest: false }),
        use({ launchTemplateId: 'lt-0bbb', launchTemplateName: 'api', isDefault: false, isLatest: false })
      ],
      groups: [
        group({ version: '3', versionNumber: 3 }),
        group({ launchTemplateId: 'lt-0bbb', launchTemplateName: 'api', version: '3', versionNumber: 3 })
      ]
    })
    const commands = (body: string): string => {
      const start = body.indexOf('<summary>Commands that apply these fixes</summary>')
      return body.slice(start, body.indexOf('</details>', start))
    }
    const details = commands(renderBody(two, { maxRows: 1 }))
    expect(details.match(/```sh/g)).toHaveLength(1)
    expect(details).toContain('\n\n…and 1 more: see the job summary.\n')
    const all = commands(renderBody(two, { maxRows: 2 }))
    expect(all.match(/```sh/g)).toHaveLength(2)
    expect(all).not.toContain('…and')
  })
})

describe('a refused run', () => {
  test('the caution, and the images it would have disabled listed as not disabled (only those)', () => {
    const report = full(
      {
        changes: [],
        decisions: [
          { image: old, kind: 'disable', reason: 'superseded' },
          { image: image('golden-web-0'), kind: 'skip', reason: 'excluded' }
        ]
      },
      { refusal: 'refusing to disable anything: 11 images in us-east-1, more than max-images (10)' }
    )
    const body = renderBody(report)
    expect(blockquotes(body)[0]).toBe('[!CAUTION]\nRefused: nothing was changed in any region.')
    expect(tableUnder(body, 'Not disabled: the run was refused').rows.map((r) => [r[1], r[4]])).toEqual([
      [old.imageId, 'superseded']
    ])
    expect(tableUnder(body, 'Not disabled: the run was refused').header).toEqual([
      'Region',
      'Image',
      'Name',
      'Created',
      'Reason'
    ])
  })

  test('a region that failed is a warning naming it', () => {
    const body = renderBody({ ...full(), regions: [...full().regions, emptyRegion('eu-west-1', 'boom')] })
    expect(blockquotes(body)).toContain('[!WARNING]\neu-west-1: boom')
  })
})

describe('small parts', () => {
  test('sharing: up to 10 names, then a count', () => {
    const ids = (n: number) => ({
      ...emptySharing(),
      userIds: Array.from({ length: n }, (_, i) => String(100000000000 + i))
    })
    expect(sharingText(ids(10)).split(', ')).toHaveLength(10)
    expect(sharingText(ids(10))).not.toContain('more')
    expect(sharingText(ids(11))).toMatch(/, account 100000000009 and 1 more$/)
    expect(
      sharingText({
        public: true,
        userIds: [],
        organizationArns: ['arn:aws:organizations::111122223333:organization/o-abc123'],
        organizationalUnitArns: ['arn:aws:organizations::111122223333:ou/o-abc123/ou-ab12-cdef']
      })
    ).toBe('**everyone (public)**, organization o-abc123, OU ou-ab12-cdef')
  })

  test("the marker encodes what could close the comment, in upper-case hex: - ! ' ( ) * ~", () => {
    expect(markerValue("a-b!c'd(e)f*g~h")).toBe('a%2Db%21c%27d%28e%29f%2Ag%7Eh')
    expect(markerValue('role=web,tier:1/x')).toBe('role=web,tier:1/x')
  })
})
