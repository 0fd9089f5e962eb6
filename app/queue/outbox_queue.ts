import { randomUUID } from 'node:crypto'
import type { Database } from '@adonisjs/lucid/database'
import type { Logger } from '@adonisjs/core/logger'
import type { DispatchOptions, JobClass, Schedule } from '#queue/base_job'
import { JobQueue, type QueueHealth } from '#queue/job_queue'
import type { JobRunner } from '#queue/job_runner'

export interface OutboxSettings {
  pollMs: number
  batchSize: number
}

/**
 * Background work on a dCDR edge, which has no Redis: each job is a row of
 * the `job_outbox` table, so it survives a crash or a week offline. A row
 * leaves `pending` only when its processor has finished; after its last
 * attempt it stays `failed`, visible, never deleted.
 */
export class OutboxQueue extends JobQueue {
  readonly driver = 'outbox' as const
  #timers: NodeJS.Timeout[] = []
  #poller?: NodeJS.Timeout
  #tick?: Promise<void>
  #stopped = false

  constructor(
    protected db: Database,
    protected runner: JobRunner,
    protected logger: Logger,
    protected settings: OutboxSettings
  ) {
    super()
  }

  async dispatch<P>(job: JobClass<P>, payload: P, options: DispatchOptions = {}) {
    const jobId = options.jobId ?? randomUUID()
    const now = Date.now()
    await this.db
      .table('job_outbox')
      .insert({
        queue: job.queue,
        job_id: jobId,
        payload: JSON.stringify(payload ?? null),
        status: 'pending',
        attempts: 0,
        max_attempts: job.attempts,
        available_at: now + (options.delayMs ?? 0),
        created_at: now,
        updated_at: now,
      })
      .knexQuery.onConflict(['queue', 'job_id'])
      .ignore()
    return jobId
  }

  async schedule<P>(job: JobClass<P>, schedule: Schedule<P>) {
    const fire = () => {
      const slot = Math.floor(Date.now() / schedule.everyMs)
      void this.dispatch(job, schedule.payload, {
        jobId: `every-${schedule.everyMs}-${slot}`,
      }).catch((error) =>
        this.logger.error({ err: error, queue: job.queue }, 'could not schedule job')
      )
    }
    const timer = setInterval(fire, schedule.everyMs)
    timer.unref()
    this.#timers.push(timer)
  }

  async start(jobs: JobClass[]) {
    this.runner.register(jobs)
    this.#stopped = false
    const loop = async () => {
      this.#tick = this.processDue().catch((error) => {
        this.logger.error({ err: error }, 'job outbox poll failed')
      })
      await this.#tick
      if (!this.#stopped) {
        this.#poller = setTimeout(loop, this.settings.pollMs)
      }
    }
    this.#poller = setTimeout(loop, 0)
  }

  async stop() {
    this.#stopped = true
    clearTimeout(this.#poller)
    this.#timers.forEach((timer) => clearInterval(timer))
    this.#timers = []
    await this.#tick
  }

  /**
   * Process every row that is due now, oldest first. Returns when a batch
   * found nothing left to do.
   */
  async processDue(): Promise<void> {
    while (!this.#stopped) {
      const rows = await this.db
        .from('job_outbox')
        .where('status', 'pending')
        .where('available_at', '<=', Date.now())
        .orderBy('id')
        .limit(this.settings.batchSize)
      if (rows.length === 0) {
        return
      }
      for (const row of rows) {
        await this.#process(row)
      }
    }
  }

  async health(): Promise<QueueHealth> {
    try {
      const counts = await this.db
        .from('job_outbox')
        .select('status')
        .count('* as total')
        .groupBy('status')
      const byStatus = Object.fromEntries(counts.map((row) => [row.status, Number(row.total)]))
      return {
        driver: this.driver,
        healthy: true,
        message: `${byStatus.pending ?? 0} pending, ${byStatus.failed ?? 0} failed`,
      }
    } catch (error) {
      return { driver: this.driver, healthy: false, message: `outbox unreadable: ${error.message}` }
    }
  }

  async #process(row: any) {
    const attempt = Number(row.attempts) + 1
    try {
      await this.runner.run(row.queue, JSON.parse(row.payload), { jobId: row.job_id, attempt })
      await this.#update(row.id, { status: 'done', attempts: attempt, last_error: null })
    } catch (error) {
      const exhausted = attempt >= Number(row.max_attempts)
      this.logger.error({ err: error, queue: row.queue, jobId: row.job_id, attempt }, 'job failed')
      await this.#update(row.id, {
        status: exhausted ? 'failed' : 'pending',
        attempts: attempt,
        last_error: String(error.message).slice(0, 2000),
        available_at: Date.now() + Math.min(3_600_000, 2 ** attempt * 1000),
      })
    }
  }

  #update(id: number, values: Record<string, unknown>) {
    return this.db
      .from('job_outbox')
      .where('id', id)
      .update({ ...values, updated_at: Date.now() })
  }
}
