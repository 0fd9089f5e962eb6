import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The ledger of processed jobs: one row per (queue, job id), written in the
 * same transaction as the job's effects, which makes redelivered jobs no-ops.
 */
export default class extends BaseSchema {
  protected tableName = 'job_runs'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.string('queue', 100).notNullable()
      table.string('job_id', 191).notNullable()
      table.text('summary').nullable()
      table.bigInteger('finished_at').notNullable()
      table.unique(['queue', 'job_id'])
      table.index(['finished_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
