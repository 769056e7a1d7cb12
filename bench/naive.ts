/**
 * The naive way, for comparison: the same disable, but finding the launch templates that use the
 * superseded images the way the usual tools do (Cloud Custodian's launch-template filter, the AMI
 * cleaners): list every launch template, then one DescribeLaunchTemplateVersions per template.
 * Real AWS SDK, same retry settings as the action, regions concurrently, `concurrency` template
 * lookups in flight per region.
 *
 *   BENCH_NAIVE='{"images":["us-east-1:ami-…"],"familyTag":"image-family","concurrency":8}' \
 *   AWS_ENDPOINT_URL_EC2=… AWS_ENDPOINT_URL_AUTO_SCALING=… node naive.mjs
 *
 * Prints one JSON line: per region, templates looked up, affected template versions, groups, images disabled.
 * (bench/run.ts compiles it to plain ESM and spawns it with node.)
 */
import {
  CreateTagsCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DisableImageCommand,
  EC2Client,
  paginateDescribeImages,
  paginateDescribeLaunchTemplates
} from '@aws-sdk/client-ec2'
import { AutoScalingClient, paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling'

interface Options {
  images: string[]
  familyTag: string
  concurrency?: number
}

const RETRY = { retryMode: 'adaptive', maxAttempts: 8 } as const

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

async function region(name: string, newIds: string[], familyTag: string, concurrency: number) {
  const ec2 = new EC2Client({ region: name, ...RETRY })
  const autoscaling = new AutoScalingClient({ region: name, ...RETRY })
  const fresh = (await ec2.send(new DescribeImagesCommand({ ImageIds: newIds, Owners: ['self'] }))).Images ?? []
  const families = [
    ...new Set(fresh.map((i) => i.Tags?.find((t) => t.Key === familyTag)?.Value).filter((v): v is string => !!v))
  ]
  const newest = fresh.map((i) => i.CreationDate ?? '').sort()[0] ?? ''
  const family = []
  for await (const page of paginateDescribeImages(
    { client: ec2, pageSize: 1000 },
    { Owners: ['self'], Filters: [{ Name: `tag:${familyTag}`, Values: families }] }
  )) {
    family.push(...(page.Images ?? []))
  }
  const doomed = family.filter(
    (i) => i.State === 'available' && !newIds.includes(i.ImageId ?? '') && (i.CreationDate ?? '') < newest
  )
  const doomedIds = new Set(doomed.map((i) => i.ImageId!))

  // every template, then one DescribeLaunchTemplateVersions per template; groups at the same time
  const templatesQuery = (async () => {
    const ids: string[] = []
    for await (const page of paginateDescribeLaunchTemplates({ client: ec2, pageSize: 200 }, {})) {
      for (const t of page.LaunchTemplates ?? []) ids.push(t.LaunchTemplateId!)
    }
    const versions = await mapLimit(ids, concurrency, async (id) => {
      const out = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: id,
          Versions: ['$Latest', '$Default'],
          ResolveAlias: true
        })
      )
      return out.LaunchTemplateVersions ?? []
    })
    return { looked: ids.length, versions: versions.flat() }
  })()
  const groupsQuery = (async () => {
    const groups = []
    for await (const page of paginateDescribeAutoScalingGroups({ client: autoscaling, pageSize: 100 }, {}))
      groups.push(...(page.AutoScalingGroups ?? []))
    return groups
  })()
  const [{ looked, versions }, groups] = await Promise.all([templatesQuery, groupsQuery])
  const affected = versions.filter((v) => doomedIds.has(v.LaunchTemplateData?.ImageId ?? ''))
  const affectedTemplates = new Set(affected.map((v) => v.LaunchTemplateId))
  const affectedGroups = groups.filter((g) => affectedTemplates.has(g.LaunchTemplate?.LaunchTemplateId))

  // record the sharing, then disable: the same three calls per image as the action
  const disabled = await mapLimit(doomed, 8, async (image) => {
    const id = image.ImageId!
    const sharing = await ec2.send(new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' }))
    const accounts = (sharing.LaunchPermissions ?? [])
      .map((p) => p.UserId ?? p.OrganizationArn ?? p.OrganizationalUnitArn ?? p.Group)
      .join(' ')
    await ec2.send(
      new CreateTagsCommand({
        Resources: [id],
        Tags: [
          { Key: 'naive:superseded-by', Value: newIds[0] },
          { Key: 'naive:sharing', Value: accounts.slice(0, 256) }
        ]
      })
    )
    await ec2.send(new DisableImageCommand({ ImageId: id }))
    return id
  })
  return {
    region: name,
    templatesLookedUp: looked,
    affectedVersions: affected.length,
    affectedTemplates: affectedTemplates.size,
    affectedGroups: affectedGroups.length,
    disabled: disabled.length
  }
}

const options = JSON.parse(process.env['BENCH_NAIVE'] ?? '{}') as Options
const byRegion = new Map<string, string[]>()
for (const target of options.images ?? []) {
  const [name, id] = target.split(':') as [string, string]
  byRegion.set(name, [...(byRegion.get(name) ?? []), id])
}
try {
  const regions = await Promise.all(
    [...byRegion].map(([name, ids]) => region(name, ids, options.familyTag, options.concurrency ?? 8))
  )
  process.stdout.write(`${JSON.stringify({ regions })}\n`)
} catch (error) {
  process.stderr.write(`naive: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`)
  process.exitCode = 1
}
