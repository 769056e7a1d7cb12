/**
 * RunReport -> the Markdown of the pull-request comment and the job summary. Pure. Every piece
 * of text from AWS or from inputs goes through escape.ts.
 */
import {
  NOT_CHECKED,
  type Change,
  type Decision,
  type GroupUse,
  type Image,
  type ImageReference,
  type RetiredImage,
  type LaunchConfigurationUse,
  type RunReport,
  type Sharing,
  type StatusEntry,
  type TemplateUse
} from '../model.js'
import { whichVersion } from '../rules/usage.js'
import { referenceName } from '../rules/policy.js'
import { byCodePoint } from '../rules/order.js'
import { isConsumerRoleChecked, isReferencesChecked, isUsageReportsChecked } from '../rules/checked.js'
import { outcomeOf, plural, type Mark, type Outcome, type RetireSummary } from '../rules/outcome.js'
import { ARCHIVE_PRICE, dollars, gibibytes, STANDARD_PRICE, storageOf } from '../rules/retire.js'
import { code, md } from './escape.js'
import { launchConfigurationFix, templateFix, type Fix } from './fixes.js'

export const MARKER_PREFIX = 'disable-superseded-ami'
/** GitHub refuses comment bodies over 65,536 characters. */
export const COMMENT_LIMIT = 65_536

/**
 * The hidden marker that finds a run's sticky comment again, by its key (the family, for
 * `disable`). It reads `family=` for every key, as it always has, so that comments written by
 * earlier versions are found again.
 */
export function marker(key: string): string {
  return `<!-- ${MARKER_PREFIX} family=${markerValue(key)} -->`
}

/**
 * The key, encoded one-to-one so that two keys never share a marker and no value can close the
 * HTML comment (`-` and `>` are encoded); `=`, `,`, `:` and `/` stay readable.
 */
export function markerValue(key: string): string {
  return encodeURIComponent(key)
    .replace(/%(3D|2C|3A|2F)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/[-!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

export interface RenderOptions {
  /** Link to the run's job summary, used when tables are shortened. */
  runUrl?: string
  /** At most this many rows per table (the rest counted). */
  maxRows?: number
  /** `owner/repo@ref` of this action, for the rollback step. */
  actionRef?: string
  /**
   * Markdown that ends the comment (the folded record of earlier runs, from the comment being
   * replaced), already bounded by its maker; kept whole when the tables are shortened.
   */
  history?: string
}

function consoleLink(region: string, fragment: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#${fragment}`
}

function imageLink(image: { region: string; imageId: string }): string {
  return `[${code(image.imageId)}](${consoleLink(image.region, `ImageDetails:imageId=${image.imageId}`)})`
}

function date(value: string | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  return Number.isNaN(d.getTime())
    ? md(value)
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/:\d\d\.\d+Z$/, ' UTC')
}

/** `o-abc…` / `ou-ab12-…` from an organizations ARN: short enough for a table cell. */
function orgId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1)
}

/** Who can launch the image: every account, organization and OU (the first 10, then a count). */
export function sharingText(sharing: Sharing | undefined): string {
  if (!sharing) return ''
  const names = [
    ...(sharing.public ? ['**everyone (public)**'] : []),
    ...sharing.userIds.map((id) => `account ${md(id)}`),
    ...sharing.organizationArns.map((arn) => `organization ${md(orgId(arn))}`),
    ...sharing.organizationalUnitArns.map((arn) => `OU ${md(orgId(arn))}`)
  ]
  if (names.length === 0) return 'not shared'
  return names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ')
}

/** A table without the columns that are empty in every row (no "Last launched" when nothing was launched). */
function table(headers: string[], rows: string[][], options: RenderOptions): string {
  if (rows.length === 0) return ''
  const max = options.maxRows ?? Number.POSITIVE_INFINITY
  const shown = rows.slice(0, max)
  const keep = headers.map((_, i) => rows.some((r) => Boolean(r[i])))
  const cells = (r: string[]): string[] => r.filter((_, i) => keep[i])
  const kept = cells(headers)
  const lines = [
    `| ${kept.join(' | ')} |`,
    `| ${kept.map(() => '---').join(' | ')} |`,
    ...shown.map((r) => `| ${cells(r).join(' | ')} |`)
  ]
  if (rows.length > shown.length) lines.push('', more(rows.length - shown.length, options))
  return lines.join('\n')
}

function more(count: number, options: RenderOptions): string {
  const where = options.runUrl ? `[the job summary](${options.runUrl})` : 'the job summary'
  return `…and ${count} more: see ${where}.`
}

function section(title: string, body: string): string {
  return body ? `\n#### ${title}\n\n${body}\n` : ''
}

function changes(report: RunReport): Change[] {
  return report.regions.flatMap((r) => r.changes)
}

function decisions(report: RunReport, kind: Decision['kind']): Decision[] {
  return report.regions.flatMap((r) => r.decisions.filter((d) => d.kind === kind))
}

const MARKS: Record<Mark, string> = { success: '✅', warning: '⚠️', failure: '❌', 'dry-run': '🧪' }

/** The verdict: the mark, what was done (counted apart), and in bold what will fail its next launch. */
export function verdict(report: RunReport, outcome: Outcome = outcomeOf(report)): string {
  const mark = MARKS[outcome.mark]
  const consequence = outcome.consequence ? `; **${md(outcome.consequence, 1000)}**` : ''
  return `${mark} ${md(outcome.headline, 1000)}${consequence}.`
}

/** The title says what the run did: `AMI rollback of ami-…: re-enabled 3, disabled 1`. */
export function title(report: RunReport, outcome: Outcome = outcomeOf(report)): string {
  const subject = report.subject ? `${report.command === 'retire' ? '' : ' of'} ${report.subject}` : ''
  const name = TITLES[report.command]
  if (report.status) {
    const { entries, requireState } = report.status
    const right = entries.filter((e) => e.state === requireState).length
    const what = outcome.failure
      ? right === entries.length
        ? 'could not be read'
        : `${entries.length - right} of ${entries.length} not ${requireState}`
      : `${entries.length} ${requireState}`
    return `${name}${subject}: ${what}`
  }
  if (outcome.mark === 'failure') return `${name}${subject}: ${report.refusal ? 'refused' : 'failed'}, nothing changed`
  const would = report.dryRun ? 'would ' : ''
  if (outcome.retire) {
    const { retired, failed } = outcome.retire
    const counts = [
      `${would}retire${report.dryRun ? '' : 'd'} ${retired.length}`,
      failed.length ? `${failed.length} failed` : ''
    ]
    return `${name}${subject}: ${counts.filter(Boolean).join(', ')}${report.dryRun ? ' (dry run)' : ''}`
  }
  const counts = [
    outcome.enabled.length || report.command !== 'disable'
      ? `${would}re-enable${report.dryRun ? '' : 'd'} ${outcome.enabled.length}`
      : '',
    outcome.disabled.length || report.command !== 'enable'
      ? `${would}disable${report.dryRun ? '' : 'd'} ${outcome.disabled.length}`
      : '',
    outcome.failed.length ? `${outcome.failed.length} failed` : ''
  ].filter(Boolean)
  return `${name}${subject}: ${counts.join(', ')}${report.dryRun ? ' (dry run)' : ''}`
}

function newImages(report: RunReport, options: RenderOptions): string {
  const rows = report.regions.flatMap((r) =>
    r.images.map((i): string[] => [
      md(r.region),
      imageLink(i),
      md(i.name),
      date(i.creationDate) || 'unknown',
      md(i.state)
    ])
  )
  return table(['Region', 'Image', 'Name', 'Created', 'State'], rows, options)
}

function changeRows(
  list: Change[],
  images: Map<string, Image>,
  options: RenderOptions,
  sharingHeader?: string
): string {
  const rows = list.map((c) => {
    const image = images.get(c.imageId)
    const row = [md(c.region), imageLink(c), md(c.name), date(image?.creationDate), date(image?.lastLaunchedTime)]
    if (sharingHeader) row.push(sharingText(c.sharing))
    row.push(md([c.message, ...(c.warnings ?? [])].filter(Boolean).join('; ')))
    return row
  })
  const headers = ['Region', 'Image', 'Name', 'Created', 'Last launched']
  if (sharingHeader) headers.push(sharingHeader)
  headers.push('Note')
  return table(headers, rows, options)
}

function decisionRows(list: Decision[], options: RenderOptions): string {
  return table(
    ['Region', 'Image', 'Name', 'Created', 'Reason'],
    list.map((d) => [
      md(d.image.region),
      imageLink(d.image),
      md(d.image.name),
      date(d.image.creationDate),
      md(d.reason)
    ]),
    options
  )
}

function templateLink(t: { region: string; launchTemplateId: string; launchTemplateName: string }): string {
  return `[${md(t.launchTemplateName)}](${consoleLink(t.region, `LaunchTemplateDetails:launchTemplateId=${t.launchTemplateId}`)}) ${code(t.launchTemplateId)}`
}

/** The account column: empty (dropped) when everything is in the owner's account, else each row's account. */
function accountCell(accountId: string | undefined, any: boolean): string {
  return any ? (accountId ? md(accountId) : 'this account') : ''
}

/** Other accounts' rows after the owner's, grouped by account. */
function byAccount<T extends { accountId?: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => byCodePoint(a.accountId ?? '', b.accountId ?? ''))
}

function templateRows(list: TemplateUse[], fixes: Map<TemplateUse, Fix>, options: RenderOptions): string {
  const any = list.some((t) => t.accountId)
  return table(
    ['Region', 'Account', 'Launch template', 'Version', 'Image', 'Fix'],
    byAccount(list).map((t) => [
      md(t.region),
      accountCell(t.accountId, any),
      t.accountId ? `${md(t.launchTemplateName)} ${code(t.launchTemplateId)}` : templateLink(t),
      `${t.versionNumber}${whichVersion(t) ? ` (${whichVersion(t)})` : ' (pinned by a group)'}`,
      `${code(t.imageId)}${t.imageReference ? ` from ${code(t.imageReference)}` : ''}`,
      md(fixes.get(t)?.words ?? '')
    ]),
    options
  )
}

function groupRows(list: GroupUse[], configs: LaunchConfigurationUse[], options: RenderOptions): string {
  const any = list.some((g) => g.accountId)
  const viaTemplates = byAccount(list).map((g) => [
    md(g.region),
    accountCell(g.accountId, any),
    md(g.autoScalingGroupName),
    `${md(g.launchTemplateName)}${g.viaMixedInstancesPolicy ? ' (mixed instances policy)' : ''}`,
    /^\d+$/.test(g.version) ? `${g.versionNumber} (pinned)` : `${md(g.version)} → ${g.versionNumber}`,
    String(g.desiredCapacity),
    code(g.imageId)
  ])
  const viaConfigs = configs.flatMap((c) =>
    c.groups.map((g) => [
      md(c.region),
      accountCell(undefined, any),
      md(g.autoScalingGroupName),
      `launch configuration ${md(c.launchConfigurationName)}`,
      '',
      String(g.desiredCapacity),
      code(c.imageId)
    ])
  )
  return table(
    ['Region', 'Account', 'Auto Scaling group', 'Launches from', 'Version', 'Desired capacity', 'Image'],
    [...viaTemplates, ...viaConfigs],
    options
  )
}

function configRows(list: LaunchConfigurationUse[], fixes: Map<LaunchConfigurationUse, Fix>, options: RenderOptions) {
  return table(
    ['Region', 'Launch configuration', 'Image', 'Groups', 'Fix'],
    list.map((c) => [
      md(c.region),
      md(c.launchConfigurationName),
      code(c.imageId),
      md(c.groups.map((g) => g.autoScalingGroupName).join(', ')),
      md(fixes.get(c)?.words ?? '')
    ]),
    options
  )
}

function statusRows(list: StatusEntry[], options: RenderOptions): string {
  return table(
    ['Region', 'Image', 'State', 'Name', 'Created', 'Deprecation', 'Last launched'],
    list.map((s) => [
      md(s.region),
      imageLink(s),
      md(s.state),
      md(s.name),
      date(s.creationDate),
      date(s.deprecationTime),
      date(s.lastLaunchedTime)
    ]),
    options
  )
}

function rollbackHint(report: RunReport, options: RenderOptions): string {
  const images = report.regions.flatMap((r) => r.images.map((i) => `${r.region}:${i.imageId}`))
  if (
    report.command !== 'disable' ||
    report.dryRun ||
    images.length === 0 ||
    changes(report).every((c) => c.outcome !== 'disabled')
  )
    return ''
  const step = [
    '```yaml',
    `- uses: ${options.actionRef ?? 'disable-superseded-ami/disable-superseded-ami@v1'}`,
    '  with:',
    '    command: rollback',
    `    image-id: ${images.join(',')}`,
    '```'
  ].join('\n')
  return `\n<details><summary>Roll back</summary>\n\nTo re-enable the disabled images (with their sharing) and disable the new image, run this step from a \`workflow_dispatch\` workflow:\n\n${step}\n\n</details>\n`
}

function warnings(report: RunReport): string {
  const list = report.regions.flatMap((r) => [
    ...r.warnings,
    ...r.unknowns.map((u) => `not known in ${u.region}: ${u.why}`),
    ...(r.error ? [`${r.region}: ${r.error}`] : [])
  ])
  return list.length ? `\n${list.map((w) => `> [!WARNING]\n> ${md(w, 1000)}`).join('\n\n')}\n` : ''
}

const TITLES: Record<RunReport['command'], string> = {
  disable: 'Superseded AMIs',
  enable: 'AMI re-enable',
  rollback: 'AMI rollback',
  status: 'AMI status',
  retire: 'AMI retirement in'
}

/** The title, the dry-run note, the verdict and the warnings. */
function head(report: RunReport, outcome: Outcome): string[] {
  const note = report.dryRun
    ? '> [!NOTE]\n> **Dry run**: nothing was changed. This is what would happen.\n'
    : report.refusal
      ? '> [!CAUTION]\n> **Refused**: nothing was changed in any region.\n'
      : ''
  return [
    `### ${MARKS[outcome.mark]} ${md(title(report, outcome))}\n`,
    note,
    verdict(report, outcome),
    warnings(report)
  ]
}

/** The images the run was about: the state of each (status), or the new or named images. */
function imagesSection(report: RunReport, options: RenderOptions): string {
  if (report.status) return section('Images', statusRows(report.status.entries, options))
  return section(report.command === 'disable' ? 'New image' : 'Images named', newImages(report, options))
}

function imagesOf(report: RunReport): Map<string, Image> {
  return new Map<string, Image>(
    report.regions.flatMap((r) => [
      ...r.decisions.map((d) => [d.image.imageId, d.image] as const),
      ...r.images.map((i) => [i.imageId, i] as const)
    ])
  )
}

/** What was (or would be) re-enabled, disabled, failed or left as it was: each image once, under what happened to it. */
function changeSections(report: RunReport, outcome: Outcome, options: RenderOptions): string[] {
  const images = imagesOf(report)
  const would = report.dryRun
  const refused = report.refusal ? report.regions.flatMap((r) => r.decisions.filter((d) => d.kind === 'disable')) : []
  return [
    section(
      would ? 'Would be re-enabled' : 'Re-enabled',
      changeRows(outcome.enabled, images, options, 'Sharing restored')
    ),
    section(
      would ? 'Would be disabled' : 'Disabled',
      changeRows(outcome.disabled, images, options, would ? 'Who would lose access' : 'Who loses access')
    ),
    section('Failed', changeRows(outcome.failed, images, options)),
    section('Left as they were', changeRows(outcome.unchanged, images, options)),
    section('Not disabled: the run was refused', decisionRows(refused, options))
  ]
}

/** The images left alone, with why: below what will break. */
function leftAloneSections(report: RunReport, options: RenderOptions): string[] {
  return [
    section('Skipped', decisionRows(decisions(report, 'skip'), options)),
    section('Kept enabled', decisionRows(decisions(report, 'keep'), options))
  ]
}

function fixList(
  report: RunReport,
  outcome: Outcome,
  options: RenderOptions
): { templates: Map<TemplateUse, Fix>; configs: Map<LaunchConfigurationUse, Fix>; commands: string } {
  const regionOf = new Map(report.regions.map((r) => [r.region, r]))
  const templates = new Map<TemplateUse, Fix>()
  const configs = new Map<LaunchConfigurationUse, Fix>()
  for (const t of outcome.breaking.templates) {
    const r = regionOf.get(t.region)
    if (r) templates.set(t, templateFix(t, r))
  }
  for (const c of outcome.breaking.launchConfigurations) {
    const r = regionOf.get(c.region)
    if (r) configs.set(c, launchConfigurationFix(c, r))
  }
  const withCommands = [...templates].filter(([, f]) => f.commands.length > 0)
  const max = options.maxRows ?? Number.POSITIVE_INFINITY
  const blocks = withCommands.slice(0, max).map(([t, f]) => {
    const lines = f.commands.join('\n')
    return `${md(t.region)}, ${md(t.launchTemplateName)} ${code(t.launchTemplateId)} version ${t.versionNumber}:\n\n\`\`\`sh\n${lines}\n\`\`\``
  })
  if (withCommands.length > blocks.length) blocks.push(more(withCommands.length - blocks.length, options))
  const commands = blocks.length
    ? `\n<details><summary>Commands that apply these fixes</summary>\n\n${blocks.join('\n\n')}\n\n</details>\n`
    : ''
  return { templates, configs, commands }
}

/** The launch templates, groups and launch configurations whose next launch will fail, with the fix for each. */
function usageSections(report: RunReport, outcome: Outcome, options: RenderOptions): string[] {
  const { breaking } = outcome
  const fixes = fixList(report, outcome, options)
  const bad = report.command === 'rollback' ? 'the image rolled back' : 'a disabled image'
  const point = report.dryRun ? `would point at ${bad}` : `still point at ${bad}`
  return [
    section(`Launch templates that ${point}`, templateRows(breaking.templates, fixes.templates, options)),
    fixes.commands,
    section(
      'Auto Scaling groups that launch from them',
      groupRows(breaking.groups, breaking.launchConfigurations, options)
    ),
    section(`Launch configurations that ${point}`, configRows(breaking.launchConfigurations, fixes.configs, options)),
    section(
      `SSM parameters and Image Builder recipes that ${point}`,
      referenceRows(report, breaking.references, options)
    ),
    accountsSection(report, outcome, options),
    instancesLine(report, outcome)
  ]
}

const REFERENCE_WORDS: Record<string, { what: string; fix: string }> = {
  'ssm:Parameter': {
    what: 'SSM parameter',
    fix: 'point it at {to}: everything that resolves it launches the disabled image'
  },
  'imagebuilder:ImageRecipe': {
    what: 'image recipe',
    fix: 'create a recipe version with {to} as its parent: its next build fails'
  },
  'imagebuilder:ContainerRecipe': {
    what: 'container recipe',
    fix: 'create a recipe version with {to} as its parent: its next build fails'
  }
}

function referenceRows(report: RunReport, list: ImageReference[], options: RenderOptions): string {
  const pointTo = new Map(report.regions.map((r) => [r.region, r.pointTo]))
  const any = list.some((x) => x.accountId)
  return table(
    ['Region', 'Account', 'Kind', 'Name', 'Image', 'Fix'],
    byAccount(list).map((x) => {
      const words = REFERENCE_WORDS[x.resourceType] ?? { what: x.resourceType, fix: 'point it at {to}' }
      const to = pointTo.get(x.region) ?? 'an enabled image'
      return [
        md(x.region),
        accountCell(x.accountId, any),
        md(words.what),
        code(referenceName(x)),
        code(x.imageId),
        md(words.fix.replace('{to}', to))
      ]
    }),
    options
  )
}

/** Rows of the other accounts' table shown however short the comment must be (about 130 characters each). */
const ACCOUNT_ROWS = 200

/** Who else uses the images, per account (usage reports, consumer-role); folded past a few rows. */
function accountsSection(report: RunReport, outcome: Outcome, options: RenderOptions): string {
  const disabled = new Set(outcome.disabled.map((c) => `${c.region} ${c.imageId}`))
  const list = byAccount(
    report.regions.flatMap((r) => r.accounts.filter((a) => disabled.has(`${a.region} ${a.imageId}`)))
  )
  // (none: no table, so no section)
  const rows = list.map((a) => [
    md(a.accountId),
    md(a.region),
    code(a.imageId),
    String(a.launchTemplates),
    String(a.instances),
    a.source === 'usage-report' ? 'usage report' : 'consumer-role'
  ])
  // the one list a long comment does not shorten to a few rows: it names every other account
  const maxRows = Math.max(options.maxRows ?? Number.POSITIVE_INFINITY, ACCOUNT_ROWS)
  const headers = ['Account', 'Region', 'Image', 'Launch templates', 'Instances', 'Found by']
  const body = table(headers, rows, { ...options, maxRows })
  const accounts = new Set(list.map((a) => a.accountId)).size
  const title = `Other accounts that use ${report.dryRun ? 'the images to disable' : 'the disabled images'} (${accounts})`
  if (rows.length <= 5) return section(title, body)
  return `\n#### ${title}\n\n<details><summary>${plural(accounts, 'account')}, ${plural(rows.length, 'row')}</summary>\n\n${body}\n\n</details>\n`
}

/** The instances that run the images: not stopped by disabling, but a replacement or scale-out cannot launch the image again. */
function instancesLine(report: RunReport, outcome: Outcome): string {
  const { own, others } = outcome.instances
  const elsewhere = [...others.values()].reduce((n, k) => n + k, 0)
  if (own + elsewhere === 0) return ''
  const where = [
    own ? `${own} in this account` : '',
    elsewhere ? `${elsewhere} in ${plural(others.size, 'other account')}` : ''
  ].filter(Boolean)
  const run = report.dryRun ? 'run the images to disable' : 'still run the disabled images'
  return `\n${plural(own + elsewhere, 'instance')} (${where.join(', ')}) ${run}: disabling does not stop them, but a replacement or a scale-out cannot launch the image again.\n`
}

/**
 * The closing line: what the usage search looked at, and what it did not, so that "nothing found"
 * is not read as "nothing uses it"; and the regions where it did not look, with why.
 */
function checkedLine(report: RunReport, outcome: Outcome): string {
  const searched = report.regions.filter((r) => r.checked.length > 0)
  const changed = new Set([...outcome.disabled, ...(outcome.retire?.retired ?? [])].map((c) => c.region))
  const unsearched = report.regions
    .filter((r) => r.checked.length === 0)
    .map((r) => ({ region: r.region, why: notSearchedBecause(r, changed.has(r.region)) }))
  // Nowhere searched and nothing changed unsearched (enable, status, nothing to do): nothing to say.
  if (searched.length === 0 && !unsearched.some((u) => u.why !== NOTHING)) return ''
  const notSearched = unsearched.length
    ? ` Not searched in ${md(unsearched.map((u) => `${u.region} (${u.why})`).join(', '), LINE_MAX)}.`
    : ''
  if (searched.length === 0) return `\n*${notSearched.trim()}*\n`
  const lists = [...new Set(searched.map((r) => r.checked.join(', ')))]
  const where = searched.map((r) => r.region).join(', ')
  const what =
    lists.length === 1 ? (lists[0] ?? '') : searched.map((r) => `${r.region}: ${r.checked.join(', ')}`).join('; ')
  // a line, not a table cell: never cut short (md's default bound would cut what was checked)
  return `\n*Checked in ${md(where, LINE_MAX)}: ${md(what, LINE_MAX)}.${notSearched} Not checked: ${md(notChecked(searched).join(', '), LINE_MAX)}.*\n`
}

/** A region with no image to change needs no search. */
const NOTHING = 'no image to change there'

/** Why a region's usage was not searched: it failed, its search failed (see the warnings), or it had nothing to search for. */
function notSearchedBecause(r: RunReport['regions'][number], changed: boolean): string {
  if (r.error) return 'the region failed'
  return changed ? 'the search failed: see the warnings' : NOTHING
}

const LINE_MAX = 4000
const REFERENCES_NOT_CHECKED = 'SSM parameters and Image Builder recipes'
const OTHERS_NOT_CHECKED = 'other accounts the images are shared with'

/**
 * NOT_CHECKED, less what every region searched did check: DescribeImageReferences (SSM parameters,
 * recipes); other accounts by consumer-role (by name), or only counted by usage reports.
 */
function notChecked(searched: Array<{ checked: string[] }>): string[] {
  const everywhere = (test: (c: string) => boolean): boolean => searched.every((r) => r.checked.some(test))
  const references = everywhere(isReferencesChecked)
  const byRole = everywhere(isConsumerRoleChecked)
  const byReports = everywhere(isUsageReportsChecked)
  return NOT_CHECKED.flatMap((n): string[] => {
    if (n === REFERENCES_NOT_CHECKED && references) return []
    if (n === OTHERS_NOT_CHECKED && byRole) return []
    if (n === OTHERS_NOT_CHECKED && byReports) {
      return [
        "other accounts' Auto Scaling groups, SSM parameters and recipes (usage reports count only launch templates and instances)"
      ]
    }
    return [n]
  })
}

/**
 * `disable`: the snapshot storage the images it disabled (or would) keep, still billed, and what
 * ends it (`retire`). From the images' block device mappings; nothing when none is known.
 */
function storageLine(report: RunReport, outcome: Outcome): string {
  // (nothing disabled holds no snapshot: no line)
  if (report.command !== 'disable') return ''
  const images = imagesOf(report)
  const disabled = outcome.disabled.flatMap((c) => images.get(c.imageId) ?? [])
  const storage = storageOf(disabled)
  if (storage.snapshots === 0) return ''
  const keep = report.dryRun ? 'would keep' : 'keep'
  const them = report.dryRun
    ? plural(storage.images, 'image to disable', 'images to disable')
    : plural(storage.images, 'disabled image')
  return `\n*Storage: the ${them} ${keep} ${plural(storage.snapshots, 'EBS snapshot')}, ${gibibytes(storage.sizeGiB)}, about ${dollars(storage.monthlyCost)} a month (standard tier, $${STANDARD_PRICE} per GB-month): a disabled image stays billed. A scheduled \`command: retire\` deregisters the images disabled \`retire-after-days\` ago (default 30) and deletes or archives their snapshots.*\n`
}

const RESULT_WORDS: Record<string, string> = {
  success: 'deleted (success)',
  skipped: 'kept: another image uses it (skipped)',
  'would-delete': 'would be deleted',
  'would-skip': 'would be kept: another image uses it',
  kept: 'kept',
  archived: 'archived',
  'would-archive': 'would be archived',
  'already-archived': 'already archived'
}

function snapshotCell(image: RetiredImage): string {
  if (image.snapshots.length === 0) return 'none'
  return image.snapshots
    .map((s) => {
      const size = s.sizeGiB !== undefined ? ` ${gibibytes(s.sizeGiB)}` : ''
      const result = RESULT_WORDS[s.result] ?? `**${md(s.result)}**`
      return `${code(s.snapshotId)}${size}: ${result}${s.message && !RESULT_WORDS[s.result] ? ` (${md(s.message)})` : ''}`
    })
    .join('<br>')
}

function retiredRows(list: RetiredImage[], options: RenderOptions): string {
  return table(
    ['Region', 'Image', 'Name', 'Disabled', 'Snapshots', 'Freed', 'Saved a month', 'Recycle Bin', 'Note'],
    list.map((i) => [
      md(i.region),
      imageLink(i),
      md(i.name),
      date(i.disabledAt),
      snapshotCell(i),
      i.outcome === 'failed' ? '' : gibibytes(i.freedGiB),
      i.outcome === 'failed' ? '' : dollars(i.monthlySaving),
      i.recycleBinExitTime ? `restorable until ${date(i.recycleBinExitTime)}` : '',
      md([i.message, ...(i.warnings ?? [])].filter(Boolean).join('; '))
    ]),
    options
  )
}

/** The totals, per region that retired anything (none retired: no table). */
function totalsRows(r: RetireSummary, report: RunReport, options: RenderOptions): string {
  const row = (where: string, t: RetireSummary['totals']): string[] => [
    where,
    String(t.images),
    String(t.snapshots),
    gibibytes(t.freedGiB),
    gibibytes(t.keptGiB),
    dollars(t.monthlySaving)
  ]
  const freed = report.retire?.snapshots === 'archive' ? 'Archived' : 'Deleted'
  const rows = [...r.byRegion].filter(([, t]) => t.images > 0).map(([region, t]) => row(md(region), t))
  if (rows.length > 1) rows.push(row('**all regions**', r.totals))
  return table(['Region', 'Images', 'Snapshots', freed, 'Still billed', 'Saved a month'], rows, options)
}

/** `retire`: what was retired (or would be), the totals, what failed, what was left alone and why. */
function retireSections(report: RunReport, r: RetireSummary, options: RenderOptions): string[] {
  const would = report.dryRun
  const archive = report.retire?.snapshots === 'archive'
  const notes: string[] = []
  if (archive && r.retired.length > 0) {
    notes.push(
      `> [!NOTE]\n> The archived images stay registered and disabled, their snapshots in the EBS archive tier ($${ARCHIVE_PRICE} per GB-month instead of $${STANDARD_PRICE}, billed for 90 days at least). **Re-enabling one needs a permanent restore of its snapshots first** (\`RestoreSnapshotTier\` with \`PermanentRestore\`, up to 72 hours, $0.03 per GB); until then \`enable\` and \`rollback\` of it fail and say so.`
    )
  }
  if (r.retired.some((i) => i.recycleBinExitTime)) {
    notes.push(
      '> [!TIP]\n> A Recycle Bin retention rule holds the deregistered images marked *restorable until*: until then, `command: enable` with their ids restores them from the bin (snapshots first), re-enables them and shares them again as their record says. Snapshots in the bin stay billed while they are there.'
    )
  }
  const refused = report.refusal ? r.leftAlone.filter((d) => d.reason.includes('the run was refused')) : []
  const leftAlone = r.leftAlone.filter((d) => !refused.includes(d))
  const basis = `*Costs at $${STANDARD_PRICE} per GB-month (standard tier) and $${ARCHIVE_PRICE} (archive tier), from the snapshots' volume sizes: EBS bills the blocks a snapshot holds, so this is at most what stops.*`
  return [
    section(would ? 'Would be retired' : 'Retired', retiredRows(r.retired, options)),
    section('Totals', totalsRows(r, report, options)),
    ...notes.map((n) => `\n${n}\n`),
    section('Failed', retiredRows(r.failed, options)),
    section('Not retired: the run was refused', decisionRows(refused, options)),
    section('Left alone', decisionRows(leftAlone, options)),
    r.retired.length + r.failed.length > 0 ? `\n${basis}\n` : ''
  ]
}

/**
 * The comment's and the job summary's Markdown; `outcome` when the caller has it already. Its parts are
 * blocks set apart by blank lines (or empty): joined, the blank lines in a row fold into one.
 */
export function renderBody(report: RunReport, options: RenderOptions = {}, outcome = outcomeOf(report)): string {
  if (outcome.retire) {
    const retireParts = [
      ...head(report, outcome),
      ...retireSections(report, outcome.retire, options),
      checkedLine(report, outcome)
    ]
    return (
      retireParts
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim() + '\n'
    )
  }
  const parts = [
    ...head(report, outcome),
    ...(report.status ? [imagesSection(report, options)] : []),
    ...changeSections(report, outcome, options),
    ...usageSections(report, outcome, options),
    storageLine(report, outcome),
    ...leftAloneSections(report, options),
    ...(report.status ? [] : [imagesSection(report, options)]),
    section('Excluded', decisionRows(decisions(report, 'exclude'), options)),
    rollbackHint(report, options),
    checkedLine(report, outcome)
  ]
  return (
    parts
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  )
}

/** The sticky comment: marker + body, shortened to fit GitHub's limit. */
export function renderComment(report: RunReport, options: RenderOptions = {}, outcome = outcomeOf(report)): string {
  const top = `${marker(report.commentKey)}\n`
  const history = options.history ? `\n${options.history.trim()}\n` : ''
  for (const maxRows of [Number.POSITIVE_INFINITY, 100, 30, 10, 3]) {
    const body = top + renderBody(report, { ...options, maxRows }, outcome) + history
    if (body.length <= COMMENT_LIMIT) return body
  }
  return `${top}${verdict(report, outcome)}\n\nThe full report is in ${options.runUrl ? `[the job summary](${options.runUrl})` : 'the job summary'}.\n${history}`
}
