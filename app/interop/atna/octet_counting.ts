import { AtnaError, type AtnaErrorCode } from '#interop/atna/atna_error'

/** The largest frame a decoder accepts unless told otherwise: ample for an AuditMessage. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024

/**
 * One syslog message framed for TLS transport: `MSG-LEN SP SYSLOG-MSG`, the length being
 * the octet count of the UTF-8 message.
 * @see https://www.rfc-editor.org/rfc/rfc5425#section-4.3
 */
export function frame(message: Uint8Array | string): Buffer {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
  if (bytes.length === 0) {
    throw new AtnaError('E_FRAME_MALFORMED', 'a syslog frame carries at least one octet')
  }
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'latin1'), bytes])
}

/**
 * A framing fault. Framing cannot resynchronise after one, so the connection must be
 * closed; `framesBefore` holds the complete frames the same chunk carried before the
 * fault, which are still good to deliver.
 */
export class OctetCountingError extends AtnaError {
  constructor(
    code: Extract<AtnaErrorCode, `E_FRAME_${string}`>,
    message: string,
    readonly framesBefore: Buffer[]
  ) {
    super(code, message)
    this.name = 'OctetCountingError'
  }
}

/**
 * Splits a TLS byte stream into syslog messages by octet counting. Chunks may cut frames
 * anywhere, length included. The decoder holds at most one frame body (no more than
 * `maxFrameBytes`) plus the digits of its length, however the peer writes.
 * @see https://www.rfc-editor.org/rfc/rfc5425#section-4.3.1
 */
export class OctetCountingDecoder {
  readonly maxFrameBytes: number
  readonly #maxDigits: number
  #digits = ''
  #body: Buffer | null = null
  #filled = 0
  #failed = false

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.#maxDigits = String(this.maxFrameBytes).length
  }

  /**
   * Takes the next chunk and returns the messages it completed, in order.
   * @throws OctetCountingError E_FRAME_MALFORMED when MSG-LEN is not a number without a
   *   leading zero, E_FRAME_TOO_LARGE when it exceeds the maximum; the decoder refuses
   *   further input after either.
   */
  push(chunk: Uint8Array): Buffer[] {
    if (this.#failed) {
      throw new OctetCountingError('E_FRAME_MALFORMED', 'the stream already failed framing', [])
    }
    const frames: Buffer[] = []
    let offset = 0
    while (offset < chunk.length) {
      if (this.#body) {
        const take = Math.min(chunk.length - offset, this.#body.length - this.#filled)
        this.#body.set(chunk.subarray(offset, offset + take), this.#filled)
        this.#filled += take
        offset += take
        if (this.#filled === this.#body.length) {
          frames.push(this.#body)
          this.#body = null
        }
        continue
      }
      const fault = this.#lengthByte(chunk[offset])
      if (fault) {
        this.#failed = true
        throw new OctetCountingError(fault[0], fault[1], frames)
      }
      offset += 1
    }
    return frames
  }

  /** Whether part of a frame is waiting for more bytes (the peer must not stop here). */
  get midFrame(): boolean {
    return this.#digits !== '' || this.#body !== null
  }

  /** Bytes held for the frame in progress. */
  get bufferedBytes(): number {
    return this.#digits.length + this.#filled
  }

  /** Reads one byte of MSG-LEN or the space after it; returns the fault, if any. */
  #lengthByte(byte: number): [Extract<AtnaErrorCode, `E_FRAME_${string}`>, string] | null {
    if (byte === 0x20) {
      if (this.#digits === '') {
        return ['E_FRAME_MALFORMED', 'a frame starts with MSG-LEN, not a space']
      }
      this.#body = Buffer.allocUnsafe(Number(this.#digits))
      this.#filled = 0
      this.#digits = ''
      return null
    }
    if (byte < 0x30 || byte > 0x39) {
      return ['E_FRAME_MALFORMED', `MSG-LEN holds the byte 0x${byte.toString(16)}, not a digit`]
    }
    if (byte === 0x30 && this.#digits === '') {
      return ['E_FRAME_MALFORMED', 'MSG-LEN starts with a zero']
    }
    this.#digits += String.fromCharCode(byte)
    if (this.#digits.length > this.#maxDigits || Number(this.#digits) > this.maxFrameBytes) {
      return [
        'E_FRAME_TOO_LARGE',
        `the frame is longer than the maximum of ${this.maxFrameBytes} octets`,
      ]
    }
    return null
  }
}
