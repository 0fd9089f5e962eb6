import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Versions by type and time: type history with `_since` and the
 * administrators' dashboard (rule outputs per day) read ranges of
 * `last_updated` within a few resource types.
 */
export default class extends BaseSchema {
  protected tableName = 'fhir_resource_versions'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.index(['resource_type', 'last_updated'])
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropIndex(['resource_type', 'last_updated'])
    })
  }
}
