import { ROLE_NAMES, ROLE_PROFILES, isRoleName, type RoleName } from '#roles/role_profiles'

/**
 * Settings that depend on the role. `start/env.ts` validates each variable on
 * its own; this checks the combinations, so that a node refuses to boot with
 * one line naming what to set instead of failing later on first use.
 */
export function roleSettingProblems(values: Record<string, unknown>): string[] {
  const role = values.APP_ROLE
  if (!isRoleName(role)) {
    return []
  }
  const profile = ROLE_PROFILES[role]
  const problems: string[] = []
  const missing = (key: string, why: string) => {
    if (values[key] === undefined || values[key] === '') {
      problems.push(`set ${key} (${why})`)
    }
  }

  if (profile.store === 'sqlite' && values.DB_CONNECTION === 'mysql') {
    problems.push(`unset DB_CONNECTION=mysql: the ${role} role keeps its offline store in SQLite`)
  }
  if (profile.store === 'mysql-or-sqlite' && values.DB_CONNECTION === 'mysql') {
    missing('MYSQL_HOST', 'DB_CONNECTION=mysql needs the MySQL server address')
    missing('MYSQL_DATABASE', 'DB_CONNECTION=mysql needs the database name')
  }
  if (profile.store === 'none') {
    missing('ICDR_URL', 'the portal has no local store and serves everything from the iCDR')
  }
  if (profile.loopbackOnly && values.HOST !== undefined && values.HOST !== '127.0.0.1') {
    problems.push(`unset HOST=${values.HOST}: the ${role} role binds 127.0.0.1 only`)
  }
  if (profile.shellSecret) {
    missing('SHELL_SECRET', `the ${role} shell passes its per-launch secret`)
  }
  return problems
}

export function parseRole(key: string, value?: string): RoleName {
  if (!value) {
    throw new Error(`set ${key} to one of ${ROLE_NAMES.join(', ')}`)
  }
  if (!isRoleName(value)) {
    throw new Error(`${key}="${value}" is not a role: set it to one of ${ROLE_NAMES.join(', ')}`)
  }
  return value
}
