import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminBackend } from '#services/admin_backend'
import { originOf } from '#services/audit_trail'
import { backToForm, FormRejection } from '#services/form_rejection'
import { USER_ROLES, UserAccountError } from '#services/user_service'
import { newUserValidator } from '#validators/identity'
import { routeUrl } from '#services/page_urls'

/** Where the service's refusals are shown on the user form. */
const FIELD_OF: Record<string, string> = {
  E_PASSWORD_REQUIRED: 'password',
  E_DIRECTORY_USER: 'username',
}

/** Users and their roles: list, create or change (the password only when one is typed), deactivate. */
@inject()
export default class UserPagesController {
  constructor(protected admin: AdminBackend) {}

  async index({ view }: HttpContext) {
    const users = await this.admin.users()
    return view.render('pages/admin/users', { users, roles: Object.keys(USER_ROLES) })
  }

  async store(ctx: HttpContext) {
    const user = await ctx.request.validateUsing(newUserValidator)
    try {
      await this.admin.saveUser(user, { principal: ctx.principal!, origin: originOf(ctx) })
    } catch (error) {
      const field = error instanceof UserAccountError && FIELD_OF[error.code]
      return backToForm(
        ctx,
        field ? new FormRejection({ [field]: [error.message] }, []) : error,
        'admin.users.index'
      )
    }
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
