import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { loadPackPaths, platformPackLoader } from '#rules_engine/platform'
import { packKey } from '#rules_engine/pack_types'

export default class RulesValidate extends BaseCommand {
  static commandName = 'rules:validate'
  static description =
    'Check rule packs (files or folders) against the schema and the facts and operators of this platform'
  static options: CommandOptions = { startApp: false }

  @args.spread({ description: 'Pack files or folders of packs' })
  declare paths: string[]

  async run() {
    const { packs, failures } = await loadPackPaths(platformPackLoader(), this.paths)
    for (const { pack, source } of packs) {
      this.logger.success(`${packKey(pack)} (${source})`)
    }
    for (const failure of failures) {
      this.logger.error(`${failure.source ?? 'pack'}: ${failure.problems.length} problem(s)`)
      for (const problem of failure.problems) {
        this.logger.log(`  ${problem.path || '/'}  ${problem.message}  [${problem.code}]`)
      }
    }
    this.logger.log(`${packs.length} valid, ${failures.length} invalid`)
    if (failures.length > 0 || packs.length === 0) {
      this.exitCode = 1
    }
  }
}
