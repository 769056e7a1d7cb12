/**
 * Auto Scaling actions (awsQuery protocol, Version 2011-01-01, XML answers): the one the action
 * sends, with its parameters; any other parameter is refused (`UnknownParameter`, as the EC2
 * side answers it).
 */
import { ApiError } from './ec2-actions.js'
import { accepting, unknownParameter, type Params } from './params.js'
import type { EmulatorState, EmuAutoScalingGroup, LaunchTemplateSpec } from './state.js'
import { el, fingerprint, makeToken, readToken, wrap, xmlEscape } from './util.js'

export interface AsgContext {
  state: EmulatorState
  region: string
  params: Params
}

type Handler = (ctx: AsgContext) => string

function members<T>(name: string, items: readonly T[] | undefined, render: (item: T) => string): string {
  if (!items) return ''
  return wrap(name, items.map((i) => wrap('member', render(i))).join(''))
}

/** Fill in the id or the name of the template the way Auto Scaling reports both. */
function spec(state: EmulatorState, region: string, s: LaunchTemplateSpec): string {
  const t = state.launchTemplate(region, s.launchTemplateId ?? s.launchTemplateName ?? '')
  return (
    el('LaunchTemplateId', s.launchTemplateId ?? t?.launchTemplateId) +
    el('LaunchTemplateName', s.launchTemplateName ?? t?.launchTemplateName) +
    el('Version', s.version ?? '$Default')
  )
}

function renderGroup(state: EmulatorState, region: string, g: EmuAutoScalingGroup, includeInstances: boolean): string {
  const mip = g.mixedInstancesPolicy
  return (
    el('AutoScalingGroupName', g.autoScalingGroupName) +
    el('AutoScalingGroupARN', g.autoScalingGroupARN) +
    el('LaunchConfigurationName', g.launchConfigurationName) +
    (g.launchTemplate ? wrap('LaunchTemplate', spec(state, region, g.launchTemplate)) : '') +
    (mip
      ? wrap(
          'MixedInstancesPolicy',
          wrap(
            'LaunchTemplate',
            wrap('LaunchTemplateSpecification', spec(state, region, mip.launchTemplate.launchTemplateSpecification)) +
              members(
                'Overrides',
                mip.launchTemplate.overrides,
                (o) =>
                  el('InstanceType', o.instanceType) +
                  el('WeightedCapacity', o.weightedCapacity) +
                  el('ImageId', o.imageId) +
                  (o.launchTemplateSpecification
                    ? wrap('LaunchTemplateSpecification', spec(state, region, o.launchTemplateSpecification))
                    : '')
              )
          ) +
            (mip.instancesDistribution
              ? wrap(
                  'InstancesDistribution',
                  el('OnDemandAllocationStrategy', mip.instancesDistribution.onDemandAllocationStrategy) +
                    el('OnDemandBaseCapacity', mip.instancesDistribution.onDemandBaseCapacity) +
                    el(
                      'OnDemandPercentageAboveBaseCapacity',
                      mip.instancesDistribution.onDemandPercentageAboveBaseCapacity
                    ) +
                    el('SpotAllocationStrategy', mip.instancesDistribution.spotAllocationStrategy)
                )
              : '')
        )
      : '') +
    el('MinSize', g.minSize) +
    el('MaxSize', g.maxSize) +
    el('DesiredCapacity', g.desiredCapacity) +
    el('DefaultCooldown', g.defaultCooldown) +
    members('AvailabilityZones', g.availabilityZones, (z) => xmlEscape(z)) +
    members('LoadBalancerNames', [], () => '') +
    members('TargetGroupARNs', [], () => '') +
    el('HealthCheckType', g.healthCheckType) +
    el('HealthCheckGracePeriod', 300) +
    members(
      'Instances',
      includeInstances ? g.instances : undefined,
      (i) =>
        el('InstanceId', i.instanceId) +
        el('InstanceType', i.instanceType) +
        el('AvailabilityZone', i.availabilityZone) +
        el('LifecycleState', i.lifecycleState) +
        el('HealthStatus', i.healthStatus) +
        el('LaunchConfigurationName', i.launchConfigurationName) +
        (i.launchTemplate ? wrap('LaunchTemplate', spec(state, region, i.launchTemplate)) : '') +
        el('ProtectedFromScaleIn', i.protectedFromScaleIn)
    ) +
    el('CreatedTime', g.createdTime) +
    members('SuspendedProcesses', [], () => '') +
    members('EnabledMetrics', [], () => '') +
    el('Status', g.status) +
    members(
      'Tags',
      g.tags,
      (t) =>
        el('ResourceId', g.autoScalingGroupName) +
        el('ResourceType', 'auto-scaling-group') +
        el('Key', t.key) +
        el('Value', t.value) +
        el('PropagateAtLaunch', t.propagateAtLaunch ?? false)
    ) +
    members('TerminationPolicies', ['Default'], (x) => x) +
    el('NewInstancesProtectedFromScaleIn', false) +
    el(
      'ServiceLinkedRoleARN',
      `arn:aws:iam::${g.autoScalingGroupARN.split(':')[4]}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`
    )
  )
}

/** Every group of the region, paginated, with or without their instances. */
const DESCRIBE_AUTO_SCALING_GROUPS = accepting('IncludeInstances', 'MaxRecords', 'NextToken')

const describeAutoScalingGroups: Handler = (ctx) => {
  const p = ctx.params
  const unknown = unknownParameter(p, DESCRIBE_AUTO_SCALING_GROUPS)
  if (unknown !== undefined) throw new ApiError('UnknownParameter', `The parameter ${unknown} is not recognized`)
  let size = 50
  if (p['MaxRecords'] !== undefined) {
    size = Number(p['MaxRecords'])
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value '${p['MaxRecords']}' at 'maxRecords' failed to satisfy constraint: Member must have value ${size < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`
      )
    }
  }
  const groups = ctx.state.autoScalingGroups(ctx.region)
  const fp = fingerprint(p)
  let offset = 0
  if (p['NextToken']) {
    const o = readToken(p['NextToken'], fp)
    if (o === undefined) throw new ApiError('InvalidNextToken', 'The token is invalid.')
    offset = o
  }
  const page = groups.slice(offset, offset + size)
  const next = offset + size < groups.length ? makeToken(offset + size, fp) : undefined
  // IncludeInstances=false leaves the instances out (the default is true)
  const includeInstances = p['IncludeInstances'] !== 'false'
  return (
    members('AutoScalingGroups', page, (g) => renderGroup(ctx.state, ctx.region, g, includeInstances)) +
    el('NextToken', next)
  )
}

export const AUTOSCALING_HANDLERS: Record<string, Handler> = {
  DescribeAutoScalingGroups: describeAutoScalingGroups
}
