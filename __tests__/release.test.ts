/**
 * The release script (scripts/release.ts) in a temporary git repository: its checks refuse a dirty
 * tree, a version without a CHANGELOG section, a stale dist/ and a tag that exists, changing
 * nothing; a release commits the version, tags vX.Y.Z and moves vX; --dry-run changes nothing.
 * The repository's scripts/check-dist.sh is a stub here (the real one builds the bundle).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { changelogSection, release, ReleaseError } from '../scripts/release.js'

let repo: string
const git = (...args: string[]): string =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
const write = (name: string, text: string): void => writeFileSync(join(repo, name), text)
const read = (name: string): string => readFileSync(join(repo, name), 'utf8')
const version = (name: string): unknown => (JSON.parse(read(name)) as { version?: unknown }).version
const commitAll = (message: string): void => {
  git('add', '--all')
  git('commit', '--quiet', '-m', message)
}
const tags = (): string[] => git('tag', '--list').split('\n').filter(Boolean).sort()
const commitOf = (ref: string): string => git('rev-parse', `${ref}^{commit}`)
const quiet = { log: () => {} }

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.0.0] - 2026-12-01

### Added

- The first release.
`

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'release-test-'))
  git('init', '--quiet', '--initial-branch=main')
  for (const [key, value] of [
    ['user.name', 'Release Test'],
    ['user.email', 'release-test@example.invalid'],
    ['commit.gpgsign', 'false'],
    ['tag.gpgsign', 'false']
  ] as const)
    git('config', key, value)
  write('package.json', JSON.stringify({ name: 'demo-action', version: '0.1.0', private: true }, null, 2) + '\n')
  write(
    'package-lock.json',
    JSON.stringify(
      {
        name: 'demo-action',
        version: '0.1.0',
        lockfileVersion: 3,
        packages: { '': { name: 'demo-action', version: '0.1.0' } }
      },
      null,
      2
    ) + '\n'
  )
  write('CHANGELOG.md', CHANGELOG)
  mkdirSync(join(repo, 'scripts'))
  write('scripts/check-dist.sh', 'echo "dist/ matches the sources."\n')
  commitAll('initial')
})

afterEach(() => rmSync(repo, { recursive: true, force: true }))

/** What a refused release must leave as it was. */
function snapshot(): { head: string; tags: string[]; status: string; pkg: string; lock: string } {
  return {
    head: commitOf('HEAD'),
    tags: tags(),
    status: git('status', '--porcelain'),
    pkg: read('package.json'),
    lock: read('package-lock.json')
  }
}

test('a release commits the version, tags vX.Y.Z and creates vX; a later one moves vX only', () => {
  const first = release({ version: '1.0.0', cwd: repo, ...quiet })
  expect(first).toMatchObject({ tag: 'v1.0.0', majorTag: 'v1', committed: true })
  expect(first.push).toEqual(['git push origin main', 'git push origin v1.0.0', 'git push --force origin v1'])
  expect(git('log', '-1', '--format=%s')).toBe('Release v1.0.0')
  expect(version('package.json')).toBe('1.0.0')
  expect(version('package-lock.json')).toBe('1.0.0')
  expect(
    (JSON.parse(read('package-lock.json')) as { packages: Record<string, { version: string }> }).packages['']?.version
  ).toBe('1.0.0')
  expect(git('status', '--porcelain')).toBe('')
  expect(tags()).toEqual(['v1', 'v1.0.0'])
  expect(commitOf('v1.0.0')).toBe(commitOf('HEAD'))
  expect(commitOf('v1')).toBe(commitOf('HEAD'))
  expect(git('cat-file', '-t', 'v1.0.0')).toBe('tag') // annotated

  const v100 = commitOf('HEAD')
  write(
    'CHANGELOG.md',
    CHANGELOG.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [1.1.0] - 2026-12-08\n\n### Fixed\n\n- Something.\n')
  )
  commitAll('Changelog for 1.1.0')
  release({ version: '1.1.0', cwd: repo, ...quiet })
  expect(tags()).toEqual(['v1', 'v1.0.0', 'v1.1.0'])
  expect(commitOf('v1.1.0')).toBe(commitOf('HEAD'))
  expect(commitOf('v1')).toBe(commitOf('HEAD'))
  expect(commitOf('v1.0.0')).toBe(v100)
})

test('a package.json at the version already: the commit is tagged, no empty commit', () => {
  write(
    'CHANGELOG.md',
    CHANGELOG.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [0.1.0] - 2026-11-25\n\n- First.\n')
  )
  commitAll('Changelog for 0.1.0')
  const head = commitOf('HEAD')
  const result = release({ version: '0.1.0', cwd: repo, ...quiet })
  expect(result.committed).toBe(false)
  expect(result.push).toEqual(['git push origin v0.1.0', 'git push --force origin v0'])
  expect(commitOf('HEAD')).toBe(head)
  expect(commitOf('v0.1.0')).toBe(head)
  expect(commitOf('v0')).toBe(head)
})

test('--dry-run passes the checks, says what it would do, and changes nothing', () => {
  const lines: string[] = []
  const before = snapshot()
  const result = release({ version: '1.0.0', cwd: repo, dryRun: true, log: (l) => lines.push(l) })
  expect(result).toMatchObject({ tag: 'v1.0.0', majorTag: 'v1', committed: true })
  expect(snapshot()).toEqual(before)
  const said = lines.join('\n')
  expect(said).toContain('nothing is changed')
  expect(said).toContain('would set the version 0.1.0 -> 1.0.0')
  expect(said).toContain('would tag v1.0.0 (annotated) and create v1')
  expect(said).toContain('git push --force origin v1')
})

test.each([
  ['a modified file', () => write('package.json', read('package.json').replace('demo-action', 'other'))],
  ['a staged file', () => (write('new.txt', 'x'), git('add', 'new.txt'))],
  ['an untracked file', () => write('untracked.txt', 'x')]
])('a dirty tree (%s) is refused, nothing changed', (_what, dirty) => {
  dirty()
  const before = snapshot()
  for (const dryRun of [false, true]) {
    expect(() => release({ version: '1.0.0', cwd: repo, dryRun, ...quiet })).toThrow(/work tree is not clean/)
  }
  expect(snapshot()).toEqual(before)
})

test('a version without a CHANGELOG section is refused, and so is an empty section', () => {
  const before = snapshot()
  expect(() => release({ version: '1.2.0', cwd: repo, ...quiet })).toThrow(
    "CHANGELOG.md has no section for 1.2.0: add '## [1.2.0] - YYYY-MM-DD' first"
  )
  expect(snapshot()).toEqual(before)

  write('CHANGELOG.md', CHANGELOG.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [1.3.0] - 2026-12-09\n'))
  commitAll('empty section')
  expect(() => release({ version: '1.3.0', cwd: repo, ...quiet })).toThrow(/section for 1\.3\.0 is empty/)
  expect(tags()).toEqual([])
})

test('a stale dist/ (check-dist.sh fails) is refused with what it said', () => {
  write('scripts/check-dist.sh', 'echo "dist/ is stale: run npm run build" >&2\nexit 1\n')
  commitAll('stale dist')
  const before = snapshot()
  expect(() => release({ version: '1.0.0', cwd: repo, ...quiet })).toThrow(/dist\/ is not fresh[\s\S]*dist\/ is stale/)
  expect(snapshot()).toEqual(before)
})

test('a tag that exists, and a version that is not X.Y.Z, are refused', () => {
  git('tag', 'v1.0.0')
  expect(() => release({ version: '1.0.0', cwd: repo, ...quiet })).toThrow('tag v1.0.0 exists already')
  for (const bad of ['v1.0.0', '1.0', '1.0.0-rc.1', '01.0.0', ''])
    expect(() => release({ version: bad, cwd: repo, ...quiet })).toThrow(ReleaseError)
  expect(tags()).toEqual(['v1.0.0'])
  expect(version('package.json')).toBe('0.1.0')
})

test('changelogSection finds a version exactly, up to the next section', () => {
  expect(changelogSection(CHANGELOG, '1.0.0')).toBe('## [1.0.0] - 2026-12-01\n\n### Added\n\n- The first release.\n')
  expect(changelogSection(CHANGELOG, '1.0')).toBeUndefined()
  expect(changelogSection('## [1.0.01] - x\n', '1.0.0')).toBeUndefined()
  expect(changelogSection('## [Unreleased]\n', '1.0.0')).toBeUndefined()
})
