import { actorOf } from '#identity/principal'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { capabilityStatement } from '#interop/fhir/capability_statement'
import { ClinicalRepository } from '#services/clinical_repository'
import { baseUrl, fhirBody, sendJsonText } from '#services/fhir_http'
import type outpostConfig from '#config/outpost'

/**
 * Whole-system FHIR interactions: the CapabilityStatement and Bundles.
 * @see https://hl7.org/fhir/R4/http.html#capabilities
 */
export default class SystemController {
  metadata(ctx: HttpContext) {
    const { role, profile, version } = app.config.get<typeof outpostConfig>('outpost')
    const statement = capabilityStatement({
      baseUrl: baseUrl(ctx),
      software: { name: 'Outpost', version },
      description: `Outpost ${role} (${profile.title})`,
    })
    sendJsonText(ctx, JSON.stringify(statement))
  }

  @inject()
  async bundle(ctx: HttpContext, repository: ClinicalRepository) {
    const text = await repository.bundle(fhirBody(ctx), {
      source: 'fhir',
      principal: actorOf(ctx.principal!),
      baseUrl: baseUrl(ctx),
    })
    sendJsonText(ctx, text)
  }
}
