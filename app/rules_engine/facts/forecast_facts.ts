import { defineFact } from '#rules_engine/fact_provider'
import { clinicalDate } from '#rules_engine/facts/clinical_dates'
import type { HistoryDose } from '#rules_engine/facts/history_facts'
import type { AdministeredDose } from '#rules_engine/cdsi/antigen_doses'
import { supportingData, SupportingDataError } from '#rules_engine/cdsi/supporting_data'
import { assessVaccineGroup } from '#rules_engine/cdsi/vaccine_group'

const CVX = 'http://hl7.org/fhir/sid/cvx'
const BIRTH_PLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace'

/** The country of the patient-birthPlace extension, if recorded. */
function birthCountry(patient: Record<string, any>): string | undefined {
  const place = (patient.extension ?? []).find((extension: any) => extension.url === BIRTH_PLACE)
  const country: unknown = place?.valueAddress?.country
  return typeof country === 'string' ? country : undefined
}

/**
 * The CDSi evaluation and forecast of one vaccine group (`params.vaccineGroup`,
 * a name of the pack's `vaccineGroups` table) as of the evaluation date: how
 * each dose the patient received counts, and the next dose with its earliest,
 * recommended and past due dates. The schedule is the pack's `data`
 * (app/rules_engine/cdsi/supporting_data.ts); null without a birth date.
 * @see https://www.cdc.gov/iis/cdsi/index.html
 */
export const immunizationForecastFact = defineFact({
  id: 'immunizationForecast',
  description:
    'CDSi evaluation and forecast of vaccine group `vaccineGroup` from the ACIP supporting data in the pack: dose evaluations and the next dose with earliest, recommended and past due dates',
  async compute(params, evaluation, almanac) {
    const data = supportingData(evaluation.pack.data)
    const groupName = String(params.vaccineGroup ?? '')
    if (!data.vaccineGroups.has(groupName)) {
      throw new SupportingDataError(`no vaccine group "${groupName}" in "vaccineGroups"`)
    }
    const patient = (await almanac.factValue('patient')) as Record<string, any> | null
    if (typeof patient?.birthDate !== 'string') {
      return null
    }
    const today = clinicalDate({}, evaluation.asOf).toISODate()!
    const history = (await almanac.factValue('immunizationHistory')) as HistoryDose[]
    const doses = history.flatMap((dose, index): AdministeredDose[] => {
      const cvx = dose.codes.find(({ system }) => system === CVX)?.code
      return cvx && dose.date <= today
        ? [{ id: dose.id ?? `dose-${index + 1}`, date: dose.date, cvx }]
        : []
    })
    return assessVaccineGroup(
      groupName,
      {
        birthDate: patient.birthDate.slice(0, 10),
        gender: patient.gender,
        birthCountry: birthCountry(patient),
      },
      doses,
      today,
      data
    )
  },
})
