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
  get configured() {
    return Boolean(app.config.get<typeof outpostConfig>('outpost').icdrUrl)
  }

  async request<T = any>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; timeoutMs?: number } = {}
  ): Promise<IcdrAnswer<T>> {
    const base = app.config.get<typeof outpostConfig>('outpost').icdrUrl
    const { icdrToken, onlineTimeoutMs } = app.config.get<typeof identityConfig>('identity')
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
}
