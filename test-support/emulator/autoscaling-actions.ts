/**
 * Auto Scaling actions (awsQuery protocol, Version 2011-01-01, XML answers): the ones the action
 * sends, with their parameters; any other parameter is refused (`UnknownParameter`, as the EC2
 * side answers it).
 */
import { ApiError } from './ec2-actions.js'
import { accepting, list, unknownParameter, type Params } from './params.js'
import type {
  AccountState as EmulatorState,
  EmuAutoScalingGroup,
  EmuLaunchConfiguration,
  LaunchTemplateSpec
} from './state.js'
import { el, fingerprint, makeToken, readToken, wrap, xmlEscape } from './util.js'

export interface AsgContext {
  /** the caller's account */
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

function refuseUnknown(p: Params, accepts: (key: string) => boolean): void {
  const unknown = unknownParameter(p, accepts)
  if (unknown !== undefined) throw new ApiError('UnknownParameter', `The parameter ${unknown} is not recognized`)
}

/** A page of `items` as Auto Scaling pages: MaxRecords 1..100 (default 50), NextToken bound to the query. */
function page<T>(p: Params, items: T[]): { page: T[]; next?: string } {
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
  const fp = fingerprint(p)
  let offset = 0
  if (p['NextToken']) {
    const o = readToken(p['NextToken'], fp)
    if (o === undefined) throw new ApiError('InvalidNextToken', 'The token is invalid.')
    offset = o
  }
  const next = offset + size < items.length ? makeToken(offset + size, fp) : undefined
  return { page: items.slice(offset, offset + size), ...(next ? { next } : {}) }
}

/** Every group of the region, paginated, with or without their instances. */
const DESCRIBE_AUTO_SCALING_GROUPS = accepting('IncludeInstances', 'MaxRecords', 'NextToken')

const describeAutoScalingGroups: Handler = (ctx) => {
  const p = ctx.params
  refuseUnknown(p, DESCRIBE_AUTO_SCALING_GROUPS)
  const { page: groups, next } = page(p, ctx.state.autoScalingGroups(ctx.region))
  // IncludeInstances=false leaves the instances out (the default is true)
  const includeInstances = p['IncludeInstances'] !== 'false'
  return (
    members('AutoScalingGroups', groups, (g) => renderGroup(ctx.state, ctx.region, g, includeInstances)) +
    el('NextToken', next)
  )
}

function renderLaunchConfiguration(c: EmuLaunchConfiguration): string {
  return (
    el('LaunchConfigurationName', c.launchConfigurationName) +
    el('LaunchConfigurationARN', c.launchConfigurationARN) +
    el('ImageId', c.imageId) +
    el('KeyName', c.keyName) +
    members('SecurityGroups', c.securityGroups, (g) => xmlEscape(g)) +
    members('ClassicLinkVPCSecurityGroups', [], () => '') +
    el('UserData', c.userData) +
    el('InstanceType', c.instanceType) +
    members('BlockDeviceMappings', [], () => '') +
    wrap('InstanceMonitoring', el('Enabled', c.instanceMonitoring)) +
    el('IamInstanceProfile', c.iamInstanceProfile) +
    el('CreatedTime', c.createdTime) +
    el('EbsOptimized', c.ebsOptimized)
  )
}

/** The launch configurations of the region (or those named: at most 50, unknown names left out), paginated. */
const DESCRIBE_LAUNCH_CONFIGURATIONS = accepting('LaunchConfigurationNames.member.N', 'MaxRecords', 'NextToken')

const describeLaunchConfigurations: Handler = (ctx) => {
  const p = ctx.params
  refuseUnknown(p, DESCRIBE_LAUNCH_CONFIGURATIONS)
  const names = list(p, 'LaunchConfigurationNames.member')
  if (names.length > 50) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '[${names.join(', ')}]' at 'launchConfigurationNames' failed to satisfy constraint: Member must have length less than or equal to 50`
    )
  }
  const all = ctx.state.launchConfigurations(ctx.region)
  const wanted = names.length > 0 ? new Set(names) : undefined
  const { page: configurations, next } = page(
    p,
    wanted ? all.filter((c) => wanted.has(c.launchConfigurationName)) : all
  )
  return members('LaunchConfigurations', configurations, renderLaunchConfiguration) + el('NextToken', next)
}

export const AUTOSCALING_HANDLERS: Record<string, Handler> = {
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  DescribeLaunchConfigurations: describeLaunchConfigurations
}
