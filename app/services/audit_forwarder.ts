import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { SyslogTlsSender } from '#interop/atna/syslog_tls_sender'
import type auditConfig from '#config/audit'

export interface ForwardOutcome {
  sent: number
  pending: number
  error?: string
}

/**
 * Sends an edge's spooled audit messages to the audit repository over
 * syslog/TLS (RFC 5425), oldest first. A message leaves the spool only once
 * it was written to the TLS connection; while the repository is unreachable
 * the spool keeps everything, in order, for the next pass.
 */
@inject()
export class AuditForwarder {
  constructor(protected db: Database) {}

  async forward(): Promise<ForwardOutcome> {
    const settings = app.config.get<typeof auditConfig>('audit')
    if (!settings.repository) {
      return { sent: 0, pending: await this.pending(), error: 'no audit repository is configured' }
    }
    const sender = new SyslogTlsSender({
      host: settings.repository.host,
      port: settings.repository.port,
      ...tlsFiles(settings.tls),
    })
    let sent = 0
    try {
      for (;;) {
        const rows = await this.db.from('audit_spool').orderBy('id').limit(settings.batchSize)
        if (rows.length === 0) {
          break
        }
        try {
          await sender.send(rows.map((row) => row.message))
        } catch (error) {
          await this.db
            .from('audit_spool')
            .whereIn(
              'id',
              rows.map((row) => row.id)
            )
            .update({ attempts: this.db.raw('attempts + 1'), last_error: (error as Error).message })
          return { sent, pending: await this.pending(), error: (error as Error).message }
        }
        await this.db
          .from('audit_spool')
          .whereIn(
            'id',
            rows.map((row) => row.id)
          )
          .delete()
        sent += rows.length
      }
    } finally {
      await sender.close()
    }
    return { sent, pending: 0 }
  }

  async pending() {
    const row = await this.db.from('audit_spool').count('* as total').first()
    return Number(row?.total ?? 0)
  }
}

export function tlsFiles(tls: { ca?: string; cert?: string; key?: string }) {
  return {
    ca: tls.ca ? readFileSync(tls.ca) : undefined,
    cert: tls.cert ? readFileSync(tls.cert) : undefined,
    key: tls.key ? readFileSync(tls.key) : undefined,
  }
}
