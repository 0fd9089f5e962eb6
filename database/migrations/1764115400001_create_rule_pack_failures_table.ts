import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Run-time failures of rule packs: a pack that throws is isolated (the save
 * goes on without it) and the failure is kept here for administrators.
 */
export default class extends BaseSchema {
  protected tableName = 'rule_pack_failures'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.string('pack_key', 150).notNullable()
      table.string('event', 16).notNullable()
      table.string('resource_type', 64).notNullable()
      table.string('resource_id', 64).nullable()
      table.text('message').notNullable()
      table.bigInteger('occurred_at').notNullable()
      table.index(['pack_key', 'occurred_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
