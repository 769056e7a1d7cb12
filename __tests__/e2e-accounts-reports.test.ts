/**
 * Issue 13, point 7: EC2's AMI usage reports, end to end (no consumer-role): a fresh report is
 * reused (no create), a pending one is waited for (no second create), one never ready is a
 * timeout (a warning; `skip` keeps the image, `fail` changes nothing), `usage-report-timeout: 0`
 * gives up at once, `auto` reads no report of an unshared image, `false` none, `true` all.
 */
import { commandLines } from './e2e/faults-world.js'
import { text as shownText } from '../test-support/markdown.js'
import type { EmuImage } from '../test-support/emulator/ec2.js'
import type { AffectedAccount } from '../test-support/output-shapes.js'
import {
  changesMade,
  consumer,
  CONSUMER,
  day,
  image,
  json,
  REGION,
  startWorld,
  stateOf,
  type World
} from './e2e/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.close()
})

interface ReportJson {
  regions: Array<{ decisions: Array<{ imageId: string; decision: string; reason: string }> }>
}

const REPORT_ACTIONS = ['CreateImageUsageReport', 'DescribeImageUsageReports', 'DescribeImageUsageReportEntries']

/** golden-web-1 shared with the consumer (a template and 2 instances on it there), golden-web-2 the new image. */
function scene(share = true): { old: EmuImage; fresh: EmuImage } {
  const { aws } = world
  const old = image(aws, 'golden-web-1', day(1), share ? { launchPermissions: [{ userId: CONSUMER }] } : {})
  const fresh = image(aws, 'golden-web-2', day(2))
  const shop = consumer(aws)
  shop.addLaunchTemplate(REGION, { name: 'shop-web', versions: [{ imageId: old.imageId }] })
  shop.addInstances(REGION, 2, { imageId: old.imageId })
  return { old, fresh }
}

const inputs = (fresh: EmuImage, extra: Record<string, string> = {}) => ({
  'image-id': fresh.imageId,
  'family-tag': 'role',
  ...extra
})

function accounts(outputs: Record<string, string>): Array<[string, string, number, number, string]> {
  return json<AffectedAccount[]>(outputs['affected-accounts']).map((a) => [
    a.accountId,
    a.imageId,
    a.launchTemplates,
    a.instances,
    a.source
  ])
}

describe('usage reports: reuse, wait, create', () => {
  test('an available report of the image, an hour old, is reused: no create, its entries are what is said', async () => {
    const { old, fresh } = scene()
    // entries that differ from the account's state: the action must be reading this report
    world.aws.addUsageReport(REGION, {
      imageId: old.imageId,
      creationTime: new Date(Date.now() - 3600_000).toISOString(),
      entries: [
        { accountId: CONSUMER, resourceType: 'ec2:LaunchTemplate', usageCount: 4 },
        { accountId: CONSUMER, resourceType: 'ec2:Instance', usageCount: 7 }
      ]
    })

    const result = await world.run(inputs(fresh))

    expect(result.exitCode).toBe(0)
    expect(world.aws.count('CreateImageUsageReport')).toBe(0)
    expect(accounts(result.outputs)).toEqual([[CONSUMER, old.imageId, 4, 7, 'usage-report']])
    expect(stateOf(world.aws, old.imageId)).toBe('disabled')
    expect(shownText(result.summary)).toContain('7 instances (7 in 1 other account) still run the disabled images')
  })

  test('a report older than 24 hours is not reused: a new one is created and read', async () => {
    const { old, fresh } = scene()
    world.aws.addUsageReport(REGION, {
      imageId: old.imageId,
      creationTime: new Date(Date.now() - 25 * 3600_000).toISOString(),
      entries: [{ accountId: CONSUMER, resourceType: 'ec2:LaunchTemplate', usageCount: 4 }]
    })

    const result = await world.run(inputs(fresh))

    expect(result.exitCode).toBe(0)
    expect(world.aws.count('CreateImageUsageReport')).toBe(1)
    expect(accounts(result.outputs)).toEqual([[CONSUMER, old.imageId, 1, 2, 'usage-report']])
  })

  test('a pending report is waited for (polled again), never created a second time', async () => {
    const { old, fresh } = scene()
    // pending in the first read and in one poll, then available: counted in reads, not in ms, so
    // that a slow start of the action (a loaded machine) cannot find it ready at the first read
    const pending = world.aws.addUsageReport(REGION, { imageId: old.imageId, availableAfterDescribes: 2 })

    const result = await world.run(inputs(fresh))

    expect(result.exitCode).toBe(0)
    expect(world.aws.count('CreateImageUsageReport')).toBe(0)
    const polls = world.aws.callsOf('DescribeImageUsageReports')
    // the first read, a poll while pending, a poll once available (the polls by the report's id)
    expect(polls).toHaveLength(3)
    expect(polls.slice(1).map((c) => c.params['ReportId.1'])).toEqual([pending.reportId, pending.reportId])
    expect(accounts(result.outputs)).toEqual([[CONSUMER, old.imageId, 1, 2, 'usage-report']])
    // the wait is done before anything is disabled
    const lastPoll = polls.at(-1)?.seq ?? Infinity
    expect(world.aws.callsOf('DisableImage').every((c) => c.seq > lastPoll)).toBe(true)
  })

  test('a report created by the run and pending for a while is waited for', async () => {
    const { old, fresh } = scene()
    world.aws.usageReportDelay = 1000

    const result = await world.run(inputs(fresh))

    expect(result.exitCode).toBe(0)
    expect(world.aws.count('CreateImageUsageReport')).toBe(1)
    expect(accounts(result.outputs)).toEqual([[CONSUMER, old.imageId, 1, 2, 'usage-report']])
  })
})

describe('usage reports: a report never ready', () => {
  function neverReady(): { old: EmuImage; fresh: EmuImage } {
    const s = scene()
    world.aws.addUsageReport(REGION, { imageId: s.old.imageId, availableAfterMs: 3600_000 })
    return s
  }

  test('in-use: report: after usage-report-timeout, a warning; the image is disabled; no second create', async () => {
    const { old, fresh } = neverReady()

    const result = await world.run(inputs(fresh, { 'usage-report-timeout': '2' }))

    expect(result.exitCode).toBe(0)
    expect(stateOf(world.aws, old.imageId)).toBe('disabled')
    expect(world.aws.count('CreateImageUsageReport')).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toContainEqual(
      expect.stringContaining(`the usage report of ${old.imageId} was still pending after 2 s`)
    )
    expect(accounts(result.outputs)).toEqual([])
    expect(result.durationMs).toBeGreaterThanOrEqual(2000)
  })

  test('in-use: skip: the shared image stays enabled, saying why', async () => {
    const { old, fresh } = neverReady()
    const unshared = image(world.aws, 'golden-web-0', day(1, -60))

    const result = await world.run(inputs(fresh, { 'usage-report-timeout': '2', 'in-use': 'skip' }))

    expect(result.exitCode).toBe(0)
    expect(stateOf(world.aws, old.imageId)).toBe('available')
    // its use in other accounts is known: it is shared with none
    expect(stateOf(world.aws, unshared.imageId)).toBe('disabled')
    const decision = json<ReportJson>(result.outputs.report).regions[0]?.decisions.find(
      (d) => d.imageId === old.imageId
    )
    expect(decision).toEqual(
      expect.objectContaining({
        decision: 'skip',
        reason: `usage in other accounts is unknown (the usage report of ${old.imageId} was still pending after 2 s) (in-use: skip)`
      })
    )
  })

  test('in-use: fail: nothing changes, the step fails naming the pending report', async () => {
    const { old, fresh } = neverReady()

    const result = await world.run(inputs(fresh, { 'usage-report-timeout': '2', 'in-use': 'fail' }))

    expect(result.exitCode).toBe(1)
    expect(changesMade(world.aws)).toEqual([])
    expect(stateOf(world.aws, old.imageId)).toBe('available')
    expect(result.stdout).toContain(`the usage report of ${old.imageId} was still pending after 2 s`)
    expect(result.stdout).toContain('in-use: fail')
  })

  test('usage-report-timeout: 0 with a pending report: unknown at once, with no poll', async () => {
    const { old, fresh } = neverReady()

    const result = await world.run(inputs(fresh, { 'usage-report-timeout': '0' }))

    expect(result.exitCode).toBe(0)
    // the one read that found the pending report; no poll of it by id
    expect(world.aws.callsOf('DescribeImageUsageReports').map((c) => c.params['ReportId.1'])).toEqual([undefined])
    expect(world.aws.count('CreateImageUsageReport')).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toContainEqual(
      expect.stringContaining(`the usage report of ${old.imageId} was still pending after 0 s`)
    )
    expect(stateOf(world.aws, old.imageId)).toBe('disabled')
  })
})

describe('usage-report: which images get a report', () => {
  test('auto (the default): no report of an image shared with no one', async () => {
    const { old, fresh } = scene(false)

    const result = await world.run(inputs(fresh))

    expect(result.exitCode).toBe(0)
    expect(stateOf(world.aws, old.imageId)).toBe('disabled')
    expect(REPORT_ACTIONS.map((a) => world.aws.count(a))).toEqual([0, 0, 0])
    expect(accounts(result.outputs)).toEqual([])
  })

  test('false: no report is read, even of a shared image', async () => {
    const { fresh } = scene()

    const result = await world.run(inputs(fresh, { 'usage-report': 'false' }))

    expect(result.exitCode).toBe(0)
    expect(REPORT_ACTIONS.map((a) => world.aws.count(a))).toEqual([0, 0, 0])
    expect(accounts(result.outputs)).toEqual([])
  })

  test('true: the report of an unshared image is read too', async () => {
    const { old, fresh } = scene(false)

    const result = await world.run(inputs(fresh, { 'usage-report': 'true' }))

    expect(result.exitCode).toBe(0)
    expect(world.aws.callsOf('CreateImageUsageReport').map((c) => c.params['ImageId'])).toEqual([old.imageId])
    expect(world.aws.count('DescribeImageUsageReportEntries')).toBe(1)
    // the consumer's template names the image even though it cannot launch it: the report counts it
    expect(accounts(result.outputs)).toEqual([[CONSUMER, old.imageId, 1, 2, 'usage-report']])
  })
})
