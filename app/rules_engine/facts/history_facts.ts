import { defineFact } from '#rules_engine/fact_provider'
import { patientOf } from '#rules_engine/fact_source'
import { clinicalDate } from '#rules_engine/facts/clinical_dates'

export interface HistoryDose {
  id?: string
  date: string
  codes: Array<{ system?: string; code?: string }>
  status: string
  primarySource?: boolean
}

/**
 * The patient's immunizations, oldest first, as `{ date, codes, status }`.
 * The one being saved counts as given; entered-in-error ones never count.
 * Refused doses (`not-done`) are left out unless `params.includeNotDone`.
 */
export const immunizationHistoryFact = defineFact({
  id: 'immunizationHistory',
  description:
    "the patient's immunizations, oldest first: [{ date, codes: [{system, code}], status }]",
  async compute(params, { resource, source, asOf }) {
    const patientId = patientOf(resource)
    if (!patientId) {
      return []
    }
    const stored = await source.forPatient('Immunization', patientId)
    const all =
      resource.resourceType === 'Immunization'
        ? [...stored.filter((dose) => dose.id !== resource.id), resource]
        : stored
    return all
      .filter(
        (dose) =>
          dose.status === 'completed' || (params.includeNotDone && dose.status === 'not-done')
      )
      .map((dose): HistoryDose => ({
        id: dose.id,
        date: clinicalDate(dose, asOf).toISODate()!,
        codes: (dose.vaccineCode?.coding ?? []).map(({ system, code }: any) => ({ system, code })),
        status: dose.status,
        primarySource: dose.primarySource,
      }))
      .sort((a, b) => a.date.localeCompare(b.date))
  },
})

/**
 * The patient's most recent Observation with a code (`params.code`, and
 * `params.system` if given), other than the one being saved; null if none.
 */
export const latestObservationFact = defineFact({
  id: 'latestObservation',
  description:
    'the latest other Observation of the patient with code `code` (and `system`), or null',
  async compute(params, { resource, source, asOf }) {
    const patientId = patientOf(resource)
    if (!patientId) {
      return null
    }
    const observations = await source.forPatient('Observation', patientId)
    const matches = observations.filter(
      (observation) =>
        observation.id !== resource.id &&
        observation.status !== 'entered-in-error' &&
        (observation.code?.coding ?? []).some(
          (coding: any) =>
            coding.code === params.code &&
            (params.system === undefined || coding.system === params.system)
        )
    )
    matches.sort((a, b) => clinicalDate(b, asOf).toMillis() - clinicalDate(a, asOf).toMillis())
    return matches[0] ?? null
  },
})

/**
 * Other live resources of the same type that share one of this resource's
 * identifiers (`params.system` narrows to one system): the duplicates a
 * registration rule refuses.
 */
export const identifierDuplicatesFact = defineFact({
  id: 'identifierDuplicates',
  description: 'how many other records of the same type share an identifier (params: system)',
  async compute(params, { resource, source }) {
    const identifiers = (resource.identifier ?? []).filter(
      (identifier: any) =>
        identifier.system &&
        identifier.value &&
        (params.system === undefined || identifier.system === params.system)
    )
    const others = new Set<string>()
    for (const { system, value } of identifiers) {
      for (const match of await source.withIdentifier(resource.resourceType, system, value)) {
        if (match.id !== resource.id && match.active !== false) {
          others.add(match.id)
        }
      }
    }
    return others.size
  },
})
