import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The change sequence counter, one row. Writers increment it last in their
 * transaction: the row lock they then hold until commit makes numbers follow
 * commit order (DESIGN.md section 5), and a rolled-back write leaves no gap.
 */
export default class extends BaseSchema {
  protected tableName = 'fhir_change_sequence'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.string('name', 32).primary()
      table.bigInteger('value').notNullable()
    })
    this.defer(async (db) => {
      await db.table(this.tableName).insert({ name: 'changes', value: 0 })
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
