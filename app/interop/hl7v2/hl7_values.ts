import type { Hl7Context, Hl7Segment } from '@medplum/core'

const DEFAULT_DELIMITERS = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
}

/** The delimiters of a message (MSH-1 and MSH-2), standard ones when no context is known. */
export interface Hl7Delimiters {
  field: string
  component: string
  repetition: string
  escape: string
  subcomponent: string
}

export function delimitersOf(context?: Hl7Context): Hl7Delimiters {
  if (!context) return DEFAULT_DELIMITERS
  return {
    field: context.fieldSeparator,
    component: context.componentSeparator,
    repetition: context.repetitionSeparator,
    escape: context.escapeCharacter,
    subcomponent: context.subcomponentSeparator,
  }
}

/**
 * Escapes text for an ST/TX field so that no delimiter can split it.
 * @see HL7 v2.5.1 chapter 2, section 2.7 "Use of escape sequences in text fields"
 */
export function escapeHl7(text: string, delimiters: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  const { escape: e } = delimiters
  const replacements = new Map([
    [delimiters.escape, `${e}E${e}`],
    [delimiters.field, `${e}F${e}`],
    [delimiters.component, `${e}S${e}`],
    [delimiters.subcomponent, `${e}T${e}`],
    [delimiters.repetition, `${e}R${e}`],
  ])
  let out = ''
  for (const char of text) {
    if (char === '\r' || char === '\n') out += ' '
    else out += replacements.get(char) ?? char
  }
  return out
}

/**
 * Resolves the escape sequences of a received value: delimiters, hexadecimal data (`\Xhh\`)
 * and formatting commands (`\.br\` becomes a line break, highlighting is dropped).
 * @see HL7 v2.5.1 chapter 2, section 2.7
 */
export function unescapeHl7(text: string, delimiters: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  const e = delimiters.escape
  if (!e || !text.includes(e)) return text
  let out = ''
  let index = 0
  while (index < text.length) {
    const start = text.indexOf(e, index)
    if (start < 0) break
    const end = text.indexOf(e, start + 1)
    if (end < 0) break
    out += text.slice(index, start)
    out += resolveEscape(text.slice(start + 1, end), delimiters)
    index = end + 1
  }
  return out + text.slice(index)
}

function resolveEscape(sequence: string, delimiters: Hl7Delimiters): string {
  switch (sequence) {
    case 'F':
      return delimiters.field
    case 'S':
      return delimiters.component
    case 'T':
      return delimiters.subcomponent
    case 'R':
      return delimiters.repetition
    case 'E':
      return delimiters.escape
    case '.br':
      return '\n'
  }
  if (/^X([0-9A-Fa-f]{2})+$/.test(sequence)) {
    return Buffer.from(sequence.slice(1), 'hex').toString('latin1')
  }
  return ''
}

/** Number of repetitions of a field (0 when the field is absent or empty). */
export function repetitionCount(segment: Hl7Segment, field: number): number {
  const value = segment.getField(field) as ReturnType<Hl7Segment['getField']> | undefined
  if (!value || value.toString() === '') return 0
  return value.components.length
}

/**
 * One component (1-based) of one repetition (0-based) of a field, unescaped and trimmed;
 * `subcomponent` is 1-based like the spec's `PID-3.4.2`.
 */
export function valueAt(
  segment: Hl7Segment,
  field: number,
  component = 1,
  repetition = 0,
  subcomponent?: number
): string {
  const value = segment.getField(field) as ReturnType<Hl7Segment['getField']> | undefined
  if (!value || repetition >= value.components.length) return ''
  const raw = value.getComponent(
    component,
    subcomponent === undefined ? undefined : subcomponent - 1,
    repetition
  )
  return unescapeHl7(raw, delimitersOf(segment.context)).trim()
}

/** A timestamp converted to FHIR, with the precision the sender gave. */
export type Hl7TimeResult =
  | { ok: true; value: string; precision: 'year' | 'month' | 'day' | 'time' }
  | { ok: false; reason: string }

const TS_PATTERN =
  /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,4}))?)?([+-]\d{4})?$/

/**
 * Converts a DTM/TS value (`YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`) to a FHIR
 * `dateTime`, keeping its precision. FHIR needs a zone once a time is given: the value's own
 * offset wins, then `defaultOffset` (the one of MSH-7); with neither the time is dropped and
 * the day kept, rather than guessing a zone.
 * @see HL7 v2.5.1 chapter 2A, section 2.A.22 DTM; https://hl7.org/fhir/R4/datatypes.html#dateTime
 */
export function hl7TimeToFhir(text: string, defaultOffset?: string): Hl7TimeResult {
  const match = TS_PATTERN.exec(text.trim())
  if (!match) return { ok: false, reason: `'${text}' is not an HL7 timestamp` }
  const [, year, month, day, hour, minute, second, fraction, offset] = match
  if (month && (Number(month) < 1 || Number(month) > 12)) {
    return { ok: false, reason: `'${text}' has month ${month}` }
  }
  if (day && (Number(day) < 1 || Number(day) > daysInMonth(Number(year), Number(month)))) {
    return { ok: false, reason: `'${text}' has day ${day}` }
  }
  if (
    (hour && Number(hour) > 23) ||
    (minute && Number(minute) > 59) ||
    (second && Number(second) > 59)
  ) {
    return { ok: false, reason: `'${text}' has an invalid time of day` }
  }
  if (offset && (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(3)) > 59)) {
    return { ok: false, reason: `'${text}' has an invalid time zone offset` }
  }
  if (!month) return { ok: true, value: year, precision: 'year' }
  if (!day) return { ok: true, value: `${year}-${month}`, precision: 'month' }
  const date = `${year}-${month}-${day}`
  const zone = offset ?? defaultOffset
  if (!hour || !zone) return { ok: true, value: date, precision: 'day' }
  const fractionText = fraction ? `.${fraction}` : ''
  const time = `${hour}:${minute ?? '00'}:${second ?? '00'}${fractionText}`
  return { ok: true, value: `${date}T${time}${formatOffset(zone)}`, precision: 'time' }
}

/** A DT value (or the date part of a DTM) as a FHIR `date`. */
export function hl7DateToFhir(text: string): Hl7TimeResult {
  const result = hl7TimeToFhir(text)
  if (!result.ok) return result
  return result.precision === 'time'
    ? { ...result, value: result.value.slice(0, 10), precision: 'day' }
    : result
}

/** The `+/-ZZZZ` offset at the end of a timestamp such as MSH-7, if it has one. */
export function offsetOf(text: string): string | undefined {
  return TS_PATTERN.exec(text.trim())?.[8]
}

/** The current time as an HL7 DTM with a UTC offset, for MSH-7 of what we send. */
export function hl7Now(now = new Date()): string {
  const iso = now.toISOString()
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}+0000`
}

/** A FHIR date or dateTime as an HL7 DTM (the date part only for dates). */
export function fhirDateToHl7(value: string): string {
  return value.slice(0, 10).replaceAll('-', '')
}

function formatOffset(offset: string): string {
  return offset === '+0000' || offset === '-0000' ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(3)}`
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/**
 * Trims every character up to U+0020 at both ends: spaces, CR/LF, and the MLLP start (VT)
 * and end (FS) bytes a caller may have left around a message.
 */
export function trimControl(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && text.charCodeAt(start) <= 0x20) start++
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--
  return text.slice(start, end)
}
