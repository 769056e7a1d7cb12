/** RunReport -> the step's outputs (all JSON but `state` and `comment-url`). Pure. */
import type { RunReport } from '../model.js'
import { outcomeOf, type Outcome } from '../rules/outcome.js'
import { retireTotals } from '../rules/retire.js'

export function outputsOf(report: RunReport, outcome: Outcome = outcomeOf(report)): Record<string, string> {
  const changes = report.regions.flatMap((r) => r.changes)
  const ids = (outcome: string) => JSON.stringify(changes.filter((c) => c.outcome === outcome).map((c) => c.imageId))
  const templates = report.regions.flatMap((r) =>
    r.templates.map((t) => ({
      region: t.region,
      ...(t.accountId || r.accountId ? { accountId: t.accountId ?? r.accountId } : {}),
      launchTemplateId: t.launchTemplateId,
      launchTemplateName: t.launchTemplateName,
      versionNumber: t.versionNumber,
      imageId: t.imageId,
      isDefault: t.isDefault,
      isLatest: t.isLatest
    }))
  )
  const outputs: Record<string, string> = {
    'disabled-image-ids': ids('disabled'),
    'enabled-image-ids': ids('enabled'),
    // deregistered, or whose snapshots were archived ([] in a dry run)
    'retired-image-ids': JSON.stringify(
      report.regions.flatMap((r) => (r.retired ?? []).filter((i) => i.outcome === 'retired').map((i) => i.imageId))
    ),
    'affected-launch-templates': JSON.stringify(templates),
    'affected-accounts': JSON.stringify(
      report.regions.flatMap((r) =>
        r.accounts.map((a) => ({
          region: a.region,
          imageId: a.imageId,
          accountId: a.accountId,
          launchTemplates: a.launchTemplates,
          instances: a.instances,
          source: a.source
        }))
      )
    ),
    report: JSON.stringify(reportJson(report, outcome))
  }
  if (report.status) {
    const states = new Set(report.status.entries.map((s) => s.state))
    outputs.state = states.size === 1 ? String([...states][0]) : 'mixed'
  }
  return outputs
}

/** The `report` output: the whole result as plain JSON, images reduced to what later steps use. */
export function reportJson(report: RunReport, outcome: Outcome = outcomeOf(report)): unknown {
  return {
    command: report.command,
    dryRun: report.dryRun,
    subject: report.subject,
    ...(report.command === 'disable' ? { family: report.subject } : {}),
    success: !outcome.failure,
    verdict: outcome.summary,
    ...(outcome.failure ? { failure: outcome.failure } : {}),
    ...(report.refusal ? { refused: true } : {}),
    regions: report.regions.map((r) => ({
      region: r.region,
      images: r.images.map((i) => ({ imageId: i.imageId, name: i.name, state: i.state, creationDate: i.creationDate })),
      decisions: r.decisions.map((d) => ({
        imageId: d.image.imageId,
        name: d.image.name,
        creationDate: d.image.creationDate,
        decision: d.kind,
        reason: d.reason
      })),
      changes: r.changes,
      launchTemplates: r.templates,
      autoScalingGroups: r.groups,
      launchConfigurations: r.launchConfigurations,
      references: r.references,
      accounts: r.accounts,
      unknowns: r.unknowns,
      ...(r.pointTo ? { pointTo: r.pointTo } : {}),
      checked: r.checked,
      warnings: r.warnings,
      ...(r.error ? { error: r.error } : {}),
      ...(r.retired ? { retired: r.retired, totals: outcome.retire?.byRegion.get(r.region) ?? retireTotals([]) } : {})
    })),
    ...(report.status ? { requireState: report.status.requireState, status: report.status.entries } : {}),
    ...(report.retire && outcome.retire ? { ...report.retire, totals: outcome.retire.totals } : {})
  }
}
