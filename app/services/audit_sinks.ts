import { hostname } from 'node:os'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { toAuditMessageXml } from '#interop/atna/dicom_audit_message'
import { formatSyslog } from '#interop/atna/syslog_message'
import { SyslogTlsSender } from '#interop/atna/syslog_tls_sender'
import { AuditRepository } from '#services/audit_repository'
import { tlsFiles } from '#services/audit_forwarder'
import { AuditSink } from '#services/audit_trail'
import type { AuditRecord } from '#interop/atna/audit_record'
import type auditConfig from '#config/audit'

/** The iCDR is its own audit repository: its records go straight into it. */
@inject()
export class RepositoryAuditSink extends AuditSink {
  constructor(protected repository: AuditRepository) {
    super()
  }

  async record(record: AuditRecord, trx?: TransactionClientContract) {
    await this.repository.store(record, 'local', trx)
  }
}

/**
 * Edges write each record, as the syslog message it will travel as, into the
 * durable spool; the audit forwarder sends the spool in order when the audit
 * repository can be reached (DESIGN.md section 6).
 */
@inject()
export class SpoolAuditSink extends AuditSink {
  constructor(protected db: Database) {
    super()
  }

  async record(record: AuditRecord, trx?: TransactionClientContract) {
    await (trx ?? this.db).table('audit_spool').insert({
      message: auditSyslogMessage(record),
      attempts: 0,
      created_at: Date.now(),
    })
  }
}

/**
 * An audit record as IHE ATNA transports it: a DICOM PS3.15 AuditMessage in
 * an RFC 5424 syslog message (facility authpriv, severity notice, MSGID
 * IHE+RFC-3881).
 * @see https://profiles.ihe.net/ITI/TF/Volume2/ITI-20.html
 */
export function auditSyslogMessage(record: AuditRecord): string {
  return formatSyslog({
    timestamp: record.recordedAt,
    hostname: hostname(),
    appName: 'outpost',
    procId: String(process.pid),
    message: toAuditMessageXml(record),
  })
}

/**
 * The portal keeps no store, and what its users do to patient data happens
 * on the iCDR, which audits it there. Its own events (logins, logouts) are
 * sent to the audit repository at once, in order, one connection at a time;
 * if the repository cannot be reached the request fails rather than leaving
 * an event unrecorded.
 */
export class ForwardingAuditSink extends AuditSink {
  #chain: Promise<unknown> = Promise.resolve()

  async record(record: AuditRecord) {
    const settings = app.config.get<typeof auditConfig>('audit')
    if (!settings.repository) {
      /* No repository configured: the record goes to the log, where an operator's collector finds it. */
      const logger = await app.container.make('logger')
      logger.info(
        { audit: auditSyslogMessage(record) },
        'audit record (no AUDIT_REPOSITORY_HOST set)'
      )
      return
    }
    const repository = settings.repository
    const send = async () => {
      const sender = new SyslogTlsSender({ ...repository, ...tlsFiles(settings.tls) })
      try {
        await sender.send([auditSyslogMessage(record)])
      } finally {
        await sender.close()
      }
    }
    const next = this.#chain.then(send, send)
    this.#chain = next.catch(() => {})
    await next
  }
}
