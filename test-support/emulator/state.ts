/**
 * The emulator's state: images per region (each owned by an account), and per account and region
 * the account's own resources: launch templates, Auto Scaling groups, launch configurations,
 * instances, SSM parameters, Image Builder recipes, AMI usage reports. The owner account (the
 * default caller, `accountId`) is reached through the methods of `EmulatorState` itself; any other
 * account through `state.account(id)`, which has the same methods.
 */
import { makeRandom, randomHex } from './util.js'

export type ImageState =
  'pending' | 'available' | 'invalid' | 'deregistered' | 'transient' | 'failed' | 'error' | 'disabled'

export const IMAGE_STATES: readonly ImageState[] = [
  'pending',
  'available',
  'invalid',
  'deregistered',
  'transient',
  'failed',
  'error',
  'disabled'
]

export interface Tag {
  key: string
  value: string
}

/** A launch permission other than public (`group: all` is kept as `public: true` on the image). */
export type LaunchPermission = { userId: string } | { organizationArn: string } | { organizationalUnitArn: string }

export interface BlockDeviceMapping {
  deviceName: string
  ebs?: {
    snapshotId?: string
    volumeSize?: number
    volumeType?: string
    deleteOnTermination?: boolean
    encrypted?: boolean
    iops?: number
    throughput?: number
  }
  virtualName?: string
  noDevice?: string
}

export interface EmuImage {
  imageId: string
  name: string
  ownerId: string
  state: ImageState
  /** ISO 8601 with milliseconds, as EC2 prints it: 2026-11-01T10:00:00.000Z */
  creationDate: string
  tags: Tag[]
  public: boolean
  launchPermissions: LaunchPermission[]
  description?: string
  architecture: string
  imageType: string
  imageLocation: string
  imageOwnerAlias?: string
  rootDeviceType: string
  rootDeviceName: string
  virtualizationType: string
  hypervisor: string
  platform?: string
  platformDetails: string
  usageOperation: string
  enaSupport: boolean
  sriovNetSupport?: string
  bootMode?: string
  imdsSupport?: string
  tpmSupport?: string
  blockDeviceMappings: BlockDeviceMapping[]
  deprecationTime?: string
  lastLaunchedTime?: string
  /** `disabled` (default), `enabled-without-cooldown` or `enabled-with-cooldown` */
  deregistrationProtection?: string
  sourceImageId?: string
  sourceImageRegion?: string
  stateReason?: { code: string; message: string }
  /** pending schedule: epoch ms after which the image leaves `pending` */
  pendingUntil?: number
  /** pending schedule: number of DescribeImages calls (in its region) before it leaves `pending` */
  pendingDescribeCalls?: number
  /** state reached when the pending schedule elapses (default `available`) */
  pendingResolvesTo?: ImageState
}

/** What `addImage` accepts: everything optional, plus relative pending schedules. */
export type ImageInput = Partial<EmuImage> & {
  /** becomes `pendingResolvesTo` (default available) this many ms after being added; sets state pending */
  availableAfterMs?: number
  /** becomes `pendingResolvesTo` after this many DescribeImages calls in the region; sets state pending */
  availableAfterDescribes?: number
}

/** An EBS snapshot (of an image's block device mapping, or seeded alone). Owned by `ownerId`. */
export interface EmuSnapshot {
  snapshotId: string
  ownerId: string
  volumeId: string
  /** GiB */
  volumeSize: number
  state: 'pending' | 'completed' | 'error' | 'recoverable' | 'recovering'
  /** ISO 8601 with milliseconds */
  startTime: string
  /** EC2 writes `Created by CreateImage(i-…) for ami-… ` on the snapshots it makes for an image */
  description: string
  encrypted: boolean
  storageTier: 'standard' | 'archive'
  /** set while an archived snapshot is only temporarily restored (ISO 8601) */
  restoreExpiryTime?: string
  /** set when ModifySnapshotTier started (ISO 8601) */
  tieringStartTime?: string
  tags: Tag[]
}

export type SnapshotInput = Partial<EmuSnapshot> & { snapshotId?: string }

/** A Recycle Bin retention rule of a region: retention days per resource type (absent = no rule). */
export interface RecycleBinRule {
  /** EC2_IMAGE retention, in days */
  images?: number
  /** EBS_SNAPSHOT retention, in days */
  snapshots?: number
}

/** A resource in the Recycle Bin: what it was, when it went in, until when it can be restored (epoch ms). */
export interface BinEntry<T> {
  item: T
  enterTime: number
  exitTime: number
}

/** The tag Recycle Bin puts on what it holds (removed on restore). */
export const IN_BIN_TAG = 'aws:recycle-bin:resource-in-bin'

export interface EmuLaunchTemplateVersion {
  versionNumber: number
  versionDescription?: string
  createTime: string
  createdBy: string
  /** an AMI id or `resolve:ssm:/parameter/name` */
  imageId?: string
  instanceType?: string
  keyName?: string
  securityGroupIds?: string[]
  userData?: string
  ebsOptimized?: boolean
  kernelId?: string
  ramDiskId?: string
}

export interface EmuLaunchTemplate {
  launchTemplateId: string
  launchTemplateName: string
  createTime: string
  createdBy: string
  defaultVersion: number
  versions: EmuLaunchTemplateVersion[]
  tags: Tag[]
}

export interface LaunchTemplateInput {
  id?: string
  name: string
  createTime?: string
  createdBy?: string
  /** version numbers default to 1..n in order */
  versions: Array<Partial<EmuLaunchTemplateVersion>>
  /** default 1 */
  defaultVersion?: number
  tags?: Tag[]
}

export interface LaunchTemplateSpec {
  launchTemplateId?: string
  launchTemplateName?: string
  /** `$Default`, `$Latest` or a number as a string */
  version?: string
}

export interface MixedInstancesPolicy {
  launchTemplate: {
    launchTemplateSpecification: LaunchTemplateSpec
    overrides?: Array<{
      instanceType?: string
      weightedCapacity?: string
      launchTemplateSpecification?: LaunchTemplateSpec
      imageId?: string
    }>
  }
  instancesDistribution?: {
    onDemandAllocationStrategy?: string
    onDemandBaseCapacity?: number
    onDemandPercentageAboveBaseCapacity?: number
    spotAllocationStrategy?: string
  }
}

export interface EmuInstance {
  instanceId: string
  availabilityZone: string
  lifecycleState: string
  healthStatus: string
  protectedFromScaleIn: boolean
  instanceType?: string
  launchTemplate?: LaunchTemplateSpec
  launchConfigurationName?: string
}

export interface EmuAutoScalingGroup {
  autoScalingGroupName: string
  autoScalingGroupARN: string
  createdTime: string
  minSize: number
  maxSize: number
  desiredCapacity: number
  defaultCooldown: number
  availabilityZones: string[]
  healthCheckType: string
  launchTemplate?: LaunchTemplateSpec
  mixedInstancesPolicy?: MixedInstancesPolicy
  launchConfigurationName?: string
  tags: Array<Tag & { propagateAtLaunch?: boolean }>
  instances: EmuInstance[]
  status?: string
}

export type AutoScalingGroupInput = Partial<Omit<EmuAutoScalingGroup, 'autoScalingGroupName'>> & { name: string }

/** A launch configuration (the older way groups say what to launch): its image is fixed, no versions. */
export interface EmuLaunchConfiguration {
  launchConfigurationName: string
  launchConfigurationARN: string
  imageId: string
  instanceType: string
  createdTime: string
  keyName?: string
  securityGroups: string[]
  userData?: string
  iamInstanceProfile?: string
  ebsOptimized: boolean
  instanceMonitoring: boolean
}

export type LaunchConfigurationInput = Partial<Omit<EmuLaunchConfiguration, 'launchConfigurationName'>> & {
  name: string
  imageId: string
}

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped'

export const INSTANCE_STATES: readonly InstanceState[] = [
  'pending',
  'running',
  'shutting-down',
  'terminated',
  'stopping',
  'stopped'
]

/** An EC2 instance of an account: what DescribeImageReferences and the usage reports count. */
export interface EmuEc2Instance {
  instanceId: string
  imageId: string
  state: InstanceState
  instanceType: string
  launchTime: string
  /** the template it was launched from, if any */
  launchTemplate?: { launchTemplateId: string; version: string }
  /** the group it belongs to, if any */
  autoScalingGroupName?: string
}

export type Ec2InstanceInput = Partial<EmuEc2Instance> & { imageId: string }

/** An SSM parameter: `text` unless it was created with data type `aws:ec2:image`. */
export interface SsmParameterInput {
  value: string
  /** `text` (SSM's default) or `aws:ec2:image` */
  dataType?: string
}

/** An EC2 Image Builder image recipe or container recipe, with its parent image. */
export interface EmuImageRecipe {
  kind: 'image' | 'container'
  name: string
  version: string
  parentImage: string
  arn: string
}

export interface ImageRecipeInput {
  name: string
  /** an AMI id */
  parentImage: string
  /** semantic version, default 1.0.0 */
  version?: string
  /** a container recipe instead of an image recipe */
  container?: boolean
}

export type UsageReportState = 'pending' | 'available' | 'error'

export interface ResourceTypeOption {
  name: string
  values: string[]
}

export interface UsageResourceType {
  resourceType: string
  options: ResourceTypeOption[]
}

export interface UsageReportEntry {
  accountId: string
  resourceType: string
  usageCount: number
}

/** An AMI usage report (CreateImageUsageReport), held by the account that owns the image. */
export interface EmuUsageReport {
  reportId: string
  imageId: string
  state: UsageReportState
  stateReason?: string
  /** epoch ms */
  creationTime: number
  /** epoch ms: 30 days after creation, when EC2 deletes it */
  expirationTime: number
  resourceTypes: UsageResourceType[]
  /** the accounts asked for; empty = every account */
  accountIds: string[]
  tags: Tag[]
  clientToken?: string
  /** epoch ms after which a pending report leaves `pending` */
  readyAt?: number
  /** DescribeImageUsageReports answers still to show it `pending`; it leaves `pending` at the read after the last */
  pendingDescribes?: number
  /** the state a pending report reaches (default available) */
  resolvesTo?: 'available' | 'error'
  /** the StateReason it gets when it resolves to `error` */
  errorReason?: string
  /** computed when the report becomes available, unless seeded */
  entries?: UsageReportEntry[]
}

export interface UsageReportInput {
  imageId: string
  reportId?: string
  /** default available */
  state?: UsageReportState
  /** ISO 8601; default now */
  creationTime?: string
  /** pending for this many ms from now, then `resolvesTo` (sets state pending) */
  availableAfterMs?: number
  /**
   * pending in this many DescribeImageUsageReports answers, then `resolvesTo` (sets state pending):
   * a schedule that no slow start of the action can race, unlike `availableAfterMs`
   */
  availableAfterDescribes?: number
  resolvesTo?: 'available' | 'error'
  stateReason?: string
  /** default: ec2:Instance and ec2:LaunchTemplate (version-depth 20) */
  resourceTypes?: UsageResourceType[]
  accountIds?: string[]
  tags?: Tag[]
  /** the entries as they are; default: counted from the accounts when it becomes available */
  entries?: UsageReportEntry[]
}

export interface RegionSeed {
  images?: ImageInput[]
  launchTemplates?: LaunchTemplateInput[]
  autoScalingGroups?: AutoScalingGroupInput[]
  launchConfigurations?: LaunchConfigurationInput[]
  /** a value (data type `text`), or a value with its data type */
  ssmParameters?: Record<string, string | SsmParameterInput>
  instances?: Ec2InstanceInput[]
  imageRecipes?: ImageRecipeInput[]
  /** snapshots on their own (an image's snapshots are made from its block device mappings) */
  snapshots?: SnapshotInput[]
  /** the region's Recycle Bin retention rules */
  recycleBin?: RecycleBinRule
}

/** Where an account sits in AWS Organizations (for images shared with an organization or an OU). */
export interface Membership {
  /** `arn:aws:organizations::<management account>:organization/o-…` */
  organizationArn?: string
  /** `arn:aws:organizations::<management account>:ou/o-…/ou-…`, every OU the account is in (nested ones too) */
  organizationalUnitArns?: string[]
}

export interface AccountSeed extends Membership {
  regions?: Record<string, RegionSeed>
}

export interface Seed {
  accountId?: string
  regions: Record<string, RegionSeed>
  /** other accounts (consumers), with their own resources */
  accounts?: Record<string, AccountSeed>
}

export class RegionState {
  readonly launchTemplates = new Map<string, EmuLaunchTemplate>()
  readonly templateIdByName = new Map<string, string>()
  readonly groups = new Map<string, EmuAutoScalingGroup>()
  readonly launchConfigurations = new Map<string, EmuLaunchConfiguration>()
  readonly ssm = new Map<string, string>()
  /** data type per SSM parameter name (absent = `text`) */
  readonly ssmDataTypes = new Map<string, string>()
  readonly instances = new Map<string, EmuEc2Instance>()
  readonly recipes: EmuImageRecipe[] = []
  readonly usageReports = new Map<string, EmuUsageReport>()
  /**
   * The templates with a version whose image id (an AMI id or a `resolve:ssm:` alias) is the key,
   * each in the order the templates were added: an image-id query of a large account reads these
   * instead of every template, so its answer is not held up by the emulator's own work.
   */
  readonly templatesByImageId = new Map<string, EmuLaunchTemplate[]>()
  /** each template's place in the order they were added */
  readonly templateOrder = new Map<EmuLaunchTemplate, number>()
  /**
   * @param images the region's images, of every owner: the same map in every account's RegionState
   */
  constructor(
    readonly name: string,
    readonly images: Map<string, EmuImage> = new Map()
  ) {}

  indexVersion(template: EmuLaunchTemplate, imageId: string | undefined): void {
    if (imageId === undefined) return
    const list = this.templatesByImageId.get(imageId)
    if (!list) this.templatesByImageId.set(imageId, [template])
    else if (!list.includes(template)) list.push(template)
  }
}

const DEFAULT_DATE = '2026-11-01T10:00:00.000Z'
const DAY_MS = 24 * 3600 * 1000
/** EC2 deletes a usage report this long after its creation */
export const USAGE_REPORT_LIFETIME_MS = 30 * DAY_MS
/** the instance states a usage report counts */
const COUNTED_INSTANCE_STATES = new Set<InstanceState>(['pending', 'running', 'stopping', 'stopped'])
export const DEFAULT_USAGE_VERSION_DEPTH = 20

/** The resources of one account, per region; images are reached through the shared image table. */
export class AccountState {
  private readonly regions = new Map<string, RegionState>()
  organizationArn: string | undefined
  organizationalUnitArns: string[] = []

  constructor(
    private readonly world: EmulatorState,
    private readonly id: () => string
  ) {}

  get accountId(): string {
    return this.id()
  }

  /** The static access key of the account: requests signed with it act as the account. */
  get credentials(): { accessKeyId: string; secretAccessKey: string } {
    return this.world.staticCredentials(this.accountId)
  }

  /** Declares where the account sits in AWS Organizations (merged with what was declared before). */
  memberOf(membership: Membership): this {
    if (membership.organizationArn !== undefined) this.organizationArn = membership.organizationArn
    for (const ou of membership.organizationalUnitArns ?? []) {
      if (!this.organizationalUnitArns.includes(ou)) this.organizationalUnitArns.push(ou)
      // an OU is in its organization: arn:aws:organizations::<mgmt>:ou/o-x/ou-y -> …:organization/o-x
      const m = /^(arn:aws[a-z-]*:organizations::\d{12}):ou\/(o-[a-z0-9]+)\//.exec(ou)
      if (m && this.organizationArn === undefined) this.organizationArn = `${m[1]}:organization/${m[2]}`
    }
    return this
  }

  now(): number {
    return this.world.now()
  }

  region(name: string): RegionState {
    let r = this.regions.get(name)
    if (!r) this.regions.set(name, (r = new RegionState(name, this.world.imageTable(name))))
    return r
  }

  regionNames(): string[] {
    return [...this.regions.keys()]
  }

  /** Forget everything of the account (its regions and its membership). */
  clear(): void {
    this.regions.clear()
    this.organizationArn = undefined
    this.organizationalUnitArns = []
  }

  hasRegion(name: string): boolean {
    return this.regions.has(name)
  }

  // ---- images (owned by this account unless ownerId says otherwise) ----

  images(region: string): EmuImage[] {
    return this.world.images(region)
  }

  image(region: string, imageId: string): EmuImage | undefined {
    return this.world.image(region, imageId)
  }

  addImage(region: string, input: ImageInput = {}): EmuImage {
    return this.world.addImageOf(this.accountId, region, input)
  }

  /** A snapshot of this account (unless ownerId says otherwise). */
  addSnapshot(region: string, input: SnapshotInput = {}): EmuSnapshot {
    return this.world.addSnapshot(region, { ownerId: this.accountId, ...input })
  }

  /** The region's Recycle Bin rules (the bin is per region here: the owner's and other accounts' alike). */
  setRecycleBinRule(region: string, rule: RecycleBinRule | undefined): void {
    this.world.setRecycleBinRule(region, rule)
  }

  /** Whether this account can see the image: its own, public, or shared with it (account, organization, OU). */
  canSee(image: EmuImage): boolean {
    if (image.ownerId === this.accountId || image.public) return true
    return image.launchPermissions.some(
      (p) =>
        ('userId' in p && p.userId === this.accountId) ||
        ('organizationArn' in p && p.organizationArn === this.organizationArn) ||
        ('organizationalUnitArn' in p && this.organizationalUnitArns.includes(p.organizationalUnitArn))
    )
  }

  // ---- launch templates ----

  launchTemplates(region: string): EmuLaunchTemplate[] {
    return [...this.region(region).launchTemplates.values()]
  }

  launchTemplate(region: string, idOrName: string): EmuLaunchTemplate | undefined {
    const r = this.region(region)
    const id =
      idOrName.startsWith('lt-') && r.launchTemplates.has(idOrName) ? idOrName : r.templateIdByName.get(idOrName)
    return id ? r.launchTemplates.get(id) : undefined
  }

  addLaunchTemplate(region: string, input: LaunchTemplateInput): EmuLaunchTemplate {
    const r = this.region(region)
    if (r.templateIdByName.has(input.name))
      throw new Error(`launch template name ${input.name} already exists in ${region}`)
    const id = input.id ?? this.world.newId('lt', (x) => r.launchTemplates.has(x))
    const createTime = input.createTime ?? DEFAULT_DATE
    const createdBy = input.createdBy ?? `arn:aws:iam::${this.accountId}:role/builder`
    const versions: EmuLaunchTemplateVersion[] = input.versions.map((v, i) => ({
      createTime,
      createdBy,
      ...v,
      versionNumber: v.versionNumber ?? i + 1
    }))
    const template: EmuLaunchTemplate = {
      launchTemplateId: id,
      launchTemplateName: input.name,
      createTime,
      createdBy,
      defaultVersion: input.defaultVersion ?? versions[0]?.versionNumber ?? 1,
      versions,
      tags: [...(input.tags ?? [])]
    }
    r.launchTemplates.set(id, template)
    r.templateIdByName.set(input.name, id)
    r.templateOrder.set(template, r.templateOrder.size)
    for (const v of versions) r.indexVersion(template, v.imageId)
    return template
  }

  /** Adds a new version (number = latest + 1); optionally makes it the default. */
  addLaunchTemplateVersion(
    region: string,
    idOrName: string,
    version: Partial<EmuLaunchTemplateVersion>,
    makeDefault = false
  ): EmuLaunchTemplateVersion {
    const t = this.launchTemplate(region, idOrName)
    if (!t) throw new Error(`no launch template ${idOrName} in ${region}`)
    const v: EmuLaunchTemplateVersion = {
      createTime: new Date(this.now()).toISOString(),
      createdBy: t.createdBy,
      ...version,
      versionNumber: latestVersion(t) + 1
    }
    t.versions.push(v)
    this.region(region).indexVersion(t, v.imageId)
    if (makeDefault) t.defaultVersion = v.versionNumber
    return v
  }

  // ---- auto scaling ----

  autoScalingGroups(region: string): EmuAutoScalingGroup[] {
    return [...this.region(region).groups.values()]
  }

  addAutoScalingGroup(region: string, input: AutoScalingGroupInput): EmuAutoScalingGroup {
    const r = this.region(region)
    const { name, ...rest } = input
    const uuid = this.world.newId('x').slice(2)
    const group: EmuAutoScalingGroup = {
      autoScalingGroupARN: `arn:aws:autoscaling:${region}:${this.accountId}:autoScalingGroup:${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(12, 15)}-8${uuid.slice(15, 17)}0-000000000000:autoScalingGroupName/${name}`,
      createdTime: DEFAULT_DATE,
      minSize: 0,
      maxSize: 1,
      desiredCapacity: 0,
      defaultCooldown: 300,
      availabilityZones: [`${region}a`],
      healthCheckType: 'EC2',
      tags: [],
      instances: [],
      ...rest,
      autoScalingGroupName: name
    }
    r.groups.set(name, group)
    return group
  }

  launchConfigurations(region: string): EmuLaunchConfiguration[] {
    return [...this.region(region).launchConfigurations.values()]
  }

  addLaunchConfiguration(region: string, input: LaunchConfigurationInput): EmuLaunchConfiguration {
    const r = this.region(region)
    if (r.launchConfigurations.has(input.name))
      throw new Error(`launch configuration ${input.name} already exists in ${region}`)
    const { name, ...rest } = input
    const uuid = this.world.newId('x').slice(2)
    const configuration: EmuLaunchConfiguration = {
      launchConfigurationARN: `arn:aws:autoscaling:${region}:${this.accountId}:launchConfiguration:${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(12, 15)}-8${uuid.slice(15, 17)}0-000000000000:launchConfigurationName/${name}`,
      instanceType: 't3.micro',
      createdTime: DEFAULT_DATE,
      securityGroups: [],
      ebsOptimized: false,
      instanceMonitoring: true,
      ...rest,
      launchConfigurationName: name
    }
    r.launchConfigurations.set(name, configuration)
    return configuration
  }

  // ---- instances ----

  instances(region: string): EmuEc2Instance[] {
    return [...this.region(region).instances.values()]
  }

  /** An instance (state `running` unless given) launched from `imageId`. */
  addInstance(region: string, input: Ec2InstanceInput): EmuEc2Instance {
    const r = this.region(region)
    const instanceId = input.instanceId ?? this.world.newId('i', (x) => r.instances.has(x))
    const instance: EmuEc2Instance = {
      state: 'running',
      instanceType: 't3.micro',
      launchTime: DEFAULT_DATE,
      ...input,
      instanceId
    }
    r.instances.set(instanceId, instance)
    return instance
  }

  /** `count` instances alike (ids from the seeded random source). */
  addInstances(region: string, count: number, input: Omit<Ec2InstanceInput, 'instanceId'>): EmuEc2Instance[] {
    return Array.from({ length: count }, () => this.addInstance(region, input))
  }

  // ---- SSM ----

  /** An SSM parameter; `dataType` `text` (SSM's default) or `aws:ec2:image` (what DescribeImageReferences finds). */
  setSsmParameter(region: string, name: string, value: string, dataType?: string): void {
    const r = this.region(region)
    r.ssm.set(name, value)
    if (dataType === undefined || dataType === 'text') r.ssmDataTypes.delete(name)
    else r.ssmDataTypes.set(name, dataType)
  }

  ssmParameter(region: string, name: string): string | undefined {
    const ssm = this.region(region).ssm
    return ssm.get(name) ?? ssm.get(name.startsWith('/') ? name.slice(1) : `/${name}`)
  }

  ssmDataType(region: string, name: string): string {
    return this.region(region).ssmDataTypes.get(name) ?? 'text'
  }

  // ---- Image Builder ----

  addImageRecipe(region: string, input: ImageRecipeInput): EmuImageRecipe {
    const kind = input.container ? 'container' : 'image'
    const version = input.version ?? '1.0.0'
    const recipe: EmuImageRecipe = {
      kind,
      name: input.name,
      version,
      parentImage: input.parentImage,
      arn: `arn:aws:imagebuilder:${region}:${this.accountId}:${kind}-recipe/${input.name.toLowerCase()}/${version}`
    }
    this.region(region).recipes.push(recipe)
    return recipe
  }

  imageRecipes(region: string): EmuImageRecipe[] {
    return [...this.region(region).recipes]
  }

  // ---- AMI usage reports (of the images this account owns) ----

  /** A report as if created earlier (available by default, of the given creation time). */
  addUsageReport(region: string, input: UsageReportInput): EmuUsageReport {
    const r = this.region(region)
    const created = input.creationTime !== undefined ? Date.parse(input.creationTime) : this.now()
    const report: EmuUsageReport = {
      reportId: input.reportId ?? this.world.newId('amiur', (x) => r.usageReports.has(x)),
      imageId: input.imageId,
      state:
        input.availableAfterMs !== undefined || input.availableAfterDescribes !== undefined
          ? 'pending'
          : (input.state ?? 'available'),
      creationTime: created,
      expirationTime: created + USAGE_REPORT_LIFETIME_MS,
      resourceTypes: input.resourceTypes ?? [
        { resourceType: 'ec2:Instance', options: [] },
        {
          resourceType: 'ec2:LaunchTemplate',
          options: [{ name: 'version-depth', values: [String(DEFAULT_USAGE_VERSION_DEPTH)] }]
        }
      ],
      accountIds: [...(input.accountIds ?? [])],
      tags: [...(input.tags ?? [])]
    }
    if (input.stateReason !== undefined) report.stateReason = input.stateReason
    if (input.availableAfterMs !== undefined) report.readyAt = this.now() + input.availableAfterMs
    if (input.availableAfterDescribes !== undefined) report.pendingDescribes = input.availableAfterDescribes
    if (input.resolvesTo !== undefined) report.resolvesTo = input.resolvesTo
    if (input.resolvesTo === 'error' && input.stateReason !== undefined) {
      report.errorReason = input.stateReason
      delete report.stateReason
    }
    if (input.entries !== undefined) report.entries = input.entries.map((e) => ({ ...e }))
    r.usageReports.set(report.reportId, report)
    return report
  }

  /** The account's reports in the region, their schedules applied (pending → available/error, expiry). */
  usageReports(region: string): EmuUsageReport[] {
    this.tickReports(region)
    return [...this.region(region).usageReports.values()]
  }

  tickReports(region: string): void {
    if (!this.regions.has(region)) return
    const r = this.region(region)
    const now = this.now()
    for (const report of [...r.usageReports.values()]) {
      if (report.expirationTime <= now) {
        r.usageReports.delete(report.reportId)
        continue
      }
      const due =
        (report.readyAt !== undefined && now >= report.readyAt) ||
        (report.pendingDescribes !== undefined && report.pendingDescribes <= 0)
      if (report.state === 'pending' && due) {
        report.state = report.resolvesTo ?? 'available'
        if (report.state === 'error')
          report.stateReason = report.errorReason ?? report.stateReason ?? 'The report could not be created.'
        delete report.readyAt
        delete report.pendingDescribes
      }
      if (report.state === 'available' && report.entries === undefined)
        report.entries = this.world.countUsage(region, report)
    }
  }
}

/** Temporary credentials issued by STS AssumeRole: requests signed with them act as `accountId`. */
export interface EmuSession {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  accountId: string
  roleArn: string
  roleName: string
  sessionName: string
  /** AROA… id of the role, as STS prints it in AssumedRoleId (`AROA…:session`) */
  roleId: string
  /** epoch ms */
  expiration: number
}

export class EmulatorState {
  /** the credentials AssumeRole issued, by access key id */
  readonly sessions = new Map<string, EmuSession>()
  private readonly imageTables = new Map<string, Map<string, EmuImage>>()
  private readonly snapshotTables = new Map<string, Map<string, EmuSnapshot>>()
  private readonly imageBins = new Map<string, Map<string, BinEntry<EmuImage>>>()
  private readonly snapshotBins = new Map<string, Map<string, BinEntry<EmuSnapshot>>>()
  /** Recycle Bin retention rules per region */
  readonly recycleBinRules = new Map<string, RecycleBinRule>()
  private readonly owner: AccountState
  private readonly others = new Map<string, AccountState>()
  private idRandom: () => number
  private clock: () => number
  /** how long a created usage report stays pending, in emulator ms (0: available at the next look) */
  usageReportDelayMs = 0

  constructor(
    public accountId: string,
    seed: number,
    now: () => number = Date.now
  ) {
    this.idRandom = makeRandom(seed ^ 0x5eed)
    this.clock = now
    this.owner = new AccountState(this, () => this.accountId)
  }

  now(): number {
    return this.clock()
  }

  /** The account (the owner when `id` is omitted or is the owner's); created empty on first use. */
  account(id: string = this.accountId): AccountState {
    if (id === this.accountId) return this.owner
    let a = this.others.get(id)
    if (!a) this.others.set(id, (a = new AccountState(this, () => id)))
    return a
  }

  /** Every account that holds something or was declared, the owner first. */
  accounts(): AccountState[] {
    return [this.owner, ...[...this.others.values()].filter((a) => a.accountId !== this.accountId)]
  }

  /** The static credentials of an account: AKIA + the account id + EMUL (20 characters, as AWS's). */
  staticCredentials(accountId: string): { accessKeyId: string; secretAccessKey: string } {
    return { accessKeyId: `AKIA${accountId}EMUL`, secretAccessKey: `emulator-secret-of-${accountId}` }
  }

  /** The account a static access key belongs to (AKIA<12 digits>EMUL), if it is one. */
  accountOfStaticKey(accessKeyId: string): string | undefined {
    const m = /^AKIA(\d{12})EMUL$/.exec(accessKeyId)
    return m ? m[1] : undefined
  }

  imageTable(region: string): Map<string, EmuImage> {
    let t = this.imageTables.get(region)
    if (!t) this.imageTables.set(region, (t = new Map<string, EmuImage>()))
    return t
  }

  /** The owner account's state in the region (the images of every owner included). */
  region(name: string): RegionState {
    return this.owner.region(name)
  }

  regionNames(): string[] {
    const names = new Set([...this.imageTables.keys(), ...this.owner.regionNames()])
    return [...names]
  }

  reset(): void {
    this.imageTables.clear()
    this.snapshotTables.clear()
    this.imageBins.clear()
    this.snapshotBins.clear()
    this.recycleBinRules.clear()
    this.others.clear()
    this.sessions.clear()
    this.owner.clear()
  }

  /** `length` characters of [A-Z0-9] from the seeded id source (access key ids). */
  newKey(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.idRandom() * alphabet.length)]!
    return out
  }

  newId(prefix: string, taken?: (id: string) => boolean): string {
    for (;;) {
      const id = `${prefix}-${randomHex(this.idRandom, 17)}`
      if (!taken || !taken(id)) return id
    }
  }

  // ---- images ----

  images(region: string): EmuImage[] {
    this.tick(region)
    return [...this.imageTable(region).values()]
  }

  image(region: string, imageId: string): EmuImage | undefined {
    this.tick(region)
    return this.imageTable(region).get(imageId)
  }

  addImage(region: string, input: ImageInput = {}): EmuImage {
    return this.addImageOf(this.accountId, region, input)
  }

  addImageOf(defaultOwner: string, region: string, input: ImageInput = {}): EmuImage {
    const table = this.imageTable(region)
    const imageId = input.imageId ?? this.newId('ami', (id) => table.has(id))
    const ownerId = input.ownerId ?? defaultOwner
    const name = input.name ?? `image-${imageId.slice(4, 12)}`
    const { availableAfterMs, availableAfterDescribes, ...rest } = input
    const image: EmuImage = {
      name,
      ownerId,
      state: 'available',
      creationDate: DEFAULT_DATE,
      tags: [],
      public: false,
      launchPermissions: [],
      architecture: 'x86_64',
      imageType: 'machine',
      imageLocation: `${ownerId}/${name}`,
      rootDeviceType: 'ebs',
      rootDeviceName: '/dev/xvda',
      virtualizationType: 'hvm',
      hypervisor: 'xen',
      platformDetails: 'Linux/UNIX',
      usageOperation: 'RunInstances',
      enaSupport: true,
      bootMode: 'uefi-preferred',
      imdsSupport: 'v2.0',
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            snapshotId: this.newId('snap'),
            volumeSize: 8,
            volumeType: 'gp3',
            deleteOnTermination: true,
            encrypted: false,
            iops: 3000,
            throughput: 125
          }
        }
      ],
      ...rest,
      imageId
    }
    image.tags = (input.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }))
    image.launchPermissions = [...(input.launchPermissions ?? [])]
    if (availableAfterMs !== undefined) {
      image.state = 'pending'
      image.pendingUntil = this.now() + availableAfterMs
    }
    if (availableAfterDescribes !== undefined) {
      image.state = 'pending'
      image.pendingDescribeCalls = availableAfterDescribes
    }
    table.set(imageId, image)
    for (const b of image.blockDeviceMappings) {
      const id = b.ebs?.snapshotId
      if (id === undefined || this.snapshotTable(region).has(id)) continue
      this.addSnapshot(region, {
        snapshotId: id,
        ownerId,
        volumeSize: b.ebs?.volumeSize ?? 8,
        encrypted: b.ebs?.encrypted ?? false,
        startTime: image.creationDate,
        description: `Created by CreateImage(i-${imageId.slice(4)}) for ${imageId} `
      })
    }
    return image
  }

  // ---- snapshots and the Recycle Bin ----

  snapshotTable(region: string): Map<string, EmuSnapshot> {
    let t = this.snapshotTables.get(region)
    if (!t) this.snapshotTables.set(region, (t = new Map<string, EmuSnapshot>()))
    return t
  }

  /** The region's snapshots (not those in the Recycle Bin). */
  snapshots(region: string): EmuSnapshot[] {
    return [...this.snapshotTable(region).values()]
  }

  snapshot(region: string, snapshotId: string): EmuSnapshot | undefined {
    return this.snapshotTable(region).get(snapshotId)
  }

  /** A snapshot (8 GiB, standard tier, completed, of the owner account unless told). Ids need no randomness. */
  addSnapshot(region: string, input: SnapshotInput = {}): EmuSnapshot {
    const table = this.snapshotTable(region)
    const snapshotId = input.snapshotId ?? this.newId('snap', (id) => table.has(id))
    const snapshot: EmuSnapshot = {
      ownerId: this.accountId,
      volumeId: `vol-${snapshotId.slice(5)}`,
      volumeSize: 8,
      state: 'completed',
      startTime: DEFAULT_DATE,
      description: '',
      encrypted: false,
      storageTier: 'standard',
      ...input,
      tags: [...(input.tags ?? [])],
      snapshotId
    }
    table.set(snapshotId, snapshot)
    return snapshot
  }

  /** The registered images (any state) whose block device mappings name the snapshot. */
  imagesUsingSnapshot(region: string, snapshotId: string): EmuImage[] {
    return this.images(region).filter(
      (i) => i.state !== 'deregistered' && i.blockDeviceMappings.some((b) => b.ebs?.snapshotId === snapshotId)
    )
  }

  /** Sets (or, with `undefined`, removes) the region's Recycle Bin retention rules. */
  setRecycleBinRule(region: string, rule: RecycleBinRule | undefined): void {
    if (rule === undefined) this.recycleBinRules.delete(region)
    else this.recycleBinRules.set(region, { ...rule })
  }

  private bin<T>(bins: Map<string, Map<string, BinEntry<T>>>, region: string): Map<string, BinEntry<T>> {
    let b = bins.get(region)
    if (!b) bins.set(region, (b = new Map<string, BinEntry<T>>()))
    const now = this.now()
    for (const [id, entry] of b) if (entry.exitTime <= now) b.delete(id)
    return b
  }

  /** The images in the region's Recycle Bin (expired ones are gone for good). */
  imageBin(region: string): Map<string, BinEntry<EmuImage>> {
    return this.bin(this.imageBins, region)
  }

  snapshotBin(region: string): Map<string, BinEntry<EmuSnapshot>> {
    return this.bin(this.snapshotBins, region)
  }

  private toBin<T extends { tags: Tag[] }>(bin: Map<string, BinEntry<T>>, id: string, item: T, days: number): void {
    item.tags = [...item.tags.filter((t) => t.key !== IN_BIN_TAG), { key: IN_BIN_TAG, value: 'true' }]
    const enterTime = this.now()
    bin.set(id, { item, enterTime, exitTime: enterTime + days * DAY_MS })
  }

  /** Deletes a snapshot: into the Recycle Bin when an EBS_SNAPSHOT rule holds in the region, else gone. */
  deleteSnapshot(region: string, snapshotId: string): void {
    const snapshot = this.snapshotTable(region).get(snapshotId)
    if (!snapshot) return
    this.snapshotTable(region).delete(snapshotId)
    const days = this.recycleBinRules.get(region)?.snapshots
    if (days !== undefined) this.toBin(this.snapshotBin(region), snapshotId, snapshot, days)
  }

  /** Deregisters an image: into the Recycle Bin when an EC2_IMAGE rule holds in the region, else gone. */
  deregisterImage(region: string, imageId: string): void {
    const image = this.imageTable(region).get(imageId)
    if (!image) return
    this.imageTable(region).delete(imageId)
    const days = this.recycleBinRules.get(region)?.images
    if (days !== undefined) this.toBin(this.imageBin(region), imageId, image, days)
  }

  /** Restores a binned image as it was (its state, tags; the bin's tag removed). */
  restoreImage(region: string, imageId: string): EmuImage | undefined {
    const entry = this.imageBin(region).get(imageId)
    if (!entry) return undefined
    this.imageBin(region).delete(imageId)
    entry.item.tags = entry.item.tags.filter((t) => t.key !== IN_BIN_TAG)
    this.imageTable(region).set(imageId, entry.item)
    return entry.item
  }

  restoreSnapshot(region: string, snapshotId: string): EmuSnapshot | undefined {
    const entry = this.snapshotBin(region).get(snapshotId)
    if (!entry) return undefined
    this.snapshotBin(region).delete(snapshotId)
    entry.item.tags = entry.item.tags.filter((t) => t.key !== IN_BIN_TAG)
    this.snapshotTable(region).set(snapshotId, entry.item)
    return entry.item
  }

  /** Apply time-based pending schedules. */
  tick(region: string): void {
    const table = this.imageTables.get(region)
    if (!table) return
    const now = this.now()
    for (const image of table.values()) {
      if (image.state === 'pending' && image.pendingUntil !== undefined && now >= image.pendingUntil) {
        image.state = image.pendingResolvesTo ?? 'available'
        delete image.pendingUntil
      }
    }
  }

  /** Count one DescribeImages call against describe-count pending schedules. */
  countDescribe(region: string): void {
    const table = this.imageTables.get(region)
    if (!table) return
    for (const image of table.values()) {
      if (image.state === 'pending' && image.pendingDescribeCalls !== undefined) {
        image.pendingDescribeCalls -= 1
        if (image.pendingDescribeCalls <= 0) {
          image.state = image.pendingResolvesTo ?? 'available'
          delete image.pendingDescribeCalls
        }
      }
    }
  }

  // ---- the owner account's resources ----

  launchTemplates(region: string): EmuLaunchTemplate[] {
    return this.owner.launchTemplates(region)
  }

  launchTemplate(region: string, idOrName: string): EmuLaunchTemplate | undefined {
    return this.owner.launchTemplate(region, idOrName)
  }

  addLaunchTemplate(region: string, input: LaunchTemplateInput): EmuLaunchTemplate {
    return this.owner.addLaunchTemplate(region, input)
  }

  addLaunchTemplateVersion(
    region: string,
    idOrName: string,
    version: Partial<EmuLaunchTemplateVersion>,
    makeDefault = false
  ): EmuLaunchTemplateVersion {
    return this.owner.addLaunchTemplateVersion(region, idOrName, version, makeDefault)
  }

  autoScalingGroups(region: string): EmuAutoScalingGroup[] {
    return this.owner.autoScalingGroups(region)
  }

  addAutoScalingGroup(region: string, input: AutoScalingGroupInput): EmuAutoScalingGroup {
    return this.owner.addAutoScalingGroup(region, input)
  }

  launchConfigurations(region: string): EmuLaunchConfiguration[] {
    return this.owner.launchConfigurations(region)
  }

  addLaunchConfiguration(region: string, input: LaunchConfigurationInput): EmuLaunchConfiguration {
    return this.owner.addLaunchConfiguration(region, input)
  }

  setSsmParameter(region: string, name: string, value: string, dataType?: string): void {
    this.owner.setSsmParameter(region, name, value, dataType)
  }

  ssmParameter(region: string, name: string): string | undefined {
    return this.owner.ssmParameter(region, name)
  }

  // ---- usage reports ----

  /**
   * The entries of a report: per account (those asked, else every account but the owner) and
   * resource type, the instances (pending, running, stopping, stopped) launched from the image and
   * the launch templates with a version among the newest `version-depth` (default 20) that names
   * it; counts of zero are left out.
   */
  countUsage(region: string, report: EmuUsageReport): UsageReportEntry[] {
    const owner = this.imageTable(region).get(report.imageId)?.ownerId ?? this.accountId
    const wanted = report.accountIds.length > 0 ? new Set(report.accountIds) : undefined
    const accounts = this.accounts()
      .filter((a) => (wanted ? wanted.has(a.accountId) : a.accountId !== owner))
      .sort((a, b) => a.accountId.localeCompare(b.accountId))
    const out: UsageReportEntry[] = []
    for (const account of accounts) {
      if (!account.hasRegion(region)) continue
      for (const rt of report.resourceTypes) {
        let count = 0
        if (rt.resourceType === 'ec2:Instance') {
          for (const i of account.region(region).instances.values())
            if (i.imageId === report.imageId && COUNTED_INSTANCE_STATES.has(i.state)) count++
        } else if (rt.resourceType === 'ec2:LaunchTemplate') {
          const depth = Number(
            rt.options.find((o) => o.name === 'version-depth')?.values[0] ?? DEFAULT_USAGE_VERSION_DEPTH
          )
          for (const t of account.region(region).launchTemplates.values())
            if (newestVersions(t, depth).some((v) => v.imageId === report.imageId)) count++
        }
        if (count > 0) out.push({ accountId: account.accountId, resourceType: rt.resourceType, usageCount: count })
      }
    }
    return out
  }

  // ---- seeds ----

  seed(seed: Seed): void {
    if (seed.accountId) this.accountId = seed.accountId
    seedRegions(this.owner, seed.regions)
    for (const [id, as] of Object.entries(seed.accounts ?? {})) {
      const account = this.account(id).memberOf(as)
      seedRegions(account, as.regions ?? {})
    }
  }

  /** The current state as a seed (JSON-able), e.g. to save a generated account. Usage reports are left out. */
  toSeed(): Seed {
    const regions = regionSeeds(this.owner, this.imageTables)
    const accounts: Record<string, AccountSeed> = {}
    for (const a of this.accounts().slice(1)) {
      accounts[a.accountId] = {
        ...(a.organizationArn !== undefined ? { organizationArn: a.organizationArn } : {}),
        ...(a.organizationalUnitArns.length > 0 ? { organizationalUnitArns: [...a.organizationalUnitArns] } : {}),
        regions: regionSeeds(a, undefined)
      }
    }
    return { accountId: this.accountId, regions, ...(Object.keys(accounts).length > 0 ? { accounts } : {}) }
  }
}

function seedRegions(account: AccountState, regions: Record<string, RegionSeed>): void {
  for (const [region, rs] of Object.entries(regions)) {
    for (const image of rs.images ?? []) account.addImage(region, image)
    for (const lt of rs.launchTemplates ?? []) account.addLaunchTemplate(region, lt)
    for (const c of rs.launchConfigurations ?? []) account.addLaunchConfiguration(region, c)
    for (const g of rs.autoScalingGroups ?? []) account.addAutoScalingGroup(region, g)
    for (const [k, v] of Object.entries(rs.ssmParameters ?? {})) {
      if (typeof v === 'string') account.setSsmParameter(region, k, v)
      else account.setSsmParameter(region, k, v.value, v.dataType)
    }
    for (const i of rs.instances ?? []) account.addInstance(region, i)
    for (const r of rs.imageRecipes ?? []) account.addImageRecipe(region, r)
    for (const x of rs.snapshots ?? []) account.addSnapshot(region, x)
    if (rs.recycleBin) account.setRecycleBinRule(region, rs.recycleBin)
  }
}

/** The account's regions as seeds; images (of the owner seed only) from the image tables. */
function regionSeeds(
  account: AccountState,
  imageTables: Map<string, Map<string, EmuImage>> | undefined
): Record<string, RegionSeed> {
  const regions: Record<string, RegionSeed> = {}
  const names = new Set([...(imageTables?.keys() ?? []), ...account.regionNames()])
  for (const name of names) {
    const r = account.region(name)
    const ssm: Record<string, string | SsmParameterInput> = {}
    for (const [k, v] of r.ssm) {
      const dataType = r.ssmDataTypes.get(k)
      ssm[k] = dataType === undefined ? v : { value: v, dataType }
    }
    regions[name] = {
      ...(imageTables ? { images: [...(imageTables.get(name)?.values() ?? [])].map((i) => structuredClone(i)) } : {}),
      launchTemplates: [...r.launchTemplates.values()].map((t) => ({
        id: t.launchTemplateId,
        name: t.launchTemplateName,
        createTime: t.createTime,
        createdBy: t.createdBy,
        versions: structuredClone(t.versions),
        defaultVersion: t.defaultVersion,
        tags: structuredClone(t.tags)
      })),
      autoScalingGroups: [...r.groups.values()].map(({ autoScalingGroupName, ...g }) => ({
        name: autoScalingGroupName,
        ...structuredClone(g)
      })),
      launchConfigurations: [...r.launchConfigurations.values()].map(({ launchConfigurationName, ...c }) => ({
        name: launchConfigurationName,
        ...structuredClone(c)
      })),
      ssmParameters: ssm,
      ...(r.instances.size > 0 ? { instances: [...r.instances.values()].map((i) => structuredClone(i)) } : {}),
      ...(r.recipes.length > 0
        ? {
            imageRecipes: r.recipes.map((x) => ({
              name: x.name,
              parentImage: x.parentImage,
              version: x.version,
              ...(x.kind === 'container' ? { container: true } : {})
            }))
          }
        : {})
    }
  }
  return regions
}

export function latestVersion(t: EmuLaunchTemplate): number {
  let max = 0
  for (const v of t.versions) if (v.versionNumber > max) max = v.versionNumber
  return max
}

/** The newest `depth` versions of a template (by version number). */
export function newestVersions(t: EmuLaunchTemplate, depth: number): EmuLaunchTemplateVersion[] {
  return [...t.versions].sort((a, b) => b.versionNumber - a.versionNumber).slice(0, Math.max(0, depth))
}
