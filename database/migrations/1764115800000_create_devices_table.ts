import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Device enrolment (DESIGN.md section 5): on the iCDR the devices an
 * administrator created, their one-time codes and device tokens (SHA-256
 * digests only) and the failed attempts that rate-limit guessing; on an edge
 * the credentials it received, its token encrypted with APP_KEY.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('devices', (table) => {
      table.increments('id')
      table.string('name', 100).notNullable().unique()
      table.string('role', 16).notNullable()
      table.text('facility_ids').notNullable()
      table.text('subscription').nullable()
      table.string('code_digest', 64).notNullable().unique()
      table.bigInteger('code_expires_at').notNullable()
      table.bigInteger('code_used_at').nullable()
      table.string('token_digest', 64).nullable().unique()
      table.bigInteger('enrolled_at').nullable()
      table.bigInteger('revoked_at').nullable()
      table.string('created_by', 200).notNullable()
      table.bigInteger('created_at').notNullable()
    })

    this.schema.createTable('enrolment_failures', (table) => {
      table.bigIncrements('id')
      table.string('remote_address', 64).notNullable()
      table.bigInteger('failed_at').notNullable()
      table.index(['remote_address', 'failed_at'])
    })

    /** One row on an enrolled edge. */
    this.schema.createTable('device_enrolment', (table) => {
      table.integer('id').primary()
      table.string('device_name', 100).notNullable()
      table.string('icdr_url', 500).notNullable()
      table.text('token_encrypted').notNullable()
      table.string('role', 16).notNullable()
      table.text('facility_ids').notNullable()
      table.text('subscription').nullable()
      table.bigInteger('enrolled_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('device_enrolment')
    this.schema.dropTable('enrolment_failures')
    this.schema.dropTable('devices')
  }
}
