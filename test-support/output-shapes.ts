/**
 * The shapes of the action's JSON outputs as the tests read them (`affected-launch-templates`,
 * `affected-accounts`): written down here once, apart from src/, so that a test states what a
 * workflow reading the output relies on.
 */

/** One row of `affected-launch-templates`. */
export interface AffectedTemplate {
  region: string
  /** the account of the template (the owner's or, through `consumer-role`, another's) */
  accountId?: string
  launchTemplateId: string
  launchTemplateName: string
  versionNumber: number
  imageId: string
  isDefault: boolean
  isLatest: boolean
}

/** One row of `affected-accounts`. */
export interface AffectedAccount {
  region: string
  imageId: string
  accountId: string
  launchTemplates: number
  instances: number
  source: 'usage-report' | 'consumer-role'
}
