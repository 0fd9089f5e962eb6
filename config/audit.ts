import { hostname } from 'node:os'
import env from '#start/env'

/**
 * IHE ATNA (DESIGN.md section 6): who this node says it is in its audit
 * records, where it sends them, and on the iCDR the syslog-over-TLS receiver
 * of the audit repository. TLS files are PEM paths.
 */
const auditConfig = {
  sourceId: env.get('AUDIT_SOURCE_ID', `outpost-${env.get('APP_ROLE')}@${hostname()}`),
  siteId: env.get('AUDIT_SITE_ID'),
  repository: env.get('AUDIT_REPOSITORY_HOST')
    ? { host: env.get('AUDIT_REPOSITORY_HOST')!, port: env.get('AUDIT_REPOSITORY_PORT', 6514) }
    : null,
  receiver: env.get('AUDIT_RECEIVER_PORT')
    ? {
        host: env.get('AUDIT_RECEIVER_HOST', '0.0.0.0'),
        port: env.get('AUDIT_RECEIVER_PORT')!,
        requireClientCert: !env.get('AUDIT_ALLOW_NO_CLIENT_CERT', false),
        maxFrameBytes: 256 * 1024,
        maxConnections: 200,
        idleTimeoutMs: 5 * 60_000,
      }
    : null,
  tls: {
    ca: env.get('AUDIT_TLS_CA'),
    cert: env.get('AUDIT_TLS_CERT'),
    key: env.get('AUDIT_TLS_KEY'),
  },
  /** How many spooled records one forwarding pass sends. */
  batchSize: 200,
}

export default auditConfig
