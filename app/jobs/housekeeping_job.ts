import { inject } from '@adonisjs/core'
import { BaseJob, type JobContext } from '#queue/base_job'
import { JobLedger } from '#queue/job_ledger'

export interface HousekeepingPayload {
  /** Ledger rows and finished outbox rows older than this are removed. */
  retentionDays: number
}

export interface HousekeepingSummary {
  jobRunsRemoved: number
  outboxRowsRemoved: number
}

/**
 * Keeps the job bookkeeping tables small: removes ledger rows and finished
 * outbox rows past the retention period. Failed outbox rows are kept for a
 * person to look at.
 */
@inject()
export default class HousekeepingJob extends BaseJob<HousekeepingPayload> {
  static queue = 'housekeeping'
  static attempts = 3

  constructor(protected ledger: JobLedger) {
    super()
  }

  async handle(payload: HousekeepingPayload, context: JobContext) {
    const cutoff = Date.now() - payload.retentionDays * 24 * 3600 * 1000
    const outcome = await this.ledger.once(HousekeepingJob.queue, context.jobId, async (trx) => {
      const jobRunsRemoved = await trx.from('job_runs').where('finished_at', '<', cutoff).delete()
      const outboxRowsRemoved = await trx
        .from('job_outbox')
        .where('status', 'done')
        .where('updated_at', '<', cutoff)
        .delete()
      return {
        jobRunsRemoved: Number(jobRunsRemoved),
        outboxRowsRemoved: Number(outboxRowsRemoved),
      } satisfies HousekeepingSummary
    })
    return outcome.ran ? outcome.result : outcome.summary
  }
}
