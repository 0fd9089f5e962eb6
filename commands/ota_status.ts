import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { OtaEdgeStatus } from '#services/ota_edge_status'
import { OtaPackInstaller } from '#services/ota_pack_installer'

export default class OtaStatus extends BaseCommand {
  static commandName = 'ota:status'
  static description =
    'On an edge: installed pack versions, held-back versions, last check and recent updates'
  static options: CommandOptions = { startApp: true }

  async run() {
    const installer = await this.app.container.make(OtaPackInstaller)
    const edge = await this.app.container.make(OtaEdgeStatus)
    const status = await edge.read()
    const [active, held, history] = await Promise.all([
      installer.activeVersions(),
      installer.heldBack(),
      installer.history(5),
    ])
    this.logger.log(`last check     ${status.lastCheckAt ?? 'never'}`)
    this.logger.log(`last success   ${status.lastSuccessAt ?? 'never'}`)
    this.logger.log(
      `last error     ${status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : 'none'}`
    )
    this.logger.log(`reported       ${status.reportedAt ?? 'never'}`)
    for (const [packId, { version, origin }] of active) {
      this.logger.log(`active         ${packId}@${version} (${origin})`)
    }
    for (const each of held) {
      this.logger.log(`held back      ${each.packId}@${each.version}: ${each.reason}`)
    }
    for (const install of history) {
      const changes = install.changes.map(
        (c) => `${c.packId} ${c.from ?? 'none'} -> ${c.to ?? 'none'}`
      )
      this.logger.log(
        `update ${install.id}  ${install.installedAt} ${install.outcome}: ${changes.join(', ')}`
      )
    }
  }
}
