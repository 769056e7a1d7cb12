/** What every command is given: the settings and the gateways. Commands print nothing themselves. */
import type { Ec2 } from '../aws/ec2.js'
import type { Settings } from '../settings.js'
import type { GroupUse, TemplateUse } from '../model.js'

export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export interface Usage {
  templates: TemplateUse[]
  groups: GroupUse[]
  warnings: string[]
}

/** Finds the launch templates and Auto Scaling groups that point at images of one region. */
export type UsageFinder = (region: string, imageIds: string[]) => Promise<Usage>

export interface Context {
  settings: Settings
  ec2(region: string): Ec2
  usage: UsageFinder
  log: Logger
  now(): Date
  /** `owner/repo/actions/runs/ID`, written in the lineage. */
  runRef?: string
}

/** A failure that stops a whole region before anything changes in it. */
export class RegionError extends Error {
  constructor(
    readonly region: string,
    message: string
  ) {
    super(message)
    this.name = 'RegionError'
  }
}
