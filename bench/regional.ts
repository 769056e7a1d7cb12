/**
 * The local EC2/Auto Scaling endpoint of the benchmark: one URL, as the action and the SDK see
 * it, in front of one emulator per region, each in its own worker thread (bench/emulator-worker.ts).
 * Requests are routed by the region of their SigV4 credential scope, as AWS routes them to its
 * regional endpoints; so one region's heavy query (5,000 launch templates) does not hold up the
 * others on a shared event loop.
 */
import { Agent, createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Worker } from 'node:worker_threads'
import { credentialScope, type CallRecord } from '../test-support/emulator/ec2.js'
import type { WorkerRequest } from './emulator-worker.js'

type Load = Omit<Extract<WorkerRequest, { type: 'load' }>, 'id' | 'type'>

export interface RegionalEndpoint {
  url: string
  /** a fresh account in every region (templates 0 = empty), latency and throttling set, call logs cleared */
  load(options: Load): Promise<void>
  /** every region's call log, in arrival order */
  calls(): Promise<CallRecord[]>
  close(): Promise<void>
}

export async function startRegionalEndpoint(workerScript: string, regions: readonly string[]): Promise<RegionalEndpoint> {
  let nextId = 0
  const workers = await Promise.all(
    regions.map(
      (region) =>
        new Promise<{ region: string; worker: Worker; port: number; pending: Map<number, (v: unknown) => void> }>((resolve, reject) => {
          const worker = new Worker(workerScript, { workerData: { region } })
          const pending = new Map<number, (v: unknown) => void>()
          worker.once('error', reject)
          worker.on('message', (m: { ready?: boolean; url?: string; id?: number }) => {
            if (m.ready) resolve({ region, worker, port: Number(new URL(m.url!).port), pending })
            else if (m.id !== undefined) {
              pending.get(m.id)?.(m)
              pending.delete(m.id)
            }
          })
        })
    )
  )
  const ask = <T>(w: (typeof workers)[number], message: Omit<WorkerRequest, 'id'>): Promise<T> =>
    new Promise((resolve) => {
      const id = ++nextId
      w.pending.set(id, resolve as (v: unknown) => void)
      w.worker.postMessage({ ...message, id })
    })
  const byRegion = new Map(workers.map((w) => [w.region, w]))
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const server = createServer((req, res) => {
    const region = credentialScope(req.headers['authorization'])?.region ?? (req.headers['x-emulator-region'] as string | undefined) ?? regions[0]!
    const target = byRegion.get(region) ?? workers[0]!
    const upstream = request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => req.socket.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    load: async (options) => {
      await Promise.all(workers.map((w) => ask(w, { type: 'load', ...options })))
    },
    calls: async () => {
      const logs = await Promise.all(workers.map((w) => ask<{ calls: CallRecord[] }>(w, { type: 'calls' })))
      return logs.flatMap((l) => l.calls).sort((a, b) => a.time - b.time)
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
      await Promise.all(workers.map((w) => w.worker.terminate()))
    }
  }
}
