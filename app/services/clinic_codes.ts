/**
 * The codes the clinic forms offer, as FHIR codings. Vaccines are CVX codes
 * of the WHO EPI schedule the shipped protocol pack knows; measurements are
 * the LOINC codes and UCUM units the vital-signs DQ pack checks.
 */
export const CVX = 'http://hl7.org/fhir/sid/cvx'
export const LOINC = 'http://loinc.org'
export const UCUM = 'http://unitsofmeasure.org'
export const VITAL_SIGNS_CATEGORY = {
  system: 'http://terminology.hl7.org/CodeSystem/observation-category',
  code: 'vital-signs',
}

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const

/** Where a patient's number comes from: the identifier systems a registration may use. */
export const IDENTIFIER_SYSTEMS = {
  'clinic-register': 'urn:outpost:identifier:clinic-register',
  'national-id': 'urn:outpost:identifier:national-id',
  'child-health-card': 'urn:outpost:identifier:child-health-card',
} as const

export type IdentifierKind = keyof typeof IDENTIFIER_SYSTEMS

export const VACCINES = {
  '19': 'BCG',
  '08': 'Hep B, adolescent or pediatric',
  '178': 'OPV bivalent',
  '10': 'IPV',
  '198': 'DTP-hepB-Hib Pentavalent Non-US',
  '133': 'Pneumococcal conjugate PCV 13',
  '119': 'rotavirus, monovalent',
  '04': 'M/R (measles and rubella)',
} as const

export type VaccineCode = keyof typeof VACCINES

/** The measurements of the vitals form, each recorded as one Observation. */
export const VITALS = {
  weight: { code: '29463-7', display: 'Body weight', unit: 'kg' },
  height: { code: '8302-2', display: 'Body height', unit: 'cm' },
  temperature: { code: '8310-5', display: 'Body temperature', unit: 'Cel' },
  muac: { code: '56072-2', display: 'Mid upper arm circumference', unit: 'cm' },
} as const

export type VitalSign = keyof typeof VITALS

export const VITAL_SIGNS = Object.keys(VITALS) as VitalSign[]
