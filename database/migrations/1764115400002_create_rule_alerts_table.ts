import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Alerts rules raised for people to see, and who acknowledged them.
 */
export default class extends BaseSchema {
  protected tableName = 'rule_alerts'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.string('pack_key', 150).notNullable()
      table.string('rule', 100).notNullable()
      table.string('patient_id', 64).nullable()
      table.string('resource_type', 64).notNullable()
      table.string('resource_id', 64).notNullable()
      table.text('message').notNullable()
      table.boolean('requires_ack').notNullable()
      table.string('acknowledged_by', 100).nullable()
      table.bigInteger('acknowledged_at').nullable()
      table.bigInteger('created_at').notNullable()
      table.index(['patient_id', 'acknowledged_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
