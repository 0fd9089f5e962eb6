import { randomUUID } from 'node:crypto'
import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import { Redis } from 'ioredis'
import type { Logger } from '@adonisjs/core/logger'
import type { DispatchOptions, JobClass, Schedule } from '#queue/base_job'
import { JobQueue, type QueueHealth } from '#queue/job_queue'
import type { JobRunner } from '#queue/job_runner'

export interface BullMqSettings {
  connection: { host: string; port: number; password?: string }
  prefix: string
  concurrency: number
}

/**
 * BullMQ on Redis: the iCDR's queues. Any number of iCDR processes may run
 * workers; schedules are BullMQ job schedulers, so each fires once per
 * interval across the fleet.
 */
export class BullMqQueue extends JobQueue {
  readonly driver = 'bullmq' as const
  #queues = new Map<string, Queue>()
  #workers: Worker[] = []
  #probe?: Redis

  constructor(
    protected settings: BullMqSettings,
    protected runner: JobRunner,
    protected logger: Logger
  ) {
    super()
  }

  async dispatch<P>(job: JobClass<P>, payload: P, options: DispatchOptions = {}) {
    const jobId = options.jobId ?? randomUUID()
    await this.#queue(job).add(job.queue, payload, {
      jobId,
      delay: options.delayMs,
      attempts: job.attempts,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    })
    return jobId
  }

  async schedule<P>(job: JobClass<P>, schedule: Schedule<P>) {
    await this.#queue(job).upsertJobScheduler(
      `${job.queue}:every:${schedule.everyMs}`,
      { every: schedule.everyMs },
      { name: job.queue, data: schedule.payload, opts: { attempts: job.attempts } }
    )
  }

  async start(jobs: JobClass[]) {
    this.runner.register(jobs)
    for (const job of jobs) {
      const worker = new Worker(
        job.queue,
        (bullJob) =>
          this.runner.run(job.queue, bullJob.data, {
            jobId: bullJob.id ?? bullJob.name,
            attempt: bullJob.attemptsMade + 1,
            progress: (done, total) => bullJob.updateProgress({ done, total }),
          }),
        {
          connection: this.#connection({ maxRetriesPerRequest: null }),
          prefix: this.settings.prefix,
          concurrency: this.settings.concurrency,
        }
      )
      worker.on('failed', (bullJob, error) => {
        this.logger.error({ err: error, queue: job.queue, jobId: bullJob?.id }, 'job failed')
      })
      worker.on('error', (error) =>
        this.logger.error({ err: error, queue: job.queue }, 'worker error')
      )
      this.#workers.push(worker)
    }
    await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()))
  }

  async stop() {
    await Promise.all(this.#workers.map((worker) => worker.close()))
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()))
    this.#probe?.disconnect()
    this.#workers = []
    this.#queues.clear()
  }

  async health(): Promise<QueueHealth> {
    this.#probe ??= new Redis({
      ...this.settings.connection,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 1000,
      connectTimeout: 1000,
    })
    this.#probe.on('error', () => {})
    try {
      if (this.#probe.status === 'wait') {
        await this.#probe.connect()
      }
      await this.#withTimeout(this.#probe.ping(), 1000)
      return { driver: this.driver, healthy: true, message: 'redis answers' }
    } catch (error) {
      return { driver: this.driver, healthy: false, message: `redis unreachable: ${error.message}` }
    }
  }

  /** The BullMQ queue of a job, opened on first use. */
  queueOf(job: JobClass): Queue {
    return this.#queue(job)
  }

  #queue(job: JobClass): Queue {
    let queue = this.#queues.get(job.queue)
    if (!queue) {
      queue = new Queue(job.queue, {
        connection: this.#connection({}),
        prefix: this.settings.prefix,
      })
      queue.on('error', (error) =>
        this.logger.error({ err: error, queue: job.queue }, 'queue error')
      )
      this.#queues.set(job.queue, queue)
    }
    return queue
  }

  #connection(extra: Partial<ConnectionOptions>): ConnectionOptions {
    return { ...this.settings.connection, ...extra } as ConnectionOptions
  }

  #withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    return Promise.race([
      promise,
      new Promise<T>((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)
      ),
    ])
  }
}
