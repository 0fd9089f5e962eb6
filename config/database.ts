import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'
import { beginSqliteTransactionsImmediate } from '#database/sqlite_transactions'

beginSqliteTransactionsImmediate()

/**
 * One set of migrations serves both connections: SQLite for edges and the
 * zero-setup default, MySQL (mysql2) for a production iCDR.
 */
const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  prettyPrintDebugQueries: true,
  connections: {
    sqlite: {
      client: 'sqlite3',
      connection: {
        filename: env.get('SQLITE_PATH', app.makePath('storage', `${env.get('APP_ROLE')}.sqlite`)),
      },
      useNullAsDefault: true,
      pool: {
        /*
         * WAL lets readers run beside the writer; the busy timeout makes a
         * second process (an ace command beside the server) wait instead of failing.
         */
        afterCreate: (connection: any, done: (error: Error | null, connection: any) => void) => {
          connection.exec(
            'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;',
            (error: Error | null) => done(error, connection)
          )
        },
      },
      migrations: { naturalSort: true, paths: ['database/migrations'] },
      seeders: { paths: ['database/seeders'] },
      debug: false,
    },
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('MYSQL_HOST', '127.0.0.1'),
        port: env.get('MYSQL_PORT', 3306),
        user: env.get('MYSQL_USER', 'root'),
        password: env.get('MYSQL_PASSWORD')?.release() ?? '',
        database: env.get('MYSQL_DATABASE', 'outpost'),
        charset: 'utf8mb4',
        timezone: 'Z',
        supportBigNumbers: true,
        bigNumberStrings: true,
      },
      pool: { min: 0, max: 10 },
      migrations: { naturalSort: true, paths: ['database/migrations'] },
      seeders: { paths: ['database/seeders'] },
      debug: false,
    },
  },
})

export default dbConfig
