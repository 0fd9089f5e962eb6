import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'
import hash from '@adonisjs/core/services/hash'
import { AccessError } from '#identity/access_error'

export const USER_ROLES = {
  clinician: 'records and reads patient data in a clinic',
  informatician: 'authors, tests and publishes rule packs',
  administrator: 'runs users, devices, rollouts and audit',
} as const

export type UserRole = keyof typeof USER_ROLES

export interface NewUser {
  username: string
  fullName: string
  /** Required for a new user; left out, an existing user keeps theirs. */
  password?: string
  roles: UserRole[]
  facilityId?: string
}

export interface CredentialChange {
  username: string
  credentialVersion: number
  active: boolean
  seq: number
}

/** Changes of accounts the service refuses, with a stable code. */
export class UserAccountError extends AccessError {
  static passwordRequired(username: string) {
    return new UserAccountError(
      'E_PASSWORD_REQUIRED',
      422,
      `"${username}" is a new user: give them a password of at least 12 characters`
    )
  }

  static directoryUser(username: string) {
    return new UserAccountError(
      'E_DIRECTORY_USER',
      409,
      `"${username}" logs in through the directory (LDAP): their password and roles come from it`
    )
  }
}

/**
 * User accounts on the iCDR. Passwords are stored as Argon2id hashes only.
 * Every change that must reach edges (password, roles, deactivation) bumps
 * the user's credential version and takes the next change sequence, which
 * edges pull at their next sync to drop stale offline credentials.
 */
@inject()
export class UserService {
  constructor(protected db: Database) {}

  async list() {
    const rows = await this.db.from('users').orderBy('username')
    return rows.map((row) => ({
      username: row.username,
      fullName: row.full_name,
      roles: JSON.parse(row.roles) as UserRole[],
      source: row.source,
      facilityId: row.facility_id,
      active: Boolean(row.active),
      locked: Boolean(row.locked_until && Number(row.locked_until) > Date.now()),
      lastLoginAt: row.last_login_at ? new Date(Number(row.last_login_at)).toISOString() : null,
    }))
  }

  /**
   * Creates a local user, or changes the name, roles and facility of an
   * existing one, and its password when one is given (which also unlocks it).
   * Directory users are changed in the directory, not here.
   */
  async upsertLocal(user: NewUser) {
    const values = {
      full_name: user.fullName,
      roles: JSON.stringify(user.roles),
      facility_id: user.facilityId ?? null,
      source: 'local',
      active: true,
      updated_at: new Date(),
      ...(user.password && {
        password: await hash.make(user.password),
        failed_logins: 0,
        locked_until: null,
      }),
    }
    await this.db.transaction(async (trx) => {
      const existing = await trx.from('users').where('username', user.username).first()
      if (existing && existing.source !== 'local') {
        throw UserAccountError.directoryUser(user.username)
      }
      if (!existing && !user.password) {
        throw UserAccountError.passwordRequired(user.username)
      }
      const change = await nextChange(trx, existing)
      if (existing) {
        await trx
          .from('users')
          .where('id', existing.id)
          .update({ ...values, ...change })
      } else {
        await trx
          .table('users')
          .insert({ username: user.username, ...values, ...change, created_at: new Date() })
      }
    })
  }

  /** Returns false when there is no such local user. */
  async setPassword(username: string, password: string) {
    const digest = await hash.make(password)
    return this.#change(username, { password: digest, failed_logins: 0, locked_until: null }, true)
  }

  async deactivate(username: string) {
    return this.#change(username, { active: false }, false)
  }

  /** What changed after `since`, for edges dropping stale offline credentials. */
  async credentialChanges(since: number, limit = 500): Promise<CredentialChange[]> {
    const rows = await this.db
      .from('users')
      .where('changed_seq', '>', since)
      .orderBy('changed_seq')
      .limit(limit)
    return rows.map((row) => ({
      username: row.username,
      credentialVersion: Number(row.credential_version),
      active: Boolean(row.active),
      seq: Number(row.changed_seq),
    }))
  }

  async #change(username: string, values: Record<string, unknown>, localOnly: boolean) {
    return this.db.transaction(async (trx) => {
      const query = trx.from('users').where('username', username)
      const existing = await (localOnly ? query.where('source', 'local') : query).first()
      if (!existing) {
        return false
      }
      const change = await nextChange(trx, existing)
      await trx
        .from('users')
        .where('id', existing.id)
        .update({ ...values, ...change, updated_at: new Date() })
      await trx.from('user_tokens').where('user_id', existing.id).update({ revoked_at: Date.now() })
      return true
    })
  }
}

/** The next change sequence, and the user's next credential version. */
export async function nextChange(
  trx: Pick<Database, 'from'>,
  user?: { credential_version?: number | string }
) {
  const row = await trx.from('users').max('changed_seq as seq').first()
  return {
    changed_seq: Number(row?.seq ?? 0) + 1,
    credential_version: Number(user?.credential_version ?? 0) + 1,
  }
}
