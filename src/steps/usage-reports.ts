/**
 * Who else uses a region's images, from EC2's AMI usage reports: reuse a fresh report, else wait
 * for a pending one, else create one; poll them all together, bounded by `usage-report-timeout`;
 * then read their entries. Never rejects: what could not be known is an UsageUnknown, with why.
 * Which images get a report (`usage-report: auto|true`) is the caller's choice.
 */
import type { AccountsFromReports } from './find-consumers.js'
import type { Ec2 } from '../aws/ec2.js'
import { AwsError, describeError } from '../aws/errors.js'
import { mapLimit } from '../concurrency.js'
import { usageReportsChecked } from '../rules/checked.js'
import type { AccountUse, Image, UsageUnknown } from '../model.js'
import {
  accountUses,
  chooseReport,
  covers,
  isShared,
  pollDelay,
  seconds,
  type UsageReport,
  type UsageReportEntry
} from '../rules/usage-reports.js'

export interface AccountUsageOptions {
  /** The account that owns the images: its own use is not "someone else's". */
  ownerAccountId: string
  /** `usage-report-timeout`: how long to wait for pending reports, from the call. */
  timeoutSeconds: number
  /** Milliseconds since the epoch. */
  now(): number
  sleep(ms: number): Promise<void>
  /** In [0, 1): the jitter of the polls (Math.random when absent). */
  random?: () => number
}

export interface AccountUsage {
  accounts: AccountUse[]
  unknowns: UsageUnknown[]
  warnings: string[]
}

/** Reports created at once (CreateImageUsageReport is a mutating call: a bucket of 50, 5 a second). */
const CREATE_CONCURRENCY = 5

/** Why a call failed, in a few words: `the role needs ec2:…` when denied. */
function cause(error: unknown): string {
  if (error instanceof AwsError && error.denied) return `the role needs ${error.action}`
  return describeError(error)
}

/** What is waited for, per image. */
interface Waiting {
  imageId: string
  reportId: string
  /** The report does not answer (limited, or without launch templates): once it is done, create one. */
  thenCreate: boolean
}

/**
 * The accounts other than the owner that use `images` in `region`, as counted by usage reports
 * (launch templates and instances per account), and what could not be known.
 */
export async function findAccountUsage(
  ec2: Ec2,
  region: string,
  images: ReadonlyArray<Pick<Image, 'imageId'>>,
  options: AccountUsageOptions
): Promise<AccountUsage> {
  const imageIds = [...new Set(images.map((i) => i.imageId))]
  const unknowns: UsageUnknown[] = []
  const warnings: string[] = []
  if (imageIds.length === 0) return { accounts: [], unknowns, warnings }
  try {
    return await search(ec2, region, imageIds, options, unknowns, warnings)
  } catch (error) {
    // not expected (every call is caught where it is made): the images not yet accounted for are unknown
    const said = new Set(unknowns.map((u) => u.imageId))
    for (const imageId of imageIds.filter((id) => !said.has(id))) {
      unknowns.push({ region, imageId, why: `the usage report of ${imageId} could not be read: ${cause(error)}` })
    }
    return { accounts: [], unknowns, warnings }
  }
}

async function search(
  ec2: Ec2,
  region: string,
  imageIds: string[],
  options: AccountUsageOptions,
  unknowns: UsageUnknown[],
  warnings: string[]
): Promise<AccountUsage> {
  const start = options.now()
  const deadline = start + Math.max(0, options.timeoutSeconds) * 1000
  const random = options.random ?? Math.random
  const unknown = (imageId: string, why: string): void => {
    unknowns.push({ region, imageId, why })
  }

  let existing: UsageReport[]
  try {
    existing = await ec2.usageReports(imageIds)
  } catch (error) {
    for (const id of imageIds) unknown(id, `the usage reports of ${id} could not be read: ${cause(error)}`)
    return { accounts: [], unknowns, warnings }
  }

  /** Report id → image, for every report whose entries are read. */
  const ready = new Map<string, string>()
  const waiting: Waiting[] = []
  const toCreate: string[] = []
  for (const imageId of imageIds) {
    const choice = chooseReport(imageId, existing, start)
    if (choice.kind === 'reuse') ready.set(choice.report.reportId, imageId)
    else if (choice.kind === 'create') toCreate.push(imageId)
    else waiting.push({ imageId, reportId: choice.report.reportId, thenCreate: choice.kind === 'wait-then-create' })
  }

  /**
   * Creates a report of each image, to be waited for. A create that fails other than by denial is
   * most likely EC2's one pending report per image (made meanwhile by someone else): the image's
   * reports are read again, and a pending one is waited for.
   */
  const create = async (ids: string[]): Promise<void> => {
    const failed: Array<{ imageId: string; error: unknown }> = []
    await mapLimit(ids, CREATE_CONCURRENCY, async (imageId) => {
      try {
        const reportId = await ec2.createUsageReport(imageId, clientToken(imageId, start))
        waiting.push({ imageId, reportId, thenCreate: false })
      } catch (error) {
        if (error instanceof AwsError && error.denied) {
          unknown(imageId, `the usage report of ${imageId} could not be created: ${cause(error)}`)
        } else failed.push({ imageId, error })
      }
    })
    if (failed.length === 0) return
    let again: UsageReport[] = []
    let readError: unknown
    try {
      again = await ec2.usageReports(failed.map((f) => f.imageId))
    } catch (error) {
      readError = error
    }
    for (const { imageId, error } of failed) {
      const pending = again
        .filter((r) => r.imageId === imageId && r.state === 'pending')
        .sort((a, b) => ((a.creationTime ?? '') < (b.creationTime ?? '') ? 1 : -1))[0]
      if (pending && covers(pending)) waiting.push({ imageId, reportId: pending.reportId, thenCreate: false })
      else {
        const after = readError === undefined ? '' : `; reading its reports again failed: ${cause(readError)}`
        unknown(imageId, `the usage report of ${imageId} could not be created: ${cause(error)}${after}`)
      }
    }
  }
  await create(toCreate)

  // Poll every waited report in one call, backing off, until all are done or the time is up.
  let lastPollError: unknown
  for (let attempt = 0; waiting.length > 0; attempt++) {
    const remaining = deadline - options.now()
    if (remaining <= 0) break
    // The first poll goes at once (a report can be ready in seconds); then the backoff.
    if (attempt > 0) await options.sleep(pollDelay(attempt - 1, random(), remaining))
    let reports: UsageReport[]
    try {
      reports = await ec2.usageReportsById(waiting.map((w) => w.reportId))
      lastPollError = undefined
    } catch (error) {
      if (error instanceof AwsError && error.denied) {
        for (const w of waiting.splice(0)) {
          unknown(w.imageId, `the usage report of ${w.imageId} could not be read: ${cause(error)}`)
        }
        break
      }
      lastPollError = error
      const note = `a poll of the usage reports in ${region} failed and was retried: ${cause(error)}`
      if (!warnings.includes(note)) warnings.push(note)
      continue
    }
    const byId = new Map(reports.map((r) => [r.reportId, r]))
    const recreate: string[] = []
    for (const w of waiting.splice(0)) {
      const report = byId.get(w.reportId)
      if (report?.state === 'pending') waiting.push(w)
      else if (w.thenCreate) recreate.push(w.imageId)
      else if (report?.state === 'available') ready.set(w.reportId, w.imageId)
      else if (report === undefined) unknown(w.imageId, `the usage report ${w.reportId} of ${w.imageId} disappeared`)
      else {
        const reason = report.stateReason ? `: ${report.stateReason}` : ` (state ${report.state})`
        unknown(w.imageId, `the usage report of ${w.imageId} failed${reason}`)
      }
    }
    if (recreate.length > 0) await create(recreate)
  }
  const waited = seconds(Math.max(0, options.timeoutSeconds) * 1000)
  for (const w of waiting) {
    const last = lastPollError === undefined ? '' : ` (its last poll failed: ${cause(lastPollError)})`
    const what = w.thenCreate
      ? `another usage report of ${w.imageId} (one that does not count every account's launch templates)`
      : `the usage report of ${w.imageId}`
    unknown(w.imageId, `${what} was still pending after ${waited}${last}`)
  }

  if (ready.size === 0) return { accounts: [], unknowns, warnings }
  let entries: UsageReportEntry[]
  try {
    entries = await ec2.usageReportEntries([...ready.keys()])
  } catch (error) {
    for (const imageId of new Set(ready.values())) {
      unknown(imageId, `the usage report of ${imageId} could not be read: ${cause(error)}`)
    }
    return { accounts: [], unknowns, warnings }
  }
  return { accounts: accountUses(region, entries, options.ownerAccountId, ready), unknowns, warnings }
}

/**
 * The idempotency token of a create: the same for the SDK's retries of one run's call, another
 * for a later run (EC2 would otherwise answer it with the old report). At most 64 characters.
 */
export function clientToken(imageId: string, startMs: number): string {
  return `dsa-${imageId}-${Math.floor(startMs / 1000)}`.slice(0, 64)
}

/**
 * The usage-report step as the consumer finder takes it, for `usage-report`: `auto` reads the
 * reports of the shared images, `true` of all, `false` none (undefined: no reports are read).
 */
export function reportsByMode(
  ec2: (region: string) => Ec2,
  settings: { usageReport: 'auto' | 'true' | 'false'; usageReportTimeoutSeconds: number },
  clock: { now(): number; sleep(ms: number): Promise<void> }
): AccountsFromReports | undefined {
  if (settings.usageReport === 'false') return undefined
  return async (region, images) => {
    const chosen = images.filter((i) => settings.usageReport === 'true' || isShared(i.sharing, i.image.public))
    if (chosen.length === 0) return { accounts: [], unknowns: [], checked: [], warnings: [] }
    const ownerAccountId = chosen[0]?.image.ownerId ?? ''
    const found = await findAccountUsage(
      ec2(region),
      region,
      chosen.map((i) => i.image),
      { ownerAccountId, timeoutSeconds: settings.usageReportTimeoutSeconds, ...clock }
    )
    return { ...found, checked: [usageReportsChecked(chosen.length, settings.usageReport !== 'true')] }
  }
}
