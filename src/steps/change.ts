/** The record of what happened to one image: one constructor, used by every step that changes images. */
import type { DryRunAnswer } from '../aws/ec2.js'
import type { Change, ChangeOutcome, Image } from '../model.js'

type Details = Pick<Change, 'message' | 'sharing' | 'warnings'>

/** A Change for `image`; empty details (no message, no warnings) are left out. */
export function changeOf(
  image: Pick<Image, 'region' | 'imageId' | 'name'>,
  action: Change['action'],
  outcome: ChangeOutcome,
  details: { [K in keyof Details]?: Details[K] | undefined } = {}
): Change {
  const { message, sharing, warnings } = details
  return {
    region: image.region,
    imageId: image.imageId,
    name: image.name,
    action,
    outcome,
    ...(message ? { message } : {}),
    ...(sharing ? { sharing } : {}),
    ...(warnings?.length ? { warnings } : {})
  }
}

/** In a dry run, EC2's no (`dry run: not authorized: the role needs …`); undefined when allowed. */
export function dryRunRefusal(answer: DryRunAnswer): string | undefined {
  return answer.allowed ? undefined : `dry run: ${answer.error.describe()}`
}
