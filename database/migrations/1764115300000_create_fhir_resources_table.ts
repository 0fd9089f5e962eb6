import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The current version of every FHIR resource (DESIGN.md section 2): what a
 * read answers without touching the history. `content` is the JSON text as
 * stored (decimals as written, meta.versionId and meta.lastUpdated set); a
 * deleted resource keeps its last live content with `deleted` set.
 * Times are epoch milliseconds; the ISO instant lives in `content`.
 */
export default class extends BaseSchema {
  protected tableName = 'fhir_resources'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      if (this.db.dialect.name === 'mysql') {
        // Ids, codes and references compare case-sensitively whatever the server's default.
        table.collate('utf8mb4_bin')
      }
      table.string('resource_type', 64).notNullable()
      table.string('id', 64).notNullable()
      table.integer('version_id').notNullable()
      table.bigInteger('last_updated').notNullable()
      table.boolean('deleted').notNullable().defaultTo(false)
      table.text('content', 'longtext').notNullable()
      /** The Patient compartment owner, for sync subscriptions. */
      table.string('patient_id', 64).nullable()
      /** The change sequence of the current version. */
      table.bigInteger('seq').notNullable()
      table.primary(['resource_type', 'id'])
      table.index(['resource_type', 'last_updated'])
      table.index(['patient_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
