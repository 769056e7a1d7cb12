/**
 * Talking to the pull request: find it, then create or update the family's sticky comment.
 * Fetches and changes only; a failure is handed back as a warning, never thrown.
 */
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
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: event.owner, repo: event.repo, commit_sha: event.sha, request: timeout() })
    const open = data.find((pr) => pr.state === 'open')
    if (open) return { number: open.number, source: `the open pull request of commit ${event.sha.slice(0, 7)}` }
    return { reason: `commit ${event.sha.slice(0, 7)} belongs to no open pull request` }
  }
  return { reason: `a ${event.eventName || 'workflow'} run names no pull request (set the pull-request input)` }
}

/**
 * Updates the comment that holds `marker`, or creates it. Pages of 100 comments are read until
 * the first page that has the marker.
 */
export async function upsertComment(octokit: Octokit, repo: Repo, number: number, marker: string, body: string): Promise<{ url: string; created: boolean }> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100, request: timeout() })
  for await (const page of pages) {
    const mine = page.data.find((c) => c.body?.includes(marker))
    if (mine) {
      const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: mine.id, body, request: timeout() })
      return { url: data.html_url, created: false }
    }
  }
  const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: number, body, request: timeout() })
  return { url: data.html_url, created: true }
}

/** One line for a failed GitHub call, naming the permission when that is the likely cause. */
export function commentWarning(error: unknown): string {
  const e = error as { status?: number; message?: string; name?: string }
  const why = e?.status ? `GitHub answered ${e.status}` : e?.name === 'TimeoutError' || e?.name === 'AbortError' ? `GitHub did not answer within ${GITHUB_TIMEOUT_MS / 1000}s` : `${e?.message ?? String(error)}`
  const hint =
    e?.status === 403 || e?.status === 404
      ? ': the token needs `pull-requests: write` (add `permissions: pull-requests: write` to the job; on pull requests from forks the token is read-only, and the job summary has the report)'
      : ''
  return `The pull-request comment was not written: ${why}${hint}. The images were handled; the report is in the job summary.`
}
