import { createHash } from 'node:crypto'
import { AtnaError } from '#interop/atna/atna_error'
import {
  AUDIT_EVENT_KINDS,
  OBJECT_ID_TYPES,
  type ActiveParticipant,
  type AuditAction,
  type AuditCode,
  type AuditEventDefinition,
  type AuditEventKind,
  type AuditRecord,
  type ParticipantObject,
  networkAccessPointType,
  sameAuditCode,
} from '#interop/atna/audit_record'
import { readAuditMessage, type AuditMessageContent } from '#interop/atna/audit_message_reader'
import { escapeAttribute, escapeText } from '#interop/atna/xml_text'

export { readAuditMessage, type AuditMessageContent }

/**
 * Writes a record as a DICOM `AuditMessage`, in the element order of the schema. The
 * record id travels as a participant object of ID type `audit-record` (DICOM messages
 * have no identifier of their own); the description is the EventOutcomeDescription.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1
 */
export function toAuditMessageXml(record: AuditRecord): string {
  const definition: AuditEventDefinition | undefined = AUDIT_EVENT_KINDS[record.kind]
  if (!definition) {
    throw invalidRecord(`"${record.kind}" is not an audit event kind`)
  }
  if (record.action !== definition.action) {
    throw invalidRecord(`a ${record.kind} event is recorded with action ${definition.action}`)
  }
  if (Number.isNaN(record.recordedAt.getTime())) {
    throw invalidRecord('recordedAt is not a valid date')
  }
  if (record.activeParticipants.length === 0) {
    throw invalidRecord('an audit message names at least one active participant')
  }

  const identification = element(
    'EventIdentification',
    {
      EventActionCode: record.action,
      EventDateTime: record.recordedAt.toISOString(),
      EventOutcomeIndicator: String(record.outcome),
    },
    [
      coded('EventID', definition.eventId),
      ...definition.eventTypeCodes.map((code) => coded('EventTypeCode', code)),
      record.description === undefined
        ? ''
        : `<EventOutcomeDescription>${escapeText(record.description)}</EventOutcomeDescription>`,
    ]
  )
  const source = element(
    'AuditSourceIdentification',
    {
      AuditEnterpriseSiteID: record.source.enterpriseSiteId,
      AuditSourceID: record.source.auditSourceId,
    },
    record.source.typeCode === undefined
      ? []
      : [element('AuditSourceTypeCode', { 'csd-code': String(record.source.typeCode) })]
  )
  const recordObject: ParticipantObject = {
    id: record.id,
    idType: OBJECT_ID_TYPES.auditRecord,
  }

  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    element('AuditMessage', {}, [
      identification,
      ...record.activeParticipants.map(activeParticipant),
      source,
      ...record.participantObjects.map(participantObject),
      participantObject(recordObject),
    ])
  )
}

/**
 * Reads an AuditMessage back into a record. A message without our record id (sent by
 * another system) gets a name-based UUID of its text, so the same message read twice gets
 * the same id.
 * @throws AtnaError E_AUDIT_MESSAGE_INVALID when the XML is not an AuditMessage,
 *   E_AUDIT_EVENT_UNKNOWN when it audits an event that is none of our kinds.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5
 */
export function parseAuditMessageXml(xml: string): AuditRecord {
  const content = readAuditMessage(xml)
  const kind = auditEventKindOf(content.eventId, content.eventTypeCodes, content.action)
  if (!kind) {
    throw new AtnaError(
      'E_AUDIT_EVENT_UNKNOWN',
      `EventID ${content.eventId.code} (${content.eventId.display}) with type codes ` +
        `[${content.eventTypeCodes.map((code) => code.code).join(', ')}] is not an event we record`
    )
  }
  const recordObjects = content.participantObjects.filter(isRecordObject)
  if (recordObjects.length > 1) {
    throw new AtnaError('E_AUDIT_MESSAGE_INVALID', 'the message carries two audit record ids')
  }
  const record: AuditRecord = {
    id: recordObjects[0]?.id ?? nameBasedUuid(xml),
    kind,
    action: AUDIT_EVENT_KINDS[kind].action,
    outcome: content.outcome,
    recordedAt: content.recordedAt,
    activeParticipants: content.activeParticipants,
    source: content.source,
    participantObjects: content.participantObjects.filter((object) => !isRecordObject(object)),
  }
  if (content.description !== undefined) {
    record.description = content.description
  }
  return record
}

/**
 * The kind an EventID and its type codes stand for: the most specific kind of that
 * EventID (and action, when the message has one) whose type codes the message carries
 * all of. Type codes we do not know, such as IHE transaction codes, are ignored.
 */
export function auditEventKindOf(
  eventId: AuditCode,
  eventTypeCodes: readonly AuditCode[],
  action?: AuditAction
): AuditEventKind | undefined {
  const candidates = (Object.keys(AUDIT_EVENT_KINDS) as AuditEventKind[])
    .map((kind) => ({ kind, definition: AUDIT_EVENT_KINDS[kind] as AuditEventDefinition }))
    .filter(
      ({ definition }) =>
        sameAuditCode(definition.eventId, eventId) &&
        (action === undefined || definition.action === action) &&
        definition.eventTypeCodes.every((code) =>
          eventTypeCodes.some((c) => sameAuditCode(c, code))
        )
    )
    .sort((a, b) => b.definition.eventTypeCodes.length - a.definition.eventTypeCodes.length)
  const [best, next] = candidates
  if (!best || best.definition.eventTypeCodes.length === next?.definition.eventTypeCodes.length) {
    return undefined
  }
  return best.kind
}

function activeParticipant(participant: ActiveParticipant): string {
  const access = participant.networkAccessPoint
  return element(
    'ActiveParticipant',
    {
      UserID: participant.userId,
      UserName: participant.userName,
      UserIsRequestor: String(participant.isRequestor),
      NetworkAccessPointID: access,
      NetworkAccessPointTypeCode: access === undefined ? undefined : networkAccessPointType(access),
    },
    (participant.roles ?? []).map((role) => coded('RoleIDCode', role))
  )
}

function participantObject(object: ParticipantObject): string {
  if (object.name !== undefined && object.query !== undefined) {
    throw invalidRecord(`participant object ${object.id} has both a name and a query`)
  }
  const query =
    object.query === undefined ? '' : Buffer.from(object.query, 'utf8').toString('base64')
  return element(
    'ParticipantObjectIdentification',
    {
      ParticipantObjectID: object.id,
      ParticipantObjectTypeCode: optionalString(object.typeCode),
      ParticipantObjectTypeCodeRole: optionalString(object.roleCode),
    },
    [
      coded('ParticipantObjectIDTypeCode', object.idType),
      object.name === undefined
        ? ''
        : `<ParticipantObjectName>${escapeText(object.name)}</ParticipantObjectName>`,
      object.query === undefined ? '' : `<ParticipantObjectQuery>${query}</ParticipantObjectQuery>`,
    ]
  )
}

function coded(name: string, code: AuditCode): string {
  return element(name, {
    'csd-code': code.code,
    'codeSystemName': code.system,
    'originalText': code.display,
  })
}

function element(
  name: string,
  attributes: Record<string, string | undefined>,
  children: readonly string[] = []
): string {
  const written = Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`)
    .join('')
  const content = children.join('')
  return content === '' ? `<${name}${written}/>` : `<${name}${written}>${content}</${name}>`
}

function optionalString(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value)
}

function isRecordObject(object: ParticipantObject): boolean {
  return sameAuditCode(object.idType, OBJECT_ID_TYPES.auditRecord)
}

/**
 * A version 8 (name-based, SHA-256) UUID of the message text.
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.8
 */
function nameBasedUuid(text: string): string {
  const bytes = createHash('sha256').update(text, 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6] & 0x0f) | 0x80
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function invalidRecord(message: string): AtnaError {
  return new AtnaError('E_AUDIT_RECORD_INVALID', message)
}
