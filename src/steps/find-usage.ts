/** The usage finder: launch templates and Auto Scaling groups that point at images, per region. */
import type { AutoScaling } from '../aws/autoscaling.js'
import type { Ec2 } from '../aws/ec2.js'
import { AwsError, describeError } from '../aws/errors.js'
import { awaitedLater } from '../concurrency.js'
import type { UsageFinder } from '../context.js'
import { groupUses, templateUses, type GroupTemplateRef } from '../rules/usage.js'

/** A denied or failed read of the groups is a warning: the templates are still checked. */
function groupsNotChecked(region: string, error: unknown): string {
  const why = error instanceof AwsError && error.denied ? `the role needs ${error.action}` : describeError(error)
  return `Auto Scaling groups were not checked in ${region}: ${why}`
}

export function usageFinder(ec2: (region: string) => Ec2, autoscaling: (region: string) => AutoScaling): UsageFinder {
  return (region: string) => {
    const warnings: string[] = []
    // Neither query depends on the images: both start now and run while the family is looked up.
    const groupsQuery = autoscaling(region)
      .groupTemplateRefs()
      .catch((error: unknown): GroupTemplateRef[] => {
        warnings.push(groupsNotChecked(region, error))
        return []
      })
    const viaSsm = awaitedLater(ec2(region).templateVersionsViaSsm())
    return {
      find: async (imageIds) => {
        const [direct, ssm] = await Promise.all([ec2(region).templateVersionsUsing(imageIds), viaSsm])
        const versions = [...direct, ...ssm]
        const hitIds = [
          ...new Set(versions.filter((v) => v.imageId && imageIds.includes(v.imageId)).map((v) => v.launchTemplateId))
        ]
        const [numbers, refs] = await Promise.all([
          hitIds.length ? ec2(region).templateNumbers(hitIds) : Promise.resolve([]),
          groupsQuery
        ])
        const templates = templateUses(region, versions, imageIds, numbers)
        return {
          templates,
          groups: groupUses(region, refs, templates, numbers),
          launchConfigurations: [],
          replacements: [],
          checked: ['launch templates (default and latest versions)', 'Auto Scaling groups'],
          warnings
        }
      }
    }
  }
}
