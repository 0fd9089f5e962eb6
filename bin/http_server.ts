/*
|--------------------------------------------------------------------------
| HTTP server entrypoint (started by bin/server.js)
|--------------------------------------------------------------------------
*/

await import('reflect-metadata')
const { Ignitor, prettyPrintError } = await import('@adonisjs/core')

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

new Ignitor(APP_ROOT, { importer: IMPORTER })
  .tap((app) => {
    app.booting(async () => {
      const { default: env } = await import('#start/env')
      const { ROLE_PROFILES } = await import('#roles/role_profiles')
      /*
       * Loopback-only roles (desktop, android) never listen beyond this machine.
       */
      if (ROLE_PROFILES[env.get('APP_ROLE')].loopbackOnly) {
        process.env.HOST = '127.0.0.1'
      }
    })
    app.listen('SIGTERM', () => app.terminate())
    app.listen('SIGINT', () => app.terminate())
  })
  .httpServer()
  .start()
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
