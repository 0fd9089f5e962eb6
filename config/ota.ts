import { basename, dirname, extname, isAbsolute, join } from 'node:path'
import env from '#start/env'
import app from '@adonisjs/core/services/app'

const icdrUrl = env.get('ICDR_URL')?.replace(/\/+$/, '')
const sqlitePath = env.get('SQLITE_PATH', app.makePath('storage', `${env.get('APP_ROLE')}.sqlite`))
const timestampExpirySeconds = env.get('OTA_TIMESTAMP_EXPIRY_SECONDS', 24 * 3600)

/**
 * Over-the-air distribution (docs/ota.md, DESIGN.md section 4). The iCDR settings
 * say where the TUF repository and the keys this node holds live; the edge settings
 * say where the updater keeps its trusted metadata and how it reaches a repository.
 */
const otaConfig = {
  /** iCDR: `metadata/` and `targets/`, served at /ota and copied by mirrors. */
  repositoryDir: absolute(env.get('OTA_DIR', 'storage/ota')),
  /** iCDR: `<role>-<n>.json` key files; production keeps root and targets elsewhere. */
  keysDir: absolute(env.get('OTA_KEYS_DIR', 'storage/keys')),
  /** How long a timestamp signed now is valid: edges stop updating when it runs out. */
  timestampExpirySeconds,
  /** The repository job runs this often and re-signs the timestamp past half its life. */
  maintenanceEveryMs: Math.min(3600, Math.max(1, Math.floor(timestampExpirySeconds / 4))) * 1000,
  /** Channels a newly published version goes to whole, at once. */
  releaseOnPublish: (env.get('OTA_RELEASE_CHANNELS') ?? 'stable,pilot')
    .split(',')
    .map((channel) => channel.trim())
    .filter(Boolean),

  /** Edges: the root to pin at the first check; without it, the iCDR's first root is trusted. */
  trustedRoot: optionalPath(env.get('OTA_TRUSTED_ROOT')),
  /** Edges: trusted metadata and verified targets, beside the store they govern by default. */
  clientDir: absolute(
    env.get(
      'OTA_CLIENT_DIR',
      join(dirname(sqlitePath), `${basename(sqlitePath, extname(sqlitePath))}-ota`)
    )
  ),
  metadataUrl: env.get('OTA_METADATA_URL') ?? (icdrUrl ? `${icdrUrl}/ota/metadata` : undefined),
  targetsUrl: env.get('OTA_TARGETS_URL') ?? (icdrUrl ? `${icdrUrl}/ota/targets` : undefined),
  /** A rule pack is at most 2 MB of text; anything signed as larger is never fetched. */
  maxTargetBytes: env.get('OTA_MAX_TARGET_BYTES', 8 * 1024 * 1024),
  fetchTimeoutMs: 30_000,
  checkEveryMs: env.get('OTA_CHECK_INTERVAL_SECONDS', 15 * 60) * 1000,
  facility: env.get('OTA_FACILITY'),
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : app.makePath(path)
}

function optionalPath(path?: string): string | undefined {
  return path ? absolute(path) : undefined
}

export default otaConfig
