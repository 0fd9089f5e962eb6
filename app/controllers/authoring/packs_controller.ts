import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { PackAuthoringService } from '#services/pack_authoring_service'
import { PackRepository } from '#services/pack_repository'
import { OtaReleaseService } from '#services/ota_release_service'
import { originOf } from '#services/audit_trail'
import { RULE_PACK_SCHEMA_PATH } from '#rules_engine/pack_schema'

/** Rule pack authoring on the iCDR; bodies are read raw so the loader checks the exact text. */
@inject()
export default class PacksController {
  constructor(protected authoring: PackAuthoringService) {}

  index() {
    return this.authoring.list()
  }

  /** Packs that threw while running: isolated from the saves, listed here for administrators. */
  @inject()
  failures(_ctx: HttpContext, packs: PackRepository) {
    return packs.recentFailures()
  }

  async store({ request, response }: HttpContext) {
    const draft = await this.authoring.saveDraft(request.raw() ?? '')
    return response.status(draft.replaced ? 200 : 201).json(draft)
  }

  validate({ request }: HttpContext) {
    const problems = this.authoring.validate(request.raw() ?? '')
    return { valid: problems.length === 0, problems }
  }

  async show({ params }: HttpContext) {
    const { pack } = await this.authoring.find(params.id, params.version)
    return pack
  }

  async test({ params }: HttpContext) {
    const results = await this.authoring.test(params.id, params.version)
    const failed = results.filter((result) => !result.passed).length
    return { passed: results.length - failed, failed, results }
  }

  diff({ params }: HttpContext) {
    return this.authoring.diff(params.id, params.version)
  }

  /** A published version is signed as a TUF target and released to the channels for new versions. */
  @inject()
  async publish(ctx: HttpContext, releases: OtaReleaseService) {
    const published = await this.authoring.publish(ctx.params.id, ctx.params.version)
    const actor = { principal: ctx.principal!, origin: originOf(ctx) }
    return {
      ...published,
      ota: await releases.packPublished(published.id, published.version, actor),
    }
  }

  @inject()
  async retire(ctx: HttpContext, releases: OtaReleaseService) {
    const retired = await this.authoring.retire(ctx.params.id, ctx.params.version)
    await releases.packRetired(retired.id, retired.version, {
      principal: ctx.principal!,
      origin: originOf(ctx),
    })
    return retired
  }

  async schema({ response }: HttpContext) {
    const schema = await readFile(RULE_PACK_SCHEMA_PATH, 'utf8')
    return response.header('Content-Type', 'application/schema+json').send(schema)
  }
}
