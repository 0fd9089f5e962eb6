import { ResultCodeError, type Entry } from 'ldapts'
import {
  resolveLdapConfig,
  type LdapConfig,
  type LdapTransport,
  type ResolvedLdapConfig,
} from '#interop/ldap/ldap_config'
import { LdapConnection } from '#interop/ldap/ldap_connection'
import { LdapError } from '#interop/ldap/ldap_error'
import { fillFilterTemplate } from '#interop/ldap/ldap_filter'
import { rolesForGroups, type DirectoryGroup, type DirectoryRole } from '#interop/ldap/ldap_roles'

/** A directory user who proved their password and holds at least one Outpost role. */
export interface LdapUser {
  dn: string
  /** The login name as the directory spells it (`uid`), whatever case was typed. */
  username: string
  fullName: string
  email: string | null
  /** DNs of the groups the user is a member of, mapped to a role or not. */
  groups: string[]
  roles: DirectoryRole[]
}

/** What a successful health check saw. */
export interface LdapHealth {
  url: string
  transport: LdapTransport
  latencyMs: number
}

const USER_ATTRIBUTES = ['cn', 'displayName', 'mail']

/**
 * The iCDR's view of an LDAP directory (OpenLDAP, 389-DS, Active Directory): it logs users in
 * with the search-then-bind pattern and turns their groups into Outpost roles.
 * @see https://www.rfc-editor.org/rfc/rfc4513#section-5.1.3
 */
export class LdapDirectory {
  private readonly config: ResolvedLdapConfig

  /** Checks the settings at once; a mistake throws E_LDAP_CONFIG. */
  constructor(config: LdapConfig) {
    this.config = resolveLdapConfig(config)
  }

  /**
   * Logs a user in: the service account finds exactly one entry for the username (escaped into
   * the filter), a fresh connection binds as that entry with the password, and the groups the
   * entry belongs to give its roles. An empty password is refused before any connection, as it
   * would be an unauthenticated bind that succeeds (RFC 4513 §5.1.2). An unknown user and a
   * wrong password both throw E_LDAP_INVALID_CREDENTIALS with the same message.
   * @see https://www.rfc-editor.org/rfc/rfc4513#section-5.1.2
   * @see https://www.rfc-editor.org/rfc/rfc4515#section-3
   */
  async authenticate(username: string, password: string): Promise<LdapUser> {
    if (!username?.trim()) {
      throw LdapError.emptyUsername()
    }
    if (!password?.trim()) {
      throw LdapError.emptyPassword()
    }
    const service = await this.serviceConnection()
    try {
      const entry = await this.findUser(service, username)
      await this.bindAsUser(entry.dn, password)
      const groups = await this.groupsOf(service, entry.dn, username)
      const roles = rolesForGroups(groups, this.config.groupRoleMap)
      const user = toUser(entry, username, this.config.usernameAttribute, groups, roles)
      if (roles.length === 0) {
        throw LdapError.noRole(user.username)
      }
      return user
    } finally {
      await service.close()
    }
  }

  /**
   * Proves the directory answers: connects with the configured TLS, binds as the service
   * account and reads the search base. Throws the LdapError a login would meet.
   * @see https://www.rfc-editor.org/rfc/rfc4511#section-4.5.1
   */
  async checkConnection(): Promise<LdapHealth> {
    const started = performance.now()
    const service = await this.serviceConnection()
    try {
      await service.search(this.config.searchBase, '(objectClass=*)', ['1.1'], 1)
    } finally {
      await service.close()
    }
    return {
      url: this.config.url,
      transport: this.config.transport,
      latencyMs: Math.round(performance.now() - started),
    }
  }

  private async serviceConnection(): Promise<LdapConnection> {
    const connection = await LdapConnection.open(this.config)
    try {
      await connection.bind(this.config.bindDn, this.config.bindPassword)
      return connection
    } catch (error) {
      await connection.close()
      // A refused service bind is a settings problem, never the user's wrong password.
      throw error instanceof ResultCodeError ? LdapError.serviceAccount(error) : error
    }
  }

  private async findUser(service: LdapConnection, username: string): Promise<Entry> {
    const filter = fillFilterTemplate(this.config.userFilter, { username })
    const attributes = [this.config.usernameAttribute, ...USER_ATTRIBUTES]
    const entries = await service.search(this.config.searchBase, filter, attributes, 2)
    if (entries.length === 0) {
      throw LdapError.invalidCredentials()
    }
    if (entries.length > 1) {
      throw LdapError.ambiguous(entries.length)
    }
    return entries[0]
  }

  /** Binds on a fresh connection, so the service connection keeps the service's rights. */
  private async bindAsUser(dn: string, password: string): Promise<void> {
    const connection = await LdapConnection.open(this.config)
    try {
      await connection.bind(dn, password)
    } catch (error) {
      // Any refusal (wrong password, locked or expired account) reads as invalid credentials;
      // the result code stays in `cause` for the logs.
      throw error instanceof ResultCodeError ? LdapError.invalidCredentials(error) : error
    } finally {
      await connection.close()
    }
  }

  private async groupsOf(
    service: LdapConnection,
    dn: string,
    username: string
  ): Promise<DirectoryGroup[]> {
    const filter = fillFilterTemplate(this.config.groupFilter, { dn, username })
    const entries = await service.search(this.config.groupSearchBase, filter, ['cn'])
    return entries.map((entry) => ({ dn: entry.dn, cn: texts(entry, 'cn') }))
  }
}

function toUser(
  entry: Entry,
  typed: string,
  usernameAttribute: string,
  groups: DirectoryGroup[],
  roles: DirectoryRole[]
): LdapUser {
  const usernames = texts(entry, usernameAttribute)
  // A multi-valued uid keeps the value the user typed, as the directory spells it.
  const username =
    usernames.find((value) => value.toLowerCase() === typed.trim().toLowerCase()) ??
    usernames[0] ??
    typed.trim()
  return {
    dn: entry.dn,
    username,
    fullName: texts(entry, 'displayName')[0] ?? texts(entry, 'cn')[0] ?? username,
    email: texts(entry, 'mail')[0] ?? null,
    groups: groups.map((group) => group.dn),
    roles,
  }
}

/** The string values of an attribute, whatever case the server spelled its name in. */
function texts(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase())
  const value = key === undefined ? undefined : entry[key]
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return values.filter((item): item is string => typeof item === 'string')
}
