import { randomUUID } from 'node:crypto'
import {
  DCM,
  OUTPOST_AUDIT,
  RFC_3881,
  type AuditAction,
  type AuditCode,
  type AuditOutcome,
  type AuditSourceType,
  type ParticipantObjectRole,
  type ParticipantObjectType,
} from '#interop/atna/audit_codes'

export * from '#interop/atna/audit_codes'

function dcm(code: string, display: string): AuditCode {
  return { code, system: DCM, display }
}

function outpost(code: string, display: string): AuditCode {
  return { code, system: OUTPOST_AUDIT, display }
}

/**
 * ParticipantObjectIDTypeCode values we write. `auditRecord` marks the object that carries
 * our record id: DICOM has no message identifier, and the id is what lets a repository
 * drop a message the spool sent twice.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.2
 */
export const OBJECT_ID_TYPES = {
  patientNumber: { code: '2', system: RFC_3881, display: 'Patient Number' },
  searchCriteria: { code: '10', system: RFC_3881, display: 'Search Criteria' },
  uri: { code: '12', system: RFC_3881, display: 'URI' },
  auditRecord: outpost('audit-record', 'Audit record identifier'),
} as const satisfies Record<string, AuditCode>

export interface AuditEventDefinition {
  /** EventID, from the DICOM audit event families (PS3.15 A.5.3). */
  eventId: AuditCode
  /** EventTypeCode(s) that tell this kind apart within its family. */
  eventTypeCodes: readonly AuditCode[]
  action: AuditAction
  /** The outcome when the caller gives none. */
  outcome: AuditOutcome
}

/**
 * The events Outpost audits and the DICOM codes each is written with.
 *
 * - Lockout is a User Authentication event marked Login + `lockout`: it is a login
 *   attempt the system refused for good, hence outcome 8 by default.
 * - Rule pack publish and install are Application Activity (110100): a pack changes what
 *   the application does. Import/Export (110107/110106) are for data crossing the
 *   boundary and Network Entry (110108) for nodes, so neither fits.
 * - Device enrolment is a Security Alert (110113) of type Security Configuration
 *   (110129): a new edge becomes a trusted node.
 * - A wrong shell secret is a Security Alert of type Node Authentication (110126): the
 *   shell process failed to prove it is the one that launched the core.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.3
 */
export const AUDIT_EVENT_KINDS = {
  'login': {
    eventId: dcm('110114', 'User Authentication'),
    eventTypeCodes: [dcm('110122', 'Login')],
    action: 'E',
    outcome: 0,
  },
  'logout': {
    eventId: dcm('110114', 'User Authentication'),
    eventTypeCodes: [dcm('110123', 'Logout')],
    action: 'E',
    outcome: 0,
  },
  'lockout': {
    eventId: dcm('110114', 'User Authentication'),
    eventTypeCodes: [dcm('110122', 'Login'), outpost('lockout', 'Account locked out')],
    action: 'E',
    outcome: 8,
  },
  'patient-record-create': patientRecord('C'),
  'patient-record-read': patientRecord('R'),
  'patient-record-update': patientRecord('U'),
  'patient-record-delete': patientRecord('D'),
  'query': { eventId: dcm('110112', 'Query'), eventTypeCodes: [], action: 'E', outcome: 0 },
  'export': { eventId: dcm('110106', 'Export'), eventTypeCodes: [], action: 'R', outcome: 0 },
  'pack-publish': {
    eventId: dcm('110100', 'Application Activity'),
    eventTypeCodes: [outpost('pack-publish', 'Rule pack published')],
    action: 'E',
    outcome: 0,
  },
  'pack-install': {
    eventId: dcm('110100', 'Application Activity'),
    eventTypeCodes: [outpost('pack-install', 'Rule pack installed')],
    action: 'E',
    outcome: 0,
  },
  'device-enrolment': {
    eventId: dcm('110113', 'Security Alert'),
    eventTypeCodes: [
      dcm('110129', 'Security Configuration'),
      outpost('device-enrolment', 'Device enrolled'),
    ],
    action: 'E',
    outcome: 0,
  },
  'shell-secret-failure': {
    eventId: dcm('110113', 'Security Alert'),
    eventTypeCodes: [
      dcm('110126', 'Node Authentication'),
      outpost('shell-secret-failure', 'Shell secret refused'),
    ],
    action: 'E',
    outcome: 4,
  },
} as const satisfies Record<string, AuditEventDefinition>

export type AuditEventKind = keyof typeof AUDIT_EVENT_KINDS

function patientRecord(action: 'C' | 'R' | 'U' | 'D') {
  return {
    eventId: dcm('110110', 'Patient Record'),
    eventTypeCodes: [],
    action,
    outcome: 0,
  } as const
}

export interface ActiveParticipant {
  userId: string
  userName?: string
  roles?: AuditCode[]
  isRequestor: boolean
  /** A host name, an IP address or a URI. */
  networkAccessPoint?: string
}

export interface AuditSource {
  auditSourceId: string
  enterpriseSiteId?: string
  typeCode?: AuditSourceType
}

export interface ParticipantObject {
  id: string
  typeCode?: ParticipantObjectType
  roleCode?: ParticipantObjectRole
  idType: AuditCode
  name?: string
  /** Query text; written base64-encoded in ParticipantObjectQuery. Excludes `name`. */
  query?: string
}

/** One audited event, independent of how it is written (DICOM XML, FHIR AuditEvent). */
export interface AuditRecord {
  id: string
  kind: AuditEventKind
  action: AuditAction
  outcome: AuditOutcome
  recordedAt: Date
  activeParticipants: ActiveParticipant[]
  source: AuditSource
  participantObjects: ParticipantObject[]
  description?: string
}

/**
 * A record of `kind` with a fresh id, the kind's action and default outcome, and the
 * current time unless the caller says otherwise.
 */
export function createAuditRecord(
  kind: AuditEventKind,
  fields: Pick<AuditRecord, 'activeParticipants' | 'source'> &
    Partial<Omit<AuditRecord, 'kind' | 'action'>>
): AuditRecord {
  const definition: AuditEventDefinition = AUDIT_EVENT_KINDS[kind]
  return {
    id: randomUUID(),
    outcome: definition.outcome,
    recordedAt: new Date(),
    participantObjects: [],
    ...fields,
    kind,
    action: definition.action,
  }
}

/** The patient whose record the event touched, by logical id. */
export function patientObject(patientId: string, name?: string): ParticipantObject {
  return {
    id: patientId,
    typeCode: 1,
    roleCode: 1,
    idType: OBJECT_ID_TYPES.patientNumber,
    ...(name === undefined ? {} : { name }),
  }
}

/** A resource the event touched, as a FHIR reference such as `Observation/42`. */
export function resourceObject(reference: string): ParticipantObject {
  return { id: reference, typeCode: 2, roleCode: 4, idType: OBJECT_ID_TYPES.uri }
}

/**
 * The query of a Query or Export event; `id` names what was searched (`Patient`).
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.3
 */
export function queryObject(id: string, query: string): ParticipantObject {
  return { id, typeCode: 2, roleCode: 24, idType: OBJECT_ID_TYPES.searchCriteria, query }
}
