/**
 * Other accounts, SSM parameters, recipes and instances in the verdict and the comment: what
 * breaks is counted (templates named through consumer-role once, a usage report's count for the
 * accounts not named), instances are counted but never "break", an unknown is a warning and is
 * said, many accounts are folded. Pure: hand-built reports, read as GitHub renders them.
 */
import { describe, expect, test } from '@jest/globals'
import type { AccountUse, Change, Image, ImageReference, RegionReport, RunReport, UsageUnknown } from '../src/model.js'
import { outcomeOf } from '../src/rules/outcome.js'
import { outputsOf } from '../src/report/outputs.js'
import { renderBody, renderComment, verdict, COMMENT_LIMIT } from '../src/report/markdown.js'
import { emptyRegion } from '../src/steps/regions.js'
import { headings, html, inlineText, tables, text } from '../test-support/markdown.js'
import { imageMaker, templateUseMaker } from '../test-support/report-fixtures.js'

const EAST = 'us-east-1'
const OWNER = '111122223333'
const OTHER = '222233334444'
const THIRD = '333344445555'
const NEW = 'ami-0000000000000000f'

const image = imageMaker({
  region: EAST,
  ownerId: OWNER,
  state: 'available',
  creationDate: '2026-11-01T10:00:00.000Z',
  public: false,
  tags: []
})
const old = image('golden-web-1')
const use = templateUseMaker(EAST, old.imageId)

function disabled(img: Image): Change {
  return { region: img.region, imageId: img.imageId, name: img.name, action: 'disable', outcome: 'disabled' }
}

function account(accountId: string, over: Partial<AccountUse> = {}): AccountUse {
  return {
    region: EAST,
    imageId: old.imageId,
    accountId,
    launchTemplates: 3,
    instances: 12,
    source: 'usage-report',
    ...over
  }
}

function ref(
  resourceType: ImageReference['resourceType'],
  arn: string,
  over: Partial<ImageReference> = {}
): ImageReference {
  return { region: EAST, imageId: old.imageId, resourceType, arn, ...over }
}

function run(over: Partial<RegionReport> = {}, dryRun = false): RunReport {
  return {
    command: 'disable',
    dryRun,
    subject: 'role=web',
    commentKey: 'role=web',
    regions: [
      {
        ...emptyRegion(EAST),
        accountId: OWNER,
        decisions: [{ image: old, kind: 'disable', reason: 'superseded' }],
        changes: [disabled(old)],
        pointTo: NEW,
        ...over
      }
    ]
  }
}

describe('other accounts in the verdict', () => {
  test("a usage report: the other account's launch templates will fail; instances are not said to fail", () => {
    const report = run({ accounts: [account(OTHER)] })
    expect(outcomeOf(report).mark).toBe('warning')
    expect(inlineText(verdict(report))).toBe(
      '⚠️ 1 image disabled in us-east-1; 3 launch templates in 1 other account will fail their next launch.'
    )
  })

  test('an account named through consumer-role is counted by its templates, not again by its report', () => {
    const named = use({ accountId: OTHER, launchTemplateName: 'their-web', launchTemplateId: 'lt-0999' })
    const report = run({
      templates: [named],
      accounts: [account(OTHER), account(OTHER, { source: 'consumer-role', launchTemplates: 1, instances: 0 })]
    })
    expect(outcomeOf(report).consequence).toBe('1 launch template version will fail its next launch')
  })

  test('an account whose report counts no launch template breaks nothing (its instances keep running)', () => {
    const report = run({ accounts: [account(OTHER, { launchTemplates: 0, instances: 4 })] })
    expect(outcomeOf(report).consequence).toBeUndefined()
    expect(outcomeOf(report).mark).toBe('success')
    expect(text(renderBody(report))).toContain(
      '4 instances (4 in 1 other account) still run the disabled images: disabling does not stop them'
    )
  })

  test('SSM parameters and recipes break; the instances of the owner account are only counted', () => {
    const report = run({
      references: [
        ref('ssm:Parameter', `arn:aws:ssm:${EAST}:${OWNER}:parameter/golden/web/latest`),
        ref('imagebuilder:ImageRecipe', `arn:aws:imagebuilder:${EAST}:${OWNER}:image-recipe/web/1.0.0`),
        ref('ec2:Instance', `arn:aws:ec2:${EAST}:${OWNER}:instance/i-0abc`),
        ref('ec2:Instance', `arn:aws:ec2:${EAST}:${OWNER}:instance/i-0def`)
      ]
    })
    expect(outcomeOf(report).consequence).toBe(
      '1 SSM parameter and 1 Image Builder recipe will fail their next launch (or build)'
    )
    const body = renderBody(report)
    const table = tables(body).find((t) => t.header.includes('Kind'))
    expect(table?.rows.map((r) => [r[1], r[2]])).toEqual([
      ['SSM parameter', '/golden/web/latest'],
      ['image recipe', 'web/1.0.0']
    ])
    expect(text(body)).toContain('2 instances (2 in this account) still run the disabled images')
  })

  test('a parameter named without a path keeps its name as SSM spells it; a kind without words is named as EC2 does', () => {
    const report = run({
      references: [
        ref('ssm:Parameter', `arn:aws:ssm:${EAST}:${OWNER}:parameter/golden-web`),
        ref('imagebuilder:ContainerRecipe', `arn:aws:imagebuilder:${EAST}:${OWNER}:container-recipe/svc/2.0.1`),
        ref('ec2:LaunchTemplate', `arn:aws:ec2:${EAST}:${OWNER}:launch-template/lt-0abc`)
      ]
    })
    const table = tables(renderBody(report)).find((t) => t.header.includes('Kind'))
    expect(table?.rows.map((r) => [r[1], r[2], r[4]])).toEqual([
      ['SSM parameter', 'golden-web', `point it at ${NEW}: everything that resolves it launches the disabled image`],
      ['container recipe', 'svc/2.0.1', `create a recipe version with ${NEW} as its parent: its next build fails`],
      ['ec2:LaunchTemplate', 'lt-0abc', `point it at ${NEW}`]
    ])
  })

  test('a dry run names the images to disable, in the accounts title and the instances line', () => {
    const report = run({ accounts: [account(OTHER)], changes: [{ ...disabled(old), outcome: 'would-disable' }] }, true)
    const body = renderBody(report)
    expect(headings(body).map((h) => h.text)).toContain('Other accounts that use the images to disable (1)')
    expect(text(body)).toContain(
      '12 instances (12 in 1 other account) run the images to disable: disabling does not stop them'
    )
    expect(text(body)).not.toContain('the disabled images')
  })

  test('what points at an image that was not disabled is not counted', () => {
    const other = image('golden-web-0')
    const report = run({ accounts: [account(OTHER, { imageId: other.imageId })] })
    expect(outcomeOf(report).consequence).toBeUndefined()
  })
})

describe('what is not known is said', () => {
  const unknown: UsageUnknown = {
    region: EAST,
    imageId: old.imageId,
    why: `the usage report of ${old.imageId} was still pending after 300 s`
  }

  test('an unknown makes the verdict a warning and is a warning in the comment', () => {
    const report = run({ unknowns: [unknown] })
    expect(outcomeOf(report).mark).toBe('warning')
    expect(text(renderBody(report))).toContain(
      `not known in us-east-1: the usage report of ${old.imageId} was still pending after 300 s`
    )
  })
})

describe('many accounts stay readable', () => {
  const many = Array.from({ length: 40 }, (_, i) => account(String(400000000000 + i)))

  test('the verdict counts the accounts and their templates in one line', () => {
    expect(inlineText(verdict(run({ accounts: many })))).toBe(
      '⚠️ 1 image disabled in us-east-1; 120 launch templates in 40 other accounts will fail their next launch.'
    )
  })

  test('the per-account table is folded past a few rows', () => {
    const body = renderBody(run({ accounts: many }))
    expect(headings(body).map((h) => h.text)).toContain('Other accounts that use the disabled images (40)')
    expect(html(body).some((h) => h.includes('<details><summary>40 accounts, 40 rows</summary>'))).toBe(true)
  })

  test('a few accounts are not folded', () => {
    const body = renderBody(run({ accounts: [account(OTHER), account(THIRD)] }))
    expect(html(body).some((h) => h.includes('accounts,'))).toBe(false)
    const table = tables(body).find((t) => t.header.includes('Found by'))
    expect(table?.rows.map((r) => r[0])).toEqual([OTHER, THIRD])
  })

  test('a comment shortened for its many templates still names every account (up to 200 rows)', () => {
    const accounts = Array.from({ length: 30 }, (_, i) => String(600000000000 + i))
    const templates = accounts.flatMap((accountId) =>
      Array.from({ length: 8 }, (_, t) =>
        use({ accountId, launchTemplateName: `app-${accountId}-${t}`, launchTemplateId: `lt-0${accountId}${t}` })
      )
    )
    const uses = accounts.flatMap((id) => [account(id), account(id, { source: 'consumer-role', launchTemplates: 8 })])
    const body = renderComment(run({ templates, accounts: uses }))
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    // the template table was shortened...
    const lt = tables(body).find((t) => t.header.includes('Launch template'))
    expect(lt?.rows.length).toBeLessThan(templates.length)
    // ...the accounts' table was not
    const table = tables(body).find((t) => t.header.includes('Found by'))
    expect(new Set(table?.rows.map((r) => r[0]))).toEqual(new Set(accounts))
  })

  test('2,000 accounts still fit in one comment', () => {
    const huge = Array.from({ length: 2000 }, (_, i) => account(String(500000000000 + i)))
    expect(renderComment(run({ accounts: huge })).length).toBeLessThanOrEqual(COMMENT_LIMIT)
  })
})

describe('templates and groups in other accounts', () => {
  test("grouped by account, the owner's first, with the account in a column and the fix to run there", () => {
    const mine = use()
    const theirs = use({ accountId: OTHER, launchTemplateName: 'their-web', launchTemplateId: 'lt-0999' })
    const body = renderBody(run({ templates: [theirs, mine] }))
    const table = tables(body).find((t) => t.header.includes('Launch template'))
    expect(table?.header.slice(0, 3)).toEqual(['Region', 'Account', 'Launch template'])
    expect(table?.rows.map((r) => r[1])).toEqual(['this account', OTHER])
    expect(text(body)).toContain(`in account ${OTHER}: create a version from version 3 with ${NEW}`)
    expect(body).toContain(`# in account ${OTHER}, with its credentials`)
  })

  test('no Account column when everything is in the owner account', () => {
    const table = tables(renderBody(run({ templates: [use()] }))).find((t) => t.header.includes('Launch template'))
    expect(table?.header).not.toContain('Account')
  })
})

describe('outputs', () => {
  test('affected-accounts lists every account use; affected-launch-templates carry the account', () => {
    const theirs = use({ accountId: OTHER })
    const outputs = outputsOf(run({ templates: [use(), theirs], accounts: [account(OTHER)] }))
    expect(JSON.parse(outputs['affected-accounts'] ?? '')).toEqual([
      {
        region: EAST,
        imageId: old.imageId,
        accountId: OTHER,
        launchTemplates: 3,
        instances: 12,
        source: 'usage-report'
      }
    ])
    expect(
      (JSON.parse(outputs['affected-launch-templates'] ?? '') as Array<{ accountId: string }>).map((t) => t.accountId)
    ).toEqual([OWNER, OTHER])
  })
})
