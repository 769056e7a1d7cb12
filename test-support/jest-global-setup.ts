/**
 * Jest global setup of the end-to-end project. The bundle the end-to-end tests run: built from the sources (src/, the lock file, the build
 * script) with scripts/build.ts, exactly as dist/ is, into .scratch/bundle-<hash>/. The hash of
 * what goes into it names the folder, so a second test run on unchanged sources reuses it, and a
 * change anywhere under src/ builds anew: the e2e tests never run a stale bundle. Its path goes
 * to the test workers as ACTION_BUNDLE (test-support/run-action.ts runs it).
 *
 * One file with no local imports: Jest loads a global setup outside its module mapper.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const INPUTS = ['src', 'scripts/build.ts', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']

function files(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)))
}

/** A hash of every file the bundle is built from. */
export function sourceHash(root: string): string {
  const hash = createHash('sha256')
  for (const file of INPUTS.flatMap((p) => files(join(root, p)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

/** Builds (or reuses) the bundle of the current sources; returns the path of its index.js. */
export function buildBundle(root: string): string {
  const scratch = join(root, '.scratch')
  const dir = join(scratch, `bundle-${sourceHash(root)}`)
  const entry = join(dir, 'index.js')
  if (existsSync(entry)) return entry
  // Bundles of sources that no longer exist, left by earlier runs (an hour old: another test run
  // may still be using a recent one).
  for (const name of existsSync(scratch) ? readdirSync(scratch) : []) {
    const path = join(scratch, name)
    if (name.startsWith('bundle-') && Date.now() - statSync(path).mtimeMs > 3_600_000) {
      rmSync(path, { recursive: true, force: true })
    }
  }
  // Built aside and moved in whole, so that two test runs at once never see half a bundle.
  const building = `${dir}.${process.pid}.tmp`
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/build.ts', building],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024
      }
    )
  } catch (error) {
    // ncc prints its own minified source with a failure: keep the lines a person reads.
    const output = String((error as { stderr?: Buffer | string }).stderr ?? '')
    const lines = output.split('\n').filter((line) => line.length < 400)
    throw new Error(`building the e2e bundle failed:\n${lines.slice(-40).join('\n')}`)
  }
  try {
    renameSync(building, dir)
  } catch (error) {
    // Another run moved the same bundle in first.
    rmSync(building, { recursive: true, force: true })
    if (!existsSync(entry)) throw error
  }
  return entry
}

export default function globalSetup(_global: unknown, project: { rootDir: string }): void {
  const started = Date.now()
  process.env.ACTION_BUNDLE = buildBundle(project.rootDir)
  if (process.env.CI) console.log(`\ne2e bundle: ${process.env.ACTION_BUNDLE} (${Date.now() - started} ms)`)
}
