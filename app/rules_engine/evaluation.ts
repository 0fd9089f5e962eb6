import type { FactSource } from '#rules_engine/fact_source'
import type { RulePack, TriggerEvent } from '#rules_engine/pack_types'

/**
 * Everything one evaluation of one pack may look at. It reaches the facts as
 * the runtime fact `$evaluation`, so that one cached Engine per pack version
 * serves any number of concurrent evaluations (each run has its own almanac).
 */
export interface Evaluation {
  pack: RulePack
  event: TriggerEvent
  /** The resource being saved, or the patient whose chart is open. */
  resource: Record<string, any>
  /** "Today" for the rules: the test's `asOf`, or the clock. */
  asOf: Date
  source: FactSource
}

export const EVALUATION_FACT = '$evaluation'
