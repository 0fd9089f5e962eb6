import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ChartSignals } from '#services/chart_signals'
import { ClinicChartService } from '#services/clinic_chart_service'
import { routeUrl } from '#services/page_urls'

/** A patient's chart, and acknowledging the alerts on it. */
export default class ChartsController {
  @inject()
  async show({ params, view }: HttpContext, charts: ClinicChartService) {
    return view.render('pages/clinic/patients/show', await charts.chart(params.id))
  }

  @inject()
  async acknowledge(
    { params, principal, session, i18n, response }: HttpContext,
    signals: ChartSignals
  ) {
    await signals.acknowledge(params.id, params.alertId, principal!.id)
    session.flash('success', i18n.t('clinic.chart.alerts.acknowledged'))
    return response.redirect().toPath(routeUrl('clinic.patients.show', { id: params.id }))
  }
}
