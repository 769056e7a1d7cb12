/**
 * A local AWS endpoint for tests: EC2 (ec2 query protocol, 2016-11-15), Auto Scaling (awsQuery,
 * 2011-01-01) and STS (awsQuery, 2011-06-15) on one URL, several accounts (the caller's told by its
 * access key), state per account and region, a call log and fault switches. See test-support/README.md.
 */
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { listenLocal } from '../listen.js'
import { AUTOSCALING_HANDLERS } from './autoscaling-actions.js'
import { ApiError, EC2_HANDLERS } from './ec2-actions.js'
import { STS_HANDLERS, stsDenied, type Caller } from './sts-actions.js'
import { actionClass, defaultFaults, listMatches, Throttler, type FailRule, type Faults } from './faults.js'
import type { Params } from './params.js'
import {
  EmulatorState,
  type AccountState,
  type Ec2InstanceInput,
  type EmuEc2Instance,
  type EmuImageRecipe,
  type EmuUsageReport,
  type ImageRecipeInput,
  type Membership,
  type UsageReportInput,
  type AutoScalingGroupInput,
  type EmuAutoScalingGroup,
  type EmuImage,
  type EmuLaunchConfiguration,
  type EmuLaunchTemplate,
  type ImageInput,
  type LaunchConfigurationInput,
  type LaunchTemplateInput,
  type BinEntry,
  type EmuSnapshot,
  type RecycleBinRule,
  type Seed,
  type SnapshotInput
} from './state.js'
import { actionMatches, el, makeRandom, sleep, xmlEscape } from './util.js'

export * from './state.js'
export type { Faults, FailRule, ThrottleConfig, DropConfig, BucketClass } from './faults.js'
export { defaultFaults } from './faults.js'

export type { Caller } from './sts-actions.js'

export type ServiceName = 'ec2' | 'autoscaling' | 'sts'

export interface EmulatorOptions {
  /** 0 (default) = a free port */
  port?: number
  /** the caller's account id (default 111122223333) */
  accountId?: string
  /** seed of the deterministic random source (ids, fault probabilities); default 1 */
  random?: number
  /** region used when a request carries no SigV4 Authorization header (default us-east-1) */
  defaultRegion?: string
  /** initial state */
  seed?: Seed
  /** initial fault switches */
  faults?: Partial<Faults>
  /** clock for pending schedules, deprecation and throttling buckets (default Date.now) */
  now?: () => number
  /** ARN of the owner account's caller (a key that is neither a static key of another account nor issued
   *  by AssumeRole), named in AccessDenied messages and by GetCallerIdentity */
  principalArn?: string
  /** keep at most this many entries in `calls` (default 100000; oldest dropped) */
  maxCalls?: number
}

export interface CallRecord {
  seq: number
  /** epoch ms when the request arrived */
  time: number
  service: ServiceName
  region: string
  /** the caller's account (told by the access key) */
  accountId: string
  action: string
  /** the flat form fields, Action and Version included */
  params: Record<string, string>
  /** HTTP status answered; 0 when the connection was dropped */
  status: number
  errorCode?: string
  durationMs: number
  /** bytes of the answer's body (0 until it is sent, and for a dropped connection) */
  bytes: number
}

export interface AwsEmulator {
  url: string
  port: number
  accountId: string
  state: EmulatorState
  faults: Faults
  calls: CallRecord[]
  clearCalls(): void
  /** number of logged calls, optionally of one action (`DisableImage` or `ec2:DisableImage`) and region */
  count(action?: string, region?: string): number
  /** logged calls of one action (optionally in one region) */
  callsOf(action: string, region?: string): CallRecord[]
  images(region: string): EmuImage[]
  image(region: string, imageId: string): EmuImage | undefined
  addImage(region: string, image?: ImageInput): EmuImage
  launchTemplates(region: string): EmuLaunchTemplate[]
  addLaunchTemplate(region: string, template: LaunchTemplateInput): EmuLaunchTemplate
  autoScalingGroups(region: string): EmuAutoScalingGroup[]
  addAutoScalingGroup(region: string, group: AutoScalingGroupInput): EmuAutoScalingGroup
  launchConfigurations(region: string): EmuLaunchConfiguration[]
  addLaunchConfiguration(region: string, configuration: LaunchConfigurationInput): EmuLaunchConfiguration
  setSsmParameter(region: string, name: string, value: string, dataType?: string): void
  /** the owner account's EC2 instances */
  instances(region: string): EmuEc2Instance[]
  addInstance(region: string, instance: Ec2InstanceInput): EmuEc2Instance
  addInstances(region: string, count: number, instance: Omit<Ec2InstanceInput, 'instanceId'>): EmuEc2Instance[]
  addImageRecipe(region: string, recipe: ImageRecipeInput): EmuImageRecipe
  /** the owner account's AMI usage reports (schedules applied) */
  usageReports(region: string): EmuUsageReport[]
  addUsageReport(region: string, report: UsageReportInput): EmuUsageReport
  /** the region's snapshots (of every owner; not those in the Recycle Bin) */
  snapshots(region: string): EmuSnapshot[]
  snapshot(region: string, snapshotId: string): EmuSnapshot | undefined
  /** a snapshot on its own (an image's snapshots are made from its block device mappings) */
  addSnapshot(region: string, snapshot?: SnapshotInput): EmuSnapshot
  /** the region's Recycle Bin retention rules, in days (`undefined`: none); e.g. `{ images: 7, snapshots: 7 }` */
  recycleBinRule(region: string, rule: RecycleBinRule | undefined): void
  /** the images in the region's Recycle Bin */
  imagesInBin(region: string): Array<BinEntry<EmuImage>>
  /** the snapshots in the region's Recycle Bin */
  snapshotsInBin(region: string): Array<BinEntry<EmuSnapshot>>
  /**
   * An account (created empty on first use; the owner's when `id` is the owner's): the same seeding
   * methods as the emulator's, for that account. `membership` declares its organization and OUs.
   */
  account(id: string, membership?: Membership): AccountState
  /** how long a created usage report stays pending, in emulator ms (default 0: available when next read) */
  usageReportDelay: number
  seed(seed: Seed): void
  /** restore every fault switch to its default (and reset throttling buckets) */
  resetFaults(): void
  /** restart the deterministic random source */
  reseed(random: number): void
  close(): Promise<void>
}

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/'
const ASG_NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/'
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'

/** `Credential=AKID/20261125/us-east-1/ec2/aws4_request` -> region and service */
export function credentialScope(authorization: string | undefined): { region: string; service: string } | undefined {
  if (!authorization) return undefined
  const m = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(authorization)
  return m ? { region: m[1]!, service: m[2]! } : undefined
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** image ids named by a request (ImageId, ImageId.N, ResourceId.N) */
function namedImages(params: Params): string[] {
  const out: string[] = []
  for (const [k, v] of Object.entries(params)) {
    if ((k === 'ImageId' || /^ImageId\.\d+$/.test(k) || /^ResourceId\.\d+$/.test(k)) && v.startsWith('ami-'))
      out.push(v)
  }
  return out
}

export async function startAwsEmulator(options: EmulatorOptions = {}): Promise<AwsEmulator> {
  const now = options.now ?? Date.now
  const state = new EmulatorState(options.accountId ?? '111122223333', options.random ?? 1, now)
  if (options.seed) state.seed(options.seed)
  const faults: Faults = { ...defaultFaults(), ...(options.faults ?? {}) }
  const throttler = new Throttler()
  let random = makeRandom((options.random ?? 1) ^ 0xfa17)
  const calls: CallRecord[] = []
  const maxCalls = options.maxCalls ?? 100_000
  let seq = 0
  const defaultRegion = options.defaultRegion ?? 'us-east-1'
  const principal = (): string =>
    options.principalArn ?? `arn:aws:sts::${state.accountId}:assumed-role/emulator-role/emulator-session`

  /** The caller told by the request's access key, or the error the service answers for bad credentials. */
  function callerOf(req: IncomingMessage, service: ServiceName): Caller | ApiError {
    const auth = req.headers['authorization']
    const key = auth ? /Credential=([^/,\s]+)\//.exec(auth)?.[1] : undefined
    const session = key === undefined ? undefined : state.sessions.get(key)
    if (session) {
      const token = req.headers['x-amz-security-token']
      if (token !== session.sessionToken)
        return service === 'ec2'
          ? new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
          : new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403)
      if (now() >= session.expiration)
        return service === 'ec2'
          ? new ApiError('RequestExpired', 'Request has expired.', 400)
          : new ApiError('ExpiredToken', 'The security token included in the request is expired', 403)
      return {
        accountId: session.accountId,
        arn: `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
        userId: `${session.roleId}:${session.sessionName}`
      }
    }
    const account = key === undefined ? undefined : state.accountOfStaticKey(key)
    if (account !== undefined && account !== state.accountId)
      return { accountId: account, arn: `arn:aws:iam::${account}:user/emulator`, userId: key ?? '' }
    const arn = principal()
    const sessionName = /assumed-role\/[^/]+\/(.+)$/.exec(arn)?.[1]
    return {
      accountId: state.accountId,
      arn,
      userId: sessionName !== undefined ? `AROAEMULATOROWNER0000:${sessionName}` : (key ?? 'AIDAEMULATOROWNER000')
    }
  }

  function requestId(n: number): string {
    const hex = n.toString(16).padStart(12, '0')
    return `00000000-0000-4000-8000-${hex}`
  }

  /** Sends the answer; returns its size in bytes (its content-length). */
  function send(res: ServerResponse, status: number, body: string, reqId: string): number {
    const bytes = Buffer.byteLength(body)
    res.writeHead(status, {
      'content-type': 'text/xml;charset=UTF-8',
      'content-length': bytes,
      'x-amzn-requestid': reqId
    })
    res.end(body)
    return bytes
  }

  function errorBody(service: ServiceName, err: ApiError, reqId: string): string {
    if (service === 'ec2') {
      return `${XML_HEAD}<Response><Errors><Error>${el('Code', err.code)}${el('Message', err.message)}</Error></Errors>${el('RequestID', reqId)}</Response>`
    }
    const type = err.status >= 500 ? 'Receiver' : 'Sender'
    return `${XML_HEAD}<ErrorResponse xmlns="${service === 'sts' ? STS_NS : ASG_NS}"><Error>${el('Type', type)}${el('Code', err.code)}${el('Message', err.message)}</Error>${el('RequestId', reqId)}</ErrorResponse>`
  }

  function successBody(service: ServiceName, action: string, inner: string, reqId: string): string {
    if (service === 'ec2') {
      return `${XML_HEAD}<${action}Response xmlns="${EC2_NS}">${el('requestId', reqId)}${inner}</${action}Response>`
    }
    return `${XML_HEAD}<${action}Response xmlns="${service === 'sts' ? STS_NS : ASG_NS}"><${action}Result>${inner}</${action}Result><ResponseMetadata>${el('RequestId', reqId)}</ResponseMetadata></${action}Response>`
  }

  /**
   * IAM's no, as terse as the services say it: EC2's message names neither the action nor the
   * resource (its mutating actions add an opaque encoded message, decodable only with
   * sts:DecodeAuthorizationMessage); Auto Scaling's names the caller. Neither names the action,
   * so whoever reports the denial must know which IAM action it asked for. (Real Auto Scaling
   * adds `: autoscaling:<Action> because no identity-based policy allows …`; left out on purpose.)
   */
  function denied(service: ServiceName, action: string, seq: number, caller: Caller, params: Params): ApiError {
    if (service === 'sts') return stsDenied(caller, action, params['RoleArn'] ?? '*')
    if (service === 'ec2') {
      const terse = 'You are not authorized to perform this operation.'
      if (actionClass(action) === 'describe') return new ApiError('UnauthorizedOperation', terse, 403)
      const encoded = createHash('sha256').update(`emulator-authorization-failure-${seq}`).digest('base64url')
      return new ApiError('UnauthorizedOperation', `${terse} Encoded authorization failure message: ${encoded}`, 403)
    }
    return new ApiError('AccessDenied', `User: ${caller.arn} is not authorized to perform this operation`, 403)
  }

  function failRuleFor(service: ServiceName, action: string, params: Params): FailRule | undefined {
    for (const id of namedImages(params)) {
      const entry = faults.failImages.get(id)
      if (!entry) continue
      const rules = Array.isArray(entry) ? entry : [entry]
      for (const rule of rules) {
        if (rule.action && !actionMatches(rule.action, service, action)) continue
        if (rule.times !== undefined) {
          if (rule.times <= 0) continue
          rule.times -= 1
        }
        return rule
      }
    }
    return undefined
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = now()
    const body = req.method === 'POST' ? await readBody(req) : ''
    const url = new URL(req.url ?? '/', 'http://localhost')
    const params: Params = {}
    for (const [k, v] of url.searchParams) params[k] = v
    for (const [k, v] of new URLSearchParams(body)) params[k] = v
    const scope = credentialScope(req.headers['authorization'])
    const region = scope?.region ?? (req.headers['x-emulator-region'] as string | undefined) ?? defaultRegion
    const service: ServiceName =
      scope?.service === 'autoscaling' || (!scope && params['Version'] === '2011-01-01')
        ? 'autoscaling'
        : scope?.service === 'sts' || (!scope && params['Version'] === '2011-06-15')
          ? 'sts'
          : 'ec2'
    const action = params['Action'] ?? ''
    const n = ++seq
    const reqId = requestId(n)
    const caller = callerOf(req, service)
    const accountId = caller instanceof ApiError ? state.accountId : caller.accountId
    const record: CallRecord = {
      seq: n,
      time: started,
      service,
      region,
      accountId,
      action,
      params,
      status: 0,
      durationMs: 0,
      bytes: 0
    }
    calls.push(record)
    if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls)

    const finish = (status: number, text: string, errorCode?: string): void => {
      record.status = status
      if (errorCode) record.errorCode = errorCode
      record.durationMs = now() - started
      record.bytes = send(res, status, text, reqId)
    }
    const fail = (err: ApiError): void => finish(err.status, errorBody(service, err, reqId), err.code)

    try {
      const extra = faults.slowMs[action] ?? faults.slowMs[`${service}:${action}`] ?? 0
      const delay = (faults.latencyByRegionMs[region] ?? faults.latencyMs) + extra
      if (delay > 0) await sleep(delay)

      const drop = faults.dropConnections
      if (drop && listMatches(drop.actions, service, action)) {
        let doDrop = false
        if (drop.times !== undefined && drop.times > 0) {
          drop.times -= 1
          doDrop = true
        } else if (drop.rate !== undefined && random() < drop.rate) doDrop = true
        if (doDrop) {
          record.status = 0
          record.errorCode = 'ConnectionDropped'
          record.durationMs = now() - started
          req.socket.destroy()
          return
        }
      }

      if (throttler.shouldThrottle(faults.throttle, service, region, action, random, now(), accountId)) {
        return fail(
          service === 'ec2'
            ? new ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503)
            : new ApiError('Throttling', 'Rate exceeded', 400)
        )
      }

      // an action the emulator does not serve is unknown to it, whatever IAM would say
      const ec2Handler = service === 'ec2' ? EC2_HANDLERS[action] : undefined
      const asgHandler = service === 'autoscaling' ? AUTOSCALING_HANDLERS[action] : undefined
      const stsHandler = service === 'sts' ? STS_HANDLERS[action] : undefined
      if (!ec2Handler && !asgHandler && !stsHandler) {
        return fail(
          service === 'ec2'
            ? new ApiError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`)
            : new ApiError(
                'InvalidAction',
                `Could not find operation ${action || '(none)'} for version ${service === 'sts' ? '2011-06-15' : '2011-01-01'}`
              )
        )
      }

      if (caller instanceof ApiError) return fail(caller)

      const deniedHere = faults.denyByAccount.get(accountId)
      if (
        [...faults.deny].some((pattern) => actionMatches(pattern, service, action)) ||
        (deniedHere && [...deniedHere].some((pattern) => actionMatches(pattern, service, action)))
      ) {
        return fail(denied(service, action, n, caller, params))
      }

      const rule = failRuleFor(service, action, params)
      if (rule) return fail(new ApiError(rule.code, rule.message ?? `Injected failure ${rule.code}`, rule.status))

      if (faults.internalErrorRate > 0 && random() < faults.internalErrorRate) {
        return fail(
          service === 'ec2'
            ? new ApiError('InternalError', 'An internal error has occurred', 500)
            : new ApiError('InternalFailure', 'An internal error has occurred', 500)
        )
      }

      const account = state.account(accountId)
      const inner = ec2Handler
        ? ec2Handler({ state, account, region, params, faults, accountId })
        : asgHandler
          ? asgHandler({ state: account, region, params })
          : stsHandler!({ state, params, faults, caller })
      return finish(200, successBody(service, action, inner, reqId))
    } catch (e) {
      if (e instanceof ApiError) return fail(e)
      const message = e instanceof Error ? e.message : String(e)
      return fail(
        new ApiError(
          service === 'ec2' ? 'InternalError' : 'InternalFailure',
          `Emulator bug: ${xmlEscape(message)}`,
          500
        )
      )
    }
  }

  const local = await listenLocal(handle, options.port)
  const port = local.port

  const matchAction = (c: CallRecord, action: string): boolean =>
    action.includes(':') ? `${c.service}:${c.action}` === action : c.action === action

  const emulator: AwsEmulator = {
    url: `http://127.0.0.1:${port}`,
    port,
    get accountId() {
      return state.accountId
    },
    state,
    faults,
    calls,
    clearCalls: () => {
      calls.length = 0
    },
    count: (action?: string, region?: string) =>
      calls.filter(
        (c) => (action === undefined || matchAction(c, action)) && (region === undefined || c.region === region)
      ).length,
    callsOf: (action: string, region?: string) =>
      calls.filter((c) => matchAction(c, action) && (region === undefined || c.region === region)),
    images: (region) => state.images(region),
    image: (region, id) => state.image(region, id),
    addImage: (region, image) => state.addImage(region, image),
    launchTemplates: (region) => state.launchTemplates(region),
    addLaunchTemplate: (region, t) => state.addLaunchTemplate(region, t),
    autoScalingGroups: (region) => state.autoScalingGroups(region),
    addAutoScalingGroup: (region, g) => state.addAutoScalingGroup(region, g),
    launchConfigurations: (region) => state.launchConfigurations(region),
    addLaunchConfiguration: (region, c) => state.addLaunchConfiguration(region, c),
    setSsmParameter: (region, name, value, dataType) => state.setSsmParameter(region, name, value, dataType),
    instances: (region) => state.account().instances(region),
    addInstance: (region, i) => state.account().addInstance(region, i),
    addInstances: (region, count, i) => state.account().addInstances(region, count, i),
    addImageRecipe: (region, r) => state.account().addImageRecipe(region, r),
    usageReports: (region) => state.account().usageReports(region),
    addUsageReport: (region, r) => state.account().addUsageReport(region, r),
    snapshots: (region) => state.snapshots(region),
    snapshot: (region, id) => state.snapshot(region, id),
    addSnapshot: (region, x) => state.addSnapshot(region, x),
    recycleBinRule: (region, rule) => state.setRecycleBinRule(region, rule),
    imagesInBin: (region) => [...state.imageBin(region).values()],
    snapshotsInBin: (region) => [...state.snapshotBin(region).values()],
    account: (id, membership) => {
      const a = state.account(id)
      return membership ? a.memberOf(membership) : a
    },
    get usageReportDelay() {
      return state.usageReportDelayMs
    },
    set usageReportDelay(ms: number) {
      state.usageReportDelayMs = ms
    },
    seed: (seed) => state.seed(seed),
    resetFaults: () => {
      Object.assign(faults, defaultFaults())
      throttler.reset()
    },
    reseed: (n) => {
      random = makeRandom(n ^ 0xfa17)
    },
    close: () => local.close()
  }
  return emulator
}
