import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ChartService } from '#services/chart_service'
import { LocalChartSignals } from '#services/chart_signals'

export default class ChartsController {
  /** The due list of a patient's chart: proposals computed now by the CDS packs. */
  @inject()
  async due({ params }: HttpContext, charts: ChartService) {
    return charts.dueList(params.id)
  }

  /** Alerts waiting for acknowledgement (the portal's charts show them). */
  @inject()
  alerts({ params }: HttpContext, signals: LocalChartSignals) {
    return signals.storedAlerts(params.id)
  }

  @inject()
  async acknowledge({ params, principal, response }: HttpContext, signals: LocalChartSignals) {
    await signals.acknowledge(params.id, params.alertId, principal!.id)
    return response.noContent()
  }
}
