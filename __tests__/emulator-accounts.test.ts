/**
 * The emulator's accounts, driven by the real SDK clients: STS AssumeRole into a consumer account,
 * what the consumer sees (its own templates and groups, images only while shared), access keys,
 * per-account deny and throttling switches.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DisableImageCommand,
  EC2Client
} from '@aws-sdk/client-ec2'
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling'
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startAwsEmulator, type AwsEmulator } from '../test-support/emulator/ec2.js'

const REGION = 'us-east-1'
const OWNER = '111122223333'
const CONSUMER = '222233334444'
const ORG = 'arn:aws:organizations::111122223333:organization/o-abc123def4'
const OU = 'arn:aws:organizations::111122223333:ou/o-abc123def4/ou-ab12-cdef3456'
const ownerKeys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

let emu: AwsEmulator
let clock = Date.UTC(2026, 10, 25, 9, 0)
const clients: Array<{ destroy(): void }> = []

function ec2(credentials: Creds = ownerKeys, region = REGION): EC2Client {
  const c = new EC2Client({ region, endpoint: emu.url, credentials, maxAttempts: 1 })
  clients.push(c)
  return c
}
function sts(credentials: Creds = ownerKeys): STSClient {
  const c = new STSClient({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 1 })
  clients.push(c)
  return c
}

async function error(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number | undefined }> {
  try {
    await p
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } }
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode }
  }
  throw new Error('expected the call to fail')
}

/** Credentials of the consumer account, through AssumeRole as the action will get them. */
async function assume(account = CONSUMER, role = 'reader'): Promise<Creds> {
  const { Credentials } = await sts().send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/${role}`,
      RoleSessionName: 'disable-superseded-ami'
    })
  )
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!
  }
}

beforeAll(async () => {
  emu = await startAwsEmulator({ random: 7, now: () => clock })
})

afterAll(async () => {
  for (const c of clients) c.destroy()
  await emu.close()
})

beforeEach(() => {
  clock = Date.UTC(2026, 10, 25, 9, 0)
  emu.state.reset()
  emu.resetFaults()
  emu.clearCalls()
})

describe('STS', () => {
  it('AssumeRole issues temporary credentials of the role account; GetCallerIdentity tells who signed', async () => {
    const { Credentials, AssumedRoleUser } = await sts().send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${CONSUMER}:role/ami-reader`,
        RoleSessionName: 'run-42',
        DurationSeconds: 900
      })
    )
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(Credentials?.SecretAccessKey).toBeTruthy()
    expect(Credentials?.SessionToken).toBeTruthy()
    expect(Credentials?.Expiration).toEqual(new Date(clock + 900_000))
    expect(AssumedRoleUser).toEqual({
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:run-42$/),
      Arn: `arn:aws:sts::${CONSUMER}:assumed-role/ami-reader/run-42`
    })
    const creds = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!
    }
    expect(await sts(creds).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: CONSUMER,
      Arn: `arn:aws:sts::${CONSUMER}:assumed-role/ami-reader/run-42`
    })
    expect(await sts().send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: OWNER,
      Arn: `arn:aws:sts::${OWNER}:assumed-role/emulator-role/emulator-session`
    })
    expect(emu.calls.map((c) => [c.service, c.action, c.accountId])).toEqual([
      ['sts', 'AssumeRole', OWNER],
      ['sts', 'GetCallerIdentity', CONSUMER],
      ['sts', 'GetCallerIdentity', OWNER]
    ])
    expect(emu.calls[0]!.params).toMatchObject({ Version: '2011-06-15', DurationSeconds: '900' })
  })

  it('denies AssumeRole per account or role with STS own message; validates its parameters', async () => {
    emu.faults.denyAssumeRole.add(CONSUMER)
    const denied = await error(assume())
    expect(denied).toEqual({
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${OWNER}:assumed-role/emulator-role/emulator-session is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${CONSUMER}:role/reader`
    })
    await expect(assume('333344445555')).resolves.toBeDefined()
    emu.faults.denyAssumeRole.clear()
    emu.faults.denyAssumeRole.add('arn:aws:iam::*:role/admin')
    expect((await error(assume(CONSUMER, 'admin'))).name).toBe('AccessDenied')
    await expect(assume(CONSUMER, 'reader')).resolves.toBeDefined()

    const tooLong = await error(
      sts().send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${CONSUMER}:role/x`,
          RoleSessionName: 'run',
          DurationSeconds: 7200
        })
      )
    )
    expect(tooLong).toMatchObject({ name: 'ValidationError', status: 400 })
    expect(tooLong.message).toContain('MaxSessionDuration')
    const badName = await error(
      sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CONSUMER}:role/x`, RoleSessionName: 'a b' }))
    )
    expect(badName.name).toBe('ValidationError')
    const unknown = await error(
      sts().send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CONSUMER}:role/x`, RoleSessionName: 'ab', Policy: '{}' })
      )
    )
    expect(unknown).toMatchObject({ name: 'UnknownParameter', message: 'The parameter Policy is not recognized' })
  })

  it('expired or tampered session credentials are refused', async () => {
    const creds = await assume()
    const bad = await error(ec2({ ...creds, sessionToken: 'forged' }).send(new DescribeLaunchTemplatesCommand({})))
    expect(bad).toMatchObject({ name: 'AuthFailure', status: 401 })
    clock += 3601_000
    const expired = await error(ec2(creds).send(new DescribeLaunchTemplatesCommand({})))
    expect(expired.name).toBe('RequestExpired')
    expect((await error(sts(creds).send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredToken')
  })
})

describe('accounts', () => {
  it('a consumer sees its own templates and groups and only the images shared with it; disabling cuts it off', async () => {
    const shared = emu.addImage(REGION, { name: 'golden-1', launchPermissions: [{ userId: CONSUMER }] })
    const byOrg = emu.addImage(REGION, { name: 'golden-2', launchPermissions: [{ organizationArn: ORG }] })
    const byOu = emu.addImage(REGION, { name: 'golden-3', launchPermissions: [{ organizationalUnitArn: OU }] })
    emu.addImage(REGION, { name: 'private' })
    emu.addLaunchTemplate(REGION, { name: 'owner-web', versions: [{ imageId: shared.imageId }] })
    const consumer = emu.account(CONSUMER)
    consumer.addLaunchTemplate(REGION, { name: 'consumer-web', versions: [{ imageId: shared.imageId }] })
    consumer.addAutoScalingGroup(REGION, {
      name: 'consumer-asg',
      launchTemplate: { launchTemplateName: 'consumer-web', version: '$Default' }
    })
    const own = consumer.addImage(REGION, { name: 'consumer-own' })
    expect(own.ownerId).toBe(CONSUMER)

    const creds = await assume()
    const asConsumer = ec2(creds)
    const names = async (client: EC2Client): Promise<string[]> =>
      ((await client.send(new DescribeImagesCommand({}))).Images ?? []).map((i) => i.Name ?? '').sort()
    expect(await names(asConsumer)).toEqual(['consumer-own', 'golden-1'])
    // declared in the organization (and an OU of it): the organization's and the OU's sharing count
    emu.account(CONSUMER, { organizationalUnitArns: [OU] })
    expect(consumer.organizationArn).toBe(ORG)
    expect(await names(asConsumer)).toEqual(['consumer-own', 'golden-1', 'golden-2', 'golden-3'])
    expect(await names(ec2())).toEqual(['golden-1', 'golden-2', 'golden-3', 'private'])

    const templates = await asConsumer.send(new DescribeLaunchTemplatesCommand({}))
    expect(templates.LaunchTemplates?.map((t) => t.LaunchTemplateName)).toEqual(['consumer-web'])
    const versions = await asConsumer.send(
      new DescribeLaunchTemplateVersionsCommand({
        Versions: ['$Latest'],
        Filters: [{ Name: 'image-id', Values: [shared.imageId] }]
      })
    )
    expect(versions.LaunchTemplateVersions?.map((v) => v.LaunchTemplateName)).toEqual(['consumer-web'])
    const asg = new AutoScalingClient({ region: REGION, endpoint: emu.url, credentials: creds, maxAttempts: 1 })
    clients.push(asg)
    const groups = await asg.send(new DescribeAutoScalingGroupsCommand({}))
    expect(groups.AutoScalingGroups?.map((g) => [g.AutoScalingGroupName, g.LaunchTemplate?.LaunchTemplateId])).toEqual([
      ['consumer-asg', consumer.launchTemplates(REGION)[0]!.launchTemplateId]
    ])
    expect(groups.AutoScalingGroups?.[0]?.AutoScalingGroupARN).toContain(`:${CONSUMER}:autoScalingGroup:`)

    // only the owner may disable; disabling removes the sharing, so the consumer no longer sees it
    expect((await error(asConsumer.send(new DisableImageCommand({ ImageId: shared.imageId })))).name).toBe(
      'AuthFailure'
    )
    await ec2().send(new DisableImageCommand({ ImageId: byOu.imageId }))
    await ec2().send(new DisableImageCommand({ ImageId: shared.imageId }))
    expect(await names(asConsumer)).toEqual(['consumer-own', 'golden-2'])
    const byId = await error(
      asConsumer.send(new DescribeImagesCommand({ ImageIds: [shared.imageId], IncludeDisabled: true }))
    )
    expect(byId.name).toBe('InvalidAMIID.NotFound')
    // the consumer's template still points at it
    expect(consumer.launchTemplates(REGION)[0]!.versions[0]!.imageId).toBe(shared.imageId)
    expect(byOrg.state).toBe('available')
  })

  it('static access keys act as their account; unknown keys as the owner', async () => {
    const consumer = emu.account(CONSUMER)
    consumer.addLaunchTemplate(REGION, { name: 'consumer-web', versions: [{ imageId: 'ami-0123456789abcdef0' }] })
    expect(consumer.credentials.accessKeyId).toBe(`AKIA${CONSUMER}EMUL`)
    const direct = await ec2(consumer.credentials).send(new DescribeLaunchTemplatesCommand({}))
    expect(direct.LaunchTemplates?.map((t) => t.LaunchTemplateName)).toEqual(['consumer-web'])
    const owner = await ec2({ accessKeyId: 'ASIAZZSECRETTEST0042', secretAccessKey: 'x', sessionToken: 't' }).send(
      new DescribeLaunchTemplatesCommand({})
    )
    expect(owner.LaunchTemplates).toBeUndefined()
    expect(emu.calls.map((c) => c.accountId)).toEqual([CONSUMER, OWNER])
  })

  it('deny per account: UnauthorizedOperation for that account only, terse; throttling per account', async () => {
    emu.faults.denyByAccount.set(CONSUMER, new Set(['ec2:DescribeLaunchTemplates']))
    const creds = await assume()
    const denied = await error(ec2(creds).send(new DescribeLaunchTemplatesCommand({})))
    expect(denied).toEqual({
      name: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      status: 403
    })
    await expect(ec2().send(new DescribeLaunchTemplatesCommand({}))).resolves.toBeDefined()

    emu.faults.throttle = { mode: 'burst', count: 1, accounts: [CONSUMER] }
    await expect(ec2().send(new DescribeLaunchTemplatesCommand({}))).resolves.toBeDefined()
    emu.faults.denyByAccount.clear()
    expect((await error(ec2(creds).send(new DescribeLaunchTemplatesCommand({})))).name).toBe('RequestLimitExceeded')
    await expect(ec2(creds).send(new DescribeLaunchTemplatesCommand({}))).resolves.toBeDefined()
  })

  it('a seed holds accounts with their membership, instances, recipes and typed SSM parameters; toSeed gives them back', () => {
    emu.seed({
      regions: { [REGION]: { images: [{ imageId: 'ami-0123456789abcdef0', name: 'golden' }] } },
      accounts: {
        [CONSUMER]: {
          organizationArn: ORG,
          regions: {
            [REGION]: {
              launchTemplates: [{ name: 'web', versions: [{ imageId: 'ami-0123456789abcdef0' }] }],
              instances: [{ imageId: 'ami-0123456789abcdef0', state: 'stopped' }],
              imageRecipes: [{ name: 'base', parentImage: 'ami-0123456789abcdef0', container: true }],
              ssmParameters: { '/golden/latest': { value: 'ami-0123456789abcdef0', dataType: 'aws:ec2:image' } }
            }
          }
        }
      }
    })
    const seed = emu.state.toSeed()
    emu.state.reset()
    expect(emu.account(CONSUMER).launchTemplates(REGION)).toEqual([])
    emu.seed(seed)
    const consumer = emu.account(CONSUMER)
    expect(consumer.organizationArn).toBe(ORG)
    expect(consumer.launchTemplates(REGION).map((t) => t.launchTemplateName)).toEqual(['web'])
    expect(consumer.instances(REGION).map((i) => i.state)).toEqual(['stopped'])
    expect(consumer.imageRecipes(REGION)[0]?.arn).toBe(
      `arn:aws:imagebuilder:${REGION}:${CONSUMER}:container-recipe/base/1.0.0`
    )
    expect(consumer.ssmDataType(REGION, '/golden/latest')).toBe('aws:ec2:image')
    expect(emu.images(REGION).map((i) => i.ownerId)).toEqual([OWNER])
  })
})
