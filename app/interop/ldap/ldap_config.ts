import { isIP } from 'node:net'
import { LdapError } from '#interop/ldap/ldap_error'
import { filterPlaceholders } from '#interop/ldap/ldap_filter'
import { DIRECTORY_ROLES, normaliseGroupKey, type DirectoryRole } from '#interop/ldap/ldap_roles'

export const DEFAULT_USER_FILTER = '(&(objectClass=inetOrgPerson)(uid={username}))'
export const DEFAULT_GROUP_FILTER = '(&(objectClass=groupOfNames)(member={dn}))'

/** Where the iCDR's directory is and how users and their groups are found in it. */
export interface LdapConfig {
  /** `ldap://host:389` or `ldaps://host:636`; only scheme, host and port are used. */
  url: string
  /** Upgrade an `ldap://` connection with StartTLS before any bind (RFC 4513 §3). */
  startTls: boolean
  /** PEM file of the CA that signed the server certificate; the system CAs otherwise. */
  tlsCaFile?: string
  /** The same CA as PEM text, for settings that carry the certificate itself. */
  ca?: string
  /** The service account the users are searched with. */
  bindDn: string
  bindPassword: string
  searchBase: string
  /** `{username}` is replaced by the escaped login name. */
  userFilter?: string
  /** The attribute holding the login name returned to the caller (`uid`). */
  usernameAttribute?: string
  groupSearchBase: string
  /** `{dn}` is replaced by the escaped user DN, `{username}` by the escaped login name. */
  groupFilter?: string
  /** Group DN (`cn=clinicians,ou=groups,dc=example,dc=org`) or group cn (`clinicians`) → roles. */
  groupRoleMap: Record<string, readonly DirectoryRole[]>
  timeouts?: {
    /** TCP (and LDAPS handshake) connect timeout; 5 s by default. */
    connectMs?: number
    /** Timeout of each LDAP operation and of the StartTLS handshake; 10 s by default. */
    operationMs?: number
  }
}

export type LdapTransport = 'ldap' | 'ldaps' | 'starttls'

/** A checked LdapConfig with its defaults filled in. */
export interface ResolvedLdapConfig {
  url: string
  host: string
  /** The name the server certificate must carry; undefined for an IP address (no SNI). */
  servername?: string
  transport: LdapTransport
  ca?: { pem?: string; file?: string }
  bindDn: string
  bindPassword: string
  searchBase: string
  userFilter: string
  usernameAttribute: string
  groupSearchBase: string
  groupFilter: string
  groupRoleMap: ReadonlyMap<string, readonly DirectoryRole[]>
  connectMs: number
  operationMs: number
}

/**
 * Checks LDAP settings once, when a directory is set up, so a mistake fails at boot rather than
 * at the first login. StartTLS on an `ldaps://` URL is refused: the connection is already TLS
 * and a server would answer the StartTLS request with an error.
 * @see https://www.rfc-editor.org/rfc/rfc4513#section-3.1.1
 * @see https://www.rfc-editor.org/rfc/rfc4516#section-2
 */
export function resolveLdapConfig(config: LdapConfig): ResolvedLdapConfig {
  const url = parseUrl(config.url)
  const secure = url.protocol === 'ldaps:'
  if (secure && config.startTls) {
    throw LdapError.config('startTls cannot be used with an ldaps:// URL, which is TLS already')
  }
  if (config.ca && config.tlsCaFile) {
    throw LdapError.config('give the CA as tlsCaFile or as ca, not both')
  }
  for (const [name, value] of Object.entries({
    bindDn: config.bindDn,
    bindPassword: config.bindPassword,
    searchBase: config.searchBase,
    groupSearchBase: config.groupSearchBase,
  })) {
    if (!value?.trim()) {
      throw LdapError.config(`${name} is required`)
    }
  }
  const userFilter = checkFilter('userFilter', config.userFilter ?? DEFAULT_USER_FILTER, [
    'username',
  ])
  const groupFilter = checkFilter('groupFilter', config.groupFilter ?? DEFAULT_GROUP_FILTER, [
    'username',
    'dn',
  ])
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return {
    url: `${url.protocol}//${url.host}`,
    host,
    servername: isIP(host) ? undefined : host,
    transport: secure ? 'ldaps' : config.startTls ? 'starttls' : 'ldap',
    ca: config.ca || config.tlsCaFile ? { pem: config.ca, file: config.tlsCaFile } : undefined,
    bindDn: config.bindDn,
    bindPassword: config.bindPassword,
    searchBase: config.searchBase,
    userFilter,
    usernameAttribute: config.usernameAttribute ?? 'uid',
    groupSearchBase: config.groupSearchBase,
    groupFilter,
    groupRoleMap: checkRoleMap(config.groupRoleMap),
    connectMs: config.timeouts?.connectMs ?? 5_000,
    operationMs: config.timeouts?.operationMs ?? 10_000,
  }
}

function parseUrl(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw LdapError.config(`url ${value} is not a URL`)
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') {
    throw LdapError.config(`url ${value} must start with ldap:// or ldaps://`)
  }
  if (!url.hostname) {
    throw LdapError.config(`url ${value} names no host`)
  }
  return url
}

function checkFilter(name: string, template: string, allowed: string[]): string {
  const trimmed = template.trim()
  if (!trimmed.startsWith('(') || !trimmed.endsWith(')')) {
    throw LdapError.config(`${name} must be a parenthesised filter, got ${template}`)
  }
  const unknown = filterPlaceholders(trimmed).filter((used) => !allowed.includes(used))
  if (unknown.length > 0) {
    throw LdapError.config(`${name} uses unknown placeholders: ${unknown.join(', ')}`)
  }
  return trimmed
}

/** Keys are matched case-insensitively: DNs and cn values compare that way in most schemas. */
function checkRoleMap(map: LdapConfig['groupRoleMap']) {
  const checked = new Map<string, readonly DirectoryRole[]>()
  for (const [group, roles] of Object.entries(map ?? {})) {
    const unknown = roles.filter((role) => !Object.hasOwn(DIRECTORY_ROLES, role))
    if (unknown.length > 0) {
      throw LdapError.config(`group ${group} maps to unknown roles: ${unknown.join(', ')}`)
    }
    checked.set(normaliseGroupKey(group), roles)
  }
  return checked
}
