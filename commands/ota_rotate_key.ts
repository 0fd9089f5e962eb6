import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { OtaError } from '#ota/ota_error'
import { isTufRole } from '#ota/tuf_roles'
import { OtaRepositoryService } from '#services/ota_repository_service'

export default class OtaRotateKey extends BaseCommand {
  static commandName = 'ota:rotate-key'
  static description =
    'On the iCDR: replace the keys of a TUF role; edges follow through the root chain without being set up again'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The role: timestamp, snapshot, targets, rulepacks, app or root' })
  declare role: string

  @flags.number({ description: 'Signatures the role needs from now on (that many keys are made)' })
  declare threshold?: number

  async run() {
    if (!isTufRole(this.role)) {
      this.logger.error(`"${this.role}" is not a TUF role`)
      this.exitCode = 1
      return
    }
    const repository = await this.app.container.make(OtaRepositoryService)
    try {
      const { keyFiles } = await repository.rotateKey(this.role, this.threshold)
      this.logger.success(`the ${this.role} role now signs with ${keyFiles.join(', ')}`)
      this.logger.log(`the replaced key files are in ${repository.settings.keysDir}/retired`)
    } catch (error) {
      if (!(error instanceof OtaError)) {
        throw error
      }
      this.logger.error(`${error.code}: ${error.message}`)
      this.exitCode = 1
    }
  }
}
