/**
 * Wires the action: settings -> command -> reports -> outputs. The one try/catch -> setFailed.
 */
import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { AutoScaling } from './aws/autoscaling.js'
import { Ec2 } from './aws/ec2.js'
import type { Context } from './commands/context.js'
import { disable } from './commands/disable.js'
import { usageFinder } from './commands/usage.js'
import type { Command, RunReport } from './model.js'
import { renderBody } from './report/markdown.js'
import { outputsOf } from './report/outputs.js'
import { parseSettings, type Settings } from './settings.js'

const COMMANDS: Record<Command, ((ctx: Context) => Promise<RunReport>) | undefined> = {
  disable,
  enable: undefined,
  rollback: undefined,
  status: undefined
}

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
    if (!command) throw new Error(`command '${settings.command}' is not available yet`)
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
    await core.summary.addRaw(renderBody(report, { runUrl: report.runUrl })).write()
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
