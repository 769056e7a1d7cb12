/** The log lines a person scanning a CI log reads: one per image changed. */
import type { Logger } from '../context.js'
import type { Change, ChangeOutcome, GroupUse, LaunchConfigurationUse, Sharing, TemplateUse } from '../model.js'
import { describeTemplateVersion } from '../rules/usage.js'

const VERBS: Record<Exclude<ChangeOutcome, 'failed'>, string> = {
  disabled: 'disabled',
  'would-disable': 'would disable',
  enabled: 're-enabled',
  'would-enable': 'would re-enable',
  unchanged: 'left as it is:'
}

/**
 * One log line per image changed. A failed change has none: the step's failure message
 * (rules/outcome.ts) names each failed image with why, once; a warning here said it again.
 */
export function logChange(log: Logger, change: Change, why?: string): void {
  if (change.outcome === 'failed') return
  const who = `${change.imageId} (${change.name})`
  const shared = change.sharing ? describeSharing(change.sharing) : ''
  const sharingNote = shared ? `; sharing ${change.action === 'disable' ? 'recorded' : 'restored'}: ${shared}` : ''
  const notes = [why, change.message].filter(Boolean).join('; ')
  log.info(`[${change.region}] ${VERBS[change.outcome]} ${who}${notes ? `, ${notes}` : ''}${sharingNote}`)
  for (const w of change.warnings ?? []) log.warning(`[${change.region}] ${who}: ${w}`)
}

export function describeSharing(sharing: Sharing): string {
  const parts: string[] = []
  if (sharing.public) parts.push('public')
  if (sharing.userIds.length) parts.push(`${sharing.userIds.length} account(s)`)
  if (sharing.organizationArns.length) parts.push(`${sharing.organizationArns.length} organization(s)`)
  if (sharing.organizationalUnitArns.length) parts.push(`${sharing.organizationalUnitArns.length} OU(s)`)
  return parts.join(', ')
}

/** The warning that template versions, groups and launch configurations will (or would) fail their next launch. */
export function logBreaking(
  log: Logger,
  region: string,
  found: { templates: TemplateUse[]; groups: GroupUse[]; launchConfigurations: LaunchConfigurationUse[] },
  dryRun: boolean
): void {
  const { templates, groups, launchConfigurations } = found
  const which = [
    ...templates.map((t) => `launch template ${describeTemplateVersion(t)}`),
    ...[...new Set(groups.map((g) => g.autoScalingGroupName))].map((g) => `Auto Scaling group ${g}`),
    ...launchConfigurations.map((c) => `launch configuration ${c.launchConfigurationName}`)
  ]
  if (which.length === 0) return
  const being = dryRun
    ? 'would be disabled, so their next launch would fail'
    : 'being disabled, so their next launch will fail'
  log.warning(`[${region}] still pointing at images ${being}: ${which.join(', ')}`)
}
