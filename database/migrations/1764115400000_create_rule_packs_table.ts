import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Every version of every rule pack this node knows: drafts being written on
 * the iCDR, published (immutable) versions, retired ones kept for provenance.
 */
export default class extends BaseSchema {
  protected tableName = 'rule_packs'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.string('pack_id', 100).notNullable()
      table.string('version', 40).notNullable()
      table.string('kind', 16).notNullable()
      table.string('status', 16).notNullable()
      table.text('content', 'longtext').notNullable()
      table.string('checksum', 64).notNullable()
      table.string('origin', 32).notNullable()
      table.bigInteger('created_at').notNullable()
      table.bigInteger('updated_at').notNullable()
      table.primary(['pack_id', 'version'])
      table.index(['status'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
