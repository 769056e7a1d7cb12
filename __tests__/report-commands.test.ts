/**
 * The comment and the job summary of `enable`, `rollback` and `status` (titles, verdicts, the
 * sections of what was and would be changed), the rollback hint (only after a real disable), and
 * an image skipped because the new image has no creation date: read as GitHub renders them.
 */
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import type { Change, ChangeOutcome, Image, RegionReport, RunReport, StatusEntry } from '../src/model.js'
import { emptyRegion } from '../src/steps/regions.js'
import { imageMaker } from '../test-support/report-fixtures.js'
import { renderBody, verdict } from '../src/report/markdown.js'
import { decideFamily } from '../src/rules/family.js'
import { headings, html, inlineText, tables, tokens, type Table } from '../test-support/markdown.js'

const EAST = 'us-east-1'
const WEST = 'eu-west-1'
const ACCOUNT = '111122223333'
const NEW = 'ami-0000000000000000f'
const NEW_WEST = 'ami-0000000000000000e'
const SHARED = { public: false, userIds: ['123456789012'], organizationArns: [], organizationalUnitArns: [] }
const NOT_SHARED = { public: false, userIds: [], organizationArns: [], organizationalUnitArns: [] }

const image = imageMaker({
  region: EAST,
  ownerId: ACCOUNT,
  state: 'disabled',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: [{ key: 'role', value: 'web' }]
})

function change(img: Image, action: Change['action'], outcome: ChangeOutcome, over: Partial<Change> = {}): Change {
  return { region: img.region, imageId: img.imageId, name: img.name, action, outcome, ...over }
}

function region(over: Partial<RegionReport> = {}): RegionReport {
  return { ...emptyRegion(EAST), ...over }
}

function run(command: RunReport['command'], regions: RegionReport[], over: Partial<RunReport> = {}): RunReport {
  const subject = regions.flatMap((r) => r.images.map((i) => i.imageId)).join(', ')
  return { command, dryRun: false, subject, commentKey: `${command} ${subject}`, regions, ...over }
}

/** The Markdown under one `####` heading, up to the next. */
function section(body: string, title: string): string | undefined {
  const start = body.indexOf(`\n#### ${title}\n`)
  if (start < 0) return undefined
  const rest = body.slice(start + title.length + 7)
  const end = rest.indexOf('\n#### ')
  return end < 0 ? rest : rest.slice(0, end)
}

/** The one table under a heading. */
function tableOf(body: string, title: string): Table {
  const text = section(body, title)
  expect({ title, found: text !== undefined }).toEqual({ title, found: true })
  const found = tables(text ?? '')
  expect(found).toHaveLength(1)
  return found[0]!
}

/** The cells of one column, by its header (empty columns are dropped, so indexes move). */
function column(table: Table, header: string): string[] {
  const i = table.header.indexOf(header)
  expect({ header, found: i >= 0 }).toEqual({ header, found: true })
  return table.rows.map((r) => r[i] ?? '')
}

/** The `####` headings of a body. */
function sections(body: string): string[] {
  return headings(body)
    .filter((h) => h.level === 4)
    .map((h) => h.text)
}

/** The verdict line as a reader sees it: the line that starts with the mark. */
function verdictLine(body: string): string {
  return inlineText(body.split('\n').find((line) => /^(✅|⚠️|❌|🧪) /u.test(line)) ?? '')
}

/** A bad image and the image it superseded, as rollback finds them. */
function rollbackPair() {
  const bad = image('golden-web-9', { state: 'available', creationDate: '2026-11-09T10:00:00.000Z' })
  const good = image('golden-web-8', { creationDate: '2026-11-08T10:00:00.000Z' })
  return { bad, good }
}

describe('titles', () => {
  test.each([
    ['disable', '✅ Superseded AMIs of role=web: disabled 0'],
    ['enable', `✅ AMI re-enable of ${NEW}, ${NEW_WEST}: re-enabled 0`],
    ['rollback', `✅ AMI rollback of ${NEW}, ${NEW_WEST}: re-enabled 0, disabled 0`],
    ['status', `✅ AMI status of ${NEW}, ${NEW_WEST}: 0 available`]
  ] as const)('%s: %s', (command, title) => {
    const subject = command === 'disable' ? 'role=web' : `${NEW}, ${NEW_WEST}`
    const report = run(command, [region()], {
      subject,
      ...(command === 'status' ? { status: { requireState: 'available', entries: [] } } : {})
    })

    expect(headings(renderBody(report))[0]).toEqual({ level: 3, text: title })
  })

  test('without a subject, the title alone', () => {
    expect(headings(renderBody(run('enable', [region()], { subject: '' })))[0]).toEqual({
      level: 3,
      text: '✅ AMI re-enable: re-enabled 0'
    })
  })
})

describe('enable', () => {
  test('re-enabled: the verdict counts them, the section lists each with the sharing restored', () => {
    const a = image('golden-web-1')
    const b = image('golden-web-2')
    const body = renderBody(
      run('enable', [
        region({
          images: [a, b],
          changes: [
            change(a, 'enable', 'enabled', { sharing: SHARED }),
            change(b, 'enable', 'enabled', { sharing: NOT_SHARED })
          ]
        })
      ])
    )

    expect(verdictLine(body)).toBe('✅ 2 images re-enabled in us-east-1.')
    expect(headings(body)[0]?.text).toBe(`✅ AMI re-enable of ${a.imageId}, ${b.imageId}: re-enabled 2`)
    expect(sections(body)).toEqual(['Re-enabled', 'Images named'])
    const table = tableOf(body, 'Re-enabled')
    // no image has a launch time and no change a note: those columns are left out
    expect(table.header).toEqual(['Region', 'Image', 'Name', 'Created', 'Sharing restored'])
    expect(table.rows.map((r) => [r[1], r[2], r[4]])).toEqual([
      [a.imageId, 'golden-web-1', 'account 123456789012'],
      [b.imageId, 'golden-web-2', 'not shared']
    ])
    expect(body).not.toContain('Dry run')
  })

  test('one image, in two regions: the count and the regions', () => {
    const a = image('golden-web-1')
    const b = image('golden-web-1', { region: WEST })
    const one = renderBody(run('enable', [region({ images: [a], changes: [change(a, 'enable', 'enabled')] })]))
    const two = renderBody(
      run('enable', [
        region({ images: [a], changes: [change(a, 'enable', 'enabled')] }),
        region({ region: WEST, images: [b], changes: [change(b, 'enable', 'enabled')] })
      ])
    )

    expect(verdictLine(one)).toBe('✅ 1 image re-enabled in us-east-1.')
    expect(verdictLine(two)).toBe('✅ 2 images re-enabled in 2 regions.')
  })

  test('a dry run: the note, "would", and the section "Would be re-enabled"', () => {
    const a = image('golden-web-1')
    const body = renderBody(
      run('enable', [region({ images: [a], changes: [change(a, 'enable', 'would-enable', { sharing: SHARED })] })], {
        dryRun: true
      })
    )

    expect(body).toContain('> [!NOTE]\n> **Dry run**: nothing was changed. This is what would happen.')
    expect(verdictLine(body)).toBe('🧪 Dry run: 1 image would be re-enabled in us-east-1.')
    expect(headings(body)[0]?.text).toMatch(/: would re-enable 1 \(dry run\)$/)
    expect(sections(body)).toEqual(['Would be re-enabled', 'Images named'])
    expect(tableOf(body, 'Would be re-enabled').rows.map((r) => r[1])).toEqual([a.imageId])
  })

  test('nothing needed it: the verdict says so and no change section is shown', () => {
    const a = image('golden-web-1', { state: 'available' })
    const body = renderBody(run('enable', [region({ images: [a], changes: [] })]))

    expect(verdictLine(body)).toBe('✅ Nothing to re-enable: no image needed it.')
    expect(sections(body)).toEqual(['Images named'])
  })

  test('one of two failed: a warning, the failed one only under "Failed", with why', () => {
    const a = image('golden-web-1')
    const b = image('golden-web-2')
    const body = renderBody(
      run('enable', [
        region({
          images: [a, b],
          changes: [
            change(a, 'enable', 'enabled'),
            change(b, 'enable', 'failed', { message: 'ec2:EnableImage: not authorized' })
          ]
        })
      ])
    )

    expect(verdictLine(body)).toBe('⚠️ 1 image re-enabled in us-east-1; 1 image failed.')
    expect(tableOf(body, 'Re-enabled').rows.map((r) => r[1])).toEqual([a.imageId])
    const failed = tableOf(body, 'Failed')
    expect(failed.header).toEqual(['Region', 'Image', 'Name', 'Created', 'Note'])
    expect(failed.rows.map((r) => [r[1], r[4]])).toEqual([[b.imageId, 'ec2:EnableImage: not authorized']])
  })

  test('every one failed: a failure, naming the image and why', () => {
    const a = image('golden-web-1')
    const body = renderBody(
      run('enable', [
        region({
          images: [a],
          changes: [change(a, 'enable', 'failed', { message: 'cannot be enabled: its state is failed' })]
        })
      ])
    )

    expect(verdictLine(body)).toBe('❌ Nothing was changed: 1 image could not be re-enabled (see Failed).')
    expect(section(body, 'Re-enabled')).toBeUndefined()
  })

  test('an image already available is not listed as re-enabled: it is under "Left as they were"', () => {
    const a = image('golden-web-1')
    const b = image('golden-web-2', { state: 'available' })
    const body = renderBody(
      run('enable', [
        region({
          images: [a, b],
          changes: [change(a, 'enable', 'enabled'), change(b, 'enable', 'unchanged', { message: 'already available' })]
        })
      ])
    )

    expect(verdictLine(body)).toBe('✅ 1 image re-enabled in us-east-1.')
    expect(tableOf(body, 'Re-enabled').rows.map((r) => r[1])).toEqual([a.imageId])
    expect(column(tableOf(body, 'Left as they were'), 'Note')).toEqual(['already available'])
  })
})

describe('rollback', () => {
  test('a bad image kept enabled on purpose in one region is not counted as a failed image', () => {
    const { bad, good } = rollbackPair()
    const west = image('golden-web-bad', { region: 'eu-west-1', state: 'available' })
    const held = 'stays enabled in eu-west-1: it superseded no image, so disabling it would leave no image to launch'
    const failedToo = image('golden-web-x', { region: 'eu-west-1' })
    const body = renderBody(
      run('rollback', [
        region({ images: [bad], changes: [change(good, 'enable', 'enabled'), change(bad, 'disable', 'disabled')] }),
        region({
          region: 'eu-west-1',
          images: [west],
          changes: [
            change(west, 'disable', 'failed', { message: held, keptOnPurpose: true }),
            change(failedToo, 'enable', 'failed', { message: 'ec2:EnableImage: not authorized' })
          ]
        })
      ])
    )
    expect(verdictLine(body)).toBe(
      '⚠️ 1 image re-enabled and 1 disabled in us-east-1; 1 image failed; 1 bad image stayed enabled (see Failed for why).'
    )
    expect(column(tableOf(body, 'Failed'), 'Note')).toEqual([held, 'ec2:EnableImage: not authorized'])
  })

  test('the image it superseded under "Re-enabled", the bad image under "Disabled"', () => {
    const { bad, good } = rollbackPair()
    const body = renderBody(
      run('rollback', [
        region({
          images: [bad],
          changes: [
            change(good, 'enable', 'enabled', { sharing: SHARED }),
            change(bad, 'disable', 'disabled', { sharing: NOT_SHARED })
          ]
        })
      ])
    )

    expect(verdictLine(body)).toBe('✅ 1 image re-enabled and 1 disabled in us-east-1.')
    expect(sections(body)).toEqual(['Re-enabled', 'Disabled', 'Images named'])
    expect(tableOf(body, 'Images named').rows.map((r) => r[1])).toEqual([bad.imageId])
    const enabled = tableOf(body, 'Re-enabled')
    expect([column(enabled, 'Image'), column(enabled, 'Sharing restored')]).toEqual([
      [good.imageId],
      ['account 123456789012']
    ])
    const disabled = tableOf(body, 'Disabled')
    expect(disabled.header).toEqual(['Region', 'Image', 'Name', 'Created', 'Who loses access'])
    expect(disabled.rows.map((r) => [r[1], r[4]])).toEqual([[bad.imageId, 'not shared']])
    // a rollback is not rolled back with the disable step's hint
    expect(body).not.toContain('Roll back')
  })

  test('the verdict and the title count the re-enabled and the disabled apart', () => {
    const { bad, good } = rollbackPair()
    const body = renderBody(
      run('rollback', [
        region({ images: [bad], changes: [change(good, 'enable', 'enabled'), change(bad, 'disable', 'disabled')] })
      ])
    )

    expect(verdictLine(body)).toBe('✅ 1 image re-enabled and 1 disabled in us-east-1.')
    expect(headings(body)[0]?.text).toBe(`✅ AMI rollback of ${bad.imageId}: re-enabled 1, disabled 1`)
  })

  test('a dry run: "Would be re-enabled" and "Would be disabled"', () => {
    const { bad, good } = rollbackPair()
    const body = renderBody(
      run(
        'rollback',
        [
          region({
            images: [bad],
            changes: [change(good, 'enable', 'would-enable'), change(bad, 'disable', 'would-disable')]
          })
        ],
        { dryRun: true }
      )
    )

    expect(verdictLine(body)).toBe('🧪 Dry run: 1 image would be re-enabled and 1 would be disabled in us-east-1.')
    expect(headings(body)[0]?.text).toBe(
      `🧪 AMI rollback of ${bad.imageId}: would re-enable 1, would disable 1 (dry run)`
    )
    expect(sections(body)).toEqual(['Would be re-enabled', 'Would be disabled', 'Images named'])
    expect(tableOf(body, 'Would be re-enabled').rows.map((r) => r[1])).toEqual([good.imageId])
    expect(tableOf(body, 'Would be disabled').rows.map((r) => r[1])).toEqual([bad.imageId])
  })

  test('the re-enable failed, so the bad image was not disabled: a failure, both under "Failed"', () => {
    const { bad, good } = rollbackPair()
    const why = 'not disabled: an image it superseded could not be re-enabled, so it stays in service'
    const body = renderBody(
      run('rollback', [
        region({
          images: [bad],
          changes: [
            change(good, 'enable', 'failed', { message: 'ec2:EnableImage: not authorized' }),
            change(bad, 'disable', 'failed', { message: why })
          ]
        })
      ])
    )

    // the count in the verdict, each reason once, in the table
    expect(verdictLine(body)).toBe('❌ Nothing was changed: 2 images could not be changed (see Failed).')
    expect(sections(body)).toEqual(['Failed', 'Images named'])
    expect(tableOf(body, 'Failed').rows.map((r) => [r[1], r[4]])).toEqual([
      [good.imageId, 'ec2:EnableImage: not authorized'],
      [bad.imageId, why]
    ])
  })

  test('template versions that still point at the bad image: named as pointing at disabled images', () => {
    const { bad, good } = rollbackPair()
    const line = verdict(
      run('rollback', [
        region({
          images: [bad],
          changes: [change(good, 'enable', 'enabled'), change(bad, 'disable', 'disabled')],
          templates: [
            {
              region: EAST,
              launchTemplateId: 'lt-0abc',
              launchTemplateName: 'web-prod',
              versionNumber: 3,
              imageId: bad.imageId,
              isDefault: true,
              isLatest: true
            }
          ]
        })
      ])
    )

    expect(line).toBe(
      '⚠️ 1 image re-enabled and 1 disabled in us-east-1; **1 launch template version will fail its next launch**.'
    )
  })
})

describe('status', () => {
  const entry = (state: string, over: Partial<StatusEntry> = {}): StatusEntry => ({
    region: EAST,
    imageId: NEW,
    state,
    name: 'golden-web-9',
    creationDate: '2026-11-09T10:00:00.000Z',
    ...over
  })
  const statusRun = (entries: StatusEntry[], requireState = 'available', regions = [region()]): RunReport =>
    run('status', regions, { subject: entries.map((e) => e.imageId).join(', '), status: { requireState, entries } })

  test('every image in the required state: success, and the state named', () => {
    expect(verdictLine(renderBody(statusRun([entry('available'), entry('available', { imageId: NEW_WEST })])))).toBe(
      '✅ Every image is available.'
    )
    expect(verdictLine(renderBody(statusRun([entry('disabled')], 'disabled')))).toBe('✅ Every image is disabled.')
  })

  test('one not in it: a failure naming the image and its state', () => {
    const body = renderBody(statusRun([entry('available'), entry('disabled', { imageId: NEW_WEST })]))

    expect(verdictLine(body)).toBe(`❌ 1 of 2 image(s) not available: ${NEW_WEST} is disabled.`)
  })

  test('a region that could not be read: a failure naming the region', () => {
    const body = renderBody(
      statusRun([entry('available')], 'available', [
        region(),
        region({ region: WEST, error: 'ec2:DescribeImages: not authorized' })
      ])
    )

    expect(verdictLine(body)).toBe('❌ the state could not be read: eu-west-1: ec2:DescribeImages: not authorized.')
  })

  test('one "Images" table with each state, and no change section or hint', () => {
    const body = renderBody(
      statusRun([
        entry('available', {
          deprecationTime: '2027-11-09T10:00:00.000Z',
          lastLaunchedTime: '2026-11-10T08:00:00.000Z'
        }),
        { region: WEST, imageId: NEW_WEST, state: 'not-found' }
      ])
    )

    expect(sections(body)).toEqual(['Images'])
    const table = tableOf(body, 'Images')
    expect(table.header).toEqual(['Region', 'Image', 'State', 'Name', 'Created', 'Deprecation', 'Last launched'])
    expect(table.rows).toEqual([
      [EAST, NEW, 'available', 'golden-web-9', '2026-11-09 10:00 UTC', '2027-11-09 10:00 UTC', '2026-11-10 08:00 UTC'],
      [WEST, NEW_WEST, 'not-found', '', '', '', '']
    ])
    expect(body).not.toContain('Roll back')
  })
})

describe('disable: the sections of what was and would be disabled', () => {
  test('a real run: "Disabled", with who loses access', () => {
    const fresh = image('golden-web-3', { imageId: NEW, state: 'available' })
    const old = image('golden-web-1')
    const body = renderBody(
      run(
        'disable',
        [region({ images: [fresh], changes: [change(old, 'disable', 'disabled', { sharing: SHARED })] })],
        {
          subject: 'role=web'
        }
      )
    )

    // what happened first, the new image below it
    expect(sections(body)).toEqual(['Disabled', 'New image'])
    expect(column(tableOf(body, 'Disabled'), 'Who loses access')).toEqual(['account 123456789012'])
  })

  test('a dry run: "Would be disabled"', () => {
    const fresh = image('golden-web-3', { imageId: NEW, state: 'available' })
    const old = image('golden-web-1')
    const body = renderBody(
      run('disable', [region({ images: [fresh], changes: [change(old, 'disable', 'would-disable')] })], {
        subject: 'role=web',
        dryRun: true
      })
    )

    expect(sections(body)).toEqual(['Would be disabled', 'New image'])
    expect(tableOf(body, 'Would be disabled').rows.map((r) => r[1])).toEqual([old.imageId])
  })
})

describe('the rollback hint', () => {
  const fresh = image('golden-web-3', { imageId: NEW, state: 'available' })
  const freshWest = image('golden-web-3', { imageId: NEW_WEST, region: WEST, state: 'available' })
  const old = image('golden-web-1', { state: 'available' })
  const oldWest = image('golden-web-1', { region: WEST, state: 'available' })

  /** The YAML step of the hint, parsed; undefined without a hint. */
  function hintStep(body: string): unknown {
    const fence = tokens(body).find((t) => t.type === 'fence' && t.info === 'yaml')
    return fence ? parse(fence.content) : undefined
  }

  const disabling = (outcome: ChangeOutcome, over: Partial<RunReport> = {}): RunReport =>
    run('disable', [region({ images: [fresh], changes: [change(old, 'disable', outcome)] })], {
      subject: 'role=web',
      ...over
    })

  test('after a real disable: a folded step that rolls back every new image of every region', () => {
    const body = renderBody(
      run(
        'disable',
        [
          region({ images: [fresh], changes: [change(old, 'disable', 'disabled')] }),
          region({ region: WEST, images: [freshWest], changes: [change(oldWest, 'disable', 'disabled')] })
        ],
        { subject: 'role=web' }
      )
    )

    expect(html(body)).toEqual(expect.arrayContaining(['<details><summary>Roll back</summary>\n', '</details>\n']))
    expect(hintStep(body)).toEqual([
      {
        uses: 'disable-superseded-ami/disable-superseded-ami@v1',
        with: { command: 'rollback', 'image-id': `${EAST}:${NEW},${WEST}:${NEW_WEST}` }
      }
    ])
  })

  test('the step uses this action as it was called', () => {
    const body = renderBody(disabling('disabled'), { actionRef: 'acme/disable-superseded-ami@v2.1.0' })

    expect(hintStep(body)).toEqual([
      { uses: 'acme/disable-superseded-ami@v2.1.0', with: { command: 'rollback', 'image-id': `${EAST}:${NEW}` } }
    ])
  })

  test.each<[string, RunReport]>([
    ['a dry run', disabling('would-disable', { dryRun: true })],
    ['a disable that only failed', disabling('failed')],
    ['a disable that changed nothing (already disabled)', disabling('unchanged')],
    ['a refused run', run('disable', [region({ images: [fresh] })], { refusal: 'refusing to disable anything: …' })],
    [
      'a rollback that disabled the bad image',
      run('rollback', [region({ images: [fresh], changes: [change(fresh, 'disable', 'disabled')] })])
    ],
    [
      'a run that knows no new image',
      run('disable', [region({ images: [], changes: [change(old, 'disable', 'disabled')] })])
    ]
  ])('no hint after %s', (_, report) => {
    const body = renderBody(report)

    expect(body).not.toContain('Roll back')
    expect(hintStep(body)).toBeUndefined()
  })
})

describe('a new image without a creation date', () => {
  test('the images of its family are shown as skipped, with the reason, not only as nothing disabled', () => {
    const fresh = image('golden-web-3', { imageId: NEW, state: 'available', creationDate: '' })
    const old = image('golden-web-1', { state: 'available' })
    const older = image('golden-web-0', { state: 'available', creationDate: '2026-10-01T10:00:00.000Z' })
    const decisions = decideFamily([fresh], [fresh, old, older], ACCOUNT, {
      familyTag: 'role',
      keep: 0,
      excludeTags: []
    })
    const reason = `the new image ${NEW} has no creation date, so nothing is known to be older`
    expect(decisions.map((d) => [d.image.imageId, d.kind, d.reason])).toEqual([
      [old.imageId, 'skip', reason],
      [older.imageId, 'skip', reason]
    ])

    const body = renderBody(run('disable', [region({ images: [fresh], decisions })], { subject: 'role=web' }))

    expect(verdictLine(body)).toBe('✅ Nothing disabled; 2 images skipped.')
    expect(sections(body)).toEqual(['Skipped', 'New image'])
    const skipped = tableOf(body, 'Skipped')
    expect(skipped.header).toEqual(['Region', 'Image', 'Name', 'Created', 'Reason'])
    expect(skipped.rows).toEqual([
      [EAST, old.imageId, 'golden-web-1', '2026-11-01 10:00 UTC', reason],
      [EAST, older.imageId, 'golden-web-0', '2026-10-01 10:00 UTC', reason]
    ])
    // the new image's row says the date is unknown rather than make one up
    expect(tableOf(body, 'New image').rows).toEqual([[EAST, NEW, 'golden-web-3', 'unknown', 'available']])
  })
})
