/**
 * The Auto Scaling gateway: every group's launch template reference, all pages.
 *
 * Its SDK client is loaded on first use (the bundle keeps it in a chunk of its own): no command
 * needs it before its first EC2 request, so it stays off the start-up path, and it loads while
 * the first EC2 answers are awaited.
 */
import type { AutoScalingClient, LaunchTemplateSpecification } from '@aws-sdk/client-auto-scaling'
import type { GroupTemplateRef } from '../rules/usage.js'
import { CLIENT_CONFIG } from './ec2.js'
import { awsCall } from './errors.js'

function templateRef(
  autoScalingGroupName: string,
  spec: LaunchTemplateSpecification,
  viaMixedInstancesPolicy: boolean
): GroupTemplateRef {
  return {
    autoScalingGroupName,
    ...(spec.LaunchTemplateId ? { launchTemplateId: spec.LaunchTemplateId } : {}),
    ...(spec.LaunchTemplateName ? { launchTemplateName: spec.LaunchTemplateName } : {}),
    ...(spec.Version ? { version: spec.Version } : {}),
    viaMixedInstancesPolicy
  }
}

export class AutoScaling {
  constructor(
    readonly region: string,
    private client?: AutoScalingClient
  ) {}

  /** Every group's template references; the groups' instances are left out of the answers (only the templates matter). */
  async groupTemplateRefs(): Promise<GroupTemplateRef[]> {
    return awsCall('autoscaling:DescribeAutoScalingGroups', () => this.readGroupTemplateRefs())
  }

  private async readGroupTemplateRefs(): Promise<GroupTemplateRef[]> {
    const { AutoScalingClient, paginateDescribeAutoScalingGroups } = await import('@aws-sdk/client-auto-scaling')
    const client = (this.client ??= new AutoScalingClient({ region: this.region, ...CLIENT_CONFIG }))
    const refs: GroupTemplateRef[] = []
    for await (const page of paginateDescribeAutoScalingGroups(
      { client, pageSize: 100 },
      { IncludeInstances: false }
    )) {
      for (const g of page.AutoScalingGroups ?? []) {
        const name = g.AutoScalingGroupName ?? ''
        if (g.LaunchTemplate) refs.push(templateRef(name, g.LaunchTemplate, false))
        const mixed = g.MixedInstancesPolicy?.LaunchTemplate
        if (mixed?.LaunchTemplateSpecification) refs.push(templateRef(name, mixed.LaunchTemplateSpecification, true))
        for (const o of mixed?.Overrides ?? []) {
          if (o.LaunchTemplateSpecification) refs.push(templateRef(name, o.LaunchTemplateSpecification, true))
        }
      }
    }
    return refs
  }
}
