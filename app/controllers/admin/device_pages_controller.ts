import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminBackend } from '#services/admin_backend'
import { originOf } from '#services/audit_trail'
import { durationText } from '#services/dashboard_charts'
import { EnrolmentError } from '#services/device_service'
import { EDGE_ROLES } from '#validators/devices'
import { deviceFormValidator } from '#validators/admin_pages'
import { routeUrl } from '#services/page_urls'

/** Devices: created with a one-time enrolment code, listed with what they run and how far behind. */
@inject()
export default class DevicePagesController {
  constructor(protected admin: AdminBackend) {}

  async index({ view, session, i18n }: HttpContext) {
    const devices = await this.admin.devices()
    const created = session.flashMessages.get('enrolment') ?? null
    const lagText = durationText(i18n)
    return view.render('pages/admin/devices', { devices, created, roles: EDGE_ROLES, lagText })
  }

  /** The code is shown once, on the page the creation leads to, and never stored readable. */
  async store(ctx: HttpContext) {
    const device = await ctx.request.validateUsing(deviceFormValidator)
    try {
      const actor = { principal: ctx.principal!, origin: originOf(ctx) }
      ctx.session.flash('enrolment', await this.admin.createDevice(device, actor))
    } catch (error) {
      if (!(error instanceof EnrolmentError)) {
        throw error
      }
      ctx.session.flashAll()
      ctx.session.flash('inputErrorsBag', {
        name: [ctx.i18n.t('admin.devices.exists', { name: device.name })],
      })
    }
    return ctx.response.redirect().toPath(routeUrl('admin.devices.index'))
  }

  async revoke(ctx: HttpContext) {
    const { name } = ctx.params
    const actor = { principal: ctx.principal!, origin: originOf(ctx) }
    const done = await this.admin.revokeDevice(name, actor)
    ctx.session.flash(
      done ? 'success' : 'error',
      ctx.i18n.t(done ? 'admin.devices.revoked' : 'admin.devices.not_found', { name })
    )
    return ctx.response.redirect().toPath(routeUrl('admin.devices.index'))
  }
}
