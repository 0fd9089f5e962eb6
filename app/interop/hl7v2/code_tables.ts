import { readFileSync } from 'node:fs'
import type { Coding } from '@medplum/fhirtypes'

/**
 * The v2 -> FHIR mapping tables, kept as data under `resources/hl7v2/` so that a site can
 * extend a code set without a code change; builds must copy `resources/` next to `app/`.
 */
const TABLES_URL = new URL('../../../resources/hl7v2/', import.meta.url)

function readTable<T>(name: string): Record<string, T> {
  const document = JSON.parse(readFileSync(new URL(`${name}.json`, TABLES_URL), 'utf8')) as {
    codes: Record<string, T>
  }
  return document.codes
}

interface CompletionStatus {
  status: 'completed' | 'not-done'
  subpotent: boolean
}
interface InformationSource {
  primarySource: boolean
  origin?: string
  text: string
}
interface MappedCode {
  code: string
  display: string
  text?: string
}
interface TelecomTable {
  uses: Record<string, string>
  equipment: Record<string, string>
  mobileEquipment: string[]
}

const TABLES = {
  identifierTypes: readTable<string>('identifier_types'),
  administrativeSex: readTable<string>('administrative_sex'),
  nameTypes: readTable<string>('name_types'),
  addressTypes: readTable<string>('address_types'),
  patientClasses: readTable<MappedCode>('patient_classes'),
  codingSystems: readTable<string>('coding_systems'),
  cvxVaccines: readTable<string>('cvx_vaccines'),
  ucumUnits: readTable<MappedCode>('ucum_units'),
  completionStatus: readTable<CompletionStatus>('completion_status'),
  actionCodes: readTable<'add' | 'update' | 'delete'>('action_codes'),
  refusalReasons: readTable<MappedCode>('refusal_reasons'),
  informationSources: readTable<InformationSource>('information_sources'),
  abnormalFlags: readTable<string>('abnormal_flags'),
  observationStatus: readTable<string>('observation_status'),
  telecom: JSON.parse(
    readFileSync(new URL('telecom_uses.json', TABLES_URL), 'utf8')
  ) as TelecomTable,
}

const own = <T>(table: Record<string, T>, code: string): T | undefined =>
  Object.hasOwn(table, code) ? table[code] : undefined

export const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203'
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx'
export const MVX_SYSTEM = 'http://hl7.org/fhir/sid/mvx'
export const UCUM_SYSTEM = 'http://unitsofmeasure.org'
export const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode'
export const V3_ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason'
export const V3_INTERPRETATION =
  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation'
export const IMMUNIZATION_ORIGIN = 'http://terminology.hl7.org/CodeSystem/immunization-origin'

/** Table 0203: an identifier type as a FHIR coding, undefined for unknown codes. */
export function identifierType(code: string): Coding | undefined {
  const display = own(TABLES.identifierTypes, code)
  return display ? { system: V2_0203, code, display } : undefined
}

/** Table 0001 -> AdministrativeGender. */
export function administrativeGender(
  code: string
): 'male' | 'female' | 'other' | 'unknown' | undefined {
  return own(TABLES.administrativeSex, code.toUpperCase()) as
    'male' | 'female' | 'other' | 'unknown' | undefined
}

/** AdministrativeGender -> table 0001, for what we send. */
export function v2Sex(gender: string | undefined): string {
  if (!gender) return ''
  return Object.entries(TABLES.administrativeSex).find(([, value]) => value === gender)?.[0] ?? 'U'
}

export function nameUse(code: string): string | undefined {
  return own(TABLES.nameTypes, code)
}

export function addressUse(code: string): string | undefined {
  return own(TABLES.addressTypes, code)
}

export function telecomUse(code: string): string | undefined {
  return own(TABLES.telecom.uses, code)
}

/** Table 0202 -> ContactPoint.system, and whether the equipment is a mobile. */
export function telecomSystem(code: string): { system?: string; mobile: boolean } {
  return {
    system: own(TABLES.telecom.equipment, code),
    mobile: TABLES.telecom.mobileEquipment.includes(code),
  }
}

/** Table 0004 patient class -> Encounter.class (v3 ActCode). */
export function encounterClass(code: string): Coding | undefined {
  const mapped = own(TABLES.patientClasses, code)
  return mapped ? { system: V3_ACT_CODE, code: mapped.code, display: mapped.display } : undefined
}

/** Table 0396 coding system name -> FHIR system URI. */
export function codingSystemUri(name: string): string | undefined {
  return own(TABLES.codingSystems, name) ?? own(TABLES.codingSystems, name.toUpperCase())
}

export function cvxDisplay(code: string): string | undefined {
  return own(TABLES.cvxVaccines, code)
}

/** A v2 unit code (RXA-7, OBX-6) -> its UCUM code and display. */
export function ucumUnit(code: string): { code: string; display: string } | undefined {
  return own(TABLES.ucumUnits, code)
}

/** Table 0322 (RXA-20) -> Immunization.status. */
export function completionStatus(code: string): CompletionStatus | undefined {
  return own(TABLES.completionStatus, code.toUpperCase())
}

/** Table 0323 (RXA-21). */
export function actionCode(code: string): 'add' | 'update' | 'delete' | undefined {
  return own(TABLES.actionCodes, code.toUpperCase())
}

/** NIP002 (RXA-18) -> Immunization.statusReason coding. */
export function refusalReason(code: string): MappedCode | undefined {
  return own(TABLES.refusalReasons, code)
}

/** NIP001 (RXA-9) -> primarySource and reportOrigin. */
export function informationSource(code: string): InformationSource | undefined {
  return own(TABLES.informationSources, code)
}

/** Table 0078 (OBX-8) -> Observation.interpretation coding. */
export function abnormalFlag(code: string): Coding | undefined {
  const display = own(TABLES.abnormalFlags, code)
  return display ? { system: V3_INTERPRETATION, code, display } : undefined
}

/** Table 0085 (OBX-11) -> Observation.status. */
export function observationStatus(code: string): string | undefined {
  return own(TABLES.observationStatus, code.toUpperCase())
}
