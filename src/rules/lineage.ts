/**
 * The record written on an image before it is disabled: its sharing (which DisableImage
 * destroys) and its lineage (what superseded it, when, which run). Stored as tags on the image
 * so that `enable` and `rollback`, in another workflow on another runner, can restore it.
 *
 * Tag values hold 256 characters and an image 50 tags, so the sharing list is split over as many
 * `…:sharing:N` tags as it needs; the record round-trips exactly. Pure.
 */
import { emptySharing, type DisableRecord, type Lineage, type Sharing, type Tag } from '../model.js'

export const TAG_PREFIX = 'disable-superseded-ami:'
export const SUPERSEDED_BY_TAG = `${TAG_PREFIX}superseded-by`
export const LINEAGE_TAG = `${TAG_PREFIX}lineage`
export const SHARING_TAG = `${TAG_PREFIX}sharing`
const CHUNK_TAG = (n: number): string => `${SHARING_TAG}:${n}`

export const MAX_TAGS_PER_IMAGE = 50
export const MAX_TAG_VALUE = 256
const FORMAT = 'v1'

/** The usual organizations ARN prefix, shortened to `~` in the record to fit more per tag. */
const ORG_PREFIX = 'arn:aws:organizations::'

function shorten(arn: string): string {
  return arn.startsWith(ORG_PREFIX) ? `~${arn.slice(ORG_PREFIX.length)}` : arn
}

function lengthen(value: string): string {
  return value.startsWith('~') ? `${ORG_PREFIX}${value.slice(1)}` : value
}

function sharingEntries(sharing: Sharing): string[] {
  return [
    ...sharing.userIds.map((id) => `u=${id}`),
    ...sharing.organizationArns.map((arn) => `o=${shorten(arn)}`),
    ...sharing.organizationalUnitArns.map((arn) => `ou=${shorten(arn)}`)
  ]
}

/** Packs entries, separated by spaces, into values of at most 256 characters. */
function chunk(entries: string[]): string[] {
  const chunks: string[] = []
  let current = ''
  for (const entry of entries) {
    if (entry.length > MAX_TAG_VALUE)
      throw new Error(`a sharing entry is longer than a tag value can hold (${entry.length})`)
    if (current === '') current = entry
    else if (current.length + 1 + entry.length <= MAX_TAG_VALUE) current += ` ${entry}`
    else {
      chunks.push(current)
      current = entry
    }
  }
  if (current !== '') chunks.push(current)
  return chunks
}

function encodeLineage(lineage: Lineage): string {
  const fields = [`reason=${lineage.reason}`, `at=${lineage.disabledAt}`]
  if (lineage.reenabledAt) fields.push(`reenabled=${lineage.reenabledAt}`)
  let value = fields.join(';')
  if (lineage.run) {
    const room = MAX_TAG_VALUE - value.length - ';run='.length
    if (room > 0) value += `;run=${lineage.run.slice(0, room)}`
  }
  return value
}

/** The tags that hold a record. */
export function recordTags(record: DisableRecord): Tag[] {
  const chunks = chunk(sharingEntries(record.sharing))
  // Always written, empty when nothing superseded it, so that no earlier value survives.
  return [
    { key: SUPERSEDED_BY_TAG, value: record.lineage.supersededBy },
    { key: LINEAGE_TAG, value: encodeLineage(record.lineage) },
    { key: SHARING_TAG, value: `${FORMAT};public=${record.sharing.public ? 1 : 0};parts=${chunks.length}` },
    ...chunks.map((value, i) => ({ key: CHUNK_TAG(i + 1), value }))
  ]
}

function fields(value: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const part of value.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) map.set(part.slice(0, eq), part.slice(eq + 1))
    else if (part) map.set(part, '')
  }
  return map
}

/** Reads the record back from an image's tags; undefined when there is none or it is incomplete. */
export function readRecord(tags: Tag[]): DisableRecord | undefined {
  const byKey = new Map(tags.map((t) => [t.key, t.value]))
  const header = byKey.get(SHARING_TAG)
  const lineageValue = byKey.get(LINEAGE_TAG)
  if (header === undefined || lineageValue === undefined) return undefined
  const head = fields(header)
  if (!head.has(FORMAT)) return undefined
  const partsText = head.get('parts') ?? ''
  // digits only, as written: not ` 1`, `1e0`, `0x1` or `-1`, which Number() would read
  if (!/^\d+$/.test(partsText)) return undefined
  const parts = Number(partsText)
  const sharing = emptySharing()
  sharing.public = head.get('public') === '1'
  for (let i = 1; i <= parts; i++) {
    const value = byKey.get(CHUNK_TAG(i))
    if (value === undefined) return undefined
    for (const entry of value.split(' ').filter(Boolean)) {
      const eq = entry.indexOf('=')
      const kind = entry.slice(0, eq)
      const what = entry.slice(eq + 1)
      if (kind === 'u') sharing.userIds.push(what)
      else if (kind === 'o') sharing.organizationArns.push(lengthen(what))
      else if (kind === 'ou') sharing.organizationalUnitArns.push(lengthen(what))
      else return undefined
    }
  }
  const l = fields(lineageValue)
  const reason = l.get('reason') === 'rolled-back' ? 'rolled-back' : 'superseded'
  const lineage: Lineage = { supersededBy: byKey.get(SUPERSEDED_BY_TAG) ?? '', reason, disabledAt: l.get('at') ?? '' }
  const run = l.get('run')
  const reenabledAt = l.get('reenabled')
  if (run) lineage.run = run
  if (reenabledAt) lineage.reenabledAt = reenabledAt
  return { lineage, sharing }
}

export function isRecordTag(key: string): boolean {
  return key.startsWith(TAG_PREFIX)
}

/**
 * Whether a record fits beside the tags an image already has (50 at most). Earlier records'
 * tags are overwritten, so they do not count. Returns the reason when it does not fit.
 */
export function recordDoesNotFit(existing: Tag[], record: Tag[]): string | undefined {
  const keys = new Set(existing.map((t) => t.key))
  for (const t of record) keys.add(t.key)
  if (keys.size > MAX_TAGS_PER_IMAGE) {
    const others = existing.filter((t) => !isRecordTag(t.key)).length
    return `its sharing record needs ${record.length} tags and it already has ${others} of the ${MAX_TAGS_PER_IMAGE} an image can hold`
  }
  return undefined
}

/** The lineage tag after a re-enable. */
export function reenabledLineageTag(record: DisableRecord, at: string): Tag {
  return { key: LINEAGE_TAG, value: encodeLineage({ ...record.lineage, reenabledAt: at }) }
}
