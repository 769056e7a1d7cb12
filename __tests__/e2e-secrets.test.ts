/**
 * Issue 5, part 6: secrets. With step debug logging on (ACTIONS_STEP_DEBUG=true, RUNNER_DEBUG=1),
 * in success and in every kind of failure, the GitHub token and the AWS secret key and session
 * token are masked (`::add-mask::`) and never printed anywhere else: not in stdout, stderr, the
 * outputs, the job summary or the comment. The token does reach GitHub, in Authorization.
 */
import { family, image, day, REGION, startWorld, stateOf, type World } from './e2e/world.js'
import type { RunActionResult } from '../test-support/run-action.js'
import { commandLines } from './e2e/faults-world.js'

let world: World
const PR = 7

beforeEach(async () => {
  world = await startWorld()
  world.github.addPullRequest(PR, { headSha: 'f00dbabe0000000000000000000000000000cafe' })
})
afterEach(async () => {
  await world.close()
})

const TOKEN = 'ghs_Zq8sEcReTtOkEn4TeStS0nlyXyZ123456789'
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSeCrEtKeY42'
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjSeSsIoNtOkEn+/AbCdEf==/ZmFrZVNlc3Npb24='
const ACCESS_KEY = 'ASIAZZSECRETTEST0042'
const SECRETS = { TOKEN, SECRET_KEY, SESSION_TOKEN }

function runWithSecrets(
  inputs: Record<string, string>,
  extra: { event?: object; eventName?: string; env?: Record<string, string> } = {}
): Promise<RunActionResult> {
  return world.run(
    { 'github-token': TOKEN, ...inputs },
    {
      eventName: extra.eventName ?? 'pull_request',
      event: extra.event ?? { pull_request: { number: PR } },
      env: {
        ACTIONS_STEP_DEBUG: 'true',
        RUNNER_DEBUG: '1',
        AWS_ACCESS_KEY_ID: ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_SESSION_TOKEN: SESSION_TOKEN,
        ...(extra.env ?? {})
      }
    }
  )
}

/** The forms a secret could leak in: raw, URL-encoded, and a long fragment of it. */
function forms(secret: string): string[] {
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      secret.slice(4, 24),
      Buffer.from(secret).toString('base64').slice(0, 24)
    ])
  ]
}

function expectNoLeak(result: RunActionResult): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    for (const form of forms(secret)) {
      const stdoutLeaks = result.stdout.split('\n').filter((l) => l.includes(form) && l !== `::add-mask::${secret}`)
      expect({ name, form, stdoutLeaks }).toEqual({ name, form, stdoutLeaks: [] })
      expect({ name, form, inStderr: result.stderr.includes(form) }).toEqual({ name, form, inStderr: false })
      expect({ name, form, inSummary: result.summary.includes(form) }).toEqual({ name, form, inSummary: false })
      expect({ name, form, inOutputs: JSON.stringify(result.outputs).includes(form) }).toEqual({
        name,
        form,
        inOutputs: false
      })
      for (const c of world.github.comments(PR))
        expect({ name, form, inComment: c.body.includes(form) }).toEqual({ name, form, inComment: false })
    }
  }
  expect(result.stdout).not.toContain(ACCESS_KEY)
  expect(result.stderr).not.toContain(ACCESS_KEY)
}

function expectMasked(result: RunActionResult): void {
  const masks = commandLines(result.stdout, 'add-mask')
  for (const secret of Object.values(SECRETS)) expect(masks).toContain(`::add-mask::${secret}`)
}

describe('secrets, with step debug logging on', () => {
  test('success, with a comment: masked, never printed; the token is sent to GitHub in Authorization', async () => {
    const { aws, github } = world
    const { old, fresh } = family(aws, 2)

    const result = await runWithSecrets({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(old.map((o) => stateOf(aws, o.imageId))).toEqual(['disabled', 'disabled'])
    expect(github.comments(PR)).toHaveLength(1)
    expect(github.calls.length).toBeGreaterThan(0)
    for (const call of github.calls) expect(call.authorization).toBe(`token ${TOKEN}`)
    expectMasked(result)
    expectNoLeak(result)
  })

  test('failure from AWS (the new image does not exist)', async () => {
    family(world.aws, 1)

    const result = await runWithSecrets({ 'image-id': 'ami-0000000000000000f', 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expectMasked(result)
    expectNoLeak(result)
  })

  test('faults from AWS (throttling, dropped connections) and an image that keeps failing', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 2)
    aws.faults.throttle = { mode: 'burst', count: 1 }
    aws.faults.dropConnections = { times: 1 }
    aws.faults.failImages.set(old[0].imageId, { action: 'DisableImage', code: 'InternalError', status: 500 })

    const result = await runWithSecrets({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expectMasked(result)
    expectNoLeak(result)
  })

  test('a dry run refused by IAM (UnauthorizedOperation)', async () => {
    const { aws } = world
    const { fresh } = family(aws, 1)
    aws.faults.deny.add('ec2:DisableImage')

    const result = await runWithSecrets({ 'image-id': fresh.imageId, 'family-tag': 'role', 'dry-run': 'true' })

    expect(result.exitCode).toBe(1)
    expectMasked(result)
    expectNoLeak(result)
  })

  test('GitHub refuses the token (401) and then fails (500)', async () => {
    const { aws, github } = world
    const { fresh } = family(aws, 1)
    github.fail('GET /repos/**', 401, 1)
    github.fail('**', 500)

    const result = await runWithSecrets({ 'image-id': fresh.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toHaveLength(1)
    expectMasked(result)
    expectNoLeak(result)
  })

  test('rollback, with a comment', async () => {
    const { aws } = world
    const { old, fresh } = family(aws, 1)
    aws.image(REGION, old[0].imageId)!.launchPermissions.push({ userId: '210987654321' })
    const first = await runWithSecrets({ 'image-id': fresh.imageId, 'family-tag': 'role' })
    expect(first.exitCode).toBe(0)

    const result = await runWithSecrets({ command: 'rollback', 'image-id': fresh.imageId })

    expect(result.exitCode).toBe(0)
    expect(stateOf(aws, old[0].imageId)).toBe('available')
    expectMasked(result)
    expectNoLeak(result)
  })

  test('status that fails', async () => {
    const pending = image(world.aws, 'golden-web-1', day(1), { state: 'pending' })

    const result = await runWithSecrets({ command: 'status', 'image-id': pending.imageId })

    expect(result.exitCode).toBe(1)
    expectMasked(result)
    expectNoLeak(result)
  })

  test('bad input: the run fails before any AWS call, and the secrets are masked all the same', async () => {
    const result = await runWithSecrets({ 'image-id': 'ami-123', 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(world.aws.calls).toEqual([])
    expectNoLeak(result)
    expectMasked(result)
  })
})
