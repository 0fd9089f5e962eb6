import { DateTime } from 'luxon'

/**
 * The demo clinic of the sandbox: one district health office, two facilities,
 * a nurse, and children at different points of their immunization schedule,
 * with weights recorded. Dates are relative to the day of the first seed, so
 * the CDS due list always has something due, overdue and upcoming.
 */
const CVX = 'http://hl7.org/fhir/sid/cvx'
const LOINC = 'http://loinc.org'
const UCUM = 'http://unitsofmeasure.org'
const MRN = 'urn:outpost:sandbox:mrn'

const CHILDREN = [
  {
    id: 'demo-amani',
    family: 'Mwangi',
    given: 'Amani',
    gender: 'female',
    ageDays: 20,
    doses: [
      ['19', 'BCG', 0],
      ['08', 'Hep B, adolescent or pediatric', 0],
    ],
  },
  {
    id: 'demo-baraka',
    family: 'Otieno',
    given: 'Baraka',
    gender: 'male',
    ageDays: 75,
    doses: [
      ['19', 'BCG', 1],
      ['08', 'Hep B, adolescent or pediatric', 1],
      ['102', 'DTP-Hib-Hep B', 43],
      ['133', 'PCV13', 43],
      ['119', 'rotavirus, monovalent', 43],
    ],
  },
  {
    id: 'demo-chausiku',
    family: 'Njeri',
    given: 'Chausiku',
    gender: 'female',
    ageDays: 300,
    doses: [
      ['19', 'BCG', 2],
      ['102', 'DTP-Hib-Hep B', 45],
      ['102', 'DTP-Hib-Hep B', 75],
      ['133', 'PCV13', 45],
    ],
  },
  {
    id: 'demo-daudi',
    family: 'Kamau',
    given: 'Daudi',
    gender: 'male',
    ageDays: 520,
    doses: [
      ['19', 'BCG', 0],
      ['102', 'DTP-Hib-Hep B', 42],
      ['102', 'DTP-Hib-Hep B', 70],
      ['102', 'DTP-Hib-Hep B', 98],
      ['05', 'measles', 275],
    ],
  },
  { id: 'demo-eshe', family: 'Achieng', given: 'Eshe', gender: 'female', ageDays: 1100, doses: [] },
] as const

export function demoClinic(today = DateTime.utc()): Record<string, any>[] {
  const day = (date: DateTime) => date.toISODate()!
  const resources: Record<string, any>[] = [
    {
      resourceType: 'Organization',
      id: 'demo-district',
      name: 'Riverside District Health Office',
      type: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'govt' },
          ],
        },
      ],
    },
    ...[
      ['demo-riverside-hc', 'Riverside Health Centre'],
      ['demo-hilltop-dispensary', 'Hilltop Dispensary'],
    ].map(([id, name]) => ({
      resourceType: 'Location',
      id,
      status: 'active',
      name,
      managingOrganization: { reference: 'Organization/demo-district' },
    })),
    {
      resourceType: 'Practitioner',
      id: 'demo-nurse',
      name: [{ family: 'Nurse', given: ['Nia'] }],
      qualification: [{ code: { text: 'Registered nurse' } }],
    },
  ]
  for (const child of CHILDREN) {
    const birth = today.minus({ days: child.ageDays })
    resources.push({
      resourceType: 'Patient',
      id: child.id,
      identifier: [{ system: MRN, value: child.id.replace('demo-', 'RHC-').toUpperCase() }],
      name: [{ family: child.family, given: [child.given] }],
      gender: child.gender,
      birthDate: day(birth),
      managingOrganization: { reference: 'Organization/demo-district' },
    })
    child.doses.forEach(([code, display, atDays], index) => {
      resources.push({
        resourceType: 'Immunization',
        id: `${child.id}-dose-${index + 1}`,
        status: 'completed',
        vaccineCode: { coding: [{ system: CVX, code, display }] },
        patient: { reference: `Patient/${child.id}` },
        occurrenceDateTime: day(birth.plus({ days: atDays })),
        primarySource: true,
        location: { reference: 'Location/demo-riverside-hc' },
        performer: [{ actor: { reference: 'Practitioner/demo-nurse' } }],
      })
    })
    resources.push({
      resourceType: 'Observation',
      id: `${child.id}-weight`,
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: 'vital-signs',
            },
          ],
        },
      ],
      code: { coding: [{ system: LOINC, code: '29463-7', display: 'Body weight' }] },
      subject: { reference: `Patient/${child.id}` },
      effectiveDateTime: day(today.minus({ days: 1 })),
      valueQuantity: { value: weightFor(child.ageDays), unit: 'kg', system: UCUM, code: 'kg' },
    })
  }
  return resources
}

/** A plausible weight (WHO growth median, roughly) for the age, to one decimal. */
function weightFor(ageDays: number) {
  const months = ageDays / 30.4
  const kg = months < 12 ? 3.3 + 0.6 * months : 10.2 + 0.18 * (months - 12)
  return Math.round(kg * 10) / 10
}
