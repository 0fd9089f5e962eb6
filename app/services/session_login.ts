import type { HttpContext } from '@adonisjs/core/http'
import { SESSION_LOGIN_KEY } from '#middleware/authorize_middleware'
import type { Principal, SessionLogin } from '#identity/principal'

/**
 * Starts a page session for a person who just logged in: a new session id
 * (no fixation), and what the policy layer re-reads on every request.
 */
export function startPageSession(ctx: HttpContext, principal: Principal) {
  ctx.session.regenerate()
  const login: SessionLogin = {
    username: principal.id,
    mode: principal.loginMode!,
    snapshot: { name: principal.name, roles: principal.roles, facilityId: principal.facilityId },
  }
  ctx.session.put(SESSION_LOGIN_KEY, login)
}
