/** The pure parts of the usage reports: which report to reuse or wait for, the poll schedule, entries → accounts. */
import { describe, expect, test } from '@jest/globals'
import {
  accountUses,
  chooseReport,
  covers,
  isShared,
  pollDelay,
  POLL_FIRST_MS,
  POLL_MAX_MS,
  REUSE_MAX_AGE_MS,
  sharedBeyondAccounts,
  type UsageReport,
  type UsageReportEntry
} from '../src/rules/usage-reports.js'
import { emptySharing } from '../src/model.js'

const R = 'eu-west-1'
const IMG = 'ami-00000000000000001'
const OTHER = 'ami-00000000000000002'
const NOW = Date.parse('2026-03-01T12:00:00Z')
const HOUR = 3_600_000
const at = (ms: number): string => new Date(ms).toISOString()

const report = (over: Partial<UsageReport> = {}): UsageReport => ({
  reportId: 'amiur-1',
  imageId: IMG,
  state: 'available',
  creationTime: at(NOW - HOUR),
  resourceTypes: ['ec2:Instance', 'ec2:LaunchTemplate'],
  ...over
})

describe('chooseReport', () => {
  test('the newest available report younger than 24 h is reused', () => {
    const older = report({ reportId: 'amiur-old', creationTime: at(NOW - 5 * HOUR) })
    const newer = report({ reportId: 'amiur-new', creationTime: at(NOW - 2 * HOUR) })
    expect(chooseReport(IMG, [older, newer], NOW)).toEqual({ kind: 'reuse', report: newer })
  })

  test('a report 24 h old or more is not reused: one is created', () => {
    expect(chooseReport(IMG, [report({ creationTime: at(NOW - REUSE_MAX_AGE_MS) })], NOW)).toEqual({ kind: 'create' })
    expect(chooseReport(IMG, [report({ creationTime: at(NOW - REUSE_MAX_AGE_MS + 1000) })], NOW).kind).toBe('reuse')
  })

  test('a report without a creation time is not reused', () => {
    const undated: UsageReport = { reportId: 'amiur-1', imageId: IMG, state: 'available' }
    expect(chooseReport(IMG, [undated], NOW)).toEqual({ kind: 'create' })
  })

  test('a fresh available report wins over a pending one; without it the newest pending one is waited for', () => {
    const pending = report({ reportId: 'amiur-p', state: 'pending', creationTime: at(NOW - 60_000) })
    const fresh = report({ reportId: 'amiur-a' })
    expect(chooseReport(IMG, [pending, fresh], NOW)).toEqual({ kind: 'reuse', report: fresh })
    const stale = report({ reportId: 'amiur-s', creationTime: at(NOW - 30 * HOUR) })
    expect(chooseReport(IMG, [stale, pending], NOW)).toEqual({ kind: 'wait', report: pending })
  })

  test('reports in error and those of other images are never used', () => {
    expect(chooseReport(IMG, [report({ state: 'error' }), report({ imageId: OTHER })], NOW)).toEqual({ kind: 'create' })
  })

  test('a report limited to some accounts, or without launch templates, is not reused', () => {
    expect(chooseReport(IMG, [report({ accountIds: ['444455556666'] })], NOW)).toEqual({ kind: 'create' })
    expect(chooseReport(IMG, [report({ resourceTypes: ['ec2:Instance'] })], NOW)).toEqual({ kind: 'create' })
  })

  test('such a report still pending blocks a new one: waited for, then a report is created', () => {
    const limited = report({ state: 'pending', resourceTypes: ['ec2:Instance'] })
    expect(chooseReport(IMG, [limited], NOW)).toEqual({ kind: 'wait-then-create', report: limited })
  })

  test('covers: no list of types or accounts means everything', () => {
    expect(covers({ reportId: 'r', imageId: IMG, state: 'available' })).toBe(true)
    expect(covers(report({ resourceTypes: [] }))).toBe(true)
    expect(covers(report({ accountIds: [] }))).toBe(true)
  })
})

describe('pollDelay', () => {
  test('from 2 s, growing by 1.6 up to 16 s, without jitter at the middle', () => {
    const schedule = Array.from({ length: 8 }, (_, i) => pollDelay(i, 0.5))
    expect(schedule).toEqual([2000, 3200, 5120, 8192, 13107, 16000, 16000, 16000])
  })

  test('the jitter stays within ±20 %', () => {
    for (const attempt of [0, 3, 10]) {
      const base = pollDelay(attempt, 0.5)
      expect(pollDelay(attempt, 0)).toBe(Math.round(base * 0.8))
      expect(pollDelay(attempt, 0.999999)).toBeLessThanOrEqual(Math.round(base * 1.2))
      expect(pollDelay(attempt, 0.999999)).toBeGreaterThan(base)
    }
    expect(pollDelay(0, -1)).toBe(POLL_FIRST_MS * 0.8)
    expect(pollDelay(50, 7)).toBe(POLL_MAX_MS * 1.2)
  })

  test('never past the time left', () => {
    expect(pollDelay(6, 0.5, 1234)).toBe(1234)
    expect(pollDelay(6, 0.5, -5)).toBe(0)
  })

  test('a 300 s wait polls about 25 times', () => {
    let t = 0
    let polls = 0
    while (t < 300_000) {
      t += pollDelay(polls, 0.5, 300_000 - t)
      polls++
    }
    expect(t).toBe(300_000)
    expect(polls).toBeGreaterThan(15)
    expect(polls).toBeLessThan(30)
  })
})

describe('accountUses', () => {
  const entry = (over: Partial<UsageReportEntry>): UsageReportEntry => ({
    reportId: 'amiur-1',
    imageId: IMG,
    accountId: '444455556666',
    resourceType: 'ec2:LaunchTemplate',
    usageCount: 1,
    ...over
  })

  test('one per image and account, launch templates and instances counted, sorted, the owner left out', () => {
    const uses = accountUses(
      R,
      [
        entry({ accountId: '999900001111', resourceType: 'ec2:Instance', usageCount: 4 }),
        entry({ usageCount: 2 }),
        entry({ resourceType: 'ec2:Instance', usageCount: 7 }),
        entry({ accountId: '111122223333', usageCount: 9 }),
        entry({ imageId: '', reportId: 'amiur-2', accountId: '444455556666', usageCount: 3 })
      ],
      '111122223333',
      new Map([['amiur-2', OTHER]])
    )
    expect(uses).toEqual([
      { region: R, imageId: IMG, accountId: '444455556666', launchTemplates: 2, instances: 7, source: 'usage-report' },
      { region: R, imageId: IMG, accountId: '999900001111', launchTemplates: 0, instances: 4, source: 'usage-report' },
      { region: R, imageId: OTHER, accountId: '444455556666', launchTemplates: 3, instances: 0, source: 'usage-report' }
    ])
  })

  test('a count that is not a positive number adds nothing: it neither hides nor lessens the real ones', () => {
    const uses = accountUses(
      R,
      [
        entry({ usageCount: 2 }),
        entry({ usageCount: Number.NaN }),
        entry({ usageCount: -1 }),
        entry({ resourceType: 'ec2:Instance', usageCount: 3 }),
        entry({ resourceType: 'ec2:Instance', usageCount: Number.POSITIVE_INFINITY })
      ],
      '111122223333'
    )
    expect(uses.map((u) => [u.launchTemplates, u.instances])).toEqual([[2, 3]])
  })

  test('sorted by image, then account, whatever order the entries came in', () => {
    const uses = accountUses(
      R,
      [
        entry({ imageId: OTHER, accountId: '999900001111' }),
        entry({ imageId: OTHER, accountId: '444455556666' }),
        entry({ imageId: IMG, accountId: '999900001111' }),
        entry({ imageId: IMG, accountId: '444455556666' })
      ],
      '111122223333'
    )
    expect(uses.map((u) => `${u.imageId} ${u.accountId}`)).toEqual([
      `${IMG} 444455556666`,
      `${IMG} 999900001111`,
      `${OTHER} 444455556666`,
      `${OTHER} 999900001111`
    ])
  })

  test('sorted the same from every order the entries can come in', () => {
    const entries = [
      entry({ imageId: OTHER, accountId: '999900001111' }),
      entry({ imageId: IMG, accountId: '555500001111' }),
      entry({ imageId: IMG, accountId: '999900001111' }),
      entry({ imageId: OTHER, accountId: '444455556666' }),
      entry({ imageId: IMG, accountId: '444455556666' })
    ]
    const permutations = (items: UsageReportEntry[]): UsageReportEntry[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])
          )
    for (const order of permutations(entries)) {
      expect(accountUses(R, order, '111122223333').map((u) => `${u.imageId} ${u.accountId}`)).toEqual([
        `${IMG} 444455556666`,
        `${IMG} 555500001111`,
        `${IMG} 999900001111`,
        `${OTHER} 444455556666`,
        `${OTHER} 999900001111`
      ])
    }
  })

  test('other resource types, zero counts, and entries without an account or an image are left out', () => {
    expect(
      accountUses(
        R,
        [
          entry({ resourceType: 'imagebuilder:ImageRecipe', usageCount: 2 }),
          entry({ usageCount: 0 }),
          entry({ usageCount: Number.NaN }),
          entry({ accountId: '' }),
          entry({ imageId: '', reportId: 'amiur-unknown' })
        ],
        '111122223333'
      )
    ).toEqual([])
  })
})

describe('which images are shared', () => {
  test('an account, an organization, an OU or everyone makes an image shared; unread sharing counts as shared', () => {
    expect(isShared(emptySharing())).toBe(false)
    expect(isShared(emptySharing(), true)).toBe(true)
    expect(isShared(undefined)).toBe(true)
    expect(isShared({ ...emptySharing(), userIds: ['444455556666'] })).toBe(true)
    expect(isShared({ ...emptySharing(), organizationArns: ['arn:aws:organizations::1:organization/o-1'] })).toBe(true)
    expect(isShared({ ...emptySharing(), organizationalUnitArns: ['arn:aws:organizations::1:ou/o-1/ou-1'] })).toBe(true)
    expect(isShared({ ...emptySharing(), public: true })).toBe(true)
  })

  test('beyond accounts: organizations, OUs or everyone, never a list of accounts', () => {
    expect(sharedBeyondAccounts({ ...emptySharing(), userIds: ['444455556666'] })).toBe(false)
    expect(sharedBeyondAccounts({ ...emptySharing(), public: true })).toBe(true)
    expect(
      sharedBeyondAccounts({ ...emptySharing(), organizationArns: ['arn:aws:organizations::1:organization/o-1'] })
    ).toBe(true)
    expect(
      sharedBeyondAccounts({ ...emptySharing(), organizationalUnitArns: ['arn:aws:organizations::1:ou/o-1/ou-1'] })
    ).toBe(true)
  })
})
