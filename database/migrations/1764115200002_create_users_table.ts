import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('username', 100).notNullable().unique()
      table.string('full_name', 200).nullable()
      table.string('email', 254).nullable()
      /** Argon2id PHC string; null for directory (LDAP) users. */
      table.string('password', 255).nullable()
      /** JSON array of roles: clinician, informatician, administrator. */
      table.text('roles').notNullable()
      table.string('source', 16).notNullable().defaultTo('local')
      table.string('facility_id', 64).nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
