import type { ApplicationService } from '@adonisjs/core/types'
import { Database } from '@adonisjs/lucid/database'
import { JobQueue } from '#queue/job_queue'
import { JobRunner } from '#queue/job_runner'
import { InlineQueue } from '#queue/inline_queue'
import { BullMqQueue } from '#queue/bullmq_queue'
import { OutboxQueue } from '#queue/outbox_queue'
import type outpostConfig from '#config/outpost'
import type queueConfig from '#config/queue'

/**
 * Binds this node's implementations of the abstract services for its role
 * (DESIGN.md section 1), and starts the role's background work when the node
 * serves HTTP.
 */
export default class RoleProvider {
  #startedQueue?: JobQueue

  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(JobQueue, async (resolver) => {
      const settings = this.app.config.get<typeof queueConfig>('queue')
      const logger = await resolver.make('logger')
      const runner = new JobRunner(this.app.container)
      switch (settings.driver) {
        case 'bullmq':
          return new BullMqQueue(settings.bullmq, runner, logger)
        case 'outbox':
          return new OutboxQueue(await resolver.make(Database), runner, logger, settings.outbox)
        case 'inline':
          return new InlineQueue(runner, logger)
        default:
          throw new Error(`Unknown queue driver ${settings.driver satisfies never}`)
      }
    })
  }

  /**
   * Edges bring their SQLite store up to date before serving: nobody runs
   * commands on a clinic tablet after an update.
   */
  async start() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    if (this.app.getEnvironment() !== 'web' || profile.store !== 'sqlite') {
      return
    }
    const { SchemaService } = await import('#services/schema_service')
    const schema = await this.app.container.make(SchemaService)
    await schema.migrate()
  }

  async ready() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    if (this.app.getEnvironment() !== 'web' || profile.store === 'none') {
      return
    }
    const { jobs, schedules } = await import('#start/jobs')
    const queue = await this.app.container.make(JobQueue)
    this.#startedQueue = queue
    await queue.start(jobs)
    for (const { job, ...schedule } of schedules) {
      await queue.schedule(job, schedule)
    }
  }

  async shutdown() {
    await this.#startedQueue?.stop()
  }
}
