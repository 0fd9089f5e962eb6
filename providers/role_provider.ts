import type { ApplicationService } from '@adonisjs/core/types'
import { Database } from '@adonisjs/lucid/database'
import { ResourceValidator } from '#interop/fhir/resource_validator'
import { ClinicalRepository } from '#services/clinical_repository'
import { FhirStore } from '#services/fhir_store'
import { LocalClinicalRepository } from '#services/local_clinical_repository'
import { SaveHooks } from '#services/save_hooks'
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
    this.#registerClinicalStore()
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
   * Nodes with a local store read and write FHIR resources through the save
   * pipeline. The validator indexes the R4 definitions once per process.
   */
  #registerClinicalStore() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    this.app.container.singleton(SaveHooks, () => new SaveHooks())
    this.app.container.singleton(ResourceValidator, () => new ResourceValidator())
    this.app.container.bind(
      FhirStore,
      async (resolver) => new FhirStore(await resolver.make(Database))
    )
    if (profile.store !== 'none') {
      this.app.container.bind(ClinicalRepository, (resolver) =>
        resolver.make(LocalClinicalRepository)
      )
    }
  }

  /**
   * Before serving: the store's schema, then the FHIR definitions index.
   */
  async start() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
    if (this.app.getEnvironment() !== 'web' || profile.store === 'none') {
      return
    }
    /*
     * A SQLite store is a local file: edges and the zero-setup iCDR bring it
     * up to date themselves. A MySQL iCDR migrates during a release
     * (`node ace migration:run --force`), once, not from every process.
     */
    if (this.app.config.get<string>('database.connection') === 'sqlite') {
      const { SchemaService } = await import('#services/schema_service')
      const schema = await this.app.container.make(SchemaService)
      await schema.migrate()
    }
    /*
     * Indexing the R4 definitions takes about a second: done before the
     * first request rather than during it.
     */
    const validator = await this.app.container.make(ResourceValidator)
    validator.load()
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
