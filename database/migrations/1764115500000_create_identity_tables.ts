import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Identity (DESIGN.md section 6): lockout and credential versions on users,
 * user API tokens, and on edges the cached credentials for offline login and
 * the security events waiting to be reported to the iCDR.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('users', (table) => {
      /** Bumped on every password change, role change or deactivation; edges drop stale caches. */
      table.integer('credential_version').notNullable().defaultTo(1)
      table.integer('failed_logins').notNullable().defaultTo(0)
      table.bigInteger('locked_until').nullable()
      table.bigInteger('last_login_at').nullable()
      table.string('ldap_dn', 500).nullable()
      table.bigInteger('changed_seq').notNullable().defaultTo(0)
      table.index(['changed_seq'])
    })

    this.schema.createTable('user_tokens', (table) => {
      table.increments('id')
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table.string('token_digest', 64).notNullable().unique()
      table.bigInteger('expires_at').notNullable()
      table.bigInteger('created_at').notNullable()
      table.bigInteger('revoked_at').nullable()
    })

    this.schema.createTable('cached_credentials', (table) => {
      table.increments('id')
      table.string('username', 100).notNullable().unique()
      table.string('full_name', 200).nullable()
      /** Argon2id hash of the password the iCDR last accepted. */
      table.string('password_hash', 255).notNullable()
      table.text('roles').notNullable()
      table.string('facility_id', 64).nullable()
      table.integer('credential_version').notNullable()
      table.bigInteger('cached_at').notNullable()
      table.bigInteger('expires_at').notNullable()
      table.integer('failed_logins').notNullable().defaultTo(0)
      table.bigInteger('locked_until').nullable()
    })

    /** Security events an edge saw offline (failed logins, lockouts), reported at the next sync. */
    this.schema.createTable('security_reports', (table) => {
      table.bigIncrements('id')
      table.string('kind', 32).notNullable()
      table.string('username', 100).notNullable()
      table.text('detail').nullable()
      table.bigInteger('occurred_at').notNullable()
    })

    /** Where an edge's pulls from the iCDR stand, one row per stream. */
    this.schema.createTable('sync_checkpoints', (table) => {
      table.string('stream', 64).primary()
      table.string('position', 200).notNullable()
      table.bigInteger('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('sync_checkpoints')
    this.schema.dropTable('security_reports')
    this.schema.dropTable('cached_credentials')
    this.schema.dropTable('user_tokens')
    this.schema.alterTable('users', (table) => {
      table.dropIndex(['changed_seq'])
      table.dropColumn('credential_version')
      table.dropColumn('failed_logins')
      table.dropColumn('locked_until')
      table.dropColumn('last_login_at')
      table.dropColumn('ldap_dn')
      table.dropColumn('changed_seq')
    })
  }
}
