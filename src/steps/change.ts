/** The record of what happened to one image: one constructor, used by every step that changes images. */
import type { DryRunAnswer } from '../aws/ec2.js'
import type { Change, ChangeOutcome, Image, Sharing } from '../model.js'

/** What a Change may say besides its outcome; what is empty is left out. */
interface Details {
  message?: string | undefined
  sharing?: Sharing | undefined
  warnings?: string[] | undefined
  keptOnPurpose?: boolean | undefined
}

/** A Change for `image`; empty details (no message, no warnings) are left out. */
export function changeOf(
  image: Pick<Image, 'region' | 'imageId' | 'name'>,
  action: Change['action'],
  outcome: ChangeOutcome,
  details: Details = {}
): Change {
  const { message, sharing, warnings, keptOnPurpose } = details
  return {
    region: image.region,
    imageId: image.imageId,
    name: image.name,
    action,
    outcome,
    ...(message ? { message } : {}),
    ...(sharing ? { sharing } : {}),
    ...(warnings?.length ? { warnings } : {}),
    ...(keptOnPurpose ? { keptOnPurpose } : {})
  }
}

/** In a dry run, EC2's no (`dry run: not authorized: the role needs …`); undefined when allowed. */
export function dryRunRefusal(answer: DryRunAnswer): string | undefined {
  return answer.allowed ? undefined : `dry run: ${answer.error.describe()}`
}
