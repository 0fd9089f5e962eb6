/*
|--------------------------------------------------------------------------
| Environment variables
|--------------------------------------------------------------------------
|
| Every setting a node reads, validated once at boot. A wrong or missing
| setting stops the process with one line saying what to set.
|
*/

import { randomBytes } from 'node:crypto'
import { Env } from '@adonisjs/core/env'
import { parseRole, roleSettingProblems } from '#roles/settings_check'

/**
 * Ace commands without settings act on a zero-setup iCDR; the key they get
 * lives as long as the command and only protects cookies, which no command writes.
 */
const commandDefaults = process.env.OUTPOST_COMMAND_DEFAULTS === 'true'
const requiredKey = Env.schema.secret()
const ephemeralKey = randomBytes(24).toString('base64url')

const schema = {
  NODE_ENV: Env.schema.enum.optional(['development', 'production', 'test'] as const),
  APP_ROLE: (key: string, value?: string) =>
    parseRole(key, value ?? (commandDefaults ? 'icdr' : undefined)),
  APP_KEY: (key: string, value?: string) =>
    requiredKey(key, value ?? (commandDefaults ? ephemeralKey : undefined)),
  APP_NAME: Env.schema.string.optional(),
  PORT: Env.schema.number.optional(),
  HOST: Env.schema.string.optional({ format: 'host' }),
  LOG_LEVEL: Env.schema.enum.optional([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),

  /*
  | Clinical store: SQLite by default (edges, sandbox), MySQL for a production iCDR
  */
  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'mysql'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  MYSQL_HOST: Env.schema.string.optional({ format: 'host' }),
  MYSQL_PORT: Env.schema.number.optional(),
  MYSQL_USER: Env.schema.string.optional(),
  MYSQL_PASSWORD: Env.schema.secret.optional(),
  MYSQL_DATABASE: Env.schema.string.optional(),

  /*
  | Jobs: BullMQ on Redis when REDIS_HOST is set (iCDR), inline otherwise
  */
  REDIS_HOST: Env.schema.string.optional({ format: 'host' }),
  REDIS_PORT: Env.schema.number.optional(),
  REDIS_PASSWORD: Env.schema.secret.optional(),
  QUEUE_PREFIX: Env.schema.string.optional(),

  /*
  | Role-specific settings
  */
  ICDR_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  /** false: do not import the packs of rules/ and protocols/ at first boot (a ministry's own packs only). */
  IMPORT_SHIPPED_PACKS: Env.schema.boolean.optional(),
  SHELL_SECRET: Env.schema.secret.optional(),
}

async function createEnv() {
  try {
    const env = await Env.create(new URL('../', import.meta.url), schema)
    const problems = roleSettingProblems(
      Object.fromEntries(
        Object.keys(schema).map((key) => [key, env.get(key as keyof typeof schema)])
      )
    )
    if (problems.length > 0) {
      throw new Error(problems.join('; '))
    }
    return env
  } catch (error) {
    const help = 'help' in error && error.help ? String(error.help) : error.message
    const reasons = help
      .split('\n')
      .map((line: string) => line.replace(/^- /, '').trim())
      .filter(Boolean)
    console.error(`Outpost cannot start: ${reasons.join('; ')}`)
    process.exit(1)
  }
}

export default await createEnv()
