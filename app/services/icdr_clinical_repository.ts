import { inject } from '@adonisjs/core'
import { HttpContext } from '@adonisjs/core/http'
import {
  FHIR_ERROR_STATUSES,
  FhirError,
  outcomeIssue,
  type FhirErrorCode,
} from '#interop/fhir/fhir_error'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import { searchQueryText } from '#interop/fhir/search_query_text'
import type { SearchQuery } from '#interop/fhir/search_query'
import { AccessError } from '#identity/access_error'
import {
  ClinicalRepository,
  type HistoryPage,
  type ParsedBody,
  type SearchPage,
  type StoredResource,
  type WriteOptions,
  type WriteOutcome,
} from '#services/clinical_repository'
import { IcdrClient } from '#services/icdr_client'
import { icdrTokenOf } from '#services/portal_tokens'

const FHIR_JSON = 'application/fhir+json'
const TIMEOUT_MS = 10_000

interface FhirAnswer {
  status: number
  headers: Headers
  /** The body as FHIR JSON: plain, and with decimals kept as written. */
  json: { resource: any; preserved: any } | null
}

/**
 * The clinical repository of the portal, which keeps no store (DESIGN.md
 * section 1): every read and write is a FHIR call to the iCDR, as the
 * logged-in person (their iCDR token, taken at login), so the iCDR's own
 * policy, save pipeline and audit decide and record it.
 */
@inject()
export class IcdrClinicalRepository extends ClinicalRepository {
  constructor(
    protected icdr: IcdrClient,
    protected ctx: HttpContext
  ) {
    super()
  }

  async read(type: string, id: string): Promise<StoredResource> {
    const answer = await this.#call('GET', `${enc(type)}/${enc(id)}`)
    return stored(answer.json!)
  }

  async vread(type: string, id: string, versionId: number): Promise<StoredResource> {
    const answer = await this.#call('GET', `${enc(type)}/${enc(id)}/_history/${versionId}`)
    return stored(answer.json!)
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const answer = await this.#call('GET', `${query.type}?${searchQueryText(query)}`)
    const entries = bundleEntries(answer.json!)
    return {
      total: answer.json!.resource.total,
      matches: entries.filter((entry) => entry.mode !== 'include').map((entry) => entry.stored),
      included: entries.filter((entry) => entry.mode === 'include').map((entry) => entry.stored),
    }
  }

  async history(
    type: string,
    id: string | undefined,
    page: { count: number; offset: number }
  ): Promise<HistoryPage> {
    const path = id ? `${enc(type)}/${enc(id)}/_history` : `${enc(type)}/_history`
    const answer = await this.#call('GET', `${path}?_count=${page.count}&_offset=${page.offset}`)
    const resources = answer.json!.resource.entry ?? []
    const preserved = answer.json!.preserved.entry ?? []
    return {
      total: answer.json!.resource.total ?? resources.length,
      entries: resources.map((entry: any, index: number) => {
        const method = String(entry.request?.method ?? 'PUT')
        const [entryType, entryId, , version] = String(entry.request?.url ?? entry.fullUrl ?? '')
          .split('/')
          .slice(-4)
        return {
          type: entry.resource?.resourceType ?? entryType ?? type,
          id: entry.resource?.id ?? entryId ?? id ?? '',
          versionId: Number(entry.resource?.meta?.versionId ?? version ?? 0),
          lastUpdated: entry.resource?.meta?.lastUpdated ?? entry.response?.lastModified ?? '',
          method: method === 'DELETE' ? 'delete' : method === 'POST' ? 'create' : 'update',
          content: entry.resource ? JSON.stringify(preserved[index].resource) : null,
        }
      }),
    }
  }

  async create(
    type: string,
    body: ParsedBody,
    options: WriteOptions & { id?: string; ifNoneExist?: string }
  ): Promise<WriteOutcome> {
    const answer = options.id
      ? await this.#call('PUT', `${enc(type)}/${enc(options.id)}`, { body: body.preserved })
      : await this.#call('POST', enc(type), {
          body: body.preserved,
          headers: options.ifNoneExist ? { 'if-none-exist': options.ifNoneExist } : {},
        })
    return { resource: stored(answer.json!), created: answer.status === 201, notes: [] }
  }

  async update(
    type: string,
    id: string,
    body: ParsedBody,
    options: WriteOptions & { ifMatch?: number }
  ): Promise<WriteOutcome> {
    const answer = await this.#call('PUT', `${enc(type)}/${enc(id)}`, {
      body: body.preserved,
      headers: options.ifMatch === undefined ? {} : { 'if-match': `W/"${options.ifMatch}"` },
    })
    return { resource: stored(answer.json!), created: answer.status === 201, notes: [] }
  }

  async delete(type: string, id: string): Promise<void> {
    await this.#call('DELETE', `${enc(type)}/${enc(id)}`)
  }

  async bundle(body: ParsedBody): Promise<string> {
    const answer = await this.#call('POST', '', { body: body.preserved })
    return JSON.stringify(answer.json!.preserved)
  }

  /** One FHIR interaction with the iCDR; its refusals come back as the FhirError it answered. */
  async #call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {}
  ): Promise<FhirAnswer> {
    const base = await this.icdr.baseUrl()
    const token = icdrTokenOf(this.ctx)
    if (!base) {
      throw unreachable('no ICDR_URL is set on this portal')
    }
    if (!token) {
      throw AccessError.unauthenticated()
    }
    let response: Response
    try {
      response = await fetch(`${base}/fhir/${path}`, {
        method,
        headers: {
          accept: FHIR_JSON,
          authorization: `Bearer ${token}`,
          ...(options.body === undefined ? {} : { 'content-type': FHIR_JSON }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch (error) {
      throw unreachable((error as Error).message)
    }
    const text = await response.text()
    const json = text ? parseFhirJson(text) : null
    if (response.status === 401) {
      throw AccessError.unauthenticated()
    }
    if (response.status >= 400) {
      throw refusal(response.status, json?.resource)
    }
    return { status: response.status, headers: response.headers, json }
  }
}

function enc(segment: string) {
  return encodeURIComponent(segment)
}

function stored(json: { resource: any; preserved: any }): StoredResource {
  const resource = json.resource
  return {
    type: resource.resourceType,
    id: resource.id,
    versionId: Number(resource.meta?.versionId ?? 1),
    lastUpdated: resource.meta?.lastUpdated ?? '',
    content: JSON.stringify(json.preserved),
  }
}

function bundleEntries(json: { resource: any; preserved: any }) {
  const entries: any[] = json.resource.entry ?? []
  const preserved: any[] = json.preserved.entry ?? []
  return entries
    .map((entry, index) => ({ entry, kept: preserved[index] }))
    .filter(({ entry }) => entry.resource)
    .map(({ entry, kept }) => ({
      mode: entry.search?.mode as string | undefined,
      stored: stored({ resource: entry.resource, preserved: kept.resource }),
    }))
}

/** The iCDR's OperationOutcome as the same FhirError it raised there. */
function refusal(status: number, outcome: any): FhirError {
  const code = (Object.keys(FHIR_ERROR_STATUSES) as FhirErrorCode[]).find(
    (candidate) => FHIR_ERROR_STATUSES[candidate] === status
  )
  const issues =
    outcome?.resourceType === 'OperationOutcome' && Array.isArray(outcome.issue)
      ? outcome.issue
      : [outcomeIssue('processing', `The iCDR answered ${status}`)]
  if (status === 403) {
    return new FhirError('E_FHIR_FORBIDDEN', issues)
  }
  return new FhirError(code ?? 'E_FHIR_PROCESSING', issues)
}

function unreachable(reason: string) {
  return new FhirError('E_FHIR_PROCESSING', [
    outcomeIssue('transient', `The iCDR cannot be reached: ${reason}`),
  ])
}
