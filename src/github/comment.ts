/**
 * The sticky comment, for every command but status. The pull request is found, and its first
 * page of comments and the token's user read, while the command runs; the comment is written
 * when the report is ready. Never fails the step: a problem is a warning (after the retries of
 * ./octokit.ts), and the job summary holds the report. The comment keeps the record of the earlier
 * runs on the pull request (../report/history.ts): read from the comment it replaces, this run's
 * added on top.
 */
import type { Logger } from '../context.js'
import type { RunReport } from '../model.js'
import type { Settings } from '../settings.js'
import { commentWithHistory } from '../report/history.js'
import { marker, type RenderOptions } from '../report/markdown.js'
import { createOctokit, type Octokit } from './octokit.js'
import {
  CommentPages,
  commentWarning,
  findPullRequest,
  readTokenUser,
  upsertComment,
  type TokenUser
} from './pull-request.js'

export interface CommentLog extends Logger {
  notice(message: string): void
}

export interface PendingComment {
  /**
   * Writes (or updates) the comment; its URL, or undefined when none was written. `now` is the
   * time the record of this run carries (the entry point reads the clock).
   */
  publish(report: RunReport, options: RenderOptions, now: Date): Promise<string | undefined>
}

type GitHub = typeof import('@actions/github')
type Prepared =
  | {
      github: GitHub
      octokit: Octokit
      pr: { number: number; source: string }
      pages: CommentPages
      user: Promise<TokenUser>
    }
  | { error: unknown }
  | { skip: string; warn?: boolean }
  | { off: true }

/** Read by the entry point from the environment. */
export interface CommentTarget {
  /** `owner/repo`, as the runner names it (GITHUB_REPOSITORY) */
  repository?: string | undefined
  /**
   * The wait before the first retry of a failed GitHub call, in milliseconds (default 1000; the
   * second retry waits 4 times as long). Tests shorten it.
   */
  retryDelayMs?: number | undefined
}

export function startComment(settings: Settings, log: CommentLog, target: CommentTarget): PendingComment {
  const prepared = prepare(settings, target)
  return {
    async publish(report, options, now) {
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
      const { github, octokit, pr, pages, user } = p
      try {
        const { owner, repo } = github.context.repo
        const found = await pages.find(marker(report.commentKey), user)
        if (found.others > 0) {
          const who = await user
          const author =
            who.login !== undefined
              ? `someone other than ${who.login}, the token's user`
              : `someone other than a bot (the token's user is not known: ${who.reason})`
          log.info(`Left alone ${found.others} comment(s) that start with the same marker, written by ${author}.`)
        }
        // The earlier runs are read from the comment being replaced (none when there is none).
        const body = commentWithHistory(report, options, { at: now, runUrl: options.runUrl, previousBody: found.body })
        const { url, created } = await upsertComment(octokit, { owner, repo }, pr.number, found, body)
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
    const octokit = createOctokit(github, settings.githubToken, { retryDelayMs: target.retryDelayMs })
    const { eventName, payload, sha } = github.context
    const pr = await findPullRequest(octokit, { owner, repo, eventName, payload, sha }, settings.pullRequest)
    if (pr.number === undefined) return { skip: `${pr.reason}. The report is in the job summary` }
    // Both asked for at once; the token's user is awaited only if a comment carries the marker.
    return {
      github,
      octokit,
      pr,
      pages: new CommentPages(octokit, { owner, repo }, pr.number),
      user: readTokenUser(octokit, settings.githubToken)
    }
  } catch (error) {
    return { error }
  }
}
