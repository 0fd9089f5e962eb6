import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { CredentialSyncService } from '#services/credential_sync_service'
import { IcdrUnreachableError } from '#services/icdr_client'

export default class CredentialsSync extends BaseCommand {
  static commandName = 'credentials:sync'
  static description =
    'On an edge: drop offline credentials the iCDR changed or revoked, and report offline failed logins and lockouts'
  static options: CommandOptions = { startApp: true }

  async run() {
    const sync = await this.app.container.make(CredentialSyncService)
    try {
      const { dropped, reported } = await sync.run()
      this.logger.success(
        `credentials in step with the iCDR: ${dropped} stale offline credential(s) dropped, ${reported} security report(s) sent`
      )
    } catch (error) {
      if (!(error instanceof IcdrUnreachableError)) {
        throw error
      }
      this.logger.error(`${error.message}; nothing changed, try again when online`)
      this.exitCode = 1
    }
  }
}
