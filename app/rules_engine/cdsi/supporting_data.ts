import type { DataRow } from '#rules_engine/pack_types'

/*
 * The CDSi supporting data as a pack holds it in `data`: the ACIP schedule in
 * the shape of the CDC's antigen and schedule supporting data, one table each.
 *   antigenSeries       one row per antigen series, its target doses nested
 *   vaccineGroups       { name, antigens, administerFullVaccineGroup }
 *   cvxToAntigen        { cvx, display, antigens: [{ antigen, beginAge?, endAge? }] }
 *   liveVirusConflicts  { previous, current: [cvx], conflictBeginInterval, minConflictEndInterval, conflictEndInterval }
 *   antigenImmunity     { antigen, immunityBirthDate, birthCountry?, exclusions? } (optional): birth
 *                       before that date (in that country) is evidence of immunity
 * Ages and intervals stay in the specification's words ("6 weeks - 4 days").
 * @see https://www.cdc.gov/iis/cdsi/index.html (Supporting data, Logic specification chapter 4)
 */

export const CDSI_TABLES = {
  series: 'antigenSeries',
  vaccineGroups: 'vaccineGroups',
  cvxToAntigen: 'cvxToAntigen',
  liveVirusConflicts: 'liveVirusConflicts',
  immunity: 'antigenImmunity',
} as const

export interface AgeLimits {
  absMinAge?: string
  minAge?: string
  earliestRecAge?: string
  latestRecAge?: string
  maxAge?: string
  effectiveDate?: string
  cessationDate?: string
}

/** An interval from the previous dose, a target dose, or the most recent dose of some vaccines. */
export interface IntervalRule {
  previous?: boolean
  targetDose?: number
  mostRecent?: string[]
  observation?: string
  absMinInt?: string
  minInt?: string
  earliestRecInt?: string
  latestRecInt?: string
  priority?: string
  effectiveDate?: string
  cessationDate?: string
}

export interface VaccineRule {
  cvx: string
  type?: string
  beginAge?: string
  endAge?: string
  mvx?: string
  forecast?: boolean
}

export interface SkipCondition {
  type: 'Age' | 'Interval' | 'Vaccine Count by Age' | 'Vaccine Count by Date' | 'Completed Series'
  startDate?: string
  endDate?: string
  beginAge?: string
  endAge?: string
  interval?: string
  doseCount?: number
  doseType?: 'Valid' | 'Total'
  doseCountLogic?: 'greater than' | 'equal to' | 'less than'
  vaccineTypes?: string[]
  seriesGroups?: string[]
}

export interface SkipSet {
  id?: string
  description?: string
  effectiveDate?: string
  cessationDate?: string
  conditionLogic?: 'AND' | 'OR'
  conditions: SkipCondition[]
}

export interface ConditionalSkip {
  context: 'Evaluation' | 'Forecast' | 'Both'
  setLogic?: 'AND' | 'OR' | 'n/a'
  sets: SkipSet[]
}

export interface TargetDoseRule {
  dose: number
  ages: AgeLimits[]
  intervals?: IntervalRule[]
  allowableIntervals?: IntervalRule[]
  preferable?: VaccineRule[]
  allowable?: VaccineRule[]
  inadvertent?: string[]
  conditionalSkip?: ConditionalSkip[]
  recurring?: boolean
  seasonalStart?: string
  seasonalEnd?: string
}

export interface AntigenSeries {
  antigen: string
  vaccineGroup: string
  series: string
  defaultSeries?: boolean
  productPath?: boolean
  seriesGroup?: string
  seriesPriority?: string
  seriesPreference: number
  minAgeToStart?: string
  maxAgeToStart?: string
  requiredGender?: string
  doses: TargetDoseRule[]
}

export interface VaccineGroup {
  name: string
  antigens: string[]
  administerFullVaccineGroup?: boolean
}

export interface CvxAntigens {
  cvx: string
  display?: string
  antigens: Array<{ antigen: string; beginAge?: string; endAge?: string }>
}

export interface LiveVirusConflict {
  previous: string
  current: string[]
  conflictBeginInterval: string
  minConflictEndInterval: string
  conflictEndInterval: string
}

/**
 * Evidence of immunity by date of birth. The exclusions (health care
 * personnel, pregnancy...) are medical history the evaluation does not read.
 */
export interface AntigenImmunity {
  antigen: string
  immunityBirthDate: string
  birthCountry?: string
  exclusions?: string[]
}

/** The supporting data, indexed for the evaluation. */
export interface SupportingData {
  series: AntigenSeries[]
  vaccineGroups: Map<string, VaccineGroup>
  cvx: Map<string, CvxAntigens>
  liveVirusConflicts: LiveVirusConflict[]
  immunity: AntigenImmunity[]
}

/** Supporting data a pack cannot be evaluated with. */
export class SupportingDataError extends Error {
  readonly code = 'E_CDSI_SUPPORTING_DATA'
  readonly status = 422
}

const cache = new WeakMap<object, SupportingData>()

/**
 * The pack's CDSi tables, read once per pack version (pack data never changes
 * once loaded). Only the shape the evaluation relies on is checked.
 */
export function supportingData(data: Record<string, DataRow[]> | undefined): SupportingData {
  const tables = data ?? {}
  const cached = cache.get(tables)
  if (cached) {
    return cached
  }
  const table = (name: string) => {
    const rows = tables[name]
    if (!Array.isArray(rows)) {
      throw new SupportingDataError(`no table "${name}" in "data"`)
    }
    return rows as unknown[]
  }
  const series = table(CDSI_TABLES.series) as AntigenSeries[]
  series.forEach((row, index) => {
    if (typeof row.antigen !== 'string' || !Array.isArray(row.doses) || row.doses.length === 0) {
      throw new SupportingDataError(
        `row ${index} of "${CDSI_TABLES.series}" needs an antigen and its doses`
      )
    }
  })
  const groups = table(CDSI_TABLES.vaccineGroups) as VaccineGroup[]
  const cvx = table(CDSI_TABLES.cvxToAntigen) as CvxAntigens[]
  const parsed: SupportingData = {
    series,
    vaccineGroups: new Map(groups.map((group) => [group.name, group])),
    cvx: new Map(cvx.map((row) => [normalCvx(row.cvx), row])),
    liveVirusConflicts: table(CDSI_TABLES.liveVirusConflicts) as LiveVirusConflict[],
    immunity: (tables[CDSI_TABLES.immunity] ?? []) as unknown as AntigenImmunity[],
  }
  cache.set(tables, parsed)
  return parsed
}

/** CVX codes compare without leading zeros ("08" is "8"). */
export function normalCvx(code: string | number): string {
  const text = String(code).trim()
  return /^\d+$/.test(text) ? String(Number(text)) : text
}
