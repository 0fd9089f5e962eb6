import type { ApplicationService } from '@adonisjs/core/types'
import { ChartSignals, LocalChartSignals } from '#services/chart_signals'
import { ClinicalRepository } from '#services/clinical_repository'
import { ConnectivityService } from '#services/connectivity_service'
import { IcdrClient } from '#services/icdr_client'
import type outpostConfig from '#config/outpost'

/**
 * The server-rendered pages (DESIGN.md section 8): one connectivity probe
 * per process behind the online/offline badge, where a chart's due list and
 * alerts come from on this role, and the portal's clinical data (the iCDR).
 */
export default class PagesProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    this.app.container.singleton(
      ConnectivityService,
      async (resolver) => new ConnectivityService(await resolver.make(IcdrClient))
    )
    if (profile.store !== 'none') {
      this.app.container.bind(ChartSignals, (resolver) => resolver.make(LocalChartSignals))
      return
    }
    /* The portal keeps nothing: the iCDR answers, as the person logged in. */
    this.app.container.bind(ClinicalRepository, async (resolver) => {
      const { IcdrClinicalRepository } = await import('#services/icdr_clinical_repository')
      return resolver.make(IcdrClinicalRepository)
    })
    this.app.container.bind(ChartSignals, async (resolver) => {
      const { IcdrChartSignals } = await import('#services/icdr_chart_signals')
      return resolver.make(IcdrChartSignals)
    })
  }
}
