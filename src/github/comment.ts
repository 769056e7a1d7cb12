/**
 * The sticky comment, for every command but status. The pull request is found and its first
 * page of comments read while the command runs; the comment is written when the report is
 * ready. Never fails the step: a problem is a warning, and the job summary holds the report.
 */
import type { Logger } from '../context.js'
import type { RunReport } from '../model.js'
import type { Settings } from '../settings.js'
import { createGitHubFetch } from './github-fetch.js'
import { marker, renderComment, type RenderOptions } from '../report/markdown.js'
import { CommentPages, commentWarning, findPullRequest, upsertComment, type PullRequestLookup } from './pull-request.js'

export interface CommentLog extends Logger {
  notice(message: string): void
}

export interface PendingComment {
  /** Writes (or updates) the comment; its URL, or undefined when none was written. */
  publish(report: RunReport, options: RenderOptions): Promise<string | undefined>
}

type GitHub = typeof import('@actions/github')
type Prepared =
  | { github: GitHub; octokit: ReturnType<GitHub['getOctokit']>; pr: PullRequestLookup; pages?: CommentPages }
  | { error: unknown }
  | { skip: string; warn?: boolean }
  | { off: true }

/** `owner/repo`, as the runner names it (GITHUB_REPOSITORY); read by the entry point. */
export interface CommentTarget {
  repository?: string | undefined
}

export function startComment(settings: Settings, log: CommentLog, target: CommentTarget): PendingComment {
  const prepared = prepare(settings, target)
  return {
    async publish(report, options) {
      const p = await prepared
      if ('off' in p) return undefined
      if ('skip' in p) {
        if (p.warn) log.warning(`No pull-request comment: ${p.skip}.`)
        else log.notice(`No pull-request comment: ${p.skip}.`)
        return undefined
      }
      if ('error' in p) {
        log.warning(commentWarning(p.error))
        return undefined
      }
      const { github, octokit, pr, pages } = p
      if (pr.number === undefined || !pages) {
        log.notice(
          `No pull-request comment: ${pr.number === undefined ? pr.reason : 'no pull request'}. The report is in the job summary.`
        )
        return undefined
      }
      try {
        const { owner, repo } = github.context.repo
        const { url, created } = await upsertComment(
          octokit,
          { owner, repo },
          pr.number,
          pages,
          marker(report.family),
          renderComment(report, options)
        )
        log.info(
          `${created ? 'Commented on' : 'Updated the comment on'} pull request #${pr.number} (from ${pr.source}): ${url}`
        )
        return url
      } catch (error) {
        log.warning(commentWarning(error))
        return undefined
      }
    }
  }
}

async function prepare(settings: Settings, target: CommentTarget): Promise<Prepared> {
  if (!settings.comment || settings.command === 'status') return { off: true }
  const [owner, repo] = (target.repository ?? '').split('/')
  if (!owner || !repo) return { skip: 'GITHUB_REPOSITORY is not set' }
  if (!settings.githubToken) return { skip: 'github-token is empty', warn: true }
  try {
    // Loaded only when a comment is to be written, while the first AWS answers are awaited.
    const github = await import('@actions/github')
    const octokit = github.getOctokit(settings.githubToken, { request: { fetch: createGitHubFetch() } })
    const { eventName, payload, sha } = github.context
    const pr = await findPullRequest(octokit, { owner, repo, eventName, payload, sha }, settings.pullRequest)
    return {
      github,
      octokit,
      pr,
      ...(pr.number !== undefined ? { pages: new CommentPages(octokit, { owner, repo }, pr.number) } : {})
    }
  } catch (error) {
    return { error }
  }
}
