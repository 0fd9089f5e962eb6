import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'

export interface OtaFailure {
  code: string
  message: string
}

export interface EdgeStatus {
  lastCheckAt: string | null
  lastSuccessAt: string | null
  lastError: OtaFailure | null
  reportedAt: string | null
}

const ROW = { id: 1 }

/**
 * The updater's own record on an edge: when it last checked, last succeeded and what
 * went wrong, reported to the iCDR after every check. Also a lease, so that the
 * scheduled check in the server and `node ace ota:check` in another process never
 * update the same store at once.
 */
@inject()
export class OtaEdgeStatus {
  constructor(protected db: Database) {}

  async read(): Promise<EdgeStatus> {
    const row = await this.db.from('ota_edge_status').where(ROW).first()
    return {
      lastCheckAt: iso(row?.last_check_at),
      lastSuccessAt: iso(row?.last_success_at),
      lastError: row?.last_error_code
        ? { code: row.last_error_code, message: row.last_error_message ?? '' }
        : null,
      reportedAt: iso(row?.reported_at),
    }
  }

  /** True when this caller holds the lease for `ms`; false while another check holds it. */
  async acquire(ms: number): Promise<boolean> {
    const now = Date.now()
    await this.db.table('ota_edge_status').insert(ROW).knexQuery.onConflict('id').ignore()
    const taken = await this.db
      .from('ota_edge_status')
      .where(ROW)
      .where((query) => query.whereNull('lease_until').orWhere('lease_until', '<', now))
      .update({ lease_until: now + ms })
    return Number(taken) === 1
  }

  async release() {
    await this.db.from('ota_edge_status').where(ROW).update({ lease_until: null })
  }

  async recordCheck(at: Date, failure: OtaFailure | null) {
    await this.db
      .from('ota_edge_status')
      .where(ROW)
      .update({
        last_check_at: at.getTime(),
        ...(failure ? {} : { last_success_at: at.getTime() }),
        last_error_code: failure?.code ?? null,
        last_error_message: failure?.message.slice(0, 4000) ?? null,
      })
  }

  async recordReported(at = new Date()) {
    await this.db.from('ota_edge_status').where(ROW).update({ reported_at: at.getTime() })
  }
}

function iso(value: unknown): string | null {
  return value === null || value === undefined ? null : new Date(Number(value)).toISOString()
}
