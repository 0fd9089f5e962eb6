import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { FhirError } from '#interop/fhir/fhir_error'
import { ApiClientService, type ApiClient } from '#services/api_client_service'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    apiClient?: ApiClient
  }
}

/**
 * FHIR calls carry the bearer token of a registered client with the `fhir`
 * scope; anything else is refused with a 401 OperationOutcome.
 * @see https://hl7.org/fhir/R4/security.html#http
 */
@inject()
export default class FhirAuthMiddleware {
  constructor(protected clients: ApiClientService) {}

  async handle(ctx: HttpContext, next: NextFn) {
    const token = ctx.request.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1]
    const client = token ? await this.clients.authenticate(token) : null
    if (!client) {
      ctx.response.header('WWW-Authenticate', 'Bearer realm="fhir"')
      throw FhirError.unauthorized('A valid bearer token is required')
    }
    if (!client.scopes.includes('fhir')) {
      throw FhirError.forbidden(`The client "${client.name}" has no access to the FHIR API`)
    }
    ctx.apiClient = client
    return next()
  }
}
