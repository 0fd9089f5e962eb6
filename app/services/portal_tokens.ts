import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AccessError } from '#identity/access_error'
import { IcdrClient, IcdrUnreachableError } from '#services/icdr_client'

/** Where a portal session keeps the person's iCDR token (the session cookie is encrypted). */
const ICDR_TOKEN_KEY = 'icdrToken'

interface IcdrToken {
  token: string
  expiresAt: string
}

/**
 * The portal acts at the iCDR as the person logged in, not as itself: at
 * login it trades the password it was just given for a user token of the
 * iCDR, kept in the page session until logout or expiry.
 */
@inject()
export class PortalTokens {
  constructor(protected icdr: IcdrClient) {}

  async issue(ctx: HttpContext, username: string, password: string) {
    let answer
    try {
      answer = await this.icdr.request<IcdrToken>('POST', '/api/v1/auth/tokens', {
        body: { username, password },
      })
    } catch (error) {
      if (error instanceof IcdrUnreachableError) {
        throw AccessError.directoryUnavailable()
      }
      throw error
    }
    if (answer.status !== 201) {
      throw AccessError.invalidCredentials()
    }
    ctx.session.put(ICDR_TOKEN_KEY, { token: answer.body.token, expiresAt: answer.body.expiresAt })
  }
}

/** The person's iCDR token for this request, while it is valid. */
export function icdrTokenOf(ctx: HttpContext): string | undefined {
  const kept = ctx.session?.get(ICDR_TOKEN_KEY) as IcdrToken | undefined
  return kept && Date.parse(kept.expiresAt) > Date.now() ? kept.token : undefined
}
