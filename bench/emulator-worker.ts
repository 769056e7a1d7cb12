/**
 * One region's EC2/Auto Scaling emulator in a worker thread (see bench/regional.ts): like AWS's
 * regional endpoints, regions then answer in parallel instead of queueing behind one another's
 * work on a single event loop. bench/run.ts bundles this file with esbuild and starts one per region.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { startAwsEmulator } from '../test-support/emulator/ec2.js'
import { buildAccount } from './account.js'

export type WorkerRequest =
  | { id: number; type: 'load'; templates: number; regions: number; latencyMs: number; throttle: boolean; image?: string }
  | { id: number; type: 'calls' }

const region = (workerData as { region: string }).region
const emu = await startAwsEmulator({ defaultRegion: region })

parentPort!.on('message', (m: WorkerRequest) => {
  if (m.type === 'load') {
    emu.state.reset()
    if (m.templates > 0) {
      const account = buildAccount(m.templates, m.regions)
      const seed = account.seed.regions[region]
      if (seed) emu.seed({ regions: { [region]: seed } })
    }
    if (m.image) emu.addImage(region, { imageId: m.image })
    emu.resetFaults()
    emu.faults.latencyMs = m.latencyMs
    if (m.throttle) emu.faults.throttle = { mode: 'bucket' }
    emu.clearCalls()
    parentPort!.postMessage({ id: m.id })
  } else if (m.type === 'calls') {
    parentPort!.postMessage({ id: m.id, calls: emu.calls })
  }
})
parentPort!.postMessage({ ready: true, url: emu.url })
