/** scripts/mutation-report.ts: the table docs/TESTING.md shows, from Stryker's JSON report. Pure. */
import { describe, expect, test } from '@jest/globals'
import { BEGIN, END, render, score, splice, type StrykerMutant } from '../scripts/mutation-report.js'

function mutant(status: string, line = 1, mutatorName = 'StringLiteral', replacement = '""'): StrykerMutant {
  return { id: String(Math.random()), mutatorName, replacement, status, location: { start: { line, column: 1 } } }
}

describe('score', () => {
  test('detected (killed, timed out) over killed, timed out, survived and not covered; errors and static left out', () => {
    const c = { killed: 6, timeout: 1, survived: 2, noCoverage: 1, ignored: 50, errors: 9 }
    expect(score(c)).toBeCloseTo(70)
  })

  test('nothing valid: no score', () => {
    expect(score({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 3, errors: 1 })).toBeUndefined()
  })
})

describe('render', () => {
  const report = {
    files: {
      'src/rules/a.ts': { mutants: [mutant('Killed'), mutant('Killed'), mutant('Survived', 7, 'Regex', '/x/')] },
      'src/report/b.ts': { mutants: [mutant('Killed'), mutant('CompileError'), mutant('Ignored')] }
    }
  }

  test('a survivor without a reason is "not explained" and counted; a group under its score is named', () => {
    const out = render(report, [])
    expect(out.markdown).toContain('| `src/rules/a.ts:7` | Regex | `/x/` | **not explained** |')
    expect(out.unexplained).toBe(1)
    expect(out.under).toEqual(['src/rules, src/settings.ts, src/targets.ts'])
    expect(out.markdown).toContain('| `src/report/b.ts` | 1 | 0 | 0 | 0 | 100.00 | 1 | 1 |')
  })

  test('a reason keyed by file, line, mutator and replacement is shown; one that matches nothing is stale', () => {
    const why = { file: 'src/rules/a.ts', line: 7, mutator: 'Regex', replacement: '/x/', why: 'no caller sees it' }
    const stale = { ...why, line: 8 }
    const out = render(report, [why, stale])
    expect(out.markdown).toContain('| `src/rules/a.ts:7` | Regex | `/x/` | no caller sees it |')
    expect(out.unexplained).toBe(0)
    expect(out.stale).toEqual([stale])
  })

  test('a file the configuration mutates but the report lacks is named as not measured, and its group is incomplete', () => {
    const out = render(report, [], ['src/rules/a.ts', 'src/targets.ts', 'src/report/b.ts'])
    expect(out.markdown).toContain('Not measured in this report: `src/targets.ts`.')
    expect(out.markdown).toContain(
      '| src/rules, src/settings.ts, src/targets.ts (measured files only: 1 not measured) |'
    )
    expect(out.incomplete).toEqual(['src/rules, src/settings.ts, src/targets.ts'])
    expect(render(report, [], ['src/rules/a.ts', 'src/report/b.ts']).incomplete).toEqual([])
  })
})

describe('splice', () => {
  test('replaces what is between the markers and keeps the rest', () => {
    const doc = `# T\n\n${BEGIN}\nold\n${END}\n\nafter\n`
    expect(splice(doc, 'new')).toBe(`# T\n\n${BEGIN}\n\nnew\n\n${END}\n\nafter\n`)
  })

  test('appends the markers when there are none', () => {
    expect(splice('# T\n', 'new')).toBe(`# T\n\n${BEGIN}\n\nnew\n\n${END}\n`)
  })
})
