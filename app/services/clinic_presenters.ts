import { VITALS } from '#services/clinic_codes'

/**
 * What the clinic pages show of FHIR resources: plain values, computed
 * once here so the templates stay free of FHIR paths.
 */
export interface PatientSummary {
  id: string
  name: string
  family: string | null
  given: string | null
  gender: string | null
  birthDate: string | null
  identifiers: { system: string; value: string }[]
}

export function patientSummary(patient: Record<string, any>): PatientSummary {
  const name = (patient.name ?? [])[0] ?? {}
  const given = (name.given ?? []).join(' ') || null
  const family = name.family ?? null
  return {
    id: patient.id,
    name: [given, family].filter(Boolean).join(' ') || name.text || patient.id,
    family,
    given,
    gender: patient.gender ?? null,
    birthDate: patient.birthDate ?? null,
    identifiers: (patient.identifier ?? [])
      .filter((identifier: any) => identifier?.value)
      .map((identifier: any) => ({ system: identifier.system ?? '', value: identifier.value })),
  }
}

export interface Age {
  unit: 'days' | 'weeks' | 'months' | 'years' | 'months_about' | 'years_about'
  count: number
}

/**
 * Age at `today` in the unit a clinic speaks of: days, then weeks, months,
 * years. An estimated birth date (a year, or year and month) gives an
 * approximate age in months or years, counted from the middle of that period.
 */
export function ageOf(birthDate: string | null, today: string): Age | null {
  if (birthDate && /^\d{4}(-\d{2})?$/.test(birthDate)) {
    const middle = birthDate.length === 4 ? `${birthDate}-07-01` : `${birthDate}-15`
    const months = calendarMonths(middle, today)
    if (months === null) {
      return null
    }
    return months < 24
      ? { unit: 'months_about', count: months }
      : { unit: 'years_about', count: Math.floor(months / 12) }
  }
  const days = birthDate && birthDate.length >= 10 ? daysBetween(birthDate, today) : null
  if (days === null) {
    return null
  }
  if (days < 28) {
    return { unit: 'days', count: days }
  }
  if (days < 91) {
    return { unit: 'weeks', count: Math.floor(days / 7) }
  }
  const months = calendarMonths(birthDate!, today)!
  return months < 24
    ? { unit: 'months', count: months }
    : { unit: 'years', count: Math.floor(months / 12) }
}

function daysBetween(from: string, to: string): number | null {
  const days = Math.floor((Date.parse(to) - Date.parse(from.slice(0, 10))) / 86_400_000)
  return Number.isNaN(days) || days < 0 ? null : days
}

/** Whole calendar months from one day to another: a child is 12 months old on their first birthday. */
function calendarMonths(from: string, to: string): number | null {
  const [fromYear, fromMonth, fromDay] = from.slice(0, 10).split('-').map(Number)
  const [toYear, toMonth, toDay] = to.slice(0, 10).split('-').map(Number)
  const months = (toYear - fromYear) * 12 + (toMonth - fromMonth) - (toDay < fromDay ? 1 : 0)
  return Number.isNaN(months) || months < 0 ? null : months
}

export function immunizationRow(immunization: Record<string, any>) {
  const coding = immunization.vaccineCode?.coding?.[0] ?? {}
  return {
    id: immunization.id,
    vaccine: coding.display ?? immunization.vaccineCode?.text ?? coding.code ?? '',
    code: coding.code ?? null,
    date: String(immunization.occurrenceDateTime ?? immunization.occurrenceString ?? '').slice(
      0,
      10
    ),
    status: immunization.status,
    doseNumber: immunization.protocolApplied?.[0]?.doseNumberPositiveInt ?? null,
    lotNumber: immunization.lotNumber ?? null,
  }
}

const VITAL_BY_CODE = new Map(Object.entries(VITALS).map(([key, vital]) => [vital.code, key]))

export function observationRow(observation: Record<string, any>) {
  const coding =
    (observation.code?.coding ?? []).find((candidate: any) => VITAL_BY_CODE.has(candidate.code)) ??
    observation.code?.coding?.[0] ??
    {}
  return {
    id: observation.id,
    kind: VITAL_BY_CODE.get(coding.code) ?? null,
    label: coding.display ?? observation.code?.text ?? coding.code ?? '',
    value: observation.valueQuantity?.value ?? null,
    unit: observation.valueQuantity?.unit ?? observation.valueQuantity?.code ?? '',
    date: String(observation.effectiveDateTime ?? '').slice(0, 10),
  }
}

/** A DQ finding (DetectedIssue) with the rule that raised it. */
export function issueRow(issue: Record<string, any>) {
  const rule = (issue.identifier ?? [])[0]?.value ?? ''
  return {
    id: issue.id,
    severity: issue.severity ?? 'moderate',
    message: issue.code?.text ?? issue.detail ?? '',
    rule,
    implicated: (issue.implicated ?? [])[0]?.reference ?? null,
    identified: String(issue.identifiedDateTime ?? '').slice(0, 10),
  }
}

export type DueStatus = 'overdue' | 'due' | 'upcoming'

/**
 * The CDS due list: one row per proposed dose, from the protocols'
 * ImmunizationRecommendations. R4's status codes have no "upcoming": a due
 * date after today says it.
 */
export interface DueRow {
  vaccine: string
  code: string | null
  series: string | null
  doseNumber: number | null
  earliestDate: string | null
  dueDate: string | null
  overdueDate: string | null
  status: DueStatus
  protocol: string
  rule: string | null
  advice: string
}

export function dueRows(recommendations: Record<string, any>[], today: string): DueRow[] {
  const rows = recommendations.flatMap((recommendation): DueRow[] => {
    const protocol = (recommendation.identifier ?? [])[0]?.value ?? ''
    return (recommendation.recommendation ?? []).map((entry: any) => {
      const dates: Record<string, string> = {}
      for (const criterion of entry.dateCriterion ?? []) {
        const code = criterion.code?.coding?.[0]?.code
        dates[DATE_CRITERIA[code as keyof typeof DATE_CRITERIA] ?? code] = criterion.value
      }
      const coding = entry.vaccineCode?.[0]?.coding?.[0] ?? {}
      const description = String(entry.description ?? '')
      const rule = description.match(/\[[^\]#]+#([^\]]+)\]$/)?.[1] ?? null
      return {
        vaccine: coding.display ?? coding.code ?? entry.series ?? '',
        code: coding.code ?? null,
        series: entry.series ?? null,
        doseNumber: entry.doseNumberPositiveInt ?? null,
        earliestDate: dates.earliest ?? null,
        dueDate: dates.due ?? null,
        overdueDate: dates.overdue ?? null,
        status: dueStatus(dates, today),
        protocol,
        rule,
        advice: description.replace(/\s*\[[^\]]+\]$/, ''),
      }
    })
  })
  const order: Record<DueStatus, number> = { overdue: 0, due: 1, upcoming: 2 }
  return rows.sort(
    (a, b) =>
      order[a.status] - order[b.status] || String(a.dueDate).localeCompare(String(b.dueDate))
  )
}

const DATE_CRITERIA = { '30981-5': 'earliest', '30980-7': 'due', '59778-1': 'overdue' } as const

function dueStatus(dates: Record<string, string>, today: string): DueStatus {
  if (dates.overdue && dates.overdue <= today) {
    return 'overdue'
  }
  const from = dates.due ?? dates.earliest
  return from && from > today ? 'upcoming' : 'due'
}
