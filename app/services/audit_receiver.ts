import app from '@adonisjs/core/services/app'
import type { Logger } from '@adonisjs/core/logger'
import { parseAuditMessageXml } from '#interop/atna/dicom_audit_message'
import { SyslogTlsReceiver } from '#interop/atna/syslog_tls_receiver'
import { AuditRepository } from '#services/audit_repository'
import { tlsFiles } from '#services/audit_forwarder'
import type auditConfig from '#config/audit'

/**
 * The iCDR's ATNA audit record repository listener: syslog over TLS
 * (RFC 5425) from edges and other systems, each AuditMessage parsed and
 * stored once. A bad frame closes only its own connection; a message that is
 * not an AuditMessage is logged and skipped.
 */
export class AuditReceiver {
  #receiver?: SyslogTlsReceiver

  constructor(protected logger: Logger) {}

  async start(): Promise<number | null> {
    const settings = app.config.get<typeof auditConfig>('audit')
    if (!settings.receiver) {
      return null
    }
    const { ca, cert, key } = tlsFiles(settings.tls)
    if (!cert || !key) {
      throw new Error(
        'AUDIT_RECEIVER_PORT needs AUDIT_TLS_CERT and AUDIT_TLS_KEY (RFC 5425 is TLS only)'
      )
    }
    const repository = await app.container.make(AuditRepository)
    const receiver = new SyslogTlsReceiver({
      ...settings.receiver,
      ca,
      cert,
      key,
      requestClientCert: true,
      allowMissingClientCert: !settings.receiver.requireClientCert,
    })
    receiver.onMessage(async (message, meta) => {
      const record = parseAuditMessageXml(message)
      await repository.store(record, meta.peerCN ?? meta.remoteAddress ?? 'unknown')
    })
    receiver.onError((error, meta) => {
      this.logger.warn({ err: error, remote: meta?.remoteAddress }, 'audit message refused')
    })
    this.#receiver = receiver
    const port = await receiver.start()
    this.logger.info({ port }, 'ATNA audit receiver listening (syslog over TLS)')
    return port
  }

  async stop() {
    await this.#receiver?.stop()
  }
}
