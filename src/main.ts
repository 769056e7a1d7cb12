/**
 * Wires the action: settings -> command -> reports -> outputs. The one try/catch -> setFailed.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { AutoScaling } from './aws/autoscaling.js'
import { Ec2 } from './aws/ec2.js'
import type { Context } from './commands/context.js'
import { disable } from './commands/disable.js'
import { enable } from './commands/enable.js'
import { rollback } from './commands/rollback.js'
import { status } from './commands/status.js'
import { usageFinder } from './commands/usage.js'
import type { Command, RunReport } from './model.js'
import { marker, renderBody, renderComment } from './report/markdown.js'
import { commentWarning, findPullRequest, upsertComment } from './report/pull-request.js'
import { outputsOf } from './report/outputs.js'
import { parseSettings, type Settings } from './settings.js'

const COMMANDS: Record<Command, (ctx: Context) => Promise<RunReport>> = { disable, enable, rollback, status }

function maskCredentials(settings: Settings): void {
  if (settings.githubToken) core.setSecret(settings.githubToken)
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

export async function run(): Promise<void> {
  try {
    const settings = parseSettings({
      input: (name) => core.getInput(name),
      env: process.env,
      readFile: (path) => readFileSync(resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), path), 'utf8')
    })
    maskCredentials(settings)
    const command = COMMANDS[settings.command]
    const ec2 = memo((region) => new Ec2(region))
    const autoscaling = memo((region) => new AutoScaling(region))
    const { GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId } = process.env
    const ctx: Context = {
      settings,
      ec2,
      usage: usageFinder(ec2, autoscaling),
      log: { info: core.info, warning: core.warning, debug: core.debug },
      now: () => new Date(),
      ...(repo && runId ? { runRef: `${repo}/actions/runs/${runId}` } : {})
    }
    const report = await command(ctx)
    report.runUrl = runUrl()
    for (const [name, value] of Object.entries(outputsOf(report))) core.setOutput(name, value)
    await core.summary.addRaw(renderBody(report, { runUrl: report.runUrl, actionRef: actionRef() })).write()
    const url = await publishComment(report, settings)
    if (url) core.setOutput('comment-url', url)
    if (report.failure) core.setFailed(report.failure)
    else core.info(summaryLine(report))
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}

function summaryLine(report: RunReport): string {
  const changes = report.regions.flatMap((r) => r.changes)
  const count = (o: string) => changes.filter((c) => c.outcome === o).length
  if (report.dryRun) return `Dry run: ${count('would-disable')} image(s) would be disabled, ${count('would-enable')} re-enabled; nothing was changed.`
  return `Done: ${count('disabled')} image(s) disabled, ${count('enabled')} re-enabled.`
}

/**
 * The sticky comment, for every command but status. Never fails the step: a problem is a
 * warning, and the job summary holds the same report.
 */
async function publishComment(report: RunReport, settings: Settings): Promise<string | undefined> {
  if (!settings.comment || report.command === 'status') return undefined
  const repository = process.env.GITHUB_REPOSITORY ?? ''
  const [owner, repo] = repository.split('/')
  if (!owner || !repo) {
    core.notice('No pull-request comment: GITHUB_REPOSITORY is not set.')
    return undefined
  }
  if (!settings.githubToken) {
    core.warning('No pull-request comment: github-token is empty.')
    return undefined
  }
  try {
    const octokit = github.getOctokit(settings.githubToken)
    const { eventName, payload, sha } = github.context
    const pr = await findPullRequest(octokit, { owner, repo, eventName, payload, sha }, settings.pullRequest)
    if (pr.number === undefined) {
      core.notice(`No pull-request comment: ${pr.reason}. The report is in the job summary.`)
      return undefined
    }
    const body = renderComment(report, { runUrl: report.runUrl, actionRef: actionRef() })
    const { url, created } = await upsertComment(octokit, { owner, repo }, pr.number, marker(report.family), body)
    core.info(`${created ? 'Commented on' : 'Updated the comment on'} pull request #${pr.number} (from ${pr.source}): ${url}`)
    return url
  } catch (error) {
    core.warning(commentWarning(error))
    return undefined
  }
}
