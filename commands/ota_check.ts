import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { OtaUpdateService } from '#services/ota_update_service'

export default class OtaCheck extends BaseCommand {
  static commandName = 'ota:check'
  static description =
    'On an edge: check for rule pack updates now, install them and report to the iCDR (the running node picks them up)'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Install again versions that were rolled back here' })
  declare retryHeld?: boolean

  async run() {
    const updates = await this.app.container.make(OtaUpdateService)
    const result = await updates.check({ retryHeld: this.retryHeld })
    for (const change of result.changes) {
      this.logger.info(`${change.packId}: ${change.from ?? 'none'} -> ${change.to ?? 'none'}`)
    }
    for (const held of result.heldBack) {
      this.logger.info(`${held}: held back here (rolled back); --retry-held installs it again`)
    }
    const reported = result.reported
      ? 'reported to the iCDR'
      : 'not reported: the iCDR cannot be reached'
    switch (result.outcome) {
      case 'up-to-date':
        this.logger.success(`up to date; ${reported}`)
        return
      case 'installed':
        this.logger.success(`${result.changes.length} change(s) installed and active; ${reported}`)
        return
      case 'rolled-back':
      case 'failed':
      case 'skipped':
        this.logger.error(`${result.outcome} (${result.error?.code}): ${result.error?.message}`)
        this.logger.log(
          result.outcome === 'skipped'
            ? 'nothing was checked'
            : `the installed packs are unchanged; ${reported}`
        )
        this.exitCode = 1
        return
      default:
        result.outcome satisfies never
    }
  }
}
