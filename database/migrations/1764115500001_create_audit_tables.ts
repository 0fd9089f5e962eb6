import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * ATNA audit (DESIGN.md section 6). `audit_spool` holds records in the order
 * they happened until the audit repository has them; `audit_events` is the
 * iCDR's own audit repository, searchable by user, patient, event and time.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('audit_spool', (table) => {
      table.bigIncrements('id')
      /** The RFC 5424 syslog message, ready to frame. */
      table.text('message', 'mediumtext').notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.text('last_error').nullable()
      table.bigInteger('created_at').notNullable()
    })

    this.schema.createTable('audit_events', (table) => {
      table.bigIncrements('id')
      table.string('uuid', 64).notNullable().unique()
      table.string('kind', 32).notNullable()
      table.string('action', 1).notNullable()
      table.integer('outcome').notNullable()
      table.bigInteger('recorded_at').notNullable()
      table.string('user_id', 200).nullable()
      table.string('patient_id', 64).nullable()
      table.string('source_id', 200).notNullable()
      /** Who sent it: this node, or the remote address of a syslog sender. */
      table.string('received_from', 200).notNullable()
      table.text('record', 'mediumtext').notNullable()
      table.index(['recorded_at'])
      table.index(['user_id', 'recorded_at'])
      table.index(['patient_id', 'recorded_at'])
      table.index(['kind', 'recorded_at'])
    })
  }

  async down() {
    this.schema.dropTable('audit_events')
    this.schema.dropTable('audit_spool')
  }
}
