/**
 * The EC2 gateway: SDK client, paginators, waiter, DryRun. Fetches and changes; decides nothing
 * and hands back plain data.
 */
import {
  CreateImageUsageReportCommand,
  DescribeImageAttributeCommand,
  DescribeLaunchTemplatesCommand,
  DisableImageCommand,
  EC2Client,
  EnableImageCommand,
  CreateTagsCommand,
  ModifyImageAttributeCommand,
  paginateDescribeImageReferences,
  paginateDescribeImages,
  paginateDescribeImageUsageReportEntries,
  paginateDescribeImageUsageReports,
  paginateDescribeLaunchTemplateVersions,
  type Filter,
  type Image as Ec2Image,
  type LaunchPermission,
  type ImageUsageReport as Ec2ImageUsageReport,
  type LaunchTemplateVersion as Ec2LaunchTemplateVersion,
  type ResourceTypeRequest,
  type ServiceInputTypes,
  type ServiceOutputTypes
} from '@aws-sdk/client-ec2'
import { createWaiter, WaiterState } from '@smithy/core/client'
import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/core/retry'
import type { FinalizeRequestMiddleware, StandardRetryBackoffStrategy } from '@smithy/types'
import { emptySharing, type Image, type ImageReference, type ReferenceType, type Sharing, type Tag } from '../model.js'
import type { UsageReport, UsageReportEntry } from '../rules/usage-reports.js'
import { withReferences, type PinnedLookup, type TemplateNumbers, type TemplateVersion } from '../rules/usage.js'
import { AwsError, awsCall, isCode } from './errors.js'
import { Pace } from './pace.js'

/**
 * What every client of the action is built with: the SDK's adaptive retry (it backs off and
 * rate-limits itself under throttling; for EC2 it is tuned, and every attempt paced inside it: `ec2ClientConfig`, `paceEveryAttempt`); timeouts, so that no call hangs (one that has not answered
 * in 15 s is retried, at most 8 attempts); and the middleware resolved once per command class
 * instead of on every call (no command here adds middleware of its own).
 */
export const CLIENT_CONFIG = {
  retryMode: 'adaptive',
  maxAttempts: 8,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  cacheMiddleware: true
} as const

/**
 * An EC2 client's configuration: CLIENT_CONFIG, with the SDK's adaptive retry tuned where the
 * region's `Pace` (aws/pace.ts, in the client's middleware) limits each of EC2's classes apart:
 * - the SDK's rate limiter is one per client, for every action at once, and after a first
 *   throttle it starts from the rate it has measured, which early in a run is near nothing: its
 *   floor, 0.5 requests a second, held every read and change of the region (measured: a drained
 *   account's run took 10 s instead of 6). It keeps a floor of EC2's read refill here (20 a
 *   second, 10 at once);
 * - its backoff waits up to 2 s before retrying a throttled attempt, then 4 s, 8 s: here it starts
 *   from 100 ms, as for other errors, since the retried attempt waits for its class's token anyway.
 */
export function ec2ClientConfig() {
  return {
    ...CLIENT_CONFIG,
    retryStrategy: new AdaptiveRetryStrategy(CLIENT_CONFIG.maxAttempts, {
      rateLimiter: new DefaultRateLimiter({ minFillRate: 20, minCapacity: 10 }),
      backoff: pacedBackoff()
    })
  }
}

/** Full jitter, exponential from a base of at most 100 ms (the SDK sets the base per error), capped at 20 s. */
export function pacedBackoff(random: () => number = Math.random): StandardRetryBackoffStrategy {
  let base = 100
  return {
    setDelayBase: (delay) => void (base = Math.min(delay, 100)),
    computeNextBackoffDelay: (retries) => Math.floor(random() * Math.min(base * 2 ** retries, 20_000))
  }
}

export function ec2Client(region: string): EC2Client {
  return new EC2Client({ region, ...ec2ClientConfig() })
}

/**
 * Puts the region's pace in the client's middleware, inside the SDK's retry: each attempt waits
 * for a token of its action's class and reports a throttle at once (not after the retries). Added
 * once per client (by name).
 */
export function paceEveryAttempt(client: EC2Client, pace: Pace): void {
  const paced: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => (args) =>
    pace.run(`ec2:${String(context.commandName).replace(/Command$/, '')}`, () => next(args))
  client.middlewareStack.addRelativeTo(paced, {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: 'paceMiddleware',
    override: true
  })
}

export function toImage(region: string, image: Ec2Image): Image {
  const snapshots = (image.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId
      ? [{ snapshotId: m.Ebs.SnapshotId, ...(m.Ebs.VolumeSize !== undefined ? { sizeGiB: m.Ebs.VolumeSize } : {}) }]
      : []
  )
  return {
    region,
    imageId: image.ImageId ?? '',
    name: image.Name ?? '',
    ownerId: image.OwnerId ?? '',
    state: image.State ?? 'unknown',
    creationDate: image.CreationDate ?? '',
    public: image.Public ?? false,
    tags: (image.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
    ...(image.DeprecationTime ? { deprecationTime: image.DeprecationTime } : {}),
    ...(image.LastLaunchedTime ? { lastLaunchedTime: image.LastLaunchedTime } : {}),
    ...(image.DeregistrationProtection ? { deregistrationProtection: image.DeregistrationProtection } : {}),
    ...(snapshots.length > 0 ? { snapshots } : {})
  }
}

/** The result of a DryRun: allowed, or the error that said no. */
export type DryRunAnswer = { allowed: true } | { allowed: false; error: AwsError }

/** Seconds between polls of a pending image: from 2, backing off to 15. */
const WAIT_MIN_DELAY = 2
const WAIT_MAX_DELAY = 15

export class Ec2 {
  /**
   * @param pace the client-side rate limit of the region's EC2 calls (aws/pace.ts): every attempt
   *   the client sends (reads, pages, waiter polls, changes and `Lifecycle`'s, the SDK's retries
   *   too) waits for its token, and tells the pace whether EC2 throttled it.
   */
  constructor(
    readonly region: string,
    readonly client: EC2Client = ec2Client(region),
    readonly pace: Pace = new Pace()
  ) {
    paceEveryAttempt(client, pace)
  }

  /** Images by id, disabled ones included; ids that do not exist (or are not visible) are absent. */
  async imagesById(imageIds: string[], owners?: string[], abortSignal?: AbortSignal): Promise<Image[]> {
    if (imageIds.length === 0) return []
    return this.images([{ Name: 'image-id', Values: imageIds }], { owners, includeDisabled: true, abortSignal })
  }

  /** Every image matching the filters, across all pages. */
  async images(
    filters: Filter[],
    options: { owners?: string[] | undefined; includeDisabled?: boolean; abortSignal?: AbortSignal | undefined } = {}
  ): Promise<Image[]> {
    const found: Image[] = []
    const pages = paginateDescribeImages(
      { client: this.client, pageSize: 1000 },
      { Filters: filters, Owners: options.owners, IncludeDisabled: options.includeDisabled, IncludeDeprecated: true },
      // options only when there is a signal: a call with options bypasses the client's middleware cache
      ...(options.abortSignal ? [{ abortSignal: options.abortSignal }] : [])
    )
    await awsCall('ec2:DescribeImages', async () => {
      for await (const page of pages) for (const image of page.Images ?? []) found.push(toImage(this.region, image))
    })
    return found
  }

  /**
   * Polls the images until `settled` says they are done (`success`) or never will be
   * (`failure`), for at most `timeoutSeconds`: a hard bound, since the calls themselves are
   * aborted when it passes. The SDK's waiter backs off from 2 s to 15 s between polls.
   */
  async waitFor(
    imageIds: string[],
    timeoutSeconds: number,
    settled: (images: Image[]) => 'success' | 'failure' | 'retry'
  ): Promise<{ state: 'success' | 'failure' | 'timeout'; images: Image[] }> {
    let last: Image[] = []
    const signal = AbortSignal.timeout(Math.max(1, timeoutSeconds) * 1000)
    const check = async (): Promise<WaiterState> => {
      last = await this.imagesById(imageIds, undefined, signal)
      const verdict = settled(last)
      return verdict === 'success'
        ? WaiterState.SUCCESS
        : verdict === 'failure'
          ? WaiterState.FAILURE
          : WaiterState.RETRY
    }
    try {
      const state =
        timeoutSeconds <= WAIT_MIN_DELAY
          ? await check()
          : (
              await createWaiter(
                {
                  client: this.client,
                  maxWaitTime: timeoutSeconds,
                  minDelay: WAIT_MIN_DELAY,
                  maxDelay: WAIT_MAX_DELAY,
                  abortSignal: signal
                },
                {},
                async () => ({ state: await check() })
              )
            ).state
      return {
        state: state === WaiterState.SUCCESS ? 'success' : state === WaiterState.FAILURE ? 'failure' : 'timeout',
        images: last
      }
    } catch (error) {
      if (signal.aborted) return { state: 'timeout', images: last }
      throw error
    }
  }

  /** Who may launch the image: accounts, organizations, OUs, public. */
  async sharing(imageId: string): Promise<Sharing> {
    const out = await awsCall('ec2:DescribeImageAttribute', () =>
      this.client.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }))
    )
    const sharing = emptySharing()
    for (const p of out.LaunchPermissions ?? []) {
      if (p.Group === 'all') sharing.public = true
      if (p.UserId) sharing.userIds.push(p.UserId)
      if (p.OrganizationArn) sharing.organizationArns.push(p.OrganizationArn)
      if (p.OrganizationalUnitArn) sharing.organizationalUnitArns.push(p.OrganizationalUnitArn)
    }
    return sharing
  }

  /** Writes the same tags on one image or several (one CreateTags call). */
  async tag(imageIds: string | string[], tags: Tag[], dryRun = false): Promise<DryRunAnswer> {
    const Resources = typeof imageIds === 'string' ? [imageIds] : imageIds
    return this.change('ec2:CreateTags', dryRun, (DryRun) =>
      this.client.send(
        new CreateTagsCommand({ Resources, Tags: tags.map((t) => ({ Key: t.key, Value: t.value })), DryRun })
      )
    )
  }

  async disable(imageId: string, dryRun = false): Promise<DryRunAnswer> {
    return this.change('ec2:DisableImage', dryRun, (DryRun) =>
      this.client.send(new DisableImageCommand({ ImageId: imageId, DryRun }))
    )
  }

  async enable(imageId: string, dryRun = false): Promise<DryRunAnswer> {
    return this.change('ec2:EnableImage', dryRun, (DryRun) =>
      this.client.send(new EnableImageCommand({ ImageId: imageId, DryRun }))
    )
  }

  /** Adds launch permissions (accounts, organizations, OUs; `public` adds the group `all`). */
  async share(imageId: string, sharing: Sharing, dryRun = false): Promise<DryRunAnswer> {
    const add: LaunchPermission[] = [
      ...sharing.userIds.map((UserId) => ({ UserId })),
      ...sharing.organizationArns.map((OrganizationArn) => ({ OrganizationArn })),
      ...sharing.organizationalUnitArns.map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
      ...(sharing.public ? [{ Group: 'all' as const }] : [])
    ]
    if (add.length === 0) return { allowed: true }
    return this.change('ec2:ModifyImageAttribute', dryRun, (DryRun) =>
      this.client.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: add }, DryRun }))
    )
  }

  /**
   * Runs a change, or with `dryRun` asks EC2 whether it would be allowed: `DryRunOperation`
   * means yes; any other error (e.g. `UnauthorizedOperation`) is the answer no. A failed change
   * throws an AwsError naming `action`. Either waits for the region's pace (the client's). `value` is the
   * change's answer (none in a dry run): the one path of every change in the region, `Lifecycle`'s
   * included.
   */
  async changeWith<T>(
    action: string,
    dryRun: boolean,
    send: (dryRun: true | undefined) => Promise<T>
  ): Promise<{ answer: DryRunAnswer; value?: T }> {
    if (!dryRun) return { answer: { allowed: true }, value: await awsCall(action, () => send(undefined)) }
    try {
      await send(true)
      return { answer: { allowed: true } }
    } catch (error) {
      if (isCode(error, 'DryRunOperation')) return { answer: { allowed: true } }
      return { answer: { allowed: false, error: new AwsError(action, error) } }
    }
  }

  private async change(
    action: string,
    dryRun: boolean,
    send: (dryRun: true | undefined) => Promise<unknown>
  ): Promise<DryRunAnswer> {
    return (await this.changeWith(action, dryRun, send)).answer
  }

  /**
   * The latest and default versions, of every launch template in the region, whose image is one
   * of `imageIdValues`: one paginated query (pages of 200) whatever the number of templates (one
   * per 200 values: EC2 takes at most 200 values in a filter). Image ids written as SSM parameters
   * (`resolve:ssm:…`) are resolved by EC2 (`ResolveAlias`), unless `resolveAlias` is false. The
   * values are the `image-id` filter's (patterns allowed).
   */
  async templateVersionsUsing(imageIdValues: string[], resolveAlias = true): Promise<TemplateVersion[]> {
    return awsCall('ec2:DescribeLaunchTemplateVersions', () =>
      inChunks(imageIdValues, FILTER_VALUES_MAX, async (Values) => {
        const found: TemplateVersion[] = []
        const pages = paginateDescribeLaunchTemplateVersions(
          { client: this.client, pageSize: 200 },
          { Versions: ['$Latest', '$Default'], Filters: [{ Name: 'image-id', Values }], ResolveAlias: resolveAlias }
        )
        for await (const page of pages)
          for (const v of page.LaunchTemplateVersions ?? []) found.push(templateVersion(v))
        return found
      })
    )
  }

  /**
   * The latest and default versions whose image is written as an SSM parameter
   * (`resolve:ssm:…`), each with its image resolved by EC2 and the reference as written
   * (`imageReference`: the fix is to update the parameter). EC2 answers one or the other
   * (`ResolveAlias`), so both are asked for at once and joined by version. Whether the `image-id`
   * filter sees the resolved value is not documented, so these are asked for as written and
   * matched here; the queries do not depend on the images, so they can run before they are known.
   */
  async templateVersionsViaSsm(): Promise<TemplateVersion[]> {
    const [resolved, written] = await Promise.all([
      this.templateVersionsUsing(['resolve:ssm:*']),
      // the references only word the fix: without them the versions are still found (and their fix is a new version)
      this.templateVersionsUsing(['resolve:ssm:*'], false).catch((): TemplateVersion[] => [])
    ])
    return withReferences(resolved, written)
  }

  /**
   * The versions of one template that groups pin by number, with its latest version (`$Latest`
   * is asked for too, so the answer says which version is the latest: the highest number), images
   * resolved (`ResolveAlias`); no image filter, the images are matched by the caller. One paginated
   * query per template (per 199 pinned numbers: EC2 documents no limit on `Versions`, and this
   * keeps every request to one page). A template that no longer exists launches nothing: no
   * versions. A pinned number that no longer exists fails EC2's whole answer
   * (`InvalidLaunchTemplateId.VersionNotFound`): the numbers are then asked for one by one and
   * the missing ones left out.
   */
  async pinnedTemplateVersions(lookup: PinnedLookup): Promise<TemplateVersion[]> {
    return awsCall('ec2:DescribeLaunchTemplateVersions', async () => {
      const found: TemplateVersion[] = []
      const step = PINNED_VERSIONS_MAX - 1
      for (let i = 0; i < lookup.versions.length; i += step) {
        const numbers = lookup.versions.slice(i, i + step)
        try {
          found.push(...(await this.templateVersionsByNumber(lookup, numbers)))
        } catch (error) {
          if (isCode(error, ...TEMPLATE_NOT_FOUND)) return []
          if (!isCode(error, VERSION_NOT_FOUND) || numbers.length === 1) throw error
          for (const n of numbers) {
            try {
              found.push(...(await this.templateVersionsByNumber(lookup, [n])))
            } catch (e) {
              if (isCode(e, ...TEMPLATE_NOT_FOUND)) return []
              if (!isCode(e, VERSION_NOT_FOUND)) throw e
            }
          }
        }
      }
      // each answer holds the latest version: the highest number of any answer
      const latest = Math.max(0, ...found.map((v) => v.versionNumber))
      const unique = new Map(found.map((v) => [v.versionNumber, { ...v, isLatest: v.versionNumber === latest }]))
      return [...unique.values()]
    })
  }

  private async templateVersionsByNumber(lookup: PinnedLookup, numbers: number[]): Promise<TemplateVersion[]> {
    const found: TemplateVersion[] = []
    const pages = paginateDescribeLaunchTemplateVersions(
      { client: this.client, pageSize: 200 },
      {
        ...(lookup.launchTemplateId
          ? { LaunchTemplateId: lookup.launchTemplateId }
          : { LaunchTemplateName: lookup.launchTemplateName }),
        Versions: [...numbers.map(String), '$Latest'],
        ResolveAlias: true
      }
    )
    for await (const page of pages) for (const v of page.LaunchTemplateVersions ?? []) found.push(templateVersion(v))
    return found
  }

  /** The default and latest version numbers of the given templates (one call per 200, sent together). */
  async templateNumbers(launchTemplateIds: string[]): Promise<TemplateNumbers[]> {
    return awsCall('ec2:DescribeLaunchTemplates', () =>
      inChunks(launchTemplateIds, FILTER_VALUES_MAX, async (LaunchTemplateIds) => {
        const out = await this.client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds }))
        return (out.LaunchTemplates ?? []).map((t) => ({
          launchTemplateId: t.LaunchTemplateId ?? '',
          defaultVersionNumber: t.DefaultVersionNumber ?? 0,
          latestVersionNumber: t.LatestVersionNumber ?? 0
        }))
      })
    )
  }

  /**
   * The owner's own resources that reference the images (DescribeImageReferences): by default the
   * SSM parameters, Image Builder image and container recipes, and the instances that are not
   * terminated (EC2's default for instances includes terminated ones). One paginated query per 10
   * images (EC2's limit per call), sent together.
   */
  async imageReferences(
    imageIds: string[],
    types: readonly ReferenceType[] = IMAGE_REFERENCE_TYPES
  ): Promise<ImageReference[]> {
    if (types.length === 0) return []
    const ResourceTypes: ResourceTypeRequest[] = types.map((t) =>
      t === 'ec2:Instance'
        ? {
            ResourceType: t,
            ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: [...LIVE_INSTANCE_STATES] }]
          }
        : { ResourceType: t }
    )
    return awsCall('ec2:DescribeImageReferences', () =>
      inChunks(unique(imageIds), IMAGE_REFERENCES_IDS_MAX, async (ImageIds) => {
        const found: ImageReference[] = []
        for await (const page of paginateDescribeImageReferences(
          { client: this.client },
          { ImageIds, ResourceTypes }
        )) {
          for (const r of page.ImageReferences ?? []) {
            if (!r.ImageId || !r.ResourceType || !r.Arn) continue
            found.push({ region: this.region, imageId: r.ImageId, resourceType: r.ResourceType, arn: r.Arn })
          }
        }
        return found
      })
    )
  }

  /** Every usage report of the images, whatever its state (DescribeImageUsageReports, paginated, 200 images a query). */
  async usageReports(imageIds: string[]): Promise<UsageReport[]> {
    return this.describeUsageReports('ImageIds', imageIds)
  }

  /** The usage reports by id: one paginated query for all of them (per 200). */
  async usageReportsById(reportIds: string[]): Promise<UsageReport[]> {
    return this.describeUsageReports('ReportIds', reportIds)
  }

  private async describeUsageReports(by: 'ImageIds' | 'ReportIds', values: string[]): Promise<UsageReport[]> {
    return awsCall('ec2:DescribeImageUsageReports', () =>
      inChunks(unique(values), USAGE_REPORT_IDS_MAX, async (chunk) => {
        const found: UsageReport[] = []
        for await (const page of paginateDescribeImageUsageReports({ client: this.client }, { [by]: chunk }))
          for (const r of page.ImageUsageReports ?? []) found.push(usageReport(r))
        return found
      })
    )
  }

  /**
   * Asks EC2 for a usage report of the image in every account it is used by: instances and launch
   * templates (EC2's default depth of 20 versions). `clientToken` makes the call idempotent (the
   * SDK's retries of it create one report). Returns the report id.
   */
  async createUsageReport(imageId: string, clientToken: string): Promise<string> {
    const out = await awsCall('ec2:CreateImageUsageReport', () =>
      this.client.send(
        new CreateImageUsageReportCommand({
          ImageId: imageId,
          ResourceTypes: [{ ResourceType: 'ec2:Instance' }, { ResourceType: 'ec2:LaunchTemplate' }],
          ClientToken: clientToken
        })
      )
    )
    if (!out.ReportId) throw new AwsError('ec2:CreateImageUsageReport', new Error('EC2 answered without a ReportId'))
    return out.ReportId
  }

  /** The entries of the reports (DescribeImageUsageReportEntries): one paginated query for all of them (per 200). */
  async usageReportEntries(reportIds: string[]): Promise<UsageReportEntry[]> {
    return awsCall('ec2:DescribeImageUsageReportEntries', () =>
      inChunks(unique(reportIds), USAGE_REPORT_IDS_MAX, async (ReportIds) => {
        const found: UsageReportEntry[] = []
        for await (const page of paginateDescribeImageUsageReportEntries({ client: this.client }, { ReportIds })) {
          for (const e of page.ImageUsageReportEntries ?? []) {
            found.push({
              reportId: e.ReportId ?? '',
              imageId: e.ImageId ?? '',
              accountId: e.AccountId ?? '',
              resourceType: e.ResourceType ?? '',
              usageCount: e.UsageCount ?? 0
            })
          }
        }
        return found
      })
    )
  }
}

/** What DescribeImageReferences is asked for by default: what makes an image in use, and the instances it counts. */
export const IMAGE_REFERENCE_TYPES: readonly ReferenceType[] = [
  'ssm:Parameter',
  'imagebuilder:ImageRecipe',
  'imagebuilder:ContainerRecipe',
  'ec2:Instance'
]
/** Instances that are not terminated (or shutting down): the ones a report counts. */
export const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'] as const
/** EC2's limit on the images of one DescribeImageReferences call. */
export const IMAGE_REFERENCES_IDS_MAX = 10
/** The images or report ids asked for in one usage-report query (EC2 takes at most 200 image ids). */
export const USAGE_REPORT_IDS_MAX = 200

function usageReport(r: Ec2ImageUsageReport): UsageReport {
  const types = (r.ResourceTypes ?? []).map((t) => t.ResourceType ?? '').filter((t) => t !== '')
  return {
    reportId: r.ReportId ?? '',
    imageId: r.ImageId ?? '',
    state: r.State ?? 'unknown',
    ...(r.StateReason ? { stateReason: r.StateReason } : {}),
    ...(r.CreationTime ? { creationTime: new Date(r.CreationTime).toISOString() } : {}),
    ...(r.ResourceTypes ? { resourceTypes: types } : {}),
    ...(r.AccountIds && r.AccountIds.length > 0 ? { accountIds: r.AccountIds } : {})
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}

/**
 * `read` of each slice of `size` values, sent together (a usual run has one slice), the answers
 * joined in the values' order; no values, no call.
 */
async function inChunks<T>(
  values: readonly string[],
  size: number,
  read: (chunk: string[]) => Promise<T[]>
): Promise<T[]> {
  const reads: Array<Promise<T[]>> = []
  for (let i = 0; i < values.length; i += size) reads.push(read(values.slice(i, i + size)))
  return (await Promise.all(reads)).flat()
}

/** EC2's limit on the values of one filter. */
export const FILTER_VALUES_MAX = 200
/** The most versions asked for in one lookup by template (EC2 documents none; one page holds 200). */
export const PINNED_VERSIONS_MAX = 200
const VERSION_NOT_FOUND = 'InvalidLaunchTemplateId.VersionNotFound'
const TEMPLATE_NOT_FOUND = ['InvalidLaunchTemplateId.NotFound', 'InvalidLaunchTemplateName.NotFoundException']

function templateVersion(v: Ec2LaunchTemplateVersion): TemplateVersion {
  return {
    launchTemplateId: v.LaunchTemplateId ?? '',
    launchTemplateName: v.LaunchTemplateName ?? '',
    versionNumber: v.VersionNumber ?? 0,
    isDefault: v.DefaultVersion ?? false,
    ...(v.LaunchTemplateData?.ImageId ? { imageId: v.LaunchTemplateData.ImageId } : {})
  }
}
