import app from '@adonisjs/core/services/app'
import type outpostConfig from '#config/outpost'
import type identityConfig from '#config/identity'

/** The iCDR could not be reached, or answered with a server error: edges work offline. */
export class IcdrUnreachableError extends Error {
  readonly code = 'E_ICDR_UNREACHABLE'
  constructor(reason: string) {
    super(`The iCDR cannot be reached: ${reason}`)
  }
}

export interface IcdrAnswer<T> {
  status: number
  body: T
}

/**
 * How an edge or the portal talks to the iCDR's API, as the principal this
 * node holds there (ICDR_TOKEN, then enrolled device credentials). Client
 * errors are answers; network failures, timeouts and 5xx are
 * IcdrUnreachableError, which callers treat as "offline".
 */
export class IcdrClient {
  /** Whether this node knows its iCDR: ICDR_URL, or the iCDR an edge enrolled with. */
  async isConfigured(): Promise<boolean> {
    const { base } = await this.#principal()
    return Boolean(base)
  }

  /** The iCDR's base URL, from ICDR_URL or the enrolment. */
  async baseUrl(): Promise<string | undefined> {
    const { base } = await this.#principal()
    return base?.replace(/\/+$/, '')
  }

  async request<T = any>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; timeoutMs?: number; bearer?: string } = {}
  ): Promise<IcdrAnswer<T>> {
    const { base, icdrToken: nodeToken } = await this.#principal()
    /* `bearer`: a person's own iCDR token (the portal acts as the person logged in). */
    const icdrToken = options.bearer ?? nodeToken
    const { onlineTimeoutMs } = app.config.get<typeof identityConfig>('identity')
    if (!base) {
      throw new IcdrUnreachableError('no ICDR_URL is set on this node')
    }
    let response: Response
    try {
      response = await fetch(new URL(path, base), {
        method,
        headers: {
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(icdrToken ? { authorization: `Bearer ${icdrToken}` } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? onlineTimeoutMs),
      })
    } catch (error) {
      throw new IcdrUnreachableError(
        (error as Error).cause ? String((error as Error).cause) : (error as Error).message
      )
    }
    if (response.status >= 500) {
      throw new IcdrUnreachableError(`it answered ${response.status}`)
    }
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }

  /** ICDR_URL and ICDR_TOKEN when set; on an enrolled edge, what enrolment stored for the unset ones. */
  async #principal(): Promise<{ base?: string; icdrToken?: string }> {
    const { icdrUrl, profile } = app.config.get<typeof outpostConfig>('outpost')
    const { icdrToken } = app.config.get<typeof identityConfig>('identity')
    if ((icdrUrl && icdrToken) || profile.store !== 'sqlite') {
      return { base: icdrUrl, icdrToken }
    }
    /* Imported here: enrolment needs the store, which the portal does not have. */
    const { EnrolmentService } = await import('#services/enrolment_service')
    const enrolment = await app.container.make(EnrolmentService)
    const enrolled = await enrolment.current()
    return { base: icdrUrl ?? enrolled?.icdrUrl, icdrToken: icdrToken ?? enrolled?.token }
  }
}
