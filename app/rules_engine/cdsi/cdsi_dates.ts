/**
 * Date arithmetic of the CDSi logic specification (chapter 3, "Calculating
 * dates"): durations such as "6 weeks - 4 days" or "4 years + 4 weeks" are
 * added one part at a time, years and months by the calendar, weeks and days
 * by counting; when adding years or months lands on a day the month does not
 * have (31 April, 29 February in a common year) the date becomes the first day
 * of the next month. Dates are `YYYY-MM-DD` strings, compared as text.
 * @see https://www.cdc.gov/iis/cdsi/index.html
 */

const UNITS = { year: 'years', month: 'months', week: 'weeks', day: 'days' } as const
type Unit = (typeof UNITS)[keyof typeof UNITS]

export interface DurationPart {
  sign: 1 | -1
  amount: number
  unit: Unit
}

/** A duration of the supporting data that cannot be read. */
export class CdsiDurationError extends Error {
  readonly code = 'E_CDSI_DURATION'
  readonly status = 422
}

const parsedDurations = new Map<string, DurationPart[]>()

/** "12 months - 4 days" as its parts, in order; cached (the same few texts recur). */
export function parseDuration(text: string): DurationPart[] {
  let parts = parsedDurations.get(text)
  if (parts) {
    return parts
  }
  parts = []
  const pattern = /([+-])?\s*(\d+)\s*(year|month|week|day)s?/gi
  let rest = text
  for (const match of text.matchAll(pattern)) {
    parts.push({
      sign: match[1] === '-' ? -1 : 1,
      amount: Number(match[2]),
      unit: UNITS[match[3].toLowerCase() as keyof typeof UNITS],
    })
    rest = rest.replace(match[0], '')
  }
  if (parts.length === 0 || rest.trim() !== '') {
    throw new CdsiDurationError(`"${text}" is not a duration such as "6 weeks - 4 days"`)
  }
  parsedDurations.set(text, parts)
  return parts
}

/** `date` plus a duration text; undefined stays undefined (no such limit). */
export function addDuration(date: string, duration: string): string
export function addDuration(date: string, duration: string | undefined): string | undefined
export function addDuration(date: string, duration: string | undefined): string | undefined {
  if (duration === undefined) {
    return undefined
  }
  let [year, month, day] = date.split('-').map(Number)
  for (const { sign, amount, unit } of parseDuration(duration)) {
    const value = sign * amount
    if (unit === 'years' || unit === 'months') {
      const months = year * 12 + (month - 1) + (unit === 'years' ? value * 12 : value)
      year = Math.floor(months / 12)
      month = (months % 12) + 1
      if (day > daysInMonth(year, month)) {
        day = 1
        month = month === 12 ? 1 : month + 1
        year = month === 1 ? year + 1 : year
      }
    } else {
      const shifted = new Date(Date.UTC(year, month - 1, day + value * (unit === 'weeks' ? 7 : 1)))
      year = shifted.getUTCFullYear()
      month = shifted.getUTCMonth() + 1
      day = shifted.getUTCDate()
    }
  }
  return isoDate(year, month, day)
}

/** `date` plus a whole number of days (negative to go back). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number)
  const shifted = new Date(Date.UTC(year, month - 1, day + days))
  return isoDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate())
}

/** The latest of some dates, ignoring missing ones. */
export function latest(...dates: Array<string | undefined>): string | undefined {
  return dates.reduce<string | undefined>(
    (max, date) => (date !== undefined && (max === undefined || date > max) ? date : max),
    undefined
  )
}

/** The earliest of some dates, ignoring missing ones. */
export function earliest(...dates: Array<string | undefined>): string | undefined {
  return dates.reduce<string | undefined>(
    (min, date) => (date !== undefined && (min === undefined || date < min) ? date : min),
    undefined
  )
}

/** "20090806" (supporting data effective dates) or "2009-08-06" as `YYYY-MM-DD`. */
export function supportingDate(text: string | undefined): string | undefined {
  if (text === undefined) {
    return undefined
  }
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  if (compact) {
    return `${compact[1]}-${compact[2]}-${compact[3]}`
  }
  const us = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text)
  return us ? `${us[3]}-${us[1]}-${us[2]}` : text
}

function daysInMonth(year: number, month: number) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function isoDate(year: number, month: number, day: number) {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}
