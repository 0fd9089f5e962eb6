import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * iCDR: what each device last did on the sync hub, for the fleet view's sync
 * lag: its last pull and checkpoint, when it last had every change
 * (`caught_up_at`) and its last push. Times are epoch milliseconds.
 */
export default class extends BaseSchema {
  protected tableName = 'sync_device_state'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      if (this.db.dialect.name === 'mysql') {
        table.collate('utf8mb4_bin')
      }
      table.string('device_name', 100).primary()
      table.bigInteger('pulled_at').nullable()
      table.bigInteger('pull_checkpoint').nullable()
      table.bigInteger('caught_up_at').nullable()
      table.bigInteger('pushed_at').nullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
