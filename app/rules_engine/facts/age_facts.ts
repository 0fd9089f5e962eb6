import type { Almanac } from 'json-rules-engine'
import type { Evaluation } from '#rules_engine/evaluation'
import { defineFact } from '#rules_engine/fact_provider'
import type { FactParams } from '#rules_engine/pack_types'
import { clinicalDate, daysBetween, parseFhirDate } from '#rules_engine/facts/clinical_dates'

/**
 * The patient's age in days at the resource's clinical date (`at: "event"`,
 * the default) or at the evaluation's date (`at: "today"`); null without a
 * birth date.
 */
async function ageInDays(params: FactParams, evaluation: Evaluation, almanac: Almanac) {
  const patient = (await almanac.factValue('patient')) as Record<string, any> | null
  const birth =
    typeof patient?.birthDate === 'string' ? parseFhirDate(patient.birthDate) : undefined
  if (!birth) {
    return null
  }
  const at =
    params.at === 'today'
      ? clinicalDate({}, evaluation.asOf)
      : clinicalDate(evaluation.resource, evaluation.asOf)
  return daysBetween(birth, at)
}

export const ageDaysFact = defineFact({
  id: 'ageDays',
  description: 'age in days at the event (params: at = "event" | "today"); null without birth date',
  compute: ageInDays,
})

export const ageMonthsFact = defineFact({
  id: 'ageMonths',
  description: 'age in completed months at the event (params: at = "event" | "today")',
  async compute(params, evaluation, almanac) {
    const days = await ageInDays(params, evaluation, almanac)
    return days === null ? null : Math.floor(days / 30.4375)
  },
})

/**
 * The row of a `data` table whose age band holds the patient's age:
 * `fromAgeDays <= age < toAgeDays`. Null when no row does.
 */
export const ageBandFact = defineFact({
  id: 'ageBand',
  description: 'the row of data table `table` with fromAgeDays <= age in days < toAgeDays',
  async compute(params, evaluation, almanac) {
    const days = await ageInDays(params, evaluation, almanac)
    const rows = evaluation.pack.data?.[String(params.table)] ?? []
    if (days === null) {
      return null
    }
    return (
      rows.find(
        (row) => Number(row.fromAgeDays) <= days && days < Number(row.toAgeDays ?? Infinity)
      ) ?? null
    )
  },
})

/** How precise the birth date is: an estimated one is often entered as a year or a month. */
export const birthDatePrecisionFact = defineFact({
  id: 'birthDatePrecision',
  description: 'precision of the patient\'s birth date: "year", "month", "day", or null',
  async compute(_params, _evaluation, almanac) {
    const patient = (await almanac.factValue('patient')) as Record<string, any> | null
    const text: unknown = patient?.birthDate
    if (typeof text !== 'string') {
      return null
    }
    return text.length === 4 ? 'year' : text.length === 7 ? 'month' : 'day'
  },
})
