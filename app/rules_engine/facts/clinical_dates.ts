import { DateTime } from 'luxon'

/**
 * The date a resource is about (when the dose was given, the weight
 * measured...), not when it was recorded: ages and intervals are computed
 * from it. Falls back to `fallback` (the evaluation's "today").
 */
export function clinicalDate(resource: Record<string, any>, fallback: Date): DateTime {
  const candidates = [
    resource.occurrenceDateTime,
    resource.effectiveDateTime,
    resource.effectiveInstant,
    resource.effectivePeriod?.start,
    resource.period?.start,
    resource.onsetDateTime,
    resource.recordedDate,
    resource.date,
    resource.issued,
  ]
  for (const candidate of candidates) {
    if (typeof candidate === 'string') {
      const date = parseFhirDate(candidate)
      if (date) {
        return date
      }
    }
  }
  return DateTime.fromJSDate(fallback, { zone: 'utc' }).startOf('day')
}

/** A FHIR date or dateTime as a UTC calendar day; partial dates take their first day. */
export function parseFhirDate(text: string): DateTime | undefined {
  const day = text.slice(0, 10)
  const padded = day.length === 4 ? `${day}-01-01` : day.length === 7 ? `${day}-01` : day
  const date = DateTime.fromISO(padded, { zone: 'utc' })
  return date.isValid ? date.startOf('day') : undefined
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: DateTime, to: DateTime): number {
  return Math.round(to.startOf('day').diff(from.startOf('day'), 'days').days)
}
