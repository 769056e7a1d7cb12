/** A local HTTP server on 127.0.0.1 for the fakes: listen, and close with every socket. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface LocalServer {
  port: number
  url: string
  close(): Promise<void>
}

export async function listenLocal(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0
): Promise<LocalServer> {
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500)
        res.end(String(e))
      }
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const actual = (server.address() as AddressInfo).port
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
  }
}
