import { createHash, randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import { Database } from '@adonisjs/lucid/database'

export interface ApiClient {
  id: number
  name: string
  scopes: string[]
}

/**
 * Registered API clients (LAN systems, scripts, the sandbox): each holds one
 * bearer token, stored only as its SHA-256 digest. A token is 32 random bytes,
 * so a fast digest is enough; there is nothing to brute-force.
 */
@inject()
export class ApiClientService {
  constructor(protected db: Database) {}

  static newToken() {
    return `opk_${randomBytes(32).toString('base64url')}`
  }

  /** Registers a client, or replaces the token and scopes of an existing one. */
  async register(name: string, scopes: string[], token = ApiClientService.newToken()) {
    const row = { token_digest: digest(token), scopes: JSON.stringify(scopes), revoked_at: null }
    const existing = await this.db.from('api_clients').where('name', name).first()
    if (existing) {
      await this.db.from('api_clients').where('id', existing.id).update(row)
    } else {
      await this.db.table('api_clients').insert({ name, ...row, created_at: new Date() })
    }
    return token
  }

  async authenticate(token: string): Promise<ApiClient | null> {
    const row = await this.db
      .from('api_clients')
      .where('token_digest', digest(token))
      .whereNull('revoked_at')
      .first()
    return row ? { id: row.id, name: row.name, scopes: JSON.parse(row.scopes) } : null
  }

  async revoke(name: string) {
    await this.db.from('api_clients').where('name', name).update({ revoked_at: new Date() })
  }
}

function digest(token: string) {
  return createHash('sha256').update(token).digest('hex')
}
