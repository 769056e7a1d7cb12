/**
 * Reads the CPU profiles (`--cpu-prof`) of the action's runs and says where its CPU goes: self time
 * per origin, the bundle's functions mapped back to their sources through dist/'s source maps (the
 * action's own code in src/, the AWS SDK and Smithy, Octokit, the toolkit), Node's internals, the
 * garbage collector. `npm run bench -- --cpu-prof` writes them and prints this table.
 *
 *   npx tsx bench/profile.ts DIR...     (a directory of .cpuprofile files)
 */
import { readdirSync, readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const maps = new Map<string, SourceMap | null>()
function mapOf(url: string): SourceMap | null {
  if (!maps.has(url)) {
    try {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url
      maps.set(url, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload))
    } catch {
      maps.set(url, null)
    }
  }
  return maps.get(url) ?? null
}

/** The origin of a profile node: a package, `src/…` (the action), `node:` internals, or V8's own. */
export function originOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame
  if (!url) {
    if (functionName === '(garbage collector)') return 'V8: garbage collector'
    if (functionName === '(idle)') return 'idle'
    if (functionName === '(program)') return 'V8: compiling, runtime (program)'
    return `V8: ${functionName || 'native'}`
  }
  if (url.startsWith('node:')) return 'Node internals (node:*)'
  if (/\/dist\/[^/]*index\.js$/.test(url)) {
    const source = mapOf(url)?.findEntry(frame.lineNumber, frame.columnNumber) as
      { originalSource?: string } | undefined
    const original = source?.originalSource ?? ''
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original)?.[1]
    if (pkg) {
      if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg === 'fast-xml-parser' || pkg === 'tslib')
        return `AWS SDK (${pkg.startsWith('@smithy') ? '@smithy/*' : pkg.startsWith('@aws-sdk') ? '@aws-sdk/*' : pkg})`
      if (pkg.startsWith('@octokit/') || pkg.startsWith('@actions/')) return `GitHub toolkit (${pkg.split('/')[0]}/*)`
      return `other package (${pkg})`
    }
    if (/(^|\/)src\//.test(original)) return "the action's own code (src/)"
    return 'bundle (unmapped)'
  }
  return `other (${url.replace(/^.*\//, '')})`
}

/** Self time per key (`undefined`: the sample is left out), ms, summed over the profiles. */
function selfTimeBy(profiles: Profile[], keyOf: (node: ProfileNode) => string | undefined): Map<string, number> {
  const out = new Map<string, number>()
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]))
    p.samples.forEach((id, i) => {
      const node = byId.get(id)
      const key = node && keyOf(node)
      if (key !== undefined) out.set(key, (out.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000)
    })
  }
  return out
}

/** Self time per origin, ms, summed over the profiles. */
export function selfTimeByOrigin(profiles: Profile[]): Map<string, number> {
  return selfTimeBy(profiles, (node) => originOf(node.callFrame))
}

/** Self time of the action's own functions (src/…: name), ms, summed over the profiles. */
export function ownFunctions(profiles: Profile[]): Map<string, number> {
  return selfTimeBy(profiles, ({ callFrame }) => {
    if (originOf(callFrame) !== "the action's own code (src/)") return undefined
    const entry = mapOf(callFrame.url)?.findEntry(callFrame.lineNumber, callFrame.columnNumber) as
      { originalSource?: string } | undefined
    return `${(entry?.originalSource ?? '').replace(/^.*?(src\/)/, '$1')}: ${callFrame.functionName || '(anonymous)'}`
  })
}

export function readProfiles(dir: string): Profile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const dir of process.argv.slice(2)) {
    const profiles = readProfiles(dir)
    const times = [...selfTimeByOrigin(profiles)].sort((a, b) => b[1] - a[1])
    const busy = times.filter(([o]) => o !== 'idle').reduce((a, [, ms]) => a + ms, 0)
    console.log(`${dir}: ${profiles.length} profile(s), ${busy.toFixed(0)} ms busy in all`)
    for (const [origin, ms] of times)
      console.log(`  ${(ms / profiles.length).toFixed(1).padStart(8)} ms/run  ${origin}`)
    const top = Number(process.env['PROFILE_TOP'] ?? 12)
    console.log(`  the action's own code, by function (top ${top}):`)
    for (const [fn, ms] of [...ownFunctions(profiles)].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${(ms / profiles.length).toFixed(1).padStart(8)} ms/run  ${fn}`)
  }
}
