import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * Sessions for pages (DESIGN.md section 6): the cookie store, encrypted with
 * APP_KEY, so that edges keep no session table and a restart of the core does
 * not log clinic staff out. What a session holds is only who logged in and
 * how; roles and revocations are re-read on every request.
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'outpost-session',
  clearWithBrowser: false,
  /** A clinic shift; after that the user logs in again (online if possible). */
  age: '10h',
  cookie: {
    path: '/',
    httpOnly: true,
    /** true behind TLS (a LAN gateway or the iCDR); loopback shells speak plain HTTP. */
    secure: env.get('SESSION_SECURE_COOKIE', false),
    sameSite: 'lax',
  },
  store: 'cookie',
  stores: {
    cookie: stores.cookie(),
  },
})

export default sessionConfig
