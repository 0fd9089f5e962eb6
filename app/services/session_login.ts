import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { SESSION_LOGIN_KEY } from '#middleware/authorize_middleware'
import { PortalTokens } from '#services/portal_tokens'
import type { Principal, SessionLogin } from '#identity/principal'
import type outpostConfig from '#config/outpost'

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

/**
 * A session for a person the iCDR (or an edge's cache) just accepted. On the
 * portal, which acts at the iCDR as the person, it also takes their iCDR user
 * token, while the password is at hand.
 */
export async function startLoggedInSession(
  ctx: HttpContext,
  principal: Principal,
  credentials: { username: string; password: string }
) {
  startPageSession(ctx, principal)
  if (app.config.get<typeof outpostConfig>('outpost').role === 'portal') {
    const tokens = await ctx.containerResolver.make(PortalTokens)
    await tokens.issue(ctx, credentials.username, credentials.password)
  }
}
