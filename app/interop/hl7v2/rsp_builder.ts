import type { Hl7Message } from '@medplum/core'
import type { Patient } from '@medplum/fhirtypes'
import { newControlId } from '#interop/hl7v2/ack_builder'
import { v2Sex } from '#interop/hl7v2/code_tables'
import { delimitersOf, escapeHl7, fhirDateToHl7, hl7Now } from '#interop/hl7v2/hl7_values'

export interface RspK22Options {
  queryTag: string
  status: 'OK' | 'NF' | 'AE'
}

/**
 * Builds the RSP^K22 answering a QBP^Q22: MSA (AA, or AE when the query was in error), QAK
 * with the query tag and status, QPD echoed as received, one PID per candidate.
 * @see IHE ITI TF-2a, section 3.21.4.2 (Patient Demographics Query Response)
 */
export function buildRspK22(
  query: Hl7Message,
  patients: Patient[],
  options: RspK22Options
): string {
  const msh = query.header
  const delimiters = delimitersOf(query.context)
  const f = delimiters.field
  const c = delimiters.component
  const field = (index: number) => msh.getField(index)?.toString() ?? ''
  const encoding = `${delimiters.component}${delimiters.repetition}${delimiters.escape}${delimiters.subcomponent}`
  const header = [
    'MSH',
    encoding,
    field(5),
    field(6),
    field(3),
    field(4),
    hl7Now(),
    '',
    `RSP${c}K22${c}RSP_K21`,
    newControlId(),
    field(11) || 'P',
    '2.5.1',
  ].join(f)
  const hits = options.status === 'OK' ? patients.length : 0
  const segments = [
    header,
    ['MSA', options.status === 'AE' ? 'AE' : 'AA', field(10)].join(f),
    ['QAK', escapeHl7(options.queryTag, delimiters), options.status, '', hits, hits, 0].join(f),
    query.getSegment('QPD')?.toString() ?? 'QPD',
    ...(options.status === 'OK'
      ? patients.map((patient, index) => pidSegment(patient, index + 1, query))
      : []),
  ]
  return segments.join('\r') + '\r'
}

function pidSegment(patient: Patient, setId: number, query: Hl7Message): string {
  const delimiters = delimitersOf(query.context)
  const { component: c, repetition: r, subcomponent: s } = delimiters
  const e = (text: string | undefined) => escapeHl7(text ?? '', delimiters)
  const identifiers = (patient.identifier ?? [])
    .filter((identifier) => identifier.value)
    .map((identifier) => {
      const oid = identifier.system?.startsWith('urn:oid:') ? identifier.system.slice(8) : ''
      const namespace = identifier.assigner?.display ?? ''
      const authority = oid ? `${e(namespace)}${s}${oid}${s}ISO` : e(namespace)
      const type = identifier.type?.coding?.[0]?.code ?? ''
      return [e(identifier.value), '', '', authority, e(type)]
        .join(c)
        .replace(new RegExp(`\\${c}+$`), '')
    })
    .join(r)
  const names = (patient.name ?? [])
    .map((name) =>
      [e(name.family), e(name.given?.[0]), e(name.given?.[1])]
        .join(c)
        .replace(new RegExp(`\\${c}+$`), '')
    )
    .join(r)
  const addresses = (patient.address ?? [])
    .map((address) =>
      [
        e(address.line?.[0]),
        e(address.line?.[1]),
        e(address.city),
        e(address.state),
        e(address.postalCode),
        e(address.country),
      ]
        .join(c)
        .replace(new RegExp(`\\${c}+$`), '')
    )
    .join(r)
  const fields = [
    'PID',
    String(setId),
    '',
    identifiers,
    '',
    names,
    '',
    patient.birthDate ? fhirDateToHl7(patient.birthDate) : '',
    v2Sex(patient.gender),
    '',
    '',
    addresses,
  ]
  return fields.join(delimiters.field).replace(new RegExp(`\\${delimiters.field}+$`), '')
}
