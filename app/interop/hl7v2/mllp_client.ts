import { connect as connectTcp, type Socket } from 'node:net'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { connect as connectTls } from 'node:tls'
import { Hl7Error } from '#interop/hl7v2/hl7_error'
import { DEFAULT_MAX_FRAME_BYTES, encodeMllp, MllpDecoder } from '#interop/hl7v2/mllp_framing'

export interface MllpClientTlsOptions {
  /** The CA(s) the receiver's certificate must chain to. */
  ca?: string | Buffer | Array<string | Buffer>
  /** This system's certificate and key, for mutual TLS. */
  cert?: string | Buffer
  key?: string | Buffer
  /** The name the receiver's certificate must carry, when it is not `host`. */
  servername?: string
}

export interface MllpClientOptions {
  host: string
  port: number
  /** Connect with TLS instead of plain TCP. */
  tls?: MllpClientTlsOptions
  /** How long connecting, and then waiting for each ACK, may take (default 30 s). */
  timeoutMs?: number
  /** The largest ACK accepted, in bytes (default 1 MiB). */
  maxFrameBytes?: number
}

interface PendingAck {
  resolve: (ack: string) => void
  reject: (error: Hl7Error) => void
}

/**
 * Sends HL7 messages over MLLP and returns their ACKs, in HL7's original acknowledgement
 * mode: one message in flight at a time, calls run in call order. After any failure the
 * connection is dropped and the next call opens a new one; the caller decides whether to
 * send the message again (a receiver should expect the occasional duplicate MSH-10).
 * @see HL7 v2.5.1 Appendix C (Lower Layer Protocols), section C.4 (MLLP)
 */
export class MllpClient {
  readonly #options: MllpClientOptions
  #socket: Socket | null = null
  #pending: PendingAck | null = null
  #chain: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(options: MllpClientOptions) {
    this.#options = options
  }

  /** Whether a connection is open now (the next `send` reuses it). */
  get connected(): boolean {
    return this.#socket !== null
  }

  /**
   * Sends one message and resolves with the ACK text the receiver framed back.
   * @throws Hl7Error E_MLLP_CONNECT_FAILED, E_MLLP_SEND_FAILED, E_MLLP_TIMEOUT or
   *   E_MLLP_CLOSED; the connection is then dropped and the next call reconnects.
   */
  send(message: string): Promise<string> {
    const run = async () => {
      if (this.#closed) {
        throw new Hl7Error('E_MLLP_CLOSED', 'the client is closed')
      }
      if (this.#socket) {
        // Let a close the receiver already sent be read before the connection is reused.
        await nextTurn()
      }
      const socket = this.#socket ?? (await this.#connect())
      try {
        return await this.#exchange(socket, encodeMllp(message))
      } catch (error) {
        this.#drop(socket)
        throw error
      }
    }
    const result = this.#chain.then(run, run)
    this.#chain = result.catch(() => {})
    return result
  }

  /** Waits for the message in flight, if any, then closes the connection. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#chain
    const socket = this.#socket
    this.#socket = null
    socket?.end()
  }

  async #connect(): Promise<Socket> {
    const options = this.#options
    const where = `${options.host}:${options.port}`
    const socket = options.tls
      ? connectTls({
          host: options.host,
          port: options.port,
          ...options.tls,
          minVersion: 'TLSv1.2',
          rejectUnauthorized: true,
        })
      : connectTcp({ host: options.host, port: options.port })
    // Errors are reported through the pending call; a late one must not crash the process.
    socket.on('error', () => {})
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Hl7Error('E_MLLP_TIMEOUT', `connecting to ${where} timed out`)),
          this.#timeoutMs
        )
        socket.once(options.tls ? 'secureConnect' : 'connect', () => {
          clearTimeout(timer)
          resolve()
        })
        socket.once('error', (error) => {
          clearTimeout(timer)
          reject(
            new Hl7Error(
              'E_MLLP_CONNECT_FAILED',
              `could not connect to ${where}: ${error.message}`,
              {
                cause: error,
              }
            )
          )
        })
      })
    } catch (error) {
      socket.destroy()
      throw error
    }
    const decoder = new MllpDecoder({
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    })
    socket.on('data', (chunk: Buffer) => this.#receive(socket, decoder, chunk))
    socket.once('close', () => {
      if (this.#socket !== socket) {
        // A connection already dropped must not fail the call now in flight on its successor.
        return
      }
      this.#fail(
        new Hl7Error('E_MLLP_SEND_FAILED', `${where} closed the connection before the ACK`)
      )
      this.#drop(socket)
    })
    this.#socket = socket
    return socket
  }

  get #timeoutMs(): number {
    return this.#options.timeoutMs ?? 30_000
  }

  /** Writes one framed message and waits for the next frame the receiver sends. */
  #exchange(socket: Socket, framed: Buffer): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new Hl7Error('E_MLLP_TIMEOUT', 'no ACK arrived in time')),
        this.#timeoutMs
      )
      this.#pending = {
        resolve: (ack) => {
          clearTimeout(timer)
          resolve(ack)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
      socket.write(framed, (error) => {
        if (error) {
          this.#fail(
            new Hl7Error(
              'E_MLLP_SEND_FAILED',
              `the message could not be written: ${error.message}`,
              {
                cause: error,
              }
            )
          )
        }
      })
    })
  }

  #receive(socket: Socket, decoder: MllpDecoder, chunk: Buffer) {
    if (this.#socket !== socket) {
      return
    }
    let acks: string[]
    try {
      acks = decoder.push(chunk)
    } catch (error) {
      this.#fail(error as Hl7Error)
      this.#drop(socket)
      return
    }
    // A frame nobody waits for (the receiver's answer to a message that timed out cannot
    // arrive here: the connection is dropped on timeout) is ignored.
    const ack = acks[0]
    const pending = this.#pending
    if (ack !== undefined && pending) {
      this.#pending = null
      pending.resolve(ack)
    }
  }

  #fail(error: Hl7Error) {
    const pending = this.#pending
    this.#pending = null
    pending?.reject(error)
  }

  #drop(socket: Socket) {
    if (this.#socket === socket) {
      this.#socket = null
    }
    socket.destroy()
  }
}
