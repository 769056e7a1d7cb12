/**
 * Issue 5, part 1: bad input. Each bad input fails the bundled action (run as a runner runs it)
 * with ONE error that names the input and says what was expected, before the first AWS call: the
 * local endpoint's call log stays empty. Then the cases only known after the first reads (the new
 * image missing, foreign, failed, pending too long, untagged; too many to disable): they fail
 * with no mutating call carried out.
 */
import { at } from '../test-support/at.js'
import { changesMade, day, family, image, OTHER_ACCOUNT, REGION, startWorld, stateOf, type World } from './e2e/world.js'
import { build, commandLines, successfulMutations, writeManifest } from './e2e/faults-world.js'

let world: World
let fresh: string
let old: string[]

beforeEach(async () => {
  world = await startWorld()
  // A real family, so that a removed guard would have something to disable.
  const f = family(world.aws, 3)
  fresh = f.fresh.imageId
  old = f.old.map((o) => o.imageId)
})
afterEach(async () => {
  await world.close()
})

interface BadInput {
  title: string
  /** inputs on top of a valid `disable` run (image-id = the new image, family-tag = role) */
  inputs: (ids: { fresh: string; old: string[] }) => Record<string, string>
  env?: Record<string, string>
  /** the input the message must name */
  input: string
  /** what was expected, in the message */
  says: RegExp
}

const VALID = (fresh: string): Record<string, string> => ({ 'image-id': fresh, 'family-tag': 'role' })
const MISSING_FILE = '/nonexistent/dir/packer-manifest.json'

const CASES: BadInput[] = [
  // image-id: malformed ids, empty items, regions
  {
    title: 'ami-123 (too short)',
    inputs: () => ({ 'image-id': 'ami-123' }),
    input: 'image-id',
    says: /'ami-123' is not an AMI id.*8 or 17 hex digits/
  },
  {
    title: 'ami-XYZXYZXY (not hex)',
    inputs: () => ({ 'image-id': 'ami-XYZXYZXY' }),
    input: 'image-id',
    says: /'ami-XYZXYZXY' is not an AMI id/
  },
  {
    title: 'upper-case hex',
    inputs: () => ({ 'image-id': 'ami-0123456789ABCDEF0' }),
    input: 'image-id',
    says: /is not an AMI id/
  },
  {
    title: '16 hex digits',
    inputs: () => ({ 'image-id': 'ami-0123456789abcdef' }),
    input: 'image-id',
    says: /is not an AMI id/
  },
  {
    title: 'an instance id',
    inputs: () => ({ 'image-id': 'i-0123456789abcdef0' }),
    input: 'image-id',
    says: /is not an AMI id/
  },
  {
    title: 'a valid id followed by a malformed one',
    inputs: ({ fresh }) => ({ 'image-id': `${fresh}\nami-123` }),
    input: 'image-id',
    says: /'ami-123' is not an AMI id/
  },
  {
    title: 'ids separated by spaces',
    inputs: ({ fresh, old }) => ({ 'image-id': `${fresh} ${old[0]}` }),
    input: 'image-id',
    says: /is not an AMI id/
  },
  {
    title: 'an empty item between commas',
    inputs: ({ fresh, old }) => ({ 'image-id': `${fresh},,${old[0]}` }),
    input: 'image-id',
    says: /item 2 is empty/
  },
  {
    title: 'a trailing comma',
    inputs: ({ fresh }) => ({ 'image-id': `${fresh},` }),
    input: 'image-id',
    says: /item 2 is empty/
  },
  {
    title: 'a leading comma',
    inputs: ({ fresh }) => ({ 'image-id': `,${fresh}` }),
    input: 'image-id',
    says: /item 1 is empty/
  },
  {
    title: 'region:ami with an unknown region',
    inputs: ({ fresh }) => ({ 'image-id': `moon-west-1:${fresh}` }),
    input: 'image-id',
    says: /'moon-west-1' is not an AWS region name/
  },
  {
    title: 'region:ami with an availability zone',
    inputs: ({ fresh }) => ({ 'image-id': `us-east-1a:${fresh}` }),
    input: 'image-id',
    says: /'us-east-1a' is not an AWS region name/
  },
  {
    title: 'region: with no id',
    inputs: () => ({ 'image-id': 'us-east-1:' }),
    input: 'image-id',
    says: /is not an AMI id/
  },
  {
    title: 'region:ami-123',
    inputs: () => ({ 'image-id': 'eu-west-1:ami-123' }),
    input: 'image-id',
    says: /'ami-123' is not an AMI id/
  },
  {
    title: 'a bare id and no region anywhere',
    inputs: () => ({}),
    env: { AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    input: 'image-id',
    says: /has no region.*region:ami-/
  },
  // region
  {
    title: 'region: an unknown name',
    inputs: () => ({ region: 'mars-east-1' }),
    input: 'region',
    says: /'mars-east-1' is not an AWS region name.*us-east-1/
  },
  {
    title: 'region: upper case',
    inputs: () => ({ region: 'US-EAST-1' }),
    input: 'region',
    says: /is not an AWS region name/
  },
  {
    title: 'region: an availability zone',
    inputs: () => ({ region: 'eu-west-1b' }),
    input: 'region',
    says: /is not an AWS region name/
  },
  {
    title: 'AWS_REGION: an unknown name',
    inputs: () => ({}),
    env: { AWS_REGION: 'nowhere' },
    input: 'region (from AWS_REGION)',
    says: /'nowhere' is not an AWS region name/
  },
  // no image at all / Packer manifests
  {
    title: 'image-id empty and no packer-manifest',
    inputs: () => ({ 'image-id': '' }),
    input: 'image-id',
    says: /no image given.*packer-manifest/
  },
  {
    title: 'image-id only blanks and no packer-manifest',
    inputs: () => ({ 'image-id': '  \n  ' }),
    input: 'image-id',
    says: /no image given/
  },
  {
    title: 'packer-manifest: the file is missing',
    inputs: () => ({ 'image-id': '', 'packer-manifest': MISSING_FILE }),
    input: 'packer-manifest',
    says: /cannot read .*no such file/
  },
  {
    title: 'packer-manifest: a directory',
    inputs: () => ({ 'image-id': '', 'packer-manifest': '/tmp' }),
    input: 'packer-manifest',
    says: /cannot read '\/tmp'/
  },
  {
    title: 'packer-manifest: not JSON',
    inputs: () => ({ 'image-id': '', 'packer-manifest': writeManifest('{"builds": [') }),
    input: 'packer-manifest',
    says: /not JSON/
  },
  {
    title: 'packer-manifest: JSON but not a manifest',
    inputs: () => ({ 'image-id': '', 'packer-manifest': writeManifest({ artifacts: [] }) }),
    input: 'packer-manifest',
    says: /not a Packer manifest.*builds/
  },
  {
    title: 'packer-manifest: no AMI build (docker only)',
    inputs: () => ({
      'image-id': '',
      'packer-manifest': writeManifest({ builds: [build('sha256:abc', 'run-1', 'docker')], last_run_uuid: 'run-1' })
    }),
    input: 'packer-manifest',
    says: /has no AMI build/
  },
  {
    title: 'packer-manifest: an AMI only in an earlier run, none in the last',
    inputs: ({ fresh }) => ({
      'image-id': '',
      'packer-manifest': writeManifest({
        builds: [build(`us-east-1:${fresh}`, 'run-1'), build('sha256:abc', 'run-2', 'docker')],
        last_run_uuid: 'run-2'
      })
    }),
    input: 'packer-manifest',
    says: /last run \(run-2\) has no AMI build/
  },
  {
    title: 'packer-manifest: empty builds',
    inputs: () => ({ 'image-id': '', 'packer-manifest': writeManifest({ builds: [] }) }),
    input: 'packer-manifest',
    says: /has no AMI build/
  },
  {
    title: 'packer-manifest: a malformed AMI id',
    inputs: () => ({
      'image-id': '',
      'packer-manifest': writeManifest({ builds: [build('us-east-1:ami-123')], last_run_uuid: 'run-1' })
    }),
    input: 'packer-manifest',
    says: /'ami-123' is not an AMI id/
  },
  {
    title: 'packer-manifest: an unknown region',
    inputs: ({ fresh }) => ({
      'image-id': '',
      'packer-manifest': writeManifest({ builds: [build(`moon-1:${fresh}`)], last_run_uuid: 'run-1' })
    }),
    input: 'packer-manifest',
    says: /'moon-1' is not an AWS region name/
  },
  // whole numbers
  {
    title: 'keep: a word',
    inputs: () => ({ keep: 'x' }),
    input: 'keep',
    says: /'x' is not a whole number of 0 or more/
  },
  {
    title: 'keep: negative',
    inputs: () => ({ keep: '-1' }),
    input: 'keep',
    says: /'-1' is not a whole number of 0 or more/
  },
  { title: 'keep: a fraction', inputs: () => ({ keep: '1.5' }), input: 'keep', says: /'1.5' is not a whole number/ },
  {
    title: 'keep: exponent notation',
    inputs: () => ({ keep: '1e2' }),
    input: 'keep',
    says: /'1e2' is not a whole number/
  },
  { title: 'keep: two numbers', inputs: () => ({ keep: '3 4' }), input: 'keep', says: /is not a whole number/ },
  {
    title: 'keep: absurdly large',
    inputs: () => ({ keep: '99999999999999999999' }),
    input: 'keep',
    says: /more than the largest allowed/
  },
  {
    title: 'max-images: a word',
    inputs: () => ({ 'max-images': 'ten' }),
    input: 'max-images',
    says: /'ten' is not a whole number of 0 or more/
  },
  {
    title: 'max-images: negative',
    inputs: () => ({ 'max-images': '-5' }),
    input: 'max-images',
    says: /'-5' is not a whole number/
  },
  {
    title: 'max-images: a fraction',
    inputs: () => ({ 'max-images': '2.0' }),
    input: 'max-images',
    says: /'2.0' is not a whole number/
  },
  {
    title: 'wait-timeout: negative',
    inputs: () => ({ 'wait-timeout': '-5' }),
    input: 'wait-timeout',
    says: /'-5' is not a whole number of 0 or more/
  },
  {
    title: 'wait-timeout: with a unit',
    inputs: () => ({ 'wait-timeout': '10m' }),
    input: 'wait-timeout',
    says: /'10m' is not a whole number/
  },
  {
    title: 'wait-timeout: a fraction',
    inputs: () => ({ 'wait-timeout': '0.5' }),
    input: 'wait-timeout',
    says: /'0.5' is not a whole number/
  },
  {
    title: 'wait-timeout: more than 6 hours',
    inputs: () => ({ 'wait-timeout': '999999' }),
    input: 'wait-timeout',
    says: /more than the largest allowed/
  },
  // enumerations
  {
    title: 'command: unknown',
    inputs: () => ({ command: 'deregister' }),
    input: 'command',
    says: /'deregister' is not one of disable, enable, rollback, status/
  },
  {
    title: 'command: delete',
    inputs: () => ({ command: 'delete' }),
    input: 'command',
    says: /is not one of disable, enable, rollback, status/
  },
  {
    title: 'in-use: unknown',
    inputs: () => ({ 'in-use': 'ignore' }),
    input: 'in-use',
    says: /'ignore' is not one of report, skip, fail/
  },
  {
    title: 'require-state: unknown',
    inputs: () => ({ 'require-state': 'running' }),
    input: 'require-state',
    says: /'running' is not one of pending, available/
  },
  {
    title: 'dry-run: not a boolean',
    inputs: () => ({ 'dry-run': 'maybe' }),
    input: 'dry-run',
    says: /'maybe' is not true or false/
  },
  {
    title: 'comment: not a boolean',
    inputs: () => ({ comment: 'sometimes' }),
    input: 'comment',
    says: /'sometimes' is not true or false/
  },
  // the family
  {
    title: 'disable with neither family-tag nor name-pattern',
    inputs: () => ({ 'family-tag': '' }),
    input: 'family-tag',
    says: /needs family-tag or name-pattern/
  },
  {
    title: 'name-pattern: *',
    inputs: () => ({ 'family-tag': '', 'name-pattern': '*' }),
    input: 'name-pattern',
    says: /only wildcards/
  },
  {
    title: 'name-pattern: **',
    inputs: () => ({ 'name-pattern': '**' }),
    input: 'name-pattern',
    says: /only wildcards/
  },
  {
    title: 'name-pattern: ?*?',
    inputs: () => ({ 'family-tag': '', 'name-pattern': '?*?' }),
    input: 'name-pattern',
    says: /only wildcards/
  },
  {
    title: 'name-pattern: characters an AMI name cannot hold',
    inputs: () => ({ 'name-pattern': 'golden<web>*' }),
    input: 'name-pattern',
    says: /characters an AMI name cannot hold/
  },
  {
    title: 'name-pattern: longer than an AMI name',
    inputs: () => ({ 'name-pattern': `${'a'.repeat(129)}*` }),
    input: 'name-pattern',
    says: /longer than an AMI name/
  },
  {
    title: 'family-tag: longer than a tag key',
    inputs: () => ({ 'family-tag': 'k'.repeat(129) }),
    input: 'family-tag',
    says: /longer than 128 characters/
  },
  {
    title: 'exclude-tags: an empty key',
    inputs: () => ({ 'exclude-tags': '=prod' }),
    input: 'exclude-tags',
    says: /a tag key is empty/
  },
  {
    title: 'exclude-tags: an unclosed quote',
    inputs: () => ({ 'exclude-tags': 'Owner="Smith, John' }),
    input: 'exclude-tags',
    says: /double quote is not closed/
  },
  {
    title: 'exclude-tags: a doubled comma',
    inputs: () => ({ 'exclude-tags': 'Pinned,,Stage=prod' }),
    input: 'exclude-tags',
    says: /item 2 is empty/
  },
  {
    title: 'exclude-tags: an empty key after a comma',
    inputs: () => ({ 'exclude-tags': 'Pinned,=prod' }),
    input: 'exclude-tags',
    says: /a tag key is empty/
  },
  // pull-request
  {
    title: 'pull-request: a word',
    inputs: () => ({ 'pull-request': 'abc' }),
    input: 'pull-request',
    says: /'abc' is not a pull request number/
  },
  {
    title: 'pull-request: negative',
    inputs: () => ({ 'pull-request': '-3' }),
    input: 'pull-request',
    says: /'-3' is not a pull request number/
  },
  {
    title: 'pull-request: zero',
    inputs: () => ({ 'pull-request': '0' }),
    input: 'pull-request',
    says: /'0' is not a pull request number/
  },
  {
    title: 'pull-request: a fraction',
    inputs: () => ({ 'pull-request': '1.5' }),
    input: 'pull-request',
    says: /is not a pull request number/
  },
  {
    title: 'pull-request: a number and text',
    inputs: () => ({ 'pull-request': '12abc' }),
    input: 'pull-request',
    says: /is not a pull request number/
  }
]

describe('bad input: fails before the first AWS call, naming the input', () => {
  test.each(CASES.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    const { aws } = world
    const inputs = { ...VALID(fresh), ...c.inputs({ fresh, old }) }

    const result = await world.run(inputs, c.env ? { env: c.env } : {})

    expect(result.timedOut).toBe(false)
    expect(result.exitCode).toBe(1)
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`Input '${c.input}'`)
    expect(errors[0]).toMatch(c.says)
    expect(aws.calls).toEqual([])
    expect(old.map((id) => stateOf(aws, id))).toEqual(['available', 'available', 'available'])
  })
})

describe('after the first reads: fails, nothing is changed', () => {
  test('the new image does not exist', async () => {
    const { aws } = world
    const missing = 'ami-0000000000000000f'

    const result = await world.run({ 'image-id': missing, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    // where it looked, and why there: the runner's AWS_REGION, as the region input is empty
    expect(errors[0]).toMatch(
      new RegExp(
        `${missing} was not found in us-east-1 \\(from AWS_REGION, as the 'region' input is empty\\); if it lives elsewhere, set 'region' or write <region>:${missing}; nothing was changed`
      )
    )
    expect(aws.calls.length).toBeGreaterThan(0)
    expect(successfulMutations(aws)).toEqual([])
    expect(aws.calls.filter((c) => ['CreateTags', 'DisableImage'].includes(c.action))).toEqual([])
  })

  test('the new image belongs to another account (shared with this one)', async () => {
    const { aws } = world
    const theirs = image(aws, 'golden-web-9', day(20), { ownerId: OTHER_ACCOUNT, public: true })

    const result = await world.run({ 'image-id': theirs.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(
      new RegExp(`${theirs.imageId} is owned by account ${OTHER_ACCOUNT}, not by this account`)
    )
    expect(successfulMutations(aws)).toEqual([])
    expect(old.map((id) => stateOf(aws, id))).toEqual(['available', 'available', 'available'])
  })

  test.each(['failed', 'error', 'invalid', 'disabled'] as const)(
    'the new image is %s: fails at once',
    async (state) => {
      const { aws } = world
      const bad = image(aws, 'golden-web-9', day(20), { state })

      const result = await world.run({ 'image-id': bad.imageId, 'family-tag': 'role', 'wait-timeout': '600' })

      expect(result.exitCode).toBe(1)
      expect(commandLines(result.stdout, 'error').join('\n')).toContain(`${bad.imageId} is ${state}`)
      expect(result.durationMs).toBeLessThan(10_000)
      expect(successfulMutations(aws)).toEqual([])
      expect(old.map((id) => stateOf(aws, id))).toEqual(['available', 'available', 'available'])
    }
  )

  test('the new image still pending after wait-timeout: the step ends within wait-timeout plus a few seconds', async () => {
    const { aws } = world
    const slow = image(aws, 'golden-web-9', day(20), { availableAfterMs: 120_000 })

    const result = await world.run({ 'image-id': slow.imageId, 'family-tag': 'role', 'wait-timeout': '4' })

    expect(result.timedOut).toBe(false)
    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(
      new RegExp(`not available after wait-timeout \\(4s\\).*${slow.imageId} is pending`)
    )
    expect(result.durationMs).toBeLessThan(4_000 + 5_000)
    expect(successfulMutations(aws)).toEqual([])
    expect(old.map((id) => stateOf(aws, id))).toEqual(['available', 'available', 'available'])
  })

  test('wait-timeout 0 with a pending new image: one look, then fail', async () => {
    const { aws } = world
    const slow = image(aws, 'golden-web-9', day(20), { availableAfterMs: 120_000 })

    const result = await world.run({ 'image-id': slow.imageId, 'family-tag': 'role', 'wait-timeout': '0' })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/wait-timeout \(0s\)/)
    expect(result.durationMs).toBeLessThan(5_000)
    expect(successfulMutations(aws)).toEqual([])
  })

  test.each([
    ['the region input', { region: 'us-east-1' }, {}, /\(the 'region' input\); if it lives elsewhere, write <region>:/],
    [
      'AWS_DEFAULT_REGION',
      {},
      { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' },
      /\(from AWS_DEFAULT_REGION, as 'region' and AWS_REGION are empty\)/
    ]
  ])('a new image not found names the region it looked in, chosen by %s', async (_from, inputs, env, says) => {
    const { aws } = world
    const missing = 'ami-0000000000000000f'

    const result = await world.run({ 'image-id': missing, 'family-tag': 'role', ...inputs }, { env })

    expect(result.exitCode).toBe(1)
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`${missing} was not found in us-east-1 (`)
    expect(errors[0]).toMatch(says)
    expect(successfulMutations(aws)).toEqual([])
    expect(aws.calls.filter((c) => ['CreateTags', 'DisableImage'].includes(c.action))).toEqual([])
  })

  test('a new image not found in the region written as region:ami-… says so', async () => {
    const { aws } = world
    family(aws, 1, 'golden-web', 'eu-west-1')
    const missing = 'ami-0000000000000000f'

    const result = await world.run({ 'image-id': `eu-west-1:${missing}`, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`${missing} was not found in eu-west-1 (the region written in image-id)`)
    expect(successfulMutations(aws)).toEqual([])
  })

  test("a new image of a Packer manifest not found: the region is the manifest's artifact_id", async () => {
    const { aws } = world
    const missing = 'ami-0000000000000000f'
    const manifest = writeManifest({ builds: [build(`us-east-1:${missing}`)], last_run_uuid: 'run-1' })

    const result = await world.run({ 'image-id': '', 'packer-manifest': manifest, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`${missing} was not found in us-east-1 (from the packer-manifest's artifact_id)`)
    expect(successfulMutations(aws)).toEqual([])
  })

  test.each(['enable', 'rollback'])('%s: an id not found names where its region came from', async (command) => {
    const { aws } = world
    const missing = 'ami-0000000000000000d'

    const result = await world.run({ command, 'image-id': missing })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toContain(
      `${missing} was not found in us-east-1 (from AWS_REGION`
    )
    expect(changesMade(aws)).toEqual([])
  })

  test.each([
    ['another family', 'api-*'],
    ['another case', 'Golden-web-*'],
    ['a ? too many', 'golden-web-??'],
    ['not the whole name', 'golden-web']
  ])(
    'name-pattern that the new image does not match (%s): refused, naming name-pattern, nothing changed',
    async (_why, pattern) => {
      const { aws } = world

      const result = await world.run({ 'image-id': fresh, 'family-tag': '', 'name-pattern': pattern })

      expect(result.exitCode).toBe(1)
      const errors = commandLines(result.stdout, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain(
        `name-pattern '${pattern}' does not match the new image ${fresh} (named 'golden-web-4'); nothing was changed`
      )
      expect(aws.calls.filter((c) => ['CreateTags', 'DisableImage'].includes(c.action))).toEqual([])
      expect(successfulMutations(aws)).toEqual([])
      expect(old.map((id) => stateOf(aws, id))).toEqual(['available', 'available', 'available'])
    }
  )

  test('name-pattern with family-tag, not matching the new image: refused before any wait', async () => {
    const { aws } = world
    const slow = image(aws, 'golden-web-9', day(20), { availableAfterMs: 120_000 })

    const result = await world.run({
      'image-id': slow.imageId,
      'family-tag': 'role',
      'name-pattern': 'golden-api-*',
      'wait-timeout': '60'
    })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toContain(`name-pattern 'golden-api-*' does not match`)
    expect(result.durationMs).toBeLessThan(10_000)
    expect(successfulMutations(aws)).toEqual([])
  })

  test('name-pattern that matches the new image goes on (wildcards in the middle, ?)', async () => {
    const { aws } = world

    const result = await world.run({ 'image-id': fresh, 'family-tag': '', 'name-pattern': 'golden-*-?' })

    expect(result.exitCode).toBe(0)
    expect(old.map((id) => stateOf(aws, id))).toEqual(['disabled', 'disabled', 'disabled'])
  })

  test('the new image has no family-tag', async () => {
    const { aws } = world
    const untagged = image(aws, 'golden-web-9', day(20), {}, REGION, null)

    const result = await world.run({ 'image-id': untagged.imageId, 'family-tag': 'role' })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(new RegExp(`${untagged.imageId} has no 'role' tag`))
    expect(successfulMutations(aws)).toEqual([])
    expect(old.map((id) => stateOf(aws, id))).toEqual(['available', 'available', 'available'])
  })

  test('more than max-images to disable: refused, nothing disabled', async () => {
    const { aws } = world

    const result = await world.run({ 'image-id': fresh, 'family-tag': 'role', 'max-images': '2' })

    expect(result.exitCode).toBe(1)
    const errors = commandLines(result.stdout, 'error')
    expect(errors).toHaveLength(1)
    // the images it would have disabled, newest first, with their names
    const listed = [...old].reverse().map((id, i) => `${id} \\(golden-web-${3 - i}\\)`)
    expect(errors[0]).toMatch(
      new RegExp(`3 images would be disabled in us-east-1, more than max-images \\(2\\): ${listed.join(', ')}$`)
    )
    expect(successfulMutations(aws)).toEqual([])
    expect(aws.calls.filter((c) => ['CreateTags', 'DisableImage'].includes(c.action))).toEqual([])
  })

  test('max-images 0: any image to disable refuses the run', async () => {
    const { aws } = world

    const result = await world.run({ 'image-id': fresh, 'family-tag': 'role', 'max-images': '0' })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/max-images \(0\)/)
    expect(successfulMutations(aws)).toEqual([])
  })

  test('in-use: fail and a launch template uses a superseded image: refused, nothing disabled', async () => {
    const { aws } = world
    aws.addLaunchTemplate(REGION, { name: 'web-prod', versions: [{ imageId: at(old, 2) }] })

    const result = await world.run({ 'image-id': fresh, 'family-tag': 'role', 'in-use': 'fail' })

    expect(result.exitCode).toBe(1)
    expect(commandLines(result.stdout, 'error').join('\n')).toMatch(new RegExp(`${old[2]} is used by .*web-prod`))
    expect(changesMade(aws)).toEqual([])
  })

  test('two regions, the new image of one is missing: nothing is changed in either', async () => {
    const { aws } = world
    const west = family(aws, 2, 'golden-web', 'eu-west-1')

    const result = await world.run({
      'image-id': `us-east-1:${fresh},eu-west-1:ami-0000000000000000e`,
      'family-tag': 'role'
    })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/nothing was changed in any region/)
    expect(changesMade(aws)).toEqual([])
    expect(old.map((id) => stateOf(aws, id))).toEqual(['available', 'available', 'available'])
    expect(west.old.map((o) => stateOf(aws, o.imageId, 'eu-west-1'))).toEqual(['available', 'available'])
  })

  test('enable with one id that does not exist: nothing is re-enabled', async () => {
    const { aws } = world
    const disabled = image(aws, 'golden-web-0', day(1), { state: 'disabled' })

    const result = await world.run({ command: 'enable', 'image-id': `${disabled.imageId},ami-0000000000000000d` })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('ami-0000000000000000d')
    expect(changesMade(aws)).toEqual([])
    expect(stateOf(aws, disabled.imageId)).toBe('disabled')
  })

  test('rollback of an image that does not exist: nothing is changed', async () => {
    const { aws } = world

    const result = await world.run({ command: 'rollback', 'image-id': 'ami-0000000000000000c' })

    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('ami-0000000000000000c')
    expect(changesMade(aws)).toEqual([])
  })
})
