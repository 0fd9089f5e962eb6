import env from '#start/env'

/**
 * Logins, lockouts and the directory (DESIGN.md section 6).
 */
const identityConfig = {
  /** Failed logins before an account is locked, on the iCDR and in an edge's offline cache. */
  lockoutThreshold: env.get('LOGIN_LOCKOUT_THRESHOLD', 5),
  lockoutMinutes: env.get('LOGIN_LOCKOUT_MINUTES', 15),
  /** How long an edge may log a user in offline after that user's last online login. */
  offlineMaxAgeHours: env.get('OFFLINE_LOGIN_MAX_AGE_HOURS', 7 * 24),
  userTokenTtlHours: env.get('USER_TOKEN_TTL_HOURS', 12),
  /** How long an edge waits for the iCDR before deciding a login offline. */
  onlineTimeoutMs: 5000,
  icdrToken: env.get('ICDR_TOKEN')?.release(),
  ldap: ldapSettings(),
}

function ldapSettings() {
  const url = env.get('LDAP_URL')
  if (!url) {
    return null
  }
  return {
    url,
    startTls: env.get('LDAP_START_TLS', false),
    caFile: env.get('LDAP_CA_FILE'),
    bindDn: env.get('LDAP_BIND_DN'),
    bindPassword: env.get('LDAP_BIND_PASSWORD')?.release(),
    searchBase: env.get('LDAP_SEARCH_BASE', ''),
    userFilter: env.get('LDAP_USER_FILTER'),
    groupSearchBase: env.get('LDAP_GROUP_BASE'),
    groupFilter: env.get('LDAP_GROUP_FILTER'),
    groupRoles: parseGroupRoles(env.get('LDAP_GROUP_ROLES', '')),
  }
}

/** `cn=nurses,ou=groups,dc=moh=clinician;admins=administrator,clinician` */
export function parseGroupRoles(text: string): Record<string, string[]> {
  const map: Record<string, string[]> = {}
  for (const entry of text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = entry.lastIndexOf('=')
    const group = entry.slice(0, at).trim()
    map[group] = entry
      .slice(at + 1)
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean)
  }
  return map
}

export default identityConfig
