/**
 * The record of earlier runs in the sticky comment (src/report/history.ts), without mocks: built
 * from reports, written into the comment, read back from it, rendered folded and bounded.
 */
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import type { Change, RunReport } from '../src/model.js'
import { outcomeOf } from '../src/rules/outcome.js'
import { emptyRegion } from '../src/steps/regions.js'
import {
  addRun,
  commentWithHistory,
  encodeRecord,
  historyMarkdown,
  MAX_CHANGES,
  MAX_HISTORY,
  MAX_RUNS,
  MAX_VERDICT,
  plainText,
  readHistory,
  recordOf,
  renderHistory,
  type History,
  type RunRecord
} from '../src/report/history.js'
import { COMMENT_LIMIT, marker, renderComment } from '../src/report/markdown.js'
import { html, links, mentions, text as shownText } from '../test-support/markdown.js'

const REGION = 'us-east-1'
const KEY = 'role=web'
const RUN = (id: number): string => `https://github.com/acme/golden/actions/runs/${id}`
const T0 = Date.parse('2026-11-25T12:00:00Z')
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000)
const ami = (n: number): string => `ami-${n.toString(16).padStart(17, '0')}`

function change(n: number, outcome: Change['outcome'], over: Partial<Change> = {}): Change {
  return {
    region: REGION,
    imageId: ami(n),
    name: `golden-web-${n}`,
    action: outcome.includes('enable') ? 'enable' : 'disable',
    outcome,
    ...over
  }
}

function report(changes: Change[], over: Partial<RunReport> = {}): RunReport {
  return {
    command: 'disable',
    dryRun: false,
    subject: KEY,
    commentKey: KEY,
    regions: [{ ...emptyRegion(REGION), changes }],
    ...over
  }
}

const realDisable = (): RunReport => report([change(1, 'disabled'), change(2, 'disabled')])
const dryRun = (): RunReport => report([change(3, 'would-disable')], { dryRun: true })

const fresh = (): History => ({ key: KEY, runs: [], older: 0 })
const recordFor = (r: RunReport, minutes: number, run = RUN(minutes)): RunRecord =>
  recordOf(r, outcomeOf(r), at(minutes), run)

/** The comment a run writes when `previous` is the body of the comment it replaces. */
/** The comment as github/comment.ts writes it. */
function comment(r: RunReport, minutes: number, previous?: string, runUrl = RUN(minutes)): string {
  const body = commentWithHistory(r, { runUrl }, { at: at(minutes), runUrl, previousBody: previous })
  // the same as the two steps it stands for
  const history = historyMarkdown(r, { at: at(minutes), runUrl, previousBody: previous })
  expect(body).toBe(renderComment(r, { runUrl, history }))
  return body
}

/** The folded section of a comment: from its `<details>` to its end. */
function folded(body: string): string {
  const start = body.indexOf('<details><summary>Earlier runs')
  expect(start).toBeGreaterThan(0)
  return body.slice(start)
}

/** The folded section's summary line (raw HTML: markdown-it hands it back as an HTML block). */
function summary(body: string): string | undefined {
  const block = html(body).find((h) => h.startsWith('<details><summary>'))
  return /^<details><summary>(.*)<\/summary>/.exec(block ?? '')?.[1]
}

/** The entries (top-level list items) of the folded section, as a reader sees them. */
function entries(body: string): string[] {
  return shownText(folded(body))
    .split('\n')
    .filter((line) => /^\d{4}-\d\d-\d\dT/.test(line))
}

describe('the record of a run', () => {
  test('its time (ISO-8601 UTC, to the second), run link, verdict in one plain line, and the images it changed', () => {
    const r = realDisable()
    const record = recordOf(r, outcomeOf(r), new Date('2026-11-25T12:34:56.789Z'), RUN(1))

    expect(record).toEqual({
      at: '2026-11-25T12:34:56Z',
      run: RUN(1),
      verdict: '✅ 2 images disabled in us-east-1.',
      changes: [
        { region: REGION, imageId: ami(1), outcome: 'disabled' },
        { region: REGION, imageId: ami(2), outcome: 'disabled' }
      ],
      moreChanges: 0
    })
  })

  test("a dry run's images are kept as what it would do; failed images are not changes", () => {
    const r = report([change(3, 'would-disable'), change(4, 'failed', { message: 'denied' })], { dryRun: true })
    const record = recordFor(r, 0)

    expect(record.changes).toEqual([{ region: REGION, imageId: ami(3), outcome: 'would-disable' }])
    expect(record.verdict).toBe('⚠️ Dry run: 1 image would be disabled in us-east-1; 1 image failed.')
  })

  test('a run link that a Markdown link cannot hold as it is is left out', () => {
    const r = realDisable()
    expect(recordFor(r, 0, 'javascript:alert(1)').run).toBeUndefined()
    expect(recordFor(r, 0, 'https://x.example/a b').run).toBeUndefined()
    expect(recordFor(r, 0, 'https://x.example/a)(b').run).toBeUndefined()
  })

  test('plainText undoes what the verdict escapes and drops its emphasis', () => {
    expect(plainText('**2 launch template versions still point at them.** a\\_b &lt;b&gt; x&#124;y @\u200Bteam')).toBe(
      '2 launch template versions still point at them. a_b <b> x|y @team'
    )
    expect(plainText('see [the job summary](https://example.com/x) and `ami-1`')).toBe('see the job summary and ami-1')
  })
})

describe('round trips through the comment', () => {
  test('the record written in a comment is read back as it was', () => {
    const first = addRun(fresh(), recordFor(realDisable(), 0))
    const second = addRun(first, recordFor(dryRun(), 5))

    expect(readHistory(renderHistory(second), KEY)).toEqual(second)
    // …and from the whole comment, as GitHub hands it back.
    const body = renderComment(dryRun(), { history: renderHistory(second) })
    expect(readHistory(body, KEY)).toEqual(second)
  })

  test('a dry run after a real disable: the top says dry run, the folded section keeps the real disable', () => {
    const one = comment(realDisable(), 0)
    const two = comment(dryRun(), 5, one)

    const top = two.slice(0, two.indexOf('<details><summary>Earlier runs'))
    expect(shownText(top)).toContain('Dry run: 1 image would be disabled')
    expect(summary(two)).toBe('Earlier runs on this pull request (1)')
    expect(entries(two)).toEqual(['2026-11-25T12:00:00Z (run): ✅ 2 images disabled in us-east-1.'])
    expect(shownText(folded(two))).toContain(`disabled ${ami(1)} (us-east-1), ${ami(2)} (us-east-1)`)
    expect(links(folded(two))).toEqual([{ href: RUN(0), text: 'run', kind: 'link' }])
    // The dry run's own images are on top, not in the record of earlier runs.
    expect(folded(two)).not.toContain(ami(3))
  })

  test('three runs: two earlier entries, the latest first; the first run of a comment has no folded section', () => {
    const one = comment(realDisable(), 0)
    const two = comment(dryRun(), 5, one)
    const three = comment(report([change(9, 'disabled')]), 10, two)

    expect(one).not.toContain('<details><summary>Earlier runs')
    // The record is the last line, and a reader sees nothing of it: no text, no link, no HTML.
    expect(one.trimEnd().split('\n').at(-1)).toMatch(/^\[disable-superseded-ami:runs:v1\]: #[A-Za-z0-9_-]+$/)
    expect(html(one).map((h) => h.trim())).toEqual([marker(KEY)])
    expect(shownText(one)).not.toContain('disable-superseded-ami')
    expect(links(one).map((l) => l.href)).not.toContainEqual(expect.stringMatching(/^#/))
    expect(summary(three)).toBe('Earlier runs on this pull request (2)')
    expect(entries(three)).toEqual([
      '2026-11-25T12:05:00Z (run): 🧪 Dry run: 1 image would be disabled in us-east-1.',
      '2026-11-25T12:00:00Z (run): ✅ 2 images disabled in us-east-1.'
    ])
    expect(shownText(folded(three))).toContain(`would disable ${ami(3)} (us-east-1)`)
    expect(links(folded(three)).map((l) => l.href)).toEqual([RUN(5), RUN(0)])
    expect(readHistory(three, KEY).runs.map((r) => r.at)).toEqual([
      '2026-11-25T12:10:00Z',
      '2026-11-25T12:05:00Z',
      '2026-11-25T12:00:00Z'
    ])
  })

  test('a run without a run link says so', () => {
    const one = comment(realDisable(), 0, undefined, '')
    const two = comment(dryRun(), 5, one)
    expect(entries(two)).toEqual(['2026-11-25T12:00:00Z (run link not known): ✅ 2 images disabled in us-east-1.'])
  })

  test('re-enabled images and would-re-enable are named as such', () => {
    const enable = report([change(5, 'enabled')], { command: 'enable', commentKey: KEY })
    const wouldEnable = report([change(6, 'would-enable')], { command: 'enable', dryRun: true, commentKey: KEY })
    const body = comment(realDisable(), 10, comment(wouldEnable, 5, comment(enable, 0)))
    const shown = shownText(folded(body))
    expect(shown).toContain(`would re-enable ${ami(6)} (us-east-1)`)
    expect(shown).toContain(`re-enabled ${ami(5)} (us-east-1)`)
  })
})

describe('hostile text', () => {
  const HOSTILE = 'x --> </details> <b>bold</b> @team [link](https://evil.example) `tick` | <!-- y\n# heading'

  test('a failure message from AWS: escaped when shown, kept exact in the record, closes nothing', () => {
    const failed = report([], { regions: [{ ...emptyRegion(REGION), error: HOSTILE }] })
    const one = comment(failed, 0)
    const two = comment(dryRun(), 5, one)
    const section = folded(two)

    // The only HTML is the section's own, and the record: nothing closed early, nothing added.
    expect(html(section).map((h) => h.trim())).toEqual([
      '<details><summary>Earlier runs on this pull request (1)</summary>',
      '</details>'
    ])
    expect(section).not.toContain('-->')
    expect(section).not.toContain('<!--')
    expect(shownText(section)).not.toContain('disable-superseded-ami')
    expect(mentions(section)).toEqual([])
    expect(links(section)).toEqual([{ href: RUN(0), text: 'run', kind: 'link' }])
    expect(shownText(section)).toContain('x --> </details> <b>bold</b> @team [link](https://evil.example)')
    // The record keeps the text as the reader saw it, on one line.
    expect(readHistory(two, KEY).runs[1]?.verdict).toContain('x --> </details> <b>bold</b> @team')
  })

  test('a record edited by hand (any verdict, a javascript: link, a fake image id) is escaped or dropped', () => {
    const edited: History = {
      key: KEY,
      runs: [
        recordFor(dryRun(), 5),
        { at: '2026-11-25T12:00:00Z', run: 'javascript:alert(1)', verdict: HOSTILE, changes: [], moreChanges: 0 }
      ],
      older: 0
    }
    const read = readHistory(renderHistory(edited), KEY)
    expect(read.runs[1]?.run).toBeUndefined()
    const section = renderHistory(read)
    expect(section).not.toContain('-->')
    expect(mentions(section)).toEqual([])
    expect(links(section)).toEqual([])
    expect(html(section)).toHaveLength(2)

    const fakeImage = encodeRecord({
      ...edited,
      runs: [{ ...edited.runs[1]!, changes: [{ region: REGION, imageId: 'ami-1 --> @x', outcome: 'disabled' }] }]
    })
    // A run whose images cannot be read is not shown with fewer images: it is dropped, and said so.
    expect(readHistory(fakeImage, KEY)).toEqual({ key: KEY, runs: [], older: 0, gap: 'unreadable' })
  })

  test('any verdict text survives the round trip exactly (one line, up to the limit)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (verdict) => {
        const one: RunRecord = { at: '2026-11-25T12:00:00Z', verdict, changes: [], moreChanges: 0 }
        const history: History = { key: KEY, runs: [recordFor(dryRun(), 5), one], older: 0 }
        const read = readHistory(renderHistory(history), KEY)
        expect(read.runs[1]?.verdict).toBe(verdict.replace(/[\s\u2028\u2029]+/g, ' ').trim())
        expect(renderHistory(read)).not.toContain('-->')
      })
    )
  })
})

describe('records that cannot be read', () => {
  const record = (json: string): string =>
    `[disable-superseded-ami:runs:v1]: #${Buffer.from(json).toString('base64url')}`

  test.each([
    ['not base64', '[disable-superseded-ami:runs:v1]: #%%%'],
    ['base64 of no JSON', '[disable-superseded-ami:runs:v1]: #bm90IGpzb24'],
    ['a JSON array', record('[1,2]')],
    ['runs that are not a list', record(JSON.stringify({ key: KEY, runs: 'x', older: 0 }))],
    ["another comment key's", record(JSON.stringify({ key: 'role=api', runs: [], older: 0 }))],
    ['a version this one does not know', '[disable-superseded-ami:runs:v2]: #e30'],
    ['a truncated record', '[disable-superseded-ami:runs:v1]: #eyJrZXkiOiJyb2xl'],
    ['a record split over lines', '[disable-superseded-ami:runs:v1]: #eyJr\nZXkiOiJyb2xl']
  ])('%s: ignored, earlier runs said to be unknown, no crash', (_, bad) => {
    const previous = `${marker(KEY)}\n### Superseded AMIs\n\n${bad}\n`
    expect(readHistory(previous, KEY)).toEqual({ key: KEY, runs: [], older: 0, gap: 'unreadable' })
    const body = comment(dryRun(), 5, previous)
    expect(shownText(folded(body))).toContain('the record of them in this comment could not be read')
    expect(entries(body)).toEqual([])
    // The next run finds a good record again: this run's.
    expect(readHistory(body, KEY).runs).toHaveLength(1)
  })

  test('runs that cannot be read are dropped from a record that can, and the gap is said', () => {
    const json = JSON.stringify({
      key: KEY,
      runs: [{ t: '2026-11-25T12:00:00Z', v: 'ok', c: [] }, { t: 'yesterday', v: 'bad time', c: [] }, null],
      older: -3
    })
    const read = readHistory(record(json), KEY)
    expect(read.runs.map((r) => r.verdict)).toEqual(['ok'])
    expect(read.older).toBe(0)
    expect(read.gap).toBe('unreadable')
  })

  test('no text of a previous body makes reading throw', () => {
    fc.assert(
      fc.property(fc.string(), fc.base64String(), (prefix, data) => {
        expect(() => readHistory(`${prefix}\n[disable-superseded-ami:runs:v1]: #${data}`, KEY)).not.toThrow()
        expect(() => readHistory(prefix, KEY)).not.toThrow()
      })
    )
  })

  test('a comment of the previous version (the marker, no record): its earlier run is unknown, said so, nothing invented', () => {
    const old = `${marker(KEY)}\n### Superseded AMIs: role=web\n\n✅ Disabled 1 image in us-east-1.\n`
    const body = comment(dryRun(), 5, old)

    expect(readHistory(old, KEY)).toEqual({ key: KEY, runs: [], older: 0, gap: 'unrecorded' })
    const section = folded(body)
    expect(summary(body)).toBe('Earlier runs on this pull request')
    expect(shownText(section)).toContain('kept no record of its runs')
    expect(entries(body)).toEqual([])
    expect(section).not.toContain('ami-')
    // The gap stays said on later runs, below the runs that are recorded.
    const later = comment(realDisable(), 10, body)
    expect(entries(later)).toHaveLength(1)
    expect(shownText(folded(later))).toContain('kept no record of its runs')
  })

  test('no comment before: no earlier runs, no gap', () => {
    expect(readHistory(undefined, KEY)).toEqual(fresh())
  })
})

describe('bounds', () => {
  test(`at most ${MAX_RUNS} runs are kept; the oldest go first and are counted`, () => {
    let history = fresh()
    for (let i = 0; i < 30; i++) history = addRun(history, recordFor(realDisable(), i))

    expect(history.runs).toHaveLength(MAX_RUNS)
    expect(history.older).toBe(30 - MAX_RUNS)
    expect(history.runs[0]?.at).toBe('2026-11-25T12:29:00Z')
    expect(history.runs.at(-1)?.at).toBe('2026-11-25T12:10:00Z')
    const section = renderHistory(history)
    expect(summary(section)).toBe(`Earlier runs on this pull request (${MAX_RUNS - 1 + 10})`)
    expect(shownText(section)).toContain('…and 10 older runs not shown.')
    expect(section.length).toBeLessThanOrEqual(MAX_HISTORY)
    // The count survives the round trip.
    expect(readHistory(section, KEY).older).toBe(10)
  })

  test('long verdicts and long image lists: the history stays within its characters, the current run always kept', () => {
    const many = Array.from({ length: 25 }, (_, i) => change(i + 1, 'disabled'))
    const long = report(many)
    const record = recordFor(long, 0)
    expect(record.changes).toHaveLength(10)
    expect(record.moreChanges).toBe(15)

    const failing = (n: number): RunReport => report([change(n, 'failed', { message: '|<>&@'.repeat(400) })])
    let history = fresh()
    for (let i = 0; i < MAX_RUNS; i++) history = addRun(history, recordFor(i % 2 ? long : failing(i), i))

    const section = renderHistory(history)
    expect(section.length).toBeLessThanOrEqual(MAX_HISTORY)
    expect(history.runs.length).toBeGreaterThan(1)
    expect(history.runs.length).toBeLessThan(MAX_RUNS)
    expect(history.runs[0]?.at).toBe(`2026-11-25T12:${String(MAX_RUNS - 1).padStart(2, '0')}:00Z`)
    expect(history.older).toBe(MAX_RUNS - history.runs.length)
    expect(shownText(section)).toContain(`…and ${history.older} older runs not shown.`)
    expect(shownText(section)).toContain('and 15 more images')

    // With the biggest body, the comment still fits GitHub's limit, and the record is whole.
    const huge = report(Array.from({ length: 3000 }, (_, i) => change(i + 1, 'disabled', { name: 'n'.repeat(150) })))
    const body = renderComment(huge, { history: section })
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(readHistory(body, KEY)).toEqual(history)
  })
})

describe('the record read field by field (edges a mutation run found untested)', () => {
  const encoded = (data: unknown): string => Buffer.from(JSON.stringify(data)).toString('base64url')
  const body = (data: unknown, version = 1): string =>
    `${marker(KEY)}\n\n[disable-superseded-ami:runs:v${version}]: #${encoded(data)}\n`
  const run = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    t: '2026-11-25T12:00:00Z',
    v: 'ok',
    c: [[REGION, ami(1), 'disabled']],
    ...over
  })

  test('a record of another version is not read, even when its data would be', () => {
    const data = { key: KEY, runs: [run()], older: 0 }
    expect(readHistory(body(data), KEY).runs).toHaveLength(1)
    expect(readHistory(body(data, 2), KEY)).toEqual({ key: KEY, runs: [], older: 0, gap: 'unreadable' })
  })

  test('more runs than kept: the first MAX_RUNS are read, the rest counted as older', () => {
    const runs = Array.from({ length: MAX_RUNS + 3 }, (_, i) => run({ v: `run ${i}` }))
    const read = readHistory(body({ key: KEY, runs, older: 2 }), KEY)
    expect(read.runs.map((r) => r.verdict)).toEqual(runs.slice(0, MAX_RUNS).map((r) => r['v']))
    expect(read.older).toBe(5)
    expect(read).not.toHaveProperty('gap')
  })

  test('more changes than kept: the first MAX_CHANGES are read, the rest added to the count', () => {
    const c = Array.from({ length: MAX_CHANGES + 2 }, (_, i) => [REGION, ami(i + 1), 'disabled'])
    const [read] = readHistory(body({ key: KEY, runs: [run({ c, m: 4 })], older: 0 }), KEY).runs
    expect(read?.changes.map((x) => x.imageId)).toEqual(c.slice(0, MAX_CHANGES).map((x) => x[1]))
    expect(read?.moreChanges).toBe(6)
  })

  test('a change that is not a list, or not a change (a failure), makes its run unreadable, without throwing', () => {
    for (const bad of [{ region: REGION }, 'us-east-1 ami-1', [REGION, ami(1), 'failed']]) {
      const read = readHistory(body({ key: KEY, runs: [run({ c: [bad] }), run({ v: 'fine' })], older: 0 }), KEY)
      expect(read.runs.map((r) => r.verdict)).toEqual(['fine'])
      expect(read.gap).toBe('unreadable')
    }
  })

  test("the record's own gap is read back, whichever it is; an unknown one is not", () => {
    for (const gap of ['unrecorded', 'unreadable'] as const) {
      expect(readHistory(body({ key: KEY, runs: [run()], older: 0, gap }), KEY).gap).toBe(gap)
    }
    expect(readHistory(body({ key: KEY, runs: [run()], older: 0, gap: 'lost' }), KEY)).not.toHaveProperty('gap')
  })

  test('a verdict longer than the limit is cut to it, with an ellipsis; one at the limit is kept whole', () => {
    const long = 'x'.repeat(MAX_VERDICT + 10)
    const exact = 'y'.repeat(MAX_VERDICT)
    const read = readHistory(body({ key: KEY, runs: [run({ v: long }), run({ v: exact })], older: 0 }), KEY)
    expect(read.runs.map((r) => r.verdict)).toEqual([`${'x'.repeat(MAX_VERDICT - 1)}…`, exact])
  })

  test('a run link: http and https, as a whole value, up to 500 characters', () => {
    const linkOf = (u: string): string | undefined =>
      readHistory(body({ key: KEY, runs: [run({ u })], older: 0 }), KEY).runs[0]?.run
    const at500 = `https://github.com/${'a'.repeat(500 - 'https://github.com/'.length)}`
    expect(linkOf('http://ghes.example/acme/golden/actions/runs/1')).toBe(
      'http://ghes.example/acme/golden/actions/runs/1'
    )
    expect(linkOf(at500)).toBe(at500)
    expect(linkOf(`${at500}b`)).toBeUndefined()
    expect(linkOf('see https://github.com/acme/golden/actions/runs/1')).toBeUndefined()
  })

  test('the comment key is written bounded to 100 characters, and a long key still reads back', () => {
    const key = 'k'.repeat(300)
    const line = encodeRecord({ key, runs: [], older: 0 })
    const data = JSON.parse(Buffer.from(line.replace(/^.*#/, ''), 'base64url').toString('utf8')) as { key: string }
    expect(data.key).toBe('k'.repeat(100))
    expect(readHistory(`${marker(key)}\n\n${line}\n`, key)).toEqual({ key, runs: [], older: 0 })
  })

  test('plainText: every entity the verdict writes, runs of white space to one, nothing around it', () => {
    expect(plainText('  a &quot;b&quot; &#124; &#96;c&#96; &amp; &lt;d&gt;  \n\n e  ')).toBe('a "b" | `c` & <d> e')
  })

  test('the folded section, exactly: each earlier run, its changes by kind, the older ones and the gap', () => {
    const current: RunRecord = { at: '2026-11-25T13:00:00Z', verdict: 'now', changes: [], moreChanges: 0 }
    const first: RunRecord = {
      at: '2026-11-25T12:30:00Z',
      run: RUN(2),
      verdict: 'two kinds',
      changes: [
        { region: REGION, imageId: ami(1), outcome: 'disabled' },
        { region: 'eu-west-1', imageId: ami(3), outcome: 'would-disable' },
        { region: REGION, imageId: ami(2), outcome: 'disabled' }
      ],
      moreChanges: 3
    }
    const second: RunRecord = {
      at: '2026-11-25T12:00:00Z',
      verdict: 'one re-enabled',
      changes: [{ region: REGION, imageId: ami(4), outcome: 'enabled' }],
      moreChanges: 0
    }
    const third: RunRecord = { at: '2026-11-25T11:00:00Z', verdict: 'nothing changed', changes: [], moreChanges: 0 }
    const rendered = renderHistory({ key: KEY, runs: [current, first, second, third], older: 2, gap: 'unreadable' })
    expect(rendered.split('\n').slice(0, -3)).toEqual([
      '<details><summary>Earlier runs on this pull request (5)</summary>',
      '',
      `- 2026-11-25T12:30:00Z ([run](${RUN(2)})): two kinds`,
      `  - disabled \`${ami(1)}\` (us-east-1), \`${ami(2)}\` (us-east-1); would disable \`${ami(3)}\` (eu-west-1), and 3 more images`,
      '- 2026-11-25T12:00:00Z (run link not known): one re-enabled',
      `  - re-enabled \`${ami(4)}\` (us-east-1)`,
      '- 2026-11-25T11:00:00Z (run link not known): nothing changed',
      '',
      '…and 2 older runs not shown.',
      '',
      'Older runs are not shown: the record of them in this comment could not be read.',
      '',
      '</details>'
    ])
    expect(rendered.split('\n').at(-2)).toMatch(/^\[disable-superseded-ami:runs:v1\]: #/)
    // only older runs: no "…and", the count alone
    const older = renderHistory({ key: KEY, runs: [current], older: 1 })
    expect(older).toContain(
      '<summary>Earlier runs on this pull request (1)</summary>\n\n1 older run not shown.\n\n</details>'
    )
    // only the gap: no count, no list
    const gap = renderHistory({ key: KEY, runs: [current], older: 0, gap: 'unrecorded' })
    expect(gap.split('\n').slice(0, 5)).toEqual([
      '<details><summary>Earlier runs on this pull request</summary>',
      '',
      'Older runs are not shown: this comment was first written by a version of this action that kept no record of its runs.',
      '',
      '</details>'
    ])
    // nothing earlier: the record alone
    expect(
      renderHistory({ key: KEY, runs: [current], older: 0 })
        .trimEnd()
        .split('\n')
    ).toHaveLength(1)
  })
})

describe('addRun keeps as many runs as fit', () => {
  test('only the oldest runs that do not fit go, one at a time, and they are counted', () => {
    const long = (i: number): RunRecord => ({
      at: `2026-11-25T12:${String(i).padStart(2, '0')}:00Z`,
      run: RUN(i),
      verdict: `${i} `.repeat(140).slice(0, MAX_VERDICT),
      changes: Array.from({ length: MAX_CHANGES }, (_, n) => ({
        region: REGION,
        imageId: ami(i * 100 + n),
        outcome: 'disabled' as const
      })),
      moreChanges: 0
    })
    const previous: History = {
      key: KEY,
      runs: Array.from({ length: MAX_RUNS - 1 }, (_, i) => long(MAX_RUNS - 2 - i)),
      older: 0
    }
    const all = [long(MAX_RUNS - 1), ...previous.runs]
    const next = addRun(previous, all[0]!)

    expect(renderHistory(next).length).toBeLessThanOrEqual(MAX_HISTORY)
    expect(next.runs.length).toBeGreaterThan(1)
    expect(next.runs).toEqual(all.slice(0, next.runs.length))
    // the next older run would not have fitted
    expect(renderHistory({ ...next, runs: all.slice(0, next.runs.length + 1) }).length).toBeGreaterThan(MAX_HISTORY)
    expect(next.older).toBe(all.length - next.runs.length)
  })

  test('a history of exactly MAX_HISTORY characters keeps every run', () => {
    const run = (i: number, verdict: string): RunRecord => ({
      at: `2026-11-25T12:${String(i).padStart(2, '0')}:00Z`,
      run: RUN(i),
      verdict,
      changes: Array.from({ length: MAX_CHANGES }, (_, n) => ({
        region: REGION,
        imageId: ami(i * 100 + n),
        outcome: 'disabled' as const
      })),
      moreChanges: 0
    })
    const size = (runs: RunRecord[]): number => renderHistory({ key: KEY, runs, older: 0 }).length
    // as many full runs as fit, then two more, one of them with a verdict sized so that the whole is exactly
    // MAX_HISTORY: plain letters (1 character shown, 1 in the record) and `*` (2 shown, escaped; 1 in the record),
    // since the record's base64 alone grows by 2 or 3 a letter and skips some lengths
    const full: RunRecord[] = []
    const max = 'v'.repeat(MAX_VERDICT)
    while (size([...full, run(full.length, max), run(full.length + 1, max)]) <= MAX_HISTORY)
      full.push(run(full.length, max))
    let exact: RunRecord[] | undefined
    for (let stars = 0; stars < 10 && !exact; stars++) {
      const with2 = (letters: number) => [
        ...full,
        run(full.length, `${'v'.repeat(letters)}${'*'.repeat(stars)}`),
        run(full.length + 1, 'v')
      ]
      let [lo, hi] = [0, MAX_VERDICT - stars]
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2)
        if (size(with2(mid)) < MAX_HISTORY) lo = mid + 1
        else hi = mid
      }
      if (size(with2(lo)) === MAX_HISTORY) exact = with2(lo)
    }
    expect(exact).toBeDefined()
    const runs = exact ?? []
    const next = addRun({ key: KEY, runs: runs.slice(1), older: 0 }, runs[0]!)
    expect(renderHistory(next).length).toBe(MAX_HISTORY)
    expect(next.runs).toEqual(runs)
    expect(next.older).toBe(0)
  })
})

describe('the size of a record', () => {
  test('a record up to 200,000 characters is read; a longer one is not (a comment edited to hold a huge one)', () => {
    const withBytes = (bytes: number): string => {
      const empty = JSON.stringify({ key: KEY, runs: [], older: 0, pad: '' })
      const json = JSON.stringify({ key: KEY, runs: [], older: 0, pad: 'x'.repeat(bytes - empty.length) })
      return `[disable-superseded-ami:runs:v1]: #${Buffer.from(json).toString('base64url')}`
    }
    // 150,000 bytes of JSON are 200,000 characters of base64url; 150,001 are 200,002
    expect(withBytes(150_000).length - '[disable-superseded-ami:runs:v1]: #'.length).toBe(200_000)
    expect(readHistory(withBytes(150_000), KEY)).toEqual({ key: KEY, runs: [], older: 0 })
    expect(readHistory(withBytes(150_001), KEY)).toEqual({ key: KEY, runs: [], older: 0, gap: 'unreadable' })
  })
})
