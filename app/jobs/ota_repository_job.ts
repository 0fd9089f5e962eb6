import { inject } from '@adonisjs/core'
import { BaseJob } from '#queue/base_job'
import { OtaReleaseService } from '#services/ota_release_service'
import { OtaRepositoryService } from '#services/ota_repository_service'

/**
 * Keeps the iCDR's TUF repository usable (DESIGN.md section 4): re-signs the timestamp
 * before it expires, since edges refuse an expired one (a freeze attack looks the
 * same), and signs and releases any active pack the repository does not list yet.
 */
@inject()
export default class OtaRepositoryJob extends BaseJob<Record<string, never>> {
  static queue = 'ota-repository'
  static attempts = 3

  constructor(
    protected repository: OtaRepositoryService,
    protected releases: OtaReleaseService
  ) {
    super()
  }

  async handle() {
    if (!(await this.repository.isReady())) {
      return { skipped: 'no TUF repository: run `node ace ota:keys`' }
    }
    const timestamp = await this.repository.refreshTimestampIfDue()
    const reconciled = await this.releases.reconcile()
    return { timestamp: { ...timestamp, expires: timestamp.expires.toISOString() }, ...reconciled }
  }
}
