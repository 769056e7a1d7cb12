// Builds dist/ (or the directory given) from src/index.ts with ncc, as `ncc build src/index.ts
// --source-map --license licenses.txt` would, with one difference the CLI cannot express:
// packages resolve through their `module` entry (ES modules) before `main`. The AWS SDK ships both;
// its CommonJS entry is one file per client, so the bundle would hold, and compile at every start,
// all of EC2's ~750 commands with their aggregated client, while from its ES modules the bundler
// keeps the few commands the action uses (the SDK declares `sideEffects: false`) and splits the
// rarely used parts (credential providers other than the environment's) into chunks loaded on
// demand. BENCHMARKS.md has the effect on start-up.
//
// Then one pass of terser drops what nothing uses (`compress: unused`, nothing else: no mangling,
// the code keeps its names and layout, and its source map). ncc marks the unused exports but leaves
// their code: above all the EC2 client's schemas, the shapes of all its ~750 commands (1.2 MB), which
// Node parsed at every start (≈80 ms of CPU of a run, BENCHMARKS.md).
//
//   tsx scripts/build.ts [outDir]
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { minify } from 'terser'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const out = resolve(process.argv[2] ?? join(root, 'dist'))
const ncc = createRequire(import.meta.url)('@vercel/ncc') as (
  entry: string,
  options: Record<string, unknown>
) => Promise<{ code: string; map?: string; assets: Record<string, { source: string | Buffer }> }>

const bundled = await ncc(join(root, 'src', 'index.ts'), {
  sourceMap: true,
  license: 'licenses.txt',
  mainFields: ['module', 'main'],
  quiet: true
})
const { assets } = bundled
const pruned = await minify(bundled.code, {
  module: true,
  compress: { defaults: false, unused: true, toplevel: true },
  mangle: false,
  format: { beautify: true, comments: 'some' },
  sourceMap: bundled.map ? { content: bundled.map, url: 'index.js.map' } : false
})
if (pruned.code === undefined) throw new Error('terser gave no code')
const code = pruned.code
const map = typeof pruned.map === 'string' ? pruned.map : undefined

mkdirSync(out, { recursive: true })
for (const name of readdirSync(out)) rmSync(join(out, name), { recursive: true, force: true })
const write = (name: string, content: string | Buffer): void => {
  mkdirSync(dirname(join(out, name)), { recursive: true })
  writeFileSync(join(out, name), content)
}
// ncc's assets hold its own index.js.map, of the code before terser: it would map the pruned code wrongly
for (const [name, asset] of Object.entries(assets)) if (name !== 'index.js.map') write(name, asset.source)
write('index.js', code)
if (map) write('index.js.map', map)
console.log(`built ${out}: index.js and ${Object.keys(assets).length} more file(s)`)
