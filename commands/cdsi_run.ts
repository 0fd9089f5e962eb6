import { readFile } from 'node:fs/promises'
import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { readCdsiCases } from '#interop/cdsi/cdsi_case'
import { CdsiRunner, summarise, type CaseResult } from '#interop/cdsi/cdsi_runner'
import { FactRegistry } from '#rules_engine/fact_registry'
import { platformPackLoader } from '#rules_engine/platform'

const DEFAULT_PACK = 'protocols/acip-childhood-immunization/pack.json'

export default class CdsiRun extends BaseCommand {
  static commandName = 'cdsi:run'
  static description =
    'Run CDC CDSi test cases (CSV) through the ACIP immunization pack and print the pass rate per vaccine group'
  static options: CommandOptions = { startApp: false }

  @args.string({ description: 'The CDSi test case CSV' })
  declare csv: string

  @flags.boolean({ description: 'List each failing case with what was expected and what came out' })
  declare failures: boolean

  @flags.number({ description: 'Exit with an error when fewer than this percentage of cases pass' })
  declare minPassRate?: number

  @flags.string({ description: 'Only these CSV vaccine groups, comma-separated (e.g. DTAP,MMR)' })
  declare groups?: string

  @flags.string({ description: "Print this case's FHIR outputs (its CDC_Test_ID) as JSON" })
  declare show?: string

  @flags.string({ description: `The rule pack to run (default ${DEFAULT_PACK})` })
  declare pack?: string

  async run() {
    const facts = new FactRegistry()
    let results: CaseResult[]
    try {
      const pack = await platformPackLoader(facts).loadFile(this.pack ?? DEFAULT_PACK)
      const text = await readFile(this.csv, 'utf8')
      const wanted = this.groups?.split(',').map((group) => group.trim())
      const cases = readCdsiCases(text).filter(
        (testCase) => !wanted || wanted.includes(testCase.vaccineGroup)
      )
      const runner = new CdsiRunner(pack, facts)
      results = []
      for (const testCase of cases) {
        results.push(await runner.run(testCase))
      }
    } catch (error) {
      this.logger.error(error instanceof Error ? error.message : String(error))
      this.exitCode = 1
      return
    }
    const shown = results.find((result) => result.testCase.id === this.show)
    if (shown) {
      this.logger.log(JSON.stringify(shown.outputs, null, 2))
    }
    if (this.failures) {
      for (const result of results.filter((candidate) => !candidate.passed)) {
        const { testCase } = result
        this.logger.log(`${testCase.id} ${testCase.vaccineGroup} ${testCase.name}`)
        result.differences.forEach((difference) => this.logger.log(`    ${difference}`))
      }
    }
    const table = this.ui.table()
    table.head(['Vaccine group', 'Cases', 'Passed', 'Pass rate'])
    for (const group of summarise(results)) {
      table.row([
        group.vaccineGroup,
        String(group.cases),
        String(group.passed),
        `${percentage(group.passed, group.cases)}%`,
      ])
    }
    table.render()
    const passed = results.filter((result) => result.passed).length
    this.logger.log(`${passed} passed, ${results.length - passed} failed`)
    const rate = Number(percentage(passed, results.length))
    if (results.length === 0 || (this.minPassRate !== undefined && rate < this.minPassRate)) {
      this.logger.error(
        `pass rate ${rate}% is below the required ${this.minPassRate ?? 0}% (${results.length} cases)`
      )
      this.exitCode = 1
    }
  }
}

function percentage(part: number, whole: number) {
  return whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1)
}
