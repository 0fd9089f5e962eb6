import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Registered API clients (LAN systems, scripts): bearer tokens stored as
 * SHA-256 digests, never in clear.
 */
export default class extends BaseSchema {
  protected tableName = 'api_clients'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('name', 100).notNullable().unique()
      table.string('token_digest', 64).notNullable().unique()
      /** JSON array of scopes, e.g. ["fhir", "rules:publish"]. */
      table.text('scopes').notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('revoked_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
