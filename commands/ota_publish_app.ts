import { readFile } from 'node:fs/promises'
import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { OtaRepositoryService } from '#services/ota_repository_service'

export default class OtaPublishApp extends BaseCommand {
  static commandName = 'ota:publish-app'
  static description =
    'On the iCDR: sign an edge software bundle (a release tarball) as a TUF app/* target'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The release tarball' })
  declare file: string

  @flags.string({ description: 'Its release version, e.g. 1.4.0', required: true })
  declare version: string

  @flags.string({ description: 'Release notes kept in the signed target' })
  declare notes?: string

  async run() {
    const repository = await this.app.container.make(OtaRepositoryService)
    if (!(await repository.isReady())) {
      this.logger.error('the OTA repository is not set up: run node ace ota:keys first')
      this.exitCode = 1
      return
    }
    try {
      const bytes = await readFile(this.file)
      const target = await repository.publishAppBundle(this.version, bytes, this.notes)
      this.logger.success(`${target.path} signed (${target.length} bytes, sha256 ${target.sha256})`)
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
    }
  }
}
