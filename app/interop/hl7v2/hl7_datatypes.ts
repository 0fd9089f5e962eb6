import { createHash } from 'node:crypto'
import type { Hl7Segment } from '@medplum/core'
import type { CodeableConcept, Coding, Practitioner, Reference } from '@medplum/fhirtypes'
import { codingSystemUri } from '#interop/hl7v2/code_tables'
import { repetitionCount, valueAt } from '#interop/hl7v2/hl7_values'

/**
 * A CE/CWE field as a CodeableConcept: the identifier triplet and the alternate triplet each
 * become a coding, the text goes to `text` when no coding carries it.
 * @see HL7 v2.5.1 chapter 2A, CE and CWE; https://hl7.org/fhir/R4/datatypes.html#CodeableConcept
 */
export function codeableConcept(
  segment: Hl7Segment,
  field: number,
  repetition = 0
): CodeableConcept | undefined {
  const codings: Coding[] = []
  for (const first of [1, 4]) {
    const code = valueAt(segment, field, first, repetition)
    const display = valueAt(segment, field, first + 1, repetition)
    const systemName = valueAt(segment, field, first + 2, repetition)
    if (!code) continue
    const system = codingSystemUri(systemName)
    codings.push({
      ...(system ? { system } : {}),
      code,
      ...(display ? { display } : {}),
    })
  }
  const text = valueAt(segment, field, 2, repetition) || valueAt(segment, field, 9, repetition)
  if (codings.length === 0) return text ? { text } : undefined
  return text && !codings[0].display ? { coding: codings, text } : { coding: codings }
}

/** The 0396 coding system name of a CE/CWE field's first triplet. */
export function codingSystemName(segment: Hl7Segment, field: number, repetition = 0): string {
  return valueAt(segment, field, 3, repetition)
}

/**
 * An XCN (person with an id) as a display reference: `given family` and, when the id is
 * present, a logical identifier. Practitioners are not created from messages.
 */
export function personReference(
  segment: Hl7Segment,
  field: number,
  repetition = 0
): Reference<Practitioner> | undefined {
  const id = valueAt(segment, field, 1, repetition)
  const family = valueAt(segment, field, 2, repetition)
  const given = valueAt(segment, field, 3, repetition)
  const display = [given, family].filter(Boolean).join(' ')
  if (!id && !display) return undefined
  return {
    ...(id ? { identifier: { value: id } } : {}),
    ...(display ? { display } : {}),
  }
}

/** All non-empty repetitions of a field, as indexes. */
export function repetitions(segment: Hl7Segment, field: number): number[] {
  const indexes: number[] = []
  const count = repetitionCount(segment, field)
  for (let index = 0; index < count; index++) {
    if (segment.getField(field).components[index].some((part) => part !== '')) indexes.push(index)
  }
  return indexes
}

/**
 * A FHIR id derived from what identifies a record in the sender's world, so a message sent
 * twice updates the same resource. FHIR ids allow 64 characters of `[A-Za-z0-9-.]`.
 * @see https://hl7.org/fhir/R4/datatypes.html#id
 */
export function stableId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u001f')).digest('hex')
  return `${prefix}-${digest.slice(0, 40)}`
}
