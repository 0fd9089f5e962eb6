import { Hl7Error, type Hl7ErrorCode } from '#interop/hl7v2/hl7_error'

/** The largest message a decoder accepts unless told otherwise. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024

/** MLLP's start block, <SB> (vertical tab). */
const START_BLOCK = 0x0b
/** MLLP's end block, <EB> (file separator), always followed by a carriage return. */
const END_BLOCK = 0x1c
const CARRIAGE_RETURN = 0x0d
/** Tolerated between frames: some senders end a frame with an extra newline. */
const WHITESPACE = new Set([0x09, 0x0a, 0x0d, 0x20])

type FramingErrorCode = Extract<Hl7ErrorCode, `E_MLLP_${'OUTSIDE' | 'FRAME'}_${string}`>

/**
 * One HL7 message framed for MLLP: `<SB> message <EB><CR>`, the message as UTF-8 with `\r`
 * between segments.
 * @see HL7 v2.5.1 Appendix C, section C.4.3 (MLLP Release 2 block format)
 */
export function encodeMllp(message: string): Buffer {
  const body = Buffer.from(message, 'utf8')
  const framed = Buffer.allocUnsafe(body.length + 3)
  framed[0] = START_BLOCK
  body.copy(framed, 1)
  framed[body.length + 1] = END_BLOCK
  framed[body.length + 2] = CARRIAGE_RETURN
  return framed
}

/**
 * A framing fault. MLLP cannot resynchronise reliably after one, so the connection must be
 * closed; `messagesBefore` holds the complete messages the same chunk carried before the
 * fault, which are still good to handle.
 */
export class MllpFramingError extends Hl7Error {
  constructor(
    code: FramingErrorCode,
    message: string,
    readonly messagesBefore: string[]
  ) {
    super(code, message)
    this.name = 'MllpFramingError'
  }
}

/**
 * Splits a TCP byte stream into HL7 messages by MLLP block framing. Chunks may cut frames
 * anywhere, the two bytes of the end sequence included. The decoder holds at most one
 * message (no more than `maxFrameBytes`) however the peer writes: a frame that grows past
 * the maximum is refused as soon as the byte that crosses it arrives.
 * @see HL7 v2.5.1 Appendix C, section C.4.3 (MLLP Release 2 block format)
 */
export class MllpDecoder {
  readonly maxFrameBytes: number
  #parts: Buffer[] | null = null
  #size = 0
  #sawEndBlock = false
  #failed = false

  constructor(options: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  }

  /**
   * Takes the next chunk and returns the messages it completed, in order, decoded as UTF-8.
   * @throws MllpFramingError E_MLLP_OUTSIDE_FRAME for bytes between frames other than
   *   whitespace, E_MLLP_FRAME_MALFORMED for a start block inside a frame or an end block
   *   not followed by a carriage return, E_MLLP_FRAME_TOO_LARGE for a message over the
   *   maximum; the decoder refuses further input after any of them.
   */
  push(chunk: Uint8Array): string[] {
    if (this.#failed) {
      throw new MllpFramingError('E_MLLP_FRAME_MALFORMED', 'the stream already failed framing', [])
    }
    const messages: string[] = []
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
    let offset = 0
    while (offset < bytes.length) {
      const next = this.#parts
        ? this.#inFrame(bytes, offset, messages)
        : this.#between(bytes, offset)
      if (typeof next === 'number') {
        offset = next
        continue
      }
      this.#failed = true
      this.#parts = null
      this.#size = 0
      throw new MllpFramingError(next[0], next[1], messages)
    }
    return messages
  }

  /**
   * Declares the end of the stream.
   * @throws MllpFramingError E_MLLP_FRAME_TRUNCATED when a frame was begun but not ended.
   */
  end() {
    if (this.midFrame && !this.#failed) {
      this.#parts = null
      throw new MllpFramingError(
        'E_MLLP_FRAME_TRUNCATED',
        'the stream ended in the middle of a frame',
        []
      )
    }
  }

  /** Whether part of a frame is waiting for more bytes (the peer must not stop here). */
  get midFrame(): boolean {
    return this.#parts !== null
  }

  /** Bytes held for the message in progress. */
  get bufferedBytes(): number {
    return this.#size
  }

  /** Reads one byte between frames; returns the offset to continue from, or the fault. */
  #between(bytes: Buffer, offset: number): number | [FramingErrorCode, string] {
    const byte = bytes[offset]
    if (byte === START_BLOCK) {
      this.#parts = []
      this.#size = 0
      return offset + 1
    }
    if (WHITESPACE.has(byte)) {
      return offset + 1
    }
    return ['E_MLLP_OUTSIDE_FRAME', `the byte 0x${hex(byte)} arrived outside an MLLP frame`]
  }

  /**
   * Reads frame content from `offset` up to the next block byte, and the CR after an end
   * block; returns the offset to continue from, or the fault.
   */
  #inFrame(bytes: Buffer, offset: number, messages: string[]): number | [FramingErrorCode, string] {
    if (this.#sawEndBlock) {
      if (bytes[offset] !== CARRIAGE_RETURN) {
        return [
          'E_MLLP_FRAME_MALFORMED',
          `the end block is followed by 0x${hex(bytes[offset])}, not CR`,
        ]
      }
      this.#sawEndBlock = false
      messages.push(this.#complete())
      return offset + 1
    }
    const stop = nextBlockByte(bytes, offset)
    const content = bytes.subarray(offset, stop)
    if (this.#size + content.length > this.maxFrameBytes) {
      return [
        'E_MLLP_FRAME_TOO_LARGE',
        `the message is longer than the maximum of ${this.maxFrameBytes} bytes`,
      ]
    }
    if (content.length > 0) {
      this.#parts!.push(Buffer.from(content))
      this.#size += content.length
    }
    if (stop === bytes.length) {
      return stop
    }
    if (bytes[stop] === START_BLOCK) {
      return ['E_MLLP_FRAME_MALFORMED', 'a start block arrived inside a frame']
    }
    this.#sawEndBlock = true
    return stop + 1
  }

  #complete(): string {
    const message = Buffer.concat(this.#parts!, this.#size).toString('utf8')
    this.#parts = null
    this.#size = 0
    return message
  }
}

/** The offset of the next start or end block at or after `offset`, or the buffer's length. */
function nextBlockByte(bytes: Buffer, offset: number): number {
  const end = bytes.indexOf(END_BLOCK, offset)
  const start = bytes.indexOf(START_BLOCK, offset)
  const found = [end, start].filter((index) => index >= 0)
  return found.length > 0 ? Math.min(...found) : bytes.length
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0')
}
