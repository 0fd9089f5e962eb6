import { parseFhirDate } from '#rules_engine/facts/clinical_dates'

/**
 * Calendar-day comparisons of FHIR dates and dateTimes (`2024-03-15`,
 * `2024-03-15T10:00:00+03:00`, or partial `2024-03`). A missing or unreadable
 * date never matches, so a rule cannot fire on absent data by accident.
 */
function compare(check: (difference: number) => boolean) {
  return (factValue: unknown, jsonValue: unknown) => {
    if (typeof factValue !== 'string' || typeof jsonValue !== 'string') {
      return false
    }
    const left = parseFhirDate(factValue)
    const right = parseFhirDate(jsonValue)
    return left !== undefined && right !== undefined && check(left.toMillis() - right.toMillis())
  }
}

export const DATE_OPERATORS = {
  dateBefore: compare((difference) => difference < 0),
  dateOnOrBefore: compare((difference) => difference <= 0),
  dateAfter: compare((difference) => difference > 0),
  dateOnOrAfter: compare((difference) => difference >= 0),
} as const
