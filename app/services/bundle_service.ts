import { randomUUID } from 'node:crypto'
import type { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { FhirError, outcomeIssue, toFhirError } from '#interop/fhir/fhir_error'
import { bundleText, type BundleEntryText } from '#interop/fhir/bundle_text'
import { parseSearchQuery } from '#interop/fhir/search_query'
import type {
  ParsedBody,
  StoredResource,
  WriteOptions,
  WriteOutcome,
} from '#services/clinical_repository'
import type { LocalClinicalRepository } from '#services/local_clinical_repository'

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** FHIR processing order inside a transaction. @see https://hl7.org/fhir/R4/http.html#trules */
const TRANSACTION_ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, GET: 3 }

interface Entry {
  index: number
  method: Method
  url: string
  fullUrl?: string
  resource?: Record<string, any>
  preserved?: Record<string, any>
  ifNoneExist?: string
  ifMatch?: number
}

const MAX_ENTRIES = 1000

/**
 * Transaction and batch Bundles. A transaction commits all of its entries or
 * none, with `urn:uuid:` references rewritten to the ids the server gives;
 * a batch runs each entry on its own and reports each outcome.
 * @see https://hl7.org/fhir/R4/http.html#transaction
 */
export class BundleService {
  constructor(
    protected db: Database,
    protected repository: LocalClinicalRepository
  ) {}

  async process(body: ParsedBody, options: WriteOptions & { baseUrl: string }): Promise<string> {
    const bundle = body.resource as Record<string, any>
    if (bundle?.resourceType !== 'Bundle') {
      throw FhirError.badRequest('POST to the base URL takes a Bundle', 'resourceType')
    }
    if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
      throw FhirError.badRequest('Bundle.type must be "transaction" or "batch"', 'Bundle.type')
    }
    const entries = this.#entries(bundle, body.preserved as Record<string, any>)
    if (bundle.type === 'transaction') {
      return this.#transaction(entries, options)
    }
    return this.#batch(entries, options)
  }

  async #transaction(entries: Entry[], options: WriteOptions & { baseUrl: string }) {
    this.#refuseDuplicates(entries)
    this.#rewriteReferences(entries)
    const responses = await this.db.transaction(async (trx) => {
      const done = new Map<number, BundleEntryText>()
      const ordered = [...entries].sort(
        (a, b) => TRANSACTION_ORDER[a.method] - TRANSACTION_ORDER[b.method] || a.index - b.index
      )
      for (const entry of ordered) {
        try {
          done.set(entry.index, await this.#run(entry, options, trx))
        } catch (error) {
          throw atEntry(error, entry.index)
        }
      }
      return entries.map((entry) => done.get(entry.index)!)
    })
    return bundleText({ type: 'transaction-response' }, responses)
  }

  async #batch(entries: Entry[], options: WriteOptions & { baseUrl: string }) {
    const responses: BundleEntryText[] = []
    for (const entry of entries) {
      try {
        responses.push(await this.db.transaction((trx) => this.#run(entry, options, trx)))
      } catch (error) {
        const failure = toFhirError(error)
        responses.push({
          response: {
            status: String(failure.status),
            outcome: failure.toOperationOutcome(),
          },
        })
      }
    }
    return bundleText({ type: 'batch-response' }, responses)
  }

  async #run(
    entry: Entry,
    options: WriteOptions & { baseUrl: string },
    trx: TransactionClientContract
  ): Promise<BundleEntryText> {
    const [path, query] = entry.url.split('?')
    const [type, id] = path.replace(/^\//, '').split('/')
    const body = { resource: entry.resource, preserved: entry.preserved }
    switch (entry.method) {
      case 'POST': {
        const outcome = await this.repository.create(
          type,
          body,
          { ...options, id: entry.resource?.id, ifNoneExist: entry.ifNoneExist },
          trx
        )
        return written(outcome, outcome.created ? '201 Created' : '200 OK', options.baseUrl)
      }
      case 'PUT': {
        const outcome = await this.repository.update(
          type,
          requireId(id, entry),
          body,
          { ...options, ifMatch: entry.ifMatch },
          trx
        )
        return written(outcome, outcome.created ? '201 Created' : '200 OK', options.baseUrl)
      }
      case 'DELETE':
        await this.repository.delete(type, requireId(id, entry), options, trx)
        return { response: { status: '204 No Content' } }
      case 'GET':
        if (id) {
          const resource = await this.repository.read(type, id, trx)
          return { ...located(resource, options.baseUrl), response: { status: '200 OK' } }
        }
        return this.#search(type, query ?? '', options.baseUrl, trx)
      default:
        throw FhirError.badRequest(`Unsupported method ${entry.method satisfies never}`)
    }
  }

  async #search(type: string, query: string, baseUrl: string, trx: TransactionClientContract) {
    const page = await this.repository.search(
      parseSearchQuery(type, new URLSearchParams(query)),
      trx
    )
    const resourceText = bundleText(
      { type: 'searchset', total: page.total },
      page.matches.map((match) => ({ ...located(match, baseUrl), search: { mode: 'match' } }))
    )
    return { resourceText, response: { status: '200 OK' } }
  }

  #entries(bundle: Record<string, any>, preserved: Record<string, any>): Entry[] {
    const entries = Array.isArray(bundle.entry) ? bundle.entry : []
    if (entries.length > MAX_ENTRIES) {
      throw FhirError.badRequest(`A Bundle may hold at most ${MAX_ENTRIES} entries`, 'Bundle.entry')
    }
    return entries.map((entry: any, index: number) => {
      const where = `Bundle.entry[${index}]`
      const method = entry?.request?.method
      if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) {
        throw FhirError.badRequest(
          `${where}.request.method must be GET, POST, PUT or DELETE`,
          `${where}.request.method`
        )
      }
      if (typeof entry.request.url !== 'string' || entry.request.url === '') {
        throw FhirError.badRequest(`${where}.request.url is required`, `${where}.request.url`)
      }
      if ((method === 'POST' || method === 'PUT') && typeof entry.resource !== 'object') {
        throw FhirError.badRequest(`${where} needs a resource for ${method}`, `${where}.resource`)
      }
      const ifMatch = entry.request.ifMatch?.match(/^(?:W\/)?"?(\d+)"?$/)?.[1]
      return {
        index,
        method,
        url: entry.request.url,
        fullUrl: entry.fullUrl,
        resource: entry.resource,
        preserved: preserved.entry[index].resource,
        ifNoneExist: entry.request.ifNoneExist,
        ifMatch: ifMatch ? Number(ifMatch) : undefined,
      }
    })
  }

  /** The same fullUrl or the same resource twice makes a transaction ambiguous. */
  #refuseDuplicates(entries: Entry[]) {
    const seen = new Set<string>()
    for (const entry of entries) {
      const keys = [
        entry.fullUrl ? `fullUrl ${entry.fullUrl}` : undefined,
        entry.method === 'PUT' || entry.method === 'DELETE' ? `resource ${entry.url}` : undefined,
      ].filter((key): key is string => key !== undefined)
      for (const key of keys) {
        if (seen.has(key)) {
          throw FhirError.badRequest(
            `Bundle.entry[${entry.index}] repeats ${key}: each resource may appear once in a transaction`,
            `Bundle.entry[${entry.index}]`
          )
        }
        seen.add(key)
      }
    }
  }

  /**
   * Gives each `urn:uuid:` entry its server id and points every reference at
   * it, in the plain and the text-preserving copy alike.
   * @see https://hl7.org/fhir/R4/bundle.html#references
   */
  #rewriteReferences(entries: Entry[]) {
    const targets = new Map<string, string>()
    for (const entry of entries) {
      if (!entry.fullUrl?.startsWith('urn:uuid:') || !entry.resource) {
        continue
      }
      const type = entry.resource.resourceType
      if (entry.method === 'POST') {
        const id = randomUUID()
        entry.resource.id = id
        entry.preserved!.id = id
        targets.set(entry.fullUrl, `${type}/${id}`)
      } else if (entry.method === 'PUT') {
        targets.set(entry.fullUrl, entry.url.split('?')[0].replace(/^\//, ''))
      }
    }
    for (const entry of entries) {
      for (const copy of [entry.resource, entry.preserved]) {
        if (copy) {
          rewrite(copy, targets, entry.index)
        }
      }
    }
  }
}

function rewrite(node: unknown, targets: Map<string, string>, index: number) {
  if (Array.isArray(node)) {
    node.forEach((item) => rewrite(item, targets, index))
    return
  }
  if (node === null || typeof node !== 'object') {
    return
  }
  const object = node as Record<string, unknown>
  for (const [key, value] of Object.entries(object)) {
    if (key === 'reference' && typeof value === 'string' && value.startsWith('urn:uuid:')) {
      const target = targets.get(value)
      if (!target) {
        throw FhirError.badRequest(
          `Bundle.entry[${index}] refers to ${value}, which no entry of the transaction creates`,
          `Bundle.entry[${index}].resource`
        )
      }
      object[key] = target
    } else {
      rewrite(value, targets, index)
    }
  }
}

function requireId(id: string | undefined, entry: Entry) {
  if (!id) {
    throw FhirError.badRequest(
      `Bundle.entry[${entry.index}].request.url must name Type/id for ${entry.method}`,
      `Bundle.entry[${entry.index}].request.url`
    )
  }
  return id
}

function located(resource: StoredResource, baseUrl: string): BundleEntryText {
  return { fullUrl: `${baseUrl}/${resource.type}/${resource.id}`, resourceText: resource.content }
}

function written(outcome: WriteOutcome, status: string, baseUrl: string): BundleEntryText {
  const { resource } = outcome
  return {
    fullUrl: `${baseUrl}/${resource.type}/${resource.id}`,
    response: {
      status,
      location: `${resource.type}/${resource.id}/_history/${resource.versionId}`,
      etag: `W/"${resource.versionId}"`,
      lastModified: resource.lastUpdated,
    },
  }
}

function atEntry(error: unknown, index: number): FhirError {
  const failure = toFhirError(error)
  return new FhirError(failure.code, [
    outcomeIssue(
      'processing',
      `The transaction was rolled back: Bundle.entry[${index}] failed`,
      `Bundle.entry[${index}]`
    ),
    ...failure.issues,
  ])
}
