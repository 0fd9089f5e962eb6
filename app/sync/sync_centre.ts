import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { Logger } from '@adonisjs/core/logger'
import { IcdrClient } from '#services/icdr_client'
import { EdgeConflicts } from '#sync/edge_conflicts'
import { SyncBusyError, SyncRunner } from '#sync/sync_runner'
import { SyncState } from '#sync/sync_state'

/**
 * What an edge's sync centre shows (DESIGN.md section 8): the last sync,
 * the progress of one under way, what waits in the outbox, the conflicts a
 * person must resolve and the changes the iCDR could not store.
 */
@inject()
export class SyncCentre {
  constructor(
    protected db: Database,
    protected runner: SyncRunner,
    protected state: SyncState,
    protected conflicts: EdgeConflicts,
    protected icdr: IcdrClient,
    protected logger: Logger
  ) {}

  async overview() {
    const open = await this.conflicts.open()
    const [{ pending }] = await this.db
      .from('sync_outbox')
      .where('state', 'pending')
      .count('* as pending')
    return {
      configured: await this.icdr.isConfigured(),
      status: await this.runner.status(),
      checkpoint: await this.state.checkpoint(),
      pending: Number(pending),
      conflicts: open.map((row) => ({
        id: Number(row.id),
        type: row.resource_type,
        resourceId: row.resource_id,
        baseVersion: Number(row.base_version),
        serverVersion: Number(row.server_version),
        mine: row.mine,
        theirs: row.theirs,
        createdAt: new Date(Number(row.created_at)).toISOString(),
      })),
      rejected: await this.conflicts.rejected(),
    }
  }

  /** Starts a sync in the background; its progress shows in `overview`. */
  async start() {
    const status = await this.runner.status()
    if (status.running) {
      return { started: false, reason: new SyncBusyError().message }
    }
    this.runner.run().catch((error) => {
      this.logger.warn({ err: error }, 'sync asked for from the sync centre failed')
    })
    return { started: true }
  }
}
