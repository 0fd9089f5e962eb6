import { readFile } from 'node:fs/promises'

/**
 * Settings an administrator may give the desktop core in `settings.json`
 * in the data folder. What decides the shell contract (role, host, port,
 * secret, store, key) is never among them, nor NODE_OPTIONS, which would
 * let a file change what code the core runs.
 */
export const ALLOWED_SETTINGS = [
  'ICDR_URL',
  'IMPORT_SHIPPED_PACKS',
  'LOG_LEVEL',
  'OTA_TRUSTED_ROOT',
  'OTA_CHECK_INTERVAL_SECONDS',
  'OTA_FACILITY',
  'OTA_METADATA_URL',
  'OTA_TARGETS_URL',
  'AUDIT_SOURCE_ID',
  'AUDIT_SITE_ID',
  'AUDIT_REPOSITORY_HOST',
  'AUDIT_REPOSITORY_PORT',
  'AUDIT_TLS_CA',
  'AUDIT_TLS_CERT',
  'AUDIT_TLS_KEY',
  'OFFLINE_LOGIN_MAX_AGE_HOURS',
  'LOGIN_LOCKOUT_THRESHOLD',
  'LOGIN_LOCKOUT_MINUTES',
] as const

export class ShellSettingsError extends Error {
  code = 'E_SHELL_SETTINGS'
}

/**
 * Reads `settings.json` (a flat object of strings, numbers and booleans).
 * No file means no settings; a file that is not valid, or names a setting
 * outside `ALLOWED_SETTINGS`, stops the launch with the reason, because a
 * setting silently ignored is worse than a clear refusal.
 */
export async function readShellSettings(file: string): Promise<Record<string, string>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (error.code === 'ENOENT') {
      return {}
    }
    throw new ShellSettingsError(`${file} cannot be read: ${error.message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ShellSettingsError(`${file} is not valid JSON: ${error.message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ShellSettingsError(`${file} must hold one JSON object of settings`)
  }
  const settings: Record<string, string> = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (!(ALLOWED_SETTINGS as readonly string[]).includes(key)) {
      throw new ShellSettingsError(
        `${file}: "${key}" cannot be set here; allowed: ${ALLOWED_SETTINGS.join(', ')}`
      )
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new ShellSettingsError(`${file}: "${key}" must be a string, a number or a boolean`)
    }
    settings[key] = String(value)
  }
  return settings
}
