/**
 * Plain data shared by every layer: no SDK types, no I/O. The rules, the commands and the
 * reports speak only these shapes.
 */

export type Command = 'disable' | 'enable' | 'rollback' | 'status' | 'retire'
/** `retire`: what happens to a retired image's snapshots. */
export type SnapshotsMode = 'delete' | 'keep' | 'archive'
export type InUsePolicy = 'report' | 'skip' | 'fail'

export const IMAGE_STATES = [
  'pending',
  'available',
  'invalid',
  'deregistered',
  'transient',
  'failed',
  'error',
  'disabled'
] as const
export type ImageState = (typeof IMAGE_STATES)[number]

/** One new (or named) image: where it lives and its id. */
export interface Target {
  region: string
  imageId: string
  /** Where `region` came from, so that an id not found there can say why it was looked for there. */
  regionFrom?: RegionSource
}

/**
 * Where a target's region came from: the `region` input, the `AWS_REGION` or `AWS_DEFAULT_REGION`
 * variable, the `region:ami-…` form of `image-id`, or the Packer manifest's `artifact_id`.
 */
export type RegionSource = 'input' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'image-id' | 'packer-manifest'

export interface Tag {
  key: string
  value: string
}

/** What EC2 tells about an image, reduced to what the action needs. */
export interface Image {
  region: string
  imageId: string
  name: string
  ownerId: string
  state: string
  /** ISO 8601, as EC2 gives it. */
  creationDate: string
  public: boolean
  tags: Tag[]
  deprecationTime?: string
  lastLaunchedTime?: string
  /** `disabled`, or a value starting with `enabled` (DeregisterImage then fails for everyone). */
  deregistrationProtection?: string
  /** The EBS snapshots of its block device mappings, with the volume size they were registered with. */
  snapshots?: ImageSnapshot[]
}

/** One EBS snapshot of an image's block device mappings. */
export interface ImageSnapshot {
  snapshotId: string
  /** The volume size of the mapping (GiB): what the snapshot is billed for at most. */
  sizeGiB?: number
}

/** Who may launch an image: exactly what DisableImage removes. */
export interface Sharing {
  public: boolean
  userIds: string[]
  organizationArns: string[]
  organizationalUnitArns: string[]
}

export function emptySharing(): Sharing {
  return { public: false, userIds: [], organizationArns: [], organizationalUnitArns: [] }
}

/** What this action writes on an image before it disables it. */
export interface Lineage {
  /** The image that superseded this one (the new image, or for a rollback the image rolled back to). */
  supersededBy: string
  /** Why: `superseded` by a newer build, or `rolled-back` (the bad image disabled by a rollback). */
  reason: 'superseded' | 'rolled-back'
  disabledAt: string
  /** The workflow run that disabled it, `owner/repo/actions/runs/ID`, when known. */
  run?: string
  /** Set by enable/rollback when the image was re-enabled. */
  reenabledAt?: string
}

export interface DisableRecord {
  lineage: Lineage
  sharing: Sharing
}

export type DecisionKind = 'disable' | 'keep' | 'exclude' | 'skip'

/** What happens to one image of a family, and why. */
export interface Decision {
  image: Image
  kind: DecisionKind
  reason: string
  /** The new image that supersedes it (disable and keep decisions). */
  supersededBy?: string
  /** Left enabled because a launch template still uses it (in-use: skip). */
  inUse?: boolean
}

/** A launch template version that points at an image. */
export interface TemplateUse {
  region: string
  launchTemplateId: string
  launchTemplateName: string
  versionNumber: number
  imageId: string
  /** The value in the template when it is not the id itself (e.g. `resolve:ssm:/golden/web`). */
  imageReference?: string
  isDefault: boolean
  isLatest: boolean
  /** The account that holds the template, when it is not the owner's own (found through `consumer-role`). */
  accountId?: string
}

/** An Auto Scaling group whose launches use an affected template version. */
export interface GroupUse {
  region: string
  autoScalingGroupName: string
  launchTemplateId: string
  launchTemplateName: string
  /** As the group names it: `$Default`, `$Latest` or a number (a pinned version). */
  version: string
  versionNumber: number
  imageId: string
  viaMixedInstancesPolicy: boolean
  /** The group's desired capacity: how many instances a failed scale-out or replacement would hit. */
  desiredCapacity: number
  /** The account that holds the group, when it is not the owner's own (found through `consumer-role`). */
  accountId?: string
}

/** A launch configuration (still used by older groups) whose image is an affected image. */
export interface LaunchConfigurationUse {
  region: string
  launchConfigurationName: string
  imageId: string
  /** The groups that launch from it, with their desired capacity. */
  groups: Array<{ autoScalingGroupName: string; desiredCapacity: number }>
  /** The account that holds it, when it is not the owner's own (found through `consumer-role`). */
  accountId?: string
}

/** What EC2's DescribeImageReferences names: a resource of the caller's account that references an image. */
export type ReferenceType =
  'ssm:Parameter' | 'imagebuilder:ImageRecipe' | 'imagebuilder:ContainerRecipe' | 'ec2:Instance' | 'ec2:LaunchTemplate'

/**
 * A resource that references an image (DescribeImageReferences, in the owner account or, through
 * `consumer-role`, in another). SSM parameters and Image Builder recipes make an image "in use";
 * instances are only counted (disabling does not stop them).
 */
export interface ImageReference {
  region: string
  imageId: string
  resourceType: ReferenceType
  arn: string
  /** The account that holds it, when it is not the owner's own. */
  accountId?: string
}

/** Who else uses an image: what one other account holds of it. */
export interface AccountUse {
  region: string
  imageId: string
  accountId: string
  /** Launch templates (usage report: EC2's count; consumer-role: the templates named there). */
  launchTemplates: number
  instances: number
  source: 'usage-report' | 'consumer-role'
}

/**
 * A part of the usage that could not be known in time: a usage report that is still pending at
 * `usage-report-timeout`, failed, or was denied; a role that could not be assumed. Under
 * `in-use: skip|fail` a shared image with an unknown counts as in use; under `report` it is a warning.
 */
export interface UsageUnknown {
  region: string
  /** The image it is about, or every image of the region when absent. */
  imageId?: string
  /** The account it is about, when one. */
  accountId?: string
  /** What could not be known, and why, in one line (names the IAM action or the role when denied). */
  why: string
}

/** The launch templates, Auto Scaling groups and launch configurations that point at a region's images. */
export interface Usage {
  templates: TemplateUse[]
  groups: GroupUse[]
  launchConfigurations: LaunchConfigurationUse[]
  /**
   * Template versions (default or latest) that already use one of the replacement images the
   * search was given (the new image): for a template whose other version is affected, the fix is
   * to make this version the default.
   */
  replacements: TemplateUse[]
  /** SSM parameters, Image Builder recipes and instances that reference the images (DescribeImageReferences). */
  references: ImageReference[]
  /** Who else uses the images (usage reports, consumer-role). */
  accounts: AccountUse[]
  /** What could not be known in time about other accounts. */
  unknowns: UsageUnknown[]
  /** What the search looked at, in words (`launch templates`, `Auto Scaling groups`, …), for the report. */
  checked: string[]
  /** What could not be checked (e.g. the groups, when their read was denied), with why. */
  warnings: string[]
}

/** A search that found nothing and looked at nothing. */
export function emptyUsage(): Usage {
  return {
    templates: [],
    groups: [],
    launchConfigurations: [],
    replacements: [],
    references: [],
    accounts: [],
    unknowns: [],
    checked: [],
    warnings: []
  }
}

/** Where the affected things could look for something to launch instead, kept out of the search. */
export const NOT_CHECKED = [
  'EC2 Fleet and Spot Fleet requests',
  'AWS Batch compute environments and other services that name the image',
  'SSM parameters and Image Builder recipes',
  'other accounts the images are shared with'
] as const

export type ChangeOutcome = 'disabled' | 'enabled' | 'would-disable' | 'would-enable' | 'failed' | 'unchanged'

/** What happened to one image the run set out to change. */
export interface Change {
  region: string
  imageId: string
  name: string
  action: 'disable' | 'enable'
  outcome: ChangeOutcome
  /** Failure or remark, for the report. */
  message?: string
  /** Sharing removed by the disable (or restored by the enable). */
  sharing?: Sharing
  /**
   * Left as it was on purpose, not by a failed call: a rollback's bad image kept enabled because
   * disabling it would leave no image to launch (the step still fails, with `message` saying why).
   */
  keptOnPurpose?: boolean
  warnings?: string[]
}

/**
 * What `retire` did (or would do) to one snapshot of an image. `result` is EC2's own code for a
 * deleted snapshot (`success`, `skipped`: used by another image, never deleted,
 * `missing-permissions`, `internal-error`, `client-error`), or the action's word: `would-delete`,
 * `would-skip` (dry run), `kept` (`snapshots: keep`), `archived`, `would-archive`,
 * `already-archived`, `failed` (`snapshots: archive`), `unknown` (EC2 named no result for it).
 */
export interface RetiredSnapshot {
  snapshotId: string
  sizeGiB?: number
  /** Its storage tier before the run (DescribeSnapshots), when known. */
  tier?: 'standard' | 'archive'
  result: string
  /** Why it failed, or a remark. */
  message?: string
}

export type RetireOutcome = 'retired' | 'would-retire' | 'failed'

/** One image `retire` set out to retire: what became of it and its snapshots, and what it frees. */
export interface RetiredImage {
  region: string
  imageId: string
  name: string
  /** When this action disabled it (its record). */
  disabledAt: string
  /** `delete`/`keep`: deregistered (or would be); `archive`: kept registered and disabled, its snapshots archived. */
  snapshotsMode: SnapshotsMode
  outcome: RetireOutcome
  snapshots: RetiredSnapshot[]
  /** GiB of snapshots deleted (`delete`) or moved to the archive tier (`archive`). */
  freedGiB: number
  /** GiB of snapshots still billed after the run (kept, skipped, not deleted, not archived). */
  keptGiB: number
  /** USD a month of snapshot storage that stops (archive: the difference between the two tiers). */
  monthlySaving: number
  /** Until when the deregistered image can be restored from the Recycle Bin (a retention rule caught it). */
  recycleBinExitTime?: string
  /** Why it failed, or a remark. */
  message?: string
  warnings?: string[]
}

export interface RegionReport {
  region: string
  /** The new images (disable), the named images (enable/rollback/status). */
  images: Image[]
  /** The family name this region's decisions were made for. */
  family?: string
  decisions: Decision[]
  changes: Change[]
  templates: TemplateUse[]
  groups: GroupUse[]
  launchConfigurations: LaunchConfigurationUse[]
  /** SSM parameters, recipes and instances that reference the region's affected images. */
  references: ImageReference[]
  /** Who else uses the region's affected images. */
  accounts: AccountUse[]
  /** What could not be known in time about other accounts. */
  unknowns: UsageUnknown[]
  /** The account that owns the images (the caller's), when known. */
  accountId?: string
  /** Template versions that already use `pointTo` (see Usage.replacements). */
  replacements: TemplateUse[]
  /**
   * The image the affected templates should point at instead: the region's newest new image
   * (`disable`), or the newest image a rollback re-enabled.
   */
  pointTo?: string
  /** What the usage search looked at (empty when it did not run). */
  checked: string[]
  warnings: string[]
  /** A region-level failure (an image not found, a wait that failed): nothing was changed in any region. */
  error?: string
  /**
   * `retire`: the images it retired (or would, or failed to), in the order found. The images it
   * left alone are its `decisions`, each a `skip` with why.
   */
  retired?: RetiredImage[]
}

/** Snapshot storage held by images: how many snapshots, their size, what they cost a month (standard tier). */
export interface SnapshotStorage {
  images: number
  snapshots: number
  sizeGiB: number
  monthlyCost: number
}

/** One named image's state, for `status`. */
export interface StatusEntry {
  region: string
  imageId: string
  state: string
  name?: string
  creationDate?: string
  deprecationTime?: string
  lastLaunchedTime?: string
}

/** What `status` found, and the state it required. */
export interface StatusReport {
  requireState: string
  entries: StatusEntry[]
}

export interface RunReport {
  command: Command
  dryRun: boolean
  /**
   * What the run was about, for titles and the log: the family (`disable`), or the images named
   * (`enable`, `rollback`, `status`).
   */
  subject: string
  /** The sticky comment's key: one comment per key and pull request. */
  commentKey: string
  regions: RegionReport[]
  status?: StatusReport
  /** `retire`: the settings that decided it, for the report. */
  retire?: { retireAfterDays: number; snapshots: SnapshotsMode }
  /** Why a guard refused the whole run (nothing was changed in any region), when one did. */
  refusal?: string
}
