import type { Hl7Message } from '@medplum/core'
import { administrativeGender } from '#interop/hl7v2/code_tables'
import { repetitions } from '#interop/hl7v2/hl7_datatypes'
import { issue, type Hl7Issue } from '#interop/hl7v2/hl7_issue'
import { hl7DateToFhir, valueAt } from '#interop/hl7v2/hl7_values'
import { authoritySystem } from '#interop/hl7v2/pid_mapper'

/**
 * An IHE PDQ "Find Candidates" query, free of HL7 syntax: what a patient search needs.
 * Values ending in `*` are prefix searches, as PDQ suppliers commonly accept.
 */
export interface PdqQuery {
  queryTag: string
  queryName: string
  family?: string
  given?: string
  birthDate?: string
  gender?: 'male' | 'female' | 'other' | 'unknown'
  /** `system` is the assigning authority as a FHIR identifier system (PID.3.4). */
  identifier?: { value: string; system?: string }
  address?: { line?: string; city?: string; state?: string; postalCode?: string }
  limit?: number
}

/**
 * Reads QPD-3 of a QBP^Q22 (`@PID.5.1.1^SMITH~@PID.7^19800101`) into a {@link PdqQuery}.
 * Parameters we cannot search on are reported as warnings and otherwise ignored.
 * @see IHE ITI TF-2a, section 3.21.4.1.2.2 (QPD input parameter specification)
 */
export function parseQbpQ22(message: Hl7Message): { query?: PdqQuery; issues: Hl7Issue[] } {
  const qpd = message.getSegment('QPD')
  if (!qpd) return { issues: [issue('E', '100', { segment: 'QPD' }, 'The QBP has no QPD segment')] }
  const issues: Hl7Issue[] = []
  const at = (field: number) => ({ segment: 'QPD', sequence: 1, field })
  const queryTag = valueAt(qpd, 2)
  if (!queryTag) issues.push(issue('E', '101', at(2), 'QPD-2 query tag is missing'))
  const query: PdqQuery = { queryTag, queryName: valueAt(qpd, 1) }
  const authority = { namespace: '', universalId: '', universalType: '' }
  for (const repetition of repetitions(qpd, 3)) {
    const name = valueAt(qpd, 3, 1, repetition).replace(/^@/, '')
    const value = valueAt(qpd, 3, 2, repetition)
    if (!value) continue
    switch (name) {
      case 'PID.5.1':
      case 'PID.5.1.1':
        query.family = value
        break
      case 'PID.5.2':
        query.given = value
        break
      case 'PID.7':
      case 'PID.7.1': {
        const date = hl7DateToFhir(value)
        if (date.ok) query.birthDate = date.value
        else issues.push(issue('E', '102', at(3), `${name}: ${date.reason}`))
        break
      }
      case 'PID.8': {
        const gender = administrativeGender(value)
        if (gender) query.gender = gender
        else issues.push(issue('E', '103', at(3), `PID.8 sex '${value}' is not in table 0001`))
        break
      }
      case 'PID.3':
      case 'PID.3.1':
        query.identifier = { ...query.identifier, value }
        break
      case 'PID.3.4':
      case 'PID.3.4.1':
        authority.namespace = value
        break
      case 'PID.3.4.2':
        authority.universalId = value
        break
      case 'PID.3.4.3':
        authority.universalType = value
        break
      case 'PID.11.1':
      case 'PID.11.1.1':
        query.address = { ...query.address, line: value }
        break
      case 'PID.11.3':
        query.address = { ...query.address, city: value }
        break
      case 'PID.11.4':
        query.address = { ...query.address, state: value }
        break
      case 'PID.11.5':
        query.address = { ...query.address, postalCode: value }
        break
      default:
        issues.push(
          issue('W', '103', at(3), `query parameter '${name}' is not supported and was ignored`)
        )
    }
  }
  const system = authoritySystem(
    authority.namespace,
    authority.universalId,
    authority.universalType
  )
  if (system) query.identifier = { value: query.identifier?.value ?? '', system }
  const limit = Number(valueAt(message.getSegment('RCP') ?? qpd, 2))
  if (message.getSegment('RCP') && Number.isInteger(limit) && limit > 0) query.limit = limit
  return { query, issues }
}
