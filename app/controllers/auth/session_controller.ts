import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AuditTrail, originOf } from '#services/audit_trail'
import { LoginService } from '#services/login_service'
import { loginValidator } from '#validators/identity'
import { startLoggedInSession } from '#services/session_login'
import type { Principal } from '#identity/principal'

/** Page sessions: log in (online or offline on edges), who am I, log out. */
@inject()
export default class SessionController {
  constructor(protected audit: AuditTrail) {}

  @inject()
  async store(ctx: HttpContext, logins: LoginService) {
    const { username, password } = await ctx.request.validateUsing(loginValidator)
    const principal = await logins.login(username, password, originOf(ctx))
    await startLoggedInSession(ctx, principal, { username, password })
    return describe(principal)
  }

  show({ principal }: HttpContext) {
    return describe(principal!)
  }

  async destroy(ctx: HttpContext) {
    await this.audit.logout({ username: ctx.principal!.id, origin: originOf(ctx) })
    ctx.session.clear()
    ctx.session.regenerate()
    return ctx.response.noContent()
  }
}

function describe(principal: Principal) {
  return {
    username: principal.id,
    name: principal.name,
    roles: principal.roles,
    facilityId: principal.facilityId ?? null,
    mode: principal.loginMode ?? null,
  }
}
