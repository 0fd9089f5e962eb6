import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { LocalAdminBackend } from '#services/local_admin_backend'
import { originOf } from '#services/audit_trail'
import { dashboardQueryValidator, rolloutPercentageValidator } from '#validators/admin_pages'

/**
 * What the administration pages show, as JSON: the portal's pages read it here
 * (HttpAdminBackend), since the portal keeps no store of its own.
 */
@inject()
export default class AdminApiController {
  constructor(protected admin: LocalAdminBackend) {}

  devices() {
    return this.admin.devices()
  }

  rollouts() {
    return this.admin.rollouts()
  }

  async dashboard({ request }: HttpContext) {
    const { days = 14 } = await dashboardQueryValidator.validate(request.qs())
    return this.admin.dashboard(days)
  }

  async percentage(ctx: HttpContext) {
    const request = await ctx.request.validateUsing(rolloutPercentageValidator)
    const { channel, packId } = ctx.params
    await this.admin.widenRollout(channel, packId, request, actor(ctx))
    return ctx.response.noContent()
  }

  async change(ctx: HttpContext) {
    const { channel, packId } = ctx.params
    const action = ctx.route!.name!.split('.').at(-1) as 'pause' | 'resume' | 'revert'
    await this.admin.changeRollout(channel, packId, action, actor(ctx))
    return ctx.response.noContent()
  }
}

function actor(ctx: HttpContext) {
  return { principal: ctx.principal!, origin: originOf(ctx) }
}
