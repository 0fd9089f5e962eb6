import type { Container } from '@adonisjs/core/container'
import type { BaseJob, JobClass, JobContext } from '#queue/base_job'

/**
 * Resolves a job's processor through the container and runs it. Shared by
 * every driver so that a job behaves the same on BullMQ, inline and outbox.
 */
export class JobRunner {
  #jobs = new Map<string, JobClass>()

  constructor(protected container: Container<any>) {}

  register(jobs: JobClass[]) {
    for (const job of jobs) {
      this.#jobs.set(job.queue, job)
    }
  }

  find(queue: string): JobClass {
    const job = this.#jobs.get(queue)
    if (!job) {
      throw new Error(`No job processes the "${queue}" queue in this process`)
    }
    return job
  }

  async run(queue: string, payload: unknown, context: JobContext): Promise<unknown> {
    const processor = (await this.container.make(this.find(queue) as any)) as BaseJob<unknown>
    return processor.handle(payload, context)
  }
}
