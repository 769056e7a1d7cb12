/**
 * The record of the runs on one sticky comment: what each earlier run on the pull request did
 * (time, run link, verdict, the images it changed), kept when the comment is updated, so that a
 * later dry run never erases the record of a real change. Pure.
 *
 * The record travels in the comment itself, as its last line: a Markdown link reference
 * definition, which no renderer shows (nothing refers to it: `md` escapes every `[`):
 *
 *     [disable-superseded-ami:runs:v1]: #<base64url of JSON>
 *
 * (not a second HTML comment: the comment's one HTML comment stays the marker, first.)
 *
 * The JSON: `{ key, runs: [{ t, u?, v, c: [[region, imageId, outcome], …], m? }, …], older, gap? }`
 * (the comment key, cut to 100 characters; each run latest first: its time, run URL, verdict in
 * plain text, the images it changed and how many more; the runs dropped by the bounds; why older
 * runs are not known). Short names, so that 20 runs fit in a few thousand characters.
 *
 * base64url has no space, bracket, `<`, `>` or `!`: nothing in it can end the definition, close
 * an HTML comment or become Markdown. It is read back from the comment being replaced and never trusted: every field is
 * checked, and every text is escaped again when shown (a person can edit the comment). A record
 * that cannot be read, or that belongs to another comment key, is dropped (the section then says
 * that earlier runs are not known), never an error.
 */
import type { ChangeOutcome, RunReport } from '../model.js'
import { outcomeOf, plural, type Outcome } from '../rules/outcome.js'
import { code, md } from './escape.js'
import { MARKER_PREFIX, renderComment, verdict, type RenderOptions } from './markdown.js'

/** The runs the record keeps, the current one included. */
export const MAX_RUNS = 20
/** The images kept per run; the rest are counted. */
export const MAX_CHANGES = 10
/** The verdict line kept per run, in characters of plain text. */
export const MAX_VERDICT = 300
/** The whole history (the folded section and the hidden record), in characters. */
export const MAX_HISTORY = 12_000
/** A record larger than this is not decoded. */
const MAX_ENCODED = 200_000

const RECORD_PREFIX = `[${MARKER_PREFIX}:runs:v1]: #`
const RECORD = /^\[disable-superseded-ami:runs:v(\d+)\]: #([A-Za-z0-9_-]*)[ \t]*$/gm
/** Any record of this action, whatever its version: a sign that one was meant to be there. */
const ANY_RECORD = /^\[disable-superseded-ami:runs\b/m

export type ChangedOutcome = Extract<ChangeOutcome, 'disabled' | 'enabled' | 'would-disable' | 'would-enable'>
const CHANGED: readonly ChangedOutcome[] = ['disabled', 'enabled', 'would-disable', 'would-enable']

/** One image that a run changed (or, in a dry run, would have). */
export interface RunChange {
  region: string
  imageId: string
  outcome: ChangedOutcome
}

/** What one run did, as the record keeps it. */
export interface RunRecord {
  /** ISO-8601 UTC, to the second: `2026-12-01T09:30:00Z` */
  at: string
  /** The workflow run's URL, when known. */
  run?: string
  /** The verdict, one line of plain text (no Markdown: escaped when shown). */
  verdict: string
  /** The images changed, at most MAX_CHANGES. */
  changes: RunChange[]
  /** How many more images it changed than `changes` holds. */
  moreChanges: number
}

/** Why earlier runs on the comment are not known. */
export type Gap =
  /** the comment was written by a version of this action that kept no record */
  | 'unrecorded'
  /** its record could not be read, or was another comment's */
  | 'unreadable'

/** The runs of one comment, latest first. */
export interface History {
  key: string
  runs: RunRecord[]
  /** Runs dropped from the record by the bounds (oldest first). */
  older: number
  /** Set when runs before the oldest recorded one happened but are not known. */
  gap?: Gap
}

/** ISO-8601 UTC to the second, as the rest of the action writes times. */
export function isoSecond(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * Markdown (as `verdict` writes it) to the plain text a reader sees: escapes and entities
 * undone, emphasis, code and link markup removed, on one line.
 */
export function plainText(markdown: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#124': '|', '#96': '`' }
  return markdown
    .replace(
      /\\([\s\S])|\]\([^()\s]*\)|&(amp|lt|gt|quot|#124|#96);|\*\*|__|[`[\]\u200B]/g,
      (whole, escaped: string | undefined, entity: string | undefined) => {
        if (escaped !== undefined) return escaped
        if (entity !== undefined) return entities[entity] ?? whole
        return ''
      }
    )
    .replace(/[\s\u2028\u2029]+/g, ' ')
    .trim()
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** What this run did, for the record: its time and run link come from the caller. */
export function recordOf(report: RunReport, outcome: Outcome, at: Date, runUrl?: string): RunRecord {
  const changes = outcome.done.flatMap((c): RunChange[] =>
    (CHANGED as readonly string[]).includes(c.outcome)
      ? [{ region: c.region, imageId: c.imageId, outcome: c.outcome as ChangedOutcome }]
      : []
  )
  const link = runUrl !== undefined && isRunUrl(runUrl) ? { run: runUrl } : {}
  return {
    at: isoSecond(at),
    ...link,
    verdict: clip(plainText(verdict(report, outcome)), MAX_VERDICT),
    changes: changes.slice(0, MAX_CHANGES),
    moreChanges: Math.max(0, changes.length - MAX_CHANGES)
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the record back: every field checked, anything else dropped.

const ISO_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
const REGION = /^[a-z0-9-]{1,40}$/
const IMAGE_ID = /^ami-[0-9a-zA-Z]{1,40}$/

/** An http(s) URL that a Markdown link can hold as it is. */
function isRunUrl(value: string): boolean {
  return value.length <= 500 && /^https?:\/\/[^\s()<>[\]"'`\\]+$/.test(value)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A change as the record writes it: `[region, imageId, outcome]`. */
function changeFrom(value: unknown): RunChange | undefined {
  if (!Array.isArray(value)) return undefined
  const [region, imageId, outcome] = value as unknown[]
  if (typeof region !== 'string' || !REGION.test(region)) return undefined
  if (typeof imageId !== 'string' || !IMAGE_ID.test(imageId)) return undefined
  if (typeof outcome !== 'string' || !(CHANGED as readonly string[]).includes(outcome)) return undefined
  return { region, imageId, outcome: outcome as ChangedOutcome }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0
}

function runFrom(value: unknown): RunRecord | undefined {
  if (!isObject(value)) return undefined
  const { t: at, u: run, v: line, c: changes, m: moreChanges } = value
  if (typeof at !== 'string' || !ISO_SECOND.test(at) || Number.isNaN(Date.parse(at))) return undefined
  if (typeof line !== 'string') return undefined
  if (!Array.isArray(changes)) return undefined
  const kept = changes.slice(0, MAX_CHANGES).map(changeFrom)
  // A changed image that cannot be read would make the list say less than the run did.
  if (kept.some((c) => c === undefined)) return undefined
  return {
    at,
    ...(typeof run === 'string' && isRunUrl(run) ? { run } : {}),
    // Plain text already: not unescaped again (a backslash in it stays one), only kept to one line.
    verdict: clip(line.replace(/[\s\u2028\u2029]+/g, ' ').trim(), MAX_VERDICT),
    changes: kept as RunChange[],
    moreChanges: count(moreChanges) + Math.max(0, changes.length - MAX_CHANGES)
  }
}

/** The comment key as the record holds it: enough to tell another comment's record, bounded. */
function recordKey(key: string): string {
  return key.slice(0, 100)
}

function decode(encoded: string): unknown {
  if (encoded.length > MAX_ENCODED) return undefined
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

/**
 * The history that the comment being replaced holds, for `key`. `body` undefined: there was no
 * comment, so no earlier run. A comment without a readable record of this key: its earlier runs
 * are not known (`gap`).
 */
export function readHistory(body: string | undefined, key: string): History {
  const fresh: History = { key, runs: [], older: 0 }
  if (body === undefined) return fresh
  const found = [...body.matchAll(RECORD)].at(-1)
  if (!found) return { ...fresh, gap: ANY_RECORD.test(body) ? 'unreadable' : 'unrecorded' }
  const data = found[1] === '1' ? decode(found[2] ?? '') : undefined
  if (!isObject(data) || data.key !== recordKey(key) || !Array.isArray(data.runs))
    return { ...fresh, gap: 'unreadable' }
  const runs = data.runs.slice(0, MAX_RUNS).map(runFrom)
  const unread = runs.filter((r) => r === undefined).length
  const gap = data.gap === 'unrecorded' || data.gap === 'unreadable' ? data.gap : undefined
  return {
    key,
    runs: runs.filter((r): r is RunRecord => r !== undefined),
    older: count(data.older) + Math.max(0, data.runs.length - MAX_RUNS),
    // Runs that could not be read are not known: say so rather than skip them silently.
    ...(gap ? { gap } : unread > 0 ? { gap: 'unreadable' as const } : {})
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering and bounding.

const VERBS: Record<ChangedOutcome, string> = {
  disabled: 'disabled',
  enabled: 're-enabled',
  'would-disable': 'would disable',
  'would-enable': 'would re-enable'
}

function changeLine(run: RunRecord): string {
  if (run.changes.length === 0) return ''
  const groups = CHANGED.flatMap((outcome) => {
    const list = run.changes.filter((c) => c.outcome === outcome)
    if (list.length === 0) return []
    return [`${VERBS[outcome]} ${list.map((c) => `${code(c.imageId)} (${md(c.region)})`).join(', ')}`]
  })
  const more = run.moreChanges > 0 ? `, and ${plural(run.moreChanges, 'more image')}` : ''
  return `\n  - ${groups.join('; ')}${more}`
}

function runItem(run: RunRecord): string {
  const link = run.run ? ` ([run](${run.run}))` : ' (run link not known)'
  return `- ${run.at}${link}: ${md(run.verdict, MAX_VERDICT)}${changeLine(run)}`
}

const GAPS: Record<Gap, string> = {
  unrecorded:
    'Older runs are not shown: this comment was first written by a version of this action that kept no record of its runs.',
  unreadable: 'Older runs are not shown: the record of them in this comment could not be read.'
}

/** The hidden, machine-readable record: every run of `history`, the current one first. */
export function encodeRecord(history: History): string {
  const data = {
    key: recordKey(history.key),
    runs: history.runs.map((r) => ({
      t: r.at,
      ...(r.run ? { u: r.run } : {}),
      v: r.verdict,
      c: r.changes.map((c) => [c.region, c.imageId, c.outcome]),
      ...(r.moreChanges ? { m: r.moreChanges } : {})
    })),
    older: history.older,
    ...(history.gap ? { gap: history.gap } : {})
  }
  return `${RECORD_PREFIX}${Buffer.from(JSON.stringify(data), 'utf8').toString('base64url')}`
}

/**
 * The end of the comment: the earlier runs (all runs but the first, which is the one the comment
 * shows on top), folded, then the hidden record of every run.
 */
export function renderHistory(history: History): string {
  const earlier = history.runs.slice(1)
  const parts: string[] = []
  if (earlier.length > 0 || history.older > 0 || history.gap) {
    const total = earlier.length + history.older
    const lines = [
      `<details><summary>Earlier runs on this pull request${total > 0 ? ` (${total})` : ''}</summary>`,
      '',
      ...(earlier.length ? [earlier.map(runItem).join('\n'), ''] : []),
      ...(history.older > 0
        ? [`${earlier.length ? '…and ' : ''}${plural(history.older, 'older run')} not shown.`, '']
        : []),
      ...(history.gap ? [GAPS[history.gap], ''] : []),
      '</details>'
    ]
    parts.push(lines.join('\n'))
  }
  parts.push(encodeRecord(history))
  return `${parts.join('\n\n')}\n`
}

/**
 * `run` (the current run) on top of the earlier runs, bounded: at most MAX_RUNS runs, and at most
 * MAX_HISTORY characters rendered; the oldest go first, and are counted in `older`.
 */
export function addRun(previous: History, run: RunRecord): History {
  const all = [run, ...previous.runs]
  let kept = all.slice(0, MAX_RUNS)
  const next = (runs: RunRecord[]): History => ({ ...previous, runs, older: previous.older + all.length - runs.length })
  while (kept.length > 1 && renderHistory(next(kept)).length > MAX_HISTORY) kept = kept.slice(0, -1)
  return next(kept)
}

/** What the comment's `history` option holds for this run: the earlier runs of `previousBody` and this one. */
export function historyMarkdown(report: RunReport, run: RunOnComment, outcome: Outcome = outcomeOf(report)): string {
  const record = recordOf(report, outcome, run.at, run.runUrl)
  return renderHistory(addRun(readHistory(run.previousBody, report.commentKey), record))
}

/** This run on the comment: when it ran, its link, and the body of the comment it replaces (none: a new comment). */
export interface RunOnComment {
  at: Date
  runUrl?: string | undefined
  previousBody?: string | undefined
}

/** The whole sticky comment of this run: its report on top, the record of the earlier runs below; the outcome read once. */
export function commentWithHistory(report: RunReport, options: RenderOptions, run: RunOnComment): string {
  const outcome = outcomeOf(report)
  return renderComment(report, { ...options, history: historyMarkdown(report, run, outcome) }, outcome)
}
