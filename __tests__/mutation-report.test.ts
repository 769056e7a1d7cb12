/** scripts/mutation-report.ts: the table docs/TESTING.md shows, from Stryker's JSON report. Pure. */
import { describe, expect, test } from '@jest/globals'
import {
  BEGIN,
  END,
  fold,
  render,
  score,
  sha256,
  splice,
  type MutationRecord,
  type StrykerMutant
} from '../scripts/mutation-report.js'

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

describe('fold', () => {
  const report = {
    files: {
      'src/rules/a.ts': {
        source: 'const a = 1\n',
        mutants: [mutant('Killed'), mutant('Survived', 7, 'Regex', '/x/'), mutant('NoCoverage', 3), mutant('Ignored')]
      }
    }
  }

  test("a report's file is recorded with the day, the hash of the source that was mutated, its counts and its survivors in line order", () => {
    const record = fold({ files: {} }, [report], '2026-12-02')
    expect(record.files['src/rules/a.ts']).toEqual({
      measured: '2026-12-02',
      sha256: sha256('const a = 1\n'),
      counts: { killed: 1, survived: 1, timeout: 0, noCoverage: 1, ignored: 1, errors: 0 },
      survivors: [
        { line: 3, mutator: 'StringLiteral', replacement: '""', status: 'NoCoverage' },
        { line: 7, mutator: 'Regex', replacement: '/x/', status: 'Survived' }
      ]
    })
  })

  test('a file measured anew replaces its record; the files the reports do not hold keep theirs; the later report wins', () => {
    const older = fold({ files: {} }, [report], '2026-11-30')
    const kept = { ...report.files['src/rules/a.ts'], source: 'b' }
    const withB = fold(older, [{ files: { 'src/report/b.ts': kept } }], '2026-12-01')
    expect(withB.files['src/rules/a.ts']?.measured).toBe('2026-11-30')
    const again = { ...report.files['src/rules/a.ts'], source: 'new', mutants: [mutant('Killed')] }
    const last = fold(withB, [report, { files: { 'src/rules/a.ts': again } }], '2026-12-02')
    expect(last.files['src/rules/a.ts']).toMatchObject({ measured: '2026-12-02', sha256: sha256('new'), survivors: [] })
    expect(last.files['src/report/b.ts']?.measured).toBe('2026-12-01')
    expect(Object.keys(last.files)).toEqual(['src/report/b.ts', 'src/rules/a.ts'])
  })

  test('a report without the source is refused: what was measured would not be known', () => {
    expect(() => fold({ files: {} }, [{ files: { 'src/x.ts': { mutants: [] } } }], '2026-12-02')).toThrow(/no source/)
  })
})

describe('render', () => {
  const record: MutationRecord = fold(
    { files: {} },
    [
      {
        files: {
          'src/rules/a.ts': {
            source: 'a',
            mutants: [mutant('Killed'), mutant('Killed'), mutant('Survived', 7, 'Regex', '/x/')]
          },
          'src/report/b.ts': { source: 'b', mutants: [mutant('Killed'), mutant('CompileError'), mutant('Ignored')] }
        }
      }
    ],
    '2026-12-02'
  )
  const now = (files: Record<string, string>) => new Map(Object.entries(files).map(([f, src]) => [f, sha256(src)]))

  test('a survivor without a reason is "not explained" and counted; a group under its score is named', () => {
    const out = render(record, [])
    expect(out.markdown).toContain('| `src/rules/a.ts:7` | Regex | `/x/` | **not explained** |')
    expect(out.unexplained).toBe(1)
    expect(out.under).toEqual(['src/rules, src/settings.ts, src/targets.ts'])
    expect(out.markdown).toContain('| `src/report/b.ts` | 2026-12-02 | 1 | 0 | 0 | 0 | 100.00 | 1 | 1 |')
  })

  test('a reason keyed by file, line, mutator and replacement is shown; one that matches nothing is stale', () => {
    const why = { file: 'src/rules/a.ts', line: 7, mutator: 'Regex', replacement: '/x/', why: 'no caller sees it' }
    const stale = { ...why, line: 8 }
    const out = render(record, [why, stale])
    expect(out.markdown).toContain('| `src/rules/a.ts:7` | Regex | `/x/` | no caller sees it |')
    expect(out.unexplained).toBe(0)
    expect(out.stale).toEqual([stale])
  })

  test('a file the configuration mutates but the record lacks is named as not measured, and its group is incomplete', () => {
    const out = render(record, [], now({ 'src/rules/a.ts': 'a', 'src/targets.ts': 't', 'src/report/b.ts': 'b' }))
    expect(out.markdown).toContain('Not measured: `src/targets.ts`.')
    expect(out.markdown).toContain(
      '| src/rules, src/settings.ts, src/targets.ts (1 file(s) not measured or changed since) |'
    )
    expect(out.incomplete).toEqual(['src/rules, src/settings.ts, src/targets.ts'])
    expect(render(record, [], now({ 'src/rules/a.ts': 'a', 'src/report/b.ts': 'b' })).incomplete).toEqual([])
  })

  test('a file whose source changed since it was measured is shown so, and its group is incomplete', () => {
    const out = render(record, [], now({ 'src/rules/a.ts': 'a', 'src/report/b.ts': 'b, edited' }))
    expect(out.markdown).toContain('| `src/report/b.ts` | 2026-12-02, **source changed since** | 1 |')
    expect(out.markdown).toContain(
      'Changed since they were measured (their figures are of the source before): `src/report/b.ts`.'
    )
    expect(out.incomplete).toEqual(['src/report'])
  })

  test('a recorded file the configuration no longer mutates is left out of the table and the groups', () => {
    const out = render(record, [], now({ 'src/report/b.ts': 'b' }))
    expect(out.markdown).not.toContain('src/rules/a.ts')
    expect(out.unexplained).toBe(0)
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
