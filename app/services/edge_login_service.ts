import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import hash from '@adonisjs/core/services/hash'
import { Database } from '@adonisjs/lucid/database'
import { AccessError } from '#identity/access_error'
import { AuditTrail, type RequestOrigin } from '#services/audit_trail'
import { IcdrClient, IcdrUnreachableError } from '#services/icdr_client'
import type { Principal } from '#identity/principal'
import type identityConfig from '#config/identity'

/** What the iCDR answers to a login check: the user, or an error. */
export type VerifyAnswer = VerifiedUser & { error?: { code: string; message: string } }

export interface VerifiedUser {
  username: string
  fullName: string | null
  roles: Principal['roles']
  facilityId: string | null
  credentialVersion: number
}

/**
 * Logins on an edge (DESIGN.md section 6). Online, the iCDR decides and a
 * success refreshes the local cache: an Argon2id hash of the password, the
 * roles and an expiry. When the iCDR cannot be reached the cache decides,
 * repeated failures lock the account locally for a while, and those events
 * wait in `security_reports` for the next sync.
 */
@inject()
export class EdgeLoginService {
  constructor(
    protected db: Database,
    protected icdr: IcdrClient,
    protected audit: AuditTrail
  ) {}

  async login(username: string, password: string, origin: RequestOrigin): Promise<Principal> {
    if (!username.trim() || !password.trim()) {
      throw AccessError.emptyCredentials()
    }
    let answer
    try {
      answer = await this.icdr.request<
        VerifiedUser & { error?: { code: string; message: string } }
      >('POST', '/api/v1/auth/verify', {
        body: { username, password },
      })
    } catch (error) {
      if (error instanceof IcdrUnreachableError) {
        return this.#offline(username, password, origin)
      }
      throw error
    }
    if (answer.status === 200) {
      await this.#cache(answer.body, password)
      await this.audit.login({ username, outcome: 'success', mode: 'online', origin })
      return principalOf(answer.body, 'online')
    }
    await this.audit.login({ username, outcome: 'failure', mode: 'online', origin })
    if (answer.status === 403) {
      /* Deactivated on the iCDR: this device must not log the user in offline either. */
      await this.db.from('cached_credentials').where('username', username).delete()
    }
    throw refusalFrom(answer)
  }

  async #offline(username: string, password: string, origin: RequestOrigin): Promise<Principal> {
    const settings = app.config.get<typeof identityConfig>('identity')
    const cached = await this.db.from('cached_credentials').where('username', username).first()
    const fail = async (reason: string, error: AccessError) => {
      await this.audit.login({ username, outcome: 'failure', mode: 'offline', origin, reason })
      return error
    }
    if (!cached) {
      throw await fail('not cached', AccessError.offlineUnknown())
    }
    if (cached.locked_until && Number(cached.locked_until) > Date.now()) {
      throw await fail('locked', AccessError.locked(new Date(Number(cached.locked_until))))
    }
    if (Number(cached.expires_at) <= Date.now()) {
      throw await fail('cache expired', AccessError.offlineExpired())
    }
    if (!(await hash.verify(cached.password_hash, password))) {
      const failures = Number(cached.failed_logins) + 1
      const lock = failures >= settings.lockoutThreshold
      const lockedUntil = lock ? Date.now() + settings.lockoutMinutes * 60_000 : null
      await this.db.transaction(async (trx) => {
        await trx
          .from('cached_credentials')
          .where('id', cached.id)
          .update({ failed_logins: lock ? 0 : failures, locked_until: lockedUntil })
        await trx.table('security_reports').insert({
          kind: lock ? 'lockout' : 'failed-login',
          username,
          detail: JSON.stringify({ failures, lockedUntil, remote: origin.remoteAddress }),
          occurred_at: Date.now(),
        })
      })
      if (lockedUntil) {
        await this.audit.lockout({ username, origin, until: new Date(lockedUntil) })
      }
      throw await fail('wrong password', AccessError.invalidCredentials())
    }
    await this.db
      .from('cached_credentials')
      .where('id', cached.id)
      .update({ failed_logins: 0, locked_until: null })
    await this.audit.login({ username, outcome: 'success', mode: 'offline', origin })
    return principalOf(
      {
        username,
        fullName: cached.full_name,
        roles: JSON.parse(cached.roles),
        facilityId: cached.facility_id,
        credentialVersion: Number(cached.credential_version),
      },
      'offline'
    )
  }

  async #cache(user: VerifiedUser, password: string) {
    const settings = app.config.get<typeof identityConfig>('identity')
    const now = Date.now()
    const values = {
      full_name: user.fullName,
      password_hash: await hash.make(password),
      roles: JSON.stringify(user.roles),
      facility_id: user.facilityId,
      credential_version: user.credentialVersion,
      cached_at: now,
      expires_at: now + settings.offlineMaxAgeHours * 3_600_000,
      failed_logins: 0,
      locked_until: null,
    }
    await this.db.transaction(async (trx) => {
      const existing = await trx.from('cached_credentials').where('username', user.username).first()
      if (existing) {
        await trx.from('cached_credentials').where('id', existing.id).update(values)
      } else {
        await trx.table('cached_credentials').insert({ username: user.username, ...values })
      }
    })
  }
}

/** The iCDR's refusal of a login, passed on to the person as it said it. */
export function refusalFrom(answer: { status: number; body: VerifyAnswer | null }) {
  return new AccessError(
    answer.body?.error?.code ?? 'E_LOGIN_INVALID',
    answer.status === 423 || answer.status === 422 ? answer.status : 401,
    answer.body?.error?.message ?? 'Wrong username or password'
  )
}

export function principalOf(user: VerifiedUser, mode: 'online' | 'offline'): Principal {
  return {
    kind: 'user',
    id: user.username,
    name: user.fullName ?? user.username,
    roles: user.roles,
    scopes: [],
    facilityId: user.facilityId,
    loginMode: mode,
  }
}
