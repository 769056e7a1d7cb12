/**
 * Talking to the pull request: find it, then create or update the family's sticky comment.
 * Fetches and changes only; a failure is handed back as a warning, never thrown.
 */
import { started } from '../concurrency.js'
import type { getOctokit } from '@actions/github'

type Octokit = ReturnType<typeof getOctokit>

export interface Repo {
  owner: string
  repo: string
}

/** What the workflow run knows: the event and its payload, the commit. */
export interface EventInfo extends Repo {
  eventName: string
  payload: {
    pull_request?: { number?: number }
    merge_group?: { head_ref?: string }
    [key: string]: unknown
  }
  sha: string
}

export type PullRequestLookup = { number: number; source: string } | { number?: undefined; reason: string }

/** Requests to GitHub end after this long (then a warning). */
export const GITHUB_TIMEOUT_MS = 15_000

function timeout(): { signal: AbortSignal } {
  return { signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) }
}

/**
 * The pull request to comment on: the `pull_request`/`pull_request_target` payload, else the
 * `pull-request` input, else (push) the open pull request of the commit, else (merge_group) the
 * queue's head ref `…/pr-N-…`.
 */
export async function findPullRequest(octokit: Octokit, event: EventInfo, input?: number): Promise<PullRequestLookup> {
  const fromPayload = event.payload.pull_request?.number
  if (typeof fromPayload === 'number') return { number: fromPayload, source: `the ${event.eventName} event` }
  if (input) return { number: input, source: 'the pull-request input' }
  if (event.eventName === 'merge_group') {
    const match = /\/pr-(\d+)-/.exec(event.payload.merge_group?.head_ref ?? '')
    if (match) return { number: Number(match[1]), source: 'the merge queue' }
    return { reason: 'the merge group head ref names no pull request' }
  }
  if (event.eventName === 'push' && event.sha) {
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: event.owner,
      repo: event.repo,
      commit_sha: event.sha,
      request: timeout()
    })
    const open = data.find((pr) => pr.state === 'open')
    if (open) return { number: open.number, source: `the open pull request of commit ${event.sha.slice(0, 7)}` }
    return { reason: `commit ${event.sha.slice(0, 7)} belongs to no open pull request` }
  }
  return { reason: `a ${event.eventName || 'workflow'} run names no pull request (set the pull-request input)` }
}

/**
 * The pull request's comments, page by page (100 a page), the first page asked for at once so
 * that it arrives while the images are being handled; later pages only when needed.
 */
export class CommentPages {
  private readonly pages: AsyncIterator<{
    data: Array<{ id: number; body?: string | null; user?: { type?: string } | null }>
  }>
  private readonly first: Promise<
    IteratorResult<{ data: Array<{ id: number; body?: string | null; user?: { type?: string } | null }> }>
  >

  constructor(octokit: Octokit, repo: Repo, number: number) {
    this.pages = octokit.paginate
      .iterator(octokit.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100, request: timeout() })
      [Symbol.asyncIterator]()
    this.first = started(this.pages.next())
  }

  /**
   * The id of this action's comment that starts with `marker`: written by a bot (the workflow's
   * token), so that a person's comment quoting the marker is never overwritten. Stops at the
   * first page that has it.
   */
  async find(marker: string): Promise<number | undefined> {
    for (let page = await this.first; !page.done; page = await this.pages.next()) {
      const mine = page.value.data.find((c) => c.body?.startsWith(marker) && c.user?.type === 'Bot')
      if (mine) return mine.id
    }
    return undefined
  }
}

/** Updates the comment found by `pages`, or creates it. */
export async function upsertComment(
  octokit: Octokit,
  repo: Repo,
  number: number,
  pages: CommentPages,
  marker: string,
  body: string
): Promise<{ url: string; created: boolean }> {
  const id = await pages.find(marker)
  if (id !== undefined) {
    const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: id, body, request: timeout() })
    return { url: data.html_url, created: false }
  }
  const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: number, body, request: timeout() })
  return { url: data.html_url, created: true }
}

/** One line for a failed GitHub call, naming the permission when that is the likely cause. */
export function commentWarning(error: unknown): string {
  const e = error as { status?: number; message?: string; name?: string; response?: unknown; cause?: { name?: string } }
  const names = [e?.name, e?.cause?.name]
  const timedOut = names.includes('TimeoutError') || names.includes('AbortError')
  // Octokit reports a network failure as status 500 without a response: nothing answered then.
  const answered = typeof e?.status === 'number' && e.response !== undefined
  const why = timedOut
    ? `GitHub did not answer within ${GITHUB_TIMEOUT_MS / 1000}s`
    : answered
      ? `GitHub answered ${e.status}`
      : `GitHub could not be reached (${e?.message ?? String(error)})`
  const hint =
    answered && (e.status === 403 || e.status === 404)
      ? ': the token needs `pull-requests: write` (add `permissions: pull-requests: write` to the job; on pull requests from forks the token is read-only, and the job summary has the report)'
      : ''
  return `The pull-request comment was not written: ${why}${hint}. The images were handled; the report is in the job summary.`
}
