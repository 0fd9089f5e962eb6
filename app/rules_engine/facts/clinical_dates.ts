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
  return calendarDay(fallback)
}

/**
 * The calendar day an instant falls on where the node is (its `TZ`), as a
 * UTC-midnight DateTime comparable with the dates records carry. A clinic in
 * Nairobi recording at 01:00 on the 15th is on the 15th, not the 14th.
 */
export function calendarDay(instant: Date): DateTime {
  return DateTime.fromISO(DateTime.fromJSDate(instant).toISODate()!, { zone: 'utc' })
}

/** Today's calendar day where the node is, `YYYY-MM-DD`. */
export function localToday(now = new Date()): string {
  return calendarDay(now).toISODate()!
}

/** Local midnight of a `YYYY-MM-DD` day: an evaluation date whose calendar day is that day. */
export function startOfLocalDay(day: string): Date {
  return DateTime.fromISO(day).startOf('day').toJSDate()
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
