import { createHash } from 'node:crypto'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import { Database } from '@adonisjs/lucid/database'
import { ApiClientService } from '#services/api_client_service'
import type { Principal, SessionLogin } from '#identity/principal'
import type outpostConfig from '#config/outpost'

/**
 * Turns a bearer token or a session into the principal a request acts for,
 * re-reading the store each time so that a revocation or deactivation takes
 * effect at once: API clients (`opk_`), user tokens (`opu_`, iCDR), enrolled
 * devices (`opd_`, iCDR), and
 * sessions (iCDR: the users table; edges: the offline credential cache;
 * portal: the snapshot the iCDR answered at login).
 */
@inject()
export class PrincipalResolver {
  constructor(
    protected db: Database,
    protected clients: ApiClientService
  ) {}

  async fromBearer(token: string): Promise<Principal | null> {
    if (token.startsWith('opu_')) {
      return this.#fromUserToken(token)
    }
    if (token.startsWith('opd_')) {
      return this.#fromDeviceToken(token)
    }
    const client = await this.clients.authenticate(token)
    return client
      ? {
          kind: 'client',
          id: String(client.id),
          name: client.name,
          roles: [],
          scopes: client.scopes,
        }
      : null
  }

  async fromSession(login: SessionLogin): Promise<Principal | null> {
    const { role } = app.config.get<typeof outpostConfig>('outpost')
    if (role === 'portal') {
      return login.snapshot
        ? { kind: 'user', id: login.username, scopes: [], loginMode: login.mode, ...login.snapshot }
        : null
    }
    if (role === 'icdr') {
      const user = await this.db.from('users').where('username', login.username).first()
      return user?.active ? { ...userPrincipal(user), loginMode: login.mode } : null
    }
    const cached = await this.db
      .from('cached_credentials')
      .where('username', login.username)
      .first()
    return cached
      ? {
          kind: 'user',
          id: cached.username,
          name: cached.full_name ?? cached.username,
          roles: JSON.parse(cached.roles),
          scopes: [],
          facilityId: cached.facility_id,
          loginMode: login.mode,
        }
      : null
  }

  async #fromUserToken(token: string): Promise<Principal | null> {
    const row = await this.db
      .from('user_tokens')
      .join('users', 'users.id', 'user_tokens.user_id')
      .where('user_tokens.token_digest', tokenDigest(token))
      .whereNull('user_tokens.revoked_at')
      .where('user_tokens.expires_at', '>', Date.now())
      .select('users.*')
      .first()
    return row?.active ? userPrincipal(row) : null
  }

  async #fromDeviceToken(token: string): Promise<Principal | null> {
    const device = await this.db
      .from('devices')
      .where('token_digest', tokenDigest(token))
      .whereNull('revoked_at')
      .first()
    if (!device) {
      return null
    }
    const facilityIds: string[] = JSON.parse(device.facility_ids)
    return {
      kind: 'device',
      id: device.name,
      name: device.name,
      roles: [],
      scopes: ['device'],
      facilityId: facilityIds[0] ?? null,
    }
  }
}

export function userPrincipal(user: {
  username: string
  full_name: string | null
  roles: string
  facility_id: string | null
}): Principal {
  return {
    kind: 'user',
    id: user.username,
    name: user.full_name ?? user.username,
    roles: JSON.parse(user.roles),
    scopes: [],
    facilityId: user.facility_id,
  }
}

export function tokenDigest(token: string) {
  return createHash('sha256').update(token).digest('hex')
}
