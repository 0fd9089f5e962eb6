/**
 * Stable codes of LDAP login and health failures, each with the HTTP status a login surface
 * answers with. An unknown user and a wrong password share E_LDAP_INVALID_CREDENTIALS and its
 * message, so a caller cannot tell which accounts exist.
 * @see https://www.rfc-editor.org/rfc/rfc4513#section-6.3.1
 */
export const LDAP_ERROR_STATUSES = {
  /** The directory settings are unusable (bad URL, StartTLS on ldaps://, unknown role). */
  E_LDAP_CONFIG: 500,
  /** No username was given. */
  E_LDAP_EMPTY_USERNAME: 400,
  /** No password was given; never sent, as it would be an unauthenticated bind. */
  E_LDAP_EMPTY_PASSWORD: 400,
  /** No such user, or a wrong password: deliberately the same answer. */
  E_LDAP_INVALID_CREDENTIALS: 401,
  /** Several directory entries match the username, so none is trusted. */
  E_LDAP_AMBIGUOUS: 401,
  /** The password is right but none of the user's groups maps to an Outpost role. */
  E_LDAP_NO_ROLE: 403,
  /** The directory refused the service account the iCDR searches with. */
  E_LDAP_SERVICE_ACCOUNT: 503,
  /** TLS could not be set up or the server's certificate is not trusted. */
  E_LDAP_TLS: 503,
  /** The directory cannot be reached or did not answer in time. */
  E_LDAP_UNAVAILABLE: 503,
} as const

export type LdapErrorCode = keyof typeof LDAP_ERROR_STATUSES

const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password'

/**
 * An LDAP login or health check failed. `code` is stable; `cause` keeps the underlying
 * client or socket error for logs and is never shown to the user.
 */
export class LdapError extends Error {
  readonly status: number

  constructor(
    readonly code: LdapErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'LdapError'
    this.status = LDAP_ERROR_STATUSES[code]
  }

  static config(message: string): LdapError {
    return new LdapError('E_LDAP_CONFIG', `LDAP configuration: ${message}`)
  }

  static emptyUsername(): LdapError {
    return new LdapError('E_LDAP_EMPTY_USERNAME', 'A username is required')
  }

  /**
   * An empty password turns a simple bind into an unauthenticated one, which many servers
   * accept; it is refused before anything is sent.
   * @see https://www.rfc-editor.org/rfc/rfc4513#section-5.1.2
   */
  static emptyPassword(): LdapError {
    return new LdapError('E_LDAP_EMPTY_PASSWORD', 'A password is required')
  }

  /** The one answer for an unknown user and a wrong password. */
  static invalidCredentials(cause?: unknown): LdapError {
    return new LdapError('E_LDAP_INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE, { cause })
  }

  static ambiguous(count: number): LdapError {
    return new LdapError(
      'E_LDAP_AMBIGUOUS',
      `The username matches ${count} directory entries; ask an administrator to fix the directory`
    )
  }

  static noRole(username: string): LdapError {
    return new LdapError(
      'E_LDAP_NO_ROLE',
      `${username} is in no directory group that grants an Outpost role`
    )
  }

  static serviceAccount(cause: unknown): LdapError {
    return new LdapError(
      'E_LDAP_SERVICE_ACCOUNT',
      'The directory refused the service account; check the bind DN and password',
      { cause }
    )
  }

  static tls(url: string, cause: unknown): LdapError {
    return new LdapError('E_LDAP_TLS', `TLS with ${url} failed: ${describe(cause)}`, { cause })
  }

  static unavailable(url: string, cause: unknown): LdapError {
    return new LdapError('E_LDAP_UNAVAILABLE', `${url} is unavailable: ${describe(cause)}`, {
      cause,
    })
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code
    return code && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message
  }
  return String(cause)
}
