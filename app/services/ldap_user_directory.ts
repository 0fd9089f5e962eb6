import { LdapDirectory } from '#interop/ldap/ldap_directory'
import { LdapError } from '#interop/ldap/ldap_error'
import { AccessError } from '#identity/access_error'
import { Directory, type DirectoryUser } from '#services/directory'
import type identityConfig from '#config/identity'
import type { DirectoryRole } from '#interop/ldap/ldap_roles'

type LdapSettings = NonNullable<(typeof identityConfig)['ldap']>

/**
 * The iCDR's LDAP directory behind the Directory contract: LDAP failures
 * become login answers (invalid credentials for unknown users, wrong
 * passwords and users without an Outpost role alike; unavailable when the
 * directory cannot be reached).
 */
export class LdapUserDirectory extends Directory {
  #ldap: LdapDirectory

  constructor(settings: LdapSettings) {
    super()
    this.#ldap = new LdapDirectory({
      url: settings.url,
      startTls: settings.startTls,
      tlsCaFile: settings.caFile,
      bindDn: settings.bindDn ?? '',
      bindPassword: settings.bindPassword ?? '',
      searchBase: settings.searchBase,
      userFilter: settings.userFilter,
      groupSearchBase: settings.groupSearchBase ?? settings.searchBase,
      groupFilter: settings.groupFilter,
      groupRoleMap: settings.groupRoles as Record<string, DirectoryRole[]>,
    })
  }

  async authenticate(username: string, password: string): Promise<DirectoryUser> {
    try {
      const user = await this.#ldap.authenticate(username, password)
      return {
        dn: user.dn,
        username: user.username,
        fullName: user.fullName,
        email: user.email,
        roles: user.roles,
      }
    } catch (error) {
      if (!(error instanceof LdapError)) {
        throw error
      }
      switch (error.code) {
        case 'E_LDAP_EMPTY_USERNAME':
        case 'E_LDAP_EMPTY_PASSWORD':
          throw AccessError.emptyCredentials()
        case 'E_LDAP_INVALID_CREDENTIALS':
        case 'E_LDAP_AMBIGUOUS':
        case 'E_LDAP_NO_ROLE':
          throw AccessError.invalidCredentials()
        default:
          throw AccessError.directoryUnavailable()
      }
    }
  }
}
