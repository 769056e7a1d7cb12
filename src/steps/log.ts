/** The log lines a person scanning a CI log reads: one per image changed. */
import type { Change, Sharing } from '../model.js'
import type { Context } from '../context.js'

const VERBS: Record<string, string> = {
  disabled: 'disabled',
  'would-disable': 'would disable',
  enabled: 're-enabled',
  'would-enable': 'would re-enable',
  unchanged: 'left as it is:'
}

/** One log line per image changed (a warning when it failed). */
export function logChange(ctx: Context, change: Change, why?: string): void {
  const who = `${change.imageId} (${change.name})`
  if (change.outcome === 'failed') {
    ctx.log.warning(`[${change.region}] ${who}: ${change.message}`)
    return
  }
  const shared = change.sharing ? describeSharing(change.sharing) : ''
  const sharingNote = shared ? `; sharing ${change.action === 'disable' ? 'recorded' : 'restored'}: ${shared}` : ''
  const notes = [why, change.message].filter(Boolean).join('; ')
  ctx.log.info(`[${change.region}] ${VERBS[change.outcome]} ${who}${notes ? `, ${notes}` : ''}${sharingNote}`)
  for (const w of change.warnings ?? []) ctx.log.warning(`[${change.region}] ${who}: ${w}`)
}

export function describeSharing(sharing: Sharing): string {
  const parts: string[] = []
  if (sharing.public) parts.push('public')
  if (sharing.userIds.length) parts.push(`${sharing.userIds.length} account(s)`)
  if (sharing.organizationArns.length) parts.push(`${sharing.organizationArns.length} organization(s)`)
  if (sharing.organizationalUnitArns.length) parts.push(`${sharing.organizationalUnitArns.length} OU(s)`)
  return parts.join(', ')
}
