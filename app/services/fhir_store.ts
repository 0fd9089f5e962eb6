import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { FhirError } from '#interop/fhir/fhir_error'
import { extractIndexEntries } from '#interop/fhir/search_parameters'
import type { SearchInclude, SearchQuery } from '#interop/fhir/search_query'
import { indexRows } from '#services/fhir_search_sql'
import { facilityOf, recordPatientFacility } from '#sync/patient_scope'
import {
  includedResources,
  searchResources,
  type SearchResult,
  type SearchRow,
} from '#services/fhir_search'
import {
  isDuplicateKey,
  isTrue,
  isoInstant,
  sinceMillis,
  stampVersion,
  toStoredVersion,
  type DeleteInput,
  type DeleteResult,
  type SaveInput,
  type StoredResource,
  type StoredVersion,
  type WriteResult,
} from '#services/fhir_version'

export { WRITE_METHODS } from '#services/fhir_version'
export type {
  DeleteInput,
  DeleteResult,
  Replica,
  SaveInput,
  StoredResource,
  StoredVersion,
  WriteMethod,
  WriteResult,
} from '#services/fhir_version'

export type { SearchResult, SearchRow } from '#services/fhir_search'

export interface HistoryOptions {
  count: number
  offset: number
  /** `_since`: versions at or after this instant. */
  since?: string
}

export interface HistoryPage {
  total: number
  /** Newest first. */
  entries: StoredVersion[]
}

const VERSION_COLUMNS = [
  'resource_type',
  'id',
  'version_id',
  'last_updated',
  'deleted',
  'method',
  'content',
  'seq',
]

/** Rows per INSERT: SQLite caps compound selects at 500 and variables per statement. */
const INSERT_CHUNK = 100

/**
 * FHIR R4 resources with their versions, search index rows and the change
 * sequence, the same on MySQL and SQLite (DESIGN.md sections 2 and 5).
 * Built by the container over the default connection, or over one
 * connection's client.
 */
@inject()
// Metadata cannot name a union (tsc records Object): declare Database, below @inject() which reads it.
@Reflect.metadata('design:paramtypes', [Database])
export class FhirStore {
  readonly #client: QueryClientContract

  constructor(source: Database | QueryClientContract) {
    this.#client = source instanceof Database ? source.connection() : source
  }

  async read(
    type: string,
    id: string,
    trx?: TransactionClientContract
  ): Promise<StoredResource | null> {
    const row = await (trx ?? this.#client)
      .from('fhir_resources')
      .where({ resource_type: type, id })
      .select('content', 'version_id', 'last_updated', 'deleted')
      .first()
    if (!row) {
      return null
    }
    return {
      content: row.content,
      versionId: Number(row.version_id),
      lastUpdated: isoInstant(row.last_updated),
      deleted: isTrue(row.deleted),
    }
  }

  async vread(
    type: string,
    id: string,
    versionId: number,
    trx?: TransactionClientContract
  ): Promise<StoredVersion | null> {
    const row = await (trx ?? this.#client)
      .from('fhir_resource_versions')
      .where({ resource_type: type, id, version_id: versionId })
      .select(VERSION_COLUMNS)
      .first()
    return row ? toStoredVersion(row) : null
  }

  /** Instance history with an id, type history without; newest first. */
  async history(
    type: string,
    id: string | undefined,
    { count, offset, since }: HistoryOptions,
    trx?: TransactionClientContract
  ): Promise<HistoryPage> {
    const query = (trx ?? this.#client).from('fhir_resource_versions').where('resource_type', type)
    if (id !== undefined) {
      query.where('id', id)
    }
    if (since !== undefined) {
      query.where('last_updated', '>=', sinceMillis(since))
    }
    const [{ total }] = await query.clone().count('* as total')
    const rows = await query
      .select(VERSION_COLUMNS)
      .orderBy('seq', 'desc')
      .limit(count)
      .offset(offset)
    return { total: Number(total), entries: rows.map(toStoredVersion) }
  }

  /**
   * Persists one change inside the caller's transaction: the next version,
   * its index rows and, last, its change sequence number. The counter's row
   * lock, held from there to the commit, makes numbers follow commit order
   * across iCDR processes (DESIGN.md section 5). A delete of a missing or
   * deleted resource changes nothing and returns null.
   * https://hl7.org/fhir/R4/http.html#update
   */
  write(trx: TransactionClientContract, input: SaveInput): Promise<WriteResult>
  write(trx: TransactionClientContract, input: DeleteInput): Promise<DeleteResult | null>
  write(
    trx: TransactionClientContract,
    input: SaveInput | DeleteInput
  ): Promise<WriteResult | DeleteResult | null>
  async write(trx: TransactionClientContract, input: SaveInput | DeleteInput) {
    const { type, id, expectedVersion, replica } = input
    const current = await this.#lockCurrent(trx, type, id)
    if (expectedVersion !== undefined && expectedVersion !== null && !replica) {
      if (current?.versionId !== expectedVersion) {
        const actual = current ? `version ${current.versionId}` : 'no version'
        throw FhirError.preconditionFailed(
          `${type}/${id} has ${actual}, not version ${expectedVersion}`
        )
      }
    }
    const live = current !== null && !current.deleted
    if (input.method === 'delete' && !live) {
      return null
    }
    if (input.method === 'create' && live && !replica) {
      throw FhirError.conflict(`${type}/${id} already exists`)
    }

    const versionId = replica?.versionId ?? (current?.versionId ?? 0) + 1
    const lastUpdatedMs = replica
      ? Date.parse(replica.lastUpdated)
      : Math.max(Date.now(), current?.lastUpdatedMs ?? 0)
    const lastUpdated = isoInstant(lastUpdatedMs)
    const saved = input.method === 'delete' ? null : stampVersion(input, versionId, lastUpdated)
    const patientId = saved ? saved.patientId : (current?.patientId ?? null)
    const derived = Boolean(input.derived)
    const columns = {
      version_id: versionId,
      last_updated: lastUpdatedMs,
      deleted: saved === null,
      derived,
      ...(saved && { content: saved.content, patient_id: saved.patientId }),
    }
    if (current === null) {
      await this.#insertNew(trx, type, id, { ...columns, seq: 0 })
    }
    if (live) {
      await trx.from('fhir_search_index').where({ resource_type: type, resource_id: id }).delete()
    }
    if (replica && current !== null) {
      await trx
        .from('fhir_resource_versions')
        .where({ resource_type: type, id })
        .where('version_id', '>=', versionId)
        .delete()
    }
    if (saved) {
      const rows = indexRows(type, id, extractIndexEntries(saved.resource))
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        await trx.table('fhir_search_index').multiInsert(rows.slice(start, start + INSERT_CHUNK))
      }
    }

    const seq = await this.#nextSequence(trx)
    await trx.table('fhir_resource_versions').insert({
      resource_type: type,
      id,
      version_id: versionId,
      content: saved?.content ?? null,
      deleted: saved === null,
      method: input.method,
      last_updated: lastUpdatedMs,
      seq,
      patient_id: patientId,
      derived,
    })
    await trx
      .from('fhir_resources')
      .where({ resource_type: type, id })
      .update({ ...columns, seq })
    if (type === 'Patient' && saved) {
      await recordPatientFacility(trx, id, facilityOf(saved.resource), seq)
    }
    return { versionId, lastUpdated, content: saved?.content ?? null, seq, created: !live }
  }

  /** Matches of a search, one page, in the order `_sort` asks. https://hl7.org/fhir/R4/search.html */
  search(query: SearchQuery, trx?: TransactionClientContract): Promise<SearchResult> {
    return searchResources(trx ?? this.#client, query)
  }

  /** The resources `_include` adds to a page of matches. */
  include(
    rows: SearchRow[],
    includes: SearchInclude[],
    trx?: TransactionClientContract
  ): Promise<SearchRow[]> {
    return includedResources(trx ?? this.#client, rows, includes)
  }

  /** Versions after a checkpoint, in change sequence order: a sync pull's page. */
  async changesSince(
    seq: number,
    limit: number,
    trx?: TransactionClientContract
  ): Promise<StoredVersion[]> {
    const rows = await (trx ?? this.#client)
      .from('fhir_resource_versions')
      .where('seq', '>', seq)
      .select(VERSION_COLUMNS)
      .orderBy('seq', 'asc')
      .limit(limit)
    return rows.map(toStoredVersion)
  }

  /** The last committed change sequence number. */
  async currentSequence(trx?: TransactionClientContract): Promise<number> {
    const row = await (trx ?? this.#client)
      .from('fhir_change_sequence')
      .where('name', 'changes')
      .select('value')
      .first()
    return Number(row?.value ?? 0)
  }

  /**
   * The current row, locked on MySQL. A locking read of a missing key would
   * lock the gap around it, and two creates in one gap would then deadlock
   * on their inserts; so only rows seen to exist are locked (rows are never
   * removed), and a new id is claimed by inserting it (`#insertNew`).
   */
  async #lockCurrent(trx: TransactionClientContract, type: string, id: string) {
    const find = () =>
      trx
        .from('fhir_resources')
        .where({ resource_type: type, id })
        .select('version_id', 'last_updated', 'deleted', 'patient_id')
    let row = await find().first()
    if (row && trx.dialect.name === 'mysql') {
      row = await find().forUpdate().first()
    }
    return row
      ? {
          versionId: Number(row.version_id),
          lastUpdatedMs: Number(row.last_updated),
          deleted: isTrue(row.deleted),
          patientId: (row.patient_id as string | null) ?? null,
        }
      : null
  }

  async #insertNew(
    trx: TransactionClientContract,
    type: string,
    id: string,
    columns: Record<string, unknown>
  ) {
    try {
      await trx.table('fhir_resources').insert({ resource_type: type, id, ...columns })
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw FhirError.conflict(`${type}/${id} was created by a concurrent request; try again`)
      }
      throw error
    }
  }

  async #nextSequence(trx: TransactionClientContract): Promise<number> {
    await trx.from('fhir_change_sequence').where('name', 'changes').increment('value', 1)
    const row = await trx
      .from('fhir_change_sequence')
      .where('name', 'changes')
      .select('value')
      .first()
    if (!row) {
      throw new Error('fhir_change_sequence has no "changes" row: run the migrations')
    }
    return Number(row.value)
  }
}
