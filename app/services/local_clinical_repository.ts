import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseSearchQuery, type SearchQuery } from '#interop/fhir/search_query'
import { FhirStore, type SearchRow } from '#services/fhir_store'
import { SavePipeline } from '#services/save_pipeline'
import { BundleService } from '#services/bundle_service'
import {
  ClinicalRepository,
  type HistoryPage,
  type ParsedBody,
  type SearchPage,
  type StoredResource,
  type WriteOptions,
  type WriteOutcome,
} from '#services/clinical_repository'

/**
 * The clinical repository of a node that keeps its own store (iCDR, edges):
 * reads straight from the FHIR tables, writes through the save pipeline.
 */
@inject()
export class LocalClinicalRepository extends ClinicalRepository {
  constructor(
    protected db: Database,
    protected store: FhirStore,
    protected pipeline: SavePipeline
  ) {
    super()
  }

  async read(type: string, id: string, trx?: TransactionClientContract): Promise<StoredResource> {
    const row = await this.store.read(type, id, trx)
    if (!row) {
      throw FhirError.notFound(type, id)
    }
    if (row.deleted) {
      throw FhirError.gone(type, id)
    }
    return {
      type,
      id,
      versionId: row.versionId,
      lastUpdated: row.lastUpdated,
      content: row.content,
    }
  }

  async vread(type: string, id: string, versionId: number): Promise<StoredResource> {
    const row = await this.store.vread(type, id, versionId)
    if (!row) {
      throw FhirError.notFound(type, `${id}/_history/${versionId}`)
    }
    if (row.deleted || row.content === null) {
      throw FhirError.gone(type, `${id}/_history/${versionId}`)
    }
    return { type, id, versionId, lastUpdated: row.lastUpdated, content: row.content }
  }

  async search(query: SearchQuery, trx?: TransactionClientContract): Promise<SearchPage> {
    const { total, rows } = await this.store.search(query, trx)
    const matches = rows.map((row) => this.#stored(row))
    const includedRows =
      query.include.length > 0 && rows.length > 0
        ? await this.store.include(rows, query.include, trx)
        : []
    return { total, matches, included: includedRows.map((row) => this.#stored(row)) }
  }

  history(
    type: string,
    id: string | undefined,
    page: { count: number; offset: number }
  ): Promise<HistoryPage> {
    return this.store.history(type, id, page)
  }

  async create(
    type: string,
    body: ParsedBody,
    options: WriteOptions & { id?: string; ifNoneExist?: string },
    trx?: TransactionClientContract
  ): Promise<WriteOutcome> {
    return this.#inTransaction(trx, async (client) => {
      if (options.ifNoneExist) {
        const existing = await this.#conditionalMatch(type, options.ifNoneExist, client)
        if (existing) {
          return { resource: existing, created: false, notes: [] }
        }
      }
      const clientId = options.id ?? (body.resource as { id?: unknown } | null)?.id
      const id = typeof clientId === 'string' ? clientId : undefined
      return this.#save('create', type, id, body, options, client, null)
    })
  }

  async update(
    type: string,
    id: string,
    body: ParsedBody,
    options: WriteOptions & { ifMatch?: number },
    trx?: TransactionClientContract
  ): Promise<WriteOutcome> {
    return this.#save('update', type, id, body, options, trx, options.ifMatch ?? null)
  }

  async delete(type: string, id: string, options: WriteOptions, trx?: TransactionClientContract) {
    await this.pipeline.save({ method: 'delete', type, id, ...options }, trx)
  }

  async bundle(body: ParsedBody, options: WriteOptions & { baseUrl: string }): Promise<string> {
    return new BundleService(this.db, this).process(body, options)
  }

  async #save(
    method: 'create' | 'update',
    type: string,
    id: string | undefined,
    body: ParsedBody,
    options: WriteOptions,
    trx: TransactionClientContract | undefined,
    expectedVersion: number | null
  ): Promise<WriteOutcome> {
    const { result, notes } = await this.pipeline.save(
      { method, type, id, body, expectedVersion, ...options },
      trx
    )
    if (!result || result.content === null) {
      throw FhirError.processing(`The ${method} of ${type}/${id} stored nothing`)
    }
    return {
      resource: {
        type,
        id: result.id,
        versionId: result.versionId,
        lastUpdated: result.lastUpdated,
        content: result.content,
      },
      created: result.created,
      notes,
    }
  }

  /**
   * `If-None-Exist`: no match creates, one match is returned as is, several
   * matches refuse the create (412).
   * @see https://hl7.org/fhir/R4/http.html#ccreate
   */
  async #conditionalMatch(type: string, criteria: string, trx: TransactionClientContract) {
    const query = parseSearchQuery(type, new URLSearchParams(criteria))
    const { rows } = await this.store.search({ ...query, count: 2, offset: 0, total: 'none' }, trx)
    if (rows.length > 1) {
      throw FhirError.preconditionFailed(
        `If-None-Exist "${criteria}" matches more than one ${type}: be more selective`
      )
    }
    return rows.length === 1 ? this.read(type, rows[0].id, trx) : null
  }

  #stored(row: SearchRow): StoredResource {
    return {
      type: row.type,
      id: row.id,
      versionId: row.versionId,
      lastUpdated: row.lastUpdated,
      content: row.content,
    }
  }

  #inTransaction<T>(
    trx: TransactionClientContract | undefined,
    work: (trx: TransactionClientContract) => Promise<T>
  ): Promise<T> {
    return trx ? work(trx) : this.db.transaction(work)
  }
}
