import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * HL7v2 messages received (DESIGN.md section 7): one row per sender and
 * MSH-10, with the ACK answered, so a message sent again is acknowledged the
 * same way without being stored twice.
 */
export default class extends BaseSchema {
  protected tableName = 'hl7_messages'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      /** MSH-3^MSH-4: sending application and facility. */
      table.string('sender', 200).notNullable()
      table.string('control_id', 64).notNullable()
      table.string('message_type', 16).notNullable()
      table.string('ack_code', 2).notNullable()
      table.text('ack').notNullable()
      table.bigInteger('received_at').notNullable()
      table.unique(['sender', 'control_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
