import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/** What an edge knows of its sync, for the sync centre, `node ace sync:run` and health. */
export interface SyncStatus {
  lastAttemptAt: string | null
  lastSuccessAt: string | null
  lastError: string | null
  /** Consecutive failed attempts: the backoff grows with them. */
  failures: number
  /** No scheduled sync before this time (backoff while the iCDR is unreachable). */
  nextAttemptAt: string | null
  /** Only in the process that runs the sync (SyncRunner.status). */
  running: boolean
  progress: { phase: string; done: number; remaining: number } | null
}

const EMPTY: SyncStatus = {
  lastAttemptAt: null,
  lastSuccessAt: null,
  lastError: null,
  failures: 0,
  nextAttemptAt: null,
  running: false,
  progress: null,
}

/**
 * The pull checkpoint (`sync_checkpoints`, written in the transaction of the
 * page it follows) and the status of the last run (`sync_status`).
 */
@inject()
export class SyncState {
  constructor(protected db: Database) {}

  async checkpoint(client: QueryClientContract = this.db.connection()): Promise<number> {
    const row = await client.from('sync_checkpoints').where('stream', 'pull').first()
    return row ? Number(row.position) : 0
  }

  async setCheckpoint(client: QueryClientContract, seq: number) {
    await this.#put(client, 'pull', String(seq))
  }

  async status(): Promise<SyncStatus> {
    const row = await this.db.from('sync_status').where('id', 1).first()
    return row ? { ...EMPTY, ...JSON.parse(row.state) } : { ...EMPTY }
  }

  async update(change: Partial<SyncStatus>): Promise<SyncStatus> {
    const next = { ...(await this.status()), ...change }
    const state = JSON.stringify(next)
    const updated = await this.db
      .from('sync_status')
      .where('id', 1)
      .update({ state, updated_at: Date.now() })
    if (Number(Array.isArray(updated) ? updated[0] : updated) === 0) {
      await this.db.table('sync_status').insert({ id: 1, state, updated_at: Date.now() })
    }
    return next
  }

  async #put(client: QueryClientContract, stream: 'pull', position: string) {
    const updated = await client
      .from('sync_checkpoints')
      .where('stream', stream)
      .update({ position, updated_at: Date.now() })
    if (Number(Array.isArray(updated) ? updated[0] : updated) === 0) {
      await client.table('sync_checkpoints').insert({ stream, position, updated_at: Date.now() })
    }
  }
}
