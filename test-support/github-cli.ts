/**
 * Start the GitHub API fake by hand (or in the background of a workflow, as the self-test does):
 *   npx tsx test-support/github-cli.ts [--port N] [--repository owner/repo] [--pull-request N] [--head-sha SHA] [--token T]
 * then point the action at it with GITHUB_API_URL=<url>. The URL goes to stdout (one line, first),
 * the calls it answers to stderr. Its comments can be read back as GitHub serves them:
 *   curl <url>/repos/<owner>/<repo>/issues/<N>/comments
 */
import { logCallsUntilStopped, readFlags } from './cli-flags.js'
import { startGitHubFake } from './github.js'

const USAGE = `usage: npx tsx test-support/github-cli.ts [--port N] [--repository owner/repo] [--pull-request N] [--head-sha SHA] [--token T] [--help]
  --port N            port on 127.0.0.1 (default: a free one)
  --repository R      the owner/repo served (default: GITHUB_REPOSITORY, else acme/golden-images); others answer 404
  --pull-request N    an open pull request to serve (its comments start empty)
  --head-sha SHA      the pull request's head commit (default: GITHUB_SHA, else 0000000), so that a push of it finds the pull request
  --token T           answer 401 Bad credentials to any other token (default: every token is accepted)`

/** The flags; a mistyped one is an error with the usage line (exit code 2), not ignored. */
const { values: flags, usageError } = readFlags('github-fake', USAGE, {
  port: { type: 'string' },
  repository: { type: 'string' },
  'pull-request': { type: 'string' },
  'head-sha': { type: 'string' },
  token: { type: 'string' }
})

function whole(name: 'port' | 'pull-request'): number | undefined {
  const raw = flags[name]
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw)) usageError(`--${name} needs a whole number, not '${raw}'`)
  return Number(raw)
}

const repository = flags.repository ?? process.env.GITHUB_REPOSITORY ?? 'acme/golden-images'
if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) usageError(`--repository needs owner/repo, not '${repository}'`)
const pullRequest = whole('pull-request')
if (pullRequest === 0) usageError('--pull-request needs a number of 1 or more')
const headSha = flags['head-sha'] ?? process.env.GITHUB_SHA ?? '0000000'
if (!/^[0-9a-f]{7,40}$/i.test(headSha)) usageError(`--head-sha needs a commit id (hex), not '${headSha}'`)

const fake = await startGitHubFake({
  repository,
  ...(flags.port !== undefined ? { port: whole('port') ?? 0 } : {}),
  ...(flags.token !== undefined ? { token: flags.token } : {})
})
if (pullRequest !== undefined) fake.addPullRequest(pullRequest, { headSha })

console.log(fake.url)
console.error(`GitHub API fake for ${repository} on ${fake.url}`)
if (pullRequest !== undefined) console.error(`  pull request #${pullRequest} (head ${headSha.slice(0, 7)}), open`)
console.error(`  export GITHUB_API_URL=${fake.url}`)
console.error('  Ctrl-C to stop')

logCallsUntilStopped(
  fake.calls,
  (c) => `  #${c.seq} ${c.method} ${c.path} -> ${c.status}`,
  () => fake.close()
)
