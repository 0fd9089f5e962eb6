import { inject } from '@adonisjs/core'
import { FhirError } from '#interop/fhir/fhir_error'
import { immunizationRecommendation } from '#rules_engine/actions/recommendation'
import { FhirStore } from '#services/fhir_store'
import { PackEvaluator } from '#services/pack_evaluator'
import { localToday } from '#rules_engine/facts/clinical_dates'

/**
 * What a chart shows when it opens: the CDS packs triggered on `chart` are
 * evaluated for the patient now, on the local store, and their proposals
 * returned (one ImmunizationRecommendation per protocol), without storing
 * anything.
 */
@inject()
export class ChartService {
  constructor(
    protected store: FhirStore,
    protected evaluator: PackEvaluator
  ) {}

  async dueList(patientId: string) {
    const row = await this.store.read('Patient', patientId)
    if (!row || row.deleted) {
      throw row ? FhirError.gone('Patient', patientId) : FhirError.notFound('Patient', patientId)
    }
    const patient = JSON.parse(row.content)
    const fired = await this.evaluator.evaluate(patient, 'chart', ['cds'])
    const proposals = fired.filter((action) => action.type === 'propose')
    const today = localToday()
    const byPack = Map.groupBy(proposals, (proposal) => proposal.pack)
    return {
      patient: `Patient/${patientId}`,
      asOf: today,
      recommendations: [...byPack].map(([pack, mine]) =>
        immunizationRecommendation(pack, patientId, mine, today)
      ),
      alerts: fired
        .filter((action) => action.type === 'alert')
        .map((action) => ({ pack: action.pack, rule: action.rule, ...action.params })),
    }
  }
}
