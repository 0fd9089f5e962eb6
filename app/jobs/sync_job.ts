import { inject } from '@adonisjs/core'
import { BaseJob } from '#queue/base_job'
import { IcdrClient, IcdrUnreachableError } from '#services/icdr_client'
import { SyncBusyError, SyncRunner } from '#sync/sync_runner'

/**
 * An edge's scheduled sync (DESIGN.md section 5). Skipped while the backoff
 * after a failure lasts, or while a sync asked for by a person runs; an
 * unreachable iCDR is the normal offline case, recorded in the status, not
 * a job failure.
 */
@inject()
export default class SyncJob extends BaseJob<Record<string, never>> {
  static queue = 'sync'
  static attempts = 1

  constructor(
    protected runner: SyncRunner,
    protected icdr: IcdrClient
  ) {
    super()
  }

  async handle() {
    if (!(await this.icdr.isConfigured())) {
      return { skipped: 'this node knows no iCDR: enrol it (node ace edge:enroll) or set ICDR_URL' }
    }
    if (!(await this.runner.due())) {
      return { skipped: 'waiting: the iCDR could not be reached at the last attempt' }
    }
    try {
      return await this.runner.run()
    } catch (error) {
      if (error instanceof IcdrUnreachableError || error instanceof SyncBusyError) {
        return { skipped: error.message }
      }
      throw error
    }
  }
}
