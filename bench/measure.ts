/**
 * Measuring helpers: a preload that reports the child's peak memory, the bench's own scripts
 * compiled once to plain ESM (so they start like any node script, with no TypeScript loader in
 * their timings), a clean child environment, and the critical path read off a call log.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../test-support/run-action.js'
import { resolveRunnerNode, type RunnerNode } from './runner-node.js'

/** Compiled scripts live under node_modules, so that they resolve the SDK from the project and no linter sees them. */
export const WORK_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'disable-superseded-ami-bench')

const PRELOAD = `import { writeFileSync } from 'node:fs'
const file = process.env.BENCH_PROBE_FILE
if (file) process.on('exit', () => {
  try { const u = process.resourceUsage(); writeFileSync(file, JSON.stringify({ timeOrigin: performance.timeOrigin, exitAt: Date.now(), maxRssKb: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })) } catch {}
})
`

export interface Prepared {
  /** the node the action and the bench's scripts run on: the runner's (bench/runner-node.ts) */
  node: RunnerNode
  preload: string
  naive: string
  sdkProbe: string
  /** a script that does nothing: what Node's own start and teardown cost (the preload measures it) */
  emptyScript: string
}

/**
 * Finds the runner's node, writes the preload and an empty script, and compiles bench/naive.ts and
 * bench/sdk-probe.ts to ESM (esbuild comes with tsx).
 */
export async function prepare(log: (line: string) => void): Promise<Prepared> {
  mkdirSync(WORK_DIR, { recursive: true })
  // the runner's Node lives outside node_modules, so that `npm ci` does not fetch it again
  const node = resolveRunnerNode(join(REPO_ROOT, '.bench-tmp'), log)
  const preload = join(WORK_DIR, 'preload.mjs')
  writeFileSync(preload, PRELOAD)
  const { transform } = await import('esbuild')
  const compile = async (name: string): Promise<string> => {
    const source = readFileSync(join(REPO_ROOT, 'bench', `${name}.ts`), 'utf8')
    const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' })
    const out = join(WORK_DIR, `${name}.mjs`)
    writeFileSync(out, code)
    return out
  }
  const emptyScript = join(WORK_DIR, 'empty.mjs')
  writeFileSync(emptyScript, '// nothing: the floor of a Node process\n')
  return { node, preload, naive: await compile('naive'), sdkProbe: await compile('sdk-probe'), emptyScript }
}

/** NODE_OPTIONS and the file where the preload writes what it measured. */
export function probeEnv(prepared: Prepared, tag: string): { env: Record<string, string>; file: string } {
  const file = join(WORK_DIR, `probe-${process.pid}-${tag}.json`)
  rmSync(file, { force: true })
  return { env: { NODE_OPTIONS: `--import=${prepared.preload}`, BENCH_PROBE_FILE: file }, file }
}

/** What the preload measured: `exitAt` is the wall clock (ms) at the child's `exit` event. */
export interface Probe {
  timeOrigin: number
  exitAt: number
  maxRssKb: number
  cpuMs: number
}

/** The child's exit as the bench saw it (spawn + wall) after its `exit` event: Node's teardown, ms. */
export function teardownMs(probe: Probe | undefined, spawnedAt: number, wallMs: number): number {
  return probe ? spawnedAt + wallMs - probe.exitAt : NaN
}

export function readProbe(file: string): Probe | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Probe
    rmSync(file, { force: true })
    return value
  } catch {
    return undefined
  }
}

/** The environment runAction gives the action's AWS SDK, for the bench's own scripts. */
export function awsEnv(url: string, region: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: WORK_DIR,
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ENDPOINT_URL_AUTO_SCALING: url,
    AWS_ACCESS_KEY_ID: 'AKIAEMULATOR000000000',
    AWS_SECRET_ACCESS_KEY: 'emulator-secret-key-not-real',
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_CONFIG_FILE: join(WORK_DIR, 'aws-config-none'),
    AWS_SHARED_CREDENTIALS_FILE: join(WORK_DIR, 'aws-credentials-none')
  }
}

export interface ScriptResult {
  exitCode: number | null
  stdout: string
  stderr: string
  /** Date.now() just before the spawn */
  spawnedAt: number
  durationMs: number
}

export async function runScript(
  node: string,
  script: string,
  env: Record<string, string>,
  timeoutMs: number
): Promise<ScriptResult> {
  const spawnedAt = Date.now()
  const child = spawn(node, [script], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve(code))
  })
  clearTimeout(timer)
  return { exitCode, stdout, stderr, spawnedAt, durationMs: Date.now() - spawnedAt }
}

export interface Span {
  start: number
  end: number
  label: string
}

/**
 * The longest chain of calls in which each call started after the previous one had ended: the
 * dependent round trips the run actually waited for, one after the other.
 */
export function criticalPath(spans: Span[]): Span[] {
  if (spans.length === 0) return []
  const byStart = [...spans].sort((a, b) => a.start - b.start || a.end - b.end)
  const byEnd = [...spans].sort((a, b) => a.end - b.end)
  const length = new Map<Span, number>()
  const previous = new Map<Span, Span | undefined>()
  let j = 0
  let best: Span | undefined
  for (const s of byStart) {
    while (j < byEnd.length && byEnd[j]!.end <= s.start) {
      const e = byEnd[j++]!
      if ((length.get(e) ?? 0) > (best ? length.get(best)! : 0)) best = e
    }
    length.set(s, (best ? length.get(best)! : 0) + 1)
    previous.set(s, best)
  }
  let last = byStart[0]!
  for (const s of byStart) if (length.get(s)! > length.get(last)!) last = s
  const chain: Span[] = []
  for (let s: Span | undefined = last; s; s = previous.get(s)) chain.unshift(s)
  return chain
}

/** Most calls in flight at once. */
export function maxInFlight(spans: Array<{ start: number; end: number }>): number {
  const events = spans.flatMap((s) => [
    { t: s.start, d: 1 },
    { t: s.end, d: -1 }
  ])
  events.sort((a, b) => a.t - b.t || a.d - b.d)
  let now = 0
  let max = 0
  for (const e of events) max = Math.max(max, (now += e.d))
  return max
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
