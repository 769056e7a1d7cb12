/**
 * The STS gateway (`AssumeRole`, for `consumer-role`), and the EC2 and Auto Scaling gateways of
 * another account, built with the credentials of the role assumed there.
 *
 * Its SDK client is loaded on first use (the bundle keeps it in a chunk of its own): only a run
 * with `consumer-role` needs it.
 *
 * The temporary credentials never leave this module but as the clients' credential provider, and
 * each set is handed to `mask` (the runner's secret masking) before anything can use it. No SDK
 * logger is set on any client (CLIENT_CONFIG has none): the SDK prints nothing of them.
 */
import type { STSClient } from '@aws-sdk/client-sts'
import { EC2Client } from '@aws-sdk/client-ec2'
import { AutoScaling } from './autoscaling.js'
import { CLIENT_CONFIG, Ec2, ec2ClientConfig } from './ec2.js'
import { awsCall } from './errors.js'

/** Temporary credentials, in the shape the SDK's clients take them. */
export interface AssumedCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration?: Date
}

/** What a credential provider of an SDK client is: called for every request, it answers from its cache. */
export type CredentialProvider = () => Promise<AssumedCredentials>

/** What assuming a role needs of STS (the Sts gateway; a fake in tests). */
export interface RoleAssumer {
  assumeRole(roleArn: string, sessionName: string): Promise<AssumedCredentials>
}

export class Sts implements RoleAssumer {
  constructor(
    readonly region: string,
    private client?: STSClient
  ) {}

  /** The client, loaded on first use (only the names destructured are bundled). */
  private async sdk(): Promise<STSClient> {
    const { STSClient } = await import('@aws-sdk/client-sts')
    return (this.client ??= new STSClient({ region: this.region, ...CLIENT_CONFIG }))
  }

  /**
   * The temporary credentials of `roleArn` (STS's default duration, one hour: the most a chained
   * role session may last). Rejects with an AwsError naming `sts:AssumeRole`.
   */
  async assumeRole(roleArn: string, sessionName: string): Promise<AssumedCredentials> {
    return awsCall('sts:AssumeRole', async () => {
      const { AssumeRoleCommand } = await import('@aws-sdk/client-sts')
      const client = await this.sdk()
      const out = await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }))
      const c = out.Credentials
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw Object.assign(new Error('STS answered without credentials'), { name: 'NoCredentials' })
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        ...(c.Expiration ? { expiration: c.Expiration } : {})
      }
    })
  }
}

/** Credentials are fetched again this long before they expire (the SDK's own margin: 5 minutes). */
export const REFRESH_BEFORE_MS = 5 * 60_000

/**
 * A credential provider shared by the clients of one account: the first credentials are
 * fetched at once (so that a role that cannot be assumed is known before any search starts: the
 * returned promise rejects), and fetched again, once for all clients, when they are within
 * REFRESH_BEFORE_MS of expiring. Every secret of every set fetched goes to `mask` before the
 * set is returned to anyone.
 */
export async function refreshingCredentials(
  fetch: () => Promise<AssumedCredentials>,
  mask: (value: string) => void,
  now: () => number = Date.now
): Promise<CredentialProvider> {
  const fetchMasked = async (): Promise<AssumedCredentials> => {
    const c = await fetch()
    mask(c.secretAccessKey)
    mask(c.sessionToken)
    mask(c.accessKeyId)
    return c
  }
  let current = await fetchMasked()
  let refreshing: Promise<AssumedCredentials> | undefined
  const expiring = (c: AssumedCredentials): boolean =>
    c.expiration !== undefined && c.expiration.getTime() - now() < REFRESH_BEFORE_MS
  return async () => {
    if (!expiring(current)) return current
    refreshing ??= fetchMasked().finally(() => (refreshing = undefined))
    current = await refreshing
    return current
  }
}

/** The gateways of another account. */
export interface AccountGateways {
  ec2: Ec2
  autoscaling: AutoScaling
}

/**
 * The EC2 and Auto Scaling gateways of another account in `region`, signing with `credentials`,
 * with the same configuration as the owner's (CLIENT_CONFIG: adaptive retry, timeouts).
 */
export async function accountGateways(region: string, credentials: CredentialProvider): Promise<AccountGateways> {
  const { AutoScalingClient } = await import('@aws-sdk/client-auto-scaling')
  return {
    ec2: new Ec2(region, new EC2Client({ region, ...ec2ClientConfig(), credentials })),
    autoscaling: new AutoScaling(region, new AutoScalingClient({ region, ...CLIENT_CONFIG, credentials }))
  }
}
