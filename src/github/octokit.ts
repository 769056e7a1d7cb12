/**
 * The Octokit the comment is written with: `@actions/github`'s own (its transport, which follows
 * the runner's proxy settings), with two plugins:
 * - `@octokit/plugin-retry`: a call that failed with 429, a 5xx, or no answer at all (a refused or
 *   reset connection) is tried again, at most GITHUB_RETRIES times, after `retryDelayMs`, then 4
 *   times that (the plugin's schedule: the n-th retry waits n² × `retryDelayMs`). Other 4xx are
 *   final (the plugin's list: 400, 401, 403, 404, 410, 422, 451).
 * - a deadline: each call, its retries included, ends GITHUB_TIMEOUT_MS after it began. The
 *   attempt in flight then is aborted and no retry follows; a retry whose wait began before the
 *   deadline and ends after it is not sent (that wait, at most 4 × `retryDelayMs`, is all a call
 *   can last beyond the deadline).
 */
import type { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { setFlagsFromString } from 'node:v8'

type GitHub = typeof import('@actions/github')
export type Octokit = ReturnType<typeof getOctokit>
type Plugin = NonNullable<Parameters<typeof getOctokit>[2]>

/** A call to GitHub, its retries included, ends after this long (then a warning). */
export const GITHUB_TIMEOUT_MS = 15_000
/** How many times a call that failed with 429, a 5xx or no answer is tried again. */
export const GITHUB_RETRIES = 2
/** The wait before the first retry; the second waits 4 times as long. */
export const GITHUB_RETRY_DELAY_MS = 1_000

/** A call that ran out of time: thrown as is, never retried. */
export class GitHubTimeoutError extends Error {
  override readonly name = 'TimeoutError'

  constructor(
    readonly timeoutMs: number,
    /** the status of the last answer, when an earlier attempt was answered (and retried) */
    readonly lastStatus: number | undefined,
    options?: { cause?: unknown }
  ) {
    super(`GitHub did not answer within ${timeoutMs / 1000}s`, options)
  }
}

/** The deadline plugin; registered before plugin-retry, so that it wraps each attempt. */
function deadline(timeoutMs: number): Plugin {
  // The options object of a call is the same for each of its attempts (plugin-retry sends it again).
  const calls = new WeakMap<object, { end: number; lastStatus?: number }>()
  return (octokit) => {
    octokit.hook.wrap('request', async (request, options) => {
      let call = calls.get(options)
      if (!call) calls.set(options, (call = { end: Date.now() + timeoutMs }))
      const left = call.end - Date.now()
      if (left <= 0) throw new GitHubTimeoutError(timeoutMs, call.lastStatus)
      const signal = AbortSignal.timeout(left)
      // A copy: without a `request` parameter, the call's `request` is the client's defaults object.
      // The hooks inside this one read the same options object, so it is changed in place.
      options.request = { ...options.request, signal }
      try {
        return await request(options)
      } catch (error) {
        if (signal.aborted) throw new GitHubTimeoutError(timeoutMs, call.lastStatus, { cause: error })
        // An answer (not a failed connection, which Octokit also reports as status 500).
        const answer = error as { status?: unknown; response?: unknown }
        if (answer.response !== undefined && typeof answer.status === 'number') call.lastStatus = answer.status
        throw error
      }
    })
  }
}

export interface OctokitSettings {
  /** the wait before the first retry (default GITHUB_RETRY_DELAY_MS) */
  retryDelayMs?: number | undefined
  /** how long a call may take, its retries included (default GITHUB_TIMEOUT_MS) */
  timeoutMs?: number | undefined
}

/**
 * The toolkit's transport (undici) parses HTTP with llhttp, compiled to WebAssembly at its first
 * connection. With V8's dynamic tiering (its default) the process then ended 35 to 110 ms after its
 * last line on the bench's 2-core machines, against 10 to 20 without: its main thread waits for a V8 worker
 * thread still compiling that module (strace shows it), on a core the run needs. bench/run.ts
 * measures it ("Node's teardown"). Set before the first request, the flag applies to the modules
 * compiled after it; it touches nothing but WebAssembly.
 */
function withoutWasmDynamicTiering(): void {
  setFlagsFromString('--no-wasm-dynamic-tiering')
}

/** The client for `token`, with retries and a deadline on every call. */
export function createOctokit(github: GitHub, token: string, settings: OctokitSettings = {}): Octokit {
  const delay = settings.retryDelayMs
  const retryDelayMs = delay !== undefined && Number.isFinite(delay) && delay >= 0 ? delay : GITHUB_RETRY_DELAY_MS
  withoutWasmDynamicTiering()
  // No `request` option here: it would replace the toolkit's (its proxy-aware fetch).
  return github.getOctokit(
    token,
    { retry: { retries: GITHUB_RETRIES, retryAfterBaseValue: retryDelayMs } },
    deadline(settings.timeoutMs ?? GITHUB_TIMEOUT_MS),
    retry
  )
}
