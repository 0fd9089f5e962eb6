import { inject } from '@adonisjs/core'
import { BaseJob } from '#queue/base_job'
import { OtaUpdateService } from '#services/ota_update_service'

/**
 * An edge's scheduled update check (docs/ota.md). A refused or failed update is an
 * outcome, recorded and reported to the iCDR, not a job failure: the next check simply
 * starts again, so the job never retries.
 */
@inject()
export default class OtaCheckJob extends BaseJob<Record<string, never>> {
  static queue = 'ota-check'
  static attempts = 1

  constructor(protected updates: OtaUpdateService) {
    super()
  }

  async handle() {
    return this.updates.check()
  }
}
