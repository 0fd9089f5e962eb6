import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import { AccessError } from '#identity/access_error'
import { actorOf, type Principal } from '#identity/principal'
import { holds, PERMISSIONS } from '#policies/permissions'
import { SavePipeline } from '#services/save_pipeline'
import { FhirStore } from '#services/fhir_store'
import type { Change } from '#sync/change_feed'

export const RESOLUTIONS = {
  mine: "the edge's version becomes the current one",
  theirs: "the iCDR's version stays; the edge's is kept in the queue",
  merge: 'a version a person put together from both becomes the current one',
} as const

export type Resolution = keyof typeof RESOLUTIONS

export interface ConflictView {
  id: number
  device: string
  type: string
  resourceId: string
  baseVersion: number
  serverVersion: number
  /** JSON texts; null for a delete. */
  mine: string | null
  theirs: string | null
  status: 'open' | 'resolved'
  resolution: Resolution | null
  resolvedBy: string | null
  resolvedAt: string | null
  createdAt: string
}

/** A conflict with the resource as it is now on the iCDR, for an edge to take once resolved there. */
export interface ConflictState extends ConflictView {
  current: Omit<Change, 'seq'> | null
}

export class ConflictError extends AccessError {
  static notFound(id: number) {
    return new ConflictError('E_CONFLICT_NOT_FOUND', 404, `There is no conflict ${id} you can see`)
  }

  static alreadyResolved(id: number) {
    return new ConflictError('E_CONFLICT_RESOLVED', 409, `Conflict ${id} is already resolved`)
  }

  static mergeNeedsResource() {
    return new ConflictError('E_CONFLICT_MERGE', 422, 'A merge needs the merged resource')
  }
}

/**
 * The iCDR's conflict queue (DESIGN.md section 5): both versions of every
 * push that met a newer version, until a person (an administrator here, or a
 * user at the edge through its sync centre) keeps one or merges them. A
 * resolution that changes the record is a new version through the save
 * pipeline; nothing is deleted, so no version is lost.
 */
@inject()
export class ConflictQueue {
  constructor(
    protected db: Database,
    protected pipeline: SavePipeline,
    protected store: FhirStore
  ) {}

  async list(
    filter: { status?: 'open' | 'resolved'; device?: string },
    limit = 200
  ): Promise<ConflictView[]> {
    const query = this.db.from('sync_conflicts').orderBy('id', 'desc').limit(limit)
    if (filter.status) {
      query.where('status', filter.status)
    }
    if (filter.device) {
      query.where('device_name', filter.device)
    }
    const rows = await query.select('*')
    return rows.map(toView)
  }

  /** A device sees only its own conflicts; administrators see all (`mayResolve`). */
  async find(id: number, principal: Principal): Promise<ConflictView> {
    if (!Number.isSafeInteger(id)) {
      throw ConflictError.notFound(id)
    }
    const row = await this.db.from('sync_conflicts').where('id', id).first()
    if (!row || !mayResolve(principal, row.device_name)) {
      throw ConflictError.notFound(id)
    }
    return toView(row)
  }

  /** Whether each of a device's conflicts is still open, and the current version of its resource. */
  async states(ids: number[], principal: Principal): Promise<ConflictState[]> {
    const states: ConflictState[] = []
    for (const id of ids.filter(Number.isSafeInteger)) {
      const row = await this.db.from('sync_conflicts').where('id', id).first()
      if (row && mayResolve(principal, row.device_name)) {
        const current = await this.store.read(row.resource_type, row.resource_id)
        states.push({
          ...toView(row),
          current: current && {
            type: row.resource_type,
            id: row.resource_id,
            versionId: current.versionId,
            lastUpdated: current.lastUpdated,
            deleted: current.deleted,
            content: current.deleted ? null : current.content,
          },
        })
      }
    }
    return states
  }

  async resolve(
    id: number,
    choice: Resolution,
    principal: Principal,
    merged?: unknown
  ): Promise<ConflictView> {
    if (!Number.isSafeInteger(id)) {
      throw ConflictError.notFound(id)
    }
    await this.db.transaction(async (trx) => {
      const row = await trx.from('sync_conflicts').where('id', id).forUpdate().first()
      if (!row || !mayResolve(principal, row.device_name)) {
        throw ConflictError.notFound(id)
      }
      if (row.status !== 'open') {
        throw ConflictError.alreadyResolved(id)
      }
      const text = choice === 'mine' ? row.mine : choice === 'merge' ? mergedText(merged) : null
      if (choice !== 'theirs') {
        const current = await this.store.read(row.resource_type, row.resource_id, trx)
        const live = current !== null && !current.deleted
        await this.pipeline.save(
          text === null
            ? { method: 'delete', type: row.resource_type, id: row.resource_id, source: 'sync' }
            : {
                method: live ? 'update' : 'create',
                type: row.resource_type,
                id: row.resource_id,
                body: parseFhirJson(text),
                source: 'sync',
                principal: actorOf(principal),
              },
          trx
        )
      }
      await trx.from('sync_conflicts').where('id', id).update({
        status: 'resolved',
        resolution: choice,
        resolved_by: principal.id,
        resolved_at: Date.now(),
      })
    })
    return this.find(id, principal)
  }
}

/** Administrators resolve any conflict; a device or edge client only its own. */
export function mayResolve(principal: Principal, device: string) {
  return holds(principal, PERMISSIONS.administer) || principal.id === device
}

function mergedText(merged: unknown): string {
  if (merged === undefined || merged === null || typeof merged !== 'object') {
    throw ConflictError.mergeNeedsResource()
  }
  if (Array.isArray(merged)) {
    throw FhirError.badRequest('The merged resource must be a JSON object')
  }
  return JSON.stringify(merged)
}

function toView(row: Record<string, any>): ConflictView {
  const instant = (value: unknown) =>
    value === null || value === undefined ? null : new Date(Number(value)).toISOString()
  return {
    id: Number(row.id),
    device: row.device_name,
    type: row.resource_type,
    resourceId: row.resource_id,
    baseVersion: Number(row.base_version),
    serverVersion: Number(row.server_version),
    mine: row.mine ?? null,
    theirs: row.theirs ?? null,
    status: row.status,
    resolution: row.resolution ?? null,
    resolvedBy: row.resolved_by ?? null,
    resolvedAt: instant(row.resolved_at),
    createdAt: instant(row.created_at)!,
  }
}
