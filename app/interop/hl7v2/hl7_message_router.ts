import { Hl7Message } from '@medplum/core'
import type { AckCode } from '#interop/hl7v2/ack_builder'
import { ADT_EVENTS, mapAdt, type AdtEvent } from '#interop/hl7v2/adt_mapper'
import { hasErrors, issue, type Hl7Issue, type Hl7MappingResult } from '#interop/hl7v2/hl7_issue'
import { trimControl } from '#interop/hl7v2/hl7_values'
import { mapOru } from '#interop/hl7v2/oru_mapper'
import { parseQbpQ22, type PdqQuery } from '#interop/hl7v2/qbp_query'
import { mapVxu } from '#interop/hl7v2/vxu_mapper'

/** MSH-12 versions accepted: the 2.5.1 IGs' messages and the older ones they are compatible with. */
export const SUPPORTED_VERSIONS = ['2.3', '2.3.1', '2.4', '2.5', '2.5.1'] as const

/** The outcome of routing one message: what to store, or why the message is refused. */
export type RoutedMessage =
  | { kind: 'rejected'; message?: Hl7Message; ackCode: 'AR'; issues: Hl7Issue[] }
  | {
      kind: 'mapped'
      message: Hl7Message
      messageType: string
      ackCode: AckCode
      result: Hl7MappingResult
    }
  | {
      kind: 'query'
      message: Hl7Message
      messageType: 'QBP^Q22'
      ackCode: AckCode
      query: PdqQuery
      issues: Hl7Issue[]
    }

const MSH = (field: number, component?: number) => ({
  segment: 'MSH',
  sequence: 1,
  field,
  ...(component ? { component } : {}),
})

/**
 * Parses a message, checks its header (MSH-9 type and trigger, MSH-10, MSH-12 version) and
 * hands it to the mapper of its type. Rejections carry AR and the table 0357 condition; a
 * mapped message carries AE when a mapper found an error, AA otherwise (before rules run).
 * @see HL7 v2.5.1 chapter 2, section 2.9.2 (original acknowledgment rules)
 */
export function routeMessage(text: string): RoutedMessage {
  const trimmed = trimControl(text)
  let message: Hl7Message
  try {
    message = Hl7Message.parse(trimmed)
  } catch {
    return reject(
      undefined,
      issue('E', '100', { segment: 'MSH' }, 'The message does not start with an MSH segment')
    )
  }
  const msh = message.header
  const encoding = msh.getField(2).toString()
  if (encoding.length < 4 || new Set(encoding + msh.getField(1).toString()).size < 5) {
    return reject(
      message,
      issue('E', '102', MSH(2), 'MSH-1/MSH-2 do not hold five distinct delimiters')
    )
  }
  if (!msh.getComponent(10, 1)) {
    return reject(message, issue('E', '101', MSH(10), 'MSH-10 message control id is missing'))
  }
  const version = msh.getComponent(12, 1)
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    return reject(message, issue('E', '203', MSH(12), `HL7 version '${version}' is not supported`))
  }
  const type = msh.getComponent(9, 1)
  const trigger = msh.getComponent(9, 2)
  const messageType = `${type}^${trigger}`
  if (!type) return reject(message, issue('E', '101', MSH(9, 1), 'MSH-9 message type is missing'))
  switch (type) {
    case 'ADT':
      if (trigger === 'A40') {
        return reject(
          message,
          issue('E', '201', MSH(9, 2), 'unsupported: merge (ADT^A40) is not supported')
        )
      }
      if (!(ADT_EVENTS as readonly string[]).includes(trigger)) {
        return reject(
          message,
          issue('E', '201', MSH(9, 2), `ADT event '${trigger}' is not supported`)
        )
      }
      return mapped(message, messageType, mapAdt(message, trigger as AdtEvent))
    case 'VXU':
      if (trigger !== 'V04') {
        return reject(
          message,
          issue('E', '201', MSH(9, 2), `VXU event '${trigger}' is not supported`)
        )
      }
      return mapped(message, messageType, mapVxu(message))
    case 'ORU':
      if (trigger !== 'R01') {
        return reject(
          message,
          issue('E', '201', MSH(9, 2), `ORU event '${trigger}' is not supported`)
        )
      }
      return mapped(message, messageType, mapOru(message))
    case 'QBP': {
      if (trigger !== 'Q22') {
        return reject(
          message,
          issue('E', '201', MSH(9, 2), `QBP query '${trigger}' is not supported`)
        )
      }
      const parsed = parseQbpQ22(message)
      if (!parsed.query) return { kind: 'rejected', message, ackCode: 'AR', issues: parsed.issues }
      return {
        kind: 'query',
        message,
        messageType: 'QBP^Q22',
        ackCode: hasErrors(parsed.issues) ? 'AE' : 'AA',
        query: parsed.query,
        issues: parsed.issues,
      }
    }
    default:
      return reject(
        message,
        issue('E', '200', MSH(9, 1), `Message type '${type}' is not supported`)
      )
  }
}

function reject(message: Hl7Message | undefined, found: Hl7Issue): RoutedMessage {
  return message
    ? { kind: 'rejected', message, ackCode: 'AR', issues: [found] }
    : { kind: 'rejected', ackCode: 'AR', issues: [found] }
}

function mapped(message: Hl7Message, messageType: string, result: Hl7MappingResult): RoutedMessage {
  return {
    kind: 'mapped',
    message,
    messageType,
    ackCode: hasErrors(result.issues) ? 'AE' : 'AA',
    result,
  }
}
