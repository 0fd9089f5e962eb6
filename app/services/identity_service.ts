import { randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import hash from '@adonisjs/core/services/hash'
import { Database } from '@adonisjs/lucid/database'
import { AccessError } from '#identity/access_error'
import { AuditTrail, type RequestOrigin } from '#services/audit_trail'
import { Directory } from '#services/directory'
import { nextChange } from '#services/user_service'
import { tokenDigest, userPrincipal } from '#services/principal_resolver'
import type { Principal } from '#identity/principal'
import type identityConfig from '#config/identity'

/** Verified against when the user does not exist, so both cases take as long. */
let decoyHash: Promise<string> | undefined

/**
 * Logins on the iCDR, the central authentication point (DESIGN.md section 6):
 * local users by their Argon2id hash, directory users through LDAP. Failed
 * attempts lock an account for a while; every attempt is audited.
 */
@inject()
export class IdentityService {
  constructor(
    protected db: Database,
    protected audit: AuditTrail
  ) {}

  async login(username: string, password: string, origin: RequestOrigin): Promise<Principal> {
    if (!username.trim() || !password.trim()) {
      throw AccessError.emptyCredentials()
    }
    const settings = app.config.get<typeof identityConfig>('identity')
    const user = await this.db.from('users').where('username', username).first()
    if (user?.locked_until && Number(user.locked_until) > Date.now()) {
      await this.audit.login({
        username,
        outcome: 'failure',
        mode: user.source === 'ldap' ? 'ldap' : 'local',
        origin,
        reason: 'locked',
      })
      throw AccessError.locked(new Date(Number(user.locked_until)))
    }

    const verified =
      user?.source === 'local'
        ? await this.#verifyLocal(user, password)
        : await this.#verifyDirectory(username, password, settings.ldap !== null)
    if (!verified) {
      await this.#failed(username, user, origin)
      throw AccessError.invalidCredentials()
    }
    await this.db
      .from('users')
      .where('id', verified.id)
      .update({ failed_logins: 0, locked_until: null, last_login_at: Date.now() })
    const principal = { ...userPrincipal(verified), loginMode: verified.source } as Principal
    await this.audit.login({ username, outcome: 'success', mode: verified.source, origin })
    return principal
  }

  /** What an edge caches of a user after an online login. */
  async describeForEdge(username: string) {
    const user = await this.db.from('users').where('username', username).firstOrFail()
    return {
      username: user.username,
      fullName: user.full_name,
      roles: JSON.parse(user.roles),
      facilityId: user.facility_id,
      credentialVersion: Number(user.credential_version),
    }
  }

  /** A user API token (`opu_`), stored as its digest, valid for USER_TOKEN_TTL_HOURS. */
  async issueToken(username: string) {
    const settings = app.config.get<typeof identityConfig>('identity')
    const user = await this.db.from('users').where('username', username).firstOrFail()
    const token = `opu_${randomBytes(32).toString('base64url')}`
    const expiresAt = Date.now() + settings.userTokenTtlHours * 3_600_000
    await this.db.table('user_tokens').insert({
      user_id: user.id,
      token_digest: tokenDigest(token),
      expires_at: expiresAt,
      created_at: Date.now(),
    })
    return { token, expiresAt: new Date(expiresAt).toISOString() }
  }

  async #verifyLocal(user: Record<string, any>, password: string) {
    const ok = user.password ? await hash.verify(user.password, password) : false
    return ok && user.active ? user : null
  }

  /**
   * Directory users are looked up in LDAP on every login; their row keeps the
   * roles the groups gave, so edges and sessions can read them.
   */
  async #verifyDirectory(username: string, password: string, hasDirectory: boolean) {
    if (!hasDirectory) {
      await hash.verify(await decoy(), password)
      return null
    }
    const directory = await app.container.make(Directory)
    let found
    try {
      found = await directory.authenticate(username, password)
    } catch (error) {
      if (error instanceof AccessError && error.code === 'E_LOGIN_INVALID') {
        return null
      }
      throw error
    }
    const roles = JSON.stringify(found.roles)
    const values = {
      full_name: found.fullName,
      email: found.email,
      roles,
      ldap_dn: found.dn,
      source: 'ldap',
      updated_at: new Date(),
    }
    /* The directory spells the username; a local account of that name is never taken over. */
    const row = await this.db.from('users').where('username', found.username).first()
    if (row && (row.source !== 'ldap' || !row.active)) {
      return null
    }
    if (row) {
      const changed = row.roles !== roles
      await this.db
        .from('users')
        .where('id', row.id)
        .update(changed ? { ...values, ...(await nextChange(this.db, row)) } : values)
    } else {
      await this.db.table('users').insert({
        username: found.username,
        ...values,
        password: null,
        active: true,
        created_at: new Date(),
        ...(await nextChange(this.db)),
      })
    }
    return this.db.from('users').where('username', found.username).first()
  }

  async #failed(username: string, user: Record<string, any> | undefined, origin: RequestOrigin) {
    const settings = app.config.get<typeof identityConfig>('identity')
    const mode = user?.source === 'local' || !settings.ldap ? 'local' : 'ldap'
    await this.audit.login({ username, outcome: 'failure', mode, origin })
    if (!user) {
      return
    }
    const failures = Number(user.failed_logins) + 1
    const lock = failures >= settings.lockoutThreshold
    const lockedUntil = lock ? Date.now() + settings.lockoutMinutes * 60_000 : null
    await this.db
      .from('users')
      .where('id', user.id)
      .update({ failed_logins: lock ? 0 : failures, locked_until: lockedUntil })
    if (lockedUntil) {
      await this.audit.lockout({ username, origin, until: new Date(lockedUntil) })
    }
  }
}

function decoy() {
  decoyHash ??= hash.make(randomBytes(16).toString('hex'))
  return decoyHash
}
