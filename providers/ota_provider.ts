import type { ApplicationService } from '@adonisjs/core/types'
import { roleServes } from '#roles/role_profiles'
import { OtaRepositoryService } from '#services/ota_repository_service'
import type otaConfig from '#config/ota'
import type outpostConfig from '#config/outpost'

/**
 * Over-the-air distribution (DESIGN.md section 4). The iCDR holds one repository
 * handle per process (its changes run one at a time) and, when it serves, says plainly
 * when there is no repository yet, or catches up with packs published without one.
 * An edge that checks on a schedule makes its first check soon after it serves.
 */
export default class OtaProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(OtaRepositoryService, () => {
      const settings = this.app.config.get<typeof otaConfig>('ota')
      return new OtaRepositoryService({
        repositoryDir: settings.repositoryDir,
        keysDir: settings.keysDir,
        timestampExpirySeconds: settings.timestampExpirySeconds,
      })
    })
  }

  async ready() {
    if (this.app.getEnvironment() !== 'web') {
      return
    }
    const { role, profile } = this.app.config.get<typeof outpostConfig>('outpost')
    if (roleServes(role, 'ota')) {
      await this.#repository()
    } else if (profile.store === 'sqlite') {
      await this.#firstCheck()
    }
  }

  async #repository() {
    const logger = await this.app.container.make('logger')
    const repository = await this.app.container.make(OtaRepositoryService)
    if (!(await repository.isReady())) {
      logger.warn(
        `No TUF repository in ${repository.settings.repositoryDir}: edges receive no updates. ` +
          'Run `node ace ota:keys` to create the keys and the repository (production: docs/ota.md)'
      )
      return
    }
    const { OtaReleaseService } = await import('#services/ota_release_service')
    const releases = await this.app.container.make(OtaReleaseService)
    releases
      .reconcile()
      .then((summary) => {
        if (summary.signed.length > 0 || summary.released.length > 0) {
          logger.info(summary, 'active rule packs signed and released over the air')
        }
      })
      .catch((error) => logger.error({ err: error }, 'active rule packs not signed for OTA'))
  }

  async #firstCheck() {
    const settings = this.app.config.get<typeof otaConfig>('ota')
    const { OtaUpdateService } = await import('#services/ota_update_service')
    const updates = await this.app.container.make(OtaUpdateService)
    if (settings.checkEveryMs <= 0 || !(await updates.sources())) {
      return
    }
    const { JobQueue } = await import('#queue/job_queue')
    const { default: OtaCheckJob } = await import('#jobs/ota_check_job')
    const queue = await this.app.container.make(JobQueue)
    await queue.dispatch(OtaCheckJob, {}, { jobId: `first-check-${Date.now()}`, delayMs: 2000 })
  }
}
