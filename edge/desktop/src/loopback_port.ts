import { createServer } from 'node:net'

export const LOOPBACK_HOST = '127.0.0.1'

/**
 * A TCP port free on 127.0.0.1 right now, chosen by the kernel. Another
 * program could take it before the core binds it; the core then fails to
 * start and the launcher says so (it never talks to whatever took the port
 * with a secret that program could use: only the real core accepts it).
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, LOOPBACK_HOST, () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
