import { inject } from '@adonisjs/core'
import { BaseJob } from '#queue/base_job'
import { CredentialSyncService } from '#services/credential_sync_service'
import { IcdrClient, IcdrUnreachableError } from '#services/icdr_client'

/**
 * An edge's identity sync with the iCDR: stale offline credentials dropped,
 * offline security events reported. While the iCDR is unreachable it waits
 * for the next run; nothing is lost.
 */
@inject()
export default class CredentialSyncJob extends BaseJob<Record<string, never>> {
  static queue = 'credential-sync'
  static attempts = 1

  constructor(
    protected credentials: CredentialSyncService,
    protected icdr: IcdrClient
  ) {
    super()
  }

  async handle() {
    if (!(await this.icdr.isConfigured())) {
      return { skipped: 'this node knows no iCDR: enrol it (node ace edge:enroll) or set ICDR_URL' }
    }
    try {
      return await this.credentials.run()
    } catch (error) {
      if (error instanceof IcdrUnreachableError) {
        return { skipped: error.message }
      }
      throw error
    }
  }
}
