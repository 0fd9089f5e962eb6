import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminBackend } from '#services/admin_backend'
import { originOf } from '#services/audit_trail'
import { USER_ROLES } from '#services/user_service'
import { newUserValidator } from '#validators/identity'
import { routeUrl } from '#services/page_urls'

/** Users and their roles: list, create or reset, deactivate. */
@inject()
export default class UserPagesController {
  constructor(protected admin: AdminBackend) {}

  async index({ view }: HttpContext) {
    const users = await this.admin.users()
    return view.render('pages/admin/users', { users, roles: Object.keys(USER_ROLES) })
  }

  async store(ctx: HttpContext) {
    const user = await ctx.request.validateUsing(newUserValidator)
    await this.admin.saveUser(user, { principal: ctx.principal!, origin: originOf(ctx) })
    ctx.session.flash('success', ctx.i18n.t('admin.users.saved', { username: user.username }))
    return ctx.response.redirect().toPath(routeUrl('admin.users.index'))
  }

  async deactivate(ctx: HttpContext) {
    const { username } = ctx.params
    const actor = { principal: ctx.principal!, origin: originOf(ctx) }
    const done = await this.admin.deactivateUser(username, actor)
    ctx.session.flash(
      done ? 'success' : 'error',
      ctx.i18n.t(done ? 'admin.users.deactivated' : 'admin.users.not_found', { username })
    )
    return ctx.response.redirect().toPath(routeUrl('admin.users.index'))
  }
}
