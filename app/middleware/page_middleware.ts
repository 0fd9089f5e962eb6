import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { holds, PERMISSIONS, type Permission } from '#policies/permissions'
import { ConnectivityService } from '#services/connectivity_service'
import { navigationFor } from '#services/navigation'
import { routeUrl } from '#services/page_urls'
import type outpostConfig from '#config/outpost'

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** Set once the views know who is logged in and the navigation (error pages reuse them). */
    pageLocalsShared?: boolean
  }
}

/**
 * Every page route runs this (`middleware.page()` in start/kernel.ts): it
 * shares with the views who is logged in, the links they may follow, the
 * online/offline state, then lets Shield check the form's CSRF token and set
 * the security headers.
 */
@inject()
export default class PageMiddleware {
  constructor(
    protected shield: ShieldMiddleware,
    protected connectivity: ConnectivityService
  ) {}

  async handle(ctx: HttpContext, next: NextFn) {
    const { role, profile } = app.config.get<typeof outpostConfig>('outpost')
    const principal = ctx.principal
    ctx.view.share({
      i18n: ctx.i18n,
      principal: principal ?? null,
      node: { role, title: profile.title },
      nav: navigationFor(role, principal).map((item) => ({
        ...item,
        url: routeUrl(item.route),
        current: ctx.route?.name === item.route,
      })),
      connectivity: await this.connectivity.current(),
      can: (permission: Permission) =>
        Boolean(principal && holds(principal, PERMISSIONS[permission])),
    })
    ctx.pageLocalsShared = true
    ctx.response.header('Cache-Control', 'no-store')
    return this.shield.handle(ctx, next)
  }
}
