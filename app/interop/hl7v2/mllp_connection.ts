import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { Hl7Error } from '#interop/hl7v2/hl7_error'
import { encodeMllp, MllpDecoder, MllpFramingError } from '#interop/hl7v2/mllp_framing'

/** Who sent a message: the peer's address, its certificate's CN under mutual TLS, and
 * the listener's number for the connection (to tell a sender's connections apart in logs). */
export interface MllpMessageMeta {
  remoteAddress?: string
  peerCN?: string
  connectionId: number
}

/**
 * Handles one HL7 message and returns the ACK to send back (the text of an HL7 message,
 * which the listener frames). A handler that throws leaves the message unacknowledged, so
 * handlers are expected to turn every outcome they can foresee (unsupported types, rule
 * rejections, malformed messages) into an AE or AR ACK themselves.
 */
export type MllpMessageHandler = (message: string, meta: MllpMessageMeta) => Promise<string>

export type MllpErrorHandler = (error: Hl7Error, meta?: Partial<MllpMessageMeta>) => void

export interface MllpConnectionOptions {
  connectionId: number
  maxFrameBytes: number
  idleTimeoutMs: number
  onMessage: MllpMessageHandler
  onError: MllpErrorHandler
}

/** Messages read but not yet handled before the socket is paused. */
const HIGH_WATER_MESSAGES = 16

/**
 * One sender of the listener. Messages are decoded as they arrive and handed to the
 * handler one at a time, in order; the next is handed over only once the previous ACK was
 * written, and a slow handler pauses reading from this socket only. A framing fault closes
 * this connection. Messages still queued when the connection closes are dropped without
 * being handled: their ACK could not be delivered, so the sender must send them again.
 * @see HL7 v2.5.1 Appendix C (MLLP), section C.4.1 on the original acknowledgement mode
 */
export class MllpConnection {
  readonly meta: MllpMessageMeta
  /** Settles once the socket is closed and the message being handled, if any, is done. */
  readonly done: Promise<void>
  readonly #socket: Socket | TLSSocket
  readonly #options: MllpConnectionOptions
  readonly #decoder: MllpDecoder
  readonly #queue: string[] = []
  #draining = false
  #closed = false
  #ended = false
  #stopping = false
  #finish!: () => void

  constructor(socket: Socket | TLSSocket, options: MllpConnectionOptions) {
    this.#socket = socket
    this.#options = options
    this.#decoder = new MllpDecoder({ maxFrameBytes: options.maxFrameBytes })
    this.meta = { ...peerOf(socket), connectionId: options.connectionId }
    this.done = new Promise((resolve) => {
      this.#finish = resolve
    })

    socket.setTimeout(options.idleTimeoutMs)
    socket.on('timeout', () => this.#idle())
    socket.on('data', (chunk: Buffer) => this.#receive(chunk))
    socket.on('error', () => {})
    socket.on('end', () => this.#onEnd())
    socket.on('close', () => this.#onClose())
  }

  /**
   * Stops reading and drops the messages not yet handed to the handler; the message being
   * handled still gets its ACK before the socket closes (see `done`).
   */
  close() {
    this.#stopping = true
    this.#queue.length = 0
    this.#socket.pause()
    if (!this.#draining) {
      this.#socket.destroy()
    }
  }

  #receive(chunk: Buffer) {
    if (this.#stopping) {
      return
    }
    try {
      this.#queue.push(...this.#decoder.push(chunk))
    } catch (error) {
      if (!(error instanceof MllpFramingError)) {
        throw error
      }
      // The messages before the fault were framed correctly but cannot be acknowledged
      // once the connection is closed, so they are dropped with it.
      this.#queue.length = 0
      this.#report(error)
      this.#socket.destroy()
      return
    }
    if (this.#queue.length >= HIGH_WATER_MESSAGES) {
      this.#socket.pause()
    }
    void this.#drain()
  }

  async #drain() {
    if (this.#draining) {
      return
    }
    this.#draining = true
    for (let message = this.#queue.shift(); message !== undefined; message = this.#queue.shift()) {
      await this.#handle(message)
      if (this.#closed || this.#stopping) {
        break
      }
      if (this.#socket.isPaused() && this.#queue.length < HIGH_WATER_MESSAGES / 2) {
        this.#socket.resume()
      }
    }
    this.#draining = false
    if (this.#stopping) {
      this.#socket.destroy()
    } else if (this.#ended) {
      this.#socket.end()
    }
    this.#settle()
  }

  /** The sender shut down its side: answer what it sent, then end ours. */
  #onEnd() {
    this.#ended = true
    if (!this.#draining && this.#queue.length === 0) {
      this.#socket.end()
    }
  }

  async #handle(message: string) {
    let ack: string
    try {
      ack = await this.#options.onMessage(message, this.meta)
    } catch (error) {
      this.#report(
        new Hl7Error('E_MLLP_HANDLER_FAILED', `the message handler failed: ${String(error)}`, {
          cause: error,
        })
      )
      return
    }
    try {
      await this.#write(encodeMllp(ack))
    } catch (error) {
      this.#report(
        new Hl7Error('E_MLLP_SEND_FAILED', 'the ACK could not be written', { cause: error })
      )
    }
  }

  #write(data: Buffer): Promise<void> {
    if (this.#closed || !this.#socket.writable) {
      return Promise.reject(new Error('the connection is closed'))
    }
    return new Promise((resolve, reject) => {
      this.#socket.write(data, (error) => (error ? reject(error) : resolve()))
    })
  }

  /**
   * A silent peer is dropped, but not while its messages are being handled: the socket
   * may be quiet only because it was paused, or because the sender awaits the ACK.
   */
  #idle() {
    if (this.#draining) {
      this.#socket.setTimeout(this.#options.idleTimeoutMs)
      return
    }
    this.#report(
      new Hl7Error(
        'E_MLLP_IDLE_TIMEOUT',
        `the connection was silent for ${this.#options.idleTimeoutMs} ms`
      )
    )
    this.#socket.destroy()
  }

  #onClose() {
    this.#closed = true
    this.#queue.length = 0
    try {
      this.#decoder.end()
    } catch (error) {
      this.#report(error as MllpFramingError)
    }
    this.#settle()
  }

  #settle() {
    if (this.#closed && !this.#draining) {
      this.#finish()
    }
  }

  #report(error: Hl7Error) {
    try {
      this.#options.onError(error, this.meta)
    } catch {
      // A failing error handler must not take the connection down with it.
    }
  }
}

/** The address of a peer and, for a TLS peer with a certificate, its CN. */
function peerOf(socket: Socket | TLSSocket): Omit<MllpMessageMeta, 'connectionId'> {
  const peer: Omit<MllpMessageMeta, 'connectionId'> = { remoteAddress: socket.remoteAddress }
  if (!('getPeerCertificate' in socket)) {
    return peer
  }
  const commonName: unknown = socket.getPeerCertificate()?.subject?.CN
  const cn = Array.isArray(commonName) ? commonName[0] : commonName
  if (typeof cn === 'string') {
    peer.peerCN = cn
  }
  return peer
}
