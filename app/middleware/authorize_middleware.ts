import { inject } from '@adonisjs/core'
import { Bouncer } from '@adonisjs/bouncer'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import * as abilities from '#abilities/main'
import { AccessError } from '#identity/access_error'
import { permissionFor } from '#policies/route_policies'
import { PrincipalResolver } from '#services/principal_resolver'
import type { Principal, SessionLogin } from '#identity/principal'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    principal?: Principal
    bouncer: Bouncer<Principal, typeof abilities>
  }
}

export const SESSION_LOGIN_KEY = 'login'

/**
 * The one policy layer (DESIGN.md section 6): every routed request finds out
 * who it acts for (bearer token, else session) and Bouncer decides whether
 * that principal holds the permission the route's policy names. A route
 * without a policy is refused, never let through.
 */
@inject()
export default class AuthorizeMiddleware {
  constructor(protected resolver: PrincipalResolver) {}

  async handle(ctx: HttpContext, next: NextFn) {
    const routeName = ctx.route?.name
    const permission = permissionFor(routeName, ctx.params)
    ctx.principal = (await this.#principal(ctx)) ?? undefined
    ctx.bouncer = new Bouncer<Principal, typeof abilities>(
      () => ctx.principal ?? null,
      abilities
    ).setContainerResolver(ctx.containerResolver)

    if (permission === undefined) {
      ctx.logger.error({ route: ctx.route?.pattern }, 'route without an access policy refused')
      throw AccessError.noPolicy(routeName ?? ctx.route?.pattern ?? ctx.request.url())
    }
    if (permission === 'public') {
      return next()
    }
    if (!ctx.principal) {
      ctx.response.header('WWW-Authenticate', 'Bearer realm="outpost"')
      throw AccessError.unauthenticated()
    }
    if (await ctx.bouncer.denies(permission)) {
      throw AccessError.forbidden(describe(ctx.principal), permission)
    }
    return next()
  }

  async #principal(ctx: HttpContext): Promise<Principal | null> {
    const authorization = ctx.request.header('authorization')
    if (authorization) {
      const token = authorization.match(/^Bearer\s+(\S+)$/i)?.[1]
      return token ? this.resolver.fromBearer(token) : null
    }
    const login = ctx.session?.get(SESSION_LOGIN_KEY) as SessionLogin | undefined
    return login ? this.resolver.fromSession(login) : null
  }
}

function describe(principal: Principal) {
  return principal.kind === 'user'
    ? `The user "${principal.id}" (${principal.roles.join(', ') || 'no role'})`
    : `The ${principal.kind} "${principal.name}"`
}
