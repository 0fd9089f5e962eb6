import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { ApiClientService } from '#services/api_client_service'

export interface ApiTokenOptions {
  /** The client needs at least one of these scopes. */
  anyOf: string[]
}

/**
 * API calls carry the bearer token of a registered client holding one of the
 * scopes the route names. The one place that decides who may author and
 * publish rule packs until the identity issue replaces tokens with users.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
@inject()
export default class ApiTokenMiddleware {
  constructor(protected clients: ApiClientService) {}

  async handle(ctx: HttpContext, next: NextFn, options: ApiTokenOptions) {
    const token = ctx.request.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1]
    const client = token ? await this.clients.authenticate(token) : null
    if (!client) {
      ctx.response.header('WWW-Authenticate', 'Bearer realm="api"')
      return ctx.response.unauthorized({
        error: { code: 'E_UNAUTHORIZED', message: 'A valid bearer token is required' },
      })
    }
    if (!options.anyOf.some((scope) => client.scopes.includes(scope))) {
      return ctx.response.forbidden({
        error: {
          code: 'E_FORBIDDEN',
          message: `The client "${client.name}" needs one of the scopes: ${options.anyOf.join(', ')}`,
        },
      })
    }
    ctx.apiClient = client
    return next()
  }
}
