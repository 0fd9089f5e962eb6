/**
 * The instants, in UTC, at which the period a date value covers starts and
 * ends, both inclusive (ISO 8601 with milliseconds). `null` is an open end:
 * a Period with no start began at an unknown time, one with no end is ongoing.
 */
export interface DateRange {
  start: string | null
  end: string | null
}

/** A date value's range with both ends known, as every written date has. */
export interface ClosedDateRange {
  start: string
  end: string
}

/**
 * Date search prefixes (https://hl7.org/fhir/R4/search.html#prefix). `ap`
 * (approximately) is left out: its width is the server's to choose and a
 * clinic gets nothing from it that `ge`/`le` do not give.
 */
export const DATE_PREFIXES = {
  eq: 'the value lies within the parameter',
  ne: 'the value does not lie within the parameter',
  lt: 'the value starts before the parameter',
  gt: 'the value ends after the parameter',
  le: 'the value starts before the parameter or lies within it',
  ge: 'the value ends after the parameter or lies within it',
  sa: 'the value starts after the parameter ends',
  eb: 'the value ends before the parameter starts',
} as const

export type DatePrefix = keyof typeof DATE_PREFIXES

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/

const MINUTE = 60_000
const DAY = 86_400_000

/**
 * The period a FHIR `date`, `dateTime` or `instant` covers, given its
 * precision: `2012` covers the whole year, `2012-05-29` the whole day,
 * `2012-05-29T23:45:32Z` that second. A time without a zone is read as UTC,
 * and minutes without seconds are accepted because search values may stop
 * there (https://hl7.org/fhir/R4/search.html#date). Returns `null` for
 * anything else, including impossible dates such as `2013-02-30`.
 */
export function parseDateRange(text: string): ClosedDateRange | null {
  const match = DATE_PATTERN.exec(text)
  if (!match) {
    return null
  }
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fraction, zone] = match
  const year = Number(yearText)
  const month = monthText === undefined ? 1 : Number(monthText)
  const day = dayText === undefined ? 1 : Number(dayText)
  const hour = Number(hourText ?? 0)
  const minute = Number(minuteText ?? 0)
  const second = Number(secondText ?? 0)
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return null
  }
  const offset = zone === undefined ? 0 : zoneOffsetMinutes(zone)
  if (offset === null) {
    return null
  }

  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'))
  const start = utcMillis(year, month - 1, day) + (hour * 60 + minute - offset) * MINUTE
  const exactStart = start + second * 1000 + millis
  let end: number
  if (monthText === undefined) {
    end = utcMillis(year + 1, 0, 1) - 1
  } else if (dayText === undefined) {
    end = utcMillis(year, month, 1) - 1
  } else if (hourText === undefined) {
    end = start + DAY - 1
  } else if (secondText === undefined) {
    end = start + MINUTE - 1
  } else if (fraction === undefined) {
    end = exactStart + 999
  } else {
    end = exactStart + Math.max(10 ** (3 - fraction.length) - 1, 0)
  }
  return { start: toIso(exactStart), end: toIso(end) }
}

/**
 * Whether an indexed date range matches one date search value, following
 * the prefix table of https://hl7.org/fhir/R4/search.html#prefix. This is
 * the reference the SQL translation must agree with; with `vs..ve` the
 * value's range (`null` ends open) and `ps..pe` the parameter's:
 *
 * - eq: vs >= ps and ve <= pe (both ends known); ne: not eq
 * - lt: vs < ps; gt: ve > pe
 * - le: vs < ps or ve <= pe; ge: ve > pe or vs >= ps
 * - sa: vs > pe; eb: ve < ps
 *
 * ISO instants in UTC with milliseconds compare correctly as strings.
 */
export function dateRangeMatches(
  value: DateRange,
  search: { prefix: DatePrefix; start: string; end: string }
): boolean {
  const startsBefore = (instant: string) => value.start === null || value.start < instant
  const endsAfter = (instant: string) => value.end === null || value.end > instant
  const within =
    value.start !== null &&
    value.end !== null &&
    value.start >= search.start &&
    value.end <= search.end

  switch (search.prefix) {
    case 'eq':
      return within
    case 'ne':
      return !within
    case 'lt':
      return startsBefore(search.start)
    case 'gt':
      return endsAfter(search.end)
    case 'le':
      return startsBefore(search.start) || (value.end !== null && value.end <= search.end)
    case 'ge':
      return endsAfter(search.end) || (value.start !== null && value.start >= search.start)
    case 'sa':
      return value.start !== null && value.start > search.end
    case 'eb':
      return value.end !== null && value.end < search.start
    default:
      return search.prefix satisfies never
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMillis(year, month, 1) - 1).getUTCDate()
}

/** `Date.UTC` reads years 0-99 as 1900-1999; FHIR years are literal. */
function utcMillis(year: number, monthIndex: number, day: number): number {
  const date = new Date(0)
  date.setUTCFullYear(year, monthIndex, day)
  return date.getTime()
}

function zoneOffsetMinutes(zone: string): number | null {
  if (zone === 'Z') {
    return 0
  }
  const hours = Number(zone.slice(1, 3))
  const minutes = Number(zone.slice(4, 6))
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) {
    return null
  }
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
}

function toIso(millis: number): string {
  return new Date(millis).toISOString()
}
