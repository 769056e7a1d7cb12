/**
 * RunReport -> the Markdown of the pull-request comment and the job summary. Pure. Every piece
 * of text from AWS or from inputs goes through escape.ts.
 */
import type { Change, Decision, GroupUse, Image, RunReport, Sharing, StatusEntry, TemplateUse } from '../model.js'
import { code, md } from './escape.js'

export const MARKER_PREFIX = 'disable-superseded-ami'
/** GitHub refuses comment bodies over 65,536 characters. */
export const COMMENT_LIMIT = 65_536

/** The hidden marker that finds a family's sticky comment again. */
export function marker(family: string): string {
  return `<!-- ${MARKER_PREFIX} family=${markerValue(family)} -->`
}

/**
 * The family, encoded one-to-one so that two families never share a marker and no value can
 * close the HTML comment (`-` and `>` are encoded); `=`, `,`, `:` and `/` stay readable.
 */
export function markerValue(family: string): string {
  return encodeURIComponent(family)
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

function verdict(report: RunReport): string {
  const all = changes(report)
  const done = all.filter((c) => ['disabled', 'enabled', 'would-disable', 'would-enable'].includes(c.outcome))
  const failed = all.filter((c) => c.outcome === 'failed')
  const templates = report.regions.flatMap((r) => r.templates)
  const regions = new Set(done.map((c) => c.region)).size
  const where = regions > 1 ? ` in ${regions} regions` : regions === 1 ? ` in ${done[0].region}` : ''
  if (report.command === 'status') {
    return report.failure
      ? `❌ ${md(report.failure, 1000)}`
      : `✅ Every image is ${md(report.status?.[0]?.state ?? '')}.`
  }
  const verb = report.command === 'disable' ? 'disable' : 're-enable'
  const past = report.command === 'disable' ? 'Disabled' : 'Re-enabled'
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`
  let line: string
  if (report.failure && done.length === 0) line = `❌ ${md(report.failure, 1000)}`
  else if (done.length === 0)
    line = `✅ Nothing to ${verb}: no ${report.command === 'disable' ? 'superseded image is enabled' : 'image needed it'}.`
  else if (report.dryRun) line = `🧪 Dry run: would ${verb} ${n(done.length, 'image')}${where}.`
  else line = `${failed.length ? '⚠️' : '✅'} ${past} ${n(done.length, 'image')}${where}.`
  if (failed.length && done.length) line += ` ${n(failed.length, 'image')} failed.`
  if (templates.length) {
    line += ` **${n(templates.length, 'launch template version')} still point${templates.length === 1 ? 's' : ''} at ${report.command === 'disable' ? 'them' : 'disabled images'}: their next launch will fail.**`
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

export function renderBody(report: RunReport, options: RenderOptions = {}): string {
  const images = new Map<string, Image>(
    report.regions.flatMap((r) => [
      ...r.decisions.map((d) => [d.image.imageId, d.image] as const),
      ...r.images.map((i) => [i.imageId, i] as const)
    ])
  )
  const all = changes(report)
  const title =
    report.command === 'disable'
      ? 'Superseded AMIs'
      : report.command === 'status'
        ? 'AMI status'
        : report.command === 'rollback'
          ? 'AMI rollback'
          : 'AMIs re-enabled'
  const parts = [
    `### ${title}${report.family ? `: ${md(report.family)}` : ''}`,
    '',
    report.dryRun ? '> [!NOTE]\n> **Dry run**: nothing was changed. This is what would happen.\n' : '',
    verdict(report),
    warnings(report),
    report.command === 'status'
      ? section('Images', statusRows(report.status ?? [], options))
      : section(report.command === 'disable' ? 'New image' : 'Images named', newImages(report, options))
  ]
  const disabled = all.filter((c) => c.action === 'disable' && c.outcome !== 'failed')
  const enabled = all.filter((c) => c.action === 'enable' && c.outcome !== 'failed')
  const failed = all.filter((c) => c.outcome === 'failed')
  parts.push(
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
    section('Skipped', decisionRows(decisions(report, 'skip'), options)),
    section(
      'Launch templates that still point at a disabled image',
      templateRows(
        report.regions.flatMap((r) => r.templates),
        options
      )
    ),
    section(
      'Auto Scaling groups that launch from them',
      groupRows(
        report.regions.flatMap((r) => r.groups),
        options
      )
    ),
    rollbackHint(report, options)
  )
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
  const head = `${marker(report.family)}\n`
  for (const maxRows of [Number.POSITIVE_INFINITY, 100, 30, 10, 3]) {
    const body = head + renderBody(report, { ...options, maxRows })
    if (body.length <= COMMENT_LIMIT) return body
  }
  return `${head}${verdict(report).slice(0, 2000)}\n\nThe full report is in ${options.runUrl ? `[the job summary](${options.runUrl})` : 'the job summary'}.\n`
}
