const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/

/**
 * Reads an RFC 3339 date-time with a time offset (the form both a syslog TIMESTAMP and a
 * DICOM EventDateTime take), or returns null. Calendar dates are checked, leap seconds
 * refused (RFC 5424 §6.2.3 forbids them) and fractions beyond milliseconds truncated.
 * @see https://www.rfc-editor.org/rfc/rfc3339#section-5.6
 */
export function parseRfc3339(text: string, maxFractionDigits = Infinity): Date | null {
  const match = DATE_TIME.exec(text)
  if (!match) {
    return null
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number)
  const fraction = match[7] ?? ''
  const offsetHours = Number(match[10] ?? 0)
  const offsetMinutes = Number(match[11] ?? 0)
  const valid =
    fraction.length <= maxFractionDigits &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  if (!valid) {
    return null
  }
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3))
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, milliseconds))
  // Date.UTC reads the years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day)
  const offsetMs = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000
  return new Date(date.getTime() - offsetMs)
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
    return leap ? 29 : 28
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}
