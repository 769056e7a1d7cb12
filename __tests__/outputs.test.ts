/**
 * The step's outputs (src/report/outputs.ts), from RunReports built by hand: what a later step of
 * the workflow reads. Every output is checked for what it holds and for what it must leave out.
 */
import { describe, expect, test } from '@jest/globals'
import type {
  Change,
  ChangeOutcome,
  Decision,
  GroupUse,
  Image,
  RegionReport,
  RunReport,
  StatusEntry,
  TemplateUse
} from '../src/model.js'
import { emptyRegion } from '../src/steps/regions.js'
import { imageMaker } from '../test-support/report-fixtures.js'
import { outputsOf, reportJson } from '../src/report/outputs.js'
import { outcomeOf } from '../src/rules/outcome.js'

const EAST = 'us-east-1'
const WEST = 'eu-west-1'
const NEW = 'ami-0000000000000000f'
const SHARED = { public: true, userIds: ['123456789012'], organizationArns: [], organizationalUnitArns: [] }

const image = imageMaker({
  region: EAST,
  ownerId: '111122223333',
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: [{ key: 'role', value: 'web' }]
})

function change(img: Image, outcome: ChangeOutcome, over: Partial<Change> = {}): Change {
  return {
    region: img.region,
    imageId: img.imageId,
    name: img.name,
    action: outcome.includes('enable') ? 'enable' : 'disable',
    outcome,
    ...over
  }
}

function region(over: Partial<RegionReport> = {}): RegionReport {
  return { ...emptyRegion(EAST), images: [image('golden-web-new', { imageId: NEW })], ...over }
}

function disableReport(over: Partial<RunReport> = {}): RunReport {
  return {
    command: 'disable',
    dryRun: false,
    subject: 'role=web',
    commentKey: 'role=web',
    regions: [region()],
    ...over
  }
}

function statusReport(entries: StatusEntry[], requireState = 'available'): RunReport {
  return {
    command: 'status',
    dryRun: false,
    subject: entries.map((e) => e.imageId).join(', '),
    commentKey: 'status',
    regions: [region({ images: [] })],
    status: { requireState, entries }
  }
}

function template(imageId: string, over: Partial<TemplateUse> = {}): TemplateUse {
  return {
    region: EAST,
    launchTemplateId: 'lt-0123456789abcdef0',
    launchTemplateName: 'web-prod',
    versionNumber: 4,
    imageId,
    isDefault: true,
    isLatest: false,
    ...over
  }
}

const parsed = (outputs: Record<string, string>, name: string): unknown => JSON.parse(outputs[name] ?? 'null')

describe('disabled-image-ids and enabled-image-ids', () => {
  const disabledEast = image('golden-web-1')
  const disabledWest = image('golden-web-2', { region: WEST })
  const failed = image('golden-web-3')
  const unchanged = image('golden-web-4')
  const enabled = image('golden-web-5')
  const enableFailed = image('golden-web-6')
  const alreadyAvailable = image('golden-web-7')
  const report: RunReport = {
    command: 'rollback',
    dryRun: false,
    subject: NEW,
    commentKey: `rollback ${NEW}`,
    regions: [
      region({
        changes: [
          change(enabled, 'enabled', { sharing: SHARED }),
          change(enableFailed, 'failed', { action: 'enable', message: 'ec2:EnableImage denied' }),
          change(alreadyAvailable, 'unchanged', { action: 'enable', message: 'already available' }),
          change(disabledEast, 'disabled'),
          change(failed, 'failed', { message: 'not disabled: ec2:DisableImage denied' }),
          change(unchanged, 'unchanged', { message: 'already disabled; its record was left as it is' })
        ]
      }),
      region({ region: WEST, images: [], changes: [change(disabledWest, 'disabled')] })
    ]
  }

  test('disabled-image-ids: the images this run disabled, in every region, in order; not the failed or unchanged', () => {
    expect(parsed(outputsOf(report), 'disabled-image-ids')).toEqual([disabledEast.imageId, disabledWest.imageId])
  })

  test('enabled-image-ids: the images this run re-enabled; not the failed or those already available', () => {
    expect(parsed(outputsOf(report), 'enabled-image-ids')).toEqual([enabled.imageId])
  })

  test('a dry run: both are [] (nothing was changed), though images would be', () => {
    const a = image('golden-web-1')
    const b = image('golden-web-2')
    const outputs = outputsOf(
      disableReport({
        dryRun: true,
        regions: [region({ changes: [change(a, 'would-disable'), change(b, 'would-enable')] })]
      })
    )

    expect(outputs['disabled-image-ids']).toBe('[]')
    expect(outputs['enabled-image-ids']).toBe('[]')
  })

  test('nothing to do: both are []', () => {
    const outputs = outputsOf(disableReport())

    expect(outputs['disabled-image-ids']).toBe('[]')
    expect(outputs['enabled-image-ids']).toBe('[]')
    expect(outputs['affected-launch-templates']).toBe('[]')
  })
})

describe('affected-launch-templates', () => {
  test('every template version of every region, with its fields and their values', () => {
    const old = image('golden-web-1')
    const west = image('golden-web-1', { region: WEST })
    const outputs = outputsOf(
      disableReport({
        regions: [
          region({
            changes: [change(old, 'disabled')],
            templates: [
              template(old.imageId),
              template(old.imageId, {
                launchTemplateId: 'lt-0fedcba9876543210',
                launchTemplateName: 'web-canary',
                versionNumber: 7,
                isDefault: false,
                isLatest: true,
                imageReference: 'resolve:ssm:/golden/web'
              })
            ]
          }),
          region({
            region: WEST,
            images: [],
            changes: [change(west, 'disabled')],
            templates: [template(west.imageId, { region: WEST, versionNumber: 1, isDefault: true, isLatest: true })]
          })
        ]
      })
    )

    expect(parsed(outputs, 'affected-launch-templates')).toEqual([
      expect.objectContaining({
        region: EAST,
        launchTemplateId: 'lt-0123456789abcdef0',
        launchTemplateName: 'web-prod',
        versionNumber: 4,
        imageId: old.imageId,
        isDefault: true,
        isLatest: false
      }),
      expect.objectContaining({
        region: EAST,
        launchTemplateId: 'lt-0fedcba9876543210',
        launchTemplateName: 'web-canary',
        versionNumber: 7,
        imageId: old.imageId,
        isDefault: false,
        isLatest: true
      }),
      expect.objectContaining({
        region: WEST,
        launchTemplateId: 'lt-0123456789abcdef0',
        launchTemplateName: 'web-prod',
        versionNumber: 1,
        imageId: west.imageId,
        isDefault: true,
        isLatest: true
      })
    ])
  })

  test("the account of each version: a consumer's own, else the region's owner, and none when neither is known", () => {
    const old = image('golden-web-1')
    const accountOf = (over: Partial<RegionReport>, t: Partial<TemplateUse> = {}): unknown => {
      const outputs = outputsOf(
        disableReport({
          regions: [region({ changes: [change(old, 'disabled')], templates: [template(old.imageId, t)], ...over })]
        })
      )
      const [first] = parsed(outputs, 'affected-launch-templates') as Array<Record<string, unknown>>
      return first && 'accountId' in first ? first['accountId'] : 'no key'
    }

    expect(accountOf({ accountId: '111122223333' })).toBe('111122223333')
    expect(accountOf({ accountId: '111122223333' }, { accountId: '444455556666' })).toBe('444455556666')
    expect(accountOf({})).toBe('no key')
    // an owner EC2 did not name (an empty id) is left out, not written as ""
    expect(accountOf({ accountId: '' })).toBe('no key')
  })

  test('the field types a later step relies on: a number and two booleans', () => {
    const old = image('golden-web-1')
    const [t] = parsed(
      outputsOf(
        disableReport({ regions: [region({ changes: [change(old, 'disabled')], templates: [template(old.imageId)] })] })
      ),
      'affected-launch-templates'
    ) as Array<Record<string, unknown>>

    expect(typeof t?.versionNumber).toBe('number')
    expect(typeof t?.isDefault).toBe('boolean')
    expect(typeof t?.isLatest).toBe('boolean')
  })
})

describe('state', () => {
  const entry = (state: string, over: Partial<StatusEntry> = {}): StatusEntry => ({
    region: EAST,
    imageId: image(state).imageId,
    state,
    name: 'golden-web',
    ...over
  })

  test('not written by the commands other than status', () => {
    expect(outputsOf(disableReport())).not.toHaveProperty('state')
  })

  test('the state shared by every image', () => {
    expect(outputsOf(statusReport([entry('available'), entry('available', { region: WEST })])).state).toBe('available')
    expect(outputsOf(statusReport([entry('disabled')], 'disabled')).state).toBe('disabled')
  })

  test('one image: its state, even one that is not a state of EC2 (not-found)', () => {
    expect(outputsOf(statusReport([{ region: EAST, imageId: image('x').imageId, state: 'not-found' }])).state).toBe(
      'not-found'
    )
  })

  test('images in different states: mixed', () => {
    expect(outputsOf(statusReport([entry('available'), entry('disabled')])).state).toBe('mixed')
    expect(outputsOf(statusReport([entry('pending'), entry('pending'), entry('available')])).state).toBe('mixed')
  })
})

describe('report', () => {
  test('a successful disable: the run, the family, success, and each region reduced to what later steps use', () => {
    const old = image('golden-web-1', { lastLaunchedTime: '2026-11-02T00:00:00.000Z' })
    const kept = image('golden-web-2')
    const decisions: Decision[] = [
      { image: old, kind: 'disable', reason: `superseded by ${NEW}`, supersededBy: NEW },
      { image: kept, kind: 'keep', reason: 'one of the 1 most recent superseded (keep: 1)', supersededBy: NEW }
    ]
    const changes = [change(old, 'disabled', { sharing: SHARED })]
    const templates = [template(old.imageId)]
    const groups: GroupUse[] = [
      {
        region: EAST,
        autoScalingGroupName: 'web-asg',
        launchTemplateId: 'lt-0123456789abcdef0',
        launchTemplateName: 'web-prod',
        version: '$Default',
        versionNumber: 4,
        imageId: old.imageId,
        viaMixedInstancesPolicy: false,
        desiredCapacity: 2
      }
    ]
    const report = disableReport({
      regions: [region({ decisions, changes, templates, groups, warnings: ['Auto Scaling groups were not checked'] })]
    })

    const json = parsed(outputsOf(report), 'report')

    expect(json).toEqual({
      command: 'disable',
      dryRun: false,
      subject: 'role=web',
      family: 'role=web',
      success: true,
      verdict:
        '1 image disabled in us-east-1; 1 launch template version and 1 Auto Scaling group will fail their next launch.',
      regions: [
        {
          region: EAST,
          images: [
            { imageId: NEW, name: 'golden-web-new', state: 'available', creationDate: '2026-11-01T10:00:00.000Z' }
          ],
          decisions: [
            {
              imageId: old.imageId,
              name: 'golden-web-1',
              creationDate: '2026-11-01T10:00:00.000Z',
              decision: 'disable',
              reason: `superseded by ${NEW}`
            },
            {
              imageId: kept.imageId,
              name: 'golden-web-2',
              creationDate: '2026-11-01T10:00:00.000Z',
              decision: 'keep',
              reason: 'one of the 1 most recent superseded (keep: 1)'
            }
          ],
          changes,
          launchTemplates: templates,
          autoScalingGroups: groups,
          launchConfigurations: [],
          references: [],
          accounts: [],
          unknowns: [],
          checked: [],
          warnings: ['Auto Scaling groups were not checked']
        }
      ]
    })
  })

  test('the image to move to, where the report names one, and no such key where it does not', () => {
    const report = disableReport({ regions: [region({ pointTo: NEW }), region({ region: WEST })] })

    const json = parsed(outputsOf(report), 'report') as { regions: Array<Record<string, unknown>> }

    expect(json.regions[0]?.['pointTo']).toBe(NEW)
    expect(json.regions[1]).not.toHaveProperty('pointTo')
  })

  test('a failed change: success false and the failure, as the step fails with it', () => {
    const old = image('golden-web-1')
    const report = disableReport({
      regions: [region({ changes: [change(old, 'failed', { message: 'not disabled: ec2:DisableImage denied' })] })]
    })

    const json = parsed(outputsOf(report), 'report') as Record<string, unknown>

    expect(json.success).toBe(false)
    expect(json.failure).toBe(`1 image(s) could not be changed: ${old.imageId} (not disabled: ec2:DisableImage denied)`)
    expect(json.failure).toBe(outcomeOf(report).failure)
    expect(json).not.toHaveProperty('refused')
  })

  test('a refused run: refused true, success false, the refusal as the failure', () => {
    const refusal = `refusing to disable anything: 12 images would be disabled in ${EAST}, more than max-images (10)`
    const json = parsed(outputsOf(disableReport({ refusal })), 'report') as Record<string, unknown>

    expect(json).toMatchObject({ refused: true, success: false, failure: refusal })
  })

  test('a successful run has no failure and no refused', () => {
    const json = parsed(outputsOf(disableReport()), 'report') as Record<string, unknown>

    expect(json.success).toBe(true)
    expect(json).not.toHaveProperty('failure')
    expect(json).not.toHaveProperty('refused')
  })

  test("a region's error is in its region, and only there", () => {
    const report = disableReport({
      regions: [region(), region({ region: WEST, images: [], error: `${NEW} was not found in ${WEST}` })]
    })

    const json = parsed(outputsOf(report), 'report') as { success: boolean; regions: Array<Record<string, unknown>> }

    expect(json.success).toBe(false)
    expect(json.regions[0]).not.toHaveProperty('error')
    expect(json.regions[1]?.error).toBe(`${NEW} was not found in ${WEST}`)
  })

  test('a dry run says so', () => {
    const old = image('golden-web-1')
    const json = parsed(
      outputsOf(disableReport({ dryRun: true, regions: [region({ changes: [change(old, 'would-disable')] })] })),
      'report'
    ) as Record<string, unknown>

    expect(json).toMatchObject({ dryRun: true, success: true })
  })

  test('enable and rollback: the subject, no family', () => {
    for (const command of ['enable', 'rollback'] as const) {
      const json = parsed(
        outputsOf({ command, dryRun: false, subject: NEW, commentKey: `${command} ${NEW}`, regions: [region()] }),
        'report'
      ) as Record<string, unknown>

      expect(json).toMatchObject({ command, subject: NEW, success: true })
      expect(json).not.toHaveProperty('family')
      expect(json).not.toHaveProperty('requireState')
    }
  })

  test('status: the required state and every entry; a wrong state is the failure', () => {
    const entries: StatusEntry[] = [
      { region: EAST, imageId: NEW, state: 'available', name: 'golden-web-new' },
      { region: WEST, imageId: 'ami-0000000000000000e', state: 'disabled', name: 'golden-web-new' }
    ]
    const json = parsed(outputsOf(statusReport(entries)), 'report') as Record<string, unknown>

    expect(json).toMatchObject({
      command: 'status',
      requireState: 'available',
      status: entries,
      success: false,
      failure: '1 of 2 image(s) not available: ami-0000000000000000e is disabled'
    })
    expect(json).not.toHaveProperty('family')
  })

  test('the outcome given is the one used', () => {
    const report = disableReport()
    const outcome = { ...outcomeOf(report), failure: 'the pull request comment could not be written' }

    expect(reportJson(report, outcome)).toMatchObject({ success: false, failure: outcome.failure })
    expect(parsed(outputsOf(report, outcome), 'report')).toMatchObject({ success: false, failure: outcome.failure })
  })
})
