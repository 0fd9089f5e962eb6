import { addDays, addDuration, latest } from '#rules_engine/cdsi/cdsi_dates'
import { canSkip } from '#rules_engine/cdsi/conditional_skip'
import { liveVirusEarliest } from '#rules_engine/cdsi/live_virus'
import {
  effectiveAge,
  effectiveIntervals,
  intervalStart,
  type AntigenContext,
  type SeriesEvaluation,
} from '#rules_engine/cdsi/series_evaluation'
import { normalCvx, type TargetDoseRule } from '#rules_engine/cdsi/supporting_data'

/** Where a series stands for the forecast (CDSi patient series statuses). */
export const SERIES_STATUSES = {
  'not-complete': 'a dose is needed',
  'complete': 'every target dose is satisfied or skipped',
  'aged-out': 'the patient is past the maximum age of the next dose',
  'immune': 'the patient has evidence of immunity',
} as const
export type SeriesStatus = keyof typeof SERIES_STATUSES

export interface SeriesForecast {
  status: SeriesStatus
  /** The target dose forecast (1-based), when not complete. */
  doseNumber?: number
  earliestDate?: string
  recommendedDate?: string
  pastDueDate?: string
  /** Last day the dose can be given, when it has a maximum age. */
  latestDate?: string
  /** CVX codes of the preferable vaccines for the dose, the forecast ones first. */
  vaccines: string[]
}

/**
 * Forecasts the next target dose of an evaluated series (CDSi logic
 * specification 4.x, chapter 7, "Forecast dates and reasons"): target doses
 * the forecast context can skip are skipped, judged on the later of the
 * assessment date and the dose's own earliest date (the supporting data's
 * "at the earliest forecasted date for next dose");
 * the earliest date is the latest of the minimum age, the minimum intervals
 * (from the last dose given, valid or not), the end of any live virus
 * conflict and the start of the season (influenza); the recommended date the latest of the earliest recommended age and
 * age (or, without one, intervals), never before the earliest date; the past due
 * date the day before the latest recommended age (or, without one, interval),
 * never before the earliest date.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function forecastSeries(
  evaluation: SeriesEvaluation,
  context: AntigenContext
): SeriesForecast {
  const { series } = evaluation
  const { birthDate, assessmentDate } = context
  const given = context.doses.filter((dose) => dose.date <= assessmentDate)
  const state = {
    doses: context.doses,
    satisfied: evaluation.satisfied,
    outcomes: evaluation.outcomes,
  }
  let target = evaluation.nextTarget
  while (
    target < series.doses.length &&
    canSkip(series.doses[target].conditionalSkip, 'Forecast', {
      birthDate,
      referenceDate: latest(assessmentDate, minimumDates(series.doses[target]).earliest)!,
      priorDoses: given,
      validIds: evaluation.validIds,
    })
  ) {
    target++
  }
  if (target >= series.doses.length) {
    return { status: 'complete', vaccines: [] }
  }
  const rule = series.doses[target]
  const vaccines = forecastVaccines(rule)
  const { age, fromIntervals, earliest: byAgeAndInterval } = minimumDates(rule)
  const earliestDate = latest(
    byAgeAndInterval,
    liveVirusEarliest(vaccines, context.allDoses, context.data, assessmentDate),
    rule.seasonalStart
  )!
  const recommended =
    addDuration(birthDate, age.earliestRecAge) ?? latest(...fromIntervals('earliestRecInt'))
  const recommendedDate = latest(recommended, earliestDate)!
  const pastDue =
    addDuration(birthDate, age.latestRecAge) ?? latest(...fromIntervals('latestRecInt'))
  const maximum = addDuration(birthDate, age.maxAge)
  const latestDate = maximum === undefined ? undefined : addDays(maximum, -1)
  if (latestDate !== undefined && (assessmentDate > latestDate || earliestDate > latestDate)) {
    return { status: 'aged-out', doseNumber: rule.dose, latestDate, vaccines }
  }
  return {
    status: 'not-complete',
    doseNumber: rule.dose,
    earliestDate,
    recommendedDate,
    ...(pastDue !== undefined && { pastDueDate: latest(addDays(pastDue, -1), earliestDate) }),
    ...(latestDate !== undefined && { latestDate }),
    vaccines,
  }

  /** A target dose's age limits, interval dates and earliest date by age and intervals. */
  function minimumDates(dose: TargetDoseRule) {
    const limits = effectiveAge(dose.ages, assessmentDate) ?? {}
    const intervals = effectiveIntervals(dose.intervals, assessmentDate).map((interval) => ({
      interval,
      from: intervalStart(interval, { date: addDays(assessmentDate, 1) }, state),
    }))
    const datesOf = (key: 'minInt' | 'earliestRecInt' | 'latestRecInt') =>
      intervals.map(({ interval, from }) =>
        from === undefined ? undefined : addDuration(from, interval[key])
      )
    return {
      age: limits,
      fromIntervals: datesOf,
      earliest: latest(addDuration(birthDate, limits.minAge) ?? birthDate, ...datesOf('minInt'))!,
    }
  }
}

function forecastVaccines(rule: TargetDoseRule): string[] {
  const preferable = rule.preferable ?? []
  return [
    ...preferable.filter((vaccine) => vaccine.forecast),
    ...preferable.filter((vaccine) => !vaccine.forecast),
  ].map((vaccine) => normalCvx(vaccine.cvx))
}
