import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { originOf } from '#services/audit_trail'
import { OtaReleaseService } from '#services/ota_release_service'
import { releaseValidator, rolloutValidator } from '#validators/ota'

/** Releasing pack versions to channels, whole or staged, and taking them back. */
@inject()
export default class ReleasesController {
  constructor(protected releases: OtaReleaseService) {}

  async store(ctx: HttpContext) {
    const { packId, version, ...rollout } = await ctx.request.validateUsing(releaseValidator)
    const entry = await this.releases.release(
      ctx.params.channel,
      packId,
      version,
      rollout,
      actor(ctx)
    )
    return ctx.response.created(entry)
  }

  async rollout(ctx: HttpContext) {
    const request = await ctx.request.validateUsing(rolloutValidator)
    return this.releases.updateRollout(ctx.params.channel, ctx.params.packId, request, actor(ctx))
  }

  pause(ctx: HttpContext) {
    return this.releases.pause(ctx.params.channel, ctx.params.packId, actor(ctx))
  }

  resume(ctx: HttpContext) {
    return this.releases.resume(ctx.params.channel, ctx.params.packId, actor(ctx))
  }

  revert(ctx: HttpContext) {
    return this.releases.revert(ctx.params.channel, ctx.params.packId, actor(ctx))
  }
}

function actor(ctx: HttpContext) {
  return { principal: ctx.principal!, origin: originOf(ctx) }
}
