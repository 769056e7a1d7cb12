/**
 * STS actions (awsQuery protocol, Version 2011-06-15, XML answers): AssumeRole, which issues
 * temporary credentials of the role's account (requests signed with them act as that account),
 * and GetCallerIdentity. A parameter the action does not model is refused (`UnknownParameter`, as
 * the EC2 side answers it).
 */
import { ApiError } from './ec2-actions.js'
import type { Faults } from './faults.js'
import { accepting, unknownParameter, type Params } from './params.js'
import type { EmulatorState } from './state.js'
import { el, globMatch, wrap } from './util.js'

/** Who signed the request. */
export interface Caller {
  accountId: string
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` or `arn:aws:iam::<account>:user/<name>` */
  arn: string
  /** `AROA…:<session>` for a role session, the access key id otherwise */
  userId: string
}

export interface StsContext {
  state: EmulatorState
  params: Params
  faults: Faults
  caller: Caller
}

type Handler = (ctx: StsContext) => string

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/
/** the longest session a role gives when its MaxSessionDuration is left at its default (1 hour) */
const MAX_SESSION_SECONDS = 3600

function validation(message: string): ApiError {
  return new ApiError('ValidationError', `1 validation error detected: ${message}`)
}

function refuseUnknown(p: Params, accepts: (key: string) => boolean): void {
  const unknown = unknownParameter(p, accepts)
  if (unknown !== undefined) throw new ApiError('UnknownParameter', `The parameter ${unknown} is not recognized`)
}

/** STS's refusal, which names the caller, the action and the resource. */
export function stsDenied(caller: Caller, action: string, resource: string): ApiError {
  return new ApiError(
    'AccessDenied',
    `User: ${caller.arn} is not authorized to perform: sts:${action} on resource: ${resource}`,
    403
  )
}

function assumeRoleDenied(faults: Faults, roleArn: string, accountId: string): boolean {
  for (const pattern of faults.denyAssumeRole) {
    if (pattern === '*' || pattern === accountId) return true
    if (pattern.startsWith('arn:') && globMatch(pattern, roleArn)) return true
  }
  return false
}

const ASSUME_ROLE = accepting('RoleArn', 'RoleSessionName', 'DurationSeconds', 'ExternalId')

const assumeRole: Handler = (ctx) => {
  const p = ctx.params
  refuseUnknown(p, ASSUME_ROLE)
  const roleArn = p['RoleArn']
  const sessionName = p['RoleSessionName']
  if (roleArn === undefined)
    throw validation("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
  if (sessionName === undefined)
    throw validation("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
  if (roleArn.length < 20)
    throw validation(
      `Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`
    )
  if (!SESSION_NAME.test(sessionName))
    throw validation(
      `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`
    )
  let duration = MAX_SESSION_SECONDS
  if (p['DurationSeconds'] !== undefined) {
    duration = Number(p['DurationSeconds'])
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200)
      throw validation(
        `Value '${p['DurationSeconds']}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${duration < 900 ? 'greater than or equal to 900' : 'less than or equal to 43200'}`
      )
  }
  const m = ROLE_ARN.exec(roleArn)
  if (!m) throw new ApiError('ValidationError', `${roleArn} is invalid`)
  const accountId = m[1]!
  const roleName = m[3]!
  if (assumeRoleDenied(ctx.faults, roleArn, accountId)) throw stsDenied(ctx.caller, 'AssumeRole', roleArn)
  if (duration > MAX_SESSION_SECONDS)
    throw new ApiError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'
    )

  const { state } = ctx
  const accessKeyId = `ASIA${state.newKey(16)}`
  const roleId = `AROA${state.newKey(17)}`
  const session = {
    accessKeyId,
    secretAccessKey: `emulator/${state.newKey(32)}`,
    sessionToken: `FwoGZXIvYXdzEmulatorSession/${state.newKey(64)}`,
    accountId,
    roleArn,
    roleName,
    sessionName,
    roleId,
    expiration: state.now() + duration * 1000
  }
  state.sessions.set(accessKeyId, session)
  state.account(accountId) // the account exists from now on (empty unless seeded)
  return (
    wrap(
      'Credentials',
      el('AccessKeyId', session.accessKeyId) +
        el('SecretAccessKey', session.secretAccessKey) +
        el('SessionToken', session.sessionToken) +
        el('Expiration', new Date(session.expiration).toISOString())
    ) +
    wrap(
      'AssumedRoleUser',
      el('AssumedRoleId', `${roleId}:${sessionName}`) +
        el('Arn', `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`)
    ) +
    el('PackedPolicySize', 6)
  )
}

const getCallerIdentity: Handler = (ctx) => {
  refuseUnknown(ctx.params, accepting())
  return el('UserId', ctx.caller.userId) + el('Account', ctx.caller.accountId) + el('Arn', ctx.caller.arn)
}

export const STS_HANDLERS: Record<string, Handler> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity
}
