import type { HttpContext } from '@adonisjs/core/http'
import { FhirError } from '#interop/fhir/fhir_error'
import { parseFhirJson } from '#interop/fhir/fhir_json'
import { isSearchableType } from '#interop/fhir/search_parameters'
import type { ParsedBody, StoredResource } from '#services/clinical_repository'

export const FHIR_JSON = 'application/fhir+json; charset=utf-8'

const JSON_TYPES = ['application/fhir+json', 'application/json', 'text/plain']

/**
 * The HTTP side of the FHIR API: bodies, content types, ETags and URLs. Kept
 * apart from the controllers so that they stay a few lines each.
 * @see https://hl7.org/fhir/R4/http.html
 */
export function resourceTypeParam(type: string): string {
  if (!isSearchableType(type)) {
    throw new FhirError('E_FHIR_NOT_FOUND', [
      {
        severity: 'error',
        code: 'not-supported',
        diagnostics: `This server does not serve the resource type "${type}"`,
      },
    ])
  }
  return type
}

export function fhirBody({ request }: HttpContext): ParsedBody {
  const contentType = (request.header('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (!JSON_TYPES.includes(contentType)) {
    throw FhirError.unsupportedMediaType(contentType || 'none')
  }
  const text = request.raw()
  if (!text) {
    throw FhirError.badRequest('The request has no body')
  }
  return parseFhirJson(text)
}

export function baseUrl({ request }: HttpContext): string {
  return `${request.protocol()}://${request.host()}/fhir`
}

/** `If-Match: W/"3"` -> 3. @see https://hl7.org/fhir/R4/http.html#concurrency */
export function ifMatchVersion({ request }: HttpContext): number | undefined {
  const header = request.header('if-match')
  if (header === undefined) {
    return undefined
  }
  const version = header.match(/^\s*(?:W\/)?"?(\d+)"?\s*$/)?.[1]
  if (!version) {
    throw FhirError.badRequest(`If-Match must be a version ETag such as W/"3", not ${header}`)
  }
  return Number(version)
}

export function sendResource({ response }: HttpContext, resource: StoredResource, status = 200) {
  response.header('ETag', `W/"${resource.versionId}"`)
  response.header('Last-Modified', new Date(resource.lastUpdated).toUTCString())
  response.header('Content-Type', FHIR_JSON)
  response.status(status).send(resource.content)
}

export function sendCreated(ctx: HttpContext, resource: StoredResource, created: boolean) {
  ctx.response.header(
    'Location',
    `${baseUrl(ctx)}/${resource.type}/${resource.id}/_history/${resource.versionId}`
  )
  sendResource(ctx, resource, created ? 201 : 200)
}

export function sendJsonText({ response }: HttpContext, text: string, status = 200) {
  response.header('Content-Type', FHIR_JSON)
  response.status(status).send(text)
}

/** The query string as sent, repeated parameters kept in order. */
export function searchParameters({ request }: HttpContext): URLSearchParams {
  const parameters = new URLSearchParams(request.parsedUrl.query ?? '')
  if (request.method() === 'POST') {
    for (const [name, value] of new URLSearchParams(request.raw() ?? '')) {
      parameters.append(name, value)
    }
  }
  return parameters
}
