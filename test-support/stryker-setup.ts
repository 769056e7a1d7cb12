/**
 * Loaded before each test file in a mutation run only (stryker.config.js), never by `npm test`.
 *
 * - The property tests draw the same cases on every run, so that a mutant is killed or survives for what it
 *   changes, never for the seed it was run with.
 * - In Stryker's first, unmutated run (no active mutant), each test's full name is written down with its file
 *   (test-support/stryker-sequencer.js reads it), so that a mutant's run loads only the test files holding the
 *   tests that cover the mutant: loading a command test's module graph costs more than the test.
 */
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'

/** as in test-support/stryker-sequencer.js: in the sandbox, Stryker's working directory */
const TEST_FILES_LOG = join(process.cwd(), '.stryker-test-files.jsonl')

fc.configureGlobal({ seed: 17 })

if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
  afterEach(() => {
    const { currentTestName, testPath } = expect.getState()
    if (currentTestName && testPath) appendFileSync(TEST_FILES_LOG, `${JSON.stringify([testPath, currentTestName])}\n`)
  })
}
