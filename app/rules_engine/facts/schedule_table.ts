import type { DataRow, JsonValue } from '#rules_engine/pack_types'

/*
 * A dose schedule is a `data` table with one row per dose of a series. Columns:
 *   series            name of the series ("penta"); the rows of a series are its doses
 *   doseNumber        1..n, without gaps
 *   vaccineCodes      list of accepted codes (["102", "198"]); digit-only codes match
 *                     without leading zeros ("08" = "8")
 *   system            code system of those codes (omitted: any system)
 *   display           display text of the first code, for the proposed Coding
 *   minAgeDays        youngest age at which the dose counts
 *   recommendedAgeDays  age at which it is due (default minAgeDays)
 *   overdueAgeDays    age from which it is overdue (default 28 days after the recommended age)
 *   maxAgeDays        oldest age at which it is given and counts (the catch-up limit)
 *   minIntervalDays   shortest interval after the previous valid dose of the series
 *   notNeededIfOnlyCodes  the dose is not needed when every earlier valid dose has one of
 *                     these codes (rotavirus: no third dose after two monovalent doses)
 *   notNeededIfPreviousAtAgeDays  the dose is not needed when the previous valid dose was
 *                     given at or after this age (fewer doses for late starters)
 */

/** WHO sets no overdue age; four weeks after the recommended age is the usual defaulter threshold. */
const DEFAULT_OVERDUE_AFTER_DAYS = 28

/** A row of a dose schedule, read and checked. */
export type DoseRule = ReturnType<typeof readRule>

/** A schedule table a pack cannot be evaluated with; pack tests surface it. */
export class ScheduleTableError extends Error {
  readonly code = 'E_SCHEDULE_TABLE'
  readonly status = 422
}

/** Pack data never changes once loaded: each table is read into rules once. */
const schedules = new WeakMap<object, ReturnType<typeof readSchedule>>()

export function parsedSchedule(rows: DataRow[], table: string) {
  let schedule = schedules.get(rows)
  if (!schedule) {
    schedule = readSchedule(rows, table)
    schedules.set(rows, schedule)
  }
  return schedule
}

/** The table's rows as dose rules by series, in table order, checked column by column. */
export function readSchedule(rows: DataRow[], table: string): Map<string, DoseRule[]> {
  const schedule = new Map<string, DoseRule[]>()
  rows.forEach((row, index) => {
    const rule = readRule(row, `row ${index} of table "${table}"`)
    schedule.set(rule.series, [...(schedule.get(rule.series) ?? []), rule])
  })
  for (const [series, rules] of schedule) {
    rules.sort((a, b) => a.doseNumber - b.doseNumber)
    if (rules.some((rule, index) => rule.doseNumber !== index + 1)) {
      const message = `series "${series}" of table "${table}" must number its doses 1 to ${rules.length}`
      throw new ScheduleTableError(message)
    }
  }
  return schedule
}

function readRule(row: DataRow, at: string) {
  const fail = (message: string): never => {
    throw new ScheduleTableError(`${at}: ${message}`)
  }
  const days = (column: string, fallback?: number): number => {
    const value = row[column] ?? fallback
    return typeof value === 'number' && Number.isInteger(value) && value >= 0
      ? value
      : fail(`"${column}" must be a whole number of days`)
  }
  const optionalDays = (column: string) => (row[column] === undefined ? undefined : days(column))
  const codes = (column: string): string[] => {
    const value = row[column]
    return Array.isArray(value) && value.length > 0 && value.every(isCode)
      ? value.map(String)
      : fail(`"${column}" must be a list of codes`)
  }
  const text = (column: string): string | undefined => {
    const value = row[column]
    return value === undefined || typeof value === 'string'
      ? value
      : fail(`"${column}" must be text`)
  }
  const minAgeDays = days('minAgeDays')
  const recommendedAgeDays = days('recommendedAgeDays', minAgeDays)
  const overdueAgeDays = days('overdueAgeDays', recommendedAgeDays + DEFAULT_OVERDUE_AFTER_DAYS)
  if (recommendedAgeDays < minAgeDays || overdueAgeDays <= recommendedAgeDays) {
    fail('ages must be minAgeDays <= recommendedAgeDays < overdueAgeDays')
  }
  return {
    series: text('series') || fail('"series" is required'),
    doseNumber: days('doseNumber'),
    vaccineCodes: codes('vaccineCodes'),
    system: text('system'),
    display: text('display'),
    minAgeDays,
    recommendedAgeDays,
    overdueAgeDays,
    maxAgeDays: optionalDays('maxAgeDays'),
    minIntervalDays: days('minIntervalDays', 0),
    notNeededIfOnlyCodes:
      row.notNeededIfOnlyCodes === undefined ? undefined : codes('notNeededIfOnlyCodes'),
    notNeededIfPreviousAtAgeDays: optionalDays('notNeededIfPreviousAtAgeDays'),
  }
}

function isCode(value: JsonValue): boolean {
  return (typeof value === 'string' && value.length > 0) || typeof value === 'number'
}
