/**
 * The usage finder: the launch templates (default, latest and pinned versions), Auto Scaling
 * groups and launch configurations that point at images, per region.
 */
import type { AutoScaling, GroupRefs } from '../aws/autoscaling.js'
import type { Ec2 } from '../aws/ec2.js'
import { AwsError, describeError, isCode } from '../aws/errors.js'
import { awaitedLater, mapLimit } from '../concurrency.js'
import { REFERENCES_CHECKED } from '../rules/checked.js'
import type { UsageFinder } from '../context.js'
import type { ImageReference } from '../model.js'
import {
  groupUses,
  launchConfigurationUses,
  pinnedLookups,
  templateUses,
  type GroupTemplateRef,
  type LaunchConfiguration,
  type PinnedLookup,
  type TemplateVersion
} from '../rules/usage.js'

/** Pinned-version lookups (one per template) sent at once. */
const PINNED_CONCURRENCY = 10

const CHECKED = {
  templatesWithPinned: 'launch templates (default, latest and versions pinned by groups)',
  templates: 'launch templates (default and latest versions)',
  groups: 'Auto Scaling groups',
  launchConfigurations: 'launch configurations',
  references: REFERENCES_CHECKED
} as const

/** What EC2 (or a region, or an endpoint that predates the API) answers for an action it does not know. */
const UNSUPPORTED = ['InvalidAction', 'UnsupportedOperation', 'UnknownOperationException', 'NotImplemented']

/**
 * A failed DescribeImageReferences is a warning naming the action (denied: the role needs it;
 * unsupported: this endpoint does not have it); the launch templates, groups and configurations
 * are still checked.
 */
function referencesNotChecked(region: string, error: unknown): string {
  const what = `SSM parameters and Image Builder recipes were not checked in ${region}`
  if (error instanceof AwsError && !error.denied && isCode(error.cause, ...UNSUPPORTED)) {
    return `${what}: ${error.action} is not supported here (${error.code})`
  }
  return `${what}: ${why(error)}`
}

/** Why a read failed, naming its IAM action. */
function why(error: unknown): string {
  if (!(error instanceof AwsError)) return describeError(error)
  if (error.denied) return `the role needs ${error.action}`
  const detail = error.message && error.message !== error.code ? ` (${error.message})` : ''
  return `${error.action} failed: ${error.code}${detail}`
}

/** A denied or failed read of the groups is a warning: the templates are still checked. */
function groupsNotChecked(region: string, error: unknown): string {
  return `Auto Scaling groups were not checked in ${region}: ${why(error)}`
}

function configurationsNotChecked(region: string, error: unknown): string {
  return `launch configurations were not checked in ${region}: ${why(error)}`
}

/** One warning per cause, naming the groups whose pinned versions were not checked. */
function pinnedNotChecked(region: string, failures: Array<{ lookup: PinnedLookup; error: unknown }>): string[] {
  const byCause = new Map<string, Set<string>>()
  for (const f of failures) {
    const cause = why(f.error)
    const groups = byCause.get(cause) ?? new Set<string>()
    for (const g of f.lookup.autoScalingGroupNames) groups.add(g)
    byCause.set(cause, groups)
  }
  return [...byCause].map(
    ([cause, groups]) =>
      `launch template versions pinned by Auto Scaling groups were not checked in ${region} (groups ${[...groups].sort().join(', ')}): ${cause}`
  )
}

interface Pinned {
  versions: TemplateVersion[]
  failures: Array<{ lookup: PinnedLookup; error: unknown }>
}

/** Every pinned version of the groups, one lookup per template, a failed lookup kept with its groups. Never rejects. */
async function lookUpPinned(ec2: Ec2, refs: GroupTemplateRef[]): Promise<Pinned> {
  const pinned: Pinned = { versions: [], failures: [] }
  await mapLimit(pinnedLookups(refs), PINNED_CONCURRENCY, async (lookup) => {
    try {
      pinned.versions.push(...(await ec2.pinnedTemplateVersions(lookup)))
    } catch (error) {
      pinned.failures.push({ lookup, error })
    }
  })
  return pinned
}

/** The latest version numbers that the pinned lookups learnt (each answer holds its template's latest). */
function latestOf(pinned: TemplateVersion[]): Map<string, number> {
  const latest = new Map<string, number>()
  for (const v of pinned) if (v.isLatest) latest.set(v.launchTemplateId, v.versionNumber)
  return latest
}

export function usageFinder(ec2: (region: string) => Ec2, autoscaling: (region: string) => AutoScaling): UsageFinder {
  return (region: string) => {
    // None of these depends on the images: they start now and run while the family is looked up.
    let groupsWarning: string | undefined
    const groupsQuery = autoscaling(region)
      .groupRefs()
      .catch((error: unknown): GroupRefs | undefined => {
        groupsWarning = groupsNotChecked(region, error)
        return undefined
      })
    let configurationsWarning: string | undefined
    const configurationsQuery = autoscaling(region)
      .launchConfigurations()
      .catch((error: unknown): LaunchConfiguration[] | undefined => {
        configurationsWarning = configurationsNotChecked(region, error)
        return undefined
      })
    const viaSsm = awaitedLater(ec2(region).templateVersionsViaSsm())
    return {
      find: async (imageIds, replacementIds = []) => {
        // The pinned versions need only the groups: looked up while the image-id query runs.
        const pinnedQuery = groupsQuery.then((refs) => lookUpPinned(ec2(region), refs?.templates ?? []))
        let referencesWarning: string | undefined
        const referencesQuery = ec2(region)
          .imageReferences(imageIds)
          .catch((error: unknown): ImageReference[] | undefined => {
            referencesWarning = referencesNotChecked(region, error)
            return undefined
          })
        const values = [...new Set([...imageIds, ...replacementIds])]
        const [direct, ssm] = await Promise.all([ec2(region).templateVersionsUsing(values), viaSsm])
        const answered = [...direct, ...ssm]
        const hitIds = [
          ...new Set(answered.filter((v) => v.imageId && imageIds.includes(v.imageId)).map((v) => v.launchTemplateId))
        ]
        const [numbers, refs, pinned, configurations, references] = await Promise.all([
          hitIds.length ? ec2(region).templateNumbers(hitIds) : Promise.resolve([]),
          groupsQuery,
          pinnedQuery,
          configurationsQuery,
          referencesQuery
        ])
        // The latest numbers of the pinned templates also tell the default/latest answers which is the latest.
        const latest = latestOf(pinned.versions)
        const versions = answered.map((v) => {
          const n = latest.get(v.launchTemplateId)
          return n === undefined ? v : { ...v, isLatest: v.versionNumber === n }
        })
        const templates = templateUses(region, [...versions, ...pinned.versions], imageIds, numbers)
        const affected = new Set(templates.map((t) => t.launchTemplateId))
        const replacements = replacementIds.length
          ? templateUses(region, versions, replacementIds, numbers).filter((t) => affected.has(t.launchTemplateId))
          : []
        const pinnedWarnings = pinnedNotChecked(region, pinned.failures)
        return {
          templates,
          groups: groupUses(region, refs?.templates ?? [], templates, numbers),
          launchConfigurations: configurations
            ? launchConfigurationUses(region, configurations, refs?.launchConfigurations ?? [], imageIds)
            : [],
          replacements,
          references: references ?? [],
          accounts: [],
          unknowns: [],
          checked: [
            refs && pinnedWarnings.length === 0 ? CHECKED.templatesWithPinned : CHECKED.templates,
            ...(refs ? [CHECKED.groups] : []),
            ...(configurations ? [CHECKED.launchConfigurations] : []),
            ...(references ? [CHECKED.references] : [])
          ],
          warnings: [
            ...(groupsWarning ? [groupsWarning] : []),
            ...pinnedWarnings,
            ...(configurationsWarning ? [configurationsWarning] : []),
            ...(referencesWarning ? [referencesWarning] : [])
          ]
        }
      }
    }
  }
}
