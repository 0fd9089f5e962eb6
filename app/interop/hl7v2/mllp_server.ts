import { BlockList, createServer as createTcpServer, isIPv4, isIPv6 } from 'node:net'
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { Hl7Error } from '#interop/hl7v2/hl7_error'
import {
  MllpConnection,
  type MllpErrorHandler,
  type MllpMessageHandler,
} from '#interop/hl7v2/mllp_connection'
import { DEFAULT_MAX_FRAME_BYTES } from '#interop/hl7v2/mllp_framing'

export type {
  MllpErrorHandler,
  MllpMessageHandler,
  MllpMessageMeta,
} from '#interop/hl7v2/mllp_connection'

export interface MllpTlsOptions {
  key: string | Buffer
  cert: string | Buffer
  /** The CA(s) client certificates must chain to. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Ask clients for a certificate and refuse those without a trusted one (default false). */
  requestClientCert?: boolean
}

export interface MllpServerOptions {
  host: string
  /** 0 binds any free port; `start()` says which. */
  port: number
  /** Listen with TLS instead of plain TCP. */
  tls?: MllpTlsOptions
  /** The largest message accepted, in bytes (default 1 MiB). */
  maxFrameBytes?: number
  /** A connection silent this long, TLS handshake included, is closed (default 5 minutes). */
  idleTimeoutMs?: number
  /** Connections beyond this many are dropped as they arrive (default 100). */
  maxConnections?: number
  /** Addresses (`10.1.2.3`) and subnets (`10.1.0.0/16`) allowed to connect; others are
   * closed at once. Absent means any address. */
  allowList?: string[]
}

/**
 * The HL7v2 listener: MLLP over TCP or TLS. Each connection hands its messages to the
 * handler in order and independently of the others, and gets back the ACK the handler
 * returns; faults are reported to `onError` and never thrown.
 * @see HL7 v2.5.1 Appendix C (Lower Layer Protocols), section C.4 (MLLP)
 */
export class MllpServer {
  readonly #options: MllpServerOptions
  readonly #allowed: BlockList | null
  #server: TcpServer | null = null
  readonly #sockets = new Set<Socket>()
  readonly #connections = new Set<MllpConnection>()
  #nextConnectionId = 1
  #onMessage: MllpMessageHandler = () => Promise.reject(new Error('no message handler is set'))
  #onError: MllpErrorHandler = () => {}

  constructor(options: MllpServerOptions) {
    this.#options = options
    this.#allowed = options.allowList ? allowListOf(options.allowList) : null
  }

  /**
   * The handler of every message; its ACK is written before the connection's next message
   * is handed over. A handler that throws is reported as E_MLLP_HANDLER_FAILED and the
   * message gets no ACK (the connection stays open), so handlers should answer what they
   * can with AE or AR ACKs of their own.
   */
  onMessage(handler: MllpMessageHandler): this {
    this.#onMessage = handler
    return this
  }

  /** Where refused clients, bad frames, idle connections and handler failures are reported. */
  onError(handler: MllpErrorHandler): this {
    this.#onError = handler
    return this
  }

  /** The bound port while listening. */
  get port(): number | null {
    const address = this.#server?.address()
    return address && typeof address === 'object' ? (address as AddressInfo).port : null
  }

  /** Open client connections, TLS handshakes included. */
  get connectionCount(): number {
    return this.#sockets.size
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.#server) {
      return this.port!
    }
    const server = this.#createServer()
    server.maxConnections = this.#options.maxConnections ?? 100
    // Runs before TLS wraps the socket, so a refused address never reaches the handshake.
    server.prependListener('connection', (socket: Socket) => this.#admit(socket))
    server.on('drop', (data) => {
      this.#report(
        new Hl7Error(
          'E_MLLP_TOO_MANY_CONNECTIONS',
          `connection dropped: ${server.maxConnections} connections are open`
        ),
        { remoteAddress: data?.remoteAddress }
      )
    })

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#options.port, this.#options.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    return this.port!
  }

  /**
   * Stops listening and reading, lets every handler already running finish and write its
   * ACK, then closes every connection. Messages read but not yet handed over are dropped
   * unacknowledged. `start()` may be called again afterwards.
   */
  async stop(): Promise<void> {
    const server = this.#server
    if (!server) {
      return
    }
    this.#server = null
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    const connections = [...this.#connections]
    connections.forEach((connection) => connection.close())
    await Promise.all(connections.map((connection) => connection.done))
    for (const socket of this.#sockets) {
      // Handshakes in progress and sockets of refused clients.
      socket.destroy()
    }
    await closed
  }

  #createServer(): TcpServer {
    const tls = this.#options.tls
    if (!tls) {
      // Half-open: a sender that shuts down its side after the last frame (socat, nc) still
      // gets the ACKs of the messages it sent; the connection ends once they are written.
      return createTcpServer({ allowHalfOpen: true }, (socket) => this.#accept(socket))
    }
    const requestCert = tls.requestClientCert ?? false
    const server = createTlsServer({
      allowHalfOpen: true,
      key: tls.key,
      cert: tls.cert,
      ca: tls.ca,
      minVersion: 'TLSv1.2',
      requestCert,
      rejectUnauthorized: requestCert,
      handshakeTimeout: this.#idleTimeoutMs,
    })
    server.on('secureConnection', (socket: TLSSocket) => this.#accept(socket))
    server.on('tlsClientError', (error, socket) => {
      if (!this.#isAllowed(socket.remoteAddress)) {
        return
      }
      this.#report(
        new Hl7Error('E_MLLP_CLIENT_REFUSED', `TLS handshake refused: ${error.message}`, {
          cause: error,
        }),
        { remoteAddress: socket.remoteAddress }
      )
    })
    return server
  }

  get #idleTimeoutMs(): number {
    return this.#options.idleTimeoutMs ?? 5 * 60_000
  }

  /** Tracks every raw socket and closes those from addresses not on the allow-list. */
  #admit(socket: Socket) {
    this.#sockets.add(socket)
    socket.once('close', () => this.#sockets.delete(socket))
    if (this.#isAllowed(socket.remoteAddress)) {
      return
    }
    this.#report(
      new Hl7Error('E_MLLP_CLIENT_REFUSED', `${socket.remoteAddress} is not on the allow-list`),
      { remoteAddress: socket.remoteAddress }
    )
    socket.on('error', () => {})
    socket.destroy()
  }

  #accept(socket: Socket | TLSSocket) {
    if (socket.destroyed) {
      return
    }
    const connection = new MllpConnection(socket, {
      connectionId: this.#nextConnectionId++,
      maxFrameBytes: this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      idleTimeoutMs: this.#idleTimeoutMs,
      onMessage: (message, meta) => this.#onMessage(message, meta),
      onError: (error, meta) => this.#report(error, meta),
    })
    this.#connections.add(connection)
    void connection.done.then(() => this.#connections.delete(connection))
  }

  #isAllowed(address: string | undefined): boolean {
    if (!this.#allowed) {
      return true
    }
    if (!address) {
      return false
    }
    const unmapped = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
    return this.#allowed.check(unmapped, isIPv4(unmapped) ? 'ipv4' : 'ipv6')
  }

  #report(error: Hl7Error, meta?: Parameters<MllpErrorHandler>[1]) {
    try {
      this.#onError(error, meta)
    } catch {
      // A failing error handler must not take the listener down with it.
    }
  }
}

/**
 * The allow-list as a `BlockList`, used here as a set of addresses and subnets to match.
 * @throws Error for an entry that is neither an IP address nor a CIDR subnet.
 */
function allowListOf(entries: string[]): BlockList {
  const list = new BlockList()
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.trim().split('/')
    const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null
    const bits = Number(prefix)
    const maxBits = type === 'ipv4' ? 32 : 128
    if (
      !type ||
      rest.length > 0 ||
      (prefix !== undefined && !(bits >= 0 && bits <= maxBits && /^\d+$/.test(prefix)))
    ) {
      throw new Error(`the MLLP allow-list entry "${entry}" is not an IP address or CIDR subnet`)
    }
    if (prefix === undefined) {
      list.addAddress(address, type)
    } else {
      list.addSubnet(address, bits, type)
    }
  }
  return list
}
