import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import { CredentialSyncService } from '#services/credential_sync_service'
import { IcdrClient, IcdrUnreachableError } from '#services/icdr_client'
import { EdgeSync, type Progress, type PullSummary, type PushSummary } from '#sync/edge_sync'
import { SyncState, type SyncStatus } from '#sync/sync_state'
import type syncConfig from '#config/sync'

export interface SyncRunSummary {
  push: PushSummary
  pull: PullSummary
  credentials: { dropped: number; reported: number }
}

export class SyncBusyError extends Error {
  readonly code = 'E_SYNC_BUSY'
  constructor() {
    super('A sync is already running on this edge')
  }
}

/**
 * One sync of an edge: its changes out first (so the iCDR decides on them
 * before their resources are pulled), then the iCDR's changes in, then the
 * identity part (stale offline credentials, offline security reports).
 * Scheduled runs back off while the iCDR cannot be reached (doubling up to
 * SYNC_MAX_BACKOFF_MS); a run asked for by a person always tries. The edge
 * works fully offline meanwhile: nothing here blocks a save.
 */
/** One run at a time per edge process (edges are one process), and its progress for the sync centre. */
const current: { running: boolean; progress: Progress | null } = { running: false, progress: null }

@inject()
export class SyncRunner {
  constructor(
    protected sync: EdgeSync,
    protected state: SyncState,
    protected credentials: CredentialSyncService,
    protected icdr: IcdrClient
  ) {}

  async due(now = Date.now()): Promise<boolean> {
    const { nextAttemptAt } = await this.state.status()
    return nextAttemptAt === null || Date.parse(nextAttemptAt) <= now
  }

  async run(onProgress: (progress: Progress) => void = () => {}): Promise<SyncRunSummary> {
    if (current.running) {
      throw new SyncBusyError()
    }
    current.running = true
    const startedAt = new Date().toISOString()
    await this.state.update({ lastAttemptAt: startedAt })
    const report = (progress: Progress) => {
      current.progress = progress
      onProgress(progress)
    }
    try {
      if (!(await this.icdr.isConfigured())) {
        throw new IcdrUnreachableError(
          'this node knows no iCDR: enrol it (node ace edge:enroll) or set ICDR_URL'
        )
      }
      const push = await this.sync.push(report)
      const pull = await this.sync.pull(report)
      const credentials = await this.credentials.run()
      await this.state.update({
        lastSuccessAt: new Date().toISOString(),
        lastError: null,
        failures: 0,
        nextAttemptAt: null,
      })
      return { push, pull, credentials }
    } catch (error) {
      await this.#failed(error as Error)
      throw error
    } finally {
      current.running = false
      current.progress = null
    }
  }

  async status(): Promise<SyncStatus> {
    const stored = await this.state.status()
    return { ...stored, running: current.running, progress: current.progress }
  }

  async #failed(error: Error) {
    const { failures } = await this.state.status()
    const { retryBaseMs, maxBackoffMs } = app.config.get<typeof syncConfig>('sync')
    const delay = Math.min(retryBaseMs * 2 ** failures, maxBackoffMs)
    await this.state.update({
      lastError: error.message,
      failures: failures + 1,
      nextAttemptAt:
        error instanceof IcdrUnreachableError ? new Date(Date.now() + delay).toISOString() : null,
    })
  }
}
