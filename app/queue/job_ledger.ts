import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

export type LedgerOutcome<T> = { ran: true; result: T } | { ran: false; summary: unknown }

/**
 * Exactly-once effects for at-least-once jobs: the ledger row and the job's
 * writes commit in one transaction, so a redelivered job finds its row and
 * does nothing.
 */
@inject()
export class JobLedger {
  constructor(protected db: Database) {}

  async once<T>(
    queue: string,
    jobId: string,
    work: (trx: TransactionClientContract) => Promise<T>
  ): Promise<LedgerOutcome<T>> {
    return this.db.transaction(async (trx) => {
      const done = await trx.from('job_runs').where({ queue, job_id: jobId }).first()
      if (done) {
        return { ran: false, summary: done.summary ? JSON.parse(done.summary) : null }
      }
      const result = await work(trx)
      await trx.table('job_runs').insert({
        queue,
        job_id: jobId,
        summary: JSON.stringify(result ?? null),
        finished_at: Date.now(),
      })
      return { ran: true, result }
    })
  }
}
