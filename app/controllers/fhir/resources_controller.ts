import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { ClinicalRepository } from '#services/clinical_repository'
import { FhirBundles } from '#services/fhir_bundles'
import {
  fhirBody,
  ifMatchVersion,
  resourceTypeParam,
  searchParameters,
  sendCreated,
  sendJsonText,
  sendResource,
} from '#services/fhir_http'
import type { WriteOptions } from '#services/clinical_repository'

function writer(ctx: HttpContext): WriteOptions {
  const client = ctx.apiClient!
  return { source: 'fhir', principal: { kind: 'client', id: String(client.id), name: client.name } }
}

/**
 * FHIR R4 type and instance interactions.
 * @see https://hl7.org/fhir/R4/http.html
 */
@inject()
export default class ResourcesController {
  constructor(
    protected repository: ClinicalRepository,
    protected bundles: FhirBundles
  ) {}

  async read(ctx: HttpContext) {
    const resource = await this.repository.read(resourceTypeParam(ctx.params.type), ctx.params.id)
    sendResource(ctx, resource)
  }

  async vread(ctx: HttpContext) {
    const { type, id, versionId } = ctx.params
    const resource = await this.repository.vread(resourceTypeParam(type), id, Number(versionId))
    sendResource(ctx, resource)
  }

  async search(ctx: HttpContext) {
    const query = parseSearchQuery(resourceTypeParam(ctx.params.type), searchParameters(ctx))
    const page = await this.repository.search(query)
    sendJsonText(ctx, this.bundles.searchset(ctx, query, page))
  }

  async create(ctx: HttpContext) {
    const type = resourceTypeParam(ctx.params.type)
    const ifNoneExist = ctx.request.header('if-none-exist')
    const body = fhirBody(ctx)
    const outcome = await this.repository.create(type, body, { ...writer(ctx), ifNoneExist })
    sendCreated(ctx, outcome.resource, outcome.created)
  }

  async update(ctx: HttpContext) {
    const type = resourceTypeParam(ctx.params.type)
    const options = { ...writer(ctx), ifMatch: ifMatchVersion(ctx) }
    const outcome = await this.repository.update(type, ctx.params.id, fhirBody(ctx), options)
    sendCreated(ctx, outcome.resource, outcome.created)
  }

  async destroy(ctx: HttpContext) {
    await this.repository.delete(resourceTypeParam(ctx.params.type), ctx.params.id, writer(ctx))
    ctx.response.noContent()
  }

  async history(ctx: HttpContext) {
    const type = resourceTypeParam(ctx.params.type)
    const page = this.bundles.historyPage(ctx)
    const history = await this.repository.history(type, ctx.params.id, page)
    sendJsonText(ctx, this.bundles.history(ctx, history, page))
  }
}
