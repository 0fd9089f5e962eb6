import type { Hl7Message, Hl7Segment } from '@medplum/core'
import type { Immunization } from '@medplum/fhirtypes'
import {
  actionCode,
  completionStatus,
  cvxDisplay,
  IMMUNIZATION_ORIGIN,
  informationSource,
  MVX_SYSTEM,
  refusalReason,
  ucumUnit,
  UCUM_SYSTEM,
  V3_ACT_REASON,
} from '#interop/hl7v2/code_tables'
import {
  codeableConcept,
  codingSystemName,
  personReference,
  repetitions,
  stableId,
} from '#interop/hl7v2/hl7_datatypes'
import {
  issue,
  type Hl7Issue,
  type Hl7Location,
  type Hl7MappingResult,
} from '#interop/hl7v2/hl7_issue'
import { hl7DateToFhir, hl7TimeToFhir, offsetOf, valueAt } from '#interop/hl7v2/hl7_values'
import { mapPid } from '#interop/hl7v2/pid_mapper'

/** One ORC/RXA/RXR/OBX group of a VXU, with the 1-based occurrence of its RXA. */
interface AdministrationGroup {
  orc?: Hl7Segment
  rxa: Hl7Segment
  rxaSequence: number
  rxr?: Hl7Segment
  observations: Hl7Segment[]
}

/**
 * Maps VXU^V04 to a Patient and one Immunization per RXA. Historical records (RXA-9 other
 * than 00) are `primarySource: false`; refusals (RXA-20 RE) are `not-done` with RXA-18 as the
 * reason; RXA-21 = D asks for the record to be deleted.
 * @see CDC HL7 2.5.1 Implementation Guide for Immunization Messaging, Release 1.5;
 *      https://hl7.org/fhir/R4/immunization.html
 */
export function mapVxu(message: Hl7Message): Hl7MappingResult {
  const { patient, issues } = mapPid(message)
  const result: Hl7MappingResult = { resources: [], deletes: [], issues }
  if (!patient) return result
  result.resources.push(patient)
  const zone = offsetOf(message.header.getComponent(7, 1))
  const groups = administrationGroups(message)
  if (groups.length === 0) {
    issues.push(issue('E', '100', { segment: 'RXA' }, 'The VXU has no RXA segment'))
  }
  for (const group of groups) {
    const immunization = mapAdministration(group, patient.id, zone, issues)
    if (!immunization) continue
    if (actionCode(valueAt(group.rxa, 21)) === 'delete') {
      result.deletes.push({ resourceType: 'Immunization', id: immunization.id })
    } else {
      result.resources.push(immunization)
    }
  }
  return result
}

function administrationGroups(message: Hl7Message): AdministrationGroup[] {
  const groups: AdministrationGroup[] = []
  let orc: Hl7Segment | undefined
  let rxaSequence = 0
  for (const segment of message.segments) {
    if (segment.name === 'ORC') orc = segment
    else if (segment.name === 'RXA') {
      rxaSequence++
      groups.push({ orc, rxa: segment, rxaSequence, observations: [] })
    } else if (segment.name === 'RXR' && groups.length > 0)
      groups[groups.length - 1].rxr ??= segment
    else if (segment.name === 'OBX' && groups.length > 0)
      groups[groups.length - 1].observations.push(segment)
  }
  return groups
}

function mapAdministration(
  group: AdministrationGroup,
  patientId: string,
  zone: string | undefined,
  issues: Hl7Issue[]
): (Immunization & { id: string }) | undefined {
  const { rxa, orc } = group
  const at = (field: number): Hl7Location => ({
    segment: 'RXA',
    sequence: group.rxaSequence,
    field,
  })
  const vaccineCode = codeableConcept(rxa, 5)
  const cvx = valueAt(rxa, 5, 1)
  if (!vaccineCode || !cvx) {
    issues.push(issue('E', '101', at(5), 'RXA-5 administered code is missing'))
    return undefined
  }
  if (codingSystemName(rxa, 5).toUpperCase() === 'CVX') {
    const display = cvxDisplay(cvx)
    if (!display) issues.push(issue('W', '103', at(5), `RXA-5 CVX code '${cvx}' is not known`))
    else if (vaccineCode.coding?.[0] && !vaccineCode.coding[0].display)
      vaccineCode.coding[0].display = display
  }
  const occurrence = hl7TimeToFhir(valueAt(rxa, 3), zone)
  if (!occurrence.ok) {
    issues.push(
      issue(
        'E',
        valueAt(rxa, 3) ? '102' : '101',
        at(3),
        `RXA-3 administration date: ${occurrence.reason}`
      )
    )
    return undefined
  }
  const fillerOrder = orc ? valueAt(orc, 3, 1) : ''
  const fillerAuthority = orc ? valueAt(orc, 3, 2) : ''
  const id = fillerOrder
    ? stableId('imm', fillerAuthority, fillerOrder)
    : stableId('imm', patientId, cvx, occurrence.value)
  const immunization: Immunization & { id: string } = {
    resourceType: 'Immunization',
    id,
    status: 'completed',
    vaccineCode,
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: occurrence.value,
  }
  if (fillerOrder) {
    immunization.identifier = [
      {
        value: fillerOrder,
        ...(fillerAuthority ? { assigner: { display: fillerAuthority } } : {}),
      },
    ]
  }
  applyStatus(immunization, rxa, at, issues)
  applySource(immunization, rxa, at, issues)
  applyProduct(immunization, rxa, at, issues)
  const administering = personReference(rxa, 10)
  const ordering = orc ? personReference(orc, 12) : undefined
  const performers: NonNullable<Immunization['performer']> = []
  if (administering)
    performers.push({
      function: performerFunction('AP', 'Administering Provider'),
      actor: administering,
    })
  if (ordering)
    performers.push({ function: performerFunction('OP', 'Ordering Provider'), actor: ordering })
  if (performers.length > 0) immunization.performer = performers
  const facility = valueAt(rxa, 11, 4)
  if (facility) immunization.location = { display: facility }
  if (group.rxr) {
    const route = codeableConcept(group.rxr, 1)
    const site = codeableConcept(group.rxr, 2)
    if (route) immunization.route = route
    if (site) immunization.site = site
  }
  applyObservations(immunization, group.observations, zone)
  return immunization
}

function applyStatus(
  immunization: Immunization,
  rxa: Hl7Segment,
  at: (field: number) => Hl7Location,
  issues: Hl7Issue[]
) {
  const code = valueAt(rxa, 20)
  if (!code) return
  const status = completionStatus(code)
  if (!status) {
    issues.push(
      issue('E', '103', at(20), `RXA-20 completion status '${code}' is not in table 0322`)
    )
    return
  }
  immunization.status = status.status
  if (status.subpotent) immunization.isSubpotent = true
  const reasonCode = valueAt(rxa, 18)
  if (status.status === 'not-done' && reasonCode) {
    const reason = refusalReason(reasonCode)
    const original = codeableConcept(rxa, 18)
    immunization.statusReason = reason
      ? {
          coding: [
            { system: V3_ACT_REASON, code: reason.code, display: reason.display },
            ...(original?.coding ?? []),
          ],
          text: valueAt(rxa, 18, 2) || reason.text,
        }
      : original
  }
}

function applySource(
  immunization: Immunization,
  rxa: Hl7Segment,
  at: (field: number) => Hl7Location,
  issues: Hl7Issue[]
) {
  const code = valueAt(rxa, 9)
  if (!code) return
  const source = informationSource(code)
  if (!source) {
    issues.push(issue('W', '103', at(9), `RXA-9 information source '${code}' is not in NIP001`))
    return
  }
  immunization.primarySource = source.primarySource
  if (!source.primarySource) {
    immunization.reportOrigin = {
      ...(source.origin ? { coding: [{ system: IMMUNIZATION_ORIGIN, code: source.origin }] } : {}),
      text: valueAt(rxa, 9, 2) || source.text,
    }
  }
}

function applyProduct(
  immunization: Immunization,
  rxa: Hl7Segment,
  at: (field: number) => Hl7Location,
  issues: Hl7Issue[]
) {
  const amount = valueAt(rxa, 6)
  // 999 is the IG's "amount unknown", which a historical record usually carries.
  if (amount && amount !== '999') {
    const value = Number(amount)
    if (Number.isFinite(value) && /^[+-]?\d*\.?\d+$/.test(amount)) {
      const unitCode = valueAt(rxa, 7)
      const unit = unitCode ? ucumUnit(unitCode) : undefined
      immunization.doseQuantity = {
        value,
        ...(unit
          ? { unit: unit.display, system: UCUM_SYSTEM, code: unit.code }
          : unitCode
            ? { unit: unitCode }
            : {}),
      }
    } else {
      issues.push(issue('E', '102', at(6), `RXA-6 administered amount '${amount}' is not a number`))
    }
  }
  const lot = repetitions(rxa, 15)
    .map((repetition) => valueAt(rxa, 15, 1, repetition))
    .find(Boolean)
  if (lot) immunization.lotNumber = lot
  const expiration = valueAt(rxa, 16)
  if (expiration) {
    const date = hl7DateToFhir(expiration)
    if (date.ok) immunization.expirationDate = date.value
    else issues.push(issue('W', '102', at(16), `RXA-16 expiration date: ${date.reason}`))
  }
  const mvx = valueAt(rxa, 17)
  if (mvx) {
    const name = valueAt(rxa, 17, 2)
    immunization.manufacturer = {
      identifier: { system: MVX_SYSTEM, value: mvx },
      ...(name ? { display: name } : {}),
    }
  }
}

/** The OBX of an administration carry eligibility, funding and VIS facts (CDC IG, 6.2). */
function applyObservations(
  immunization: Immunization,
  observations: Hl7Segment[],
  zone: string | undefined
) {
  const education: NonNullable<Immunization['education']>[number] = {}
  for (const obx of observations) {
    const loinc = valueAt(obx, 3)
    const value = codeableConcept(obx, 5)
    const date = hl7TimeToFhir(valueAt(obx, 5), zone)
    if (loinc === '64994-7' && value)
      immunization.programEligibility = [...(immunization.programEligibility ?? []), value]
    else if (loinc === '30963-3' && value) immunization.fundingSource = value
    else if (loinc === '69764-9') education.documentType = valueAt(obx, 5)
    else if (loinc === '29768-9' && date.ok) education.publicationDate = date.value
    else if (loinc === '29769-7' && date.ok) education.presentationDate = date.value
  }
  if (Object.keys(education).length > 0) immunization.education = [education]
}

function performerFunction(code: string, display: string) {
  return { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code, display }] }
}
