import type { Resource } from '@medplum/fhirtypes'

/**
 * HL7 table 0357 (message error condition codes) used in ERR-3.
 * @see HL7 v2.5.1 chapter 2, table 0357
 */
export const HL7_ERROR_CONDITIONS = {
  '0': 'Message accepted',
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
} as const

export type Hl7ErrorCondition = keyof typeof HL7_ERROR_CONDITIONS

/** ERR-4 severity (HL7 table 0516): error, warning, information. */
export type Hl7Severity = 'E' | 'W' | 'I'

/** ERR-2 error location: segment id, its 1-based occurrence, field and component. */
export interface Hl7Location {
  segment: string
  sequence?: number
  field?: number
  component?: number
}

/** One finding about a message, ready to become an ERR segment. */
export interface Hl7Issue {
  severity: Hl7Severity
  code: Hl7ErrorCondition
  location?: Hl7Location
  message: string
}

/** A resource the message asks to remove (RXA-21 = D). */
export interface Hl7DeleteInstruction {
  resourceType: Resource['resourceType']
  id: string
}

/**
 * What a mapper makes of a message: the resources to write (ids stable across re-sends), the
 * deletions asked for, and the issues found. Mappers never throw on bad input.
 */
export interface Hl7MappingResult {
  resources: Resource[]
  deletes: Hl7DeleteInstruction[]
  issues: Hl7Issue[]
}

export function issue(
  severity: Hl7Severity,
  code: Hl7ErrorCondition,
  location: Hl7Location | undefined,
  message: string
): Hl7Issue {
  return location ? { severity, code, location, message } : { severity, code, message }
}

/** True when an issue makes the message an application error (AE) rather than accepted. */
export function hasErrors(issues: Hl7Issue[]): boolean {
  return issues.some((found) => found.severity === 'E')
}
