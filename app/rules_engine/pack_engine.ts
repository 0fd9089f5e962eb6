import { Engine, type RuleProperties } from 'json-rules-engine'
import { EVALUATION_FACT, type Evaluation } from '#rules_engine/evaluation'
import type { FactRegistry } from '#rules_engine/fact_registry'
import { CUSTOM_OPERATORS } from '#rules_engine/operators/operator_registry'
import { packKey, type ActionType, type JsonValue, type RulePack } from '#rules_engine/pack_types'

/**
 * One action a rule fired, with its provenance: which pack version and which
 * rule. Every output of the engine carries it (DESIGN.md section 3).
 */
export interface FiredAction {
  pack: string
  rule: string
  type: ActionType
  params: Record<string, unknown>
}

/**
 * The json-rules-engine Engine of one pack version, built once and shared by
 * every evaluation. Nothing in an evaluation changes the engine: the context
 * travels as a runtime fact, and `stop()` is never called on it.
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/engine.md
 */
export class PackEngine {
  readonly key: string
  #engine: Engine

  constructor(
    readonly pack: RulePack,
    facts: FactRegistry
  ) {
    this.key = packKey(pack)
    this.#engine = new Engine([], { allowUndefinedFacts: false, replaceFactsInEventParams: true })
    for (const [name, operator] of Object.entries(CUSTOM_OPERATORS)) {
      this.#engine.addOperator(name, operator)
    }
    for (const [name, condition] of Object.entries(pack.sharedConditions ?? {})) {
      this.#engine.setCondition(name, structuredClone(condition) as any)
    }
    /*
     * Every platform fact is added, not only those the pack names: facts
     * read one another through the almanac (ageDays reads patient).
     */
    for (const id of facts.ids()) {
      const provider = facts.get(id)!
      this.#engine.addFact(id, async (params, almanac) => {
        const evaluation = (await almanac.factValue(EVALUATION_FACT)) as Evaluation
        return provider.compute(params ?? {}, evaluation, almanac)
      })
    }
    for (const rule of pack.rules) {
      this.#engine.addRule({
        name: rule.name,
        priority: rule.priority ?? 1,
        conditions: structuredClone(rule.conditions),
        event: structuredClone(rule.event),
      } as RuleProperties)
    }
  }

  /**
   * json-rules-engine keeps one running/finished status per Engine, and a run
   * that finishes marks it finished for every run in progress, which then
   * skips its remaining priority sets. Each run therefore gets its own view
   * of the shared engine (rules, facts, operators and conditions are shared,
   * read-only), holding its own status.
   */
  #runner(): Engine {
    const runner = Object.create(this.#engine) as Engine & { status: string }
    runner.status = 'READY'
    return runner
  }

  /**
   * Runs the pack on one evaluation. `factOverrides` replace facts by id
   * (a pack test's `given.facts`).
   */
  async evaluate(
    evaluation: Evaluation,
    factOverrides: Record<string, JsonValue> = {}
  ): Promise<FiredAction[]> {
    const { results } = await this.#runner().run({
      ...factOverrides,
      [EVALUATION_FACT]: evaluation,
    })
    return results
      .filter((result) => result.event)
      .map((result) => ({
        pack: this.key,
        rule: result.name,
        type: result.event!.type as ActionType,
        params: (result.event!.params ?? {}) as Record<string, unknown>,
      }))
  }
}
