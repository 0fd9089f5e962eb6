import { inject } from '@adonisjs/core'
import { FhirError, outcomeIssue } from '#interop/fhir/fhir_error'
import { ResourceValidator } from '#interop/fhir/resource_validator'
import { assignPath } from '#rules_engine/actions/assign'
import { detectedIssue, RULE_IDENTIFIER_SYSTEM } from '#rules_engine/actions/detected_issue'
import { immunizationRecommendation, recommendationId } from '#rules_engine/actions/recommendation'
import { patientOf } from '#rules_engine/fact_source'
import type { FiredAction } from '#rules_engine/pack_engine'
import { packKey, type PackKind, type TriggerEvent } from '#rules_engine/pack_types'
import { FhirStore } from '#services/fhir_store'
import { PackEvaluator } from '#services/pack_evaluator'
import { PackRepository } from '#services/pack_repository'
import type { SaveContext, SaveHooks } from '#services/save_hooks'
import { StoreFactSource } from '#services/store_fact_source'

/**
 * Rule packs in the save pipeline (DESIGN.md sections 2 and 3). Before the
 * write, business and DQ packs may refuse it, set values or find issues;
 * after it, findings are stored as DetectedIssues and CDS packs refresh the
 * patient's proposals. A pack that throws is left out of that save and its
 * failure recorded; it never breaks the save.
 */
@inject()
export class RulesHooks {
  #pending = new WeakMap<SaveContext, FiredAction[]>()

  constructor(
    protected packs: PackRepository,
    protected evaluator: PackEvaluator,
    protected store: FhirStore,
    protected validator: ResourceValidator
  ) {}

  register(hooks: SaveHooks) {
    hooks.register('beforeSave', {
      name: 'rule packs: business and DQ',
      handle: (c) => this.beforeSave(c),
    })
    hooks.register('afterSave', {
      name: 'rule packs: findings and CDS',
      handle: (c) => this.afterSave(c),
    })
  }

  async beforeSave(context: SaveContext) {
    if (context.method === 'delete' || context.source === 'rules') {
      return
    }
    const fired = await this.#run(context, 'beforeSave', ['business', 'dq'])
    const rejects = fired.filter((action) => action.type === 'reject')
    /* Data accepted where it was recorded is flagged, never refused, when it arrives by sync. */
    if (rejects.length > 0 && context.source !== 'sync') {
      throw FhirError.invalid(rejects.map((action) => rejectIssue(action, context.type)))
    }
    for (const action of fired.filter((candidate) => candidate.type === 'assign')) {
      const { path, value, fromFact } = action.params as {
        path: string
        value?: unknown
        fromFact?: unknown
      }
      context.mutate((resource) => assignPath(resource, path, value ?? fromFact))
    }
    const findings = fired.filter((action) => action.type === 'issue' || action.type === 'alert')
    const flagged = rejects.map((action) => ({
      ...action,
      type: 'issue' as const,
      params: { ...action.params, severity: 'error', code: action.rule },
    }))
    this.#pending.set(context, [...findings, ...(context.source === 'sync' ? flagged : [])])
  }

  async afterSave(context: SaveContext) {
    if (context.source === 'rules' || context.method === 'delete' || !context.result) {
      return
    }
    const findings = this.#pending.get(context) ?? []
    await this.#storeFindings(
      context,
      findings.filter((action) => action.type === 'issue')
    )
    const cds = await this.#run(context, 'afterSave', ['cds'])
    await this.#storeProposals(
      context,
      cds.filter((action) => action.type === 'propose')
    )
    await this.#storeAlerts(
      context,
      [...findings, ...cds].filter((action) => action.type === 'alert')
    )
  }

  #run(context: SaveContext, event: TriggerEvent, kinds: PackKind[]) {
    return this.evaluator.evaluate(context.resource, event, kinds, context.trx)
  }

  /**
   * One DetectedIssue per record and rule: refreshed while the rule fires,
   * cancelled once a new version of the record no longer makes it fire.
   */
  async #storeFindings(context: SaveContext, findings: FiredAction[]) {
    const reference = `${context.type}/${context.id}`
    const patientId = patientOf(context.resource)
    const today = new Date().toISOString()
    const current = new Set<string>()
    for (const finding of findings) {
      const issue = detectedIssue(finding, { reference, patientId }, today)
      current.add(issue.id)
      await this.#write(context, issue)
    }
    const source = new StoreFactSource(this.store, context.trx)
    const earlier = await source.withImplicated(reference)
    for (const issue of earlier) {
      const fromRules = (issue.identifier ?? []).some(
        (id: any) => id.system === RULE_IDENTIFIER_SYSTEM
      )
      if (fromRules && !current.has(issue.id) && issue.status !== 'cancelled') {
        await this.#write(context, { ...issue, meta: undefined, status: 'cancelled' })
      }
    }
  }

  async #storeProposals(context: SaveContext, proposals: FiredAction[]) {
    const patientId = patientOf(context.resource)
    if (!patientId) {
      return
    }
    const today = new Date().toISOString().slice(0, 10)
    const cdsPacks = await this.packs.packsFor(context.type, 'afterSave', context.trx)
    const packs = new Set(cdsPacks.filter((pack) => pack.kind === 'cds').map(packKey))
    for (const key of packs) {
      const mine = proposals.filter((proposal) => proposal.pack === key)
      if (mine.length > 0) {
        await this.#write(context, immunizationRecommendation(key, patientId, mine, today))
      } else {
        const id = recommendationId(key.split('@')[0], patientId)
        await this.store.write(context.trx, {
          type: 'ImmunizationRecommendation',
          id,
          method: 'delete',
        })
      }
    }
  }

  async #storeAlerts(context: SaveContext, alerts: FiredAction[]) {
    for (const alert of alerts) {
      const params = alert.params as { message?: string; acknowledge?: boolean }
      await context.trx.table('rule_alerts').insert({
        pack_key: alert.pack,
        rule: alert.rule,
        patient_id: patientOf(context.resource) ?? null,
        resource_type: context.type,
        resource_id: context.id,
        message: params.message ?? alert.rule,
        requires_ack: Boolean(params.acknowledge),
        created_at: Date.now(),
      })
    }
  }

  /** Rule outputs are written straight to the store (no rules run on them), valid R4 all the same. */
  async #write(context: SaveContext, resource: Record<string, any>) {
    const { resource: valid } = this.validator.validate(JSON.parse(JSON.stringify(resource)))
    await this.store.write(context.trx, {
      type: valid.resourceType,
      id: valid.id!,
      method: 'update',
      resource: valid as any,
      preserved: valid,
    })
  }
}

function rejectIssue(action: FiredAction, type: string) {
  const { message, path } = action.params as { message?: string; path?: string }
  return outcomeIssue(
    'business-rule',
    `${message ?? action.rule} [${action.pack}#${action.rule}]`,
    path ?? type
  )
}
