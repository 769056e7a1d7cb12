/**
 * EC2's AMI usage reports, the pure parts: which existing report of an image can be reused or must
 * be waited for, how long to wait between polls, and what the report entries say about other
 * accounts. Plain records in, plain records out; the calls are in steps/usage-reports.ts.
 */
import type { AccountUse, Sharing } from '../model.js'
import { byCodePoint } from './order.js'

/** One usage report, as DescribeImageUsageReports describes it. */
export interface UsageReport {
  reportId: string
  imageId: string
  /** `pending`, `available` or `error`. */
  state: string
  stateReason?: string
  /** ISO 8601. */
  creationTime?: string
  /** The resource types it covers (`ec2:Instance`, `ec2:LaunchTemplate`), when EC2 says. */
  resourceTypes?: string[]
  /** The accounts it was limited to, when it was (a report limited to some accounts does not cover the others). */
  accountIds?: string[]
}

/** One entry of a usage report: how many resources of one type one account holds of one image. */
export interface UsageReportEntry {
  reportId: string
  imageId: string
  accountId: string
  resourceType: string
  usageCount: number
}

/** An `available` report younger than this is reused instead of asking for a new one. */
export const REUSE_MAX_AGE_MS = 24 * 60 * 60 * 1000

/** What to do about one image's usage report. */
export type ReportChoice =
  /** An available report, fresh and complete enough: read its entries now. */
  | { kind: 'reuse'; report: UsageReport }
  /** A pending report of the image: wait for it (EC2 allows one pending report per image). */
  | { kind: 'wait'; report: UsageReport }
  /**
   * A pending report that would not answer the question (limited to some accounts, or without
   * launch templates): it blocks a new one until it is done; wait for it, then create.
   */
  | { kind: 'wait-then-create'; report: UsageReport }
  /** Nothing to reuse or wait for: create one. */
  | { kind: 'create' }

/** Whether a report counts what the action needs: launch templates, in every account. */
export function covers(report: UsageReport): boolean {
  const types = report.resourceTypes
  const allTypes = types === undefined || types.length === 0 || types.includes('ec2:LaunchTemplate')
  const allAccounts = report.accountIds === undefined || report.accountIds.length === 0
  return allTypes && allAccounts
}

function created(report: UsageReport): number {
  const t = report.creationTime ? Date.parse(report.creationTime) : NaN
  return Number.isNaN(t) ? -Infinity : t
}

function newestFirst(a: UsageReport, b: UsageReport): number {
  return created(b) - created(a)
}

/**
 * The choice for one image, from its reports: the newest `available` report that covers the
 * launch templates of every account and is younger than 24 hours is reused; else the newest
 * `pending` report is waited for (one that does not cover what is needed is waited for only
 * because it blocks a new one); else a report is created. Reports in `error`, older ones, and
 * those of other images are never used.
 */
export function chooseReport(imageId: string, reports: UsageReport[], nowMs: number): ReportChoice {
  const own = reports.filter((r) => r.imageId === imageId).sort(newestFirst)
  const fresh = own.find((r) => r.state === 'available' && covers(r) && nowMs - created(r) < REUSE_MAX_AGE_MS)
  if (fresh) return { kind: 'reuse', report: fresh }
  const pending = own.find((r) => r.state === 'pending')
  if (pending)
    return covers(pending) ? { kind: 'wait', report: pending } : { kind: 'wait-then-create', report: pending }
  return { kind: 'create' }
}

/** Milliseconds before the first poll of a pending report. */
export const POLL_FIRST_MS = 2_000
/** Growth of the delay from one poll to the next. */
export const POLL_FACTOR = 1.6
/** The longest delay between two polls. */
export const POLL_MAX_MS = 16_000
/** The delay is drawn within ±20 % of the schedule. */
export const POLL_JITTER = 0.2

/**
 * The delay before poll number `attempt` (0 for the first): 2 s, then ×1.6 up to 16 s, each
 * drawn within ±20 % (`random` in [0, 1)), and never past `remainingMs` (the time left before the
 * timeout), so that the last poll happens at the timeout rather than after it.
 */
export function pollDelay(attempt: number, random: number, remainingMs = Infinity): number {
  const base = Math.min(POLL_MAX_MS, POLL_FIRST_MS * POLL_FACTOR ** Math.max(0, attempt))
  const r = Math.min(Math.max(random, 0), 1)
  const jittered = Math.round(base * (1 - POLL_JITTER + 2 * POLL_JITTER * r))
  return Math.max(0, Math.min(jittered, remainingMs))
}

/**
 * Who else uses the images, from report entries: one AccountUse per image and account, with the
 * launch templates (`ec2:LaunchTemplate`) and instances (`ec2:Instance`) it counts; the owner's
 * own account, other resource types, and accounts that count nothing are left out. An entry's
 * image is its own, else its report's (`imageOfReport`). Sorted by image, then account.
 */
export function accountUses(
  region: string,
  entries: UsageReportEntry[],
  ownerAccountId: string,
  imageOfReport: ReadonlyMap<string, string> = new Map()
): AccountUse[] {
  const byKey = new Map<string, AccountUse>()
  for (const e of entries) {
    const imageId = e.imageId || imageOfReport.get(e.reportId) || ''
    if (!imageId || !e.accountId || e.accountId === ownerAccountId) continue
    const count = Number.isFinite(e.usageCount) && e.usageCount > 0 ? e.usageCount : 0
    const key = `${imageId}\u0000${e.accountId}`
    const use = byKey.get(key) ?? {
      region,
      imageId,
      accountId: e.accountId,
      launchTemplates: 0,
      instances: 0,
      source: 'usage-report' as const
    }
    if (e.resourceType === 'ec2:LaunchTemplate') use.launchTemplates += count
    else if (e.resourceType === 'ec2:Instance') use.instances += count
    else continue
    byKey.set(key, use)
  }
  return [...byKey.values()]
    .filter((u) => u.launchTemplates > 0 || u.instances > 0)
    .sort((a, b) => byCodePoint(a.imageId, b.imageId) || byCodePoint(a.accountId, b.accountId))
}

/** Shared with organizations, OUs or everyone: the accounts that may launch it are not listed (a usage report names them). */
export function sharedBeyondAccounts(sharing: Sharing): boolean {
  return sharing.public || sharing.organizationArns.length > 0 || sharing.organizationalUnitArns.length > 0
}

/**
 * Shared beyond its own account (accounts, organizations, OUs, public; `isPublic`: the image's own
 * flag): the images `usage-report: auto` reads reports of. Sharing that could not be read counts as shared.
 */
export function isShared(sharing: Sharing | undefined, isPublic = false): boolean {
  return !sharing || isPublic || sharing.userIds.length > 0 || sharedBeyondAccounts(sharing)
}

/** Seconds, for a sentence: `300 s`. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`
}
