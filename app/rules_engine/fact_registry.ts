import type { FactProvider } from '#rules_engine/fact_provider'
import {
  ageBandFact,
  ageDaysFact,
  ageMonthsFact,
  birthDatePrecisionFact,
} from '#rules_engine/facts/age_facts'
import {
  identifierDuplicatesFact,
  immunizationHistoryFact,
  latestObservationFact,
} from '#rules_engine/facts/history_facts'
import {
  eventDateFact,
  patientFact,
  resourceFact,
  todayFact,
} from '#rules_engine/facts/resource_facts'
import { quantityValueFact } from '#rules_engine/facts/observation_facts'
import { scheduleStatusFact } from '#rules_engine/facts/schedule_facts'
import { immunizationForecastFact } from '#rules_engine/facts/forecast_facts'

/** The facts this platform version provides; a pack naming any other is refused. */
export const FACT_PROVIDERS: readonly FactProvider[] = [
  resourceFact,
  patientFact,
  eventDateFact,
  todayFact,
  ageDaysFact,
  ageMonthsFact,
  ageBandFact,
  birthDatePrecisionFact,
  immunizationHistoryFact,
  latestObservationFact,
  identifierDuplicatesFact,
  quantityValueFact,
  scheduleStatusFact,
  immunizationForecastFact,
]

export class FactRegistry {
  #providers = new Map<string, FactProvider>()

  constructor(providers: readonly FactProvider[] = FACT_PROVIDERS) {
    providers.forEach((provider) => this.register(provider))
  }

  register(provider: FactProvider) {
    if (this.#providers.has(provider.id)) {
      throw new Error(`The fact "${provider.id}" is registered twice`)
    }
    this.#providers.set(provider.id, provider)
  }

  get(id: string): FactProvider | undefined {
    return this.#providers.get(id)
  }

  ids(): string[] {
    return [...this.#providers.keys()]
  }
}
