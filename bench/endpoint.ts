/**
 * The local EC2/Auto Scaling endpoint of the benchmark: one emulator (test-support/emulator) in
 * the bench's own process, serving every region, answering each call after the latency. Its work
 * per call is small next to the latency (a 5,000-template usage query takes a few ms), so one event
 * loop serves three regions without holding one region up behind another; and it stays off the
 * action's core as much as a 2-core machine allows: a reload leaves no garbage to collect during
 * the measured run (a full GC runs before each one).
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startAwsEmulator, type CallRecord, type ThrottleConfig } from '../test-support/emulator/ec2.js'
import type { Account } from './account.js'

export interface LoadOptions {
  /** the account to seed (none: an empty account) */
  account?: Account
  /** one extra image, for the bare-SDK probe */
  image?: { region: string; imageId: string }
  latencyMs: number
  /** EC2 and Auto Scaling latency of these regions instead of `latencyMs` (a far region) */
  latencyByRegionMs?: Record<string, number>
  /**
   * EC2's request-rate limits: `true` = EC2's buckets per account, region and action class, full
   * (test-support/emulator/throttle.ts); or any throttle switch of the emulator, e.g.
   * `{ mode: 'ec2', level: 0.05, background: 0.5 }` (nearly empty, half of each refill spent by others)
   */
  throttle: boolean | ThrottleConfig
}

export interface Endpoint {
  url: string
  /** a fresh account, latency and throttling set, call log cleared, garbage collected */
  load(options: LoadOptions): void
  /** the call log, in arrival order */
  calls(): CallRecord[]
  close(): Promise<void>
}

/** A full garbage collection now, so that none falls due in the measured run. */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
})()

export async function startEndpoint(defaultRegion: string): Promise<Endpoint> {
  const emu = await startAwsEmulator({ defaultRegion })
  return {
    url: emu.url,
    load: ({ account, image, latencyMs, latencyByRegionMs, throttle }) => {
      emu.state.reset()
      if (account) emu.seed(account.seed)
      if (image) emu.addImage(image.region, { imageId: image.imageId })
      emu.resetFaults()
      emu.faults.latencyMs = latencyMs
      emu.faults.latencyByRegionMs = { ...(latencyByRegionMs ?? {}) }
      if (throttle) emu.faults.throttle = throttle === true ? { mode: 'ec2' } : throttle
      emu.clearCalls()
      collectGarbage()
    },
    calls: () => [...emu.calls],
    close: () => emu.close()
  }
}
