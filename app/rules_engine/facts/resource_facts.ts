import { defineFact } from '#rules_engine/fact_provider'
import { patientOf } from '#rules_engine/fact_source'
import { clinicalDate } from '#rules_engine/facts/clinical_dates'

/** The resource being saved (or the patient whose chart is open). */
export const resourceFact = defineFact({
  id: 'resource',
  description: 'the resource being saved, as FHIR JSON; use `path` to reach an element',
  compute: (_params, evaluation) => evaluation.resource,
})

/** The Patient the resource belongs to: itself for a Patient, else its patient/subject. */
export const patientFact = defineFact({
  id: 'patient',
  description: 'the Patient the resource belongs to, or null when it has none',
  async compute(_params, { resource, source }) {
    if (resource.resourceType === 'Patient') {
      return resource
    }
    const id = patientOf(resource)
    return id ? ((await source.resolve(`Patient/${id}`)) ?? null) : null
  },
})

/** The clinical date of the resource, as YYYY-MM-DD. */
export const eventDateFact = defineFact({
  id: 'eventDate',
  description: 'the date the resource is about (occurrence, effective...), YYYY-MM-DD',
  compute: ({}, { resource, asOf }) => clinicalDate(resource, asOf).toISODate(),
})

/** "Today" for the rules, as YYYY-MM-DD: the clock, or a test's `asOf`. */
export const todayFact = defineFact({
  id: 'today',
  description: "the evaluation's date, YYYY-MM-DD",
  compute: (_params, { asOf }) => clinicalDate({}, asOf).toISODate(),
})
