/**
 * Run the bundled action the way a GitHub runner does: a child `node` process with a
 * clean environment, INPUT_* variables (action.yml defaults filled in), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
 * files, an event payload, and the AWS SDK pointed at the emulator.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { REPO_ROOT } from './paths.js'

export { REPO_ROOT }
export const FAKE_GITHUB_TOKEN = 'ghs_faketoken000'

export interface RunActionOptions {
  inputs: Record<string, string>
  /** extra environment (wins over everything set here) */
  env?: Record<string, string>
  /** default pull_request */
  eventName?: string
  /** event payload written to GITHUB_EVENT_PATH (default {}) */
  event?: object
  /** AWS emulator URL: AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_AUTO_SCALING and AWS_ENDPOINT_URL_STS */
  ec2Url?: string
  /** GitHub fake URL: GITHUB_API_URL */
  githubUrl?: string
  /** AWS_REGION */
  region?: string
  /** working directory of the child (default the repository root) */
  cwd?: string
  /** kill the child after this long (default 30000 ms) */
  timeoutMs?: number
  /**
   * the script to run: by default the bundle of the current sources that the test run's global
   * setup built (ACTION_BUNDLE); without one, runAction refuses rather than run the committed
   * dist/ in its place (pass DIST_ENTRY for that, as the dist smoke suite and the bench do)
   */
  entry?: string
  /** keep the temp dir (RUNNER_TEMP, output files) for inspection */
  keepTemp?: boolean
  /** the node binary to run it with (default this process's) */
  node?: string
  /** polled every 10 ms while the child runs: kill it (SIGKILL, as a cancelled job) once this is true */
  killWhen?: () => boolean
}

export interface RunActionResult {
  /** null when killed (timeout) */
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  /** killed because `killWhen` became true */
  killed: boolean
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  durationMs: number
  /** the environment the child got (handy when a test fails) */
  env: Record<string, string>
  tempDir: string
}

/** A YAML scalar as the runner passes it: null is empty, a string, number or boolean its text. */
function scalarText(name: string, value: unknown): string {
  if (value === null) return ''
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new Error(`action.yml: the default of input ${name} is not a scalar`)
}

/**
 * The defaults of action.yml's `inputs:` (YAML, parsed by the `yaml` library): input name -> default,
 * only inputs that have one, as the runner passes them (strings; `${{ github.token }}` replaced by
 * the fake token).
 */
export function parseActionDefaults(text: string): Record<string, string> {
  const doc: unknown = parse(text)
  const inputs = (doc as { inputs?: unknown } | null)?.inputs
  const defaults: Record<string, string> = {}
  if (inputs === null || typeof inputs !== 'object') return defaults
  for (const [name, spec] of Object.entries(inputs as Record<string, unknown>)) {
    if (spec === null || typeof spec !== 'object' || !('default' in spec)) continue
    defaults[name] = scalarText(name, spec.default).replace(/\$\{\{\s*github\.token\s*\}\}/g, FAKE_GITHUB_TOKEN)
  }
  return defaults
}

/** Parse a GITHUB_OUTPUT file: `name<<DELIMITER` heredocs and `name=value` lines. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const delimiter = heredoc[2]!
      const value: string[] = []
      i++
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]!)
      out[heredoc[1]!] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

/**
 * The bundle built from the sources for this test run (ACTION_BUNDLE, set by the e2e project's
 * global setup). Never the committed dist/ in its stead: a test that ran dist/ would pass on
 * sources that no longer hold.
 */
export function defaultEntry(): string {
  const bundle = process.env.ACTION_BUNDLE
  if (!bundle)
    throw new Error(
      "runAction: ACTION_BUNDLE is not set (the e2e project's global setup builds it: npm run test:e2e); pass entry: DIST_ENTRY to run the committed dist/"
    )
  return bundle
}

/** What runners execute: the committed bundle. */
export const DIST_ENTRY = join(REPO_ROOT, 'dist', 'index.js')

export async function runAction(opts: RunActionOptions): Promise<RunActionResult> {
  const entry = opts.entry ?? defaultEntry()
  if (!existsSync(entry))
    throw new Error(`runAction: ${entry} does not exist${entry === DIST_ENTRY ? '; run npm run build first' : ''}`)
  const actionYml = join(REPO_ROOT, 'action.yml')
  const defaults = existsSync(actionYml) ? parseActionDefaults(readFileSync(actionYml, 'utf8')) : {}

  const temp = mkdtempSync(join(tmpdir(), 'run-action-'))
  const files = {
    output: join(temp, 'github_output'),
    summary: join(temp, 'step_summary.md'),
    state: join(temp, 'github_state'),
    envFile: join(temp, 'github_env'),
    path: join(temp, 'github_path'),
    event: join(temp, 'event.json')
  }
  for (const f of [files.output, files.summary, files.state, files.envFile, files.path]) writeFileSync(f, '')
  const event = opts.event ?? {}
  writeFileSync(files.event, JSON.stringify(event, null, 2))
  const eventName = opts.eventName ?? 'pull_request'
  const prNumber = (event as { pull_request?: { number?: number } }).pull_request?.number

  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? temp,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.envFile,
    GITHUB_PATH: files.path,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_REPOSITORY: 'acme/golden-images',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '4242424242',
    GITHUB_RUN_NUMBER: '17',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'f00dbabe0000000000000000000000000000cafe',
    GITHUB_REF: prNumber !== undefined ? `refs/pull/${prNumber}/merge` : 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKFLOW: 'golden-image',
    GITHUB_JOB: 'disable-superseded',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKSPACE: opts.cwd ?? REPO_ROOT,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    AWS_ACCESS_KEY_ID: 'AKIAEMULATOR000000000',
    AWS_SECRET_ACCESS_KEY: 'emulator-secret-key-not-real',
    AWS_EC2_METADATA_DISABLED: 'true',
    // runners use Node 24; on this Node 20 machine the SDK would print a NodeVersionSupportWarning to stderr
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // keep the host's ~/.aws out of it
    AWS_CONFIG_FILE: join(temp, 'aws-config-none'),
    AWS_SHARED_CREDENTIALS_FILE: join(temp, 'aws-credentials-none')
  }
  if (opts.githubUrl) {
    env['GITHUB_API_URL'] = opts.githubUrl
    env['GITHUB_GRAPHQL_URL'] = `${opts.githubUrl}/graphql`
    // GitHub's 5xx are retried after 1 s, then 4 s: the fake answers at once, so the tests wait
    // 20 ms, then 80 ms (a test of the real waits sets it to '').
    env['DISABLE_SUPERSEDED_AMI_GITHUB_RETRY_DELAY_MS'] = '20'
  }
  if (opts.ec2Url) {
    env['AWS_ENDPOINT_URL_EC2'] = opts.ec2Url
    env['AWS_ENDPOINT_URL_AUTO_SCALING'] = opts.ec2Url
    env['AWS_ENDPOINT_URL_STS'] = opts.ec2Url
  }
  if (opts.region) env['AWS_REGION'] = opts.region
  const inputs = { ...defaults, ...opts.inputs }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  Object.assign(env, opts.env ?? {})

  const started = Date.now()
  const child = spawn(opts.node ?? process.execPath, [entry], {
    cwd: opts.cwd ?? REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  let timedOut = false
  let killed = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, opts.timeoutMs ?? 30_000)
  const killWhen = opts.killWhen
  const poll = killWhen
    ? setInterval(() => {
        if (killWhen()) {
          killed = true
          child.kill('SIGKILL')
        }
      }, 10)
    : undefined
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolvePromise, reject) => {
      child.once('error', reject)
      child.once('close', (c, s) => resolvePromise({ code: c, signal: s }))
    }
  )
  clearTimeout(timer)
  clearInterval(poll)
  const durationMs = Date.now() - started
  const outputs = parseOutputFile(readFileSync(files.output, 'utf8'))
  const summary = readFileSync(files.summary, 'utf8')
  if (!opts.keepTemp) rmSync(temp, { recursive: true, force: true })
  return { exitCode: code, signal, timedOut, killed, stdout, stderr, outputs, summary, durationMs, env, tempDir: temp }
}
