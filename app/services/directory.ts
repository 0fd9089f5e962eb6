import type { UserRole } from '#services/user_service'

export interface DirectoryUser {
  dn: string
  username: string
  fullName: string | null
  email: string | null
  roles: UserRole[]
}

/**
 * The organisation's user directory (LDAP), when one is configured on the
 * iCDR. `authenticate` throws an AccessError: invalid credentials (unknown
 * user and wrong password alike), or the directory unavailable.
 */
export abstract class Directory {
  abstract authenticate(username: string, password: string): Promise<DirectoryUser>
}
