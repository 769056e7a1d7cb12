/**
 * The role that `consumer-role` names in another account, and the session it is assumed with.
 * Pure: no I/O.
 */

/** An AWS account id: 12 digits. */
const ACCOUNT_ID = /^\d{12}$/

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value)
}

/**
 * The partition of a region, for the ARN of a role given by name: `aws-cn` for `cn-*`,
 * `aws-us-gov` for `us-gov-*`, the isolated partitions for theirs, else `aws`.
 */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  if (region.startsWith('us-isob-')) return 'aws-iso-b'
  if (region.startsWith('us-isof-')) return 'aws-iso-f'
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e'
  if (region.startsWith('us-iso-')) return 'aws-iso'
  return 'aws'
}

/**
 * The ARN of the role to assume in `accountId`: a role name becomes
 * `arn:<partition>:iam::<account>:role/<name>` (the partition of `region`); an ARN template (as
 * `settings.ts` validated it) gets `{account}` replaced.
 */
export function consumerRoleArn(consumerRole: string, accountId: string, region: string): string {
  const role = consumerRole.trim()
  if (role.startsWith('arn:')) return role.replaceAll('{account}', accountId)
  return `arn:${partitionOf(region)}:iam::${accountId}:role/${role}`
}

/** STS's limits on `RoleSessionName`: 2 to 64 of letters, digits and `+=,.@_-`. */
const SESSION_NAME_MAX = 64
const SESSION_NAME_PREFIX = 'disable-superseded-ami'

/**
 * The session name the role is assumed with (it shows in the other account's CloudTrail):
 * `disable-superseded-ami-<run id>`, or the time (`…-20261201T093000Z`) when there is no run id;
 * any character STS does not allow becomes `-`, and it is cut to 64 characters.
 */
export function sessionName(runId: string | undefined, now: Date): string {
  const id = runId?.trim()
    ? runId.trim()
    : now
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
        .replace(/[-:]/g, '')
  return `${SESSION_NAME_PREFIX}-${id}`.replace(/[^\w+=,.@-]/g, '-').slice(0, SESSION_NAME_MAX)
}
