import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Sync (DESIGN.md section 5, docs/sync.md).
 *
 * Versions learn their Patient compartment and whether rules derived them,
 * so a pull filters by subscription and leaves out what every node derives
 * itself. `sync_patient_facilities` is each patient's current facility and
 * `sync_scope_log` every move, so a patient who moves appears, with their
 * record, at the new facility. On the iCDR: per-item push receipts (the
 * idempotency keys) and the conflict queue. On an edge: the outbox, written
 * in the same transaction as each local change, and the same conflict table
 * for its own conflicts.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('fhir_resource_versions', (table) => {
      table.string('patient_id', 64).nullable()
      table.boolean('derived').notNullable().defaultTo(false)
      table.index(['patient_id', 'seq'])
    })
    this.schema.alterTable('fhir_resources', (table) => {
      table.boolean('derived').notNullable().defaultTo(false)
    })

    this.schema.createTable('sync_patient_facilities', (table) => {
      this.#binary(table)
      table.string('patient_id', 64).primary()
      table.string('facility_id', 64).nullable()
      table.bigInteger('seq').notNullable()
      table.index(['facility_id'])
    })

    this.schema.createTable('sync_scope_log', (table) => {
      this.#binary(table)
      table.bigIncrements('id')
      table.bigInteger('seq').notNullable()
      table.string('patient_id', 64).notNullable()
      table.string('facility_id', 64).nullable()
      table.string('previous_facility_id', 64).nullable()
      table.index(['seq'])
    })

    this.schema.createTable('sync_receipts', (table) => {
      this.#binary(table)
      table.string('device_name', 100).notNullable()
      table.string('item_key', 64).notNullable()
      table.text('answer').notNullable()
      table.bigInteger('created_at').notNullable()
      table.primary(['device_name', 'item_key'])
    })

    this.schema.createTable('sync_conflicts', (table) => {
      this.#binary(table)
      table.increments('id')
      /** iCDR: the device that pushed; edge: this node. */
      table.string('device_name', 100).notNullable()
      /** Edge only: the id of the same conflict in the iCDR's queue. */
      table.integer('remote_id').nullable()
      table.string('resource_type', 64).notNullable()
      table.string('resource_id', 64).notNullable()
      table.string('item_key', 64).notNullable()
      table.integer('base_version').notNullable()
      table.integer('server_version').notNullable()
      /** The pushed version ("mine"); null for a delete. */
      table.text('mine', 'longtext').nullable()
      /** The iCDR's version at the time ("theirs"); null when it was deleted. */
      table.text('theirs', 'longtext').nullable()
      table.string('status', 16).notNullable()
      table.string('resolution', 16).nullable()
      table.string('resolved_by', 200).nullable()
      table.bigInteger('resolved_at').nullable()
      /** Edge: a resolution decided here, not yet told to the iCDR. */
      table.boolean('resolution_pending').notNullable().defaultTo(false)
      table.bigInteger('created_at').notNullable()
      table.index(['status', 'device_name'])
      table.index(['resource_type', 'resource_id'])
    })

    this.schema.createTable('sync_outbox', (table) => {
      this.#binary(table)
      table.increments('id')
      table.string('item_key', 64).notNullable().unique()
      table.string('resource_type', 64).notNullable()
      table.string('resource_id', 64).notNullable()
      table.string('method', 16).notNullable()
      /** The iCDR version this change was made on (0: a new resource). */
      table.integer('base_version').notNullable()
      /** Null for a delete. */
      table.text('content', 'longtext').nullable()
      /** pending, conflict, rejected. */
      table.string('state', 16).notNullable()
      table.text('issues').nullable()
      /** The conflict (sync_conflicts.id) this change resolves, if any. */
      table.integer('resolves').nullable()
      table.string('resolution', 16).nullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.bigInteger('created_at').notNullable()
      table.index(['resource_type', 'resource_id'])
      table.index(['state'])
    })

    /** Edge: one row, the last sync's outcome and progress (JSON). */
    this.schema.createTable('sync_status', (table) => {
      table.integer('id').primary()
      table.text('state').notNullable()
      table.bigInteger('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('sync_status')
    this.schema.dropTable('sync_outbox')
    this.schema.dropTable('sync_conflicts')
    this.schema.dropTable('sync_receipts')
    this.schema.dropTable('sync_scope_log')
    this.schema.dropTable('sync_patient_facilities')
    this.schema.alterTable('fhir_resources', (table) => {
      table.dropColumn('derived')
    })
    this.schema.alterTable('fhir_resource_versions', (table) => {
      table.dropIndex(['patient_id', 'seq'])
      table.dropColumn('derived')
      table.dropColumn('patient_id')
    })
  }

  #binary(table: { collate(collation: string): void }) {
    if (this.db.dialect.name === 'mysql') {
      table.collate('utf8mb4_bin')
    }
  }
}
