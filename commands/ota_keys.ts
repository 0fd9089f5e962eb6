import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { OtaRepositoryService } from '#services/ota_repository_service'
import { isTufRole, type TufRole } from '#ota/tuf_roles'

export default class OtaKeys extends BaseCommand {
  static commandName = 'ota:keys'
  static description =
    'On the iCDR: create the TUF role keys that are missing and initialise the OTA repository (sandbox and development; production keeps root offline, see docs/ota.md)'
  static options: CommandOptions = { startApp: true }

  @flags.array({
    description: 'Signatures a role needs, e.g. --threshold root=2 (that many keys are made)',
  })
  declare threshold?: string[]

  async run() {
    const thresholds = this.#thresholds()
    if (!thresholds) {
      return
    }
    const repository = await this.app.container.make(OtaRepositoryService)
    const { keysDir, repositoryDir } = repository.settings
    const setUp = await repository.setUp(thresholds)
    for (const file of setUp.keyFiles) {
      this.logger.info(`key written: ${file}`)
    }
    if (setUp.initialised && setUp.keyFiles.length === 0) {
      this.logger.info(`every role already has its keys in ${keysDir}`)
    }
    this.logger.success(
      setUp.initialised
        ? `TUF repository initialised in ${repositoryDir}; edges pin metadata/1.root.json`
        : `the TUF repository in ${repositoryDir} is in place`
    )
    this.logger.log(`root key id(s): ${setUp.rootKeyIds.join(', ')}`)
    if (setUp.initialised) {
      this.logger.log(
        'In production, move root-*.json and targets-*.json off this host: the iCDR needs only snapshot, timestamp and rulepacks'
      )
    }
  }

  #thresholds(): Partial<Record<TufRole, number>> | undefined {
    const thresholds: Partial<Record<TufRole, number>> = {}
    for (const entry of this.threshold ?? []) {
      const [role, count] = entry.split('=')
      if (!isTufRole(role) || !/^[1-9]\d?$/.test(count ?? '')) {
        this.logger.error(
          `--threshold ${entry}: write <role>=<n>, the role one of root, targets, snapshot, timestamp, rulepacks, app`
        )
        this.exitCode = 1
        return undefined
      }
      thresholds[role] = Number(count)
    }
    return thresholds
  }
}
