/**
 * Stable error codes of the ATNA audit channel and the HTTP status each maps to when an
 * error has to be answered over HTTP (an audit repository API, an admin page).
 * @see https://profiles.ihe.net/ITI/TF/Volume2/ITI-20.html
 */
export const ATNA_ERROR_STATUSES = {
  /** The XML is not a DICOM PS3.15 A.5 AuditMessage. */
  E_AUDIT_MESSAGE_INVALID: 400,
  /** A valid AuditMessage, but for an event this platform does not record. */
  E_AUDIT_EVENT_UNKNOWN: 422,
  /** An audit record that cannot be written as an AuditMessage. */
  E_AUDIT_RECORD_INVALID: 500,
  /** A syslog header field that RFC 5424 does not allow. */
  E_SYSLOG_FIELD_INVALID: 500,
  /** Bytes that are not an RFC 5424 syslog message. */
  E_SYSLOG_MALFORMED: 400,
  /** An RFC 5425 MSG-LEN that is not a length; framing cannot resynchronise. */
  E_FRAME_MALFORMED: 400,
  /** An RFC 5425 frame longer than the receiver accepts. */
  E_FRAME_TOO_LARGE: 413,
  /** The peer closed the connection in the middle of a frame. */
  E_FRAME_TRUNCATED: 400,
  /** A client whose certificate the receiver does not trust. */
  E_ATNA_CLIENT_REFUSED: 403,
  /** A connection dropped because the receiver holds its maximum. */
  E_ATNA_TOO_MANY_CONNECTIONS: 503,
  /** The message handler threw; the message was read but not stored. */
  E_ATNA_HANDLER_FAILED: 500,
  /** The sender could not open a TLS connection to the repository. */
  E_ATNA_CONNECT_FAILED: 502,
  /** The connection failed while messages were being written. */
  E_ATNA_SEND_FAILED: 502,
  /** Connecting or writing took longer than allowed. */
  E_ATNA_TIMEOUT: 504,
  /** The sender was closed. */
  E_ATNA_CLOSED: 503,
} as const

export type AtnaErrorCode = keyof typeof ATNA_ERROR_STATUSES

/**
 * An error of the audit channel: a stable `code`, the HTTP `status` it answers with and,
 * through `cause`, the lower-level error (TLS, socket, XML) it wraps.
 */
export class AtnaError extends Error {
  readonly status: number

  constructor(
    readonly code: AtnaErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'AtnaError'
    this.status = ATNA_ERROR_STATUSES[code]
  }
}
