import { addDuration } from '#rules_engine/cdsi/cdsi_dates'
import {
  evaluateSeries,
  type AntigenContext,
  type SeriesEvaluation,
} from '#rules_engine/cdsi/series_evaluation'
import { forecastSeries, type SeriesForecast } from '#rules_engine/cdsi/series_forecast'
import type { AntigenSeries } from '#rules_engine/cdsi/supporting_data'

/** One series of an antigen, evaluated and forecast. */
export interface PatientSeries {
  evaluation: SeriesEvaluation
  forecast: SeriesForecast
}

/**
 * Evaluates every relevant series of an antigen and selects the best patient
 * series (CDSi logic specification 4.x, chapter 8, "Select best patient
 * series"), one series group at a time: in a group, a complete series first
 * (the one completed earliest, then the one with the most valid doses, then by
 * preference); otherwise, among series the patient started within their ages
 * to start, the one with the most valid doses, then the fewest target doses
 * still to give, then the product series and the series preference; a patient
 * with no valid dose gets the default series (whose conditional skips fit it
 * to an older patient). Across groups (childhood and 65+ pneumococcal), the
 * first group still needing a dose wins, then a complete one.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function selectPatientSeries(
  antigen: string,
  context: AntigenContext,
  gender: string | undefined
): PatientSeries | undefined {
  const candidates = context.data.series.filter(
    (series) =>
      series.antigen === antigen &&
      (!series.requiredGender || genderMatches(series.requiredGender, gender))
  )
  if (candidates.length === 0) {
    return undefined
  }
  const assessed = candidates.map((series) => {
    const evaluation = evaluateSeries(series, context)
    return { evaluation, forecast: forecastSeries(evaluation, context) }
  })
  const byGroup = new Map<string, PatientSeries[]>()
  for (const entry of assessed) {
    const group = entry.evaluation.series.seriesGroup ?? '1'
    byGroup.set(group, [...(byGroup.get(group) ?? []), entry])
  }
  const prioritized = [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([, entries]) => entries)
    .filter((entries, index) => index === 0 || relevantGroup(entries, context))
    .map((entries) => prioritizedSeries(entries, context))
  return (
    prioritized.find(({ forecast }) => forecast.status === 'not-complete') ??
    prioritized.find(({ forecast }) => forecast.status === 'complete') ??
    prioritized[0]
  )
}

/**
 * A series group after the first counts when the patient has a valid dose in
 * it or is old enough to start one of its series (adult pneumococcal series
 * from 65 years).
 */
function relevantGroup(entries: PatientSeries[], context: AntigenContext): boolean {
  return entries.some(
    ({ evaluation }) =>
      evaluation.validCount > 0 ||
      canStart(evaluation.series, context.birthDate, context.assessmentDate)
  )
}

/** The best series of one series group. */
function prioritizedSeries(assessed: PatientSeries[], context: AntigenContext): PatientSeries {
  if (assessed.length === 1) {
    return assessed[0]
  }
  const complete = assessed.filter(
    ({ forecast, evaluation }) => forecast.status === 'complete' && evaluation.validCount > 0
  )
  if (complete.length > 0) {
    return [...complete].sort(
      (a, b) =>
        completedOn(a).localeCompare(completedOn(b)) ||
        b.evaluation.validCount - a.evaluation.validCount ||
        byPreference(a, b)
    )[0]
  }
  const firstDose = context.doses.find((dose) => dose.date <= context.assessmentDate)
  const started = assessed.filter(
    ({ evaluation }) =>
      evaluation.validCount > 0 &&
      firstDose !== undefined &&
      canStart(evaluation.series, context.birthDate, firstDose.date)
  )
  if (started.length > 0) {
    return best(started)
  }
  return (
    assessed.find(({ evaluation }) => evaluation.series.defaultSeries) ??
    [...assessed].sort(byPreference)[0]
  )
}

function best(pool: PatientSeries[]): PatientSeries {
  const remaining = (entry: PatientSeries) =>
    entry.forecast.status === 'complete'
      ? 0
      : entry.evaluation.series.doses.length - (entry.forecast.doseNumber ?? 1) + 1
  return [...pool].sort(
    (a, b) =>
      b.evaluation.validCount - a.evaluation.validCount ||
      remaining(a) - remaining(b) ||
      Number(b.evaluation.series.productPath ?? false) -
        Number(a.evaluation.series.productPath ?? false) ||
      byPreference(a, b)
  )[0]
}

/** The date of the last dose that satisfied a target dose. */
function completedOn(entry: PatientSeries): string {
  return [...entry.evaluation.satisfied.values()].sort().at(-1) ?? ''
}

function byPreference(a: PatientSeries, b: PatientSeries) {
  return a.evaluation.series.seriesPreference - b.evaluation.series.seriesPreference
}

function canStart(series: AntigenSeries, birthDate: string, date: string) {
  const from = addDuration(birthDate, series.minAgeToStart)
  const until = addDuration(birthDate, series.maxAgeToStart)
  return (!from || date >= from) && (!until || date < until)
}

function genderMatches(required: string, gender: string | undefined) {
  return gender !== undefined && required.toLowerCase().startsWith(gender.toLowerCase().slice(0, 1))
}
