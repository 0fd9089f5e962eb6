import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { AuditForwarder } from '#services/audit_forwarder'

export default class AuditForward extends BaseCommand {
  static commandName = 'audit:forward'
  static description =
    'Send the spooled audit messages to the audit repository now (syslog over TLS), oldest first'
  static options: CommandOptions = { startApp: true }

  async run() {
    const forwarder = await this.app.container.make(AuditForwarder)
    const outcome = await forwarder.forward()
    if (outcome.error) {
      this.logger.error(`${outcome.sent} sent; ${outcome.pending} still spooled: ${outcome.error}`)
      this.exitCode = 1
      return
    }
    this.logger.success(`${outcome.sent} audit message(s) sent; the spool is empty`)
  }
}
