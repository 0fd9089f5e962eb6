import type {
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  CodeableConcept,
  Coding,
} from '@medplum/fhirtypes'
import {
  AUDIT_EVENT_KINDS,
  AUDIT_SOURCE_TYPES,
  DCM,
  OBJECT_ID_TYPES,
  PARTICIPANT_OBJECT_ROLES,
  PARTICIPANT_OBJECT_TYPES,
  type ActiveParticipant,
  type AuditCode,
  type AuditEventDefinition,
  type AuditRecord,
  type ParticipantObject,
  networkAccessPointType,
  sameAuditCode,
} from '#interop/atna/audit_record'

/** FHIR system URIs of the DICOM and RFC 3881 code sets an AuditMessage uses. */
export const AUDIT_CODE_SYSTEMS = {
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
} as const

/**
 * The record as a FHIR R4 AuditEvent, field for field as the DICOM mapping of the
 * resource says: EventID → type, EventTypeCode → subtype, UserID → agent.who.identifier,
 * AuditSourceID → source.observer, ParticipantObjectQuery → entity.query (base64). Patients
 * and resource references become `entity.what.reference`.
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @see https://hl7.org/fhir/R4/auditevent-mappings.html#dicom
 */
export function toFhirAuditEvent(record: AuditRecord): AuditEvent {
  const definition: AuditEventDefinition = AUDIT_EVENT_KINDS[record.kind]
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: record.id,
    type: coding(definition.eventId),
    action: record.action,
    recorded: record.recordedAt.toISOString(),
    outcome: String(record.outcome) as AuditEvent['outcome'],
    agent: record.activeParticipants.map(agent),
    source: {
      observer: { identifier: { value: record.source.auditSourceId } },
    },
  }
  if (definition.eventTypeCodes.length > 0) {
    event.subtype = definition.eventTypeCodes.map(coding)
  }
  if (record.description !== undefined) {
    event.outcomeDesc = record.description
  }
  if (record.source.enterpriseSiteId !== undefined) {
    event.source.site = record.source.enterpriseSiteId
  }
  if (record.source.typeCode !== undefined) {
    event.source.type = [
      {
        system: AUDIT_CODE_SYSTEMS.sourceType,
        code: String(record.source.typeCode),
        display: AUDIT_SOURCE_TYPES[record.source.typeCode],
      },
    ]
  }
  if (record.participantObjects.length > 0) {
    event.entity = record.participantObjects.map(entity)
  }
  return event
}

function agent(participant: ActiveParticipant): AuditEventAgent {
  const result: AuditEventAgent = {
    who: { identifier: { value: participant.userId } },
    requestor: participant.isRequestor,
  }
  if (participant.userName !== undefined) {
    result.name = participant.userName
  }
  if (participant.roles?.length) {
    result.role = participant.roles.map(concept)
  }
  const address = participant.networkAccessPoint
  if (address !== undefined) {
    result.network = { address, type: networkAccessPointType(address) }
  }
  return result
}

function entity(object: ParticipantObject): AuditEventEntity {
  const result: AuditEventEntity = { what: what(object) }
  if (object.typeCode !== undefined) {
    result.type = {
      system: AUDIT_CODE_SYSTEMS.entityType,
      code: String(object.typeCode),
      display: PARTICIPANT_OBJECT_TYPES[object.typeCode],
    }
  }
  if (object.roleCode !== undefined) {
    result.role = {
      system: AUDIT_CODE_SYSTEMS.objectRole,
      code: String(object.roleCode),
      display: PARTICIPANT_OBJECT_ROLES[object.roleCode],
    }
  }
  if (object.name !== undefined) {
    result.name = object.name
  }
  if (object.query !== undefined) {
    result.query = Buffer.from(object.query, 'utf8').toString('base64')
  }
  return result
}

/** A patient by logical id and a URI are references; anything else is an identifier. */
function what(object: ParticipantObject): AuditEventEntity['what'] {
  if (object.roleCode === 1 && sameAuditCode(object.idType, OBJECT_ID_TYPES.patientNumber)) {
    return { reference: `Patient/${object.id}` }
  }
  if (sameAuditCode(object.idType, OBJECT_ID_TYPES.uri)) {
    return { reference: object.id }
  }
  return { identifier: { value: object.id } }
}

function coding(code: AuditCode): Coding {
  return {
    system: code.system === DCM ? AUDIT_CODE_SYSTEMS.dicom : code.system,
    code: code.code,
    display: code.display,
  }
}

function concept(code: AuditCode): CodeableConcept {
  return { coding: [coding(code)], text: code.display }
}
