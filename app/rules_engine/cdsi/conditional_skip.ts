import { addDuration } from '#rules_engine/cdsi/cdsi_dates'
import type { AntigenDose } from '#rules_engine/cdsi/antigen_doses'
import {
  normalCvx,
  type ConditionalSkip,
  type SkipCondition,
  type SkipSet,
} from '#rules_engine/cdsi/supporting_data'

/** What a skip condition looks at: the patient, the date it is judged on, the doses so far. */
export interface SkipContext {
  birthDate: string
  /** The dose being evaluated's date (evaluation) or the assessment date (forecast). */
  referenceDate: string
  /** The antigen doses given before the reference date (evaluation) or up to it (forecast). */
  priorDoses: AntigenDose[]
  /** Ids of the doses found valid so far in this series. */
  validIds: ReadonlySet<string>
  /** Series groups the patient has completed (for "Completed Series" conditions). */
  completedSeriesGroups?: ReadonlySet<string>
}

/**
 * Whether a target dose can be skipped (CDSi logic specification 4.x, 6.3
 * "Evaluate conditional skip" and 7.1 for the forecast): the skips of the
 * context (`Evaluation`, `Forecast`, or `Both`) hold when their sets do,
 * combined by the set logic; a set holds when its conditions do, combined by
 * the condition logic. Sets outside their effective and cessation dates are
 * left out.
 * @see https://www.cdc.gov/iis/cdsi/index.html (CDSi logic specification)
 */
export function canSkip(
  skips: ConditionalSkip[] | undefined,
  context: 'Evaluation' | 'Forecast',
  situation: SkipContext
): SkipSet | undefined {
  for (const skip of skips ?? []) {
    if (skip.context !== context && skip.context !== 'Both') {
      continue
    }
    const sets = skip.sets.filter(
      (set) =>
        (!set.effectiveDate || situation.referenceDate >= set.effectiveDate) &&
        (!set.cessationDate || situation.referenceDate < set.cessationDate)
    )
    const holding = sets.filter((set) => setHolds(set, situation))
    const holds =
      skip.setLogic === 'AND'
        ? sets.length > 0 && holding.length === sets.length
        : holding.length > 0
    if (holds) {
      return holding[0]
    }
  }
  return undefined
}

function setHolds(set: SkipSet, situation: SkipContext): boolean {
  const results = set.conditions.map((condition) => conditionHolds(condition, situation))
  return set.conditionLogic === 'OR' ? results.some(Boolean) : results.every(Boolean)
}

function conditionHolds(condition: SkipCondition, situation: SkipContext): boolean {
  const { birthDate, referenceDate, priorDoses } = situation
  switch (condition.type) {
    case 'Age': {
      const begins = addDuration(birthDate, condition.beginAge)
      const ends = addDuration(birthDate, condition.endAge)
      return (!begins || referenceDate >= begins) && (!ends || referenceDate < ends)
    }
    case 'Interval': {
      const previous = priorDoses.at(-1)
      return (
        previous !== undefined &&
        condition.interval !== undefined &&
        referenceDate >= addDuration(previous.date, condition.interval)
      )
    }
    case 'Vaccine Count by Age':
    case 'Vaccine Count by Date': {
      const byAge = condition.type === 'Vaccine Count by Age'
      const begins = byAge ? addDuration(birthDate, condition.beginAge) : condition.startDate
      const ends = byAge ? addDuration(birthDate, condition.endAge) : condition.endDate
      const types = condition.vaccineTypes?.map(normalCvx)
      const count = priorDoses.filter(
        (dose) =>
          (!begins || dose.date >= begins) &&
          (!ends || dose.date < ends) &&
          (!types || types.length === 0 || types.includes(dose.cvx)) &&
          (condition.doseType !== 'Valid' || situation.validIds.has(dose.id))
      ).length
      return compareCount(count, condition.doseCountLogic, condition.doseCount ?? 0)
    }
    case 'Completed Series':
      return (condition.seriesGroups ?? []).some((group) =>
        situation.completedSeriesGroups?.has(group)
      )
    default:
      condition.type satisfies never
      return false
  }
}

function compareCount(count: number, logic: SkipCondition['doseCountLogic'], target: number) {
  switch (logic) {
    case 'greater than':
      return count > target
    case 'less than':
      return count < target
    default:
      return count === target
  }
}
