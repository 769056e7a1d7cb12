/**
 * What a run's report comes to, in one place: whether the step fails (and the one line why), the
 * mark of its verdict, what will break, and the log's closing line. The comment, the job
 * summary, the outputs and the entry point all read it from here. Pure: a report in, an outcome
 * out.
 */
import type {
  AccountUse,
  Change,
  Decision,
  GroupUse,
  ImageReference,
  LaunchConfigurationUse,
  RetiredImage,
  RetiredSnapshot,
  RunReport,
  TemplateUse,
  UsageUnknown
} from '../model.js'
import { dollars, gibibytes, monthlyCost, retireTotals, totalsByRegion, type RetireTotals } from './retire.js'

/** The verdict's mark: ✅ success, ⚠️ warning, ❌ failure, 🧪 a dry run with nothing to warn about. */
export type Mark = 'success' | 'warning' | 'failure' | 'dry-run'

/** What points at an image this run disabled (or would disable): its next launch fails. */
export interface Breaking {
  templates: TemplateUse[]
  groups: GroupUse[]
  launchConfigurations: LaunchConfigurationUse[]
  /** SSM parameters and Image Builder recipes (instances are not broken by disabling: see `instances`). */
  references: ImageReference[]
  /**
   * Other accounts whose launch templates use the images, as counted by a usage report, for the
   * accounts whose templates were not named through `consumer-role` (those are in `templates`).
   */
  accounts: AccountUse[]
}

/** The instances that run the disabled images: not stopped by disabling, but never launched again from them. */
export interface Instances {
  /** In the owner account (DescribeImageReferences). */
  own: number
  /** In other accounts (usage reports, consumer-role), by account. */
  others: Map<string, number>
}

/** What `retire` did, for the renderers. */
export interface RetireSummary {
  /** Retired (or that would be, in a dry run). */
  retired: RetiredImage[]
  failed: RetiredImage[]
  /** Snapshots of retired images that EC2 did not delete or archive (not `skipped`: that one another image uses). */
  snapshotFailures: Array<{ image: RetiredImage; snapshot: RetiredSnapshot }>
  leftAlone: Decision[]
  totals: RetireTotals
  byRegion: Map<string, RetireTotals>
}

export interface Outcome {
  /** `retire` only. */
  retire?: RetireSummary
  /** Set when the step must fail: the reason in one line. */
  failure?: string
  mark: Mark
  /** The images changed (or that would be, in a dry run). */
  done: Change[]
  /** Of `done`, the re-enabled ones and the disabled ones, counted apart. */
  enabled: Change[]
  disabled: Change[]
  /** The images that could not be changed (or checked, in a dry run), or were kept as they were on purpose. */
  failed: Change[]
  /** Images the run meant to change and left as they were (already in the state, or in use), with why. */
  unchanged: Change[]
  /** What will fail its next launch: only what points at an image that was (or would be) disabled. */
  breaking: Breaking
  instances: Instances
  /** What could not be known about other accounts, for the images disabled (or to be). */
  unknowns: UsageUnknown[]
  /** The template versions that point at images this run disabled (the same as breaking.templates). */
  templates: TemplateUse[]
  /**
   * The verdict in plain words, without its mark: what was done (or would be), counted apart, or
   * why nothing was. The log's closing line and, escaped, the comment's first line.
   */
  headline: string
  /** What will (or would) fail its next launch, in words, when anything will: said beside the headline. */
  consequence?: string
  /** The log's closing line when the step does not fail: the headline and the consequence. */
  summary: string
}

const DONE = new Set(['disabled', 'enabled', 'would-disable', 'would-enable'])

/** Region errors stop the whole run: nothing was changed in any region. */
function regionFailure(report: RunReport): string | undefined {
  const failed = report.regions.filter((r) => r.error)
  if (failed.length === 0) return undefined
  if (report.command === 'status')
    return `the state could not be read: ${failed.map((r) => `${r.region}: ${r.error}`).join(' | ')}`
  if (report.regions.length === 1) return failed[0]?.error
  return `nothing was changed in any region: ${failed.map((r) => `${r.region}: ${r.error}`).join(' | ')}`
}

function changeFailure(failed: Change[], dryRun: boolean): string | undefined {
  if (failed.length === 0) return undefined
  const verb = dryRun ? 'checked' : 'changed'
  return `${failed.length} image(s) could not be ${verb}: ${failed.map((c) => `${c.imageId} (${c.message})`).join('; ')}`
}

function statusFailure(report: RunReport): string | undefined {
  if (!report.status) return undefined
  const { entries, requireState } = report.status
  const wrong = entries.filter((e) => e.state !== requireState)
  if (wrong.length === 0) return undefined
  const which = wrong.map((e) => `${e.imageId} is ${e.state}`).join(', ')
  return `${wrong.length} of ${entries.length} image(s) not ${requireState}: ${which}`
}

/** Only what points at an image that was (or would be) disabled breaks: a failed disable breaks nothing. */
function breakingOf(report: RunReport, disabled: Change[]): Breaking {
  const ids = new Set(disabled.map((c) => `${c.region} ${c.imageId}`))
  const hit = (u: { region: string; imageId: string }): boolean => ids.has(`${u.region} ${u.imageId}`)
  // An account named through consumer-role is counted by the templates found there, not again by its usage report;
  // every consumer-role entry is such an account, so only usage-report entries are left.
  const named = new Set(
    report.regions.flatMap((r) => r.accounts.filter((a) => a.source === 'consumer-role').map((a) => a.accountId))
  )
  return {
    templates: report.regions.flatMap((r) => r.templates.filter(hit)),
    groups: report.regions.flatMap((r) => r.groups.filter(hit)),
    launchConfigurations: report.regions.flatMap((r) => r.launchConfigurations.filter(hit)),
    references: report.regions.flatMap((r) => r.references.filter((x) => hit(x) && x.resourceType !== 'ec2:Instance')),
    accounts: report.regions.flatMap((r) =>
      r.accounts.filter((a) => hit(a) && a.launchTemplates > 0 && !named.has(a.accountId))
    )
  }
}

function instancesOf(report: RunReport, disabled: Change[]): Instances {
  const ids = new Set(disabled.map((c) => `${c.region} ${c.imageId}`))
  const hit = (u: { region: string; imageId: string }): boolean => ids.has(`${u.region} ${u.imageId}`)
  const refs = report.regions.flatMap((r) => r.references.filter((x) => hit(x) && x.resourceType === 'ec2:Instance'))
  const others = new Map<string, number>()
  for (const { accountId } of refs) if (accountId) others.set(accountId, (others.get(accountId) ?? 0) + 1)
  // A usage report counts an account's instances; consumer-role names them (as references) when it can.
  const namedInstances = new Set(others.keys())
  for (const a of report.regions.flatMap((r) => r.accounts.filter(hit))) {
    if (a.source === 'usage-report' && !namedInstances.has(a.accountId) && a.instances > 0)
      others.set(a.accountId, (others.get(a.accountId) ?? 0) + a.instances)
  }
  return { own: refs.filter((x) => !x.accountId).length, others }
}

export function breaks(b: Breaking): boolean {
  return (
    b.templates.length + b.groups.length + b.launchConfigurations.length + b.references.length + b.accounts.length > 0
  )
}

/**
 * A failure that changed nothing is ❌; whenever a launch will (or would) fail it is ⚠️, dry
 * run or not; so is a run with a warning (something not checked) or an unknown; an image that
 * failed beside others that changed is ⚠️; a dry run that finds nothing to warn about is 🧪;
 * only what is done with nothing breaking and nothing unchecked is ✅.
 */
function markOf(report: RunReport, failure: string | undefined, done: Change[], b: Breaking): Mark {
  if (report.command === 'status') return failure ? 'failure' : 'success'
  if (failure && done.length === 0) return 'failure'
  // What could not be checked (a warning of the search, an unknown about other accounts) may
  // break as much as what was found: never a success mark over it.
  const unchecked = report.regions.some((r) => r.unknowns.length > 0 || r.warnings.length > 0)
  // (an image that failed is a failure: changeFailure)
  if (breaks(b) || failure || unchecked) return 'warning'
  if (report.dryRun && done.length > 0) return 'dry-run'
  return 'success'
}

/** `1 image`, `2 images`; `many` for a plural that is not `one` + `s` (`2 images to disable`). */
export function plural(k: number, one: string, many = `${one}s`): string {
  return `${k} ${k === 1 ? one : many}`
}

/** `a`, `a and b`, `a, b and c`. */
function and(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1] ?? ''}`
}

/** The groups that will fail, each once: through a template version (directly or mixed) or a launch configuration. */
export function breakingGroups(b: Breaking): Array<{ region: string; autoScalingGroupName: string }> {
  const all = [...b.groups, ...b.launchConfigurations.flatMap((c) => c.groups.map((g) => ({ region: c.region, ...g })))]
  const seen = new Map(all.map((g) => [`${g.region} ${g.autoScalingGroupName}`, g]))
  return [...seen.values()].map((g) => ({ region: g.region, autoScalingGroupName: g.autoScalingGroupName }))
}

function consequenceOf(b: Breaking, dryRun: boolean): string | undefined {
  if (!breaks(b)) return undefined
  const count = (type: ImageReference['resourceType'] | 'recipe'): number =>
    b.references.filter((r) =>
      type === 'recipe' ? r.resourceType.startsWith('imagebuilder:') : r.resourceType === type
    ).length
  const otherAccounts = new Set(b.accounts.map((a) => a.accountId)).size
  const otherTemplates = b.accounts.reduce((n, a) => n + a.launchTemplates, 0)
  const items = [
    [b.templates.length, 'launch template version'],
    [breakingGroups(b).length, 'Auto Scaling group'],
    [b.launchConfigurations.length, 'launch configuration'],
    [count('ssm:Parameter'), 'SSM parameter'],
    [count('recipe'), 'Image Builder recipe']
  ] as const
  const parts = items.filter(([n]) => n > 0).map(([n, what]) => plural(n, what))
  if (otherAccounts > 0) {
    parts.push(`${plural(otherTemplates, 'launch template')} in ${plural(otherAccounts, 'other account')}`)
  }
  const one = items.reduce((n, [k]) => n + k, 0) + otherTemplates === 1
  const build = count('recipe') > 0 ? ' (or build)' : ''
  return `${and(parts)} ${dryRun ? 'would fail' : 'will fail'} ${one ? 'its' : 'their'} next launch${build}`
}

/** ` in us-east-1`, ` in 3 regions`: where the changes (or retired images) were. */
function where(list: Array<{ region: string }>): string {
  const regions = [...new Set(list.map((c) => c.region))]
  return regions.length > 1 ? ` in ${regions.length} regions` : regions[0] ? ` in ${regions[0]}` : ''
}

/** `6 images disabled`, `3 images would be re-enabled and 1 disabled`, or why nothing was. */
function doneWords(report: RunReport, enabled: Change[], disabled: Change[]): string {
  const would = report.dryRun ? 'would be ' : ''
  if (report.command === 'disable') {
    const skips = report.regions.flatMap((r) => r.decisions).filter((d) => d.kind === 'skip')
    const inUse = skips.filter((d) => d.inUse).length
    const left = [
      inUse
        ? `${plural(inUse, 'image')} ${would}left enabled because ${inUse === 1 ? 'it is' : 'they are'} in use`
        : '',
      skips.length - inUse ? `${plural(skips.length - inUse, 'image')} skipped` : ''
    ].filter(Boolean)
    const also = left.length ? `; ${left.join(', ')}` : ''
    if (disabled.length === 0)
      return left.length ? `Nothing ${would}disabled${also}` : 'Nothing to disable: no superseded image is enabled'
    return `${plural(disabled.length, 'image')} ${would}disabled${where(disabled)}${also}`
  }
  if (report.command === 'enable') {
    if (enabled.length === 0) return `Nothing to re-enable: no image needed it`
    return `${plural(enabled.length, 'image')} ${would}re-enabled${where(enabled)}`
  }
  const both = [...enabled, ...disabled]
  if (both.length === 0) return `Nothing ${would}re-enabled or disabled`
  return `${plural(enabled.length, 'image')} ${would}re-enabled and ${disabled.length} ${would}disabled${where(both)}`
}

/** Every image failed: `Nothing was changed: 2 images could not be disabled (see Failed)`. */
function noneDone(report: RunReport, failed: number, verb: string): string {
  const none = report.dryRun ? 'Dry run: nothing would change' : 'Nothing was changed'
  return `${none}: ${plural(failed, 'image')} could not be ${verb} (see Failed)`
}

function headlineOf(
  report: RunReport,
  failure: string | undefined,
  o: { done: Change[]; enabled: Change[]; disabled: Change[]; failed: Change[] }
): string {
  if (report.status) {
    // no failure: every image is in the required state
    return failure ?? `Every image is ${report.status.requireState}`
  }
  if (failure && o.done.length === 0) {
    const reason = failure.replace(/\.$/, '')
    if (report.refusal) return `Nothing was changed: ${reason}`
    // Not a region's error, so every image failed (changeFailure): the count here, each image's reason once, in the
    // table below it.
    if (!report.regions.some((r) => r.error)) {
      const actions = new Set(o.failed.map((c) => c.action))
      const verb = report.dryRun
        ? 'checked'
        : actions.size > 1
          ? 'changed'
          : actions.has('enable')
            ? 're-enabled'
            : 'disabled'
      return noneDone(report, o.failed.length, verb)
    }
    return reason
  }
  // A rollback's bad image kept enabled on purpose (nothing to go back to) did not fail: said apart.
  // (its bad image left enabled by the rule of rules/rollback.ts, `staysEnabledBecause`, not by a failed call)
  const held = o.failed.filter((c) => c.keptOnPurpose)
  const failedCount = o.failed.length - held.length
  const failed = [
    failedCount ? `${plural(failedCount, 'image')} failed` : '',
    held.length
      ? `${plural(held.length, 'bad image')} ${report.dryRun ? 'would stay' : 'stayed'} enabled (see Failed for why)`
      : ''
  ]
    .filter(Boolean)
    .map((w) => `; ${w}`)
    .join('')
  return `${report.dryRun ? 'Dry run: ' : ''}${doneWords(report, o.enabled, o.disabled)}${failed}`
}

/** Snapshot results that leave a snapshot no image uses, still billed: the step fails, naming each. */
const SNAPSHOT_FAILURES = new Set(['missing-permissions', 'internal-error', 'client-error', 'failed'])

function retireSummaryOf(report: RunReport): RetireSummary {
  const all = report.regions.flatMap((r) => r.retired ?? [])
  const retired = all.filter((i) => i.outcome !== 'failed')
  return {
    retired,
    failed: all.filter((i) => i.outcome === 'failed'),
    snapshotFailures: retired.flatMap((image) =>
      image.snapshots.filter((s) => SNAPSHOT_FAILURES.has(s.result)).map((snapshot) => ({ image, snapshot }))
    ),
    // a retire run's decisions are the images it left alone (skips)
    leftAlone: report.regions.flatMap((r) => r.decisions),
    totals: retireTotals(all),
    byRegion: totalsByRegion(all)
  }
}

function retireFailure(report: RunReport, r: RetireSummary): string | undefined {
  const parts: string[] = []
  if (r.failed.length > 0) {
    const verb = report.dryRun ? 'checked' : 'retired'
    parts.push(
      `${r.failed.length} image(s) could not be ${verb}: ${r.failed.map((i) => `${i.imageId} (${i.message ?? 'failed'})`).join('; ')}`
    )
  }
  if (r.snapshotFailures.length > 0) {
    const what = r.snapshotFailures
      .map(
        ({ image, snapshot }) =>
          `${snapshot.snapshotId} of ${image.imageId} (${snapshot.result}${snapshot.message ? `: ${snapshot.message}` : ''})`
      )
      .join('; ')
    const verb = r.snapshotFailures.every((f) => f.image.snapshotsMode === 'archive') ? 'archived' : 'deleted'
    parts.push(`${r.snapshotFailures.length} snapshot(s) not ${verb}, still billed: ${what}`)
  }
  return parts.length ? parts.join('; ') : undefined
}

/** `3 images retired in 2 regions: 120 GiB of snapshots deleted, $6.00 a month saved`, or why nothing was. */
function retireWords(report: RunReport, r: RetireSummary): string {
  const would = report.dryRun ? 'would be ' : ''
  const left = r.leftAlone.length ? `; ${plural(r.leftAlone.length, 'image')} left alone` : ''
  const failed = r.failed.length ? `; ${plural(r.failed.length, 'image')} failed` : ''
  // (with none retired, a failed image is the run's failure: retireOutcome)
  if (r.retired.length === 0) {
    return r.leftAlone.length ? `Nothing ${would}retired${left}` : 'Nothing to retire: no image disabled by this action'
  }
  const { freedGiB, keptGiB, monthlySaving } = r.totals
  const at = where(r.retired)
  const n = plural(r.retired.length, 'image')
  const mode = r.retired[0]?.snapshotsMode
  const saved = `${dollars(monthlySaving)} a month ${would}saved`
  const still = keptGiB > 0 ? `, ${gibibytes(keptGiB)} still billed` : ''
  const what =
    mode === 'keep'
      ? `${n} ${would}deregistered${at}, snapshots kept: ${gibibytes(keptGiB)} still billed (${dollars(monthlyCost(keptGiB))} a month)`
      : mode === 'archive'
        ? `${n} ${would}retired to the archive tier${at}: ${gibibytes(freedGiB)} of snapshots ${would}archived, ${saved}${still}`
        : `${n} ${would}retired${at}: ${gibibytes(freedGiB)} of snapshots ${would}deleted, ${saved}${still}`
  return `${what}${left}${failed}`
}

function retireOutcome(report: RunReport): Outcome {
  const r = retireSummaryOf(report)
  const failure = regionFailure(report) ?? report.refusal ?? retireFailure(report, r)
  let headline: string
  if (failure && r.retired.length === 0) {
    const reason = failure.replace(/\.$/, '')
    if (report.refusal) headline = `Nothing was changed: ${reason}`
    // not a region's error: every image failed (the snapshots of none retired cannot fail)
    else if (!report.regions.some((x) => x.error)) {
      headline = noneDone(report, r.failed.length, report.dryRun ? 'checked' : 'retired')
    } else headline = reason
  } else headline = `${report.dryRun ? 'Dry run: ' : ''}${retireWords(report, r)}`
  const unknowns = report.regions.flatMap((x) => x.unknowns)
  const warned = failure || unknowns.length > 0 || report.regions.some((x) => x.warnings.length)
  const mark: Mark =
    failure && r.retired.length === 0
      ? 'failure'
      : warned
        ? 'warning'
        : report.dryRun && r.retired.length > 0
          ? 'dry-run'
          : 'success'
  const breaking = { templates: [], groups: [], launchConfigurations: [], references: [], accounts: [] }
  return {
    retire: r,
    ...(failure ? { failure } : {}),
    mark,
    done: [],
    enabled: [],
    disabled: [],
    failed: [],
    unchanged: [],
    breaking,
    instances: { own: 0, others: new Map() },
    unknowns,
    templates: [],
    headline,
    summary: `${headline}.`
  }
}

export function outcomeOf(report: RunReport): Outcome {
  if (report.command === 'retire') return retireOutcome(report)
  const changes = report.regions.flatMap((r) => r.changes)
  const done = changes.filter((c) => DONE.has(c.outcome))
  const disabled = done.filter((c) => c.action === 'disable')
  const failed = changes.filter((c) => c.outcome === 'failed')
  const failure =
    regionFailure(report) ?? report.refusal ?? statusFailure(report) ?? changeFailure(failed, report.dryRun)
  const breaking = breakingOf(report, disabled)
  const enabled = done.filter((c) => c.action === 'enable')
  const headline = headlineOf(report, failure, { done, enabled, disabled, failed })
  const consequence = consequenceOf(breaking, report.dryRun)
  const unknowns = report.regions.flatMap((r) => r.unknowns)
  return {
    ...(failure ? { failure } : {}),
    mark: markOf(report, failure, done, breaking),
    done,
    enabled,
    disabled,
    failed,
    unchanged: changes.filter((c) => c.outcome === 'unchanged'),
    breaking,
    instances: instancesOf(report, disabled),
    unknowns,
    templates: breaking.templates,
    headline,
    ...(consequence ? { consequence } : {}),
    summary: `${headline}${consequence ? `; ${consequence}` : ''}.`
  }
}
