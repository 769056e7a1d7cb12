/**
 * The other-accounts scenario (issue 13, point 8): the owner account of bench/account.ts (500
 * templates, 1 region) and 20 consumer accounts; the superseded images are shared with 15 of them,
 * each holding `templates` launch templates (5 of them on a superseded image, with an Auto Scaling
 * group; the rest on images of other families). The action runs `disable` with `consumer-role` and
 * the usage reports (`auto`), against its own emulator, at 500 and at 50 templates per account.
 *
 * Measured: EC2 calls per consumer account (flat in the number of templates), the span of each
 * account's search (its first call's start to its last call's end), their sum (what searching the
 * accounts one after the other would take), and the wall of the whole consumer phase (the first
 * AssumeRole to the last consumer call's end): well under the sum when the accounts are searched
 * concurrently.
 *
 * It runs a bundle of the current sources (test-support/jest-global-setup.ts's buildBundle, as the
 * e2e tests do; ACTION_BUNDLE when set), since dist/ may predate `consumer-role`.
 */
import { startAwsEmulator, type CallRecord, type Seed } from '../test-support/emulator/ec2.js'
import type { AccountSeed, LaunchTemplateInput } from '../test-support/emulator/state.js'
import { startGitHubFake } from '../test-support/github.js'
import { REPO_ROOT, runAction } from '../test-support/run-action.js'
import { buildBundle } from '../test-support/jest-global-setup.js'
import { buildAccount, FAMILY_TAG, SUPERSEDED } from './account.js'

export const CONSUMER_ACCOUNTS = 20
export const SHARED_WITH = 15
const AFFECTED_PER_ACCOUNT = 5
const ROLE = 'bench-reader'
const REGION = 'us-east-1'

const accountId = (i: number): string => `7${String(i).padStart(3, '0')}00000000`.padEnd(12, '0')

export interface AccountsRun {
  templatesPerAccount: number
  ok: boolean
  problem?: string
  wallMs: number
  /** EC2 calls of each searched consumer account (min and max over the accounts) */
  ec2PerAccount: { min: number; max: number }
  /** all calls (EC2, Auto Scaling, STS) of each searched account */
  callsPerAccount: { min: number; max: number }
  searched: number
  /** median span of one account's search, their sum, and the consumer phase's wall */
  accountSpanMs: number
  sumOfSpansMs: number
  phaseWallMs: number
  /** most accounts whose searches overlapped at one time */
  accountsAtOnce: number
  /** the accounts' own round trips (calls one after the other), summed: the serial lower bound */
  sumOfRoundTripsMs: number
}

export interface AccountsResult {
  latencyMs: number
  runs: AccountsRun[]
}

/** The owner's account with the superseded images shared with 15 of 20 consumer accounts. */
function seedOf(templatesPerAccount: number): { seed: Seed; newImages: string[] } {
  const owner = buildAccount(500, 1)
  const region = owner.seed.regions[REGION]
  const superseded = owner.superseded[REGION] ?? []
  const consumers = Array.from({ length: CONSUMER_ACCOUNTS }, (_, i) => accountId(i))
  const sharedWith = consumers.slice(0, SHARED_WITH)
  for (const image of region?.images ?? []) {
    if (image.imageId && superseded.includes(image.imageId)) {
      image.launchPermissions = sharedWith.map((userId) => ({ userId }))
    }
  }
  const other = (region?.images ?? []).filter((i) => i.imageId && !superseded.includes(i.imageId))
  const accounts: Record<string, AccountSeed> = {}
  consumers.forEach((id, a) => {
    const launchTemplates: LaunchTemplateInput[] = Array.from({ length: templatesPerAccount }, (_, t) => {
      // the accounts the images are not shared with hold templates of other images only
      const imageId =
        t < AFFECTED_PER_ACCOUNT && a < SHARED_WITH
          ? (superseded[(a + t) % SUPERSEDED] ?? '')
          : (other[(a * 131 + t * 17) % other.length]?.imageId ?? '')
      return { name: `c${a}-app-${String(t).padStart(4, '0')}`, versions: [{ imageId }, { imageId }] }
    })
    accounts[id] = {
      regions: {
        [REGION]: {
          launchTemplates,
          autoScalingGroups: Array.from({ length: AFFECTED_PER_ACCOUNT }, (_, g) => ({
            name: `c${a}-asg-${g}`,
            launchTemplate: { launchTemplateName: `c${a}-app-${String(g).padStart(4, '0')}`, version: '$Default' }
          }))
        }
      }
    }
  })
  return { seed: { ...owner.seed, accounts }, newImages: owner.newImages }
}

function minMax(values: number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s.length ? ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2 : NaN
}

/** The longest chain of one account's calls, each started after the previous one ended, in ms. */
function chainMs(calls: CallRecord[]): number {
  const sorted = [...calls].sort((a, b) => a.time + a.durationMs - (b.time + b.durationMs))
  const best = new Map<CallRecord, number>()
  let longest = 0
  for (const c of sorted) {
    let before = 0
    for (const [p, ms] of best) if (p.time + p.durationMs <= c.time) before = Math.max(before, ms)
    const mine = before + c.durationMs
    best.set(c, mine)
    longest = Math.max(longest, mine)
  }
  return longest
}

function analyze(calls: CallRecord[], ownerId: string): Omit<AccountsRun, 'templatesPerAccount' | 'ok' | 'wallMs'> {
  const byAccount = new Map<string, CallRecord[]>()
  for (const c of calls) {
    if (c.accountId === ownerId) continue
    byAccount.set(c.accountId, [...(byAccount.get(c.accountId) ?? []), c])
  }
  // STS calls are the owner's (it assumes the role): they start each account's search
  const assumes = calls.filter((c) => c.service === 'sts' && c.action === 'AssumeRole')
  const spans = [...byAccount].map(([id, list]) => {
    const role = assumes.find((c) => String(c.params['RoleArn']).includes(`::${id}:`))
    const all = role ? [role, ...list] : list
    const start = Math.min(...all.map((c) => c.time))
    const end = Math.max(...all.map((c) => c.time + c.durationMs))
    return { id, start, end, ms: end - start, chain: chainMs(all), all }
  })
  const phaseStart = Math.min(...spans.map((s) => s.start))
  const phaseEnd = Math.max(...spans.map((s) => s.end))
  // the most searches in progress at one moment (a sweep over their starts and ends)
  const edges = spans
    .flatMap((s) => [[s.start, 1] as const, [s.end, -1] as const])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1])
  let atOnce = 0
  let open = 0
  for (const [, step] of edges) atOnce = Math.max(atOnce, (open += step))
  return {
    ec2PerAccount: minMax(spans.map((s) => s.all.filter((c) => c.service === 'ec2').length)),
    callsPerAccount: minMax(spans.map((s) => s.all.length)),
    searched: spans.length,
    accountSpanMs: median(spans.map((s) => s.ms)),
    sumOfSpansMs: spans.reduce((n, s) => n + s.ms, 0),
    phaseWallMs: phaseEnd - phaseStart,
    accountsAtOnce: atOnce,
    sumOfRoundTripsMs: spans.reduce((n, s) => n + s.chain, 0)
  }
}

async function runOnce(entry: string, templatesPerAccount: number, latencyMs: number): Promise<AccountsRun> {
  const emu = await startAwsEmulator({ defaultRegion: REGION })
  const github = await startGitHubFake()
  try {
    const { seed, newImages } = seedOf(templatesPerAccount)
    emu.seed(seed)
    emu.faults.latencyMs = latencyMs
    github.faults.delayMs = latencyMs
    github.addPullRequest(7, { headSha: 'f00dbabe0000000000000000000000000000cafe' })
    const r = await runAction({
      inputs: { 'image-id': newImages.join(','), 'family-tag': FAMILY_TAG, 'consumer-role': ROLE },
      ec2Url: emu.url,
      githubUrl: github.url,
      region: REGION,
      event: { pull_request: { number: 7 } },
      timeoutMs: 240_000,
      entry
    })
    const a = analyze(emu.calls, emu.accountId)
    const templates = JSON.parse(r.outputs['affected-launch-templates'] ?? '[]') as Array<{
      accountId?: string
      launchTemplateId: string
    }>
    // templates, not versions (each has its default and its latest version on the image)
    const theirs = new Set(
      templates.filter((t) => t.accountId !== emu.accountId).map((t) => `${t.accountId}/${t.launchTemplateId}`)
    ).size
    let problem: string | undefined
    if (r.exitCode !== 0) problem = `exit code ${r.exitCode}: ${(r.stdout.match(/^::error::.*$/m) ?? [''])[0]}`
    else if (a.searched !== SHARED_WITH) problem = `${a.searched} accounts searched (expected ${SHARED_WITH})`
    else if (theirs !== SHARED_WITH * AFFECTED_PER_ACCOUNT)
      problem = `${theirs} consumer templates affected (expected ${SHARED_WITH * AFFECTED_PER_ACCOUNT})`
    return { templatesPerAccount, ok: !problem, ...(problem ? { problem } : {}), wallMs: r.durationMs, ...a }
  } finally {
    await github.close()
    await emu.close()
  }
}

/** The scenario at 500 and at 50 templates per account, `runs` times each (the median run reported). */
export async function benchAccounts(options: {
  latencyMs: number
  runs: number
  log?: (line: string) => void
}): Promise<AccountsResult> {
  const entry = process.env['ACTION_BUNDLE'] ?? buildBundle(REPO_ROOT)
  const runs: AccountsRun[] = []
  for (const templates of [500, 50]) {
    const these: AccountsRun[] = []
    for (let i = 0; i < Math.max(1, options.runs); i++) {
      const r = await runOnce(entry, templates, options.latencyMs)
      options.log?.(
        `other accounts, ${templates} templates each: run ${i + 1}: ${r.wallMs} ms, ${r.ec2PerAccount.max} EC2 calls per account, phase ${r.phaseWallMs} ms vs ${r.sumOfSpansMs} ms summed${r.ok ? '' : `, FAILED: ${r.problem}`}`
      )
      these.push(r)
    }
    const sorted = [...these].sort((a, b) => a.phaseWallMs - b.phaseWallMs)
    const rep = sorted[Math.floor((sorted.length - 1) / 2)]
    if (rep) runs.push({ ...rep, ok: these.every((r) => r.ok) })
  }
  return { latencyMs: options.latencyMs, runs }
}

/** The figures, as lines to print beside the others (console and BENCHMARKS.md alike). */
export function accountsLines(result: AccountsResult): string {
  const [big, small] = result.runs
  if (!big || !small) return 'Other accounts: not run'
  const flat = big.ec2PerAccount.max === small.ec2PerAccount.max && big.ec2PerAccount.min === small.ec2PerAccount.min
  const span = (r: AccountsRun) =>
    `${r.templatesPerAccount} templates per account: ${r.ec2PerAccount.max} EC2 calls per account (${r.callsPerAccount.max} with STS and Auto Scaling), ${r.searched} accounts searched, up to ${r.accountsAtOnce} at once; consumer phase ${r.phaseWallMs} ms vs ${r.sumOfRoundTripsMs} ms, the sum of the accounts' round trips (× ${(r.phaseWallMs / r.sumOfRoundTripsMs).toFixed(2)}; the accounts' searches as observed sum to ${r.sumOfSpansMs} ms, one takes ${r.accountSpanMs} ms); whole run ${r.wallMs} ms${r.ok ? '' : ` FAILED: ${r.problem ?? ''}`}`
  return [
    `Other accounts (${CONSUMER_ACCOUNTS} consumer accounts, the images shared with ${SHARED_WITH}; consumer-role, usage reports auto; latency ${result.latencyMs} ms):`,
    `- ${span(big)}`,
    `- ${span(small)}`,
    `- EC2 calls per account flat in the number of templates: ${flat ? 'yes' : 'NO'}; accounts searched concurrently: ${big.phaseWallMs < big.sumOfRoundTripsMs / 2 ? 'yes' : 'NO'}`
  ].join('\n')
}
