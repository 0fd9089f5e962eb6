import { createHash } from 'node:crypto'
import type { FiredAction } from '#rules_engine/pack_engine'
import { RULE_IDENTIFIER_SYSTEM } from '#rules_engine/actions/detected_issue'

const DOSE_STATUS_SYSTEM =
  'http://terminology.hl7.org/CodeSystem/immunization-evaluation-dose-status'
const DOSE_STATUS_REASON_SYSTEM =
  'http://terminology.hl7.org/CodeSystem/immunization-evaluation-dose-status-reason'

/** A dose as an `evaluate` action carries it (the immunizationForecast fact's `doses`). */
interface EvaluatedDose {
  id: string
  date: string
  antigens: Array<{
    antigen: string
    series: string
    status: 'valid' | 'not-valid' | 'extraneous'
    targetDose?: number
    reasons: string[]
  }>
}

/** One evaluation per patient, protocol, dose and target disease, refreshed at each run. */
export function evaluationId(packId: string, patientId: string, doseId: string, antigen: string) {
  const key = `${packId}|${patientId}|${doseId}|${antigen}`
  return `eval-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`
}

/**
 * The dose evaluations one `evaluate` action carries, as ImmunizationEvaluation
 * resources: one per dose and target disease (antigen), valid or not valid
 * with the reason (a dose given after the series was complete is "notvalid"
 * too: it does not count), the series and target dose it was evaluated
 * against, and the pack version and rule that evaluated it.
 * @see https://hl7.org/fhir/R4/immunizationevaluation.html
 */
export function immunizationEvaluations(
  action: FiredAction,
  patientId: string,
  today: string
): Record<string, any>[] {
  const packId = action.pack.split('@')[0]
  const params = action.params as { doses?: EvaluatedDose[]; message?: string }
  return (params.doses ?? []).flatMap((dose) =>
    dose.antigens.map((evaluation) => ({
      resourceType: 'ImmunizationEvaluation',
      id: evaluationId(packId, patientId, dose.id, evaluation.antigen),
      identifier: [{ system: RULE_IDENTIFIER_SYSTEM, value: `${action.pack}#${action.rule}` }],
      status: 'completed',
      patient: { reference: `Patient/${patientId}` },
      date: today,
      targetDisease: { text: evaluation.antigen },
      immunizationEvent: { reference: `Immunization/${dose.id}` },
      doseStatus: {
        coding: [
          {
            system: DOSE_STATUS_SYSTEM,
            code: evaluation.status === 'valid' ? 'valid' : 'notvalid',
          },
        ],
      },
      ...(evaluation.reasons.length > 0 && {
        doseStatusReason: evaluation.reasons.map((reason) => ({
          ...(/^(Age|Interval)/.test(reason) && {
            coding: [{ system: DOSE_STATUS_REASON_SYSTEM, code: 'outsidesched' }],
          }),
          text: reason,
        })),
      }),
      series: evaluation.series,
      ...(evaluation.targetDose !== undefined && {
        doseNumberPositiveInt: evaluation.targetDose,
      }),
      description: `${params.message} [${action.pack}#${action.rule}]`,
    }))
  )
}
