/**
 * Talking to the pull request: find it, find who the token is, then create or update the family's
 * sticky comment. Fetches and changes only; a failure is handed back as a warning, never thrown.
 * Every call is bounded in time and retried by the client (./octokit.ts).
 */
import { awaitedLater } from '../concurrency.js'
import { GITHUB_TIMEOUT_MS, GitHubTimeoutError, type Octokit } from './octokit.js'

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
      commit_sha: event.sha
    })
    const open = data.find((pr) => pr.state === 'open')
    if (open) return { number: open.number, source: `the open pull request of commit ${event.sha.slice(0, 7)}` }
    return { reason: `commit ${event.sha.slice(0, 7)} belongs to no open pull request` }
  }
  return { reason: `a ${event.eventName || 'workflow'} run names no pull request (set the pull-request input)` }
}

/**
 * Who the token is: the login of a user (a personal access token, a GitHub App's user token), as
 * `GET /user` answers; or, when that cannot be known, why. An installation token (`ghs_…`: the
 * workflow's GITHUB_TOKEN, a GitHub App's installation token) acts for an app, and GitHub answers
 * 403 to it, so it is not asked.
 */
export type TokenUser = { login: string } | { login?: undefined; reason: string }

export async function readTokenUser(octokit: Octokit, token: string): Promise<TokenUser> {
  if (token.startsWith('ghs_')) return { reason: 'an installation token acts for an app, not a user' }
  try {
    const { data } = await octokit.rest.users.getAuthenticated()
    return typeof data.login === 'string' && data.login !== ''
      ? { login: data.login }
      : { reason: 'GitHub named no login' }
  } catch (error) {
    return { reason: failure(error) }
  }
}

export interface CommentAuthor {
  login?: string
  type?: string
}

/**
 * Whether a comment that starts with the marker was written by this action: by the token's user
 * when GitHub named it, else by a bot (the workflow's token writes as `github-actions[bot]`). A
 * person's comment that quotes the marker is never taken, whichever the token.
 */
export function writtenByToken(author: CommentAuthor | null | undefined, user: TokenUser): boolean {
  if (user.login !== undefined) return author?.login?.toLowerCase() === user.login.toLowerCase()
  return author?.type === 'Bot'
}

type Comment = { id: number; body?: string | null; user?: CommentAuthor | null }

/** The comment `find` found (when one was), and how many others start with the marker. */
export interface Found {
  id: number | undefined
  /** the found comment's body as GitHub holds it (what the update replaces: its record of earlier runs) */
  body?: string
  /** comments that start with the marker but that another author wrote: left alone */
  others: number
}

/**
 * The pull request's comments, page by page (100 a page), the first page asked for at once so
 * that it arrives while the images are being handled; later pages only when needed.
 */
export class CommentPages {
  private readonly pages: AsyncIterator<{ data: Comment[] }>
  private readonly first: Promise<IteratorResult<{ data: Comment[] }>>

  constructor(octokit: Octokit, repo: Repo, number: number) {
    this.pages = octokit.paginate
      .iterator(octokit.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 })
      [Symbol.asyncIterator]()
    this.first = awaitedLater(this.pages.next())
  }

  /**
   * This action's comment: the first that starts with `marker` and that the token's user wrote
   * (see `writtenByToken`). Waits for `user` only when a page has a comment with the marker;
   * stops at the first page that has this action's.
   */
  async find(marker: string, user: Promise<TokenUser>): Promise<Found> {
    let others = 0
    for (let page = await this.first; !page.done; page = await this.pages.next()) {
      const marked = page.value.data.filter((c) => c.body?.startsWith(marker))
      if (marked.length === 0) continue
      const who = await user
      const index = marked.findIndex((c) => writtenByToken(c.user, who))
      const mine = marked[index]
      if (mine) return { id: mine.id, body: mine.body ?? '', others: others + index }
      others += marked.length
    }
    return { id: undefined, others }
  }
}

/** Updates this action's comment that `pages` finds, or creates it. */
export async function upsertComment(
  octokit: Octokit,
  repo: Repo,
  number: number,
  found: Found,
  body: string
): Promise<{ url: string; created: boolean }> {
  if (found.id !== undefined) {
    const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: found.id, body })
    return { url: data.html_url, created: false }
  }
  const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: number, body })
  return { url: data.html_url, created: true }
}

/** Why a GitHub call failed, in a few words. */
function failure(error: unknown): string {
  const e = error as { status?: number; message?: string; name?: string; response?: unknown; cause?: { name?: string } }
  if (error instanceof GitHubTimeoutError)
    return `${error.message}${error.lastStatus !== undefined ? ` (its last answer, ${error.lastStatus}, was retried)` : ''}`
  const names = [e?.name, e?.cause?.name]
  if (names.includes('TimeoutError') || names.includes('AbortError'))
    return `GitHub did not answer within ${GITHUB_TIMEOUT_MS / 1000}s`
  // Octokit reports a network failure as status 500 without a response: nothing answered then.
  if (typeof e?.status === 'number' && e.response !== undefined) return `GitHub answered ${e.status}`
  return `GitHub could not be reached (${e?.message ?? String(error)})`
}

/** One line for a failed GitHub call, naming the permission when that is the likely cause. */
export function commentWarning(error: unknown): string {
  const e = error as { status?: number; response?: unknown }
  const denied =
    !(error instanceof GitHubTimeoutError) && e?.response !== undefined && (e.status === 403 || e.status === 404)
  const hint = denied
    ? ': the token needs `pull-requests: write` (add `permissions: pull-requests: write` to the job; on pull requests from forks the token is read-only, and the job summary has the report)'
    : ''
  return `The pull-request comment was not written: ${failure(error)}${hint}. The images were handled; the report is in the job summary.`
}
