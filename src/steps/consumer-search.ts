/**
 * The search by name in other accounts (`consumer-role`): in each account, with the role assumed
 * there, the same usage search as in the owner's account (launch templates, default, latest and
 * pinned versions; Auto Scaling groups; launch configurations) and the SSM parameters that point
 * at the images. Accounts are searched in parallel, within a bound. Never rejects: a role that
 * cannot be assumed, or a read denied inside an account, is a warning naming the account (and the
 * role, or the IAM action).
 */
import type { AccountGateways } from '../aws/sts.js'
import { AwsError, describeError } from '../aws/errors.js'
import type { ConsumerUsage, Logger } from '../context.js'
import type { AccountUse, Usage } from '../model.js'
import { limiter, type Limiter } from '../concurrency.js'
import { usageFinder } from './find-usage.js'
import { consumerRoleChecked } from '../rules/checked.js'

/** Accounts searched at once (each search sends a handful of paginated reads, spread over its own account's budget). */
export const CONSUMER_CONCURRENCY = 8

export interface ConsumerSearchDeps {
  /** The gateways of an account, with the role assumed there; rejects when the role cannot be assumed. */
  assume(accountId: string): Promise<AccountGateways>
  /** The role assumed in an account, for the warnings. */
  roleArn(accountId: string): string
  /** Shares the bound between searches (e.g. every region of a run); default: a bound of `concurrency` for this search. */
  limit?: Limiter
  /** Accounts searched at once when no `limit` is given (default CONSUMER_CONCURRENCY). */
  concurrency?: number
  log?: Pick<Logger, 'debug'>
}

/** What a search found: nothing yet, nothing looked at. */
export function emptyConsumerUsage(): ConsumerUsage {
  return {
    accounts: [],
    templates: [],
    groups: [],
    launchConfigurations: [],
    references: [],
    unknowns: [],
    checked: [],
    warnings: []
  }
}

/** What one account gave (its AccountUses are made from it by `summarize`). */
export interface AccountResult extends Omit<ConsumerUsage, 'accounts'> {
  accountId: string
  /** false: the role could not be assumed, nothing was searched. */
  assumed: boolean
}

/** Why a call failed, in a few words naming its IAM action. */
function why(error: unknown): string {
  if (!(error instanceof AwsError)) return describeError(error)
  if (error.denied) return `the role needs ${error.action} (${error.code})`
  const detail = error.message && error.message !== error.code ? ` (${error.message})` : ''
  return `${error.action} failed: ${error.code}${detail}`
}

function stsWhy(error: unknown): string {
  if (!(error instanceof AwsError)) return describeError(error)
  const detail = error.message && error.message !== error.code ? `: ${error.message}` : ''
  return `${error.code}${detail}`
}

function accountResult(accountId: string, assumed: boolean): AccountResult {
  const { templates, groups, launchConfigurations, references, unknowns, checked, warnings } = emptyConsumerUsage()
  return { accountId, assumed, templates, groups, launchConfigurations, references, unknowns, checked, warnings }
}

/** One account: assume the role, then the usage search and the SSM parameters together. Never rejects. */
async function searchAccount(
  deps: Pick<ConsumerSearchDeps, 'assume' | 'roleArn' | 'log'>,
  region: string,
  accountId: string,
  imageIds: string[]
): Promise<AccountResult> {
  const roleArn = deps.roleArn(accountId)
  let gateways: AccountGateways
  try {
    gateways = await deps.assume(accountId)
  } catch (error) {
    const cause = stsWhy(error)
    const result = accountResult(accountId, false)
    result.warnings.push(
      `account ${accountId} was not searched in ${region}: the role ${roleArn} could not be assumed (sts:AssumeRole ${cause})`
    )
    result.unknowns.push({
      region,
      accountId,
      why: `the role ${roleArn} could not be assumed in account ${accountId} (${cause})`
    })
    return result
  }
  deps.log?.debug(`consumer-role: searching account ${accountId} in ${region} as ${roleArn}`)
  const prefix = `account ${accountId}: `
  const { ec2, autoscaling } = gateways
  // The same usage search as the owner account's: templates, groups, launch configurations, and
  // (DescribeImageReferences) the SSM parameters, recipes and instances of that account.
  const usage = await usageFinder(
    () => ec2,
    () => autoscaling
  )(region)
    .find(imageIds)
    .then(
      (u): Usage | { error: unknown } => u,
      (error: unknown) => ({ error })
    )
  const result = accountResult(accountId, true)
  if ('error' in usage) {
    const text = `launch templates were not checked in ${region}: ${why(usage.error)}`
    result.warnings.push(prefix + text)
    result.unknowns.push({ region, accountId, why: `in account ${accountId}, ${text}` })
  } else {
    result.templates = usage.templates.map((t) => ({ ...t, accountId }))
    result.groups = usage.groups.map((g) => ({ ...g, accountId }))
    result.launchConfigurations = usage.launchConfigurations.map((c) => ({ ...c, accountId }))
    result.references = usage.references.map((r) => ({ ...r, accountId }))
    result.checked.push(...usage.checked)
    result.warnings.push(...usage.warnings.map((w) => prefix + w))
  }
  return result
}

/** Who else uses each image: one AccountUse per image and account where something points at it. */
function accountUses(region: string, r: AccountResult, imageIds: string[]): AccountUse[] {
  return imageIds.flatMap((imageId) => {
    const templates = new Set(r.templates.filter((t) => t.imageId === imageId).map((t) => t.launchTemplateId))
    // the account's instances of the image, as DescribeImageReferences named them there
    const instances = new Set(
      r.references.filter((x) => x.imageId === imageId && x.resourceType === 'ec2:Instance').map((x) => x.arn)
    )
    const used =
      templates.size > 0 ||
      r.groups.some((g) => g.imageId === imageId) ||
      r.launchConfigurations.some((c) => c.imageId === imageId) ||
      r.references.some((x) => x.imageId === imageId)
    if (!used) return []
    return [
      {
        region,
        imageId,
        accountId: r.accountId,
        launchTemplates: templates.size,
        instances: instances.size,
        source: 'consumer-role' as const
      }
    ]
  })
}

/** The accounts' results as one ConsumerUsage: each account's findings, in the order the accounts were given. */
export function summarize(region: string, results: AccountResult[], imageIds: string[]): ConsumerUsage {
  const searched = results.filter((r) => r.assumed)
  const checked: string[] = []
  if (searched.length > 0) {
    // what was checked in every account searched (a denied read in one says so in its warning)
    const everywhere = (searched[0]?.checked ?? []).filter((c) => searched.every((r) => r.checked.includes(c)))
    checked.push(consumerRoleChecked(searched.length, everywhere))
  }
  return {
    accounts: results.flatMap((r) => accountUses(region, r, imageIds)),
    templates: results.flatMap((r) => r.templates),
    groups: results.flatMap((r) => r.groups),
    launchConfigurations: results.flatMap((r) => r.launchConfigurations),
    references: results.flatMap((r) => r.references),
    unknowns: results.flatMap((r) => r.unknowns),
    checked,
    warnings: results.flatMap((r) => r.warnings)
  }
}

/** Every account, within the bound; the results in the accounts' order. Never rejects. */
export function searchAccounts(
  deps: ConsumerSearchDeps,
  region: string,
  accountIds: string[],
  imageIds: string[]
): Promise<AccountResult[]> {
  const limit = deps.limit ?? limiter(deps.concurrency ?? CONSUMER_CONCURRENCY)
  const unique = [...new Set(accountIds)]
  return Promise.all(unique.map((accountId) => limit(() => searchAccount(deps, region, accountId, imageIds))))
}

/**
 * What `accountIds` hold of `imageIds` in `region`, found by name with the role assumed in each.
 * Every template, group, launch configuration and reference carries its `accountId`. Never rejects.
 */
export async function searchConsumers(
  deps: ConsumerSearchDeps,
  region: string,
  accountIds: string[],
  imageIds: string[]
): Promise<ConsumerUsage> {
  if (imageIds.length === 0) return summarize(region, [], imageIds)
  return summarize(region, await searchAccounts(deps, region, accountIds, imageIds), imageIds)
}
