/**
 * The commands in process (so that coverage measures src/), with the real SDK clients pointed at
 * the emulator: one place that builds a command's Context from an inputs record, as src/main.ts
 * does from the runner's environment, and turns what a command returns into the step's outputs.
 *
 * The in-process command tests go through this file only: when the Context or the commands'
 * return value change, this file changes, and the tests' assertions (the emulator's end state,
 * the outputs, the log lines) stay as they are.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling'
import { EC2Client } from '@aws-sdk/client-ec2'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { AutoScaling } from '../src/aws/autoscaling.js'
import { CLIENT_CONFIG, Ec2 } from '../src/aws/ec2.js'
import type { Context } from '../src/context.js'
import type { RunReport } from '../src/model.js'
import { outputsOf } from '../src/report/outputs.js'
import { parseSettings } from '../src/settings.js'
import { usageFinder } from '../src/steps/find-usage.js'
import type { AwsEmulator } from './emulator/ec2.js'
import type { AffectedTemplate } from './output-shapes.js'
import { parseActionDefaults } from './run-action.js'
import { REPO_ROOT } from './paths.js'

// The SDK warns once per process on Node < 22 (runners use Node 24).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

/** The region of ids given without one (AWS_REGION of the run). */
export const COMMAND_REGION = 'us-east-1'
/** What src/main.ts writes in the lineage for run 4242424242 of acme/golden-images. */
export const RUN_REF = 'acme/golden-images/actions/runs/4242424242'

const ACTION_DEFAULTS = parseActionDefaults(readFileSync(resolve(REPO_ROOT, 'action.yml'), 'utf8'))

export type CommandFn = (ctx: Context) => Promise<RunReport>

export interface CommandOptions {
  /** AWS_REGION (default us-east-1); `null`: not set */
  region?: string | null
  /** the clock the command is given (default the real one) */
  now?: () => Date
  /** where `packer-manifest` paths are read from (default the repository root) */
  workspace?: string
}

export type { AffectedTemplate }

/** What a step after this one sees: the outputs, and the ones that are JSON, parsed. */
export interface CommandOutcome {
  outputs: Record<string, string>
  disabled: string[]
  enabled: string[]
  templates: AffectedTemplate[]
  /** the `report` output, parsed: only its stable fields are typed */
  report: { success: boolean; failure?: string }
  /** every line the command logged, `info: …`, `warning: …`, `debug: …` */
  logs: string[]
  /** what the command returned, for what the outputs do not carry (e.g. `pointTo`, `replacements`) */
  runReport: RunReport
}

export interface CommandContext {
  ctx: Context
  /** the log lines so far */
  logs: string[]
  /** runs the command with this context; returns once every request it sent has settled */
  run(command: CommandFn): Promise<CommandOutcome>
  /** destroys the SDK clients (their sockets) */
  close(): void
}

/**
 * A command's Context for these inputs (named as in action.yml; action.yml's defaults fill in the
 * rest, as the runner does), with the real EC2 and Auto Scaling clients pointed at `emu`. Bad
 * inputs throw here, as they do before the first AWS call of a run.
 */
export function commandContext(
  emu: AwsEmulator,
  inputs: Record<string, string>,
  options: CommandOptions = {}
): CommandContext {
  const region = options.region === undefined ? COMMAND_REGION : options.region
  const values: Record<string, string> = { ...ACTION_DEFAULTS, ...inputs }
  const settings = parseSettings({
    input: (name) => values[name] ?? '',
    env: region ? { AWS_REGION: region } : {},
    readFile: (path) => readFileSync(resolve(options.workspace ?? REPO_ROOT, path), 'utf8')
  })
  const clients: Array<{ destroy(): void }> = []
  // Every request sent, until it settles: a command may return with reads still running (the usage
  // reads it started for a region where nothing is left to disable); the process of a real run
  // waits for them before it exits, and so does `run` here, before the clients are destroyed.
  const inFlight = new Set<Promise<unknown>>()
  const tracked = <C extends { send(...args: never[]): Promise<unknown>; destroy(): void }>(client: C): C => {
    const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>
    ;(client as { send: unknown }).send = (...args: unknown[]) => {
      const sent = send(...args)
      inFlight.add(sent)
      const settled = () => void inFlight.delete(sent)
      sent.then(settled, settled)
      return sent
    }
    clients.push(client)
    return client
  }
  const quiet = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight])
  }
  const clientConfig = (r: string) => ({
    region: r,
    endpoint: emu.url,
    credentials: { accessKeyId: 'AKIAEMULATOR000000000', secretAccessKey: 'emulator-secret-key-not-real' },
    ...CLIENT_CONFIG
  })
  const memo = <T>(make: (r: string) => T): ((r: string) => T) => {
    const made = new Map<string, T>()
    return (r) => {
      if (!made.has(r)) made.set(r, make(r))
      return made.get(r)!
    }
  }
  const ec2 = memo((r) => new Ec2(r, tracked(new EC2Client(clientConfig(r)))))
  const autoscaling = memo((r) => new AutoScaling(r, tracked(new AutoScalingClient(clientConfig(r)))))
  const logs: string[] = []
  const log = {
    info: (m: string) => void logs.push(`info: ${m}`),
    warning: (m: string) => void logs.push(`warning: ${m}`),
    debug: (m: string) => void logs.push(`debug: ${m}`),
    notice: (m: string) => void logs.push(`notice: ${m}`)
  }
  const ctx: Context = {
    settings,
    ec2,
    usage: usageFinder(ec2, autoscaling),
    log,
    now: options.now ?? (() => new Date()),
    runRef: RUN_REF,
    // The entry point starts reading the pull request here; the command tests comment nowhere.
    planned: () => undefined
  }
  return {
    ctx,
    logs,
    run: async (command) => {
      const report = await command(ctx)
      await quiet()
      const outputs = outputsOf(report)
      return {
        outputs,
        disabled: JSON.parse(outputs['disabled-image-ids'] ?? '[]') as string[],
        enabled: JSON.parse(outputs['enabled-image-ids'] ?? '[]') as string[],
        templates: JSON.parse(outputs['affected-launch-templates'] ?? '[]') as AffectedTemplate[],
        report: JSON.parse(outputs.report ?? '{}') as CommandOutcome['report'],
        logs: [...logs],
        runReport: report
      }
    },
    close: () => {
      for (const client of clients.splice(0)) client.destroy()
    }
  }
}

/**
 * The emulator and the contexts of one test: `run` builds a context, runs the command, and keeps
 * the context to close; `close` destroys every client, then stops the emulator.
 */
export interface CommandWorld {
  aws: AwsEmulator
  run(command: CommandFn, inputs: Record<string, string>, options?: CommandOptions): Promise<CommandOutcome>
  context(inputs: Record<string, string>, options?: CommandOptions): CommandContext
  close(): Promise<void>
}

export function commandWorld(aws: AwsEmulator): CommandWorld {
  const open: CommandContext[] = []
  const context = (inputs: Record<string, string>, options?: CommandOptions): CommandContext => {
    const made = commandContext(aws, inputs, options)
    open.push(made)
    return made
  }
  return {
    aws,
    context,
    run: (command, inputs, options) => context(inputs, options).run(command),
    close: async () => {
      for (const made of open.splice(0)) made.close()
      await aws.close()
    }
  }
}
