import { createServer, connect, type Socket } from 'node:net'

export interface SwitchableProxy {
  url: string
  /** Connections are refused until `online()`: the far side looks unreachable. */
  offline(): void
  online(): void
  close(): Promise<void>
}

/**
 * A TCP proxy in front of a real server that a test can switch off, to put
 * an edge "offline" from its iCDR without stopping the iCDR.
 */
export function switchableProxy(target: { host: string; port: number }): Promise<SwitchableProxy> {
  let up = true
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    if (!up) {
      client.destroy()
      return
    }
    const upstream = connect(target.port, target.host)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      resolve({
        url: `http://127.0.0.1:${port}`,
        offline() {
          up = false
          for (const socket of sockets) socket.destroy()
        },
        online() {
          up = true
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}
