import type { DateTime } from 'luxon'
import { defineFact } from '#rules_engine/fact_provider'
import type { Coding } from '#rules_engine/pack_types'
import {
  parsedSchedule,
  ScheduleTableError,
  type DoseRule,
} from '#rules_engine/facts/schedule_table'
import { clinicalDate, daysBetween, parseFhirDate } from '#rules_engine/facts/clinical_dates'
import type { HistoryDose } from '#rules_engine/facts/history_facts'

/** Where a series stands as of the evaluation date; `complete` has no next dose. */
export const SCHEDULE_STATUSES = {
  'upcoming': 'the next dose is not yet at its recommended date',
  'due': 'the next dose is at or past its recommended date',
  'overdue': 'the next dose is past its overdue date',
  'aged-out': 'the patient is past the last age at which the next dose is given',
  'complete': 'every dose the series needs is valid',
} as const
export type ScheduleStatus = keyof typeof SCHEDULE_STATUSES

/** Why a recorded dose does not count. */
export const DOSE_PROBLEMS = {
  'vaccine-not-accepted': 'this dose of the series does not accept that vaccine',
  'too-young': 'given before the minimum age',
  'too-old': 'given after the maximum age',
  'interval-too-short': 'given before the minimum interval after the previous valid dose',
  'series-complete': 'given after the series was complete',
} as const
export type DoseProblem = keyof typeof DOSE_PROBLEMS

/** A recorded immunization of the series and whether it counts. */
export interface AssessedDose {
  date: string
  code: string
  /** The dose of the series it was assessed for. */
  doseNumber: number
  valid: boolean
  problem?: DoseProblem
}

export interface NextDose {
  series: string
  doseNumber: number
  vaccineCode: Coding
  vaccineCodes: string[]
  earliestDate: string
  dueDate: string
  overdueDate: string
  /** Last day the dose may be given, or null without a maximum age. */
  latestDate: string | null
  status: Exclude<ScheduleStatus, 'complete'>
}

export interface SeriesStatus {
  series: string
  status: ScheduleStatus
  complete: boolean
  validDoses: number
  doses: AssessedDose[]
  next: NextDose | null
}

export interface ScheduleOverview {
  series: SeriesStatus[]
  /** The next dose of every incomplete series (aged-out ones included). */
  next: NextDose[]
  /** The next doses that are due or overdue. */
  due: NextDose[]
}

/**
 * The patient's status in a dose schedule held in the pack's `data[table]`:
 * which recorded doses are valid (a dose given too young, too old, too soon
 * after the previous valid one or with another vaccine does not count, and
 * the next valid one fills its slot), and the next dose with its earliest,
 * due and overdue dates as of the evaluation date. With `series`, that
 * series' {@link SeriesStatus}; without, a {@link ScheduleOverview} of every
 * series. Null when the patient or the birth date is unknown.
 * @see https://www.who.int/teams/immunization-vaccines-and-biologicals/policies/who-recommendations-for-routine-immunization---summary-tables
 */
export const scheduleStatusFact = defineFact({
  id: 'scheduleStatus',
  description:
    'status in the dose schedule of data table `table` (params: table, series): valid doses and the next dose with its dates',
  async compute(params, evaluation, almanac) {
    const table = String(params.table)
    const rows = evaluation.pack.data?.[table]
    if (!rows) {
      throw new ScheduleTableError(`no table "${table}" in "data"`)
    }
    const schedule = parsedSchedule(rows, table)
    const series = params.series === undefined ? undefined : String(params.series)
    if (series !== undefined && !schedule.has(series)) {
      throw new ScheduleTableError(`no series "${series}" in table "${table}"`)
    }
    const patient = (await almanac.factValue('patient')) as Record<string, any> | null
    const birth =
      typeof patient?.birthDate === 'string' ? parseFhirDate(patient.birthDate) : undefined
    if (!birth) {
      return null
    }
    const today = clinicalDate({}, evaluation.asOf)
    const history = ((await almanac.factValue('immunizationHistory')) as HistoryDose[]).filter(
      (dose) => dose.date <= today.toISODate()!
    )
    if (series !== undefined) {
      return assessSeries(schedule.get(series)!, history, birth, today)
    }
    const statuses = [...schedule.values()].map((rules) =>
      assessSeries(rules, history, birth, today)
    )
    const next = statuses.flatMap((status) => (status.next ? [status.next] : []))
    return {
      series: statuses,
      next,
      due: next.filter((dose) => dose.status === 'due' || dose.status === 'overdue'),
    } satisfies ScheduleOverview
  },
})

/** Assesses one series' recorded doses in date order, then finds its next dose. */
export function assessSeries(
  rules: DoseRule[],
  history: HistoryDose[],
  birth: DateTime,
  today: DateTime
): SeriesStatus {
  const doses: AssessedDose[] = []
  const valid: Array<{ date: DateTime; code: string }> = []
  for (const given of history) {
    const code = rules.map((rule) => acceptedCode(rule, given)).find(Boolean)
    if (!code) {
      continue
    }
    const date = parseFhirDate(given.date)!
    const rule = neededRule(rules, valid, birth)
    const problem = doseProblem(rule, given, date, valid.at(-1)?.date, birth)
    doses.push({
      date: date.toISODate()!,
      code,
      doseNumber: rule?.doseNumber ?? valid.length + 1,
      valid: problem === undefined,
      ...(problem !== undefined && { problem }),
    })
    if (rule && problem === undefined) {
      valid.push({ date, code: acceptedCode(rule, given)! })
    }
  }
  const rule = neededRule(rules, valid, birth)
  const next = rule ? nextDose(rule, valid.at(-1)?.date, birth, today) : null
  return {
    series: rules[0].series,
    status: next?.status ?? 'complete',
    complete: next === null,
    validDoses: valid.length,
    doses,
    next,
  }
}

function doseProblem(
  rule: DoseRule | undefined,
  given: HistoryDose,
  date: DateTime,
  previous: DateTime | undefined,
  birth: DateTime
): DoseProblem | undefined {
  if (!rule) {
    return 'series-complete'
  }
  const age = daysBetween(birth, date)
  const interval = previous ? daysBetween(previous, date) : Infinity
  const checks: Array<[DoseProblem, boolean]> = [
    ['vaccine-not-accepted', !acceptedCode(rule, given)],
    ['too-young', age < rule.minAgeDays],
    ['too-old', age > (rule.maxAgeDays ?? Infinity)],
    ['interval-too-short', interval < rule.minIntervalDays],
  ]
  return checks.find(([, failed]) => failed)?.[0]
}

/** The rule of the next dose the series needs, or undefined when it is complete. */
function neededRule(
  rules: DoseRule[],
  valid: Array<{ date: DateTime; code: string }>,
  birth: DateTime
): DoseRule | undefined {
  const rule = rules[valid.length]
  const previous = valid.at(-1)
  const onlyCodes = rule?.notNeededIfOnlyCodes
  const lateAge = rule?.notNeededIfPreviousAtAgeDays
  const notNeeded =
    previous &&
    ((onlyCodes && valid.every(({ code }) => onlyCodes.some((only) => sameCode(only, code)))) ||
      (lateAge !== undefined && daysBetween(birth, previous.date) >= lateAge))
  return notNeeded ? undefined : rule
}

/**
 * Earliest = the later of the minimum age and the minimum interval after the
 * previous valid dose; due = the later of the recommended age and earliest;
 * overdue keeps the table's window after the due date, so a late earlier dose
 * moves all three.
 */
function nextDose(
  rule: DoseRule,
  previous: DateTime | undefined,
  birth: DateTime,
  today: DateTime
): NextDose {
  const byAge = birth.plus({ days: rule.minAgeDays })
  const byInterval = previous?.plus({ days: rule.minIntervalDays })
  const earliest = byInterval && byInterval > byAge ? byInterval : byAge
  const recommended = birth.plus({ days: rule.recommendedAgeDays })
  const due = recommended > earliest ? recommended : earliest
  const overdue = due.plus({ days: rule.overdueAgeDays - rule.recommendedAgeDays })
  const latest = rule.maxAgeDays === undefined ? undefined : birth.plus({ days: rule.maxAgeDays })
  const status =
    latest && (today > latest || earliest > latest)
      ? 'aged-out'
      : today < due
        ? 'upcoming'
        : today < overdue
          ? 'due'
          : 'overdue'
  return {
    series: rule.series,
    doseNumber: rule.doseNumber,
    vaccineCode: {
      ...(rule.system !== undefined && { system: rule.system }),
      code: rule.vaccineCodes[0],
      ...(rule.display !== undefined && { display: rule.display }),
    } as Coding,
    vaccineCodes: rule.vaccineCodes,
    earliestDate: earliest.toISODate()!,
    dueDate: due.toISODate()!,
    overdueDate: overdue.toISODate()!,
    latestDate: latest?.toISODate() ?? null,
    status,
  }
}

/** The row's code that one of the dose's codings carries, if any. */
function acceptedCode(rule: DoseRule, given: HistoryDose): string | undefined {
  const codings = given.codes.filter(
    ({ system }) => rule.system === undefined || system === rule.system
  )
  return rule.vaccineCodes.find((accepted) => codings.some(({ code }) => sameCode(accepted, code)))
}

function sameCode(a: string, b: string | undefined): boolean {
  return a === b || (/^\d+$/.test(a) && /^\d+$/.test(b ?? '') && Number(a) === Number(b))
}

export { readSchedule, ScheduleTableError, type DoseRule } from '#rules_engine/facts/schedule_table'
