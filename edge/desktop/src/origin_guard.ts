import { SECRET_HEADER } from './secret.js'
import { LOOPBACK_HOST } from './loopback_port.js'

export type Headers = Record<string, string | string[]>

/** The only origin the shell's window may show and send the secret to. */
export function coreOrigin(port: number): string {
  return new URL(`http://${LOOPBACK_HOST}:${port}`).origin
}

/**
 * True when `url` is on exactly the core's origin: same scheme, host and
 * port, and no credentials in the URL. `http://127.0.0.1:4000@evil.test/`,
 * `http://localhost:4000/` and `ws://127.0.0.1:4000/` all answer false.
 */
export function isCoreUrl(url: string, origin: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return parsed.origin === origin && parsed.username === '' && parsed.password === ''
}

/**
 * The request headers to send: the secret for the core's exact origin, and
 * for every other URL the same headers with any `SDB-Magic` removed, so the
 * secret cannot leave through a header a page tried to set.
 */
export function headersWithSecret(
  url: string,
  origin: string,
  secret: string,
  headers: Headers
): Headers {
  const kept = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== SECRET_HEADER.toLowerCase())
  )
  return isCoreUrl(url, origin) ? { ...kept, [SECRET_HEADER]: secret } : kept
}

/**
 * The URL filter for Electron's webRequest hooks. It only narrows which
 * requests reach the listener; `headersWithSecret` still checks each URL.
 */
export function requestFilter(origin: string): { urls: string[] } {
  return { urls: [`${origin}/*`] }
}

/** A page may only move to another page of the core. */
export function mayNavigate(url: string, origin: string): boolean {
  return isCoreUrl(url, origin)
}

/**
 * No page ever opens a window: the clinic UI has one window, and a link to
 * anywhere else must not become a second, unguarded one.
 */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' }
}

/**
 * Whether the window may make a request at all: only to the core (and the
 * data: URL of the shell's own problem screen). An offline clinic UI never
 * needs another origin, so nothing it shows can reach one.
 */
export function mayRequest(url: string, origin: string): boolean {
  return isCoreUrl(url, origin) || url.startsWith('data:')
}
