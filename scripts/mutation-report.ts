/**
 * npm run test:mutation:report: folds Stryker's JSON reports (reports/mutation/mutation.json, written by
 * `npm run test:mutation`, or the file-by-file reports named on the command line) into the committed record of the
 * last measurement of each file (docs/mutation-record.json: its counts, its survivors, the day, and a hash of the
 * source that was measured), then writes into docs/TESTING.md, between the markers below, the score of each mutated
 * file, the totals of each group with the score it must keep, and every surviving mutant with the reason it is judged
 * equivalent, taken from scripts/mutation-equivalents.json (keyed by file, line, mutator and replacement, so that a
 * re-run keeps them).
 *
 * The record is what lets a 2-core machine measure file by file, over several sessions and machines: `reports/` is
 * not committed, so without it a score lasts only as long as the machine that measured it. A file whose source no
 * longer has the hash it was measured with is shown as changed since, and counts as not measured.
 *
 * The exit code is 1 when a survivor has no reason ("not explained"), a group is under its score, or a group has a
 * file that is not measured (or changed since).
 *
 *   npm run test:mutation:report                       reports/mutation/mutation.json folded in, when there is one
 *   npm run test:mutation:report -- a.json b.json      several reports (file-by-file runs), the last wins
 *   npm run test:mutation:report -- --check            print only; docs/ is left as it is
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export const BEGIN = '<!-- mutation-report:begin (written by npm run test:mutation:report) -->'
export const END = '<!-- mutation-report:end -->'

const ROOT = resolve(import.meta.dirname, '..')
const DEFAULT_REPORT = join(ROOT, 'reports', 'mutation', 'mutation.json')
const DOC = join(ROOT, 'docs', 'TESTING.md')
const RECORD = join(ROOT, 'docs', 'mutation-record.json')
const EQUIVALENTS = join(ROOT, 'scripts', 'mutation-equivalents.json')

/** The part of Stryker's report (mutation-testing-report-schema) read here. */
export interface StrykerReport {
  files: Record<string, { source?: string; mutants: StrykerMutant[] }>
}

export interface StrykerMutant {
  id: string
  mutatorName: string
  replacement?: string
  status: string
  location: { start: { line: number; column: number } }
}

/** One reason a surviving mutant changes nothing a caller can see. */
export interface Equivalent {
  file: string
  line: number
  mutator: string
  replacement: string
  why: string
}

export interface Group {
  name: string
  /** the score (%) the group must keep */
  target: number
  matches: (file: string) => boolean
}

export const GROUPS: Group[] = [
  {
    name: 'src/rules, src/settings.ts, src/targets.ts',
    target: 97,
    matches: (f) => f.startsWith('src/rules/') || f === 'src/settings.ts' || f === 'src/targets.ts'
  },
  { name: 'src/report', target: 90, matches: (f) => f.startsWith('src/report/') }
]

export interface Counts {
  killed: number
  survived: number
  timeout: number
  noCoverage: number
  /** static mutants, not run (`ignoreStatic`): not in the score */
  ignored: number
  /** mutants that do not compile (the TypeScript checker) or crash the run: not in the score */
  errors: number
}

/** A mutant that lived: what the record keeps of it. */
export interface Survivor {
  line: number
  mutator: string
  replacement: string
  /** `Survived` or `NoCoverage` */
  status: string
}

/** The last measurement of one file. */
export interface Measured {
  /** the day of the run (YYYY-MM-DD) */
  measured: string
  /** sha256 of the source that was measured */
  sha256: string
  counts: Counts
  survivors: Survivor[]
}

export interface MutationRecord {
  files: Record<string, Measured>
}

const empty = (): Counts => ({ killed: 0, survived: 0, timeout: 0, noCoverage: 0, ignored: 0, errors: 0 })

export function count(mutants: StrykerMutant[], into: Counts = empty()): Counts {
  for (const m of mutants) {
    if (m.status === 'Killed') into.killed++
    else if (m.status === 'Survived') into.survived++
    else if (m.status === 'Timeout') into.timeout++
    else if (m.status === 'NoCoverage') into.noCoverage++
    else if (m.status === 'Ignored') into.ignored++
    else into.errors++
  }
  return into
}

function add(into: Counts, c: Counts): Counts {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += c[k]
  return into
}

/** Stryker's mutation score: detected (killed, timed out) over valid (detected, survived, not covered). */
export function score(c: Counts): number | undefined {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage
  return valid === 0 ? undefined : (100 * (c.killed + c.timeout)) / valid
}

const pct = (s: number | undefined): string => (s === undefined ? 'n/a' : s.toFixed(2))

/** One line for a table cell: whitespace collapsed, pipes escaped, long text cut. */
export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
  return cut.replace(/\|/g, '\\|')
}

export const keyOf = (file: string, line: number, mutator: string, replacement: string): string =>
  `${file}:${line} ${mutator} ${replacement.replace(/\s+/g, ' ').trim()}`

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * The record with the files of Stryker's reports measured anew on `day` (the later report winning). A report's file
 * must carry its source (Stryker's JSON report does): the hash is of what was mutated, not of what is on disk now.
 */
export function fold(record: MutationRecord, reports: StrykerReport[], day: string): MutationRecord {
  const files = { ...record.files }
  for (const r of reports)
    for (const [file, { source, mutants }] of Object.entries(r.files)) {
      if (source === undefined) throw new Error(`${file}: the report holds no source, so its hash is not known`)
      files[file] = {
        measured: day,
        sha256: sha256(source),
        counts: count(mutants),
        survivors: mutants
          .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
          .map((m) => ({
            line: m.location.start.line,
            mutator: m.mutatorName,
            replacement: m.replacement ?? '',
            status: m.status
          }))
          .sort((a, b) => a.line - b.line)
      }
    }
  return { files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) }
}

export interface Rendered {
  markdown: string
  /** survivors with no reason in the equivalents file */
  unexplained: number
  /** groups under their score */
  under: string[]
  /** groups with a file the record lacks, or holds for another source: their score is not known yet */
  incomplete: string[]
  /** reasons that match no survivor any more (the code moved or the mutant is now killed) */
  stale: Equivalent[]
}

/** The files stryker.config.js mutates, as they are on disk now (relative to the repository), with their hashes. */
export function mutatedFiles(root = ROOT): Map<string, string> {
  const under = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${dir}/${f}`)
  const files = [...under('src/rules'), 'src/settings.ts', 'src/targets.ts', ...under('src/report')].sort()
  return new Map(files.map((f) => [f, sha256(readFileSync(join(root, f), 'utf8'))]))
}

/**
 * The table of the record. `current` is each mutated file with the hash of its source now: a file not in it is no
 * longer mutated and is left out; one in it that the record lacks, or holds with another hash, is not measured.
 * Without `current`, every file of the record is shown as it is.
 */
export function render(record: MutationRecord, equivalents: Equivalent[], current?: Map<string, string>): Rendered {
  const reasons = new Map(equivalents.map((e) => [keyOf(e.file, e.line, e.mutator, e.replacement), e]))
  const used = new Set<string>()
  const files = Object.keys(record.files)
    .filter((f) => !current || current.has(f))
    .sort()
  const changed = new Set(files.filter((f) => current && current.get(f) !== record.files[f]?.sha256))
  const lines: string[] = []
  lines.push(
    '| File | Measured | Killed | Survived | Timeout | No coverage | Score (%) | Static, not run | Do not compile |'
  )
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const f of files) {
    const m = record.files[f] as Measured
    const c = m.counts
    const when = changed.has(f) ? `${m.measured}, **source changed since**` : m.measured
    lines.push(
      `| \`${f}\` | ${when} | ${c.killed} | ${c.survived} | ${c.timeout} | ${c.noCoverage} | ${pct(score(c))} | ${c.ignored} | ${c.errors} |`
    )
  }
  const missing = [...(current?.keys() ?? [])].filter((f) => !(f in record.files))
  if (missing.length) lines.push('', `Not measured: ${missing.map((f) => `\`${f}\``).join(', ')}.`)
  if (changed.size)
    lines.push(
      '',
      `Changed since they were measured (their figures are of the source before): ${[...changed]
        .map((f) => `\`${f}\``)
        .join(', ')}.`
    )
  lines.push('')
  lines.push('| Group | Killed | Survived | Timeout | No coverage | Score (%) | Must keep (%) |')
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  const under: string[] = []
  const incomplete: string[] = []
  for (const g of GROUPS) {
    const c = empty()
    for (const f of files.filter(g.matches)) add(c, (record.files[f] as Measured).counts)
    const s = score(c)
    if (s !== undefined && s < g.target) under.push(g.name)
    const unmeasured = [...missing, ...changed].filter(g.matches).length
    if (unmeasured) incomplete.push(g.name)
    const label = unmeasured ? `${g.name} (${unmeasured} file(s) not measured or changed since)` : g.name
    lines.push(`| ${label} | ${c.killed} | ${c.survived} | ${c.timeout} | ${c.noCoverage} | ${pct(s)} | ${g.target} |`)
  }
  lines.push('')
  const survivors = files.flatMap((file) => (record.files[file] as Measured).survivors.map((m) => ({ file, m })))
  let unexplained = 0
  if (survivors.length === 0) lines.push('No surviving mutant.')
  else {
    lines.push('Surviving mutants, each with why it is equivalent (no behaviour a caller can see differs):')
    lines.push('')
    lines.push('| Where | Mutator | Replacement | Why equivalent |')
    lines.push('| --- | --- | --- | --- |')
    for (const { file, m } of survivors) {
      const key = keyOf(file, m.line, m.mutator, m.replacement)
      const reason = reasons.get(key)
      if (reason) used.add(key)
      else unexplained++
      const status = m.status === 'NoCoverage' ? ' (no coverage)' : ''
      lines.push(
        `| \`${file}:${m.line}\`${status} | ${m.mutator} | \`${oneLine(m.replacement, 60)}\` | ${
          reason ? oneLine(reason.why, 400) : '**not explained**'
        } |`
      )
    }
  }
  const stale = equivalents.filter((e) => !used.has(keyOf(e.file, e.line, e.mutator, e.replacement)))
  return { markdown: lines.join('\n'), unexplained, under, incomplete, stale }
}

/** `doc` with the text between the markers replaced (the markers appended when absent). */
export function splice(doc: string, body: string): string {
  const block = `${BEGIN}\n\n${body}\n\n${END}`
  const from = doc.indexOf(BEGIN)
  const to = doc.indexOf(END)
  if (from < 0 || to < from) return `${doc.trimEnd()}\n\n${block}\n`
  return doc.slice(0, from) + block + doc.slice(to + END.length)
}

function main(args: string[]): number {
  const check = args.includes('--check')
  const named = args.filter((a) => a !== '--check')
  const paths = named.length ? named : existsSync(DEFAULT_REPORT) ? [DEFAULT_REPORT] : []
  const reports = paths.map((p) => {
    if (!existsSync(p)) throw new Error(`${p}: no report; run npm run test:mutation first`)
    return JSON.parse(readFileSync(p, 'utf8')) as StrykerReport
  })
  const before = existsSync(RECORD) ? (JSON.parse(readFileSync(RECORD, 'utf8')) as MutationRecord) : { files: {} }
  const record = fold(before, reports, new Date().toISOString().slice(0, 10))
  const equivalents = JSON.parse(readFileSync(EQUIVALENTS, 'utf8')) as Equivalent[]
  const out = render(record, equivalents, mutatedFiles())
  process.stdout.write(`${out.markdown}\n`)
  for (const e of out.stale)
    process.stderr.write(`stale reason (no such survivor): ${keyOf(e.file, e.line, e.mutator, e.replacement)}\n`)
  if (!check) {
    writeFileSync(RECORD, `${JSON.stringify(record, null, 2)}\n`)
    writeFileSync(DOC, splice(readFileSync(DOC, 'utf8'), out.markdown))
  }
  if (out.unexplained) process.stderr.write(`${out.unexplained} surviving mutant(s) not explained\n`)
  if (out.under.length) process.stderr.write(`under the score to keep: ${out.under.join('; ')}\n`)
  if (out.incomplete.length) process.stderr.write(`not every file measured: ${out.incomplete.join('; ')}\n`)
  return out.unexplained || out.under.length || out.incomplete.length ? 1 : 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2))
