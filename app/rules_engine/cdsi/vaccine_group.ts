import { earliest, latest } from '#rules_engine/cdsi/cdsi_dates'
import { antigenHistory, type AdministeredDose } from '#rules_engine/cdsi/antigen_doses'
import { selectPatientSeries, type PatientSeries } from '#rules_engine/cdsi/series_selection'
import {
  EVALUATION_REASONS,
  type DoseStatus,
  type EvaluationReason,
} from '#rules_engine/cdsi/series_evaluation'
import type { SeriesStatus } from '#rules_engine/cdsi/series_forecast'
import { normalCvx, type SupportingData } from '#rules_engine/cdsi/supporting_data'

export interface PatientFacts {
  birthDate: string
  gender?: string
  /** Country of birth as recorded (`US`, `USA`, `U.S.`...), for evidence of immunity. */
  birthCountry?: string
}

/** How one dose counts for one antigen of the group. */
export interface AntigenEvaluation {
  antigen: string
  series: string
  status: DoseStatus
  targetDose?: number
  reasons: string[]
}

export interface GroupDose {
  id: string
  date: string
  cvx: string
  /** Valid when it counts for every antigen of the group it carries. */
  status: DoseStatus
  reasons: string[]
  antigens: AntigenEvaluation[]
}

export interface AntigenForecast {
  antigen: string
  series: string
  status: SeriesStatus
  doseNumber?: number
  earliestDate?: string
  recommendedDate?: string
  pastDueDate?: string
}

/** The result for one vaccine group, as the `immunizationForecast` fact returns it. */
export interface GroupAssessment {
  vaccineGroup: string
  status: SeriesStatus
  doseNumber: number | null
  earliestDate: string | null
  recommendedDate: string | null
  pastDueDate: string | null
  /** The vaccine to propose (a CVX Coding), or null when no dose is needed. */
  vaccine: { system: string; code: string; display?: string } | null
  doses: GroupDose[]
  antigens: AntigenForecast[]
}

/**
 * Evaluates and forecasts one vaccine group (CDSi logic specification 4.x,
 * chapter 9, "Identify and evaluate vaccine group"): each antigen's best
 * patient series decides how its doses count and when its next dose is due.
 * An antigen with evidence of immunity needs no dose; the group is immune when
 * every antigen is, complete when every antigen is complete or immune; otherwise its dates come from
 * the antigens still needing a dose: the earliest date is the latest of theirs
 * when the whole group must be given together (MMR: one vaccine must suit
 * every antigen), the earliest otherwise (DTaP/Tdap/Td); the recommended and
 * past due dates are the earliest of theirs, never before the earliest date.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function assessVaccineGroup(
  groupName: string,
  patient: PatientFacts,
  doses: AdministeredDose[],
  assessmentDate: string,
  data: SupportingData
): GroupAssessment | null {
  const group = data.vaccineGroups.get(groupName)
  if (!group) {
    return null
  }
  const history = antigenHistory(doses, patient.birthDate, data)
  const selected = group.antigens.flatMap((antigen) => {
    const chosen = selectPatientSeries(
      antigen,
      {
        birthDate: patient.birthDate,
        assessmentDate,
        doses: history.get(antigen) ?? [],
        allDoses: doses,
        data,
      },
      patient.gender
    )
    return chosen ? [{ antigen, chosen }] : []
  })
  const antigens = selected.map(({ antigen, chosen }) =>
    immuneByBirth(antigen, patient, data)
      ? { antigen, series: chosen.evaluation.series.series, status: 'immune' as const }
      : antigenForecast(antigen, chosen)
  )
  const needing = antigens.filter((antigen) => antigen.status === 'not-complete')
  const status: SeriesStatus =
    needing.length > 0
      ? 'not-complete'
      : antigens.every((antigen) => antigen.status === 'immune')
        ? 'immune'
        : antigens.every((antigen) => antigen.status !== 'aged-out')
          ? 'complete'
          : 'aged-out'
  const earliestDate = (group.administerFullVaccineGroup ? latest : earliest)(
    ...needing.map((antigen) => antigen.earliestDate)
  )
  const notBeforeEarliest = (date: string | undefined) =>
    date === undefined ? null : latest(date, earliestDate)!
  const firstNeeding = selected.find(({ antigen }) =>
    needing.some((forecast) => forecast.antigen === antigen)
  )
  const vaccineCode = firstNeeding?.chosen.forecast.vaccines[0] ?? null
  return {
    vaccineGroup: group.name,
    status,
    doseNumber:
      needing.length > 0 ? Math.min(...needing.map((antigen) => antigen.doseNumber!)) : null,
    earliestDate: earliestDate ?? null,
    recommendedDate: notBeforeEarliest(
      earliest(...needing.map((antigen) => antigen.recommendedDate))
    ),
    pastDueDate: notBeforeEarliest(earliest(...needing.map((antigen) => antigen.pastDueDate))),
    vaccine: vaccineCode ? cvxCoding(vaccineCode, data) : null,
    doses: groupDoses(selected),
    antigens,
  }
}

const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx'

const UNITED_STATES = new Set(['us', 'usa', 'u.s.', 'u.s.a.', 'united states'])

/**
 * Evidence of immunity by date of birth (CDSi logic specification, 4.x,
 * "Evaluate for immunity"): born before the antigen's immunity birth date,
 * and in its birth country when it names one (a birth country that is not
 * recorded is no evidence).
 */
function immuneByBirth(antigen: string, patient: PatientFacts, data: SupportingData): boolean {
  return data.immunity.some(
    (rule) =>
      rule.antigen === antigen &&
      patient.birthDate < rule.immunityBirthDate &&
      (!rule.birthCountry || sameCountry(rule.birthCountry, patient.birthCountry))
  )
}

function sameCountry(required: string, recorded: string | undefined) {
  const normal = (text: string) => text.trim().toLowerCase()
  if (recorded === undefined) {
    return false
  }
  return UNITED_STATES.has(normal(required))
    ? UNITED_STATES.has(normal(recorded))
    : normal(required) === normal(recorded)
}

function cvxCoding(code: string, data: SupportingData) {
  const display = data.cvx.get(normalCvx(code))?.display
  return { system: CVX_SYSTEM, code, ...(display !== undefined && { display }) }
}

function antigenForecast(antigen: string, chosen: PatientSeries): AntigenForecast {
  const { forecast } = chosen
  return {
    antigen,
    series: chosen.evaluation.series.series,
    status: forecast.status,
    ...(forecast.doseNumber !== undefined && { doseNumber: forecast.doseNumber }),
    ...(forecast.earliestDate !== undefined && { earliestDate: forecast.earliestDate }),
    ...(forecast.recommendedDate !== undefined && { recommendedDate: forecast.recommendedDate }),
    ...(forecast.pastDueDate !== undefined && { pastDueDate: forecast.pastDueDate }),
  }
}

function groupDoses(selected: Array<{ antigen: string; chosen: PatientSeries }>): GroupDose[] {
  const byId = new Map<string, GroupDose>()
  for (const { antigen, chosen } of selected) {
    for (const outcome of chosen.evaluation.outcomes) {
      const entry = byId.get(outcome.dose.id) ?? {
        id: outcome.dose.id,
        date: outcome.dose.date,
        cvx: outcome.dose.cvx,
        status: 'valid' as DoseStatus,
        reasons: [],
        antigens: [],
      }
      entry.antigens.push({
        antigen,
        series: chosen.evaluation.series.series,
        status: outcome.status,
        ...(outcome.targetDose !== undefined && { targetDose: outcome.targetDose }),
        reasons: outcome.reasons.map((reason: EvaluationReason) => EVALUATION_REASONS[reason]),
      })
      byId.set(outcome.dose.id, entry)
    }
  }
  for (const entry of byId.values()) {
    const statuses = entry.antigens.map((antigen) => antigen.status)
    entry.status = statuses.every((status) => status === 'valid')
      ? 'valid'
      : statuses.every((status) => status === 'extraneous')
        ? 'extraneous'
        : 'not-valid'
    entry.reasons = [...new Set(entry.antigens.flatMap((antigen) => antigen.reasons))]
  }
  return [...byId.values()].sort((a, b) => a.date.localeCompare(b.date))
}
