import type { AddressInfo, Socket } from 'node:net'
import { createServer, type Server, type TLSSocket } from 'node:tls'
import { AtnaError } from '#interop/atna/atna_error'
import { DEFAULT_MAX_FRAME_BYTES } from '#interop/atna/octet_counting'
import {
  SyslogTlsConnection,
  connectionMeta,
  type SyslogErrorHandler,
  type SyslogMessageHandler,
} from '#interop/atna/syslog_tls_connection'

export type {
  ConnectionMeta,
  SyslogErrorHandler,
  SyslogMessageHandler,
  SyslogReceiptMeta,
} from '#interop/atna/syslog_tls_connection'

export interface SyslogTlsReceiverOptions {
  host: string
  /** 0 binds any free port; `start()` says which. */
  port: number
  key: string | Buffer
  cert: string | Buffer
  /** The CA(s) client certificates must chain to. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Ask clients for a certificate and refuse untrusted ones (default true). */
  requestClientCert?: boolean
  /** With `requestClientCert`, also accept clients that present no certificate at all. */
  allowMissingClientCert?: boolean
  maxFrameBytes?: number
  maxConnections?: number
  /** A connection silent this long, handshake included, is closed. */
  idleTimeoutMs?: number
}

/**
 * The Audit Record Repository's syslog listener: RFC 5425 syslog over TLS with mutual
 * authentication, as IHE ATNA's Secure Node requires. Each connection delivers its
 * messages in order and independently of the others; faults are reported to `onError`
 * and never thrown.
 * @see https://www.rfc-editor.org/rfc/rfc5425
 * @see https://profiles.ihe.net/ITI/TF/Volume2/ITI-20.html
 */
export class SyslogTlsReceiver {
  readonly #options: SyslogTlsReceiverOptions
  #server: Server | null = null
  readonly #sockets = new Set<Socket>()
  readonly #connections = new Set<SyslogTlsConnection>()
  #onMessage: SyslogMessageHandler = () => {}
  #onError: SyslogErrorHandler = () => {}

  constructor(options: SyslogTlsReceiverOptions) {
    this.#options = options
  }

  /** The handler of every AuditMessage received; awaited before the connection's next. */
  onMessage(handler: SyslogMessageHandler): this {
    this.#onMessage = handler
    return this
  }

  /** Where refused clients, bad frames, bad messages and handler failures are reported. */
  onError(handler: SyslogErrorHandler): this {
    this.#onError = handler
    return this
  }

  /** The bound port while listening. */
  get port(): number | null {
    const address = this.#server?.address()
    return address && typeof address === 'object' ? (address as AddressInfo).port : null
  }

  /** Open client connections, handshakes included. */
  get connectionCount(): number {
    return this.#sockets.size
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.#server) {
      return this.port!
    }
    const options = this.#options
    const requestCert = options.requestClientCert ?? true
    const server = createServer({
      key: options.key,
      cert: options.cert,
      ca: options.ca,
      minVersion: 'TLSv1.2',
      requestCert,
      rejectUnauthorized: requestCert && !options.allowMissingClientCert,
      handshakeTimeout: options.idleTimeoutMs ?? 5 * 60_000,
    })
    server.maxConnections = options.maxConnections ?? 100
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
    })
    server.on('secureConnection', (socket: TLSSocket) => this.#accept(socket))
    server.on('tlsClientError', (error, socket) => {
      this.#report(
        new AtnaError('E_ATNA_CLIENT_REFUSED', `TLS handshake refused: ${error.message}`, {
          cause: error,
        }),
        { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort }
      )
    })
    server.on('drop', (data) => {
      this.#report(
        new AtnaError(
          'E_ATNA_TOO_MANY_CONNECTIONS',
          `connection dropped: ${server.maxConnections} connections are open`
        ),
        { remoteAddress: data?.remoteAddress, remotePort: data?.remotePort }
      )
    })

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port, options.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    return this.port!
  }

  /**
   * Stops listening and closes every connection, then waits until the messages already
   * read from them are handled. `start()` may be called again afterwards.
   */
  async stop(): Promise<void> {
    const server = this.#server
    if (!server) {
      return
    }
    this.#server = null
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const socket of this.#sockets) {
      socket.destroy()
    }
    await Promise.all([closed, ...[...this.#connections].map((connection) => connection.done)])
  }

  #accept(socket: TLSSocket) {
    if (!socket.authorized && this.#presentedCertificate(socket)) {
      this.#report(
        new AtnaError(
          'E_ATNA_CLIENT_REFUSED',
          `client certificate refused: ${String(socket.authorizationError)}`
        ),
        connectionMeta(socket)
      )
      socket.destroy()
      return
    }
    const connection = new SyslogTlsConnection(socket, {
      maxFrameBytes: this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      idleTimeoutMs: this.#options.idleTimeoutMs ?? 5 * 60_000,
      onMessage: (message, meta) => this.#onMessage(message, meta),
      onError: (error, meta) => this.#report(error, meta),
    })
    this.#connections.add(connection)
    void connection.done.then(() => this.#connections.delete(connection))
  }

  /** Whether the client sent a certificate (only asked when `requestClientCert`). */
  #presentedCertificate(socket: TLSSocket): boolean {
    if (this.#options.requestClientCert === false) {
      return false
    }
    const certificate = socket.getPeerCertificate()
    return Boolean(certificate) && Object.keys(certificate).length > 0
  }

  #report(error: AtnaError, meta?: Parameters<SyslogErrorHandler>[1]) {
    try {
      this.#onError(error, meta)
    } catch {
      // A failing error handler must not take the listener down with it.
    }
  }
}
