import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { actorOf } from '#identity/principal'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseSearchQuery } from '#interop/fhir/search_query'
import { patientOf } from '#rules_engine/fact_source'
import { AuditTrail, originOf } from '#services/audit_trail'
import { ClinicalRepository } from '#services/clinical_repository'
import { FhirAuditEvents } from '#services/fhir_audit_events'
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
  return { source: 'fhir', principal: actorOf(ctx.principal!) }
}

/** AuditEvent comes from the audit repository, read-only. */
function isAudit(type: string) {
  return type === 'AuditEvent'
}

function refuseAuditWrite(type: string) {
  if (isAudit(type)) {
    throw FhirError.methodNotAllowed('AuditEvent is read-only: audit records arrive over ATNA')
  }
}

/**
 * FHIR R4 type and instance interactions. Writes are audited by the save
 * pipeline whatever their entry point; reads and searches here.
 * @see https://hl7.org/fhir/R4/http.html
 */
@inject()
export default class ResourcesController {
  constructor(
    protected repository: ClinicalRepository,
    protected bundles: FhirBundles,
    protected audit: AuditTrail
  ) {}

  @inject()
  async read(ctx: HttpContext, auditEvents: FhirAuditEvents) {
    const type = resourceTypeParam(ctx.params.type)
    if (isAudit(type)) {
      return sendJsonText(ctx, JSON.stringify(await auditEvents.read(ctx.params.id)))
    }
    const resource = await this.repository.read(type, ctx.params.id)
    await this.#auditRead(ctx, type, ctx.params.id, resource.content)
    sendResource(ctx, resource)
  }

  async vread(ctx: HttpContext) {
    const { type, id, versionId } = ctx.params
    const resourceType = resourceTypeParam(type)
    refuseAuditWrite(resourceType)
    const resource = await this.repository.vread(resourceType, id, Number(versionId))
    await this.#auditRead(ctx, resourceType, id, resource.content)
    sendResource(ctx, resource)
  }

  @inject()
  async search(ctx: HttpContext, auditEvents: FhirAuditEvents) {
    const type = resourceTypeParam(ctx.params.type)
    if (isAudit(type)) {
      return sendJsonText(ctx, JSON.stringify(await auditEvents.search(ctx, searchParameters(ctx))))
    }
    const parameters = searchParameters(ctx)
    const query = parseSearchQuery(type, parameters)
    const page = await this.repository.search(query)
    await this.audit.query({
      principal: ctx.principal!,
      resourceType: type,
      query: parameters.toString(),
      patientId: patientParameter(type, parameters),
      origin: originOf(ctx),
    })
    sendJsonText(ctx, this.bundles.searchset(ctx, query, page))
  }

  async create(ctx: HttpContext) {
    const type = resourceTypeParam(ctx.params.type)
    refuseAuditWrite(type)
    const ifNoneExist = ctx.request.header('if-none-exist')
    const body = fhirBody(ctx)
    const outcome = await this.repository.create(type, body, { ...writer(ctx), ifNoneExist })
    sendCreated(ctx, outcome.resource, outcome.created)
  }

  async update(ctx: HttpContext) {
    const type = resourceTypeParam(ctx.params.type)
    refuseAuditWrite(type)
    const options = { ...writer(ctx), ifMatch: ifMatchVersion(ctx) }
    const outcome = await this.repository.update(type, ctx.params.id, fhirBody(ctx), options)
    sendCreated(ctx, outcome.resource, outcome.created)
  }

  async destroy(ctx: HttpContext) {
    const type = resourceTypeParam(ctx.params.type)
    refuseAuditWrite(type)
    await this.repository.delete(type, ctx.params.id, writer(ctx))
    ctx.response.noContent()
  }

  async history(ctx: HttpContext) {
    const type = resourceTypeParam(ctx.params.type)
    refuseAuditWrite(type)
    const page = this.bundles.historyPage(ctx)
    const history = await this.repository.history(type, ctx.params.id, page)
    await this.audit.query({
      principal: ctx.principal!,
      resourceType: type,
      query: `_history${ctx.params.id ? ` of ${type}/${ctx.params.id}` : ''}`,
      patientId: type === 'Patient' ? ctx.params.id : null,
      origin: originOf(ctx),
    })
    sendJsonText(ctx, this.bundles.history(ctx, history, page))
  }

  async #auditRead(ctx: HttpContext, type: string, id: string, content: string) {
    await this.audit.patientRecord({
      principal: ctx.principal!,
      action: 'read',
      reference: `${type}/${id}`,
      patientId: patientOf(JSON.parse(content)) ?? null,
      origin: originOf(ctx),
    })
  }
}

/** The patient a search is restricted to, when it names one. */
function patientParameter(type: string, parameters: URLSearchParams): string | null {
  const value =
    (type === 'Patient' ? parameters.get('_id') : null) ??
    parameters.get('patient') ??
    parameters.get('subject')
  return value ? value.replace(/^Patient\//, '') : null
}
