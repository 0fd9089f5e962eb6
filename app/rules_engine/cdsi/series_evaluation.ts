import { addDuration } from '#rules_engine/cdsi/cdsi_dates'
import type { AdministeredDose, AntigenDose } from '#rules_engine/cdsi/antigen_doses'
import { canSkip } from '#rules_engine/cdsi/conditional_skip'
import { liveVirusConflict } from '#rules_engine/cdsi/live_virus'
import {
  normalCvx,
  type AgeLimits,
  type AntigenSeries,
  type IntervalRule,
  type SupportingData,
  type TargetDoseRule,
  type VaccineRule,
} from '#rules_engine/cdsi/supporting_data'

/** Why a dose does not count, in the CDSi's evaluation reasons. */
export const EVALUATION_REASONS = {
  'age-too-young': 'Age: Too Young',
  'age-too-old': 'Age: Too Old',
  'interval-too-short': 'Interval: too short',
  'inadvertent-vaccine': 'Inadvertent Vaccine',
  'live-virus-conflict': 'Live Virus Conflict',
  'vaccine-not-allowed': 'Vaccine: not allowable',
  'series-complete': 'Series Already Complete',
} as const
export type EvaluationReason = keyof typeof EVALUATION_REASONS

export type DoseStatus = 'valid' | 'not-valid' | 'extraneous'

/** The evaluation of one antigen dose against one series. */
export interface DoseOutcome {
  dose: AntigenDose
  status: DoseStatus
  reasons: EvaluationReason[]
  /** The target dose it was evaluated against (1-based), if any. */
  targetDose?: number
}

/** Where one series stands after its doses were evaluated. */
export interface SeriesEvaluation {
  series: AntigenSeries
  outcomes: DoseOutcome[]
  /** Index of the first target dose not yet satisfied; `doses.length` when complete. */
  nextTarget: number
  /** Date of the dose that satisfied each target dose (by 1-based number); skipped ones are absent. */
  satisfied: Map<number, string>
  validCount: number
  /** Ids of the doses found valid. */
  validIds: Set<string>
}

/** Everything the evaluation of one antigen needs. */
export interface AntigenContext {
  birthDate: string
  assessmentDate: string
  doses: AntigenDose[]
  /** Every dose the patient received, of any vaccine (live virus conflicts). */
  allDoses: AdministeredDose[]
  data: SupportingData
}

/**
 * Evaluates the antigen doses against one series (CDSi logic specification
 * 4.x, chapter 6, "Evaluate vaccine dose administered"), oldest first: a
 * target dose that can be skipped is skipped; an inadvertent vaccine is not
 * valid; then age (the absolute minimum age, which holds the four-day grace
 * period, and the maximum age), preferable and allowable intervals, live virus
 * conflicts and preferable or allowable vaccine decide. A valid dose
 * satisfies the target dose; a recurring last target dose is satisfied again
 * and again; doses after the series is complete are extraneous.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function evaluateSeries(series: AntigenSeries, context: AntigenContext): SeriesEvaluation {
  const { birthDate, doses } = context
  const outcomes: DoseOutcome[] = []
  const satisfied = new Map<number, string>()
  const validIds = new Set<string>()
  const notValid = new Set<string>()
  let target = 0
  for (const [index, dose] of doses.entries()) {
    if (dose.date > context.assessmentDate) {
      break
    }
    const prior = doses.slice(0, index)
    while (
      target < series.doses.length &&
      canSkip(series.doses[target].conditionalSkip, 'Evaluation', {
        birthDate,
        referenceDate: dose.date,
        priorDoses: prior,
        validIds,
      })
    ) {
      target++
    }
    if (target >= series.doses.length) {
      outcomes.push({ dose, status: 'extraneous', reasons: ['series-complete'] })
      continue
    }
    const rule = series.doses[target]
    const reasons = doseProblems(rule, dose, { ...context, satisfied, outcomes })
    if (reasons.length === 0) {
      outcomes.push({ dose, status: 'valid', reasons, targetDose: rule.dose })
      satisfied.set(rule.dose, dose.date)
      validIds.add(dose.id)
      if (!(rule.recurring && target === series.doses.length - 1)) {
        target++
      }
    } else {
      const extraneous = reasons.length === 1 && reasons[0] === 'age-too-old'
      notValid.add(dose.id)
      outcomes.push({
        dose,
        status: extraneous ? 'extraneous' : 'not-valid',
        reasons,
        targetDose: rule.dose,
      })
    }
  }
  return { series, outcomes, nextTarget: target, satisfied, validCount: validIds.size, validIds }

  function doseProblems(
    rule: TargetDoseRule,
    dose: AntigenDose,
    state: AntigenContext & { satisfied: Map<number, string>; outcomes: DoseOutcome[] }
  ): EvaluationReason[] {
    if ((rule.inadvertent ?? []).some((code) => normalCvx(code) === dose.cvx)) {
      return ['inadvertent-vaccine']
    }
    const reasons: EvaluationReason[] = []
    const age = effectiveAge(rule.ages, dose.date)
    const ageProblem = age ? checkAge(age, dose.date, birthDate) : undefined
    if (ageProblem) {
      reasons.push(ageProblem)
    }
    if (!intervalsMet(rule, dose, state)) {
      reasons.push('interval-too-short')
    }
    if (liveVirusConflict(dose, state.allDoses, state.data, notValid)) {
      reasons.push('live-virus-conflict')
    }
    if (
      !vaccineFits(rule.preferable, dose, birthDate) &&
      !vaccineFits(rule.allowable, dose, birthDate)
    ) {
      reasons.push('vaccine-not-allowed')
    }
    return reasons
  }
}

/** A not-valid inadvertent dose is not the "previous dose" intervals count from. */
export function countsAsPrevious(outcome: DoseOutcome): boolean {
  return !outcome.reasons.includes('inadvertent-vaccine') && outcome.status !== 'extraneous'
}

/** The age limits in force on a date (Polio dose 4 changed in August 2009). */
export function effectiveAge(ages: AgeLimits[], date: string): AgeLimits | undefined {
  return ages.find(
    (age) =>
      (!age.effectiveDate || date >= age.effectiveDate) &&
      (!age.cessationDate || date <= age.cessationDate)
  )
}

/** The intervals in force on a date. */
export function effectiveIntervals(
  intervals: IntervalRule[] | undefined,
  date: string
): IntervalRule[] {
  return (intervals ?? []).filter(
    (interval) =>
      (!interval.effectiveDate || date >= interval.effectiveDate) &&
      (!interval.cessationDate || date <= interval.cessationDate)
  )
}

/**
 * The absolute minimum age holds the four-day grace period: a dose from it
 * counts, one before it is too young; from the maximum age it is too old.
 */
function checkAge(age: AgeLimits, date: string, birthDate: string): EvaluationReason | undefined {
  const absoluteMinimum = addDuration(birthDate, age.absMinAge ?? age.minAge)
  const maximum = addDuration(birthDate, age.maxAge)
  if (absoluteMinimum && date < absoluteMinimum) {
    return 'age-too-young'
  }
  if (maximum && date >= maximum) {
    return 'age-too-old'
  }
  return undefined
}

/**
 * Every preferable interval from its absolute minimum (which holds the grace
 * period), or failing that every allowable interval.
 */
function intervalsMet(
  rule: TargetDoseRule,
  dose: AntigenDose,
  state: { doses: AntigenDose[]; satisfied: Map<number, string>; outcomes: DoseOutcome[] }
): boolean {
  const check = (intervals: IntervalRule[]) =>
    intervals.every((interval) => {
      const from = intervalStart(interval, dose, state)
      const absoluteMinimum =
        from === undefined ? undefined : addDuration(from, interval.absMinInt ?? interval.minInt)
      return absoluteMinimum === undefined || dose.date >= absoluteMinimum
    })
  if (check(effectiveIntervals(rule.intervals, dose.date))) {
    return true
  }
  const allowable = effectiveIntervals(rule.allowableIntervals, dose.date)
  return allowable.length > 0 && check(allowable)
}

/**
 * The date an interval counts from: the previous dose (evaluated, not
 * inadvertent), the dose that satisfied a target dose, or the most recent dose
 * of some vaccines; undefined when there is none (the interval does not apply).
 */
export function intervalStart(
  interval: IntervalRule,
  dose: { date: string; id?: string },
  state: { doses: AntigenDose[]; satisfied: Map<number, string>; outcomes: DoseOutcome[] }
): string | undefined {
  if (interval.previous) {
    return [...state.outcomes].reverse().find((outcome) => countsAsPrevious(outcome))?.dose.date
  }
  if (interval.targetDose !== undefined) {
    return state.satisfied.get(interval.targetDose)
  }
  if (interval.mostRecent) {
    const codes = interval.mostRecent.map(normalCvx)
    return [...state.doses]
      .reverse()
      .find((given) => given.date < dose.date && given.id !== dose.id && codes.includes(given.cvx))
      ?.date
  }
  return undefined
}

/** Whether a dose's vaccine is one of these, at the patient's age that day (and trade name). */
export function vaccineFits(
  vaccines: VaccineRule[] | undefined,
  dose: AntigenDose,
  birthDate: string
): boolean {
  return (vaccines ?? []).some((vaccine) => {
    if (normalCvx(vaccine.cvx) !== dose.cvx) {
      return false
    }
    if (vaccine.mvx && dose.mvx && vaccine.mvx !== dose.mvx) {
      return false
    }
    const begins = addDuration(birthDate, vaccine.beginAge)
    const ends = addDuration(birthDate, vaccine.endAge)
    return (!begins || dose.date >= begins) && (!ends || dose.date < ends)
  })
}
