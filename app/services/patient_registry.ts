import { inject } from '@adonisjs/core'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { actorOf, type Principal } from '#identity/principal'
import { ClinicalRepository } from '#services/clinical_repository'
import { IDENTIFIER_SYSTEMS, type IdentifierKind } from '#services/clinic_codes'
import { patientSummary, type PatientSummary } from '#services/clinic_presenters'
import { FormRejection } from '#services/form_rejection'

export interface PatientSearch {
  name?: string
  identifier?: string
  birthdate?: Date
}

export interface Registration {
  family?: string
  given?: string
  gender: string
  /** The exact date; without it, `birthYear` is recorded as an estimated birth date (a year). */
  birthDate?: Date
  birthYear?: number
  identifierSystem: IdentifierKind
  identifierValue?: string
}

/** Which registration field an issue of the save pipeline is about. */
const REGISTRATION_FIELDS: Record<string, string> = {
  'Patient.identifier': 'identifierValue',
  'Patient.name': 'family',
  'Patient.gender': 'gender',
  'Patient.birthDate': 'birthDate',
}

/**
 * Finding and registering patients from the clinic pages, through the
 * node's ClinicalRepository, so the registration business rules run on the
 * form's save as on any other.
 */
@inject()
export class PatientRegistry {
  constructor(protected repository: ClinicalRepository) {}

  async search(
    criteria: PatientSearch
  ): Promise<{ searched: boolean; patients: PatientSummary[] }> {
    const parameters: [string, string][] = []
    if (criteria.name) {
      parameters.push(['name', criteria.name])
    }
    if (criteria.identifier) {
      parameters.push(['identifier', criteria.identifier])
    }
    if (criteria.birthdate) {
      parameters.push(['birthdate', isoDay(criteria.birthdate)])
    }
    const searched = parameters.length > 0
    parameters.push(['_sort', searched ? 'family' : '-_lastUpdated'], ['_count', '25'])
    const page = await this.repository.search(parseSearchQuery('Patient', parameters))
    return {
      searched,
      patients: page.matches.map((match) => patientSummary(JSON.parse(match.content))),
    }
  }

  async find(id: string): Promise<PatientSummary> {
    const stored = await this.repository.read('Patient', id)
    return patientSummary(JSON.parse(stored.content))
  }

  /** Registers the patient; refusals come back as a FormRejection placed on the form's fields. */
  async register(input: Registration, principal: Principal): Promise<string> {
    const resource = {
      resourceType: 'Patient',
      active: true,
      identifier: input.identifierValue
        ? [{ system: IDENTIFIER_SYSTEMS[input.identifierSystem], value: input.identifierValue }]
        : [],
      name:
        input.family || input.given
          ? [
              {
                ...(input.family && { family: input.family }),
                ...(input.given && { given: [input.given] }),
              },
            ]
          : [],
      gender: input.gender,
      birthDate: input.birthDate ? isoDay(input.birthDate) : String(input.birthYear),
    }
    try {
      const outcome = await this.repository.create(
        'Patient',
        { resource: stripEmpty(resource), preserved: stripEmpty(resource) },
        { source: 'form', principal: actorOf(principal) }
      )
      return outcome.resource.id
    } catch (error) {
      if (error instanceof FhirError && error.status < 500) {
        throw FormRejection.fromFhirError(error, (path) => REGISTRATION_FIELDS[path])
      }
      throw error
    }
  }
}

/** The calendar day VineJS parsed (in this node's time zone), as FHIR writes dates. */
export function isoDay(date: Date) {
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/** FHIR forbids empty arrays: an element left blank on the form is left out. */
function stripEmpty(resource: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(resource).filter(([, value]) => !(Array.isArray(value) && value.length === 0))
  )
}
