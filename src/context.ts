/** What every command is given: the settings and the gateways. Commands print nothing themselves. */
import type { Ec2 } from './aws/ec2.js'
import type {
  AccountUse,
  GroupUse,
  Image,
  LaunchConfigurationUse,
  ImageReference,
  Sharing,
  TemplateUse,
  Usage,
  UsageUnknown
} from './model.js'
import type { Settings } from './settings.js'

export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

/**
 * Finds the launch templates and Auto Scaling groups that point at images of one region. Calling
 * it starts the reads that do not depend on the images (the groups, the templates whose image is
 * an SSM parameter), so that they run while the family is looked up; `find` adds the query for
 * the images and joins them. A search that is never asked to `find` leaves nothing unhandled.
 */
export type UsageFinder = (region: string) => UsageSearch

export interface UsageSearch {
  /**
   * What points at `imageIds`. `replacementIds` are the images the affected things should move to
   * (the new image; for a rollback, the re-enabled one): template versions that already use one
   * are returned in `replacements`. Rejects with an AwsError when the launch templates cannot be read.
   */
  find(imageIds: string[], replacementIds?: string[]): Promise<Usage>
}

/**
 * Finds who else uses images of one region: other accounts, from EC2's AMI usage reports and,
 * with `consumer-role`, by name in those accounts. `find` never rejects: what could not be known
 * is in `unknowns`, with why.
 */
export type ConsumerFinder = (region: string) => ConsumerSearch

export interface ConsumerSearch {
  /** The images about to be disabled, each with the sharing it has now (undefined when it could not be read). */
  find(images: Array<{ image: Image; sharing: Sharing | undefined }>): Promise<ConsumerUsage>
}

/** What other accounts hold of a region's images. Every template, group and reference carries its `accountId`. */
export interface ConsumerUsage {
  accounts: AccountUse[]
  templates: TemplateUse[]
  groups: GroupUse[]
  launchConfigurations: LaunchConfigurationUse[]
  references: ImageReference[]
  unknowns: UsageUnknown[]
  /** What was searched, in words (e.g. `usage reports of 2 shared images`, `3 other accounts by consumer-role`). */
  checked: string[]
  warnings: string[]
}

export interface Context {
  settings: Settings
  ec2(region: string): Ec2
  usage: UsageFinder
  /** Who else uses the images (other accounts); absent: nobody else is looked for. */
  consumers?: ConsumerFinder
  log: Logger
  now(): Date
  /** `owner/repo/actions/runs/ID`, written in the lineage. */
  runRef?: string
  /**
   * Called by each command once it has decided what to change, before it changes anything (from
   * then on it mostly waits on AWS, so the entry point reads the pull request meanwhile).
   */
  planned(): void
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
