import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ChartService } from '#services/chart_service'

export default class ChartsController {
  /** The due list of a patient's chart: proposals computed now by the CDS packs. */
  @inject()
  async due({ params }: HttpContext, charts: ChartService) {
    return charts.dueList(params.id)
  }
}
