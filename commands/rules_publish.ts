import { readFile } from 'node:fs/promises'
import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

interface ApiAnswer {
  status: number
  body: any
}

/**
 * Publishes a pack file through an iCDR's authoring API, as an informatician
 * working in a plain folder would: upload the draft, then publish it. The iCDR
 * decides; this command only reports its answer.
 */
export default class RulesPublish extends BaseCommand {
  static commandName = 'rules:publish'
  static description = 'Upload a rule pack file to an iCDR as a draft and publish it'
  static options: CommandOptions = { startApp: false }

  @args.string({ description: 'The pack file (JSON)' })
  declare file: string

  @flags.string({ description: 'Base URL of the iCDR (env OUTPOST_ICDR)' })
  declare icdr?: string

  @flags.string({ description: 'API token with the rules:publish scope (env OUTPOST_TOKEN)' })
  declare token?: string

  async run() {
    const base = (this.icdr ?? process.env.OUTPOST_ICDR ?? '')
      .replace(/\/+$/, '')
      .replace(/\/fhir$/, '')
    const token = this.token ?? process.env.OUTPOST_TOKEN
    if (!base || !token) {
      this.logger.error('Give the iCDR with --icdr <url> and a token with --token or OUTPOST_TOKEN')
      this.exitCode = 1
      return
    }
    const text = await readFile(this.file, 'utf8').catch((error: Error) => error)
    if (text instanceof Error) {
      this.logger.error(`Cannot read ${this.file}: ${text.message}`)
      this.exitCode = 1
      return
    }
    const draft = await this.#call(`${base}/api/v1/rule-packs`, token, text)
    if (!this.#accepted(draft, 'The draft was refused')) {
      return
    }
    const key = `${draft.body.id}@${draft.body.version}`
    this.logger.info(`${key} uploaded as a draft`)
    const path = `${encodeURIComponent(draft.body.id)}/${encodeURIComponent(draft.body.version)}`
    const published = await this.#call(`${base}/api/v1/rule-packs/${path}/publish`, token)
    if (this.#accepted(published, `${key} was not published`)) {
      this.logger.success(`${key} published (${published.body.tests} test(s) passed); it is active`)
    }
  }

  async #call(url: string, token: string, body?: string): Promise<ApiAnswer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    })
    const text = await response.text()
    try {
      return { status: response.status, body: JSON.parse(text) }
    } catch {
      return { status: response.status, body: { error: { code: 'E_HTTP', message: text } } }
    }
  }

  #accepted(answer: ApiAnswer, heading: string) {
    if (answer.status < 300) {
      return true
    }
    const { code, message, problems = [] } = answer.body.error ?? {}
    this.logger.error(`${heading} (${answer.status} ${code}): ${message}`)
    for (const problem of problems) {
      this.logger.log(`  ${problem.path || '/'}  ${problem.message}`)
    }
    this.exitCode = 1
    return false
  }
}
