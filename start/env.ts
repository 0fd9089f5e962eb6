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
import { readFileSync } from 'node:fs'
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
  /**
   * desktop/android: the per-launch secret, from the environment or read once
   * from the file descriptor the shell names in SHELL_SECRET_FD (a pipe keeps
   * it out of the process environment).
   */
  SHELL_SECRET: (key: string, value?: string) =>
    shellSecret(key, value ?? secretFromFd(process.env.SHELL_SECRET_FD)),
  SHELL_SECRET_FD: Env.schema.number.optional(),

  /*
  | Identity (DESIGN.md section 6)
  */
  /** Edges: the token this node presents to the iCDR (device credentials once enrolled). */
  ICDR_TOKEN: Env.schema.secret.optional(),
  SESSION_SECURE_COOKIE: Env.schema.boolean.optional(),
  LOGIN_LOCKOUT_THRESHOLD: Env.schema.number.optional(),
  LOGIN_LOCKOUT_MINUTES: Env.schema.number.optional(),
  OFFLINE_LOGIN_MAX_AGE_HOURS: Env.schema.number.optional(),
  USER_TOKEN_TTL_HOURS: Env.schema.number.optional(),
  LDAP_URL: (key: string, value?: string) => {
    if (value !== undefined && !/^ldaps?:\/\/[^/\s]+\/?$/.test(value)) {
      throw new Error(`${key} must be ldap://host[:port] or ldaps://host[:port], not "${value}"`)
    }
    return value
  },
  LDAP_START_TLS: Env.schema.boolean.optional(),
  LDAP_CA_FILE: Env.schema.string.optional(),
  LDAP_BIND_DN: Env.schema.string.optional(),
  LDAP_BIND_PASSWORD: Env.schema.secret.optional(),
  LDAP_SEARCH_BASE: Env.schema.string.optional(),
  LDAP_USER_FILTER: Env.schema.string.optional(),
  LDAP_GROUP_BASE: Env.schema.string.optional(),
  LDAP_GROUP_FILTER: Env.schema.string.optional(),
  /** `<group DN or cn>=<role>[,<role>];...`, e.g. `cn=nurses,ou=groups,dc=moh=clinician` */
  LDAP_GROUP_ROLES: Env.schema.string.optional(),

  /*
  | HL7v2 over MLLP (gateway by default on 2575; an iCDR when HL7_MLLP_PORT is set)
  */
  HL7_MLLP_PORT: (key: string, value?: string) => {
    if (value === undefined || value === 'off') {
      return value
    }
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
      throw new Error(`${key} must be a port number (0 for any free port) or "off", not "${value}"`)
    }
    return value
  },
  HL7_MLLP_HOST: Env.schema.string.optional({ format: 'host' }),
  /** Comma-separated addresses or CIDR ranges allowed to send; everyone when unset. */
  HL7_ALLOW_FROM: Env.schema.string.optional(),
  /** PEM files: MLLP over TLS when both are set. */
  HL7_TLS_CERT: Env.schema.string.optional(),
  HL7_TLS_KEY: Env.schema.string.optional(),
  HL7_TLS_CA: Env.schema.string.optional(),

  /*
  | Audit (IHE ATNA): where this node sends its audit messages, and on the
  | iCDR the syslog-over-TLS receiver of the audit repository
  */
  AUDIT_SOURCE_ID: Env.schema.string.optional(),
  AUDIT_SITE_ID: Env.schema.string.optional(),
  AUDIT_REPOSITORY_HOST: Env.schema.string.optional({ format: 'host' }),
  AUDIT_REPOSITORY_PORT: Env.schema.number.optional(),
  AUDIT_RECEIVER_PORT: Env.schema.number.optional(),
  AUDIT_RECEIVER_HOST: Env.schema.string.optional({ format: 'host' }),
  AUDIT_ALLOW_NO_CLIENT_CERT: Env.schema.boolean.optional(),
  /** PEM files of this node's TLS identity and of the CA it trusts for ATNA. */
  AUDIT_TLS_CA: Env.schema.string.optional(),
  AUDIT_TLS_CERT: Env.schema.string.optional(),
  AUDIT_TLS_KEY: Env.schema.string.optional(),

  /*
  | Over-the-air updates (docs/ota.md)
  */
  /** iCDR: the TUF repository served at /ota, and the role keys this node holds. */
  OTA_DIR: Env.schema.string.optional(),
  OTA_KEYS_DIR: Env.schema.string.optional(),
  OTA_TIMESTAMP_EXPIRY_SECONDS: Env.schema.number.optional(),
  /** Channels a newly published pack version goes to at once, e.g. `pilot` (default `stable,pilot`). */
  OTA_RELEASE_CHANNELS: Env.schema.string.optional(),
  /** Edges: the root to trust (else fetched once from the iCDR), where TUF state is kept, limits. */
  OTA_TRUSTED_ROOT: Env.schema.string.optional(),
  OTA_CLIENT_DIR: Env.schema.string.optional(),
  OTA_METADATA_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  OTA_TARGETS_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  OTA_MAX_TARGET_BYTES: Env.schema.number.optional(),
  /** 0 turns the scheduled check off (`node ace ota:check` still works). */
  OTA_CHECK_INTERVAL_SECONDS: Env.schema.number.optional(),

  /*
  |----------------------------------------------------------
  | Sync (edges; docs/sync.md)
  |----------------------------------------------------------
  */
  SYNC_INTERVAL_SECONDS: Env.schema.number.optional(),
  SYNC_RETRY_BASE_SECONDS: Env.schema.number.optional(),
  SYNC_MAX_BACKOFF_SECONDS: Env.schema.number.optional(),
  /** The facility this edge serves, until enrolment records it: channels can follow facilities. */
  OTA_FACILITY: Env.schema.string.optional(),
}

const shellSecret = Env.schema.secret.optional()

function secretFromFd(fd?: string): string | undefined {
  if (fd === undefined || fd === '') {
    return undefined
  }
  try {
    return readFileSync(Number(fd), 'utf8').trim() || undefined
  } catch {
    throw new Error(`SHELL_SECRET_FD=${fd} cannot be read: the shell must pass an open descriptor`)
  }
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
