import { readFile, writeFile } from 'node:fs/promises'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { SandboxSeeder, type SandboxSecrets } from '#services/sandbox_seeder'

export default class SandboxSeed extends BaseCommand {
  static commandName = 'sandbox:seed'
  static description = 'Seed this node with the sandbox demo users, API client and clinical data'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'JSON file with the sandbox secrets', required: true })
  declare secrets: string

  @flags.string({ description: 'Which sandbox node this is (icdr, gateway)', required: true })
  declare node: string

  @flags.string({
    description: 'iCDR: write a new enrolment code for the sandbox gateway to this file',
  })
  declare gatewayCodeFile?: string

  async run() {
    const all = JSON.parse(await readFile(this.secrets, 'utf8')) as Record<string, SandboxSecrets>
    const secrets = all[this.node]
    if (!secrets) {
      this.logger.error(`no sandbox secrets for node "${this.node}" in ${this.secrets}`)
      this.exitCode = 1
      return
    }
    const seeder = await this.app.container.make(SandboxSeeder)
    const added = await seeder.seed(secrets)
    this.logger.success(`sandbox data in place (${added} demo clinical records added)`)
    if (this.gatewayCodeFile) {
      await writeFile(this.gatewayCodeFile, await seeder.gatewayEnrolmentCode(), { mode: 0o600 })
      this.logger.info('an enrolment code for the sandbox gateway is ready')
    }
  }
}
