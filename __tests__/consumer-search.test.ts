/**
 * The search by name in other accounts (consumer-role) against mocked SDK clients
 * (aws-sdk-client-mock): STS's AssumeRole per account, the usage search with that account's
 * credentials, the bound on accounts searched at once, the masking of the credentials, and what
 * a denied role or a denied read becomes.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts'
import {
  DescribeImageReferencesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type DescribeLaunchTemplateVersionsCommandInput
} from '@aws-sdk/client-ec2'
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand
} from '@aws-sdk/client-auto-scaling'
import { refreshingCredentials, Sts, type AssumedCredentials } from '../src/aws/sts.js'
import { limiter } from '../src/concurrency.js'
import { searchConsumers, type ConsumerSearchDeps } from '../src/steps/consumer-search.js'
import { consumerFinder, NO_ACCOUNT, roleAssumer, type ReportsUsage } from '../src/steps/find-consumers.js'
import { emptySharing, type Image, type Sharing } from '../src/model.js'

// the SDK warns once per process on Node < 22 (runners use Node 24)
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const REGION = 'eu-west-1'
const OWNER = '999988887777'
const A = '111122223333'
const B = '444455556666'
const C = '777788889999'
const OLD = 'ami-0000000000000000a'
const ROLE = 'ami-usage-reader'
const arnOf = (account: string): string => `arn:aws:iam::${account}:role/${ROLE}`

const stsMock = mockClient(STSClient)
const ec2Mock = mockClient(EC2Client)
const asgMock = mockClient(AutoScalingClient)

/** What happened, in order: masks, and the requests of each account. */
let events: string[] = []
/** Every line given to the logger. */
let logged: string[] = []
const log = {
  debug: (m: string) => void logged.push(m),
  info: (m: string) => void logged.push(m),
  warning: (m: string) => void logged.push(m)
}
const mask = (value: string): void => void events.push(`mask ${value}`)

const secretOf = (account: string): string => `wJalrXUtnFEMI/K7MDENG/${account}/bPxRfiCYSECRET`
const tokenOf = (account: string): string => `FwoGZXIvYXdzEBYaD${account}SESSIONTOKEN`

function credentialsFor(account: string) {
  return {
    AccessKeyId: `ASIA${account}`,
    SecretAccessKey: secretOf(account),
    SessionToken: tokenOf(account),
    Expiration: new Date(Date.now() + 3600_000)
  }
}

const accountOfArn = (arn: string | undefined): string => /iam::(\d{12}):/.exec(arn ?? '')?.[1] ?? ''

/** The account whose assumed credentials sign a request (the client's credential provider). */
async function accountOf(client: unknown): Promise<string> {
  const config = (client as { config: { credentials: () => Promise<{ accessKeyId: string }> } }).config
  return (await config.credentials()).accessKeyId.replace(/^ASIA/, '')
}

const isSsmQuery = (input: DescribeLaunchTemplateVersionsCommandInput): boolean =>
  input.Filters?.[0]?.Values?.includes('resolve:ssm:*') ?? false

/** Each account holds a template `web-<account>` whose default (and latest) version 3 uses OLD, and a group on `$Default`. */
function accountsHoldTemplates(): void {
  ec2Mock
    .on(DescribeLaunchTemplateVersionsCommand)
    .callsFake(async (input: DescribeLaunchTemplateVersionsCommandInput, getClient) => {
      const account = await accountOf(getClient())
      events.push(`ec2 ${account}`)
      if (isSsmQuery(input)) return { LaunchTemplateVersions: [] }
      return {
        LaunchTemplateVersions: [
          {
            LaunchTemplateId: `lt-0${account}`,
            LaunchTemplateName: `web-${account}`,
            VersionNumber: 3,
            DefaultVersion: true,
            LaunchTemplateData: { ImageId: OLD }
          }
        ]
      }
    })
  ec2Mock.on(DescribeLaunchTemplatesCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient())
    events.push(`ec2 ${account}`)
    return {
      LaunchTemplates: [{ LaunchTemplateId: `lt-0${account}`, DefaultVersionNumber: 3, LatestVersionNumber: 3 }]
    }
  })
  asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(async (_input, getClient) => {
    const account = await accountOf(getClient())
    events.push(`autoscaling ${account}`)
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: `asg-${account}`,
          DesiredCapacity: 2,
          LaunchTemplate: { LaunchTemplateId: `lt-0${account}`, Version: '$Default' }
        }
      ]
    }
  })
  asgMock.on(DescribeLaunchConfigurationsCommand).callsFake(async (_input, getClient) => {
    events.push(`autoscaling ${await accountOf(getClient())}`)
    return { LaunchConfigurations: [] }
  })
}

function stsAnswers(): void {
  stsMock
    .on(AssumeRoleCommand)
    .callsFake((input: AssumeRoleCommandInput) => ({ Credentials: credentialsFor(accountOfArn(input.RoleArn)) }))
}

/** The deps of a search, as consumerFinder builds them: the Sts gateway and the role. */
function deps(extra: Partial<ConsumerSearchDeps> = {}): ConsumerSearchDeps {
  const assumer = roleAssumer({ consumerRole: ROLE, mask, runId: '4242', sts: () => new Sts(REGION) })
  return { ...assumer(REGION), log, ...extra }
}

/** What DescribeImageReferences names in every account (nothing, unless a test says). */
const REFERENCES_LINE = 'SSM parameters, Image Builder recipes and instances (DescribeImageReferences)'

beforeEach(() => {
  events = []
  logged = []
  ec2Mock.on(DescribeImageReferencesCommand).resolves({ ImageReferences: [] })
})
afterEach(() => {
  stsMock.reset()
  ec2Mock.reset()
  asgMock.reset()
})

describe('consumer search', () => {
  test('assumes the role once per account, with its ARN and the run session, and names what each account holds', async () => {
    stsAnswers()
    accountsHoldTemplates()
    const found = await searchConsumers(deps(), REGION, [A, B, A], [OLD])

    const calls = stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)
    expect(calls.map((c) => c.RoleArn).sort()).toEqual([arnOf(A), arnOf(B)])
    expect(new Set(calls.map((c) => c.RoleSessionName))).toEqual(new Set(['disable-superseded-ami-4242']))

    expect(found.templates).toEqual([
      expect.objectContaining({ accountId: A, launchTemplateName: `web-${A}`, imageId: OLD, isDefault: true }),
      expect.objectContaining({ accountId: B, launchTemplateName: `web-${B}`, imageId: OLD, isDefault: true })
    ])
    expect(found.groups).toEqual([
      expect.objectContaining({ accountId: A, autoScalingGroupName: `asg-${A}`, version: '$Default' }),
      expect.objectContaining({ accountId: B, autoScalingGroupName: `asg-${B}`, version: '$Default' })
    ])
    expect(found.accounts).toEqual([
      { region: REGION, imageId: OLD, accountId: A, launchTemplates: 1, instances: 0, source: 'consumer-role' },
      { region: REGION, imageId: OLD, accountId: B, launchTemplates: 1, instances: 0, source: 'consumer-role' }
    ])
    expect(found.warnings).toEqual([])
    expect(found.unknowns).toEqual([])
    expect(found.checked).toEqual([
      `2 other accounts by consumer-role: launch templates (default, latest and versions pinned by groups), Auto Scaling groups, launch configurations, ${REFERENCES_LINE}`
    ])
    // every request of an account was signed with that account's credentials
    expect(events.filter((e) => /^(ec2|autoscaling) /.test(e)).every((e) => e.endsWith(A) || e.endsWith(B))).toBe(true)
  })

  test('an account where nothing points at the images is searched, and is no AccountUse', async () => {
    stsAnswers()
    accountsHoldTemplates()
    const found = await searchConsumers(deps(), REGION, [A], ['ami-0000000000000000f'])
    expect(found.templates).toEqual([])
    expect(found.accounts).toEqual([])
    expect(found.checked[0]).toMatch(/^1 other account by consumer-role/)
  })

  test("an account's instances of an image (DescribeImageReferences) are counted in its AccountUse", async () => {
    stsAnswers()
    accountsHoldTemplates()
    ec2Mock.on(DescribeImageReferencesCommand).callsFake(async (_input, getClient) => {
      const account = await accountOf(getClient())
      const instance = (n: number) => ({
        ImageId: OLD,
        ResourceType: 'ec2:Instance',
        Arn: `arn:aws:ec2:${REGION}:${account}:instance/i-000000000000000${n}`
      })
      return { ImageReferences: account === A ? [instance(1), instance(2), instance(2)] : [] }
    })
    const found = await searchConsumers(deps(), REGION, [A, B], [OLD])
    expect(found.accounts.map((a) => [a.accountId, a.launchTemplates, a.instances])).toEqual([
      [A, 1, 2],
      [B, 1, 0]
    ])
  })

  test('accounts are searched at once, never more than the bound', async () => {
    let inFlight = 0
    let peak = 0
    let release: () => void = () => undefined
    const twoInFlight = new Promise<void>((resolve) => (release = resolve))
    const gate = Promise.race([twoInFlight, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())])
    stsMock.on(AssumeRoleCommand).callsFake(async (input: AssumeRoleCommandInput) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      if (inFlight === 2) release()
      await gate
      inFlight--
      return { Credentials: credentialsFor(accountOfArn(input.RoleArn)) }
    })
    accountsHoldTemplates()
    const found = await searchConsumers(deps({ concurrency: 2 }), REGION, [A, B, C, '123412341234'], [OLD])
    expect(peak).toBe(2)
    expect(found.accounts.map((a) => a.accountId)).toEqual([A, B, C, '123412341234'])
  })

  test('the limiter runs at most its bound at once, in order, and goes on after a failure', async () => {
    const limit = limiter(2)
    let inFlight = 0
    let peak = 0
    const order: number[] = []
    const task = (n: number) => async () => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      order.push(n)
      if (n === 1) throw new Error('one')
      return n
    }
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => limit(task(n))))
    expect(peak).toBe(2)
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
    expect(order.slice(0, 2).sort()).toEqual([1, 2])
  })

  test('a role that cannot be assumed is a warning naming the account and the role, and an unknown; the others are searched', async () => {
    stsMock.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
      const account = accountOfArn(input.RoleArn)
      if (account === B) {
        return Promise.reject(
          Object.assign(
            new Error(
              `User: arn:aws:sts::${OWNER}:assumed-role/gha/run is not authorized to perform: sts:AssumeRole on resource: ${arnOf(B)}`
            ),
            { name: 'AccessDenied', Code: 'AccessDenied' }
          )
        )
      }
      return { Credentials: credentialsFor(account) }
    })
    accountsHoldTemplates()
    const found = await searchConsumers(deps(), REGION, [A, B], [OLD])
    expect(found.warnings).toHaveLength(1)
    expect(found.warnings[0]).toContain(`account ${B}`)
    expect(found.warnings[0]).toContain(`the role ${arnOf(B)} could not be assumed`)
    expect(found.warnings[0]).toContain('AccessDenied')
    expect(found.unknowns).toEqual([
      { region: REGION, accountId: B, why: expect.stringContaining(`the role ${arnOf(B)} could not be assumed`) }
    ])
    expect(found.templates.map((t) => t.accountId)).toEqual([A])
    expect(found.checked[0]).toMatch(/^1 other account by consumer-role/)
    expect(events.some((e) => e.endsWith(B) && !e.startsWith('mask'))).toBe(false)
  })

  test('the assumed credentials are masked before any request that uses them, and reach no log line', async () => {
    stsAnswers()
    accountsHoldTemplates()
    const found = await searchConsumers(deps(), REGION, [A, B], [OLD])
    for (const account of [A, B]) {
      const firstUse = events.findIndex((e) => e === `ec2 ${account}` || e === `autoscaling ${account}`)
      expect(firstUse).toBeGreaterThan(-1)
      expect(events.indexOf(`mask ${secretOf(account)}`)).toBeGreaterThan(-1)
      expect(events.indexOf(`mask ${secretOf(account)}`)).toBeLessThan(firstUse)
      expect(events.indexOf(`mask ${tokenOf(account)}`)).toBeGreaterThan(-1)
      expect(events.indexOf(`mask ${tokenOf(account)}`)).toBeLessThan(firstUse)
    }
    expect(logged.length).toBeGreaterThan(0)
    const everything = [...logged, JSON.stringify(found)].join('\n')
    for (const account of [A, B]) {
      expect(everything).not.toContain(secretOf(account))
      expect(everything).not.toContain(tokenOf(account))
      expect(everything).not.toContain(`ASIA${account}`)
    }
  })

  test('a read denied inside an account is a warning naming the account and the IAM action', async () => {
    stsAnswers()
    accountsHoldTemplates()
    const denied = (name: string) =>
      Object.assign(new Error('You are not authorized to perform this operation.'), { name })
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(async (_input, getClient) => {
      const account = await accountOf(getClient())
      if (account === A) throw denied('AccessDenied')
      return { AutoScalingGroups: [] }
    })
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake(async (_input, getClient) => {
      const account = await accountOf(getClient())
      if (account === B) throw denied('UnauthorizedOperation')
      return { LaunchTemplateVersions: [] }
    })
    const found = await searchConsumers(deps(), REGION, [A, B], [OLD])
    expect(found.warnings).toEqual([
      `account ${A}: Auto Scaling groups were not checked in ${REGION}: the role needs autoscaling:DescribeAutoScalingGroups`,
      `account ${B}: launch templates were not checked in ${REGION}: the role needs ec2:DescribeLaunchTemplateVersions (UnauthorizedOperation)`
    ])
    // the templates of B are not known: an unknown; A's groups are only a warning (as in the owner's account)
    expect(found.unknowns).toEqual([
      { region: REGION, accountId: B, why: expect.stringContaining('ec2:DescribeLaunchTemplateVersions') }
    ])
  })

  test('the SSM parameters of each account (DescribeImageReferences there) are named, with their account', async () => {
    stsAnswers()
    accountsHoldTemplates()
    ec2Mock.on(DescribeImageReferencesCommand).callsFake(async (input: { ImageIds?: string[] }, getClient) => {
      const account = await accountOf(getClient())
      return {
        ImageReferences: (input.ImageIds ?? []).map((imageId) => ({
          ImageId: imageId,
          ResourceType: 'ssm:Parameter',
          Arn: `arn:aws:ssm:${REGION}:${account}:parameter/golden/web`
        }))
      }
    })
    const found = await searchConsumers(deps(), REGION, [A], [OLD])
    expect(found.references).toEqual([
      {
        region: REGION,
        imageId: OLD,
        resourceType: 'ssm:Parameter',
        arn: `arn:aws:ssm:${REGION}:${A}:parameter/golden/web`,
        accountId: A
      }
    ])
    expect(found.checked).toEqual([expect.stringContaining(REFERENCES_LINE)])
  })
})

describe('assumed credentials', () => {
  test('are fetched again, once for all, shortly before they expire, and every set is masked before it is used', async () => {
    let clock = 0
    let n = 0
    const sets: string[] = []
    const fetch = (): Promise<AssumedCredentials> => {
      n++
      return Promise.resolve({
        accessKeyId: `AKID${n}`,
        secretAccessKey: `secret${n}`,
        sessionToken: `token${n}`,
        expiration: new Date(clock + 3600_000)
      })
    }
    const masked: string[] = []
    const provider = await refreshingCredentials(
      fetch,
      (v) => void masked.push(v),
      () => clock
    )
    expect(masked).toEqual(['secret1', 'token1', 'AKID1'])
    sets.push((await provider()).secretAccessKey)
    clock = 3600_000 - 6 * 60_000 // 6 minutes before expiry: still good
    sets.push((await provider()).secretAccessKey)
    clock = 3600_000 - 4 * 60_000 // 4 minutes before: fetched again, once for both callers
    const [x, y] = await Promise.all([provider(), provider()])
    sets.push(x.secretAccessKey, y.secretAccessKey)
    expect(sets).toEqual(['secret1', 'secret1', 'secret2', 'secret2'])
    expect(n).toBe(2)
    expect(masked).toEqual(['secret1', 'token1', 'AKID1', 'secret2', 'token2', 'AKID2'])
  })

  test('the role of an account is assumed once for the whole run, whatever the regions', async () => {
    stsAnswers()
    const assumer = roleAssumer({ consumerRole: ROLE, mask, sts: () => new Sts(REGION) })
    await assumer('eu-west-1').assume(A)
    const other = await assumer('us-east-1').assume(A)
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1)
    expect(other.ec2.region).toBe('us-east-1')
    expect(await other.ec2.client.config.region()).toBe('us-east-1')
  })
})

function image(imageId: string, sharing: Sharing | undefined): { image: Image; sharing: Sharing | undefined } {
  return {
    image: {
      region: REGION,
      imageId,
      name: imageId,
      ownerId: OWNER,
      state: 'available',
      creationDate: '2026-01-01T00:00:00.000Z',
      public: false,
      tags: []
    },
    sharing
  }
}

describe('consumer finder', () => {
  const reports = (accountIds: string[]): ReportsUsage => ({
    accounts: accountIds.map((accountId) => ({
      region: REGION,
      imageId: OLD,
      accountId,
      launchTemplates: 1,
      instances: 4,
      source: 'usage-report' as const
    })),
    unknowns: [],
    checked: ['usage reports of 1 shared image']
  })

  test('a role not assumed is unknown about the images that account may use, not about an image it cannot launch', async () => {
    stsMock.on(AssumeRoleCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }))
    const finder = consumerFinder({ mask, consumerRole: ROLE, runId: '4242', sts: () => new Sts(REGION) })
    const theirs = image('ami-0000000000000000b', { ...emptySharing(), userIds: [A] })
    const ours = image('ami-0000000000000000c', emptySharing())
    const org = image('ami-0000000000000000d', {
      ...emptySharing(),
      organizationArns: ['arn:aws:organizations::1:organization/o-1']
    })
    const found = await finder?.(REGION).find([theirs, ours, org])
    expect(found?.unknowns.map((u) => [u.accountId, u.imageId])).toEqual([
      [A, 'ami-0000000000000000b'],
      [A, 'ami-0000000000000000d']
    ])
  })

  test('nothing to look for: no finder', () => {
    expect(consumerFinder({ mask })).toBeUndefined()
    expect(consumerFinder({ mask, consumerRole: '' })).toBeUndefined()
  })

  test('searches the accounts the images are shared with and those the reports name, never the owner, each once', async () => {
    stsAnswers()
    accountsHoldTemplates()
    const find = consumerFinder({
      consumerRole: ROLE,
      mask,
      runId: '77',
      sts: () => new Sts(REGION),
      accountsFromReports: () => Promise.resolve(reports([B, C, OWNER])),
      log
    })
    const sharing = { ...emptySharing(), userIds: [A, B, OWNER] }
    const found = await find?.(REGION).find([image(OLD, sharing)])
    const arns = stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)
    expect(arns.sort()).toEqual([arnOf(A), arnOf(B), arnOf(C)])
    expect(found?.accounts.map((a) => `${a.source} ${a.accountId}`)).toEqual([
      `usage-report ${B}`,
      `usage-report ${C}`,
      `usage-report ${OWNER}`,
      `consumer-role ${A}`,
      `consumer-role ${B}`,
      `consumer-role ${C}`
    ])
    expect(found?.templates.map((t) => t.accountId)).toEqual([A, B, C])
    expect(found?.checked).toEqual([
      'usage reports of 1 shared image',
      expect.stringMatching(/^3 other accounts by consumer-role/)
    ])
    expect(found?.warnings).toEqual([])
  })

  test('without consumer-role, only the reports are read', async () => {
    const find = consumerFinder({ mask, accountsFromReports: () => Promise.resolve(reports([B])) })
    const found = await find?.(REGION).find([image(OLD, { ...emptySharing(), userIds: [A] })])
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0)
    expect(found).toEqual({
      accounts: reports([B]).accounts,
      templates: [],
      groups: [],
      launchConfigurations: [],
      references: [],
      unknowns: [],
      checked: ['usage reports of 1 shared image'],
      warnings: []
    })
  })

  test('reports that fail are an unknown; sharing not read and sharing beyond accounts are said', async () => {
    stsAnswers()
    accountsHoldTemplates()
    const failing = consumerFinder({
      consumerRole: ROLE,
      mask,
      sts: () => new Sts(REGION),
      accountsFromReports: () => Promise.reject(new Error('boom'))
    })
    const one = await failing?.(REGION).find([image(OLD, { ...emptySharing(), userIds: [A] })])
    expect(one?.unknowns).toEqual([{ region: REGION, why: 'the usage reports could not be read: boom' }])
    expect(one?.templates.map((t) => t.accountId)).toEqual([A])

    const withoutReports = consumerFinder({ consumerRole: ROLE, mask, sts: () => new Sts(REGION) })
    const two = await withoutReports?.(REGION).find([
      image(OLD, { ...emptySharing(), organizationArns: ['arn:aws:organizations::999988887777:organization/o-1'] }),
      image('ami-0000000000000000b', undefined)
    ])
    expect(two?.warnings).toEqual([
      `${OLD} is shared with organizations, OUs or everyone: the accounts there are known only from usage reports, and were not searched by consumer-role`,
      'the sharing of ami-0000000000000000b could not be read: the accounts it is shared with were not searched by consumer-role'
    ])
    expect(two?.checked).toEqual([NO_ACCOUNT])
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1)
  })
})
