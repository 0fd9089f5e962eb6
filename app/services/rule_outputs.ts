import { isDeepStrictEqual } from 'node:util'
import { inject } from '@adonisjs/core'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { ResourceValidator } from '#interop/fhir/resource_validator'
import { detectedIssue, RULE_IDENTIFIER_SYSTEM } from '#rules_engine/actions/detected_issue'
import { immunizationRecommendation, recommendationId } from '#rules_engine/actions/recommendation'
import { immunizationEvaluations } from '#rules_engine/actions/evaluation'
import { patientOf } from '#rules_engine/fact_source'
import type { FiredAction } from '#rules_engine/pack_engine'
import { FhirStore } from '#services/fhir_store'
import { StoreFactSource } from '#services/store_fact_source'
import { localToday } from '#rules_engine/facts/clinical_dates'

/** Elements that change at every evaluation without changing what it found. */
const VOLATILE = ['meta', 'identifiedDateTime', 'date'] as const

/**
 * Stores what rules produce, the same way after a save and in a batch
 * re-evaluation: DQ findings as DetectedIssues (one per record and rule,
 * cancelled when the rule no longer fires) and CDS proposals as one
 * ImmunizationRecommendation per patient and protocol. An output that has
 * not changed is not written again, so re-evaluations add no versions.
 */
@inject()
export class RuleOutputs {
  constructor(
    protected store: FhirStore,
    protected validator: ResourceValidator
  ) {}

  /**
   * `evaluated` names the packs (ids) that just ran on the record: only their
   * earlier findings can be cancelled, not those of packs that run at another time.
   */
  async storeFindings(
    trx: TransactionClientContract,
    record: Record<string, any>,
    findings: FiredAction[],
    evaluated: ReadonlySet<string>
  ) {
    const reference = `${record.resourceType}/${record.id}`
    const patientId = patientOf(record)
    const now = new Date().toISOString()
    const current = new Set<string>()
    for (const finding of findings) {
      const issue = detectedIssue(finding, { reference, patientId }, now)
      current.add(issue.id)
      await this.#write(trx, issue)
    }
    const earlier = await new StoreFactSource(this.store, trx).withImplicated(reference)
    for (const issue of earlier) {
      const fromEvaluated = (issue.identifier ?? []).some(
        (id: any) => id.system === RULE_IDENTIFIER_SYSTEM && evaluated.has(id.value.split('@')[0])
      )
      if (fromEvaluated && !current.has(issue.id) && issue.status !== 'cancelled') {
        await this.#write(trx, { ...issue, meta: undefined, status: 'cancelled' })
      }
    }
  }

  /** Replaces each protocol's proposals for the patient; removes those with none left. */
  async refreshProposals(
    trx: TransactionClientContract,
    patientId: string,
    packKeys: Iterable<string>,
    proposals: FiredAction[]
  ) {
    const today = localToday()
    for (const key of packKeys) {
      const mine = proposals.filter((proposal) => proposal.pack === key)
      if (mine.length > 0) {
        await this.#write(trx, immunizationRecommendation(key, patientId, mine, today))
      } else {
        const id = recommendationId(key.split('@')[0], patientId)
        await this.store.write(trx, {
          type: 'ImmunizationRecommendation',
          id,
          method: 'delete',
          derived: true,
        })
      }
    }
  }

  /**
   * Stores the dose evaluations of `evaluate` actions, one ImmunizationEvaluation
   * per dose and target disease; an evaluation that has not changed is not written again.
   */
  async storeEvaluations(
    trx: TransactionClientContract,
    patientId: string,
    actions: FiredAction[]
  ) {
    const today = localToday()
    for (const action of actions) {
      for (const evaluation of immunizationEvaluations(action, patientId, today)) {
        await this.#write(trx, evaluation)
      }
    }
  }

  /** Rule outputs are written straight to the store (no rules run on them), valid R4 all the same. */
  async #write(trx: TransactionClientContract, resource: Record<string, any>) {
    const { resource: valid } = this.validator.validate(JSON.parse(JSON.stringify(resource)))
    const stored = await this.store.read(valid.resourceType, valid.id!, trx)
    if (
      stored &&
      !stored.deleted &&
      isDeepStrictEqual(stable(JSON.parse(stored.content)), stable(valid))
    ) {
      return
    }
    await this.store.write(trx, {
      type: valid.resourceType,
      id: valid.id!,
      method: 'update',
      resource: valid as any,
      preserved: valid,
      derived: true,
    })
  }
}

function stable(resource: Record<string, any>) {
  const copy = { ...resource }
  VOLATILE.forEach((element) => delete copy[element])
  return copy
}
