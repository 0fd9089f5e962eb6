import type { Hl7Message, Hl7Segment } from '@medplum/core'
import type { Observation } from '@medplum/fhirtypes'
import { abnormalFlag, observationStatus, ucumUnit, UCUM_SYSTEM } from '#interop/hl7v2/code_tables'
import { codeableConcept, stableId } from '#interop/hl7v2/hl7_datatypes'
import {
  issue,
  type Hl7Issue,
  type Hl7Location,
  type Hl7MappingResult,
} from '#interop/hl7v2/hl7_issue'
import { hl7TimeToFhir, offsetOf, valueAt } from '#interop/hl7v2/hl7_values'
import { mapPid } from '#interop/hl7v2/pid_mapper'

/**
 * Maps ORU^R01 to the PID's Patient and one Observation per OBX, read in the context of the
 * OBR above it (order identifiers, observation time).
 * @see HL7 v2.5.1 chapter 7, sections 7.3.1 (ORU^R01) and 7.4.2 (OBX);
 *      https://hl7.org/fhir/R4/observation.html
 */
export function mapOru(message: Hl7Message): Hl7MappingResult {
  const { patient, issues } = mapPid(message)
  const result: Hl7MappingResult = { resources: [], deletes: [], issues }
  if (!patient) return result
  result.resources.push(patient)
  const zone = offsetOf(message.header.getComponent(7, 1))
  let obr: Hl7Segment | undefined
  let obxSequence = 0
  for (const segment of message.segments) {
    if (segment.name === 'OBR') obr = segment
    if (segment.name !== 'OBX') continue
    obxSequence++
    const observation = mapObx(segment, obxSequence, obr, patient.id, zone, issues)
    if (observation) result.resources.push(observation)
  }
  if (obxSequence === 0)
    issues.push(issue('E', '100', { segment: 'OBX' }, 'The ORU has no OBX segment'))
  return result
}

function mapObx(
  obx: Hl7Segment,
  sequence: number,
  obr: Hl7Segment | undefined,
  patientId: string,
  zone: string | undefined,
  issues: Hl7Issue[]
): (Observation & { id: string }) | undefined {
  const at = (field: number): Hl7Location => ({ segment: 'OBX', sequence, field })
  const code = codeableConcept(obx, 3)
  if (!code) {
    issues.push(issue('E', '101', at(3), 'OBX-3 observation identifier is missing'))
    return undefined
  }
  const statusCode = valueAt(obx, 11)
  const status = observationStatus(statusCode)
  if (!status) {
    issues.push(
      issue(
        'E',
        statusCode ? '103' : '101',
        at(11),
        `OBX-11 result status '${statusCode}' is not in table 0085`
      )
    )
    return undefined
  }
  const order = obr ? valueAt(obr, 3) || valueAt(obr, 2) : ''
  const observation: Observation & { id: string } = {
    resourceType: 'Observation',
    id: stableId(
      'obs',
      patientId,
      order,
      valueAt(obx, 3),
      valueAt(obx, 4),
      order ? '' : String(sequence)
    ),
    status: status as Observation['status'],
    code,
    subject: { reference: `Patient/${patientId}` },
  }
  if (order) observation.identifier = [{ value: `${order}-${valueAt(obx, 3)}-${valueAt(obx, 4)}` }]
  const observed = valueAt(obx, 14) || (obr ? valueAt(obr, 7) : '')
  if (observed) {
    const time = hl7TimeToFhir(observed, zone)
    if (time.ok) observation.effectiveDateTime = time.value
    else
      issues.push(
        issue(
          'E',
          '102',
          valueAt(obx, 14) ? at(14) : { segment: 'OBR', field: 7 },
          `observation time: ${time.reason}`
        )
      )
  }
  if (!applyValue(observation, obx, at, zone, issues)) return undefined
  const interpretation = valueAt(obx, 8)
  if (interpretation) {
    const coding = abnormalFlag(interpretation)
    if (coding) observation.interpretation = [{ coding: [coding] }]
    else
      issues.push(
        issue('W', '103', at(8), `OBX-8 abnormal flag '${interpretation}' is not in table 0078`)
      )
  }
  const range = valueAt(obx, 7)
  if (range) observation.referenceRange = [{ text: range }]
  return observation
}

/** OBX-5 read by its OBX-2 value type; false when the value cannot be read. */
function applyValue(
  observation: Observation,
  obx: Hl7Segment,
  at: (field: number) => Hl7Location,
  zone: string | undefined,
  issues: Hl7Issue[]
): boolean {
  const type = valueAt(obx, 2)
  const raw = valueAt(obx, 5)
  if (!raw) return true
  switch (type) {
    case 'NM': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw)) {
        issues.push(issue('E', '102', at(5), `OBX-5 '${raw}' is not a number`))
        return false
      }
      const unitCode = valueAt(obx, 6)
      const unit = unitCode ? ucumUnit(unitCode) : undefined
      observation.valueQuantity = {
        value: Number(raw),
        ...(unit
          ? { unit: unit.display, system: UCUM_SYSTEM, code: unit.code }
          : unitCode
            ? { unit: unitCode }
            : {}),
      }
      return true
    }
    case 'ST':
    case 'TX':
    case 'FT':
      observation.valueString = raw
      return true
    case 'CE':
    case 'CWE':
      observation.valueCodeableConcept = codeableConcept(obx, 5)
      return true
    case 'DT':
    case 'TS':
    case 'DTM': {
      const time = hl7TimeToFhir(raw, zone)
      if (!time.ok) {
        issues.push(issue('E', '102', at(5), `OBX-5 ${time.reason}`))
        return false
      }
      observation.valueDateTime = time.value
      return true
    }
    default:
      issues.push(issue('W', '103', at(2), `OBX-2 value type '${type}' is kept as text`))
      observation.valueString = raw
      return true
  }
}
