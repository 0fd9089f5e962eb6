import { createRequire } from 'node:module'

/**
 * SQLite transactions begin IMMEDIATE: they take the write lock when they
 * start, waiting up to the busy timeout for it. knex begins them DEFERRED,
 * and a deferred transaction that read first and then writes after another
 * process committed fails at once with SQLITE_BUSY, whatever the timeout
 * (https://www.sqlite.org/lang_transaction.html). On an edge the server and
 * an operator's ace command (`node ace sync:run`) write the same file: with
 * IMMEDIATE one waits for the other instead of losing its change.
 */
export function beginSqliteTransactionsImmediate() {
  const require = createRequire(import.meta.url)
  const Transaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js')
  if (Transaction.prototype.begin.immediate) {
    return
  }
  const begin = function (this: any, connection: unknown) {
    return this.query(connection, 'BEGIN IMMEDIATE;')
  }
  begin.immediate = true
  Transaction.prototype.begin = begin
}
