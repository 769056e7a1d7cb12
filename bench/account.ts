/**
 * The accounts the benchmark runs against, built as emulator seeds (explicit ids, so the new
 * image is known before seeding, and the same seed can be loaded into a fresh emulator per run).
 *
 * Per region: 300 families of 10 images (3,000 images, all owned by the account, tagged
 * `image-family=family-NNN`); the newest image of `family-000` is the new golden image, its 9
 * older siblings are the superseded images. `templates` launch templates of 3 versions each; 40
 * of them point (default or latest version) at one of the 9 superseded images, 4 of those through
 * an SSM alias (`resolve:ssm:`); the rest point at images of other families. 60 Auto Scaling
 * groups of 3 running instances, 10 of them on affected templates.
 */
import type { AutoScalingGroupInput, ImageInput, LaunchTemplateInput, Seed } from '../test-support/emulator/ec2.js'
import { makeRandom } from '../test-support/emulator/util.js'

export const FAMILY_TAG = 'image-family'
export const FAMILIES = 300
export const PER_FAMILY = 10
export const AFFECTED_TEMPLATES = 40
export const VIA_SSM = 4
export const GROUPS = 60
export const AFFECTED_GROUPS = 10
export const INSTANCES_PER_GROUP = 3
export const SUPERSEDED = PER_FAMILY - 1
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const

export interface Account {
  seed: Seed
  regions: string[]
  templates: number
  /** images superseded per region (the new image's older siblings) */
  supersededPerRegion: number
  /** `region:ami-…` of the new image, per region */
  newImages: string[]
  /** the superseded images, per region */
  superseded: Record<string, string[]>
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0')
const imageId = (region: number, family: number, n: number): string =>
  `ami-${hex(region + 1, 3)}${hex(family, 8)}${hex(n, 6)}`
const templateId = (region: number, n: number): string => `lt-${hex(region + 1, 3)}${hex(n, 14)}`
const created = (family: number, n: number): string =>
  new Date(Date.UTC(2026, 0, 1 + n * 7, 8, family % 60)).toISOString()

/** A small deterministic PRNG, so every run builds the same account. */
const prng = makeRandom

/**
 * `familySize`: the images of `family-000` (default 10): a backlog account (one that never cleaned
 * up) has hundreds; the newest is the new image, all the others are superseded.
 */
export function buildAccount(templates: number, regionCount: number, familySize = PER_FAMILY): Account {
  const regions = REGIONS.slice(0, regionCount)
  const seed: Seed = { regions: {} }
  const newImages: string[] = []
  const superseded: Record<string, string[]> = {}
  regions.forEach((region, r) => {
    const random = prng(1000 + r)
    const images: ImageInput[] = []
    for (let f = 0; f < FAMILIES; f++) {
      const size = f === 0 ? familySize : PER_FAMILY
      for (let n = 0; n < size; n++) {
        // in family-000, the three before the newest (and the newest) are shared
        const shared = f === 0 && n >= size - 4
        images.push({
          imageId: imageId(r, f, n),
          name: `golden-family-${String(f).padStart(3, '0')}-${created(f, n).slice(0, 10)}`,
          creationDate: created(f, n),
          tags: [
            { key: FAMILY_TAG, value: `family-${String(f).padStart(3, '0')}` },
            { key: 'os', value: 'al2023' }
          ],
          ...(shared
            ? {
                launchPermissions: [
                  { userId: '222233334444' },
                  { userId: '333344445555' },
                  { organizationalUnitArn: 'arn:aws:organizations::111122223333:ou/o-bench12345/ou-bench-prod0001' }
                ]
              }
            : {})
        })
      }
    }
    newImages.push(`${region}:${imageId(r, 0, familySize - 1)}`)
    superseded[region] = Array.from({ length: familySize - 1 }, (_, n) => imageId(r, 0, n))

    const other = (): string => imageId(r, 1 + Math.floor(random() * (FAMILIES - 1)), Math.floor(random() * PER_FAMILY))
    const ssmParameters: Record<string, string> = {}
    const launchTemplates: LaunchTemplateInput[] = []
    for (let i = 0; i < templates; i++) {
      const old = imageId(r, 0, i % SUPERSEDED)
      let versions: Array<{ imageId: string; instanceType: string }>
      let defaultVersion: number
      if (i < 20) {
        // the default version points at a superseded image
        versions = [other(), old, other()].map((id) => ({ imageId: id, instanceType: 'm7g.large' }))
        defaultVersion = 2
      } else if (i < AFFECTED_TEMPLATES - VIA_SSM) {
        // the latest version points at a superseded image
        versions = [other(), other(), old].map((id) => ({ imageId: id, instanceType: 'm7g.large' }))
        defaultVersion = 1
      } else if (i < AFFECTED_TEMPLATES) {
        // the latest version points at a superseded image through an SSM parameter
        const parameter = `/golden/family-000/pinned-${i}`
        ssmParameters[parameter] = old
        versions = [other(), other(), `resolve:ssm:${parameter}`].map((id) => ({
          imageId: id,
          instanceType: 'm7g.large'
        }))
        defaultVersion = 1
      } else {
        versions = [other(), other(), other()].map((id) => ({ imageId: id, instanceType: 'c7g.xlarge' }))
        defaultVersion = 1 + Math.floor(random() * 3)
      }
      launchTemplates.push({
        id: templateId(r, i),
        name: `app-${String(i).padStart(5, '0')}`,
        versions,
        defaultVersion
      })
    }
    const autoScalingGroups: AutoScalingGroupInput[] = []
    for (let g = 0; g < GROUPS; g++) {
      // affected: half on a template whose default version is superseded ($Default), half on one whose latest is ($Latest)
      const half = AFFECTED_GROUPS / 2
      const t =
        g < half ? g : g < AFFECTED_GROUPS ? 20 + g : AFFECTED_TEMPLATES + ((g * 37) % (templates - AFFECTED_TEMPLATES))
      const version = g < half ? '$Default' : g < AFFECTED_GROUPS ? '$Latest' : g % 2 ? '$Latest' : '$Default'
      const instances = Array.from({ length: INSTANCES_PER_GROUP }, (_, i) => ({
        instanceId: `i-${hex(r + 1, 3)}${hex(g, 8)}${hex(i, 6)}`,
        availabilityZone: `${region}${'abc'[i % 3]}`,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
        protectedFromScaleIn: false,
        instanceType: 'm6i.large',
        launchTemplate: { launchTemplateId: templateId(r, t), version }
      }))
      autoScalingGroups.push({
        name: `asg-${String(g).padStart(3, '0')}`,
        launchTemplate: { launchTemplateId: templateId(r, t), version },
        instances
      })
    }
    seed.regions[region] = { images, launchTemplates, autoScalingGroups, ssmParameters }
  })
  return { seed, regions: [...regions], templates, supersededPerRegion: familySize - 1, newImages, superseded }
}
