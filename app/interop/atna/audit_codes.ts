import { isIP } from 'node:net'

/**
 * A coded value as DICOM audit messages carry it: `csd-code`, `codeSystemName` and
 * `originalText` (the DICOM Code Meaning, required by the schema).
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1
 */
export interface AuditCode {
  code: string
  system: string
  display: string
}

/** DICOM's own code system name for audit codes (PS3.16 DCM). */
export const DCM = 'DCM'

/** The RFC 3881 code system name IHE uses for participant object ID types. */
export const RFC_3881 = 'RFC-3881'

/** Our code system for event types DICOM does not define. */
export const OUTPOST_AUDIT = 'urn:outpost:audit'

/** Two codes are the same when code and system match; the display is only a label. */
export function sameAuditCode(a: AuditCode, b: AuditCode): boolean {
  return a.code === b.code && a.system === b.system
}

/**
 * EventActionCode: what was done to the objects of the event.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1
 */
export const AUDIT_ACTIONS = {
  C: 'Create',
  R: 'Read',
  U: 'Update',
  D: 'Delete',
  E: 'Execute',
} as const

export type AuditAction = keyof typeof AUDIT_ACTIONS

/**
 * EventOutcomeIndicator. A lockout is a serious failure (8): the attempt was ended after
 * too many retries.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1
 */
export const AUDIT_OUTCOMES = {
  0: 'Success',
  4: 'Minor failure',
  8: 'Serious failure',
  12: 'Major failure',
} as const

export type AuditOutcome = keyof typeof AUDIT_OUTCOMES

/**
 * AuditSourceTypeCode: what kind of system reports the event.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1.2.1
 */
export const AUDIT_SOURCE_TYPES = {
  1: 'End-user display device, diagnostic display',
  2: 'Data acquisition device or instrument',
  3: 'Web server process',
  4: 'Application server process',
  5: 'Database server process',
  6: 'Security server',
  7: 'ISO level 1-3 network component',
  8: 'ISO level 4-6 operating software',
  9: 'External source, other or unknown type',
} as const

export type AuditSourceType = keyof typeof AUDIT_SOURCE_TYPES

/**
 * ParticipantObjectTypeCode.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1
 */
export const PARTICIPANT_OBJECT_TYPES = {
  1: 'Person',
  2: 'System Object',
  3: 'Organization',
  4: 'Other',
} as const

export type ParticipantObjectType = keyof typeof PARTICIPANT_OBJECT_TYPES

/**
 * ParticipantObjectTypeCodeRole.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1.2.2
 */
export const PARTICIPANT_OBJECT_ROLES = {
  1: 'Patient',
  2: 'Location',
  3: 'Report',
  4: 'Resource',
  5: 'Master file',
  6: 'User',
  7: 'List',
  8: 'Doctor',
  9: 'Subscriber',
  10: 'Guarantor',
  11: 'Security User Entity',
  12: 'Security User Group',
  13: 'Security Resource',
  14: 'Security Granularity Definition',
  15: 'Provider',
  16: 'Data Destination',
  17: 'Data Archive',
  18: 'Schedule',
  19: 'Customer',
  20: 'Job',
  21: 'Job Stream',
  22: 'Table',
  23: 'Routing Criteria',
  24: 'Query',
  25: 'Data Source',
  26: 'Processing Element',
} as const

export type ParticipantObjectRole = keyof typeof PARTICIPANT_OBJECT_ROLES

/**
 * NetworkAccessPointTypeCode of an address: 2 for an IP address, 5 for a URI, 1 for a
 * machine name.
 * @see https://dicom.nema.org/medical/dicom/current/output/html/part15.html#sect_A.5.1
 */
export function networkAccessPointType(address: string): '1' | '2' | '5' {
  if (isIP(address) !== 0) {
    return '2'
  }
  return /^[a-z][a-z0-9+.-]*:/i.test(address) ? '5' : '1'
}
