/**
 * EC2 actions (ec2 query protocol, Version 2016-11-15): the ones the action sends, with the
 * parameters, filters and attributes it uses (and what the bench's naive script sends). A
 * parameter an action does not model is answered as EC2 answers an unknown one
 * (`UnknownParameter`), an unmodelled filter or attribute as an unknown filter or attribute, so a
 * request the emulator would not answer truly fails instead of being half-answered. Each handler
 * returns the XML inside the response element.
 */
import type { Faults } from './faults.js'
import { accepting, bool, ec2Filters, list, structList, unknownParameter, type Filter, type Params } from './params.js'
import {
  DEFAULT_USAGE_VERSION_DEPTH,
  INSTANCE_STATES,
  latestVersion,
  newestVersions,
  type AccountState,
  type EmuUsageReport,
  type InstanceState,
  type UsageReportEntry,
  type UsageResourceType,
  type EmuImage,
  type EmuLaunchTemplate,
  type EmuLaunchTemplateVersion,
  type EmulatorState,
  type LaunchPermission,
  type EmuSnapshot,
  type Tag
} from './state.js'
import { actionMatches, el, fingerprint, globToRegExp, itemSet, makeToken, readToken, wrap, xmlEscape } from './util.js'

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400
  ) {
    super(message)
  }
}

export interface Ec2Context {
  state: EmulatorState
  /** the caller's account: its launch templates, instances, SSM parameters, reports */
  account: AccountState
  region: string
  params: Params
  faults: Faults
  /** the caller's account id */
  accountId: string
}

type Handler = (ctx: Ec2Context) => string

const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/
const LT_ID = /^lt-([0-9a-f]{8}|[0-9a-f]{17})$/
const ACCOUNT_ID = /^\d{12}$/

// ---------------------------------------------------------------- helpers

function dryRun(ctx: Ec2Context): void {
  if (bool(ctx.params, 'DryRun'))
    throw new ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412)
}

/** Refuses the request when it carries a parameter the action does not model. */
function accept(ctx: Ec2Context, accepts: (key: string) => boolean): void {
  const unknown = unknownParameter(ctx.params, accepts)
  if (unknown !== undefined) throw new ApiError('UnknownParameter', `The parameter ${unknown} is not recognized`)
}

function required(ctx: Ec2Context, key: string): string {
  const v = ctx.params[key]
  if (v === undefined || v === '')
    throw new ApiError('MissingParameter', `The request must contain the parameter ${key}`)
  return v
}

function checkAmiId(id: string): void {
  if (!AMI_ID.test(id)) throw new ApiError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`)
}

function notFound(ids: string[]): ApiError {
  return new ApiError('InvalidAMIID.NotFound', `The image id '[${ids.join(', ')}]' does not exist`)
}

/** Own, public, or shared with the caller: its account id, or its declared organization or OU. */
function visible(image: EmuImage, account: AccountState): boolean {
  return account.canSee(image)
}

/** An image the caller can see, in any state (disabled included); NotFound otherwise. */
function lookupImage(ctx: Ec2Context, id: string): EmuImage {
  checkAmiId(id)
  const image = ctx.state.image(ctx.region, id)
  if (!image || !visible(image, ctx.account)) throw notFound([id])
  return image
}

function requireOwner(ctx: Ec2Context, image: EmuImage): void {
  if (image.ownerId !== ctx.accountId)
    throw new ApiError('AuthFailure', `Not authorized for image:${image.imageId}`, 403)
}

function maxResults(ctx: Ec2Context, min: number, max: number): number | undefined {
  const raw = ctx.params['MaxResults']
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value ( ${raw} ) for parameter maxResults is invalid. ${n > max ? `Expecting a value less than or equal to ${max}.` : `Expecting a value greater than ${min}.`}`
    )
  }
  return n
}

function paginate<T>(ctx: Ec2Context, items: T[], pageSize: number | undefined): { page: T[]; nextToken?: string } {
  const fp = fingerprint(ctx.params)
  let offset = 0
  const token = ctx.params['NextToken']
  if (token) {
    const o = readToken(token, fp)
    if (o === undefined) throw new ApiError('InvalidPaginationToken', `Invalid pagination token: ${token}`)
    offset = o
  }
  if (pageSize === undefined) return { page: items.slice(offset) }
  const page = items.slice(offset, offset + pageSize)
  const next = offset + pageSize
  return next < items.length ? { page, nextToken: makeToken(next, fp) } : { page }
}

/** A filter's values compiled once per request: exact values in a set, globs as regexps. */
const compiled = new WeakMap<Filter, (v: string | undefined) => boolean>()
function matcher(f: Filter): (v: string | undefined) => boolean {
  let m = compiled.get(f)
  if (!m) {
    const exact = new Set(f.values.filter((p) => !/[*?\\]/.test(p)))
    const globs = f.values.filter((p) => /[*?\\]/.test(p))
    // `prefix*` (no other wildcard or escape) as a prefix test; other globs as regular expressions
    const prefixes = globs.filter((g) => /^[^*?\\]*\*$/.test(g)).map((g) => g.slice(0, -1))
    const patterns = globs.filter((g) => !/^[^*?\\]*\*$/.test(g)).map(globToRegExp)
    m = (v) =>
      v !== undefined && (exact.has(v) || prefixes.some((p) => v.startsWith(p)) || patterns.some((r) => r.test(v)))
    compiled.set(f, m)
  }
  return m
}

function matchFilters<T>(
  filters: Filter[],
  item: T,
  values: (name: string, item: T) => Array<string | undefined> | undefined
): boolean {
  for (const f of filters) {
    const vals = values(f.name, item)
    if (vals === undefined) return false
    const match = matcher(f)
    if (!vals.some(match)) return false
  }
  return true
}

function checkFilterNames(filters: Filter[], known: (name: string) => boolean): void {
  for (const f of filters) {
    if (!known(f.name)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`)
    if (f.values.length === 0) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' has no values`)
  }
}

function renderTags(tags: Tag[]): string {
  return itemSet('tagSet', tags, (t) => el('key', t.key) + el('value', t.value))
}

// ---------------------------------------------------------------- DescribeImages

/** The filters the action sends: the family (a tag, the name pattern) and the lookup by id. */
const IMAGE_FILTERS: Record<string, (i: EmuImage) => Array<string | undefined>> = {
  name: (i) => [i.name],
  'image-id': (i) => [i.imageId],
  state: (i) => [i.state],
  'tag-key': (i) => i.tags.map((t) => t.key),
  'block-device-mapping.snapshot-id': (i) => i.blockDeviceMappings.map((b) => b.ebs?.snapshotId)
}

function imageFilterValues(name: string, i: EmuImage): Array<string | undefined> | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4)
    return i.tags.filter((t) => t.key === key).map((t) => t.value)
  }
  return IMAGE_FILTERS[name]?.(i)
}

function isDeprecated(i: EmuImage, now: number): boolean {
  return i.deprecationTime !== undefined && Date.parse(i.deprecationTime) <= now
}

export function renderImage(i: EmuImage): string {
  return (
    el('imageId', i.imageId) +
    el('imageLocation', i.imageLocation) +
    el('imageState', i.state) +
    el('imageOwnerId', i.ownerId) +
    el('creationDate', i.creationDate) +
    el('isPublic', i.public) +
    el('architecture', i.architecture) +
    el('imageType', i.imageType) +
    el('platform', i.platform) +
    el('imageOwnerAlias', i.imageOwnerAlias) +
    el('name', i.name) +
    el('description', i.description) +
    el('rootDeviceType', i.rootDeviceType) +
    el('rootDeviceName', i.rootDeviceName) +
    renderBlockDevices(i) +
    el('virtualizationType', i.virtualizationType) +
    renderTags(i.tags) +
    el('hypervisor', i.hypervisor) +
    el('enaSupport', i.enaSupport) +
    el('sriovNetSupport', i.sriovNetSupport) +
    el('bootMode', i.bootMode) +
    el('tpmSupport', i.tpmSupport) +
    el('imdsSupport', i.imdsSupport) +
    el('deprecationTime', i.deprecationTime) +
    el('lastLaunchedTime', i.lastLaunchedTime) +
    el('deregistrationProtection', i.deregistrationProtection) +
    el('sourceImageId', i.sourceImageId) +
    el('sourceImageRegion', i.sourceImageRegion) +
    (i.stateReason ? wrap('stateReason', el('code', i.stateReason.code) + el('message', i.stateReason.message)) : '') +
    el('platformDetails', i.platformDetails) +
    el('usageOperation', i.usageOperation)
  )
}

function renderBlockDevices(i: EmuImage): string {
  return itemSet(
    'blockDeviceMapping',
    i.blockDeviceMappings,
    (b) =>
      el('deviceName', b.deviceName) +
      el('virtualName', b.virtualName) +
      el('noDevice', b.noDevice) +
      (b.ebs
        ? wrap(
            'ebs',
            el('snapshotId', b.ebs.snapshotId) +
              el('volumeSize', b.ebs.volumeSize) +
              el('deleteOnTermination', b.ebs.deleteOnTermination) +
              el('volumeType', b.ebs.volumeType) +
              el('iops', b.ebs.iops) +
              el('throughput', b.ebs.throughput) +
              el('encrypted', b.ebs.encrypted)
          )
        : '')
  )
}

const DESCRIBE_IMAGES = accepting(
  'ImageId.N',
  'Owner.N',
  'Filter.N.Name',
  'Filter.N.Value.N',
  'IncludeDisabled',
  'IncludeDeprecated',
  'MaxResults',
  'NextToken'
)

const describeImages: Handler = (ctx) => {
  accept(ctx, DESCRIBE_IMAGES)
  const p = ctx.params
  const ids = list(p, 'ImageId')
  const owners = list(p, 'Owner')
  const filters = ec2Filters(p)
  const includeDisabled = bool(p, 'IncludeDisabled')
  const includeDeprecated = bool(p, 'IncludeDeprecated')
  if (p['MaxResults'] !== undefined && ids.length > 0) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The parameter imageIdsSet cannot be used with the parameter maxResults'
    )
  }
  const size = maxResults(ctx, 5, 1000)
  for (const id of ids) checkAmiId(id)
  checkFilterNames(filters, (n) => n.startsWith('tag:') || n in IMAGE_FILTERS)
  dryRun(ctx)

  const { state, region, accountId } = ctx
  const now = state.now()
  const all = state.images(region)
  let candidates: EmuImage[]
  if (ids.length > 0) {
    const seen = new Set<string>()
    const missing: string[] = []
    candidates = []
    for (const id of ids) {
      if (seen.has(id)) continue
      seen.add(id)
      const image = state.region(region).images.get(id)
      if (!image || !visible(image, ctx.account)) missing.push(id)
      else if (image.state === 'disabled' && !includeDisabled && ctx.faults.disabledByIdNotFound) missing.push(id)
      else candidates.push(image)
    }
    if (missing.length > 0) throw notFound(missing)
    candidates = candidates.filter((i) => i.state !== 'disabled' || includeDisabled)
  } else {
    candidates = all.filter(
      (i) =>
        visible(i, ctx.account) &&
        i.state !== 'deregistered' &&
        (i.state !== 'disabled' || includeDisabled) &&
        (!isDeprecated(i, now) || includeDeprecated || i.ownerId === accountId)
    )
  }
  // owners: `self` or account ids (aliases such as `amazon` are not modelled: they match no image)
  if (owners.length > 0)
    candidates = candidates.filter((i) => owners.some((o) => i.ownerId === (o === 'self' ? accountId : o)))
  if (filters.length > 0) candidates = candidates.filter((i) => matchFilters(filters, i, imageFilterValues))
  const { page, nextToken } = paginate(ctx, candidates, size)
  state.countDescribe(region)
  return wrap('imagesSet', page.map((i) => wrap('item', renderImage(i))).join('')) + el('nextToken', nextToken)
}

// ---------------------------------------------------------------- image attributes

/** The attribute the action reads: the sharing. */
const IMAGE_ATTRIBUTES = new Set(['launchPermission'])

const DESCRIBE_IMAGE_ATTRIBUTE = accepting('ImageId', 'Attribute')

function renderPermission(lp: LaunchPermission): string {
  if ('userId' in lp) return el('userId', lp.userId)
  if ('organizationArn' in lp) return el('organizationArn', lp.organizationArn)
  return el('organizationalUnitArn', lp.organizationalUnitArn)
}

const describeImageAttribute: Handler = (ctx) => {
  accept(ctx, DESCRIBE_IMAGE_ATTRIBUTE)
  const attribute = required(ctx, 'Attribute')
  const imageId = required(ctx, 'ImageId')
  if (!IMAGE_ATTRIBUTES.has(attribute)) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`
    )
  }
  const image = lookupImage(ctx, imageId)
  requireOwner(ctx, image)
  dryRun(ctx)
  return (
    el('imageId', image.imageId) +
    wrap(
      'launchPermission',
      (image.public ? wrap('item', el('group', 'all')) : '') +
        image.launchPermissions.map((lp) => wrap('item', renderPermission(lp))).join('')
    )
  )
}

type PermissionItem = LaunchPermission | { group: string }

function readPermissionItems(records: Array<Record<string, string>>): PermissionItem[] {
  const out: PermissionItem[] = []
  for (const r of records) {
    if (r['UserId'] !== undefined) out.push({ userId: r['UserId'] })
    if (r['Group'] !== undefined) out.push({ group: r['Group'] })
    if (r['OrganizationArn'] !== undefined) out.push({ organizationArn: r['OrganizationArn'] })
    if (r['OrganizationalUnitArn'] !== undefined) out.push({ organizationalUnitArn: r['OrganizationalUnitArn'] })
  }
  return out
}

function validatePermission(lp: PermissionItem): void {
  if ('group' in lp && lp.group !== 'all')
    throw new ApiError(
      'InvalidAMIAttributeItemValue',
      `Invalid attribute item value "${lp.group}" for group item type.`
    )
  if ('userId' in lp && !ACCOUNT_ID.test(lp.userId))
    throw new ApiError(
      'InvalidAMIAttributeItemValue',
      `Invalid attribute item value "${lp.userId}" for userId item type.`
    )
  if (
    'organizationArn' in lp &&
    !/^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]+$/.test(lp.organizationArn)
  ) {
    throw new ApiError(
      'InvalidAMIAttributeItemValue',
      `Invalid attribute item value "${lp.organizationArn}" for organizationArn item type.`
    )
  }
  if (
    'organizationalUnitArn' in lp &&
    !/^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]+\/ou-[a-z0-9-]+$/.test(lp.organizationalUnitArn)
  ) {
    throw new ApiError(
      'InvalidAMIAttributeItemValue',
      `Invalid attribute item value "${lp.organizationalUnitArn}" for organizationalUnitArn item type.`
    )
  }
}

function samePermission(a: LaunchPermission, b: LaunchPermission): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Only what re-sharing sends: launch permissions added (accounts, organizations, OUs, public). */
const MODIFY_IMAGE_ATTRIBUTE = accepting(
  'ImageId',
  'LaunchPermission.Add.N.UserId',
  'LaunchPermission.Add.N.Group',
  'LaunchPermission.Add.N.OrganizationArn',
  'LaunchPermission.Add.N.OrganizationalUnitArn'
)

const modifyImageAttribute: Handler = (ctx) => {
  accept(ctx, MODIFY_IMAGE_ATTRIBUTE)
  const imageId = required(ctx, 'ImageId')
  const add = readPermissionItems(structList(ctx.params, 'LaunchPermission.Add'))
  if (add.length === 0) throw new ApiError('InvalidParameterCombination', 'No attributes specified.')
  for (const lp of add) validatePermission(lp)
  const image = lookupImage(ctx, imageId)
  requireOwner(ctx, image)
  if (image.state === 'disabled') {
    throw new ApiError(
      'IncorrectState',
      `The image '${image.imageId}' is disabled. A disabled AMI can't be shared; enable it first.`
    )
  }
  if (
    add.some((lp) => 'group' in lp) &&
    (ctx.faults.blockPublicAccess.has(ctx.region) || ctx.faults.blockPublicAccess.has('*'))
  ) {
    throw new ApiError(
      'OperationNotPermitted',
      "You can't publicly share this image because block public access for AMIs is enabled for this account. To publicly share the image, you must call the DisableImageBlockPublicAccess API."
    )
  }
  dryRun(ctx)
  for (const lp of add) {
    if ('group' in lp) image.public = true
    else if (!image.launchPermissions.some((x) => samePermission(x, lp))) image.launchPermissions.push(lp)
  }
  return el('return', true)
}

// ---------------------------------------------------------------- disable / enable

const IMAGE_ID_ONLY = accepting('ImageId')

const disableImage: Handler = (ctx) => {
  accept(ctx, IMAGE_ID_ONLY)
  const image = lookupImage(ctx, required(ctx, 'ImageId'))
  requireOwner(ctx, image)
  if (image.state !== 'available' && image.state !== 'disabled') {
    throw new ApiError(
      'IncorrectState',
      `The image '${image.imageId}' is in state '${image.state}' and cannot be disabled.`
    )
  }
  dryRun(ctx)
  image.state = 'disabled'
  image.public = false
  image.launchPermissions = []
  return el('return', true)
}

const enableImage: Handler = (ctx) => {
  accept(ctx, IMAGE_ID_ONLY)
  const image = lookupImage(ctx, required(ctx, 'ImageId'))
  requireOwner(ctx, image)
  if (image.state !== 'available' && image.state !== 'disabled') {
    throw new ApiError(
      'IncorrectState',
      `The image '${image.imageId}' is in state '${image.state}' and cannot be enabled.`
    )
  }
  const archived = snapshotsOf(ctx, image).filter((x) => x.storageTier === 'archive' || x.restoreExpiryTime)
  if (archived.length > 0) {
    // EC2's own code and words for this are not documented: plausible ones
    throw new ApiError(
      'IncorrectState',
      `The image '${image.imageId}' can't be enabled because its snapshot(s) ${archived.map((x) => x.snapshotId).join(', ')} are in the archive tier or only temporarily restored. Permanently restore them first.`
    )
  }
  dryRun(ctx)
  image.state = 'available'
  return el('return', true)
}

// ---------------------------------------------------------------- tags

const MAX_TAGS = 50

/** Only images are tagged by the action: any other id is answered as EC2 answers an id it cannot read. */
function tagTarget(ctx: Ec2Context, id: string): EmuImage {
  if (!id.startsWith('ami-')) throw new ApiError('InvalidID', `The ID '${id}' is not valid`)
  const image = lookupImage(ctx, id)
  requireOwner(ctx, image)
  return image
}

function readTags(ctx: Ec2Context): Array<{ key: string; value: string | undefined }> {
  return structList(ctx.params, 'Tag').map((r) => ({ key: r['Key'] ?? '', value: r['Value'] }))
}

const CREATE_TAGS = accepting('ResourceId.N', 'Tag.N.Key', 'Tag.N.Value')

const createTags: Handler = (ctx) => {
  accept(ctx, CREATE_TAGS)
  const resources = list(ctx.params, 'ResourceId')
  if (resources.length === 0)
    throw new ApiError('MissingParameter', 'The request must contain the parameter resourceIdSet')
  const tags = readTags(ctx)
  if (tags.length === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter tagSet')
  for (const t of tags) {
    if (t.key === '') throw new ApiError('InvalidParameterValue', 'Tag key must not be empty')
    if (t.key.length > 128)
      throw new ApiError('InvalidParameterValue', `Tag key exceeds the maximum length of 128 characters`)
    if ((t.value ?? '').length > 256)
      throw new ApiError('InvalidParameterValue', `Tag value exceeds the maximum length of 256 characters`)
    if (t.key.toLowerCase().startsWith('aws:'))
      throw new ApiError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`)
  }
  const targets = resources.map((id) => tagTarget(ctx, id))
  const merged = targets.map((target) => {
    const next = target.tags.map((t) => ({ ...t }))
    for (const t of tags) {
      const existing = next.find((x) => x.key === t.key)
      if (existing) existing.value = t.value ?? ''
      else next.push({ key: t.key, value: t.value ?? '' })
    }
    if (next.length > MAX_TAGS)
      throw new ApiError(
        'TagLimitExceeded',
        `The maximum number of tags (${MAX_TAGS}) for a resource has been reached.`
      )
    return next
  })
  dryRun(ctx)
  targets.forEach((target, i) => (target.tags = merged[i]!))
  return el('return', true)
}

// ---------------------------------------------------------------- launch templates

function ssmParameterName(imageId: string): string | undefined {
  if (!imageId.startsWith('resolve:ssm:')) return undefined
  const rest = imageId.slice('resolve:ssm:'.length)
  // a version or label may follow the name: /path/name:3
  return rest.split(':')[0]
}

export function resolveImageId(
  state: Pick<AccountState, 'ssmParameter'>,
  region: string,
  imageId: string | undefined
): string | undefined {
  if (imageId === undefined) return undefined
  const name = ssmParameterName(imageId)
  if (name === undefined) return imageId
  return state.ssmParameter(region, name) ?? imageId
}

/** The filter the action sends: the images the versions launch. */
const LTV_FILTERS = new Set(['image-id'])
/** EC2's limit on the values of one filter. */
const MAX_FILTER_VALUES = 200

interface VersionRow {
  template: EmuLaunchTemplate
  version: EmuLaunchTemplateVersion
}

function findTemplate(ctx: Ec2Context, id: string): EmuLaunchTemplate {
  if (!LT_ID.test(id))
    throw new ApiError(
      'InvalidLaunchTemplateId.Malformed',
      `The specified ID (${id}) is not valid. Expecting "lt-...".`
    )
  const t = ctx.account.region(ctx.region).launchTemplates.get(id)
  if (!t)
    throw new ApiError(
      'InvalidLaunchTemplateId.NotFound',
      `The specified launch template, with template ID ${id}, does not exist.`
    )
  return t
}

function findTemplateByName(ctx: Ec2Context, name: string): EmuLaunchTemplate {
  const region = ctx.account.region(ctx.region)
  const id = region.templateIdByName.get(name)
  const t = id === undefined ? undefined : region.launchTemplates.get(id)
  if (!t)
    throw new ApiError(
      'InvalidLaunchTemplateName.NotFoundException',
      `The specified launch template, with template name ${name}, does not exist.`
    )
  return t
}

function resolveVersion(t: EmuLaunchTemplate, spec: string): EmuLaunchTemplateVersion {
  let n: number
  if (spec === '$Latest') n = latestVersion(t)
  else if (spec === '$Default') n = t.defaultVersion
  else if (/^\d+$/.test(spec)) n = Number(spec)
  else
    throw new ApiError(
      'InvalidLaunchTemplateVersion',
      `The launch template version '${spec}' is not valid. Specify a version number, $Latest or $Default.`
    )
  const v = t.versions.find((x) => x.versionNumber === n)
  if (!v)
    throw new ApiError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find the specified version ${spec} for the launch template with ID ${t.launchTemplateId}.`
    )
  return v
}

/**
 * The filters of DescribeLaunchTemplateVersions as one test of a version, compiled once per
 * request (a query over every template of a large account runs it thousands of times).
 */
function versionFilter(
  ctx: Ec2Context,
  filters: Filter[]
): (t: EmuLaunchTemplate, v: EmuLaunchTemplateVersion) => boolean {
  const { account: state, region } = ctx
  const resolved = ctx.faults.imageIdFilterMatchesResolved
  // image-id is the only filter accepted (checkFilterNames)
  const tests = filters.map((f): ((t: EmuLaunchTemplate, v: EmuLaunchTemplateVersion) => boolean) => {
    const m = matcher(f)
    return resolved ? (_t, v) => m(v.imageId) || m(resolveImageId(state, region, v.imageId)) : (_t, v) => m(v.imageId)
  })
  return (t, v) => tests.every((test) => test(t, v))
}

/**
 * The only templates an image-id filter can match, in the order they were added, read from the
 * region's index; undefined (read them all) without an image-id filter, or when the filter may
 * also match what the index does not hold (the resolved-alias fault).
 */
function imageIdCandidates(ctx: Ec2Context, filters: Filter[]): EmuLaunchTemplate[] | undefined {
  const f = filters.find((x) => x.name === 'image-id')
  if (!f || ctx.faults.imageIdFilterMatchesResolved) return undefined
  const region = ctx.account.region(ctx.region)
  const found = new Set<EmuLaunchTemplate>()
  const add = (templates: EmuLaunchTemplate[] | undefined): void => templates?.forEach((t) => found.add(t))
  if (f.values.some((v) => /[*?\\]/.test(v))) {
    const m = matcher(f)
    for (const [imageId, templates] of region.templatesByImageId) if (m(imageId)) add(templates)
  } else {
    for (const v of f.values) add(region.templatesByImageId.get(v))
  }
  return [...found].sort((a, b) => region.templateOrder.get(a)! - region.templateOrder.get(b)!)
}

/**
 * Two forms: (a) one template by id or by name (not both), with versions: numbers, `$Latest`,
 * `$Default` (the action's lookup of the versions that groups pin; the bench's naive script); (b)
 * no template, `$Latest` and/or `$Default` of every template of the region (the action's image-id
 * query). The filters hold in both forms; a filter takes at most 200 values.
 */
const DESCRIBE_LAUNCH_TEMPLATE_VERSIONS = accepting(
  'LaunchTemplateId',
  'LaunchTemplateName',
  'LaunchTemplateVersion.N',
  'Filter.N.Name',
  'Filter.N.Value.N',
  'ResolveAlias',
  'MaxResults',
  'NextToken'
)

const describeLaunchTemplateVersions: Handler = (ctx) => {
  accept(ctx, DESCRIBE_LAUNCH_TEMPLATE_VERSIONS)
  const p = ctx.params
  const id = p['LaunchTemplateId']
  const name = p['LaunchTemplateName']
  const versions = list(p, 'LaunchTemplateVersion')
  const filters = ec2Filters(p)
  const resolve = bool(p, 'ResolveAlias')
  const size = maxResults(ctx, 1, 200)
  checkFilterNames(filters, (n) => LTV_FILTERS.has(n))
  if (filters.some((f) => f.values.length > MAX_FILTER_VALUES))
    throw new ApiError(
      'FilterLimitExceeded',
      `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`
    )
  if (id !== undefined && name !== undefined)
    throw new ApiError(
      'InvalidParameterCombination',
      'Specify either the launch template ID or the launch template name, but not both.'
    )
  // listing every version of a template (no versions asked) is not modelled
  if (versions.length === 0)
    throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplateVersion')

  const keep = versionFilter(ctx, filters)
  const rows: VersionRow[] = []
  if (id === undefined && name === undefined) {
    // form (b): $Latest and/or $Default of every template in the region
    if (versions.some((v) => v !== '$Latest' && v !== '$Default')) {
      throw new ApiError(
        'InvalidParameterValue',
        'To describe the launch template data for all your launch templates, for ‘--versions’ specify ‘$Latest’, ‘$Default’, or both, and omit ‘--launch-template-id’, ‘--launch-template-name’, and version numbers. To describe the launch template data for a specific launch template, specify ‘--launch-template-id’ or ‘--launch-template-name’, and for ‘--versions’ specify one or more of the following values: ‘$Latest’, ‘$Default’, or one or more version numbers.'
      )
    }
    dryRun(ctx)
    const wantLatest = versions.includes('$Latest')
    const wantDefault = versions.includes('$Default')
    // one pass over every template's versions (a large account has thousands): the latest and the
    // default version, newest first, once if they are the same
    for (const t of imageIdCandidates(ctx, filters) ?? ctx.account.region(ctx.region).launchTemplates.values()) {
      let latest: EmuLaunchTemplateVersion | undefined
      let byDefault: EmuLaunchTemplateVersion | undefined
      for (const v of t.versions) {
        if (!latest || v.versionNumber > latest.versionNumber) latest = v
        if (v.versionNumber === t.defaultVersion) byDefault = v
      }
      const a = wantLatest ? latest : undefined
      const b = wantDefault && byDefault !== a ? byDefault : undefined
      const [first, second] = a && b && b.versionNumber > a.versionNumber ? [b, a] : [a, b]
      if (first && keep(t, first)) rows.push({ template: t, version: first })
      if (second && keep(t, second)) rows.push({ template: t, version: second })
    }
  } else {
    // form (a): the versions asked, in the order asked, each once; one that does not exist fails the whole answer
    const t = id !== undefined ? findTemplate(ctx, id) : findTemplateByName(ctx, name ?? '')
    dryRun(ctx)
    const seen = new Set<number>()
    for (const spec of versions) {
      const v = resolveVersion(t, spec)
      if (seen.has(v.versionNumber)) continue
      seen.add(v.versionNumber)
      if (keep(t, v)) rows.push({ template: t, version: v })
    }
  }

  const { account: state, region } = ctx
  const { page, nextToken } = paginate(ctx, rows, size)
  const items = page
    .map(({ template: t, version: v }) => {
      const imageId = resolve ? resolveImageId(state, region, v.imageId) : v.imageId
      const data =
        el('kernelId', v.kernelId) +
        el('ebsOptimized', v.ebsOptimized) +
        el('imageId', imageId) +
        el('instanceType', v.instanceType) +
        el('keyName', v.keyName) +
        el('ramDiskId', v.ramDiskId) +
        el('userData', v.userData) +
        itemSet('securityGroupIdSet', v.securityGroupIds, (s) => xmlEscape(s))
      return wrap(
        'item',
        el('launchTemplateId', t.launchTemplateId) +
          el('launchTemplateName', t.launchTemplateName) +
          el('versionNumber', v.versionNumber) +
          el('versionDescription', v.versionDescription) +
          el('createTime', v.createTime) +
          el('createdBy', v.createdBy) +
          el('defaultVersion', v.versionNumber === t.defaultVersion) +
          wrap('launchTemplateData', data)
      )
    })
    .join('')
  return wrap('launchTemplateVersionSet', items) + el('nextToken', nextToken)
}

/** The templates by id (the action), or every template, paginated (the bench's naive script). */
const DESCRIBE_LAUNCH_TEMPLATES = accepting('LaunchTemplateId.N', 'MaxResults', 'NextToken')

const describeLaunchTemplates: Handler = (ctx) => {
  accept(ctx, DESCRIBE_LAUNCH_TEMPLATES)
  const ids = list(ctx.params, 'LaunchTemplateId')
  const size = maxResults(ctx, 1, 200)
  const templates = ids.length > 0 ? ids.map((id) => findTemplate(ctx, id)) : ctx.account.launchTemplates(ctx.region)
  dryRun(ctx)
  const { page, nextToken } = paginate(ctx, templates, size)
  return (
    itemSet(
      'launchTemplates',
      page,
      (t) =>
        el('launchTemplateId', t.launchTemplateId) +
        el('launchTemplateName', t.launchTemplateName) +
        el('createTime', t.createTime) +
        el('createdBy', t.createdBy) +
        el('defaultVersionNumber', t.defaultVersion) +
        el('latestVersionNumber', latestVersion(t)) +
        renderTags(t.tags)
    ) + el('nextToken', nextToken)
  )
}

// ---------------------------------------------------------------- who uses an image: references

/** The resource types of DescribeImageReferences, in the order its answer lists them. */
const REFERENCE_TYPES = [
  'ec2:Instance',
  'ec2:LaunchTemplate',
  'ssm:Parameter',
  'imagebuilder:ImageRecipe',
  'imagebuilder:ContainerRecipe'
] as const
/** the options each resource type takes (DescribeImageReferences and CreateImageUsageReport alike) */
const TYPE_OPTIONS: Record<string, string[]> = {
  'ec2:Instance': ['state-name'],
  'ec2:LaunchTemplate': ['version-depth']
}
const MAX_VERSION_DEPTH = 10000
const DEFAULT_REFERENCE_VERSION_DEPTH = 10

/** `ResourceType.N.ResourceType`, `ResourceType.N.ResourceTypeOption.N.OptionName` / `.OptionValue.N`. */
function readResourceTypes(params: Params): UsageResourceType[] {
  return structList(params, 'ResourceType').map((rec) => ({
    resourceType: rec['ResourceType'] ?? '',
    options: structList(rec, 'ResourceTypeOption').map((o) => ({
      name: o['OptionName'] ?? '',
      values: list(o, 'OptionValue')
    }))
  }))
}

function invalidValue(value: string, parameter: string): ApiError {
  return new ApiError('InvalidParameterValue', `Value (${value}) for parameter ${parameter} is invalid.`)
}

/** Checks the types and options against what each type takes; `types` are those the action allows. */
function checkResourceTypes(types: UsageResourceType[], allowed: readonly string[]): void {
  for (const t of types) {
    if (!allowed.includes(t.resourceType)) throw invalidValue(t.resourceType, 'ResourceType')
    for (const o of t.options) {
      if (!(TYPE_OPTIONS[t.resourceType] ?? []).includes(o.name)) throw invalidValue(o.name, 'OptionName')
      if (o.values.length === 0)
        throw new ApiError('MissingParameter', `The request must contain the parameter OptionValue`)
      if (o.name === 'version-depth') {
        const depth = Number(o.values[0])
        if (o.values.length !== 1 || !Number.isInteger(depth) || depth < 1 || depth > MAX_VERSION_DEPTH)
          throw invalidValue(o.values.join(','), 'version-depth')
      }
      if (o.name === 'state-name') {
        for (const v of o.values) if (!INSTANCE_STATES.includes(v as InstanceState)) throw invalidValue(v, 'state-name')
      }
    }
  }
}

function optionValues(t: UsageResourceType | undefined, name: string): string[] | undefined {
  return t?.options.find((o) => o.name === name)?.values
}

function ssmParameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`
}

interface Reference {
  imageId: string
  resourceType: string
  arn: string
}

/** The caller's resources of one type that reference the image. */
function referencesOf(
  ctx: Ec2Context,
  imageId: string,
  type: string,
  spec: UsageResourceType | undefined
): Reference[] {
  const { account, region, accountId } = ctx
  const r = account.region(region)
  const out: Reference[] = []
  const add = (arn: string): void => void out.push({ imageId, resourceType: type, arn })
  switch (type) {
    case 'ec2:Instance': {
      const states = new Set(optionValues(spec, 'state-name') ?? INSTANCE_STATES)
      for (const i of r.instances.values())
        if (i.imageId === imageId && states.has(i.state))
          add(`arn:aws:ec2:${region}:${accountId}:instance/${i.instanceId}`)
      break
    }
    case 'ec2:LaunchTemplate': {
      const depth = Number(optionValues(spec, 'version-depth')?.[0] ?? DEFAULT_REFERENCE_VERSION_DEPTH)
      for (const t of r.launchTemplates.values())
        if (newestVersions(t, depth).some((v) => v.imageId === imageId))
          add(`arn:aws:ec2:${region}:${accountId}:launch-template/${t.launchTemplateId}`)
      break
    }
    case 'ssm:Parameter':
      for (const [name, value] of r.ssm)
        if (value === imageId && account.ssmDataType(region, name) === 'aws:ec2:image')
          add(ssmParameterArn(region, accountId, name))
      break
    case 'imagebuilder:ImageRecipe':
    case 'imagebuilder:ContainerRecipe': {
      const kind = type === 'imagebuilder:ImageRecipe' ? 'image' : 'container'
      for (const recipe of r.recipes) if (recipe.kind === kind && recipe.parentImage === imageId) add(recipe.arn)
      break
    }
  }
  return out
}

const DESCRIBE_IMAGE_REFERENCES = accepting(
  'ImageId.N',
  'IncludeAllResourceTypes',
  'ResourceType.N.ResourceType',
  'ResourceType.N.ResourceTypeOption.N.OptionName',
  'ResourceType.N.ResourceTypeOption.N.OptionValue.N',
  'MaxResults',
  'NextToken'
)

/** The caller's own resources that reference the images (1..10 ids), per resource type, paginated. */
const describeImageReferences: Handler = (ctx) => {
  accept(ctx, DESCRIBE_IMAGE_REFERENCES)
  const ids = [...new Set(list(ctx.params, 'ImageId'))]
  if (ids.length === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter ImageId')
  if (ids.length > 10)
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${ids.length}) for parameter ImageId is invalid. Expecting at most 10 image IDs.`
    )
  for (const id of ids) checkAmiId(id)
  const all = bool(ctx.params, 'IncludeAllResourceTypes')
  const types = readResourceTypes(ctx.params)
  if (!all && types.length === 0)
    throw new ApiError(
      'MissingParameter',
      'The request must contain the parameter ResourceType or IncludeAllResourceTypes'
    )
  checkResourceTypes(types, REFERENCE_TYPES)
  const size = maxResults(ctx, 5, 1000)
  dryRun(ctx)
  const asked = all ? [...REFERENCE_TYPES] : REFERENCE_TYPES.filter((t) => types.some((x) => x.resourceType === t))
  const refs: Reference[] = []
  for (const id of ids)
    for (const type of asked)
      refs.push(
        ...referencesOf(
          ctx,
          id,
          type,
          types.find((x) => x.resourceType === type)
        )
      )
  const { page, nextToken } = paginate(ctx, refs, size)
  return (
    wrap(
      'imageReferenceSet',
      page
        .map((x) => wrap('item', el('imageId', x.imageId) + el('resourceType', x.resourceType) + el('arn', x.arn)))
        .join('')
    ) + el('nextToken', nextToken)
  )
}

// ---------------------------------------------------------------- who uses an image: usage reports

const USAGE_TYPES = ['ec2:Instance', 'ec2:LaunchTemplate'] as const

function reportNotFound(id: string): ApiError {
  return new ApiError('InvalidImageUsageReportId.NotFound', `The image usage report ID '${id}' does not exist`)
}

const CREATE_IMAGE_USAGE_REPORT = accepting(
  'ImageId',
  'ResourceType.N.ResourceType',
  'ResourceType.N.ResourceTypeOption.N.OptionName',
  'ResourceType.N.ResourceTypeOption.N.OptionValue.N',
  'AccountId.N',
  'ClientToken',
  'TagSpecification.N.ResourceType',
  'TagSpecification.N.Tag.N.Key',
  'TagSpecification.N.Tag.N.Value'
)

/** Image owner only; one pending report per image; pending for `usageReportDelayMs`, then available (or error). */
const createImageUsageReport: Handler = (ctx) => {
  accept(ctx, CREATE_IMAGE_USAGE_REPORT)
  const imageId = required(ctx, 'ImageId')
  const types = readResourceTypes(ctx.params)
  if (types.length === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter ResourceType')
  checkResourceTypes(types, USAGE_TYPES)
  const accountIds = [...new Set(list(ctx.params, 'AccountId'))]
  if (accountIds.length > 200)
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${accountIds.length}) for parameter AccountId is invalid. Expecting at most 200.`
    )
  for (const a of accountIds) if (!ACCOUNT_ID.test(a)) throw invalidValue(a, 'AccountId')
  const tags: Tag[] = []
  for (const spec of structList(ctx.params, 'TagSpecification')) {
    if (spec['ResourceType'] !== 'image-usage-report') throw invalidValue(spec['ResourceType'] ?? '', 'ResourceType')
    for (const t of structList(spec, 'Tag')) tags.push({ key: t['Key'] ?? '', value: t['Value'] ?? '' })
  }
  const image = lookupImage(ctx, imageId)
  requireOwner(ctx, image)
  const token = ctx.params['ClientToken']
  const reports = ctx.account.usageReports(ctx.region)
  const again = token === undefined ? undefined : reports.find((r) => r.clientToken === token)
  if (again) {
    if (again.imageId !== imageId)
      throw new ApiError('IdempotentParameterMismatch', `The client token ${token} was used with other parameters.`)
    dryRun(ctx)
    return el('reportId', again.reportId)
  }
  if (reports.some((r) => r.imageId === imageId && r.state === 'pending'))
    throw new ApiError(
      'ResourceLimitExceeded',
      `A usage report for image ${imageId} is already pending. Wait until it is available before you create another one.`
    )
  dryRun(ctx)
  const reason = ctx.faults.usageReportErrors.get(imageId) ?? ctx.faults.usageReportErrors.get('*')
  const report = ctx.account.addUsageReport(ctx.region, {
    imageId,
    availableAfterMs: ctx.state.usageReportDelayMs,
    resourceTypes: types.map((t) =>
      t.resourceType === 'ec2:LaunchTemplate' && !t.options.some((o) => o.name === 'version-depth')
        ? { ...t, options: [...t.options, { name: 'version-depth', values: [String(DEFAULT_USAGE_VERSION_DEPTH)] }] }
        : t
    ),
    accountIds,
    tags,
    ...(reason !== undefined ? { resolvesTo: 'error' as const, stateReason: reason } : {})
  })
  if (token !== undefined) report.clientToken = token
  return el('reportId', report.reportId)
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString()
}

function renderReport(r: EmuUsageReport): string {
  return (
    el('imageId', r.imageId) +
    el('reportId', r.reportId) +
    itemSet(
      'resourceTypeSet',
      r.resourceTypes,
      (t) =>
        el('resourceType', t.resourceType) +
        itemSet(
          'resourceTypeOptionSet',
          t.options,
          (o) => el('optionName', o.name) + itemSet('optionValueSet', o.values, (v) => xmlEscape(v))
        )
    ) +
    itemSet('accountIdSet', r.accountIds, (a) => xmlEscape(a)) +
    el('state', r.state) +
    el('stateReason', r.state === 'error' ? r.stateReason : undefined) +
    el('creationTime', isoTime(r.creationTime)) +
    el('expirationTime', isoTime(r.expirationTime)) +
    renderTags(r.tags)
  )
}

/** The caller's reports of the region, narrowed by ReportId.N (each must exist) and ImageId.N (at most 200 each). */
function selectReports(ctx: Ec2Context): EmuUsageReport[] {
  const reportIds = list(ctx.params, 'ReportId')
  const imageIds = list(ctx.params, 'ImageId')
  for (const [name, ids] of [
    ['ReportId', reportIds],
    ['ImageId', imageIds]
  ] as const)
    if (ids.length > 200)
      throw new ApiError(
        'InvalidParameterValue',
        `Value (${ids.length}) for parameter ${name} is invalid. Expecting at most 200.`
      )
  for (const id of imageIds) checkAmiId(id)
  let reports = ctx.account.usageReports(ctx.region).sort((a, b) => a.creationTime - b.creationTime)
  if (reportIds.length > 0) {
    const missing = reportIds.find((id) => !reports.some((r) => r.reportId === id))
    if (missing !== undefined) throw reportNotFound(missing)
    reports = reports.filter((r) => reportIds.includes(r.reportId))
  }
  if (imageIds.length > 0) reports = reports.filter((r) => imageIds.includes(r.imageId))
  return reports
}

const REPORT_FILTERS: Record<string, (r: EmuUsageReport) => string[]> = {
  state: (r) => [r.state],
  'creation-time': (r) => [isoTime(r.creationTime)]
}

const DESCRIBE_IMAGE_USAGE_REPORTS = accepting(
  'ImageId.N',
  'ReportId.N',
  'Filter.N.Name',
  'Filter.N.Value.N',
  'MaxResults',
  'NextToken'
)

const describeImageUsageReports: Handler = (ctx) => {
  accept(ctx, DESCRIBE_IMAGE_USAGE_REPORTS)
  const filters = ec2Filters(ctx.params)
  checkFilterNames(filters, (n) => n in REPORT_FILTERS)
  const size = maxResults(ctx, 1, 1000)
  const reports = selectReports(ctx).filter((r) => matchFilters(filters, r, (n, x) => REPORT_FILTERS[n]?.(x)))
  dryRun(ctx)
  const { page, nextToken } = paginate(ctx, reports, size)
  const answer = itemSet('imageUsageReportSet', page, renderReport) + el('nextToken', nextToken)
  // counted once shown: the next read after the last pending answer finds it resolved
  for (const r of page) if (r.state === 'pending' && r.pendingDescribes !== undefined) r.pendingDescribes -= 1
  return answer
}

interface EntryRow {
  report: EmuUsageReport
  entry: UsageReportEntry
}

const ENTRY_FILTERS: Record<string, (x: EntryRow) => string[]> = {
  'account-id': (x) => [x.entry.accountId],
  'resource-type': (x) => [x.entry.resourceType],
  'creation-time': (x) => [isoTime(x.report.creationTime)]
}

const DESCRIBE_IMAGE_USAGE_REPORT_ENTRIES = DESCRIBE_IMAGE_USAGE_REPORTS

/** The entries of the caller's available reports: per account and resource type, a count. */
const describeImageUsageReportEntries: Handler = (ctx) => {
  accept(ctx, DESCRIBE_IMAGE_USAGE_REPORT_ENTRIES)
  const filters = ec2Filters(ctx.params)
  checkFilterNames(filters, (n) => n in ENTRY_FILTERS)
  const size = maxResults(ctx, 1, 1000)
  const rows: EntryRow[] = []
  for (const report of selectReports(ctx))
    if (report.state === 'available') for (const entry of report.entries ?? []) rows.push({ report, entry })
  const kept = rows.filter((x) => matchFilters(filters, x, (n, row) => ENTRY_FILTERS[n]?.(row)))
  dryRun(ctx)
  const { page, nextToken } = paginate(ctx, kept, size)
  return (
    itemSet(
      'imageUsageReportEntrySet',
      page,
      ({ report, entry }) =>
        el('resourceType', entry.resourceType) +
        el('reportId', report.reportId) +
        el('usageCount', entry.usageCount) +
        el('accountId', entry.accountId) +
        el('imageId', report.imageId) +
        el('reportCreationTime', isoTime(report.creationTime))
    ) + el('nextToken', nextToken)
  )
}

const deleteImageUsageReport: Handler = (ctx) => {
  accept(ctx, accepting('ReportId'))
  const id = required(ctx, 'ReportId')
  const reports = ctx.account.region(ctx.region).usageReports
  ctx.account.tickReports(ctx.region)
  if (!reports.has(id)) throw reportNotFound(id)
  dryRun(ctx)
  reports.delete(id)
  return el('return', true)
}

// ---------------------------------------------------------------- snapshots, deregistration, Recycle Bin

const SNAP_ID = /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/

function checkSnapshotId(id: string): void {
  if (!SNAP_ID.test(id)) throw new ApiError('InvalidSnapshotID.Malformed', `Invalid id: "${id}" (expecting "snap-...")`)
}

function snapshotNotFound(id: string): ApiError {
  return new ApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`)
}

/** The snapshots of an image's block device mappings that still exist (each once). */
function snapshotsOf(ctx: Ec2Context, image: EmuImage): EmuSnapshot[] {
  const ids = [...new Set(image.blockDeviceMappings.flatMap((b) => (b.ebs?.snapshotId ? [b.ebs.snapshotId] : [])))]
  return ids.flatMap((id) => {
    const x = ctx.state.snapshot(ctx.region, id)
    return x ? [x] : []
  })
}

/** A snapshot the caller owns (snapshots shared with it are not modelled). */
function ownSnapshot(ctx: Ec2Context, id: string): EmuSnapshot {
  checkSnapshotId(id)
  const snapshot = ctx.state.snapshot(ctx.region, id)
  if (!snapshot || snapshot.ownerId !== ctx.accountId) throw snapshotNotFound(id)
  return snapshot
}

/** Whether IAM (the deny switches) refuses the caller an action that EC2 performs inside another call. */
function deniedInside(ctx: Ec2Context, action: string): boolean {
  const mine = ctx.faults.denyByAccount.get(ctx.accountId)
  return [...ctx.faults.deny, ...(mine ?? [])].some((p) => actionMatches(p, 'ec2', action))
}

const DEREGISTER_IMAGE = accepting('ImageId', 'DeleteAssociatedSnapshots')

/**
 * Works in any state but `deregistered` (disabled included); refused while deregistration
 * protection is on. With DeleteAssociatedSnapshots, each snapshot: `skipped` when another
 * registered image uses it (never deleted), `missing-permissions` when the caller may not
 * ec2:DeleteSnapshot, else `success` (deleted, or into the Recycle Bin under an EBS_SNAPSHOT
 * rule). The image leaves DescribeImages, or goes to the Recycle Bin under an EC2_IMAGE rule.
 */
const deregisterImage: Handler = (ctx) => {
  accept(ctx, DEREGISTER_IMAGE)
  const image = lookupImage(ctx, required(ctx, 'ImageId'))
  requireOwner(ctx, image)
  if (image.deregistrationProtection?.startsWith('enabled')) {
    // the code is a guess (not documented); the rule is EC2's: nobody deregisters a protected image
    throw new ApiError(
      'OperationNotPermitted',
      `The image '${image.imageId}' can't be deregistered because deregistration protection is enabled. Disable deregistration protection first.`
    )
  }
  dryRun(ctx)
  const deleteSnapshots = bool(ctx.params, 'DeleteAssociatedSnapshots')
  const snapshots = snapshotsOf(ctx, image)
  ctx.state.deregisterImage(ctx.region, image.imageId)
  if (!deleteSnapshots) return el('return', true)
  const results = snapshots.map((x) => {
    if (ctx.state.imagesUsingSnapshot(ctx.region, x.snapshotId).length > 0)
      return { snapshotId: x.snapshotId, returnCode: 'skipped' }
    if (deniedInside(ctx, 'DeleteSnapshot')) return { snapshotId: x.snapshotId, returnCode: 'missing-permissions' }
    ctx.state.deleteSnapshot(ctx.region, x.snapshotId)
    return { snapshotId: x.snapshotId, returnCode: 'success' }
  })
  return (
    el('return', true) +
    itemSet('deleteSnapshotResultSet', results, (r) => el('snapshotId', r.snapshotId) + el('returnCode', r.returnCode))
  )
}

const deleteSnapshot: Handler = (ctx) => {
  accept(ctx, accepting('SnapshotId'))
  const snapshot = ownSnapshot(ctx, required(ctx, 'SnapshotId'))
  const users = ctx.state.imagesUsingSnapshot(ctx.region, snapshot.snapshotId)
  if (users.length > 0)
    throw new ApiError(
      'InvalidSnapshot.InUse',
      `The snapshot ${snapshot.snapshotId} is currently in use by ${users[0]!.imageId}`
    )
  dryRun(ctx)
  ctx.state.deleteSnapshot(ctx.region, snapshot.snapshotId)
  return el('return', true)
}

function renderSnapshot(x: EmuSnapshot): string {
  return (
    el('snapshotId', x.snapshotId) +
    el('volumeId', x.volumeId) +
    el('status', x.state) +
    el('startTime', x.startTime) +
    el('progress', '100%') +
    el('ownerId', x.ownerId) +
    el('description', x.description) +
    el('volumeSize', x.volumeSize) +
    el('encrypted', x.encrypted) +
    renderTags(x.tags) +
    el('storageTier', x.storageTier) +
    el('restoreExpiryTime', x.restoreExpiryTime)
  )
}

const SNAPSHOT_FILTERS: Record<string, (x: EmuSnapshot) => string[]> = {
  'snapshot-id': (x) => [x.snapshotId],
  'owner-id': (x) => [x.ownerId],
  status: (x) => [x.state],
  'storage-tier': (x) => [x.storageTier],
  'volume-size': (x) => [String(x.volumeSize)]
}

const DESCRIBE_SNAPSHOTS = accepting(
  'SnapshotId.N',
  'Owner.N',
  'Filter.N.Name',
  'Filter.N.Value.N',
  'MaxResults',
  'NextToken'
)

/** The caller's own snapshots (not those in the Recycle Bin), by id, owner (`self`) and filters; paginated. */
const describeSnapshots: Handler = (ctx) => {
  accept(ctx, DESCRIBE_SNAPSHOTS)
  const ids = list(ctx.params, 'SnapshotId')
  const owners = list(ctx.params, 'Owner')
  const filters = ec2Filters(ctx.params)
  if (ctx.params['MaxResults'] !== undefined && ids.length > 0)
    throw new ApiError(
      'InvalidParameterCombination',
      'The parameter snapshotSet cannot be used with the parameter maxResults'
    )
  const size = maxResults(ctx, 5, 1000)
  for (const id of ids) checkSnapshotId(id)
  checkFilterNames(filters, (n) => n.startsWith('tag:') || n in SNAPSHOT_FILTERS)
  dryRun(ctx)
  let found = ctx.state.snapshots(ctx.region).filter((x) => x.ownerId === ctx.accountId)
  if (ids.length > 0) {
    const missing = ids.find((id) => !found.some((x) => x.snapshotId === id))
    if (missing !== undefined) throw snapshotNotFound(missing)
    found = found.filter((x) => ids.includes(x.snapshotId))
  }
  if (owners.length > 0)
    found = found.filter((x) => owners.some((o) => x.ownerId === (o === 'self' ? ctx.accountId : o)))
  found = found.filter((x) =>
    matchFilters(filters, x, (n, y) =>
      n.startsWith('tag:') ? y.tags.filter((t) => t.key === n.slice(4)).map((t) => t.value) : SNAPSHOT_FILTERS[n]?.(y)
    )
  )
  const { page, nextToken } = paginate(ctx, found, size)
  return itemSet('snapshotSet', page, renderSnapshot) + el('nextToken', nextToken)
}

const MODIFY_SNAPSHOT_TIER = accepting('SnapshotId', 'StorageTier')

/** To the archive tier, only while every image that uses the snapshot is disabled. */
const modifySnapshotTier: Handler = (ctx) => {
  accept(ctx, MODIFY_SNAPSHOT_TIER)
  const snapshot = ownSnapshot(ctx, required(ctx, 'SnapshotId'))
  const tier = ctx.params['StorageTier']
  if (tier !== undefined && tier !== 'archive') throw invalidValue(tier, 'StorageTier')
  // the codes and words below are plausible, not EC2's documented ones
  if (snapshot.storageTier === 'archive')
    throw new ApiError('IncorrectState', `The snapshot '${snapshot.snapshotId}' is already in the archive tier.`)
  if (snapshot.state !== 'completed')
    throw new ApiError('IncorrectState', `The snapshot '${snapshot.snapshotId}' is in state '${snapshot.state}'.`)
  const enabled = ctx.state.imagesUsingSnapshot(ctx.region, snapshot.snapshotId).find((i) => i.state !== 'disabled')
  if (enabled)
    throw new ApiError(
      'IncorrectState',
      `The snapshot '${snapshot.snapshotId}' is associated with the AMI '${enabled.imageId}', which is not disabled. Disable the AMI before you archive its snapshots.`
    )
  dryRun(ctx)
  const now = new Date(ctx.state.now()).toISOString()
  snapshot.storageTier = 'archive'
  snapshot.tieringStartTime = now
  return el('snapshotId', snapshot.snapshotId) + el('tieringStartTime', now)
}

function binIds(ctx: Ec2Context, key: string, max: number): string[] {
  const ids = [...new Set(list(ctx.params, key))]
  if (ids.length > max)
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${ids.length}) for parameter ${key} is invalid. Expecting at most ${max}.`
    )
  if (ids.length > 0 && ctx.params['MaxResults'] !== undefined)
    throw new ApiError(
      'InvalidParameterCombination',
      `The parameter ${key} cannot be used with the parameter MaxResults`
    )
  return ids
}

const LIST_IMAGES_IN_RECYCLE_BIN = accepting('ImageId.N', 'MaxResults', 'NextToken')

const listImagesInRecycleBin: Handler = (ctx) => {
  accept(ctx, LIST_IMAGES_IN_RECYCLE_BIN)
  const ids = binIds(ctx, 'ImageId', 20)
  for (const id of ids) checkAmiId(id)
  const size = maxResults(ctx, 1, 1000)
  dryRun(ctx)
  const entries = [...ctx.state.imageBin(ctx.region).values()].filter(
    (e) => e.item.ownerId === ctx.accountId && (ids.length === 0 || ids.includes(e.item.imageId))
  )
  const { page, nextToken } = paginate(ctx, entries, size)
  return (
    itemSet(
      'imageSet',
      page,
      (e) =>
        el('imageId', e.item.imageId) +
        el('name', e.item.name) +
        el('description', e.item.description) +
        el('recycleBinEnterTime', isoTime(e.enterTime)) +
        el('recycleBinExitTime', isoTime(e.exitTime))
    ) + el('nextToken', nextToken)
  )
}

const LIST_SNAPSHOTS_IN_RECYCLE_BIN = accepting('SnapshotId.N', 'MaxResults', 'NextToken')

const listSnapshotsInRecycleBin: Handler = (ctx) => {
  accept(ctx, LIST_SNAPSHOTS_IN_RECYCLE_BIN)
  const ids = binIds(ctx, 'SnapshotId', 1000)
  for (const id of ids) checkSnapshotId(id)
  const size = maxResults(ctx, 5, 1000)
  dryRun(ctx)
  const entries = [...ctx.state.snapshotBin(ctx.region).values()].filter(
    (e) => e.item.ownerId === ctx.accountId && (ids.length === 0 || ids.includes(e.item.snapshotId))
  )
  const { page, nextToken } = paginate(ctx, entries, size)
  return (
    itemSet(
      'snapshotSet',
      page,
      (e) =>
        el('snapshotId', e.item.snapshotId) +
        el('recycleBinEnterTime', isoTime(e.enterTime)) +
        el('recycleBinExitTime', isoTime(e.exitTime)) +
        el('description', e.item.description) +
        el('volumeId', e.item.volumeId)
    ) + el('nextToken', nextToken)
  )
}

/**
 * Restores an image as it went in (its state, disabled included, and its tags; sharing was
 * already gone if it was disabled). Its snapshots must be out of the bin first.
 */
const restoreImageFromRecycleBin: Handler = (ctx) => {
  accept(ctx, IMAGE_ID_ONLY)
  const imageId = required(ctx, 'ImageId')
  checkAmiId(imageId)
  const entry = ctx.state.imageBin(ctx.region).get(imageId)
  if (!entry || entry.item.ownerId !== ctx.accountId) throw notFound([imageId])
  const missing = entry.item.blockDeviceMappings
    .flatMap((b) => (b.ebs?.snapshotId ? [b.ebs.snapshotId] : []))
    .filter((id) => !ctx.state.snapshot(ctx.region, id))
  if (missing.length > 0) {
    // plausible code and words: EC2 documents the rule (snapshots first), not the error
    const inBin = missing.filter((id) => ctx.state.snapshotBin(ctx.region).has(id))
    throw new ApiError(
      'IncorrectState',
      inBin.length > 0
        ? `The AMI '${imageId}' can't be restored because its snapshot(s) ${inBin.join(', ')} are in the Recycle Bin. Restore the snapshots first.`
        : `The AMI '${imageId}' can't be restored because its snapshot(s) ${missing.join(', ')} no longer exist.`
    )
  }
  dryRun(ctx)
  ctx.state.restoreImage(ctx.region, imageId)
  return el('return', true)
}

const restoreSnapshotFromRecycleBin: Handler = (ctx) => {
  accept(ctx, accepting('SnapshotId'))
  const id = required(ctx, 'SnapshotId')
  checkSnapshotId(id)
  const entry = ctx.state.snapshotBin(ctx.region).get(id)
  if (!entry || entry.item.ownerId !== ctx.accountId) throw snapshotNotFound(id)
  dryRun(ctx)
  const x = ctx.state.restoreSnapshot(ctx.region, id)!
  return (
    el('snapshotId', x.snapshotId) +
    el('description', x.description) +
    el('encrypted', x.encrypted) +
    el('ownerId', x.ownerId) +
    el('progress', '100%') +
    el('startTime', x.startTime) +
    el('status', x.state) +
    el('volumeId', x.volumeId) +
    el('volumeSize', x.volumeSize)
  )
}

const enableImageDeregistrationProtection: Handler = (ctx) => {
  accept(ctx, accepting('ImageId', 'WithCooldown'))
  const image = lookupImage(ctx, required(ctx, 'ImageId'))
  requireOwner(ctx, image)
  dryRun(ctx)
  image.deregistrationProtection = bool(ctx.params, 'WithCooldown')
    ? 'enabled-with-cooldown'
    : 'enabled-without-cooldown'
  return el('return', image.deregistrationProtection)
}

/** Turns protection off at once (the 24-hour cooldown of `enabled-with-cooldown` is not modelled). */
const disableImageDeregistrationProtection: Handler = (ctx) => {
  accept(ctx, IMAGE_ID_ONLY)
  const image = lookupImage(ctx, required(ctx, 'ImageId'))
  requireOwner(ctx, image)
  dryRun(ctx)
  image.deregistrationProtection = 'disabled'
  return el('return', image.deregistrationProtection)
}

export const EC2_HANDLERS: Record<string, Handler> = {
  DescribeImages: describeImages,
  DescribeImageAttribute: describeImageAttribute,
  ModifyImageAttribute: modifyImageAttribute,
  DisableImage: disableImage,
  EnableImage: enableImage,
  CreateTags: createTags,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeImageReferences: describeImageReferences,
  CreateImageUsageReport: createImageUsageReport,
  DescribeImageUsageReports: describeImageUsageReports,
  DescribeImageUsageReportEntries: describeImageUsageReportEntries,
  DeleteImageUsageReport: deleteImageUsageReport,
  DeregisterImage: deregisterImage,
  DeleteSnapshot: deleteSnapshot,
  DescribeSnapshots: describeSnapshots,
  ModifySnapshotTier: modifySnapshotTier,
  ListImagesInRecycleBin: listImagesInRecycleBin,
  ListSnapshotsInRecycleBin: listSnapshotsInRecycleBin,
  RestoreImageFromRecycleBin: restoreImageFromRecycleBin,
  RestoreSnapshotFromRecycleBin: restoreSnapshotFromRecycleBin,
  EnableImageDeregistrationProtection: enableImageDeregistrationProtection,
  DisableImageDeregistrationProtection: disableImageDeregistrationProtection
}
