/**
 * The Auto Scaling gateway: every group's launch template references and launch configuration,
 * and every launch configuration's image, all pages.
 *
 * Its SDK client is loaded on first use (the bundle keeps it in a chunk of its own): no command
 * needs it before its first EC2 request, so it stays off the start-up path, and it loads while
 * the first EC2 answers are awaited.
 */
import type { AutoScalingClient, LaunchTemplateSpecification } from '@aws-sdk/client-auto-scaling'
import type { GroupLaunchConfigurationRef, GroupTemplateRef, LaunchConfiguration } from '../rules/usage.js'
import { CLIENT_CONFIG } from './ec2.js'
import { awsCall } from './errors.js'

function templateRef(
  autoScalingGroupName: string,
  desiredCapacity: number,
  spec: LaunchTemplateSpecification,
  viaMixedInstancesPolicy: boolean
): GroupTemplateRef {
  return {
    autoScalingGroupName,
    ...(spec.LaunchTemplateId ? { launchTemplateId: spec.LaunchTemplateId } : {}),
    ...(spec.LaunchTemplateName ? { launchTemplateName: spec.LaunchTemplateName } : {}),
    ...(spec.Version ? { version: spec.Version } : {}),
    viaMixedInstancesPolicy,
    desiredCapacity
  }
}

/** What every group launches from: its template references, and its launch configuration. */
export interface GroupRefs {
  templates: GroupTemplateRef[]
  launchConfigurations: GroupLaunchConfigurationRef[]
}

export class AutoScaling {
  constructor(
    readonly region: string,
    private client?: AutoScalingClient
  ) {}

  /** The client, loaded on first use (only the names destructured are bundled: no other command is). */
  private async sdk(): Promise<AutoScalingClient> {
    const { AutoScalingClient } = await import('@aws-sdk/client-auto-scaling')
    return (this.client ??= new AutoScalingClient({ region: this.region, ...CLIENT_CONFIG }))
  }

  /**
   * Every group's template references (direct, and in a mixed instances policy with its
   * overrides) and launch configuration, with its desired capacity; the groups' instances are left
   * out of the answers (only what they launch from matters).
   */
  async groupRefs(): Promise<GroupRefs> {
    return awsCall('autoscaling:DescribeAutoScalingGroups', async () => {
      const { paginateDescribeAutoScalingGroups } = await import('@aws-sdk/client-auto-scaling')
      const client = await this.sdk()
      const refs: GroupRefs = { templates: [], launchConfigurations: [] }
      for await (const page of paginateDescribeAutoScalingGroups(
        { client, pageSize: 100 },
        { IncludeInstances: false }
      )) {
        for (const g of page.AutoScalingGroups ?? []) {
          const name = g.AutoScalingGroupName ?? ''
          const desired = g.DesiredCapacity ?? 0
          if (g.LaunchTemplate) refs.templates.push(templateRef(name, desired, g.LaunchTemplate, false))
          const mixed = g.MixedInstancesPolicy?.LaunchTemplate
          if (mixed?.LaunchTemplateSpecification) {
            refs.templates.push(templateRef(name, desired, mixed.LaunchTemplateSpecification, true))
          }
          for (const o of mixed?.Overrides ?? []) {
            if (o.LaunchTemplateSpecification) {
              refs.templates.push(templateRef(name, desired, o.LaunchTemplateSpecification, true))
            }
          }
          if (g.LaunchConfigurationName) {
            refs.launchConfigurations.push({
              autoScalingGroupName: name,
              launchConfigurationName: g.LaunchConfigurationName,
              desiredCapacity: desired
            })
          }
        }
      }
      return refs
    })
  }

  /** Every launch configuration of the region and its image, all pages (of 100, the most Auto Scaling answers). */
  async launchConfigurations(): Promise<LaunchConfiguration[]> {
    return awsCall('autoscaling:DescribeLaunchConfigurations', async () => {
      const { paginateDescribeLaunchConfigurations } = await import('@aws-sdk/client-auto-scaling')
      const client = await this.sdk()
      const found: LaunchConfiguration[] = []
      for await (const page of paginateDescribeLaunchConfigurations({ client, pageSize: 100 }, {})) {
        for (const c of page.LaunchConfigurations ?? []) {
          found.push({ launchConfigurationName: c.LaunchConfigurationName ?? '', imageId: c.ImageId ?? '' })
        }
      }
      return found
    })
  }
}
