import { createServer, connect, type Socket } from 'node:net'

export type LossMode =
  /** Everything passes. */
  | 'pass'
  /** Connections are refused and open ones cut: the far side looks unreachable. */
  | 'refuse'
  /** The request reaches the server whole; the connection drops as its answer starts: the server committed, the client never knows. */
  | 'lose-responses'
  /** The connection drops after part of the request: the server never sees a whole request. */
  | 'cut-requests'

export interface LossyProxy {
  url: string
  mode: (mode: LossMode) => void
  /** Connections the proxy dropped on purpose. */
  dropped: () => number
  close: () => Promise<void>
}

/**
 * A TCP proxy in front of a real server that loses traffic the way a flaky
 * clinic link does: tests of offline work and of sync under faults switch
 * its mode.
 */
export function lossyProxy(target: { host: string; port: number }): Promise<LossyProxy> {
  let mode: LossMode = 'pass'
  let dropped = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    if (mode === 'refuse') {
      client.destroy()
      return
    }
    const upstream = connect(target.port, target.host)
    const connectionMode = mode
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    const drop = () => {
      dropped++
      client.destroy()
      upstream.destroy()
    }
    let sent = 0
    client.on('data', (chunk) => {
      if (connectionMode === 'cut-requests' && sent + chunk.length > 200) {
        upstream.write(chunk.subarray(0, Math.max(0, 200 - sent)))
        return drop()
      }
      sent += chunk.length
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (connectionMode === 'lose-responses') {
        return drop()
      }
      client.write(chunk)
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
  })
  const cutAll = () => sockets.forEach((socket) => socket.destroy())
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      resolve({
        url: `http://127.0.0.1:${port}`,
        mode: (next) => {
          mode = next
          if (next === 'refuse') {
            cutAll()
          }
        },
        dropped: () => dropped,
        close: () =>
          new Promise((done) => {
            cutAll()
            server.close(() => done())
          }),
      })
    })
  })
}
