/**
 * The rules of a rollback that are not the in-use policy (that one is `disable`'s, in
 * policy.ts): when a bad image may be disabled once the images it superseded were re-enabled, and
 * which re-enabled image the affected templates should point at. Pure: changes in, words out.
 */
import type { Change, Image } from '../model.js'

/**
 * Whether a superseded image can be launched after the rollback's re-enable: re-enabled, would
 * be in a dry run, or already available (left as it was). Only a failed re-enable is not.
 */
export function launchable(change: Change | undefined): boolean {
  return change !== undefined && change.action === 'enable' && change.outcome !== 'failed'
}

/**
 * Why a bad image must stay enabled in `region`, or undefined when it may be disabled.
 * `superseded` are the ids of the images this bad image superseded (as their records say),
 * `enables` the Change of each re-enable, by image id.
 *
 * A bad image that superseded nothing stays enabled: disabling it would leave its family with
 * no image to launch, which is worse than the bad image (the contract: "in a region where nothing
 * could be re-enabled, the bad image stays enabled and the step says why and fails").
 *
 * When some but not all of its re-enables fail, it stays enabled too, and the step fails. What a
 * user asked for is "go back to before": the images that failed are as much a part of that as the
 * others (with `keep`, different templates may use different older images), and the one that
 * failed may well be the newest, the one the templates should move to. A half-done rollback that
 * disables the bad image would cut off whatever still launches from it with no sure place to go.
 * The images that were re-enabled stay enabled (undoing them would be one more change that can
 * fail, and an extra enabled image breaks nothing). The fix is to run the same rollback again
 * once the cause is fixed: it leaves the re-enabled images as they are, retries the others, and
 * only then disables the bad image.
 */
export function staysEnabledBecause(
  region: string,
  superseded: string[],
  enables: ReadonlyMap<string, Change>
): string | undefined {
  const n = superseded.length
  if (n === 0)
    return `stays enabled in ${region}: it superseded no image, so disabling it would leave no image to launch`
  const failed = superseded.filter((id) => !launchable(enables.get(id)))
  if (failed.length === 0) return undefined
  const which = failed.join(', ')
  if (failed.length === n) {
    const none =
      n === 1 ? `the image it superseded (${which}) could not` : `none of the ${n} images it superseded could`
    return `stays enabled in ${region}: ${none} be re-enabled, so disabling it would leave no image to launch`
  }
  return `stays enabled in ${region}: ${failed.length} of the ${n} images it superseded could not be re-enabled (${which}); run the rollback again once they can be`
}

/**
 * What the affected templates should point at: the newest of `superseded` (newest first) that
 * the rollback left launchable, or undefined when there is none.
 */
export function pointToOf(superseded: Image[], enables: ReadonlyMap<string, Change>): string | undefined {
  return superseded.find((s) => launchable(enables.get(s.imageId)))?.imageId
}
