import type { ApplicationService } from '@adonisjs/core/types'
import type { Logger } from '@adonisjs/core/logger'
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
import { AuditSink, AuditTrail } from '#services/audit_trail'
import { Directory } from '#services/directory'
import { IcdrClient } from '#services/icdr_client'
import { patientOf } from '#rules_engine/fact_source'
import { outboxHook } from '#sync/sync_outbox'
import type { AuditReceiver } from '#services/audit_receiver'
import type { Hl7Listener } from '#services/hl7_listener'
import type outpostConfig from '#config/outpost'
import type identityConfig from '#config/identity'
import type queueConfig from '#config/queue'

/**
 * Binds this node's implementations of the abstract services for its role
 * (DESIGN.md section 1), and starts the role's background work when the node
 * serves HTTP.
 */
export default class RoleProvider {
  /** The queue, once something asked for it (a health check opens a Redis probe too). */
  #queue?: JobQueue
  #auditReceiver?: AuditReceiver
  #hl7Listener?: Hl7Listener

  constructor(protected app: ApplicationService) {}

  register() {
    this.#registerClinicalStore()
    this.#registerIdentity()
    this.app.container.singleton(JobQueue, async (resolver) => {
      const settings = this.app.config.get<typeof queueConfig>('queue')
      const logger = await resolver.make('logger')
      const runner = new JobRunner(this.app.container)
      this.#queue = this.#makeQueue(settings, runner, logger, await resolver.make(Database))
      return this.#queue
    })
  }

  /**
   * Nodes with a local store read and write FHIR resources through the save
   * pipeline. The validator indexes the R4 definitions once per process.
   */
  #registerClinicalStore() {
    const { profile } = this.app.config.get<typeof outpostConfig>('outpost')
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

  #makeQueue(
    settings: typeof queueConfig,
    runner: JobRunner,
    logger: Logger,
    db: Database
  ): JobQueue {
    switch (settings.driver) {
      case 'bullmq':
        return new BullMqQueue(settings.bullmq, runner, logger)
      case 'outbox':
        return new OutboxQueue(db, runner, logger, settings.outbox)
      case 'inline':
        return new InlineQueue(runner, logger)
      default:
        throw new Error(`Unknown queue driver ${settings.driver satisfies never}`)
    }
  }

  /**
   * Where audit records go (the iCDR's own repository, an edge's spool), the
   * iCDR's user directory when LDAP is configured, and the client edges and
   * the portal use to reach the iCDR.
   */
  #registerIdentity() {
    const { role } = this.app.config.get<typeof outpostConfig>('outpost')
    const { ldap } = this.app.config.get<typeof identityConfig>('identity')
    this.app.container.singleton(IcdrClient, () => new IcdrClient())
    this.app.container.bind(AuditSink, async (resolver) => {
      const sinks = await import('#services/audit_sinks')
      switch (role) {
        case 'icdr':
          return resolver.make(sinks.RepositoryAuditSink)
        case 'portal':
          return resolver.make(sinks.ForwardingAuditSink)
        default:
          return resolver.make(sinks.SpoolAuditSink)
      }
    })
    if (ldap) {
      this.app.container.singleton(Directory, async () => {
        const { LdapUserDirectory } = await import('#services/ldap_user_directory')
        return new LdapUserDirectory(ldap)
      })
    }
    this.app.container.singleton(SaveHooks, () => {
      const hooks = new SaveHooks()
      hooks.register('audit', {
        name: 'atna',
        handle: async (context) => {
          if (context.replica) {
            return
          }
          const audit = await this.app.container.make(AuditTrail)
          await audit.patientRecord(
            {
              principal: context.principal,
              action: context.method,
              reference: `${context.type}/${context.id}`,
              patientId: patientOf(context.resource),
              origin: {},
            },
            context.trx
          )
        },
      })
      if (this.app.config.get<typeof outpostConfig>('outpost').profile.queue === 'outbox') {
        hooks.register('afterSave', outboxHook)
      }
      return hooks
    })
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
    await queue.start(jobs)
    const { role } = this.app.config.get<typeof outpostConfig>('outpost')
    for (const { job, roles, ...schedule } of schedules) {
      if (!roles || roles.includes(role)) {
        await queue.schedule(job, schedule)
      }
    }
    const { Hl7Listener } = await import('#services/hl7_listener')
    this.#hl7Listener = new Hl7Listener(await this.app.container.make('logger'))
    await this.#hl7Listener.start()
    if (role === 'icdr') {
      const { AuditReceiver } = await import('#services/audit_receiver')
      this.#auditReceiver = new AuditReceiver(await this.app.container.make('logger'))
      await this.#auditReceiver.start()
    }
  }

  async shutdown() {
    await this.#hl7Listener?.stop()
    await this.#auditReceiver?.stop()
    await this.#queue?.stop()
  }
}
