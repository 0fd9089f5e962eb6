import { inject } from '@adonisjs/core'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { actorOf, type Principal } from '#identity/principal'
import { ClinicalRepository } from '#services/clinical_repository'
import {
  CVX,
  LOINC,
  UCUM,
  VACCINES,
  VITAL_SIGNS,
  VITAL_SIGNS_CATEGORY,
  VITALS,
  type VaccineCode,
  type VitalSign,
} from '#services/clinic_codes'
import { issueRow } from '#services/clinic_presenters'
import { FormRejection } from '#services/form_rejection'
import { isoDay } from '#services/patient_registry'

export type VitalsInput = { effectiveDate: Date } & Partial<Record<VitalSign, number>>

export interface ImmunizationInput {
  vaccineCode: VaccineCode
  occurrenceDate: Date
  doseNumber?: number
  lotNumber?: string
}

/** What a save found worth a second look: the DQ findings on the records just written. */
export interface RecordingResult {
  saved: number
  findings: ReturnType<typeof issueRow>[]
}

const IMMUNIZATION_FIELDS: Record<string, string> = {
  'Immunization.vaccineCode': 'vaccineCode',
  'Immunization.occurrenceDateTime': 'occurrenceDate',
  'Immunization.occurrence': 'occurrenceDate',
  'Immunization.protocolApplied': 'doseNumber',
  'Immunization.lotNumber': 'lotNumber',
}

/**
 * Records what the clinic forms capture, through the save pipeline: the
 * vitals of one visit as Observations in one transaction (all saved or none),
 * an immunization as one Immunization. A rule's refusal becomes a
 * FormRejection on the field it names.
 */
@inject()
export class ClinicalRecording {
  constructor(protected repository: ClinicalRepository) {}

  async recordVitals(patientId: string, input: VitalsInput, principal: Principal) {
    await this.repository.read('Patient', patientId)
    const measured = VITAL_SIGNS.filter((sign) => typeof input[sign] === 'number')
    if (measured.length === 0) {
      throw new Error('The vitals validator lets no empty visit through')
    }
    const entries = measured.map((sign) => ({
      fullUrl: `urn:uuid:${crypto.randomUUID()}`,
      resource: observation(patientId, sign, input[sign]!, isoDay(input.effectiveDate)),
      request: { method: 'POST', url: 'Observation' },
    }))
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries }
    let response: Record<string, any>
    try {
      const text = await this.repository.bundle(
        { resource: bundle, preserved: bundle },
        { source: 'form', principal: actorOf(principal), baseUrl: '' }
      )
      response = JSON.parse(text)
    } catch (error) {
      throw this.#rejection(error, (path, entry) =>
        path.startsWith('Observation') && entry !== undefined ? measured[entry] : undefined
      )
    }
    const references = (response.entry ?? []).map(
      (entry: any) => String(entry.response?.location ?? '').split('/_history')[0]
    )
    return { saved: references.length, findings: await this.#findingsOn(references) }
  }

  async recordImmunization(patientId: string, input: ImmunizationInput, principal: Principal) {
    await this.repository.read('Patient', patientId)
    const resource = {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: {
        coding: [{ system: CVX, code: input.vaccineCode, display: VACCINES[input.vaccineCode] }],
      },
      patient: { reference: `Patient/${patientId}` },
      occurrenceDateTime: isoDay(input.occurrenceDate),
      recorded: new Date().toISOString(),
      primarySource: true,
      ...(input.lotNumber && { lotNumber: input.lotNumber }),
      ...(input.doseNumber && { protocolApplied: [{ doseNumberPositiveInt: input.doseNumber }] }),
    }
    try {
      const outcome = await this.repository.create(
        'Immunization',
        { resource, preserved: resource },
        { source: 'form', principal: actorOf(principal) }
      )
      const reference = `Immunization/${outcome.resource.id}`
      return { saved: 1, findings: await this.#findingsOn([reference]) }
    } catch (error) {
      throw this.#rejection(error, (path) => IMMUNIZATION_FIELDS[path])
    }
  }

  /** DQ findings the rules just stored about these records. */
  async #findingsOn(references: string[]) {
    const findings = []
    for (const reference of references.filter(Boolean)) {
      const page = await this.repository.search(
        parseSearchQuery('DetectedIssue', [['implicated', reference]])
      )
      findings.push(...page.matches.map((match) => issueRow(JSON.parse(match.content))))
    }
    return findings.filter((finding) => finding.message)
  }

  /** A refused save as form messages: `fieldOf` places an issue by its FHIRPath and bundle entry. */
  #rejection(error: unknown, fieldOf: (path: string, entry?: number) => string | undefined) {
    if (!(error instanceof FhirError) || error.status >= 500) {
      return error
    }
    const failed = error.issues
      .flatMap((issue) => issue.expression ?? [])
      .map((expression) => expression.match(/^Bundle\.entry\[(\d+)\]/)?.[1])
      .find((index) => index !== undefined)
    const entry = failed === undefined ? undefined : Number(failed)
    return FormRejection.fromFhirError(error, (expression) => {
      const element = expression
        .replace(/\[\d+\]/g, '')
        .split('.')
        .slice(0, 2)
        .join('.')
      return expression.startsWith('Bundle.') ? undefined : fieldOf(element, entry)
    })
  }
}

function observation(patientId: string, sign: VitalSign, value: number, day: string) {
  const vital = VITALS[sign]
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [VITAL_SIGNS_CATEGORY] }],
    code: { coding: [{ system: LOINC, code: vital.code, display: vital.display }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: day,
    valueQuantity: { value, unit: vital.unit, system: UCUM, code: vital.unit },
  }
}
