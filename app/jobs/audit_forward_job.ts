import { inject } from '@adonisjs/core'
import { BaseJob } from '#queue/base_job'
import { AuditForwarder } from '#services/audit_forwarder'

/**
 * Sends the audit spool to the audit repository. Safe to run twice: a
 * message the repository already has is stored once (by record id).
 */
@inject()
export default class AuditForwardJob extends BaseJob<Record<string, never>> {
  static queue = 'audit-forward'
  static attempts = 1

  constructor(protected forwarder: AuditForwarder) {
    super()
  }

  async handle() {
    return this.forwarder.forward()
  }
}
