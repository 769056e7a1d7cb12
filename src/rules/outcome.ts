/**
 * What a run's report comes to, in one place: whether the step fails (and the one line why), the
 * mark of its verdict, and the log's closing line. The comment, the job summary, the outputs and
 * the entry point all read it from here. Pure: a report in, an outcome out.
 */
import type { Change, RunReport, TemplateUse } from '../model.js'

/** The verdict's mark: ✅ success, ⚠️ warning, ❌ failure, 🧪 a dry run. */
export type Mark = 'success' | 'warning' | 'failure' | 'dry-run'

export interface Outcome {
  /** Set when the step must fail: the reason in one line. */
  failure?: string
  mark: Mark
  /** The images changed (or that would be, in a dry run). */
  done: Change[]
  /** The images that could not be changed (or checked, in a dry run). */
  failed: Change[]
  /** The template versions that point at images this run disabled. */
  templates: TemplateUse[]
  /** The log's closing line when the step does not fail. */
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

function markOf(report: RunReport, failure: string | undefined, done: Change[], failed: Change[]): Mark {
  if (report.command === 'status') return failure ? 'failure' : 'success'
  if (failure && done.length === 0) return 'failure'
  if (done.length === 0) return 'success'
  if (report.dryRun) return 'dry-run'
  return failed.length ? 'warning' : 'success'
}

function summaryOf(report: RunReport, changes: Change[]): string {
  if (report.status) return `All ${report.status.entries.length} image(s) are ${report.status.entries[0]?.state ?? ''}.`
  const count = (outcome: string): number => changes.filter((c) => c.outcome === outcome).length
  if (report.dryRun) {
    return `Dry run: ${count('would-disable')} image(s) would be disabled, ${count('would-enable')} re-enabled; nothing was changed.`
  }
  return `Done: ${count('disabled')} image(s) disabled, ${count('enabled')} re-enabled.`
}

export function outcomeOf(report: RunReport): Outcome {
  const changes = report.regions.flatMap((r) => r.changes)
  const done = changes.filter((c) => DONE.has(c.outcome))
  const failed = changes.filter((c) => c.outcome === 'failed')
  const failure =
    regionFailure(report) ?? report.refusal ?? statusFailure(report) ?? changeFailure(failed, report.dryRun)
  return {
    ...(failure ? { failure } : {}),
    mark: markOf(report, failure, done, failed),
    done,
    failed,
    templates: report.regions.flatMap((r) => r.templates),
    summary: summaryOf(report, changes)
  }
}
