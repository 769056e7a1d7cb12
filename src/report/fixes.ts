/**
 * What to do about each launch template version, group and launch configuration that points at
 * a disabled image: the fix in words and, when it can be written safely, the AWS CLI commands
 * that apply it. Pure: the region's report in, plain text out (the renderer escapes the words;
 * commands go in code blocks and hold only values checked here).
 */
import type { GroupUse, LaunchConfigurationUse, RegionReport, TemplateUse } from '../model.js'
import { isPinnedVersion } from '../rules/usage.js'

export interface Fix {
  /** What to do, in one sentence (plain text, to be escaped). */
  words: string
  /** Shell commands that do it, one per line; empty when the fix cannot be written as a command. */
  commands: string[]
}

/** Values that go into a command unquoted: ids, regions, parameter names. */
const PLAIN = /^[A-Za-z0-9_.\-/]+$/
/** Group names go in single quotes; anything that could leave them or a code block is refused. */
const QUOTABLE = /^[^'`\n\r\\$]+$/

/** The SSM parameter a `resolve:ssm:` reference names, without its `:version` or `:label`, when it is a plain name. */
export function ssmParameter(reference: string | undefined): string | undefined {
  const match = /^resolve:ssm:([^:]+)(?::[^:]+)?$/.exec(reference ?? '')
  const name = match?.[1]
  return name && PLAIN.test(name) ? name : undefined
}

function regionFlag(region: string): string {
  return PLAIN.test(region) ? ` --region ${region}` : ''
}

/** The groups pinned to exactly this version by number (they must be moved to the new version too). */
function pinnedGroups(t: TemplateUse, groups: GroupUse[]): GroupUse[] {
  return groups.filter(
    (g) =>
      g.launchTemplateId === t.launchTemplateId && g.versionNumber === t.versionNumber && isPinnedVersion(g.version)
  )
}

/** The image to point at, when it is an id that can go into a command. */
function targetOf(region: RegionReport): string | undefined {
  return region.pointTo && PLAIN.test(region.pointTo) ? region.pointTo : undefined
}

export function templateFix(t: TemplateUse, region: RegionReport): Fix {
  const fix = ownTemplateFix(t, region)
  if (!t.accountId || !PLAIN.test(t.accountId)) return fix
  // Another account's template: the same fix, run there (and the new image must be shared with it).
  return {
    words: `in account ${t.accountId}: ${fix.words}`,
    commands: fix.commands.length
      ? [`# in account ${t.accountId}, with its credentials (share the new image with it first)`, ...fix.commands]
      : []
  }
}

function ownTemplateFix(t: TemplateUse, region: RegionReport): Fix {
  const target = targetOf(region)
  const r = regionFlag(t.region)
  const lt = PLAIN.test(t.launchTemplateId) ? t.launchTemplateId : undefined
  const parameter = ssmParameter(t.imageReference)
  if (t.imageReference?.startsWith('resolve:ssm:')) {
    const name = parameter ?? t.imageReference.slice('resolve:ssm:'.length)
    if (!target || !parameter) return { words: `update the SSM parameter ${name} to an enabled image`, commands: [] }
    return {
      words: `update the SSM parameter ${name} to ${target}: the template resolves it at launch, no new version is needed`,
      commands: [
        `aws ssm put-parameter${r} --name ${parameter} --type String --data-type aws:ec2:image --value ${target} --overwrite`
      ]
    }
  }
  if (!target || !lt) {
    return {
      words: 'point this version at an enabled image (create a new version and make it the default)',
      commands: []
    }
  }
  const ready = region.replacements.find(
    (v) => v.launchTemplateId === t.launchTemplateId && v.imageId === target && v.versionNumber !== t.versionNumber
  )
  const pinned = pinnedGroups(t, region.groups)
  if (ready && t.isDefault && pinned.length === 0) {
    return {
      words: `version ${ready.versionNumber} already uses ${target}: make it the default`,
      commands: [
        `aws ec2 modify-launch-template${r} --launch-template-id ${lt} --default-version ${ready.versionNumber}`
      ]
    }
  }
  const commands = [
    `v=$(aws ec2 create-launch-template-version${r} --launch-template-id ${lt} --source-version ${t.versionNumber} --launch-template-data '{"ImageId":"${target}"}' --query LaunchTemplateVersion.VersionNumber --output text)`
  ]
  if (t.isDefault) commands.push(`aws ec2 modify-launch-template${r} --launch-template-id ${lt} --default-version "$v"`)
  const quotable = pinned.filter((g) => QUOTABLE.test(g.autoScalingGroupName) && !g.viaMixedInstancesPolicy)
  for (const g of quotable) {
    commands.push(
      `aws autoscaling update-auto-scaling-group${r} --auto-scaling-group-name '${g.autoScalingGroupName}' --launch-template "LaunchTemplateId=${lt},Version=$v"`
    )
  }
  const which = [t.isDefault ? 'make it the default' : '', t.isLatest && !t.isDefault ? 'it becomes the latest' : '']
  const moved = pinned.length
    ? `point the group${pinned.length === 1 ? '' : 's'} pinned to version ${t.versionNumber} (${pinned.map((g) => g.autoScalingGroupName).join(', ')}) at it`
    : ''
  const words = [`create a version from version ${t.versionNumber} with ${target}`, ...which, moved].filter(Boolean)
  const others = pinned.length - quotable.length
  const note = others
    ? `; update ${others === 1 ? 'the mixed instances policy or name of one group' : `${others} groups`} by hand`
    : ''
  return { words: `${words.join(', ')}${note}`, commands }
}

export function launchConfigurationFix(c: LaunchConfigurationUse, region: RegionReport): Fix {
  const target = region.pointTo ?? 'an enabled image'
  const groups = c.groups.map((g) => g.autoScalingGroupName)
  const who = groups.length ? ` and point ${groups.join(', ')} at it` : ''
  return {
    words: `a launch configuration cannot be changed: create a launch template (or a new launch configuration) with ${target}${who}`,
    commands: []
  }
}
