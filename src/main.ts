/**
 * Wires the action: settings -> command -> reports -> outputs. The one try/catch -> setFailed.
 */
import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { AutoScaling } from './aws/autoscaling.js'
import { Ec2 } from './aws/ec2.js'
import type { Context } from './context.js'
import { disable } from './commands/disable.js'
import { enable } from './commands/enable.js'
import { retire } from './commands/retire.js'
import { rollback } from './commands/rollback.js'
import { status } from './commands/status.js'
import { consumerFinder } from './steps/find-consumers.js'
import { usageFinder } from './steps/find-usage.js'
import { reportsByMode } from './steps/usage-reports.js'
import type { Command, RunReport } from './model.js'
import { outcomeOf } from './rules/outcome.js'
import { renderBody } from './report/markdown.js'
import { startComment, type PendingComment } from './github/comment.js'
import { outputsOf } from './report/outputs.js'
import { parseSettings } from './settings.js'

const COMMANDS: Record<Command, (ctx: Context) => Promise<RunReport>> = {
  disable,
  enable,
  rollback,
  status,
  retire
}

function maskCredentials(): void {
  const token = core.getInput('github-token')
  if (token.trim()) core.setSecret(token.trim())
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const value = process.env[name]
    if (value) core.setSecret(value)
  }
}

/** One client per region and service, shared by every step of the run. */
function memo<T>(make: (region: string) => T): (region: string) => T {
  const made = new Map<string, T>()
  return (region) => {
    let value = made.get(region)
    if (!value) made.set(region, (value = make(region)))
    return value
  }
}

/** How the running workflow refers to this action (`owner/repo@ref`), for the rollback step. */
function actionRef(): string | undefined {
  const { GITHUB_ACTION_REPOSITORY: repo, GITHUB_ACTION_REF: ref } = process.env
  return repo && ref ? `${repo}@${ref}` : undefined
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env
  return repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined
}

/**
 * The first wait before GitHub is asked again (ms), when the environment sets one (the tests
 * shorten it); createOctokit keeps its default for anything that is not a number of 0 or more.
 */
function githubRetryDelay(value: string | undefined): number | undefined {
  return value?.trim() ? Number(value) : undefined
}

/** Workflow commands start a line with `::`: text from AWS or inputs stays on its own line. */
function oneLine(message: string): string {
  return message.replace(/[\r\n\u2028\u2029]+/g, ' ')
}

export async function run(): Promise<void> {
  try {
    // Masked before anything else, so that no failure, not even a bad input, can print them.
    maskCredentials()
    const settings = parseSettings({
      input: (name) => core.getInput(name),
      env: process.env,
      readFile: (path) => readFileSync(resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), path), 'utf8')
    })
    const command = COMMANDS[settings.command]
    const ec2 = memo((region) => new Ec2(region))
    const autoscaling = memo((region) => new AutoScaling(region))
    const { GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId } = process.env
    const log = {
      info: (m: string) => core.info(oneLine(m)),
      warning: core.warning,
      debug: (m: string) => core.debug(oneLine(m)),
      notice: core.notice
    }
    // The pull request and its comments are read while the command makes its changes (once it has
    // planned them: then the process mostly waits on AWS), or at its end.
    let comment: PendingComment | undefined
    const startCommentOnce = (): PendingComment =>
      (comment ??= startComment(settings, log, {
        repository: process.env.GITHUB_REPOSITORY,
        retryDelayMs: githubRetryDelay(process.env.DISABLE_SUPERSEDED_AMI_GITHUB_RETRY_DELAY_MS)
      }))
    const reports = reportsByMode(ec2, settings, {
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
    })
    const consumers = consumerFinder({
      ...(settings.consumerRole ? { consumerRole: settings.consumerRole } : {}),
      ...(reports ? { accountsFromReports: reports } : {}),
      mask: (secret: string) => core.setSecret(secret),
      ...(runId ? { runId: `${runId}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}` } : {}),
      log
    })
    const ctx: Context = {
      settings,
      ec2,
      usage: usageFinder(ec2, autoscaling),
      ...(consumers ? { consumers } : {}),
      log,
      now: () => new Date(),
      planned: () => void startCommentOnce(),
      ...(repo && runId ? { runRef: `${repo}/actions/runs/${runId}` } : {})
    }
    const report = await command(ctx)
    const outcome = outcomeOf(report)
    for (const [name, value] of Object.entries(outputsOf(report, outcome))) core.setOutput(name, value)
    const url = runUrl()
    const ref = actionRef()
    const options = { ...(url ? { runUrl: url } : {}), ...(ref ? { actionRef: ref } : {}) }
    // The comment's request goes first (it never rejects: a problem is a warning); the job summary
    // is written while GitHub answers.
    const published = startCommentOnce().publish(report, options, ctx.now())
    // A job summary needs the runner's file; run elsewhere (plain node), the step goes on without it.
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderBody(report, options, outcome)).write()
    else core.info('No job summary: GITHUB_STEP_SUMMARY is not set.')
    const commentUrl = await published
    if (commentUrl) core.setOutput('comment-url', commentUrl)
    if (outcome.failure) core.setFailed(outcome.failure)
    else core.info(outcome.summary)
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
