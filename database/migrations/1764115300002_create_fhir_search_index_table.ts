import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * One row per search index entry of the current version of a resource
 * (`extractIndexEntries`). Values longer than a column are cut to its width
 * by the store, and search values the same way, so a match is never missed.
 * Widest index: (64 + 64 + 255) characters x 4 bytes = 1,532 bytes in
 * utf8mb4, under InnoDB's 3,072-byte key limit (DYNAMIC rows, the default
 * since MySQL 5.7 and MariaDB 10.2).
 */
export default class extends BaseSchema {
  protected tableName = 'fhir_search_index'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      if (this.db.dialect.name === 'mysql') {
        // Tokens and :exact strings are case-sensitive whatever the server's default.
        table.collate('utf8mb4_bin')
      }
      table.bigIncrements('id')
      table.string('resource_type', 64).notNullable()
      table.string('resource_id', 64).notNullable()
      table.string('param', 64).notNullable()
      table.string('kind', 16).notNullable()
      table.string('system', 255).nullable()
      /** A token's code, or a string normalised for matching. */
      table.string('value', 255).nullable()
      /** A string as written, for :exact. */
      table.string('display', 255).nullable()
      /** ISO instants in UTC with milliseconds; null is an open end. */
      table.string('start_at', 30).nullable()
      table.string('end_at', 30).nullable()
      table.string('reference', 255).nullable()
      table.index(['resource_type', 'param', 'value'])
      table.index(['resource_type', 'param', 'reference'])
      table.index(['resource_type', 'param', 'start_at'])
      table.index(['resource_type', 'resource_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
