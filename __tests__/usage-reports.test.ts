/**
 * findAccountUsage against a mocked EC2 client (aws-sdk-client-mock) and a fake clock: which
 * reports it reuses, waits for and creates, how it polls, and what it makes of the answers.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  CreateImageUsageReportCommand,
  DescribeImageUsageReportEntriesCommand,
  DescribeImageUsageReportsCommand,
  EC2Client,
  type DescribeImageUsageReportEntriesCommandInput,
  type DescribeImageUsageReportsCommandInput,
  type ImageUsageReport,
  type ImageUsageReportEntry
} from '@aws-sdk/client-ec2'
import { Ec2 } from '../src/aws/ec2.js'
import { clientToken, findAccountUsage, type AccountUsageOptions } from '../src/steps/usage-reports.js'

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const REGION = 'eu-west-1'
const OWNER = '111122223333'
const THEM = '444455556666'
const A = 'ami-00000000000000001'
const B = 'ami-00000000000000002'
const START = Date.parse('2026-03-01T12:00:00Z')
const HOUR = 3_600_000

const ec2Mock = mockClient(EC2Client)
const clients: EC2Client[] = []
afterEach(() => {
  ec2Mock.reset()
  for (const c of clients.splice(0)) c.destroy()
})

function gateway(): Ec2 {
  // one attempt: a failure in a test is the answer, not something to retry
  const client = new EC2Client({ region: REGION, maxAttempts: 1 })
  clients.push(client)
  return new Ec2(REGION, client)
}

/** A fake clock: `sleep` moves it on, and every sleep is kept. */
function clock(timeoutSeconds = 300): AccountUsageOptions & { sleeps: number[]; t(): number } {
  let t = START
  const sleeps: number[] = []
  return {
    ownerAccountId: OWNER,
    timeoutSeconds,
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms)
      t += ms
      return Promise.resolve()
    },
    random: () => 0.5,
    sleeps,
    t: () => t
  }
}

const report = (over: Partial<ImageUsageReport>): ImageUsageReport => ({
  ImageId: A,
  ReportId: 'amiur-a',
  State: 'available',
  CreationTime: new Date(START - HOUR),
  ResourceTypes: [{ ResourceType: 'ec2:Instance' }, { ResourceType: 'ec2:LaunchTemplate' }],
  ...over
})

const entry = (over: Partial<ImageUsageReportEntry>): ImageUsageReportEntry => ({
  ReportId: 'amiur-a',
  ImageId: A,
  AccountId: THEM,
  ResourceType: 'ec2:LaunchTemplate',
  UsageCount: 2,
  ...over
})

const denied = (action: string): Error =>
  Object.assign(new Error(`You are not authorized to perform this operation. (${action})`), {
    name: 'UnauthorizedOperation'
  })

/** Reports by image (the first read) and by id (the polls), from one changing list. */
function serveReports(reports: () => ImageUsageReport[]): void {
  ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => ({
    ImageUsageReports: reports().filter(
      (r) => input.ImageIds?.includes(r.ImageId ?? '') || input.ReportIds?.includes(r.ReportId ?? '')
    )
  }))
}

function serveEntries(entries: ImageUsageReportEntry[]): void {
  ec2Mock
    .on(DescribeImageUsageReportEntriesCommand)
    .callsFake((input: DescribeImageUsageReportEntriesCommandInput) => ({
      ImageUsageReportEntries: entries.filter((e) => input.ReportIds?.includes(e.ReportId ?? ''))
    }))
}

const polls = (): DescribeImageUsageReportsCommandInput[] =>
  ec2Mock
    .commandCalls(DescribeImageUsageReportsCommand)
    .map((c) => c.args[0].input)
    .filter((i) => i.ReportIds)

describe('findAccountUsage', () => {
  test('a fresh available report is reused: no create, no poll, its entries read, the owner left out', async () => {
    serveReports(() => [
      report({ ReportId: 'amiur-old', CreationTime: new Date(START - 30 * HOUR) }),
      report({ ReportId: 'amiur-a' })
    ])
    serveEntries([
      entry({ UsageCount: 3 }),
      entry({ ResourceType: 'ec2:Instance', UsageCount: 5 }),
      entry({ AccountId: OWNER, UsageCount: 9 }),
      entry({ ReportId: 'amiur-old', UsageCount: 100 })
    ])
    const opts = clock()
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], opts)
    expect(found).toEqual({
      accounts: [
        { region: REGION, imageId: A, accountId: THEM, launchTemplates: 3, instances: 5, source: 'usage-report' }
      ],
      unknowns: [],
      warnings: []
    })
    expect(ec2Mock.commandCalls(CreateImageUsageReportCommand)).toHaveLength(0)
    expect(ec2Mock.commandCalls(DescribeImageUsageReportsCommand).map((c) => c.args[0].input)).toEqual([
      { ImageIds: [A] }
    ])
    expect(ec2Mock.commandCalls(DescribeImageUsageReportEntriesCommand)[0]!.args[0].input).toEqual({
      ReportIds: ['amiur-a']
    })
    expect(opts.sleeps).toEqual([])
  })

  test('a pending report is waited for, and nothing is created', async () => {
    let state = 'pending'
    serveEntries([entry({})])
    const opts = clock()
    let n = 0
    ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => {
      if (input.ReportIds && ++n === 3) state = 'available'
      return { ImageUsageReports: [report({ State: state, CreationTime: new Date(START - 60_000) })] }
    })
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], opts)
    expect(ec2Mock.commandCalls(CreateImageUsageReportCommand)).toHaveLength(0)
    expect(polls()).toHaveLength(3)
    // the first poll at once, then the backoff
    expect(opts.sleeps).toEqual([2000, 3200])
    expect(found.accounts.map((a) => [a.accountId, a.launchTemplates])).toEqual([[THEM, 2]])
    expect(found.unknowns).toEqual([])
  })

  test('no report: one is created (instances and launch templates, a client token), polled, then read', async () => {
    const reports: ImageUsageReport[] = [report({ ReportId: 'amiur-stale', CreationTime: new Date(START - 48 * HOUR) })]
    serveReports(() => reports)
    ec2Mock.on(CreateImageUsageReportCommand).callsFake(() => {
      reports.push(report({ ReportId: 'amiur-new', State: 'pending', CreationTime: new Date(START) }))
      return { ReportId: 'amiur-new' }
    })
    let n = 0
    ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => {
      if (input.ReportIds && ++n === 2) reports[1]!.State = 'available'
      return {
        ImageUsageReports: reports.filter(
          (r) => input.ImageIds?.includes(r.ImageId ?? '') || input.ReportIds?.includes(r.ReportId ?? '')
        )
      }
    })
    serveEntries([entry({ ReportId: 'amiur-new', UsageCount: 1 }), entry({ ReportId: 'amiur-stale', UsageCount: 50 })])
    const opts = clock()
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], opts)
    expect(ec2Mock.commandCalls(CreateImageUsageReportCommand).map((c) => c.args[0].input)).toEqual([
      {
        ImageId: A,
        ResourceTypes: [{ ResourceType: 'ec2:Instance' }, { ResourceType: 'ec2:LaunchTemplate' }],
        ClientToken: clientToken(A, START)
      }
    ])
    expect(polls().map((p) => p.ReportIds)).toEqual([['amiur-new'], ['amiur-new']])
    expect(found.accounts).toEqual([
      { region: REGION, imageId: A, accountId: THEM, launchTemplates: 1, instances: 0, source: 'usage-report' }
    ])
  })

  test('a create refused because a report is already pending waits for that one', async () => {
    const reports: ImageUsageReport[] = []
    let reads = 0
    ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => {
      if (input.ImageIds && ++reads === 2) {
        // someone else's report, created between the first read and the create
        reports.push(report({ ReportId: 'amiur-theirs', State: 'pending', CreationTime: new Date(START) }))
      }
      if (input.ReportIds) reports[0]!.State = 'available'
      return {
        ImageUsageReports: reports.filter(
          (r) => input.ImageIds?.includes(r.ImageId ?? '') || input.ReportIds?.includes(r.ReportId ?? '')
        )
      }
    })
    ec2Mock
      .on(CreateImageUsageReportCommand)
      .rejects(Object.assign(new Error('A report for this image is already pending.'), { name: 'IncorrectState' }))
    serveEntries([entry({ ReportId: 'amiur-theirs' })])
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], clock())
    expect(ec2Mock.commandCalls(CreateImageUsageReportCommand)).toHaveLength(1)
    expect(polls().map((p) => p.ReportIds)).toEqual([['amiur-theirs']])
    expect(found.unknowns).toEqual([])
    expect(found.accounts.map((a) => a.accountId)).toEqual([THEM])
  })

  test('a create that fails with no pending report to wait for is unknown, saying why', async () => {
    serveReports(() => [])
    ec2Mock
      .on(CreateImageUsageReportCommand)
      .rejects(Object.assign(new Error('Too many pending reports.'), { name: 'ResourceLimitExceeded' }))
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], clock())
    expect(found.unknowns).toEqual([
      {
        region: REGION,
        imageId: A,
        why: `the usage report of ${A} could not be created: CreateImageUsageReport failed: ResourceLimitExceeded (Too many pending reports.)`
      }
    ])
    expect(ec2Mock.commandCalls(DescribeImageUsageReportEntriesCommand)).toHaveLength(0)
  })

  test('still pending at the timeout: unknown, after polls that stop at the timeout', async () => {
    serveReports(() => [report({ State: 'pending', CreationTime: new Date(START - 60_000) })])
    const opts = clock(60)
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], opts)
    expect(found.unknowns).toEqual([
      { region: REGION, imageId: A, why: `the usage report of ${A} was still pending after 60 s` }
    ])
    expect(found.accounts).toEqual([])
    expect(opts.t() - START).toBe(60_000)
    expect(opts.sleeps.reduce((a, b) => a + b, 0)).toBe(60_000)
    expect(Math.max(...opts.sleeps)).toBeLessThanOrEqual(16_000)
    expect(polls()).toHaveLength(opts.sleeps.length + 1)
    expect(ec2Mock.commandCalls(DescribeImageUsageReportEntriesCommand)).toHaveLength(0)
  })

  test('a timeout of 0 waits for nothing', async () => {
    serveReports(() => [report({ State: 'pending' })])
    const opts = clock(0)
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], opts)
    expect(opts.sleeps).toEqual([])
    expect(found.unknowns.map((u) => u.why)).toEqual([`the usage report of ${A} was still pending after 0 s`])
  })

  test('a report that ends in error is unknown, with its StateReason', async () => {
    let polled = false
    ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => {
      if (input.ReportIds) polled = true
      return {
        ImageUsageReports: [
          report({
            State: polled ? 'error' : 'pending',
            ...(polled ? { StateReason: 'Internal error while collecting usage' } : {})
          })
        ]
      }
    })
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], clock())
    expect(found.unknowns).toEqual([
      { region: REGION, imageId: A, why: `the usage report of ${A} failed: Internal error while collecting usage` }
    ])
  })

  test('a denied create names ec2:CreateImageUsageReport; the other images are still found', async () => {
    serveReports(() => [report({ ImageId: B, ReportId: 'amiur-b' })])
    ec2Mock.on(CreateImageUsageReportCommand).rejects(denied('create'))
    serveEntries([entry({ ReportId: 'amiur-b', ImageId: B })])
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }, { imageId: B }], clock())
    expect(found.unknowns).toEqual([
      {
        region: REGION,
        imageId: A,
        why: `the usage report of ${A} could not be created: the role needs ec2:CreateImageUsageReport`
      }
    ])
    expect(found.accounts.map((a) => a.imageId)).toEqual([B])
  })

  test('a denied read of the reports is unknown for every image, naming ec2:DescribeImageUsageReports', async () => {
    ec2Mock.on(DescribeImageUsageReportsCommand).rejects(denied('describe'))
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }, { imageId: B }], clock())
    expect(found.unknowns.map((u) => [u.imageId, u.why])).toEqual([
      [A, `the usage reports of ${A} could not be read: the role needs ec2:DescribeImageUsageReports`],
      [B, `the usage reports of ${B} could not be read: the role needs ec2:DescribeImageUsageReports`]
    ])
    expect(ec2Mock.commandCalls(CreateImageUsageReportCommand)).toHaveLength(0)
  })

  test('a denied read of the entries names ec2:DescribeImageUsageReportEntries', async () => {
    serveReports(() => [report({})])
    ec2Mock.on(DescribeImageUsageReportEntriesCommand).rejects(denied('entries'))
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], clock())
    expect(found.unknowns.map((u) => u.why)).toEqual([
      `the usage report of ${A} could not be read: the role needs ec2:DescribeImageUsageReportEntries`
    ])
  })

  test('many images: one read, their creates, one poll per round for all reports, one read of the entries', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `ami-${String(i + 1).padStart(17, '0')}`)
    const reports: ImageUsageReport[] = [
      report({ ImageId: ids[0], ReportId: 'amiur-reused' }),
      report({ ImageId: ids[1], ReportId: 'amiur-pending', State: 'pending' })
    ]
    let rounds = 0
    ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => {
      if (input.ReportIds && ++rounds === 3) for (const r of reports) r.State = 'available'
      return {
        ImageUsageReports: reports.filter(
          (r) => input.ImageIds?.includes(r.ImageId ?? '') || input.ReportIds?.includes(r.ReportId ?? '')
        )
      }
    })
    ec2Mock.on(CreateImageUsageReportCommand).callsFake((input: { ImageId: string }) => {
      const id = `amiur-${input.ImageId.slice(-2)}`
      reports.push(report({ ImageId: input.ImageId, ReportId: id, State: 'pending', CreationTime: new Date(START) }))
      return { ReportId: id }
    })
    ec2Mock
      .on(DescribeImageUsageReportEntriesCommand)
      .callsFake((input: DescribeImageUsageReportEntriesCommandInput) => ({
        ImageUsageReportEntries: (input.ReportIds ?? []).map((reportId) => {
          const r = reports.find((x) => x.ReportId === reportId)!
          return entry({ ReportId: reportId, ImageId: r.ImageId })
        })
      }))
    const found = await findAccountUsage(
      gateway(),
      REGION,
      ids.map((imageId) => ({ imageId })),
      clock()
    )
    expect(ec2Mock.commandCalls(CreateImageUsageReportCommand)).toHaveLength(10)
    const reads = ec2Mock.commandCalls(DescribeImageUsageReportsCommand).map((c) => c.args[0].input)
    expect(reads.filter((r) => r.ImageIds)).toEqual([{ ImageIds: ids }])
    expect(polls()).toHaveLength(3)
    for (const p of polls()) expect(p.ReportIds).toHaveLength(11)
    expect(ec2Mock.commandCalls(DescribeImageUsageReportEntriesCommand)).toHaveLength(1)
    expect(ec2Mock.commandCalls(DescribeImageUsageReportEntriesCommand)[0]!.args[0].input.ReportIds).toHaveLength(12)
    expect(found.accounts.map((a) => a.imageId)).toEqual(ids)
    expect(found.unknowns).toEqual([])
  })

  test('the backoff: from 2 s, growing, capped at 16 s (±20 % jitter), the last sleep cut at the timeout', async () => {
    serveReports(() => [report({ State: 'pending' })])
    const opts = { ...clock(120), random: () => 0.999 }
    const sleeps: number[] = []
    let t = START
    opts.now = () => t
    opts.sleep = (ms: number) => {
      sleeps.push(ms)
      t += ms
      return Promise.resolve()
    }
    await findAccountUsage(gateway(), REGION, [{ imageId: A }], opts)
    expect(sleeps[0]).toBeGreaterThanOrEqual(2000)
    expect(sleeps[0]).toBeLessThanOrEqual(2400)
    for (let i = 1; i < sleeps.length - 1; i++) expect(sleeps[i]!).toBeGreaterThanOrEqual(sleeps[i - 1]!)
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(16_000 * 1.2)
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(120_000)
  })

  test('a poll that fails is retried at the next round, and said as a warning', async () => {
    let n = 0
    ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => {
      if (input.ReportIds && ++n === 1) throw Object.assign(new Error('Slow down'), { name: 'InternalError' })
      return { ImageUsageReports: [report({ State: input.ReportIds ? 'available' : 'pending' })] }
    })
    serveEntries([entry({})])
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], clock())
    expect(polls()).toHaveLength(2)
    expect(found.unknowns).toEqual([])
    expect(found.accounts).toHaveLength(1)
    expect(found.warnings).toEqual([
      `a poll of the usage reports in ${REGION} failed and was retried: DescribeImageUsageReports failed: InternalError (Slow down)`
    ])
  })

  test('a pending report that counts only some accounts is waited for, then a complete one is created', async () => {
    const reports: ImageUsageReport[] = [
      report({ ReportId: 'amiur-limited', State: 'pending', AccountIds: [THEM], CreationTime: new Date(START) })
    ]
    let polls = 0
    ec2Mock.on(DescribeImageUsageReportsCommand).callsFake((input: DescribeImageUsageReportsCommandInput) => {
      if (input.ReportIds) {
        polls++
        for (const r of reports) r.State = 'available'
      }
      return {
        ImageUsageReports: reports.filter(
          (r) => input.ImageIds?.includes(r.ImageId ?? '') || input.ReportIds?.includes(r.ReportId ?? '')
        )
      }
    })
    ec2Mock.on(CreateImageUsageReportCommand).callsFake(() => {
      reports.push(report({ ReportId: 'amiur-full', State: 'pending', CreationTime: new Date(START) }))
      return { ReportId: 'amiur-full' }
    })
    serveEntries([entry({ ReportId: 'amiur-full' }), entry({ ReportId: 'amiur-limited', UsageCount: 40 })])
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], clock())
    expect(ec2Mock.commandCalls(CreateImageUsageReportCommand)).toHaveLength(1)
    expect(polls).toBe(2)
    expect(found.accounts.map((a) => a.launchTemplates)).toEqual([2])
  })

  test('no images: no call', async () => {
    expect(await findAccountUsage(gateway(), REGION, [], clock())).toEqual({ accounts: [], unknowns: [], warnings: [] })
    expect(ec2Mock.calls()).toHaveLength(0)
  })

  test('never rejects, even when every call fails unexpectedly', async () => {
    ec2Mock.onAnyCommand().rejects(new Error('socket hang up'))
    const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], clock())
    expect(found.unknowns).toHaveLength(1)
    expect(found.unknowns[0]!.why).toContain('could not be read')
  })
})

test('a sleep that throws still does not reject: the image is unknown', async () => {
  ec2Mock.on(DescribeImageUsageReportsCommand).resolves({ ImageUsageReports: [report({ State: 'pending' })] })
  const opts = { ...clock(), sleep: () => Promise.reject(new Error('timer gone')) }
  const found = await findAccountUsage(gateway(), REGION, [{ imageId: A }], opts)
  expect(found.unknowns.map((u) => u.why)).toEqual([`the usage report of ${A} could not be read: timer gone`])
})
