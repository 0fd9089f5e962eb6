import type { Almanac } from 'json-rules-engine'
import type { Evaluation } from '#rules_engine/evaluation'
import type { FactParams } from '#rules_engine/pack_types'

/**
 * A fact a pack may use: code, registered here, named by id in the pack.
 * Rules are data, facts are code. json-rules-engine caches each value per
 * evaluation and parameter set, so a fact used by ten rules is computed once.
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/facts.md
 */
export interface FactProvider {
  id: string
  /** What the value is, for authors (docs/rule-packs.md lists them). */
  description: string
  compute(params: FactParams, evaluation: Evaluation, almanac: Almanac): Promise<unknown> | unknown
}

export function defineFact(provider: FactProvider): FactProvider {
  return provider
}
