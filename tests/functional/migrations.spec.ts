import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'

const SCRATCH_DATABASE = `outpost_migrations_${process.env.TEST_RUN}`

async function migrate(connectionName: string, direction: 'up' | 'down') {
  const runner =
    direction === 'up'
      ? new MigrationRunner(db, app, { direction, connectionName })
      : new MigrationRunner(db, app, { direction, connectionName, batch: 0 })
  await runner.run()
  if (runner.error) {
    throw runner.error
  }
  return Object.keys(runner.migratedFiles)
}

async function tables(connectionName: string): Promise<string[]> {
  const client = db.connection(connectionName)
  const rows =
    client.dialect.name === 'mysql'
      ? await client
          .rawQuery('show tables')
          .then(([result]: any) => result.map((row: any) => Object.values(row)[0]))
      : await client
          .rawQuery(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
          )
          .then((result: any[]) => result.map((row) => row.name))
  return (rows as string[]).filter((name) => !name.startsWith('adonis_schema')).sort()
}

test.group('Migrations on SQLite and MariaDB', (group) => {
  group.setup(async () => {
    const base = app.config.get<any>('database.connections.mysql')
    const server = await mysql.createConnection({ ...base.connection, database: undefined })
    await server.query(`DROP DATABASE IF EXISTS ${SCRATCH_DATABASE}`)
    await server.query(
      `CREATE DATABASE ${SCRATCH_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`
    )
    await server.end()
    db.manager.add('mysql_scratch', {
      ...base,
      connection: { ...base.connection, database: SCRATCH_DATABASE },
    })
    const dir = await mkdtemp(join(tmpdir(), 'outpost-migrations-'))
    const sqlite = app.config.get<any>('database.connections.sqlite')
    db.manager.add('sqlite_scratch', {
      ...sqlite,
      connection: { filename: join(dir, 'scratch.sqlite') },
    })
    return async () => {
      await db.manager.close('mysql_scratch')
      await db.manager.close('sqlite_scratch')
      const cleanup = await mysql.createConnection({ ...base.connection, database: undefined })
      await cleanup.query(`DROP DATABASE IF EXISTS ${SCRATCH_DATABASE}`)
      await cleanup.end()
    }
  })

  for (const connection of ['sqlite_scratch', 'mysql_scratch']) {
    test(`the same migrations run up, down and up again on ${connection.split('_')[0]}`, async ({
      assert,
    }) => {
      const applied = await migrate(connection, 'up')
      assert.isAbove(applied.length, 0)
      const created = await tables(connection)
      assert.includeMembers(created, [
        'api_clients',
        'fhir_change_sequence',
        'fhir_resource_versions',
        'fhir_resources',
        'fhir_search_index',
        'job_outbox',
        'job_runs',
        'rule_alerts',
        'rule_pack_failures',
        'rule_packs',
        'users',
      ])

      const reverted = await migrate(connection, 'down')
      assert.sameMembers(reverted, applied)
      assert.deepEqual(await tables(connection), [])

      await migrate(connection, 'up')
      assert.deepEqual(await tables(connection), created)
    })
  }
})
