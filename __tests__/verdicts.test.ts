/**
 * The verdict tells the truth: never a success mark while a launch will fail (dry run or not),
 * counts that count what they name, a refused run that says nothing changed, and the fixes and
 * the closing "checked" line in the comment. Pure: hand-built reports, read as GitHub renders them.
 */
import { describe, expect, test } from '@jest/globals'
import type { Change, ChangeOutcome, Image, LaunchConfigurationUse, RegionReport, RunReport } from '../src/model.js'
import { NOT_CHECKED } from '../src/model.js'
import { outcomeOf } from '../src/rules/outcome.js'
import { consumerRoleChecked, REFERENCES_CHECKED, usageReportsChecked } from '../src/rules/checked.js'
import { renderBody, title, verdict } from '../src/report/markdown.js'
import { emptyRegion } from '../src/steps/regions.js'
import { headings, inlineText, tables, text } from '../test-support/markdown.js'
import { groupUseMaker, imageMaker, templateUseMaker } from '../test-support/report-fixtures.js'

const EAST = 'us-east-1'
const NEW = 'ami-0000000000000000f'

const image = imageMaker({
  region: EAST,
  ownerId: '111122223333',
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})
const old = image('golden-web-1')
const older = image('golden-web-0')
const use = templateUseMaker(EAST, old.imageId)

function change(img: Image, outcome: ChangeOutcome, action: Change['action'] = 'disable'): Change {
  return { region: img.region, imageId: img.imageId, name: img.name, action, outcome }
}

const group = groupUseMaker(EAST, old.imageId)

const config: LaunchConfigurationUse = {
  region: EAST,
  launchConfigurationName: 'legacy-lc',
  imageId: older.imageId,
  groups: [{ autoScalingGroupName: 'legacy-asg', desiredCapacity: 3 }]
}

function disableRun(over: Partial<RegionReport> = {}, run: Partial<RunReport> = {}): RunReport {
  return {
    command: 'disable',
    dryRun: false,
    subject: 'role=web',
    commentKey: 'role=web',
    regions: [
      {
        ...emptyRegion(EAST),
        images: [image('golden-web-2', { imageId: NEW, creationDate: '2026-11-30T10:00:00.000Z' })],
        decisions: [
          { image: old, kind: 'disable', reason: 'superseded' },
          { image: older, kind: 'disable', reason: 'superseded' }
        ],
        pointTo: NEW,
        checked: ['launch templates', 'Auto Scaling groups', 'launch configurations'],
        ...over
      }
    ],
    ...run
  }
}

const breaking = { templates: [use()], groups: [group()], launchConfigurations: [config] }

describe('the mark is a warning whenever a launch will fail', () => {
  test('a real disable with templates, groups and a launch configuration on the disabled images', () => {
    const report = disableRun({ changes: [change(old, 'disabled'), change(older, 'disabled')], ...breaking })
    expect(outcomeOf(report).mark).toBe('warning')
    expect(inlineText(verdict(report))).toBe(
      '⚠️ 2 images disabled in us-east-1; 1 launch template version, 2 Auto Scaling groups and 1 launch configuration will fail their next launch.'
    )
    expect(headings(renderBody(report))[0]?.text).toBe('⚠️ Superseded AMIs of role=web: disabled 2')
  })

  test('a dry run that would break launches is a warning too, and says "would"', () => {
    const report = disableRun(
      { changes: [change(old, 'would-disable'), change(older, 'would-disable')], ...breaking },
      { dryRun: true }
    )
    expect(outcomeOf(report).mark).toBe('warning')
    expect(inlineText(verdict(report))).toBe(
      '⚠️ Dry run: 2 images would be disabled in us-east-1; 1 launch template version, 2 Auto Scaling groups and 1 launch configuration would fail their next launch.'
    )
    const body = renderBody(report)
    expect(headings(body)[0]?.text).toBe('⚠️ Superseded AMIs of role=web: would disable 2 (dry run)')
    expect(text(body)).not.toMatch(/\bwill fail\b|\bstill point\b|^Disabled$/m)
    expect(headings(body).map((h) => h.text)).toEqual(
      expect.arrayContaining([
        'Would be disabled',
        'Launch templates that would point at a disabled image',
        'Launch configurations that would point at a disabled image'
      ])
    )
  })

  test('only what points at an image actually disabled counts: a failed disable breaks nothing', () => {
    const report = disableRun({
      changes: [change(old, 'failed'), change(older, 'disabled')],
      templates: [use()],
      groups: [group()]
    })
    const outcome = outcomeOf(report)
    expect(outcome.breaking.templates).toEqual([])
    expect(outcome.consequence).toBeUndefined()
    expect(outcome.mark).toBe('warning')
  })

  test('nothing breaking and everything done: success', () => {
    const report = disableRun({ changes: [change(old, 'disabled'), change(older, 'disabled')] })
    expect(outcomeOf(report).mark).toBe('success')
    expect(inlineText(verdict(report))).toBe('✅ 2 images disabled in us-east-1.')
  })

  test('a dry run with nothing breaking keeps the dry-run mark', () => {
    const report = disableRun({ changes: [change(old, 'would-disable')] }, { dryRun: true })
    expect(outcomeOf(report).mark).toBe('dry-run')
  })

  test('one thing breaking: "its next launch"', () => {
    const report = disableRun({ changes: [change(old, 'disabled')], templates: [use()] })
    expect(outcomeOf(report).consequence).toBe('1 launch template version will fail its next launch')
  })

  test('a group seen twice (directly and in a mixed instances policy) is counted once', () => {
    const report = disableRun({
      changes: [change(old, 'disabled')],
      templates: [use()],
      groups: [group(), group({ viaMixedInstancesPolicy: true })]
    })
    expect(outcomeOf(report).consequence).toBe(
      '1 launch template version and 1 Auto Scaling group will fail their next launch'
    )
  })

  test('the log closing line says the same as the verdict', () => {
    const report = disableRun({ changes: [change(old, 'disabled')], templates: [use()] })
    expect(outcomeOf(report).summary).toBe(
      '1 image disabled in us-east-1; 1 launch template version will fail its next launch.'
    )
  })

  test('images left enabled because they are in use are counted in the verdict', () => {
    const report = disableRun({
      decisions: [{ image: old, kind: 'skip', inUse: true, reason: 'in use by launch template web (in-use: skip)' }]
    })
    expect(inlineText(verdict(report))).toBe('✅ Nothing disabled; 1 image left enabled because it is in use.')
  })

  test('a dry run says the images in use would be left enabled: nothing was left or disabled', () => {
    const inUse = { image: older, kind: 'skip' as const, inUse: true, reason: 'in use (in-use: skip)' }
    const dry = disableRun({ decisions: [inUse] }, { dryRun: true })
    expect(inlineText(verdict(dry))).toBe(
      '✅ Dry run: Nothing would be disabled; 1 image would be left enabled because it is in use.'
    )
    const some = disableRun({ decisions: [inUse], changes: [change(old, 'would-disable')] }, { dryRun: true })
    expect(inlineText(verdict(some))).toBe(
      '🧪 Dry run: 1 image would be disabled in us-east-1; 1 image would be left enabled because it is in use.'
    )
  })
})

describe('a refused run says nothing was changed, and why, without tables titled as if it had', () => {
  const refusal = 'refusing to disable anything: 12 images would be disabled in us-east-1, more than max-images (10)'
  const report = disableRun({ ...breaking }, { refusal })
  // made in each test, not once for the block: a mutation run (perTest) runs a mutant only with the tests it ran in
  const body = (): string => renderBody(report)

  test('❌ in the title and the verdict, which names the refusal', () => {
    expect(headings(body())[0]?.text).toBe('❌ Superseded AMIs of role=web: refused, nothing changed')
    expect(inlineText(verdict(report))).toBe(`❌ Nothing was changed: ${refusal}.`)
    expect(text(body())).toContain('Refused: nothing was changed in any region.')
  })

  test('the images it would have disabled are listed as not disabled; no "Disabled" and nothing "will fail"', () => {
    const titles = headings(body()).map((h) => h.text)
    expect(titles).toContain('Not disabled: the run was refused')
    expect(titles).not.toContain('Disabled')
    expect(titles.some((t) => t.startsWith('Launch templates'))).toBe(false)
    expect(text(body())).not.toMatch(/will fail/)
  })
})

describe('fixes, groups and what was checked', () => {
  const replacement = use({ versionNumber: 4, imageId: NEW, isDefault: false, isLatest: true })
  const report = disableRun({
    changes: [change(old, 'disabled'), change(older, 'disabled')],
    templates: [
      use({ isLatest: false }),
      use({
        launchTemplateId: 'lt-0bbb',
        launchTemplateName: 'api',
        versionNumber: 1,
        isDefault: false,
        isLatest: false
      }),
      use({ launchTemplateId: 'lt-0ccc', launchTemplateName: 'ssm', imageReference: 'resolve:ssm:/golden/web' })
    ],
    replacements: [replacement],
    groups: [
      group(),
      group({
        autoScalingGroupName: 'api-asg',
        launchTemplateId: 'lt-0bbb',
        launchTemplateName: 'api',
        version: '1',
        versionNumber: 1,
        desiredCapacity: 2
      })
    ],
    launchConfigurations: [config]
  })
  // made in each test, not once for the block: a mutation run (perTest) runs a mutant only with the tests it ran in
  const body = (): string => renderBody(report)

  test('each template has its fix, in the order found: make the ready version the default, a new version for the pinned group, the SSM parameter', () => {
    const table = tables(body()).find((t) => t.header.includes('Launch template'))
    const fix = table?.header.indexOf('Fix') ?? -1
    expect(table?.rows.map((r) => [r[1], r[fix]])).toEqual([
      ['web lt-0aaa', `version 4 already uses ${NEW}: make it the default`],
      [
        'api lt-0bbb',
        `create a version from version 1 with ${NEW}, point the group pinned to version 1 (api-asg) at it`
      ],
      [
        'ssm lt-0ccc',
        `update the SSM parameter /golden/web to ${NEW}: the template resolves it at launch, no new version is needed`
      ]
    ])
  })

  test('the commands are in code blocks a reader can copy', () => {
    expect(body()).toContain(
      `aws ec2 modify-launch-template --region us-east-1 --launch-template-id lt-0aaa --default-version 4`
    )
    expect(body()).toContain(
      `aws autoscaling update-auto-scaling-group --region us-east-1 --auto-scaling-group-name 'api-asg' --launch-template "LaunchTemplateId=lt-0bbb,Version=$v"`
    )
    expect(body()).toContain(
      `aws ssm put-parameter --region us-east-1 --name /golden/web --type String --data-type aws:ec2:image --value ${NEW} --overwrite`
    )
  })

  test('each group with its desired capacity, the launch configuration groups too', () => {
    const table = tables(body()).find((t) => t.header.includes('Auto Scaling group'))
    expect(table?.header).toEqual([
      'Region',
      'Auto Scaling group',
      'Launches from',
      'Version',
      'Desired capacity',
      'Image'
    ])
    expect(table?.rows.map((r) => [r[1], r[3], r[4]])).toEqual([
      ['web-asg', '$Default → 3', '6'],
      ['api-asg', '1 (pinned)', '2'],
      ['legacy-asg', '', '3']
    ])
  })

  test('what will break comes before the new image and the excluded images', () => {
    const titles = headings(body()).map((h) => h.text)
    expect(titles.indexOf('Launch templates that still point at a disabled image')).toBeLessThan(
      titles.indexOf('New image')
    )
  })

  test('the report ends with what was checked and what was not', () => {
    const last = text(body()).trim().split('\n').pop() ?? ''
    expect(last).toBe(
      `Checked in us-east-1: launch templates, Auto Scaling groups, launch configurations. Not checked: ${NOT_CHECKED.join(', ')}.`
    )
  })

  test('no "checked" line when nothing was searched', () => {
    expect(text(renderBody(disableRun({ checked: [] })))).not.toContain('Checked in')
  })

  test('a search that failed (in-use: report) is a warning, never ✅, and the closing line says it did not run', () => {
    const report = disableRun({
      changes: [change(old, 'disabled')],
      checked: [],
      warnings: ['launch templates were not checked in us-east-1: the role needs ec2:DescribeLaunchTemplates']
    })
    expect(inlineText(verdict(report))).toBe('⚠️ 1 image disabled in us-east-1.')
    const last = text(renderBody(report)).trim().split('\n').pop()
    expect(last).toBe('Not searched in us-east-1 (the search failed: see the warnings).')
  })

  test('the closing line names the regions it did not search, and why', () => {
    const report = disableRun({ changes: [change(old, 'disabled')] })
    const west = { ...emptyRegion('eu-west-1'), images: [image('golden-web-2', { region: 'eu-west-1' })] }
    const last = text(renderBody({ ...report, regions: [...report.regions, west] }))
      .trim()
      .split('\n')
      .pop()
    expect(last).toBe(
      `Checked in us-east-1: launch templates, Auto Scaling groups, launch configurations. Not searched in eu-west-1 (no image to change there). Not checked: ${NOT_CHECKED.join(', ')}.`
    )
  })
  test('regions that checked different things: each region with its own list; the same list: the regions once', () => {
    const report = disableRun({ changes: [change(old, 'disabled')] })
    const west = {
      ...emptyRegion('eu-west-1'),
      images: [image('golden-web-2', { region: 'eu-west-1' })],
      checked: ['launch templates']
    }
    const last = (r: RunReport) => text(renderBody(r)).trim().split('\n').pop()
    expect(last({ ...report, regions: [...report.regions, west] })).toBe(
      'Checked in us-east-1, eu-west-1: us-east-1: launch templates, Auto Scaling groups, launch configurations; ' +
        `eu-west-1: launch templates. Not checked: ${NOT_CHECKED.join(', ')}.`
    )
    const same = { ...west, checked: report.regions[0]!.checked }
    expect(last({ ...report, regions: [...report.regions, same] })).toBe(
      `Checked in us-east-1, eu-west-1: launch templates, Auto Scaling groups, launch configurations. Not checked: ${NOT_CHECKED.join(', ')}.`
    )
  })

  test('not checked: what every searched region checked is left out; what only one region checked stays', () => {
    const report = disableRun({ changes: [change(old, 'disabled')], checked: ['launch templates', REFERENCES_CHECKED] })
    const west = (checked: string[]) => ({
      ...emptyRegion('eu-west-1'),
      images: [image('golden-web-2', { region: 'eu-west-1' })],
      checked
    })
    const notChecked = (r: RunReport) =>
      /Not checked: (.*)\.$/.exec(text(renderBody(r)).trim().split('\n').pop() ?? '')?.[1]
    const [fleets, batch, refs, others] = NOT_CHECKED
    expect(notChecked(report)).toBe([fleets, batch, others].join(', '))
    expect(notChecked({ ...report, regions: [...report.regions, west(['launch templates'])] })).toBe(
      [fleets, batch, refs, others].join(', ')
    )
    const byRole = disableRun({ changes: [change(old, 'disabled')], checked: [consumerRoleChecked(12, [])] })
    expect(notChecked(byRole)).toBe([fleets, batch, refs].join(', '))
    const byReports = disableRun({ changes: [change(old, 'disabled')], checked: [usageReportsChecked(2, true)] })
    expect(notChecked(byReports)).toBe(
      [
        fleets,
        batch,
        refs,
        "other accounts' Auto Scaling groups, SSM parameters and recipes (usage reports count only launch templates and instances)"
      ].join(', ')
    )
  })

  test('a region that failed is not searched, and says so', () => {
    const report = disableRun({ changes: [change(old, 'disabled')] })
    const last = text(renderBody({ ...report, regions: [...report.regions, emptyRegion('eu-west-1', 'boom')] }))
      .trim()
      .split('\n')
      .pop()
    expect(last).toContain('Not searched in eu-west-1 (the region failed).')
  })
})

describe('titles say what the run did', () => {
  test('status: how many are in the required state, or how many are not', () => {
    const status = (states: string[]): RunReport => ({
      command: 'status',
      dryRun: false,
      subject: 'ami-1',
      commentKey: 'status ami-1',
      regions: [],
      status: {
        requireState: 'available',
        entries: states.map((state, i) => ({ region: EAST, imageId: `ami-${i}`, state }))
      }
    })
    expect(title(status(['available', 'available']))).toBe('AMI status of ami-1: 2 available')
    expect(title(status(['available', 'disabled']))).toBe('AMI status of ami-1: 1 of 2 not available')
    expect(title(status(['available', 'available', 'disabled']))).toBe('AMI status of ami-1: 1 of 3 not available')
    // every image read is in the state, but a region could not be read
    const unread = { ...status(['available']), regions: [emptyRegion('eu-west-1', 'not authorized')] }
    expect(title(unread)).toBe('AMI status of ami-1: could not be read')
  })

  test('a failure changed nothing: refused, or failed; with no subject, the command alone', () => {
    const refused = disableRun({ changes: [] }, { refusal: 'refusing to disable anything: too many' })
    expect(title(refused)).toBe('Superseded AMIs of role=web: refused, nothing changed')
    const failed = disableRun({ changes: [change(old, 'failed')] })
    expect(title(failed)).toBe('Superseded AMIs of role=web: failed, nothing changed')
    expect(title({ ...failed, subject: '' })).toBe('Superseded AMIs: failed, nothing changed')
  })

  test('the counts: what was done, what failed; enable and rollback count what they re-enabled', () => {
    expect(title(disableRun({ changes: [change(old, 'disabled'), change(older, 'failed')] }))).toBe(
      'Superseded AMIs of role=web: disabled 1, 1 failed'
    )
    expect(title(disableRun({ changes: [change(old, 'would-disable')] }, { dryRun: true }))).toBe(
      'Superseded AMIs of role=web: would disable 1 (dry run)'
    )
    const enable = disableRun(
      { changes: [change(old, 'enabled', 'enable')] },
      { command: 'enable', subject: old.imageId }
    )
    expect(title(enable)).toBe(`AMI re-enable of ${old.imageId}: re-enabled 1`)
    const rollback = disableRun(
      { changes: [change(old, 'enabled', 'enable'), change(older, 'disabled')] },
      { command: 'rollback', subject: old.imageId }
    )
    expect(title(rollback)).toBe(`AMI rollback of ${old.imageId}: re-enabled 1, disabled 1`)
  })
})
