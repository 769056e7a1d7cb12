import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { InputError } from '../src/errors.js'
import {
  checkNamePattern,
  parseExcludeTags,
  parseSettings,
  type Settings,
  type SettingsSource
} from '../src/settings.js'
import { REPO_ROOT } from '../test-support/paths.js'
import { expectInputError } from './e2e/input-error.js'

/** The inputs of action.yml and their defaults, as the runner reads them (the file is the one source of the defaults). */
const ACTION_INPUTS = (
  parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string | number | boolean }>
  }
).inputs
const DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(ACTION_INPUTS)
    .filter(([, input]) => input.default !== undefined)
    .map(([name, input]) => [name, String(input.default)])
)
/** What the runner puts in place of `${{ github.token }}`. */
const RUNNER_TOKEN = 'ghs_runnertoken0000'
const fromRunner = (value: string): string => value.replace(/\$\{\{\s*github\.token\s*\}\}/g, RUNNER_TOKEN)

const A = 'ami-0123456789abcdef0'
const B = 'ami-0fedcba9876543210'

interface FakeOptions {
  inputs?: Record<string, string>
  env?: Record<string, string | undefined>
  files?: Record<string, string>
}

/** A SettingsSource over plain objects; the inputs the runner fills from action.yml are NOT filled in. */
function source({ inputs = {}, env = {}, files = {} }: FakeOptions): SettingsSource & { reads: string[] } {
  const reads: string[] = []
  return {
    reads,
    input: (name) => inputs[name] ?? '',
    env,
    readFile(path) {
      reads.push(path)
      const text = path in files ? files[path] : undefined
      if (text === undefined) {
        const error = new Error(`ENOENT: no such file or directory, open '${path}'`) as NodeJS.ErrnoException
        error.code = 'ENOENT'
        throw error
      }
      return text
    }
  }
}

/** The minimum for a valid `disable` run. */
const BASE = { 'image-id': A, 'family-tag': 'Family' }

function settings(
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = { AWS_REGION: 'us-east-1' },
  files: Record<string, string> = {}
): Settings {
  return parseSettings(source({ inputs: { ...BASE, ...inputs }, env, files }))
}

function fails(
  inputs: Record<string, string>,
  input: string,
  env: Record<string, string | undefined> = { AWS_REGION: 'us-east-1' },
  files: Record<string, string> = {}
): InputError {
  return expectInputError(() => parseSettings(source({ inputs, env, files })), input)
}

describe('parseSettings: defaults', () => {
  test('every default for a minimal disable run', () => {
    expect(settings({})).toEqual({
      command: DEFAULTS['command'],
      targets: [{ region: 'us-east-1', imageId: A, regionFrom: 'AWS_REGION' }],
      familyTag: 'Family',
      namePattern: undefined,
      keep: Number(DEFAULTS['keep']),
      excludeTags: [],
      maxImages: Number(DEFAULTS['max-images']),
      inUse: DEFAULTS['in-use'],
      dryRun: DEFAULTS['dry-run'] === 'true',
      waitTimeoutSeconds: Number(DEFAULTS['wait-timeout']),
      requireState: DEFAULTS['require-state'],
      comment: DEFAULTS['comment'] === 'true',
      pullRequest: undefined,
      githubToken: '',
      usageReport: 'auto',
      usageReportTimeoutSeconds: 300,
      regions: [],
      retireAfterDays: 30,
      snapshots: 'delete'
    })
  })

  test('every input given', () => {
    const s = settings({
      command: 'disable',
      'image-id': `eu-west-1:${A}\n${B}`,
      region: 'us-west-2',
      'family-tag': ' Family ',
      'name-pattern': 'golden-web-*',
      keep: '2',
      'exclude-tags': 'Pinned\nStage=prod',
      'max-images': '25',
      'in-use': 'skip',
      'dry-run': 'true',
      'wait-timeout': '60',
      'require-state': 'disabled',
      comment: 'false',
      'pull-request': '42',
      'github-token': ' ghs_token ',
      'usage-report': 'true',
      'usage-report-timeout': '120',
      'consumer-role': 'arn:aws:iam::{account}:role/ami-usage-reader'
    })
    expect(s).toEqual({
      command: 'disable',
      targets: [
        { region: 'eu-west-1', imageId: A, regionFrom: 'image-id' },
        { region: 'us-west-2', imageId: B, regionFrom: 'input' }
      ],
      familyTag: 'Family',
      namePattern: 'golden-web-*',
      keep: 2,
      excludeTags: [{ key: 'Pinned' }, { key: 'Stage', value: 'prod' }],
      maxImages: 25,
      inUse: 'skip',
      dryRun: true,
      waitTimeoutSeconds: 60,
      requireState: 'disabled',
      comment: false,
      pullRequest: 42,
      githubToken: 'ghs_token',
      usageReport: 'true',
      usageReportTimeoutSeconds: 120,
      consumerRole: 'arn:aws:iam::{account}:role/ami-usage-reader',
      regions: [],
      retireAfterDays: 30,
      snapshots: 'delete'
    })
  })

  test('the action.yml defaults, as the runner passes them, give the same result as unset inputs', () => {
    // the runner passes every input: the given ones, and action.yml's default for the others
    const inputs = { ...Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k, fromRunner(v)])), ...BASE }
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(ACTION_INPUTS).sort())
    const s = parseSettings(source({ inputs, env: { AWS_REGION: 'us-east-1' } }))
    expect(s).toEqual({ ...settings({}), githubToken: RUNNER_TOKEN })
  })

  test('name-pattern alone is enough for disable', () => {
    const s = parseSettings(
      source({ inputs: { 'image-id': A, 'name-pattern': 'golden-*' }, env: { AWS_REGION: 'us-east-1' } })
    )
    expect(s.familyTag).toBeUndefined()
    expect(s.namePattern).toBe('golden-*')
  })

  test.each(['enable', 'rollback', 'status'])('%s needs no family-tag or name-pattern', (command) => {
    const s = parseSettings(source({ inputs: { command, 'image-id': A }, env: { AWS_REGION: 'us-east-1' } }))
    expect(s.command).toBe(command)
    expect(s.familyTag).toBeUndefined()
    expect(s.namePattern).toBeUndefined()
  })

  test.each([
    ['yes', true],
    ['True', true],
    ['on', true],
    ['no', false],
    ['FALSE', false],
    ['off', false],
    [' true ', true]
  ])('dry-run %j is %s', (value, expected) => {
    expect(settings({ 'dry-run': value }).dryRun).toBe(expected)
  })

  test('numbers: leading zeros and spaces, and the upper limits', () => {
    expect(settings({ keep: ' 007 ' }).keep).toBe(7)
    expect(settings({ keep: '1000' }).keep).toBe(1000)
    expect(settings({ 'max-images': '1000' }).maxImages).toBe(1000)
    expect(settings({ 'max-images': '0' }).maxImages).toBe(0)
    expect(settings({ 'wait-timeout': '21600' }).waitTimeoutSeconds).toBe(21600)
    expect(settings({ 'wait-timeout': '0' }).waitTimeoutSeconds).toBe(0)
  })

  test('pull-request accepts #N', () => {
    expect(settings({ 'pull-request': '#7' }).pullRequest).toBe(7)
  })
})

describe('parseSettings: each bad input fails naming it', () => {
  test.each([
    ['keep', '-1'],
    ['keep', '1.5'],
    ['keep', 'two'],
    ['keep', '1e3'],
    ['keep', '1001'],
    ['max-images', '-3'],
    ['max-images', '10.0'],
    ['max-images', 'ten'],
    ['max-images', '1001'],
    ['wait-timeout', '-900'],
    ['wait-timeout', '15m'],
    ['wait-timeout', '0x10'],
    ['wait-timeout', '21601']
  ])('%s %j', (input, value) => {
    const error = fails({ ...BASE, [input]: value }, input)
    expect(error.message).toContain(value)
  })

  test.each([
    ['command', 'delete'],
    ['command', 'Disable'],
    ['in-use', 'ignore'],
    ['require-state', 'gone'],
    ['require-state', 'AVAILABLE']
  ])('unknown %s %j', (input, value) => {
    const error = fails({ ...BASE, [input]: value }, input)
    expect(error.message).toContain(`'${value}'`)
  })

  test('unknown command lists the commands', () => {
    expect(fails({ ...BASE, command: 'nuke' }, 'command').message).toContain('disable, enable, rollback, status')
  })

  test('disable without family-tag and name-pattern names both', () => {
    const error = fails({ 'image-id': A }, 'family-tag')
    expect(error.message).toContain('name-pattern')
    fails({ 'image-id': A, 'family-tag': '  ', 'name-pattern': ' ' }, 'family-tag')
  })

  test.each(['*', '**', '?', '*?*', ' * '])('name-pattern of only wildcards %j', (pattern) => {
    const error = fails({ ...BASE, 'name-pattern': pattern }, 'name-pattern')
    expect(error.message).toMatch(/only wildcards/)
  })

  test('name-pattern with characters an AMI name cannot hold, or too long', () => {
    fails({ ...BASE, 'name-pattern': 'golden;rm -rf' }, 'name-pattern')
    fails({ ...BASE, 'name-pattern': `golden-${'x'.repeat(130)}` }, 'name-pattern')
  })

  test('family-tag longer than a tag key', () => {
    fails({ ...BASE, 'family-tag': 'k'.repeat(129) }, 'family-tag')
  })

  test.each(['abc', '0', '-1', '1.5', '#1#', '12345678901', 'https://github.com/o/r/pull/3'])(
    'pull-request %j is not a number',
    (value) => {
      const error = fails({ ...BASE, 'pull-request': value }, 'pull-request')
      expect(error.message).toContain(`'${value}'`)
    }
  )

  // BUG (src/settings.ts parseSettings, the `prText` line): the leading `#` is stripped before the
  // emptiness check, so `pull-request: "#"` (e.g. "#${{ inputs.pr }}" with an empty input) is
  // silently taken as unset and the comment is skipped. Check the raw value: fail when it is
  // non-empty and what is left after the `#` is not a number.
  test('pull-request "#" alone is not a number', () => {
    fails({ ...BASE, 'pull-request': '#' }, 'pull-request')
  })

  test.each(['maybe', '1', 'y', 'tru'])('dry-run %j is not a boolean', (value) => {
    expect(fails({ ...BASE, 'dry-run': value }, 'dry-run').message).toContain(`'${value}'`)
  })

  test('comment not a boolean', () => {
    fails({ ...BASE, comment: 'sometimes' }, 'comment')
  })

  test('image-id empty and no packer-manifest', () => {
    const error = fails({ 'family-tag': 'Family', 'image-id': ' \n ' }, 'image-id')
    expect(error.message).toContain('packer-manifest')
  })

  test('image-id malformed', () => {
    fails({ ...BASE, 'image-id': 'ami-123' }, 'image-id')
  })

  test('packer-manifest file missing', () => {
    const error = fails({ 'family-tag': 'Family', 'packer-manifest': 'out/packer-manifest.json' }, 'packer-manifest')
    expect(error.message).toContain("'out/packer-manifest.json'")
    expect(error.message).toContain('no such file')
  })

  test('packer-manifest unreadable for another reason: the error code, or its message when it has none', () => {
    const failWith = (error: Error): InputError => {
      const s: SettingsSource = {
        input: (name) => ({ 'family-tag': 'F', 'packer-manifest': 'm.json' })[name] ?? '',
        env: {},
        readFile() {
          throw error
        }
      }
      let caught: unknown
      try {
        parseSettings(s)
      } catch (thrown) {
        caught = thrown
      }
      expect(caught).toBeInstanceOf(InputError)
      expect((caught as InputError).input).toBe('packer-manifest')
      return caught as InputError
    }
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
    expect(failWith(denied).message).toContain("cannot read 'm.json' (EACCES)")
    expect(failWith(new Error('device gone')).message).toContain("cannot read 'm.json' (device gone)")
  })

  test('packer-manifest not JSON', () => {
    fails({ 'family-tag': 'Family', 'packer-manifest': 'm.json' }, 'packer-manifest', {}, { 'm.json': 'not json' })
  })

  test('region input not a region', () => {
    expect(fails({ ...BASE, region: 'mars-east-1' }, 'region').message).toContain("'mars-east-1'")
  })

  test('AWS_REGION not a region names region and the variable', () => {
    const error = fails(BASE, 'region (from AWS_REGION)', { AWS_REGION: 'useast1' })
    expect(error.message).toContain('useast1')
  })

  test('AWS_DEFAULT_REGION not a region names region and the variable', () => {
    fails(BASE, 'region (from AWS_DEFAULT_REGION)', { AWS_DEFAULT_REGION: 'us-nowhere-1' })
  })

  test('a bare id with no region anywhere fails naming image-id', () => {
    const error = fails(BASE, 'image-id', {})
    expect(error.message).toMatch(/region/)
  })

  test('exclude-tags with an empty key', () => {
    fails({ ...BASE, 'exclude-tags': '=value' }, 'exclude-tags')
  })
})

describe('parseSettings: region', () => {
  test('the region input comes first', () => {
    expect(
      settings({ region: 'eu-west-3' }, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-2' }).targets
    ).toEqual([{ region: 'eu-west-3', imageId: A, regionFrom: 'input' }])
  })

  test('then AWS_REGION', () => {
    expect(settings({}, { AWS_REGION: 'ap-northeast-1', AWS_DEFAULT_REGION: 'us-east-2' }).targets).toEqual([
      { region: 'ap-northeast-1', imageId: A, regionFrom: 'AWS_REGION' }
    ])
  })

  test('then AWS_DEFAULT_REGION', () => {
    expect(settings({}, { AWS_DEFAULT_REGION: 'us-east-2' }).targets).toEqual([
      { region: 'us-east-2', imageId: A, regionFrom: 'AWS_DEFAULT_REGION' }
    ])
    expect(settings({}, { AWS_REGION: '  ', AWS_DEFAULT_REGION: 'us-east-2' }).targets).toEqual([
      { region: 'us-east-2', imageId: A, regionFrom: 'AWS_DEFAULT_REGION' }
    ])
  })

  test('ids with a region need no default region', () => {
    expect(settings({ 'image-id': `sa-east-1:${A}` }, {}).targets).toEqual([
      { region: 'sa-east-1', imageId: A, regionFrom: 'image-id' }
    ])
  })
})

describe('parseSettings: packer-manifest', () => {
  const manifest = JSON.stringify({
    builds: [
      { name: 'old', builder_type: 'amazon-ebs', artifact_id: `us-east-1:${B}`, packer_run_uuid: 'run-1' },
      {
        name: 'new',
        builder_type: 'amazon-ebs',
        artifact_id: `us-east-1:${A},eu-west-1:${B}`,
        packer_run_uuid: 'run-2'
      }
    ],
    last_run_uuid: 'run-2'
  })

  test('used when image-id is empty', () => {
    const src = source({
      inputs: { 'family-tag': 'F', 'packer-manifest': ' packer-manifest.json ' },
      env: {},
      files: { 'packer-manifest.json': manifest }
    })
    expect(parseSettings(src).targets).toEqual([
      { region: 'us-east-1', imageId: A, regionFrom: 'packer-manifest' },
      { region: 'eu-west-1', imageId: B, regionFrom: 'packer-manifest' }
    ])
    expect(src.reads).toEqual(['packer-manifest.json'])
  })

  test('not read when image-id is given', () => {
    const src = source({
      inputs: { 'family-tag': 'F', 'image-id': `us-west-1:${A}`, 'packer-manifest': 'packer-manifest.json' },
      env: {},
      files: {}
    })
    expect(parseSettings(src).targets).toEqual([{ region: 'us-west-1', imageId: A, regionFrom: 'image-id' }])
    expect(src.reads).toEqual([])
  })
})

describe('exclude-tags', () => {
  test('Key, Key=Value, blank lines, comments and spaces', () => {
    expect(parseExcludeTags('Pinned\n\n  Stage = prod  \r\n# a comment\nOwner=\nUrl=a=b\n   \n')).toEqual([
      { key: 'Pinned' },
      { key: 'Stage', value: 'prod' },
      { key: 'Owner', value: '' },
      { key: 'Url', value: 'a=b' }
    ])
  })

  test('empty text gives no matchers', () => {
    expect(parseExcludeTags('')).toEqual([])
    expect(parseExcludeTags('\n \n')).toEqual([])
  })

  test('through parseSettings', () => {
    expect(settings({ 'exclude-tags': 'Keep=forever\nLegal-Hold' }).excludeTags).toEqual([
      { key: 'Keep', value: 'forever' },
      { key: 'Legal-Hold' }
    ])
  })

  test('commas separate items, as in image-id (the issue: foo=bar,image-family=api was one item)', () => {
    expect(parseExcludeTags('foo=bar,image-family=api')).toEqual([
      { key: 'foo', value: 'bar' },
      { key: 'image-family', value: 'api' }
    ])
    expect(parseExcludeTags(' Pinned , Stage = prod ,Legal-Hold\nOwner=me')).toEqual([
      { key: 'Pinned' },
      { key: 'Stage', value: 'prod' },
      { key: 'Legal-Hold' },
      { key: 'Owner', value: 'me' }
    ])
  })

  test('a comma that ends a line separates like the line break', () => {
    expect(parseExcludeTags('Pinned,\r\nStage=prod,\nKeep')).toEqual([
      { key: 'Pinned' },
      { key: 'Stage', value: 'prod' },
      { key: 'Keep' }
    ])
  })

  test('empty items (doubled, leading or final comma) fail naming exclude-tags and the item', () => {
    expect(expectInputError(() => parseExcludeTags('a,,b'), 'exclude-tags').message).toMatch(/item 2 is empty/)
    expect(expectInputError(() => parseExcludeTags(',a'), 'exclude-tags').message).toMatch(/item 1 is empty/)
    expect(expectInputError(() => parseExcludeTags('a,'), 'exclude-tags').message).toMatch(/item 2 is empty/)
    expect(expectInputError(() => parseExcludeTags('a,,\nb'), 'exclude-tags').message).toMatch(/item 2 is empty/)
  })

  test('a value with commas is quoted: the value, or the whole item', () => {
    expect(parseExcludeTags('Owner="Smith, John",Pinned')).toEqual([
      { key: 'Owner', value: 'Smith, John' },
      { key: 'Pinned' }
    ])
    expect(parseExcludeTags('"Owner=Smith, John" , Stage=prod')).toEqual([
      { key: 'Owner', value: 'Smith, John' },
      { key: 'Stage', value: 'prod' }
    ])
    expect(parseExcludeTags('Owner = "Smith, John"')).toEqual([{ key: 'Owner', value: 'Smith, John' }])
  })

  test('inside quotes: spaces kept, "" is one quote, = and # are plain', () => {
    expect(parseExcludeTags('Note=" a, b "')).toEqual([{ key: 'Note', value: ' a, b ' }])
    expect(parseExcludeTags('Say="he said ""hi"", twice"')).toEqual([{ key: 'Say', value: 'he said "hi", twice' }])
    expect(parseExcludeTags('Url="a=b,c#d"')).toEqual([{ key: 'Url', value: 'a=b,c#d' }])
    expect(parseExcludeTags('Empty=""')).toEqual([{ key: 'Empty', value: '' }])
  })

  test('a quote inside an unquoted value is an ordinary character', () => {
    expect(parseExcludeTags('Size=5"5,Pinned')).toEqual([{ key: 'Size', value: '5"5' }, { key: 'Pinned' }])
  })

  test('an unclosed quote, or text after the closing quote, fails naming exclude-tags', () => {
    expect(expectInputError(() => parseExcludeTags('Owner="Smith, John'), 'exclude-tags').message).toMatch(
      /double quote is not closed/
    )
    expect(expectInputError(() => parseExcludeTags('Owner="Smith" John'), 'exclude-tags').message).toMatch(
      /after the closing double quote/
    )
  })

  test('through parseSettings, a comma list and a quoted value', () => {
    expect(settings({ 'exclude-tags': 'foo=bar,image-family=api\nOwner="a, b"' }).excludeTags).toEqual([
      { key: 'foo', value: 'bar' },
      { key: 'image-family', value: 'api' },
      { key: 'Owner', value: 'a, b' }
    ])
  })

  test('too long key or value fails naming exclude-tags', () => {
    expect(() => parseExcludeTags('k'.repeat(129))).toThrow(InputError)
    expect(() => parseExcludeTags(`k=${'v'.repeat(257)}`)).toThrow(/exclude-tags/)
    expect(parseExcludeTags(`${'k'.repeat(128)}=${'v'.repeat(256)}`)).toEqual([
      { key: 'k'.repeat(128), value: 'v'.repeat(256) }
    ])
  })
})

describe('checkNamePattern', () => {
  test('accepts the characters of AMI names', () => {
    for (const p of ['golden-web-*', 'amzn2-ami-hvm-2.0.????????-x86_64-gp2', "team's (web) [v1]/base@x"])
      expect(checkNamePattern(p)).toBe(p)
  })
})

describe('the cross-account inputs', () => {
  test.each([
    'ami-usage-reader',
    'arn:aws:iam::{account}:role/ami-usage-reader',
    'arn:aws-cn:iam::{account}:role/team/x'
  ])('consumer-role %s is taken as it is', (role) => {
    expect(settings({ 'consumer-role': role }).consumerRole).toBe(role)
  })

  test.each([
    'arn:aws:iam::123456789012:role/reader',
    'role with spaces',
    'x'.repeat(65),
    'arn:aws:iam::{account}:user/reader'
  ])('consumer-role %s is refused, naming the input', (role) => {
    expect(() => settings({ 'consumer-role': role })).toThrow(/consumer-role/)
  })

  test.each([
    ['auto', 'auto'],
    ['true', 'true'],
    ['yes', 'true'],
    ['false', 'false'],
    ['off', 'false']
  ])('usage-report %s -> %s', (value, mode) => {
    expect(settings({ 'usage-report': value }).usageReport).toBe(mode)
  })

  test('usage-report and its timeout refuse what they do not take', () => {
    expect(() => settings({ 'usage-report': 'sometimes' })).toThrow(/usage-report/)
    expect(() => settings({ 'usage-report-timeout': '-1' })).toThrow(/usage-report-timeout/)
    expect(() => settings({ 'usage-report-timeout': '3601' })).toThrow(/usage-report-timeout/)
  })
})

describe('parseSettings: what each refusal says', () => {
  // The message a user reads in the failed step, whole where it is fixed text: each names what was expected.
  const long = (n: number, c = 'k'): string => c.repeat(n)

  test.each([
    [
      'a role that is neither a name nor an ARN with {account}: its text (cut at 80), what a role may be',
      { 'consumer-role': `arn:aws:iam::123456789012:role/${long(80, 'r')}` },
      'consumer-role',
      `'arn:aws:iam::123456789012:role/${long(49, 'r')}' is not a role name (letters, digits and +=,.@_-, up to 64) or a role ARN with {account} as its account (arn:aws:iam::{account}:role/NAME)`
    ],
    ['an exclude-tags item with no key', { 'exclude-tags': '=web' }, 'exclude-tags', 'a tag key is empty'],
    [
      'a tag key over 128 characters: its first 40, and the limit',
      { 'exclude-tags': long(129) },
      'exclude-tags',
      `tag key '${long(40)}…' is longer than 128 characters`
    ],
    [
      'a tag value over 256 characters: its key, and the limit',
      { 'exclude-tags': `Owner=${long(257, 'v')}` },
      'exclude-tags',
      "the value of 'Owner' is longer than 256 characters"
    ],
    [
      'an exclude-tags item of only spaces: its place',
      { 'exclude-tags': 'a, ,b' },
      'exclude-tags',
      'item 2 is empty (check for a doubled or trailing comma)'
    ],
    [
      'a name-pattern with a character no AMI name holds: what is allowed',
      { 'name-pattern': 'web:*' },
      'name-pattern',
      "'web:*' has characters an AMI name cannot hold (allowed: letters, digits, ( ) [ ] space . / - ' @ _ and the wildcards * ?)"
    ],
    [
      'a pull request that is not a number: the value as given, without its spaces',
      { 'pull-request': ' 1#2 ' },
      'pull-request',
      "'1#2' is not a pull request number"
    ]
  ])('%s', (_, inputs, input, says) => {
    expect(fails({ ...BASE, ...inputs }, input).message).toContain(says)
  })
})

describe('parseSettings: the spaces around a value', () => {
  // A source other than @actions/core's getInput (which trims) may hand values over as typed.
  test('a role, a choice, usage-report and pull-request are read without their spaces', () => {
    const s = settings({
      'consumer-role': '  disable-superseded-ami-reader ',
      'in-use': ' skip ',
      'usage-report': ' yes ',
      'pull-request': ' 12 '
    })
    expect(s).toMatchObject({
      consumerRole: 'disable-superseded-ami-reader',
      inUse: 'skip',
      usageReport: 'true',
      pullRequest: 12
    })
  })

  test('a region of only spaces is no region: AWS_REGION is used', () => {
    expect(settings({ 'image-id': A, region: '   ' }, { AWS_REGION: 'eu-west-1' }).targets).toEqual([
      { region: 'eu-west-1', imageId: A, regionFrom: 'AWS_REGION' }
    ])
  })

  test('exclude-tags: a quoted key and a quoted item after a comma are read without their quotes and spaces', () => {
    expect(parseExcludeTags('" Owner ", "Team=a, b"')).toEqual([{ key: 'Owner' }, { key: 'Team', value: 'a, b' }])
  })

  test('exclude-tags: lines without a comma at their end are items of their own; one with a comma inside and at its end too', () => {
    expect(parseExcludeTags('a\nb')).toEqual([{ key: 'a' }, { key: 'b' }])
    expect(parseExcludeTags('a,b,\nc')).toEqual([{ key: 'a' }, { key: 'b' }, { key: 'c' }])
  })
})
