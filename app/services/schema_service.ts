import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import app from '@adonisjs/core/services/app'

/**
 * Brings a node's store to the schema of the code it runs. Edges call it at
 * boot (a clinic app updates itself and nobody runs commands there); the
 * iCDR migrates with `node ace migration:run --force` during a release.
 */
@inject()
export class SchemaService {
  constructor(protected db: Database) {}

  async migrate(connectionName?: string): Promise<string[]> {
    const runner = new MigrationRunner(this.db, app, { direction: 'up', connectionName })
    await runner.run()
    if (runner.error) {
      throw runner.error
    }
    return Object.keys(runner.migratedFiles)
  }
}
