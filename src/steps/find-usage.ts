/** The usage finder: launch templates and Auto Scaling groups that point at images, per region. */
import type { AutoScaling } from '../aws/autoscaling.js'
import type { Ec2 } from '../aws/ec2.js'
import { describeError, errorInfo, labelled } from '../aws/errors.js'
import { groupUses, templateUses, type GroupTemplateRef } from '../rules/usage.js'
import { started } from '../concurrency.js'
import type { UsageFinder } from '../context.js'

export function usageFinder(ec2: (region: string) => Ec2, autoscaling: (region: string) => AutoScaling): UsageFinder {
  return (region: string) => {
    const warnings: string[] = []
    // Neither query depends on the images: both start now and run while the family is looked up.
    const groupsQuery = autoscaling(region)
      .groupTemplateRefs()
      .catch((error: unknown): GroupTemplateRef[] => {
        const info = errorInfo(error, 'autoscaling:DescribeAutoScalingGroups')
        warnings.push(
          info.missingAction
            ? `Auto Scaling groups were not checked in ${region}: the role needs ${info.missingAction}`
            : `Auto Scaling groups were not checked in ${region}: ${describeError(error, 'autoscaling:DescribeAutoScalingGroups')}`
        )
        return []
      })
    const viaSsm = started(labelled('ec2:DescribeLaunchTemplateVersions', ec2(region).templateVersionsViaSsm()))
    return {
      find: async (imageIds) => {
        const [direct, ssm] = await Promise.all([
          labelled('ec2:DescribeLaunchTemplateVersions', ec2(region).templateVersionsUsing(imageIds)),
          viaSsm
        ])
        const versions = [...direct, ...ssm]
        const hitIds = [
          ...new Set(versions.filter((v) => v.imageId && imageIds.includes(v.imageId)).map((v) => v.launchTemplateId))
        ]
        const [numbers, refs] = await Promise.all([
          hitIds.length
            ? labelled('ec2:DescribeLaunchTemplates', ec2(region).templateNumbers(hitIds))
            : Promise.resolve([]),
          groupsQuery
        ])
        const templates = templateUses(region, versions, imageIds, numbers)
        return { templates, groups: groupUses(region, refs, templates, numbers), warnings }
      }
    }
  }
}
