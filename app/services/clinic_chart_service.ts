import { inject } from '@adonisjs/core'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { localToday } from '#rules_engine/facts/clinical_dates'
import { ChartSignals } from '#services/chart_signals'
import { ClinicalRepository } from '#services/clinical_repository'
import {
  ageOf,
  dueRows,
  immunizationRow,
  issueRow,
  observationRow,
  patientSummary,
} from '#services/clinic_presenters'

/**
 * A patient's chart as the clinic page shows it: demographics, immunization
 * history, latest measurements, the CDS due list with the protocol behind
 * each proposal, open DQ findings and the alerts to acknowledge.
 */
@inject()
export class ClinicChartService {
  constructor(
    protected repository: ClinicalRepository,
    protected signals: ChartSignals
  ) {}

  async chart(patientId: string) {
    const stored = await this.repository.read('Patient', patientId)
    const patient = JSON.parse(stored.content)
    const [immunizations, observations, issues, due] = await Promise.all([
      this.#search('Immunization', [
        ['patient', patientId],
        ['_sort', '-date'],
        ['_count', '200'],
      ]),
      this.#search('Observation', [
        ['patient', patientId],
        ['_sort', '-date'],
        ['_count', '50'],
      ]),
      this.#search('DetectedIssue', [
        ['patient', patientId],
        ['_count', '100'],
      ]),
      this.signals.dueList(patientId),
    ])
    const today = due.asOf ?? localToday()
    const summary = patientSummary(patient)
    return {
      patient: summary,
      age: ageOf(summary.birthDate, today),
      today,
      immunizations: immunizations.map(immunizationRow),
      vitals: observations.map(observationRow),
      due: dueRows(due.recommendations, today),
      issues: issues
        .filter((issue) => issue.status !== 'cancelled' && issue.status !== 'entered-in-error')
        .map(issueRow),
      alerts: due.alerts,
    }
  }

  async #search(type: string, parameters: [string, string][]) {
    const page = await this.repository.search(parseSearchQuery(type, parameters))
    return page.matches.map((match) => JSON.parse(match.content) as Record<string, any>)
  }
}
