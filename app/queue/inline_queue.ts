import { randomUUID } from 'node:crypto'
import type { Logger } from '@adonisjs/core/logger'
import type { DispatchOptions, JobClass, Schedule } from '#queue/base_job'
import { JobQueue, type QueueHealth } from '#queue/job_queue'
import type { JobRunner } from '#queue/job_runner'

/**
 * Runs jobs in this process, right after the dispatching call returns. For a
 * node without Redis (the sandbox iCDR); nothing survives a restart, so a
 * production iCDR sets REDIS_HOST.
 */
export class InlineQueue extends JobQueue {
  readonly driver = 'inline' as const
  #running = new Set<Promise<unknown>>()
  #timers: NodeJS.Timeout[] = []
  /** Jobs queued or running, by queue and id: a second dispatch with the same id is ignored. */
  #pending = new Set<string>()

  constructor(
    protected runner: JobRunner,
    protected logger: Logger
  ) {
    super()
  }

  async dispatch<P>(job: JobClass<P>, payload: P, options: DispatchOptions = {}) {
    const jobId = options.jobId ?? randomUUID()
    const key = `${job.queue}:${jobId}`
    if (this.#pending.has(key)) {
      return jobId
    }
    this.#pending.add(key)
    const work = this.#delay(options.delayMs ?? 0)
      .then(() => this.#attempt(job, payload, jobId, 1))
      .finally(() => {
        this.#running.delete(work)
        this.#pending.delete(key)
      })
    this.#running.add(work)
    return jobId
  }

  async schedule<P>(job: JobClass<P>, schedule: Schedule<P>) {
    const timer = setInterval(() => {
      void this.dispatch(job, schedule.payload)
    }, schedule.everyMs)
    timer.unref()
    this.#timers.push(timer)
  }

  async start(jobs: JobClass[]) {
    this.runner.register(jobs)
  }

  async stop() {
    this.#timers.forEach((timer) => clearInterval(timer))
    this.#timers = []
    await Promise.allSettled([...this.#running])
  }

  /** Resolves when every job dispatched so far has finished. */
  async drain() {
    while (this.#running.size > 0) {
      await Promise.allSettled([...this.#running])
    }
  }

  async health(): Promise<QueueHealth> {
    return { driver: this.driver, healthy: true, message: `${this.#running.size} job(s) running` }
  }

  async #attempt<P>(job: JobClass<P>, payload: P, jobId: string, attempt: number): Promise<void> {
    try {
      await this.runner.run(job.queue, payload, { jobId, attempt })
    } catch (error) {
      this.logger.error({ err: error, queue: job.queue, jobId, attempt }, 'job failed')
      if (attempt < job.attempts) {
        await this.#delay(Math.min(30_000, 2 ** attempt * 100))
        return this.#attempt(job, payload, jobId, attempt + 1)
      }
    }
  }

  #delay(ms: number) {
    return new Promise<void>((resolve) => setTimeout(resolve, ms))
  }
}
