import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Over-the-air distribution (docs/ota.md). On the iCDR: release channels, which
 * devices and facilities follow which channel, the version of each pack a channel
 * runs with its staged rollout, and what each device last reported. On edges: every
 * install with the set it replaced (for rollback), versions held back, and the
 * updater's own status.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('ota_channels', (table) => {
      table.string('name', 64).primary()
      table.string('description', 500).nullable()
      table.bigInteger('created_at').notNullable()
    })

    /** A device (by its principal name) or a facility follows one channel; devices win. */
    this.schema.createTable('ota_assignments', (table) => {
      table.increments('id')
      table.string('subject_kind', 16).notNullable()
      table.string('subject', 200).notNullable()
      table.string('channel', 64).notNullable().references('ota_channels.name')
      table.bigInteger('updated_at').notNullable()
      table.unique(['subject_kind', 'subject'])
    })

    /**
     * One row per channel and pack id: the version the whole channel runs, the one
     * before it (what a revert goes back to), and a staged rollout of a newer one.
     */
    this.schema.createTable('ota_channel_packs', (table) => {
      table.string('channel', 64).notNullable().references('ota_channels.name')
      table.string('pack_id', 100).notNullable()
      table.string('version', 40).nullable()
      table.string('previous_version', 40).nullable()
      table.string('rollout_version', 40).nullable()
      table.integer('rollout_percentage').nullable()
      /** JSON array of device names that get the rollout whatever their bucket. */
      table.text('rollout_devices').nullable()
      table.string('rollout_state', 16).nullable()
      table.bigInteger('updated_at').notNullable()
      table.primary(['channel', 'pack_id'])
    })

    /** The fleet view: what each device said at its last check. */
    this.schema.createTable('ota_devices', (table) => {
      table.string('name', 100).primary()
      table.string('facility_id', 64).nullable()
      table.string('app_version', 40).nullable()
      /** JSON arrays of `{ packId, version }`. */
      table.text('installed').notNullable()
      table.text('held_back').notNullable()
      table.bigInteger('last_check_at').nullable()
      table.bigInteger('last_success_at').nullable()
      table.string('last_error_code', 64).nullable()
      table.text('last_error_message').nullable()
      table.bigInteger('reported_at').notNullable()
    })

    /** Edges: each update applied, with the versions it replaced, newest last. */
    this.schema.createTable('ota_installs', (table) => {
      table.increments('id')
      /** JSON array of `{ packId, from, to, rolledBack }`; `from`/`to` null: not installed. */
      table.text('changes').notNullable()
      table.string('outcome', 16).notNullable()
      table.text('detail').nullable()
      table.bigInteger('installed_at').notNullable()
      table.bigInteger('rolled_back_at').nullable()
    })

    /** Edges: versions rolled back here, not installed again until the iCDR offers another. */
    this.schema.createTable('ota_held_back', (table) => {
      table.string('pack_id', 100).notNullable()
      table.string('version', 40).notNullable()
      table.text('reason').notNullable()
      table.bigInteger('created_at').notNullable()
      table.primary(['pack_id', 'version'])
    })

    /** Edges: one row, the updater's last check and the lease that keeps checks one at a time. */
    this.schema.createTable('ota_edge_status', (table) => {
      table.integer('id').primary()
      table.bigInteger('last_check_at').nullable()
      table.bigInteger('last_success_at').nullable()
      table.string('last_error_code', 64).nullable()
      table.text('last_error_message').nullable()
      table.bigInteger('reported_at').nullable()
      table.bigInteger('lease_until').nullable()
    })

    this.defer(async (db) => {
      const now = Date.now()
      await db.table('ota_channels').multiInsert([
        { name: 'stable', description: 'Every device unless assigned elsewhere', created_at: now },
        { name: 'pilot', description: 'Devices that try releases first', created_at: now },
      ])
      await db.table('ota_edge_status').insert({ id: 1 })
    })
  }

  async down() {
    this.schema.dropTable('ota_edge_status')
    this.schema.dropTable('ota_held_back')
    this.schema.dropTable('ota_installs')
    this.schema.dropTable('ota_devices')
    this.schema.dropTable('ota_channel_packs')
    this.schema.dropTable('ota_assignments')
    this.schema.dropTable('ota_channels')
  }
}
