import { createHash } from 'node:crypto'
import type { FiredAction } from '#rules_engine/pack_engine'

export const RULE_IDENTIFIER_SYSTEM = 'urn:outpost:rule-pack'

const SEVERITY = { error: 'high', warning: 'moderate', information: 'low' } as const

/**
 * The id of the finding one rule makes about one record: the same rule on a
 * later version of the record updates it instead of adding another.
 */
export function findingId(reference: string, action: Pick<FiredAction, 'pack' | 'rule'>) {
  const packId = action.pack.split('@')[0]
  return `dq-${createHash('sha256').update(`${reference}|${packId}|${action.rule}`).digest('hex').slice(0, 40)}`
}

/**
 * A DQ finding as a DetectedIssue implicating the record, with the pack
 * version and rule that found it as its identifier (provenance).
 * @see https://hl7.org/fhir/R4/detectedissue.html
 */
export function detectedIssue(
  action: FiredAction,
  record: { reference: string; patientId?: string },
  identified: string
): Record<string, any> {
  const params = action.params as {
    severity?: keyof typeof SEVERITY
    code?: string
    message?: string
    path?: string
  }
  return {
    resourceType: 'DetectedIssue',
    id: findingId(record.reference, action),
    identifier: [{ system: RULE_IDENTIFIER_SYSTEM, value: `${action.pack}#${action.rule}` }],
    status: 'final',
    code: {
      coding: [
        {
          system: `${RULE_IDENTIFIER_SYSTEM}:${action.pack.split('@')[0]}`,
          code: params.code ?? action.rule,
        },
      ],
      text: params.message,
    },
    severity: SEVERITY[params.severity ?? 'warning'] ?? 'moderate',
    ...(record.patientId && { patient: { reference: `Patient/${record.patientId}` } }),
    identifiedDateTime: identified,
    implicated: [{ reference: record.reference }],
    detail: params.path ? `${params.message} (${params.path})` : params.message,
  }
}
