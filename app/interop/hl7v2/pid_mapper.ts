import type { Hl7Message, Hl7Segment } from '@medplum/core'
import type { Address, ContactPoint, HumanName, Identifier, Patient } from '@medplum/fhirtypes'
import {
  addressUse,
  administrativeGender,
  identifierType,
  nameUse,
  telecomSystem,
  telecomUse,
} from '#interop/hl7v2/code_tables'
import { repetitions, stableId } from '#interop/hl7v2/hl7_datatypes'
import { issue, type Hl7Issue } from '#interop/hl7v2/hl7_issue'
import { hl7DateToFhir, valueAt } from '#interop/hl7v2/hl7_values'

const MOTHERS_MAIDEN_NAME = 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName'

/** Patient built from PID, or issues explaining why none could be. */
export interface PidMapping {
  patient?: Patient & { id: string }
  issues: Hl7Issue[]
}

/**
 * Maps the PID segment of a message to a Patient whose id derives from the medical record
 * number of PID-3 (or its first identifier), so that ADT, VXU and ORU about one person meet
 * on one resource.
 * @see HL7 v2.5.1 chapter 3, section 3.4.2 PID; https://hl7.org/fhir/R4/patient.html
 */
export function mapPid(message: Hl7Message): PidMapping {
  const pid = message.getSegment('PID')
  if (!pid) {
    return { issues: [issue('E', '100', { segment: 'PID' }, 'The message has no PID segment')] }
  }
  const issues: Hl7Issue[] = []
  const identifiers = pidIdentifiers(pid)
  const key = identifiers.find((found) => found.type?.coding?.[0]?.code === 'MR') ?? identifiers[0]
  if (!key?.value) {
    issues.push(
      issue(
        'E',
        '101',
        { segment: 'PID', sequence: 1, field: 3 },
        'PID-3 has no patient identifier'
      )
    )
    return { issues }
  }
  const patient: Patient & { id: string } = {
    resourceType: 'Patient',
    id: stableId('pat', key.system ?? '', key.value),
    identifier: identifiers,
  }
  const names = humanNames(pid, 5)
  if (names.length > 0) patient.name = names
  const maiden = valueAt(pid, 6, 1)
  if (maiden) patient.extension = [{ url: MOTHERS_MAIDEN_NAME, valueString: maiden }]

  const birth = valueAt(pid, 7, 1)
  if (birth) {
    const date = hl7DateToFhir(birth)
    if (date.ok) patient.birthDate = date.value
    else {
      issues.push(
        issue(
          'E',
          '102',
          { segment: 'PID', sequence: 1, field: 7 },
          `PID-7 birth date: ${date.reason}`
        )
      )
    }
  }
  const sex = valueAt(pid, 8, 1)
  if (sex) {
    const gender = administrativeGender(sex)
    if (gender) patient.gender = gender
    else {
      issues.push(
        issue(
          'W',
          '103',
          { segment: 'PID', sequence: 1, field: 8 },
          `PID-8 sex '${sex}' is not in table 0001`
        )
      )
    }
  }
  const addresses = pidAddresses(pid)
  if (addresses.length > 0) patient.address = addresses
  const telecom = [...contactPoints(pid, 13), ...contactPoints(pid, 14, 'work')]
  if (telecom.length > 0) patient.telecom = telecom
  const deceased = valueAt(pid, 30, 1)
  if (deceased === 'Y' || deceased === 'N') patient.deceasedBoolean = deceased === 'Y'
  return { patient, issues }
}

/** PID-3 (CX): value, assigning authority as system, identifier type from table 0203. */
export function pidIdentifiers(pid: Hl7Segment): Identifier[] {
  const identifiers: Identifier[] = []
  for (const repetition of repetitions(pid, 3)) {
    const value = valueAt(pid, 3, 1, repetition)
    if (!value) continue
    const namespace = valueAt(pid, 3, 4, repetition, 1)
    const universalId = valueAt(pid, 3, 4, repetition, 2)
    const universalType = valueAt(pid, 3, 4, repetition, 3)
    const typeCode = valueAt(pid, 3, 5, repetition)
    const system = authoritySystem(namespace, universalId, universalType)
    const coding = typeCode ? identifierType(typeCode) : undefined
    identifiers.push({
      ...(coding ? { type: { coding: [coding] } } : typeCode ? { type: { text: typeCode } } : {}),
      ...(system ? { system } : {}),
      value,
      ...(namespace ? { assigner: { display: namespace } } : {}),
    })
  }
  return identifiers
}

/** An HD assigning authority as a FHIR identifier system. */
export function authoritySystem(namespace: string, universalId: string, universalType: string) {
  if (universalId && universalType.toUpperCase() === 'ISO') return `urn:oid:${universalId}`
  if (universalId && /^[a-z][a-z0-9+.-]*:/i.test(universalId)) return universalId
  if (namespace) return `urn:outpost:hl7v2:assigner:${encodeURIComponent(namespace)}`
  return undefined
}

function humanNames(segment: Hl7Segment, field: number): HumanName[] {
  const names: HumanName[] = []
  for (const repetition of repetitions(segment, field)) {
    const family = valueAt(segment, field, 1, repetition, 1)
    const given = [valueAt(segment, field, 2, repetition), valueAt(segment, field, 3, repetition)]
    const suffix = valueAt(segment, field, 4, repetition)
    const prefix = valueAt(segment, field, 5, repetition)
    const use = nameUse(valueAt(segment, field, 7, repetition))
    const name: HumanName = {
      ...(use ? { use: use as HumanName['use'] } : {}),
      ...(family ? { family } : {}),
      ...(given.some(Boolean) ? { given: given.filter(Boolean) } : {}),
      ...(prefix ? { prefix: [prefix] } : {}),
      ...(suffix ? { suffix: [suffix] } : {}),
    }
    if (name.family || name.given) names.push(name)
  }
  return names
}

function pidAddresses(pid: Hl7Segment): Address[] {
  const addresses: Address[] = []
  for (const repetition of repetitions(pid, 11)) {
    const lines = [valueAt(pid, 11, 1, repetition, 1), valueAt(pid, 11, 2, repetition)].filter(
      Boolean
    )
    const city = valueAt(pid, 11, 3, repetition)
    const state = valueAt(pid, 11, 4, repetition)
    const postalCode = valueAt(pid, 11, 5, repetition)
    const country = valueAt(pid, 11, 6, repetition)
    const use = addressUse(valueAt(pid, 11, 7, repetition))
    const address: Address = {
      ...(use ? { use: use as Address['use'] } : {}),
      ...(lines.length > 0 ? { line: lines } : {}),
      ...(city ? { city } : {}),
      ...(state ? { state } : {}),
      ...(postalCode ? { postalCode } : {}),
      ...(country ? { country } : {}),
    }
    if (Object.keys(address).some((name) => name !== 'use')) addresses.push(address)
  }
  return addresses
}

/** XTN: the 2.5 components (use, equipment, email, area code, local number) or the old ST number. */
function contactPoints(segment: Hl7Segment, field: number, defaultUse?: string): ContactPoint[] {
  const points: ContactPoint[] = []
  for (const repetition of repetitions(segment, field)) {
    const equipment = telecomSystem(valueAt(segment, field, 3, repetition))
    const email = valueAt(segment, field, 4, repetition)
    const area = valueAt(segment, field, 6, repetition)
    const local = valueAt(segment, field, 7, repetition)
    const extension = valueAt(segment, field, 8, repetition)
    const number = local
      ? `${area ? `(${area})` : ''}${local}${extension ? ` x${extension}` : ''}`
      : valueAt(segment, field, 1, repetition)
    const value = email || number
    if (!value) continue
    const use = equipment.mobile
      ? 'mobile'
      : (telecomUse(valueAt(segment, field, 2, repetition)) ?? defaultUse)
    points.push({
      system: (email ? 'email' : (equipment.system ?? 'phone')) as ContactPoint['system'],
      value,
      ...(use ? { use: use as ContactPoint['use'] } : {}),
    })
  }
  return points
}
