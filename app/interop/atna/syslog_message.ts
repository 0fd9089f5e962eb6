import { AtnaError } from '#interop/atna/atna_error'
import { parseRfc3339 } from '#interop/atna/rfc3339'

/**
 * What IHE ATNA puts in the syslog header of an audit message: facility 10 (authpriv),
 * severity 5 (notice) and MSGID `IHE+RFC-3881`.
 * @see https://profiles.ihe.net/ITI/TF/Volume2/ITI-20.html
 */
export const ATNA_SYSLOG_DEFAULTS = {
  facility: 10,
  severity: 5,
  msgId: 'IHE+RFC-3881',
} as const

/**
 * The longest each header field may be, in PRINTUSASCII characters.
 * @see https://www.rfc-editor.org/rfc/rfc5424#section-6
 */
export const SYSLOG_FIELD_LIMITS = {
  hostname: 255,
  appName: 48,
  procId: 128,
  msgId: 32,
} as const

export type SyslogField = keyof typeof SYSLOG_FIELD_LIMITS

/** An RFC 5424 header; absent fields are the NILVALUE `-`. */
export interface SyslogHeader {
  facility: number
  severity: number
  version: 1
  timestamp?: Date
  hostname?: string
  appName?: string
  procId?: string
  msgId?: string
  /** The STRUCTURED-DATA as written, when it is not `-`. */
  structuredData?: string
}

export interface SyslogMessage extends SyslogHeader {
  message: string
  /** Whether MSG began with the UTF-8 byte order mark (MSG-UTF8 rather than MSG-ANY). */
  bom: boolean
}

export interface SyslogMessageInput {
  facility?: number
  severity?: number
  timestamp?: Date
  hostname?: string
  appName?: string
  procId?: string
  /** Defaults to `IHE+RFC-3881`; `null` writes the NILVALUE. */
  msgId?: string | null
  message: string
}

const BOM = '\uFEFF'
const SP = 0x20

/**
 * Writes an RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - BOM MSG`,
 * with the timestamp in UTC to the millisecond, `-` for absent fields and no structured
 * data. MSG carries the BOM that marks it as UTF-8.
 * @throws AtnaError E_SYSLOG_FIELD_INVALID for a value RFC 5424 does not allow
 * @see https://www.rfc-editor.org/rfc/rfc5424#section-6
 */
export function formatSyslog(input: SyslogMessageInput): string {
  const facility = input.facility ?? ATNA_SYSLOG_DEFAULTS.facility
  const severity = input.severity ?? ATNA_SYSLOG_DEFAULTS.severity
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) {
    throw invalidField(`facility ${facility} is not 0 to 23`)
  }
  if (!Number.isInteger(severity) || severity < 0 || severity > 7) {
    throw invalidField(`severity ${severity} is not 0 to 7`)
  }
  const msgId = input.msgId === null ? undefined : (input.msgId ?? ATNA_SYSLOG_DEFAULTS.msgId)
  const header = [
    `<${facility * 8 + severity}>1`,
    timestamp(input.timestamp),
    field('hostname', input.hostname),
    field('appName', input.appName),
    field('procId', input.procId),
    field('msgId', msgId),
    '-',
  ]
  return `${header.join(' ')} ${BOM}${input.message}`
}

/**
 * Reads an RFC 5424 message and checks every header field. MSG after a BOM must be UTF-8;
 * without one (MSG-ANY) it is read as UTF-8 as well, replacing bytes that are not.
 * @throws AtnaError E_SYSLOG_MALFORMED
 * @see https://www.rfc-editor.org/rfc/rfc5424#section-6
 */
export function parseSyslog(input: Uint8Array | string): SyslogMessage {
  const reader = new HeaderReader(
    typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input)
  )
  const priority = reader.priority()
  const version = reader.token('VERSION', 3)
  if (!/^[1-9][0-9]{0,2}$/.test(version)) {
    throw malformed(`VERSION "${version}" is not a version number`)
  }
  if (version !== '1') {
    throw malformed(`syslog VERSION ${version} is not supported; only 1 is`)
  }
  const time = reader.token('TIMESTAMP', 32)
  const parsed: SyslogMessage = {
    facility: Math.floor(priority / 8),
    severity: priority % 8,
    version: 1,
    message: '',
    bom: false,
  }
  if (time !== '-') {
    const date = parseRfc3339(time, 6)
    if (!date) {
      throw malformed(`TIMESTAMP "${time}" is not an RFC 3339 date-time with an offset`)
    }
    parsed.timestamp = date
  }
  for (const name of ['hostname', 'appName', 'procId', 'msgId'] as const) {
    const value = reader.token(name, SYSLOG_FIELD_LIMITS[name])
    if (value !== '-') {
      parsed[name] = value
    }
  }
  const structuredData = reader.structuredData()
  if (structuredData !== undefined) {
    parsed.structuredData = structuredData
  }
  const body = reader.rest()
  parsed.bom = body.subarray(0, 3).equals(Buffer.from(BOM, 'utf8'))
  parsed.message = parsed.bom ? utf8(body.subarray(3)) : body.toString('utf8')
  return parsed
}

/** Walks the header bytes left to right; every method consumes what it reads. */
class HeaderReader {
  #position = 0

  constructor(readonly bytes: Buffer) {}

  /** `<PRIVAL>`: 1 to 3 digits, 0 to 191, no leading zero. */
  priority(): number {
    const close = this.bytes.indexOf('>')
    const digits = close > 0 ? this.bytes.toString('latin1', 1, close) : ''
    if (this.bytes[0] !== 0x3c || !/^(0|[1-9][0-9]{0,2})$/.test(digits) || Number(digits) > 191) {
      throw malformed('the message does not start with a PRI of <0> to <191>')
    }
    this.#position = close + 1
    return Number(digits)
  }

  /** A header field: 1 to `max` PRINTUSASCII characters followed by one space. */
  token(name: string, max: number): string {
    const end = this.bytes.indexOf(SP, this.#position)
    if (end === -1) {
      throw malformed(`the header ends before ${name}`)
    }
    const value = this.bytes.subarray(this.#position, end)
    if (value.length === 0 || value.length > max || !value.every(isPrintUsAscii)) {
      throw malformed(`${name} must be 1 to ${max} printable US-ASCII characters`)
    }
    this.#position = end + 1
    return value.toString('latin1')
  }

  /**
   * STRUCTURED-DATA: `-` or one or more `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]`, where
   * `\"`, `\\` and `\]` escape inside a value.
   * @see https://www.rfc-editor.org/rfc/rfc5424#section-6.3
   */
  structuredData(): string | undefined {
    const start = this.#position
    if (this.bytes[start] === 0x2d) {
      this.#position = start + 1
      return undefined
    }
    if (this.bytes[start] !== 0x5b) {
      throw malformed('STRUCTURED-DATA must be "-" or start with "["')
    }
    while (this.bytes[this.#position] === 0x5b) {
      this.#element()
    }
    return utf8(this.bytes.subarray(start, this.#position))
  }

  /** What follows the header: nothing, or one space and MSG. */
  rest(): Buffer {
    if (this.#position === this.bytes.length) {
      return Buffer.alloc(0)
    }
    if (this.bytes[this.#position] !== SP) {
      throw malformed('STRUCTURED-DATA must be followed by a space and MSG')
    }
    return this.bytes.subarray(this.#position + 1)
  }

  #element() {
    this.#position += 1
    this.#name('SD-ID')
    while (this.bytes[this.#position] === SP) {
      this.#position += 1
      this.#name('PARAM-NAME')
      if (this.bytes[this.#position] !== 0x3d || this.bytes[this.#position + 1] !== 0x22) {
        throw malformed('an SD-PARAM is PARAM-NAME="PARAM-VALUE"')
      }
      this.#position += 2
      while (this.bytes[this.#position] !== 0x22) {
        if (this.#position >= this.bytes.length) {
          throw malformed('a PARAM-VALUE is not closed')
        }
        this.#position += this.bytes[this.#position] === 0x5c ? 2 : 1
      }
      this.#position += 1
    }
    if (this.bytes[this.#position] !== 0x5d) {
      throw malformed('an SD-ELEMENT is not closed with "]"')
    }
    this.#position += 1
  }

  /** SD-NAME: 1 to 32 PRINTUSASCII except `=`, SP, `]` and `"`. */
  #name(what: string) {
    const start = this.#position
    while (this.#position < this.bytes.length && isNameByte(this.bytes[this.#position])) {
      this.#position += 1
    }
    const length = this.#position - start
    if (length === 0 || length > 32) {
      throw malformed(`${what} must be 1 to 32 printable US-ASCII characters`)
    }
  }
}

function timestamp(date: Date | undefined): string {
  if (date === undefined) {
    return '-'
  }
  const year = date.getUTCFullYear()
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) {
    throw invalidField('the timestamp is not a date RFC 3339 can write')
  }
  return date.toISOString()
}

function field(name: SyslogField, value: string | undefined): string {
  if (value === undefined) {
    return '-'
  }
  const max = SYSLOG_FIELD_LIMITS[name]
  const bytes = Buffer.from(value, 'utf8')
  if (value === '-' || bytes.length === 0 || bytes.length > max || !bytes.every(isPrintUsAscii)) {
    throw invalidField(
      `${name} "${value}" must be 1 to ${max} printable US-ASCII characters (leave it out for "-")`
    )
  }
  return value
}

function isPrintUsAscii(byte: number): boolean {
  return byte >= 33 && byte <= 126
}

function isNameByte(byte: number): boolean {
  return isPrintUsAscii(byte) && byte !== 0x3d && byte !== 0x5d && byte !== 0x22
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch (error) {
    throw new AtnaError('E_SYSLOG_MALFORMED', 'text marked as UTF-8 is not UTF-8', { cause: error })
  }
}

function malformed(message: string): AtnaError {
  return new AtnaError('E_SYSLOG_MALFORMED', message)
}

function invalidField(message: string): AtnaError {
  return new AtnaError('E_SYSLOG_FIELD_INVALID', message)
}
