/** The emulator's state: one account (the caller) seeing per-region images, launch templates, groups, SSM values. */
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

export interface RegionSeed {
  images?: ImageInput[]
  launchTemplates?: LaunchTemplateInput[]
  autoScalingGroups?: AutoScalingGroupInput[]
  launchConfigurations?: LaunchConfigurationInput[]
  ssmParameters?: Record<string, string>
}

export interface Seed {
  accountId?: string
  regions: Record<string, RegionSeed>
}

export class RegionState {
  readonly images = new Map<string, EmuImage>()
  readonly launchTemplates = new Map<string, EmuLaunchTemplate>()
  readonly templateIdByName = new Map<string, string>()
  readonly groups = new Map<string, EmuAutoScalingGroup>()
  readonly launchConfigurations = new Map<string, EmuLaunchConfiguration>()
  readonly ssm = new Map<string, string>()
  /**
   * The templates with a version whose image id (an AMI id or a `resolve:ssm:` alias) is the key,
   * each in the order the templates were added: an image-id query of a large account reads these
   * instead of every template, so its answer is not held up by the emulator's own work.
   */
  readonly templatesByImageId = new Map<string, EmuLaunchTemplate[]>()
  /** each template's place in the order they were added */
  readonly templateOrder = new Map<EmuLaunchTemplate, number>()
  constructor(readonly name: string) {}

  indexVersion(template: EmuLaunchTemplate, imageId: string | undefined): void {
    if (imageId === undefined) return
    const list = this.templatesByImageId.get(imageId)
    if (!list) this.templatesByImageId.set(imageId, [template])
    else if (!list.includes(template)) list.push(template)
  }
}

const DEFAULT_DATE = '2026-11-01T10:00:00.000Z'

export class EmulatorState {
  private readonly regions = new Map<string, RegionState>()
  private idRandom: () => number
  private clock: () => number

  constructor(
    public accountId: string,
    seed: number,
    now: () => number = Date.now
  ) {
    this.idRandom = makeRandom(seed ^ 0x5eed)
    this.clock = now
  }

  now(): number {
    return this.clock()
  }

  region(name: string): RegionState {
    let r = this.regions.get(name)
    if (!r) this.regions.set(name, (r = new RegionState(name)))
    return r
  }

  regionNames(): string[] {
    return [...this.regions.keys()]
  }

  reset(): void {
    this.regions.clear()
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
    return [...this.region(region).images.values()]
  }

  image(region: string, imageId: string): EmuImage | undefined {
    this.tick(region)
    return this.region(region).images.get(imageId)
  }

  addImage(region: string, input: ImageInput = {}): EmuImage {
    const r = this.region(region)
    const imageId = input.imageId ?? this.newId('ami', (id) => r.images.has(id))
    const ownerId = input.ownerId ?? this.accountId
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
    r.images.set(imageId, image)
    return image
  }

  /** Apply time-based pending schedules. */
  tick(region: string): void {
    const r = this.regions.get(region)
    if (!r) return
    const now = this.now()
    for (const image of r.images.values()) {
      if (image.state === 'pending' && image.pendingUntil !== undefined && now >= image.pendingUntil) {
        image.state = image.pendingResolvesTo ?? 'available'
        delete image.pendingUntil
      }
    }
  }

  /** Count one DescribeImages call against describe-count pending schedules. */
  countDescribe(region: string): void {
    const r = this.regions.get(region)
    if (!r) return
    for (const image of r.images.values()) {
      if (image.state === 'pending' && image.pendingDescribeCalls !== undefined) {
        image.pendingDescribeCalls -= 1
        if (image.pendingDescribeCalls <= 0) {
          image.state = image.pendingResolvesTo ?? 'available'
          delete image.pendingDescribeCalls
        }
      }
    }
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
    const id = input.id ?? this.newId('lt', (x) => r.launchTemplates.has(x))
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
    const uuid = this.newId('x').slice(2)
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
    const uuid = this.newId('x').slice(2)
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

  // ---- SSM ----

  setSsmParameter(region: string, name: string, value: string): void {
    this.region(region).ssm.set(name, value)
  }

  ssmParameter(region: string, name: string): string | undefined {
    const ssm = this.region(region).ssm
    return ssm.get(name) ?? ssm.get(name.startsWith('/') ? name.slice(1) : `/${name}`)
  }

  // ---- seeds ----

  seed(seed: Seed): void {
    if (seed.accountId) this.accountId = seed.accountId
    for (const [region, rs] of Object.entries(seed.regions)) {
      for (const image of rs.images ?? []) this.addImage(region, image)
      for (const lt of rs.launchTemplates ?? []) this.addLaunchTemplate(region, lt)
      for (const c of rs.launchConfigurations ?? []) this.addLaunchConfiguration(region, c)
      for (const g of rs.autoScalingGroups ?? []) this.addAutoScalingGroup(region, g)
      for (const [k, v] of Object.entries(rs.ssmParameters ?? {})) this.setSsmParameter(region, k, v)
    }
  }

  /** The current state as a seed (JSON-able), e.g. to save a generated account. */
  toSeed(): Seed {
    const regions: Record<string, RegionSeed> = {}
    for (const [name, r] of this.regions) {
      regions[name] = {
        images: [...r.images.values()].map((i) => structuredClone(i)),
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
        ssmParameters: Object.fromEntries(r.ssm)
      }
    }
    return { accountId: this.accountId, regions }
  }
}

export function latestVersion(t: EmuLaunchTemplate): number {
  let max = 0
  for (const v of t.versions) if (v.versionNumber > max) max = v.versionNumber
  return max
}
