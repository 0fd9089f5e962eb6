/**
 * Refusals of the policy layer and of logins, with a stable code and the
 * HTTP status they answer with. Messages never say which of username and
 * password was wrong.
 */
export class AccessError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string
  ) {
    super(message)
    this.name = 'AccessError'
  }

  static unauthenticated() {
    return new AccessError('E_UNAUTHORIZED', 401, 'Log in or present a valid bearer token')
  }

  static forbidden(who: string, permission: string) {
    return new AccessError(
      'E_FORBIDDEN',
      403,
      `${who} may not ${PERMISSION_WORDS[permission] ?? permission}`
    )
  }

  static noPolicy(route: string) {
    return new AccessError('E_NO_POLICY', 403, `The route "${route}" has no access policy`)
  }

  static invalidCredentials() {
    return new AccessError('E_LOGIN_INVALID', 401, 'Wrong username or password')
  }

  static emptyCredentials() {
    return new AccessError('E_LOGIN_EMPTY', 422, 'Enter a username and a password')
  }

  static locked(until: Date) {
    return new AccessError(
      'E_LOGIN_LOCKED',
      423,
      `Too many failed logins: the account is locked until ${until.toISOString()}`
    )
  }

  static offlineUnknown() {
    return new AccessError(
      'E_LOGIN_OFFLINE_UNKNOWN',
      401,
      'The iCDR cannot be reached and this user has never logged in online on this device'
    )
  }

  static offlineExpired() {
    return new AccessError(
      'E_LOGIN_OFFLINE_EXPIRED',
      401,
      'The iCDR cannot be reached and this device may no longer log this user in offline: connect once to renew'
    )
  }

  static directoryUnavailable() {
    return new AccessError(
      'E_LOGIN_DIRECTORY_UNAVAILABLE',
      503,
      'The user directory cannot be reached; try again shortly'
    )
  }

  toJSON() {
    return { error: { code: this.code, message: this.message } }
  }
}

const PERMISSION_WORDS: Record<string, string> = {
  readClinicalData: 'read patient data',
  writeClinicalData: 'record patient data',
  authorPacks: 'author rule packs',
  publishPacks: 'publish or retire rule packs',
  administer: 'administer users and devices',
  readAudit: 'read the audit trail',
  serveEdges: 'call the edge services',
  authenticated: 'do this',
}
