import { inject } from '@adonisjs/core'
import { Logger } from '@adonisjs/core/logger'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { parseSearchQuery } from '#interop/fhir/search_query'
import type { FiredAction } from '#rules_engine/pack_engine'
import { packKey } from '#rules_engine/pack_types'
import { BaseJob, type JobContext } from '#queue/base_job'
import { FhirStore } from '#services/fhir_store'
import { PackEvaluator } from '#services/pack_evaluator'
import { PackRepository } from '#services/pack_repository'
import { RuleOutputs } from '#services/rule_outputs'
import { StoreFactSource } from '#services/store_fact_source'

export interface RuleReevaluationPayload {
  pageSize?: number
  /** Only these patients (say, those a sync push just changed); every patient when absent. */
  patientIds?: string[]
}

export interface RuleReevaluationSummary {
  patients: number
  findings: number
  proposals: number
}

/** The record types a batch re-evaluation looks at for each patient. */
const RECORD_TYPES = ['Patient', 'Observation', 'Immunization'] as const

/**
 * The `schedule` trigger (DESIGN.md section 3): every patient re-evaluated
 * by the packs that run on a schedule, one transaction per patient, so that
 * findings and proposals follow new pack versions and the passing of time
 * (a dose becomes overdue without anything being saved). Records are not
 * given new versions; a refusal found now becomes a finding, never a refusal.
 */
@inject()
export default class RuleReevaluationJob extends BaseJob<RuleReevaluationPayload> {
  static queue = 'rule-reevaluation'
  static attempts = 3

  constructor(
    protected db: Database,
    protected store: FhirStore,
    protected packs: PackRepository,
    protected evaluator: PackEvaluator,
    protected outputs: RuleOutputs,
    protected logger: Logger
  ) {
    super()
  }

  async handle(payload: RuleReevaluationPayload, context: JobContext) {
    const pageSize = payload.pageSize ?? 200
    const summary: RuleReevaluationSummary = { patients: 0, findings: 0, proposals: 0 }
    if (payload.patientIds) {
      for (const id of payload.patientIds) {
        const patient = await this.store.read('Patient', id)
        if (patient && !patient.deleted) {
          const counts = await this.db.transaction((trx) =>
            this.#reevaluate(JSON.parse(patient.content), trx)
          )
          summary.patients++
          summary.findings += counts.findings
          summary.proposals += counts.proposals
        }
      }
      return summary
    }
    const { total = 0 } = await this.store.search(
      parseSearchQuery('Patient', [['_summary', 'count']])
    )
    for (let offset = 0; offset < total; offset += pageSize) {
      const query = parseSearchQuery('Patient', [
        ['_count', String(pageSize)],
        ['_offset', String(offset)],
      ])
      const { rows } = await this.store.search({ ...query, total: 'none' })
      for (const row of rows) {
        const counts = await this.db.transaction((trx) =>
          this.#reevaluate(JSON.parse(row.content), trx)
        )
        summary.patients++
        summary.findings += counts.findings
        summary.proposals += counts.proposals
      }
      await context.progress?.(Math.min(offset + pageSize, total), total)
      this.logger.info({ done: Math.min(offset + pageSize, total), total }, 'rule re-evaluation')
    }
    return summary
  }

  async #reevaluate(patient: Record<string, any>, trx: TransactionClientContract) {
    const source = new StoreFactSource(this.store, trx)
    let findings = 0
    for (const type of RECORD_TYPES) {
      const records = type === 'Patient' ? [patient] : await source.forPatient(type, patient.id)
      for (const record of records) {
        const fired = await this.evaluator.evaluate(record, 'schedule', ['business', 'dq'], trx)
        const found = fired.filter((action) => action.type === 'issue' || action.type === 'reject')
        const evaluated = await this.evaluator.packIds(type, 'schedule', ['business', 'dq'], trx)
        await this.outputs.storeFindings(trx, record, found.map(asFinding), evaluated)
        findings += found.length
      }
    }
    const cds = await this.evaluator.evaluate(patient, 'schedule', ['cds'], trx)
    const proposals = cds.filter((action) => action.type === 'propose')
    const scheduled = await this.packs.packsFor('Patient', 'schedule', trx)
    const keys = scheduled.filter((pack) => pack.kind === 'cds').map(packKey)
    await this.outputs.refreshProposals(trx, patient.id, keys, proposals)
    await this.outputs.storeEvaluations(
      trx,
      patient.id,
      cds.filter((action) => action.type === 'evaluate')
    )
    return { findings, proposals: proposals.length }
  }
}

/** A refusal found after the fact is an error finding: the record is already stored. */
function asFinding(action: FiredAction): FiredAction {
  return action.type === 'reject'
    ? {
        ...action,
        type: 'issue',
        params: { ...action.params, severity: 'error', code: action.rule },
      }
    : action
}
