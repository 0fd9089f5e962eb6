import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { FhirError } from '#interop/fhir/fhir_error'
import { ResourceValidator } from '#interop/fhir/resource_validator'
import { FhirStore, type Replica } from '#services/fhir_store'
import {
  SaveHooks,
  type Principal,
  type SaveContext,
  type SaveHook,
  type SaveMethod,
  type SaveResult,
  type SaveSource,
  type SaveStage,
} from '#services/save_hooks'

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/

export interface SaveRequest {
  method: SaveMethod
  type: string
  /** Required for update and delete; for create, a client-supplied id (edges create offline) or none. */
  id?: string
  /** The parsed body: plain JSON for validation, and the text-preserving copy to store. */
  body?: { resource: unknown; preserved: unknown }
  /** `If-Match` version: the write is refused (412) unless it is the current one. */
  expectedVersion?: number | null
  source: SaveSource
  principal?: Principal
  /** Sync: a version the iCDR made, kept under its version id and time (`FhirStore.write`). */
  replica?: Replica
}

export interface SaveOutcome {
  /** Null for a delete of something already gone. */
  result: SaveResult | null
  notes: SaveContext['notes']
}

/**
 * The one way clinical data is written (DESIGN.md section 2):
 * validate -> beforeSave hooks -> persist -> afterSave hooks -> audit hooks,
 * all in one transaction, so a failing hook leaves nothing behind. Every entry
 * point calls it: FHIR, forms, HL7v2, sync, imports.
 */
@inject()
export class SavePipeline {
  constructor(
    protected db: Database,
    protected store: FhirStore,
    protected hooks: SaveHooks,
    protected validator: ResourceValidator
  ) {}

  async save(request: SaveRequest, trx?: TransactionClientContract): Promise<SaveOutcome> {
    if (request.type === 'AuditEvent') {
      throw FhirError.methodNotAllowed('AuditEvent is read-only: audit records arrive over ATNA')
    }
    const id = this.#idOf(request)
    const validated = request.method === 'delete' ? null : this.#validate(request, id)
    return this.#inTransaction(trx, async (client) => {
      const current =
        request.method === 'delete' ? await this.store.read(request.type, id, client) : null
      if (request.method === 'delete' && (!current || current.deleted)) {
        return { result: null, notes: [] }
      }
      const context = this.#context(request, id, client, validated, current?.content)
      await this.#run('beforeSave', context)
      if (context.mutated && request.method !== 'delete') {
        this.validator.validate(context.resource)
      }
      const written = await this.store.write(client, {
        type: request.type,
        id,
        method: request.method,
        resource: context.resource,
        preserved: context.preserved,
        expectedVersion: request.expectedVersion ?? null,
        replica: request.replica,
      })
      if (written) {
        context.result = { type: request.type, id, ...written }
      }
      await this.#run('afterSave', context)
      await this.#run('audit', context)
      return { result: context.result ?? null, notes: context.notes }
    })
  }

  #idOf(request: SaveRequest): string {
    if (request.method === 'create' && !request.id) {
      return randomUUID()
    }
    if (!request.id || !FHIR_ID.test(request.id)) {
      throw FhirError.badRequest(`"${request.id ?? ''}" is not a valid resource id`, 'Resource.id')
    }
    return request.id
  }

  #validate(request: SaveRequest, id: string) {
    if (!request.body) {
      throw FhirError.badRequest(`A ${request.method} needs a resource in the body`)
    }
    const { resource } = this.validator.validate(request.body.resource)
    if (resource.resourceType !== request.type) {
      throw FhirError.badRequest(
        `The body is a ${resource.resourceType}, but the request is for ${request.type}`,
        'resourceType'
      )
    }
    if (request.method === 'update' && resource.id !== undefined && resource.id !== id) {
      throw FhirError.badRequest(
        `The body's id "${resource.id}" does not match the id "${id}" in the URL`,
        `${request.type}.id`
      )
    }
    const copy = { ...resource, id } as Record<string, any>
    /*
     * A caller without a text-preserving copy passes the same object twice;
     * the stored copy is then the validated one, so a hook's change applies once.
     */
    const preserved =
      request.body.preserved === request.body.resource ? copy : request.body.preserved
    return { resource: copy, preserved }
  }

  #context(
    request: SaveRequest,
    id: string,
    trx: TransactionClientContract,
    validated: { resource: Record<string, any>; preserved: unknown } | null,
    storedContent: string | undefined
  ) {
    const resource = validated?.resource ?? JSON.parse(storedContent ?? '{}')
    const preserved = (validated?.preserved ?? resource) as Record<string, any>
    const context = {
      method: request.method,
      source: request.source,
      type: request.type,
      id,
      principal: request.principal,
      replica: request.replica !== undefined,
      trx,
      resource,
      preserved,
      notes: [] as SaveContext['notes'],
      mutated: false as boolean,
      mutate(change: (target: Record<string, any>) => void) {
        change(context.resource)
        if (context.preserved !== context.resource) {
          change(context.preserved)
        }
        context.mutated = true
      },
    } satisfies SaveContext & { preserved: unknown; mutated: boolean }
    return context as typeof context & { result?: SaveResult }
  }

  async #run(stage: SaveStage, context: SaveContext) {
    for (const hook of this.hooks.list(stage)) {
      await runHook(stage, hook, context)
    }
  }

  #inTransaction<T>(
    trx: TransactionClientContract | undefined,
    work: (trx: TransactionClientContract) => Promise<T>
  ): Promise<T> {
    return trx ? work(trx) : this.db.transaction(work)
  }
}

async function runHook(stage: SaveStage, hook: SaveHook, context: SaveContext) {
  try {
    await hook.handle(context)
  } catch (error) {
    if (error instanceof FhirError) {
      throw error
    }
    throw FhirError.processing(
      `The ${stage} step "${hook.name}" failed, so nothing was saved: ${error.message}`
    )
  }
}
