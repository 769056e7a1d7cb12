/**
 * Start the AWS emulator by hand:
 *   npx tsx test-support/emulator/cli.ts [--port N] [--seed file.json] [--latency 20] [--account 111122223333] [--random 1]
 * then point the SDK or the CLI at it, e.g.
 *   AWS_ENDPOINT_URL_EC2=<url> AWS_ENDPOINT_URL_AUTO_SCALING=<url> AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1 ...
 */
import { readFileSync } from 'node:fs'
import { startAwsEmulator, type Seed } from './ec2.js'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  if (i >= 0) return process.argv[i + 1]
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`))
  return eq?.slice(name.length + 3)
}

const seedFile = arg('seed')
const seed = seedFile ? (JSON.parse(readFileSync(seedFile, 'utf8')) as Seed) : undefined
const emu = await startAwsEmulator({
  port: arg('port') ? Number(arg('port')) : 0,
  seed,
  accountId: arg('account') ?? seed?.accountId,
  random: arg('random') ? Number(arg('random')) : undefined,
  faults: { latencyMs: arg('latency') ? Number(arg('latency')) : 0 }
})

const summary = emu.state
  .regionNames()
  .map(
    (r) =>
      `${r}: ${emu.images(r).length} images, ${emu.launchTemplates(r).length} launch templates, ${emu.autoScalingGroups(r).length} groups`
  )
console.log(emu.url)
console.error(`AWS emulator (EC2 + Auto Scaling) for account ${emu.accountId} on ${emu.url}`)
for (const line of summary) console.error(`  ${line}`)
console.error(
  `  export AWS_ENDPOINT_URL_EC2=${emu.url} AWS_ENDPOINT_URL_AUTO_SCALING=${emu.url} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1`
)
console.error('  Ctrl-C to stop')

let lastSeq = 0
const logTimer = setInterval(() => {
  for (const c of emu.calls) {
    if (c.seq <= lastSeq) continue
    lastSeq = c.seq
    console.error(
      `  #${c.seq} ${c.service} ${c.region} ${c.action} -> ${c.status}${c.errorCode ? ` ${c.errorCode}` : ''}`
    )
  }
}, 200)

const stop = (): void => {
  clearInterval(logTimer)
  void emu.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
