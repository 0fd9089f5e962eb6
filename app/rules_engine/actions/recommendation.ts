import { createHash } from 'node:crypto'
import type { FiredAction } from '#rules_engine/pack_engine'
import { RULE_IDENTIFIER_SYSTEM } from '#rules_engine/actions/detected_issue'

const STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/immunization-recommendation-status'
const LOINC = 'http://loinc.org'

/** LOINC codes of the ImmunizationRecommendation date criteria. */
const DATE_CRITERIA = {
  earliestDate: { code: '30981-5', display: 'Earliest date to give' },
  dueDate: { code: '30980-7', display: 'Date vaccine due' },
  overdueDate: { code: '59778-1', display: 'Date when overdue for immunization' },
} as const

/** One recommendation resource per patient and protocol, refreshed at each evaluation. */
export function recommendationId(packId: string, patientId: string) {
  return `rec-${createHash('sha256').update(`${packId}|${patientId}`).digest('hex').slice(0, 40)}`
}

/**
 * The proposals one protocol made for one patient, as an
 * ImmunizationRecommendation: each with its vaccine, dose, dates and the rule
 * that proposed it.
 * @see https://hl7.org/fhir/R4/immunizationrecommendation.html
 */
export function immunizationRecommendation(
  packKey: string,
  patientId: string,
  proposals: FiredAction[],
  today: string
): Record<string, any> {
  const packId = packKey.split('@')[0]
  return {
    resourceType: 'ImmunizationRecommendation',
    id: recommendationId(packId, patientId),
    identifier: [{ system: RULE_IDENTIFIER_SYSTEM, value: packKey }],
    patient: { reference: `Patient/${patientId}` },
    date: today,
    recommendation: proposals.map((proposal) => recommendationEntry(proposal, today)),
  }
}

function recommendationEntry(proposal: FiredAction, today: string) {
  const params = proposal.params as Record<string, any>
  const overdueDate = typeof params.overdueDate === 'string' ? params.overdueDate : undefined
  /* The R4 status codes have no "upcoming": a later due date says it. */
  const status = overdueDate && overdueDate <= today ? 'overdue' : 'due'
  const coding = Array.isArray(params.vaccineCode)
    ? params.vaccineCode
    : params.vaccineCode
      ? [params.vaccineCode]
      : []
  return {
    ...(coding.length > 0 && {
      vaccineCode: [
        { coding: coding.map(({ system, code, display }: any) => ({ system, code, display })) },
      ],
    }),
    forecastStatus: { coding: [{ system: STATUS_SYSTEM, code: status }] },
    dateCriterion: Object.entries(DATE_CRITERIA)
      .filter(([field]) => typeof params[field] === 'string')
      .map(([field, code]) => ({
        code: { coding: [{ system: LOINC, ...code }] },
        value: params[field],
      })),
    ...(params.series && { series: String(params.series) }),
    ...(Number.isInteger(params.doseNumber) &&
      params.doseNumber > 0 && { doseNumberPositiveInt: params.doseNumber }),
    description: `${params.message} [${proposal.pack}#${proposal.rule}]`,
  }
}
