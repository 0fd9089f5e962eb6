import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AdminBackend } from '#services/admin_backend'
import { dashboardCharts } from '#services/dashboard_charts'
import { dashboardQueryValidator } from '#validators/admin_pages'

/** The administrators' landing page: sync lag, rule firings and DQ findings as charts. */
@inject()
export default class DashboardPageController {
  constructor(protected admin: AdminBackend) {}

  async show({ view, request, i18n }: HttpContext) {
    const { days = 14 } = await dashboardQueryValidator.validate(request.qs())
    const figures = await this.admin.dashboard(days)
    const charts = dashboardCharts(figures, i18n)
    return view.render('pages/admin/dashboard', { ...figures, charts, days })
  }
}
