import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Background jobs of a dCDR edge (no Redis there). Times are epoch
 * milliseconds so that ordering and comparisons read the same on SQLite and MySQL.
 */
export default class extends BaseSchema {
  protected tableName = 'job_outbox'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.string('queue', 100).notNullable()
      table.string('job_id', 191).notNullable()
      table.text('payload', 'longtext').notNullable()
      table.string('status', 16).notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.integer('max_attempts').notNullable()
      table.text('last_error').nullable()
      table.bigInteger('available_at').notNullable()
      table.bigInteger('created_at').notNullable()
      table.bigInteger('updated_at').notNullable()
      table.unique(['queue', 'job_id'])
      table.index(['status', 'available_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
