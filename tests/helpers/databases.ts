import { mkdir, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import mysql from 'mysql2/promise'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'

/**
 * Every run starts from empty stores of its own (`.env.test` names them
 * after the run): the MariaDB database and the SQLite file are created and
 * migrated with the one set of migrations, and removed when the run ends.
 */
export async function prepareTestDatabases() {
  const mysqlConfig = app.config.get<any>('database.connections.mysql.connection')
  const server = await mysql.createConnection({
    host: mysqlConfig.host,
    port: mysqlConfig.port,
    user: mysqlConfig.user,
    password: mysqlConfig.password,
  })
  await server.query(`DROP DATABASE IF EXISTS \`${mysqlConfig.database}\``)
  await server.query(
    `CREATE DATABASE \`${mysqlConfig.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`
  )
  await server.end()

  const sqliteFile = app.config.get<string>('database.connections.sqlite.connection.filename')
  await rm(sqliteFile, { force: true })
  await mkdir(dirname(sqliteFile), { recursive: true })

  await testUtils.db('mysql').migrate()
  await testUtils.db('sqlite').migrate()

  return async () => {
    const cleanup = await mysql.createConnection({
      host: mysqlConfig.host,
      port: mysqlConfig.port,
      user: mysqlConfig.user,
      password: mysqlConfig.password,
    })
    await cleanup.query(`DROP DATABASE IF EXISTS \`${mysqlConfig.database}\``)
    await cleanup.end()
    await rm(dirname(sqliteFile), { recursive: true, force: true })
  }
}
