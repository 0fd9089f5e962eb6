import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { parseSearchQuery } from '#interop/fhir/search_query'
import type { FactSource } from '#rules_engine/fact_source'
import type { FhirStore } from '#services/fhir_store'

const MAX_RESOURCES = 1000

/**
 * Facts read the node's own store, inside the transaction of the save that
 * triggered them: what the rules see is what this write will commit beside.
 */
export class StoreFactSource implements FactSource {
  constructor(
    protected store: FhirStore,
    protected trx?: TransactionClientContract
  ) {}

  async resolve(reference: string) {
    const [type, id] = reference.split('/')
    const row = type && id ? await this.store.read(type, id, this.trx) : null
    return row && !row.deleted ? JSON.parse(row.content) : undefined
  }

  forPatient(type: string, patientId: string) {
    return this.#search(type, [['patient', `Patient/${patientId}`]])
  }

  withIdentifier(type: string, system: string, value: string) {
    return this.#search(type, [['identifier', `${system}|${value}`]])
  }

  /** DetectedIssues that implicate a record (`Type/id`). */
  withImplicated(reference: string) {
    return this.#search('DetectedIssue', [['implicated', reference]])
  }

  async #search(type: string, parameters: Array<[string, string]>) {
    const query = parseSearchQuery(type, [...parameters, ['_count', String(MAX_RESOURCES)]])
    const { rows } = await this.store.search({ ...query, total: 'none' }, this.trx)
    return rows.map((row) => JSON.parse(row.content))
  }
}
