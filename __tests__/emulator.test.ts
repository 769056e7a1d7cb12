/**
 * The test tooling itself: the AWS emulator driven by the real SDK clients, the GitHub fake driven by
 * @actions/github's Octokit, and runAction's environment handling.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CreateTagsCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DisableImageCommand,
  EC2Client,
  EnableImageCommand,
  ModifyImageAttributeCommand,
  paginateDescribeImages,
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
  type DescribeImagesCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
  type Image,
  type LaunchTemplateVersion
} from '@aws-sdk/client-ec2'
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeLaunchConfigurations,
  type AutoScalingGroup,
  type LaunchConfiguration
} from '@aws-sdk/client-auto-scaling'
import { getOctokit } from '@actions/github'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAwsEmulator, credentialScope, type AwsEmulator } from '../test-support/emulator/ec2.js'
import { startGitHubFake, type GitHubFake } from '../test-support/github.js'
import { parseActionDefaults, parseOutputFile, runAction } from '../test-support/run-action.js'

const REGION = 'us-east-1'
const OTHER = '999988887777'
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }

let emu: AwsEmulator
let ec2: EC2Client
let asg: AutoScalingClient

function client(region = REGION, maxAttempts = 1): EC2Client {
  return new EC2Client({ region, endpoint: emu.url, credentials, maxAttempts })
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

beforeAll(async () => {
  emu = await startAwsEmulator({ random: 42 })
  ec2 = client()
  asg = new AutoScalingClient({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 1 })
})

afterAll(async () => {
  ec2.destroy()
  asg.destroy()
  await emu.close()
})

beforeEach(() => {
  emu.state.reset()
  emu.resetFaults()
  emu.clearCalls()
})

describe('routing', () => {
  it('reads region and service from the SigV4 credential scope', async () => {
    expect(
      credentialScope(
        'AWS4-HMAC-SHA256 Credential=AKID/20261125/eu-west-1/autoscaling/aws4_request, SignedHeaders=host'
      )
    ).toEqual({
      region: 'eu-west-1',
      service: 'autoscaling'
    })
    emu.addImage('eu-west-1', { name: 'eu' })
    const eu = client('eu-west-1')
    const { Images } = await eu.send(new DescribeImagesCommand({ Owners: ['self'] }))
    eu.destroy()
    expect(Images?.map((i) => i.Name)).toEqual(['eu'])
    expect((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).toEqual([])
    expect(emu.calls.map((c) => [c.service, c.region, c.action])).toEqual([
      ['ec2', 'eu-west-1', 'DescribeImages'],
      ['ec2', REGION, 'DescribeImages']
    ])
    expect(emu.calls[0]!.params).toMatchObject({ Action: 'DescribeImages', Version: '2016-11-15', 'Owner.1': 'self' })
  })

  it('answers InvalidAction for actions it does not serve, also when IAM would deny them', async () => {
    const post = (body: string): Promise<Response> =>
      fetch(emu.url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    emu.faults.deny.add('ec2:*')
    for (const action of ['RunInstances', 'DeleteTags']) {
      const res = await post(`Action=${action}&Version=2016-11-15&ResourceId.1=ami-0123456789abcdef0`)
      expect(res.status).toBe(400)
      const text = await res.text()
      expect(text).toContain('<Code>InvalidAction</Code>')
      expect(text).toContain(`The action ${action} is not valid for this web service.`)
    }
    const asg = await post('Action=DescribeScalingActivities&Version=2011-01-01')
    expect(asg.status).toBe(400)
    expect(await asg.text()).toContain('<Code>InvalidAction</Code>')
  })

  it('answers UnknownParameter for a parameter the action does not model, naming it as EC2 does', async () => {
    const e = await error(ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] })))
    expect(e).toEqual({
      name: 'UnknownParameter',
      message: 'The parameter ExecutableBy is not recognized',
      status: 400
    })
    const asgError = await error(asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] })))
    expect(asgError).toMatchObject({ name: 'UnknownParameter', status: 400 })
    expect(asgError.message).toBe('The parameter AutoScalingGroupNames.member is not recognized')
  })
})

describe('DescribeImages', () => {
  it('returns images with every field the SDK parses, ids are ami- + 17 hex', async () => {
    const img = emu.addImage(REGION, {
      name: 'golden-2026-11-01',
      description: 'golden',
      creationDate: '2026-11-01T10:00:00.000Z',
      tags: [
        { key: 'family', value: 'golden' },
        { key: 'build', value: '7' }
      ],
      deprecationTime: '2099-01-01T00:00:00.000Z',
      lastLaunchedTime: '2026-11-20T00:00:00Z'
    })
    expect(img.imageId).toMatch(/^ami-[0-9a-f]{17}$/)
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [img.imageId] }))
    expect(Images).toHaveLength(1)
    expect(Images![0]).toMatchObject({
      ImageId: img.imageId,
      Name: 'golden-2026-11-01',
      Description: 'golden',
      OwnerId: '111122223333',
      State: 'available',
      Public: false,
      CreationDate: '2026-11-01T10:00:00.000Z',
      Architecture: 'x86_64',
      ImageType: 'machine',
      RootDeviceType: 'ebs',
      VirtualizationType: 'hvm',
      DeprecationTime: '2099-01-01T00:00:00.000Z',
      LastLaunchedTime: '2026-11-20T00:00:00Z',
      Tags: [
        { Key: 'family', Value: 'golden' },
        { Key: 'build', Value: '7' }
      ]
    })
  })

  it('hides disabled images unless IncludeDisabled, also when asked by id', async () => {
    const a = emu.addImage(REGION, { name: 'a' })
    const b = emu.addImage(REGION, { name: 'b', state: 'disabled' })
    const names = async (input: DescribeImagesCommandInput): Promise<string[]> =>
      ((await ec2.send(new DescribeImagesCommand(input))).Images ?? []).map((i) => i.Name!).sort()
    expect(await names({ Owners: ['self'] })).toEqual(['a'])
    expect(await names({ Owners: ['self'], IncludeDisabled: true })).toEqual(['a', 'b'])
    expect(await names({ ImageIds: [a.imageId, b.imageId] })).toEqual(['a'])
    expect(await names({ ImageIds: [b.imageId], IncludeDisabled: true })).toEqual(['b'])
    emu.faults.disabledByIdNotFound = true
    expect((await error(ec2.send(new DescribeImagesCommand({ ImageIds: [b.imageId] })))).name).toBe(
      'InvalidAMIID.NotFound'
    )
  })

  it('answers NotFound, Malformed and InvalidParameterCombination like EC2', async () => {
    const nf = await error(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })))
    expect(nf).toEqual({
      name: 'InvalidAMIID.NotFound',
      message: "The image id '[ami-0123456789abcdef0]' does not exist",
      status: 400
    })
    expect(await error(ec2.send(new DescribeImagesCommand({ ImageIds: ['nope'] })))).toEqual({
      name: 'InvalidAMIID.Malformed',
      message: 'Invalid id: "nope" (expecting "ami-...")',
      status: 400
    })
    const combo = await error(
      ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'], MaxResults: 5 }))
    )
    expect(combo).toEqual({
      name: 'InvalidParameterCombination',
      message: 'The parameter imageIdsSet cannot be used with the parameter maxResults',
      status: 400
    })
    expect(await error(ec2.send(new DescribeImagesCommand({ MaxResults: 4 })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 5.',
      status: 400
    })
    expect(await error(ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })))).toEqual({
      name: 'InvalidParameterValue',
      message: "The filter 'bogus' is invalid",
      status: 400
    })
  })

  it('shows own, public and shared images only; Owners (self, an account id) narrow', async () => {
    emu.addImage(REGION, { name: 'mine' })
    emu.addImage(REGION, { name: 'theirs-private', ownerId: OTHER })
    emu.addImage(REGION, { name: 'theirs-public', ownerId: OTHER, public: true })
    const shared = emu.addImage(REGION, {
      name: 'theirs-shared',
      ownerId: OTHER,
      launchPermissions: [{ userId: '111122223333' }]
    })
    const hidden = emu.state.images(REGION).find((i) => i.name === 'theirs-private')!
    const names = async (input: DescribeImagesCommandInput): Promise<string[]> =>
      ((await ec2.send(new DescribeImagesCommand(input))).Images ?? []).map((i) => i.Name!).sort()
    expect(await names({})).toEqual(['mine', 'theirs-public', 'theirs-shared'])
    expect(await names({ Owners: ['self'] })).toEqual(['mine'])
    expect(await names({ Owners: [OTHER] })).toEqual(['theirs-public', 'theirs-shared'])
    expect(await names({ Owners: ['self', OTHER] })).toEqual(['mine', 'theirs-public', 'theirs-shared'])
    expect(await names({ ImageIds: [shared.imageId] })).toEqual(['theirs-shared'])
    expect((await error(ec2.send(new DescribeImagesCommand({ ImageIds: [hidden.imageId] })))).name).toBe(
      'InvalidAMIID.NotFound'
    )
  })

  it("filters the action's: name and image-id (globs), tag:<key>; values OR, filters AND; deprecated hidden for others", async () => {
    const g1 = emu.addImage(REGION, { name: 'golden-1', tags: [{ key: 'family', value: 'golden' }] })
    emu.addImage(REGION, { name: 'golden-2', tags: [{ key: 'family', value: 'golden' }], public: true })
    emu.addImage(REGION, { name: 'silver-1', tags: [{ key: 'family', value: 'silver' }] })
    emu.addImage(REGION, { name: 'golden-3', state: 'pending', tags: [{ key: 'family', value: 'gold*' }] })
    emu.addImage(REGION, {
      name: 'old-public',
      ownerId: OTHER,
      public: true,
      deprecationTime: '2020-01-01T00:00:00.000Z'
    })
    const names = async (Filters: Array<{ Name: string; Values: string[] }>, extra = {}): Promise<string[]> =>
      ((await ec2.send(new DescribeImagesCommand({ Filters, ...extra }))).Images ?? []).map((i) => i.Name!).sort()
    expect(await names([{ Name: 'name', Values: ['golden-?'] }])).toEqual(['golden-1', 'golden-2', 'golden-3'])
    expect(await names([{ Name: 'name', Values: ['golden-1', 'silver-*'] }])).toEqual(['golden-1', 'silver-1'])
    expect(
      await names([
        { Name: 'tag:family', Values: ['golden'] },
        { Name: 'name', Values: ['*-2'] }
      ])
    ).toEqual(['golden-2'])
    // a wildcard in a value matches as a wildcard; `\*` is a literal star
    expect(await names([{ Name: 'tag:family', Values: ['gold*'] }])).toEqual(['golden-1', 'golden-2', 'golden-3'])
    expect(await names([{ Name: 'tag:family', Values: ['gold\\*'] }])).toEqual(['golden-3'])
    expect(await names([{ Name: 'image-id', Values: [g1.imageId] }])).toEqual(['golden-1'])
    expect(await names([], { Owners: [OTHER], IncludeDeprecated: true })).toEqual(['old-public'])
    expect(await names([], { Owners: [OTHER] })).toEqual([])
    // filters the action never sends are not modelled (`state`, `tag-key` and
    // `block-device-mapping.snapshot-id` are retire's: __tests__/emulator-retire.test.ts)
    for (const name of ['is-public', 'owner-id'])
      expect(await error(ec2.send(new DescribeImagesCommand({ Filters: [{ Name: name, Values: ['x'] }] })))).toEqual({
        name: 'InvalidParameterValue',
        message: `The filter '${name}' is invalid`,
        status: 400
      })
  })

  it('paginates with MaxResults and NextToken through the SDK paginator', async () => {
    for (let i = 0; i < 23; i++) emu.addImage(REGION, { name: `img-${String(i).padStart(2, '0')}` })
    const pages: Image[][] = []
    for await (const page of paginateDescribeImages({ client: ec2, pageSize: 5 }, { Owners: ['self'] }))
      pages.push(page.Images ?? [])
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3])
    expect(new Set(pages.flat().map((i) => i.ImageId)).size).toBe(23)
    expect(emu.callsOf('DescribeImages').map((c) => c.params['MaxResults'])).toEqual(['5', '5', '5', '5', '5'])
    const bad = await error(ec2.send(new DescribeImagesCommand({ MaxResults: 5, NextToken: 'garbage' })))
    expect(bad.name).toBe('InvalidPaginationToken')
  })

  it('lets a pending image become available after N ms or N DescribeImages calls', async () => {
    const byCalls = emu.addImage(REGION, { name: 'build', availableAfterDescribes: 2 })
    const byTime = emu.addImage(REGION, { name: 'timed', availableAfterMs: 150 })
    const state = async (id: string): Promise<string | undefined> =>
      (await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0]?.State
    expect(await state(byCalls.imageId)).toBe('pending')
    expect(await state(byCalls.imageId)).toBe('available')
    expect(emu.image(REGION, byTime.imageId)!.state).toBe('pending')
    await new Promise((r) => setTimeout(r, 200))
    expect(await state(byTime.imageId)).toBe('available')
  })
})

describe('disable, enable, sharing', () => {
  it('disable removes all sharing and public; enable does not restore it', async () => {
    const img = emu.addImage(REGION, {
      name: 'shared',
      public: true,
      launchPermissions: [
        { userId: '444455556666' },
        { organizationArn: 'arn:aws:organizations::111122223333:organization/o-abcdef1234' }
      ]
    })
    const perms = async (): Promise<unknown> =>
      (await ec2.send(new DescribeImageAttributeCommand({ ImageId: img.imageId, Attribute: 'launchPermission' })))
        .LaunchPermissions
    expect(await perms()).toEqual([
      { Group: 'all' },
      { UserId: '444455556666' },
      { OrganizationArn: 'arn:aws:organizations::111122223333:organization/o-abcdef1234' }
    ])
    expect((await ec2.send(new DisableImageCommand({ ImageId: img.imageId }))).Return).toBe(true)
    expect(emu.image(REGION, img.imageId)).toMatchObject({ state: 'disabled', public: false, launchPermissions: [] })
    expect(await perms()).toEqual([]) // DescribeImageAttribute works on disabled images
    // disabling again succeeds (idempotent, documented choice)
    expect((await ec2.send(new DisableImageCommand({ ImageId: img.imageId }))).Return).toBe(true)
    // sharing a disabled image is refused
    const refused = await error(
      ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: img.imageId,
          LaunchPermission: { Add: [{ UserId: '444455556666' }] }
        })
      )
    )
    expect(refused.name).toBe('IncorrectState')
    expect((await ec2.send(new EnableImageCommand({ ImageId: img.imageId }))).Return).toBe(true)
    expect(emu.image(REGION, img.imageId)).toMatchObject({ state: 'available', public: false, launchPermissions: [] })
    expect(await perms()).toEqual([])
    // re-share, as the action does: launch permissions added
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: img.imageId,
        LaunchPermission: { Add: [{ UserId: '444455556666' }, { Group: 'all' }] }
      })
    )
    expect(await perms()).toEqual([{ Group: 'all' }, { UserId: '444455556666' }])
    expect(emu.callsOf('ModifyImageAttribute')[0]!.errorCode).toBe('IncorrectState')
    expect(emu.callsOf('ModifyImageAttribute')[1]!.params).toMatchObject({
      'LaunchPermission.Add.1.UserId': '444455556666',
      'LaunchPermission.Add.2.Group': 'all'
    })
    // the forms the action never sends are not modelled: removing, the legacy attribute form, the description
    for (const input of [
      { ImageId: img.imageId, LaunchPermission: { Remove: [{ Group: 'all' as const }] } },
      { ImageId: img.imageId, Attribute: 'launchPermission', OperationType: 'add' as const, UserIds: ['555566667777'] },
      { ImageId: img.imageId, Description: { Value: 'x' } }
    ]) {
      const e = await error(ec2.send(new ModifyImageAttributeCommand(input)))
      expect(e).toMatchObject({ name: 'UnknownParameter', status: 400 })
      expect(e.message).toMatch(
        /^The parameter (LaunchPermission\.Remove|Attribute|Description\.Value) is not recognized$/
      )
    }
    expect(await perms()).toEqual([{ Group: 'all' }, { UserId: '444455556666' }])
  })

  it('only the owner may disable, share or read launch permissions', async () => {
    const theirs = emu.addImage(REGION, { ownerId: OTHER, public: true })
    for (const p of [
      ec2.send(new DisableImageCommand({ ImageId: theirs.imageId })),
      ec2.send(new EnableImageCommand({ ImageId: theirs.imageId })),
      ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: theirs.imageId,
          LaunchPermission: { Add: [{ UserId: '444455556666' }] }
        })
      ),
      ec2.send(new CreateTagsCommand({ Resources: [theirs.imageId], Tags: [{ Key: 'k', Value: 'v' }] })),
      ec2.send(new DescribeImageAttributeCommand({ ImageId: theirs.imageId, Attribute: 'launchPermission' }))
    ]) {
      expect(await error(p)).toEqual({
        name: 'AuthFailure',
        message: `Not authorized for image:${theirs.imageId}`,
        status: 403
      })
    }
    expect(emu.image(REGION, theirs.imageId)).toMatchObject({ state: 'available', public: true, tags: [] })
  })

  it("reads the action's attribute (launchPermission), no other", async () => {
    const img = emu.addImage(REGION, {
      lastLaunchedTime: '2026-11-20T08:00:00Z',
      deregistrationProtection: 'enabled-with-cooldown',
      launchPermissions: [
        { organizationalUnitArn: 'arn:aws:organizations::111122223333:ou/o-abcdef1234/ou-ab12-cdef3456' }
      ]
    })
    const read = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId: img.imageId, Attribute: 'launchPermission' })
    )
    expect(read.ImageId).toBe(img.imageId)
    expect(read.LaunchPermissions).toEqual([
      { OrganizationalUnitArn: 'arn:aws:organizations::111122223333:ou/o-abcdef1234/ou-ab12-cdef3456' }
    ])
    for (const attribute of [
      'lastLaunchedTime',
      'deregistrationProtection',
      'description',
      'blockDeviceMapping'
    ] as const) {
      expect(
        await error(ec2.send(new DescribeImageAttributeCommand({ ImageId: img.imageId, Attribute: attribute })))
      ).toEqual({
        name: 'InvalidParameterValue',
        message: `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
        status: 400
      })
    }
  })

  it('block public access refuses Group=all', async () => {
    const img = emu.addImage(REGION, {})
    emu.faults.blockPublicAccess.add(REGION)
    const e = await error(
      ec2.send(new ModifyImageAttributeCommand({ ImageId: img.imageId, LaunchPermission: { Add: [{ Group: 'all' }] } }))
    )
    expect(e.name).toBe('OperationNotPermitted')
    await ec2.send(
      new ModifyImageAttributeCommand({ ImageId: img.imageId, LaunchPermission: { Add: [{ UserId: '444455556666' }] } })
    )
    expect(emu.image(REGION, img.imageId)!.launchPermissions).toEqual([{ userId: '444455556666' }])
  })

  it("DryRun: DryRunOperation (412) when allowed, UnauthorizedOperation (403) when denied, with EC2's terse message", async () => {
    const img = emu.addImage(REGION, {})
    const ok = await error(ec2.send(new DisableImageCommand({ ImageId: img.imageId, DryRun: true })))
    expect(ok).toEqual({
      name: 'DryRunOperation',
      message: 'Request would have succeeded, but DryRun flag is set.',
      status: 412
    })
    expect(emu.image(REGION, img.imageId)!.state).toBe('available')
    emu.faults.deny.add('ec2:DisableImage')
    const denied = await error(ec2.send(new DisableImageCommand({ ImageId: img.imageId, DryRun: true })))
    expect(denied.name).toBe('UnauthorizedOperation')
    expect(denied.status).toBe(403)
    // a mutating action: the sentence and an opaque encoded message; neither the action nor the image
    expect(denied.message).toMatch(
      /^You are not authorized to perform this operation\. Encoded authorization failure message: [A-Za-z0-9_-]{20,}$/
    )
    expect(denied.message).not.toMatch(/DisableImage|ami-|arn:/)
    expect(Buffer.from(denied.message.split(': ')[1]!, 'base64').toString('latin1')).not.toContain('DisableImage')
    expect((await error(ec2.send(new DisableImageCommand({ ImageId: img.imageId })))).name).toBe(
      'UnauthorizedOperation'
    )
    expect((await error(ec2.send(new EnableImageCommand({ ImageId: img.imageId, DryRun: true })))).name).toBe(
      'DryRunOperation'
    )
    expect(emu.count('DisableImage')).toBe(3)
    expect(emu.callsOf('ec2:DisableImage').map((c) => c.errorCode)).toEqual([
      'DryRunOperation',
      'UnauthorizedOperation',
      'UnauthorizedOperation'
    ])
    // a describe action: the sentence alone
    emu.faults.deny.add('ec2:DescribeImageAttribute')
    expect(
      await error(ec2.send(new DescribeImageAttributeCommand({ ImageId: img.imageId, Attribute: 'launchPermission' })))
    ).toEqual({
      name: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      status: 403
    })
  })
})

describe('tags', () => {
  it('creates tags on images, enforcing limits, all or nothing', async () => {
    const img = emu.addImage(REGION, { tags: [{ key: 'a', value: '1' }] })
    await ec2.send(
      new CreateTagsCommand({
        Resources: [img.imageId],
        Tags: [
          { Key: 'a', Value: '2' },
          { Key: 'b', Value: '' }
        ]
      })
    )
    expect(emu.image(REGION, img.imageId)!.tags).toEqual([
      { key: 'a', value: '2' },
      { key: 'b', value: '' }
    ])
    const many = Array.from({ length: 48 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    await ec2.send(new CreateTagsCommand({ Resources: [img.imageId], Tags: many }))
    expect(emu.image(REGION, img.imageId)!.tags).toHaveLength(50)
    expect(
      (
        await error(
          ec2.send(new CreateTagsCommand({ Resources: [img.imageId], Tags: [{ Key: 'one-more', Value: 'x' }] }))
        )
      ).name
    ).toBe('TagLimitExceeded')
    const img2 = emu.addImage(REGION, {})
    expect(
      (
        await error(
          ec2.send(new CreateTagsCommand({ Resources: [img2.imageId], Tags: [{ Key: 'k'.repeat(129), Value: 'x' }] }))
        )
      ).name
    ).toBe('InvalidParameterValue')
    expect(
      (
        await error(
          ec2.send(new CreateTagsCommand({ Resources: [img2.imageId], Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }))
        )
      ).name
    ).toBe('InvalidParameterValue')
    expect(
      (
        await error(
          ec2.send(new CreateTagsCommand({ Resources: [img2.imageId], Tags: [{ Key: 'aws:foo', Value: 'x' }] }))
        )
      ).name
    ).toBe('InvalidParameterValue')
    // one resource refused: none is tagged
    const t = emu.addLaunchTemplate(REGION, { name: 'web', versions: [{ imageId: img2.imageId }] })
    expect(
      await error(
        ec2.send(
          new CreateTagsCommand({ Resources: [img2.imageId, t.launchTemplateId], Tags: [{ Key: 'k', Value: 'v' }] })
        )
      )
    ).toEqual({ name: 'InvalidID', message: `The ID '${t.launchTemplateId}' is not valid`, status: 400 })
    expect(emu.image(REGION, img2.imageId)!.tags).toEqual([])
    expect(emu.callsOf('CreateTags')[0]!.params).toMatchObject({
      'ResourceId.1': img.imageId,
      'Tag.1.Key': 'a',
      'Tag.1.Value': '2',
      'Tag.2.Key': 'b'
    })
  })
})

describe('DescribeLaunchTemplateVersions', () => {
  function seedTemplates(n: number, ami: string): void {
    for (let i = 0; i < n; i++) {
      emu.addLaunchTemplate(REGION, {
        name: `lt-${i}`,
        versions: [
          { imageId: ami, instanceType: 't3.micro' },
          { imageId: i % 2 ? ami : 'ami-00000000000000001' },
          { imageId: 'resolve:ssm:/golden/latest' }
        ],
        defaultVersion: 2
      })
    }
  }

  it('form (b): $Latest and $Default of every template, paginated', async () => {
    const img = emu.addImage(REGION, {})
    seedTemplates(7, img.imageId)
    const rows: LaunchTemplateVersion[] = []
    for await (const page of paginateDescribeLaunchTemplateVersions(
      { client: ec2, pageSize: 4 },
      { Versions: ['$Latest', '$Default'] }
    )) {
      rows.push(...(page.LaunchTemplateVersions ?? []))
    }
    expect(rows).toHaveLength(14)
    expect(emu.count('DescribeLaunchTemplateVersions')).toBe(4)
    expect(rows.filter((r) => r.DefaultVersion).map((r) => r.VersionNumber)).toEqual(Array(7).fill(2))
    expect(rows[0]!.CreateTime).toBeInstanceOf(Date)
    expect(emu.calls[0]!.params).toMatchObject({
      'LaunchTemplateVersion.1': '$Latest',
      'LaunchTemplateVersion.2': '$Default',
      MaxResults: '4'
    })
    // numbers need a template (EC2's own answer)
    const e = await error(ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['1'] })))
    expect(e.name).toBe('InvalidParameterValue')
    expect(e.message).toMatch(/^To describe the launch template data for all your launch templates/)
    expect(
      (await error(ec2.send(new DescribeLaunchTemplateVersionsCommand({ MaxResults: 201, Versions: ['$Latest'] }))))
        .name
    ).toBe('InvalidParameterValue')
  })

  it('form (a): by id with numbers, $Latest, $Default, in the order asked, each once', async () => {
    const img = emu.addImage(REGION, {})
    seedTemplates(1, img.imageId)
    const t = emu.launchTemplates(REGION)[0]!
    const byId = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: t.launchTemplateId,
        Versions: ['1', '$Latest', '$Default', '3']
      })
    )
    expect(byId.LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([1, 3, 2])
    expect(
      await error(
        ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.launchTemplateId, Versions: ['9'] }))
      )
    ).toEqual({
      name: 'InvalidLaunchTemplateId.VersionNotFound',
      message: `Could not find the specified version 9 for the launch template with ID ${t.launchTemplateId}.`,
      status: 400
    })
    expect(
      await error(
        ec2.send(
          new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: 'lt-0123456789abcdef0', Versions: ['$Latest'] })
        )
      )
    ).toEqual({
      name: 'InvalidLaunchTemplateId.NotFound',
      message: 'The specified launch template, with template ID lt-0123456789abcdef0, does not exist.',
      status: 400
    })
    // by name, the same answer; a name that does not exist; id and name together
    const byName = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateName: 'lt-0',
        Versions: ['1', '$Latest', '$Default', '3']
      })
    )
    expect(byName.LaunchTemplateVersions).toEqual(byId.LaunchTemplateVersions)
    expect(
      await error(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'nope', Versions: ['1'] })))
    ).toEqual({
      name: 'InvalidLaunchTemplateName.NotFoundException',
      message: 'The specified launch template, with template name nope, does not exist.',
      status: 400
    })
    expect(
      (
        await error(
          ec2.send(
            new DescribeLaunchTemplateVersionsCommand({
              LaunchTemplateId: t.launchTemplateId,
              LaunchTemplateName: 'lt-0',
              Versions: ['1']
            })
          )
        )
      ).name
    ).toBe('InvalidParameterCombination')
    // not modelled: a version range, every version
    expect(
      await error(
        ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.launchTemplateId, MinVersion: '1' }))
      )
    ).toMatchObject({ name: 'UnknownParameter', message: 'The parameter MinVersion is not recognized' })
    expect(
      (await error(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.launchTemplateId })))).name
    ).toBe('MissingParameter')
  })

  it('filters, ResolveAlias, and the image-id filter switch for SSM aliases', async () => {
    const img = emu.addImage(REGION, {})
    emu.setSsmParameter(REGION, '/golden/latest', img.imageId)
    seedTemplates(2, img.imageId)
    const ask = async (input: DescribeLaunchTemplateVersionsCommandInput): Promise<LaunchTemplateVersion[]> =>
      (await ec2.send(new DescribeLaunchTemplateVersionsCommand(input))).LaunchTemplateVersions ?? []
    const latest = await ask({ Versions: ['$Latest'] })
    expect(latest.map((v) => v.LaunchTemplateData?.ImageId)).toEqual([
      'resolve:ssm:/golden/latest',
      'resolve:ssm:/golden/latest'
    ])
    const resolved = await ask({ Versions: ['$Latest'], ResolveAlias: true })
    expect(resolved.map((v) => v.LaunchTemplateData?.ImageId)).toEqual([img.imageId, img.imageId])
    const filter = [{ Name: 'image-id', Values: [img.imageId] }]
    expect(
      (await ask({ Versions: ['$Latest', '$Default'], Filters: filter })).map(
        (v) => `${v.LaunchTemplateName}:${v.VersionNumber}`
      )
    ).toEqual(['lt-1:2'])
    emu.faults.imageIdFilterMatchesResolved = true
    expect(
      (await ask({ Versions: ['$Latest', '$Default'], Filters: filter })).map(
        (v) => `${v.LaunchTemplateName}:${v.VersionNumber}`
      )
    ).toEqual(['lt-0:3', 'lt-1:3', 'lt-1:2'])
    // by template, with numbers, the filter holds too
    const t0 = emu.launchTemplates(REGION)[0]!
    expect(
      (await ask({ LaunchTemplateId: t0.launchTemplateId, Versions: ['1', '2', '3'], Filters: filter })).map(
        (v) => v.VersionNumber
      )
    ).toEqual([1, 3])
    // at most 200 values in a filter
    expect(
      await error(
        ec2.send(
          new DescribeLaunchTemplateVersionsCommand({
            Versions: ['$Latest'],
            Filters: [
              { Name: 'image-id', Values: Array.from({ length: 201 }, (_, i) => `ami-${String(i).padStart(17, '0')}`) }
            ]
          })
        )
      )
    ).toEqual({
      name: 'FilterLimitExceeded',
      message: 'The maximum number of filter values specified on a single call is 200',
      status: 400
    })
    // the filters the action never sends are not modelled
    for (const name of ['is-default-version', 'instance-type'])
      expect(
        await error(
          ec2.send(
            new DescribeLaunchTemplateVersionsCommand({
              Versions: ['$Latest'],
              Filters: [{ Name: name, Values: ['true'] }]
            })
          )
        )
      ).toEqual({ name: 'InvalidParameterValue', message: `The filter '${name}' is invalid`, status: 400 })
  })
  it('form (b) with an image-id filter: the same answer from the index as from reading every template, versions added later included', async () => {
    const [a, b, c] = [emu.addImage(REGION, {}), emu.addImage(REGION, {}), emu.addImage(REGION, {})]
    emu.addLaunchTemplate(REGION, { name: 'first', versions: [{ imageId: a.imageId }] })
    emu.addLaunchTemplate(REGION, {
      name: 'second',
      versions: [{ imageId: b.imageId }, { imageId: a.imageId }],
      defaultVersion: 1
    })
    emu.addLaunchTemplate(REGION, { name: 'third', versions: [{ imageId: c.imageId }] })
    // a later version moves 'first' to image c: 'first' now comes before 'third' for c
    emu.state.addLaunchTemplateVersion(REGION, 'first', { imageId: c.imageId }, true)
    const ask = async (values: string[]): Promise<string[]> =>
      (
        (
          await ec2.send(
            new DescribeLaunchTemplateVersionsCommand({
              Versions: ['$Latest', '$Default'],
              Filters: [{ Name: 'image-id', Values: values }]
            })
          )
        ).LaunchTemplateVersions ?? []
      ).map((v) => `${v.LaunchTemplateName}:${v.VersionNumber}`)
    expect(await ask([c.imageId])).toEqual(['first:2', 'third:1'])
    expect(await ask([a.imageId])).toEqual(['second:2'])
    expect(await ask([b.imageId, c.imageId])).toEqual(['first:2', 'second:1', 'third:1'])
    expect(await ask(['ami-*'])).toEqual(['first:2', 'second:2', 'second:1', 'third:1'])
    expect(await ask(['ami-0000000000000000f'])).toEqual([])
  })
})

describe('DescribeLaunchTemplates', () => {
  it('by id (the default and latest version numbers), or every template paginated', async () => {
    const a = emu.addLaunchTemplate(REGION, {
      name: 'a',
      versions: [{ imageId: 'ami-00000000000000001' }, { imageId: 'ami-00000000000000002' }],
      defaultVersion: 1
    })
    const b = emu.addLaunchTemplate(REGION, { name: 'b', versions: [{ imageId: 'ami-00000000000000001' }] })
    emu.addLaunchTemplate(REGION, { name: 'c', versions: [{ imageId: 'ami-00000000000000001' }] })
    const byId = await ec2.send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [b.launchTemplateId, a.launchTemplateId] })
    )
    expect(
      byId.LaunchTemplates?.map((t) => [t.LaunchTemplateName, t.DefaultVersionNumber, t.LatestVersionNumber])
    ).toEqual([
      ['b', 1, 1],
      ['a', 1, 2]
    ])
    const names: string[] = []
    for await (const page of paginateDescribeLaunchTemplates({ client: ec2, pageSize: 2 }, {}))
      names.push(...(page.LaunchTemplates ?? []).map((t) => t.LaunchTemplateName!))
    expect(names).toEqual(['a', 'b', 'c'])
    expect(emu.count('DescribeLaunchTemplates')).toBe(3)
    expect(
      await error(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-0123456789abcdef0'] })))
    ).toMatchObject({ name: 'InvalidLaunchTemplateId.NotFound', status: 400 })
    expect((await error(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['a'] })))).name).toBe(
      'UnknownParameter'
    )
  })
})

describe('Auto Scaling', () => {
  it('returns groups with LaunchTemplate, MixedInstancesPolicy or LaunchConfigurationName, paginated', async () => {
    const t = emu.addLaunchTemplate(REGION, { name: 'web', versions: [{ imageId: 'ami-00000000000000001' }] })
    emu.addAutoScalingGroup(REGION, {
      name: 'direct',
      launchTemplate: { launchTemplateId: t.launchTemplateId, version: '$Latest' },
      tags: [{ key: 'team', value: 'web' }]
    })
    emu.addAutoScalingGroup(REGION, {
      name: 'mixed',
      mixedInstancesPolicy: {
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateName: 'web', version: '1' },
          overrides: [{ instanceType: 'm5.large' }]
        }
      }
    })
    emu.addAutoScalingGroup(REGION, { name: 'legacy', launchConfigurationName: 'old-lc' })
    const groups: AutoScalingGroup[] = []
    for await (const page of paginateDescribeAutoScalingGroups({ client: asg, pageSize: 2 }, {}))
      groups.push(...(page.AutoScalingGroups ?? []))
    expect(groups.map((g) => g.AutoScalingGroupName)).toEqual(['direct', 'mixed', 'legacy'])
    expect(groups[0]!.LaunchTemplate).toEqual({
      LaunchTemplateId: t.launchTemplateId,
      LaunchTemplateName: 'web',
      Version: '$Latest'
    })
    expect(groups[1]!.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification).toEqual({
      LaunchTemplateId: t.launchTemplateId,
      LaunchTemplateName: 'web',
      Version: '1'
    })
    expect(groups[1]!.MixedInstancesPolicy?.LaunchTemplate?.Overrides).toEqual([{ InstanceType: 'm5.large' }])
    expect(groups[2]!.LaunchConfigurationName).toBe('old-lc')
    expect(groups[0]!.CreatedTime).toBeInstanceOf(Date)
    expect(groups[0]!.Instances).toEqual([])
    expect(groups[0]!.Tags).toEqual([
      { ResourceId: 'direct', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'web', PropagateAtLaunch: false }
    ])
    expect(emu.callsOf('autoscaling:DescribeAutoScalingGroups').map((c) => c.params['MaxRecords'])).toEqual(['2', '2'])
    expect(await error(asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })))).toMatchObject({
      name: 'ValidationError',
      status: 400
    })
    // not modelled: by name, by filter
    expect(
      (
        await error(
          asg.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: ['web'] }] }))
        )
      ).name
    ).toBe('UnknownParameter')
    emu.faults.deny.add('autoscaling:DescribeAutoScalingGroups')
    const denied = await error(asg.send(new DescribeAutoScalingGroupsCommand({})))
    expect(denied).toEqual({
      name: 'AccessDenied',
      message:
        'User: arn:aws:sts::111122223333:assumed-role/emulator-role/emulator-session is not authorized to perform this operation',
      status: 403
    })
  })
})

describe('DescribeLaunchConfigurations', () => {
  it('every launch configuration, paginated by MaxRecords, or those named; groups name theirs with their desired capacity', async () => {
    for (let i = 0; i < 5; i++)
      emu.addLaunchConfiguration(REGION, {
        name: `lc-${i}`,
        imageId: `ami-0000000000000000${i}`,
        securityGroups: ['sg-0123456789abcdef0']
      })
    emu.addAutoScalingGroup(REGION, { name: 'legacy', launchConfigurationName: 'lc-1', desiredCapacity: 4 })
    const all: LaunchConfiguration[] = []
    for await (const page of paginateDescribeLaunchConfigurations({ client: asg, pageSize: 2 }, {}))
      all.push(...(page.LaunchConfigurations ?? []))
    expect(all.map((c) => [c.LaunchConfigurationName, c.ImageId])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [`lc-${i}`, `ami-0000000000000000${i}`])
    )
    expect(emu.callsOf('autoscaling:DescribeLaunchConfigurations').map((c) => c.params['MaxRecords'])).toEqual([
      '2',
      '2',
      '2'
    ])
    expect(all[0]).toMatchObject({
      InstanceType: 't3.micro',
      SecurityGroups: ['sg-0123456789abcdef0'],
      InstanceMonitoring: { Enabled: true },
      EbsOptimized: false
    })
    expect(all[0]!.CreatedTime).toBeInstanceOf(Date)
    expect(all[0]!.LaunchConfigurationARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:111122223333:launchConfiguration:[0-9a-f-]+:launchConfigurationName\/lc-0$/
    )
    const named = await asg.send(
      new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: ['lc-3', 'gone'] })
    )
    expect(named.LaunchConfigurations?.map((c) => c.LaunchConfigurationName)).toEqual(['lc-3'])
    const groups = await asg.send(new DescribeAutoScalingGroupsCommand({}))
    expect(groups.AutoScalingGroups?.map((g) => [g.LaunchConfigurationName, g.DesiredCapacity])).toEqual([['lc-1', 4]])
    // the default page is 50, the largest 100; at most 50 names; a token belongs to its query
    expect((await asg.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations).toHaveLength(5)
    expect(await error(asg.send(new DescribeLaunchConfigurationsCommand({ MaxRecords: 101 })))).toMatchObject({
      name: 'ValidationError',
      status: 400
    })
    expect(
      await error(
        asg.send(
          new DescribeLaunchConfigurationsCommand({
            LaunchConfigurationNames: Array.from({ length: 51 }, (_, i) => `lc-${i}`)
          })
        )
      )
    ).toMatchObject({ name: 'ValidationError', status: 400 })
    const first = await asg.send(new DescribeLaunchConfigurationsCommand({ MaxRecords: 2 }))
    expect(
      await error(
        asg.send(
          new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: ['lc-1'], NextToken: first.NextToken })
        )
      )
    ).toMatchObject({ name: 'InvalidNextToken', message: 'The token is invalid.' })
    emu.faults.deny.add('autoscaling:DescribeLaunchConfigurations')
    expect(await error(asg.send(new DescribeLaunchConfigurationsCommand({})))).toMatchObject({
      name: 'AccessDenied',
      status: 403
    })
  })

  it('a seed holds launch configurations, and toSeed gives them back', () => {
    emu.seed({ regions: { [REGION]: { launchConfigurations: [{ name: 'lc', imageId: 'ami-00000000000000001' }] } } })
    const seed = emu.state.toSeed()
    expect(seed.regions[REGION]?.launchConfigurations).toEqual([
      expect.objectContaining({ name: 'lc', imageId: 'ami-00000000000000001', instanceType: 't3.micro' })
    ])
    emu.state.reset()
    emu.seed(seed)
    expect(emu.launchConfigurations(REGION).map((c) => c.launchConfigurationName)).toEqual(['lc'])
  })
})

describe('Auto Scaling instances', () => {
  it("lists a group's instances unless IncludeInstances is false", async () => {
    const instance = {
      instanceId: 'i-0123456789abcdef0',
      availabilityZone: `${REGION}a`,
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      protectedFromScaleIn: false,
      instanceType: 't3.micro'
    }
    emu.addAutoScalingGroup(REGION, {
      name: 'running',
      launchTemplate: { launchTemplateName: 'web' },
      instances: [instance, { ...instance, instanceId: 'i-0123456789abcdef1' }]
    })
    const all = await asg.send(new DescribeAutoScalingGroupsCommand({}))
    expect(all.AutoScalingGroups?.[0]?.Instances?.map((i) => i.InstanceId)).toEqual([
      'i-0123456789abcdef0',
      'i-0123456789abcdef1'
    ])
    const without = await asg.send(new DescribeAutoScalingGroupsCommand({ IncludeInstances: false }))
    expect(without.AutoScalingGroups?.[0]?.AutoScalingGroupName).toBe('running')
    expect(without.AutoScalingGroups?.[0]?.Instances ?? []).toEqual([])
  })
})

describe('fault switches', () => {
  it('throttle: burst answers RequestLimitExceeded (503), and the SDK retries through it', async () => {
    emu.faults.throttle = { mode: 'burst', count: 2, actions: ['ec2:DescribeImages'] }
    const e = await error(ec2.send(new DescribeImagesCommand({})))
    expect(e).toMatchObject({ name: 'RequestLimitExceeded', status: 503 })
    const retrying = new EC2Client({ region: REGION, endpoint: emu.url, credentials, maxAttempts: 3 })
    const ok = await retrying.send(new DescribeImagesCommand({}))
    retrying.destroy()
    expect(ok.$metadata.attempts).toBe(2)
    expect(emu.callsOf('DescribeImages').map((c) => c.status)).toEqual([503, 503, 200])
  })

  it('throttle: token bucket per action class', async () => {
    emu.faults.throttle = { mode: 'bucket', describe: { capacity: 3, refillPerSec: 0 } }
    for (let i = 0; i < 3; i++) await ec2.send(new DescribeImagesCommand({}))
    expect((await error(ec2.send(new DescribeImagesCommand({})))).name).toBe('RequestLimitExceeded')
    const img = emu.addImage(REGION, {})
    await ec2.send(new DisableImageCommand({ ImageId: img.imageId })) // mutate bucket untouched
  })

  it('throttle: probability is deterministic for a seed', async () => {
    const run = async (): Promise<number[]> => {
      emu.reseed(7)
      emu.clearCalls()
      emu.faults.throttle = { mode: 'probability', rate: 0.5 }
      for (let i = 0; i < 12; i++) await ec2.send(new DescribeImagesCommand({})).catch(() => undefined)
      emu.faults.throttle = null
      return emu.calls.map((c) => c.status)
    }
    const first = await run()
    expect(first).toContain(503)
    expect(first).toContain(200)
    expect(await run()).toEqual(first)
  })

  it('failImages fails the calls naming an image N times', async () => {
    const img = emu.addImage(REGION, {})
    emu.faults.failImages.set(img.imageId, { action: 'DisableImage', code: 'InternalError', status: 500, times: 1 })
    expect(await error(ec2.send(new DisableImageCommand({ ImageId: img.imageId })))).toMatchObject({
      name: 'InternalError',
      status: 500
    })
    await ec2.send(new DescribeImagesCommand({ ImageIds: [img.imageId] })) // other actions unaffected
    expect((await ec2.send(new DisableImageCommand({ ImageId: img.imageId }))).Return).toBe(true)
  })

  it('internalErrorRate, latency and slowMs', async () => {
    emu.faults.internalErrorRate = 1
    expect(await error(ec2.send(new DescribeImagesCommand({})))).toMatchObject({ name: 'InternalError', status: 500 })
    emu.faults.internalErrorRate = 0
    emu.faults.slowMs = { DescribeImages: 120 }
    const t0 = Date.now()
    await ec2.send(new DescribeImagesCommand({}))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110)
    emu.faults.slowMs = {}
    emu.faults.latencyMs = 60
    const t1 = Date.now()
    await ec2.send(new DescribeImagesCommand({}))
    expect(Date.now() - t1).toBeGreaterThanOrEqual(50)
    // a far region: its own latency instead of latencyMs
    emu.faults.latencyMs = 0
    emu.faults.latencyByRegionMs = { [await ec2.config.region()]: 90 }
    await ec2.send(new DescribeImagesCommand({}))
    expect(emu.calls.at(-1)?.durationMs).toBeGreaterThanOrEqual(85)
    emu.faults.latencyByRegionMs = {}
  })

  it('records the size of each answer it sends, an error as well as a success', async () => {
    const body = async (form: string): Promise<string> =>
      (
        await fetch(emu.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form
        })
      ).text()
    const ok = await body('Action=DescribeImages&Version=2016-11-15')
    expect(ok).toContain('<DescribeImagesResponse')
    expect(emu.calls.at(-1)?.bytes).toBe(Buffer.byteLength(ok))
    const bad = await body('Action=NoSuchAction&Version=2016-11-15')
    expect(bad).toContain('<Code>InvalidAction</Code>')
    expect(emu.calls.at(-1)?.bytes).toBe(Buffer.byteLength(bad))
  })

  it('dropConnections destroys the socket; the SDK sees a network error', async () => {
    emu.faults.dropConnections = { times: 1 }
    const e = await error(ec2.send(new DescribeImagesCommand({})))
    expect(e.name).not.toBe('DryRunOperation')
    expect(emu.calls[0]).toMatchObject({ status: 0, errorCode: 'ConnectionDropped', bytes: 0 })
    const ok = await ec2.send(new DescribeImagesCommand({}))
    expect(ok.Images).toEqual([])
  })
})

describe('seeds', () => {
  it('loads a large seed quickly with explicit ids', async () => {
    const images = Array.from({ length: 3000 }, (_, i) => ({
      imageId: `ami-${i.toString(16).padStart(17, '0')}`,
      name: `img-${i}`
    }))
    const launchTemplates = Array.from({ length: 5000 }, (_, i) => ({
      name: `t-${i}`,
      versions: [{ imageId: images[i % 3000]!.imageId }]
    }))
    const t0 = Date.now()
    emu.seed({ regions: { [REGION]: { images, launchTemplates, ssmParameters: { '/x': 'ami-1' } } } })
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(emu.images(REGION)).toHaveLength(3000)
    expect(emu.image(REGION, 'ami-00000000000000bb7')?.name).toBe('img-2999')
    let count = 0
    for await (const page of paginateDescribeLaunchTemplateVersions(
      { client: ec2, pageSize: 200 },
      { Versions: ['$Latest', '$Default'] }
    )) {
      count += page.LaunchTemplateVersions?.length ?? 0
    }
    expect(count).toBe(5000)
    const again = emu.state.toSeed()
    expect(again.regions[REGION]!.launchTemplates).toHaveLength(5000)
  })
})

describe('GitHub fake', () => {
  let gh: GitHubFake
  beforeAll(async () => {
    gh = await startGitHubFake()
  })
  afterAll(async () => {
    await gh.close()
  })

  it('paginates comments with Link headers, creates and updates through @actions/github', async () => {
    gh.addPullRequest(12, { headSha: 'abc123', headRef: 'feature/golden' })
    gh.addComments(12, 250, (i) => `note ${i}`)
    const octokit = getOctokit('ghs_token_1', { baseUrl: gh.url })
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: 'acme',
      repo: 'golden-images',
      issue_number: 12,
      per_page: 100
    })
    expect(all).toHaveLength(250)
    expect(all[249]!.body).toBe('note 249')
    const listCalls = gh.calls.filter((c) => c.method === 'GET')
    expect(listCalls.map((c) => c.path)).toEqual([
      '/repos/acme/golden-images/issues/12/comments?per_page=100',
      '/repos/acme/golden-images/issues/12/comments?per_page=100&page=2',
      '/repos/acme/golden-images/issues/12/comments?per_page=100&page=3'
    ])
    expect(listCalls[0]!.authorization).toBe('token ghs_token_1')
    const created = await octokit.rest.issues.createComment({
      owner: 'acme',
      repo: 'golden-images',
      issue_number: 12,
      body: '<!-- marker --> hello'
    })
    expect(created.status).toBe(201)
    expect(created.data.html_url).toBe(`https://github.com/acme/golden-images/pull/12#issuecomment-${created.data.id}`)
    expect(created.data.user?.login).toBe('github-actions[bot]')
    const updated = await octokit.rest.issues.updateComment({
      owner: 'acme',
      repo: 'golden-images',
      comment_id: created.data.id,
      body: 'edited'
    })
    expect(updated.data.body).toBe('edited')
    expect(gh.comments(12)).toHaveLength(251)
    expect(
      (await octokit.rest.issues.getComment({ owner: 'acme', repo: 'golden-images', comment_id: created.data.id })).data
        .body
    ).toBe('edited')
  })

  it('finds pull requests by commit and head; forced statuses', async () => {
    gh.addPullRequest(20, { headSha: 'sha20', headRef: 'topic', state: 'open' })
    gh.addPullRequest(21, { headSha: 'sha20', headRef: 'old', state: 'closed' })
    const octokit = getOctokit('t', { baseUrl: gh.url, request: { retries: 0 } })
    const assoc = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: 'acme',
      repo: 'golden-images',
      commit_sha: 'sha20'
    })
    expect(assoc.data.map((p) => [p.number, p.state])).toEqual([
      [20, 'open'],
      [21, 'closed']
    ])
    const byHead = await octokit.rest.pulls.list({
      owner: 'acme',
      repo: 'golden-images',
      head: 'acme:topic',
      state: 'open'
    })
    expect(byHead.data.map((p) => p.number)).toEqual([20])
    expect(
      (await octokit.rest.pulls.get({ owner: 'acme', repo: 'golden-images', pull_number: 21 })).data.head.sha
    ).toBe('sha20')
    gh.fail('POST /repos/*/*/issues/*/comments', 403, 1)
    await expect(
      octokit.rest.issues.createComment({ owner: 'acme', repo: 'golden-images', issue_number: 20, body: 'x' })
    ).rejects.toMatchObject({ status: 403 })
    const ok = await octokit.rest.issues.createComment({
      owner: 'acme',
      repo: 'golden-images',
      issue_number: 20,
      body: 'x'
    })
    expect(ok.status).toBe(201)
    await expect(
      octokit.rest.pulls.get({ owner: 'acme', repo: 'golden-images', pull_number: 999 })
    ).rejects.toMatchObject({ status: 404 })
  })
})

describe('runAction helpers', () => {
  it('parses action.yml defaults and output files', () => {
    const yml =
      'name: x\ninputs:\n  image-id:\n    description: "ids"\n    default: ""\n  keep:\n    default: "2"\n  github-token:\n    default: ${{ github.token }}\n  plain:\n    required: true\noutputs:\n  a:\n    description: b\n'
    expect(parseActionDefaults(yml)).toEqual({ 'image-id': '', keep: '2', 'github-token': 'ghs_faketoken000' })
    expect(parseOutputFile('a=1\nb<<ghadelimiter_1\nx\ny\nghadelimiter_1\n')).toEqual({ a: '1', b: 'x\ny' })
  })

  it('runs a script with a clean runner environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-action-'))
    const entry = join(dir, 'index.mjs')
    writeFileSync(
      entry,
      `import { appendFileSync, readFileSync } from 'node:fs'
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(INPUT_|AWS_|GITHUB_)/.test(k)))
appendFileSync(process.env.GITHUB_OUTPUT, 'env<<EOF_1\\n' + JSON.stringify(env) + '\\nEOF_1\\nsimple=yes\\n')
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '# summary\\n')
const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8'))
console.log('pr', event.pull_request.number)
process.exit(3)
`
    )
    process.env['AWS_PROFILE'] = 'host-profile-must-not-leak'
    const r = await runAction({
      entry,
      inputs: { 'image-id': 'ami-0123456789abcdef0' },
      event: { pull_request: { number: 5 } },
      ec2Url: emu.url,
      githubUrl: 'http://127.0.0.1:1',
      region: 'eu-west-1'
    })
    delete process.env['AWS_PROFILE']
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toContain('pr 5')
    expect(r.outputs['simple']).toBe('yes')
    expect(r.summary).toBe('# summary\n')
    const env = JSON.parse(r.outputs['env']!) as Record<string, string>
    expect(env).toMatchObject({
      'INPUT_IMAGE-ID': 'ami-0123456789abcdef0',
      INPUT_COMMAND: 'disable',
      'INPUT_GITHUB-TOKEN': 'ghs_faketoken000',
      AWS_ENDPOINT_URL_EC2: emu.url,
      AWS_ENDPOINT_URL_AUTO_SCALING: emu.url,
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      GITHUB_API_URL: 'http://127.0.0.1:1',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REPOSITORY: 'acme/golden-images'
    })
    expect(env['AWS_PROFILE']).toBeUndefined()
  })

  it('kills the child after timeoutMs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-action-'))
    const entry = join(dir, 'index.mjs')
    writeFileSync(entry, 'setInterval(() => {}, 1000)\n')
    const r = await runAction({ entry, inputs: {}, timeoutMs: 300 })
    expect(r.timedOut).toBe(true)
    expect(r.exitCode).toBeNull()
  })
})
