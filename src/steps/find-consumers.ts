/**
 * The ConsumerFinder (context.ts): who else uses a region's images. The accounts come from the
 * images' sharing (the accounts they are shared with) and from the usage reports (when given:
 * `accountsFromReports`); with `consumer-role`, each of those accounts is searched by name
 * (steps/consumer-search.ts) with the role assumed there. Never rejects.
 */
import type { AccountUse, Usage, UsageUnknown } from '../model.js'
import { accountGateways, refreshingCredentials, Sts, type CredentialProvider, type RoleAssumer } from '../aws/sts.js'
import { describeError } from '../aws/errors.js'
import type { ConsumerFinder, ConsumerSearch, ConsumerUsage, Logger } from '../context.js'
import { consumerRoleArn, isAccountId, sessionName } from '../rules/consumer-role.js'
import { sharedBeyondAccounts } from '../rules/usage-reports.js'
import type { UsageFound } from '../rules/policy.js'
import { limiter } from '../concurrency.js'
import {
  CONSUMER_CONCURRENCY,
  emptyConsumerUsage,
  searchAccounts,
  summarize,
  type AccountResult,
  type ConsumerSearchDeps
} from './consumer-search.js'

/** The images a search is given: each with its sharing (undefined when it could not be read). */
export type ConsumerImages = Parameters<ConsumerSearch['find']>[0]

/** What the usage reports tell of a region's images (another step provides it). */
export interface ReportsUsage {
  accounts: AccountUse[]
  unknowns: UsageUnknown[]
  checked?: string[]
  warnings?: string[]
}

export type AccountsFromReports = (region: string, images: ConsumerImages) => Promise<ReportsUsage>

export interface RoleOptions {
  /** `consumer-role`: a role name or an ARN template with `{account}`. */
  consumerRole: string
  /** The STS gateway of a region (default: one Sts per region). */
  sts?: (region: string) => RoleAssumer
  /** Registers a secret with the runner's log masking (core.setSecret). */
  mask: (value: string) => void
  /** The run id, for the session name (`disable-superseded-ami-<run id>`); the time when absent. */
  runId?: string | undefined
  now?: () => Date
}

/** One STS gateway per region, made on first use. */
function perRegion(make: (region: string) => RoleAssumer): (region: string) => RoleAssumer {
  const made = new Map<string, RoleAssumer>()
  return (region) => {
    let value = made.get(region)
    if (!value) made.set(region, (value = make(region)))
    return value
  }
}

/**
 * How the role is assumed in an account, for a region's search: the credentials are fetched once
 * per role ARN for the whole run (every region of a partition uses the same), masked before they
 * are handed to any client, and refreshed before they expire; the gateways are the region's.
 */
export function roleAssumer(options: RoleOptions): (region: string) => Pick<ConsumerSearchDeps, 'assume' | 'roleArn'> {
  const sts = options.sts ?? perRegion((region) => new Sts(region))
  const session = sessionName(options.runId, (options.now ?? (() => new Date()))())
  const credentials = new Map<string, Promise<CredentialProvider>>()
  return (region) => {
    const roleArn = (accountId: string): string => consumerRoleArn(options.consumerRole, accountId, region)
    return {
      roleArn,
      assume: async (accountId) => {
        const arn = roleArn(accountId)
        let provider = credentials.get(arn)
        if (!provider) {
          provider = refreshingCredentials(() => sts(region).assumeRole(arn, session), options.mask)
          credentials.set(arn, provider)
        }
        return accountGateways(region, await provider)
      }
    }
  }
}

export interface ConsumerFinderOptions extends Omit<Partial<RoleOptions>, 'consumerRole'> {
  /** `consumer-role` (settings.consumerRole); absent or empty: no account is searched by name. */
  consumerRole?: string | undefined
  mask: (value: string) => void
  /** Who uses the images according to EC2's usage reports (another step); absent: no reports. */
  accountsFromReports?: AccountsFromReports | undefined
  /** Accounts searched at once, across every region of the run (default CONSUMER_CONCURRENCY). */
  concurrency?: number
  log?: Pick<Logger, 'debug'>
}

export const NO_ACCOUNT = 'no other account to search by consumer-role (the images are shared with no account)'

/** The accounts the images are shared with, in first-seen order, never an owner. */
function sharedAccounts(images: ConsumerImages, owners: Set<string>): string[] {
  const ids = images.flatMap(({ sharing }) => sharing?.userIds ?? [])
  return [...new Set(ids)].filter((id) => isAccountId(id) && !owners.has(id))
}

/**
 * What is unknown about an account (its role not assumed, a read denied there) is unknown about the
 * images that account may use: those shared with it, those a usage report names it for, and those
 * whose sharing goes beyond accounts or could not be read. Not about an image it cannot launch.
 */
function perImage(unknown: UsageUnknown, images: ConsumerImages, reported: AccountUse[]): UsageUnknown[] {
  const { accountId } = unknown
  if (accountId === undefined || unknown.imageId !== undefined) return [unknown]
  const ids = images
    .filter(
      ({ image, sharing }) =>
        !sharing ||
        image.public ||
        sharing.userIds.includes(accountId) ||
        sharedBeyondAccounts(sharing) ||
        reported.some((a) => a.accountId === accountId && a.imageId === image.imageId)
    )
    .map(({ image }) => image.imageId)
  if (ids.length === 0) return [unknown]
  return [...new Set(ids)].map((imageId) => ({ ...unknown, imageId }))
}

/**
 * The ConsumerFinder of the run, or undefined when nothing would be looked for (neither
 * `consumer-role` nor usage reports). Without `consumer-role` only the reports are read; with it,
 * the accounts the images are shared with are searched at once, and the accounts that only the
 * reports name once the reports are in. One bound holds for every region of the run.
 */
export function consumerFinder(options: ConsumerFinderOptions): ConsumerFinder | undefined {
  const { consumerRole, accountsFromReports } = options
  if (!consumerRole && !accountsFromReports) return undefined
  const limit = limiter(options.concurrency ?? CONSUMER_CONCURRENCY)
  const assumer = consumerRole ? roleAssumer({ ...options, consumerRole }) : undefined
  return (region) => ({
    find: async (images) => {
      const imageIds = [...new Set(images.map(({ image }) => image.imageId))]
      if (imageIds.length === 0) return emptyConsumerUsage()
      const owners = new Set(images.map(({ image }) => image.ownerId).filter((id) => id !== ''))
      const reports = accountsFromReports
        ? accountsFromReports(region, images).catch((error: unknown): ReportsUsage => ({
            accounts: [],
            unknowns: [{ region, why: `the usage reports could not be read: ${describeError(error)}` }],
            warnings: [`usage reports were not read in ${region}: ${describeError(error)}`]
          }))
        : undefined
      if (!assumer) {
        const r = (await reports) ?? { accounts: [], unknowns: [] }
        return { ...emptyConsumerUsage(), ...r, checked: r.checked ?? [], warnings: r.warnings ?? [] }
      }
      const deps: ConsumerSearchDeps = { ...assumer(region), limit, ...(options.log ? { log: options.log } : {}) }
      const shared = sharedAccounts(images, owners)
      options.log?.debug(
        `consumer-role: ${shared.length} account(s) the images of ${region} are shared with: ${shared.join(', ') || 'none'}`
      )
      const first = searchAccounts(deps, region, shared, imageIds)
      const later: Promise<AccountResult[]> = reports
        ? reports.then((r) => {
            const known = new Set(shared)
            const more = [...new Set(r.accounts.map((a) => a.accountId))].filter(
              (id) => isAccountId(id) && !owners.has(id) && !known.has(id)
            )
            if (more.length) options.log?.debug(`consumer-role: ${more.length} more account(s) from the usage reports`)
            return searchAccounts(deps, region, more, imageIds)
          })
        : Promise.resolve([])
      const [r, results] = await Promise.all([reports, Promise.all([first, later]).then(([a, b]) => [...a, ...b])])
      const found = summarize(region, results, imageIds)
      found.unknowns = found.unknowns.flatMap((u) => perImage(u, images, r?.accounts ?? []))
      if (results.length === 0) found.checked.push(NO_ACCOUNT)
      const gaps = images.flatMap(({ image, sharing }) => {
        if (!sharing) {
          return [
            `the sharing of ${image.imageId} could not be read: the accounts it is shared with were not searched by consumer-role`
          ]
        }
        if (!accountsFromReports && sharedBeyondAccounts(sharing)) {
          return [
            `${image.imageId} is shared with organizations, OUs or everyone: the accounts there are known only from usage reports, and were not searched by consumer-role`
          ]
        }
        return []
      })
      return {
        ...found,
        accounts: [...(r?.accounts ?? []), ...found.accounts],
        unknowns: [...(r?.unknowns ?? []), ...found.unknowns],
        checked: [...(r?.checked ?? []), ...found.checked],
        warnings: [...(r?.warnings ?? []), ...found.warnings, ...gaps]
      }
    }
  })
}

/** The owner account's usage and what other accounts hold, as one (a failed search stays failed). */
export function withConsumers(usage: Usage, consumers: ConsumerUsage | undefined): Usage
export function withConsumers(usage: UsageFound, consumers: ConsumerUsage | undefined): UsageFound
export function withConsumers(usage: UsageFound, consumers: ConsumerUsage | undefined): UsageFound {
  if (!consumers || usage.unknown !== undefined) return usage
  return {
    ...usage,
    templates: [...usage.templates, ...consumers.templates],
    groups: [...usage.groups, ...consumers.groups],
    launchConfigurations: [...usage.launchConfigurations, ...consumers.launchConfigurations],
    references: [...usage.references, ...consumers.references],
    accounts: [...usage.accounts, ...consumers.accounts],
    unknowns: [...usage.unknowns, ...consumers.unknowns],
    checked: [...usage.checked, ...consumers.checked],
    warnings: [...usage.warnings, ...consumers.warnings]
  }
}
