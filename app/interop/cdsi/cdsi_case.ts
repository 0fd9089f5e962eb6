import { readCsvObjects, CsvError } from '#interop/cdsi/csv_reader'

/** CVX, the code system of the test cases' vaccines. */
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx'

/** How the CDC expects one dose to be evaluated. */
export type ExpectedStatus = 'Valid' | 'Not Valid' | 'Extraneous'

export interface CaseDose {
  date: string
  vaccineName: string
  cvx: string
  mvx?: string
  status: ExpectedStatus
  reason?: string
}

/** One CDSi test case: a patient, the doses given, and the expected answers for one vaccine group. */
export interface CdsiCase {
  id: string
  name: string
  birthDate: string
  gender: string
  doses: CaseDose[]
  /** The vaccine group as the CSV names it (DTAP, HepB, HIB, POL, MMR, ...). */
  vaccineGroup: string
  assessmentDate: string
  seriesStatus: string
  earliestDate?: string
  recommendedDate?: string
  pastDueDate?: string
  evaluationTestType: string
  forecastTestType: string
}

const DOSE_SLOTS = 7

/**
 * The test cases of a CDSi test case CSV (the CDC's "Healthy Childhood and
 * Adult Test Cases" export: MM/DD/YYYY dates, up to seven doses per case).
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function readCdsiCases(text: string): CdsiCase[] {
  return readCsvObjects(text).map((row, index) => {
    const at = `case ${row.CDC_Test_ID || index + 1}`
    const date = (column: string, required = false) => {
      const value = (row[column] ?? '').trim()
      if (value === '') {
        if (required) {
          throw new CsvError(`${at}: ${column} is required`)
        }
        return undefined
      }
      const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value)
      if (!match) {
        throw new CsvError(`${at}: ${column} "${value}" is not a MM/DD/YYYY date`)
      }
      return `${match[3]}-${match[1].padStart(2, '0')}-${match[2].padStart(2, '0')}`
    }
    const doses: CaseDose[] = []
    for (let slot = 1; slot <= DOSE_SLOTS; slot++) {
      const given = date(`Date_Administered_${slot}`)
      if (!given) {
        continue
      }
      const status = (row[`Evaluation_Status_${slot}`] ?? '').trim()
      if (status !== 'Valid' && status !== 'Not Valid' && status !== 'Extraneous') {
        throw new CsvError(`${at}: Evaluation_Status_${slot} "${status}" is unknown`)
      }
      const mvx = row[`MVX_${slot}`]?.trim()
      const reason = row[`Evaluation_Reason_${slot}`]?.trim()
      doses.push({
        date: given,
        vaccineName: row[`Vaccine_Name_${slot}`]?.trim() ?? '',
        cvx: (row[`CVX_${slot}`] ?? '').trim(),
        ...(mvx && { mvx }),
        status,
        ...(reason && { reason }),
      })
    }
    return {
      id: (row.CDC_Test_ID ?? '').trim(),
      name: (row.TestCase_Name ?? '').trim(),
      birthDate: date('DOB', true)!,
      gender: (row.gender ?? '').trim(),
      doses,
      vaccineGroup: (row.Vaccine_Group ?? '').trim(),
      assessmentDate: date('Assessment_Date', true)!,
      seriesStatus: (row.Series_Status ?? '').trim(),
      earliestDate: date('Earliest_Date'),
      recommendedDate: date('Recommended_Date'),
      pastDueDate: date('Past_Due_Date'),
      evaluationTestType: (row.Evaluation_Test_Type ?? '').trim(),
      forecastTestType: (row.Forecast_Test_Type ?? '').trim(),
    }
  })
}

/**
 * The case as FHIR R4 resources: a Patient and one completed Immunization per
 * dose, coded in CVX, what the rule engine reads from a real store.
 */
export function caseResources(testCase: CdsiCase) {
  const patientId = `cdsi-${testCase.id}`
  const patient = {
    resourceType: 'Patient',
    id: patientId,
    birthDate: testCase.birthDate,
    ...(GENDERS[testCase.gender] && { gender: GENDERS[testCase.gender] }),
  }
  const immunizations = testCase.doses.map((dose, index) => ({
    resourceType: 'Immunization',
    id: `${patientId}-${index + 1}`,
    status: 'completed',
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: dose.date,
    vaccineCode: {
      coding: [{ system: CVX_SYSTEM, code: dose.cvx, display: dose.vaccineName }],
      text: dose.vaccineName,
    },
  }))
  return { patient, immunizations }
}

const GENDERS: Record<string, string> = { F: 'female', M: 'male' }
