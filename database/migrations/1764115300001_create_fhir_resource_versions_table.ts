import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Every version of every FHIR resource, for vread, history and sync pulls.
 * `seq` is the iCDR's change sequence (DESIGN.md section 5): unique, and
 * allocated in commit order, so a pull reads `where seq > checkpoint order by seq`.
 */
export default class extends BaseSchema {
  protected tableName = 'fhir_resource_versions'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      if (this.db.dialect.name === 'mysql') {
        table.collate('utf8mb4_bin')
      }
      table.string('resource_type', 64).notNullable()
      table.string('id', 64).notNullable()
      table.integer('version_id').notNullable()
      /** Null for a delete. */
      table.text('content', 'longtext').nullable()
      table.boolean('deleted').notNullable().defaultTo(false)
      table.string('method', 16).notNullable()
      table.bigInteger('last_updated').notNullable()
      table.bigInteger('seq').notNullable().unique()
      table.primary(['resource_type', 'id', 'version_id'])
      table.index(['resource_type', 'seq'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
