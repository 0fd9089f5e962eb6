import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminBackend, type RolloutAction } from '#services/admin_backend'
import { originOf } from '#services/audit_trail'
import { OtaRequestError } from '#services/ota_request_error'
import { rolloutPercentageValidator } from '#validators/admin_pages'
import { routeUrl } from '#services/page_urls'

/** Channels and rollouts: progress, widening, pause, resume and revert. */
@inject()
export default class RolloutPagesController {
  constructor(protected admin: AdminBackend) {}

  async index({ view }: HttpContext) {
    return view.render('pages/admin/rollouts', { channels: await this.admin.rollouts() })
  }

  async update(ctx: HttpContext) {
    const request = await ctx.request.validateUsing(rolloutPercentageValidator)
    return this.#act(ctx, 'update', (actor) =>
      this.admin.widenRollout(ctx.params.channel, ctx.params.packId, request, actor)
    )
  }

  pause(ctx: HttpContext) {
    return this.#change(ctx, 'pause')
  }

  resume(ctx: HttpContext) {
    return this.#change(ctx, 'resume')
  }

  revert(ctx: HttpContext) {
    return this.#change(ctx, 'revert')
  }

  #change(ctx: HttpContext, action: RolloutAction) {
    return this.#act(ctx, action, (actor) =>
      this.admin.changeRollout(ctx.params.channel, ctx.params.packId, action, actor)
    )
  }

  /** Refusals (nothing to revert, no rollout) come back as a message on the page. */
  async #act(
    ctx: HttpContext,
    action: string,
    change: (actor: Parameters<AdminBackend['changeRollout']>[3]) => Promise<void>
  ) {
    try {
      await change({ principal: ctx.principal!, origin: originOf(ctx) })
      ctx.session.flash('success', ctx.i18n.t(`admin.rollouts.done.${action}`, ctx.params))
    } catch (error) {
      if (!(error instanceof OtaRequestError)) {
        throw error
      }
      ctx.session.flash('error', error.message)
    }
    return ctx.response.redirect().toPath(routeUrl('admin.rollouts.index'))
  }
}
