import app from '@adonisjs/core/services/app'
import { AccessError } from '#identity/access_error'
import {
  EdgeLoginService,
  principalOf,
  refusalFrom,
  type VerifyAnswer,
} from '#services/edge_login_service'
import { IcdrClient, IcdrUnreachableError } from '#services/icdr_client'
import { IdentityService } from '#services/identity_service'
import type { RequestOrigin } from '#services/audit_trail'
import type { Principal } from '#identity/principal'
import type outpostConfig from '#config/outpost'

/**
 * Where a person's login is decided, by role: the iCDR itself; an edge, the
 * iCDR when reachable and its offline cache otherwise; the portal, the iCDR
 * only (it has no store to cache in).
 */
export class LoginService {
  async login(username: string, password: string, origin: RequestOrigin): Promise<Principal> {
    const { role } = app.config.get<typeof outpostConfig>('outpost')
    switch (role) {
      case 'icdr': {
        const identity = await app.container.make(IdentityService)
        return identity.login(username, password, origin)
      }
      case 'portal':
        return this.#viaIcdr(username, password)
      case 'gateway':
      case 'desktop':
      case 'android': {
        const edge = await app.container.make(EdgeLoginService)
        return edge.login(username, password, origin)
      }
      default:
        throw new Error(`No login for role ${role satisfies never}`)
    }
  }

  async #viaIcdr(username: string, password: string): Promise<Principal> {
    if (!username.trim() || !password.trim()) {
      throw AccessError.emptyCredentials()
    }
    const icdr = await app.container.make(IcdrClient)
    let answer
    try {
      answer = await icdr.request<VerifyAnswer>('POST', '/api/v1/auth/verify', {
        body: { username, password },
      })
    } catch (error) {
      if (error instanceof IcdrUnreachableError) {
        throw AccessError.directoryUnavailable()
      }
      throw error
    }
    if (answer.status !== 200) {
      throw refusalFrom(answer)
    }
    return principalOf(answer.body, 'online')
  }
}
