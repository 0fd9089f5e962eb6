import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { OtaPackInstaller } from '#services/ota_pack_installer'
import { OtaUpdateService } from '#services/ota_update_service'

export default class OtaRollback extends BaseCommand {
  static commandName = 'ota:rollback'
  static description =
    'On an edge: go back to the pack versions before the last update (or the last update of one pack) and hold the update back'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only this pack id' })
  declare pack?: string

  @flags.string({ description: 'Why, kept with the hold and reported to the iCDR' })
  declare reason?: string

  async run() {
    const installer = await this.app.container.make(OtaPackInstaller)
    const reason = `rolled back by hand${this.reason ? `: ${this.reason}` : ''}`
    const undone = await installer.rollback({ packId: this.pack, reason })
    if (undone.length === 0) {
      this.logger.error(`no update${this.pack ? ` of ${this.pack}` : ''} is left to roll back`)
      this.exitCode = 1
      return
    }
    for (const change of undone) {
      this.logger.info(`${change.packId}: ${change.from ?? 'none'} -> ${change.to ?? 'none'}`)
    }
    const updates = await this.app.container.make(OtaUpdateService)
    const reported = (await updates.sources()) !== null && (await updates.report())
    this.logger.success(
      `rolled back; the running node uses the previous versions within seconds${reported ? '; reported to the iCDR' : ''}`
    )
  }
}
