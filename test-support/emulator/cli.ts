/**
 * Start the AWS emulator by hand:
 *   npx tsx test-support/emulator/cli.ts [--port N] [--seed file.json] [--latency MS] [--account ID] [--random N]
 * then point the SDK or the CLI at it, e.g.
 *   AWS_ENDPOINT_URL_EC2=<url> AWS_ENDPOINT_URL_AUTO_SCALING=<url> AWS_ENDPOINT_URL_STS=<url> AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1 ...
 */
import { readFileSync } from 'node:fs'
import { logCallsUntilStopped, readFlags } from '../cli-flags.js'
import { startAwsEmulator, type Seed } from './ec2.js'

const USAGE = `usage: npx tsx test-support/emulator/cli.ts [--port N] [--seed file.json] [--latency MS] [--account ID] [--random N] [--help]
  --port N          port on 127.0.0.1 (default: a free one)
  --seed FILE       initial state, JSON (the Seed type of test-support/emulator/state.ts)
  --latency MS      delay added to every call (default 0)
  --account ID      the caller's account id (default: the seed's, else 111122223333)
  --random N        seed of the deterministic random source: ids, fault probabilities (default 1)`

/** The flags; a mistyped one is an error with the usage line (exit code 2), not ignored. */
const { values: flags, usageError } = readFlags('emulator', USAGE, {
  port: { type: 'string' },
  seed: { type: 'string' },
  latency: { type: 'string' },
  account: { type: 'string' },
  random: { type: 'string' }
})

function number(name: 'port' | 'latency' | 'random', whole: boolean): number | undefined {
  const raw = flags[name]
  if (raw === undefined) return undefined
  if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(raw))
    usageError(`--${name} needs a${whole ? ' whole' : ''} number >= 0, not '${raw}'`)
  return Number(raw)
}
if (flags.account !== undefined && !/^\d{12}$/.test(flags.account))
  usageError(`--account needs a 12-digit account id, not '${flags.account}'`)

const seed = flags.seed ? (JSON.parse(readFileSync(flags.seed, 'utf8')) as Seed) : undefined
const port = number('port', true) ?? 0
const accountId = flags.account ?? seed?.accountId
const random = number('random', true)
const emu = await startAwsEmulator({
  port,
  ...(seed !== undefined ? { seed } : {}),
  ...(accountId !== undefined ? { accountId } : {}),
  ...(random !== undefined ? { random } : {}),
  faults: { latencyMs: number('latency', false) ?? 0 }
})

const summary = emu.state
  .regionNames()
  .map(
    (r) =>
      `${r}: ${emu.images(r).length} images, ${emu.launchTemplates(r).length} launch templates, ${emu.autoScalingGroups(r).length} groups`
  )
console.log(emu.url)
console.error(`AWS emulator (EC2 + Auto Scaling + STS) for account ${emu.accountId} on ${emu.url}`)
for (const line of summary) console.error(`  ${line}`)
console.error(
  `  export AWS_ENDPOINT_URL_EC2=${emu.url} AWS_ENDPOINT_URL_AUTO_SCALING=${emu.url} AWS_ENDPOINT_URL_STS=${emu.url} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1`
)
console.error('  Ctrl-C to stop')

logCallsUntilStopped(
  emu.calls,
  (c) => `  #${c.seq} ${c.service} ${c.region} ${c.action} -> ${c.status}${c.errorCode ? ` ${c.errorCode}` : ''}`,
  () => emu.close()
)
