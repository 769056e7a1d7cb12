/**
 * npm run test:mutation:report: reads Stryker's JSON report (reports/mutation/mutation.json, written by
 * `npm run test:mutation`) and writes into docs/TESTING.md, between the markers below, the score of each mutated
 * file (killed, survived, timeout, no coverage, score), the totals of each group with the score it must keep, and
 * every surviving mutant with the reason it is judged equivalent, taken from scripts/mutation-equivalents.json
 * (keyed by file, line, mutator and replacement, so that a re-run keeps them). A survivor with no reason there is
 * shown as "not explained"; the exit code is then 1, as it is when a group is under its score or lacks a file.
 *
 *   npm run test:mutation:report                       reports/mutation/mutation.json into docs/TESTING.md
 *   npm run test:mutation:report -- a.json b.json      several reports (file-by-file runs) merged, the last wins
 *   npm run test:mutation:report -- --check            print only; docs/TESTING.md is left as it is
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export const BEGIN = '<!-- mutation-report:begin (written by npm run test:mutation:report) -->'
export const END = '<!-- mutation-report:end -->'

const ROOT = resolve(import.meta.dirname, '..')
const DEFAULT_REPORT = join(ROOT, 'reports', 'mutation', 'mutation.json')
const DOC = join(ROOT, 'docs', 'TESTING.md')
const EQUIVALENTS = join(ROOT, 'scripts', 'mutation-equivalents.json')

/** The part of Stryker's report (mutation-testing-report-schema) read here. */
export interface StrykerReport {
  files: Record<string, { mutants: StrykerMutant[] }>
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

/** Reports merged file by file, the later report winning. */
export function merge(reports: StrykerReport[]): StrykerReport {
  const files: StrykerReport['files'] = {}
  for (const r of reports) Object.assign(files, r.files)
  return { files }
}

export interface Rendered {
  markdown: string
  /** survivors with no reason in the equivalents file */
  unexplained: number
  /** groups under their score */
  under: string[]
  /** groups with a file the report lacks: their score is not known yet */
  incomplete: string[]
  /** reasons that match no survivor any more (the code moved or the mutant is now killed) */
  stale: Equivalent[]
}

/** The files stryker.config.js mutates, as they are on disk (relative to the repository). */
export function mutatedFiles(root = ROOT): string[] {
  const under = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${dir}/${f}`)
  return [...under('src/rules'), 'src/settings.ts', 'src/targets.ts', ...under('src/report')].sort()
}

export function render(report: StrykerReport, equivalents: Equivalent[], expected: string[] = []): Rendered {
  const reasons = new Map(equivalents.map((e) => [keyOf(e.file, e.line, e.mutator, e.replacement), e]))
  const used = new Set<string>()
  const files = Object.keys(report.files).sort()
  const lines: string[] = []
  lines.push('| File | Killed | Survived | Timeout | No coverage | Score (%) | Static, not run | Do not compile |')
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const f of files) {
    const c = count(report.files[f]?.mutants ?? [])
    lines.push(
      `| \`${f}\` | ${c.killed} | ${c.survived} | ${c.timeout} | ${c.noCoverage} | ${pct(score(c))} | ${c.ignored} | ${c.errors} |`
    )
  }
  const missing = expected.filter((f) => !(f in report.files))
  if (missing.length) lines.push('', `Not measured in this report: ${missing.map((f) => `\`${f}\``).join(', ')}.`)
  lines.push('')
  lines.push('| Group | Killed | Survived | Timeout | No coverage | Score (%) | Must keep (%) |')
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  const under: string[] = []
  const incomplete: string[] = []
  for (const g of GROUPS) {
    const c = empty()
    for (const f of files.filter(g.matches)) count(report.files[f]?.mutants ?? [], c)
    const s = score(c)
    if (s !== undefined && s < g.target) under.push(g.name)
    const unmeasured = missing.filter(g.matches).length
    if (unmeasured) incomplete.push(g.name)
    const label = unmeasured ? `${g.name} (measured files only: ${unmeasured} not measured)` : g.name
    lines.push(`| ${label} | ${c.killed} | ${c.survived} | ${c.timeout} | ${c.noCoverage} | ${pct(s)} | ${g.target} |`)
  }
  lines.push('')
  const survivors = files.flatMap((f) =>
    (report.files[f]?.mutants ?? [])
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map((m) => ({ file: f, m }))
      .sort((a, b) => a.m.location.start.line - b.m.location.start.line)
  )
  let unexplained = 0
  if (survivors.length === 0) lines.push('No surviving mutant.')
  else {
    lines.push('Surviving mutants, each with why it is equivalent (no behaviour a caller can see differs):')
    lines.push('')
    lines.push('| Where | Mutator | Replacement | Why equivalent |')
    lines.push('| --- | --- | --- | --- |')
    for (const { file, m } of survivors) {
      const key = keyOf(file, m.location.start.line, m.mutatorName, m.replacement ?? '')
      const reason = reasons.get(key)
      if (reason) used.add(key)
      else unexplained++
      const status = m.status === 'NoCoverage' ? ' (no coverage)' : ''
      lines.push(
        `| \`${file}:${m.location.start.line}\`${status} | ${m.mutatorName} | \`${oneLine(m.replacement ?? '', 60)}\` | ${
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
  const paths = args.filter((a) => a !== '--check')
  const reports = (paths.length ? paths : [DEFAULT_REPORT]).map((p) => {
    if (!existsSync(p)) throw new Error(`${p}: no report; run npm run test:mutation first`)
    return JSON.parse(readFileSync(p, 'utf8')) as StrykerReport
  })
  const equivalents = JSON.parse(readFileSync(EQUIVALENTS, 'utf8')) as Equivalent[]
  const out = render(merge(reports), equivalents, mutatedFiles())
  process.stdout.write(`${out.markdown}\n`)
  for (const e of out.stale)
    process.stderr.write(`stale reason (no such survivor): ${keyOf(e.file, e.line, e.mutator, e.replacement)}\n`)
  if (!check) writeFileSync(DOC, splice(readFileSync(DOC, 'utf8'), out.markdown))
  if (out.unexplained) process.stderr.write(`${out.unexplained} surviving mutant(s) not explained\n`)
  if (out.under.length) process.stderr.write(`under the score to keep: ${out.under.join('; ')}\n`)
  if (out.incomplete.length) process.stderr.write(`not every file measured: ${out.incomplete.join('; ')}\n`)
  return out.unexplained || out.under.length || out.incomplete.length ? 1 : 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2))
