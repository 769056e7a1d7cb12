/**
 * npm run release -- X.Y.Z [--dry-run]: cut release vX.Y.Z of the action, in the repository of the
 * current directory. Checks first, changes nothing when a check fails:
 *   - X.Y.Z is a version (major.minor.patch), and vX.Y.Z is not a tag yet;
 *   - the work tree is clean (nothing modified, staged or untracked);
 *   - CHANGELOG.md has a section for it (`## [X.Y.Z] - YYYY-MM-DD`, Keep a Changelog);
 *   - dist/ is what the sources build (scripts/check-dist.sh).
 * Then sets package.json's version (and package-lock.json's), commits that when it changed
 * ("Release vX.Y.Z"), tags the commit vX.Y.Z and moves the major tag vX to it (the Marketplace
 * convention: users write `@vX`). It never pushes: it prints the push commands.
 *   --dry-run   the same checks, then what it would do; changes nothing
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface ReleaseOptions {
  version: string
  dryRun?: boolean
  /** a directory of the repository (default: the current directory) */
  cwd?: string
  log?: (line: string) => void
}

export interface ReleaseResult {
  tag: string
  majorTag: string
  /** whether a release commit was (or, in a dry run, would be) made */
  committed: boolean
  /** the commands that publish the release, for a person to run */
  push: string[]
}

/** A check that failed: nothing was changed. */
export class ReleaseError extends Error {
  override name = 'ReleaseError'
}

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd()
}

function tagExists(cwd: string, tag: string): boolean {
  try {
    git(cwd, ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}`])
    return true
  } catch {
    return false
  }
}

/** The text of CHANGELOG.md's section `## [version]`, or undefined when there is none. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n')
  const escaped = version.replace(/\./g, '\\.')
  const start = lines.findIndex((line) => new RegExp(`^## \\[${escaped}\\](?:\\s|$)`).test(line))
  if (start < 0) return undefined
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line))
  return lines.slice(start, end < 0 ? undefined : end).join('\n')
}

/** Sets the top-level version of a JSON file (and of a lockfile's root package), keeping its layout. */
function setVersion(path: string, version: string): boolean {
  const text = readFileSync(path, 'utf8')
  const json = JSON.parse(text) as { version?: string; packages?: Record<string, { version?: string }> }
  const root = json.packages?.['']
  if (json.version === version && (!root || root.version === version)) return false
  json.version = version
  if (root) root.version = version
  const indent = /^\{\n(\s+)"/.exec(text)?.[1] ?? '  '
  writeFileSync(path, JSON.stringify(json, null, indent) + (text.endsWith('\n') ? '\n' : ''))
  return true
}

export function release(options: ReleaseOptions): ReleaseResult {
  const log = options.log ?? ((line: string) => console.log(line))
  const { version } = options
  const dryRun = options.dryRun ?? false
  const match = VERSION.exec(version)
  if (!match) throw new ReleaseError(`'${version}' is not a version: give major.minor.patch, e.g. 1.2.0`)
  const tag = `v${version}`
  const majorTag = `v${match[1]}`

  let root: string
  try {
    root = git(resolve(options.cwd ?? process.cwd()), ['rev-parse', '--show-toplevel'])
  } catch {
    throw new ReleaseError('not in a git repository')
  }
  if (tagExists(root, tag)) throw new ReleaseError(`tag ${tag} exists already: a release is never moved`)

  const dirty = git(root, ['status', '--porcelain', '--untracked-files=all'])
  if (dirty) {
    throw new ReleaseError(
      `the work tree is not clean: commit or stash first\n${dirty
        .split('\n')
        .slice(0, 10)
        .map((l) => `  ${l}`)
        .join('\n')}`
    )
  }

  const changelogPath = join(root, 'CHANGELOG.md')
  const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : ''
  const section = changelogSection(changelog, version)
  if (section === undefined)
    throw new ReleaseError(`CHANGELOG.md has no section for ${version}: add '## [${version}] - YYYY-MM-DD' first`)
  if (section.split('\n').slice(1).join('\n').trim() === '')
    throw new ReleaseError(`CHANGELOG.md's section for ${version} is empty: say what changed`)

  log('checking that dist/ is what the sources build (scripts/check-dist.sh)…')
  try {
    execFileSync('bash', [join(root, 'scripts', 'check-dist.sh')], { cwd: root, encoding: 'utf8', stdio: 'pipe' })
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string }
    const said = (e.stderr || e.stdout || '').trim()
    throw new ReleaseError(`dist/ is not fresh: run 'npm run build' and commit dist/${said ? `\n${said}` : ''}`)
  }

  const manifests = ['package.json', 'package-lock.json'].filter((name) => existsSync(join(root, name)))
  const current = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version
  const lockVersion = existsSync(join(root, 'package-lock.json'))
    ? (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { version?: string }).version
    : version
  const committed = current !== version || lockVersion !== version
  const head = git(root, ['rev-parse', '--short', 'HEAD'])
  const branch = git(root, ['rev-parse', '--abbrev-ref', 'HEAD'])
  const majorWas = tagExists(root, majorTag) ? git(root, ['rev-parse', '--short', `${majorTag}^{commit}`]) : undefined
  const push = [
    ...(committed ? [`git push origin ${branch === 'HEAD' ? 'HEAD' : branch}`] : []),
    `git push origin ${tag}`,
    `git push --force origin ${majorTag}`
  ]

  if (dryRun) {
    log(`dry run: every check passed; nothing is changed.`)
    log(
      committed
        ? `would set the version ${current ?? '(none)'} -> ${version} in ${manifests.join(' and ')} and commit "Release ${tag}"`
        : `package.json is at ${version} already: would tag ${head} without a new commit`
    )
    log(
      `would tag ${tag} (annotated) and ${majorWas ? `move ${majorTag} from ${majorWas} to it` : `create ${majorTag}`}`
    )
    log('then, to publish:')
    for (const command of push) log(`  ${command}`)
    return { tag, majorTag, committed, push }
  }

  if (committed) {
    for (const name of manifests) setVersion(join(root, name), version)
    git(root, ['add', '--', ...manifests])
    git(root, ['commit', '--quiet', '-m', `Release ${tag}`])
    log(`version ${current ?? '(none)'} -> ${version}: committed "Release ${tag}"`)
  }
  git(root, ['tag', '--annotate', '--message', `${tag}`, tag])
  git(root, ['tag', '--force', '--annotate', '--message', `${tag} (latest ${majorTag}.x)`, majorTag, `${tag}^{commit}`])
  log(`tagged ${tag}; ${majorWas ? `moved ${majorTag} from ${majorWas}` : `created ${majorTag}`}`)
  log('nothing was pushed. To publish:')
  for (const command of push) log(`  ${command}`)
  log(`then draft the GitHub release of ${tag} from its CHANGELOG.md section (and publish it to the Marketplace).`)
  return { tag, majorTag, committed, push }
}

const USAGE = `usage: npm run release -- X.Y.Z [--dry-run]
  X.Y.Z       the version: CHANGELOG.md needs a '## [X.Y.Z] - YYYY-MM-DD' section
  --dry-run   check, and show what would be done, changing nothing`

function main(argv: string[]): number {
  const args = argv.filter((a) => a !== '--dry-run')
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE)
    return 0
  }
  const unknown = args.filter((a) => a.startsWith('-'))
  if (unknown.length > 0 || args.length !== 1 || args[0] === undefined) {
    console.error(
      `release: ${unknown.length > 0 ? `unknown option ${unknown.join(' ')}` : 'give one version'}\n${USAGE}`
    )
    return 2
  }
  try {
    release({ version: args[0], dryRun: argv.includes('--dry-run') })
    return 0
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error
    console.error(`release: ${error.message}\nNothing was changed.`)
    return 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  process.exitCode = main(process.argv.slice(2))
