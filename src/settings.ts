/**
 * Every input read and validated into one typed object, before any AWS call. Each error names
 * the input and what was expected.
 */
import { InputError } from './errors.js'
import {
  IMAGE_STATES,
  type Command,
  type ImageState,
  type InUsePolicy,
  type SnapshotsMode,
  type Target
} from './model.js'
import type { TagMatcher } from './rules/family.js'
import { checkRegion, parseImageIds, parsePackerManifest, type RegionChoice } from './targets.js'

export type { TagMatcher }

export interface Settings {
  command: Command
  targets: Target[]
  familyTag?: string
  namePattern?: string
  keep: number
  excludeTags: TagMatcher[]
  maxImages: number
  inUse: InUsePolicy
  dryRun: boolean
  waitTimeoutSeconds: number
  requireState: ImageState
  comment: boolean
  pullRequest?: number
  githubToken: string
  /** Who uses the images in other accounts, from EC2's AMI usage reports: `auto` (shared images), `true` (all), `false`. */
  usageReport: UsageReportMode
  usageReportTimeoutSeconds: number
  /**
   * The role to assume in each other account: a role name, or an ARN with `{account}` in it
   * (`arn:aws:iam::{account}:role/ami-usage-reader`). Absent: other accounts are not searched by name.
   */
  consumerRole?: string
  /** `retire`: the regions to retire images in (the `region` list, else AWS_REGION, else AWS_DEFAULT_REGION); empty for the other commands. */
  regions: string[]
  /** `retire`: images disabled by this action fewer days ago than this are left alone. */
  retireAfterDays: number
  /** `retire`: what happens to the snapshots. */
  snapshots: SnapshotsMode
}

export type UsageReportMode = 'auto' | 'true' | 'false'

/** IAM role names: 1-64 of letters, digits and `+=,.@_-`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/
/** An ARN template: the partition, `{account}` in the account field, a role path and name. */
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\{account\}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/

/** `consumer-role`: a role name, or a role ARN whose account is `{account}`. */
export function parseConsumerRole(value: string): string | undefined {
  const v = value.trim()
  if (v === '') return undefined
  if (ROLE_NAME.test(v) || ROLE_ARN.test(v)) return v
  throw new InputError(
    'consumer-role',
    `'${v.slice(0, 80)}' is not a role name (letters, digits and +=,.@_-, up to 64) or a role ARN with {account} as its account (arn:aws:iam::{account}:role/NAME)`
  )
}

/** Where raw values come from: inputs by name, the environment, files. */
export interface SettingsSource {
  input(name: string): string
  env: Record<string, string | undefined>
  readFile(path: string): string
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[], fallback: T): T {
  const v = value.trim()
  if (v === '') return fallback
  if ((allowed as readonly string[]).includes(v)) return v as T
  throw new InputError(input, `'${v}' is not one of ${allowed.join(', ')}`)
}

function wholeNumber(input: string, value: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = value.trim()
  if (v === '') return fallback
  if (!/^\d+$/.test(v)) throw new InputError(input, `'${v}' is not a whole number of 0 or more`)
  const n = Number(v)
  if (n > max) throw new InputError(input, `${v} is more than the largest allowed, ${max}`)
  return n
}

const TRUE = ['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']
const FALSE = ['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF']

function boolean(input: string, value: string, fallback: boolean): boolean {
  const v = value.trim()
  if (v === '') return fallback
  if (TRUE.includes(v)) return true
  if (FALSE.includes(v)) return false
  throw new InputError(input, `'${v}' is not true or false`)
}

const TAG_KEY_MAX = 128
const TAG_VALUE_MAX = 256

function tagKey(input: string, key: string): string {
  if (key === '') throw new InputError(input, 'a tag key is empty')
  if (key.length > TAG_KEY_MAX)
    throw new InputError(input, `tag key '${key.slice(0, 40)}…' is longer than ${TAG_KEY_MAX} characters`)
  return key
}

/**
 * Splits one line of `exclude-tags` at its commas, except inside double quotes: a quoted item
 * (`"Owner=Smith, John"`) or a quoted value (`Owner="Smith, John"`) keeps its commas. A quote
 * opens only at the start of an item or of its value; elsewhere it is an ordinary character.
 */
function splitTagItems(line: string, input: string): string[] {
  const items: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i)
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '""'
        i++
      } else {
        if (c === '"') quoted = false
        current += c
      }
      continue
    }
    if (c === ',') {
      items.push(current)
      current = ''
      continue
    }
    // What comes before the quote in its item, or in its value once the item has an `=` (an `=` inside an
    // earlier quoted part is followed by at least that part's closing quote, so it cannot make this blank).
    if (c === '"' && current.slice(current.indexOf('=') + 1).trim() === '') quoted = true
    current += c
  }
  if (quoted) throw new InputError(input, `a double quote is not closed in '${line}'`)
  items.push(current)
  return items
}

/** `"…"` (with `""` for a quote inside) -> its text; anything else as it is (trimmed). */
function unquote(input: string, text: string): string {
  const t = text.trim()
  if (!t.startsWith('"')) return t
  let out = ''
  let i = 1
  for (; i < t.length; i++) {
    const c = t[i]
    if (c === '"' && t[i + 1] === '"') {
      out += '"'
      i++
    } else if (c === '"') break
    else out += c
  }
  if (i !== t.length - 1) {
    throw new InputError(
      input,
      `text after the closing double quote in '${t}': quote the whole item or the whole value`
    )
  }
  return out
}

function tagMatcher(input: string, item: string): TagMatcher {
  const text = unquote(input, item)
  const eq = text.indexOf('=')
  if (eq < 0) return { key: tagKey(input, text.trim()) }
  const key = text.slice(0, eq).trim()
  const value = unquote(input, text.slice(eq + 1))
  if (value.length > TAG_VALUE_MAX)
    throw new InputError(input, `the value of '${key}' is longer than ${TAG_VALUE_MAX} characters`)
  return { key: tagKey(input, key), value }
}

/**
 * Parses `exclude-tags`: `Key` or `Key=Value` items, separated by newlines and/or commas (as
 * `image-id`: a comma that ends a line separates like the line break); lines starting with `#` are
 * comments. A value holding a comma is quoted: `Owner="Smith, John"` or `"Owner=Smith, John"`
 * (`""` for a quote inside the quotes). Keys and unquoted values are trimmed; the value is
 * everything after the first `=`.
 */
export function parseExcludeTags(text: string, input = 'exclude-tags'): TagMatcher[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const items = lines.flatMap((line, index) => {
    const parts = splitTagItems(line, input)
    // A comma that ends a line (not the last one) is a separator, as in image-id. (The line is trimmed:
    // after a comma at its end comes nothing at all.)
    if (parts.at(-1) === '' && index < lines.length - 1) parts.pop()
    return parts
  })
  return items.map((item, index) => {
    if (item.trim() === '') {
      throw new InputError(input, `item ${index + 1} is empty (check for a doubled or trailing comma)`)
    }
    return tagMatcher(input, item)
  })
}

/** An EC2 name filter: 3 to 128 characters of an AMI name, with `*` and `?`; not wildcards only. */
export function checkNamePattern(value: string, input = 'name-pattern'): string {
  if (value.length > 128) throw new InputError(input, 'is longer than an AMI name can be (128 characters)')
  if (/^[*?]+$/.test(value)) {
    throw new InputError(
      input,
      `'${value}' is only wildcards and would match every image: give part of the family's name, e.g. golden-web-*`
    )
  }
  if (/[^\w ()[\]./'@*?-]/.test(value)) {
    throw new InputError(
      input,
      `'${value}' has characters an AMI name cannot hold (allowed: letters, digits, ( ) [ ] space . / - ' @ _ and the wildcards * ?)`
    )
  }
  return value
}

/** The region of ids given without one, and where it came from: `region`, then AWS_REGION, then AWS_DEFAULT_REGION. */
export function defaultRegion(source: SettingsSource): RegionChoice | undefined {
  const given = source.input('region').trim()
  if (given) return { region: checkRegion('region', given), from: 'input' }
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = source.env[name]?.trim()
    if (value) return { region: checkRegion(`region (from ${name})`, value), from: name }
  }
  return undefined
}

/**
 * `retire`'s regions: the `region` input as a list (newline- or comma-separated), each checked;
 * else AWS_REGION, else AWS_DEFAULT_REGION. Retire takes no image ids: it finds the images.
 */
export function retireRegions(source: SettingsSource): string[] {
  for (const input of ['image-id', 'packer-manifest']) {
    if (source.input(input).trim() !== '') {
      throw new InputError(
        input,
        `retire takes no ${input}: it finds, in each region of 'region', the images this action disabled long enough ago`
      )
    }
  }
  const given = source.input('region')
  if (given.trim() !== '') {
    const items = given
      // as image-id: a comma that ends a line separates like the line break
      .split(/\s*,\s*\r?\n|\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .flatMap((line) => line.split(','))
      .map((item) => item.trim())
    const regions = items.map((r, index) => {
      if (r === '') throw new InputError('region', `item ${index + 1} is empty (check for a doubled or trailing comma)`)
      return checkRegion('region', r)
    })
    return [...new Set(regions)]
  }
  const fallback = defaultRegion(source)
  if (!fallback)
    throw new InputError(
      'region',
      'retire needs the regions to look in: set region (one or more, newline- or comma-separated) or AWS_REGION'
    )
  return [fallback.region]
}

function targetsOf(source: SettingsSource, region: RegionChoice | undefined): Target[] {
  const ids = source.input('image-id')
  if (ids.trim() !== '') return parseImageIds(ids, region)
  const manifest = source.input('packer-manifest').trim()
  if (manifest === '') {
    throw new InputError('image-id', 'no image given: set image-id (ami-… or region:ami-…) or packer-manifest')
  }
  let text: string
  try {
    text = source.readFile(manifest)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputError(
      'packer-manifest',
      `cannot read '${manifest}'${code === 'ENOENT' ? ': no such file' : ` (${code ?? (error as Error).message})`}`
    )
  }
  return parsePackerManifest(text)
}

function usageReportMode(value: string): UsageReportMode {
  const v = value.trim()
  if (TRUE.includes(v)) return 'true'
  if (FALSE.includes(v)) return 'false'
  return oneOf<UsageReportMode>('usage-report', v, ['auto', 'true', 'false'], 'auto')
}

export function parseSettings(source: SettingsSource): Settings {
  const command = oneOf<Command>(
    'command',
    source.input('command'),
    ['disable', 'enable', 'rollback', 'status', 'retire'],
    'disable'
  )
  const familyTag = source.input('family-tag').trim() || undefined
  if (familyTag !== undefined) tagKey('family-tag', familyTag)
  const namePatternRaw = source.input('name-pattern').trim()
  const namePattern = namePatternRaw === '' ? undefined : checkNamePattern(namePatternRaw)
  if (command === 'disable' && !familyTag && !namePattern) {
    throw new InputError(
      'family-tag',
      'disable needs family-tag or name-pattern (or both) to know which images are the same family'
    )
  }
  const prRaw = source.input('pull-request').trim()
  const prText = prRaw.replace(/^#/, '')
  if (prRaw !== '' && !/^[1-9]\d{0,9}$/.test(prText)) {
    throw new InputError('pull-request', `'${source.input('pull-request').trim()}' is not a pull request number`)
  }
  const common = {
    command,
    keep: wholeNumber('keep', source.input('keep'), 0, 1000),
    excludeTags: parseExcludeTags(source.input('exclude-tags')),
    maxImages: wholeNumber('max-images', source.input('max-images'), 10, 1000),
    inUse: oneOf<InUsePolicy>('in-use', source.input('in-use'), ['report', 'skip', 'fail'], 'report'),
    dryRun: boolean('dry-run', source.input('dry-run'), false),
    waitTimeoutSeconds: wholeNumber('wait-timeout', source.input('wait-timeout'), 900, 6 * 3600),
    requireState: oneOf<ImageState>('require-state', source.input('require-state'), IMAGE_STATES, 'available'),
    comment: boolean('comment', source.input('comment'), true),
    githubToken: source.input('github-token').trim(),
    usageReport: usageReportMode(source.input('usage-report')),
    usageReportTimeoutSeconds: wholeNumber('usage-report-timeout', source.input('usage-report-timeout'), 300, 3600),
    retireAfterDays: wholeNumber('retire-after-days', source.input('retire-after-days'), 30, 36_500),
    snapshots: oneOf<SnapshotsMode>('snapshots', source.input('snapshots'), ['delete', 'keep', 'archive'], 'delete')
  }
  const consumerRole = parseConsumerRole(source.input('consumer-role'))
  return {
    ...common,
    ...(familyTag !== undefined ? { familyTag } : {}),
    ...(namePattern !== undefined ? { namePattern } : {}),
    ...(prText !== '' ? { pullRequest: Number(prText) } : {}),
    ...(consumerRole !== undefined ? { consumerRole } : {}),
    ...(command === 'retire'
      ? { targets: [], regions: retireRegions(source) }
      : { targets: targetsOf(source, defaultRegion(source)), regions: [] })
  }
}
