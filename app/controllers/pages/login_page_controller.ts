import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { AccessError } from '#identity/access_error'
import { AuditTrail, originOf } from '#services/audit_trail'
import { IcdrClient } from '#services/icdr_client'
import { LoginService } from '#services/login_service'
import { homeRouteFor } from '#services/navigation'
import { startLoggedInSession } from '#services/session_login'
import { loginValidator } from '#validators/identity'
import { routeUrl } from '#services/page_urls'
import type { Principal } from '#identity/principal'
import type outpostConfig from '#config/outpost'

/** The login page: online through the iCDR, or offline from this device's cache on an edge. */
export default class LoginPageController {
  home({ principal, response, view }: HttpContext) {
    if (!principal) {
      return response.redirect().toPath(routeUrl('pages.login'))
    }
    const home = homeOf(principal)
    return home ? response.redirect().toPath(home) : view.render('pages/home')
  }

  @inject()
  async create({ view }: HttpContext, icdr: IcdrClient) {
    /* A device shell that knows no iCDR yet is set up first (start/routes/setup.ts). */
    const { profile } = app.config.get<typeof outpostConfig>('outpost')
    const needsSetup = profile.shellSecret && !(await icdr.isConfigured())
    return view.render('pages/auth/login', { needsSetup })
  }

  @inject()
  async store(ctx: HttpContext, logins: LoginService) {
    const { username, password } = await ctx.request.validateUsing(loginValidator)
    try {
      const principal = await logins.login(username, password, originOf(ctx))
      await startLoggedInSession(ctx, principal, { username, password })
      ctx.session.flash('success', ctx.i18n.t(`common.login.mode.${principal.loginMode}`))
      return ctx.response.redirect().toIntended(homeOf(principal) ?? routeUrl('pages.home'))
    } catch (error) {
      if (!(error instanceof AccessError)) {
        throw error
      }
      ctx.session.flashOnly(['username'])
      ctx.session.flash('error', ctx.i18n.t(`common.login.errors.${error.code}`, {}, error.message))
      return ctx.response.redirect().toPath(routeUrl('pages.login'))
    }
  }

  @inject()
  async destroy(ctx: HttpContext, audit: AuditTrail) {
    await audit.logout({ username: ctx.principal!.id, origin: originOf(ctx) })
    ctx.session.clear()
    ctx.session.regenerate()
    ctx.session.flash('success', ctx.i18n.t('common.login.logged_out'))
    return ctx.response.redirect().toPath(routeUrl('pages.login'))
  }
}

/** The first page the person may open on this node, if any. */
function homeOf(principal: Principal) {
  const { role } = app.config.get<typeof outpostConfig>('outpost')
  const home = homeRouteFor(role, principal)
  return home ? routeUrl(home) : undefined
}
