import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { FactRegistry } from '#rules_engine/fact_registry'
import { runPackTests } from '#rules_engine/pack_test_runner'
import { loadPackPaths, platformPackLoader } from '#rules_engine/platform'
import { packKey } from '#rules_engine/pack_types'

export default class RulesTest extends BaseCommand {
  static commandName = 'rules:test'
  static description = "Run rule packs' own test cases (files or folders) and print each result"
  static options: CommandOptions = { startApp: false }

  @args.spread({ description: 'Pack files or folders of packs' })
  declare paths: string[]

  async run() {
    const facts = new FactRegistry()
    const { packs, failures } = await loadPackPaths(platformPackLoader(facts), this.paths)
    let passed = 0
    let failed = 0
    for (const failure of failures) {
      failed++
      this.logger.error(`${failure.source ?? 'pack'} does not load: ${failure.message}`)
    }
    for (const { pack } of packs) {
      const results = await runPackTests(pack, facts)
      if (results.length === 0) {
        this.logger.warning(`${packKey(pack)} has no tests`)
      }
      for (const result of results) {
        if (result.passed) {
          passed++
          this.logger.log(`${this.colors.green('✔')} ${packKey(pack)} › ${result.name}`)
        } else {
          failed++
          this.logger.log(`${this.colors.red('✖')} ${packKey(pack)} › ${result.name}`)
          result.failures.forEach((reason) => this.logger.log(`    ${reason}`))
        }
      }
    }
    this.logger.log(`${passed} passed, ${failed} failed`)
    if (failed > 0 || packs.length === 0) {
      this.exitCode = 1
    }
  }
}
