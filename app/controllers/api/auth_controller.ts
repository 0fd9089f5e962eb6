import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AuditTrail, originOf } from '#services/audit_trail'
import { IdentityService } from '#services/identity_service'
import { UserService } from '#services/user_service'
import { loginValidator, securityReportsValidator } from '#validators/identity'

/**
 * The iCDR's identity API: user API tokens, and the services edges call for
 * their users (online login checks, credential changes, offline security
 * reports).
 */
@inject()
export default class AuthController {
  constructor(protected identity: IdentityService) {}

  async tokens(ctx: HttpContext) {
    const { username, password } = await ctx.request.validateUsing(loginValidator)
    const principal = await this.identity.login(username, password, originOf(ctx))
    const token = await this.identity.issueToken(principal.id)
    return ctx.response.created({ ...token, tokenType: 'Bearer', roles: principal.roles })
  }

  async verify(ctx: HttpContext) {
    const { username, password } = await ctx.request.validateUsing(loginValidator)
    const principal = await this.identity.login(username, password, originOf(ctx))
    return this.identity.describeForEdge(principal.id)
  }

  @inject()
  async credentialChanges({ request }: HttpContext, users: UserService) {
    const since = Math.max(0, Number(request.input('since', 0)) || 0)
    return { changes: await users.credentialChanges(since) }
  }

  @inject()
  async securityReports(ctx: HttpContext, audit: AuditTrail) {
    const { reports } = await ctx.request.validateUsing(securityReportsValidator)
    await audit.edgeReports(ctx.principal!, reports, originOf(ctx))
    return { acknowledged: reports.map((report) => report.id) }
  }
}
