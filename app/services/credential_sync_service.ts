import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { IcdrClient } from '#services/icdr_client'
import type { CredentialChange } from '#services/user_service'

const STREAM = 'credentials'
const REPORT_BATCH = 200

/**
 * The identity part of an edge's sync (DESIGN.md section 6): pulls the
 * credential changes made on the iCDR since the last checkpoint and drops the
 * offline credentials they make stale (a new password, new roles, a
 * deactivation), then reports the failed logins and lockouts seen offline.
 * Reports leave the edge only once the iCDR has acknowledged them.
 */
@inject()
export class CredentialSyncService {
  constructor(
    protected db: Database,
    protected icdr: IcdrClient
  ) {}

  async run() {
    const dropped = await this.#pullChanges()
    const reported = await this.#pushReports()
    return { dropped, reported }
  }

  async #pullChanges() {
    let dropped = 0
    for (;;) {
      const row = await this.db.from('sync_checkpoints').where('stream', STREAM).first()
      const since = Number(row?.position ?? 0)
      const answer = await this.icdr.request<{ changes: CredentialChange[] }>(
        'GET',
        `/api/v1/auth/credential-changes?since=${since}`
      )
      if (answer.status !== 200) {
        throw new Error(`The iCDR refused the credential changes: ${answer.status}`)
      }
      const { changes } = answer.body
      if (changes.length === 0) {
        return dropped
      }
      await this.db.transaction(async (trx) => {
        for (const change of changes) {
          const stale = trx.from('cached_credentials').where('username', change.username)
          dropped += Number(
            await (
              change.active
                ? stale.where('credential_version', '<', change.credentialVersion)
                : stale
            ).delete()
          )
        }
        const position = String(changes.at(-1)!.seq)
        const updated = await trx
          .from('sync_checkpoints')
          .where('stream', STREAM)
          .update({ position, updated_at: Date.now() })
        if (Number(updated) === 0) {
          await trx
            .table('sync_checkpoints')
            .insert({ stream: STREAM, position, updated_at: Date.now() })
        }
      })
    }
  }

  async #pushReports() {
    let reported = 0
    for (;;) {
      const reports = await this.db.from('security_reports').orderBy('id').limit(REPORT_BATCH)
      if (reports.length === 0) {
        return reported
      }
      const answer = await this.icdr.request('POST', '/api/v1/auth/security-reports', {
        body: {
          reports: reports.map((report) => ({
            id: Number(report.id),
            kind: report.kind,
            username: report.username,
            detail: report.detail ? JSON.parse(report.detail) : null,
            occurredAt: new Date(Number(report.occurred_at)).toISOString(),
          })),
        },
      })
      if (answer.status !== 200) {
        throw new Error(`The iCDR refused the security reports: ${answer.status}`)
      }
      await this.db
        .from('security_reports')
        .whereIn(
          'id',
          reports.map((report) => report.id)
        )
        .delete()
      reported += reports.length
    }
  }
}
