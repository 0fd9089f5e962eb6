import { once } from 'node:events'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { connect, type TLSSocket } from 'node:tls'
import { AtnaError } from '#interop/atna/atna_error'
import { frame } from '#interop/atna/octet_counting'

export interface SyslogTlsSenderOptions {
  host: string
  port: number
  /** The CA(s) the repository's certificate must chain to. */
  ca?: string | Buffer | Array<string | Buffer>
  /** This node's certificate and key, for mutual TLS. */
  cert?: string | Buffer
  key?: string | Buffer
  /** The name the server certificate must carry, when it is not `host`. */
  servername?: string
  connectTimeoutMs?: number
  writeTimeoutMs?: number
  /**
   * Under TLS 1.3 a server refuses a client certificate only after the client's handshake
   * is done. Before the first write the sender waits this long for the session ticket a
   * server sends once it accepted the client, or for its refusal.
   */
  acceptanceWaitMs?: number
}

/**
 * Sends syslog messages (RFC 5424 text, for ATNA each carrying an AuditMessage) to an
 * audit repository over TLS with octet-counting framing. RFC 5425 has no application
 * acknowledgement: `send` resolves once the frames were written to the TLS socket, which
 * is as far as delivery can be confirmed. Calls run one after another in call order, so a
 * durable spool can send its oldest rows and delete them when `send` resolves; after a
 * failure it sends the same rows again on a new connection, so a repository should
 * expect the occasional duplicate (AuditMessages carry our record id for that).
 * @see https://www.rfc-editor.org/rfc/rfc5425#section-4
 * @see https://profiles.ihe.net/ITI/TF/Volume2/ITI-20.html
 */
export class SyslogTlsSender {
  readonly #options: SyslogTlsSenderOptions
  #socket: TLSSocket | null = null
  #chain: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(options: SyslogTlsSenderOptions) {
    this.#options = options
  }

  /** Whether a connection is open now (the next `send` reuses it). */
  get connected(): boolean {
    return this.#socket !== null
  }

  /**
   * Writes the messages, in order, on the open connection or a new one.
   * @throws AtnaError E_ATNA_CONNECT_FAILED, E_ATNA_SEND_FAILED, E_ATNA_TIMEOUT or
   *   E_ATNA_CLOSED; the connection is then dropped and the next call reconnects.
   */
  send(messages: readonly (string | Uint8Array)[]): Promise<void> {
    const run = async () => {
      if (this.#closed) {
        throw new AtnaError('E_ATNA_CLOSED', 'the sender is closed')
      }
      if (messages.length === 0) {
        return
      }
      const data = Buffer.concat(messages.map((message) => frame(message)))
      if (this.#socket) {
        // Let a close the repository already sent be read before the connection is reused.
        await nextTurn()
      }
      const socket = this.#socket?.writable ? this.#socket : await this.#reconnect()
      try {
        await this.#write(socket, data)
      } catch (error) {
        this.#drop(socket)
        throw error
      }
    }
    const result = this.#chain.then(run, run)
    this.#chain = result.catch(() => {})
    return result
  }

  /** Waits for pending sends, then closes the connection with a TLS close_notify. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#chain
    const socket = this.#socket
    this.#socket = null
    if (!socket || socket.destroyed) {
      return
    }
    const timer = setTimeout(() => socket.destroy(), this.#options.writeTimeoutMs ?? 30_000)
    socket.end()
    await once(socket, 'close')
      .catch(() => {})
      .finally(() => clearTimeout(timer))
  }

  async #reconnect(): Promise<TLSSocket> {
    if (this.#socket) {
      this.#drop(this.#socket)
    }
    return this.#connect()
  }

  async #connect(): Promise<TLSSocket> {
    const options = this.#options
    const where = `${options.host}:${options.port}`
    let socket: TLSSocket | undefined
    try {
      socket = connect({
        host: options.host,
        port: options.port,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        ...(options.servername ? { servername: options.servername } : {}),
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
      })
      // Errors are reported through the pending call; a late one must not crash the process.
      socket.on('error', () => {})
      const timeout = AbortSignal.timeout(options.connectTimeoutMs ?? 10_000)
      await once(socket, 'secureConnect', { signal: timeout })
      socket.resume()
      if (socket.getProtocol() === 'TLSv1.3') {
        await this.#accepted(socket)
      }
    } catch (error) {
      socket?.destroy()
      if (error instanceof Error && error.name === 'AbortError') {
        throw new AtnaError('E_ATNA_TIMEOUT', `connecting to ${where} timed out`, { cause: error })
      }
      const reason = `could not connect to ${where}: ${describe(error)}`
      throw new AtnaError('E_ATNA_CONNECT_FAILED', reason, { cause: error })
    }
    const connected = socket
    connected.once('close', () => this.#drop(connected))
    this.#socket = connected
    return connected
  }

  /** Resolves on the server's session ticket or after the wait; rejects on its refusal. */
  async #accepted(socket: TLSSocket) {
    const wait = AbortSignal.timeout(this.#options.acceptanceWaitMs ?? 1_000)
    const closed = once(socket, 'close', { signal: wait }).then(() => {
      throw new Error('the server closed the connection after the handshake')
    })
    try {
      await Promise.race([once(socket, 'session', { signal: wait }), closed])
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError')) {
        throw error
      }
    } finally {
      closed.catch(() => {})
    }
    // The ticket arrives while OpenSSL is still reading; a write from that same turn
    // re-enters it and corrupts the record layer (the server sees a bad record MAC).
    await nextTurn()
  }

  #write(socket: TLSSocket, data: Buffer): Promise<void> {
    const timeoutMs = this.#options.writeTimeoutMs ?? 30_000
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const settle = (error?: AtnaError) => {
        if (settled) {
          return
        }
        settled = true
        clearTimeout(timer)
        socket.off('close', onClose)
        socket.off('error', onError)
        error ? reject(error) : resolve()
      }
      const onClose = () =>
        settle(new AtnaError('E_ATNA_SEND_FAILED', 'the connection closed while writing'))
      const onError = (error: Error) =>
        settle(new AtnaError('E_ATNA_SEND_FAILED', describe(error), { cause: error }))
      const timer = setTimeout(
        () => settle(new AtnaError('E_ATNA_TIMEOUT', `writing took longer than ${timeoutMs} ms`)),
        timeoutMs
      )
      socket.once('close', onClose)
      socket.once('error', onError)
      socket.write(data, (error) => (error ? onError(error) : settle()))
    })
  }

  #drop(socket: TLSSocket) {
    socket.destroy()
    if (this.#socket === socket) {
      this.#socket = null
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
