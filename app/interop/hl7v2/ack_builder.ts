import { randomBytes } from 'node:crypto'
import type { Hl7Message } from '@medplum/core'
import {
  HL7_ERROR_CONDITIONS,
  type Hl7ErrorCondition,
  type Hl7Issue,
} from '#interop/hl7v2/hl7_issue'
import {
  delimitersOf,
  escapeHl7,
  hl7Now,
  trimControl,
  type Hl7Delimiters,
} from '#interop/hl7v2/hl7_values'

export type AckCode = 'AA' | 'AE' | 'AR'

export interface AckOutcome {
  code: AckCode
  errors?: Hl7Issue[]
}

/** A new MSH-10: time-ordered, random, and within the 20 characters older receivers allow. */
export function newControlId(): string {
  return `A${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.toUpperCase()
}

/**
 * Builds the acknowledgement of a message: MSH with sender and receiver swapped, a new MSH-10,
 * MSH-9 `ACK^<trigger>^ACK`, MSA echoing MSH-10 in MSA-2, and one ERR per issue.
 * @see HL7 v2.5.1 chapter 2, sections 2.9 (acknowledgment), 2.15.5 (ERR), 2.15.8 (MSA)
 */
export function buildAck(message: Hl7Message, outcome: AckOutcome): string {
  const msh = message.header
  const delimiters = delimitersOf(message.context)
  const field = (index: number) => msh.getField(index)?.toString() ?? ''
  return renderAck(delimiters, {
    sendingApplication: field(5),
    sendingFacility: field(6),
    receivingApplication: field(3),
    receivingFacility: field(4),
    trigger: msh.getComponent(9, 2),
    processingId: field(11),
    controlId: field(10),
    outcome,
  })
}

/**
 * An AR for text in which no usable MSH could be parsed: whatever MSH fields can be read are
 * echoed, the rest left empty, and one ERR says why.
 */
export function buildRejection(
  rawText: string,
  reason: Pick<Hl7Issue, 'code' | 'message' | 'location'> = {
    code: '100',
    location: { segment: 'MSH' },
    message: 'No MSH segment could be parsed',
  }
): string {
  const readable = readHeader(rawText)
  const delimiters = readable.delimiters
  return renderAck(delimiters, {
    sendingApplication: readable.fields[5] ?? '',
    sendingFacility: readable.fields[6] ?? '',
    receivingApplication: readable.fields[3] ?? '',
    receivingFacility: readable.fields[4] ?? '',
    trigger: (readable.fields[9] ?? '').split(delimiters.component)[1] ?? '',
    processingId: readable.fields[11] ?? '',
    controlId: readable.fields[10] ?? '',
    outcome: { code: 'AR', errors: [{ severity: 'E', ...reason }] },
  })
}

interface AckParts {
  sendingApplication: string
  sendingFacility: string
  receivingApplication: string
  receivingFacility: string
  trigger: string
  processingId: string
  controlId: string
  outcome: AckOutcome
}

function renderAck(delimiters: Hl7Delimiters, parts: AckParts): string {
  const { field: f, component: c } = delimiters
  const encoding = `${delimiters.component}${delimiters.repetition}${delimiters.escape}${delimiters.subcomponent}`
  const messageType = parts.trigger ? `ACK${c}${parts.trigger}${c}ACK` : 'ACK'
  const msh = [
    'MSH',
    encoding,
    parts.sendingApplication,
    parts.sendingFacility,
    parts.receivingApplication,
    parts.receivingFacility,
    hl7Now(),
    '',
    messageType,
    newControlId(),
    parts.processingId || 'P',
    '2.5.1',
  ].join(f)
  const msa = ['MSA', parts.outcome.code, parts.controlId].join(f)
  const errs = (parts.outcome.errors ?? []).map((found) => errSegment(found, delimiters))
  return [msh, msa, ...errs].join('\r') + '\r'
}

/** ERR-2 location, ERR-3 `code^text^HL70357`, ERR-4 severity, ERR-8 user message. */
function errSegment(found: Hl7Issue, delimiters: Hl7Delimiters): string {
  const { field: f, component: c } = delimiters
  const location = found.location
    ? [
        found.location.segment,
        found.location.sequence ?? '',
        found.location.field ?? '',
        found.location.component ?? '',
      ]
        .join(c)
        .replace(new RegExp(`\\${c}+$`), '')
    : ''
  const code = found.code as Hl7ErrorCondition
  const condition = [code, HL7_ERROR_CONDITIONS[code] ?? '', 'HL70357'].join(c)
  return [
    'ERR',
    '',
    location,
    condition,
    found.severity,
    '',
    '',
    '',
    escapeHl7(found.message, delimiters),
  ].join(f)
}

/** Reads MSH fields from raw text as far as its delimiters can be trusted. */
function readHeader(rawText: string): { delimiters: Hl7Delimiters; fields: string[] } {
  const fallback = delimitersOf()
  const firstLine = trimControl(rawText).split(/[\r\n]/)[0] ?? ''
  if (!firstLine.startsWith('MSH') || firstLine.length < 8)
    return { delimiters: fallback, fields: [] }
  const candidate = {
    field: firstLine[3],
    component: firstLine[4],
    repetition: firstLine[5],
    escape: firstLine[6],
    subcomponent: firstLine[7],
  }
  const distinct = new Set(Object.values(candidate))
  if (distinct.size !== 5 || [...distinct].some((char) => /[\w\s]/.test(char))) {
    return { delimiters: fallback, fields: [] }
  }
  const split = firstLine.split(candidate.field)
  // MSH-1 is the separator itself, so field n of MSH sits at split index n - 1.
  const fields = ['', candidate.field, ...split.slice(1)]
  return {
    delimiters: candidate,
    fields: fields.map((value) => (value.length > 199 ? '' : value)),
  }
}
