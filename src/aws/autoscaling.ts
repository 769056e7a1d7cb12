/**
 * The Auto Scaling gateway: every group's launch template reference, all pages.
 *
 * Its SDK client is loaded on first use (the bundle keeps it in a chunk of its own): no command
 * needs it before its first EC2 request, so it stays off the start-up path, and it loads while
 * the first EC2 answers are awaited.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling'
import type { GroupTemplateRef } from '../rules/usage.js'
import { CLIENT_CONFIG } from './ec2.js'

export class AutoScaling {
  constructor(
    readonly region: string,
    private client?: AutoScalingClient
  ) {}

  /** Every group's template references; the groups' instances are left out of the answers (only the templates matter). */
  async groupTemplateRefs(): Promise<GroupTemplateRef[]> {
    const { AutoScalingClient, paginateDescribeAutoScalingGroups } = await import('@aws-sdk/client-auto-scaling')
    const client = (this.client ??= new AutoScalingClient({ region: this.region, ...CLIENT_CONFIG }))
    const refs: GroupTemplateRef[] = []
    for await (const page of paginateDescribeAutoScalingGroups(
      { client, pageSize: 100 },
      { IncludeInstances: false }
    )) {
      for (const g of page.AutoScalingGroups ?? []) {
        const name = g.AutoScalingGroupName ?? ''
        const direct = g.LaunchTemplate
        if (direct) {
          refs.push({
            autoScalingGroupName: name,
            launchTemplateId: direct.LaunchTemplateId,
            launchTemplateName: direct.LaunchTemplateName,
            version: direct.Version,
            viaMixedInstancesPolicy: false
          })
        }
        const mixed = g.MixedInstancesPolicy?.LaunchTemplate
        if (mixed?.LaunchTemplateSpecification) {
          const spec = mixed.LaunchTemplateSpecification
          refs.push({
            autoScalingGroupName: name,
            launchTemplateId: spec.LaunchTemplateId,
            launchTemplateName: spec.LaunchTemplateName,
            version: spec.Version,
            viaMixedInstancesPolicy: true
          })
        }
        for (const o of mixed?.Overrides ?? []) {
          const spec = o.LaunchTemplateSpecification
          if (spec)
            refs.push({
              autoScalingGroupName: name,
              launchTemplateId: spec.LaunchTemplateId,
              launchTemplateName: spec.LaunchTemplateName,
              version: spec.Version,
              viaMixedInstancesPolicy: true
            })
        }
      }
    }
    return refs
  }
}
