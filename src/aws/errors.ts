/**
 * The one error the AWS gateways raise: the IAM action of the call that failed, and EC2's (or Auto
 * Scaling's) own code and message. Real EC2's `UnauthorizedOperation` does not name the action,
 * so the gateway does: every call it makes is wrapped by `awsCall`. Decides nothing.
 */

const DENIED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'AuthFailure'])

export class AwsError extends Error {
  /** EC2's error code (`UnauthorizedOperation`, `InvalidAMIID.NotFound`, …), or the SDK's error name. */
  readonly code: string

  constructor(
    /** The IAM action of the call, e.g. `ec2:DisableImage`. */
    readonly action: string,
    override readonly cause: unknown
  ) {
    const e = cause as { name?: unknown; Code?: unknown; message?: unknown } | null | undefined
    const code = typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : 'Error'
    const message = (typeof e?.message === 'string' ? e.message : String(cause)).split('\n')[0] ?? ''
    super(message)
    this.name = 'AwsError'
    this.code = code
  }

  /** The caller's role lacks the IAM action. */
  get denied(): boolean {
    return DENIED.has(this.code)
  }

  /** One line a person understands: `not authorized: the role needs ec2:DisableImage (UnauthorizedOperation)`. */
  describe(): string {
    if (this.denied) return `not authorized: the role needs ${this.action} (${this.code})`
    const detail = this.message && this.message !== this.code ? ` (${this.message})` : ''
    return `${this.action.replace(/^\w+:/, '')} failed: ${this.code}${detail}`
  }
}

/** Runs one call of the gateway; any failure becomes an AwsError naming `action`. */
export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw error instanceof AwsError ? error : new AwsError(action, error)
  }
}

/** The one line for any error a command meets: an AwsError describes itself. */
export function describeError(error: unknown): string {
  if (error instanceof AwsError) return error.describe()
  return error instanceof Error ? error.message : String(error)
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  const e = error as { name?: string; Code?: string } | null | undefined
  return codes.includes(e?.Code ?? '') || codes.includes(e?.name ?? '')
}
