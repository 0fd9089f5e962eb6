import { inject } from '@adonisjs/core'
import { FhirError, outcomeIssue } from '#interop/fhir/fhir_error'
import { assignPath } from '#rules_engine/actions/assign'
import { patientOf } from '#rules_engine/fact_source'
import type { FiredAction } from '#rules_engine/pack_engine'
import { packKey, type PackKind, type TriggerEvent } from '#rules_engine/pack_types'
import { PackEvaluator } from '#services/pack_evaluator'
import { PackRepository } from '#services/pack_repository'
import { RuleOutputs } from '#services/rule_outputs'
import type { SaveContext, SaveHooks } from '#services/save_hooks'

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
    protected outputs: RuleOutputs
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
    const issues = findings.filter((action) => action.type === 'issue')
    const evaluated = await this.evaluator.packIds(
      context.type,
      'beforeSave',
      ['business', 'dq'],
      context.trx
    )
    const record = { ...context.resource, id: context.id }
    await this.outputs.storeFindings(context.trx, record, issues, evaluated)
    const cds = await this.#run(context, 'afterSave', ['cds'])
    await this.#storeProposals(
      context,
      cds.filter((action) => action.type === 'propose')
    )
    const patientId = patientOf(context.resource)
    if (patientId) {
      await this.outputs.storeEvaluations(
        context.trx,
        patientId,
        cds.filter((action) => action.type === 'evaluate')
      )
    }
    await this.#storeAlerts(
      context,
      [...findings, ...cds].filter((action) => action.type === 'alert')
    )
  }

  #run(context: SaveContext, event: TriggerEvent, kinds: PackKind[]) {
    return this.evaluator.evaluate(context.resource, event, kinds, context.trx)
  }

  async #storeProposals(context: SaveContext, proposals: FiredAction[]) {
    const patientId = patientOf(context.resource)
    if (!patientId) {
      return
    }
    const cdsPacks = await this.packs.packsFor(context.type, 'afterSave', context.trx)
    const keys = new Set(cdsPacks.filter((pack) => pack.kind === 'cds').map(packKey))
    await this.outputs.refreshProposals(context.trx, patientId, keys, proposals)
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
}

function rejectIssue(action: FiredAction, type: string) {
  const { message, path } = action.params as { message?: string; path?: string }
  return outcomeIssue(
    'business-rule',
    `${message ?? action.rule} [${action.pack}#${action.rule}]`,
    path ?? type
  )
}
