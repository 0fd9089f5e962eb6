import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import { actorOf, type Principal } from '#identity/principal'
import { SavePipeline } from '#services/save_pipeline'
import { ConflictError, type Resolution } from '#sync/conflict_queue'
import { ReplicaWriter } from '#sync/replica_writer'
import { toOutboxRow, type OutboxRow } from '#sync/sync_outbox'

/**
 * The edge's side of conflicts and dead letters (its sync centre). A
 * resolution first takes the iCDR's version as the local copy, so version
 * ids line up again, then:
 * - theirs: nothing more here; the iCDR learns the choice at the next sync;
 * - mine / merge: the chosen content is saved on top as a new local change,
 *   whose push carries the conflict it settles.
 * The edge's version stays in the conflict row either way.
 */
@inject()
export class EdgeConflicts {
  constructor(
    protected db: Database,
    protected pipeline: SavePipeline,
    protected replicas: ReplicaWriter
  ) {}

  async open() {
    return this.db.from('sync_conflicts').where('status', 'open').orderBy('id', 'asc').select('*')
  }

  async rejected(): Promise<OutboxRow[]> {
    const rows = await this.db.from('sync_outbox').where('state', 'rejected').orderBy('id', 'asc')
    return rows.map(toOutboxRow)
  }

  /** A rejected change tried again at the next push (after the iCDR's rules or data changed). */
  async retry(outboxId: number): Promise<boolean> {
    if (!Number.isSafeInteger(outboxId)) {
      return false
    }
    const updated = await this.db
      .from('sync_outbox')
      .where({ id: outboxId, state: 'rejected' })
      .update({ state: 'pending', issues: null })
    return Number(Array.isArray(updated) ? updated[0] : updated) > 0
  }

  async resolve(id: number, choice: Resolution, principal: Principal, merged?: unknown) {
    if (!Number.isSafeInteger(id)) {
      throw ConflictError.notFound(id)
    }
    await this.db.transaction(async (trx) => {
      const conflict = await trx.from('sync_conflicts').where('id', id).first()
      if (!conflict) {
        throw ConflictError.notFound(id)
      }
      if (conflict.status !== 'open') {
        throw ConflictError.alreadyResolved(id)
      }
      const type = conflict.resource_type
      const resourceId = conflict.resource_id
      const latest = await trx
        .from('sync_outbox')
        .where({ resource_type: type, resource_id: resourceId })
        .orderBy('id', 'desc')
        .first()
      const mine: string | null = latest ? latest.content : conflict.mine
      await trx.from('sync_outbox').where({ resource_type: type, resource_id: resourceId }).delete()
      await this.replicas.apply(trx, {
        type,
        id: resourceId,
        versionId: Number(conflict.server_version),
        lastUpdated: lastUpdatedOf(conflict.theirs),
        deleted: conflict.theirs === null,
        content: conflict.theirs,
      })
      const text = choice === 'mine' ? mine : choice === 'merge' ? JSON.stringify(merged) : null
      if (choice === 'merge' && (merged === null || typeof merged !== 'object')) {
        throw ConflictError.mergeNeedsResource()
      }
      if (choice !== 'theirs') {
        await this.pipeline.save(
          text === null
            ? {
                method: 'delete',
                type,
                id: resourceId,
                source: 'form',
                principal: actorOf(principal),
              }
            : {
                method: 'update',
                type,
                id: resourceId,
                body: parseFhirJson(text),
                source: 'form',
                principal: actorOf(principal),
              },
          trx
        )
        await trx
          .from('sync_outbox')
          .where({ resource_type: type, resource_id: resourceId })
          .update({ resolves: conflict.remote_id, resolution: choice })
      }
      await trx
        .from('sync_conflicts')
        .where('id', id)
        .update({
          status: 'resolved',
          resolution: choice,
          resolved_by: principal.id,
          resolved_at: Date.now(),
          resolution_pending: choice === 'theirs',
          mine,
        })
    })
  }
}

function lastUpdatedOf(content: string | null): string {
  const stamped = content === null ? undefined : JSON.parse(content).meta?.lastUpdated
  return typeof stamped === 'string' ? stamped : new Date().toISOString()
}
