/**
 * RunReport -> the Markdown of the pull-request comment and the job summary. Pure. Every piece
 * of text from AWS or from inputs goes through escape.ts.
 */
import type { Change, Decision, GroupUse, Image, RunReport, Sharing, StatusEntry, TemplateUse } from '../model.js'
import { outcomeOf, type Mark, type Outcome } from '../rules/outcome.js'
import { code, md } from './escape.js'

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
  return arn.split('/').pop() ?? arn
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

function table(headers: string[], rows: string[][], options: RenderOptions): string {
  if (rows.length === 0) return ''
  const max = options.maxRows ?? Number.POSITIVE_INFINITY
  const shown = rows.slice(0, max)
  const lines = [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...shown.map((r) => `| ${r.join(' | ')} |`)
  ]
  if (rows.length > shown.length) {
    const where = options.runUrl ? `[the job summary](${options.runUrl})` : 'the job summary'
    lines.push('', `…and ${rows.length - shown.length} more: see ${where}.`)
  }
  return lines.join('\n')
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

function plural(k: number, what: string): string {
  return `${k} ${what}${k === 1 ? '' : 's'}`
}

/** What the run did (or would do), in one sentence, without the mark. */
function doneSentence(report: RunReport, outcome: Outcome): string {
  const { done } = outcome
  const verb = report.command === 'disable' ? 'disable' : 're-enable'
  if (done.length === 0) {
    return `Nothing to ${verb}: no ${report.command === 'disable' ? 'superseded image is enabled' : 'image needed it'}.`
  }
  const regions = [...new Set(done.map((c) => c.region))]
  const where = regions.length > 1 ? ` in ${regions.length} regions` : ` in ${md(regions[0])}`
  const count = plural(done.length, 'image')
  if (report.dryRun) return `Dry run: would ${verb} ${count}${where}.`
  return `${report.command === 'disable' ? 'Disabled' : 'Re-enabled'} ${count}${where}.`
}

/** The verdict: the mark, what happened, and what will fail. */
export function verdict(report: RunReport, outcome: Outcome = outcomeOf(report)): string {
  const mark = MARKS[outcome.mark]
  if (report.status) {
    return outcome.failure
      ? `${mark} ${md(outcome.failure, 1000)}`
      : `${mark} Every image is ${md(report.status.entries[0]?.state ?? '')}.`
  }
  if (outcome.mark === 'failure') return `${mark} ${md(outcome.failure, 1000)}`
  let line = `${mark} ${doneSentence(report, outcome)}`
  const { done, failed, templates } = outcome
  if (failed.length && done.length) line += ` ${plural(failed.length, 'image')} failed.`
  if (templates.length) {
    const what = report.command === 'disable' ? 'them' : 'disabled images'
    line += ` **${plural(templates.length, 'launch template version')} still point${templates.length === 1 ? 's' : ''} at ${what}: their next launch will fail.**`
  }
  return line
}

function newImages(report: RunReport, options: RenderOptions): string {
  const rows = report.regions.flatMap((r) =>
    r.images.map((i): string[] => [md(r.region), imageLink(i), md(i.name), date(i.creationDate), md(i.state)])
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

function templateRows(list: TemplateUse[], options: RenderOptions): string {
  return table(
    ['Region', 'Launch template', 'Version', 'Image'],
    list.map((t) => [
      md(t.region),
      `[${md(t.launchTemplateName)}](${consoleLink(t.region, `LaunchTemplateDetails:launchTemplateId=${t.launchTemplateId}`)}) ${code(t.launchTemplateId)}`,
      `${t.versionNumber}${[t.isDefault ? ' default' : '', t.isLatest ? ' latest' : ''].filter(Boolean).join(',')}`,
      code(t.imageId)
    ]),
    options
  )
}

function groupRows(list: GroupUse[], options: RenderOptions): string {
  return table(
    ['Region', 'Auto Scaling group', 'Launch template', 'Version', 'Image'],
    list.map((g) => [
      md(g.region),
      md(g.autoScalingGroupName),
      `${md(g.launchTemplateName)}${g.viaMixedInstancesPolicy ? ' (mixed instances policy)' : ''}`,
      `${md(g.version)} → ${g.versionNumber}`,
      code(g.imageId)
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
  const list = report.regions.flatMap((r) => [...r.warnings, ...(r.error ? [`${r.region}: ${r.error}`] : [])])
  return list.length ? `\n${list.map((w) => `> [!WARNING]\n> ${md(w, 1000)}`).join('\n\n')}\n` : ''
}

const TITLES: Record<RunReport['command'], string> = {
  disable: 'Superseded AMIs',
  enable: 'AMIs re-enabled',
  rollback: 'AMI rollback',
  status: 'AMI status'
}

/** The title, the dry-run note, the verdict and the warnings. */
function head(report: RunReport): string[] {
  return [
    `### ${TITLES[report.command]}${report.subject ? `: ${md(report.subject)}` : ''}`,
    '',
    report.dryRun ? '> [!NOTE]\n> **Dry run**: nothing was changed. This is what would happen.\n' : '',
    verdict(report),
    warnings(report)
  ]
}

/** The images the run was about: the state of each (status), or the new or named images. */
function imagesSection(report: RunReport, options: RenderOptions): string {
  if (report.status) return section('Images', statusRows(report.status.entries, options))
  return section(report.command === 'disable' ? 'New image' : 'Images named', newImages(report, options))
}

/** What was (or would be) re-enabled, disabled, or failed, and the images left alone with why. */
function changeSections(report: RunReport, options: RenderOptions): string[] {
  const images = new Map<string, Image>(
    report.regions.flatMap((r) => [
      ...r.decisions.map((d) => [d.image.imageId, d.image] as const),
      ...r.images.map((i) => [i.imageId, i] as const)
    ])
  )
  const all = changes(report)
  const enabled = all.filter((c) => c.action === 'enable' && c.outcome !== 'failed')
  const disabled = all.filter((c) => c.action === 'disable' && c.outcome !== 'failed')
  const failed = all.filter((c) => c.outcome === 'failed')
  return [
    section(
      report.dryRun ? 'Would be re-enabled' : 'Re-enabled',
      changeRows(enabled, images, options, 'Sharing restored')
    ),
    section(
      report.dryRun ? 'Would be disabled' : 'Disabled',
      changeRows(disabled, images, options, 'Who loses access')
    ),
    section('Failed', changeRows(failed, images, options)),
    section('Kept enabled', decisionRows(decisions(report, 'keep'), options)),
    section('Excluded', decisionRows(decisions(report, 'exclude'), options)),
    section('Skipped', decisionRows(decisions(report, 'skip'), options))
  ]
}

/** The launch templates and groups whose next launch will fail. */
function usageSections(report: RunReport, options: RenderOptions): string[] {
  const templates = report.regions.flatMap((r) => r.templates)
  const groups = report.regions.flatMap((r) => r.groups)
  return [
    section('Launch templates that still point at a disabled image', templateRows(templates, options)),
    section('Auto Scaling groups that launch from them', groupRows(groups, options))
  ]
}

export function renderBody(report: RunReport, options: RenderOptions = {}): string {
  const parts = [
    ...head(report),
    imagesSection(report, options),
    ...changeSections(report, options),
    ...usageSections(report, options),
    rollbackHint(report, options)
  ]
  return (
    parts
      .filter((p) => p !== '')
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  )
}

/** The sticky comment: marker + body, shortened to fit GitHub's limit. */
export function renderComment(report: RunReport, options: RenderOptions = {}): string {
  const top = `${marker(report.commentKey)}\n`
  const history = options.history ? `\n${options.history.trim()}\n` : ''
  for (const maxRows of [Number.POSITIVE_INFINITY, 100, 30, 10, 3]) {
    const body = top + renderBody(report, { ...options, maxRows }) + history
    if (body.length <= COMMENT_LIMIT) return body
  }
  return `${top}${verdict(report).slice(0, 2000)}\n\nThe full report is in ${options.runUrl ? `[the job summary](${options.runUrl})` : 'the job summary'}.\n${history}`
}
