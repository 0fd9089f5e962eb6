/**
 * Stable error codes of the HL7v2 channel and the HTTP status each maps to when an error
 * has to be answered over HTTP (an admin page, a health check).
 * @see https://www.hl7.org/implement/standards/product_brief.cfm?product_id=185
 */
export const HL7_ERROR_STATUSES = {
  /** Bytes between frames that are neither a start block nor whitespace. */
  E_MLLP_OUTSIDE_FRAME: 400,
  /** A start or end block where the frame does not allow one. */
  E_MLLP_FRAME_MALFORMED: 400,
  /** A frame longer than the receiver accepts. */
  E_MLLP_FRAME_TOO_LARGE: 413,
  /** The peer closed the connection in the middle of a frame. */
  E_MLLP_FRAME_TRUNCATED: 400,
  /** A client whose address or certificate the listener does not accept. */
  E_MLLP_CLIENT_REFUSED: 403,
  /** A connection dropped because the listener holds its maximum. */
  E_MLLP_TOO_MANY_CONNECTIONS: 503,
  /** A connection closed because the peer stayed silent too long. */
  E_MLLP_IDLE_TIMEOUT: 408,
  /** The message handler threw; the message got no ACK. */
  E_MLLP_HANDLER_FAILED: 500,
  /** The client could not open a connection to the receiver. */
  E_MLLP_CONNECT_FAILED: 502,
  /** The connection failed while a message or its ACK was being written or awaited. */
  E_MLLP_SEND_FAILED: 502,
  /** Connecting or waiting for the ACK took longer than allowed. */
  E_MLLP_TIMEOUT: 504,
  /** The client was closed. */
  E_MLLP_CLOSED: 503,
} as const

export type Hl7ErrorCode = keyof typeof HL7_ERROR_STATUSES

/**
 * An error of the HL7v2 channel: a stable `code`, the HTTP `status` it answers with and,
 * through `cause`, the lower-level error (socket, TLS, handler) it wraps.
 */
export class Hl7Error extends Error {
  readonly status: number

  constructor(
    readonly code: Hl7ErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'Hl7Error'
    this.status = HL7_ERROR_STATUSES[code]
  }
}
