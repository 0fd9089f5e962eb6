import type { Hl7Message } from '@medplum/core'
import type { Encounter } from '@medplum/fhirtypes'
import { encounterClass } from '#interop/hl7v2/code_tables'
import { personReference, stableId } from '#interop/hl7v2/hl7_datatypes'
import { issue, type Hl7MappingResult } from '#interop/hl7v2/hl7_issue'
import { hl7TimeToFhir, offsetOf, valueAt } from '#interop/hl7v2/hl7_values'
import { mapPid } from '#interop/hl7v2/pid_mapper'

/** The ADT trigger events this mapper handles. */
export const ADT_EVENTS = ['A01', 'A04', 'A08'] as const
export type AdtEvent = (typeof ADT_EVENTS)[number]

const PARTICIPANTS = [
  { field: 7, code: 'ATND', display: 'attender' },
  { field: 8, code: 'REF', display: 'referrer' },
  { field: 17, code: 'ADM', display: 'admitter' },
] as const

/**
 * Maps ADT^A01 (admit) and ADT^A04 (register) to a Patient and an Encounter, and ADT^A08
 * (update patient information) to the Patient alone.
 * @see HL7 v2.5.1 chapter 3, sections 3.3.1, 3.3.4, 3.3.8; https://hl7.org/fhir/R4/encounter.html
 */
export function mapAdt(message: Hl7Message, event: AdtEvent): Hl7MappingResult {
  const { patient, issues } = mapPid(message)
  const result: Hl7MappingResult = { resources: [], deletes: [], issues }
  if (!patient) return result
  result.resources.push(patient)
  if (event === 'A08') return result
  const pv1 = message.getSegment('PV1')
  if (!pv1) {
    issues.push(issue('E', '100', { segment: 'PV1' }, `ADT^${event} needs a PV1 segment`))
    return result
  }
  const at = (field: number) => ({ segment: 'PV1', sequence: 1, field })
  const zone = offsetOf(message.header.getComponent(7, 1))
  const classCode = valueAt(pv1, 2)
  const mappedClass = encounterClass(classCode)
  if (!mappedClass) {
    issues.push(
      issue(
        'E',
        classCode ? '103' : '101',
        at(2),
        `PV1-2 patient class '${classCode}' is not in table 0004`
      )
    )
    return result
  }
  const visitNumber = valueAt(pv1, 19)
  const admitted = valueAt(pv1, 44)
  const eventTime = message.getSegment('EVN') ? valueAt(message.getSegment('EVN')!, 2) : ''
  const start = hl7TimeToFhir(admitted || eventTime || message.header.getComponent(7, 1), zone)
  if (admitted && !start.ok)
    issues.push(issue('E', '102', at(44), `PV1-44 admit date: ${start.reason}`))
  const discharged = valueAt(pv1, 45)
  const end = discharged ? hl7TimeToFhir(discharged, zone) : undefined
  if (end && !end.ok) issues.push(issue('E', '102', at(45), `PV1-45 discharge date: ${end.reason}`))
  const encounter: Encounter & { id: string } = {
    resourceType: 'Encounter',
    id: visitNumber
      ? stableId('enc', patient.id, visitNumber)
      : stableId('enc', patient.id, classCode, start.ok ? start.value : ''),
    status: end?.ok ? 'finished' : event === 'A01' ? 'in-progress' : 'arrived',
    class: mappedClass,
    subject: { reference: `Patient/${patient.id}` },
  }
  if (visitNumber) encounter.identifier = [{ type: { text: 'visit number' }, value: visitNumber }]
  if (start.ok || end?.ok) {
    encounter.period = {
      ...(start.ok ? { start: start.value } : {}),
      ...(end?.ok ? { end: end.value } : {}),
    }
  }
  const location = [valueAt(pv1, 3, 1), valueAt(pv1, 3, 2), valueAt(pv1, 3, 3), valueAt(pv1, 3, 4)]
  if (location.some(Boolean)) {
    encounter.location = [{ location: { display: location.filter(Boolean).join(' ') } }]
  }
  const participants = PARTICIPANTS.flatMap(({ field, code, display }) => {
    const individual = personReference(pv1, field)
    if (!individual) return []
    const system = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType'
    return [{ type: [{ coding: [{ system, code, display }] }], individual }]
  })
  if (participants.length > 0) encounter.participant = participants
  result.resources.push(encounter)
  return result
}
