import type { SearchQuery } from '#interop/fhir/search_query'
import type { Principal, SaveContext, SaveSource } from '#services/save_hooks'

export interface StoredResource {
  type: string
  id: string
  versionId: number
  lastUpdated: string
  /** The resource's JSON text as stored; decimals keep their digits. */
  content: string
}

export interface HistoryEntry {
  type: string
  id: string
  versionId: number
  lastUpdated: string
  method: 'create' | 'update' | 'delete'
  /** Null for a delete. */
  content: string | null
}

export interface WriteOptions {
  source: SaveSource
  principal?: Principal
}

export interface WriteOutcome {
  resource: StoredResource
  /** True when this write made the resource (create, or update-as-create). */
  created: boolean
  notes: SaveContext['notes']
}

export interface SearchPage {
  total?: number
  matches: StoredResource[]
  included: StoredResource[]
}

export interface HistoryPage {
  total: number
  entries: HistoryEntry[]
}

export interface ParsedBody {
  resource: unknown
  preserved: unknown
}

/**
 * The clinical data a node works on (DESIGN.md section 1): the local store
 * on the iCDR and edges, the iCDR itself (over HTTP) on the portal. FHIR
 * routes, pages, HL7v2 and sync all read and write through it.
 */
export abstract class ClinicalRepository {
  abstract read(type: string, id: string): Promise<StoredResource>
  abstract vread(type: string, id: string, versionId: number): Promise<StoredResource>
  abstract search(query: SearchQuery): Promise<SearchPage>
  abstract history(
    type: string,
    id: string | undefined,
    page: { count: number; offset: number }
  ): Promise<HistoryPage>

  /** `ifNoneExist` is a search query string: when it matches one resource, that one is returned. */
  abstract create(
    type: string,
    body: ParsedBody,
    options: WriteOptions & { id?: string; ifNoneExist?: string }
  ): Promise<WriteOutcome>

  abstract update(
    type: string,
    id: string,
    body: ParsedBody,
    options: WriteOptions & { ifMatch?: number }
  ): Promise<WriteOutcome>

  abstract delete(type: string, id: string, options: WriteOptions): Promise<void>

  /** A transaction or batch Bundle; answers with the response Bundle's JSON text. */
  abstract bundle(body: ParsedBody, options: WriteOptions & { baseUrl: string }): Promise<string>
}
