/* global process */
/**
 * Jest's test sequencer in a mutation run only (stryker.config.js). Stryker runs each mutant with the tests that
 * cover it as a test-name pattern, but Jest still loads every test file it was given; this keeps only the files
 * that hold a test matching the pattern, from the names test-support/stryker-setup.ts wrote down in the first run.
 * With no pattern (a mutant every test covers), no list, or no file matched, every file runs, as Jest would.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Sequencer from '@jest/test-sequencer'

export const TEST_FILES_LOG = join(process.cwd(), '.stryker-test-files.jsonl')

/** test file → the full names of its tests */
function testsByFile() {
  const byFile = new Map()
  if (!existsSync(TEST_FILES_LOG)) return byFile
  for (const line of readFileSync(TEST_FILES_LOG, 'utf8').split('\n')) {
    if (!line) continue
    const [file, name] = JSON.parse(line)
    if (!byFile.has(file)) byFile.set(file, new Set())
    byFile.get(file).add(name)
  }
  return byFile
}

export default class CoveringFilesSequencer extends (Sequencer.default ?? Sequencer) {
  constructor(options) {
    super(options)
    this.pattern = options.globalConfig.testNamePattern
  }

  sort(tests) {
    const sorted = super.sort(tests)
    if (!this.pattern) return sorted
    const byFile = testsByFile()
    const re = new RegExp(this.pattern, 'i')
    const kept = sorted.filter((t) => [...(byFile.get(t.path) ?? [])].some((name) => re.test(name)))
    return kept.length ? kept : sorted
  }
}
