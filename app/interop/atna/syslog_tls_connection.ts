import type { TLSSocket } from 'node:tls'
import { AtnaError } from '#interop/atna/atna_error'
import { readAuditMessage } from '#interop/atna/audit_message_reader'
import { OctetCountingDecoder, OctetCountingError } from '#interop/atna/octet_counting'
import { parseSyslog, type SyslogHeader } from '#interop/atna/syslog_message'

/** Who a connection is: its address and, under mutual TLS, its certificate's CN. */
export interface ConnectionMeta {
  remoteAddress?: string
  remotePort?: number
  peerCN?: string
}

/** What the handler learns about a message besides its body. */
export interface SyslogReceiptMeta extends ConnectionMeta {
  syslog: SyslogHeader
}

export type SyslogMessageHandler = (
  message: string,
  meta: SyslogReceiptMeta
) => Promise<void> | void

export type SyslogErrorHandler = (error: AtnaError, meta?: ConnectionMeta) => void

export interface SyslogConnectionOptions {
  maxFrameBytes: number
  idleTimeoutMs: number
  onMessage: SyslogMessageHandler
  onError: SyslogErrorHandler
}

/** Frames read but not yet handled before the socket is paused. */
const HIGH_WATER_FRAMES = 32

/**
 * One client of the receiver. Frames are decoded as they arrive and handed to the handler
 * one at a time, in order, each awaited before the next; a slow handler pauses reading from
 * this socket only. A framing fault closes this connection; a message that is not syslog or
 * not an AuditMessage, or that the handler fails on, is reported and skipped. Every frame
 * read off the socket is handled, even after the socket closed.
 * @see https://www.rfc-editor.org/rfc/rfc5425#section-4.3.1
 */
export class SyslogTlsConnection {
  readonly meta: ConnectionMeta
  /** Settles once the socket is closed and every frame read from it is handled. */
  readonly done: Promise<void>
  readonly #socket: TLSSocket
  readonly #options: SyslogConnectionOptions
  readonly #decoder: OctetCountingDecoder
  readonly #queue: Buffer[] = []
  #draining = false
  #closed = false
  #faulted = false
  #finish!: () => void

  constructor(socket: TLSSocket, options: SyslogConnectionOptions) {
    this.#socket = socket
    this.#options = options
    this.#decoder = new OctetCountingDecoder({ maxFrameBytes: options.maxFrameBytes })
    this.meta = connectionMeta(socket)
    this.done = new Promise((resolve) => {
      this.#finish = resolve
    })

    socket.setTimeout(options.idleTimeoutMs)
    socket.on('timeout', () => this.#idle())
    socket.on('data', (chunk: Buffer) => this.#receive(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      this.#closed = true
      this.#truncated()
      this.#settle()
    })
  }

  /** Stops reading; frames already read are still handled (see `done`). */
  close() {
    this.#socket.destroy()
  }

  #receive(chunk: Buffer) {
    try {
      this.#queue.push(...this.#decoder.push(chunk))
    } catch (error) {
      if (!(error instanceof OctetCountingError)) {
        throw error
      }
      this.#queue.push(...error.framesBefore)
      this.#faulted = true
      this.#report(error)
      this.#socket.destroy()
    }
    if (this.#queue.length >= HIGH_WATER_FRAMES) {
      this.#socket.pause()
    }
    void this.#drain()
  }

  async #drain() {
    if (this.#draining) {
      return
    }
    this.#draining = true
    for (let frame = this.#queue.shift(); frame; frame = this.#queue.shift()) {
      await this.#handle(frame)
      if (this.#socket.isPaused() && this.#queue.length < HIGH_WATER_FRAMES / 2) {
        this.#socket.resume()
      }
    }
    this.#draining = false
    this.#settle()
  }

  async #handle(frame: Buffer) {
    let message: ReturnType<typeof parseSyslog>
    try {
      message = parseSyslog(frame)
      readAuditMessage(message.message)
    } catch (error) {
      this.#report(asAtnaError(error))
      return
    }
    const { message: body, bom, ...syslog } = message
    try {
      await this.#options.onMessage(body, { ...this.meta, syslog })
    } catch (error) {
      this.#report(
        new AtnaError('E_ATNA_HANDLER_FAILED', `the message handler failed: ${String(error)}`, {
          cause: error,
        })
      )
    }
  }

  /**
   * A silent peer is dropped, but not while its messages are still being handled: the
   * socket may be quiet only because it was paused, with frames waiting in its buffers.
   */
  #idle() {
    if (this.#draining) {
      this.#socket.setTimeout(this.#options.idleTimeoutMs)
      return
    }
    this.#socket.destroy()
  }

  /** The connection closed in the middle of a frame: that message is lost. */
  #truncated() {
    if (this.#decoder.midFrame && !this.#faulted) {
      this.#report(
        new AtnaError('E_FRAME_TRUNCATED', 'the connection ended in the middle of a frame')
      )
    }
  }

  #settle() {
    if (this.#closed && !this.#draining && this.#queue.length === 0) {
      this.#finish()
    }
  }

  #report(error: AtnaError) {
    try {
      this.#options.onError(error, this.meta)
    } catch {
      // A failing error handler must not take the connection down with it.
    }
  }
}

/** The address and certificate CN of a TLS peer. */
export function connectionMeta(socket: TLSSocket): ConnectionMeta {
  const meta: ConnectionMeta = {
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
  }
  const commonName: unknown = socket.getPeerCertificate()?.subject?.CN
  const cn = Array.isArray(commonName) ? commonName[0] : commonName
  if (typeof cn === 'string') {
    meta.peerCN = cn
  }
  return meta
}

function asAtnaError(error: unknown): AtnaError {
  return error instanceof AtnaError
    ? error
    : new AtnaError('E_SYSLOG_MALFORMED', String(error), { cause: error })
}
