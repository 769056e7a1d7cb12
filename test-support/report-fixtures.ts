/**
 * Plain report data built by hand for the renderer and output tests: images with ids of their
 * own, region reports. Each test file gives the defaults it reads its assertions against.
 */
import type { GroupUse, Image, TemplateUse } from '../src/model.js'

/** A maker of images with `defaults`, each with the next id (`ami-` + 17 hex digits) unless given. */
export function imageMaker(defaults: Omit<Image, 'imageId' | 'name'>): (name: string, over?: Partial<Image>) => Image {
  let counter = 0
  return (name, over = {}) => {
    counter += 1
    return { ...defaults, imageId: `ami-${counter.toString(16).padStart(17, '0')}`, name, ...over }
  }
}

/** A maker of template versions: `web` (lt-0aaa) version 3, default and latest, on `imageId`, unless told otherwise. */
export function templateUseMaker(region: string, imageId: string): (over?: Partial<TemplateUse>) => TemplateUse {
  return (over = {}) => ({
    region,
    launchTemplateId: 'lt-0aaa',
    launchTemplateName: 'web',
    versionNumber: 3,
    imageId,
    isDefault: true,
    isLatest: true,
    ...over
  })
}

/** A maker of groups: `web-asg` on `web` (lt-0aaa) `$Default` → 3, desired capacity 6, on `imageId`, unless told otherwise. */
export function groupUseMaker(region: string, imageId: string): (over?: Partial<GroupUse>) => GroupUse {
  return (over = {}) => ({
    region,
    autoScalingGroupName: 'web-asg',
    launchTemplateId: 'lt-0aaa',
    launchTemplateName: 'web',
    version: '$Default',
    versionNumber: 3,
    imageId,
    viaMixedInstancesPolicy: false,
    desiredCapacity: 6,
    ...over
  })
}
