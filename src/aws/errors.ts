/** Turns SDK errors into one line a person understands. Decides nothing. */

export interface AwsErrorInfo {
  code: string
  message: string
  /** For an authorization failure: the IAM action that is missing, e.g. `ec2:DisableImage`. */
  missingAction?: string
}

export function errorInfo(error: unknown, action?: string): AwsErrorInfo {
  const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const code = e?.Code ?? e?.name ?? 'Error'
  const message = (e?.message ?? String(error)).split('\n')[0]
  const denied = ['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'AuthFailure'].includes(code)
  return denied && action ? { code, message, missingAction: action } : { code, message }
}

/** `DisableImage failed: InternalError (…)`, or for a denial `not authorized: needs ec2:DisableImage`. */
export function describeError(error: unknown, action: string): string {
  const info = errorInfo(error, action)
  if (info.missingAction) return `not authorized: the role needs ${info.missingAction} (${info.code})`
  return `${action.replace(/^\w+:/, '')} failed: ${info.code}${info.message && info.message !== info.code ? ` (${info.message})` : ''}`
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  const e = error as { name?: string; Code?: string }
  return codes.includes(e?.Code ?? '') || codes.includes(e?.name ?? '')
}
