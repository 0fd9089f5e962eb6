import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { IcdrClient } from '#services/icdr_client'
import type { ChangePage } from '#sync/change_feed'
import type { ConflictState } from '#sync/conflict_queue'
import type { PushAnswer, PushItem } from '#sync/push_protocol'
import { MAX_PUSH_ITEMS } from '#sync/push_protocol'
import { ReplicaWriter } from '#sync/replica_writer'
import { SyncState } from '#sync/sync_state'
import { toOutboxRow, type OutboxRow } from '#sync/sync_outbox'

/** The iCDR refused this edge (revoked or unknown device, missing scope): no retry helps. */
export class SyncRefusedError extends Error {
  readonly code = 'E_SYNC_REFUSED'
  constructor(status: number, detail: string) {
    super(`The iCDR refused this edge's sync (${status}): ${detail}`)
  }
}

export interface Progress {
  phase: 'pull' | 'push'
  done: number
  remaining: number
}

export interface PullSummary {
  pages: number
  applied: number
  held: number
  checkpoint: number
}

export interface PushSummary {
  sent: number
  accepted: number
  conflicts: number
  rejected: number
}

export const PULL_PAGE_SIZE = 500

/**
 * An edge's sync with its iCDR (DESIGN.md section 5, docs/sync.md).
 *
 * Pull: pages of changes after the checkpoint, each page applied in one
 * transaction with the checkpoint that follows it, so a crash anywhere
 * resumes at the last whole page and a page applied twice changes nothing.
 * A resource with a change of ours still waiting (or in conflict) is held:
 * our change reaches the iCDR first and the iCDR decides.
 *
 * Push: the outbox in order, at most one change per resource per request
 * (a later change waits for the answer to the earlier one). An answer is
 * recorded, and the outbox row removed, only after it arrived: a lost
 * response is sent again under the same item key and the iCDR answers as
 * the first time.
 */
@inject()
export class EdgeSync {
  constructor(
    protected db: Database,
    protected icdr: IcdrClient,
    protected replicas: ReplicaWriter,
    protected state: SyncState
  ) {}

  async pull(onProgress: (progress: Progress) => void = () => {}): Promise<PullSummary> {
    const summary: PullSummary = { pages: 0, applied: 0, held: 0, checkpoint: 0 }
    let done = 0
    for (;;) {
      const after = await this.state.checkpoint()
      const page = await this.#get<ChangePage>(
        `/api/v1/sync/changes?after=${after}&limit=${PULL_PAGE_SIZE}`
      )
      await this.db.transaction(async (trx) => {
        for (const change of page.changes) {
          if (await this.#held(trx, change.type, change.id)) {
            summary.held++
          } else if ((await this.replicas.apply(trx, change)) === 'applied') {
            summary.applied++
          }
        }
        await this.state.setCheckpoint(trx, page.next)
      })
      summary.pages++
      summary.checkpoint = page.next
      done += page.changes.length
      onProgress({ phase: 'pull', done, remaining: page.remaining })
      if (page.remaining === 0 || page.changes.length === 0) {
        return summary
      }
    }
  }

  async push(onProgress: (progress: Progress) => void = () => {}): Promise<PushSummary> {
    const summary: PushSummary = { sent: 0, accepted: 0, conflicts: 0, rejected: 0 }
    await this.#sendResolutions()
    await this.#reconcileConflicts()
    for (;;) {
      const batch = await this.#nextBatch()
      if (batch.length === 0) {
        return summary
      }
      const answers = await this.#post<{ answers: PushAnswer[] }>('/api/v1/sync/push', {
        batchKey: batch[0].itemKey,
        items: batch.map(toPushItem),
      })
      const recorded = await this.db.transaction(async (trx) => {
        let count = 0
        for (const row of batch) {
          const answer = answers.answers.find((candidate) => candidate.key === row.itemKey)
          if (answer) {
            summary[tally(answer)]++
            await this.#record(trx, row, answer)
            count++
          }
        }
        return count
      })
      if (recorded === 0) {
        throw new SyncRefusedError(
          200,
          'the iCDR answered none of the changes sent; they stay in the outbox'
        )
      }
      summary.sent += batch.length
      const [{ waiting }] = await this.db
        .from('sync_outbox')
        .where('state', 'pending')
        .count('* as waiting')
      onProgress({ phase: 'push', done: summary.sent, remaining: Number(waiting) })
    }
  }

  /** The oldest change of each resource, when it is pending (a later one waits for its answer). */
  async #nextBatch(): Promise<OutboxRow[]> {
    const rows = await this.db
      .from('sync_outbox as change')
      .where('change.state', 'pending')
      .whereNotExists((earlier) =>
        earlier
          .from('sync_outbox as earlier')
          .whereColumn('earlier.resource_type', 'change.resource_type')
          .whereColumn('earlier.resource_id', 'change.resource_id')
          .whereColumn('earlier.id', '<', 'change.id')
      )
      .orderBy('change.id', 'asc')
      .limit(MAX_PUSH_ITEMS)
      .select('change.*')
    return rows.map(toOutboxRow)
  }

  async #record(trx: TransactionClientContract, row: OutboxRow, answer: PushAnswer) {
    switch (answer.status) {
      case 'accepted': {
        await trx.from('sync_outbox').where('id', row.id).delete()
        const later = await trx
          .from('sync_outbox')
          .where({ resource_type: row.type, resource_id: row.resourceId })
          .first()
        /* Keep the iCDR's copy (its time stamp) unless a later change of ours is on top of it. */
        if (!later) {
          await this.replicas.apply(trx, {
            type: row.type,
            id: row.resourceId,
            versionId: answer.versionId,
            lastUpdated: answer.lastUpdated,
            deleted: answer.deleted,
            content: answer.content,
          })
        }
        return
      }
      case 'conflict':
        await trx.from('sync_outbox').where('id', row.id).update({ state: 'conflict' })
        await trx.table('sync_conflicts').insert({
          device_name: 'this edge',
          remote_id: answer.conflictId,
          resource_type: row.type,
          resource_id: row.resourceId,
          item_key: row.itemKey,
          base_version: row.baseVersion,
          server_version: answer.serverVersion,
          mine: row.content,
          theirs: answer.theirs,
          status: 'open',
          created_at: Date.now(),
        })
        return
      case 'rejected':
        await trx
          .from('sync_outbox')
          .where('id', row.id)
          .update({ state: 'rejected', issues: JSON.stringify(answer.issues) })
        return
      default:
        throw new Error(`Unknown push answer ${(answer satisfies never as PushAnswer).status}`)
    }
  }

  /** "Keep theirs" decided here while offline: the iCDR's queue learns it at the next sync. */
  async #sendResolutions() {
    const pending = await this.db
      .from('sync_conflicts')
      .where('resolution_pending', true)
      .select('id', 'remote_id', 'resolution')
    for (const conflict of pending) {
      await this.#post(`/api/v1/sync/conflicts/${conflict.remote_id}/resolve`, {
        choice: conflict.resolution,
      })
      await this.db
        .from('sync_conflicts')
        .where('id', conflict.id)
        .update({ resolution_pending: false })
    }
  }

  /**
   * Conflicts an administrator resolved on the iCDR: the edge takes the
   * resource as it now is there and lets its own version go (it stays in the
   * conflict row).
   */
  async #reconcileConflicts() {
    const open = await this.db
      .from('sync_conflicts')
      .where('status', 'open')
      .whereNotNull('remote_id')
      .select('id', 'remote_id')
    if (open.length === 0) {
      return
    }
    const states = await this.#get<ConflictState[]>(
      `/api/v1/sync/conflict-states?ids=${open.map((row) => row.remote_id).join(',')}`
    )
    for (const state of states.filter((candidate) => candidate.status === 'resolved')) {
      const local = open.find((row) => Number(row.remote_id) === state.id)!
      await this.db.transaction(async (trx) => {
        await trx
          .from('sync_outbox')
          .where({ resource_type: state.type, resource_id: state.resourceId })
          .delete()
        if (state.current) {
          await this.replicas.apply(trx, state.current)
        }
        await trx.from('sync_conflicts').where('id', local.id).update({
          status: 'resolved',
          resolution: state.resolution,
          resolved_by: state.resolvedBy,
          resolved_at: Date.now(),
        })
      })
    }
  }

  #held(trx: TransactionClientContract, type: string, id: string) {
    return trx
      .from('sync_outbox')
      .where({ resource_type: type, resource_id: id })
      .first()
      .then(Boolean)
  }

  async #get<T>(path: string): Promise<T> {
    const answer = await this.icdr.request<T>('GET', path, { timeoutMs: 60_000 })
    return checked(answer)
  }

  async #post<T>(path: string, body: unknown): Promise<T> {
    const answer = await this.icdr.request<T>('POST', path, { body, timeoutMs: 60_000 })
    return checked(answer)
  }
}

function checked<T>(answer: { status: number; body: T }): T {
  if (answer.status >= 400) {
    const error = (answer.body as { error?: { message?: string } } | null)?.error
    throw new SyncRefusedError(answer.status, error?.message ?? JSON.stringify(answer.body))
  }
  return answer.body
}

function tally(answer: PushAnswer): 'accepted' | 'conflicts' | 'rejected' {
  return answer.status === 'conflict' ? 'conflicts' : answer.status
}

function toPushItem(row: OutboxRow): PushItem {
  return {
    key: row.itemKey,
    type: row.type,
    id: row.resourceId,
    method: row.method,
    baseVersion: row.baseVersion,
    content: row.content,
    resolves: row.resolves,
    ...(row.resolution !== null && { resolution: row.resolution }),
  }
}
