/** Turns SDK errors into one line a person understands. Decides nothing. */

export interface AwsErrorInfo {
  code: string
  message: string
  /** For an authorization failure: the IAM action that is missing, e.g. `ec2:DisableImage`. */
  missingAction?: string
}

/** Marks an error with the IAM action of the call that failed, for callers further up. */
export async function labelled<T>(action: string, call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    if (error && typeof error === 'object' && !('awsAction' in error)) Object.assign(error, { awsAction: action })
    throw error
  }
}

export function errorInfo(error: unknown, fallbackAction?: string): AwsErrorInfo {
  const action = (error as { awsAction?: string })?.awsAction ?? fallbackAction
  const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const code = e?.Code ?? e?.name ?? 'Error'
  const message = (e?.message ?? String(error)).split('\n')[0]
  const denied = ['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'AuthFailure'].includes(code)
  return denied && action ? { code, message, missingAction: action } : { code, message }
}

/** `DisableImage failed: InternalError (…)`, or for a denial `not authorized: needs ec2:DisableImage`. */
export function describeError(error: unknown, fallbackAction: string): string {
  const info = errorInfo(error, fallbackAction)
  const action = (error as { awsAction?: string })?.awsAction ?? fallbackAction
  if (info.missingAction) return `not authorized: the role needs ${info.missingAction} (${info.code})`
  return `${action.replace(/^\w+:/, '')} failed: ${info.code}${info.message && info.message !== info.code ? ` (${info.message})` : ''}`
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  const e = error as { name?: string; Code?: string }
  return codes.includes(e?.Code ?? '') || codes.includes(e?.name ?? '')
}
