import { describe, expect, test } from '@jest/globals'
import {
  emptySharing,
  type Change,
  type Decision,
  type GroupUse,
  type Image,
  type RegionReport,
  type RunReport,
  type TemplateUse
} from '../src/model.js'
import { emptyRegion } from '../src/steps/regions.js'
import { imageMaker } from '../test-support/report-fixtures.js'
import { code, md } from '../src/report/escape.js'
import { COMMENT_LIMIT, marker, renderBody, renderComment, sharingText } from '../src/report/markdown.js'
import { at } from '../test-support/at.js'
import {
  blockquotes,
  headings,
  html,
  inlineText,
  links,
  mentions,
  tables,
  text as shownText
} from '../test-support/markdown.js'

const REGION = 'us-east-1'
const NEW = 'ami-0000000000000000f'
const RUN_URL = 'https://github.com/acme/golden/actions/runs/42'

const image = imageMaker({
  region: REGION,
  ownerId: '111122223333',
  state: 'available',
  creationDate: '2024-01-10T12:00:00.000Z',
  public: false,
  tags: []
})

function change(img: Image, over: Partial<Change> = {}): Change {
  return {
    region: img.region,
    imageId: img.imageId,
    name: img.name,
    action: 'disable',
    outcome: 'disabled',
    sharing: emptySharing(),
    ...over
  }
}

function region(over: Partial<RegionReport> = {}): RegionReport {
  return { ...emptyRegion(REGION), images: [image('golden-web-new', { imageId: NEW })], ...over }
}

function report(over: Partial<RunReport> = {}): RunReport {
  return {
    command: 'disable',
    dryRun: false,
    subject: 'Family=web',
    commentKey: 'Family=web',
    regions: [region()],
    ...over
  }
}

/** The number of `|` of a source line (GFM pads or cuts a row to the header's cells: count them in the source). */
function pipes(line: string): number {
  return line.split('|').length - 1
}

/** The action's own HTML: the hidden marker and the folded roll-back hint. */
const OWN_HTML = [
  /^<!-- disable-superseded-ami family=[^\n]*? -->\n?$/,
  /^<details><summary>Roll back<\/summary>\n$/,
  /^<\/details>\n$/
]

/** The console links the report writes, and nothing else. */
const CONSOLE_LINK =
  /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/ec2\/home\?region=us-east-1#(ImageDetails:imageId=ami-[0-9a-f]{17}|LaunchTemplateDetails:launchTemplateId=lt-0abc)$/

describe('escape', () => {
  test('md: plain text is left alone', () => {
    expect(md('golden-web 2024.01.10')).toBe('golden-web 2024.01.10')
    expect(md('')).toBe('')
    expect(md(undefined)).toBe('')
    expect(md(null)).toBe('')
  })

  test('md: markup and mentions are neutralised', () => {
    expect(md('<b>bold</b>')).toBe('&lt;b&gt;bold&lt;/b&gt;')
    expect(md('@someone')).toBe('@\u200Bsomeone')
    expect(md('-->')).toBe('\\--&gt;')
    expect(md('a\nb\r\nc\td')).toBe('a b c d')
    expect(md('*_~')).toBe('\\*\\_\\~')
    expect(links(md('[x](https://evil)'))).toEqual([])
    expect(md('[x](https://evil)').startsWith('\\[')).toBe(true)
  })

  test('md: long text is cut to the limit with an ellipsis', () => {
    expect(md('x'.repeat(5000))).toBe(`${'x'.repeat(199)}…`)
    expect(md('x'.repeat(10), 5)).toBe('xxxx…')
  })

  // `|` and the backtick become entities; a renderer shows them as the characters, in a table
  // cell too, without splitting the cell.
  test('md: a pipe and a backtick are shown as themselves', () => {
    expect(inlineText(md('a|b'))).toBe('a|b')
    expect(inlineText(md('a`b'))).toBe('a`b')
    expect(tables(`| name | next |\n| --- | --- |\n| ${md('a|b`c')} | x |\n`)).toMatchObject([
      { header: ['name', 'next'], rows: [['a|b`c', 'x']] }
    ])
  })

  test('md: a URL with a scheme cannot autolink', () => {
    expect(links(md('see https://evil.example/x'))).toEqual([])
    expect(inlineText(md('see https://evil.example/x'))).toBe('see https://evil.example/x')
  })

  // GFM also autolinks `www.` domains without a scheme.
  test('md: a www. domain cannot autolink', () => {
    expect(links('golden www.evil.example/login')).toHaveLength(1)
    expect(links(md('golden www.evil.example/login'))).toEqual([])
    expect(inlineText(md('golden www.evil.example/login'))).toBe('golden www.evil.example/login')
  })

  test('md: every other hostile text is shown as itself, with no link, HTML or mention', () => {
    for (const text of [
      '<b>bold</b>',
      '@someone',
      '-->',
      '<!--',
      '[x](https://evil)',
      'a & b',
      '# heading',
      '> quote',
      '+ item',
      'a\\b',
      '{x}=!y~',
      'mail root@evil.example',
      '![p](https://evil.example/p.png)',
      '<https://evil.example>'
    ]) {
      const escaped = md(text)
      expect({ text, shown: inlineText(escaped) }).toEqual({ text, shown: text })
      expect({ text, links: links(escaped), html: html(escaped), mentions: mentions(escaped) }).toEqual({
        text,
        links: [],
        html: [],
        mentions: []
      })
      // and as a whole document (a heading, a quote or a list item would start a block)
      expect({ text, shown: shownText(escaped), headings: headings(escaped) }).toEqual({
        text,
        shown: text,
        headings: []
      })
    }
  })

  test('code', () => {
    expect(code('lt-0abc')).toBe('`lt-0abc`')
    expect(code('a`b|c\nd')).toBe('`abcd`')
  })
})

describe('marker', () => {
  test('contains disable-superseded-ami and the family', () => {
    expect(marker('Family=web')).toBe('<!-- disable-superseded-ami family=Family=web -->')
  })

  test('a hostile family cannot close the comment early', () => {
    for (const family of ['-->', 'web --> <script>', '--!>', 'a\n-->\nb', '<!-- x -->']) {
      const m = marker(family)
      expect(m.startsWith('<!-- disable-superseded-ami family=')).toBe(true)
      expect(m.endsWith(' -->')).toBe(true)
      expect(m.match(/-->/g)).toHaveLength(1)
      expect(m.match(/--/g)).toHaveLength(2)
      expect(m).not.toContain('\n')
      expect(m.slice(4, -3)).not.toMatch(/[<>]/)
    }
  })

  test('different families have different markers', () => {
    expect(marker('Family=web')).not.toBe(marker('Family=api'))
  })
})

describe('renderBody: content', () => {
  test('a disable run: verdict, new image, disabled images, templates, groups, rollback hint', () => {
    const old1 = image('golden-web-1', {
      creationDate: '2024-01-01T08:30:00.000Z',
      lastLaunchedTime: '2024-01-09T00:00:00.000Z'
    })
    const old2 = image('golden-web-2')
    const kept = image('golden-web-kept')
    const t: TemplateUse = {
      region: REGION,
      launchTemplateId: 'lt-0abc',
      launchTemplateName: 'web-lt',
      versionNumber: 4,
      imageId: old1.imageId,
      isDefault: true,
      isLatest: true
    }
    const g: GroupUse = {
      region: REGION,
      autoScalingGroupName: 'web-asg',
      launchTemplateId: 'lt-0abc',
      launchTemplateName: 'web-lt',
      version: '$Default',
      versionNumber: 4,
      imageId: old1.imageId,
      viaMixedInstancesPolicy: true,
      desiredCapacity: 2
    }
    const body = renderBody(
      report({
        regions: [
          region({
            decisions: [
              { image: old1, kind: 'disable', reason: `superseded by ${NEW}` },
              { image: old2, kind: 'disable', reason: `superseded by ${NEW}` },
              { image: kept, kind: 'keep', reason: 'one of the 1 most recent superseded (keep: 1)' }
            ],
            changes: [
              change(old1, {
                sharing: {
                  public: true,
                  userIds: ['123456789012', '210987654321'],
                  organizationArns: [],
                  organizationalUnitArns: ['arn:aws:organizations::1:ou/o-a/ou-b']
                }
              }),
              change(old2)
            ],
            templates: [t],
            groups: [g]
          })
        ]
      })
    )
    expect(body.startsWith('### ')).toBe(true)
    // a launch will fail: a warning, in the title and the verdict, never a success mark
    expect(headings(body)[0]).toEqual({ level: 3, text: '⚠️ Superseded AMIs of Family=web: disabled 2' })
    expect(body).toContain(
      '⚠️ 2 images disabled in us-east-1; **1 launch template version and 1 Auto Scaling group will fail their next launch**.'
    )
    expect(body).not.toContain('✅')
    expect(body).toContain('#### New image')
    expect(body).toContain('#### Disabled')
    expect(body).toContain('#### Kept enabled')
    expect(body).toContain('#### Launch templates that still point at a disabled image')
    expect(body).toContain('#### Auto Scaling groups that launch from them')
    expect(body).toContain(
      `| us-east-1 | [\`${old1.imageId}\`](https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#ImageDetails:imageId=${old1.imageId}) | golden-web-1 | 2024-01-01 08:30 UTC | 2024-01-09 00:00 UTC | **everyone (public)**, account 123456789012, account 210987654321, OU ou-b |`
    )
    expect(body).toContain(
      '| us-east-1 | [web-lt](https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#LaunchTemplateDetails:launchTemplateId=lt-0abc) `lt-0abc` | 4 (default and latest) |'
    )
    expect(body).toContain(
      `| us-east-1 | web-asg | web-lt (mixed instances policy) | $Default → 4 | 2 | \`${old1.imageId}\` |`
    )
    expect(body).toContain('<summary>Roll back</summary>')
    expect(body).toContain(`    image-id: us-east-1:${NEW}`)
    expect(body).not.toContain('Dry run')
    expect(body.endsWith('\n')).toBe(true)
    expect(body).not.toMatch(/\n{3,}/)
  })

  test('a dry-run report has the dry-run banner and no rollback hint', () => {
    const old = image('golden-web-1')
    const body = renderBody(
      report({
        dryRun: true,
        regions: [
          region({
            decisions: [{ image: old, kind: 'disable', reason: 'superseded' }],
            changes: [change(old, { outcome: 'would-disable' })]
          })
        ]
      })
    )
    expect(body).toContain('> [!NOTE]\n> **Dry run**: nothing was changed. This is what would happen.')
    expect(inlineText(body)).toContain('🧪 Dry run: 1 image would be disabled in us-east-1.')
    expect(body).toContain('#### Would be disabled')
    expect(body).not.toContain('#### Disabled')
    expect(body).not.toContain('Roll back')
  })

  test('nothing to do', () => {
    const body = renderBody(report())
    expect(inlineText(body)).toContain('✅ Nothing to disable: no superseded image is enabled.')
  })

  test('failures and region errors are shown', () => {
    const a = image('a')
    const b = image('b')
    const body = renderBody(
      report({
        regions: [
          region({
            changes: [change(a), change(b, { outcome: 'failed', message: 'not disabled: UnauthorizedOperation' })],
            warnings: ['careful']
          }),
          region({ region: 'eu-west-1', error: 'refused: 12 images would be disabled, more than max-images (10)' })
        ]
      })
    )
    expect(body).toContain('⚠️ 1 image disabled in us-east-1; 1 image failed.')
    expect(body).toContain('#### Failed')
    const failed = tables(body).find((t) => t.rows.some((r) => r.includes('not disabled: UnauthorizedOperation')))
    expect(failed).toBeDefined()
    expect(blockquotes(body)).toEqual(
      expect.arrayContaining([
        '[!WARNING]\ncareful',
        '[!WARNING]\neu-west-1: refused: 12 images would be disabled, more than max-images (10)'
      ])
    )
  })

  test('status', () => {
    const body = renderBody({
      command: 'status',
      dryRun: false,
      subject: '',
      commentKey: '',
      regions: [],
      status: {
        requireState: 'available',
        entries: [{ region: REGION, imageId: NEW, state: 'available', name: 'golden' }]
      }
    })
    expect(body.startsWith('### ')).toBe(true)
    expect(headings(body)[0]).toEqual({ level: 3, text: '✅ AMI status: 1 available' })
    expect(body).toContain('✅ Every image is available.')
    const failed = renderBody({
      command: 'status',
      dryRun: false,
      subject: '',
      commentKey: '',
      regions: [],
      status: {
        requireState: 'available',
        entries: [{ region: REGION, imageId: 'ami-1', state: 'disabled', name: 'x' }]
      }
    })
    expect(failed).toMatch(/❌ .*ami-1 is disabled/)
  })

  test('sharingText', () => {
    expect(sharingText(undefined)).toBe('')
    expect(sharingText({ public: false, userIds: [], organizationArns: [], organizationalUnitArns: [] })).toBe(
      'not shared'
    )
    expect(
      sharingText({
        public: false,
        userIds: ['1', '2', '3', '4', '5', '6'],
        organizationArns: ['o1', 'o2'],
        organizationalUnitArns: []
      })
    ).toBe('account 1, account 2, account 3, account 4, account 5, account 6, organization o1, organization o2')
    const many = {
      public: true,
      userIds: Array.from({ length: 12 }, (_, i) => String(100000000000 + i)),
      organizationArns: [],
      organizationalUnitArns: ['arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh12']
    }
    expect(sharingText(many)).toBe(
      `**everyone (public)**, ${many.userIds
        .slice(0, 9)
        .map((id) => `account ${id}`)
        .join(', ')} and 4 more`
    )
  })
})

const HOSTILE = [
  'a|b',
  '<b>bold</b>',
  '@someone',
  '-->',
  '<!--',
  '`code` and ```fence```',
  '[x](https://evil)',
  'line one\nline two\r\n| --- |',
  '<img src=x onerror=alert(1)>',
  '</details><details open>',
  '- [ ] task',
  '${{ secrets.TOKEN }}',
  `${'a|b<c>@d '.repeat(500)}`.slice(0, 5000)
]

/** A report that puts `text` in every place where text from AWS or inputs goes. */
function hostileReport(text: string, dryRun = false): RunReport {
  const newImage = image(`new ${text}`, { imageId: NEW })
  const old = image(text, { lastLaunchedTime: text })
  const kept = image(text)
  const excluded = image(text)
  const skipped = image(text, { creationDate: text })
  const decisions: Decision[] = [
    { image: old, kind: 'disable', reason: `superseded by ${NEW}` },
    { image: kept, kind: 'keep', reason: text },
    { image: excluded, kind: 'exclude', reason: `tagged Stage=${text} (exclude-tags)` },
    {
      image: skipped,
      kind: 'skip',
      reason: `in use by launch template ${text} (lt-0abc) version 1 (in-use: skip)`,
      inUse: true
    }
  ]
  const failedImage = image(text)
  return {
    command: 'disable',
    dryRun,
    subject: text,
    commentKey: text,
    regions: [
      {
        region: REGION,
        images: [newImage],
        family: text,
        decisions,
        changes: [
          change(old, {
            outcome: dryRun ? 'would-disable' : 'disabled',
            message: text,
            warnings: [text],
            sharing: { public: false, userIds: [text], organizationArns: [], organizationalUnitArns: [] }
          }),
          change(failedImage, { outcome: 'failed', message: text })
        ],
        templates: [
          {
            region: REGION,
            launchTemplateId: 'lt-0abc',
            launchTemplateName: text,
            versionNumber: 1,
            imageId: old.imageId,
            isDefault: true,
            isLatest: false
          }
        ],
        groups: [
          {
            region: REGION,
            autoScalingGroupName: text,
            launchTemplateId: 'lt-0abc',
            launchTemplateName: text,
            version: text,
            versionNumber: 1,
            imageId: old.imageId,
            viaMixedInstancesPolicy: false,
            desiredCapacity: 2
          }
        ],
        launchConfigurations: [],
        references: [],
        accounts: [],
        unknowns: [],
        replacements: [],
        checked: [],
        warnings: [text],
        error: text
      }
    ],
    refusal: text
  }
}

describe.each(HOSTILE.map((h, i) => [i, JSON.stringify(h.slice(0, 40)), h] as const))(
  'hostile text #%i %s',
  (_i, _label, text) => {
    const body = renderBody(hostileReport(text), { runUrl: RUN_URL })
    const comment = renderComment(hostileReport(text), { runUrl: RUN_URL })

    test('every table row has as many cells as its header', () => {
      const all = tables(body)
      expect(all.length).toBeGreaterThanOrEqual(8)
      const lines = body.split('\n')
      for (const table of all) {
        expect(table.rows.length).toBeGreaterThanOrEqual(1)
        // GFM pads or cuts a row to the header's cells: count them in the source lines of the table
        const source = lines.slice(...table.lines).filter((line) => line !== '')
        expect(source).toHaveLength(table.rows.length + 2)
        for (const line of source) expect(pipes(line)).toBe(pipes(at(source, 0)))
      }
    })

    test('no HTML but the marker and the roll-back hint', () => {
      for (const markdown of [body, comment]) {
        for (const tag of html(markdown))
          expect({ tag, own: OWN_HTML.some((own) => own.test(tag)) }).toEqual({ tag, own: true })
      }
      expect(html(comment)[0]).toMatch(OWN_HTML[0]!)
    })

    test('no mention in what is rendered (the marker is an HTML comment, never rendered)', () => {
      expect(comment.split('\n')[0]).toMatch(/^<!-- [^\n]* -->$/)
      expect(mentions(comment)).toEqual([])
      expect(mentions(body)).toEqual([])
    })

    test('exactly one comment marker, closed once, and nothing else opens or closes a comment', () => {
      expect(comment.startsWith('<!-- disable-superseded-ami family=')).toBe(true)
      expect(comment.match(/-->/g)).toHaveLength(1)
      expect(comment.match(/<!--/g)).toHaveLength(1)
      expect(at(comment.split('\n'), 0).endsWith(' -->')).toBe(true)
    })

    test('no link other than the console links and the run', () => {
      const targets = links(body).map((l) => l.href)
      expect(targets.length).toBeGreaterThanOrEqual(6)
      for (const href of targets) expect(href).toMatch(CONSOLE_LINK)
      for (const { href } of links(comment)) if (href !== RUN_URL) expect(href).toMatch(CONSOLE_LINK)
    })

    test('the text is shown, escaped, not dropped', () => {
      const expected = inlineText(md(text)).trim()
      expect(expected.length).toBeGreaterThan(0)
      const shown = shownText(body)
      // each place: the name cells, the reason, the template and group names, the warning
      const count = shown.split(expected).length - 1
      expect(count).toBeGreaterThanOrEqual(8)
      // and it is the original text (newlines as spaces, long text cut with an ellipsis)
      const flat = text.replace(/[\r\n]+/g, ' ')
      const original = flat.length > 200 ? `${flat.slice(0, 199)}…` : flat
      expect(expected).toBe(original.trim())
    })
  }
)

describe('the checked line', () => {
  const line = (checked: string[]): string =>
    shownText(renderBody(report({ regions: [region({ checked })] })))
      .trim()
      .split('\n')
      .pop() ?? ''
  const OWN = [
    'launch templates (default, latest and versions pinned by groups)',
    'Auto Scaling groups',
    'launch configurations',
    'SSM parameters, Image Builder recipes and instances (DescribeImageReferences)'
  ]
  const ROLE = `1 other account by consumer-role: ${OWN.join(', ')}`

  test('is never cut short, however long what was checked', () => {
    const checked = [...OWN, 'usage reports of 2 shared images', ROLE]
    expect(line(checked)).toContain(`${checked.join(', ')}. Not checked: `)
  })

  test('does not say "not checked" of what was checked: references, other accounts by name', () => {
    expect(line([...OWN, 'usage reports of 2 shared images', ROLE])).toMatch(
      /Not checked: EC2 Fleet and Spot Fleet requests, AWS Batch compute environments and other services that name the image\.$/
    )
    expect(line(OWN)).toMatch(/Not checked: .*, other accounts the images are shared with\.$/)
    expect(line(OWN)).not.toContain('Not checked: SSM parameters')
    expect(line([...OWN, 'usage reports of 1 shared image'])).toMatch(
      /Not checked: .*, other accounts' Auto Scaling groups, SSM parameters and recipes \(usage reports count only launch templates and instances\)\.$/
    )
    expect(line(['launch templates'])).toMatch(
      /Not checked: .*SSM parameters and Image Builder recipes, other accounts the images are shared with\.$/
    )
  })
})

describe('renderComment', () => {
  test('a small report is the marker and the body', () => {
    const r = report()
    expect(renderComment(r)).toBe(`${marker('Family=web')}\n${renderBody(r)}`)
  })

  test('a report over 65,536 characters is shortened with a count and a pointer to the job summary', () => {
    const decisions: Decision[] = []
    const changes: Change[] = []
    for (let i = 0; i < 600; i++) {
      const img = image(`golden-web-${String(i).padStart(4, '0')}-${'n'.repeat(150)}`)
      decisions.push({ image: img, kind: 'disable', reason: `superseded by ${NEW}` })
      changes.push(change(img, { message: 'x'.repeat(100) }))
    }
    const r = report({ regions: [region({ decisions, changes })] })
    expect(renderBody(r).length).toBeGreaterThan(COMMENT_LIMIT)
    const comment = renderComment(r, { runUrl: RUN_URL })
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(comment.startsWith(`${marker('Family=web')}\n`)).toBe(true)
    expect(comment).toContain('✅ 600 images disabled in us-east-1.')
    expect(comment).toContain(`…and 500 more: see [the job summary](${RUN_URL}).`)
    expect(tables(comment).find((t) => t.header.includes('Who loses access'))?.rows).toHaveLength(100)
  })

  test('without a run URL the pointer still names the job summary', () => {
    const changes = Array.from({ length: 600 }, (_, i) =>
      change(image(`n${i}-${'n'.repeat(180)}`), { message: 'm'.repeat(100) })
    )
    const comment = renderComment(report({ regions: [region({ changes })] }))
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(comment).toContain('…and 500 more: see the job summary.')
  })

  test('a report too long even with 3 rows a table falls back to the verdict and the pointer', () => {
    const warnings = Array.from({ length: 200 }, (_, i) => `warning ${i} ${'w'.repeat(990)}`)
    const old = image('golden-web-1')
    const r = report({ regions: [region({ warnings, changes: [change(old)] })] })
    const comment = renderComment(r, { runUrl: RUN_URL })
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(comment).toBe(
      // ⚠️, not ✅: the report carries warnings (what could not be checked)
      `${marker('Family=web')}\n⚠️ 1 image disabled in us-east-1.\n\nThe full report is in [the job summary](${RUN_URL}).\n`
    )
  })

  test('a hostile 5,000-character family keeps the comment under the limit and one marker', () => {
    const comment = renderComment(hostileReport('-->'.repeat(1700)))
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(comment.match(/-->/g)).toHaveLength(1)
  })
})
